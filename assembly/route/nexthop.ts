// Nexthops (book ch. 5 fib_nh, ch. 6 "Multipath Routing"; net/ipv4/fib_semantics.c, route.c):
//
// Multipath: a current kernel's hash-threshold selection, not the book's 3.9 weighted round-robin
// driven by jiffies. fib_rebalance gives every live nexthop an upper bound in a 31-bit hash space in
// proportion to its weight (dead ones get -1); fib_select_multipath takes the first live nexthop whose
// bound is >= the flow's hash. The hash (fib_multipath_hash) covers the L3 addresses
// (fib_multipath_hash_policy 0) or addresses + protocol + ports (policy 1). The kernel hashes with a
// random boot key (siphash over its flow keys); ours mixes the same fields (murmur3 steps) with a fixed
// key, so a flow always takes the same path, in every run (drawing the key from the PRNG would shift
// every later random value, MAC addresses included).
//
// Exceptions (fib_nh_exception, route.c update_or_create_fnhe / find_exception): what the kernel learns
// per destination instead of a per-flow route cache — a path MTU from ICMP "fragmentation needed"
// (expiring after net.ipv4.route.mtu_expires, 600 s; clamped up to min_pmtu 552 and then locked;
// ignored when the route's MTU is locked or larger than the current one) and a gateway from an ICMP
// redirect (expiring after gc_timeout, 300 s, as kernels since 4.x age them). Keyed by (nexthop,
// destination) in 2048 buckets; a chain longer than 5..9 (randomised as the kernel does) drops its
// oldest entry, and the pool is bounded: when it is empty the oldest entry of the bucket is reused.
// Expiry is checked when an exception is read and, to give the memory back, by a timer on the wheel.
// A lookup that uses an exception binds a route to it (rt_bind_exception: fnhe_rth_output/input);
// only bound exceptions are listed by `ip route show cache`, so one just learned from an ICMP error
// stays unlisted until a lookup (a packet, `ip route get`) uses it. `ip route flush cache` bumps the
// exception generation (fnhe_genid_bump) instead of freeing: stale exceptions are not listed, and the
// next lookup that finds one resets it to nothing learned, without expiry, and lists it again.
import { prandomU32Max } from "../core/random";
import { sysctl, Sysctl, devConf, DevConf, CONF_ALL } from "../core/sysctl";
import { timerAdd, timerCancel, timerMod, timerRegister } from "../core/timer";
import { jiffies } from "../core/dev";
import { neighLookupNoref, NUD_VALID } from "../neigh/neighbour";
import { Flowi4, FibResult, fiNh, fiNhs, NH_FLAGS, NH_WEIGHT, NH_UPPER, NH_FNHE, NH_SCOPE, NH_GW, NH_OIF, RTNH_F_DEAD, RTNH_F_LINKDOWN,
  RT_SCOPE_LINK, fibNhSaddr, fibGenid } from "./fib";

/**
 * A nexthop marked RTNH_F_LINKDOWN (its device lost the carrier: fib_sync_down_dev on NETDEV_CHANGE)
 * whose device has net.ipv4.conf.{all,DEV}.ignore_routes_with_linkdown set (ip_ignore_linkdown):
 * the multipath selection leaves it out and a dump reports it dead as well as linkdown.
 */
export function nhLinkdownIgnored(nh: u32): bool {
  if ((load<u32>(nh, NH_FLAGS) & RTNH_F_LINKDOWN) == 0) return false;
  return devConf(CONF_ALL, DevConf.ignore_routes_with_linkdown) != 0
    || devConf(load<u32>(nh, NH_OIF), DevConf.ignore_routes_with_linkdown) != 0;
}

/** fib_rebalance: upper bounds over the live nexthops by weight; dead (or ignored linkdown) ones -1. */
export function fibRebalance(fi: u32): void {
  const n = fiNhs(fi);
  if (n < 2) { if (n == 1) store<i32>(fiNh(fi, 0), (<i32>0x7FFFFFFF), NH_UPPER); return; }
  let total: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const nh = fiNh(fi, i);
    if (nhLive(nh)) total += <u64>load<u16>(nh, NH_WEIGHT);
  }
  let w: u64 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const nh = fiNh(fi, i);
    let ub: i32 = -1;
    if (nhLive(nh) && total != 0) {
      w += <u64>load<u16>(nh, NH_WEIGHT);
      ub = <i32>(((w << 31) + (total >> 1)) / total) - 1;   // DIV_ROUND_CLOSEST_ULL(w << 31, total) - 1
    }
    store<i32>(nh, ub, NH_UPPER);
  }
}

// @ts-ignore: decorator
@inline function nhLive(nh: u32): bool { return (load<u32>(nh, NH_FLAGS) & RTNH_F_DEAD) == 0 && !nhLinkdownIgnored(nh); }

const hashSeed: u32 = 0x6A09E667;

/** Reset the exceptions and register their timer (engine init). */
export function nexthopInit(): void {
  fnheInit();
  timerRegister(TIMER_FNHE, fnheTimer);
}

// @ts-ignore: decorator
@inline function mix(h: u32, k: u32): u32 {
  k *= 0xCC9E2D51; k = rotl<u32>(k, 15); k *= 0x1B873593;
  h ^= k; h = rotl<u32>(h, 13); return h * 5 + 0xE6546B64;
}

/** fib_multipath_hash: a 31-bit flow hash under fib_multipath_hash_policy (0 L3, 1 L4; 2 and 3 as 0). */
export function fibMultipathHash(fl: Flowi4): i32 {
  let h = hashSeed;
  h = mix(h, fl.saddr);
  h = mix(h, fl.daddr);
  if (sysctl(Sysctl.fib_multipath_hash_policy) == 1) {
    h = mix(h, <u32>fl.proto);
    h = mix(h, (<u32>fl.sport << 16) | <u32>fl.dport);
  }
  h ^= h >>> 16; h *= 0x85EBCA6B; h ^= h >>> 13; h *= 0xC2B2AE35; h ^= h >>> 16;
  return <i32>(h >>> 1);
}

/** fib_good_nh: a link-scope gateway whose neighbour entry exists must be valid (use_neigh). */
function fibGoodNh(nh: u32): bool {
  if (load<u8>(nh, NH_SCOPE) != RT_SCOPE_LINK) return true;
  const n = neighLookupNoref(load<u32>(nh, NH_GW), load<u32>(nh, NH_OIF));
  return n === null || (n.state & NUD_VALID) != 0;
}

/**
 * fib_select_multipath: the first live nexthop whose bound covers the hash (preferring saddr's);
 * with fib_multipath_use_neigh, nexthops whose gateway is known unreachable are passed over.
 */
export function fibSelectMultipath(res: FibResult, hash: i32, saddr: u32): void {
  const fi = res.info;
  const n = fiNhs(fi);
  const useNeigh = sysctl(Sysctl.fib_multipath_use_neigh) != 0;
  let found = false;
  for (let i: u32 = 0; i < n; i++) {
    const nh = fiNh(fi, i);
    const ub = load<i32>(nh, NH_UPPER);
    if (ub == -1 || (useNeigh && !fibGoodNh(nh))) continue;
    if (!found) {
      res.nhSel = <u8>i;
      found = saddr == 0 || fibNhSaddr(fi, i) == saddr;
    }
    if (hash > ub) continue;
    if (saddr == 0 || fibNhSaddr(fi, i) == saddr) { res.nhSel = <u8>i; return; }
    if (found) return;
  }
}

// ---- exceptions ----
export const TIMER_FNHE: u32 = 16;
const FNHE_HASH_BITS: u32 = 11;              // 2048 buckets (FNHE_HASH_SHIFT)
const FNHE_RECLAIM_DEPTH: u32 = 5;
export const FNHE_MAX: u32 = 8192;           // entries in the pool
// entry: [next u32 (index+1)][nh u32][daddr u32][gw u32][pmtu u32][locked u8][bound u8][pad x2][timer u32]
//        [genid u32][expires i64][stamp i64][lastuse i64][rt genid u32][pad u32]
const E_NEXT: u32 = 0;
const E_NH: u32 = 4;
const E_DADDR: u32 = 8;
const E_GW: u32 = 12;
const E_PMTU: u32 = 16;
const E_LOCKED: u32 = 20;
const E_BOUND: u32 = 21;                     // a route is bound (fnhe_rth_output / fnhe_rth_input)
const E_TIMER: u32 = 24;
const E_GENID: u32 = 28;                     // fnhe_genid
const E_EXPIRES: u32 = 32;
const E_STAMP: u32 = 40;
const E_LASTUSE: u32 = 48;                   // dst.lastuse of the bound route
const E_RTGENID: u32 = 56;                   // rt_genid the bound route was made under
const E_SIZE: u32 = 64;

let fnheBuckets: usize = 0;                  // u32 index+1 heads
let fnhePool: usize = 0;
let fnheFree: u32 = 0;                       // index+1
let fnheLive: u32 = 0;
let fnheGenid: u32 = 0;                      // net->ipv4.fnhe_genid

// @ts-ignore: decorator
@inline function ent(i1: u32): usize { return fnhePool + <usize>(i1 - 1) * E_SIZE; }
// @ts-ignore: decorator
@inline function bucketOf(nh: u32, daddr: u32): usize {
  return fnheBuckets + (<usize>(((daddr * 0x9E3779B1) ^ (nh * 0x85EBCA6B)) >>> (32 - FNHE_HASH_BITS)) << 2);
}

function fnheInit(): void {
  if (fnheBuckets == 0) {
    fnheBuckets = heap.alloc(<usize>4 << FNHE_HASH_BITS);
    fnhePool = heap.alloc(<usize>FNHE_MAX * E_SIZE);
  }
  memory.fill(fnheBuckets, 0, <usize>4 << FNHE_HASH_BITS);
  memory.fill(fnhePool, 0, <usize>FNHE_MAX * E_SIZE);
  for (let i: u32 = 1; i <= FNHE_MAX; i++) store<u32>(ent(i), i < FNHE_MAX ? i + 1 : 0, E_NEXT);
  fnheFree = 1;
  fnheLive = 0;
  fnheGenid = 0;
}

/** Exceptions currently kept (bounded by FNHE_MAX). */
export function fnheCount(): u32 { return fnheLive; }

function fnheUnlink(b: usize, i1: u32): void {
  let p = load<u32>(b);
  if (p == i1) store<u32>(b, load<u32>(ent(i1), E_NEXT));
  else {
    while (p != 0 && load<u32>(ent(p), E_NEXT) != i1) p = load<u32>(ent(p), E_NEXT);
    if (p != 0) store<u32>(ent(p), load<u32>(ent(i1), E_NEXT), E_NEXT);
  }
  const e = ent(i1);
  const t = load<u32>(e, E_TIMER);
  if (t != 0) timerCancel(t);
  const nh = load<u32>(e, E_NH);
  store<u32>(nh, load<u32>(nh, NH_FNHE) - 1, NH_FNHE);
  memory.fill(e, 0, E_SIZE);
  store<u32>(e, fnheFree, E_NEXT);
  fnheFree = i1;
  fnheLive--;
}

/** The oldest (by stamp) entry of a chain, 0 when empty. */
function fnheOldest(b: usize): u32 {
  let best: u32 = 0;
  for (let i = load<u32>(b); i != 0; i = load<u32>(ent(i), E_NEXT)) {
    if (best == 0 || load<i64>(ent(i), E_STAMP) < load<i64>(ent(best), E_STAMP)) best = i;
  }
  return best;
}

function fnheArm(i1: u32, expires: i64): void {
  const e = ent(i1);
  const t = load<u32>(e, E_TIMER);
  if (t != 0 && timerMod(t, expires)) return;
  store<u32>(e, timerAdd(expires, TIMER_FNHE, i1), E_TIMER);
}

/** Timer: free an exception whose time is up (a refreshed one is re-armed). */
function fnheTimer(i1: u32, now: i64): void {
  if (i1 == 0 || i1 > FNHE_MAX) return;
  const e = ent(i1);
  if (load<u32>(e, E_NH) == 0) return;
  store<u32>(e, 0, E_TIMER);
  const exp = load<i64>(e, E_EXPIRES);
  if (exp == 0) return;                      // reset by a lookup after a flush: never expires
  if (exp > now) { fnheArm(i1, exp); return; }
  fnheUnlink(bucketOf(load<u32>(e, E_NH), load<u32>(e, E_DADDR)), i1);
}

/** update_or_create_fnhe: gw (redirect) and/or pmtu (with its lock) for nh → daddr, until `expires`. */
export function updateOrCreateFnhe(nh: u32, daddr: u32, gw: u32, pmtu: u32, locked: bool, expires: i64): void {
  const b = bucketOf(nh, daddr);
  let depth: u32 = 0;
  let i = load<u32>(b);
  for (; i != 0; i = load<u32>(ent(i), E_NEXT)) {
    if (load<u32>(ent(i), E_NH) == nh && load<u32>(ent(i), E_DADDR) == daddr) break;
    depth++;
  }
  const now = jiffies();
  if (i == 0) {
    const maxDepth = FNHE_RECLAIM_DEPTH + prandomU32Max(FNHE_RECLAIM_DEPTH);
    while (depth > maxDepth) { const o = fnheOldest(b); if (o == 0) break; fnheUnlink(b, o); depth--; }
    if (fnheFree == 0) {
      const o = fnheOldest(b);
      if (o == 0) return;                      // pool exhausted and nothing here to reuse: learn nothing
      fnheUnlink(b, o);
    }
    i = fnheFree;
    const e = ent(i);
    fnheFree = load<u32>(e, E_NEXT);
    memory.fill(e, 0, E_SIZE);
    store<u32>(e, load<u32>(b), E_NEXT);
    store<u32>(b, i);
    store<u32>(e, nh, E_NH);
    store<u32>(e, daddr, E_DADDR);
    store<u32>(e, fnheGenid, E_GENID);
    store<u32>(nh, load<u32>(nh, NH_FNHE) + 1, NH_FNHE);
    fnheLive++;
  }
  const e = ent(i);
  store<u32>(e, fnheGenid, E_GENID);         // an update makes a stale exception current (keeping its gw)
  if (gw != 0) store<u32>(e, gw, E_GW);
  if (pmtu != 0) { store<u32>(e, pmtu, E_PMTU); store<u8>(e, locked ? 1 : 0, E_LOCKED); }
  const exp = expires > 1 ? expires : 1;
  store<i64>(e, exp, E_EXPIRES);
  store<i64>(e, now, E_STAMP);
  fnheArm(i, exp);
}

/** find_exception: the live exception for nh → daddr (an expired one is removed), 0 if none. */
export function findException(nh: u32, daddr: u32): u32 {
  if (load<u32>(nh, NH_FNHE) == 0) return 0;
  const b = bucketOf(nh, daddr);
  for (let i = load<u32>(b); i != 0; i = load<u32>(ent(i), E_NEXT)) {
    const e = ent(i);
    if (load<u32>(e, E_NH) != nh || load<u32>(e, E_DADDR) != daddr) continue;
    const exp = load<i64>(e, E_EXPIRES);
    if (exp != 0 && jiffies() >= exp) { fnheUnlink(b, i); return 0; }
    return <u32>e;
  }
  return 0;
}

// @ts-ignore: decorator
@inline export function fnheGw(e: u32): u32 { return load<u32>(e, E_GW); }
// @ts-ignore: decorator
@inline export function fnhePmtu(e: u32): u32 { return load<u32>(e, E_PMTU); }
// @ts-ignore: decorator
@inline export function fnheLocked(e: u32): bool { return load<u8>(e, E_LOCKED) != 0; }
// @ts-ignore: decorator
@inline export function fnheExpires(e: u32): i64 { return load<i64>(e, E_EXPIRES); }

/** Drop every exception of an info's nexthops (the info is being freed). */
export function fnheFlushInfo(fi: u32): void {
  const n = fiNhs(fi);
  for (let k: u32 = 0; k < n; k++) {
    const nh = fiNh(fi, k);
    if (load<u32>(nh, NH_FNHE) == 0) continue;
    for (let i: u32 = 1; i <= FNHE_MAX && load<u32>(nh, NH_FNHE) != 0; i++) {
      const e = ent(i);
      if (load<u32>(e, E_NH) == nh) fnheUnlink(bucketOf(nh, load<u32>(e, E_DADDR)), i);
    }
  }
}

/**
 * rt_bind_exception: a lookup uses exception e (from findException). One learned before the last
 * `ip route flush cache` is first reset (nothing learned, no expiry). A route made under the current
 * rt_genid stays bound; otherwise a new one is bound now (its age, `ip -s route show cache`, starts).
 */
export function rtBindException(e: u32): void {
  if (load<u32>(e, E_GENID) != fnheGenid) {
    store<u32>(e, fnheGenid, E_GENID);
    store<u32>(e, 0, E_GW);
    store<u32>(e, 0, E_PMTU);
    store<u8>(e, 0, E_LOCKED);
    store<i64>(e, 0, E_EXPIRES);
    store<u8>(e, 0, E_BOUND);                // fnhe_flush_routes
  }
  if (load<u8>(e, E_BOUND) != 0 && load<u32>(e, E_RTGENID) == fibGenid()) return;
  const now = jiffies();
  store<u8>(e, 1, E_BOUND);
  store<u32>(e, fibGenid(), E_RTGENID);
  store<i64>(e, now, E_LASTUSE);
  store<i64>(e, now, E_STAMP);
}

/** `ip route flush cache` (fnhe_genid_bump): every learned exception becomes stale. */
export function fnheFlushAll(): void { fnheGenid++; }

/**
 * fnhe_dump_bucket for one nexthop (`ip route show cache`): calls fn(e) for each exception, bucket by
 * bucket, that is current, has a bound route and has not expired; stops early when fn returns false
 * (and then returns false).
 */
export function fnheDumpEach(nh: u32, fn: (e: u32) => bool): bool {
  if (load<u32>(nh, NH_FNHE) == 0) return true;
  const now = jiffies();
  for (let b: u32 = 0; b < (<u32>1 << FNHE_HASH_BITS); b++) {
    for (let i = load<u32>(fnheBuckets + (<usize>b << 2)); i != 0; i = load<u32>(ent(i), E_NEXT)) {
      const e = <u32>ent(i);
      if (load<u32>(e, E_NH) != nh || load<u32>(e, E_GENID) != fnheGenid || load<u8>(e, E_BOUND) == 0) continue;
      const exp = load<i64>(e, E_EXPIRES);
      if (exp != 0 && now >= exp) continue;
      if (!fn(e)) return false;
    }
  }
  return true;
}
// @ts-ignore: decorator
@inline export function fnheDaddr(e: u32): u32 { return load<u32>(e, E_DADDR); }
// @ts-ignore: decorator
@inline export function fnheLastuse(e: u32): i64 { return load<i64>(e, E_LASTUSE); }
