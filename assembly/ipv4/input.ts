// IPv4 receive (book ch. 4): ip_rcv → ip_rcv_finish → ip_local_deliver → L4 handler.
// Validation order and counters follow the kernel exactly (spec ch. 4.2, "top 15" #1).
import { Skb, kfreeSkb, skbPull, skbTrim, skbResetNetworkHeader, skbResetTransportHeader,
  PACKET_OTHERHOST } from "../core/skb";
import { NetDevice } from "../core/netdev";
import { Drop, IpMib, ipInc } from "../core/stats";
import { ipFastCsum } from "../core/checksum";
import { loadBe16 } from "../ethernet/eth";
import { ipRouteInput, ipError, RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST, RTN_UNREACHABLE } from "../route/route";
import { icmpRcv, icmpSend, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH } from "./icmp";
import { udpRcv } from "../l4/udp";
import { tcpRcv } from "../l4/tcp";
import { igmpRcv } from "./igmp";
import { ipForward } from "./forward";
import { ipDefrag } from "./ip_fragment";
import { ipOptionsClear, ipRcvOptions } from "./ip_options";

export const IPPROTO_ICMP: u8 = 1;
export const IPPROTO_UDP: u8 = 17;
export const IPPROTO_TCP: u8 = 6;
export const IPPROTO_IGMP: u8 = 2;
export const IP_MF: u16 = 0x2000;
export const IP_OFFSET: u16 = 0x1FFF;
const EXDEV: i32 = 18;


/** ip_rcv: skb.data at the IP header. */
export function ipRcv(skb: Skb, d: NetDevice): void {
  if (skb.pktType == PACKET_OTHERHOST) { kfreeSkb(skb, Drop.OTHERHOST); return; }
  ipOptionsClear(skb);
  ipInc(IpMib.InReceives);
  ipInc(IpMib.InOctets, skb.len);
  if (skb.len < 20) { ipInc(IpMib.InHdrErrors); kfreeSkb(skb, Drop.IP_INHDR); return; }
  const iph = <usize>skb.data;
  const vihl = load<u8>(iph);
  const ihl = <u32>(vihl & 15);
  if (ihl < 5 || (vihl >> 4) != 4) { ipInc(IpMib.InHdrErrors); kfreeSkb(skb, Drop.IP_INHDR); return; }
  ipInc(<IpMib>(IpMib.InNoECTPkts + (load<u8>(iph + 1) & 3)));   // the ECN field, counted before the length checks
  if (skb.len < ihl * 4) { ipInc(IpMib.InHdrErrors); kfreeSkb(skb, Drop.IP_INHDR); return; }
  if (ipFastCsum(iph, ihl) != 0) {
    ipInc(IpMib.InCsumErrors); ipInc(IpMib.InHdrErrors);
    kfreeSkb(skb, Drop.IP_CSUM);
    return;
  }
  const totLen = <u32>loadBe16(iph + 2);
  if (skb.len < totLen) { ipInc(IpMib.InTruncatedPkts); kfreeSkb(skb, Drop.PKT_TOO_SMALL); return; }
  if (totLen < ihl * 4) { ipInc(IpMib.InHdrErrors); kfreeSkb(skb, Drop.IP_INHDR); return; }
  skbTrim(skb, totLen);                     // remove Ethernet padding
  skbResetNetworkHeader(skb);
  skbResetTransportHeader(skb);
  ipRcvFinish(skb, d);
}

/** ip_rcv_finish: route the packet. */
function ipRcvFinish(skb: Skb, d: NetDevice): void {
  const iph = <usize>skb.data;
  const daddr = load<u32>(iph + 16), saddr = load<u32>(iph + 12);
  const rt = ipRouteInput(daddr, saddr, d, load<u8>(iph + 1), skb.mark, load<u8>(iph + 9));
  skb.rtType = rt.type;
  // options after the route, before the counters; a source route may route the packet again (rt and
  // skb.rtType follow)
  if (rt.type != 0 && (load<u8>(iph) & 15) > 5 && !ipRcvOptions(skb, d, rt)) return;
  const type = rt.type;
  if (type == RTN_MULTICAST) { ipInc(IpMib.InMcastPkts); ipInc(IpMib.InMcastOctets, skb.len); }
  else if (type == RTN_BROADCAST) { ipInc(IpMib.InBcastPkts); ipInc(IpMib.InBcastOctets, skb.len); }
  if (type == RTN_LOCAL || type == RTN_BROADCAST || type == RTN_MULTICAST) { ipLocalDeliver(skb, type); return; }
  if (type == 0) {                          // martian source or destination, or reverse-path failure
    if (rt.error == EXDEV) { ipInc(IpMib.IPReversePathFilter); kfreeSkb(skb, Drop.IP_RPFILTER); return; }
    kfreeSkb(skb, Drop.IP_INVALID_SOURCE);
    return;
  }
  // Not ours and no route (or forwarding off): ip_error counts, answers or drops by the route's errno.
  if (type == RTN_UNREACHABLE) { ipError(skb, rt, d); return; }
  ipForward(skb, rt);                       // a route to forward along (forwarding is on)
}

/** ip_local_deliver + ip_local_deliver_finish: fragments are reassembled first (ip_defrag). */
function ipLocalDeliver(skbIn: Skb, type: u8): void {
  let skb = skbIn;
  if ((loadBe16(<usize>skb.data + 6) & (IP_MF | IP_OFFSET)) != 0) {
    const whole = ipDefrag(skb);
    if (whole === null) return;
    skb = whole;
  }
  const iph = <usize>skb.data;
  const ihl = <u32>(load<u8>(iph) & 15) << 2;
  const proto = load<u8>(iph + 9);
  skbPull(skb, ihl);
  skbResetTransportHeader(skb);
  // ip_protocol_deliver_rcu: InDelivers once a handler took the packet.
  if (proto == IPPROTO_ICMP) { icmpRcv(skb); ipInc(IpMib.InDelivers); return; }
  if (proto == IPPROTO_UDP) { udpRcv(skb, type); ipInc(IpMib.InDelivers); return; }
  if (proto == IPPROTO_TCP) { tcpRcv(skb, type); ipInc(IpMib.InDelivers); return; }
  if (proto == IPPROTO_IGMP) { igmpRcv(skb); ipInc(IpMib.InDelivers); return; }
  // No handler: InUnknownProtos and protocol unreachable (icmp_send refuses broadcast/multicast itself).
  ipInc(IpMib.InUnknownProtos);
  icmpSend(skb, ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, 0);
  kfreeSkb(skb, Drop.IP_NOPROTO);
}
