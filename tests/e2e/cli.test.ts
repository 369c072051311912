// The command-line program as a user runs it: batch with a failing line, replay writing captures.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { readPcapFile, writePcapFile } from "../../host/drivers/pcap.ts";
import { ether, arp, ipv4, icmpEcho, BROADCAST } from "../../host/packet.ts";

const BIN = fileURLToPath(new URL("../../bin/wasm-netstack.js", import.meta.url));
const run = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 60000 });

test("batch goes on after a failed line and prints each error in order", () => {
  const dir = mkdtempSync(join(tmpdir(), "wnb-"));
  try {
    const f = join(dir, "lines");
    writeFileSync(f, [
      "ip link add eth0 type nic",
      "ip link add eth0 type nic",
      "ip addr add 10.0.0.1/24 dev eth9",
      "sysctl -w net.ipv4.ip_default_ttl=0",
      "sysctl net.ipv4.ip_default_ttl",
      "ip -br link show eth0",
    ].join("\n") + "\n");
    const r = run(["batch", f]);
    assert.equal(r.status, 1);
    const lines = r.stdout.split("\n");
    assert.deepEqual(lines.slice(0, 8), [
      "RTNETLINK answers: File exists",
      `Command failed ${f}:2`,
      'Cannot find device "eth9"',
      `Command failed ${f}:3`,
      'sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument',
      `Command failed ${f}:4`,
      "net.ipv4.ip_default_ttl = 64",
      lines[7],
    ]);
    assert.match(lines[7], /^eth0\s+DOWN\s+[0-9a-f:]{17} <BROADCAST,MULTICAST> $/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("replay writes each device's transmitted frames, with --linger letting timers fire", () => {
  const dir = mkdtempSync(join(tmpdir(), "wnr-"));
  try {
    const setup = join(dir, "setup"), inp = join(dir, "in.pcap"), out = join(dir, "out.pcap");
    writeFileSync(setup, "ip link set eth0 address 02:00:00:00:00:01\nip link set eth0 up\nip addr add 192.0.2.1/24 dev eth0\n");
    const t0 = 1_700_000_000_000;
    writePcapFile(inp, [{ tsMs: t0, data: ether(BROADCAST, "02:00:00:00:00:02", 0x0806,
      arp(1, "02:00:00:00:00:02", "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1")) }]);
    const r = run(["replay", "--setup", setup, "--in", `eth0=${inp}`, "--out", `eth0=${out}`, "--quiet"]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /replayed 1 frames, sent 1/);
    const o = readPcapFile(out);
    assert.equal(o.records.length, 1);
    assert.equal(o.records[0].tsMs, t0);
    assert.equal(o.records[0].data[21], 2);            // ARP reply
    const r2 = run(["replay", "--setup", setup, "--in", `eth0=${inp}`, "--out", `eth0=${out}`]);
    assert.equal(r2.status, 0, r2.stderr);
    assert.match(r2.stdout, /^0\.000000 eth0 out: .* ARP, Reply 192\.0\.2\.1 is-at 02:00:00:00:00:01/m);
    assert.match(r2.stdout, /Drops: -/);
    // An echo from an unknown neighbour: one ARP request at once; with --linger the retries too.
    writePcapFile(inp, [{ tsMs: t0, data: ether("02:00:00:00:00:01", "02:00:00:00:00:03", 0x0800,
      ipv4("192.0.2.3", "192.0.2.1", 1, icmpEcho(1, 1, new Uint8Array(8)))) }]);
    assert.equal(run(["replay", "--setup", setup, "--in", `eth0=${inp}`, "--out", `eth0=${out}`, "--quiet"]).status, 0);
    assert.equal(readPcapFile(out).records.length, 1);
    assert.equal(run(["replay", "--setup", setup, "--in", `eth0=${inp}`, "--out", `eth0=${out}`, "--linger", "5", "--quiet"]).status, 0);
    assert.deepEqual(readPcapFile(out).records.map((x) => x.tsMs - t0), [0, 1000, 2000]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test("unknown commands and options fail with a message", () => {
  assert.equal(run(["replay", "--bogus"]).status, 2);
  assert.match(run(["replay", "--bogus"]).stderr, /unknown option --bogus/);
  assert.equal(run(["frobnicate"]).status, 2);
});
