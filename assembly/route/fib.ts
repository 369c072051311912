// FIB tables, aliases and shared route info (book ch. 5: fib_table, fib_alias, fib_info, fib_nh;
// net/ipv4/fib_frontend.c, fib_semantics.c, fib_trie.c). Behaviour is a current kernel's (6.x):
//
// - Tables by 32-bit id in a 256-bucket hash (FIB_TABLE_HASHSZ), newest first in a bucket, which is
//   also the order a full dump walks them. LOCAL 255, MAIN 254, DEFAULT 253; created on first insert.
// - Each table is an LC-trie (fib_trie.ts) whose value for a prefix is the head of its alias list.
//   The head alias never moves (a removed head takes its successor's content), so a trie value only
//   changes when a prefix appears or disappears.
// - Aliases (fib_alias: tos, type, state) are ordered by TOS descending then priority ascending, as
//   fib_find_alias keeps them; routes that differ only in TOS share one fib_info (deduplicated by
//   fib_find_info on every field: protocol, scope, type, prefsrc, priority, table, metrics, nexthops).
// - Until a custom rule exists the kernel keeps local and main in one trie (fib_new_table with an
//   alias; fib_unmerge splits them). We keep two tries and look both up as the merged trie would:
//   longest prefix over both, local first on equal prefixes, the result reporting table main.
// - Lookup (fib_table_lookup): longest prefix first, backtracking to shorter prefixes when no alias
//   matches (TOS, dead info, scope, dead nexthop, oif); an error type (blackhole, unreachable,
//   prohibit, throw) ends the lookup with its error as soon as an alias passes TOS and scope.
//
// Addresses in configs, infos and results are network order as loaded (first octet in the low byte);
// trie keys are host order (bswap). Control-path objects come from kmem caches below: fixed-size
// blocks carved from heap.alloc'd chunks with free lists, so a long run of adds and deletes reuses
// memory (runtime stub never frees).
import {
  trieNew, trieInsert, trieGet, trieDelete, trieLookup, trieLookupWord, trieWordValue, trieWordPlen, trieLookupBatchNet, trieWalk,
  trieCount, trieCompact, TRIE_VALUE_MAX,
} from "./fib_trie";
import { NetDevice, devGet, IFF_UP, IFF_LOOPBACK } from "../core/netdev";
import { timerAdd, timerMod, timerRegister } from "../core/timer";
import { memCopySmall } from "../core/mem";
import { jiffies } from "../core/dev";
import { ifaFirst, ifaAt, InIfaddr, IFA_F_SECONDARY, inetSelectAddr } from "../ipv4/devinet";
import { fibRebalance, fnheFlushInfo, fnheFlushAll, nhLinkdownIgnored } from "./nexthop";
import { rtmsgFib } from "../netlink/rtnl_route";

// ---- uapi constants (linux/rtnetlink.h) ----
export const RTN_UNSPEC: u8 = 0;
export const RTN_UNICAST: u8 = 1;
export const RTN_LOCAL: u8 = 2;
export const RTN_BROADCAST: u8 = 3;
export const RTN_ANYCAST: u8 = 4;
export const RTN_MULTICAST: u8 = 5;
export const RTN_BLACKHOLE: u8 = 6;
export const RTN_UNREACHABLE: u8 = 7;
export const RTN_PROHIBIT: u8 = 8;
export const RTN_THROW: u8 = 9;
export const RTN_NAT: u8 = 10;
export const RTN_XRESOLVE: u8 = 11;
export const RTN_MAX: u8 = 11;

export const RT_SCOPE_UNIVERSE: u8 = 0;
export const RT_SCOPE_SITE: u8 = 200;
export const RT_SCOPE_LINK: u8 = 253;
export const RT_SCOPE_HOST: u8 = 254;
export const RT_SCOPE_NOWHERE: u8 = 255;

export const RTPROT_UNSPEC: u8 = 0;
export const RTPROT_REDIRECT: u8 = 1;
export const RTPROT_KERNEL: u8 = 2;
export const RTPROT_BOOT: u8 = 3;
export const RTPROT_STATIC: u8 = 4;

export const RT_TABLE_UNSPEC: u32 = 0;
export const RT_TABLE_COMPAT: u32 = 252;
export const RT_TABLE_DEFAULT: u32 = 253;
export const RT_TABLE_MAIN: u32 = 254;
export const RT_TABLE_LOCAL: u32 = 255;

export const RTNH_F_DEAD: u32 = 1;
export const RTNH_F_PERVASIVE: u32 = 2;
export const RTNH_F_ONLINK: u32 = 4;
export const RTNH_F_OFFLOAD: u32 = 8;
export const RTNH_F_LINKDOWN: u32 = 16;
export const RTNH_F_UNRESOLVED: u32 = 32;
export const RTNH_F_TRAP: u32 = 64;
// Flags that do not make two infos different (RTNH_COMPARE_MASK).
const RTNH_COMPARE_MASK: u32 = RTNH_F_DEAD | RTNH_F_LINKDOWN | RTNH_F_OFFLOAD | RTNH_F_TRAP;

export const RTAX_LOCK: u32 = 1;
export const RTAX_MTU: u32 = 2;
export const RTAX_ADVMSS: u32 = 8;
export const RTAX_HOPLIMIT: u32 = 10;
export const RTAX_FEATURES: u32 = 12;
export const RTAX_CC_ALGO: u32 = 16;
export const RTAX_MAX: u32 = 17;       // slots kept per info: RTAX 1..17 at index RTAX-1

export const FA_S_ACCESSED: u8 = 1;

// Lookup flags (fib_table_lookup's fib_flags).
export const FIB_LOOKUP_NOREF: u32 = 1;
export const FIB_LOOKUP_IGNORE_LINKSTATE: u32 = 2;

// errno (positive).
export const ENOENT: i32 = 2;
export const ESRCH: i32 = 3;
export const EAGAIN: i32 = 11;
export const EACCES: i32 = 13;
export const EEXIST: i32 = 17;
export const ENODEV: i32 = 19;
export const EINVAL: i32 = 22;
export const ENETDOWN: i32 = 100;
export const ENETUNREACH: i32 = 101;
export const ENOBUFS: i32 = 105;
export const EHOSTUNREACH: i32 = 113;

/** fib_props[type].error (book Table 5-2; NAT/XRESOLVE are -EINVAL). */
export function fibPropsError(type: u8): i32 {
  switch (type) {
    case RTN_BLACKHOLE: case RTN_NAT: case RTN_XRESOLVE: return -EINVAL;
    case RTN_UNREACHABLE: return -EHOSTUNREACH;
    case RTN_PROHIBIT: return -EACCES;
    case RTN_THROW: return -EAGAIN;
    default: return 0;
  }
}
/** fib_props[type].scope. */
export function fibPropsScope(type: u8): u8 {
  switch (type) {
    case RTN_UNSPEC: case RTN_NAT: case RTN_XRESOLVE: return RT_SCOPE_NOWHERE;
    case RTN_LOCAL: return RT_SCOPE_HOST;
    case RTN_BROADCAST: case RTN_ANYCAST: return RT_SCOPE_LINK;
    default: return RT_SCOPE_UNIVERSE;
  }
}

// ---- kmem caches ----
// Cache descriptor: [objSize u32][freeHead u32][bump u32][bumpEnd u32][live u32]
const KC_CHUNK: u32 = 1 << 20;

function kmemCacheNew(size: u32): usize {
  const c = heap.alloc(20);
  memory.fill(c, 0, 20);
  store<u32>(c, (size + 3) & ~3);
  return c;
}
/** A zeroed object, or 0 (never: heap.alloc traps on exhaustion, as a kernel OOM would stop us). */
function kmemAlloc(c: usize): u32 {
  const size = load<u32>(c);
  let p = load<u32>(c, 4);
  if (p != 0) {
    store<u32>(c, load<u32>(p), 4);
  } else {
    let b = load<u32>(c, 8);
    if (b == 0 || b + size > load<u32>(c, 12)) {
      const chunk = max(KC_CHUNK, size);
      b = <u32>heap.alloc(chunk);
      store<u32>(c, b + chunk, 12);
    }
    p = b;
    store<u32>(c, b + size, 8);
  }
  memory.fill(p, 0, size);
  store<u32>(c, load<u32>(c, 16) + 1, 16);
  return p;
}
function kmemFree(c: usize, p: u32): void {
  store<u32>(p, load<u32>(c, 4));
  store<u32>(c, p, 4);
  store<u32>(c, load<u32>(c, 16) - 1, 16);
}

// ---- fib_info layout (header, then nhs fib_nh) ----
export const FI_HASHNEXT: u32 = 0;   // identity hash chain
export const FI_TREEREF: u32 = 4;    // aliases using it
export const FI_PROTOCOL: u32 = 8;   // u8
export const FI_SCOPE: u32 = 9;      // u8
export const FI_TYPE: u32 = 10;      // u8
export const FI_NHS: u32 = 11;       // u8
export const FI_FLAGS: u32 = 12;     // RTNH_F_DEAD | RTNH_F_LINKDOWN when all nexthops are
export const FI_PREFSRC: u32 = 16;
export const FI_PRIORITY: u32 = 20;
export const FI_METRICS: u32 = 24;   // 0 = all default, else RTAX_MAX u32 at index RTAX-1
export const FI_TABLE: u32 = 28;     // fib_tb_id
export const FI_HASH: u32 = 32;
export const FI_DEAD: u32 = 36;      // u8 fib_dead
export const FI_CLASS: u32 = 37;     // u8 size class
export const FI_MTU_LOCKED: u32 = 38; // u8 (metrics[RTAX_LOCK] & 1 << RTAX_MTU)
export const FI_ALLNEXT: u32 = 40;   // list of every info (fib_sync_down_* scans it)
export const FI_ALLPREV: u32 = 44;
const FI_ALIAS: u32 = 48;            // its shared alias {tos 0, its type} (see aliasShared), or 0
export const FI_HDR: u32 = 52;
// fib_nh
export const NH_GW: u32 = 0;
export const NH_OIF: u32 = 4;
export const NH_FLAGS: u32 = 8;
export const NH_WEIGHT: u32 = 12;    // u16 (rtnh_hops + 1)
export const NH_SCOPE: u32 = 14;     // u8 nh_scope
export const NH_UPPER: u32 = 16;     // i32 upper bound (fib_rebalance), -1 = dead
export const NH_SADDR: u32 = 20;     // nh_saddr cache
export const NH_SADDR_GENID: u32 = 24;
export const NH_FNHE: u32 = 28;      // exceptions kept for this nexthop
export const NH_SIZE: u32 = 32;
export const MAX_NHS: u32 = 64;

// @ts-ignore: decorator
@inline export function fiNh(fi: u32, i: u32): u32 { return fi + FI_HDR + i * NH_SIZE; }
// @ts-ignore: decorator
@inline export function fiNhs(fi: u32): u32 { return <u32>load<u8>(fi, FI_NHS); }
// @ts-ignore: decorator
@inline export function fiMetric(fi: u32, rtax: u32): u32 {
  const m = load<u32>(fi, FI_METRICS);
  return m == 0 ? 0 : load<u32>(m + ((rtax - 1) << 2));
}

// ---- fib_alias: [next u32][info u32][tos u8][type u8][state u8][flags u8][id u32] ----
// A prefix's trie value is the id of its alias list's head (fib_trie values are 24-bit). A list of
// one TOS-0 alias is the info's shared alias (FA_F_SHARED; one per info, immutable, freed with the
// info), so a table of a million routes over a few hundred nexthops holds a few hundred aliases,
// all of them hot in the cache. Any other list has a private head; lists are copied on write.
export const FA_NEXT: u32 = 0;
export const FA_INFO: u32 = 4;
export const FA_TOS: u32 = 8;
export const FA_TYPE: u32 = 9;
export const FA_STATE: u32 = 10;
const FA_FLAGS: u32 = 11;
const FA_ID: u32 = 12;               // heads only
const FA_CONTENT: u32 = 11;          // next, info, tos, type, state: what moves between list blocks
const FA_F_SHARED: u8 = 1;
export const ALIAS_SIZE: u32 = 16;

// ---- fib_table: [id][trie][hashNext][numDefault][count][default][pad x2] ----
export const TB_ID: u32 = 0;
export const TB_TRIE: u32 = 4;
export const TB_NEXT: u32 = 8;
export const TB_NUMDEFAULT: u32 = 12;
export const TB_COUNT: u32 = 16;     // aliases
export const TB_DEFAULT: u32 = 20;   // tb_default (fib_select_default's last choice), -1 none
const TB_COMPACTED: u32 = 24;        // prefixes in the trie at its last trieCompact
const TB_SIZE: u32 = 32;
export const FIB_TABLE_HASHSZ: u32 = 256;

const INFO_HASH_BITS: u32 = 16;
let infoHash: usize = 0;             // u32 heads
let infoAll: u32 = 0;                // head of the all-infos list
let infoCount: u32 = 0;
let aliasCache: usize = 0;
let metricsCache: usize = 0;
let tableCache: usize = 0;
let infoCaches: usize = 0;           // 7 caches: 1, 2, 4, 8, 16, 32, 64 nexthops
let tableHash: usize = 0;            // FIB_TABLE_HASHSZ u32 heads
let scratchInfo: u32 = 0;            // candidate info being built
let fibMainT: u32 = 0;               // net->ipv4.fib_main / fib_default (tables are never freed)
let fibDefaultT: u32 = 0;
let fibLocalT: u32 = 0;
let customRules = false;             // net->ipv4.fib_has_custom_rules
let customLocalRoutes = false;       // net->ipv4.fib_has_custom_local_routes
let genid: u32 = 1;                  // rt_cache_flush generation (nh_saddr, exceptions)
// Which addresses the local table can possibly match: per /16, the count of its prefixes covering
// some of it (a shorter prefix counts in every /16 it covers), and a bit for count != 0, which is
// all the batched lookups read (8 KiB, so it stays in cache). The merged lookup skips the local trie
// elsewhere.
let localC16: usize = 0;             // 65536 u16, by host-order /16
let localBits: usize = 0;            // 65536 bits, by wire-order /16 (see localMayMatch)
let devAddrGenid: u32 = 1;           // net->ipv4.dev_addr_genid

// Alias-list ids (trie values): a two-level table id -> entry, 4096 entries per chunk, ids recycled
// through a free list threaded through the table. Id 0 is never handed out (no route).
// Entry: [head alias u32][fast generation u32][fast gateway u32][fast oif u16][fast type u8][pad].
// The fast fields cache what fibLookupFastBatch writes for a plain flow (the nexthop check_leaf
// takes: its gateway and device, and the route type; type 0 when the list does not settle it) and
// are valid while their generation is fastGen, which every change to aliases, infos or nexthop
// flags moves on (fibFastInvalidate).
const AID_SHIFT: u32 = 12;
const AID_ENTRY_SHIFT: u32 = 4;
const AID_FAST_GEN: u32 = 4;
const AID_FAST_GW: u32 = 8;
const AID_FAST_HI: u32 = 12;         // oif | type << 16: the result's upper half
const aidDir = memory.data(<i32>(((TRIE_VALUE_MAX + 1) >> AID_SHIFT) << 2));
let aidNext: u32 = 1;
let aidFree: u32 = 0;
let fastGen: u32 = 1;

// @ts-ignore: decorator
@inline function aidEntry(id: u32): u32 {
  return load<u32>(aidDir + ((id >> AID_SHIFT) << 2)) + ((id & ((1 << AID_SHIFT) - 1)) << AID_ENTRY_SHIFT);
}
/** The head alias of the list a trie value names (0 for 0). */
// @ts-ignore: decorator
@inline export function fibAlias(id: u32): u32 { return load<u32>(aidEntry(id)); }
/** Cached fast-path answers are stale from now on. */
// @ts-ignore: decorator
@inline function fibFastInvalidate(): void { if (++fastGen == 0) fastGenWrap(); }

/** The generation wrapped: no entry may keep a generation that could come round again. */
function fastGenWrap(): void {
  for (let id: u32 = 0; id < aidNext; id++) store<u32>(aidEntry(id), 0, AID_FAST_GEN);
  fastGen = 1;
}

function aidChunk(id: u32): void {
  const d = aidDir + ((id >> AID_SHIFT) << 2);
  if (load<u32>(d) != 0) return;
  const size: usize = 1 << (AID_SHIFT + AID_ENTRY_SHIFT);
  const chunk = <u32>heap.alloc(size);             // control path; kept for the engine's lifetime
  memory.fill(chunk, 0, size);
  store<u32>(d, chunk);
}

/** A new id naming head fa, or 0 when all 2^24 - 1 are taken. */
function aliasIdNew(fa: u32): u32 {
  let id = aidFree;
  if (id != 0) aidFree = load<u32>(aidEntry(id));
  else {
    if (aidNext > TRIE_VALUE_MAX) return 0;
    id = aidNext++;
    aidChunk(id);
  }
  const e = aidEntry(id);
  store<u32>(e, fa);
  store<u32>(e, 0, AID_FAST_GEN);
  store<u32>(fa, id, FA_ID);
  return id;
}

function aliasIdFree(id: u32): void {
  store<u32>(aidEntry(id), aidFree);
  aidFree = id;
}

export function fibGenid(): u32 { return genid; }
/** rt_cache_flush: cached results (nh_saddr, learned exceptions' bindings) become stale. */
export function rtCacheFlush(): void { genid++; fibFastInvalidate(); }
export function fibHasCustomRules(): bool { return customRules; }
export function fibHasCustomLocalRoutes(): bool { return customLocalRoutes; }
/** fib4_rule_configure / fib4_rule_delete: the first custom rule unmerges local from main. */
export function fibSetCustomRules(): void { customRules = true; }
/** inet_rtm_newroute added an RTN_LOCAL route: source validation can no longer trust addresses alone. */
export function fibSetCustomLocalRoutes(): void { customLocalRoutes = true; }
/** `ip route flush cache`: rt_cache_flush plus fnhe_genid_bump (learned exceptions are forgotten). */
export function fibFlushCache(): void { rtCacheFlush(); fnheFlushAll(); }
export function fibMainTable(): u32 { return fibMainT; }
/** The main table's trie (benchmarks time the trie pass alone next to fibLookupBatch). */
export function fibMainTrie(): u32 { return fibMainT != 0 ? load<u32>(fibMainT, TB_TRIE) : 0; }
export function fibDefaultTable(): u32 { return fibDefaultT; }
export function fibInfoCount(): u32 { return infoCount; }

/** Reset every table, info and alias (a fresh namespace). */
export function fibInit(): void {
  if (infoHash == 0) {
    infoHash = heap.alloc(<usize>4 << INFO_HASH_BITS);
    tableHash = heap.alloc(<usize>FIB_TABLE_HASHSZ << 2);
    aliasCache = kmemCacheNew(ALIAS_SIZE);
    metricsCache = kmemCacheNew(RTAX_MAX << 2);
    tableCache = kmemCacheNew(TB_SIZE);
    infoCaches = heap.alloc(7 << 2);
    for (let i: u32 = 0; i < 7; i++) store<u32>(infoCaches + (i << 2), <u32>kmemCacheNew(FI_HDR + (NH_SIZE << i)));
    scratchInfo = <u32>heap.alloc(FI_HDR + MAX_NHS * NH_SIZE);
    localC16 = heap.alloc(65536 << 1);
    localBits = heap.alloc(65536 >> 3);
  } else {
    // Drop what a previous engine left (tables keep their tries: empty them).
    for (let h: u32 = 0; h < FIB_TABLE_HASHSZ; h++) {
      for (let tb = load<u32>(tableHash + (h << 2)); tb != 0; tb = load<u32>(tb, TB_NEXT)) fibTableFlushAll(tb);
    }
  }
  memory.fill(infoHash, 0, <usize>4 << INFO_HASH_BITS);
  memory.fill(tableHash, 0, <usize>FIB_TABLE_HASHSZ << 2);
  memory.fill(localC16, 0, 65536 << 1);
  memory.fill(localBits, 0, 65536 >> 3);
  infoAll = 0; infoCount = 0;
  fibMainT = 0; fibDefaultT = 0; fibLocalT = 0;
  customRules = false; customLocalRoutes = false;
  genid = 1; devAddrGenid = 1;
  aidChunk(0);                                 // so that fibAlias(0) == 0
  compactTimer = 0;
  timerRegister(TIMER_FIB_COMPACT, fibCompactTimer);
  aidNext = 1; aidFree = 0;                    // every list went with the flush above
}

// ---- tables (fib_new_table / fib_get_table) ----

/** Count a local-table prefix in (d = 1) or out (d = -1) of the local filter. */
function localFilter(tb: u32, key: u32, plen: i32, d: i32): void {
  if (load<u32>(tb, TB_ID) != RT_TABLE_LOCAL) return;
  const first = key >>> 16;
  const end = first + (plen >= 16 ? 1 : 1 << (16 - plen));
  for (let s = first; s < end; s++) {
    const p = localC16 + (<usize>s << 1);
    const c = <i32>load<u16>(p) + d;
    store<u16>(p, <u16>c);
    const w = wire16(s << 16);
    const b = localBits + (<usize>(w >>> 5) << 2);
    const bit: u32 = 1 << (w & 31);
    store<u32>(b, c != 0 ? load<u32>(b) | bit : load<u32>(b) & ~bit);
  }
}

/** Could the local table hold a prefix covering /16 w, indexed in wire order (the low half of a
 * network-order address loaded little-endian, so the batched lookups index it without a swap)? */
// @ts-ignore: decorator
@inline function localMayMatch(w: u32): bool {
  return ((load<u32>(localBits + (<usize>(w >>> 5) << 2)) >>> (w & 31)) & 1) != 0;
}

/** The wire-order /16 index of host-order key (see localMayMatch). */
// @ts-ignore: decorator
@inline function wire16(key: u32): u32 { return (key >>> 24) | ((key >>> 8) & 0xFF00); }

/** fib_get_table: 0 when the table does not exist. */
export function fibGetTable(id: u32): u32 {
  if (id == 0) id = RT_TABLE_MAIN;
  for (let tb = load<u32>(tableHash + ((id & (FIB_TABLE_HASHSZ - 1)) << 2)); tb != 0; tb = load<u32>(tb, TB_NEXT)) {
    if (load<u32>(tb, TB_ID) == id) return tb;
  }
  return 0;
}

/** fib_new_table: find or create (newest first in its hash bucket). Local, unmerged, creates main first. */
export function fibNewTable(id: u32): u32 {
  if (id == 0) id = RT_TABLE_MAIN;
  let tb = fibGetTable(id);
  if (tb != 0) return tb;
  if (id == RT_TABLE_LOCAL && !customRules) fibNewTable(RT_TABLE_MAIN);
  tb = kmemAlloc(tableCache);
  store<u32>(tb, id, TB_ID);
  store<u32>(tb, trieNew(), TB_TRIE);
  store<i32>(tb, -1, TB_DEFAULT);
  const h = tableHash + ((id & (FIB_TABLE_HASHSZ - 1)) << 2);
  store<u32>(tb, load<u32>(h), TB_NEXT);
  store<u32>(h, tb);
  if (id == RT_TABLE_MAIN) fibMainT = tb;
  else if (id == RT_TABLE_DEFAULT) fibDefaultT = tb;
  else if (id == RT_TABLE_LOCAL) fibLocalT = tb;
  return tb;
}

/** Table at position `bucket`/`e` of the hash walk (dump order), 0 past the end of that bucket. */
export function fibTableAt(bucket: u32, e: u32): u32 {
  let tb = load<u32>(tableHash + (bucket << 2));
  for (let i: u32 = 0; i < e && tb != 0; i++) tb = load<u32>(tb, TB_NEXT);
  return tb;
}

/** fib_empty_table: the first unused id 1..RT_TABLE_MAX for a rule without a table (0 if none). */
export function fibEmptyTable(): u32 {
  for (let id: u32 = 1; id != 0; id++) {
    if (fibGetTable(id) == 0) { fibNewTable(id); return id; }
    if (id > 0x10000) break;
  }
  return 0;
}

// ---- fib_config: what a route request (or fib_magic) asks for ----
@unmanaged export class FibConfig {
  dst: u32;          // network order
  dstLen: u8;
  tos: u8;
  type: u8;
  scope: u8;
  protocol: u8;
  pad0: u8;
  pad1: u16;
  table: u32;
  flags: u32;        // rtm_flags
  nlflags: u32;      // NLM_F_*
  oif: u32;
  gw: u32;
  priority: u32;
  prefsrc: u32;
  mx: u32;           // RTA_METRICS payload (nested attributes) and its length
  mxLen: u32;
  mp: u32;           // RTA_MULTIPATH payload (rtnexthop list) and its length
  mpLen: u32;
  portid: u32;       // nl_info of the request (notifications)
  seq: u32;
  hasGw: u8;
  pad2: u8;
  pad3: u16;
}
export const fibCfg = changetype<FibConfig>(memory.data(offsetof<FibConfig>()));

export function fibConfigReset(c: FibConfig): void { memory.fill(changetype<usize>(c), 0, offsetof<FibConfig>()); }

// ---- the lookup key and result (flowi4, fib_result) ----
@unmanaged export class Flowi4 {
  daddr: u32;
  saddr: u32;
  oif: u32;
  iif: u32;
  mark: u32;
  uid: u32;
  tos: u8;
  scope: u8;
  proto: u8;
  flags: u8;
  sport: u16;        // host order
  dport: u16;
}
@unmanaged export class FibResult {
  prefix: u32;       // host-order key of the matched prefix
  prefixlen: u8;
  nhSel: u8;
  type: u8;
  scope: u8;
  info: u32;
  table: u32;        // the fib_table (address) the lookup ran in, 0 = none
  alias: u32;        // head of the matched prefix's alias list (fa_head)
  tableId: u32;      // id to report (res.table->tb_id)
  tos: u8;           // tos of the matched alias (res.dscp)
  pad0: u8;
  pad1: u16;
}

// Lookup state shared with the trie callback (no closures in AssemblyScript).
let lkTos: u8 = 0;
let lkScope: u8 = 0;
let lkOif: u32 = 0;
let lkFlags: u32 = 0;
let lkRes: FibResult = changetype<FibResult>(0);
let lkErr: i32 = 0;
let lkStopBelow: i32 = -1;           // merged lookup: main's candidates at or under this length lose
let lkLost = false;

// @ts-ignore: decorator
@inline function prefixMaskH(plen: u32): u32 { return plen == 0 ? 0 : <u32>(0xFFFFFFFF << (32 - plen)); }

/** fib_lookup_good_nhc for nexthop nh of an info. */
// @ts-ignore: decorator
@inline function goodNh(nh: u32): bool {
  if ((load<u32>(nh, NH_FLAGS) & RTNH_F_DEAD) != 0) return false;
  if ((lkFlags & FIB_LOOKUP_IGNORE_LINKSTATE) == 0 && nhLinkdownIgnored(nh)) return false;
  if (lkOif != 0 && lkOif != load<u32>(nh, NH_OIF)) return false;
  return true;
}

/** check_leaf for one prefix: its aliases in order. */
function checkLeaf(value: u32, plen: i32): bool {
  if (plen <= lkStopBelow) { lkLost = true; return true; }
  const head = fibAlias(value);
  for (let fa = head; fa != 0; fa = load<u32>(fa, FA_NEXT)) {
    const tos = load<u8>(fa, FA_TOS);
    if (tos != 0 && tos != (lkTos & 0x1C)) continue;   // fib_dscp_masked_match: the legacy TOS bits
    const fi = load<u32>(fa, FA_INFO);
    if (load<u8>(fi, FI_DEAD) != 0) continue;
    if (load<u8>(fi, FI_SCOPE) < lkScope) continue;
    const st = load<u8>(fa, FA_STATE);
    if ((st & FA_S_ACCESSED) == 0) store<u8>(fa, st | FA_S_ACCESSED, FA_STATE);   // no write to a hot line per lookup
    const type = load<u8>(fa, FA_TYPE);
    const err = fibPropsError(type);
    if (err < 0) {
      lkErr = err;
      lkRes.prefixlen = <u8>plen; lkRes.type = type; lkRes.info = fi; lkRes.alias = head;
      lkRes.scope = load<u8>(fi, FI_SCOPE); lkRes.nhSel = 0; lkRes.tos = tos;
      return true;
    }
    if ((load<u32>(fi, FI_FLAGS) & RTNH_F_DEAD) != 0) continue;
    const n = fiNhs(fi);
    for (let i: u32 = 0; i < n; i++) {
      if (!goodNh(fiNh(fi, i))) continue;
      lkErr = 0;
      lkRes.prefixlen = <u8>plen; lkRes.nhSel = <u8>i; lkRes.type = type; lkRes.scope = load<u8>(fi, FI_SCOPE);
      lkRes.info = fi; lkRes.alias = head; lkRes.tos = tos;
      return true;
    }
  }
  return false;
}

/**
 * fib_table_lookup in one table. The longest prefix comes from one descent (cover words, see
 * fib_trie); only when check_leaf turns it down does the kernel's backtracking walk run, offering
 * the shorter prefixes in the same order.
 */
function tableLookupOne(tb: u32, fl: Flowi4, res: FibResult, key: u32): i32 {
  lkRes = res;
  lkErr = -EAGAIN;
  lkLost = false;
  const trie = load<u32>(tb, TB_TRIE);
  const w = trieLookupWord(trie, key);
  if (w == 0) return -EAGAIN;
  if (!checkLeaf(trieWordValue(w), trieWordPlen(w)) && trieLookup(trie, key, checkLeaf) == 0) return -EAGAIN;
  if (lkLost) return -EAGAIN;
  res.prefix = key & prefixMaskH(res.prefixlen);
  res.table = tb;
  res.tableId = load<u32>(tb, TB_ID);
  return lkErr;
}

const resL = changetype<FibResult>(memory.data(offsetof<FibResult>()));

/**
 * fib_table_lookup: 0 and res filled, -EAGAIN when nothing matched, or an error route's errno.
 * While local and main are merged, looking up either runs the merged lookup (reported as main).
 */
export function fibTableLookup(tb: u32, fl: Flowi4, res: FibResult, flags: u32): i32 {
  lkTos = fl.tos; lkScope = fl.scope; lkOif = fl.oif; lkFlags = flags;
  lkStopBelow = -1;
  const key = bswap<u32>(fl.daddr);
  const id = load<u32>(tb, TB_ID);
  if (!customRules && (id == RT_TABLE_MAIN || id == RT_TABLE_LOCAL)) {
    const main = fibMainT;
    const local = fibLocalT;
    let errL = -EAGAIN;
    if (local != 0 && localMayMatch(wire16(key))) errL = tableLookupOne(local, fl, resL, key);
    if (errL != -EAGAIN && resL.prefixlen == 32) {
      memCopySmall(changetype<usize>(res), changetype<usize>(resL), offsetof<FibResult>());
      res.table = main; res.tableId = RT_TABLE_MAIN;
      return errL;
    }
    let errM = -EAGAIN;
    if (main != 0) {
      lkStopBelow = errL != -EAGAIN ? <i32>resL.prefixlen : -1;
      errM = tableLookupOne(main, fl, res, key);
      lkStopBelow = -1;
    }
    if (errM == -EAGAIN && errL != -EAGAIN) {
      memCopySmall(changetype<usize>(res), changetype<usize>(resL), offsetof<FibResult>());
      errM = errL;
    }
    res.table = main; res.tableId = RT_TABLE_MAIN;
    return errM;
  }
  return tableLookupOne(tb, fl, res, key);
}

/** Most addresses per fibLookupFastBatch call. */
export const FIB_FAST_BATCH: i32 = 1024;
const fastVals = memory.data(FIB_FAST_BATCH << 2);
const fastRest = memory.data(FIB_FAST_BATCH << 2);
/** Indices (u32) of the addresses the last fibLookupFastBatch left to fib_lookup. */
export function fibFastRest(): usize { return fastRest; }

/** A result {u32 next hop, u16 oif, u8 route type, u8 errno} of fibLookupBatch. */
// @ts-ignore: decorator
@inline export function fibPutResult(o: usize, nexthop: u32, oif: u32, type: u8, errno: i32): void {
  store<u32>(o, nexthop); store<u16>(o, <u16>oif, 4); store<u8>(o, type, 6); store<u8>(o, <u8>errno, 7);
}

/**
 * Fill id entry e's fast fields from the nexthop check_leaf takes for a plain flow when the list's
 * first alias settles it (tos 0, a live info, a type that is not an error, one live nexthop;
 * linkdown ones, which ignore_routes_with_linkdown may skip, go the slow way), else zeros. Marks
 * that alias accessed.
 */
function fastEntryFill(e: u32, gen: u32): void {
  const fa = load<u32>(e);
  let gw: u32 = 0;
  let hi: u32 = 0;
  if (fa != 0) {
    const fi = load<u32>(fa, FA_INFO);
    const type = load<u8>(fa, FA_TYPE);
    if (load<u8>(fa, FA_TOS) == 0 && load<u8>(fi, FI_DEAD) == 0 && fibPropsError(type) == 0 && fiNhs(fi) == 1
      && ((load<u32>(fi, FI_FLAGS) | load<u32>(fiNh(fi, 0), NH_FLAGS)) & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) == 0) {
      const nh = fiNh(fi, 0);
      gw = load<u32>(nh, NH_GW);
      hi = (load<u32>(nh, NH_OIF) & 0xFFFF) | <u32>type << 16;
      store<u8>(fa, load<u8>(fa, FA_STATE) | FA_S_ACCESSED, FA_STATE);
    }
  }
  store<u32>(e, gw, AID_FAST_GW);
  store<u32>(e, hi, AID_FAST_HI);
  store<u32>(e, gen, AID_FAST_GEN);
}

/**
 * fib_lookup's fast path for batches of flows with tos 0, scope 0, no oif and no flags: while only
 * the default rules exist, main's longest prefix for each of n <= FIB_FAST_BATCH network-order
 * addresses comes from one trieLookupBatchNet. An address is settled here, its 8-byte result written at
 * out, when the merged local/main lookup could not decide otherwise: the local table cannot cover it,
 * and the prefix's first alias has tos 0, a live info, a type that is not an error and one live
 * nexthop (what check_leaf takes), or nothing covers it and the default table is empty
 * (-ENETUNREACH). Returns how many are left for fib_lookup (all of them when custom rules exist);
 * their indices are at fibFastRest(). The per-prefix part comes from the list id's cached entry.
 */
export function fibLookupFastBatch(addrs: usize, out: usize, n: i32): i32 {
  let rest = 0;
  if (customRules || fibMainT == 0) {
    for (let i = 0; i < n; i++) store<u32>(fastRest + (<usize>i << 2), i);
    return n;
  }
  const noDefault = fibDefaultT == 0 || trieCount(load<u32>(fibDefaultT, TB_TRIE)) == 0;
  trieLookupBatchNet(load<u32>(fibMainT, TB_TRIE), addrs, fastVals, n);
  // one 8-byte store per address, branch-free over the (unpredictable) outcomes; an address without
  // a prefix reads id 0's entry, which settles nothing; unsettled results are all zero
  const gen = fastGen;
  const unreach: u64 = select<u64>(<u64>ENETUNREACH << 56, 0, noDefault);
  for (let i = 0; i < n; i++) {
    const v = fastResult(addrs, i, gen, unreach);
    store<u64>(out + (<usize>i << 3), v);
    store<u32>(fastRest + (<usize>rest << 2), i);
    rest += i32((<u32>(v >> 48)) == 0);              // neither a route type nor an errno: left
  }
  // entries not filled for this generation left theirs too: fill them, then try again
  let left = 0;
  for (let j = 0; j < rest; j++) {
    const i = load<u32>(fastRest + (<usize>j << 2));
    const e = aidEntry(load<u32>(fastVals + (<usize>i << 2)));
    if (load<u32>(e, AID_FAST_GEN) != gen) {
      fastEntryFill(e, gen);
      const v = fastResult(addrs, i, gen, unreach);
      store<u64>(out + (<usize>i << 3), v);
      if ((<u32>(v >> 48)) != 0) continue;
    }
    store<u32>(fastRest + (<usize>left << 2), i);
    left++;
  }
  return left;
}

/** fibLookupFastBatch's result for address i: zero when the entry of its list id is stale, when the
 * local table may cover it, or when the entry does not settle it. */
// @ts-ignore: decorator
@inline function fastResult(addrs: usize, i: u32, gen: u32, unreach: u64): u64 {
  const id = load<u32>(fastVals + (<usize>i << 2));
  const e = aidEntry(id);
  const gw = load<u32>(e, AID_FAST_GW);
  const hi = load<u32>(e, AID_FAST_HI);
  const addr = load<u32>(addrs + (<usize>i << 2));
  const nexthop = select<u32>(gw, addr, gw != 0);   // on link: the address itself
  const r = select<u64>(<u64>nexthop | <u64>hi << 32, select<u64>(unreach, 0, id == 0), hi != 0);
  return select<u64>(0, r, localMayMatch(addr & 0xFFFF) | (load<u32>(e, AID_FAST_GEN) != gen));
}

// ---- trie layout upkeep after bulk changes ----
// Routes arrive in any order, so a bulk-loaded trie is scattered over its chunks; trieCompact lays it
// out again (about 0.2 us per prefix). At the end of every netlink request batch that added a prefix,
// a table of at least COMPACT_MIN prefixes that has doubled since its last compaction is compacted at
// once (at most two compactions' worth of work per final size), and the deferred-work timer is set
// COMPACT_DELAY ms ahead (re-armed by every such batch): when the changes have stopped it compacts
// each table that has grown by a sixteenth since. Lookups are correct in any layout.
const COMPACT_MIN: u32 = 4096;
const COMPACT_DELAY: i64 = 1000;
const TIMER_FIB_COMPACT: u32 = 17;
let prefixesAdded = false;           // a trie gained a prefix since the last fibCompactGrown
let compactTimer: u32 = 0;

function compactTables(factor: u32): void {
  for (let h: u32 = 0; h < FIB_TABLE_HASHSZ; h++) {
    for (let tb = load<u32>(tableHash + (h << 2)); tb != 0; tb = load<u32>(tb, TB_NEXT)) {
      const t = load<u32>(tb, TB_TRIE);
      const n = trieCount(t);
      const base = min(load<u32>(tb, TB_COMPACTED), n);   // lowered when the table shrank (a flush)
      store<u32>(tb, base, TB_COMPACTED);
      if (n < COMPACT_MIN || <u64>n * 16 < <u64>base * factor) continue;
      trieCompact(t);
      store<u32>(tb, n, TB_COMPACTED);
    }
  }
}

function fibCompactTimer(arg: u32, now: i64): void {
  compactTimer = 0;
  compactTables(17);                   // grown by at least 1/16
}

/** Control path, the end of a netlink request batch: compaction of grown tables (see above). */
export function fibCompactGrown(): void {
  if (!prefixesAdded) return;
  prefixesAdded = false;
  compactTables(32);                   // doubled
  const due = jiffies() + COMPACT_DELAY;
  if (compactTimer == 0 || !timerMod(compactTimer, due)) compactTimer = timerAdd(due, TIMER_FIB_COMPACT, 0);
}

// ---- fib_info: create, find, release ----

function infoClass(nhs: u32): u32 { return nhs <= 1 ? 0 : 32 - clz(nhs - 1); }

function metricsEqual(a: u32, b: u32): bool {
  if (a == b) return true;
  for (let i: u32 = 0; i < RTAX_MAX; i++) {
    const x = a == 0 ? 0 : load<u32>(a + (i << 2));
    const y = b == 0 ? 0 : load<u32>(b + (i << 2));
    if (x != y) return false;
  }
  return true;
}

function infoHashOf(fi: u32): u32 {
  let h = fiNhs(fi) ^ (<u32>load<u8>(fi, FI_PROTOCOL) << 8) ^ (<u32>load<u8>(fi, FI_SCOPE) << 16) ^ (<u32>load<u8>(fi, FI_TYPE) << 24);
  h ^= load<u32>(fi, FI_PREFSRC) * 0x9E3779B1;
  h ^= load<u32>(fi, FI_PRIORITY) * 0x85EBCA6B;
  h ^= load<u32>(fi, FI_TABLE) * 0xC2B2AE35;
  const n = fiNhs(fi);
  for (let i: u32 = 0; i < n; i++) {
    const nh = fiNh(fi, i);
    h = (h ^ load<u32>(nh, NH_OIF)) * 0x27D4EB2F;
    h = (h ^ load<u32>(nh, NH_GW)) * 0x165667B1;
  }
  return h ^ (h >>> 15);
}

/** fib_find_info: an existing live info identical to fi (nh_comp and every shared field). */
function fibFindInfo(fi: u32, hash: u32): u32 {
  const n = fiNhs(fi);
  for (let o = load<u32>(infoHash + ((hash >>> (32 - INFO_HASH_BITS)) << 2)); o != 0; o = load<u32>(o, FI_HASHNEXT)) {
    if (load<u32>(o, FI_HASH) != hash || load<u8>(o, FI_DEAD) != 0) continue;
    if (fiNhs(o) != n) continue;
    if (load<u8>(o, FI_PROTOCOL) != load<u8>(fi, FI_PROTOCOL) || load<u8>(o, FI_SCOPE) != load<u8>(fi, FI_SCOPE)
      || load<u8>(o, FI_TYPE) != load<u8>(fi, FI_TYPE) || load<u32>(o, FI_PREFSRC) != load<u32>(fi, FI_PREFSRC)
      || load<u32>(o, FI_PRIORITY) != load<u32>(fi, FI_PRIORITY) || load<u32>(o, FI_TABLE) != load<u32>(fi, FI_TABLE)) continue;
    if (((load<u32>(o, FI_FLAGS) ^ load<u32>(fi, FI_FLAGS)) & ~RTNH_COMPARE_MASK) != 0) continue;
    if (!metricsEqual(load<u32>(o, FI_METRICS), load<u32>(fi, FI_METRICS))) continue;
    let same = true;
    for (let i: u32 = 0; i < n && same; i++) {
      const a = fiNh(o, i), b = fiNh(fi, i);
      if (load<u32>(a, NH_OIF) != load<u32>(b, NH_OIF) || load<u32>(a, NH_GW) != load<u32>(b, NH_GW)
        || load<u16>(a, NH_WEIGHT) != load<u16>(b, NH_WEIGHT)
        || ((load<u32>(a, NH_FLAGS) ^ load<u32>(b, NH_FLAGS)) & ~RTNH_COMPARE_MASK) != 0) same = false;
    }
    if (same) return o;
  }
  return 0;
}

/** Link a built candidate: reuse an identical info (treeref++) or copy it into a new one. */
function fibInfoLink(cand: u32): u32 {
  const hash = infoHashOf(cand);
  const o = fibFindInfo(cand, hash);
  if (o != 0) {
    store<u32>(o, load<u32>(o, FI_TREEREF) + 1, FI_TREEREF);
    const m = load<u32>(cand, FI_METRICS);
    if (m != 0 && m != load<u32>(o, FI_METRICS)) kmemFree(metricsCache, m);
    return o;
  }
  const n = fiNhs(cand);
  const cls = infoClass(n);
  const fi = kmemAlloc(<usize>load<u32>(infoCaches + (cls << 2)));
  memory.copy(fi, cand, FI_HDR + n * NH_SIZE);
  store<u8>(fi, <u8>cls, FI_CLASS);
  store<u32>(fi, 1, FI_TREEREF);
  store<u32>(fi, hash, FI_HASH);
  const hp = infoHash + ((hash >>> (32 - INFO_HASH_BITS)) << 2);
  store<u32>(fi, load<u32>(hp), FI_HASHNEXT);
  store<u32>(hp, fi);
  store<u32>(fi, infoAll, FI_ALLNEXT);
  store<u32>(fi, 0, FI_ALLPREV);
  if (infoAll != 0) store<u32>(infoAll, fi, FI_ALLPREV);
  infoAll = fi;
  infoCount++;
  return fi;
}

/** fib_release_info: drop one alias reference; the last one unhashes and frees the info. */
export function fibReleaseInfo(fi: u32): void {
  const r = load<u32>(fi, FI_TREEREF) - 1;
  store<u32>(fi, r, FI_TREEREF);
  if (r != 0) return;
  const hp = infoHash + ((load<u32>(fi, FI_HASH) >>> (32 - INFO_HASH_BITS)) << 2);
  if (load<u32>(hp) == fi) store<u32>(hp, load<u32>(fi, FI_HASHNEXT));
  else {
    let p = load<u32>(hp);
    while (p != 0 && load<u32>(p, FI_HASHNEXT) != fi) p = load<u32>(p, FI_HASHNEXT);
    if (p != 0) store<u32>(p, load<u32>(fi, FI_HASHNEXT), FI_HASHNEXT);
  }
  const nx = load<u32>(fi, FI_ALLNEXT), pv = load<u32>(fi, FI_ALLPREV);
  if (pv != 0) store<u32>(pv, nx, FI_ALLNEXT); else infoAll = nx;
  if (nx != 0) store<u32>(nx, pv, FI_ALLPREV);
  store<u8>(fi, 1, FI_DEAD);
  fibFastInvalidate();
  const sh = load<u32>(fi, FI_ALIAS);
  if (sh != 0) aliasHeadFree(sh);            // no prefix uses it any more (each held a reference)
  fnheFlushInfo(fi);
  const m = load<u32>(fi, FI_METRICS);
  if (m != 0) kmemFree(metricsCache, m);
  infoCount--;
  kmemFree(<usize>load<u32>(infoCaches + (<u32>load<u8>(fi, FI_CLASS) << 2)), fi);
}

/** First info of the all-infos list (iterate with FI_ALLNEXT). */
export function fibInfoFirst(): u32 { return infoAll; }

// ---- ext-ack text for the netlink layer ----
let errMsg: string = "";
let errAttr: u32 = 0;        // offending attribute (address in the request), 0 = none
export function fibErrMsg(): string { return errMsg; }
export function fibErrAttr(): u32 { return errAttr; }
function fail(msg: string, err: i32): i32 { errMsg = msg; return err; }

/** ip_fib_metrics_init: RTA_METRICS attributes into a metrics block (0 = none given). */
function metricsInit(mx: u32, len: u32, out: usize): i32 {
  store<u32>(out, 0);
  if (mx == 0) return 0;
  let m: u32 = 0;
  let p = mx;
  let rem = <i32>len;
  let err: i32 = 0;
  while (rem >= 4 && err == 0) {
    const alen = <i32>load<u16>(p);
    if (alen < 4 || alen > rem) break;
    const type = <u32>(load<u16>(p, 2) & 0x3FFF);
    if (type != 0) {
      let val: u32 = 0;
      if (type > RTAX_MAX) err = fail("Invalid metric type", -EINVAL);
      else if (type == RTAX_CC_ALGO) err = fail("Unknown tcp congestion algorithm", -EINVAL);   // no CC modules here
      else if (alen != 8) err = fail("Invalid attribute in metrics", -EINVAL);
      else {
        val = load<u32>(p, 4);
        if (type == RTAX_ADVMSS && val > 65535 - 40) val = 65535 - 40;
        if (type == RTAX_MTU && val > 65535 - 15) val = 65535 - 15;
        if (type == RTAX_HOPLIMIT && val > 255) val = 255;
        if (type == RTAX_FEATURES && (val & ~<u32>0x1) != 0) {   // RTAX_FEATURE_MASK (ECN)
          err = fail("Unknown flag set in feature mask in metrics attribute", -EINVAL);
        }
      }
      if (err == 0) {
        if (m == 0) m = kmemAlloc(metricsCache);
        store<u32>(m + ((type - 1) << 2), val);
      }
    }
    const step = (alen + 3) & ~3;
    rem -= step;
    p += <u32>step;
  }
  if (err != 0) { if (m != 0) kmemFree(metricsCache, m); return err; }
  store<u32>(out, m);
  return 0;
}

/** Fill nexthop i of the candidate from a config (fib_nh_init). */
function nhInit(fi: u32, i: u32, oif: u32, gw: u32, flags: u32, weight: u32): void {
  const nh = fiNh(fi, i);
  memory.fill(nh, 0, NH_SIZE);
  store<u32>(nh, gw, NH_GW);
  store<u32>(nh, oif, NH_OIF);
  store<u32>(nh, flags, NH_FLAGS);
  store<u16>(nh, <u16>weight, NH_WEIGHT);
}

/** fib_get_nhs: RTA_MULTIPATH's rtnexthop list {u16 len, u8 flags, u8 hops, i32 ifindex} + attributes. */
function getNhs(fi: u32, c: FibConfig, nhs: u32): i32 {
  let p = c.mp;
  let rem = <i32>c.mpLen;
  for (let i: u32 = 0; i < nhs; i++) {
    const len = <i32>load<u16>(p);
    if (rem < 8 || len < 8 || len > rem) return fail("Invalid nexthop configuration - extra data after nexthop", -EINVAL);
    const flags = <u32>load<u8>(p, 2);
    if ((flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) != 0) {
      return fail("Invalid flags for nexthop - can not contain DEAD or LINKDOWN", -EINVAL);
    }
    let gw: u32 = 0;
    let a = p + 8;
    let arem = len - 8;
    while (arem >= 4) {
      const al = <i32>load<u16>(a);
      if (al < 4 || al > arem) break;
      const at = load<u16>(a, 2) & 0x3FFF;
      if (at == 5 /* RTA_GATEWAY */ && al >= 8) gw = load<u32>(a, 4);
      else if (at == 18 /* RTA_VIA */) return fail("IPv6 gateway not supported here", -EINVAL);
      const st = (al + 3) & ~3;
      arem -= st; a += <u32>st;
    }
    nhInit(fi, i, <u32>load<i32>(p, 4), gw, c.flags | flags, <u32>load<u8>(p, 3) + 1);
    const st = (len + 3) & ~3;
    rem -= st;
    p += <u32>st;
  }
  const nh0 = fiNh(fi, 0);
  if (c.oif != 0 && load<u32>(nh0, NH_OIF) != c.oif) return fail("Nexthop device index does not match RTA_OIF", -EINVAL);
  if (c.gw != 0 && load<u32>(nh0, NH_GW) != c.gw) return fail("Nexthop gateway does not match RTA_GATEWAY or RTA_VIA", -EINVAL);
  return 0;
}

/** fib_count_nexthops: 0 on malformed input (message set). */
function countNexthops(mp: u32, len: u32): u32 {
  let n: u32 = 0;
  let p = mp;
  let rem = <i32>len;
  while (rem >= 8) {
    const l = <i32>load<u16>(p);
    if (l < 8 || l > rem) break;
    n++;
    const st = (l + 3) & ~3;
    rem -= st;
    p += <u32>st;
  }
  if (rem > 0) { errMsg = "Invalid nexthop configuration - extra data after nexthops"; return 0; }
  return n;
}

const gwFl = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const gwRes = changetype<FibResult>(memory.data(offsetof<FibResult>()));

/** fib_check_nh (IPv4 gateway or device only) for nexthop nh of an info in table `table`. */
function checkNh(nh: u32, table: u32, scope: u8): i32 {
  const gw = load<u32>(nh, NH_GW);
  const oif = load<u32>(nh, NH_OIF);
  const flags = load<u32>(nh, NH_FLAGS);
  if (gw != 0) {
    if ((flags & RTNH_F_ONLINK) != 0) {
      if (scope >= RT_SCOPE_LINK) return fail("Nexthop has invalid scope", -EINVAL);
      const d = devGet(oif);
      if (d === null) return fail("Nexthop device required for onlink", -ENODEV);
      if ((d.flags & IFF_UP) == 0) return fail("Nexthop device is not up", -ENETDOWN);
      if (inetAddrType(gw) != RTN_UNICAST) return fail("Nexthop has invalid gateway", -EINVAL);
      store<u8>(nh, RT_SCOPE_LINK, NH_SCOPE);
      return 0;
    }
    memory.fill(changetype<usize>(gwFl), 0, offsetof<Flowi4>());
    gwFl.daddr = gw;
    gwFl.scope = scope + 1 < RT_SCOPE_LINK ? RT_SCOPE_LINK : scope + 1;
    gwFl.oif = oif;
    gwFl.iif = 1;
    let err: i32 = 1;
    let tbl: u32 = 0;
    if (table != 0 && table != RT_TABLE_MAIN) tbl = fibGetTable(table);
    if (tbl != 0) err = fibTableLookup(tbl, gwFl, gwRes, FIB_LOOKUP_IGNORE_LINKSTATE | FIB_LOOKUP_NOREF);
    if (tbl == 0 || err != 0) err = fibLookupHook(gwFl, gwRes, FIB_LOOKUP_IGNORE_LINKSTATE);
    if (err != 0) return fail("Nexthop has invalid gateway", err);
    if (gwRes.type != RTN_UNICAST && gwRes.type != RTN_LOCAL) return fail("Nexthop has invalid gateway", -EINVAL);
    store<u8>(nh, gwRes.scope, NH_SCOPE);
    const rnh = fiNh(gwRes.info, gwRes.nhSel);
    const dev = load<u32>(rnh, NH_OIF);
    store<u32>(nh, dev, NH_OIF);
    const d = devGet(dev);
    if (d === null) return fail("No egress device for nexthop gateway", -EINVAL);
    return (d.flags & IFF_UP) != 0 ? 0 : -ENETDOWN;
  }
  if ((flags & (RTNH_F_PERVASIVE | RTNH_F_ONLINK)) != 0) {
    return fail("Invalid flags for nexthop - PERVASIVE and ONLINK can not be set", -EINVAL);
  }
  const d = devGet(oif);
  if (d === null) return -ENODEV;
  if ((d.flags & IFF_UP) == 0) return fail("Device for nexthop is not up", -ENETDOWN);
  store<u8>(nh, RT_SCOPE_HOST, NH_SCOPE);   // fib_check_nh_nongw: the destination itself is the nexthop
  return 0;
}

// fib_lookup lives in rules.ts (it needs the rules); fib.ts reaches it through this hook.
let fibLookupFn: usize = 0;
export function fibSetLookup(fn: usize): void { fibLookupFn = fn; }
function fibLookupHook(fl: Flowi4, res: FibResult, flags: u32): i32 {
  return changetype<(fl: Flowi4, res: FibResult, flags: u32) => i32>(fibLookupFn)(fl, res, flags);
}

const addrFl = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const addrRes = changetype<FibResult>(memory.data(offsetof<FibResult>()));

/** __inet_dev_addr_type without a device: the route type of addr in table tbId. */
function inetAddrTypeTable(addr: u32, tbId: u32): u8 {
  if (addr == 0 || addr == 0xFFFFFFFF) return RTN_BROADCAST;   // ipv4_is_zeronet: 0.0.0.0 only since 5.3
  if ((addr & 0xF0) == 0xE0) return RTN_MULTICAST;
  const tb = fibGetTable(tbId);
  if (tb == 0) return RTN_BROADCAST;
  memory.fill(changetype<usize>(addrFl), 0, offsetof<Flowi4>());
  addrFl.daddr = addr;
  if (fibTableLookup(tb, addrFl, addrRes, FIB_LOOKUP_NOREF) == 0) return addrRes.type;
  return RTN_UNICAST;
}
/** inet_addr_type, and inet_addr_type_dev_table (which looks at no device): over the local table. */
export function inetAddrType(addr: u32): u8 { return inetAddrTypeTable(addr, RT_TABLE_LOCAL); }

/** fib_valid_prefsrc: prefsrc must be a local address (local table, or the route's own table). */
function validPrefsrc(c: FibConfig, prefsrc: u32): bool {
  if (c.type != RTN_LOCAL || c.dst == 0 || prefsrc != c.dst) {
    let tb = c.table;
    if (tb == RT_TABLE_MAIN) tb = RT_TABLE_LOCAL;
    let rc = inetAddrTypeTable(prefsrc, tb);
    if (rc != RTN_LOCAL && tb != RT_TABLE_LOCAL) rc = inetAddrType(prefsrc);
    if (rc != RTN_LOCAL) return false;
  }
  return true;
}

const metricsOut = memory.data(4);

/** fib_create_info: a deduplicated info for the config (treeref taken), or 0 with *errOut set. */
function fibCreateInfo(c: FibConfig, errOut: usize): u32 {
  store<i32>(errOut, 0);
  errMsg = "";
  if (c.type > RTN_MAX) { store<i32>(errOut, fail("Invalid route type", -EINVAL)); return 0; }
  if (fibPropsScope(c.type) > c.scope) { store<i32>(errOut, fail("Invalid scope", -EINVAL)); return 0; }
  if ((c.flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN)) != 0) {
    store<i32>(errOut, fail("Invalid rtm_flags - can not contain DEAD or LINKDOWN", -EINVAL)); return 0;
  }
  let nhs: u32 = 1;
  if (c.mp != 0) {
    nhs = countNexthops(c.mp, c.mpLen);
    if (nhs == 0) { store<i32>(errOut, -EINVAL); return 0; }
    if (nhs > MAX_NHS) { store<i32>(errOut, fail("Too many nexthops", -EINVAL)); return 0; }
  }
  const fi = scratchInfo;
  memory.fill(fi, 0, FI_HDR + nhs * NH_SIZE);
  let err = metricsInit(c.mx, c.mxLen, metricsOut);
  if (err < 0) { store<i32>(errOut, err); return 0; }
  const m = load<u32>(metricsOut);
  store<u32>(fi, m, FI_METRICS);
  if (m != 0 && (load<u32>(m + ((RTAX_LOCK - 1) << 2)) & (1 << RTAX_MTU)) != 0) store<u8>(fi, 1, FI_MTU_LOCKED);
  store<u8>(fi, c.protocol, FI_PROTOCOL);
  store<u8>(fi, c.scope, FI_SCOPE);
  store<u32>(fi, c.flags, FI_FLAGS);
  store<u32>(fi, c.priority, FI_PRIORITY);
  store<u32>(fi, c.prefsrc, FI_PREFSRC);
  store<u8>(fi, c.type, FI_TYPE);
  store<u32>(fi, c.table, FI_TABLE);
  store<u8>(fi, <u8>nhs, FI_NHS);
  if (c.mp != 0) err = getNhs(fi, c, nhs);
  else nhInit(fi, 0, c.oif, c.gw, c.flags, 1);
  if (err == 0) {
    if (fibPropsError(c.type) != 0) {
      if (c.gw != 0 || c.oif != 0 || c.mp != 0) {
        err = fail("Gateway, device and multipath can not be specified for this route type", -EINVAL);
      }
    } else if (c.type != RTN_UNICAST && c.type != RTN_LOCAL && c.type != RTN_BROADCAST
      && c.type != RTN_ANYCAST && c.type != RTN_MULTICAST) {
      err = fail("Invalid route type", -EINVAL);
    } else if (c.scope > RT_SCOPE_HOST) {
      err = fail("Invalid scope", -EINVAL);
    } else if (c.scope == RT_SCOPE_HOST) {
      const nh = fiNh(fi, 0);
      if (nhs != 1) err = fail("Route with host scope can not have multiple nexthops", -EINVAL);
      else if (load<u32>(nh, NH_GW) != 0) err = fail("Route with host scope can not have a gateway", -EINVAL);
      else {
        store<u8>(nh, RT_SCOPE_NOWHERE, NH_SCOPE);
        if (devGet(load<u32>(nh, NH_OIF)) === null) err = -ENODEV;
      }
    } else {
      for (let i: u32 = 0; i < nhs && err == 0; i++) err = checkNh(fiNh(fi, i), c.table, c.scope);
      if (err == 0) fibNhInitLinkdown(fi);
    }
    if (err == 0 && c.prefsrc != 0 && !validPrefsrc(c, c.prefsrc)) err = fail("Invalid prefsrc address", -EINVAL);
    if (err == 0 && fibPropsError(c.type) == 0) fibRebalance(fi);
  }
  if (err != 0) {
    if (m != 0) kmemFree(metricsCache, m);
    store<i32>(errOut, err);
    return 0;
  }
  return fibInfoLink(fi);
}

// ---- aliases (fib_find_alias, fib_insert_alias, fib_remove_alias) ----

/**
 * fib_find_alias over one prefix's list: the first alias with a lower TOS, or the same TOS and a
 * priority >= prio (insert before it); 0 = append at the end.
 */
function findAlias(head: u32, tos: u8, prio: u32): u32 {
  for (let fa = head; fa != 0; fa = load<u32>(fa, FA_NEXT)) {
    const t = load<u8>(fa, FA_TOS);
    if (t > tos) continue;
    if (load<u32>(load<u32>(fa, FA_INFO), FI_PRIORITY) >= prio || t < tos) return fa;
  }
  return 0;
}

/** info's shared alias (created on first use; 0 when no id is left). */
function aliasShared(fi: u32): u32 {
  let fa = load<u32>(fi, FI_ALIAS);
  if (fa != 0) return fa;
  fa = kmemAlloc(aliasCache);
  store<u32>(fa, fi, FA_INFO); store<u8>(fa, load<u8>(fi, FI_TYPE), FA_TYPE); store<u8>(fa, FA_F_SHARED, FA_FLAGS);
  if (aliasIdNew(fa) == 0) { kmemFree(aliasCache, fa); return 0; }
  store<u32>(fi, fa, FI_ALIAS);
  return fa;
}

// @ts-ignore: decorator
@inline function aliasIsShared(fa: u32): bool { return (load<u8>(fa, FA_FLAGS) & FA_F_SHARED) != 0; }

/** A private head holding content (fi, tos, type), or 0 when no id is left. */
function aliasPrivate(fi: u32, tos: u8, type: u8): u32 {
  const fa = kmemAlloc(aliasCache);
  store<u32>(fa, fi, FA_INFO); store<u8>(fa, tos, FA_TOS); store<u8>(fa, type, FA_TYPE);
  if (aliasIdNew(fa) == 0) { kmemFree(aliasCache, fa); return 0; }
  return fa;
}

/** Free a list head (private, or a shared alias whose info goes) and its id. */
function aliasHeadFree(fa: u32): void {
  aliasIdFree(load<u32>(fa, FA_ID));
  kmemFree(aliasCache, fa);
}

/** Point prefix key/plen of tb at the list headed by fa. */
// @ts-ignore: decorator
@inline function aliasSetHead(tb: u32, key: u32, plen: i32, fa: u32): void {
  trieInsert(load<u32>(tb, TB_TRIE), key, plen, load<u32>(fa, FA_ID));
}

/** Copy on write: the list of key/plen gets a private head instead of the shared alias fa (or 0). */
function aliasUnshare(tb: u32, key: u32, plen: i32, fa: u32): u32 {
  const na = aliasPrivate(load<u32>(fa, FA_INFO), load<u8>(fa, FA_TOS), load<u8>(fa, FA_TYPE));
  if (na == 0) return 0;
  store<u8>(na, load<u8>(fa, FA_STATE), FA_STATE);
  aliasSetHead(tb, key, plen, na);
  return na;
}

/** A private head left alone with TOS 0 gives way to its info's shared alias. */
function aliasSettle(tb: u32, key: u32, plen: i32, head: u32): void {
  if (aliasIsShared(head) || load<u32>(head, FA_NEXT) != 0 || load<u8>(head, FA_TOS) != 0) return;
  const sh = aliasShared(load<u32>(head, FA_INFO));
  if (sh == 0) return;
  aliasSetHead(tb, key, plen, sh);
  aliasHeadFree(head);
}

/**
 * Insert alias content (info, tos, type) before `before` (0 = at the end) in the list of key/plen.
 * A private head keeps its address: inserting before it moves its content to a new block.
 * Returns the alias now holding the new content, or 0 (-ENOBUFS) when no list id is left.
 */
function insertAlias(tb: u32, key: u32, plen: i32, head: u32, before: u32, fi: u32, tos: u8, type: u8): u32 {
  fibFastInvalidate();
  if (head == 0) {
    const na = tos == 0 ? aliasShared(fi) : aliasPrivate(fi, tos, type);
    if (na == 0) return 0;
    aliasSetHead(tb, key, plen, na);
    localFilter(tb, key, plen, 1);
    prefixesAdded = true;
    return na;
  }
  if (aliasIsShared(head)) {
    const wasBefore = before == head;
    head = aliasUnshare(tb, key, plen, head);
    if (head == 0) return 0;
    if (wasBefore) before = head;
  }
  const na = kmemAlloc(aliasCache);
  if (before == head) {
    memory.copy(na, head, FA_CONTENT);            // old head content moves to the new block
    store<u32>(head, na, FA_NEXT);
    store<u32>(head, fi, FA_INFO); store<u8>(head, tos, FA_TOS); store<u8>(head, type, FA_TYPE);
    store<u8>(head, 0, FA_STATE);
    return head;
  }
  let prev = head;
  while (load<u32>(prev, FA_NEXT) != before) prev = load<u32>(prev, FA_NEXT);
  store<u32>(na, fi, FA_INFO); store<u8>(na, tos, FA_TOS); store<u8>(na, type, FA_TYPE);
  store<u32>(na, before, FA_NEXT);
  store<u32>(prev, na, FA_NEXT);
  return na;
}

/** Unlink alias fa from the list of key/plen (the trie entry goes with the last alias). */
function removeAlias(tb: u32, key: u32, plen: i32, head: u32, fa: u32): void {
  fibFastInvalidate();
  if (fa == head) {
    const nx = load<u32>(head, FA_NEXT);
    if (nx == 0) {
      trieDelete(load<u32>(tb, TB_TRIE), key, plen);
      localFilter(tb, key, plen, -1);
      if (!aliasIsShared(head)) aliasHeadFree(head);
      return;
    }
    memory.copy(head, nx, FA_CONTENT);
    kmemFree(aliasCache, nx);
  } else {
    let prev = head;
    while (load<u32>(prev, FA_NEXT) != fa) prev = load<u32>(prev, FA_NEXT);
    store<u32>(prev, load<u32>(fa, FA_NEXT), FA_NEXT);
    kmemFree(aliasCache, fa);
  }
  aliasSettle(tb, key, plen, head);
}

/** fib_valid_key_len. */
function validKeyLen(key: u32, plen: u32): i32 {
  if (plen > 32) return fail("Invalid prefix length", -EINVAL);
  if (plen < 32 && (key << plen) != 0) return fail("Invalid prefix for given prefix length", -EINVAL);
  return 0;
}

const createErr = memory.data(4);

/**
 * fib_table_insert with the netlink flags' semantics: EXCL on an existing (tos, priority) → -EEXIST;
 * REPLACE swaps the first alias of that group; an identical alias → -EEXIST; APPEND goes after the
 * group, otherwise before it; no such group and no CREATE → -ENOENT.
 */
export function fibTableInsert(tb: u32, c: FibConfig): i32 {
  const key = bswap<u32>(c.dst);
  const plen = <u32>c.dstLen;
  let err = validKeyLen(key, plen);
  if (err < 0) return err;
  const fi = fibCreateInfo(c, createErr);
  if (fi == 0) return load<i32>(createErr);
  const head = fibAlias(trieGet(load<u32>(tb, TB_TRIE), key, <i32>plen));
  const tos = c.tos;
  const prio = load<u32>(fi, FI_PRIORITY);
  let fa = head != 0 ? findAlias(head, tos, prio) : 0;
  let nlflags: u32 = c.nlflags & ~(0x100 | 0x200 | 0x400 | 0x800);
  if (fa != 0 && load<u8>(fa, FA_TOS) == tos && load<u32>(load<u32>(fa, FA_INFO), FI_PRIORITY) == prio) {
    err = -EEXIST;
    if ((c.nlflags & 0x200 /* NLM_F_EXCL */) != 0) { fibReleaseInfo(fi); return err; }
    let faMatch: u32 = 0;
    const faFirst = fa;
    let x = fa;
    for (; x != 0; x = load<u32>(x, FA_NEXT)) {
      if (load<u8>(x, FA_TOS) != tos) break;
      if (load<u32>(load<u32>(x, FA_INFO), FI_PRIORITY) != prio) break;
      if (load<u8>(x, FA_TYPE) == c.type && load<u32>(x, FA_INFO) == fi) { faMatch = x; break; }
    }
    if ((c.nlflags & 0x100 /* NLM_F_REPLACE */) != 0) {
      if (faMatch != 0) {
        fibReleaseInfo(fi);
        return faFirst == faMatch ? 0 : -EEXIST;
      }
      const drop = load<u32>(faFirst, FA_INFO);
      const state = load<u8>(faFirst, FA_STATE);
      fibFastInvalidate();
      let faNew = faFirst;
      if (aliasIsShared(faFirst)) {               // the whole list: now the new info's shared alias
        faNew = aliasShared(fi);
        if (faNew == 0) { fibReleaseInfo(fi); return -ENOBUFS; }
        aliasSetHead(tb, key, <i32>plen, faNew);
      } else {
        store<u32>(faFirst, fi, FA_INFO);
        store<u8>(faFirst, c.type, FA_TYPE);
        store<u8>(faFirst, state & ~FA_S_ACCESSED, FA_STATE);
      }
      rtmsgFib(24 /* RTM_NEWROUTE */, key, faNew, plen, load<u32>(tb, TB_ID), c.portid, c.seq, nlflags | 0x100);
      fibReleaseInfo(drop);
      if ((state & FA_S_ACCESSED) != 0) rtCacheFlush();
      return 0;
    }
    if (faMatch != 0) { fibReleaseInfo(fi); return -EEXIST; }
    if ((c.nlflags & 0x800 /* NLM_F_APPEND */) != 0) { nlflags |= 0x800; fa = x; }
    else fa = faFirst;
  }
  if ((c.nlflags & 0x400 /* NLM_F_CREATE */) == 0) { fibReleaseInfo(fi); return -ENOENT; }
  nlflags |= 0x400;
  const na = insertAlias(tb, key, <i32>plen, head, fa, fi, tos, c.type);
  if (na == 0) { fibReleaseInfo(fi); return -ENOBUFS; }
  store<u32>(tb, load<u32>(tb, TB_COUNT) + 1, TB_COUNT);
  if (plen == 0) store<u32>(tb, load<u32>(tb, TB_NUMDEFAULT) + 1, TB_NUMDEFAULT);
  rtCacheFlush();
  rtmsgFib(24 /* RTM_NEWROUTE */, key, na, plen, load<u32>(tb, TB_ID), c.portid, c.seq, nlflags);
  return 0;
}

/** fib_nh_match: 0 when the config's nexthop selectors (oif, gateway, RTA_MULTIPATH) match fi. */
function nhMatch(c: FibConfig, fi: u32): i32 {
  if (c.priority != 0 && c.priority != load<u32>(fi, FI_PRIORITY)) return 1;
  if (c.oif != 0 || c.gw != 0) {
    const nh = fiNh(fi, 0);
    if (c.oif != 0 && c.oif != load<u32>(nh, NH_OIF)) return 1;
    if (c.gw != 0 && c.gw != load<u32>(nh, NH_GW)) return 1;
    return 0;
  }
  if (c.mp == 0) return 0;
  let p = c.mp;
  let rem = <i32>c.mpLen;
  const n = fiNhs(fi);
  for (let i: u32 = 0; i < n; i++) {
    if (rem < 8) return -EINVAL;
    const len = <i32>load<u16>(p);
    if (len < 8 || len > rem) return -EINVAL;
    const nh = fiNh(fi, i);
    const ifi = load<u32>(p, 4);
    if (ifi != 0 && ifi != load<u32>(nh, NH_OIF)) return 1;
    let a = p + 8;
    let arem = len - 8;
    while (arem >= 4) {
      const al = <i32>load<u16>(a);
      if (al < 4 || al > arem) break;
      if ((load<u16>(a, 2) & 0x3FFF) == 5 && al >= 8 && load<u32>(a, 4) != load<u32>(nh, NH_GW)) return 1;
      const st = (al + 3) & ~3;
      arem -= st; a += <u32>st;
    }
    const st = (len + 3) & ~3;
    rem -= st;
    p += <u32>st;
  }
  return 0;
}

/** fib_metrics_match: every metric the config names equals the info's. */
function metricsMatch(c: FibConfig, fi: u32): bool {
  if (c.mx == 0) return true;
  let p = c.mx;
  let rem = <i32>c.mxLen;
  while (rem >= 4) {
    const al = <i32>load<u16>(p);
    if (al < 4 || al > rem) break;
    const type = <u32>(load<u16>(p, 2) & 0x3FFF);
    if (type != 0) {
      if (type > RTAX_MAX) return false;
      const val = al >= 8 ? load<u32>(p, 4) : 0;
      if (fiMetric(fi, type) != val) return false;
    }
    const st = (al + 3) & ~3;
    rem -= st; p += <u32>st;
  }
  return true;
}

/** fib_table_delete: the first alias of the prefix with the TOS that every given selector matches. */
export function fibTableDelete(tb: u32, c: FibConfig): i32 {
  const key = bswap<u32>(c.dst);
  const plen = <u32>c.dstLen;
  errMsg = "";
  const err = validKeyLen(key, plen);
  if (err < 0) return err;
  const head = fibAlias(trieGet(load<u32>(tb, TB_TRIE), key, <i32>plen));
  if (head == 0) return -ESRCH;
  let fa = findAlias(head, c.tos, 0);
  if (fa == 0) return -ESRCH;
  let del: u32 = 0;
  for (; fa != 0; fa = load<u32>(fa, FA_NEXT)) {
    if (load<u8>(fa, FA_TOS) != c.tos) break;
    const fi = load<u32>(fa, FA_INFO);
    if ((c.type == 0 || load<u8>(fa, FA_TYPE) == c.type)
      && (c.scope == RT_SCOPE_NOWHERE || load<u8>(fi, FI_SCOPE) == c.scope)
      && (c.prefsrc == 0 || load<u32>(fi, FI_PREFSRC) == c.prefsrc)
      && (c.protocol == 0 || load<u8>(fi, FI_PROTOCOL) == c.protocol)
      && nhMatch(c, fi) == 0 && metricsMatch(c, fi)) { del = fa; break; }
  }
  if (del == 0) return -ESRCH;
  const fi = load<u32>(del, FA_INFO);
  rtmsgFib(25 /* RTM_DELROUTE */, key, del, plen, load<u32>(tb, TB_ID), c.portid, c.seq, 0);
  if (plen == 0) store<u32>(tb, load<u32>(tb, TB_NUMDEFAULT) - 1, TB_NUMDEFAULT);
  const accessed = (load<u8>(del, FA_STATE) & FA_S_ACCESSED) != 0;
  removeAlias(tb, key, <i32>plen, head, del);
  store<u32>(tb, load<u32>(tb, TB_COUNT) - 1, TB_COUNT);
  if (accessed) rtCacheFlush();
  fibReleaseInfo(fi);
  return 0;
}

// ---- flushing (fib_table_flush, fib_flush) ----
// A walk may not change the trie: collect the prefixes to clean, then clean them, resuming the walk
// after the last one collected.
const FLUSH_BATCH: u32 = 1024;
let flushBuf: usize = 0;             // FLUSH_BATCH x {key u32, plen u32}
let flushN: u32 = 0;
let flushAll = false;
let flushDev: u32 = 0;               // flush only routes whose nexthop uses this device (0 = any)
let flushKernelOnly = false;

function aliasFlushable(fa: u32): bool {
  const fi = load<u32>(fa, FA_INFO);
  if (flushAll) return true;
  return (load<u32>(fi, FI_FLAGS) & RTNH_F_DEAD) != 0;
}

function flushCollect(key: u32, plen: i32, value: u32): bool {
  for (let fa = fibAlias(value); fa != 0; fa = load<u32>(fa, FA_NEXT)) {
    if (aliasFlushable(fa)) {
      const p = flushBuf + (<usize>flushN << 3);
      store<u32>(p, key); store<u32>(p, <u32>plen, 4);
      flushN++;
      return flushN < FLUSH_BATCH;
    }
  }
  return true;
}

/** fib_table_flush: remove aliases whose info is dead (every alias with flushAll). Returns the count. */
function tableFlush(tb: u32, all: bool): u32 {
  if (flushBuf == 0) flushBuf = heap.alloc(<usize>FLUSH_BATCH << 3);
  const trie = load<u32>(tb, TB_TRIE);
  flushAll = all;
  let found: u32 = 0;
  let fromKey: u32 = 0;
  let fromPlen: i32 = -1;
  for (;;) {
    flushN = 0;
    trieWalk(trie, fromKey, fromPlen, flushCollect);
    const n = flushN;
    for (let i: u32 = 0; i < n; i++) {
      const key = load<u32>(flushBuf + (<usize>i << 3));
      const plen = <i32>load<u32>(flushBuf + (<usize>i << 3), 4);
      // Remove flushable aliases one at a time (removing the head moves its successor into it).
      for (;;) {
        const head = fibAlias(trieGet(trie, key, plen));
        let fa = head;
        while (fa != 0 && !aliasFlushable(fa)) fa = load<u32>(fa, FA_NEXT);
        if (fa == 0) break;
        const fi = load<u32>(fa, FA_INFO);
        if (plen == 0) store<u32>(tb, load<u32>(tb, TB_NUMDEFAULT) - 1, TB_NUMDEFAULT);
        removeAlias(tb, key, plen, head, fa);
        store<u32>(tb, load<u32>(tb, TB_COUNT) - 1, TB_COUNT);
        fibReleaseInfo(fi);
        found++;
      }
    }
    if (n < FLUSH_BATCH) break;
    fromKey = load<u32>(flushBuf + (<usize>(n - 1) << 3));
    fromPlen = <i32>load<u32>(flushBuf + (<usize>(n - 1) << 3), 4);
  }
  flushAll = false;
  return found;
}

function fibTableFlushAll(tb: u32): void { tableFlush(tb, true); store<u32>(tb, 0, TB_NUMDEFAULT); }

/** fib_flush: every table drops its dead routes; the cache generation moves on if any went. */
export function fibFlush(): void {
  let flushed: u32 = 0;
  for (let h: u32 = 0; h < FIB_TABLE_HASHSZ; h++) {
    for (let tb = load<u32>(tableHash + (h << 2)); tb != 0; tb = load<u32>(tb, TB_NEXT)) flushed += tableFlush(tb, false);
  }
  if (flushed != 0) rtCacheFlush();
}

// ---- nexthop state on device events (fib_sync_down_dev, fib_sync_up, fib_sync_down_addr) ----

export const NETDEV_UP: i32 = 1;
export const NETDEV_DOWN: i32 = 2;
export const NETDEV_CHANGE: i32 = 4;
export const NETDEV_UNREGISTER: i32 = 6;

/** fib_sync_down_dev: nexthops on dev die (force: host-scope ones too); returns infos now fully dead. */
export function fibSyncDownDev(ifindex: u32, event: i32, force: bool): u32 {
  fibFastInvalidate();
  const skipScope: i32 = force ? -1 : <i32>RT_SCOPE_NOWHERE;
  let ret: u32 = 0;
  for (let fi = infoAll; fi != 0; fi = load<u32>(fi, FI_ALLNEXT)) {
    const n = fiNhs(fi);
    let uses = false;
    for (let i: u32 = 0; i < n; i++) if (load<u32>(fiNh(fi, i), NH_OIF) == ifindex) { uses = true; break; }
    if (!uses) continue;
    let dead: u32 = 0;
    for (let i: u32 = 0; i < n; i++) {
      const nh = fiNh(fi, i);
      const f = load<u32>(nh, NH_FLAGS);
      if ((f & RTNH_F_DEAD) != 0) dead++;
      else if (load<u32>(nh, NH_OIF) == ifindex && <i32>load<u8>(nh, NH_SCOPE) != skipScope) {
        if (event == NETDEV_DOWN || event == NETDEV_UNREGISTER) store<u32>(nh, f | RTNH_F_DEAD | RTNH_F_LINKDOWN, NH_FLAGS);
        else if (event == NETDEV_CHANGE) store<u32>(nh, f | RTNH_F_LINKDOWN, NH_FLAGS);
        dead++;
      }
      if (event == NETDEV_UNREGISTER && load<u32>(nh, NH_OIF) == ifindex) { dead = n; break; }
    }
    if (dead == n) {
      const f = load<u32>(fi, FI_FLAGS);
      if (event == NETDEV_DOWN || event == NETDEV_UNREGISTER) store<u32>(fi, f | RTNH_F_DEAD | RTNH_F_LINKDOWN, FI_FLAGS);
      else if (event == NETDEV_CHANGE) store<u32>(fi, f | RTNH_F_LINKDOWN, FI_FLAGS);
      ret++;
    }
    fibRebalance(fi);
  }
  return ret;
}

/**
 * fib_check_nh's carrier test and fib_create_info's count for a new info whose nexthops were checked:
 * a nexthop whose device has no carrier starts RTNH_F_LINKDOWN, and the info too when all of them do.
 * From then on only device events change it (fib_sync_down_dev / fib_sync_up on NETDEV_CHANGE).
 */
function fibNhInitLinkdown(fi: u32): void {
  const n = fiNhs(fi);
  let down: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const nh = fiNh(fi, i);
    const d = devGet(load<u32>(nh, NH_OIF));
    if (d === null || d.carrier != 0) continue;
    store<u32>(nh, load<u32>(nh, NH_FLAGS) | RTNH_F_LINKDOWN, NH_FLAGS);
    down++;
  }
  if (down == n) store<u32>(fi, load<u32>(fi, FI_FLAGS) | RTNH_F_LINKDOWN, FI_FLAGS);
}

/** fib_sync_up: nexthops on a device that came up (or got its carrier) live again. */
export function fibSyncUp(d: NetDevice, nhFlags: u32): void {
  fibFastInvalidate();
  if ((d.flags & IFF_UP) == 0) return;
  if ((nhFlags & RTNH_F_DEAD) != 0 && d.carrier != 0) nhFlags |= RTNH_F_LINKDOWN;
  for (let fi = infoAll; fi != 0; fi = load<u32>(fi, FI_ALLNEXT)) {
    const n = fiNhs(fi);
    let uses = false;
    for (let i: u32 = 0; i < n; i++) if (load<u32>(fiNh(fi, i), NH_OIF) == d.ifindex) { uses = true; break; }
    if (!uses) continue;
    let alive: u32 = 0;
    for (let i: u32 = 0; i < n; i++) {
      const nh = fiNh(fi, i);
      const f = load<u32>(nh, NH_FLAGS);
      if ((f & nhFlags) == 0) { alive++; continue; }
      const nd = devGet(load<u32>(nh, NH_OIF));
      if (nd === null || (nd.flags & IFF_UP) == 0) continue;
      if (nd.ifindex != d.ifindex) continue;
      alive++;
      store<u32>(nh, f & ~nhFlags, NH_FLAGS);
    }
    if (alive > 0) store<u32>(fi, load<u32>(fi, FI_FLAGS) & ~nhFlags, FI_FLAGS);
    fibRebalance(fi);
  }
}

/** fib_sync_down_addr: routes in main whose prefsrc was this (now gone) address die. */
function fibSyncDownAddr(local: u32): u32 {
  fibFastInvalidate();
  if (local == 0) return 0;
  let ret: u32 = 0;
  for (let fi = infoAll; fi != 0; fi = load<u32>(fi, FI_ALLNEXT)) {
    if (load<u32>(fi, FI_TABLE) != RT_TABLE_MAIN) continue;
    if (load<u32>(fi, FI_PREFSRC) == local) { store<u32>(fi, load<u32>(fi, FI_FLAGS) | RTNH_F_DEAD, FI_FLAGS); ret++; }
  }
  return ret;
}

// ---- routes derived from addresses (fib_magic, fib_add_ifaddr, fib_del_ifaddr) ----

const magicCfg = changetype<FibConfig>(memory.data(offsetof<FibConfig>()));

/** fib_magic: a kernel route (proto kernel) for an address; unicast goes to main, the rest to local. */
function fibMagic(add: bool, type: u8, dst: u32, dstLen: u32, prim: InIfaddr, priority: u32): void {
  const tb = type == RTN_UNICAST ? fibNewTable(RT_TABLE_MAIN) : fibNewTable(RT_TABLE_LOCAL);
  fibConfigReset(magicCfg);
  magicCfg.protocol = RTPROT_KERNEL;
  magicCfg.type = type;
  magicCfg.dst = dst;
  magicCfg.dstLen = <u8>dstLen;
  magicCfg.priority = priority;
  magicCfg.prefsrc = prim.local;
  magicCfg.oif = prim.ifindex;
  magicCfg.nlflags = 0x400 | 0x800;   // NLM_F_CREATE | NLM_F_APPEND
  magicCfg.table = load<u32>(tb, TB_ID);
  magicCfg.scope = type != RTN_LOCAL ? RT_SCOPE_LINK : RT_SCOPE_HOST;
  if (add) fibTableInsert(tb, magicCfg);
  else fibTableDelete(tb, magicCfg);
}

/** inet_ifa_byprefix: the primary address of the device for prefix/mask. */
function ifaByPrefix(ifindex: u32, prefix: u32, mask: u32): InIfaddr | null {
  for (let s = ifaFirst(ifindex); s != 0; s = ifaAt(s).next) {
    const a = ifaAt(s);
    if ((a.flags & IFA_F_SECONDARY) == 0 && a.mask == mask && ((a.address ^ prefix) & mask) == 0) return a;
  }
  return null;
}

const IFA_F_NOPREFIXROUTE: u32 = 0x200;

/** fib_add_ifaddr: local route always; broadcast and the connected prefix route when the device is up. */
export function fibAddIfaddr(ifa: InIfaddr): void {
  const d = devGet(ifa.ifindex);
  if (d === null) return;
  let prim: InIfaddr | null = ifa;
  const mask = ifa.mask;
  const addr = ifa.local;
  const prefix = ifa.address & mask;
  if ((ifa.flags & IFA_F_SECONDARY) != 0) {
    prim = ifaByPrefix(ifa.ifindex, prefix, mask);
    if (prim === null) return;
  }
  const p = changetype<InIfaddr>(changetype<usize>(prim));
  fibMagic(true, RTN_LOCAL, addr, 32, p, 0);
  if ((d.flags & IFF_UP) == 0) return;
  if (ifa.broadcast != 0 && ifa.broadcast != 0xFFFFFFFF) fibMagic(true, RTN_BROADCAST, ifa.broadcast, 32, p, 0);
  if (prefix != 0 && (ifa.flags & IFA_F_SECONDARY) == 0 && (prefix != addr || ifa.prefixlen < 32)) {
    if ((ifa.flags & IFA_F_NOPREFIXROUTE) == 0) {
      fibMagic(true, (d.flags & IFF_LOOPBACK) != 0 ? RTN_LOCAL : RTN_UNICAST, prefix, ifa.prefixlen, p, 0);
    }
    if (ifa.prefixlen < 31) fibMagic(true, RTN_BROADCAST, prefix | ~mask, 32, p, 0);
  }
}

/**
 * fib_del_ifaddr: remove the address's routes unless another address on the device still needs them
 * (same local, same broadcasts); when the local address is gone altogether, routes using it as
 * prefsrc die too. Call after the address left the device's list.
 */
export function fibDelIfaddr(ifa: InIfaddr): void {
  const d = devGet(ifa.ifindex);
  if (d === null) return;
  const brd = ifa.address | ~ifa.mask;
  const any = ifa.address & ifa.mask;
  let prim: InIfaddr | null = ifa;
  let subnet = false;
  if ((ifa.flags & IFA_F_SECONDARY) != 0) {
    prim = ifaByPrefix(ifa.ifindex, any, ifa.mask);
    if (prim === null) return;
  } else if (any != 0 && (any != ifa.local || ifa.prefixlen < 32)) {
    if ((ifa.flags & IFA_F_NOPREFIXROUTE) == 0) {
      fibMagic(false, (d.flags & IFF_LOOPBACK) != 0 ? RTN_LOCAL : RTN_UNICAST, any, ifa.prefixlen, ifa, 0);
    }
    subnet = true;
  }
  const p = changetype<InIfaddr>(changetype<usize>(prim));
  let okLocal = false, okBrd = false, okBrd0 = false, okBrd1 = false;
  let samePrefsrc = false;
  let prim1: InIfaddr | null = null;
  for (let s = ifaFirst(ifa.ifindex); s != 0; s = ifaAt(s).next) {
    const a = ifaAt(s);
    if (changetype<usize>(a) == changetype<usize>(ifa)) continue;
    if ((a.flags & IFA_F_SECONDARY) != 0) {
      if (a.mask == p.mask && ((a.address ^ p.address) & p.mask) == 0) prim1 = p;
      else {
        if (!samePrefsrc) continue;
        if (prim1 === null || a.mask != prim1.mask || ((a.address ^ prim1.address) & prim1.mask) != 0) {
          prim1 = ifaByPrefix(ifa.ifindex, a.address, a.mask);
        }
        if (prim1 === null) continue;
        if (prim1.local != p.local) continue;
      }
    } else {
      if (p.local != a.local) continue;
      prim1 = a;
      if (changetype<usize>(p) != changetype<usize>(a)) samePrefsrc = true;
    }
    if (ifa.local == a.local) okLocal = true;
    if (ifa.broadcast == a.broadcast) okBrd = true;
    if (brd == a.broadcast) okBrd1 = true;
    if (any == a.broadcast) okBrd0 = true;
    if (prim1 !== null && changetype<usize>(prim1) == changetype<usize>(a) && a.prefixlen < 31) {
      const brd1 = a.address | ~a.mask;
      const any1 = a.address & a.mask;
      if (any1 != 0) {
        if (ifa.broadcast == brd1 || ifa.broadcast == any1) okBrd = true;
        if (brd == brd1 || brd == any1) okBrd1 = true;
        if (any == brd1 || any == any1) okBrd0 = true;
      }
    }
  }
  if (!okBrd) fibMagic(false, RTN_BROADCAST, ifa.broadcast, 32, p, 0);
  if (subnet && ifa.prefixlen < 31) {
    if (!okBrd1) fibMagic(false, RTN_BROADCAST, brd, 32, p, 0);
    if (!okBrd0) fibMagic(false, RTN_BROADCAST, any, 32, p, 0);
  }
  if (!okLocal) {
    fibMagic(false, RTN_LOCAL, ifa.local, 32, p, 0);
    if (inetAddrType(ifa.local) != RTN_LOCAL) {
      if (fibSyncDownAddr(ifa.local) != 0) fibFlush();
    }
  }
}

/**
 * fib_inetaddr_event: an address was added (NETDEV_UP) or removed (NETDEV_DOWN, after it left the
 * device's list). Removing the last address turns IP off on the device (fib_disable_ip, forced).
 */
export function fibInetaddrEvent(ifa: InIfaddr, event: i32): void {
  if (event == NETDEV_UP) {
    fibAddIfaddr(ifa);
    const d = devGet(ifa.ifindex);
    if (d !== null) fibSyncUp(d, RTNH_F_DEAD);
    devAddrGenid++;
    rtCacheFlush();
    return;
  }
  fibDelIfaddr(ifa);
  devAddrGenid++;
  if (ifaFirst(ifa.ifindex) == 0) fibDisableIp(ifa.ifindex, NETDEV_DOWN, true);
  else rtCacheFlush();
}

/** fib_disable_ip. */
function fibDisableIp(ifindex: u32, event: i32, force: bool): void {
  if (fibSyncDownDev(ifindex, event, force) != 0) fibFlush();
  else rtCacheFlush();
}

/**
 * fib_netdev_event: UP adds every address's routes and revives nexthops; DOWN kills nexthops on the
 * device and flushes the routes left without one; UNREGISTER does so for host routes too.
 */
export function fibNetdevEvent(d: NetDevice, event: i32): void {
  if (event == NETDEV_UNREGISTER) { fibDisableIp(d.ifindex, event, true); return; }
  if (event == NETDEV_UP) {
    for (let s = ifaFirst(d.ifindex); s != 0; s = ifaAt(s).next) fibAddIfaddr(ifaAt(s));
    fibSyncUp(d, RTNH_F_DEAD);
    rtCacheFlush();
    return;
  }
  if (event == NETDEV_DOWN) { fibDisableIp(d.ifindex, event, false); return; }
  if (event == NETDEV_CHANGE) {
    if (d.carrier != 0) fibSyncUp(d, RTNH_F_LINKDOWN);
    else fibSyncDownDev(d.ifindex, event, false);
    rtCacheFlush();
  }
}

/** nh_saddr (fib_info_update_nhc_saddr): the source for a nexthop, cached per generation. */
export function fibNhSaddr(fi: u32, nhSel: u32): u32 {
  const nh = fiNh(fi, nhSel);
  if (load<u32>(nh, NH_SADDR_GENID) == devAddrGenid) return load<u32>(nh, NH_SADDR);
  const s = inetSelectAddr(load<u32>(nh, NH_OIF), load<u32>(nh, NH_GW), load<u8>(fi, FI_SCOPE));
  store<u32>(nh, s, NH_SADDR);
  store<u32>(nh, devAddrGenid, NH_SADDR_GENID);
  return s;
}

/** fib_result_prefsrc. */
export function fibResultPrefsrc(res: FibResult): u32 {
  const p = load<u32>(res.info, FI_PREFSRC);
  if (p != 0) return p;
  return fibNhSaddr(res.info, res.nhSel);
}

/** Does any nexthop of fi use device ifindex (fib_info_nh_uses_dev)? */
export function fibInfoUsesDev(fi: u32, ifindex: u32): bool {
  const n = fiNhs(fi);
  for (let i: u32 = 0; i < n; i++) if (load<u32>(fiNh(fi, i), NH_OIF) == ifindex) return true;
  return false;
}

/** Prefix count of a table (trie entries). */
export function fibTablePrefixes(tb: u32): u32 { return trieCount(load<u32>(tb, TB_TRIE)); }
/** Alias blocks in use (shared aliases, private heads and the rest of private lists). */
export function fibAliasCount(): u32 { return load<u32>(aliasCache, 16); }
