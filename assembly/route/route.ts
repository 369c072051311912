// Route lookups for the data path (book ch. 5, ip_route_input / ip_route_output_key).
// Until the FIB (LC-trie, policy rules) exists, the tables are exactly what the kernel derives from the
// configured addresses: the local table (local addresses, broadcast addresses) and the connected prefix
// routes in main. The FIB issue replaces the lookups below behind the same interface.
import { NetDevice, devGet, devIsUp, devIndexLimit, IFF_LOOPBACK } from "../core/netdev";
import { ifaFirst, ifaAt, IFA_F_SECONDARY, inetAddrIsLocal, inetSelectAddr } from "../ipv4/devinet";

// RTN_* route types.
export const RTN_UNICAST: u8 = 1;
export const RTN_LOCAL: u8 = 2;
export const RTN_BROADCAST: u8 = 3;
export const RTN_MULTICAST: u8 = 5;
export const RTN_UNREACHABLE: u8 = 7;

// A lookup result (the parts of struct rtable the data path reads). One per lookup kind; the data path
// is run-to-completion, so a result is consumed before the next lookup of the same kind.
@unmanaged export class Rtable {
  type: u8;
  pad0: u8;
  pad1: u16;
  oif: u32;        // output device
  gateway: u32;    // next hop (0 = on link: the destination itself)
  prefsrc: u32;    // source address to use
}
const rtIn = changetype<Rtable>(memory.data(16));
const rtOut = changetype<Rtable>(memory.data(16));

// @ts-ignore: decorator
@inline function isMulticast(a: u32): bool { return (a & 0xF0) == 0xE0; }
// @ts-ignore: decorator
@inline function isZeronet(a: u32): bool { return (a & 0xFF) == 0; }
// @ts-ignore: decorator
@inline function isLoopback(a: u32): bool { return (a & 0xFF) == 127; }
const ALL_HOSTS: u32 = 0x010000E0; // 224.0.0.1, joined on every multicast-capable device

/** Is daddr a broadcast address of a subnet on device d (or the limited broadcast)? */
function isBroadcastOn(d: NetDevice, daddr: u32): bool {
  if (daddr == 0xFFFFFFFF) return true;
  for (let s = ifaFirst(d.ifindex); s != 0; s = ifaAt(s).next) {
    const a = ifaAt(s);
    if (a.prefixlen >= 31) continue;
    if (a.broadcast == daddr && daddr != 0) return true;
    if ((a.address & a.mask) == (daddr & a.mask) && (daddr | a.mask) == 0xFFFFFFFF) return true; // subnet bcast
  }
  return false;
}

/**
 * ip_route_input: classify a received packet's destination. Returns the route type, or 0 for a martian
 * (bad source or destination address), RTN_UNREACHABLE when not for us and not forwarded.
 */
export function ipRouteInput(daddr: u32, saddr: u32, d: NetDevice): Rtable {
  rtIn.type = 0; rtIn.oif = 0; rtIn.gateway = 0; rtIn.prefsrc = 0;
  const lo = (d.flags & IFF_LOOPBACK) != 0;
  // Martian sources: multicast, limited broadcast, loopback on a non-loopback device (ip_route_input_slow).
  if (isMulticast(saddr) || saddr == 0xFFFFFFFF || (!lo && isLoopback(saddr))) return rtIn;
  if (isMulticast(daddr)) {
    if (daddr == ALL_HOSTS) rtIn.type = RTN_MULTICAST;
    return rtIn;
  }
  if (daddr == 0xFFFFFFFF || (saddr == 0 && daddr == 0)) { rtIn.type = RTN_BROADCAST; return rtIn; }
  if (isZeronet(saddr) && saddr != 0) return rtIn;
  if (isZeronet(daddr) || (!lo && isLoopback(daddr))) return rtIn;
  if (inetAddrIsLocal(daddr) != 0) { rtIn.type = RTN_LOCAL; return rtIn; }
  if (isBroadcastOn(d, daddr)) { rtIn.type = RTN_BROADCAST; return rtIn; }
  rtIn.type = RTN_UNREACHABLE;
  return rtIn;
}

/**
 * ip_route_output_key: where a locally generated packet to daddr goes. Local addresses go through lo;
 * otherwise the device whose primary prefix contains daddr (longest prefix wins). null = no route.
 */
export function ipRouteOutput(daddr: u32, saddr: u32): Rtable | null {
  rtOut.type = 0; rtOut.oif = 0; rtOut.gateway = 0; rtOut.prefsrc = 0;
  if (inetAddrIsLocal(daddr) != 0 || isLoopback(daddr)) {
    const lo = devGet(1);
    if (lo === null || !devIsUp(lo)) return null;
    rtOut.type = RTN_LOCAL; rtOut.oif = 1;
    rtOut.prefsrc = saddr != 0 ? saddr : daddr;
    return rtOut;
  }
  let bestLen: i32 = -1;
  const lim = devIndexLimit();
  for (let i: u32 = 2; i < lim; i++) {
    const d = devGet(i);
    if (d === null || !devIsUp(d)) continue;
    for (let s = ifaFirst(i); s != 0; s = ifaAt(s).next) {
      const a = ifaAt(s);
      if ((a.flags & IFA_F_SECONDARY) != 0) continue;
      if (((a.address ^ daddr) & a.mask) == 0 && <i32>a.prefixlen > bestLen) {
        bestLen = a.prefixlen;
        rtOut.oif = i;
        rtOut.prefsrc = a.local;
        rtOut.type = isBroadcastOn(d, daddr) ? RTN_BROADCAST : RTN_UNICAST;
      }
    }
  }
  if (bestLen < 0) return null;
  if (saddr != 0) rtOut.prefsrc = saddr;
  if (rtOut.prefsrc == 0) rtOut.prefsrc = inetSelectAddr(rtOut.oif, daddr, 0);
  return rtOut;
}
