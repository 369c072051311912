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
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { Bench } from "tinybench";

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

export default async function (): Promise<void> {
  console.log("(benchmark body comes next)");
}
