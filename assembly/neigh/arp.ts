// ARP (book ch. 7, net/ipv4/arp.c): arp_rcv/arp_process for Ethernet/IPv4, replies for our addresses,
// learning the sender into the neighbour table, and arp_solicit for resolution probes, with the
// per-device arp_ignore, arp_filter, arp_accept and arp_announce.
import { Skb, allocSkb, kfreeSkb, consumeSkb, skbPut, skbResetNetworkHeader, PACKET_HOST, PACKET_OTHERHOST,
  PACKET_LOOPBACK, NET_SKB_PAD } from "../core/skb";
import { NetDevice, devMac, devBroadcast, IFF_NOARP, IFF_LOOPBACK } from "../core/netdev";
import { Drop, IpMib, ipInc } from "../core/stats";
import { devQueueXmit, jiffies } from "../core/dev";
import { sysctl, Sysctl, devConf, DevConf, CONF_ALL } from "../core/sysctl";
import { inetAddrType, RTN_UNICAST, RTN_LOCAL } from "../route/fib";
import { ipRouteInput, ipRouteOutput } from "../route/route";
import { ethHeader, etherAddrCopy, loadBe16, storeBe16, isZeroEtherAddr, ETH_P_ARP, ETH_P_IP } from "../ethernet/eth";
import { inetSelectAddr, inetAddrIsLocal, inetConfirmAddr, inetAddrOnlink, RT_SCOPE_HOST, RT_SCOPE_LINK } from "../ipv4/devinet";
import { Neighbour, neighHa, neighLookup, neighCreate, neighEventNs, neighUpdate, NUD_REACHABLE, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE } from "./neighbour";

export const ARPOP_REQUEST: u16 = 1;
export const ARPOP_REPLY: u16 = 2;
const ARPHRD_ETHER: u16 = 1;
const ARPHRD_IEEE802: u16 = 6;
// struct arphdr (8) + sha(6) sip(4) tha(6) tip(4)
export const ARP_HDR_LEN: u32 = 28;

// @ts-ignore: decorator
@inline function isMulticastIp(a: u32): bool { return (a & 0xF0) == 0xE0; }
// @ts-ignore: decorator
@inline function isLoopbackIp(a: u32): bool { return (a & 0xFF) == 127; }

/** arp_create + arp_xmit: build and send one ARP packet on d. destHw 0 = broadcast; tha 0 = zeros. */
export function arpSend(op: u16, d: NetDevice, destIp: u32, srcIp: u32, destHw: usize, tha: usize): void {
  const skb = allocSkb(NET_SKB_PAD + 2);
  if (skb === null) return;
  const p = <usize>skbPut(skb, ARP_HDR_LEN);
  skbResetNetworkHeader(skb);
  storeBe16(p, ARPHRD_ETHER);
  storeBe16(p + 2, ETH_P_IP);
  store<u8>(p + 4, 6);
  store<u8>(p + 5, 4);
  storeBe16(p + 6, op);
  etherAddrCopy(p + 8, devMac(d));
  store<u32>(p + 14, srcIp);
  if (tha != 0) etherAddrCopy(p + 18, tha); else { store<u32>(p + 18, 0); store<u16>(p + 22, 0); }
  store<u32>(p + 24, destIp);
  skb.dev = d.ifindex;
  skb.protocol = ETH_P_ARP;
  if (!ethHeader(skb, ETH_P_ARP, destHw != 0 ? destHw : devBroadcast(d), devMac(d))) { kfreeSkb(skb, Drop.NOMEM); return; }
  devQueueXmit(skb);
}

/**
 * arp_solicit: ask for n's address. Source address by arp_announce (the larger of conf/all and the
 * device's): 0, the queued packet's source if it is any local address; 1, only if it is also on a
 * subnet of the device holding the target; 2, never; otherwise an address of the device chosen for
 * the target. Unicast to the known address when probing; the target hardware address is zeros.
 */
export function arpSolicit(n: Neighbour, d: NetDevice, skbSaddr: u32, unicast: bool): void {
  const mode = max(devConf(CONF_ALL, DevConf.arp_announce), devConf(d.ifindex, DevConf.arp_announce));
  let saddr: u32 = 0;
  if (mode < 2 && skbSaddr != 0 && inetAddrType(skbSaddr) == RTN_LOCAL
    && (mode == 0 || inetAddrOnlink(d.ifindex, n.key, skbSaddr))) saddr = skbSaddr;
  if (saddr == 0) saddr = inetSelectAddr(d.ifindex, n.key, RT_SCOPE_LINK);
  const dst = unicast && !isZeroEtherAddr(neighHa(n)) ? neighHa(n) : 0;
  arpSend(ARPOP_REQUEST, d, n.key, saddr, dst, 0);
}

/**
 * arp_ignore (the larger of conf/all and the device's): 0 answers for any local address; 1 only for
 * one on the receiving device; 2 also only when the sender is in its subnet; 3 not for host-scope
 * addresses; 8 never.
 */
function arpIgnore(d: NetDevice, sip: u32, tip: u32): bool {
  const mode = max(devConf(CONF_ALL, DevConf.arp_ignore), devConf(d.ifindex, DevConf.arp_ignore));
  if (mode == 1) return inetConfirmAddr(d.ifindex, 0, tip, RT_SCOPE_HOST) == 0;
  if (mode == 2) return inetConfirmAddr(d.ifindex, sip, tip, RT_SCOPE_HOST) == 0;
  if (mode == 3) return inetConfirmAddr(0, 0, tip, RT_SCOPE_LINK) == 0;
  return mode == 8;
}

/**
 * arp_accept (the larger of conf/all and the device's): 1 lets unsolicited ARP create entries; 2 only
 * for a sender in a subnet of the receiving device.
 */
function arpAccept(d: NetDevice, sip: u32): bool {
  const mode = max(devConf(CONF_ALL, DevConf.arp_accept), devConf(d.ifindex, DevConf.arp_accept));
  if (mode == 1) return true;
  if (mode == 2) return inetConfirmAddr(d.ifindex, sip, 0, RT_SCOPE_LINK) != 0;
  return false;
}

/** arp_filter (conf/all or the device's): answer only when the route back to the sender leaves by d. */
function arpFilter(d: NetDevice, sip: u32, tip: u32): bool {
  if (devConf(CONF_ALL, DevConf.arp_filter) == 0 && devConf(d.ifindex, DevConf.arp_filter) == 0) return false;
  const rt = ipRouteOutput(sip, tip);
  if (rt === null) return true;
  if (rt.oif == d.ifindex) return false;
  ipInc(IpMib.ArpFilter);
  return true;
}

/**
 * arp_is_garp: sender and target addresses equal and a unicast address of ours to the local table's
 * eyes; a reply must also name the same hardware address as target and sender.
 */
function arpIsGarp(d: NetDevice, op: u16, sip: u32, tip: u32, sha: usize, tha: usize): bool {
  if (sip != tip) return false;
  if (inetAddrType(sip) != RTN_UNICAST) return false;
  return op != ARPOP_REPLY || memory.compare(sha, tha, 6) == 0;
}

/** arp_rcv + arp_process. skb.data is at the ARP header. */
export function arpRcv(skb: Skb, d: NetDevice): void {
  // arp_rcv: not on NOARP devices, not for other hosts, and the header must be complete.
  if ((d.flags & (IFF_NOARP | IFF_LOOPBACK)) != 0 || skb.pktType == PACKET_OTHERHOST || skb.pktType == PACKET_LOOPBACK) {
    consumeSkb(skb);
    return;
  }
  if (skb.len < ARP_HDR_LEN) { kfreeSkb(skb, Drop.PKT_TOO_SMALL); return; }
  const p = <usize>skb.data;
  skbResetNetworkHeader(skb);
  const hrd = loadBe16(p), pro = loadBe16(p + 2);
  if (load<u8>(p + 4) != 6 || load<u8>(p + 5) != 4) { kfreeSkb(skb, Drop.ARP_INVALID); return; }
  // arp_process
  if ((hrd != ARPHRD_ETHER && hrd != ARPHRD_IEEE802) || pro != ETH_P_IP) { kfreeSkb(skb, Drop.ARP_INVALID); return; }
  const op = loadBe16(p + 6);
  if (op != ARPOP_REQUEST && op != ARPOP_REPLY) { kfreeSkb(skb, Drop.ARP_INVALID); return; }
  const sha = p + 8;
  const sip = load<u32>(p + 14);
  const tip = load<u32>(p + 24);
  if (isMulticastIp(tip) || isLoopbackIp(tip)) { kfreeSkb(skb, Drop.ARP_INVALID); return; }
  // Duplicate address detection probe (sip 0): answer for our own address, learn nothing.
  if (sip == 0) {
    if (op == ARPOP_REQUEST && inetAddrIsLocal(tip) != 0 && !arpIgnore(d, sip, tip)) arpSend(ARPOP_REPLY, d, sip, tip, sha, sha);
    consumeSkb(skb);
    return;
  }
  // A request that routes to us from its sender (ip_route_input: not from a martian or from one of our
  // own addresses): unless arp_ignore or arp_filter says otherwise, learn the sender and answer.
  if (op == ARPOP_REQUEST && ipRouteInput(tip, sip, d).type == RTN_LOCAL) {
    if (!arpIgnore(d, sip, tip) && !arpFilter(d, sip, tip)) {
      const n = neighEventNs(sip, d, sha);
      if (n !== null) arpSend(ARPOP_REPLY, d, sip, tip, sha, sha);
    }
    consumeSkb(skb);
    return;
  }
  // Not a request for us: update an existing entry; with arp_accept, a gratuitous ARP or a reply from
  // a unicast address creates one.
  let n = neighLookup(sip, d.ifindex);
  const accept = arpAccept(d, sip);
  const garp = (n !== null || accept) && arpIsGarp(d, op, sip, tip, sha, p + 18);
  if (accept && n === null && (garp || (op == ARPOP_REPLY && inetAddrType(sip) == RTN_UNICAST))) {
    n = neighLookup(sip, d.ifindex);                 // __neigh_lookup(..., creat = 1)
    if (n === null) n = neighCreate(sip, d);
  }
  if (n !== null) {
    // Back-to-back replies: the first one wins for locktime, unless this is a gratuitous ARP.
    const mayOverride = jiffies() > n.updated + <i64>sysctl(Sysctl.neigh_locktime) * 10 || garp;
    // Broadcast replies and requests do not assert reachability.
    const state = op == ARPOP_REPLY && skb.pktType == PACKET_HOST ? NUD_REACHABLE : NUD_STALE;
    neighUpdate(n, sha, state, mayOverride ? NEIGH_UPDATE_F_OVERRIDE : 0);
  }
  consumeSkb(skb);
}
