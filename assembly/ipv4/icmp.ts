// ICMPv4 (book ch. 3, net/ipv4/icmp.c): icmp_rcv with its checks in the kernel's order, echo replies
// (icmp_reply), and icmp_send for errors with the suppression rules and rate limits of a current kernel
// (per-destination token bucket, plus the global icmp_msgs_per_sec limiter added after the book, 3.18).
import { Skb, allocSkb, kfreeSkb, consumeSkb, skbPut, skbNetworkHeader, PACKET_HOST,
  NET_SKB_PAD } from "../core/skb";
import { devGet, IFF_LOOPBACK } from "../core/netdev";
import { Drop, IcmpMib, icmpInc, icmpMsgInInc, icmpMsgOutInc } from "../core/stats";
import { csumPartial, csumFold } from "../core/checksum";
import { sysctl, Sysctl } from "../core/sysctl";
import { jiffies } from "../core/dev";
import { loadBe16 } from "../ethernet/eth";
import { Rtable, ipRouteOutput, icmpErrLearn, fibComputeSpecDst, ipv4Mtu, ip4DstHoplimit, RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST } from "../route/route";
import { RT_SCOPE_LINK, inetAddrType } from "../route/fib";
import { inetSelectAddr } from "./devinet";
import { prandomU32Max } from "../core/random";
import { ipBuildAndSend } from "./output";
import { ipOptionsEcho, ipEchoLen, ipEchoFirstHop } from "./ip_options";

export const ICMP_ECHOREPLY: u8 = 0;
export const ICMP_DEST_UNREACH: u8 = 3;
export const ICMP_SOURCE_QUENCH: u8 = 4;
export const ICMP_REDIRECT: u8 = 5;
export const ICMP_ECHO: u8 = 8;
export const ICMP_TIME_EXCEEDED: u8 = 11;
export const ICMP_PARAMETERPROB: u8 = 12;
export const ICMP_TIMESTAMP: u8 = 13;
export const ICMP_TIMESTAMPREPLY: u8 = 14;
export const ICMP_ADDRESS: u8 = 17;
export const ICMP_ADDRESSREPLY: u8 = 18;
export const NR_ICMP_TYPES: u8 = 18;
export const ICMP_NET_UNREACH: u8 = 0;
export const ICMP_HOST_UNREACH: u8 = 1;
export const ICMP_PROT_UNREACH: u8 = 2;
export const ICMP_PORT_UNREACH: u8 = 3;
export const ICMP_FRAG_NEEDED: u8 = 4;
export const ICMP_PKT_FILTERED: u8 = 13;

const IPPROTO_ICMP: u8 = 1;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_UDP: u8 = 17;
const ICMP_EXT_ECHO: u8 = 42;
const ICMP_EXT_ECHOREPLY: u8 = 43;
const NR_ICMP_UNREACH: u8 = 15;
const IP_OFFSET: u16 = 0x1FFF;
const IPTOS_PREC_INTERNETCONTROL: u8 = 0xC0;
// Headroom for a locally built packet: link header + IP header + slack.
const LL_RESERVE: u32 = NET_SKB_PAD + 2 + 20;

// icmp_pointers[].error: which types are errors (types 1,2,6,7,9,10 are unassigned and count as errors).
// @ts-ignore: decorator
@inline function icmpIsErr(type: u32): bool { return type <= NR_ICMP_TYPES && ((0x6FE >> type) & 1) != 0; }

/** icmp_rcv. skb.data at the ICMP header; the IP header is at skb's network header. */
export function icmpRcv(skb: Skb): void {
  icmpInc(IcmpMib.InMsgs);
  const len = skb.len;
  if (csumFold(csumPartial(<usize>skb.data, <i32>len, 0)) != 0) {
    icmpInc(IcmpMib.InCsumErrors); icmpInc(IcmpMib.InErrors);
    kfreeSkb(skb, Drop.ICMP_CSUM);
    return;
  }
  if (len < 8) { icmpInc(IcmpMib.InErrors); kfreeSkb(skb, Drop.PKT_TOO_SMALL); return; }
  const type = load<u8>(skb.data);
  icmpMsgInInc(type);
  if (type == ICMP_EXT_ECHOREPLY) { kfreeSkb(skb, Drop.NO_SOCKET); return; }   // ping_rcv: no ping socket
  if (type > NR_ICMP_TYPES && type != ICMP_EXT_ECHO) { icmpInc(IcmpMib.InErrors); kfreeSkb(skb, Drop.ICMP_INVALID); return; }
  const rtType = skb.rtType;
  if (rtType == RTN_BROADCAST || rtType == RTN_MULTICAST) {
    // RFC 1122 3.2.2.6 / 3.2.2.8: echo and timestamp to broadcast only when allowed; other types never.
    if ((type == ICMP_ECHO || type == ICMP_TIMESTAMP) && sysctl(Sysctl.icmp_echo_ignore_broadcasts) != 0) {
      icmpInc(IcmpMib.InErrors); kfreeSkb(skb, Drop.ICMP_INVALID); return;
    }
    if (type != ICMP_ECHO && type != ICMP_TIMESTAMP && type != ICMP_ADDRESS && type != ICMP_ADDRESSREPLY) {
      icmpInc(IcmpMib.InErrors); kfreeSkb(skb, Drop.ICMP_INVALID); return;
    }
  }
  if (type == ICMP_EXT_ECHO) { consumeSkb(skb); return; }      // icmp_echo: PROBE is off (icmp_echo_enable_probe)
  if (type == ICMP_ECHO) { icmpEcho(skb); return; }
  if (type == ICMP_TIMESTAMP) { icmpTimestamp(skb); return; }
  if (type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH || type == ICMP_TIME_EXCEEDED || type == ICMP_PARAMETERPROB) {
    icmpUnreach(skb, type);
    return;
  }
  if (type == ICMP_REDIRECT) {
    if (skb.len < 8 + 20) { icmpInc(IcmpMib.InErrors); kfreeSkb(skb, Drop.PKT_TOO_SMALL); return; }
    icmpSocketDeliver(skb);
    return;
  }
  // Replies go to ping sockets, of which there are none: consumed after being counted.
  consumeSkb(skb);
}

/**
 * icmp_unreach (destination unreachable, source quench, time exceeded, parameter problem): the
 * embedded IP header must be there and sane (else InErrors); a destination-unreachable code beyond 15
 * and, with icmp_ignore_bogus_error_responses off, an error about a broadcast are ignored.
 */
function icmpUnreach(skb: Skb, type: u8): void {
  const p = <usize>skb.data;
  if (skb.len < 8 + 20) { icmpInc(IcmpMib.InErrors); kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }
  if ((load<u8>(p + 8) & 15) < 5) { icmpInc(IcmpMib.InErrors); kfreeSkb(skb, Drop.IP_INHDR); return; }
  if (type == ICMP_DEST_UNREACH && load<u8>(p + 1) > NR_ICMP_UNREACH) { consumeSkb(skb); return; }
  if (sysctl(Sysctl.icmp_ignore_bogus_error_responses) == 0 && inetAddrType(load<u32>(p + 8 + 16)) == RTN_BROADCAST) {
    consumeSkb(skb);
    return;
  }
  icmpSocketDeliver(skb);
}

/**
 * icmp_socket_deliver: the embedded header and 8 bytes after it must be there (else InErrors). TCP and
 * UDP find no socket for the error (InErrors, as tcp_v4_err and __udp4_lib_err count it); ICMP learns
 * from errors about the echo replies we sent (icmp_err: a path MTU or a redirect), the rest would go
 * to ping sockets.
 */
function icmpSocketDeliver(skb: Skb): void {
  const inner = <usize>skb.data + 8;
  const ihl = <u32>(load<u8>(inner) & 15) << 2;
  if (skb.len < 8 + ihl + 8) { icmpInc(IcmpMib.InErrors); kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }
  const proto = load<u8>(inner + 9);
  if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) icmpInc(IcmpMib.InErrors);
  else if (proto == IPPROTO_ICMP && load<u8>(inner + ihl) == ICMP_ECHOREPLY) icmpErrLearn(skb);
  consumeSkb(skb);
}

/** icmp_echo → icmp_reply: same code, id, sequence and data; only the type changes. */
function icmpEcho(skb: Skb): void {
  // icmp_echo consumes the request whatever happens to the reply (no drop reason).
  if (sysctl(Sysctl.icmp_echo_ignore_all) != 0) { consumeSkb(skb); return; }
  const len = skb.len;
  const n = icmpReplyAlloc(skb, len);
  if (n === null) return;
  memory.copy(<usize>n.data, <usize>skb.data, len);
  icmpReplySend(n, skb, ICMP_ECHOREPLY);
}

/**
 * icmp_timestamp: id and sequence kept, the originate timestamp copied, receive and transmit set to
 * the time in ms since midnight UT (the host's clock taken as Unix time in ms). At least 4 bytes after
 * the header, or InErrors.
 */
function icmpTimestamp(skb: Skb): void {
  if (skb.len < 12) { icmpInc(IcmpMib.InErrors); kfreeSkb(skb, Drop.PKT_TOO_SMALL); return; }
  const n = icmpReplyAlloc(skb, 20);
  if (n === null) return;
  const p = <usize>n.data, q = <usize>skb.data;
  store<u64>(p, load<u64>(q));
  store<u8>(p + 1, 0);
  store<u32>(p + 8, load<u32>(q + 8));
  const t = bswap<u32>(<u32>(jiffies() % 86400000));
  store<u32>(p + 12, t);
  store<u32>(p + 16, t);
  icmpReplySend(n, skb, ICMP_TIMESTAMPREPLY);
}

// icmp_reply's route and source, between icmpReplyAlloc and icmpReplySend.
let replyRt: Rtable | null = null;
let replySaddr: u32 = 0;

/**
 * icmp_reply, first half: the request's options echoed (ip_options_echo; no room in them, no reply),
 * the route back to the request's source (or a source route's first hop) from fib_compute_spec_dst,
 * and a reply skb with len bytes at data. null when there is no reply, route or buffer (the request
 * is consumed then).
 */
function icmpReplyAlloc(skb: Skb, len: u32): Skb | null {
  if (!ipOptionsEcho(skb)) { consumeSkb(skb); return null; }
  const iph = <usize>skbNetworkHeader(skb);
  const saddr = fibComputeSpecDst(skb);
  replyRt = ipRouteOutput(ipEchoFirstHop(load<u32>(iph + 12)), saddr, load<u8>(iph + 1), 0, skb.mark);
  replySaddr = saddr;
  if (replyRt === null) { consumeSkb(skb); return null; }
  const n = allocSkb(LL_RESERVE);
  if (n === null) { icmpInc(IcmpMib.OutErrors); consumeSkb(skb); return null; }
  if (skbPut(n, len) == 0) { icmpInc(IcmpMib.OutErrors); kfreeSkb(n, Drop.NOMEM); consumeSkb(skb); return null; }
  return n;
}

/** icmp_reply, second half: type, checksum and counters, then out with the request's TOS and mark. */
function icmpReplySend(n: Skb, skb: Skb, type: u8): void {
  const p = <usize>n.data;
  store<u8>(p, type);
  store<u16>(p + 2, 0);
  store<u16>(p + 2, csumFold(csumPartial(p, <i32>n.len, 0)));
  icmpInc(IcmpMib.OutMsgs);
  icmpMsgOutInc(type);
  n.mark = skb.mark;
  const iph = <usize>skbNetworkHeader(skb);
  ipBuildAndSend(n, replyRt!, replySaddr, load<u32>(iph + 12), IPPROTO_ICMP, load<u8>(iph + 1),
    ip4DstHoplimit(replyRt!), false, true);
  consumeSkb(skb);
}

// ---- rate limiting ----

// icmp_global_allow / icmp_global_consume (kernels since 6.11): an error may go while the credit is
// positive; an empty credit is refilled at icmp_msgs_per_sec (at most a second's worth, at least 20 ms
// apart, up to icmp_msgs_burst); a message that passes the per-destination limit then takes 0-2
// credits at random.
let globalCredit: i32 = 0;
let globalStamp: i64 = 0;
let globalInit = false;

function icmpGlobalAllow(now: i64): bool {
  if (!globalInit) { globalInit = true; globalStamp = now - 1000; }   // a fresh namespace: a full second ago
  if (globalCredit > 0) return true;
  const delta = min(now - globalStamp, 1000);
  if (delta < 20) return false;
  const incr = <i32>(<i64>sysctl(Sysctl.icmp_msgs_per_sec) * delta / 1000);
  if (incr <= 0) return false;
  globalStamp = now;
  globalCredit = min(globalCredit + incr, sysctl(Sysctl.icmp_msgs_burst));
  return true;
}

function icmpGlobalConsume(): void { globalCredit -= <i32>prandomU32Max(3); }

// inet_peer_xrlim_allow: per destination, burst XRLIM_BURST_FACTOR (6), then one per icmp_ratelimit ms.
// The peer cache is a small direct-mapped table; a peer that cannot be kept simply starts afresh (the
// kernel allows the message when it cannot allocate a peer).
const PEERS: u32 = 1024;
let peers: usize = 0;   // per slot: addr u32, pad u32, tokens i64, last i64 (24 bytes)

function peerAllow(daddr: u32, now: i64): bool {
  const timeout = <i64>sysctl(Sysctl.icmp_ratelimit);
  if (timeout <= 0) return true;
  if (peers == 0) { peers = heap.alloc(<usize>PEERS * 24); memory.fill(peers, 0, <usize>PEERS * 24); }
  const p = peers + <usize>((daddr * 0x9E3779B1) >>> 22) * 24;
  if (load<u32>(p) != daddr || load<i64>(p, 16) == 0) {
    store<u32>(p, daddr); store<i64>(p, 0, 8); store<i64>(p, now - 60000 - 1, 16);
  }
  let tokens = load<i64>(p, 8) + (now - load<i64>(p, 16));
  if (tokens > 6 * timeout) tokens = 6 * timeout;
  store<i64>(p, now, 16);
  let ok = false;
  if (tokens >= timeout) { tokens -= timeout; ok = true; }
  store<i64>(p, tokens, 8);
  return ok;
}

/** Types in icmp_ratemask are limited, except PMTU discovery's FRAG_NEEDED. */
function icmpMaskAllow(type: u8, code: u8): bool {
  if (type > NR_ICMP_TYPES) return true;
  if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) return true;
  return ((sysctl(Sysctl.icmp_ratemask) >> type) & 1) == 0;
}

/** Reset the limiter state (engine init). */
export function icmpInit(): void {
  globalCredit = 0; globalStamp = 0; globalInit = false;
  if (peers != 0) memory.fill(peers, 0, <usize>PEERS * 24);
}

/**
 * icmp_send: an ICMP error about skbIn (skb.data anywhere; its network header is the offending IP header).
 * info is the 32-bit field after the checksum, host order: FRAG_NEEDED → MTU (lands in bytes 6–7),
 * PARAMETERPROB → pointer << 24 (byte 4), REDIRECT → gateway (as loaded, byte-swapped by the caller).
 */
export function icmpSend(skbIn: Skb, type: u8, code: u8, info: u32): void {
  const iph = <usize>skbNetworkHeader(skbIn);
  if (skbIn.networkHeader == 0xFFFF || iph + 20 > <usize>skbIn.tail) return;
  // (2) Only for packets addressed to us at L2, and not to an IP broadcast/multicast.
  if (skbIn.pktType != PACKET_HOST) return;
  const rtType = skbIn.rtType;
  if (rtType == RTN_BROADCAST || rtType == RTN_MULTICAST) return;
  // (3) Only the first fragment.
  if ((loadBe16(iph + 6) & IP_OFFSET) != 0) return;
  // (4) Never an error about an ICMP error (unknown embedded types count as errors).
  const ihl = <usize>(load<u8>(iph) & 15) << 2;
  if (icmpIsErr(type) && load<u8>(iph + 9) == IPPROTO_ICMP) {
    if (iph + ihl + 1 > <usize>skbIn.tail) return;
    const inner = load<u8>(iph + ihl);
    if (inner > NR_ICMP_TYPES || icmpIsErr(inner)) return;
  }
  if (type > NR_ICMP_TYPES) return;
  // The global limit first, except for packets that came in on lo (icmpv4_global_allow); a type the
  // mask does not limit is limited by neither.
  const now = jiffies();
  const inDev = devGet(skbIn.dev);
  let limited = false;
  if ((inDev === null || (inDev.flags & IFF_LOOPBACK) == 0) && !icmpMaskAllow(type, code)) {
    if (!icmpGlobalAllow(now)) { icmpInc(IcmpMib.OutRateLimitGlobal); return; }
    limited = true;
  }
  // The offending packet's options echoed (none when they have no room left).
  if (!ipOptionsEcho(skbIn)) return;
  // Source: the offending packet's destination if it was ours; else, with
  // icmp_errors_use_inbound_ifaddr, an address of the device it came in on; else the route's.
  const origDst = load<u32>(iph + 16), origSrc = load<u32>(iph + 12);
  let saddr: u32 = 0;
  if (rtType == RTN_LOCAL) saddr = origDst;
  else if (skbIn.iif != 0 && sysctl(Sysctl.icmp_errors_use_inbound_ifaddr) != 0 && devGet(skbIn.iif) !== null) {
    saddr = inetSelectAddr(skbIn.iif, origSrc, RT_SCOPE_LINK);
  }
  const rt = ipRouteOutput(ipEchoFirstHop(origSrc), saddr);
  if (rt === null) return;
  // The per-destination limit (icmpv4_xrlim_allow; none out through lo), then the global credit.
  if (limited) {
    const od = devGet(rt.oif);
    if (od !== null && (od.flags & IFF_LOOPBACK) == 0 && !peerAllow(origSrc, now)) {
      icmpInc(IcmpMib.OutRateLimitHost); return;
    }
    icmpGlobalConsume();
  }
  // Payload: the offending datagram from its IP header, so that the whole message fits the route's
  // MTU and 576 bytes; too small a route for an IP header's worth sends nothing.
  const room = <i32>min(ipv4Mtu(rt), 576) - 20 - <i32>ipEchoLen() - 8;
  if (room <= 20) return;
  const avail = <u32>(<usize>skbIn.tail - iph);
  const totLen = <u32>loadBe16(iph + 2);
  let dataLen = min(avail, max(totLen, <u32>ihl));
  if (dataLen > <u32>room) dataLen = <u32>room;
  const n = allocSkb(LL_RESERVE);
  if (n === null) { icmpInc(IcmpMib.OutErrors); return; }
  const p = <usize>skbPut(n, 8 + dataLen);
  if (p == 0) { icmpInc(IcmpMib.OutErrors); kfreeSkb(n, Drop.NOMEM); return; }
  store<u8>(p, type);
  store<u8>(p + 1, code);
  store<u16>(p + 2, 0);
  store<u32>(p + 4, bswap<u32>(info));
  memory.copy(p + 8, iph, dataLen);
  store<u16>(p + 2, csumFold(csumPartial(p, <i32>(8 + dataLen), 0)));
  icmpInc(IcmpMib.OutMsgs);
  icmpMsgOutInc(type);
  const tos = (load<u8>(iph + 1) & 0x1E) | IPTOS_PREC_INTERNETCONTROL;
  const src = saddr != 0 ? saddr : rt.prefsrc;
  ipBuildAndSend(n, rt, src, origSrc, IPPROTO_ICMP, tos, ip4DstHoplimit(rt), false, true);
}
