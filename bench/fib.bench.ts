// FIB LC-trie benchmark (assembly/route/fib_trie.ts) on a realistic full IPv4 table.
//
// Table: the IPv4 ranges of @ip-location-db/asn (RouteViews-derived; "IP to AS Number data by
// RouteViews, https://www.routeviews.org/, CC BY 4.0", merged with NRO and DB-IP data, CC BY 4.0)
// converted to CIDR prefixes (~565 k), plus a seeded generator that adds /24 de-aggregates inside
// shorter prefixes and covering aggregates above existing ones until 1 M nested prefixes with ~55 %
// /24s, as full BGP tables have. Values are nexthop ids (600 distinct), derived from the ASN.
//
// Figures, in one run: batched lookups/s of uniformly random addresses (trieLookupBatch, 4096 keys per
// call), bytes/prefix, build time of 1 M inserts (wasm loop), insert+delete rate on the full table,
// and the same work in plain JS: a binary trie written here and the npm package longest-prefix-match.
// Then the same table in a whole engine, through rtnetlink: 1 M RTM_NEWROUTE messages built straight
// into the request buffer (as many per nlRecv call as fit, no ACK) timed end to end, single-route
// insert+delete (one message per nlRecv call) on the full table, and fibLookupBatch (full fib_lookup
// semantics: rules, merged local/main, alias checks, nexthop selection) next to the raw trie.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { measure, ROUNDS } from "./measure.ts";
import { Engine } from "../host/engine.ts";
import { runIp } from "../host/commands/ip.ts";
import { RTM_NEWROUTE, RTM_DELROUTE, NLM_F_REQUEST, NLM_F_CREATE, NLM_F_EXCL } from "../host/netlink.ts";

export interface FibEngine {
  memory: WebAssembly.Memory;
  benchScratch(size: number): number;
  trieNew(): number;
  trieInsert(t: number, key: number, plen: number, value: number): number;
  trieGet(t: number, key: number, plen: number): number;
  trieDelete(t: number, key: number, plen: number): number;
  trieLookupLongest(t: number, key: number): number;
  trieLookupBatch(t: number, keys: number, out: number, n: number): void;
  trieCount(t: number): number;
  trieFree(t: number): void;
  trieCheck(t: number): number;
  trieMemoryBytes(t: number): number;
  trieStat(t: number, id: number): number;
  trieInsertBatch(t: number, keys: number, plens: number, values: number, n: number): number;
  trieDeleteBatch(t: number, keys: number, plens: number, n: number): number;
  trieChurnBatch(t: number, keys: number, plens: number, value: number, n: number): void;
  trieLookupRejectBatch(t: number, keys: number, out: number, n: number, modulus: number): void;
  trieCompact(t: number): void;
}

export async function loadFibEngine(): Promise<FibEngine> {
  const bytes = await readFile(process.env.ENGINE_WASM ?? new URL("../build/engine.wasm", import.meta.url));
  const module = await WebAssembly.compile(bytes);
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = (imports[imp.module] ??= {});
    if (imp.kind === "function") ns[imp.name] = imp.name === "abort" ? () => { throw new Error("wasm abort"); } : () => 0;
  }
  const instance = await WebAssembly.instantiate(module, imports);
  return instance.exports as unknown as FibEngine;
}

export interface Table { keys: Uint32Array; plens: Uint8Array; values: Uint32Array }

const mask = (p: number): number => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0);

/** Deterministic 32-bit generator (xorshift32 after a splitmix-style scramble of the seed). */
function rng(seed: number): () => number {
  let x = (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) >>> 0) || 0x1234567;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

const NEXTHOPS = 600;
const nexthopOf = (asn: number): number => 1 + ((Math.imul(asn, 0x9e3779b1) >>> 0) % NEXTHOPS);

/** The ~565 k CIDR prefixes covering the @ip-location-db/asn IPv4 ranges (inclusive start,end). */
export async function asnPrefixes(): Promise<Table> {
  const req = createRequire(import.meta.url);
  const path = req.resolve("@ip-location-db/asn/asn-ipv4-num.csv");
  const txt = await readFile(path, "utf8");
  const keys: number[] = [], plens: number[] = [], values: number[] = [];
  let pos = 0;
  while (pos < txt.length) {
    let e = txt.indexOf("\n", pos);
    if (e < 0) e = txt.length;
    const c1 = txt.indexOf(",", pos), c2 = txt.indexOf(",", c1 + 1);
    let c3 = txt.indexOf(",", c2 + 1);
    if (c3 < 0 || c3 > e) c3 = e;
    if (c1 > pos && c2 > c1 && c2 < e) {
      let s = Number(txt.slice(pos, c1));
      const end = Number(txt.slice(c1 + 1, c2));
      const v = nexthopOf(Number(txt.slice(c2 + 1, c3)));
      while (s <= end) {           // range -> largest aligned blocks
        let p = 32;
        while (p > 0) {
          const size = 2 ** (33 - p);
          if (s % size !== 0 || s + size - 1 > end) break;
          p--;
        }
        keys.push(s); plens.push(p); values.push(v);
        s += 2 ** (32 - p);
      }
    }
    pos = e + 1;
  }
  return { keys: Uint32Array.from(keys), plens: Uint8Array.from(plens), values: Uint32Array.from(values) };
}

/**
 * The full table: ASN prefixes plus seeded /24 de-aggregates (inside shorter prefixes) and covering
 * aggregates (1-4 bits shorter than an existing prefix) up to `total`, shuffled (insertion order).
 */
export async function buildFullTable(seed = 1, total = 1_000_000): Promise<Table> {
  const base = await asnPrefixes();
  const r = rng(seed);
  const keys = new Uint32Array(total), plens = new Uint8Array(total), values = new Uint32Array(total);
  const seen = new Set<number>();
  let n = 0;
  const add = (k: number, p: number, v: number): void => {
    const id = k * 64 + p;
    if (n >= total || seen.has(id)) return;
    seen.add(id);
    keys[n] = k; plens[n] = p; values[n] = v; n++;
  };
  for (let i = 0; i < base.keys.length; i++) add(base.keys[i], base.plens[i], base.values[i]);
  const shorter: number[] = [];
  for (let i = 0; i < n; i++) if (plens[i] < 24) shorter.push(i);
  let n24 = 0;
  for (let i = 0; i < n; i++) if (plens[i] === 24) n24++;
  const want24 = Math.round(total * 0.55);
  let guard = 0;
  while (n < total && guard++ < total * 20) {
    if (n24 < want24 && (r() % 1000) < 760) {
      const j = shorter[r() % shorter.length];
      const k = (keys[j] | ((r() << 8) & ~mask(plens[j]))) & mask(24);
      const before = n;
      add(k >>> 0, 24, (r() & 1) ? values[j] : 1 + (r() % NEXTHOPS));
      if (n > before) n24++;
    } else {
      const j = r() % n;
      if (plens[j] <= 8) continue;
      const p = Math.max(8, plens[j] - 1 - (r() % 4));
      add((keys[j] & mask(p)) >>> 0, p, 1 + (r() % NEXTHOPS));
    }
  }
  // Fisher-Yates shuffle: routes arrive in no particular order
  for (let i = n - 1; i > 0; i--) {
    const j = r() % (i + 1);
    [keys[i], keys[j]] = [keys[j], keys[i]];
    [plens[i], plens[j]] = [plens[j], plens[i]];
    [values[i], values[j]] = [values[j], values[i]];
  }
  return { keys: keys.subarray(0, n), plens: plens.subarray(0, n), values: values.subarray(0, n) };
}

/** Plain-JS binary trie (one bit per level) in typed arrays: the baseline a JS programmer would write. */
export class JsBinaryTrie {
  left = new Int32Array(1 << 20);
  right = new Int32Array(1 << 20);
  value = new Uint32Array(1 << 20);
  nodes = 1;
  private grow(): void {
    const n = this.left.length * 2;
    const l = new Int32Array(n); l.set(this.left); this.left = l;
    const r = new Int32Array(n); r.set(this.right); this.right = r;
    const v = new Uint32Array(n); v.set(this.value); this.value = v;
  }
  insert(key: number, plen: number, value: number): void {
    let n = 0;
    for (let i = 0; i < plen; i++) {
      const bit = (key >>> (31 - i)) & 1;
      const arr = bit ? this.right : this.left;
      let c = arr[n];
      if (c === 0) {
        if (this.nodes === this.left.length) this.grow();
        c = this.nodes++;
        (bit ? this.right : this.left)[n] = c;
      }
      n = c;
    }
    this.value[n] = value;
  }
  lookup(key: number): number {
    let n = 0, best = this.value[0];
    for (let i = 0; i < 32; i++) {
      n = (key >>> (31 - i)) & 1 ? this.right[n] : this.left[n];
      if (n === 0) break;
      const v = this.value[n];
      if (v !== 0) best = v;
    }
    return best;
  }
  bytes(): number { return this.nodes * 12; }
}

const ipStr = (k: number): string => `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
const BATCH = 4096;

export default async function (): Promise<void> {
  const eng = await loadFibEngine();
  let t0 = performance.now();
  const tbl = await buildFullTable(1);
  const n = tbl.keys.length;
  const hist = new Array(33).fill(0);
  for (const p of tbl.plens) hist[p]++;
  console.log(`table: ${n} prefixes (${(hist[24] / n * 100).toFixed(1)} % /24) from @ip-location-db/asn ` +
    `(RouteViews-derived, CC BY 4.0) + seeded aggregates/more-specifics; prepared in ${(performance.now() - t0).toFixed(0)} ms`);

  // ---- build: 1 M inserts from a wasm loop, three times (flush in between) ----
  const kp = eng.benchScratch(n * 4), pp = eng.benchScratch(n), vp = eng.benchScratch(n * 4);
  new Uint32Array(eng.memory.buffer, kp, n).set(tbl.keys);
  new Uint8Array(eng.memory.buffer, pp, n).set(tbl.plens);
  new Uint32Array(eng.memory.buffer, vp, n).set(tbl.values);
  const t = eng.trieNew();
  const builds: number[] = [];
  for (let r = 0; r < 3; r++) {
    eng.trieFree(t);
    t0 = performance.now();
    eng.trieInsertBatch(t, kp, pp, vp, n);
    builds.push(performance.now() - t0);
  }
  builds.sort((a, b) => a - b);
  const count = eng.trieCount(t);
  if (count !== n) throw new Error(`trie holds ${count} prefixes, table ${n}`);
  const bytes = eng.trieMemoryBytes(t);
  t0 = performance.now();
  const chk = eng.trieCheck(t);
  const checkMs = performance.now() - t0;
  if (chk !== 0) throw new Error(`trieCheck = ${chk}`);
  const stat = (id: number): number => eng.trieStat(t, id);
  console.log(`trie: ${stat(1)} leaves, ${stat(2)} tnodes, root ${stat(7)} bits, depth avg ${(stat(9) / 100).toFixed(2)} ` +
    `max ${stat(8)}; ${stat(4)} inflates, ${stat(5)} halves over the 3 builds; trieCheck ok (${checkMs.toFixed(0)} ms)`);

  // ---- random keys (one ring of 1 M, BATCH per call) ----
  const NK = 1 << 20;
  const keysP = eng.benchScratch(NK * 4), outP = eng.benchScratch(BATCH * 4);
  const keys = new Uint32Array(NK);
  let x = 0x2545f491;
  for (let i = 0; i < NK; i++) { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; keys[i] = x; }
  new Uint32Array(eng.memory.buffer, keysP, NK).set(keys);
  let off = 0;
  const wasmBatch = (): void => {
    eng.trieLookupBatch(t, keysP + off * 4, outP, BATCH);
    off = (off + BATCH) & (NK - 1);
  };

  // the wasm figures first, before the JS baselines fill the JS heap (their garbage collection
  // would run during the wasm measurements)
  const [wasmScatteredMs] = await measure([["wasm trie, insertion order", wasmBatch]]);
  t0 = performance.now();
  eng.trieCompact(t);
  const compactMs = performance.now() - t0;
  if (eng.trieCheck(t) !== 0) throw new Error("trieCheck after compaction");
  const compactBytes = eng.trieMemoryBytes(t);
  const words = stat(12);
  let sink = 0;
  const single = (): void => { let s = 0; for (let i = 0; i < BATCH; i++) s ^= eng.trieLookupLongest(t, keys[off + i]); off = (off + BATCH) & (NK - 1); sink ^= s; };
  const [wasmMs] = await measure([["wasm trie (compacted)", wasmBatch]]);
  const [singleMs] = await measure([["wasm, one call per lookup", single]]);
  const mps = (ms: number, k: number): number => k / (ms * 1e3);
  const wasmM = mps(wasmMs, BATCH);

  // ---- route churn on the full table: insert + delete of prefixes that are not in it ----
  const CH = 1 << 15;
  const ckP = eng.benchScratch(CH * 4), cpP = eng.benchScratch(CH);
  const ck = new Uint32Array(eng.memory.buffer, ckP, CH), cpl = new Uint8Array(eng.memory.buffer, cpP, CH);
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) seen.add(tbl.keys[i] * 64 + tbl.plens[i]);
  for (let i = 0; i < CH;) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    const p = 16 + (x % 17);                     // /16 .. /32, like real churn
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    const k = (x & (p === 0 ? 0 : (0xffffffff << (32 - p)))) >>> 0;
    if (seen.has(k * 64 + p)) continue;
    ck[i] = k; cpl[i] = p; i++;
  }
  const CHB = 1024;
  let chOff = 0;
  const churn = (): void => { eng.trieChurnBatch(t, ckP + chOff * 4, cpP + chOff, 7, CHB); chOff = (chOff + CHB) & (CH - 1); };
  const ckJs = Array.from(ck), cplJs = Array.from(cpl);
  const churnCalls = (): void => {
    for (let i = 0; i < CHB; i++) { eng.trieInsert(t, ckJs[chOff + i], cplJs[chOff + i], 7); eng.trieDelete(t, ckJs[chOff + i], cplJs[chOff + i]); }
    chOff = (chOff + CHB) & (CH - 1);
  };
  const [churnMs, churnCallsMs] = await measure([["insert+delete (wasm loop)", churn], ["insert+delete (one call each)", churnCalls]], 300);
  if (eng.trieCount(t) !== n || eng.trieCheck(t) !== 0) throw new Error("table changed by the churn benchmark");
  if (sink === 0.5) console.log(sink);

  // the engine next (the standalone trie is its reference), and the JS baselines last: their heaps
  // are garbage collected at unforeseeable times, so no wasm figure is measured after they exist
  const fibLines = await netlinkFib(tbl, keys, ck, cpl, (k) => eng.trieLookupLongest(t, k), wasmM);
  // ---- baselines: plain-JS binary trie and the npm package longest-prefix-match ----
  const js = new JsBinaryTrie();
  t0 = performance.now();
  for (let i = 0; i < n; i++) js.insert(tbl.keys[i], tbl.plens[i], tbl.values[i]);
  const jsBuild = performance.now() - t0;
  const req = createRequire(import.meta.url);
  const LongestPrefixMatch = req("longest-prefix-match");
  const lpm = new LongestPrefixMatch();
  t0 = performance.now();
  for (let i = 0; i < n; i++) lpm.addPrefix(`${ipStr(tbl.keys[i])}/${tbl.plens[i]}`, tbl.values[i]);
  const lpmBuild = performance.now() - t0;
  const lpmKeys = Array.from(keys.subarray(0, 1 << 16), (k) => ipStr(k) + "/32");

  // all three agree on a sample (the wasm batch is the reference here)
  eng.trieLookupBatch(t, keysP, outP, BATCH);
  const wout = new Uint32Array(eng.memory.buffer, outP, BATCH);
  for (let i = 0; i < BATCH; i++) {
    const j = js.lookup(keys[i]);
    const m = lpm.getMatch(lpmKeys[i]);
    const l = m.length ? m[0] : 0;
    if (wout[i] !== j || l !== j) throw new Error(`lookup ${ipStr(keys[i])}: wasm ${wout[i]} js ${j} longest-prefix-match ${l}`);
  }

  let jsOff = 0, lpmOff = 0;
  const jsBatch = (): void => {
    let s = 0;
    for (let i = 0; i < BATCH; i++) s ^= js.lookup(keys[jsOff + i]);
    jsOff = (jsOff + BATCH) & (NK - 1);
    sink ^= s;
  };
  const LPM_N = 256;
  const lpmBatch = (): void => {
    for (let i = 0; i < LPM_N; i++) {
      const m = lpm.getMatch(lpmKeys[lpmOff + i]);
      sink ^= m.length ? m[0] : 0;
    }
    lpmOff = (lpmOff + LPM_N) & ((1 << 16) - 1);
  };

  const [jsMs, lpmMs] = await measure([["js binary trie", jsBatch], ["longest-prefix-match", lpmBatch]]);
  const jsM = mps(jsMs, BATCH), lpmM = mps(lpmMs, LPM_N);

  const pairs = (ms: number): number => CHB / (ms * 1e3);
  const fmt = (v: number, d = 1): string => v.toFixed(d);
  console.log(`\nFIB LC-trie on ${n} prefixes; lookups of uniformly random addresses, ${BATCH} per call; best of ${ROUNDS} tinybench medians`);
  console.log("| figure | wasm LC-trie | plain-JS binary trie | longest-prefix-match (npm) | wasm/JS | wasm/npm |");
  console.log("|---|---|---|---|---|---|");
  console.log(`| lookups, M/s (compacted trie) | ${fmt(wasmM)} | ${fmt(jsM)} | ${fmt(lpmM, 2)} | ${fmt(wasmM / jsM)}x | ${fmt(wasmM / lpmM, 0)}x |`);
  console.log(`| lookups, M/s (insertion order, before trieCompact) | ${fmt(mps(wasmScatteredMs, BATCH))} | | | | |`);
  console.log(`| lookups, M/s (one JS->wasm call each) | ${fmt(mps(singleMs, BATCH))} | | | | |`);
  console.log(`| memory, bytes/prefix | ${fmt(compactBytes / n, 2)} compacted (${fmt(words / stat(1) * 100, 0)} % of leaves are leaf words), ${fmt(bytes / n, 2)} before | ${fmt(js.bytes() / n, 1)} (typed arrays) | | | |`);
  console.log(`| build, 1 M inserts, s | ${fmt(builds[0] / 1000, 2)} (median ${fmt(builds[1] / 1000, 2)}) + compaction ${fmt(compactMs / 1000, 2)} | ${fmt(jsBuild / 1000, 2)} | ${fmt(lpmBuild / 1000, 2)} | | |`);
  console.log(`| route insert+delete pairs/s on the full table | ${fmt(pairs(churnMs) * 1e3, 0)} k (wasm loop), ${fmt(pairs(churnCallsMs) * 1e3, 0)} k (one call each) | | | | |`);
  console.log(`pool: ${fmt(eng.trieStat(t, 10) / 1e6)} MB obtained from the heap (trie ${fmt(compactBytes / 1e6)} MB compacted; compaction keeps a trie-sized set of spare chunks)`);

  for (const l of fibLines) console.log(l);
}

// rtnetlink message layout: nlmsghdr (16) + rtmsg (12) + RTA_DST (8) + RTA_GATEWAY (8)
const ROUTE_MSG = 44;
const RTA_DST = 1, RTA_GATEWAY = 5, RTPROT_STATIC = 4, RT_TABLE_MAIN = 254, RTN_UNICAST = 1;
/** Gateway (host order) of nexthop id v: 10.0.0.0/16 is on link via va. */
const gatewayOf = (v: number): number => (0x0a000000 | v) >>> 0;

function putRoute(dv: DataView, o: number, type: number, flags: number, seq: number, key: number, plen: number, gw: number): void {
  dv.setUint32(o, ROUTE_MSG, true); dv.setUint16(o + 4, type, true); dv.setUint16(o + 6, flags, true);
  dv.setUint32(o + 8, seq, true); dv.setUint32(o + 12, 0, true);
  // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
  dv.setUint8(o + 16, 2); dv.setUint8(o + 17, plen); dv.setUint8(o + 18, 0); dv.setUint8(o + 19, 0);
  dv.setUint8(o + 20, RT_TABLE_MAIN); dv.setUint8(o + 21, type === RTM_NEWROUTE ? RTPROT_STATIC : 0);
  dv.setUint8(o + 22, type === RTM_NEWROUTE ? 0 : 255); dv.setUint8(o + 23, type === RTM_NEWROUTE ? RTN_UNICAST : 0);
  dv.setUint32(o + 24, 0, true);
  dv.setUint16(o + 28, 8, true); dv.setUint16(o + 30, RTA_DST, true); dv.setUint32(o + 32, key, false);
  dv.setUint16(o + 36, 8, true); dv.setUint16(o + 38, RTA_GATEWAY, true); dv.setUint32(o + 40, gw, false);
}

/**
 * Add every route of tbl to main through rtnetlink: RTM_NEWROUTE messages built straight into the
 * request buffer, as many per nlRecv call as fit, no ACK; gw(v) is the gateway (host order) of
 * nexthop id v. Then the engine's clock moves on a second, so the deferred compaction runs.
 * Returns the nlRecv calls made.
 */
export function netlinkAddRoutes(e: Engine, tbl: Table, gw: (v: number) => number): number {
  const x = e.exports;
  const n = tbl.keys.length;
  const req = x.nlRequestBuffer() as number, cap = x.nlRequestCapacity() as number;
  const per = Math.floor(cap / ROUTE_MSG);
  const add = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
  let calls = 0;
  for (let i = 0; i < n;) {
    const m = Math.min(per, n - i);
    const dv = new DataView(x.memory.buffer, req, m * ROUTE_MSG);
    for (let j = 0; j < m; j++, i++) putRoute(dv, j * ROUTE_MSG, RTM_NEWROUTE, add, i, tbl.keys[i], tbl.plens[i], gw(tbl.values[i]));
    const r = x.nlRecv(m * ROUTE_MSG, 1, 0) as number;
    if (r !== 0) throw new Error(`nlRecv: ${r} (an error reply for a route around #${i})`);
    calls++;
  }
  e.poll(e.now + 1000);
  return calls;
}

/** The engine figures, as report lines; ref(key) is the longest-prefix value from a checked trie. */
async function netlinkFib(tbl: Table, keys: Uint32Array, ck: Uint32Array, cpl: Uint8Array, ref: (key: number) => number, rawTrieM: number): Promise<string[]> {
  const e = await Engine.load({ seed: 1, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
  for (const line of ["link add va type veth peer name vb", "link set va up", "link set vb up", "addr add 10.0.0.1/16 dev va"]) {
    const r = runIp(line.split(" "), e.netlink);
    if (r.status !== 0) throw new Error(`ip ${line}: ${r.stderr}`);
  }
  const x = e.exports;
  const req = x.nlRequestBuffer() as number;
  const per = Math.floor((x.nlRequestCapacity() as number) / ROUTE_MSG);
  const add = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
  // ---- 1 M routes through nlRecv, end to end ----
  const t0 = performance.now();
  const calls = netlinkAddRoutes(e, tbl, gatewayOf);
  const loadMs = performance.now() - t0;

  // ---- fibLookupBatch on the loaded table (full semantics) ----
  const NK = keys.length;
  const keysP = x.benchScratch(NK * 4) as number, outP = x.benchScratch(BATCH * 8) as number;
  const nk = new Uint32Array(x.memory.buffer, keysP, NK);
  for (let i = 0; i < NK; i++) nk[i] = ((keys[i] >>> 24) | ((keys[i] >>> 8) & 0xff00) | ((keys[i] << 8) & 0xff0000) | (keys[i] << 24)) >>> 0;
  // the engine answers what the JS trie answers: the gateway of the longest prefix's nexthop id
  x.fibLookupBatch(keysP, outP, BATCH);
  const res = new DataView(x.memory.buffer, outP, BATCH * 8);
  for (let i = 0; i < BATCH; i++) {
    const v = ref(keys[i]);
    const gw = res.getUint32(i * 8, false), err = res.getUint8(i * 8 + 7);
    if (v === 0 ? err !== 101 : (err !== 0 || gw !== gatewayOf(v))) throw new Error(`fibLookupBatch ${ipStr(keys[i])}: gw ${ipStr(gw)} errno ${err}, trie value ${v}`);
  }
  let off = 0;
  const fibBatch = (): void => { x.fibLookupBatch(keysP + off * 4, outP, BATCH); off = (off + BATCH) & (NK - 1); };
  // the trie pass alone on the same table in the same instance (host-order keys), for the ratio
  const hostKeysP = x.benchScratch(NK * 4) as number;
  new Uint32Array(x.memory.buffer, hostKeysP, NK).set(keys);
  const mainTrie = x.fibMainTrie() as number;
  let offT = 0;
  const trieBatch = (): void => { x.trieLookupBatch(mainTrie, hostKeysP + offT * 4, outP, BATCH); offT = (offT + BATCH) & (NK - 1); };
  const [fibMs, mainTrieMs] = await measure([["fibLookupBatch (full semantics)", fibBatch], ["main table's trie alone", trieBatch]]);

  // ---- single-route insert + delete through nlRecv on the full table ----
  const CH = ck.length, CHB = 1024;
  let chOff = 0, seq = tbl.keys.length;
  const churn = (): void => {
    for (let i = 0; i < CHB; i++) {
      const k = ck[chOff + i], p = cpl[chOff + i];
      let dv = new DataView(x.memory.buffer, req, ROUTE_MSG);
      putRoute(dv, 0, RTM_NEWROUTE, add, seq++, k, p, gatewayOf(7));
      if (x.nlRecv(ROUTE_MSG, 1, 0) !== 0) throw new Error("churn add");
      dv = new DataView(x.memory.buffer, req, ROUTE_MSG);
      putRoute(dv, 0, RTM_DELROUTE, NLM_F_REQUEST, seq++, k, p, gatewayOf(7));
      if (x.nlRecv(ROUTE_MSG, 1, 0) !== 0) throw new Error("churn del");
    }
    chOff = (chOff + CHB) & (CH - 1);
  };
  const [churnMs] = await measure([["netlink insert+delete", churn]], 300);

  const fmt = (v: number, d = 1): string => v.toFixed(d);
  const fibM = BATCH / (fibMs * 1e3);
  const mainM = BATCH / (mainTrieMs * 1e3);
  return [
    `\nThe same table in an engine through rtnetlink (${per} RTM_NEWROUTE per nlRecv call, ${calls} calls, no ACK)`,
    "| figure | value |",
    "|---|---|",
    `| 1 M routes via netlink, end to end (messages built + nlRecv + deferred compaction), s | ${fmt(loadMs / 1000, 2)} |`,
    `| single-route insert+delete via netlink (one message per nlRecv), updates/s | ${fmt(2 * CHB / churnMs, 0)} k |`,
    `| fibLookupBatch (full semantics), M lookups/s | ${fmt(fibM)} |`,
    `| the same table's trie alone (trieLookupBatch, same instance), M lookups/s | ${fmt(mainM)} (fib/trie ${fmt(fibM / mainM, 2)}; standalone trie above ${fmt(rawTrieM)}) |`,
  ];
}
