// The neighbour subsystem (book ch. 7, net/core/neighbour.c), IPv4 table only so far: a bounded pool of
// entries hashed by (address, device), the NUD state machine driven by the timer wheel, the queue of
// packets waiting for resolution (arp_queue) and the output functions that fill the L2 header.
import { Skb, SkbQueue, kfreeSkb, skbQueueTail, skbDequeue, skbQueuePurge, skbNetworkHeader } from "../core/skb";
import { NetDevice, devGet, devMac, devBroadcast, IFF_NOARP, IFF_LOOPBACK } from "../core/netdev";
import { Drop, ArpStat, arpInc } from "../core/stats";
import { timerAdd, timerCancel, timerRegister } from "../core/timer";
import { prandomU32Max } from "../core/random";
import { icmpSend, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH } from "../ipv4/icmp";
import { ipOptionsRecompile } from "../ipv4/ip_options";
import { sysctl, Sysctl } from "../core/sysctl";
import { devQueueXmit, jiffies } from "../core/dev";
import { ethHeader, etherAddrCopy, etherAddrEqual, ETH_P_IP } from "../ethernet/eth";
import { arpSolicit } from "./arp";
import { inetAddrType, RTN_BROADCAST, RTN_MULTICAST } from "../route/fib";

// NUD_* (include/uapi/linux/neighbour.h)
export const NUD_NONE: u8 = 0x00;
export const NUD_INCOMPLETE: u8 = 0x01;
export const NUD_REACHABLE: u8 = 0x02;
export const NUD_STALE: u8 = 0x04;
export const NUD_DELAY: u8 = 0x08;
export const NUD_PROBE: u8 = 0x10;
export const NUD_FAILED: u8 = 0x20;
export const NUD_NOARP: u8 = 0x40;
export const NUD_PERMANENT: u8 = 0x80;
export const NUD_IN_TIMER: u8 = NUD_INCOMPLETE | NUD_REACHABLE | NUD_DELAY | NUD_PROBE;
export const NUD_VALID: u8 = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY;
export const NUD_CONNECTED: u8 = NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE;

const TIMER_NEIGH: u32 = 1;
const HASH_BUCKETS: u32 = 1024;
export const NEIGH_MAX: u32 = 1024; // gc_thresh3: the table never holds more

@unmanaged export class Neighbour {
  key: u32;            // IPv4 address as loaded (network order)
  ifindex: u32;        // 0 = free slot
  state: u8;
  probes: u8;
  type: u8;            // RTN_* of the address (arp_constructor's inet_addr_type)
  pad0: u8;
  hashNext: u32;       // slot + 1 of the next entry in the bucket (0 = end)
  timer: u32;          // timer handle (0 = none)
  ha: u64;             // link-layer address, 6 bytes
  confirmed: i64;
  updated: i64;
  used: i64;
  reachableTime: i64;  // randomized per entry (neigh_rand_reach_time)
  arpQueue: u64;       // SkbQueue (16 bytes) inline
  arpQueue1: u64;
}
export const NEIGH_SIZE: usize = 96;

let pool: usize = 0;
let buckets: usize = 0;
let count: u32 = 0;

// @ts-ignore: decorator
@inline function slotAt(i: u32): Neighbour { return changetype<Neighbour>(pool + <usize>i * NEIGH_SIZE); }
// @ts-ignore: decorator
@inline export function neighHa(n: Neighbour): usize { return changetype<usize>(n) + offsetof<Neighbour>("ha"); }
// @ts-ignore: decorator
@inline function neighQueue(n: Neighbour): SkbQueue { return changetype<SkbQueue>(changetype<usize>(n) + offsetof<Neighbour>("arpQueue")); }
// @ts-ignore: decorator
@inline function hashOf(key: u32, ifindex: u32): u32 { return ((key * 0x9E3779B1) ^ (ifindex * 0x85EBCA6B)) >>> 22; }

export function neighInit(): void {
  if (pool == 0) { pool = heap.alloc(<usize>NEIGH_MAX * NEIGH_SIZE); buckets = heap.alloc(<usize>HASH_BUCKETS << 2); }
  memory.fill(pool, 0, <usize>NEIGH_MAX * NEIGH_SIZE);
  memory.fill(buckets, 0, <usize>HASH_BUCKETS << 2);
  count = 0;
  timerRegister(TIMER_NEIGH, neighTimerHandler);
}

export function neighCount(): u32 { return count; }
export function neighSlot(i: u32): Neighbour | null {
  if (i >= NEIGH_MAX) return null;
  const n = slotAt(i);
  return n.ifindex != 0 ? n : null;
}

/** neigh_lookup: null when absent. */
export function neighLookup(key: u32, ifindex: u32): Neighbour | null {
  arpInc(ArpStat.Lookups);
  const n = neighLookupNoref(key, ifindex);
  if (n !== null) arpInc(ArpStat.Hits);
  return n;
}

/** __ipv4_neigh_lookup_noref: the same without the lookups/hits counters (output, redirects, fib_good_nh). */
export function neighLookupNoref(key: u32, ifindex: u32): Neighbour | null {
  let s = load<u32>(buckets + (<usize>hashOf(key, ifindex) << 2));
  while (s != 0) {
    const n = slotAt(s - 1);
    if (n.key == key && n.ifindex == ifindex) return n;
    s = n.hashNext;
  }
  return null;
}

function randReachTime(): i64 {
  const base = <u32>sysctl(Sysctl.neigh_base_reachable_time_ms);
  return base != 0 ? <i64>(base >> 1) + <i64>prandomU32Max(base) : 0;
}

function unlink(n: Neighbour): void {
  const b = buckets + (<usize>hashOf(n.key, n.ifindex) << 2);
  const me = <u32>((changetype<usize>(n) - pool) / NEIGH_SIZE) + 1;
  let s = load<u32>(b);
  if (s == me) { store<u32>(b, n.hashNext); }
  else {
    while (s != 0) {
      const p = slotAt(s - 1);
      if (p.hashNext == me) { p.hashNext = n.hashNext; break; }
      s = p.hashNext;
    }
  }
}

/** neigh_release of an unreferenced entry: drop queued packets, stop its timer, free the slot. */
function neighFree(n: Neighbour, reason: Drop): void {
  if (n.timer != 0) { timerCancel(n.timer); n.timer = 0; }
  skbQueuePurge(neighQueue(n), reason);
  unlink(n);
  n.ifindex = 0;
  count--;
}

/** neigh_forced_gc: evict one entry that is not permanent and not being resolved. */
function forcedGc(): bool {
  let victim: Neighbour | null = null;
  for (let i: u32 = 0; i < NEIGH_MAX; i++) {
    const n = slotAt(i);
    if (n.ifindex == 0 || (n.state & (NUD_PERMANENT | NUD_INCOMPLETE)) != 0) continue;
    if (victim === null || n.used < victim.used) victim = n;
  }
  if (victim === null) return false;
  neighFree(victim, Drop.NEIGH_DEAD);
  return true;
}

/**
 * neigh_create with arp_constructor's initial state: NOARP devices, and addresses the local table types
 * broadcast or multicast on this device (inet_addr_type_dev_table), need no ARP.
 */
export function neighCreate(key: u32, d: NetDevice): Neighbour | null {
  if (count >= NEIGH_MAX && !forcedGc()) { arpInc(ArpStat.TableFulls); return null; }
  let slot: u32 = 0;
  while (slot < NEIGH_MAX && slotAt(slot).ifindex != 0) slot++;
  if (slot == NEIGH_MAX) { arpInc(ArpStat.TableFulls); return null; }
  const n = slotAt(slot);
  memory.fill(changetype<usize>(n), 0, NEIGH_SIZE);
  n.key = key; n.ifindex = d.ifindex;
  const t = jiffies();
  n.updated = t; n.used = t;
  n.confirmed = t - (<i64>sysctl(Sysctl.neigh_base_reachable_time_ms) << 1);   // neigh_alloc: long ago
  n.reachableTime = randReachTime();
  arpInc(ArpStat.Allocs);
  const type = inetAddrType(key);
  n.type = type;
  if ((d.flags & (IFF_NOARP | IFF_LOOPBACK)) != 0) {
    n.state = NUD_NOARP; etherAddrCopy(neighHa(n), devMac(d));
  } else if (type == RTN_BROADCAST) {
    n.state = NUD_NOARP; etherAddrCopy(neighHa(n), devBroadcast(d));
  } else if (type == RTN_MULTICAST) {
    // ip_eth_mc_map: 01:00:5e + low 23 bits of the group.
    n.state = NUD_NOARP;
    const ha = neighHa(n);
    store<u8>(ha, 0x01); store<u8>(ha, 0x00, 1); store<u8>(ha, 0x5E, 2);
    store<u8>(ha, <u8>((key >> 8) & 0x7F), 3); store<u8>(ha, <u8>(key >> 16), 4); store<u8>(ha, <u8>(key >> 24), 5);
  }
  const b = buckets + (<usize>hashOf(key, d.ifindex) << 2);
  n.hashNext = load<u32>(b);
  store<u32>(b, slot + 1);
  count++;
  return n;
}

function neighAddTimer(n: Neighbour, when: i64): void {
  if (n.timer != 0) timerCancel(n.timer);
  const me = <u32>((changetype<usize>(n) - pool) / NEIGH_SIZE);
  n.timer = timerAdd(when, TIMER_NEIGH, me);
}

function neighDelTimer(n: Neighbour): void {
  if (n.timer != 0) { timerCancel(n.timer); n.timer = 0; }
}

/** Send everything queued while the entry was unresolved (neigh_update → neigh_connect path). */
function flushQueue(n: Neighbour, d: NetDevice): void {
  const q = neighQueue(n);
  let skb = skbDequeue(q);
  while (skb !== null) {
    if (ethHeader(skb, skb.protocol, neighHa(n), devMac(d))) devQueueXmit(skb);
    else kfreeSkb(skb, Drop.NOMEM);
    skb = skbDequeue(q);
  }
}

/** __neigh_update flags. */
export const NEIGH_UPDATE_F_OVERRIDE: u32 = 0x1;
export const NEIGH_UPDATE_F_WEAK_OVERRIDE: u32 = 0x2;
export const NEIGH_UPDATE_F_ADMIN: u32 = 0x80000000;

/**
 * __neigh_update: a link-layer address (lladdr, 0 = none given) and/or a state learned from ARP or
 * set by the user. NOARP and PERMANENT entries change only by ADMIN. A different address replaces a
 * valid one only with OVERRIDE (WEAK_OVERRIDE: a connected entry goes STALE and keeps its address);
 * the same address reported as STALE leaves the state as it is. `updated` moves only with a change;
 * a new address without a connected state makes the entry "confirmed long ago".
 */
export function neighUpdate(n: Neighbour, lladdrIn: usize, newIn: u8, flags: u32): i32 {
  const d = devGet(n.ifindex);
  if (d === null) return 0;
  const old = n.state;
  let lladdr = lladdrIn;
  let newState = newIn;
  if ((flags & NEIGH_UPDATE_F_ADMIN) == 0 && (old & (NUD_NOARP | NUD_PERMANENT)) != 0) return 0;
  const t = jiffies();
  if ((newState & NUD_VALID) == 0) {
    neighDelTimer(n);
    n.state = newState;
    if ((old & (NUD_INCOMPLETE | NUD_PROBE)) != 0 && (newState & NUD_FAILED) != 0) neighInvalidate(n);
    return 0;
  }
  // compare the proposed address with the cached one (lladdr == neighHa(n) means "the same")
  const ha = neighHa(n);
  if (lladdr != 0) {
    if ((old & NUD_VALID) != 0 && etherAddrEqual(lladdr, ha)) lladdr = ha;
  } else {
    if ((old & NUD_VALID) == 0) { neighErrMsg = "No link layer address given"; return -22; }   // EINVAL
    lladdr = ha;
  }
  if ((newState & NUD_CONNECTED) != 0) n.confirmed = t;
  if ((old & NUD_VALID) != 0) {
    if (lladdr != ha && (flags & NEIGH_UPDATE_F_OVERRIDE) == 0) {
      if ((flags & NEIGH_UPDATE_F_WEAK_OVERRIDE) != 0 && (old & NUD_CONNECTED) != 0) { lladdr = ha; newState = NUD_STALE; }
      else return 0;
    } else if (lladdr == ha && newState == NUD_STALE && (flags & NEIGH_UPDATE_F_ADMIN) == 0) {
      newState = old;
    }
  }
  if (newState != old || lladdr != ha) n.updated = t;
  if (newState != old) {
    neighDelTimer(n);
    if ((newState & NUD_PROBE) != 0) n.probes = 0;
    if ((newState & NUD_IN_TIMER) != 0) neighAddTimer(n, t + ((newState & NUD_REACHABLE) != 0 ? n.reachableTime : 0));
    n.state = newState;
  }
  if (lladdr != ha) {
    etherAddrCopy(ha, lladdr);
    if ((newState & NUD_CONNECTED) == 0) n.confirmed = t - (<i64>sysctl(Sysctl.neigh_base_reachable_time_ms) << 1);
  }
  if (newState == old) return 0;
  if ((old & NUD_VALID) == 0) flushQueue(n, d);          // resolved: the waiting packets go out
  return 0;
}

/** Ext-ack text of the last neighUpdate error. */
export let neighErrMsg = "";

/** neigh_remove_one: the entry leaves the table (RTM_DELNEIGH after its update to FAILED). */
export function neighRemove(n: Neighbour): void { neighFree(n, Drop.NEIGH_DEAD); }

/** neigh_event_ns: the peer told us its address (ARP request to us): create or update to STALE. */
export function neighEventNs(key: u32, d: NetDevice, lladdr: usize): Neighbour | null {
  let n = neighLookup(key, d.ifindex);
  if (n === null) n = neighCreate(key, d);
  if (n !== null) neighUpdate(n, lladdr, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);
  return n;
}

/** Queue a packet on an unresolved entry; past unres_qlen the oldest is dropped (__neigh_event_send). */
function queueUnresolved(n: Neighbour, skb: Skb): void {
  const q = neighQueue(n);
  while (q.qlen >= <u32>sysctl(Sysctl.neigh_unres_qlen)) {
    const old = skbDequeue(q);
    if (old === null) break;
    arpInc(ArpStat.UnresolvedDiscards);
    kfreeSkb(old, Drop.NEIGH_QUEUEFULL);
  }
  skbQueueTail(q, skb);
}

/**
 * neigh_output / neigh_resolve_output: send an IP packet (skb.data at the IP header, skb.dev set) to the
 * neighbour `nexthop` on that device.
 */
export function neighOutput(skb: Skb, nexthop: u32): void {
  const d = devGet(skb.dev);
  if (d === null) { kfreeSkb(skb, Drop.DEV_READY); return; }
  let n = neighLookupNoref(nexthop, d.ifindex);
  if (n === null) n = neighCreate(nexthop, d);
  if (n === null) { kfreeSkb(skb, Drop.NEIGH_FAILED); return; }
  if (neighEventSend(n, d, skb)) sendWithHeader(skb, n, d);
}

/**
 * neigh_event_send: the entry is about to be used. A connected, delayed or probed one is usable now;
 * a stale one is too, and is verified after delay_first_probe_time; otherwise (none, failed,
 * incomplete) the skb, if any, waits in the queue and resolution starts with an immediate probe.
 * True when the entry can be used now (the caller sends the skb), false while it is being resolved.
 */
export function neighEventSend(n: Neighbour, d: NetDevice, skb: Skb | null): bool {
  const t = jiffies();
  n.used = t;
  const st = n.state;
  if ((st & (NUD_CONNECTED | NUD_DELAY | NUD_PROBE)) != 0) return true;
  if (st == NUD_STALE) {
    n.state = NUD_DELAY;
    n.updated = t;
    neighAddTimer(n, t + <i64>sysctl(Sysctl.neigh_delay_first_probe_time) * 1000);
    return true;
  }
  if (skb !== null) {
    skb.protocol = ETH_P_IP;
    queueUnresolved(n, skb);
  }
  if (st != NUD_INCOMPLETE) {
    n.state = NUD_INCOMPLETE;
    n.probes = 0;
    n.updated = t;
    neighProbe(n, d);
    neighAddTimer(n, t + <i64>sysctl(Sysctl.neigh_retrans_time_ms));
  }
  return false;
}

function sendWithHeader(skb: Skb, n: Neighbour, d: NetDevice): void {
  if (!ethHeader(skb, ETH_P_IP, neighHa(n), devMac(d))) { kfreeSkb(skb, Drop.NOMEM); return; }
  devQueueXmit(skb);
}

/** neigh_probe: one solicitation; its source address comes from the newest queued packet if any (skb_peek_tail). */
function neighProbe(n: Neighbour, d: NetDevice): void {
  const q = neighQueue(n);
  let saddr: u32 = 0;
  if (q.tail != 0) saddr = load<u32>(<usize>skbNetworkHeader(changetype<Skb>(<usize>q.tail)) + 12);
  n.probes++;
  arpSolicit(n, d, saddr, n.state == NUD_PROBE);
}

/** neigh_timer_handler: the NUD transitions that happen with time. */
function neighTimerHandler(arg: u32, now: i64): void {
  const n = slotAt(arg);
  n.timer = 0;
  if (n.ifindex == 0) return;
  const d = devGet(n.ifindex);
  if (d === null) return;
  const st = n.state;
  if ((st & NUD_IN_TIMER) == 0) return;
  if ((st & NUD_REACHABLE) != 0) {
    if (now - n.confirmed < n.reachableTime) { neighAddTimer(n, n.confirmed + n.reachableTime); return; }
    if (now - n.used <= <i64>sysctl(Sysctl.neigh_delay_first_probe_time) * 1000) {
      n.state = NUD_DELAY; n.updated = now;
      neighAddTimer(n, now + <i64>sysctl(Sysctl.neigh_delay_first_probe_time) * 1000);
    } else { n.state = NUD_STALE; n.updated = now; }
    return;
  }
  if ((st & NUD_DELAY) != 0) {
    if (now - n.confirmed < <i64>sysctl(Sysctl.neigh_delay_first_probe_time) * 1000) {
      n.state = NUD_REACHABLE; n.updated = now;
      neighAddTimer(n, n.confirmed + n.reachableTime);
      return;
    }
    n.state = NUD_PROBE; n.updated = now; n.probes = 0;
  }
  // INCOMPLETE or PROBE: another probe, or give up (neigh_max_probes: 3 broadcast, then 3 unicast probes).
  const max: u8 = n.state == NUD_INCOMPLETE
    ? <u8>(sysctl(Sysctl.neigh_mcast_solicit) + sysctl(Sysctl.neigh_app_solicit))
    : <u8>(sysctl(Sysctl.neigh_ucast_solicit) + sysctl(Sysctl.neigh_app_solicit)); // mcast_reprobes = 0
  if (n.probes >= max) {
    n.state = NUD_FAILED; n.updated = now;
    neighInvalidate(n);
    return;
  }
  neighProbe(n, d);
  neighAddTimer(n, now + <i64>sysctl(Sysctl.neigh_retrans_time_ms));
}

/**
 * neigh_invalidate: resolution failed. Each waiting packet's sender hears about it (arp_error_report
 * → ipv4_link_failure: ICMP host unreachable, under icmp_send's rules and rate limits), then the
 * packet is dropped.
 */
function neighInvalidate(n: Neighbour): void {
  arpInc(ArpStat.ResFailed);
  const q = neighQueue(n);
  for (let skb = skbDequeue(q); skb !== null; skb = skbDequeue(q)) {
    // ipv4_send_dest_unreach: the options compiled afresh from the header first
    if (ipOptionsRecompile(skb)) icmpSend(skb, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, 0);
    kfreeSkb(skb, Drop.NEIGH_FAILED);
  }
}

/** neigh_ifdown: a device went down or away; its entries go (queued packets dropped). */
export function neighIfdown(d: NetDevice): void {
  for (let i: u32 = 0; i < NEIGH_MAX; i++) {
    const n = slotAt(i);
    if (n.ifindex == d.ifindex) neighFree(n, Drop.NEIGH_DEAD);
  }
}
