// Large reference check of the LC-trie (assembly/route/fib_trie.ts) against a plain JS reference
// (one Map per prefix length, longest match by trying lengths 32..0).
//   node --import tsx bench/fib-reference.ts [--keys 10000000] [--prefixes 600000] [--seed 1] [--asn]
// --asn uses the benchmark's full table (@ip-location-db/asn + generator) instead of a random one.
// Half of the keys are checked before trieCompact, half after. Checks trieLookupBatch, trieLookupLongest
// and trieLookup with a callback that rejects values divisible by 3 (backtracking to shorter prefixes).
// Prints "N keys, M mismatches" and exits 1 on any mismatch or invariant violation.
import { loadFibEngine, buildFullTable, type FibEngine } from "./fib.bench.ts";

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

/** xorshift128+-style 32-bit generator (deterministic, independent of the wasm PRNG). */
function rng(seed: number): () => number {
  let a = (seed * 0x9e3779b1) >>> 0 || 1, b = 0x6c078965, c = 0x12345678, d = 0xdeadbeef ^ seed;
  return () => {
    const t = a ^ (a << 11);
    a = b; b = c; c = d;
    d = (d ^ (d >>> 19) ^ t ^ (t >>> 8)) >>> 0;
    return d;
  };
}

const mask = (p: number): number => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0);

/** Random nested table: random prefixes, more-specifics inside earlier ones, aggregates above them. */
export function randomTable(n: number, seed: number): { keys: Uint32Array; plens: Uint8Array; values: Uint32Array } {
  const r = rng(seed);
  const keys = new Uint32Array(n), plens = new Uint8Array(n), values = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let k: number, p: number;
    const mode = r() % 10;
    if (i > 0 && mode < 4) {            // more-specific of an earlier prefix
      const j = r() % i;
      p = Math.min(32, plens[j] + 1 + (r() % 8));
      k = (keys[j] | (r() & ~mask(plens[j]))) >>> 0;
    } else if (i > 0 && mode < 6) {     // aggregate (covering prefix) of an earlier one
      const j = r() % i;
      p = Math.max(0, plens[j] - 1 - (r() % 8));
      k = keys[j];
    } else {
      const q = r() % 100;
      p = q < 50 ? 24 : q < 60 ? 32 : q < 62 ? r() % 8 : 8 + (r() % 25);
      k = r();
    }
    keys[i] = (k & mask(p)) >>> 0;
    plens[i] = p;
    values[i] = 1 + (r() % 997);
  }
  return { keys, plens, values };
}

class Reference {
  maps: Map<number, number>[] = [];
  lens: number[] = [];
  constructor() { for (let p = 0; p <= 32; p++) this.maps.push(new Map()); }
  insert(k: number, p: number, v: number): void { this.maps[p].set(k, v); }
  delete(k: number, p: number): void { this.maps[p].delete(k); }
  freeze(): void { this.lens = []; for (let p = 32; p >= 0; p--) if (this.maps[p].size) this.lens.push(p); }
  lookup(key: number, rejectMod: number): number {
    for (const p of this.lens) {
      const v = this.maps[p].get((key & mask(p)) >>> 0);
      if (v !== undefined && (rejectMod === 0 || v % rejectMod !== 0)) return v;
    }
    return 0;
  }
}

export async function runReference(nKeys: number, nPrefixes: number, seed: number, asn: boolean): Promise<number> {
  const eng: FibEngine = await loadFibEngine();
  const tbl = asn ? await buildFullTable(seed) : randomTable(nPrefixes, seed);
  const n = tbl.keys.length;
  const t = eng.trieNew();
  const kp = eng.benchScratch(n * 4), pp = eng.benchScratch(n), vp = eng.benchScratch(n * 4);
  new Uint32Array(eng.memory.buffer, kp, n).set(tbl.keys);
  new Uint8Array(eng.memory.buffer, pp, n).set(tbl.plens);
  new Uint32Array(eng.memory.buffer, vp, n).set(tbl.values);
  eng.trieInsertBatch(t, kp, pp, vp, n);
  const ref = new Reference();
  for (let i = 0; i < n; i++) ref.insert(tbl.keys[i], tbl.plens[i], tbl.values[i]);
  // delete every 10th prefix (some twice / absent), to exercise halving and leaf shrinking
  const r = rng(seed + 7);
  const dk: number[] = [], dp: number[] = [];
  for (let i = 0; i < n; i += 10) {
    const j = r() % n;
    dk.push(tbl.keys[j]); dp.push(tbl.plens[j]);
    ref.delete(tbl.keys[j], tbl.plens[j]);
  }
  const dkp = eng.benchScratch(dk.length * 4), dpp = eng.benchScratch(dk.length);
  new Uint32Array(eng.memory.buffer, dkp, dk.length).set(dk);
  new Uint8Array(eng.memory.buffer, dpp, dk.length).set(dp);
  eng.trieDeleteBatch(t, dkp, dpp, dk.length);
  ref.freeze();
  let refCount = 0;
  for (const m of ref.maps) refCount += m.size;
  const chk = eng.trieCheck(t);
  console.log(`table: ${eng.trieCount(t)} prefixes (reference ${refCount}), trieCheck=${chk}, ` +
    `${(eng.trieMemoryBytes(t) / eng.trieCount(t)).toFixed(1)} B/prefix`);
  let bad = chk !== 0 || refCount !== eng.trieCount(t) ? 1 : 0;

  const B = 1 << 16;
  const keysP = eng.benchScratch(B * 4), outP = eng.benchScratch(B * 4), out2P = eng.benchScratch(B * 4);
  const kr = rng(seed + 99);
  const batch = new Uint32Array(B);
  let done = 0;
  let compacted = false;
  const t0 = performance.now();
  while (done < nKeys) {
    if (!compacted && done >= nKeys / 2) {   // second half of the keys on the relaid-out trie
      eng.trieCompact(t);
      compacted = true;
      const c2 = eng.trieCheck(t);
      console.log(`trieCompact: trieCheck=${c2}`);
      if (c2 !== 0) bad++;
    }
    const m = Math.min(B, nKeys - done);
    for (let i = 0; i < m; i++) {
      // half uniform, half inside a table prefix (deep matches, nested backtracking)
      if (i & 1) batch[i] = kr();
      else { const j = kr() % n; batch[i] = (tbl.keys[j] | (kr() & ~mask(tbl.plens[j]))) >>> 0; }
    }
    new Uint32Array(eng.memory.buffer, keysP, m).set(batch.subarray(0, m));
    eng.trieLookupBatch(t, keysP, outP, m);
    eng.trieLookupRejectBatch(t, keysP, out2P, m, 3);
    const out = new Uint32Array(eng.memory.buffer, outP, m);
    const out2 = new Uint32Array(eng.memory.buffer, out2P, m);
    for (let i = 0; i < m; i++) {
      const k = batch[i];
      const want = ref.lookup(k, 0), want2 = ref.lookup(k, 3);
      const single = (i & 255) === 0 ? eng.trieLookupLongest(t, k) : out[i];
      if (out[i] !== want || out2[i] !== want2 || single !== want) {
        if (bad < 10) {
          const ip = `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
          console.log(`mismatch ${ip}: batch ${out[i]} single ${single} want ${want}; reject%3 ${out2[i]} want ${want2}`);
        }
        bad++;
      }
    }
    done += m;
  }
  const s = (performance.now() - t0) / 1000;
  console.log(`${done} keys, ${bad} mismatches (${s.toFixed(1)} s)`);
  return bad;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bad = await runReference(arg("--keys", 1e7), arg("--prefixes", 600000), arg("--seed", 1), process.argv.includes("--asn"));
  process.exit(bad === 0 ? 0 : 1);
}
