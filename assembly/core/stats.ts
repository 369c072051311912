// Counters: SNMP MIB counters under the kernel's /proc/net/snmp names, and one counter per drop reason
// (names after the kernel's enum skb_drop_reason). All live in one block of linear memory so the host
// reads them in one snapshot (see countersSnapshot in index.ts).

// IP MIB (/proc/net/snmp "Ip:" and /proc/net/netstat "IpExt:"), in this order.
export const enum IpMib {
  InReceives, InHdrErrors, InAddrErrors, ForwDatagrams, InUnknownProtos, InDiscards, InDelivers,
  OutRequests, OutDiscards, OutNoRoutes, ReasmTimeout, ReasmReqds, ReasmOKs, ReasmFails, FragOKs,
  FragFails, FragCreates, OutTransmits, InNoRoutes, InTruncatedPkts, InMcastPkts, OutMcastPkts, InBcastPkts,
  OutBcastPkts, InOctets, OutOctets, InMcastOctets, OutMcastOctets, InBcastOctets, OutBcastOctets,
  InCsumErrors, InNoECTPkts, InECT1Pkts, InECT0Pkts, InCEPkts, ReasmOverlaps,
  IPReversePathFilter,   // LINUX_MIB_IPRPFILTER: the kernel prints it on the TcpExt line of /proc/net/netstat
  ArpFilter,             // LINUX_MIB_ARPFILTER (TcpExt too)
  COUNT
}
export const IP_MIB_NAMES: string =
  "Ip:InReceives,Ip:InHdrErrors,Ip:InAddrErrors,Ip:ForwDatagrams,Ip:InUnknownProtos,Ip:InDiscards,Ip:InDelivers," +
  "Ip:OutRequests,Ip:OutDiscards,Ip:OutNoRoutes,Ip:ReasmTimeout,Ip:ReasmReqds,Ip:ReasmOKs,Ip:ReasmFails,Ip:FragOKs," +
  "Ip:FragFails,Ip:FragCreates,Ip:OutTransmits,IpExt:InNoRoutes,IpExt:InTruncatedPkts,IpExt:InMcastPkts,IpExt:OutMcastPkts," +
  "IpExt:InBcastPkts,IpExt:OutBcastPkts,IpExt:InOctets,IpExt:OutOctets,IpExt:InMcastOctets,IpExt:OutMcastOctets," +
  "IpExt:InBcastOctets,IpExt:OutBcastOctets,IpExt:InCsumErrors,IpExt:InNoECTPkts,IpExt:InECT1Pkts,IpExt:InECT0Pkts," +
  "IpExt:InCEPkts,IpExt:ReasmOverlaps,TcpExt:IPReversePathFilter,TcpExt:ArpFilter";

// ICMP MIB (/proc/net/snmp "Icmp:"); per-type counts are in the IcmpMsg block below.
export const enum IcmpMib {
  InMsgs, InErrors, InCsumErrors, OutMsgs, OutErrors, OutRateLimitGlobal, OutRateLimitHost, COUNT
}
export const ICMP_MIB_NAMES: string =
  "Icmp:InMsgs,Icmp:InErrors,Icmp:InCsumErrors,Icmp:OutMsgs,Icmp:OutErrors,Icmp:OutRateLimitGlobal,Icmp:OutRateLimitHost";

// UDP MIB (/proc/net/snmp "Udp:").
export const enum UdpMib { InDatagrams, NoPorts, InErrors, OutDatagrams, InCsumErrors, IgnoredMulti, COUNT }
export const UDP_MIB_NAMES: string =
  "Udp:InDatagrams,Udp:NoPorts,Udp:InErrors,Udp:OutDatagrams,Udp:InCsumErrors,Udp:IgnoredMulti";

// TCP MIB (/proc/net/snmp "Tcp:"), the counters a host without sockets moves.
export const enum TcpMib { InSegs, OutSegs, InErrs, OutRsts, InCsumErrors, COUNT }
export const TCP_MIB_NAMES: string = "Tcp:InSegs,Tcp:OutSegs,Tcp:InErrs,Tcp:OutRsts,Tcp:InCsumErrors";

// ARP has no MIB in Linux; these mirror what /proc/net/stat/arp_cache counts (rcv_probes_* count only
// for IPv6 in the kernel, so they stay 0 here).
export const enum ArpStat {
  RcvProbesMcast, RcvProbesUcast, Lookups, Hits, ResFailed, UnresolvedDiscards, Allocs, TableFulls, COUNT
}
export const ARP_STAT_NAMES: string =
  "ArpCache:rcv_probes_mcast,ArpCache:rcv_probes_ucast,ArpCache:lookups,ArpCache:hits,ArpCache:res_failed," +
  "ArpCache:unresolved_discards,ArpCache:allocs,ArpCache:table_fulls";

// Drop reasons, named after SKB_DROP_REASON_*; each is documented in one sentence.
export const enum Drop {
  NOT_SPECIFIED,        // a drop site that has no more precise reason
  NO_SOCKET,            // no socket/handler for the packet's L4 destination
  PKT_TOO_SMALL,        // shorter than the header it claims to carry
  OTHERHOST,            // unicast frame for another host (pkt_type OTHERHOST)
  IP_CSUM,              // IPv4 header checksum wrong
  IP_INHDR,             // IPv4 header invalid (version, ihl, tot_len)
  IP_NOPROTO,           // no handler for the IPv4 protocol number
  IP_INADDRERRORS,      // destination not ours and not forwarded
  IP_INVALID_SOURCE,    // martian source or destination address
  IP_NOROUTE,           // no route to the destination
  PKT_TOO_BIG,          // larger than the device MTU and may not be fragmented
  UNHANDLED_PROTO,      // ethertype the stack has no handler for
  NOMEM,                // skb or buffer pool exhausted
  FULL_RING,            // transmit ring full
  NEIGH_FAILED,         // neighbour resolution failed
  NEIGH_QUEUEFULL,      // too many packets queued waiting for resolution
  NEIGH_DEAD,           // neighbour entry removed while packets were queued
  DEV_READY,            // device down
  ARP_INVALID,          // malformed or unacceptable ARP packet (kernel: arp_rcv/arp_process drops)
  ICMP_CSUM,            // ICMP checksum wrong
  ICMP_INVALID,         // ICMP message dropped by icmp_rcv rules (unknown type, broadcast echo…)
  BAD_DESCRIPTOR,       // host posted a ring descriptor outside its buffers
  CPU_BACKLOG,          // backlog (loopback/veth queue) over netdev_max_backlog
  FRAME_TOO_LONG,       // received frame longer than the device can accept
  UDP_CSUM,             // UDP checksum wrong
  IP_RPFILTER,          // the source failed the reverse-path filter (rp_filter)
  FRAG_TOO_FAR,         // a fragment queue restarted: too many other fragments from its source since (ipfrag_max_dist)
  DUP_FRAG,             // a fragment whose data is already held in one run of fragments
  TCP_CSUM,             // TCP checksum wrong
  COUNT
}
export const DROP_NAMES: string =
  "NOT_SPECIFIED,NO_SOCKET,PKT_TOO_SMALL,OTHERHOST,IP_CSUM,IP_INHDR,IP_NOPROTO,IP_INADDRERRORS,IP_INVALID_SOURCE,IP_NOROUTE," +
  "PKT_TOO_BIG,UNHANDLED_PROTO,NOMEM,FULL_RING,NEIGH_FAILED,NEIGH_QUEUEFULL,NEIGH_DEAD,DEV_READY,ARP_INVALID," +
  "ICMP_CSUM,ICMP_INVALID,BAD_DESCRIPTOR,CPU_BACKLOG,FRAME_TOO_LONG,UDP_CSUM,IP_RPFILTER,FRAG_TOO_FAR,DUP_FRAG,TCP_CSUM";

// Layout of the counter block: all u64.
export const IP_MIB_OFF: i32 = 0;
export const ICMP_MIB_OFF: i32 = IP_MIB_OFF + IpMib.COUNT;
export const ICMPMSG_IN_OFF: i32 = ICMP_MIB_OFF + IcmpMib.COUNT; // 256 per-type InType counters
export const ICMPMSG_OUT_OFF: i32 = ICMPMSG_IN_OFF + 256;        // 256 per-type OutType counters
export const UDP_MIB_OFF: i32 = ICMPMSG_OUT_OFF + 256;
export const TCP_MIB_OFF: i32 = UDP_MIB_OFF + UdpMib.COUNT;
export const ARP_STAT_OFF: i32 = TCP_MIB_OFF + TcpMib.COUNT;
export const DROP_OFF: i32 = ARP_STAT_OFF + ArpStat.COUNT;
export const COUNTERS_TOTAL: i32 = DROP_OFF + Drop.COUNT;

let counters: usize = 0;

export function statsInit(): void {
  if (counters == 0) counters = heap.alloc(<usize>COUNTERS_TOTAL << 3);
  memory.fill(counters, 0, <usize>COUNTERS_TOTAL << 3);
}

export function countersBase(): usize { return counters; }

// @ts-ignore: decorator
@inline export function count(index: i32, n: u64 = 1): void {
  const p = counters + (<usize>index << 3);
  store<u64>(p, load<u64>(p) + n);
}

// @ts-ignore: decorator
@inline export function ipInc(f: IpMib, n: u64 = 1): void { count(IP_MIB_OFF + f, n); }
// @ts-ignore: decorator
@inline export function icmpInc(f: IcmpMib): void { count(ICMP_MIB_OFF + f); }
// @ts-ignore: decorator
@inline export function icmpMsgInInc(type: u32): void { count(ICMPMSG_IN_OFF + <i32>(type & 255)); }
// @ts-ignore: decorator
@inline export function icmpMsgOutInc(type: u32): void { count(ICMPMSG_OUT_OFF + <i32>(type & 255)); }
// @ts-ignore: decorator
@inline export function udpInc(f: UdpMib): void { count(UDP_MIB_OFF + f); }
// @ts-ignore: decorator
@inline export function tcpInc(f: TcpMib): void { count(TCP_MIB_OFF + f); }
// @ts-ignore: decorator
@inline export function arpInc(f: ArpStat): void { count(ARP_STAT_OFF + f); }
// @ts-ignore: decorator
@inline export function dropInc(reason: Drop): void { count(DROP_OFF + reason); }

export function counterValue(index: i32): u64 { return load<u64>(counters + (<usize>index << 3)); }
