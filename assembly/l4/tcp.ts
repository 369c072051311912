// TCP receive (net/ipv4/tcp_ipv4.c tcp_v4_rcv) for a host that has no TCP sockets: the header and
// checksum checks, then "no socket": a reset (tcp_v4_send_reset through ip_send_unicast_reply) for a
// segment that is not itself a reset, sent from the address it came to, with DF and IP id 0 (the
// kernel's TCP control socket), the received IP options echoed, the TOS kept without ECN.
import { Skb, allocSkb, kfreeSkb, skbPut, skbNetworkHeader, NET_SKB_PAD, PACKET_HOST } from "../core/skb";
import { Drop, TcpMib, tcpInc } from "../core/stats";
import { csumPartial, csumTcpudpMagic } from "../core/checksum";
import { memZero } from "../core/mem";
import { ipRouteOutput, ip4DstHoplimit, RTN_LOCAL } from "../route/route";
import { ipOptionsEcho, ipEchoFirstHop } from "../ipv4/ip_options";
import { ipBuildAndSend } from "../ipv4/output";

const IPPROTO_TCP: u8 = 6;
const TH_FIN: u8 = 0x01, TH_SYN: u8 = 0x02, TH_RST: u8 = 0x04, TH_ACK: u8 = 0x10;
const LL_RESERVE: u32 = NET_SKB_PAD + 2 + 60;     // link header, IP header with options

/** tcp_v4_rcv. skb.data at the TCP header; rtType is the input route type. */
export function tcpRcv(skb: Skb, rtType: u8): void {
  if (skb.pktType != PACKET_HOST) { kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }
  tcpInc(TcpMib.InSegs);                             // counted even if it is bad
  const th = <usize>skb.data;
  const len = skb.len;
  if (len < 20) { kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }
  const doff = <u32>(load<u8>(th + 12) >> 4) << 2;
  if (doff < 20) { tcpInc(TcpMib.InErrs); kfreeSkb(skb, Drop.PKT_TOO_SMALL); return; }
  if (len < doff) { kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }
  const iph = <usize>skbNetworkHeader(skb);
  if (csumTcpudpMagic(load<u32>(iph + 12), load<u32>(iph + 16), len, IPPROTO_TCP, csumPartial(th, <i32>len, 0)) != 0) {
    tcpInc(TcpMib.InCsumErrors); tcpInc(TcpMib.InErrs);
    kfreeSkb(skb, Drop.TCP_CSUM);
    return;
  }
  tcpSendReset(skb, rtType, th, len - doff);
  kfreeSkb(skb, Drop.NO_SOCKET);
}

/**
 * tcp_v4_send_reset with no socket: never for a reset, only for a segment that was routed to us.
 * The reset acknowledges what the segment occupied (SYN and FIN count one each), or, when the segment
 * acknowledged something, takes that as its sequence number.
 */
function tcpSendReset(skb: Skb, rtType: u8, th: usize, dataLen: u32): void {
  const flags = load<u8>(th + 13);
  if ((flags & TH_RST) != 0 || rtType != RTN_LOCAL) return;
  if (!ipOptionsEcho(skb)) return;                  // ip_send_unicast_reply
  const iph = <usize>skbNetworkHeader(skb);
  const peer = load<u32>(iph + 12), us = load<u32>(iph + 16);
  const tos = load<u8>(iph + 1) & 0xFC;
  const rt = ipRouteOutput(ipEchoFirstHop(peer), us, tos, 0, 0);   // fwmark_reflect is off
  if (rt === null) return;
  const n = allocSkb(LL_RESERVE);
  if (n === null) return;
  const r = <usize>skbPut(n, 20);
  if (r == 0) { kfreeSkb(n, Drop.NOMEM); return; }
  memZero(r, 20);
  store<u16>(r, load<u16>(th + 2));                 // ports swapped
  store<u16>(r + 2, load<u16>(th));
  if ((flags & TH_ACK) != 0) {
    store<u32>(r + 4, load<u32>(th + 8));           // seq = the segment's ack
    store<u8>(r + 13, TH_RST);
  } else {
    const seq = bswap<u32>(load<u32>(th + 4));
    const ack = seq + <u32>((flags & TH_SYN) != 0) + <u32>((flags & TH_FIN) != 0) + dataLen;
    store<u32>(r + 8, bswap<u32>(ack));
    store<u8>(r + 13, TH_RST | TH_ACK);
  }
  store<u8>(r + 12, 5 << 4);
  store<u16>(r + 16, csumTcpudpMagic(us, peer, 20, IPPROTO_TCP, csumPartial(r, 20, 0)));
  tcpInc(TcpMib.OutSegs);
  tcpInc(TcpMib.OutRsts);
  ipBuildAndSend(n, rt, us, peer, IPPROTO_TCP, tos, ip4DstHoplimit(rt), true, true);
}
