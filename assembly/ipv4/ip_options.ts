// IP options (book ch. 4 "IP Options"; spec 4.6; net/ipv4/ip_options.c of a current kernel):
// ip_options_compile for received packets (checks, and the RR and timestamp entries written on the
// way in), ip_rcv_options with the source-route policy and ip_options_rcv_srr, ip_forward_options,
// ip_options_echo and ip_options_build for ICMP replies and errors, and ip_options_fragment.
// The parsed options (IPCB(skb)->opt) live in the skb's control block after the 8 bytes that
// reassembly uses.
import { Skb, skbCb, skbNetworkHeader, skbMakeWritable, kfreeSkb, PACKET_HOST } from "../core/skb";
import { NetDevice } from "../core/netdev";
import { Drop, IpMib, ipInc } from "../core/stats";
import { devConf, DevConf, CONF_ALL } from "../core/sysctl";
import { jiffies } from "../core/dev";
import { ipFastCsum } from "../core/checksum";
import { memZero, memCopySmall } from "../core/mem";
import { Rtable, RTN_UNICAST, RTN_LOCAL, ipRouteInput, fibComputeSpecDst, ipRtGetSource } from "../route/route";
import { inetAddrType } from "../route/fib";
import { icmpSend, ICMP_PARAMETERPROB } from "./icmp";

export const IPOPT_END: u8 = 0x00;
export const IPOPT_NOOP: u8 = 0x01;
export const IPOPT_RR: u8 = 0x07;
export const IPOPT_TIMESTAMP: u8 = 0x44;
export const IPOPT_LSRR: u8 = 0x83;
export const IPOPT_CIPSO: u8 = 0x86;
export const IPOPT_SSRR: u8 = 0x89;
export const IPOPT_RA: u8 = 0x94;
const IPOPT_COPY: u8 = 0x80;
export const IPOPT_TS_TSONLY: u8 = 0;
export const IPOPT_TS_TSANDADDR: u8 = 1;
export const IPOPT_TS_PRESPEC: u8 = 3;

// struct ip_options in the control block: offsets of the options from the IP header, and flags
const OPT_LEN = 8, OPT_SRR = 9, OPT_RR = 10, OPT_TS = 11, OPT_FLAGS = 12, OPT_RA = 13, OPT_CIPSO = 14;
const OPT_NEXTHOP = 16, OPT_FADDR = 20;
const F_STRICT: u8 = 1, F_SRR_HIT: u8 = 2, F_CHANGED: u8 = 4, F_RR_ADDR: u8 = 8, F_TS_TIME: u8 = 16, F_TS_ADDR: u8 = 32;

// @ts-ignore: decorator
@inline function opt(skb: Skb): usize { return skbCb(skb); }
// @ts-ignore: decorator
@inline function flags(o: usize): u8 { return load<u8>(o + OPT_FLAGS); }
// @ts-ignore: decorator
@inline function setFlag(o: usize, f: u8): void { store<u8>(o + OPT_FLAGS, load<u8>(o + OPT_FLAGS) | f); }

/** ip_rcv_core's memset of IPCB: no options parsed. */
export function ipOptionsClear(skb: Skb): void {
  const o = opt(skb);
  store<u64>(o + OPT_LEN, 0);
  store<u64>(o + OPT_NEXTHOP, 0);
}

/** The reassembled datagram keeps its first fragment's parsed options (the kernel reuses its IPCB). */
export function ipOptionsCopy(to: Skb, from: Skb): void { memory.copy(opt(to) + OPT_LEN, opt(from) + OPT_LEN, 16); }

/** IPCB(skb)->opt.optlen. */
export function ipOptLen(skb: Skb): u32 { return load<u8>(opt(skb) + OPT_LEN); }

/** IPCB(skb)->opt.srr != 0. */
export function ipOptSourceRoute(skb: Skb): bool { return load<u8>(opt(skb) + OPT_SRR) != 0; }

/** IPCB(skb)->opt.is_strictroute. */
export function ipOptStrictRoute(skb: Skb): bool { return (flags(opt(skb)) & F_STRICT) != 0; }

/** inet_current_timestamp: ms since midnight UT (the host clock taken as Unix time in ms), network order. */
export function inetCurrentTimestamp(): u32 { return bswap<u32>(<u32>(jiffies() % 86400000)); }

/**
 * ip_options_compile for a received packet (options at header + 20, ihl * 4 - 20 bytes long, route
 * known): fills IPCB's options and writes what a receiver writes (our address in RR, the time in
 * TIMESTAMP, zeros after END, the overflow count). 0, or the offset from the IP header of the byte
 * at fault for the parameter problem.
 */
function ipOptionsCompile(skb: Skb): u32 {
  const iph = <usize>skbNetworkHeader(skb);
  const o = opt(skb);
  let p = iph + 20;
  let l = <i32>load<u8>(o + OPT_LEN);
  let specDst: u32 = 0;
  while (l > 0) {
    const type = load<u8>(p);
    if (type == IPOPT_END) {
      for (p++, l--; l > 0; p++, l--) {
        if (load<u8>(p) != 0) { store<u8>(p, IPOPT_END); setFlag(o, F_CHANGED); }
      }
      break;
    }
    if (type == IPOPT_NOOP) { l--; p++; continue; }
    if (l < 2) return <u32>(p - iph);
    const optlen = <i32>load<u8>(p + 1);
    if (optlen < 2 || optlen > l) return <u32>(p - iph);
    const off = <u8>(p - iph);
    if (type == IPOPT_SSRR || type == IPOPT_LSRR) {
      if (optlen < 3) return <u32>(p + 1 - iph);
      if (load<u8>(p + 2) < 4) return <u32>(p + 2 - iph);
      if (load<u8>(o + OPT_SRR) != 0) return <u32>(p - iph);          // RFC 1812 5.2.4.1: one only
      if (type == IPOPT_SSRR) setFlag(o, F_STRICT);
      store<u8>(o + OPT_SRR, off);
    } else if (type == IPOPT_RR) {
      if (load<u8>(o + OPT_RR) != 0) return <u32>(p - iph);
      if (optlen < 3) return <u32>(p + 1 - iph);
      const ptr = <i32>load<u8>(p + 2);
      if (ptr < 4) return <u32>(p + 2 - iph);
      if (ptr <= optlen) {
        if (ptr + 3 > optlen) return <u32>(p + 2 - iph);
        if (specDst == 0) specDst = fibComputeSpecDst(skb);
        store<u32>(p + ptr - 1, specDst);
        setFlag(o, F_CHANGED);
        store<u8>(p + 2, <u8>(ptr + 4));
        setFlag(o, F_RR_ADDR);
      }                                                  // full: left as it is (RFC 791)
      store<u8>(o + OPT_RR, off);
    } else if (type == IPOPT_TIMESTAMP) {
      if (load<u8>(o + OPT_TS) != 0) return <u32>(p - iph);
      if (optlen < 4) return <u32>(p + 1 - iph);
      const ptr = <i32>load<u8>(p + 2);
      if (ptr < 5) return <u32>(p + 2 - iph);
      const fl = load<u8>(p + 3);
      if (ptr <= optlen) {
        if (ptr + 3 > optlen) return <u32>(p + 2 - iph);
        let timeAt: usize = 0;
        const kind = fl & 0xF;
        if (kind == IPOPT_TS_TSONLY) {
          timeAt = p + ptr - 1;
          setFlag(o, F_TS_TIME);
          store<u8>(p + 2, <u8>(ptr + 4));
        } else if (kind == IPOPT_TS_TSANDADDR) {
          if (ptr + 7 > optlen) return <u32>(p + 2 - iph);
          if (specDst == 0) specDst = fibComputeSpecDst(skb);
          store<u32>(p + ptr - 1, specDst);
          timeAt = p + ptr + 3;
          setFlag(o, F_TS_ADDR | F_TS_TIME);
          store<u8>(p + 2, <u8>(ptr + 8));
        } else if (kind == IPOPT_TS_PRESPEC) {
          if (ptr + 7 > optlen) return <u32>(p + 2 - iph);
          if (inetAddrType(load<u32>(p + ptr - 1)) != RTN_UNICAST) {   // one of ours: our turn
            timeAt = p + ptr + 3;
            setFlag(o, F_TS_TIME);
            store<u8>(p + 2, <u8>(ptr + 8));
          }
        }                                                // other flags: ignored on receive
        if (timeAt != 0) { store<u32>(timeAt, inetCurrentTimestamp()); setFlag(o, F_CHANGED); }
      } else if ((fl & 0xF) != IPOPT_TS_PRESPEC) {
        const overflow = fl >> 4;
        if (overflow == 15) return <u32>(p + 3 - iph);
        store<u8>(p + 3, (fl & 0xF) | <u8>((overflow + 1) << 4));
        setFlag(o, F_CHANGED);
      }
      store<u8>(o + OPT_TS, off);
    } else if (type == IPOPT_RA) {
      if (optlen < 4) return <u32>(p + 1 - iph);
      if (load<u16>(p + 2) == 0) store<u8>(o + OPT_RA, off);
    } else if (type == IPOPT_CIPSO) {
      // cipso_v4_validate with no CIPSO domain of interpretation configured: too short (byte 1)
      // or an unknown DOI (byte 2)
      if (load<u8>(o + OPT_CIPSO) != 0) return <u32>(p - iph);
      store<u8>(o + OPT_CIPSO, off);
      return <u32>(p - iph) + (optlen < 8 ? 1 : 2);
    }                                                    // SEC, SID and unknown options: skipped
    l -= optlen;
    p += optlen;
  }
  return 0;
}

/**
 * ipv4_send_dest_unreach's fresh look at a packet whose IPCB may no longer hold its options (one that
 * waited for a neighbour, or a fragment made here): the options are compiled again from the header,
 * writing what a receiver writes. false when they are bad (no ICMP then; no parameter problem either).
 */
export function ipOptionsRecompile(skb: Skb): bool {
  ipOptionsClear(skb);
  const ihl = <u32>(load<u8>(<usize>skbNetworkHeader(skb)) & 15);
  if (ihl < 5) return false;
  if (ihl == 5) return true;
  store<u8>(opt(skb) + OPT_LEN, <u8>((ihl << 2) - 20));
  return ipOptionsCompile(skb) == 0;
}

/**
 * ip_rcv_options, after the input route (rt) was found: make the header writable, compile the
 * options (a parameter problem and InHdrErrors on a bad one), and for a source route apply
 * accept_source_route and ip_options_rcv_srr (which may route the packet again). false: dropped.
 */
export function ipRcvOptions(skb: Skb, d: NetDevice, rt: Rtable): bool {
  // every failure here is drop reason NOT_SPECIFIED in ip_rcv_finish_core
  if (!skbMakeWritable(skb)) { ipInc(IpMib.InDiscards); kfreeSkb(skb, Drop.NOT_SPECIFIED); return false; }
  const iph = <usize>skbNetworkHeader(skb);
  const o = opt(skb);
  store<u8>(o + OPT_LEN, <u8>(((load<u8>(iph) & 15) << 2) - 20));
  const bad = ipOptionsCompile(skb);
  if (bad != 0) {
    icmpSend(skb, ICMP_PARAMETERPROB, 0, bad << 24);
    ipInc(IpMib.InHdrErrors);
    kfreeSkb(skb, Drop.NOT_SPECIFIED);
    return false;
  }
  if (load<u8>(o + OPT_SRR) == 0) return true;
  // IN_DEV_SOURCE_ROUTE: conf/all and the device must both accept source routes
  if (devConf(CONF_ALL, DevConf.accept_source_route) == 0 || devConf(d.ifindex, DevConf.accept_source_route) == 0) {
    kfreeSkb(skb, Drop.NOT_SPECIFIED);
    return false;
  }
  if (!ipOptionsRcvSrr(skb, d, rt)) { kfreeSkb(skb, Drop.NOT_SPECIFIED); return false; }
  return true;
}

/**
 * ip_options_rcv_srr: a source-routed packet addressed to us goes on to the listed hops. Hops that
 * are our own addresses are skipped (the destination becomes each of them); the first other one is
 * the next hop, for which the packet is routed again. A strict route through us to a destination
 * that is not ours is a parameter problem (pointer 16, the destination address).
 */
function ipOptionsRcvSrr(skb: Skb, d: NetDevice, rt: Rtable): bool {
  const iph = <usize>skbNetworkHeader(skb);
  const o = opt(skb);
  const srr = load<u8>(o + OPT_SRR);
  const p = iph + srr;
  if (skb.pktType != PACKET_HOST) return false;
  if (rt.type == RTN_UNICAST) {
    if ((flags(o) & F_STRICT) == 0) return true;
    icmpSend(skb, ICMP_PARAMETERPROB, 0, 16 << 24);
    return false;
  }
  if (rt.type != RTN_LOCAL) return false;
  const space = <u32>load<u8>(p + 1);
  let ptr = <u32>load<u8>(p + 2);
  let nexthop: u32 = 0;
  for (; ptr <= space; ptr += 4) {
    if (ptr + 3 > space) { icmpSend(skb, ICMP_PARAMETERPROB, 0, (<u32>srr + 2) << 24); return false; }
    nexthop = load<u32>(p + ptr - 1);
    const r = ipRouteInput(nexthop, load<u32>(iph + 12), d, load<u8>(iph + 1), skb.mark, load<u8>(iph + 9));
    skb.rtType = r.type;                             // the skb's route is now this one (rt is the same Rtable)
    if (r.type != RTN_UNICAST && r.type != RTN_LOCAL) return false;
    if (r.type != RTN_LOCAL) break;
    store<u32>(iph + 16, nexthop);                      // one of ours: the "superfast loopback forward"
    setFlag(o, F_CHANGED);
  }
  if (ptr <= space) {
    setFlag(o, F_SRR_HIT | F_CHANGED);
    store<u32>(o + OPT_NEXTHOP, nexthop);
  }
  return true;
}

/**
 * ip_forward_options: our outgoing address into the RR entry compile reserved; for a source route
 * hit, the next hop becomes the destination and its list entry our address (and the timestamp's
 * address entry too, inside the same branch as in the kernel); then the header checksum.
 */
export function ipForwardOptions(skb: Skb, rt: Rtable): void {
  const iph = <usize>skbNetworkHeader(skb);
  const o = opt(skb);
  if ((flags(o) & F_RR_ADDR) != 0) {
    const p = iph + load<u8>(o + OPT_RR);
    store<u32>(p + load<u8>(p + 2) - 5, ipRtGetSource(skb, rt));
    setFlag(o, F_CHANGED);
  }
  if ((flags(o) & F_SRR_HIT) != 0) {
    const p = iph + load<u8>(o + OPT_SRR);
    const space = <u32>load<u8>(p + 1);
    const nexthop = load<u32>(o + OPT_NEXTHOP);
    let ptr = <u32>load<u8>(p + 2);
    for (; ptr <= space; ptr += 4) {
      if (ptr + 3 > space) break;
      if (load<u32>(p + ptr - 1) == nexthop) break;
    }
    if (ptr + 3 <= space) {
      setFlag(o, F_CHANGED);
      store<u32>(iph + 16, nexthop);
      store<u32>(p + ptr - 1, ipRtGetSource(skb, rt));
      store<u8>(p + 2, <u8>(ptr + 4));
    }
    if ((flags(o) & F_TS_ADDR) != 0) {
      const t = iph + load<u8>(o + OPT_TS);
      store<u32>(t + load<u8>(t + 2) - 9, ipRtGetSource(skb, rt));
    }
  }
  if ((flags(o) & F_CHANGED) != 0) {
    store<u8>(o + OPT_FLAGS, flags(o) & ~F_CHANGED);
    store<u16>(iph + 10, 0);
    store<u16>(iph + 10, ipFastCsum(iph, load<u8>(iph) & 15));
  }
}

// ---- replies: ip_options_echo into a scratch ip_options, ip_options_build on the reply ----
const echoData = memory.data(40);        // dopt->__data
const echoOpt = memory.data(24);         // dopt (same layout as the control block from OPT_LEN on)
const EO: usize = echoOpt - OPT_LEN;     // so that EO + OPT_* addresses echoOpt's fields

/** The options a reply to skb carries (after ipOptionsEcho): their length (0, or a multiple of 4). */
export function ipEchoLen(): u32 { return load<u8>(EO + OPT_LEN); }
/** The reply's IP destination: a reversed source route's first hop, else dst. */
export function ipEchoFirstHop(dst: u32): u32 { return load<u8>(EO + OPT_SRR) != 0 ? load<u32>(EO + OPT_FADDR) : dst; }

/**
 * __ip_options_echo: the options of a reply to skb, from what its options became on receive: RR and
 * TIMESTAMP copied with room kept for our entry, a source route reversed (RFC 1812: without the
 * sender as its last hop; its first hop becomes the reply's destination), CIPSO copied, padded with
 * END to a multiple of 4. false when RR or TIMESTAMP has no room left (no reply then).
 */
export function ipOptionsEcho(skb: Skb): bool {
  memZero(echoOpt, 24);
  const s = opt(skb);
  if (load<u8>(s + OPT_LEN) == 0) return true;
  const sptr = <usize>skbNetworkHeader(skb);
  let d = echoData;
  let len: u32 = 0;
  const rr = load<u8>(s + OPT_RR);
  if (rr != 0) {
    const optlen = <u32>load<u8>(sptr + rr + 1);
    const soff = <u32>load<u8>(sptr + rr + 2);
    store<u8>(EO + OPT_RR, <u8>(len + 20));
    memory.copy(d, sptr + rr, optlen);
    if ((flags(s) & F_RR_ADDR) != 0 && soff <= optlen) {
      if (soff + 3 > optlen) return false;
      store<u8>(d + 2, <u8>(soff + 4));
      setFlag(EO, F_RR_ADDR);
    }
    d += optlen; len += optlen;
  }
  const ts = load<u8>(s + OPT_TS);
  if (ts != 0) {
    const optlen = <u32>load<u8>(sptr + ts + 1);
    let soff = <u32>load<u8>(sptr + ts + 2);
    store<u8>(EO + OPT_TS, <u8>(len + 20));
    memory.copy(d, sptr + ts, optlen);
    if (soff <= optlen) {
      if ((flags(s) & F_TS_ADDR) != 0) {
        if (soff + 3 > optlen) return false;
        setFlag(EO, F_TS_ADDR);
        soff += 4;
      }
      if ((flags(s) & F_TS_TIME) != 0) {
        if (soff + 3 > optlen) return false;
        if ((load<u8>(d + 3) & 0xF) != IPOPT_TS_PRESPEC) {
          setFlag(EO, F_TS_TIME);
          soff += 4;
        } else if (soff + 7 <= optlen && inetAddrType(load<u32>(d + soff - 1)) != RTN_UNICAST) {
          setFlag(EO, F_TS_TIME);
          soff += 8;
        }
      }
      store<u8>(d + 2, <u8>soff);
    }
    d += optlen; len += optlen;
  }
  const srr = load<u8>(s + OPT_SRR);
  if (srr != 0) {
    const start = sptr + srr;
    const optlen = <i32>load<u8>(start + 1);
    let soff = <i32>load<u8>(start + 2);
    let doff: i32 = 0;
    let faddr: u32 = 0;
    if (soff > optlen) soff = optlen + 1;
    soff -= 4;
    if (soff > 3) {
      faddr = load<u32>(start + soff - 1);
      for (soff -= 4, doff = 4; soff > 3; soff -= 4, doff += 4) store<u32>(d + doff - 1, load<u32>(start + soff - 1));
      if (load<u32>(sptr + 12) == load<u32>(start + soff + 3)) doff -= 4;
    }
    if (doff > 3) {
      store<u32>(EO + OPT_FADDR, faddr);
      store<u8>(d, load<u8>(start));
      store<u8>(d + 1, <u8>(doff + 3));
      store<u8>(d + 2, 4);
      d += doff + 3;
      store<u8>(EO + OPT_SRR, <u8>(len + 20));
      len += doff + 3;
      if ((flags(s) & F_STRICT) != 0) setFlag(EO, F_STRICT);
    }
  }
  const cipso = load<u8>(s + OPT_CIPSO);
  if (cipso != 0) {
    const optlen = <u32>load<u8>(sptr + cipso + 1);
    store<u8>(EO + OPT_CIPSO, <u8>(len + 20));
    memory.copy(d, sptr + cipso, optlen);
    d += optlen; len += optlen;
  }
  while ((len & 3) != 0) { store<u8>(d, IPOPT_END); d++; len++; }
  store<u8>(EO + OPT_LEN, <u8>len);
  return true;
}

/**
 * ip_options_build for a reply whose header (20 + ipEchoLen() bytes, at skb's network header) is
 * written but for the options: copy them in, the final destination into a source route's last
 * entry, our address and the time into the entries kept for them. The options become the reply's
 * IPCB options.
 */
export function ipOptionsBuild(skb: Skb, daddr: u32, rt: Rtable): void {
  const iph = <usize>skbNetworkHeader(skb);
  const o = opt(skb);
  memCopySmall(o + OPT_LEN, echoOpt, 16);
  memory.copy(iph + 20, echoData, load<u8>(o + OPT_LEN));
  const srr = load<u8>(o + OPT_SRR);
  if (srr != 0) store<u32>(iph + srr + load<u8>(iph + srr + 1) - 4, daddr);
  if ((flags(o) & F_RR_ADDR) != 0) {
    const rr = iph + load<u8>(o + OPT_RR);
    store<u32>(rr + load<u8>(rr + 2) - 5, ipRtGetSource(skb, rt));
  }
  const ts = iph + load<u8>(o + OPT_TS);
  if ((flags(o) & F_TS_ADDR) != 0) store<u32>(ts + load<u8>(ts + 2) - 9, ipRtGetSource(skb, rt));
  if ((flags(o) & F_TS_TIME) != 0) store<u32>(ts + load<u8>(ts + 2) - 5, inetCurrentTimestamp());
}

/** ip_options_fragment: options whose copied flag is clear become NOOPs (they stay in fragment 1 only). */
export function ipOptionsFragment(iph: usize, hlen: u32): void {
  let i: u32 = 20;
  while (i < hlen) {
    const t = load<u8>(iph + i);
    if (t == IPOPT_END) break;
    if (t == IPOPT_NOOP) { i++; continue; }
    if (i + 1 >= hlen) break;
    const l = <u32>load<u8>(iph + i + 1);
    if (l < 2 || i + l > hlen) break;
    if ((t & IPOPT_COPY) == 0) memory.fill(iph + i, IPOPT_NOOP, l);
    i += l;
  }
}
