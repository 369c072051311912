import {
  trieNew, trieInsert, trieGet, trieDelete, trieLookup, trieLookupLongest, trieLookupBatch, trieLookupBatchNet, trieWalk,
  trieCount, trieFree, trieCheck, trieMemoryBytes, trieStat, trieCompact, TRIE_STAT_POOL_BYTES,
  TRIE_STAT_ROOT_BITS, TRIE_STAT_LEAF_WORDS, TRIE_STAT_INFLATES, TRIE_STAT_HALVES, TRIE_STAT_TNODES, TRIE_STAT_LEAVES, TRIE_VALUE_MAX, TRIE_EINVAL,
} from "../../assembly/route/fib_trie";
import { prandomSeed, prandomU32 } from "../../assembly/core/random";

// ---- brute-force reference: an array of prefixes, longest match by scanning ----
const REF_MAX = 4096;
const refKey = new StaticArray<u32>(REF_MAX);
const refPlen = new StaticArray<i32>(REF_MAX);
const refVal = new StaticArray<u32>(REF_MAX);
let refN = 0;

function mask(p: i32): u32 { return p == 0 ? 0 : 0xFFFFFFFF << (32 - p); }
function ip(a: u32, b: u32, c: u32, d: u32): u32 { return (a << 24) | (b << 16) | (c << 8) | d; }

function refFind(k: u32, p: i32): i32 {
  for (let i = 0; i < refN; i++) if (refKey[i] == k && refPlen[i] == p) return i;
  return -1;
}
function refInsert(k: u32, p: i32, v: u32): u32 {
  const i = refFind(k, p);
  if (i >= 0) { const o = refVal[i]; refVal[i] = v; return o; }
  refKey[refN] = k; refPlen[refN] = p; refVal[refN] = v; refN++;
  return 0;
}
function refDelete(k: u32, p: i32): u32 {
  const i = refFind(k, p);
  if (i < 0) return 0;
  const o = refVal[i];
  refN--;
  refKey[i] = refKey[refN]; refPlen[i] = refPlen[refN]; refVal[i] = refVal[refN];
  return o;
}
/** Longest prefix containing key whose value is accepted (value % rejectMod != 0, or any if 0). */
function refLookup(key: u32, rejectMod: u32): u32 {
  let best = -1;
  let bestP = -1;
  for (let i = 0; i < refN; i++) {
    const p = refPlen[i];
    if (p <= bestP || (key & mask(p)) != refKey[i]) continue;
    if (rejectMod != 0 && refVal[i] % rejectMod == 0) continue;
    best = i; bestP = p;
  }
  return best < 0 ? 0 : refVal[best];
}

// random prefix from a few nested regions so lookups meet deep nesting, /0 and /32 included
function randomPrefixLen(): i32 {
  const r = prandomU32() % 100;
  if (r < 3) return 0;
  if (r < 15) return 32;
  if (r < 45) return 24;
  return <i32>(prandomU32() % 33);
}
function randomKeyNear(): u32 {
  const region = prandomU32() % 4;
  const r = prandomU32();
  if (region == 0) return ip(10, 0, 0, 0) | (r & 0x0000FFFF);
  if (region == 1) return ip(10, 1, 0, 0) | (r & 0x00000FFF);
  if (region == 2) return ip(192, 168, 0, 0) | (r & 0x0003FFFF);
  return r;
}

// ---- lookup callbacks (plain functions; context through globals) ----
let rejectMod: u32 = 0;
let seenPlens: i32 = 0;
let lastPlen: i32 = 33;
let orderOk = true;
function acceptAll(v: u32, p: i32): bool { return true; }
function rejectSome(v: u32, p: i32): bool {
  if (p >= lastPlen) orderOk = false;   // must be called longest first
  lastPlen = p;
  seenPlens++;
  return v % rejectMod != 0;
}

let walkN = 0;
let walkLimit = 1 << 30;
let walkOrderOk = true;
let walkPrevKey: u32 = 0;
let walkPrevPlen: i32 = 33;
const walkKeys = new StaticArray<u32>(REF_MAX);
const walkPlens = new StaticArray<i32>(REF_MAX);
function walkCollect(k: u32, p: i32, v: u32): bool {
  if (walkN > 0 && (k < walkPrevKey || (k == walkPrevKey && p >= walkPrevPlen))) walkOrderOk = false;
  walkPrevKey = k; walkPrevPlen = p;
  walkKeys[walkN] = k; walkPlens[walkN] = p;
  walkN++;
  return walkN < walkLimit;
}
function walkReset(): void { walkN = 0; walkOrderOk = true; walkPrevPlen = 33; }

const batchKeys = heap.alloc(4096 * 4);
const batchOut = heap.alloc(4096 * 4);
const netKeys = heap.alloc(4096 * 4);                 // batchKeys in network order
const netOut = heap.alloc(4096 * 4);

describe("fib_trie basics", () => {
  it("inserts, gets, replaces and deletes exact prefixes", () => {
    const t = trieNew();
    expect(trieCount(t)).toBe(0);
    expect(trieLookupLongest(t, ip(10, 1, 2, 3))).toBe(0);
    expect(trieInsert(t, ip(10, 0, 0, 0), 8, 100)).toBe(0);
    expect(trieInsert(t, ip(10, 0, 0, 0), 16, 200)).toBe(0);
    expect(trieInsert(t, ip(10, 0, 0, 0), 8, 101)).toBe(100);   // replace returns the old value
    // values are 24-bit and non-zero; lengths at most 32: refused, nothing changes
    expect(trieInsert(t, ip(10, 0, 0, 0), 8, 0)).toBe(TRIE_EINVAL);
    expect(trieInsert(t, ip(10, 0, 0, 0), 8, TRIE_VALUE_MAX + 1)).toBe(TRIE_EINVAL);
    expect(trieInsert(t, ip(10, 0, 0, 0), 33, 5)).toBe(TRIE_EINVAL);
    expect(trieInsert(t, ip(12, 0, 0, 0), 8, TRIE_VALUE_MAX)).toBe(0);
    expect(trieLookupLongest(t, ip(12, 1, 2, 3))).toBe(TRIE_VALUE_MAX);
    expect(trieDelete(t, ip(12, 0, 0, 0), 8)).toBe(TRIE_VALUE_MAX);
    expect(trieCount(t)).toBe(2);
    expect(trieStat(t, TRIE_STAT_LEAVES)).toBe(1);               // same key: one leaf, two prefixes
    expect(trieGet(t, ip(10, 0, 0, 0), 8)).toBe(101);
    expect(trieGet(t, ip(10, 0, 0, 0), 16)).toBe(200);
    expect(trieGet(t, ip(10, 0, 0, 0), 12)).toBe(0);
    expect(trieLookupLongest(t, ip(10, 0, 5, 5))).toBe(200);
    expect(trieLookupLongest(t, ip(10, 7, 5, 5))).toBe(101);
    expect(trieLookupLongest(t, ip(11, 0, 0, 0))).toBe(0);
    expect(trieInsert(t, 0, 0, 7)).toBe(0);                      // default route
    expect(trieLookupLongest(t, ip(11, 0, 0, 0))).toBe(7);
    expect(trieInsert(t, ip(10, 0, 5, 5), 32, 9)).toBe(0);
    expect(trieLookupLongest(t, ip(10, 0, 5, 5))).toBe(9);
    expect(trieLookupLongest(t, ip(10, 0, 5, 4))).toBe(200);
    expect(trieCheck(t)).toBe(0);
    expect(trieDelete(t, ip(10, 0, 0, 0), 16)).toBe(200);
    expect(trieDelete(t, ip(10, 0, 0, 0), 16)).toBe(0);          // absent
    expect(trieDelete(t, ip(10, 0, 0, 0), 24)).toBe(0);
    expect(trieLookupLongest(t, ip(10, 0, 6, 6))).toBe(101);
    expect(trieCheck(t)).toBe(0);
    expect(trieCount(t)).toBe(3);
    trieFree(t);
    expect(trieCount(t)).toBe(0);
    expect(trieMemoryBytes(t)).toBe(0);
    expect(trieCheck(t)).toBe(0);
    expect(trieInsert(t, ip(1, 2, 3, 0), 24, 5)).toBe(0);        // still usable after a flush
    expect(trieLookupLongest(t, ip(1, 2, 3, 4))).toBe(5);
    expect(trieCheck(t)).toBe(0);
  });

  it("keeps invariants after every insert and delete of random nested sequences", () => {
    prandomSeed(1);
    const t = trieNew();
    let bad = 0;
    let mismatches = 0;
    for (let round = 0; round < 3; round++) {
      refN = 0;
      // fill with duplicates and nested prefixes
      for (let i = 0; i < 1500; i++) {
        const p = randomPrefixLen();
        const k = randomKeyNear() & mask(p);
        const v = 1 + prandomU32() % 1000;
        if (trieInsert(t, k, p, v) != refInsert(k, p, v)) mismatches++;
        if (trieCheck(t) != 0) bad++;
        // delete something (present or absent) now and then
        if (prandomU32() % 4 == 0) {
          let dk: u32, dp: i32;
          if (refN > 0 && prandomU32() % 2 == 0) { const j = <i32>(prandomU32() % <u32>refN); dk = refKey[j]; dp = refPlen[j]; }
          else { dp = randomPrefixLen(); dk = randomKeyNear() & mask(dp); }
          if (trieDelete(t, dk, dp) != refDelete(dk, dp)) mismatches++;
          if (trieCheck(t) != 0) bad++;
        }
      }
      if (trieCount(t) != <u32>refN) mismatches++;
      for (let i = 0; i < refN; i++) if (trieGet(t, refKey[i], refPlen[i]) != refVal[i]) mismatches++;
      // empty it completely, one prefix at a time
      while (refN > 0) {
        const j = <i32>(prandomU32() % <u32>refN);
        const k = refKey[j], p = refPlen[j];
        if (trieDelete(t, k, p) != refDelete(k, p)) mismatches++;
        if (trieCheck(t) != 0) bad++;
      }
      if (trieCount(t) != 0 || trieMemoryBytes(t) != 0) mismatches++;
    }
    expect(bad).toBe(0);
    expect(mismatches).toBe(0);
  });
});

describe("fib_trie lookups against a brute-force reference", () => {
  it("agrees on 100k random keys (longest, batch, network-order batch, backtracking with rejects)", () => {
    prandomSeed(2);
    const t = trieNew();
    refN = 0;
    for (let i = 0; i < 600; i++) {
      const p = randomPrefixLen();
      const k = randomKeyNear() & mask(p);
      const v = 1 + prandomU32() % 1000;
      trieInsert(t, k, p, v);
      refInsert(k, p, v);
    }
    // remove a third to leave holes
    for (let i = 0; i < 200; i++) {
      const j = <i32>(prandomU32() % <u32>refN);
      const k = refKey[j], p = refPlen[j];
      trieDelete(t, k, p); refDelete(k, p);
    }
    expect(trieCheck(t)).toBe(0);
    let bad = 0;
    for (let b = 0; b < 25; b++) {
      for (let i = 0; i < 4096; i++) store<u32>(batchKeys + (<usize>i << 2), randomKeyNear());
      trieLookupBatch(t, batchKeys, batchOut, 4096);
      for (let i = 0; i < 4096; i++) store<u32>(netKeys + (<usize>i << 2), bswap<u32>(load<u32>(batchKeys + (<usize>i << 2))));
      const nNet = 4093 + b % 4;                       // batches ending in every part of a vector
      trieLookupBatchNet(t, netKeys, netOut, nNet);
      for (let i = 0; i < 4096; i++) {
        const key = load<u32>(batchKeys + (<usize>i << 2));
        const want = refLookup(key, 0);
        if (load<u32>(batchOut + (<usize>i << 2)) != want) bad++;
        if (i < nNet && load<u32>(netOut + (<usize>i << 2)) != want) bad++;
        if (trieLookupLongest(t, key) != want) bad++;
        if (trieLookup(t, key, acceptAll) != want) bad++;
        rejectMod = 2 + (<u32>i & 3);
        lastPlen = 33; orderOk = true;
        if (trieLookup(t, key, rejectSome) != refLookup(key, rejectMod)) bad++;
        if (!orderOk) bad++;
      }
    }
    expect(bad).toBe(0);
  });

  it("offers every containing prefix longest first when everything is rejected", () => {
    const t = trieNew();
    const lens: i32[] = [0, 1, 4, 8, 9, 12, 16, 20, 23, 24, 25, 30, 31, 32];
    const key = ip(10, 20, 30, 41);
    for (let i = 0; i < lens.length; i++) trieInsert(t, key & mask(lens[i]), lens[i], 3 * (i + 1));
    // siblings that must not match
    trieInsert(t, ip(10, 20, 30, 40), 32, 3);
    trieInsert(t, ip(10, 20, 31, 0), 24, 3);
    trieInsert(t, ip(11, 0, 0, 0), 8, 3);
    expect(trieCheck(t)).toBe(0);
    rejectMod = 3; seenPlens = 0; lastPlen = 33; orderOk = true;
    expect(trieLookup(t, key, rejectSome)).toBe(0);
    expect(seenPlens).toBe(lens.length);
    expect(orderOk).toBe(true);
    // reject even values: the /32 (42) is rejected, the /31 (39) accepted
    rejectMod = 2; lastPlen = 33; orderOk = true;
    expect(trieLookup(t, key, rejectSome)).toBe(39);
    expect(orderOk).toBe(true);
  });
});

describe("fib_trie resize thresholds", () => {
  it("inflates when a node fills and halves when it empties", () => {
    const t = trieNew();
    // 256 /24s under 10.0.0.0/16: the root becomes one wide node
    for (let i: u32 = 0; i < 256; i++) trieInsert(t, ip(10, 0, i, 0), 24, i + 1);
    expect(trieCheck(t)).toBe(0);
    expect(trieStat(t, TRIE_STAT_INFLATES)).toBeGreaterThan(0);
    // 256 leaves in 256 slots: 50 * 256 >= 30 * 256, so it doubles once more (to 50 % used)
    expect(trieStat(t, TRIE_STAT_ROOT_BITS)).toBe(9);
    expect(trieStat(t, TRIE_STAT_TNODES)).toBe(1);
    const halves0 = trieStat(t, TRIE_STAT_HALVES);
    // drop all but every 16th: below 15 % (root halve threshold) the root halves
    for (let i: u32 = 0; i < 256; i++) if (i % 16 != 0) {
      trieDelete(t, ip(10, 0, i, 0), 24);
      expect(trieCheck(t)).toBe(0);
    }
    expect(trieStat(t, TRIE_STAT_HALVES)).toBeGreaterThan(halves0);
    // 16 leaves: 100 * 16 < 15 * 128 halves to 64 slots; 100 * 16 >= 15 * 64 stops there
    expect(trieStat(t, TRIE_STAT_ROOT_BITS)).toBe(6);
    for (let i: u32 = 0; i < 256; i += 16) expect(trieLookupLongest(t, ip(10, 0, i, 77))).toBe(i + 1);
  });

  it("keeps non-root nodes within the 50 % / 25 % thresholds", () => {
    const t = trieNew();
    // two distant regions so the root stays narrow and the /24 blocks sit in non-root nodes
    for (let i: u32 = 0; i < 64; i++) trieInsert(t, ip(10, 0, i, 0), 24, 1);
    for (let i: u32 = 0; i < 64; i++) trieInsert(t, ip(172, 16, i, 0), 24, 2);
    expect(trieCheck(t)).toBe(0);
    // root: 2 of 2 slots used, 50 * 2 >= 30 * 2 -> 4 slots (2 used); each region: 64 leaves -> 128 slots
    expect(trieStat(t, TRIE_STAT_ROOT_BITS)).toBe(2);
    expect(trieStat(t, TRIE_STAT_TNODES)).toBe(3);
    for (let i: u32 = 0; i < 64; i++) if (i % 8 != 0) trieDelete(t, ip(10, 0, i, 0), 24);
    expect(trieCheck(t)).toBe(0);
    // 8 leaves: 100 * 8 < 25 * 128 and < 25 * 64 halve twice; 100 * 8 >= 25 * 32 stops
    expect(trieStat(t, TRIE_STAT_HALVES)).toBe(2);
    expect(trieLookupLongest(t, ip(10, 0, 8, 1))).toBe(1);
    expect(trieLookupLongest(t, ip(10, 0, 9, 1))).toBe(0);
  });
});

describe("fib_trie walk", () => {
  it("walks in dump order (key ascending, plen descending) and resumes after a cursor", () => {
    const t = trieNew();
    trieInsert(t, ip(10, 0, 0, 0), 8, 1);
    trieInsert(t, ip(10, 0, 0, 0), 16, 2);
    trieInsert(t, ip(10, 0, 0, 0), 24, 3);
    trieInsert(t, ip(10, 0, 0, 0), 32, 4);
    trieInsert(t, ip(10, 1, 0, 0), 16, 5);
    trieInsert(t, 0, 0, 6);
    trieInsert(t, ip(9, 0, 0, 0), 8, 7);
    trieInsert(t, ip(192, 0, 2, 0), 24, 8);
    walkReset(); walkLimit = 1 << 30;
    trieWalk(t, 0, -1, walkCollect);
    expect(walkN).toBe(8);
    expect(walkOrderOk).toBe(true);
    expect(walkKeys[0]).toBe(0);
    expect(walkKeys[2]).toBe(ip(10, 0, 0, 0));
    expect(walkPlens[2]).toBe(32);
    expect(walkPlens[5]).toBe(8);
    // resume after 10.0.0.0/24 -> 10.0.0.0/16, 10.0.0.0/8, 10.1.0.0/16, 192.0.2.0/24
    walkReset();
    trieWalk(t, ip(10, 0, 0, 0), 24, walkCollect);
    expect(walkN).toBe(4);
    expect(walkPlens[0]).toBe(16);
    expect(walkKeys[2]).toBe(ip(10, 1, 0, 0));
    // resume after a key that is not in the table
    walkReset();
    trieWalk(t, ip(10, 0, 128, 0), 17, walkCollect);
    expect(walkN).toBe(2);
    expect(walkKeys[0]).toBe(ip(10, 1, 0, 0));
    // stop when fn returns false
    walkReset(); walkLimit = 3;
    trieWalk(t, 0, -1, walkCollect);
    expect(walkN).toBe(3);
    walkLimit = 1 << 30;
  });

  it("chunked walks with cursors visit a random table exactly once in order", () => {
    prandomSeed(3);
    const t = trieNew();
    refN = 0;
    for (let i = 0; i < 2000; i++) {
      const p = randomPrefixLen();
      const k = randomKeyNear() & mask(p);
      trieInsert(t, k, p, 1 + i);
      refInsert(k, p, 1 + i);
    }
    let total = 0;
    let ordered = true;
    let curKey: u32 = 0;
    let curPlen: i32 = -1;
    let prevK: u32 = 0, prevP: i32 = 33, first = true;
    while (true) {
      walkReset(); walkLimit = 37;
      trieWalk(t, curKey, curPlen, walkCollect);
      if (walkN == 0) break;
      for (let i = 0; i < walkN; i++) {
        const k = walkKeys[i], p = walkPlens[i];
        if (!first && (k < prevK || (k == prevK && p >= prevP))) ordered = false;
        first = false; prevK = k; prevP = p;
      }
      total += walkN;
      curKey = walkKeys[walkN - 1]; curPlen = walkPlens[walkN - 1];
    }
    walkLimit = 1 << 30;
    expect(total).toBe(refN);
    expect(ordered).toBe(true);
  });
});

describe("fib_trie compaction and memory", () => {
  it("gives identical answers after trieCompact and keeps working afterwards", () => {
    prandomSeed(4);
    const t = trieNew();
    refN = 0;
    for (let i = 0; i < 1500; i++) {
      const p = randomPrefixLen();
      const k = randomKeyNear() & mask(p);
      const v = 1 + prandomU32() % 1000;
      trieInsert(t, k, p, v);
      refInsert(k, p, v);
    }
    for (let i = 0; i < 4096; i++) store<u32>(batchKeys + (<usize>i << 2), randomKeyNear());
    trieLookupBatch(t, batchKeys, batchOut, 4096);
    const before = heap.alloc(4096 * 4);
    memory.copy(before, batchOut, 4096 * 4);
    const bytes = trieMemoryBytes(t);
    trieCompact(t);
    expect(trieCheck(t)).toBe(0);
    // every leaf word saves its 12-byte record
    expect(trieStat(t, TRIE_STAT_LEAF_WORDS)).toBeGreaterThan(0);
    expect(trieMemoryBytes(t)).toBe(bytes - 12 * trieStat(t, TRIE_STAT_LEAF_WORDS));
    expect(trieStat(t, 11)).toBe(1);
    trieLookupBatch(t, batchKeys, batchOut, 4096);
    let bad = 0;
    for (let i = 0; i < 4096; i++) {
      const key = load<u32>(batchKeys + (<usize>i << 2));
      const want = refLookup(key, 0);
      if (load<u32>(batchOut + (<usize>i << 2)) != want || load<u32>(before + (<usize>i << 2)) != want) bad++;
    }
    expect(bad).toBe(0);
    // keep changing it after the relayout
    for (let i = 0; i < 500; i++) {
      const j = <i32>(prandomU32() % <u32>refN);
      const k = refKey[j], p = refPlen[j];
      if (trieDelete(t, k, p) != refDelete(k, p)) bad++;
      const p2 = randomPrefixLen();
      const k2 = randomKeyNear() & mask(p2);
      if (trieInsert(t, k2, p2, 5) != refInsert(k2, p2, 5)) bad++;
    }
    expect(trieCheck(t)).toBe(0);
    for (let i = 0; i < 2000; i++) {
      const key = randomKeyNear();
      if (trieLookupLongest(t, key) != refLookup(key, 0)) bad++;
    }
    expect(bad).toBe(0);
  });

  it("keeps leaf words exact through inserts, deletes and replaces after each compaction", () => {
    prandomSeed(6);
    const t = trieNew();
    refN = 0;
    let bad = 0;
    let mismatches = 0;
    let words: u32 = 0;
    for (let i = 0; i < 3000; i++) {
      if (i % 200 == 199) {
        trieCompact(t);
        if (trieCheck(t) != 0) bad++;
        words += trieStat(t, TRIE_STAT_LEAF_WORDS);
        for (let j = 0; j < 1024; j++) store<u32>(batchKeys + (<usize>j << 2), randomKeyNear());
        trieLookupBatch(t, batchKeys, batchOut, 1024);
        for (let j = 0; j < 1024; j++) {
          const key = load<u32>(batchKeys + (<usize>j << 2));
          const want = refLookup(key, 0);
          if (load<u32>(batchOut + (<usize>j << 2)) != want || trieLookupLongest(t, key) != want) mismatches++;
          rejectMod = 2 + (<u32>j & 3);
          if (trieLookup(t, key, rejectSome) != refLookup(key, rejectMod)) mismatches++;
        }
      }
      // mostly changes to what is there (so they meet words): replace, delete, or add a sibling length
      const r = prandomU32() % 8;
      if (refN > 0 && r < 5) {
        const j = <i32>(prandomU32() % <u32>refN);
        const k = refKey[j], p = refPlen[j];
        if (r < 2) {
          if (trieDelete(t, k, p) != refDelete(k, p)) mismatches++;
        } else if (r < 4) {
          const v = 1 + prandomU32() % 1000;
          if (trieInsert(t, k, p, v) != refInsert(k, p, v)) mismatches++;
        } else {
          const p2 = <i32>(prandomU32() % 33);
          const k2 = k & mask(p2);
          if (trieInsert(t, k2, p2, 7) != refInsert(k2, p2, 7)) mismatches++;
        }
      } else {
        const p = randomPrefixLen();
        const k = randomKeyNear() & mask(p);
        const v = 1 + prandomU32() % 1000;
        if (trieInsert(t, k, p, v) != refInsert(k, p, v)) mismatches++;
      }
      if (trieCheck(t) != 0) bad++;
    }
    for (let i = 0; i < refN; i++) if (trieGet(t, refKey[i], refPlen[i]) != refVal[i]) mismatches++;
    walkReset();
    trieWalk(t, 0, -1, walkCollect);
    if (walkN != refN || !walkOrderOk) mismatches++;
    expect(bad).toBe(0);
    expect(mismatches).toBe(0);
    expect(words).toBeGreaterThan(300);              // summed over the 15 compactions
  });

  it("answers keys outside the root's prefix when the root holds leaf words", () => {
    const t = trieNew();
    for (let i: u32 = 0; i < 4; i++) trieInsert(t, ip(10, i, 0, 0), 16, 1 + i);
    trieInsert(t, ip(10, 2, 0, 0), 18, 9);         // a record leaf next to the words
    trieCompact(t);
    expect(trieCheck(t)).toBe(0);
    expect(trieStat(t, TRIE_STAT_LEAF_WORDS)).toBe(3);
    // keys differing from the root in its skipped bits follow its all-zero path to 10.0.0.0/16's word
    const keys: u32[] = [ip(11, 0, 0, 1), ip(10, 4, 0, 1), ip(10, 0, 0, 1), ip(10, 0, 64, 1), ip(10, 2, 3, 4),
      ip(10, 2, 64, 1), ip(138, 0, 0, 0), ip(10, 1, 255, 255)];
    const want: u32[] = [0, 0, 1, 1, 9, 3, 0, 2];
    for (let i = 0; i < keys.length; i++) store<u32>(batchKeys + (<usize>i << 2), keys[i]);
    trieLookupBatch(t, batchKeys, batchOut, keys.length);
    for (let i = 0; i < keys.length; i++) {
      expect(load<u32>(batchOut + (<usize>i << 2))).toBe(want[i]);
      expect(trieLookupLongest(t, keys[i])).toBe(want[i]);
      expect(trieLookup(t, keys[i], acceptAll)).toBe(want[i]);
    }
  });

  it("returns its chunks on flush, so refilling does not grow the pool", () => {
    const t = trieNew();
    for (let i: u32 = 0; i < 20000; i++) trieInsert(t, (i * 2654435761) & 0xFFFFFF00, 24, 1 + (i & 7));
    trieCompact(t);
    const pool = trieStat(t, TRIE_STAT_POOL_BYTES);
    for (let round = 0; round < 3; round++) {
      trieFree(t);
      expect(trieMemoryBytes(t)).toBe(0);
      for (let i: u32 = 0; i < 20000; i++) trieInsert(t, (i * 2654435761) & 0xFFFFFF00, 24, 1 + (i & 7));
      trieCompact(t);
    }
    expect(trieCheck(t)).toBe(0);
    expect(trieStat(t, TRIE_STAT_POOL_BYTES)).toBe(pool);
  });
});
