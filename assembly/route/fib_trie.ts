// LC-trie for IPv4 FIB tables (book ch. 5 "FIB TRIE"; Olsson & Nilsson, "TRASH"; structure of Linux
// net/ipv4/fib_trie.c): a path- and level-compressed binary trie. Internal nodes ("tnodes") index
// `bits` key bits starting at bit `pos`; bits between a tnode and its parent are skipped (path
// compression) and verified at the leaf. A leaf holds one network key and the list of prefix lengths
// sharing it (one u32 value each), as the kernel's leaf holds its alias list.
//
// Keys are host-order u32 (first octet in the high byte). Everything lives in linear memory: node
// blocks are carved from heap.alloc'd chunks and recycled through per-size free lists, so the pools
// grow only on the control path (insert) and a lookup allocates nothing.
//
// Resize (kernel resize()/should_inflate()/should_halve(), run on every tnode from the changed one up
// to the root after each insert and delete):
//   inflate (bits+1) while 50 * (slots - empty + full) >= T_inflate * slots, T_inflate = 50 (30 at the root)
//     (i.e. the doubled node would be at least T_inflate % used; a full child counts twice);
//   else halve (bits-1) while 100 * (slots - empty) < T_halve * slots, T_halve = 25 (15 at the root);
//   a tnode with fewer than two children is replaced by its child (collapse).
// A "full" child is a tnode with no skipped bits (child.pos + child.bits == parent.pos).
// The kernel bounds the work per node (MAX_WORK = 10) and skips halving once it has inflated; we
// re-evaluate both tests until neither holds (bounded), and re-check a tnode that becomes (or stops
// being) the root, so the thresholds hold after every operation (trieCheck verifies that).
// Inflation stops at TNODE_MAX_BITS.
//
// Lookup, general (kernel fib_table_lookup since 4.0; used by trieLookup with its callback): descend
// by index bits; at a leaf take the prefixes whose mask covers the key, longest first; on a miss
// backtrack by clearing the lowest set bit of the child index (shorter prefixes live at keys with more
// trailing zeros), ascending through parent pointers. Each tnode records slen, the longest suffix
// (32 - shortest prefix) below it, which prunes the backtracking.
//
// Lookup, longest match only (trieLookupLongest/trieLookupBatch; not in the kernel): with random
// destinations most descents end in an empty slot or at a leaf that does not cover the key, and the
// kernel then backtracks through several more nodes. We keep the result of that backtracking:
//   - an empty slot holds a "cover word": value and length of the longest prefix covering the slot's
//     whole key range (or 0). Empty slots exist anyway, so this costs no memory, and a lookup that
//     ends there (most random ones) reads nothing else;
//   - the last record of a leaf links to the cover word of the leaf's slot range (other leaves only).
// Any prefix that contains the key but is not in the slot's own subtree covers the whole slot range,
// so the answer is at most one hop away. Resize keeps both exact (a slot range only splits, or merges
// with an empty sibling); insert/delete/replace update them over the prefix's key range (inside that
// range the only cover word of the prefix's length is the prefix's own). When the key differs
// from a tnode in its skipped bits, the answer lies on that tnode's all-zero path: a prefix inside the
// tnode that contains the key has the tnode's own key, and anything else covers the tnode's slot (it
// is the cover of the leaf or empty slot at the end of that path).
//
// Walk order is the kernel's dump order (`ip route show`): key ascending, then prefix length
// DESCENDING (a leaf's prefixes are kept longest first; checked against Linux 6.x).

// ---- layout ----
// A child slot is a u32: tnode address (low bits 00), leaf (its first record) | 1, leaf word
// (value << 8 | plen << 2 | 3), cover word (value << 8 | plen << 2 | 2), or 0 (empty, nothing covers
// it). Values are 1..TRIE_VALUE_MAX.
// A leaf word is a leaf with a single prefix no longer than its slot's key bits (plen <= 32 - the
// parent's pos), kept in the slot itself: its key is the slot's key, and any key reaching the slot
// through matching tnodes lies inside it, so a lookup reads nothing more. trieCompact turns such
// leaves into words (never at the root); a change that needs the leaf's record, or moves the word to
// a slot with fewer key bits, turns it back into a record (materialize). A word has no stored cover.
// tnode block: [parent u32][empty u32][full u32] | [key u32][pos u8][bits u8][slen u8][pad u8][child u32 x 2^bits]
//   the node pointer is block + 12, so key/pos/bits sit right before the children.
// prefix record (12 bytes): [key u32][value << 8 | plen << 2 u32][next u32]
//   next: the next shorter record of the same key; after the last one the cover word of the leaf's
//   slot range (or 0). The middle word | 2 is the record's own cover word.
// trie handle (128 bytes): [root u32][prefixes][leaves][tnodes][bytes][inflates][halves][collapses]
//   [bump][bump end][chunk list][chunk shift][compactions] ... [free-list heads x NSMALL at 64]

const TN_HDR: u32 = 20;          // bytes per tnode block besides the child array
const TN_PRE: u32 = 12;          // bytes before the node pointer
const REC_SIZE: u32 = 12;
export const TNODE_MAX_BITS: u32 = 24;
/** Largest value a prefix can carry (values live in 24 bits of the record and cover words). */
export const TRIE_VALUE_MAX: u32 = 0xFFFFFF;
/** trieInsert's answer to a value or prefix length out of range. */
export const TRIE_EINVAL: u32 = 0xFFFFFFFF;
const KEYLENGTH: u32 = 32;

const INFLATE_THRESHOLD: u64 = 50;
const HALVE_THRESHOLD: u64 = 25;
const INFLATE_THRESHOLD_ROOT: u64 = 30;
const HALVE_THRESHOLD_ROOT: u64 = 15;
const RESIZE_MAX_ROUNDS: i32 = 32;

const T_ROOT: u32 = 0;
const T_COUNT: u32 = 4;
const T_LEAVES: u32 = 8;
const T_TNODES: u32 = 12;
const T_BYTES: u32 = 16;
const T_INFLATES: u32 = 20;
const T_HALVES: u32 = 24;
const T_COLLAPSES: u32 = 28;
const T_BUMP: u32 = 32;
const T_BUMP_END: u32 = 36;
const T_CHUNKS: u32 = 40;
const T_CHUNK_SHIFT: u32 = 44;
const T_COMPACTIONS: u32 = 48;
const T_FREE: u32 = 64;          // NSMALL free-list heads
const T_SIZE: u32 = 128;

// ---- memory: per-trie chunks, size classes with free lists ----
// Each trie carves its small blocks (records, tnodes below BIG bytes) from its own chunks, obtained
// from heap.alloc or from a global list of released chunks; chunk sizes double from 4 KiB to 1 MiB.
// Freed blocks go to the trie's per-class free lists. trieFree and trieCompact hand whole chunks back
// to the global list, so the pool stays bounded (the stub runtime never frees heap memory).
// Blocks of at least BIG bytes (wide root tnodes) come from heap.alloc and are recycled globally.
const CLASS_REC: u32 = 0;                 // class 0: prefix record; 1 + b: tnode with b bits
const NSMALL: u32 = 16;
const BIG: u32 = 1 << 16;
const CHUNK_MIN_SHIFT: u32 = 12;
const CHUNK_MAX_SHIFT: u32 = 20;
const CHUNK_HDR: u32 = 8;                 // [next chunk u32][size u32]
const freeChunks = memory.data(<i32>((CHUNK_MAX_SHIFT + 1) << 2));   // by log2(size)
const freeBig = memory.data(<i32>((TNODE_MAX_BITS + 1) << 2));       // big tnode blocks by bits
let poolBytes: u32 = 0;                   // bytes obtained from heap.alloc (never returned)

// @ts-ignore: decorator
@inline function tnodeClass(bits: u32): u32 { return 1 + bits; }

function chunkGet(shift: u32): u32 {
  const h = freeChunks + (<usize>shift << 2);
  const c = load<u32>(h);
  if (c != 0) { store<u32>(h, load<u32>(c)); return c; }
  poolBytes += 1 << shift;
  const p = <u32>heap.alloc(<usize>1 << shift);
  store<u32>(p, 0);
  store<u32>(p, shift, 4);
  return p;
}

/** Give all chunks of the list starting at c back to the global lists. */
function chunksRelease(c: u32): void {
  while (c != 0) {
    const nx = load<u32>(c);
    const h = freeChunks + (<usize>load<u32>(c, 4) << 2);
    store<u32>(c, load<u32>(h));
    store<u32>(h, c);
    c = nx;
  }
}

function blockAlloc(t: u32, size: u32, cls: u32): u32 {
  if (size >= BIG) {
    const bits = cls - 1;
    const h = freeBig + (<usize>bits << 2);
    const b = load<u32>(h);
    if (b != 0) { store<u32>(h, load<u32>(b)); return b; }
    poolBytes += size;
    return <u32>heap.alloc(size);
  }
  const h = t + T_FREE + (cls << 2);
  const head = load<u32>(h);
  if (head != 0) {
    store<u32>(h, load<u32>(head));
    return head;
  }
  let p = load<u32>(t + T_BUMP);
  if (load<u32>(t + T_BUMP_END) - p < size) {
    let shift = load<u32>(t + T_CHUNK_SHIFT);
    shift = shift == 0 ? CHUNK_MIN_SHIFT : min(shift + 1, CHUNK_MAX_SHIFT);
    while ((<u32>1 << shift) - CHUNK_HDR < size) shift++;
    store<u32>(t + T_CHUNK_SHIFT, shift);
    const c = chunkGet(shift);
    store<u32>(c, load<u32>(t + T_CHUNKS));
    store<u32>(t + T_CHUNKS, c);
    p = c + CHUNK_HDR;
    store<u32>(t + T_BUMP_END, c + (1 << shift));
  }
  store<u32>(t + T_BUMP, p + size);
  return p;
}

function blockFree(t: u32, p: u32, size: u32, cls: u32): void {
  const h = size >= BIG ? freeBig + (<usize>(cls - 1) << 2) : t + T_FREE + (cls << 2);
  store<u32>(p, load<u32>(h));
  store<u32>(h, p);
}

/** Forget the trie's chunks and free lists (after its chunks were released or detached). */
function poolReset(t: u32): void {
  store<u32>(t + T_CHUNKS, 0);
  store<u32>(t + T_BUMP, 0);
  store<u32>(t + T_BUMP_END, 0);
  memory.fill(<usize>t + T_FREE, 0, NSMALL << 2);
}

// @ts-ignore: decorator
@inline function addStat(t: u32, off: u32, d: i32): void { store<u32>(t + off, load<u32>(t + off) + <u32>d); }

// ---- slots and masks ----
/** A leaf: its first record | 1, or a leaf word. */
// @ts-ignore: decorator
@inline function isLeaf(c: u32): bool { return (c & 1) != 0; }
// @ts-ignore: decorator
@inline function isLeafWord(c: u32): bool { return (c & 3) == 3; }
// @ts-ignore: decorator
@inline function isLeafRec(c: u32): bool { return (c & 3) == 1; }
// @ts-ignore: decorator
@inline function isTnode(c: u32): bool { return c != 0 && (c & 3) == 0; }
/** A real child (tnode or leaf), not empty and not a cover word. */
// @ts-ignore: decorator
@inline function occupied(c: u32): bool { return c != 0 && (c & 3) != 2; }
// @ts-ignore: decorator
@inline function lowMask(n: u32): u32 { return <u32>((<u64>1 << n) - 1); }      // n in 0..32
// @ts-ignore: decorator
@inline function prefixMask(plen: u32): u32 { return ~lowMask(KEYLENGTH - plen); }

// tnode fields (n = node pointer)
// @ts-ignore: decorator
@inline function tKey(n: u32): u32 { return load<u32>(n); }
// @ts-ignore: decorator
@inline function tPos(n: u32): u32 { return load<u8>(n, 4); }
// @ts-ignore: decorator
@inline function tBits(n: u32): u32 { return load<u8>(n, 5); }
// @ts-ignore: decorator
@inline function tSlen(n: u32): u32 { return load<u8>(n, 6); }
// @ts-ignore: decorator
@inline function tSetSlen(n: u32, s: u32): void { store<u8>(n, <u8>s, 6); }
// @ts-ignore: decorator
@inline function tChildAddr(n: u32, i: u32): u32 { return n + 8 + (i << 2); }
// @ts-ignore: decorator
@inline function tChild(n: u32, i: u32): u32 { return load<u32>(tChildAddr(n, i)); }
// @ts-ignore: decorator
@inline function tParent(n: u32): u32 { return load<u32>(n - 12); }
// @ts-ignore: decorator
@inline function tSetParent(n: u32, p: u32): void { store<u32>(n - 12, p); }
// @ts-ignore: decorator
@inline function tEmpty(n: u32): u32 { return load<u32>(n - 8); }
// @ts-ignore: decorator
@inline function tFull(n: u32): u32 { return load<u32>(n - 4); }
/** Key of slot i of tnode n: the key of a leaf word there. */
// @ts-ignore: decorator
@inline function slotKey(n: u32, i: u32): u32 { return tKey(n) | (i << tPos(n)); }
/** Child index of key in tnode n (key assumed to match n's prefix). */
// @ts-ignore: decorator
@inline function tIndex(n: u32, key: u32): u32 { return (key >> tPos(n)) & lowMask(tBits(n)); }

// ---- cover words and prefix records ----
// @ts-ignore: decorator
@inline function wValue(w: u32): u32 { return w >> 8; }
// @ts-ignore: decorator
@inline function wPlen(w: u32): u32 { return (w >> 2) & 63; }
// @ts-ignore: decorator
@inline function isRec(x: u32): bool { return x != 0 && (x & 2) == 0; }
// @ts-ignore: decorator
@inline function rKey(r: u32): u32 { return load<u32>(r); }
// @ts-ignore: decorator
@inline function rPlen(r: u32): u32 { return wPlen(load<u32>(r, 4)); }
// @ts-ignore: decorator
@inline function rValue(r: u32): u32 { return load<u32>(r, 4) >> 8; }
/** The record's own cover word (0 for no record). */
// @ts-ignore: decorator
@inline function rWord(r: u32): u32 { return r != 0 ? load<u32>(r, 4) | 2 : 0; }
/** Next record of the same key, or the cover word after the last one. */
// @ts-ignore: decorator
@inline function rNext(r: u32): u32 { return load<u32>(r, 8); }
// @ts-ignore: decorator
@inline function rNextRec(r: u32): u32 { const nx = load<u32>(r, 8); return isRec(nx) ? nx : 0; }
// @ts-ignore: decorator
@inline function rSetNext(r: u32, nx: u32): void { store<u32>(r, nx, 8); }
/** Does record r's prefix contain key? */
// @ts-ignore: decorator
@inline function rMatch(r: u32, key: u32): bool { return ((key ^ rKey(r)) & prefixMask(rPlen(r))) == 0; }

function recNew(t: u32, key: u32, plen: u32, value: u32): u32 {
  const r = blockAlloc(t, REC_SIZE, CLASS_REC);
  store<u32>(r, key);
  store<u32>(r, value << 8 | plen << 2, 4);
  store<u32>(r, 0, 8);
  addStat(t, T_BYTES, <i32>REC_SIZE);
  return r;
}

function recFree(t: u32, r: u32): void {
  blockFree(t, r, REC_SIZE, CLASS_REC);
  addStat(t, T_BYTES, -<i32>REC_SIZE);
}

/** Last record of the leaf starting at record h (its next is the leaf's cover word). */
function leafTail(h: u32): u32 {
  let r = h;
  for (let nx = rNextRec(r); nx != 0; nx = rNextRec(r)) r = nx;
  return r;
}
// @ts-ignore: decorator
@inline function leafSlen(h: u32): u32 { return KEYLENGTH - rPlen(leafTail(h)); }
/** Record of the leaf starting at h with exactly this plen, or 0. */
function leafFind(h: u32, plen: u32): u32 {
  for (let r = h; r != 0; r = rNextRec(r)) if (rPlen(r) == plen) return r;
  return 0;
}

/** Cover word of the longest prefix containing key from record r on: the leaf's own, then its cover. */
// @ts-ignore: decorator
@inline function chainWord(r: u32, key: u32): u32 {
  while (true) {
    if (rMatch(r, key)) return rWord(r);
    const nx = rNext(r);
    if (!isRec(nx)) return nx;
    r = nx;
  }
  return 0;
}

/** Key of child c in slot i of tnode tn. */
// @ts-ignore: decorator
@inline function childKey(tn: u32, i: u32, c: u32): u32 {
  return isLeafWord(c) ? slotKey(tn, i) : isLeaf(c) ? rKey(c & ~3) : tKey(c);
}
// @ts-ignore: decorator
@inline function nodeSlen(c: u32): u32 {
  return isLeafWord(c) ? KEYLENGTH - wPlen(c) : isLeaf(c) ? leafSlen(c & ~3) : tSlen(c);
}
/** Does leaf word w, reached with walk, contain key? (Its key equals walk in every bit it keeps.) */
// @ts-ignore: decorator
@inline function wordMatch(w: u32, walk: u32, key: u32): bool { return ((key ^ walk) & prefixMask(wPlen(w))) == 0; }

/**
 * Turn the leaf word in slot i of tn into a record leaf; returns the slot's new contents. The trie
 * must be intact. The record's cover, for this slot or for a larger one holding no other prefix, is
 * the longest prefix shorter than the word's that contains its key (a longer one would share the
 * key, and so the leaf).
 */
function materialize(t: u32, tn: u32, i: u32): u32 {
  const w = tChild(tn, i);
  const key = slotKey(tn, i);
  const r = recNew(t, key, wPlen(w), wValue(w));
  rSetNext(r, coverOf(t, key, <i32>wPlen(w) - 1, 0));
  store<u32>(tChildAddr(tn, i), r | 1);      // leaf for leaf: the counts stay
  return r | 1;
}

// ---- tnodes ----
function tnodeNew(t: u32, key: u32, pos: u32, bits: u32): u32 {
  const size = TN_HDR + (4 << bits);
  const b = blockAlloc(t, size, tnodeClass(bits));
  const n = b + TN_PRE;
  memory.fill(<usize>n + 8, 0, <usize>4 << bits);
  store<u32>(n - 12, 0);                 // parent
  store<u32>(n - 8, 1 << bits);          // empty children
  store<u32>(n - 4, 0);                  // full children
  store<u32>(n, key & ~lowMask(pos + bits));
  store<u8>(n, <u8>pos, 4);
  store<u8>(n, <u8>bits, 5);
  store<u8>(n, <u8>pos, 6);              // slen starts at pos (kernel tnode_new)
  store<u8>(n, 0, 7);
  addStat(t, T_TNODES, 1);
  addStat(t, T_BYTES, <i32>size);
  return n;
}

function tnodeFree(t: u32, n: u32): void {
  const bits = tBits(n);
  blockFree(t, n - TN_PRE, TN_HDR + (4 << bits), tnodeClass(bits));
  addStat(t, T_TNODES, -1);
  addStat(t, T_BYTES, -<i32>(TN_HDR + (4 << bits)));
}

// ---- child bookkeeping (kernel put_child / put_child_root / tnode_full) ----
// @ts-ignore: decorator
@inline function isFullChild(tn: u32, c: u32): bool {
  return isTnode(c) && tPos(c) + tBits(c) == tPos(tn);
}

/** Store slot i of tn (any slot value), keeping the empty/full counts. */
function putChild(tn: u32, i: u32, c: u32): void {
  const a = tChildAddr(tn, i);
  const old = load<u32>(a);
  const wasOcc = occupied(old);
  const isOcc = occupied(c);
  if (wasOcc && !isOcc) store<u32>(tn - 8, tEmpty(tn) + 1);
  else if (!wasOcc && isOcc) store<u32>(tn - 8, tEmpty(tn) - 1);
  const wasFull = isFullChild(tn, old);
  const nowFull = isFullChild(tn, c);
  if (wasFull && !nowFull) store<u32>(tn - 4, tFull(tn) - 1);
  else if (!wasFull && nowFull) store<u32>(tn - 4, tFull(tn) + 1);
  store<u32>(a, c);
}

/** Put c into the slot of tnode tp that key selects (the trie root when tp == 0). */
function putChildRoot(t: u32, tp: u32, key: u32, c: u32): void {
  if (tp == 0) store<u32>(t + T_ROOT, c);
  else putChild(tp, tIndex(tp, key), c);
}

// @ts-ignore: decorator
@inline function setParent(c: u32, p: u32): void { if (isTnode(c)) tSetParent(c, p); }

/** Recompute tn's slen from its children (kernel update_suffix): a child with suffix s sits at an index
 *  whose low (s - pos) bits are zero, so only every 2^(slen+1-pos)-th slot can raise the maximum. */
function updateSuffix(tn: u32): u32 {
  const pos = tPos(tn);
  const bits = tBits(tn);
  const len: u32 = 1 << bits;
  let slen = pos;
  let i: u32 = 0;
  while (true) {
    const c = tChild(tn, i);
    if (occupied(c)) {
      const s = nodeSlen(c);
      if (s > slen) {
        slen = s;
        if (slen + 1 - pos > bits) break;
        i &= ~lowMask(slen + 1 - pos);
      }
    }
    i += 1 << (slen + 1 - pos);
    if (i >= len) break;
  }
  tSetSlen(tn, slen);
  return slen;
}

/** After adding a suffix s below tn: raise slen on the way up (kernel node_push_suffix). */
function pushSuffix(tn: u32, s: u32): void {
  while (tn != 0 && tSlen(tn) < s) {
    tSetSlen(tn, s);
    tn = tParent(tn);
  }
}

/** After removing something below tn: recompute slen on the way up while it changes (node_pull_suffix). */
function pullSuffix(tn: u32): void {
  while (tn != 0) {
    const old = tSlen(tn);
    if (updateSuffix(tn) == old) break;
    tn = tParent(tn);
  }
}

// ---- general lookup with backtracking (kernel fib_table_lookup) ----
// mode 0: first (longest) match; 1: ask fn; 2: cover search (plen <= btMax, leaf != btExcl).
let btWord: u32 = 0;       // cover word of the accepted prefix
let btMax: u32 = 32;
let btExcl: u32 = 0;
function fnNone(value: u32, plen: i32): bool { return true; }

/** Offer one prefix (its word w, tag ignored) that contains the key. */
// @ts-ignore: decorator
@inline function offerPrefix(w: u32, mode: i32, fn: (value: u32, plen: i32) => bool): bool {
  if (mode == 1) return fn(wValue(w), <i32>wPlen(w));
  return mode != 2 || wPlen(w) <= btMax;
}

/** Offer the prefixes of leaf c (in slot i of tp) that contain key, longest first. */
function offerLeaf(c: u32, tp: u32, i: u32, key: u32, mode: i32, fn: (value: u32, plen: i32) => bool): bool {
  if (isLeafWord(c)) {
    if (!wordMatch(c, slotKey(tp, i), key) || !offerPrefix(c, mode, fn)) return false;
    btWord = c ^ 1;
    return true;
  }
  const h = c & ~3;
  if (mode == 2 && h == btExcl) return false;
  for (let r = h; r != 0; r = rNextRec(r)) {
    if (!rMatch(r, key) || !offerPrefix(load<u32>(r, 4), mode, fn)) continue;
    btWord = rWord(r);
    return true;
  }
  return false;
}

/** The kernel's lookup; returns the accepted prefix's cover word (btWord) or 0. */
function backtrackLookup(t: u32, key: u32, mode: i32, fn: (value: u32, plen: i32) => bool): u32 {
  let n = load<u32>(t + T_ROOT);
  if (!occupied(n)) return 0;
  let pn: u32 = 0;
  let ci: u32 = 0;
  let need: u32 = 0;
  let lp: u32 = 0;           // tnode and slot n was read from
  let li: u32 = 0;
  // step 1: follow the key
  while (!isLeaf(n)) {
    const x = key ^ tKey(n);
    const idx = x >> tPos(n);
    if (idx >> tBits(n) != 0) { need = KEYLENGTH - clz(x); break; }   // skipped bits differ
    if (tSlen(n) > tPos(n)) { pn = n; ci = idx; }
    const c = tChild(n, idx);
    if (!occupied(c)) { n = 0; break; }
    lp = n; li = idx;
    n = c;
  }
  while (true) {
    // step 2: examine n along its all-zero path (only prefixes with suffix >= need can contain key)
    while (n != 0) {
      if (isLeaf(n)) {
        if (offerLeaf(n, lp, li, key, mode, fn)) return btWord;
        break;
      }
      if (tSlen(n) < need) break;
      lp = n; li = 0;
      n = tChild(n, 0);
      if (!occupied(n)) break;
    }
    // backtrack: clear the lowest set index bit, ascending when the index is exhausted
    while (true) {
      while (ci == 0) {
        if (pn == 0) return 0;
        const pk = tKey(pn);
        pn = tParent(pn);
        if (pn == 0) return 0;
        ci = tIndex(pn, pk);
      }
      need = tPos(pn) + ctz(ci) + 1;
      if (tSlen(pn) < need) { ci = 0; continue; }
      ci &= ci - 1;
      n = tChild(pn, ci);
      lp = pn; li = ci;
      if (occupied(n)) break;
    }
  }
  return 0;
}

/** Cover word of the longest prefix of length <= m containing key, outside the leaf headed by excl; 0 if none. */
function coverOf(t: u32, key: u32, m: i32, excl: u32): u32 {
  if (m < 0) return 0;
  const sm = btMax, se = btExcl;
  btMax = <u32>m;
  btExcl = excl;
  const w = backtrackLookup(t, key, 2, fnNone);
  btMax = sm;
  btExcl = se;
  return w;
}

// ---- cover maintenance over a prefix's key range ----
// Visits every empty slot and every leaf whose slot range lies inside (rgKey, rgPlen):
// RG_INSERT: cover word rgNew where the current cover is shorter than rgPlen;
// RG_REPLACE: where the cover is the prefix itself (the only cover of length rgPlen inside its own
// range), rgNew: the prefix's new value (RG_INSERT of an existing prefix) or, on removal, what covers
// its range without it.
// The leaf holding the prefix itself is skipped (a leaf's cover is outside the leaf).
const RG_INSERT = 0;
const RG_REPLACE = 1;
let rgMode = 0;
let rgNew: u32 = 0;
let rgKey: u32 = 0;
let rgPlen: u32 = 0;

// @ts-ignore: decorator
@inline function rgUpdate(cur: u32): u32 {
  if (rgMode == RG_INSERT) return cur == 0 || wPlen(cur) < rgPlen ? rgNew : cur;
  return cur != 0 && wPlen(cur) == rgPlen ? rgNew : cur;
}

/** Apply to slot contents c at address a (its whole key range lies inside the region). */
function rgApplySlot(a: u32, c: u32): void {
  if (isTnode(c)) {
    const len: u32 = 1 << tBits(c);
    for (let i: u32 = 0; i < len; i++) {
      const a2 = tChildAddr(c, i);
      rgApplySlot(a2, load<u32>(a2));
    }
    return;
  }
  if (isLeafWord(c)) return;              // no stored cover
  if (isLeaf(c)) {
    const h = c & ~3;
    if (rKey(h) == rgKey) return;
    const tail = leafTail(h);
    const cur = rNext(tail);
    const nw = rgUpdate(cur);
    if (nw != cur) rSetNext(tail, nw);
    return;
  }
  const nw = rgUpdate(c);
  if (nw != c) store<u32>(a, nw);
}

/** Slot contents c at address a with key range of length m that intersects or contains the region. */
function rgSlot(a: u32, c: u32, m: u32): void {
  if (m >= rgPlen) { rgApplySlot(a, c); return; }
  if (!isTnode(c)) return;                // a leaf or an empty slot larger than the region: untouched
  const pos = tPos(c);
  const bits = tBits(c);
  const lenN = KEYLENGTH - pos - bits;
  if (((tKey(c) ^ rgKey) & prefixMask(min(lenN, rgPlen))) != 0) return;   // disjoint
  if (lenN >= rgPlen) { rgApplySlot(a, c); return; }                     // node inside the region
  const i0 = (rgKey >> pos) & lowMask(bits);
  if (rgPlen >= KEYLENGTH - pos) {                                       // region inside one slot
    const a2 = tChildAddr(c, i0);
    rgSlot(a2, load<u32>(a2), KEYLENGTH - pos);
    return;
  }
  const span: u32 = 1 << (KEYLENGTH - pos - rgPlen);
  for (let i = i0; i < i0 + span; i++) {
    const a2 = tChildAddr(c, i);
    rgApplySlot(a2, load<u32>(a2));
  }
}

function rgRun(t: u32, mode: i32, key: u32, plen: u32, nw: u32): void {
  rgMode = mode; rgKey = key; rgPlen = plen; rgNew = nw;
  const root = load<u32>(t + T_ROOT);
  if (occupied(root)) rgSlot(t + T_ROOT, root, 0);
}

// ---- resize ----
// @ts-ignore: decorator
@inline function shouldInflate(tn: u32, root: bool): bool {
  const len: u64 = <u64>1 << tBits(tn);
  const used: u64 = len - <u64>tEmpty(tn) + <u64>tFull(tn);
  const thr: u64 = root ? INFLATE_THRESHOLD_ROOT : INFLATE_THRESHOLD;
  return used > 1 && tPos(tn) != 0 && tBits(tn) < TNODE_MAX_BITS && 50 * used >= thr * len;
}

// @ts-ignore: decorator
@inline function shouldHalve(tn: u32, root: bool): bool {
  const len: u64 = <u64>1 << tBits(tn);
  const used: u64 = len - <u64>tEmpty(tn);
  const thr: u64 = root ? HALVE_THRESHOLD_ROOT : HALVE_THRESHOLD;
  return used > 1 && tBits(tn) > 1 && 100 * used < thr * len;
}

// @ts-ignore: decorator
@inline function shouldCollapse(tn: u32): bool {
  return (<u32>1 << tBits(tn)) - tEmpty(tn) < 2;
}

/** Install new node tn in place of old (same parent slot) and fix its children's parent pointers. */
function replaceNode(t: u32, old: u32, tn: u32): void {
  const tp = tParent(old);
  tSetParent(tn, tp);
  putChildRoot(t, tp, tKey(tn), tn);
  tnodeFree(t, old);
  const len: u32 = 1 << tBits(tn);
  for (let i: u32 = 0; i < len; i++) setParent(tChild(tn, i), tn);
}

/** Then resize tn's full children (kernel replace()). */
function resizeFullChildren(t: u32, tn: u32): void {
  const len: u32 = 1 << tBits(tn);
  for (let i: u32 = 0; i < len; i++) {
    const c = tChild(tn, i);
    if (isFullChild(tn, c)) resize(t, c);
  }
}

const HINT_PENDING: u32 = 2;   // an empty slot whose cover word is computed after the resize (no value is 0)

/** Double the node (bits+1, pos-1). Full children are split in two (or dissolved when they have one bit). */
function inflate(t: u32, old: u32): u32 {
  const pos = tPos(old);
  const bits = tBits(old);
  const tn = tnodeNew(t, tKey(old), pos - 1, bits + 1);
  const len: u32 = 1 << bits;
  let pending = false;
  for (let i: u32 = 0; i < len; i++) {
    const c = tChild(old, i);
    if (!occupied(c)) {                    // empty: both halves keep its cover word
      if (c != 0) { store<u32>(tChildAddr(tn, 2 * i), c); store<u32>(tChildAddr(tn, 2 * i + 1), c); }
      continue;
    }
    if (!isFullChild(old, c)) {
      const j = tIndex(tn, childKey(old, i, c));
      putChild(tn, j, c);
      // the other half is now empty: its cover is the cover of the old slot's range
      if (isLeafWord(c)) {
        store<u32>(tChildAddr(tn, j ^ 1), c ^ 1);   // the word's prefix covers that range
      } else if (isLeaf(c)) {
        let r = c & ~3;                    // first record of the leaf whose prefix covers that range
        while (rPlen(r) > KEYLENGTH - pos && isRec(rNext(r))) r = rNext(r);
        store<u32>(tChildAddr(tn, j ^ 1), rPlen(r) <= KEYLENGTH - pos ? rWord(r) : rNext(r));
      } else {
        store<u32>(tChildAddr(tn, j ^ 1), HINT_PENDING);   // computed once tn is installed
        pending = true;
      }
      continue;
    }
    const cb = tBits(c);
    if (cb == 1) {
      putChild(tn, 2 * i, tChild(c, 0));
      putChild(tn, 2 * i + 1, tChild(c, 1));
      tnodeFree(t, c);
      continue;
    }
    // split c into two halves with one bit less each
    const cpos = tPos(c);
    const n0 = tnodeNew(t, tKey(c), cpos, cb - 1);
    const n1 = tnodeNew(t, tKey(c) | (1 << (cpos + cb - 1)), cpos, cb - 1);
    tSetParent(n0, tn);
    tSetParent(n1, tn);
    const half: u32 = 1 << (cb - 1);
    for (let j: u32 = 0; j < half; j++) {
      const a = tChild(c, j);
      const b = tChild(c, j + half);
      putChild(n0, j, a); setParent(a, n0);
      putChild(n1, j, b); setParent(b, n1);
    }
    updateSuffix(n0);
    updateSuffix(n1);
    putChild(tn, 2 * i, n0);
    putChild(tn, 2 * i + 1, n1);
    tnodeFree(t, c);
  }
  updateSuffix(tn);
  addStat(t, T_INFLATES, 1);
  replaceNode(t, old, tn);
  if (pending) {
    const npos = pos - 1;
    const nlen: u32 = len << 1;
    for (let j: u32 = 0; j < nlen; j++) {
      if (tChild(tn, j) != HINT_PENDING) continue;
      store<u32>(tChildAddr(tn, j), coverOf(t, tKey(tn) | (j << npos), <i32>(KEYLENGTH - npos), 0));
    }
  }
  resizeFullChildren(t, tn);
  return tn;
}

/** Halve the node (bits-1, pos+1). Pairs of non-empty siblings get a new one-bit node. */
function halve(t: u32, old: u32): u32 {
  const pos = tPos(old);
  const bits = tBits(old);
  const tn = tnodeNew(t, tKey(old), pos + 1, bits - 1);
  const len: u32 = 1 << bits;
  for (let i: u32 = 0; i < len; i += 2) {
    const n0 = tChild(old, i);
    const n1 = tChild(old, i + 1);
    const o0 = occupied(n0), o1 = occupied(n1);
    if (!o0 && !o1) {                       // both empty: they have the same cover
      if (n0 != 0) store<u32>(tChildAddr(tn, i >> 1), n0);
      continue;
    }
    if (!o0 || !o1) {
      let c = o0 ? n0 : n1;
      // a word longer than the merged slot's key bits becomes a record (old is still in place)
      if (isLeafWord(c) && wPlen(c) > KEYLENGTH - pos - 1) c = materialize(t, old, o0 ? i : i + 1);
      putChild(tn, i >> 1, c);
      continue;
    }
    const b = tnodeNew(t, childKey(old, i, n0), pos, 1);
    tSetParent(b, tn);
    putChild(b, 0, n0);
    putChild(b, 1, n1);
    setParent(n0, b);
    setParent(n1, b);
    updateSuffix(b);
    putChild(tn, i >> 1, b);
  }
  updateSuffix(tn);
  addStat(t, T_HALVES, 1);
  replaceNode(t, old, tn);
  resizeFullChildren(t, tn);
  return tn;
}

/** Replace a tnode with fewer than two children by its only child (or by the cover word of its range). */
function collapse(t: u32, tn: u32): u32 {
  const len: u32 = 1 << tBits(tn);
  let c: u32 = tChild(tn, 0);             // all slots empty: every one holds the cover of tn's range
  let ci: u32 = 0;
  for (let i: u32 = 0; i < len; i++) {
    const x = tChild(tn, i);
    if (occupied(x)) { c = x; ci = i; break; }
  }
  const tp = tParent(tn);
  // a word moving to a slot with fewer key bits (or to the root) may have to become a record
  if (isLeafWord(c) && (tp == 0 || wPlen(c) > KEYLENGTH - tPos(tp))) c = materialize(t, tn, ci);
  putChildRoot(t, tp, tKey(tn), c);
  setParent(c, tp);
  tnodeFree(t, tn);
  addStat(t, T_COLLAPSES, 1);
  return c;
}

/** Resize one tnode; returns its parent (0 at the root) so callers can walk up (kernel resize()). */
function resize(t: u32, tn: u32): u32 {
  const tp = tParent(tn);
  const root = tp == 0;
  for (let round = 0; round < RESIZE_MAX_ROUNDS; round++) {
    if (shouldInflate(tn, root)) { tn = inflate(t, tn); continue; }
    if (shouldHalve(tn, root)) { tn = halve(t, tn); continue; }
    break;
  }
  if (shouldCollapse(tn)) {
    const c = collapse(t, tn);
    if (root && isTnode(c)) resize(t, c);  // a tnode that becomes the root gets the root thresholds
  }
  return tp;
}

function rebalance(t: u32, tn: u32): void {
  while (tn != 0) tn = resize(t, tn);
}

// ---- public API ----

/** A new empty trie (handle). */
export function trieNew(): u32 {
  const t = <u32>heap.alloc(T_SIZE);       // one per table, created on the control path
  memory.fill(<usize>t, 0, T_SIZE);
  return t;
}

/** Find the leaf with exactly this key; returns its slot contents or 0 (findParent/findIdx: its slot). */
let findParent: u32 = 0;
let findIdx: u32 = 0;
function findLeaf(t: u32, key: u32): u32 {
  let tp: u32 = 0;
  let i: u32 = 0;
  let n = load<u32>(t + T_ROOT);
  while (isTnode(n)) {
    i = (key ^ tKey(n)) >> tPos(n);
    if (i >> tBits(n) != 0) return 0;
    tp = n;
    n = tChild(n, i);
  }
  findParent = tp;
  findIdx = i;
  if (!isLeaf(n) || childKey(tp, i, n) != key) return 0;
  return n;
}

/**
 * Insert or replace the value (1..TRIE_VALUE_MAX) of prefix key/plen. Returns the previous value for
 * that exact prefix (0 if it is new), or TRIE_EINVAL for a value or length out of range (nothing
 * changes). key must have its host bits clear (they are cleared here anyway).
 */
export function trieInsert(t: u32, key: u32, plen: i32, value: u32): u32 {
  const p = <u32>plen;
  if (value == 0 || value > TRIE_VALUE_MAX || p > KEYLENGTH) return TRIE_EINVAL;
  key &= prefixMask(p);
  let tp: u32 = 0;
  let ti: u32 = 0;
  let n = load<u32>(t + T_ROOT);
  while (isTnode(n)) {
    const idx = (key ^ tKey(n)) >> tPos(n);
    if (idx >> tBits(n) != 0) break;      // skipped bits differ: split above n
    tp = n;
    ti = idx;
    n = tChild(n, idx);
  }
  if (isLeaf(n) && childKey(tp, ti, n) == key) {
    // same network key: add (or replace) a prefix length in this leaf
    if (isLeafWord(n)) {
      if (wPlen(n) == p) {
        store<u32>(tChildAddr(tp, ti), value << 8 | p << 2 | 3);
        rgRun(t, RG_REPLACE, key, p, value << 8 | p << 2 | 2);
        return wValue(n);
      }
      n = materialize(t, tp, ti);
    }
    const h = n & ~3;
    const ex = leafFind(h, p);
    if (ex != 0) {
      const old = rValue(ex);
      store<u32>(ex, value << 8 | p << 2, 4);
      rgRun(t, RG_REPLACE, key, p, rWord(ex));
      return old;
    }
    const r = recNew(t, key, p, value);
    if (rPlen(h) < p) {                    // new first record: the slot points at it
      rSetNext(r, h);
      putChildRoot(t, tp, key, r | 1);
    } else {
      let q = h;                           // after the last longer record of this key
      while (true) {
        const nx = rNext(q);
        if (!isRec(nx) || rPlen(nx) < p) break;
        q = nx;
      }
      rSetNext(r, rNext(q));
      rSetNext(q, r);
    }
    pushSuffix(tp, KEYLENGTH - p);
    addStat(t, T_COUNT, 1);
    rgRun(t, RG_INSERT, key, p, rWord(r));
    return 0;
  }
  const r = recNew(t, key, p, value);
  addStat(t, T_LEAVES, 1);
  if (occupied(n)) {
    // n (leaf or tnode) differs from key above its index bits: new one-bit node at the highest differing bit
    const pos = 31 - clz(key ^ childKey(tp, ti, n));
    const tn = tnodeNew(t, key, pos, 1);
    tSetParent(tn, tp);
    putChild(tn, ((key >> pos) & 1) ^ 1, n);
    setParent(n, tn);
    tSetSlen(tn, max(pos, nodeSlen(n)));
    putChildRoot(t, tp, key, tn);
    putChild(tn, (key >> pos) & 1, r | 1);
    pushSuffix(tn, KEYLENGTH - p);
    rSetNext(r, coverOf(t, key & prefixMask(KEYLENGTH - pos), <i32>(KEYLENGTH - pos), r));
    if (tp == 0 && isTnode(n)) resize(t, n);   // the old root now has the non-root thresholds
    tp = tn;
  } else {
    rSetNext(r, n);                        // the empty slot's cover word is the cover of its range
    putChildRoot(t, tp, key, r | 1);
    pushSuffix(tp, KEYLENGTH - p);
  }
  addStat(t, T_COUNT, 1);
  rgRun(t, RG_INSERT, key, p, rWord(r));
  rebalance(t, tp);
  return 0;
}

/** Value of the exact prefix key/plen, or 0. */
export function trieGet(t: u32, key: u32, plen: i32): u32 {
  const p = <u32>plen;
  if (p > KEYLENGTH) return 0;
  key &= prefixMask(p);
  const c = findLeaf(t, key);
  if (isLeafWord(c)) return wPlen(c) == p ? wValue(c) : 0;
  if (c == 0) return 0;
  const r = leafFind(c & ~3, p);
  return r != 0 ? rValue(r) : 0;
}

/** Remove the exact prefix key/plen; returns its value, or 0 if it was absent. */
export function trieDelete(t: u32, key: u32, plen: i32): u32 {
  const p = <u32>plen;
  if (p > KEYLENGTH) return 0;
  key &= prefixMask(p);
  const c = findLeaf(t, key);
  if (c == 0) return 0;
  const tp = findParent;
  if (isLeafWord(c)) {
    if (wPlen(c) != p) return 0;
    // the slot becomes empty: its cover is the longest shorter prefix containing the key
    const nc = coverOf(t, key, <i32>p - 1, 0);
    putChild(tp, findIdx, nc);
    addStat(t, T_COUNT, -1);
    addStat(t, T_LEAVES, -1);
    rgRun(t, RG_REPLACE, key, p, nc);
    pullSuffix(tp);
    rebalance(t, tp);
    return wValue(c);
  }
  const h = c & ~3;
  const r = leafFind(h, p);
  if (r == 0) return 0;
  const old = rValue(r);
  addStat(t, T_COUNT, -1);
  const nc = coverOf(t, key, <i32>p - 1, 0);    // what covers p's range once p is gone
  const nx = rNext(r);
  if (r == h) {
    if (isRec(nx)) {
      putChildRoot(t, tp, key, nx | 1);          // the next record becomes the first
    } else {
      // last prefix of this key: the slot becomes empty and keeps the leaf's cover word
      putChildRoot(t, tp, key, tp != 0 ? nx : 0);
      addStat(t, T_LEAVES, -1);
      rgRun(t, RG_REPLACE, key, p, nc);
      recFree(t, r);
      pullSuffix(tp);
      rebalance(t, tp);
      return old;
    }
  } else {
    let q = h;
    while (rNext(q) != r) q = rNext(q);
    rSetNext(q, nx);
  }
  pullSuffix(tp);
  rgRun(t, RG_REPLACE, key, p, nc);
  recFree(t, r);
  return old;
}

// ---- lookup ----

/**
 * Longest-prefix match with backtracking: fn(value, plen) is called for every prefix containing key,
 * longest first, until it returns true; that value is returned (0 if none was accepted).
 * fn may read anything but must not modify this trie.
 */
export function trieLookup(t: u32, key: u32, fn: (value: u32, plen: i32) => bool): u32 {
  return wValue(backtrackLookup(t, key, 1, fn));
}

/**
 * Plain longest-prefix match: the longest prefix containing key as a cover word, or 0. Its value is
 * trieWordValue(w), its length trieWordPlen(w).
 */
export function trieLookupWord(t: u32, key: u32): u32 {
  let c = load<u32>(t + T_ROOT);
  let walk = key;
  while (isTnode(c)) {
    const idx = (walk ^ tKey(c)) >> tPos(c);
    if (idx >> tBits(c) != 0) {
      // skipped bits differ: what contains key lies on c's all-zero path (a leaf keyed like c, then
      // the cover of c's slot), so continue down that path
      walk = tKey(c);
      c = tChild(c, 0);
      continue;
    }
    c = tChild(c, idx);
  }
  if (isLeafRec(c)) return chainWord(c & ~3, key);
  // a leaf word off the key's own path may not contain it, and its slot's cover is not stored
  if (isLeafWord(c) && walk != key && !wordMatch(c, walk, key)) return backtrackLookup(t, key, 0, fnNone);
  return c & ~1;                                     // a leaf word, or an empty slot's cover word
}

// @ts-ignore: decorator
@inline export function trieWordValue(w: u32): u32 { return wValue(w); }
// @ts-ignore: decorator
@inline export function trieWordPlen(w: u32): i32 { return <i32>wPlen(w); }

/** Plain longest-prefix match: the value of the longest prefix containing key, or 0. */
export function trieLookupLongest(t: u32, key: u32): u32 { return wValue(trieLookupWord(t, key)); }

// Batched lookups go breadth first: each pass is a loop over the keys still in flight, and the loops
// that load from far memory (root slots, tnode headers with their child slot, prefix records) do
// nothing else: no branch and no list append depends on what they load, so the cache and TLB misses
// of many keys overlap (a mispredicted branch or a store waiting on a miss would stall the others).
// Separate loops over the loaded words, which are in cache by then, sort the keys: answered by an
// empty slot's cover word or a leaf word, on to the next tnode level, or to a leaf's records.
const BATCH: u32 = 1024;
const bSlot = <u32>memory.data(<i32>(BATCH << 2));   // slot value reached by each key
const bWork = <u32>memory.data(<i32>(BATCH << 2));   // keys still at a tnode
const bWork2 = <u32>memory.data(<i32>(BATCH << 2));
const bLeaf = <u32>memory.data(<i32>(BATCH << 2));   // keys that reached a record leaf
const bWalk = <u32>memory.data(<i32>(BATCH << 2));   // key that steers the descent (see trieLookupWord)
const bMis = <u32>memory.data(<i32>(BATCH << 2));    // keys whose walk left them (skipped bits differ)
const bHdr = <u32>memory.data(<i32>(BATCH << 3));    // tnode headers (key, pos, bits) of the keys at a level

// @ts-ignore: decorator
@inline function leafValue(r: u32, key: u32): u32 {
  if (rMatch(r, key)) return rValue(r);
  const nx = rNext(r);
  return wValue(isRec(nx) ? chainWord(nx, key) : nx);
}

/** Key i of a batch. */
// @ts-ignore: decorator
@inline function keyAt(kb: u32, i: u32): u32 { return load<u32>(kb + (i << 2)); }

// @ts-ignore: decorator
@inline function lookupChunk(t: u32, kb: u32, ob: u32, m: u32): void {
  const root = load<u32>(t + T_ROOT);
  if (!isTnode(root)) {
    for (let i: u32 = 0; i < m; i++) {
      store<u32>(ob + (i << 2), isLeaf(root) ? leafValue(root & ~3, keyAt(kb, i)) : 0);
    }
    return;
  }
  const rk = tKey(root), rp = tPos(root), rb = tBits(root);
  for (let i: u32 = 0; i < m; i++) {
    const x = (keyAt(kb, i) ^ rk) >> rp;
    store<u32>(bSlot + (i << 2), tChild(root, select<u32>(x, 0, (x >> rb) == 0)));   // else: all-zero path
  }
  let nW: u32 = 0;
  let nL: u32 = 0;
  let nM: u32 = 0;
  for (let i: u32 = 0; i < m; i++) {
    const c = load<u32>(bSlot + (i << 2));
    store<u32>(ob + (i << 2), select<u32>(c >> 8, 0, (c & 2) != 0));
    store<u32>(bWork + (nW << 2), i); nW += <u32>isTnode(c);
    store<u32>(bLeaf + (nL << 2), i); nL += <u32>isLeafRec(c);
  }
  if (rp + rb == KEYLENGTH) {                          // the root skips no bits: every walk is its key
    for (let j: u32 = 0; j < nW; j++) {
      const i = load<u32>(bWork + (j << 2));
      store<u32>(bWalk + (i << 2), keyAt(kb, i));
    }
  } else {
    for (let i: u32 = 0; i < m; i++) {
      const key = keyAt(kb, i);
      const ok = (((key ^ rk) >> rp) >> rb) == 0;
      store<u32>(bWalk + (i << 2), select<u32>(key, rk, ok));
      if (!ok) { store<u32>(bMis + (nM << 2), i); nM++; }
    }
  }
  let w = bWork, w2 = bWork2;
  while (nW != 0) {
    // one tnode level: the headers (a loop of little more than the loads, so that many are in
    // flight), the child slot addresses, then the child slots
    for (let j: u32 = 0; j < nW; j++) {
      store<u64>(bHdr + (j << 3), load<u64>(load<u32>(bSlot + (load<u32>(w + (j << 2)) << 2))));
    }
    for (let j: u32 = 0; j < nW; j++) {
      const i = load<u32>(w + (j << 2));
      const wk = load<u32>(bWalk + (i << 2));
      const h = load<u64>(bHdr + (j << 3));        // [key u32][pos u8][bits u8]...
      const ck = <u32>h;
      const idx = (wk ^ ck) >> (<u32>(h >> 32) & 0xFF);
      const ok = (idx >> (<u32>(h >> 40) & 0xFF)) == 0;
      if (!ok) {                                      // rare, so predicted
        if (wk == keyAt(kb, i)) { store<u32>(bMis + (nM << 2), i); nM++; }   // its first
        store<u32>(bWalk + (i << 2), ck);
      }
      const a = bSlot + (i << 2);
      store<u32>(a, tChildAddr(load<u32>(a), select<u32>(idx, 0, ok)));
    }
    for (let j: u32 = 0; j < nW; j++) {
      const a = bSlot + (load<u32>(w + (j << 2)) << 2);
      store<u32>(a, load<u32>(load<u32>(a)));
    }
    let n2: u32 = 0;
    for (let j: u32 = 0; j < nW; j++) {
      const i = load<u32>(w + (j << 2));
      const nx = load<u32>(bSlot + (i << 2));
      store<u32>(ob + (i << 2), select<u32>(nx >> 8, 0, (nx & 2) != 0));
      store<u32>(w2 + (n2 << 2), i); n2 += <u32>isTnode(nx);
      store<u32>(bLeaf + (nL << 2), i); nL += <u32>isLeafRec(nx);
    }
    nW = n2;
    const sw = w; w = w2; w2 = sw;
  }
  // records: the first decides, or the cover word after it when it is the only one
  for (let j: u32 = 0; j < nL; j++) {
    const i = load<u32>(bLeaf + (j << 2));
    const r = load<u32>(bSlot + (i << 2)) & ~3;
    const rw = load<u32>(r, 4);
    const hit = ((keyAt(kb, i) ^ rKey(r)) & prefixMask(wPlen(rw))) == 0;
    store<u32>(ob + (i << 2), select<u32>(rw, rNext(r), hit) >> 8);
  }
  for (let j: u32 = 0; j < nL; j++) {                 // leaves with more records (now in cache)
    const i = load<u32>(bLeaf + (j << 2));
    const r = load<u32>(bSlot + (i << 2)) & ~3;
    if (isRec(rNext(r))) store<u32>(ob + (i << 2), wValue(chainWord(r, keyAt(kb, i))));
  }
  // keys that left their own path and ended at a leaf word: as in trieLookupWord
  for (let j: u32 = 0; j < nM; j++) {
    const i = load<u32>(bMis + (j << 2));
    const c = load<u32>(bSlot + (i << 2));
    const key = keyAt(kb, i);
    if (isLeafWord(c) && !wordMatch(c, load<u32>(bWalk + (i << 2)), key)) {
      store<u32>(ob + (i << 2), wValue(backtrackLookup(t, key, 0, fnNone)));
    }
  }
}

/** n host-order u32 keys at `keys` -> n u32 LPM values at `out` (0 = no route). */
export function trieLookupBatch(t: u32, keys: usize, out: usize, n: i32): void {
  for (let i: u32 = 0; i < <u32>n; i += BATCH) lookupChunk(t, <u32>keys + (i << 2), <u32>out + (i << 2), min(BATCH, <u32>n - i));
}

const bHost = <u32>memory.data(<i32>(BATCH << 2));   // trieLookupBatchNet's keys in host order

/** trieLookupBatch for network-order keys (addresses as they come from packets). */
export function trieLookupBatchNet(t: u32, keys: usize, out: usize, n: i32): void {
  for (let i: u32 = 0; i < <u32>n; i += BATCH) {
    const kb = <u32>keys + (i << 2);
    const m = min(BATCH, <u32>n - i);
    let j: u32 = 0;
    for (; j + 4 <= m; j += 4) {                     // four byte swaps per shuffle
      const v = v128.load(kb + (j << 2));
      v128.store(bHost + (j << 2), i8x16.shuffle(v, v, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12));
    }
    for (; j < m; j++) store<u32>(bHost + (j << 2), bswap<u32>(load<u32>(kb + (j << 2))));
    lookupChunk(t, bHost, <u32>out + (i << 2), m);
  }
}

// ---- walk ----

let walkFn: (key: u32, plen: i32, value: u32) => bool = walkNone;
function walkNone(key: u32, plen: i32, value: u32): bool { return false; }

/** In-order walk of c's subtree; with resume, skip everything up to and including (fromKey, fromPlen). */
function walkNode(c: u32, fromKey: u32, fromPlen: u32, resume: bool): bool {
  if (isLeaf(c)) {
    const h = c & ~3;
    const key = rKey(h);
    if (resume && key < fromKey) return true;
    const fn = walkFn;
    for (let r = h; r != 0; r = rNextRec(r)) {
      const p = rPlen(r);
      if (resume && key == fromKey && p >= fromPlen) continue;  // plens are descending
      if (!fn(key, <i32>p, rValue(r))) return false;
    }
    return true;
  }
  const pos = tPos(c);
  const bits = tBits(c);
  const len: u32 = 1 << bits;
  let start: u32 = 0;
  if (resume) {
    const hi = pos + bits;
    const nk = <u64>tKey(c) >> hi;
    const fk = <u64>fromKey >> hi;
    if (nk < fk) return true;                 // whole subtree before the cursor
    if (nk > fk) resume = false;              // whole subtree after it
    else start = (fromKey >> pos) & lowMask(bits);
  }
  for (let i = start; i < len; i++) {
    const ch = tChild(c, i);
    if (!occupied(ch)) continue;
    if (isLeafWord(ch)) {
      const key = slotKey(c, i);
      const p = wPlen(ch);
      if (resume && i == start && (key < fromKey || (key == fromKey && p >= fromPlen))) continue;
      if (!walkFn(key, <i32>p, wValue(ch))) return false;
      continue;
    }
    if (!walkNode(ch, fromKey, fromPlen, resume && i == start)) return false;
  }
  return true;
}

/**
 * Visit every prefix in dump order (key ascending, then prefix length descending, as Linux dumps a
 * table), calling fn(key, plen, value) until it returns false. With fromPlen >= 0 the walk starts
 * strictly after (fromKey, fromPlen) in that order (a dump cursor). fn must not modify the trie.
 */
export function trieWalk(t: u32, fromKey: u32, fromPlen: i32, fn: (key: u32, plen: i32, value: u32) => bool): void {
  const root = load<u32>(t + T_ROOT);
  if (!occupied(root)) return;
  const saved = walkFn;
  walkFn = fn;
  walkNode(root, fromKey, fromPlen < 0 ? 0 : <u32>fromPlen, fromPlen >= 0);
  walkFn = saved;
}

export function trieCount(t: u32): u32 { return load<u32>(t + T_COUNT); }

/** Give back the big tnode blocks below c (small blocks go back with the trie's chunks). */
function freeBigNodes(t: u32, c: u32): void {
  if (!isTnode(c)) return;
  const bits = tBits(c);
  const len: u32 = 1 << bits;
  for (let i: u32 = 0; i < len; i++) freeBigNodes(t, tChild(c, i));
  if (TN_HDR + (4 << bits) >= BIG) blockFree(t, c - TN_PRE, TN_HDR + (4 << bits), tnodeClass(bits));
}

/** Drop every prefix (flush the table) and release its memory. The handle stays valid and empty. */
export function trieFree(t: u32): void {
  freeBigNodes(t, load<u32>(t + T_ROOT));
  chunksRelease(load<u32>(t + T_CHUNKS));
  poolReset(t);
  store<u32>(t + T_CHUNK_SHIFT, 0);
  store<u32>(t + T_ROOT, 0);
  store<u32>(t + T_COUNT, 0);
  store<u32>(t + T_LEAVES, 0);
  store<u32>(t + T_TNODES, 0);
  store<u32>(t + T_BYTES, 0);
}

// ---- compaction ----
// Inserts arrive in any order, so nodes end up scattered over the trie's chunks and a lookup touches
// a different 4 KiB page at every step; with random destinations the data path then waits on page
// walks more than on anything else. trieCompact copies the trie into fresh chunks in depth-first
// order, each tnode followed by the records of its leaves, then releases the old chunks. A record is
// referenced only by its leaf's slot and the record before it (covers are words, not pointers), so
// the copy needs no second pass. A leaf with one prefix that fits its slot becomes a leaf word.

function cpLeaf(t: u32, h: u32): u32 {
  let first: u32 = 0;
  let prev: u32 = 0;
  for (let r = h; r != 0; r = rNextRec(r)) {
    const nr = blockAlloc(t, REC_SIZE, CLASS_REC);
    memory.copy(<usize>nr, <usize>r, REC_SIZE);
    if (prev != 0) rSetNext(prev, nr); else first = nr;
    prev = nr;
  }
  return first;
}

function cpNode(t: u32, n: u32, parent: u32): u32 {
  const bits = tBits(n);
  const size = TN_HDR + (4 << bits);
  let nb = n;                                // big blocks stay where they are
  if (size < BIG) {
    nb = blockAlloc(t, size, tnodeClass(bits)) + TN_PRE;
    memory.copy(<usize>nb - TN_PRE, <usize>n - TN_PRE, size);
  }
  tSetParent(nb, parent);
  const len: u32 = 1 << bits;
  for (let i: u32 = 0; i < len; i++) {
    const c = tChild(n, i);
    if (!isLeafRec(c)) continue;
    const h = c & ~3;
    if (!isRec(rNext(h)) && rPlen(h) <= KEYLENGTH - tPos(n)) {
      store<u32>(tChildAddr(nb, i), load<u32>(h, 4) | 3);
      addStat(t, T_BYTES, -<i32>REC_SIZE);
    } else store<u32>(tChildAddr(nb, i), cpLeaf(t, h) | 1);
  }
  for (let i: u32 = 0; i < len; i++) {
    const c = tChild(nb, i);
    if (isTnode(c)) store<u32>(tChildAddr(nb, i), cpNode(t, c, nb));
  }
  return nb;
}

/**
 * Relayout the trie for lookup locality (control path; about 0.2 us per prefix; needs the trie's
 * size in spare chunks while it runs). Call it after bulk loads, e.g. when a batch of route
 * additions ends. Lookups are correct at any time; compaction only makes them faster.
 */
export function trieCompact(t: u32): void {
  const root = load<u32>(t + T_ROOT);
  if (!occupied(root)) return;
  const old = load<u32>(t + T_CHUNKS);
  poolReset(t);
  // start with chunks large enough for the whole trie at once
  let shift = CHUNK_MIN_SHIFT;
  while (shift < CHUNK_MAX_SHIFT && (<u32>1 << shift) < load<u32>(t + T_BYTES)) shift++;
  store<u32>(t + T_CHUNK_SHIFT, shift - 1);
  store<u32>(t + T_ROOT, isLeaf(root) ? cpLeaf(t, root & ~3) | 1 : cpNode(t, root, 0));
  chunksRelease(old);
  addStat(t, T_COMPACTIONS, 1);
}

/** Bytes used by this trie's nodes (tnodes and prefix records; not the handle or pool slack). */
export function trieMemoryBytes(t: u32): u32 { return load<u32>(t + T_BYTES); }

// ---- checking and statistics ----

let chkPrefixes: u32 = 0;
let chkLeaves: u32 = 0;
let chkWords: u32 = 0;
let chkTnodes: u32 = 0;
let chkBytes: u32 = 0;
let chkDepthMax: u32 = 0;
let chkDepthSum: u64 = 0;
let chkCovers = true;
let chkTrie: u32 = 0;

/** Check the slot contents c (key range rk/m) below parent tp (0 = root); 0 or the first violation code. */
function checkNode(c: u32, tp: u32, depth: u32, rk: u32, m: u32): i32 {
  if (!occupied(c)) {
    if (chkCovers && coverOf(chkTrie, rk, <i32>m, 0) != c) return 12;   // wrong cover word
    return 0;
  }
  if (isLeafWord(c)) {
    if (tp == 0) return 25;                                           // a word at the root
    const p = wPlen(c);
    if (p > m) return 26;                                             // longer than its slot's key bits
    if (wValue(c) == 0) return 22;
    if ((rk & lowMask(KEYLENGTH - p)) != 0) return 23;
    chkPrefixes++;
    chkLeaves++;
    chkWords++;
    if (depth > chkDepthMax) chkDepthMax = depth;
    chkDepthSum += depth;
    return 0;
  }
  if (isLeaf(c)) {
    const h = c & ~3;
    const key = rKey(h);
    let prev: u32 = 33;
    let r = h;
    let tail = h;
    for (; r != 0; r = rNextRec(r)) {
      const p = rPlen(r);
      if (p >= prev) return 21;                                       // plens not strictly descending
      prev = p;
      if (rValue(r) == 0) return 22;                                  // zero value
      if (rKey(r) != key) return 24;                                  // another key in the leaf
      if ((key & lowMask(KEYLENGTH - p)) != 0) return 23;             // host bits set in the key
      chkPrefixes++;
      chkBytes += REC_SIZE;
      tail = r;
    }
    if (chkCovers && coverOf(chkTrie, rk, <i32>m, h) != rNext(tail)) return 13;  // wrong leaf cover
    chkLeaves++;
    if (depth > chkDepthMax) chkDepthMax = depth;
    chkDepthSum += depth;
    return 0;
  }
  const pos = tPos(c);
  const bits = tBits(c);
  if (bits == 0 || bits > TNODE_MAX_BITS || pos + bits > KEYLENGTH) return 1;   // bad pos/bits
  if (tp != 0 && pos + bits > tPos(tp)) return 2;                  // overlaps the parent's index bits
  if ((tKey(c) & lowMask(pos + bits)) != 0) return 3;              // key bits below pos+bits set
  if (tParent(c) != tp) return 4;                                  // parent pointer
  const len: u32 = 1 << bits;
  let empty: u32 = 0;
  let full: u32 = 0;
  let slen = pos;
  for (let i: u32 = 0; i < len; i++) {
    const ch = tChild(c, i);
    if (!occupied(ch)) { empty++; continue; }
    const k = childKey(c, i, ch);
    if (((k ^ tKey(c)) >> pos) != i) return 5;                     // child key outside this slot's prefix
    if (isFullChild(c, ch)) full++;
    const s = nodeSlen(ch);
    if (s > slen) slen = s;
  }
  if (empty != tEmpty(c)) return 6;                                // empty_children count
  if (full != tFull(c)) return 7;                                  // full_children count
  if (len - empty < 2) return 8;                                   // fewer than two children
  if (slen != tSlen(c)) return 9;                                  // slen
  if (shouldInflate(c, tp == 0)) return 10;                        // inflate threshold violated
  if (shouldHalve(c, tp == 0)) return 11;                          // halve threshold violated
  chkTnodes++;
  chkBytes += TN_HDR + (4 << bits);
  for (let i: u32 = 0; i < len; i++) {
    const r = checkNode(tChild(c, i), c, depth + 1, tKey(c) | (i << pos), KEYLENGTH - pos);
    if (r != 0) return r;
  }
  return 0;
}

function checkAll(t: u32, covers: bool): i32 {
  chkPrefixes = 0; chkLeaves = 0; chkWords = 0; chkTnodes = 0; chkBytes = 0; chkDepthMax = 0; chkDepthSum = 0;
  chkCovers = covers; chkTrie = t;
  const root = load<u32>(t + T_ROOT);
  if (!occupied(root)) {
    if (root != 0) return 12;
    return load<u32>(t + T_COUNT) != 0 || load<u32>(t + T_LEAVES) != 0 || load<u32>(t + T_TNODES) != 0 ? 30 : 0;
  }
  const r = checkNode(root, 0, 0, 0, 0);
  if (r != 0) return r;
  if (chkPrefixes != load<u32>(t + T_COUNT)) return 31;            // prefix count
  if (chkLeaves != load<u32>(t + T_LEAVES)) return 32;             // leaf count
  if (chkTnodes != load<u32>(t + T_TNODES)) return 33;             // tnode count
  if (chkBytes != load<u32>(t + T_BYTES)) return 34;               // byte count
  return 0;
}

/**
 * Invariant checker (for specs): 0 = ok, else the code of the first violation:
 * 1 pos/bits out of range, 2 index bits overlap the parent's, 3 key bits set below pos+bits, 4 parent
 * pointer, 5 child key outside its slot's prefix, 6 empty count, 7 full count, 8 tnode with < 2
 * children, 9 slen, 10 inflate threshold, 11 halve threshold, 12 cover word of an empty slot, 13 leaf
 * cover, 21-24 leaf records (plen order, zero value, host bits, key), 25-26 leaf words (at the root,
 * longer than the slot's key bits), 30-34 trie totals (prefixes,
 * leaves, tnodes, bytes). Cover checks run the general lookup per slot: O(slots * depth).
 */
export function trieCheck(t: u32): i32 { return checkAll(t, true); }

export const TRIE_STAT_PREFIXES = 0;
export const TRIE_STAT_LEAVES = 1;
export const TRIE_STAT_TNODES = 2;
export const TRIE_STAT_BYTES = 3;
export const TRIE_STAT_INFLATES = 4;
export const TRIE_STAT_HALVES = 5;
export const TRIE_STAT_COLLAPSES = 6;
export const TRIE_STAT_ROOT_BITS = 7;
export const TRIE_STAT_MAX_DEPTH = 8;
export const TRIE_STAT_AVG_DEPTH_X100 = 9;
export const TRIE_STAT_POOL_BYTES = 10;
export const TRIE_STAT_COMPACTIONS = 11;
export const TRIE_STAT_LEAF_WORDS = 12;

/** Statistics (like /proc/net/fib_triestat). Depth figures walk the whole trie. */
export function trieStat(t: u32, id: i32): u32 {
  switch (id) {
    case TRIE_STAT_PREFIXES: return load<u32>(t + T_COUNT);
    case TRIE_STAT_LEAVES: return load<u32>(t + T_LEAVES);
    case TRIE_STAT_TNODES: return load<u32>(t + T_TNODES);
    case TRIE_STAT_BYTES: return load<u32>(t + T_BYTES);
    case TRIE_STAT_INFLATES: return load<u32>(t + T_INFLATES);
    case TRIE_STAT_HALVES: return load<u32>(t + T_HALVES);
    case TRIE_STAT_COLLAPSES: return load<u32>(t + T_COLLAPSES);
    case TRIE_STAT_ROOT_BITS: {
      const r = load<u32>(t + T_ROOT);
      return isTnode(r) ? tBits(r) : 0;
    }
    case TRIE_STAT_MAX_DEPTH: { checkAll(t, false); return chkDepthMax; }
    case TRIE_STAT_AVG_DEPTH_X100: { checkAll(t, false); return chkLeaves == 0 ? 0 : <u32>(chkDepthSum * 100 / chkLeaves); }
    case TRIE_STAT_POOL_BYTES: return poolBytes;
    case TRIE_STAT_COMPACTIONS: return load<u32>(t + T_COMPACTIONS);
    case TRIE_STAT_LEAF_WORDS: { checkAll(t, false); return chkWords; }
  }
  return 0;
}

// ---- batch helpers for benchmarks and the reference check (bench/) ----

/** Insert n prefixes (u32 keys, u8 plens, u32 values); returns how many were new. */
export function trieInsertBatch(t: u32, keys: usize, plens: usize, values: usize, n: i32): i32 {
  let added = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    if (trieInsert(t, load<u32>(keys + o), load<u8>(plens + <usize>i), load<u32>(values + o)) == 0) added++;
  }
  return added;
}

/** Delete n prefixes; returns how many were present. */
export function trieDeleteBatch(t: u32, keys: usize, plens: usize, n: i32): i32 {
  let removed = 0;
  for (let i = 0; i < n; i++) {
    if (trieDelete(t, load<u32>(keys + (<usize>i << 2)), load<u8>(plens + <usize>i)) != 0) removed++;
  }
  return removed;
}

/** Route churn: for each prefix, insert it (value) and delete it again. */
export function trieChurnBatch(t: u32, keys: usize, plens: usize, value: u32, n: i32): void {
  for (let i = 0; i < n; i++) {
    const k = load<u32>(keys + (<usize>i << 2));
    const p = <i32>load<u8>(plens + <usize>i);
    trieInsert(t, k, p, value);
    trieDelete(t, k, p);
  }
}

let rejectModulus: u32 = 1;
function rejectSome(value: u32, plen: i32): bool { return value % rejectModulus != 0; }

/** Backtracking check: trieLookup with an fn that rejects every value divisible by modulus. */
export function trieLookupRejectBatch(t: u32, keys: usize, out: usize, n: i32, modulus: u32): void {
  rejectModulus = modulus == 0 ? 1 : modulus;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<u32>(out + o, trieLookup(t, load<u32>(keys + o), rejectSome));
  }
}

