// struct net_device table (book ch. 1 "The Network Device"), bounded, in linear memory.
// Three kinds: the loopback device `lo`, veth pairs (transmit on one end = receive on the other, as
// drivers/net/veth.c) and host-driven NICs whose frames travel through rings shared with the host.

export const IFNAMSIZ: u32 = 16;
export const MAX_DEVICES: u32 = 256;   // ifindex 1..MAX_DEVICES-1

// IFF_* (include/uapi/linux/if.h)
export const IFF_UP: u32 = 0x1;
export const IFF_BROADCAST: u32 = 0x2;
export const IFF_LOOPBACK: u32 = 0x8;
export const IFF_POINTOPOINT: u32 = 0x10;
export const IFF_RUNNING: u32 = 0x40;
export const IFF_NOARP: u32 = 0x80;
export const IFF_PROMISC: u32 = 0x100;
export const IFF_ALLMULTI: u32 = 0x200;
export const IFF_MULTICAST: u32 = 0x1000;
export const IFF_LOWER_UP: u32 = 0x10000;
// Flags a user may change with RTM_NEWLINK/SETLINK (__dev_change_flags keeps DEBUG, NOTRAILERS, NOARP,
// DYNAMIC, MULTICAST, PORTSEL, AUTOMEDIA from the request; UP, PROMISC, ALLMULTI go through their own paths).
export const IFF_USER_MASK: u32 = IFF_UP | 0x4 | 0x20 | IFF_NOARP | IFF_PROMISC | IFF_ALLMULTI | IFF_MULTICAST |
  0x2000 | 0x4000 | 0x8000;

// ARPHRD_* (include/uapi/linux/if_arp.h)
export const ARPHRD_ETHER: u16 = 1;
export const ARPHRD_LOOPBACK: u16 = 772;

export const DEV_KIND_LOOPBACK: u8 = 1;
export const DEV_KIND_VETH: u8 = 2;
export const DEV_KIND_NIC: u8 = 3;

// IF_OPER_* (RFC 2863 operstate as the kernel reports it)
export const IF_OPER_UNKNOWN: u8 = 0;
export const IF_OPER_DOWN: u8 = 2;
export const IF_OPER_LOWERLAYERDOWN: u8 = 3;
export const IF_OPER_UP: u8 = 6;

// struct rtnl_link_stats64 field order: the host reads them in this order.
export const enum Stat {
  rx_packets, tx_packets, rx_bytes, tx_bytes, rx_errors, tx_errors, rx_dropped, tx_dropped, multicast,
  collisions, rx_length_errors, rx_over_errors, rx_crc_errors, rx_frame_errors, rx_fifo_errors,
  rx_missed_errors, tx_aborted_errors, tx_carrier_errors, tx_fifo_errors, tx_heartbeat_errors,
  tx_window_errors, rx_compressed, tx_compressed, rx_nohandler, COUNT
}

@unmanaged export class NetDevice {
  ifindex: u32;
  flags: u32;          // IFF_* as the user set them (IFF_UP etc.)
  mtu: u32;
  minMtu: u32;
  maxMtu: u32;
  txqueuelen: u32;
  promiscuity: u32;    // a counter, not a bool (book ch. 1)
  peer: u32;           // veth: ifindex of the other end
  type: u16;           // ARPHRD_*
  kind: u8;            // DEV_KIND_*
  operstate: u8;
  carrier: u8;         // 1 when the link is up (netif_carrier_ok)
  addrLen: u8;
  pad0: u16;
  ring: u32;           // NIC: address of its ring block (0 for other kinds)
  group: u32;
  mac0: u64;           // dev_addr, 6 bytes (+2 pad)
  brd0: u64;           // broadcast address, 6 bytes (+2 pad)
  name0: u64;          // name: IFNAMSIZ bytes, NUL terminated
  name1: u64;
  stats: u64;          // first of Stat.COUNT u64 counters
}
export const NETDEV_STATS_OFF: usize = offsetof<NetDevice>("stats");
export const NETDEV_SIZE: usize = (NETDEV_STATS_OFF + (<usize>Stat.COUNT << 3) + 63) & ~<usize>63;

let devBase: usize = 0;
// One past the highest ifindex ever registered: per-packet loops over devices stop here.
let devLimit: u32 = 2;

export function netdevInit(): void {
  if (devBase == 0) devBase = heap.alloc(<usize>MAX_DEVICES * NETDEV_SIZE);
  memory.fill(devBase, 0, <usize>MAX_DEVICES * NETDEV_SIZE);
  devLimit = 2;
  nextIndex = 2; // lo is 1
}

/** Loop bound for device scans: every registered ifindex is below it. */
// @ts-ignore: decorator
@inline export function devIndexLimit(): u32 { return devLimit; }
export function devNoteIndex(ifindex: u32): void { if (ifindex + 1 > devLimit) devLimit = ifindex + 1; }
export function netdevBase(): usize { return devBase; }

/** dev_get_by_index: null when no such device. */
export function devGet(ifindex: u32): NetDevice | null {
  if (ifindex == 0 || ifindex >= MAX_DEVICES) return null;
  const d = changetype<NetDevice>(devBase + <usize>ifindex * NETDEV_SIZE);
  return d.ifindex == ifindex ? d : null;
}

/** The slot of an ifindex, used or not (ifindex must be in range). */
// @ts-ignore: decorator
@inline export function devSlot(ifindex: u32): NetDevice {
  return changetype<NetDevice>(devBase + <usize>ifindex * NETDEV_SIZE);
}

// @ts-ignore: decorator
@inline export function devMac(d: NetDevice): usize { return changetype<usize>(d) + offsetof<NetDevice>("mac0"); }
// @ts-ignore: decorator
@inline export function devBroadcast(d: NetDevice): usize { return changetype<usize>(d) + offsetof<NetDevice>("brd0"); }
// @ts-ignore: decorator
@inline export function devName(d: NetDevice): usize { return changetype<usize>(d) + offsetof<NetDevice>("name0"); }

// @ts-ignore: decorator
@inline export function devStatAdd(d: NetDevice, s: Stat, n: u64 = 1): void {
  const p = changetype<usize>(d) + NETDEV_STATS_OFF + (<usize>s << 3);
  store<u64>(p, load<u64>(p) + n);
}

/** netif_running && carrier: the device can pass packets. */
// @ts-ignore: decorator
@inline export function devIsUp(d: NetDevice): bool { return (d.flags & IFF_UP) != 0 && d.carrier != 0; }

/** Name length (bytes before the NUL). */
export function devNameLen(d: NetDevice): u32 {
  const p = devName(d);
  let n: u32 = 0;
  while (n < IFNAMSIZ && load<u8>(p + n) != 0) n++;
  return n;
}

/** __dev_get_by_name over a name of `len` bytes at `p`. Returns 0 when absent. */
export function devIndexByName(p: usize, len: u32): u32 {
  if (len == 0 || len >= IFNAMSIZ) return 0;
  for (let i: u32 = 1; i < MAX_DEVICES; i++) {
    const d = devSlot(i);
    if (d.ifindex == 0) continue;
    if (devNameLen(d) == len && memory.compare(devName(d), p, len) == 0) return i;
  }
  return 0;
}

// dev_index_reserve: indexes are handed out cyclically after the last one (net->ifindex), not lowest-free.
let nextIndex: u32 = 1;

/** The next free ifindex after the last one given (wrapping), 0 when the table is full. */
export function devFreeIndex(): u32 {
  for (let k: u32 = 0; k < MAX_DEVICES - 1; k++) {
    const i = (nextIndex - 1 + k) % (MAX_DEVICES - 1) + 1;
    if (devSlot(i).ifindex == 0) { nextIndex = i + 1; return i; }
  }
  return 0;
}

/** Operational state as the kernel derives it (rfc2863_policy): DOWN when not up, LOWERLAYERDOWN without carrier. */
export function devOperstate(d: NetDevice): u8 {
  if ((d.flags & IFF_UP) == 0) return IF_OPER_DOWN;
  if (d.kind == DEV_KIND_LOOPBACK) return IF_OPER_UNKNOWN;
  return d.carrier != 0 ? IF_OPER_UP : IF_OPER_LOWERLAYERDOWN;
}

/** dev_get_flags: the flags userspace sees (RUNNING and LOWER_UP from carrier, PROMISC from the counter). */
export function devGetFlags(d: NetDevice): u32 {
  let f = d.flags & ~(IFF_RUNNING | IFF_LOWER_UP | IFF_PROMISC);
  if (d.promiscuity > 0 || (d.flags & IFF_PROMISC) != 0) f |= IFF_PROMISC;
  if ((d.flags & IFF_UP) != 0 && d.carrier != 0) f |= IFF_RUNNING | IFF_LOWER_UP;
  return f;
}

/** Promiscuous receive: the user flag or an open capture (the counter). */
// @ts-ignore: decorator
@inline export function devIsPromisc(d: NetDevice): bool { return d.promiscuity > 0 || (d.flags & IFF_PROMISC) != 0; }
