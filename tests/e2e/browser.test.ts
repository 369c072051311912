// The engine in a real browser: the host modules bundled as they are, the wasm fetched over HTTP from
// localhost, driven in headless Chromium. Skipped, visibly, where Chromium is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { build } from "esbuild";
import { skipOrRun } from "../helpers/netns.ts";

const CHROMIUM = "/usr/bin/chromium";
const root = fileURLToPath(new URL("../../", import.meta.url));

test("the engine loads and answers ARP and ping inside Chromium", { timeout: 90000 }, async (t) => {
  if (!skipOrRun(t, existsSync(CHROMIUM) ? null : "chromium not installed (apt-get install chromium)")) return;
  const { chromium } = await import("playwright-core");
  const bundle = await build({ entryPoints: [join(root, "tests/e2e/browser/page.ts")], bundle: true, format: "esm",
    platform: "browser", target: "es2022", write: false, external: ["node:*"] });
  const js = bundle.outputFiles[0].text;
  const wasm = readFileSync(join(root, "build/engine.wasm"));
  const server = createServer((req, res) => {
    if (req.url === "/") { res.setHeader("content-type", "text/html"); res.end('<script type="module" src="/host/page.js"></script>'); }
    else if (req.url === "/host/page.js") { res.setHeader("content-type", "text/javascript"); res.end(js); }
    else if (req.url === "/build/engine.wasm") { res.setHeader("content-type", "application/wasm"); res.end(wasm); }
    else { res.statusCode = 404; res.end(); }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu",
    "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
  // (playwright gives the browser a fresh temporary profile and removes it on close)
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => (globalThis as any).__result !== undefined, null, { timeout: 20000 });
    const r = await page.evaluate(() => (globalThis as any).__result) as { lines: string[]; errors: string[]; counters: any };
    assert.deepEqual(r.errors, []);
    assert.match(r.lines[0], /^eth0\s+UP\s+192\.0\.2\.1\/24/);
    assert.equal(r.lines[1], "02:00:00:00:00:01 > 02:00:00:00:00:02, ARP, Reply 192.0.2.1 is-at 02:00:00:00:00:01, length 28");
    assert.match(r.lines[2], /^02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4, 192\.0\.2\.1 > 192\.0\.2\.2, ttl 64, id \d+, ICMP echo reply, id 9, seq 1, length 27$/);
    assert.deepEqual(r.counters, { in: { 8: 1 }, out: { 0: 1 } });
  } finally {
    await browser.close();
    server.close();
  }
});
