// IPv4 addresses on devices (net/ipv4/devinet.c): struct in_ifaddr lists per device, primaries before
// secondaries, the loopback address added when lo comes up, and the notifier reactions to device events.
import { NetDevice, devGet, devIndexLimit, MAX_DEVICES, IFNAMSIZ, IFF_LOOPBACK, devName, devNameLen } from "../core/netdev";
import { rtmsgIfa } from "../netlink/rtnetlink";
import { timerAdd, timerMod, timerRegister } from "../core/timer";
import { jiffies } from "../core/dev";
import { fibInetaddrEvent } from "../route/fib";

export const NETDEV_UP: i32 = 1;
export const NETDEV_DOWN: i32 = 2;
export const NETDEV_UNREGISTER: i32 = 6;
export const NETDEV_CHANGEMTU: i32 = 7;

export const IFA_F_SECONDARY: u32 = 0x01;
export const IFA_F_DEPRECATED: u32 = 0x20;
export const IFA_F_PERMANENT: u32 = 0x80;
export const INFINITY_LIFE_TIME: u32 = 0xFFFFFFFF;
export const RT_SCOPE_UNIVERSE: u8 = 0;
export const RT_SCOPE_LINK: u8 = 253;
export const RT_SCOPE_HOST: u8 = 254;

export const MAX_IFADDR: u32 = 4096;

// Addresses are u32 in network byte order as loaded from a packet with load<u32> (first octet in the low byte).
@unmanaged export class InIfaddr {
  ifindex: u32;        // 0 = free slot
  local: u32;          // IFA_LOCAL
  address: u32;        // IFA_ADDRESS (peer on point-to-point; equals local otherwise)
  mask: u32;           // network byte order mask
  broadcast: u32;
  prefixlen: u8;
  scope: u8;
  pad: u16;
  flags: u32;
  next: u32;           // next slot in this device's list (0 = end)
  validLft: u32;       // seconds from tstamp (meaningful without IFA_F_PERMANENT)
  preferredLft: u32;
  label0: u64;         // IFNAMSIZ bytes
  label1: u64;
  tstamp: i64;         // when the lifetimes were last set (jiffies, ms)
}
export const IFADDR_SIZE: usize = 64;

let base: usize = 0;
let devHead: usize = 0;   // u32 per ifindex: first slot (1-based) in the list
// Local addresses for the per-packet "is it ours?" test: open addressing, address → ifindex of the first
// device holding it. Rebuilt on every address change (control path).
const LOCAL_SLOTS: u32 = 8192;
let localHash: usize = 0; // per slot: addr u32, ifindex u32 (ifindex 0 = empty)

export function devinetInit(): void {
  if (base == 0) {
    base = heap.alloc(<usize>(MAX_IFADDR + 1) * IFADDR_SIZE);
    devHead = heap.alloc(<usize>MAX_DEVICES << 2);
    localHash = heap.alloc(<usize>LOCAL_SLOTS << 3);
  }
  memory.fill(base, 0, <usize>(MAX_IFADDR + 1) * IFADDR_SIZE);
  memory.fill(devHead, 0, <usize>MAX_DEVICES << 2);
  memory.fill(localHash, 0, <usize>LOCAL_SLOTS << 3);
  lifetimeTimer = 0;
  timerRegister(TIMER_ADDR_LIFETIME, checkLifetime);
}

// @ts-ignore: decorator
@inline function localSlot(addr: u32): u32 { return (addr * 0x9E3779B1) >>> 19; }

function rebuildLocalHash(): void {
  memory.fill(localHash, 0, <usize>LOCAL_SLOTS << 3);
  for (let i: u32 = 1; i < MAX_DEVICES; i++) {
    for (let s = ifaFirst(i); s != 0; s = ifaAt(s).next) {
      const a = ifaAt(s).local;
      let k = localSlot(a);
      for (;;) {
        const p = localHash + (<usize>k << 3);
        const idx = load<u32>(p, 4);
        if (idx == 0) { store<u32>(p, a); store<u32>(p, i, 4); break; }
        if (load<u32>(p) == a) break;
        k = (k + 1) & (LOCAL_SLOTS - 1);
      }
    }
  }
}

// @ts-ignore: decorator
@inline export function ifaAt(slot: u32): InIfaddr { return changetype<InIfaddr>(base + <usize>slot * IFADDR_SIZE); }
// @ts-ignore: decorator
@inline export function ifaLabel(ifa: InIfaddr): usize { return changetype<usize>(ifa) + offsetof<InIfaddr>("label0"); }
/** First address slot of a device (0 = none); follow InIfaddr.next. */
// @ts-ignore: decorator
@inline export function ifaFirst(ifindex: u32): u32 { return load<u32>(devHead + (<usize>ifindex << 2)); }

/** inet_make_mask in network byte order (as loaded). */
export function inetMakeMask(prefixlen: u32): u32 {
  if (prefixlen == 0) return 0;
  return bswap<u32>(<u32>(0xFFFFFFFF << (32 - prefixlen)));
}

function ifaFreeSlot(): u32 {
  for (let s: u32 = 1; s <= MAX_IFADDR; s++) if (ifaAt(s).ifindex == 0) return s;
  return 0;
}

/**
 * __inet_insert_ifa: add an address. Same local+mask already on the device → -EEXIST. An address inside
 * the subnet of an existing primary becomes secondary; a new primary goes after the last primary.
 */
export function inetAddrAdd(ifindex: u32, local: u32, address: u32, prefixlen: u32, broadcast: u32, scope: u8,
                            flags: u32, label: usize, labelLen: u32, notify: bool = true,
                            validLft: u32 = INFINITY_LIFE_TIME, preferredLft: u32 = INFINITY_LIFE_TIME): i32 {
  const d = devGet(ifindex);
  if (d === null) return -19;
  if (prefixlen > 32) return -22;
  const mask = inetMakeMask(prefixlen);
  let lastPrimary: u32 = 0;
  let last: u32 = 0;
  let secondary = false;
  for (let s = ifaFirst(ifindex); s != 0; s = ifaAt(s).next) {
    const a = ifaAt(s);
    if ((a.flags & IFA_F_SECONDARY) == 0 && scope <= a.scope) lastPrimary = s;
    if ((a.flags & IFA_F_SECONDARY) == 0 && a.mask == mask && ((a.address ^ address) & mask) == 0) {
      if (a.local == local) return -17;
      if (a.scope != scope) return -22;
      secondary = true;
    }
    last = s;
  }
  const slot = ifaFreeSlot();
  if (slot == 0) return -105;
  const ifa = ifaAt(slot);
  memory.fill(changetype<usize>(ifa), 0, IFADDR_SIZE);
  ifa.ifindex = ifindex; ifa.local = local; ifa.address = address; ifa.mask = mask; ifa.prefixlen = <u8>prefixlen;
  ifa.broadcast = broadcast; ifa.scope = scope;
  ifa.flags = (flags & ~IFA_F_SECONDARY) | (secondary ? IFA_F_SECONDARY : 0);
  ifa.validLft = INFINITY_LIFE_TIME; ifa.preferredLft = INFINITY_LIFE_TIME;
  ifaSetLifetime(ifa, validLft, preferredLft);
  const ll = labelLen > 0 && labelLen < IFNAMSIZ ? labelLen : devNameLen(d);
  memory.copy(ifaLabel(ifa), labelLen > 0 && labelLen < IFNAMSIZ ? label : devName(d), ll);
  // Link in: secondaries at the tail, primaries after the last primary.
  const after = secondary ? last : lastPrimary;
  if (after == 0) { ifa.next = ifaFirst(ifindex); store<u32>(devHead + (<usize>ifindex << 2), slot); }
  else { ifa.next = ifaAt(after).next; ifaAt(after).next = slot; }
  rebuildLocalHash();
  if (notify) rtmsgIfa(ifa, 20 /* RTM_NEWADDR */);
  fibInetaddrEvent(ifa, NETDEV_UP);   // fib_inetaddr_event: the address's routes
  lifetimeKick();
  return 0;
}

// ---- address lifetimes (set_ifa_lifetime, check_lifetime) ----
const TIMER_ADDR_LIFETIME: u32 = 19;
const ADDR_CHECK_FREQUENCY: i64 = 120 * 1000;
const FUZZ_MINUS: i64 = 20;           // ADDRCONF_TIMER_FUZZ_MINUS (HZ / 50)
const FUZZ: i64 = 250;                // ADDRCONF_TIMER_FUZZ (HZ / 4)
const FUZZ_MAX: i64 = 1000;           // ADDRCONF_TIMER_FUZZ_MAX (HZ)
let lifetimeTimer: u32 = 0;

/**
 * set_ifa_lifetime: an infinite valid lifetime makes the address permanent; a preferred lifetime of 0
 * deprecates it at once; the clock of both starts now.
 */
export function ifaSetLifetime(ifa: InIfaddr, validLft: u32, preferredLft: u32): void {
  let flags = ifa.flags & ~(IFA_F_PERMANENT | IFA_F_DEPRECATED);
  if (validLft != INFINITY_LIFE_TIME) ifa.validLft = validLft;
  else flags |= IFA_F_PERMANENT;
  if (preferredLft != INFINITY_LIFE_TIME) {
    if (preferredLft == 0) flags |= IFA_F_DEPRECATED;
    ifa.preferredLft = preferredLft;
  }
  ifa.flags = flags;
  ifa.tstamp = jiffies();
}

/** Run check_lifetime at once (after an address was added or its lifetimes changed). */
export function lifetimeKick(): void {
  const now = jiffies();
  if (lifetimeTimer == 0 || !timerMod(lifetimeTimer, now)) lifetimeTimer = timerAdd(now, TIMER_ADDR_LIFETIME, 0);
}

// @ts-ignore: decorator
@inline function roundUpSecond(t: i64): i64 { return (t + 999) / 1000 * 1000; }

/**
 * check_lifetime: addresses past their valid lifetime are deleted, those past their preferred one
 * become deprecated (RTM_NEWADDR); then it runs again at the next expiry, at most ADDR_CHECK_FREQUENCY
 * later, rounded up to a second.
 */
function checkLifetime(arg: u32, now: i64): void {
  lifetimeTimer = 0;
  let next = roundUpSecond(now + ADDR_CHECK_FREQUENCY);
  for (let s: u32 = 1; s <= MAX_IFADDR; s++) {
    const ifa = ifaAt(s);
    if (ifa.ifindex == 0 || (ifa.flags & IFA_F_PERMANENT) != 0) continue;
    const age = (now - ifa.tstamp + FUZZ_MINUS) / 1000;
    const valid = ifa.validLft, pref = ifa.preferredLft;
    if (valid != INFINITY_LIFE_TIME && age >= <i64>valid) {
      inetAddrDel(ifa.ifindex, ifa.local, <i32>ifa.prefixlen, ifaLabel(ifa), IFNAMSIZ);
    } else if (pref == INFINITY_LIFE_TIME) {
      continue;
    } else if (age >= <i64>pref) {
      if (ifa.tstamp + <i64>valid * 1000 < next) next = ifa.tstamp + <i64>valid * 1000;
      if ((ifa.flags & IFA_F_DEPRECATED) == 0) {
        ifa.flags |= IFA_F_DEPRECATED;
        rtmsgIfa(ifa, 20 /* RTM_NEWADDR */);
      }
    } else if (ifa.tstamp + <i64>pref * 1000 < next) {
      next = ifa.tstamp + <i64>pref * 1000;
    }
  }
  const sec = roundUpSecond(next);
  let when = sec < next + FUZZ ? sec : next;
  if (when < now + FUZZ_MAX) when = now + FUZZ_MAX;
  lifetimeTimer = timerAdd(when, TIMER_ADDR_LIFETIME, 0);
}

function unlinkAndFree(ifindex: u32, slot: u32, prev: u32): void {
  const ifa = ifaAt(slot);
  if (prev == 0) store<u32>(devHead + (<usize>ifindex << 2), ifa.next);
  else ifaAt(prev).next = ifa.next;
  rtmsgIfa(ifa, 21 /* RTM_DELADDR */);
  rebuildLocalHash();
  fibInetaddrEvent(ifa, NETDEV_DOWN); // fib_inetaddr_event: its routes go (the slot is still readable)
  ifa.ifindex = 0;
}

/**
 * __inet_del_ifa on the first address matching local/prefixlen (and label when given). With
 * promote_secondaries off (the kernel default), deleting a primary also deletes its secondaries.
 */
export function inetAddrDel(ifindex: u32, local: u32, prefixlen: i32, label: usize, labelLen: u32): i32 {
  if (devGet(ifindex) === null) return -19;
  let prev: u32 = 0;
  for (let s = ifaFirst(ifindex); s != 0; prev = s, s = ifaAt(s).next) {
    const a = ifaAt(s);
    if (a.local != local) continue;
    if (prefixlen >= 0 && <i32>a.prefixlen != prefixlen) continue;
    if (labelLen > 0 && memory.compare(ifaLabel(a), label, labelLen) != 0) continue;
    // __inet_del_ifa: a primary's secondaries go first (promote_secondaries off), then the primary.
    if ((a.flags & IFA_F_SECONDARY) == 0) {
      const mask = a.mask, net = a.address & a.mask;
      let p: u32 = 0;
      let t = ifaFirst(ifindex);
      while (t != 0) {
        const b = ifaAt(t);
        const nx = b.next;
        if ((b.flags & IFA_F_SECONDARY) != 0 && b.mask == mask && (b.address & mask) == net) unlinkAndFree(ifindex, t, p);
        else p = t;
        t = nx;
      }
    }
    prev = 0;
    for (let t = ifaFirst(ifindex); t != s; t = ifaAt(t).next) prev = t;
    unlinkAndFree(ifindex, s, prev);
    return 0;
  }
  return -99; // EADDRNOTAVAIL
}

/** Is `addr` one of our local addresses on any device (a local-table hit)? Returns the ifindex or 0. */
export function inetAddrIsLocal(addr: u32): u32 {
  let k = localSlot(addr);
  let idx = load<u32>(localHash + (<usize>k << 3), 4);
  while (idx != 0 && load<u32>(localHash + (<usize>k << 3)) != addr) {
    k = (k + 1) & (LOCAL_SLOTS - 1);
    idx = load<u32>(localHash + (<usize>k << 3), 4);
  }
  return idx;
}

/**
 * confirm_addr_indev: an address of device ifindex that is `local` (any when 0) within scope, on a
 * device that also has a subnet holding `local` and `dst` (either may be 0 for "any"); 0 when none.
 */
function confirmAddrIndev(ifindex: u32, dst: u32, local: u32, scope: u8): u32 {
  let addr: u32 = 0;
  let same = false;
  for (let sl = ifaFirst(ifindex); sl != 0; sl = ifaAt(sl).next) {
    const ifa = ifaAt(sl);
    const minScope = min(ifa.scope, RT_SCOPE_HOST);          // route_localnet off
    if (addr == 0 && (local == ifa.local || local == 0) && minScope <= scope) {
      addr = ifa.local;
      if (same) break;
    }
    if (!same) {
      same = (local == 0 || ((local ^ ifa.address) & ifa.mask) == 0) && (dst == 0 || ((dst ^ ifa.address) & ifa.mask) == 0);
      if (same && addr != 0) {
        if (local != 0 || dst == 0) break;
        if (((addr ^ ifa.address) & ifa.mask) == 0) break;   // the selected address is in dst's subnet
        if (minScope <= scope) { addr = ifa.local; break; }  // else a new local source
        same = false;                                        // look for a larger subnet holding dst
      }
    }
  }
  return same ? addr : 0;
}

/** inet_addr_onlink: a subnet of device ifindex holds a, and b too unless b is 0. */
export function inetAddrOnlink(ifindex: u32, a: u32, b: u32): bool {
  for (let sl = ifaFirst(ifindex); sl != 0; sl = ifaAt(sl).next) {
    const ifa = ifaAt(sl);
    if (((a ^ ifa.address) & ifa.mask) == 0 && (b == 0 || ((b ^ ifa.address) & ifa.mask) == 0)) return true;
  }
  return false;
}

/** inet_confirm_addr: confirmAddrIndev on device ifindex, or on every device when ifindex is 0. */
export function inetConfirmAddr(ifindex: u32, dst: u32, local: u32, scope: u8): u32 {
  if (ifindex != 0) return confirmAddrIndev(ifindex, dst, local, scope);
  const lim = devIndexLimit();
  for (let i: u32 = 1; i < lim; i++) {
    const a = confirmAddrIndev(i, dst, local, scope);
    if (a != 0) return a;
  }
  return 0;
}

/** in_dev_select_addr: a primary, non-link-scope address of the device within scope. */
function inDevSelectAddr(ifindex: u32, scope: u8): u32 {
  for (let s = ifaFirst(ifindex); s != 0; s = ifaAt(s).next) {
    const a = ifaAt(s);
    if ((a.flags & IFA_F_SECONDARY) != 0) continue;
    if (a.scope != RT_SCOPE_LINK && a.scope <= scope) return a.local;
  }
  return 0;
}

/**
 * inet_select_addr: the device's primary address for dst (same subnet first, any when dst is 0) within
 * scope; with none there, a suitable address of any device (lo first).
 */
export function inetSelectAddr(ifindex: u32, dst: u32, scope: u8): u32 {
  let addr: u32 = 0;
  for (let s = ifaFirst(ifindex); s != 0; s = ifaAt(s).next) {
    const a = ifaAt(s);
    if ((a.flags & IFA_F_SECONDARY) != 0) continue;
    if (min(a.scope, RT_SCOPE_HOST) > scope) continue;
    if (dst == 0 || ((a.address ^ dst) & a.mask) == 0) { addr = a.local; break; }
    if (addr == 0) addr = a.local;
  }
  if (addr != 0) return addr;
  const lim = devIndexLimit();
  for (let i: u32 = 1; i < lim; i++) {
    if (devGet(i) === null) continue;
    addr = inDevSelectAddr(i, scope);
    if (addr != 0) return addr;
  }
  return 0;
}

/** inetdev_event: lo gets 127.0.0.1/8 when it comes up; addresses go with an unregistered device. */
export function inetdevEvent(d: NetDevice, event: i32): void {
  if (event == NETDEV_UP && (d.flags & IFF_LOOPBACK) != 0 && ifaFirst(d.ifindex) == 0) {
    const lo: u32 = 0x0100007F; // 127.0.0.1 as loaded
    inetAddrAdd(d.ifindex, lo, lo, 8, 0, RT_SCOPE_HOST, 0, 0, 0);
  } else if (event == NETDEV_UNREGISTER) {
    let s = ifaFirst(d.ifindex);
    while (s != 0) { const nx = ifaAt(s).next; unlinkAndFree(d.ifindex, s, 0); s = nx; }
  }
}
