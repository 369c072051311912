// IPv4 forwarding (book ch. 4 "Forwarding"; spec 4.10): ip_forward and ip_forward_finish, in the
// kernel's order. ICMP redirects (ch. 5 "ICMP Redirect Messages") go out from here: the route said
// RTCF_DOREDIRECT (same device in and out, sender on link), ip_rt_send_redirect rate-limits them.
import { Skb, kfreeSkb, skbMakeWritable, PACKET_HOST } from "../core/skb";
import { NetDevice, devGet } from "../core/netdev";
import { Drop, IpMib, ipInc } from "../core/stats";
import { loadBe16, storeBe16 } from "../ethernet/eth";
import { Rtable, RTCF_DOREDIRECT, ipRtSendRedirect, rtDstMtuForward } from "../route/route";
import { icmpSend, ICMP_TIME_EXCEEDED, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED } from "./icmp";
import { ipOutput, IP_DF } from "./output";
import { ipOptLen, ipOptSourceRoute, ipOptStrictRoute, ipForwardOptions } from "./ip_options";

const ICMP_EXC_TTL: u8 = 0;
const ICMP_SR_FAILED: u8 = 5;

/**
 * ip_decrease_ttl: TTL - 1 with the header checksum updated incrementally (RFC 1624): the 16-bit
 * word holding the TTL drops by 0x0100, so the checksum rises by 0x0100 with the end-around carry.
 */
export function ipDecreaseTtl(iph: usize): u8 {
  let c = <u32>loadBe16(iph + 10) + 0x0100;
  c += <u32>(c >= 0xFFFF);
  storeBe16(iph + 10, <u16>c);
  const ttl = <u8>(load<u8>(iph + 8) - 1);
  store<u8>(iph + 8, ttl);
  return ttl;
}

/** ip_forward for a received packet whose input route (rt) says forward. */
export function ipForward(skb: Skb, rt: Rtable): void {
  if (skb.pktType != PACKET_HOST) { kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }   // L2 broadcast/multicast
  const iph = <usize>skb.data;
  // The TTL is checked before it is decreased: a packet that arrives with TTL 1 goes no further.
  if (load<u8>(iph + 8) <= 1) {
    ipInc(IpMib.InHdrErrors);
    icmpSend(skb, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
    kfreeSkb(skb, Drop.IP_INHDR);
    return;
  }
  // a strict source route may only go to a neighbour
  if (ipOptStrictRoute(skb) && rt.usesGateway != 0) {
    icmpSend(skb, ICMP_DEST_UNREACH, ICMP_SR_FAILED, 0);
    kfreeSkb(skb, Drop.NOT_SPECIFIED);
    return;
  }
  ipInc(IpMib.ForwDatagrams);               // since 6.7 counted here, before the MTU check
  const out = devGet(rt.oif);
  if (out === null) { kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }
  // ip_exceeds_mtu: only DF packets are refused here; others are fragmented on output (ip_fragment).
  const mtu = rtDstMtuForward(rt, out);
  if (skb.len > mtu && (loadBe16(iph + 6) & IP_DF) != 0) {
    ipInc(IpMib.FragFails);
    icmpSend(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    kfreeSkb(skb, Drop.PKT_TOO_BIG);
    return;
  }
  if (!skbMakeWritable(skb)) { kfreeSkb(skb, Drop.NOMEM); return; }   // skb_cow
  ipDecreaseTtl(<usize>skb.data);
  // The redirect is advice to the sender (not for a source-routed packet); it is forwarded all the same.
  if ((rt.flags & RTCF_DOREDIRECT) != 0 && !ipOptSourceRoute(skb)) ipRtSendRedirect(skb, rt);
  ipForwardFinish(skb, rt, out, mtu);
}

/** ip_forward_finish: options (ip_forward_options), then dst_output (ip_output, which fragments over mtu). */
function ipForwardFinish(skb: Skb, rt: Rtable, out: NetDevice, mtu: u32): void {
  if (ipOptLen(skb) != 0) ipForwardOptions(skb, rt);
  ipOutput(skb, rt, out, mtu);
}
