// IPv4 transmit of locally generated packets (book ch. 4 "Sending IPv4 Packets"):
// build the header (ip_build_and_send_pkt / __ip_make_skb), ip_local_out → ip_output → ip_finish_output2
// → neighbour output. Packets to our own addresses go through lo.
import { Skb, kfreeSkb, skbPush, skbResetNetworkHeader } from "../core/skb";
import { NetDevice, devGet, devIsUp } from "../core/netdev";
import { Drop, IpMib, ipInc } from "../core/stats";
import { ipFastCsum } from "../core/checksum";
import { prandomU32 } from "../core/random";
import { storeBe16 } from "../ethernet/eth";
import { neighOutput } from "../neigh/neighbour";
import { Rtable, RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST } from "../route/route";

export const IP_DF: u16 = 0x4000;
const IDENTS: u32 = 2048;
let idents: usize = 0;

/** ip_idents: per-bucket counters, started at random values (ip_idents_reserve). */
export function ipOutputInit(): void {
  if (idents == 0) idents = heap.alloc(<usize>IDENTS << 2);
  for (let i: u32 = 0; i < IDENTS; i++) store<u32>(idents + (<usize>i << 2), prandomU32());
}

/** ip_select_ident for a packet that may be fragmented: a counter per (daddr, saddr, protocol) bucket. */
export function ipSelectIdent(daddr: u32, saddr: u32, proto: u32): u16 {
  const h = ((daddr * 0x9E3779B1) ^ (saddr * 0x85EBCA6B) ^ (proto * 0xC2B2AE35)) >>> 21;
  const p = idents + (<usize>h << 2);
  const id = load<u32>(p);
  store<u32>(p, id + 1);
  return <u16>id;
}

/**
 * Push and fill a 20-byte IPv4 header in front of the L4 data at skb.data, then send along rt.
 * df: set IP_DF (id 0 then, as ip_select_ident does for DF packets without a socket id).
 */
export function ipBuildAndSend(skb: Skb, rt: Rtable, saddr: u32, daddr: u32, proto: u8, tos: u8, ttl: u8, df: bool): void {
  const iph = <usize>skbPush(skb, 20);
  if (iph == 0) { ipInc(IpMib.OutDiscards); kfreeSkb(skb, Drop.NOMEM); return; }
  skbResetNetworkHeader(skb);
  store<u8>(iph, 0x45);
  store<u8>(iph + 1, tos);
  storeBe16(iph + 2, <u16>skb.len);
  storeBe16(iph + 4, df ? 0 : ipSelectIdent(daddr, saddr, proto));
  storeBe16(iph + 6, df ? IP_DF : 0);
  store<u8>(iph + 8, ttl);
  store<u8>(iph + 9, proto);
  store<u16>(iph + 10, 0);
  store<u32>(iph + 12, saddr);
  store<u32>(iph + 16, daddr);
  store<u16>(iph + 10, ipFastCsum(iph, 5));
  ipLocalOut(skb, rt);
}

/** ip_local_out → ip_output → ip_finish_output2. */
export function ipLocalOut(skb: Skb, rt: Rtable): void {
  const d = devGet(rt.oif);
  if (d === null || !devIsUp(d)) { ipInc(IpMib.OutDiscards); kfreeSkb(skb, Drop.DEV_READY); return; }
  ipInc(IpMib.OutRequests);
  ipInc(IpMib.OutOctets, skb.len);
  ipOutput(skb, rt, d);
}

/** ip_output → ip_finish_output → ip_finish_output2 on device d (locally generated and forwarded). */
export function ipOutput(skb: Skb, rt: Rtable, d: NetDevice): void {
  if (!devIsUp(d)) { ipInc(IpMib.OutDiscards); kfreeSkb(skb, Drop.DEV_READY); return; }
  skb.dev = d.ifindex;
  if (rt.type == RTN_MULTICAST) { ipInc(IpMib.OutMcastPkts); ipInc(IpMib.OutMcastOctets, skb.len); }
  else if (rt.type == RTN_BROADCAST) { ipInc(IpMib.OutBcastPkts); ipInc(IpMib.OutBcastOctets, skb.len); }
  if (skb.len > d.mtu) {
    // Fragmentation (ip_fragment) belongs to the IPv4 fragmentation work.
    ipInc(IpMib.FragFails);
    kfreeSkb(skb, Drop.PKT_TOO_BIG);
    return;
  }
  // The next hop: the gateway, else the destination itself (also for lo, a NOARP device).
  neighOutput(skb, rt.type != RTN_LOCAL && rt.gateway != 0 ? rt.gateway : load<u32>(skb.data + 16));
}
