// Command-line program: replay captures, run command batches, attach to TAP devices, run the demo.
import { readFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine } from "./engine.ts";
import { replay, prepare } from "./replay.ts";
import { runBatch } from "./commands/index.ts";
import { readPcapFile, writePcapFile } from "./drivers/pcap.ts";
import { describe } from "./packet.ts";

const USAGE = `usage:
  wasm-netstack replay --setup FILE --in DEV=in.pcap ... [--out DEV=out.pcap ...] [--linger SECONDS] [--seed N] [--quiet]
  wasm-netstack batch FILE
  wasm-netstack tap --setup FILE DEV=TAPNAME ...
  wasm-netstack demo
`;

function pairs(list: string[], flag: string): [string, string][] {
  return list.map((s) => {
    const i = s.indexOf("=");
    if (i <= 0) throw new Error(`${flag} expects DEV=FILE, got "${s}"`);
    return [s.slice(0, i), s.slice(i + 1)];
  });
}

function nonZero(rec: Record<string | number, number>): string {
  return Object.entries(rec).filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(", ") || "-";
}

/** The counters worth reading after a run: devices, SNMP MIBs, drop reasons. */
export function formatCounters(engine: Engine): string {
  const c = engine.counters();
  const lines: string[] = [];
  for (const d of engine.devices()) {
    const s = d.stats;
    lines.push(`  ${d.name}: rx ${s.rx_packets} packets ${s.rx_bytes} bytes (errors ${s.rx_errors}, dropped ${s.rx_dropped}, ` +
      `nohandler ${s.rx_nohandler}); tx ${s.tx_packets} packets ${s.tx_bytes} bytes (dropped ${s.tx_dropped})`);
  }
  lines.push(`  Ip: ${nonZero(c.ip)}`);
  lines.push(`  Icmp: ${nonZero(c.icmp)}`);
  lines.push(`  IcmpMsg: ${nonZero(Object.fromEntries([
    ...Object.entries(c.icmpMsg.in).map(([t, v]) => [`InType${t}`, v]),
    ...Object.entries(c.icmpMsg.out).map(([t, v]) => [`OutType${t}`, v])]))}`);
  lines.push(`  Udp: ${nonZero(c.udp)}`);
  lines.push(`  Tcp: ${nonZero(c.tcp)}`);
  lines.push(`  ArpCache: ${nonZero(c.arp)}`);
  lines.push(`  Drops: ${nonZero(c.drops)}`);
  return lines.join("\n") + "\n";
}

async function cmdReplay(argv: string[]): Promise<number> {
  let setupFile = "", linger = 0, seed = 1, quiet = false;
  const ins: string[] = [], outs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    if (a === "--setup") setupFile = val();
    else if (a === "--in") ins.push(val());
    else if (a === "--out") outs.push(val());
    else if (a === "--linger") linger = Number(val());
    else if (a === "--seed") seed = Number(val());
    else if (a === "--quiet") quiet = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (!Number.isFinite(linger) || linger < 0) throw new Error("--linger expects seconds >= 0");
  const setup = setupFile ? readFileSync(setupFile, "utf8") : "";
  const inputs = pairs(ins, "--in").map(([dev, f]) => ({ dev, pcap: readPcapFile(f) }));
  const outputs = pairs(outs, "--out");
  const r = await replay({ setup, inputs, outputs: outputs.map(([d]) => d), lingerMs: linger * 1000, engine: { seed } });
  if (r.setupOutput) process.stdout.write(r.setupOutput);
  const t0 = inputs.flatMap((i) => i.pcap.records.map((x) => x.tsMs)).reduce((a, b) => Math.min(a, b), Infinity);
  if (!quiet) {
    for (const f of r.sent) {
      const rel = Number.isFinite(t0) ? (f.tsMs - t0) / 1000 : 0;
      process.stdout.write(`${rel.toFixed(6)} ${f.dev} out: ${describe(f.data)}\n`);
    }
  }
  for (const [dev, file] of outputs) {
    writePcapFile(file, r.sent.filter((f) => f.dev === dev).map((f) => ({ tsMs: f.tsMs, data: f.data })));
  }
  process.stdout.write(`replayed ${r.received} frames, sent ${r.sent.length}\n`);
  for (const [dev, n] of Object.entries(r.missed)) {
    if (n) process.stdout.write(`  ${dev}: ${n} frames not posted (no empty buffer in the fill ring)\n`);
  }
  process.stdout.write(formatCounters(r.engine));
  return r.setupFailures ? 1 : 0;
}

async function cmdBatch(argv: string[]): Promise<number> {
  if (argv.length !== 1) throw new Error("batch expects one FILE");
  const engine = await Engine.load();
  const { output, failed } = runBatch(readFileSync(argv[0], "utf8"), engine, argv[0]);
  process.stdout.write(output);
  return failed ? 1 : 0;
}

async function cmdTap(argv: string[]): Promise<number> {
  let setupFile = "";
  const maps: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--setup") setupFile = argv[++i] ?? "";
    else maps.push(argv[i]);
  }
  const { openTap } = await import("./drivers/tap.ts");
  const { attachTap } = await import("./drivers/tap-link.ts");
  const engine = await Engine.load({ seed: Date.now() });
  const devs = pairs(maps, "DEV=TAPNAME");
  const { output } = prepare(engine, setupFile ? readFileSync(setupFile, "utf8") : "", devs.map(([d]) => d));
  process.stdout.write(output);
  const stop = attachTap(engine, devs.map(([dev, tap]) => ({ dev, tap: openTap(tap) })));
  process.stdout.write(`attached ${devs.map(([d, t]) => `${d}=${t}`).join(" ")}; Ctrl-C to stop\n`);
  await new Promise<void>((res) => process.once("SIGINT", () => res()));
  stop();
  process.stdout.write(formatCounters(engine));
  return 0;
}

async function cmdDemo(): Promise<number> {
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = join(here, "scenarios", "demo");
  const outDir = join(here, "..", "build", "demo");
  mkdirSync(outDir, { recursive: true });
  const out = join(outDir, "eth0.out.pcap");
  process.stdout.write(`demo: ${join(dir, "setup.txt")} + ${join(dir, "eth0.in.pcap")}\n` +
    readFileSync(join(dir, "README.txt"), "utf8"));
  return cmdReplay(["--setup", join(dir, "setup.txt"), "--in", `eth0=${join(dir, "eth0.in.pcap")}`,
    "--out", `eth0=${out}`, "--linger", "5"]).then((rc) => { process.stdout.write(`output capture: ${out}\n`); return rc; });
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case "replay": return await cmdReplay(rest);
      case "batch": return await cmdBatch(rest);
      case "tap": return await cmdTap(rest);
      case "demo": return await cmdDemo();
      default: process.stderr.write(USAGE); return cmd === undefined || cmd === "help" || cmd === "--help" ? 0 : 2;
    }
  } catch (e) {
    process.stderr.write(`wasm-netstack: ${(e as Error).message}\n`);
    return 2;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then((rc) => { process.exitCode = rc; });
}
