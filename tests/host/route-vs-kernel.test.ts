// The same routing setup (devices, addresses, a seeded random table of nested prefixes with every route
// type, TOS variants, metrics, several tables, multipath, and policy rules) loaded into a Linux network
// namespace with `ip -batch` and into a fresh engine line by line; then both answer `ip -o route get`
// for thousands of addresses, plain and with from / iif / mark / tos / oif, and the answers are
// compared field by field. A multipath route's nexthop choice is a hash of the flow (the kernel's
// key is random per boot), so there only membership in the route's nexthops is checked.
// Needs root and `ip netns`; otherwise skipped with the reason.
// Run: node --import tsx --test tests/host/route-vs-kernel.test.ts   (ROUTE_QUERIES=20000 for more)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Engine } from "../../host/engine.ts";
import { runIp } from "../../host/commands/ip.ts";
import { runCommand } from "../../host/commands/index.ts";
import { netnsAvailable, skipOrRun, uniqueName, shTry } from "../helpers/netns.ts";

const QUERIES = Number(process.env.ROUTE_QUERIES ?? 1500);

/** mulberry32: a small seeded PRNG, so a failure reproduces. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const ip4 = (v: number) => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
const maskOf = (l: number) => (l === 0 ? 0 : (0xffffffff << (32 - l)) >>> 0);

const BASE = [
  "ip link add va type veth peer name vb", "ip link add vc type veth peer name vd",
  "ip link set lo up", "ip link set va up", "ip link set vb up", "ip link set vc up", "ip link set vd up",
  "ip addr add 10.0.0.1/24 dev va", "ip addr add 10.0.0.9/24 dev va", "ip addr add 10.1.0.1/16 dev vb",
  "ip addr add 172.16.0.1/20 dev vc", "ip addr add 192.168.100.1/24 dev vd", "ip addr add 192.168.200.1/32 dev vd",
];
const GWS = ["10.0.0.2", "10.0.0.3", "10.1.0.2", "10.1.7.9", "172.16.0.2", "172.16.3.4", "192.168.100.2"];
const DEVS = ["va", "vb", "vc", "vd"];
const LOCALS = ["10.0.0.1", "10.0.0.9", "10.1.0.1", "172.16.0.1", "192.168.100.1", "192.168.200.1"];

/** A random table: nested prefixes under a few roots, all route types, TOS, metrics, tables, multipath. */
function genRoutes(r: () => number, n: number): { lines: string[]; prefixes: [number, number][] } {
  const lines: string[] = [];
  const prefixes: [number, number][] = [];
  const roots: [number, number][] = [[0x14000000, 8], [0x1e000000, 8], [0x28000000, 12], [0x0a000000, 8]];
  for (let i = 0; i < n; i++) {
    let [k, l] = roots[Math.floor(r() * roots.length)];
    // nest: a few levels of more-specifics under an existing prefix or a root
    if (prefixes.length && r() < 0.6) [k, l] = prefixes[Math.floor(r() * prefixes.length)];
    const nl = Math.min(32, l + 1 + Math.floor(r() * 10));
    const key = ((k & maskOf(l)) | (Math.floor(r() * 0x100000000) & ~maskOf(l) & maskOf(nl))) >>> 0;
    prefixes.push([key, nl]);
    const p = `${ip4(key)}/${nl}`;
    const x = r();
    let spec: string;
    let nh = "";
    if (x < 0.45) spec = `${p} via ${GWS[Math.floor(r() * GWS.length)]}`;
    else if (x < 0.6) spec = `${p} dev ${DEVS[Math.floor(r() * DEVS.length)]}`;
    else if (x < 0.66) spec = `blackhole ${p}`;
    else if (x < 0.72) spec = `unreachable ${p}`;
    else if (x < 0.78) spec = `prohibit ${p}`;
    else if (x < 0.84) spec = `throw ${p}`;
    else if (x < 0.9) {
      const a = GWS[Math.floor(r() * GWS.length)], b = GWS[Math.floor(r() * GWS.length)];
      spec = p;
      nh = ` nexthop via ${a} weight ${1 + Math.floor(r() * 3)} nexthop via ${b}`;
    } else spec = `${p} via ${GWS[Math.floor(r() * GWS.length)]} src ${LOCALS[Math.floor(r() * 2)]}`;
    if (r() < 0.15) spec += ` tos ${["0x10", "0x04", "0x08"][Math.floor(r() * 3)]}`;
    if (r() < 0.3) spec += ` metric ${[5, 10, 100][Math.floor(r() * 3)]}`;
    const t = r();
    if (t < 0.15) spec += " table 100";
    else if (t < 0.25) spec += " table 200";
    else if (t < 0.28) spec += " table 1000";
    lines.push(`ip route add ${spec}${nh}`);
  }
  lines.push("ip route add default via 10.0.0.254", "ip route add default via 172.16.0.254 table 100");
  return { lines, prefixes };
}

const RULES = [
  "ip rule add from 10.1.0.0/16 lookup 100 pref 1000",
  "ip rule add fwmark 7 lookup 200 pref 1100",
  "ip rule add fwmark 9 prohibit pref 1200",
  "ip rule add fwmark 0x10/0x10 unreachable pref 1250",
  "ip rule add tos 0x08 lookup 1000 pref 1300",
  "ip rule add to 30.0.0.0/9 lookup 200 pref 1400",
  "ip rule add iif vb lookup 100 pref 1500",
  "ip rule add not from 10.0.0.0/8 lookup 200 pref 1600 suppress_prefixlength 0",
  "ip rule add fwmark 11 goto 32766 pref 1700",
  "ip rule add fwmark 11 blackhole pref 1800",
];

function queries(r: () => number, prefixes: [number, number][], n: number, forwarding: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    let a: number;
    const x = r();
    if (x < 0.75 && prefixes.length) {
      const [k, l] = prefixes[Math.floor(r() * prefixes.length)];
      a = (k | (Math.floor(r() * 0x100000000) & ~maskOf(l))) >>> 0;
    } else if (x < 0.85) a = [0x0a000002, 0x0a000001, 0x0a0100ff, 0xac100005, 0xc0a864ff, 0x0a0000ff, 0xc0a8c801][Math.floor(r() * 7)];
    else a = Math.floor(r() * 0x100000000) >>> 0;
    let q = `ip -o route get ${ip4(a)}`;
    const v = r();
    if (v < 0.15) q += ` from ${LOCALS[Math.floor(r() * LOCALS.length)]}`;
    else if (v < 0.35) q += ` from ${["10.1.3.4", "10.0.0.77", "8.8.8.8", "172.16.9.9", "30.1.2.3"][Math.floor(r() * 5)]} iif ${DEVS[Math.floor(r() * DEVS.length)]}`;
    else if (v < 0.45) q += ` mark ${[7, 9, 11, 16, 3][Math.floor(r() * 5)]}`;
    else if (v < 0.55) q += ` tos ${["0x10", "0x04", "0x08", "0x14"][Math.floor(r() * 4)]}`;
    else if (v < 0.6) q += ` oif ${DEVS[Math.floor(r() * DEVS.length)]}`;
    out.push(q);
  }
  if (forwarding) out.push("ip -o route get 20.1.2.3 from 10.1.0.5 iif vb");
  return out;
}

/** Split `ip -o -batch` output into one answer per command (a route line, or the error lines). */
function splitAnswers(text: string, count: number): string[] {
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length && out.length < count; i++) {
    const l = lines[i];
    if (l === "") continue;
    if (l.startsWith("RTNETLINK answers") || l.startsWith("Error:")) {
      out.push(l);
      if (lines[i + 1]?.startsWith("Command failed")) i++;
    } else out.push(l);
  }
  return out;
}

/** An `ip -o route get` line as fields: the leading type/destination, then keyword → value. */
function fields(line: string): Map<string, string> {
  const m = new Map<string, string>();
  if (line.startsWith("RTNETLINK") || line.startsWith("Error")) { m.set("error", line); return m; }
  const [head, cache] = line.split("\\    cache");
  const w = head.trim().split(/\s+/);
  let i = 0;
  if (!/^\d/.test(w[0])) m.set("type", w[i++]);
  m.set("dst", w[i++]);
  for (; i < w.length; i += 2) m.set(w[i], w[i + 1] ?? "");
  m.set("cache", (cache ?? "").trim());
  return m;
}

function kernelBatch(ns: string, lines: string[], oneline = false): string {
  const input = lines.map((l) => l.replace(/^ip (-o )?/, "")).join("\n") + "\n";
  const r = spawnSync("sh", ["-c", `ip ${oneline ? "-o " : ""}-n ${ns} -force -batch - 2>&1`], { input,
    encoding: "utf8", maxBuffer: 1 << 28, timeout: 120000 });
  return r.stdout ?? "";
}

async function compare(seed: number, withRules: boolean, forwarding: boolean, rpFilter = 0) {
  const r = rng(seed);
  const ns = uniqueName("wrvk");
  assert.equal(shTry(["ip", "netns", "add", ns]).status, 0);
  try {
    for (const k of ["all", "default", "lo"]) shTry(["ip", "netns", "exec", ns, "sysctl", "-qw", `net.ipv6.conf.${k}.disable_ipv6=1`]);
    const e = await Engine.load({ seed, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
    const { lines: routes, prefixes } = genRoutes(r, 400);
    const setup = [...BASE, ...routes, ...(withRules ? RULES : [])];
    // Load both; every line must succeed or fail alike.
    const kOut = kernelBatch(ns, setup);
    const kFailed = [...kOut.matchAll(/Command failed -:(\d+)/g)].map((m) => Number(m[1]));
    const eFailed: number[] = [];
    setup.forEach((l, i) => { if (runIp(l.split(" ").slice(1), e.netlink).status !== 0) eFailed.push(i + 1); });
    assert.deepEqual(eFailed, kFailed, "the same setup lines fail in both");
    if (forwarding) {
      shTry(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
      assert.equal(runCommand("sysctl -w net.ipv4.ip_forward=1", e).status, 0);
    }
    if (rpFilter) {
      shTry(["ip", "netns", "exec", ns, "sysctl", "-qw", `net.ipv4.conf.all.rp_filter=${rpFilter}`]);
      assert.equal(runCommand(`sysctl -w net.ipv4.conf.all.rp_filter=${rpFilter}`, e).status, 0);
    }
    // The tables themselves.
    for (const show of ["ip route show table all", "ip rule"]) {
      const k = kernelBatch(ns, [show]);
      const o = runIp(show.split(" ").slice(1), e.netlink);
      assert.equal(o.stdout, k, show);
    }
    const qs = queries(r, prefixes, QUERIES, forwarding);
    const kAns = splitAnswers(kernelBatch(ns, qs, true), qs.length);
    assert.equal(kAns.length, qs.length, "one kernel answer per query");
    let same = 0, multipath = 0;
    const diffs: string[] = [];
    qs.forEach((q, i) => {
      const o = runIp(q.split(" ").slice(1), e.netlink);
      const mine = (o.stdout + o.stderr).split("\n").filter((l) => l)[0] ?? "";
      const kf = fields(kAns[i]), ef = fields(mine);
      const bad = new Set([...kf.keys(), ...ef.keys()].filter((k) => kf.get(k) !== ef.get(k)));
      if (bad.size === 0) { same++; return; }
      // multipath: the chosen nexthop may differ (and with it the source, and whether a forwarded packet
      // would leave by the device it came in on: <redirect>); it must be one of the route's nexthops
      const redirOnly = (a = "", b = "") => a.replace("<redirect> ", "") === b.replace("<redirect> ", "");
      if ([...bad].every((k) => k === "via" || k === "dev" || k === "src" || (k === "cache" && redirOnly(kf.get(k), ef.get(k))))) {
        const fm = runIp(["route", "get", "fibmatch", ...q.split(" ").slice(4)], e.netlink).stdout;
        if (fm.includes("nexthop") && fm.includes(`via ${kf.get("via")} dev ${kf.get("dev")}`)) { multipath++; return; }
      }
      if (diffs.length < 20) diffs.push(`$ ${q}\n  kernel: ${kAns[i]}\n  engine: ${mine}\n  fields: ${[...bad].join(",")}`);
    });
    assert.equal(diffs.length, 0, `${qs.length - same - multipath} of ${qs.length} answers differ:\n${diffs.join("\n")}`);
    return { same, multipath, total: qs.length };
  } finally {
    shTry(["ip", "netns", "del", ns]);
  }
}

const reason = netnsAvailable();

test("route get: random table, no custom rules (the merged local/main fast path)", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const r = await compare(11, false, false);
  t.diagnostic(`${r.same} identical, ${r.multipath} multipath choices checked by membership, of ${r.total}`);
});

test("route get: random table with policy rules (from, to, iif, fwmark, tos, not, goto, suppress, actions)", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const r = await compare(23, true, false);
  t.diagnostic(`${r.same} identical, ${r.multipath} multipath choices checked by membership, of ${r.total}`);
});

test("route get with forwarding on: input routes via iif (forward, ip_error codes, martians)", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const r = await compare(37, true, true);
  t.diagnostic(`${r.same} identical, ${r.multipath} multipath choices checked by membership, of ${r.total}`);
});

test("route get with forwarding on and strict reverse-path filtering (rp_filter 1)", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const r = await compare(41, true, true, 1);
  t.diagnostic(`${r.same} identical, ${r.multipath} multipath choices checked by membership, of ${r.total}`);
});
