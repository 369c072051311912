// IPv4 transmit of locally generated packets (book ch. 4 "Sending IPv4 Packets"):
// build the header (ip_build_and_send_pkt / __ip_make_skb), ip_local_out → ip_output → ip_finish_output2
// → neighbour output. Packets to our own addresses go through lo.
import { Skb, kfreeSkb, consumeSkb, allocSkb, skbPut, skbPush, skbResetNetworkHeader, NET_SKB_PAD } from "../core/skb";
import { NetDevice, devGet, devIsUp } from "../core/netdev";
import { Drop, IpMib, ipInc } from "../core/stats";
import { ipFastCsum } from "../core/checksum";
import { prandomU32, prandomU32Max } from "../core/random";
import { jiffies } from "../core/dev";
import { loadBe16, storeBe16 } from "../ethernet/eth";
import { neighOutput } from "../neigh/neighbour";
import { Rtable, RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST, ipv4Mtu } from "../route/route";
import { icmpSend, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED } from "./icmp";
import { IP_MF, IP_OFFSET } from "./input";
import { ipOptionsFragment, ipEchoLen, ipEchoFirstHop, ipOptionsBuild } from "./ip_options";

export const IP_DF: u16 = 0x4000;
const FRAG_HEADROOM: u32 = NET_SKB_PAD + 2;   // link header room (LL_RESERVED_SPACE)
const IDENTS: u32 = 2048;
let idents: usize = 0;
let tstamps: usize = 0;

/** ip_idents: per-bucket counters, started at random values, and the ms each was last used. */
export function ipOutputInit(): void {
  if (idents == 0) { idents = heap.alloc(<usize>IDENTS << 2); tstamps = heap.alloc(<usize>IDENTS << 2); }
  for (let i: u32 = 0; i < IDENTS; i++) store<u32>(idents + (<usize>i << 2), prandomU32());
  memory.fill(tstamps, 0, <usize>IDENTS << 2);
}

/**
 * ip_select_ident for a packet that may be fragmented: a counter per (daddr, saddr, protocol) bucket
 * (ip_idents_reserve), which also moves on by a random amount below the time since the bucket's last
 * use, so that the ids do not tell how many packets went out in between.
 */
export function ipSelectIdent(daddr: u32, saddr: u32, proto: u32): u16 {
  const h = ((daddr * 0x9E3779B1) ^ (saddr * 0x85EBCA6B) ^ (proto * 0xC2B2AE35)) >>> 21;
  const now = <u32>jiffies();
  const t = tstamps + (<usize>h << 2);
  const old = load<u32>(t);
  let delta: u32 = 0;
  if (old != now) { store<u32>(t, now); delta = prandomU32Max(now - old); }
  const p = idents + (<usize>h << 2);
  const id = load<u32>(p) + delta;
  store<u32>(p, id + 1);
  return <u16>id;
}

/**
 * Push and fill an IPv4 header in front of the L4 data at skb.data, then send along rt.
 * df: set IP_DF (id 0 then, as ip_select_ident does for DF packets without a socket id).
 * echo: the header carries the options ipOptionsEcho made for this reply (ip_options_build); a
 * source-routed reply goes to its first hop, daddr is its final destination.
 */
export function ipBuildAndSend(skb: Skb, rt: Rtable, saddr: u32, daddr: u32, proto: u8, tos: u8, ttl: u8, df: bool,
  echo: bool = false): void {
  const optlen = echo ? ipEchoLen() : 0;
  const iph = <usize>skbPush(skb, 20 + optlen);
  if (iph == 0) { ipInc(IpMib.OutDiscards); kfreeSkb(skb, Drop.NOMEM); return; }
  skbResetNetworkHeader(skb);
  const dst = echo ? ipEchoFirstHop(daddr) : daddr;
  store<u8>(iph, <u8>(0x45 + (optlen >> 2)));
  store<u8>(iph + 1, tos);
  storeBe16(iph + 2, <u16>skb.len);
  storeBe16(iph + 4, df ? 0 : ipSelectIdent(dst, saddr, proto));
  storeBe16(iph + 6, df ? IP_DF : 0);
  store<u8>(iph + 8, ttl);
  store<u8>(iph + 9, proto);
  store<u16>(iph + 10, 0);
  store<u32>(iph + 12, saddr);
  store<u32>(iph + 16, dst);
  if (optlen != 0) ipOptionsBuild(skb, daddr, rt);
  store<u16>(iph + 10, ipFastCsum(iph, 5 + (optlen >> 2)));
  ipLocalOut(skb, rt);
}

/** ip_local_out → ip_output → ip_finish_output2. */
export function ipLocalOut(skb: Skb, rt: Rtable): void {
  const d = devGet(rt.oif);
  if (d === null || !devIsUp(d)) { ipInc(IpMib.OutDiscards); kfreeSkb(skb, Drop.DEV_READY); return; }
  skb.rtType = rt.type;
  ipInc(IpMib.OutRequests);                 // __ip_local_out; OutTransmits and OutOctets in ip_finish_output2
  ipOutput(skb, rt, d, ipv4Mtu(rt));        // ip_skb_dst_mtu without a socket: the learned PMTU counts
}

/**
 * ip_output → ip_finish_output on device d (locally generated and forwarded packets): a packet over
 * mtu goes to ip_fragment, the rest to ip_finish_output2.
 */
export function ipOutput(skb: Skb, rt: Rtable, d: NetDevice, mtu: u32): void {
  if (!devIsUp(d)) { ipInc(IpMib.OutDiscards); kfreeSkb(skb, Drop.DEV_READY); return; }
  skb.dev = d.ifindex;
  if (skb.len > mtu) { ipFragment(skb, rt, mtu); return; }
  ipFinishOutput2(skb, rt);
}

/** ip_finish_output2: broadcast/multicast counters, OutTransmits and OutOctets, then the neighbour of the next hop. */
function ipFinishOutput2(skb: Skb, rt: Rtable): void {
  if (rt.type == RTN_MULTICAST) { ipInc(IpMib.OutMcastPkts); ipInc(IpMib.OutMcastOctets, skb.len); }
  else if (rt.type == RTN_BROADCAST) { ipInc(IpMib.OutBcastPkts); ipInc(IpMib.OutBcastOctets, skb.len); }
  ipInc(IpMib.OutTransmits);                 // each packet sent, after fragmentation (6.7+)
  ipInc(IpMib.OutOctets, skb.len);
  // The next hop: the gateway, else the destination itself (also for lo, a NOARP device).
  neighOutput(skb, rt.type != RTN_LOCAL && rt.gateway != 0 ? rt.gateway : load<u32>(skb.data + 16));
}

/**
 * ip_fragment (spec 4.8, the copying slow path): a DF packet is refused (FragFails, "fragmentation
 * needed" with mtu); otherwise fragments carry at most mtu - hlen data bytes, a multiple of 8 but the
 * last, continue the original's offset and MF (re-fragmenting keeps a fragment's place), copy the
 * header (options without the copied flag are NOOPed after the first piece of a first fragment:
 * ip_options_fragment)
 * and go out in order. FragCreates per fragment, FragOKs once; a failure stops with FragFails.
 */
function ipFragment(skb: Skb, rt: Rtable, mtu: u32): void {
  const iph = <usize>skb.data;
  const fo = loadBe16(iph + 6);
  const hlen = <u32>(load<u8>(iph) & 15) << 2;
  if ((fo & IP_DF) != 0 || mtu < hlen + 8) {
    ipInc(IpMib.FragFails);
    if ((fo & IP_DF) != 0) icmpSend(skb, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, mtu);
    kfreeSkb(skb, Drop.PKT_TOO_BIG);
    return;
  }
  const space = mtu - hlen;
  let left = skb.len - hlen;
  let ptr = hlen;
  let offset = <u32>(fo & IP_OFFSET) << 3;
  const notLast = (fo & IP_MF) != 0;
  while (left > 0) {
    let len = min(left, space);
    if (len < left) len &= ~7;
    const n = allocSkb(FRAG_HEADROOM);
    if (n === null) { ipInc(IpMib.FragFails); kfreeSkb(skb, Drop.NOMEM); return; }
    const p = <usize>skbPut(n, hlen + len);
    if (p == 0) { ipInc(IpMib.FragFails); kfreeSkb(n, Drop.NOMEM); kfreeSkb(skb, Drop.NOMEM); return; }
    skbResetNetworkHeader(n);
    n.pktType = skb.pktType; n.mark = skb.mark; n.dev = skb.dev; n.iif = skb.iif; n.rtType = skb.rtType;
    n.protocol = skb.protocol;
    memory.copy(p, iph, hlen);
    memory.copy(p + hlen, iph + ptr, len);
    if (offset == 0) ipOptionsFragment(iph, hlen);      // the first piece of a first fragment only
    left -= len;
    storeBe16(p + 2, <u16>(hlen + len));
    storeBe16(p + 6, <u16>((offset >> 3) | (left > 0 || notLast ? IP_MF : 0)));
    store<u16>(p + 10, 0);
    store<u16>(p + 10, ipFastCsum(p, hlen >> 2));
    ptr += len;
    offset += len;
    ipFinishOutput2(n, rt);
    ipInc(IpMib.FragCreates);
  }
  consumeSkb(skb);
  ipInc(IpMib.FragOKs);
}
