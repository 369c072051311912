// UDP receive (net/ipv4/udp.c __udp4_lib_rcv), before any socket exists: length and checksum checks,
// then "no socket": Udp NoPorts and ICMP port unreachable (icmp_send refuses broadcast/multicast).
import { Skb, kfreeSkb, consumeSkb, skbNetworkHeader, skbTrim } from "../core/skb";
import { Drop, UdpMib, udpInc } from "../core/stats";
import { csumPartial, csumTcpudpMagic } from "../core/checksum";
import { loadBe16 } from "../ethernet/eth";
import { icmpSend, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH } from "../ipv4/icmp";
import { RTN_BROADCAST, RTN_MULTICAST } from "../route/route";

const IPPROTO_UDP: u32 = 17;
const CHECKSUM_BREAK: u32 = 76;

/** The datagram's checksum is wrong (0 means none was sent). */
function udpCsumBad(skb: Skb, uh: usize, ulen: u32): bool {
  if (load<u16>(uh + 6) == 0) return false;
  const iph = <usize>skbNetworkHeader(skb);
  return csumTcpudpMagic(load<u32>(iph + 12), load<u32>(iph + 16), ulen, IPPROTO_UDP, csumPartial(uh, <i32>ulen, 0)) != 0;
}

/** udp_rcv. skb.data at the UDP header; rtType is the input route type. */
export function udpRcv(skb: Skb, rtType: u8): void {
  const len = skb.len;
  if (len < 8) { udpInc(UdpMib.InErrors); kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }   // no header to pull
  const uh = <usize>skb.data;
  const ulen = <u32>loadBe16(uh + 4);
  if (ulen > len || ulen < 8) { udpInc(UdpMib.InErrors); kfreeSkb(skb, Drop.PKT_TOO_SMALL); return; }
  skbTrim(skb, ulen);
  // udp4_csum_init: without checksum offload a datagram of at most CHECKSUM_BREAK (76) bytes is
  // verified at once; a longer one only when it is about to be delivered or answered
  const early = ulen <= CHECKSUM_BREAK;
  if (early && udpCsumBad(skb, uh, ulen)) { udpCsumError(skb); return; }
  // Broadcast and multicast go to __udp4_lib_mcast_deliver: with no socket, IgnoredMulti.
  if (rtType == RTN_BROADCAST || rtType == RTN_MULTICAST) { udpInc(UdpMib.IgnoredMulti); consumeSkb(skb); return; }
  if (!early && udpCsumBad(skb, uh, ulen)) { udpCsumError(skb); return; }
  udpInc(UdpMib.NoPorts);
  icmpSend(skb, ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, 0);
  kfreeSkb(skb, Drop.NO_SOCKET);
}

function udpCsumError(skb: Skb): void {
  udpInc(UdpMib.InCsumErrors); udpInc(UdpMib.InErrors);
  kfreeSkb(skb, Drop.UDP_CSUM);
}
