// The device layer (net/core/dev.c): creating and changing devices, the receive path from rings and
// the backlog into the protocol handlers, dev_queue_xmit onto rings or into a veth peer / loopback,
// and the NAPI-style poll the host drives.
import { Skb, SkbQueue, SKB_QUEUE_SIZE, skbFromBuffer, kfreeSkb, consumeSkb, skbFreeStructOnly, skbShared, skbCopy,
  skbQueueTail, skbDequeue, skbQueuePurge, skbBufIndex, bufIndexOf, bufStart, bufOwnerOf, bufDevOf, bufSetOwner,
  bufAlloc, bufRelease, bufSize, bufTotal, bufsFree, BUF_FILL, BUF_TX, NET_SKB_PAD } from "./skb";
import { NetDevice, devSlot, devGet, devMac, devBroadcast, devName, devStatAdd, devIsUp, devFreeIndex,
  devIndexByName, devIndexLimit, devNoteIndex, Stat, MAX_DEVICES, IFNAMSIZ, IFF_UP, IFF_BROADCAST, IFF_LOOPBACK, IFF_MULTICAST, IFF_NOARP,
  IFF_USER_MASK, ARPHRD_ETHER, ARPHRD_LOOPBACK, DEV_KIND_LOOPBACK, DEV_KIND_VETH, DEV_KIND_NIC } from "./netdev";
import { ringBlockAlloc, ringBlockFree, ringOf, ringProd, ringCons, ringSetProd, ringSetCons, ringDesc,
  ringAvailFromHost, ringSpaceForHost, RING_SIZE, RING_FILL, RING_RX, RING_TX, RING_COMP } from "./ring";
import { Drop, dropInc } from "./stats";
import { prandomBytes } from "./random";
import { sysctl, Sysctl, confReset } from "./sysctl";
import { ethTypeTrans, isMulticastEtherAddr, isValidEtherAddr, etherAddrCopy, ETH_HLEN, ETH_P_IP, ETH_P_ARP } from "../ethernet/eth";
import { ipRcv } from "../ipv4/input";
import { arpRcv } from "../neigh/arp";
import { neighIfdown } from "../neigh/neighbour";
import { inetdevEvent, NETDEV_UP, NETDEV_DOWN, NETDEV_UNREGISTER, NETDEV_CHANGEMTU } from "../ipv4/devinet";
import { rtmsgIfinfo } from "../netlink/rtnetlink";
import { fibNetdevEvent, NETDEV_CHANGE } from "../route/fib";

// errno values returned to netlink (positive here; the netlink layer negates them).
export const EPERM: i32 = 1;
export const ENOENT: i32 = 2;
export const ENOBUFS: i32 = 105;
export const ENOMEM: i32 = 12;
export const EEXIST: i32 = 17;
export const ENODEV: i32 = 19;
export const EINVAL: i32 = 22;
export const ERANGE: i32 = 34;
export const EOPNOTSUPP: i32 = 95;
export const EADDRNOTAVAIL: i32 = 99;

// Where the host writes a received frame inside a FILL buffer: NET_SKB_PAD + NET_IP_ALIGN of headroom,
// so replies can push headers without copying.
export const RX_HEADROOM: u32 = NET_SKB_PAD + 2;
const ETH_MAX_MTU: u32 = 65535;
// Empty buffers kept in each NIC's fill ring (enough for a 256-frame burst with slack), at most an
// equal share of the three quarters of the pool the core lends out (the rest stays for replies, ARP
// and queues), so that every NIC gets buffers however small the pool.
const FILL_TARGET: i32 = 512;
let nicCount: i32 = 0;
const VLAN_HLEN: u32 = 4;

let backlog: SkbQueue = changetype<SkbQueue>(0);
let now: i64 = 0;

export function devInit(): void {
  if (changetype<usize>(backlog) == 0) backlog = changetype<SkbQueue>(heap.alloc(SKB_QUEUE_SIZE));
  memory.fill(changetype<usize>(backlog), 0, SKB_QUEUE_SIZE);
  now = 0;
  nicCount = 0;
}

/** The host's clock as of the current poll (ms). */
// @ts-ignore: decorator
@inline export function jiffies(): i64 { return now; }
export function setNow(t: i64): void { now = t; }

// ---- creation, deletion, changes (control path) ----

function devSetupCommon(d: NetDevice, ifindex: u32, name: usize, nameLen: u32): void {
  memory.fill(changetype<usize>(d), 0, offsetof<NetDevice>("stats"));
  d.ifindex = ifindex;
  devNoteIndex(ifindex);
  confReset(ifindex);                          // inetdev_init: the device's conf starts as conf/default
  memory.copy(devName(d), name, nameLen);
  d.txqueuelen = 1000;
  d.addrLen = 6;
}

/** ether_setup + eth_hw_addr_random: a locally administered random unicast MAC. */
function etherSetup(d: NetDevice): void {
  d.type = ARPHRD_ETHER;
  d.mtu = 1500; d.minMtu = 68; d.maxMtu = ETH_MAX_MTU;
  d.flags = IFF_BROADCAST | IFF_MULTICAST;
  const mac = devMac(d);
  prandomBytes(mac, 6);
  store<u8>(mac, (load<u8>(mac) & 0xFE) | 0x02);
  memory.fill(devBroadcast(d), 0xFF, 6);
  d.carrier = 1;
}

/** Check a new device name: length, characters (dev_valid_name) and uniqueness. Returns 0 or an errno. */
export function devCheckName(name: usize, len: u32, self: u32): i32 {
  if (len == 0 || len >= IFNAMSIZ) return EINVAL;
  if (len == 1 && load<u8>(name) == 0x2E) return EINVAL;
  if (len == 2 && load<u16>(name) == 0x2E2E) return EINVAL;
  for (let i: u32 = 0; i < len; i++) {
    const c = load<u8>(name + i);
    if (c == 0x2F || c == 0x3A || c <= 0x20 || c == 0x7F) return EINVAL;
  }
  const other = devIndexByName(name, len);
  if (other != 0 && other != self) return EEXIST;
  return 0;
}

/** Register lo at ifindex 1 (loopback_net_init). Down, as in a new network namespace. */
export function devCreateLoopback(): void {
  const d = devSlot(1);
  const name = memory.data<u8>([0x6C, 0x6F]);
  devSetupCommon(d, 1, name, 2);
  d.kind = DEV_KIND_LOOPBACK;
  d.type = ARPHRD_LOOPBACK;
  d.mtu = 65536; d.minMtu = 0; d.maxMtu = 0x7FFFFFFF;
  d.flags = IFF_LOOPBACK;
  d.carrier = 1;
}

/** A host-driven NIC with rings. Returns the ifindex or a negative errno. */
export function devCreateNic(name: usize, len: u32, ifindex: u32): i32 {
  const err = devCheckName(name, len, 0);
  if (err != 0) return -err;
  const idx = ifindex != 0 ? ifindex : devFreeIndex();
  if (idx == 0 || idx >= MAX_DEVICES) return -ENOBUFS;
  if (devGet(idx) !== null) return -EEXIST;
  const ring = ringBlockAlloc();
  if (ring == 0) return -ENOBUFS;
  const d = devSlot(idx);
  devSetupCommon(d, idx, name, len);
  etherSetup(d);
  d.kind = DEV_KIND_NIC;
  d.ring = <u32>ring;
  nicCount++;
  const lim = devIndexLimit();
  for (let i: u32 = 1; i < lim; i++) {      // the others give back what is over their new share
    const o = devSlot(i);
    if (o.ifindex != 0 && o.kind == DEV_KIND_NIC && o !== d) nicFillTrim(o);
  }
  nicRefill(d);            // the host can post frames before the first poll
  rtmsgIfinfo(d, 16 /* RTM_NEWLINK */);
  return <i32>idx;
}

/** veth_newlink: two devices, each the other's peer. Returns the first ifindex or a negative errno. */
export function devCreateVeth(name: usize, len: u32, peerName: usize, peerLen: u32): i32 {
  let err = devCheckName(name, len, 0);
  if (err == 0) err = devCheckName(peerName, peerLen, 0);
  if (err == 0 && len == peerLen && memory.compare(name, peerName, len) == 0) err = EEXIST;
  if (err != 0) return -err;
  const p = devFreeIndex();
  if (p == 0) return -ENOBUFS;
  const pd = devSlot(p);
  devSetupCommon(pd, p, peerName, peerLen);
  const a = devFreeIndex();
  if (a == 0) { pd.ifindex = 0; return -ENOBUFS; }
  const ad = devSlot(a);
  devSetupCommon(ad, a, name, len);
  etherSetup(pd); etherSetup(ad);
  pd.kind = DEV_KIND_VETH; ad.kind = DEV_KIND_VETH;
  pd.peer = a; ad.peer = p;
  // veth reports carrier only when both ends are up.
  pd.carrier = 0; ad.carrier = 0;
  rtmsgIfinfo(pd, 16);
  rtmsgIfinfo(ad, 16);
  return <i32>a;
}

/**
 * veth_open / veth_close: the carrier of both ends follows "both up". Returns the peer when its
 * carrier changed: it learns of it through the link watch, after this device's own UP / DOWN.
 */
function vethSyncCarrier(d: NetDevice): NetDevice | null {
  const p = devGet(d.peer);
  if (p === null) { d.carrier = 0; return null; }
  const both: u8 = (d.flags & IFF_UP) != 0 && (p.flags & IFF_UP) != 0 ? 1 : 0;
  d.carrier = both;
  if (p.carrier == both) return null;
  p.carrier = both;
  return p;
}

/**
 * The link watch's netdev_state_change after a carrier change: an up device gets NETDEV_CHANGE, so
 * its routes' nexthops go linkdown or come back (fib_netdev_event).
 */
function linkwatchCarrierChanged(d: NetDevice): void {
  if ((d.flags & IFF_UP) != 0) fibNetdevEvent(d, NETDEV_CHANGE);
}

/** netif_carrier_on / netif_carrier_off. True when the carrier changed (the caller notifies RTM_NEWLINK). */
export function netifCarrierSet(d: NetDevice, on: u8): bool {
  if (d.carrier == on) return false;
  d.carrier = on;
  linkwatchCarrierChanged(d);
  return true;
}

/** Give back every buffer the host holds for this NIC and forget its rings. */
function nicReleaseBuffers(d: NetDevice): void {
  const n = bufTotal();
  for (let i: u32 = 0; i < n; i++) {
    const o = bufOwnerOf(i);
    if ((o == BUF_FILL || o == BUF_TX) && bufDevOf(i) == <u8>d.ifindex) bufRelease(i);
  }
}

/** unregister_netdevice. lo cannot be deleted (-EOPNOTSUPP as the kernel refuses it). */
export function devDelete(ifindex: u32): i32 {
  const d = devGet(ifindex);
  if (d === null) return -ENODEV;
  if (d.kind == DEV_KIND_LOOPBACK) return -EOPNOTSUPP;
  if ((d.flags & IFF_UP) != 0) devChangeFlags(d, d.flags & ~IFF_UP);
  inetdevEvent(d, NETDEV_UNREGISTER);
  fibNetdevEvent(d, NETDEV_UNREGISTER);
  if (d.kind == DEV_KIND_NIC) { nicReleaseBuffers(d); ringBlockFree(d.ring); nicCount--; }
  const peer = d.kind == DEV_KIND_VETH ? d.peer : 0;
  rtmsgIfinfo(d, 17 /* RTM_DELLINK */);
  d.ifindex = 0;
  if (peer != 0) devDelete(peer); // deleting one end of a veth deletes the pair
  return 0;
}

/** dev_change_flags: UP/DOWN run the open/close paths and notify. */
export function devChangeFlags(d: NetDevice, flags: u32): i32 {
  const old = d.flags;
  d.flags = (old & ~IFF_USER_MASK) | (flags & IFF_USER_MASK);
  const changedUp = ((old ^ d.flags) & IFF_UP) != 0;
  let peer: NetDevice | null = null;
  if (changedUp) {
    if (d.kind == DEV_KIND_VETH) peer = vethSyncCarrier(d);
    if ((d.flags & IFF_UP) != 0) {
      inetdevEvent(d, NETDEV_UP);
      fibNetdevEvent(d, NETDEV_UP);
    } else {
      neighIfdown(d);
      inetdevEvent(d, NETDEV_DOWN);
      fibNetdevEvent(d, NETDEV_DOWN);
    }
  }
  if (old != d.flags) rtmsgIfinfo(d, 16);
  if (peer !== null) { linkwatchCarrierChanged(peer); rtmsgIfinfo(peer, 16); }
  return 0;
}

/** dev_set_mtu: within [min_mtu, max_mtu] else -EINVAL. */
export function devSetMtu(d: NetDevice, mtu: u32): i32 {
  if (mtu < d.minMtu || mtu > d.maxMtu) return -EINVAL;
  if (d.kind != DEV_KIND_LOOPBACK && mtu + ETH_HLEN + VLAN_HLEN > bufSize() - RX_HEADROOM) return -EINVAL;
  if (mtu != d.mtu) { d.mtu = mtu; inetdevEvent(d, NETDEV_CHANGEMTU); rtmsgIfinfo(d, 16); }
  return 0;
}

/** dev_set_mac_address: a valid unicast address on an Ethernet device. */
export function devSetMac(d: NetDevice, mac: usize): i32 {
  if (d.type != ARPHRD_ETHER) return -EOPNOTSUPP;
  if (!isValidEtherAddr(mac)) return -EADDRNOTAVAIL;
  etherAddrCopy(devMac(d), mac);
  rtmsgIfinfo(d, 16);
  return 0;
}

/** dev_change_name. A current kernel renames devices that are up too (the book's -EBUSY is gone). */
export function devSetName(d: NetDevice, name: usize, len: u32): i32 {
  const err = devCheckName(name, len, d.ifindex);
  if (err != 0) return -err;
  memory.fill(devName(d), 0, IFNAMSIZ);
  memory.copy(devName(d), name, len);
  rtmsgIfinfo(d, 16);
  return 0;
}

// ---- receive ----

/** netif_rx: queue to the backlog (loopback, veth). Over netdev_max_backlog → drop. */
export function netifRx(skb: Skb): void {
  if (backlog.qlen >= <u32>sysctl(Sysctl.netdev_max_backlog)) {
    const d = devGet(skb.dev);
    if (d !== null) devStatAdd(d, Stat.rx_dropped);
    kfreeSkb(skb, Drop.CPU_BACKLOG);
    return;
  }
  skbQueueTail(backlog, skb);
}

/** __netif_receive_skb: hand to the protocol handler for skb.protocol (ptype_base). */
export function netifReceiveSkb(skb: Skb, d: NetDevice): void {
  skb.iif = d.ifindex;
  const proto = skb.protocol;
  if (proto == ETH_P_IP) { ipRcv(skb, d); return; }
  if (proto == ETH_P_ARP) { arpRcv(skb, d); return; }
  devStatAdd(d, Stat.rx_nohandler);
  kfreeSkb(skb, Drop.UNHANDLED_PROTO);
}

/** Host RX descriptor → skb → stack. Every descriptor is validated before it is trusted. */
function nicReceiveOne(d: NetDevice, addr: u32, len: u32): void {
  const i = bufIndexOf(<usize>addr);
  if (i < 0 || bufOwnerOf(<u32>i) != BUF_FILL || bufDevOf(<u32>i) != <u8>d.ifindex) {
    // Not a buffer this NIC was given: refuse it, touch nothing.
    devStatAdd(d, Stat.rx_errors);
    dropInc(Drop.BAD_DESCRIPTOR);
    return;
  }
  const start = bufStart(<u32>i);
  if (<usize>addr + <usize>len > start + bufSize()) {
    devStatAdd(d, Stat.rx_errors);
    dropInc(Drop.BAD_DESCRIPTOR);
    bufRelease(<u32>i);
    return;
  }
  if (len < ETH_HLEN) {           // runt
    devStatAdd(d, Stat.rx_errors); devStatAdd(d, Stat.rx_length_errors);
    dropInc(Drop.PKT_TOO_SMALL);
    bufRelease(<u32>i);
    return;
  }
  if (len > d.mtu + ETH_HLEN + VLAN_HLEN) {  // longer than the device accepts
    devStatAdd(d, Stat.rx_errors); devStatAdd(d, Stat.rx_length_errors);
    dropInc(Drop.FRAME_TOO_LONG);
    bufRelease(<u32>i);
    return;
  }
  const skb = skbFromBuffer(<u32>i, addr, len);
  if (skb === null) {
    devStatAdd(d, Stat.rx_dropped);
    dropInc(Drop.NOMEM);
    bufRelease(<u32>i);
    return;
  }
  skb.tstamp = now;
  devStatAdd(d, Stat.rx_packets);
  devStatAdd(d, Stat.rx_bytes, len);
  if (isMulticastEtherAddr(<usize>addr)) devStatAdd(d, Stat.multicast);
  if ((d.flags & IFF_UP) == 0) { devStatAdd(d, Stat.rx_dropped); kfreeSkb(skb, Drop.DEV_READY); return; }
  ethTypeTrans(skb, d);
  netifReceiveSkb(skb, d);
}

/** Take back buffers the host completed. */
function nicReclaim(d: NetDevice): void {
  const r = ringOf(d.ring, RING_COMP);
  const n = ringAvailFromHost(r);
  if (n < 0) { dropInc(Drop.BAD_DESCRIPTOR); ringSetCons(r, ringProd(r)); return; }
  let c = ringCons(r);
  for (let k = 0; k < n; k++, c++) {
    const i = bufIndexOf(<usize>load<u32>(ringDesc(r, c)));
    if (i >= 0 && (bufOwnerOf(<u32>i) == BUF_TX || bufOwnerOf(<u32>i) == BUF_FILL)
        && bufDevOf(<u32>i) == <u8>d.ifindex) bufRelease(<u32>i);
    else dropInc(Drop.BAD_DESCRIPTOR);
  }
  ringSetCons(r, c);
}

/** This NIC's part of the fill buffers (see FILL_TARGET). */
function nicFillShare(): i32 {
  const lendable = <i32>(bufTotal() - (bufTotal() >> 2));
  return min(FILL_TARGET, lendable / max(1, nicCount));
}

/** Take back posted buffers the host has not used, newest first, down to the NIC's share. */
function nicFillTrim(d: NetDevice): void {
  const r = ringOf(d.ring, RING_FILL);
  if (ringSpaceForHost(r) < 0) return;
  const share = nicFillShare();
  const c = ringCons(r);
  let p = ringProd(r);
  while (<i32>(p - c) > share) {
    p--;
    const i = bufIndexOf(<usize>load<u32>(ringDesc(r, p)));
    if (i >= 0 && bufOwnerOf(<u32>i) == BUF_FILL && bufDevOf(<u32>i) == <u8>d.ifindex) bufRelease(<u32>i);
  }
  ringSetProd(r, p);
}

/** Keep the fill ring stocked with empty buffers. */
function nicRefill(d: NetDevice): void {
  const r = ringOf(d.ring, RING_FILL);
  let space = ringSpaceForHost(r);
  if (space < 0) { dropInc(Drop.BAD_DESCRIPTOR); ringSetCons(r, ringProd(r)); space = 0; }
  // Bounded per NIC, and a quarter of all buffers stays with the core for replies, ARP and queues.
  const outstanding = <i32>RING_SIZE - space;
  const target = nicFillShare();
  if (space > target - outstanding) space = max(0, target - outstanding);
  const reserve = <i32>(bufTotal() >> 2);
  if (space > <i32>bufsFree() - reserve) space = max(0, <i32>bufsFree() - reserve);
  let p = ringProd(r);
  const cap = bufSize() - RX_HEADROOM;
  for (let k = 0; k < space; k++) {
    const i = bufAlloc(BUF_FILL);
    if (i < 0) break;
    bufSetOwner(<u32>i, BUF_FILL, d.ifindex);
    const desc = ringDesc(r, p);
    store<u32>(desc, <u32>bufStart(<u32>i) + RX_HEADROOM);
    store<u32>(desc, cap, 4);
    store<u32>(desc, 0, 8);
    p++;
  }
  ringSetProd(r, p);
}

/** NAPI poll of one NIC: up to budget received frames. */
function nicPoll(d: NetDevice, budget: i32): i32 {
  nicReclaim(d);
  const r = ringOf(d.ring, RING_RX);
  let n = ringAvailFromHost(r);
  if (n < 0) { dropInc(Drop.BAD_DESCRIPTOR); devStatAdd(d, Stat.rx_errors); ringSetCons(r, ringProd(r)); return 0; }
  if (n > budget) n = budget;
  let c = ringCons(r);
  for (let k = 0; k < n; k++, c++) {
    const desc = ringDesc(r, c);
    nicReceiveOne(d, load<u32>(desc), load<u32>(desc, 4));
  }
  ringSetCons(r, c);
  return n;
}

/** process_backlog: frames queued by loopback and veth transmits. */
function processBacklog(budget: i32): i32 {
  let work = 0;
  while (work < budget) {
    const skb = skbDequeue(backlog);
    if (skb === null) break;
    const d = devGet(skb.dev);
    if (d === null || (d.flags & IFF_UP) == 0) { kfreeSkb(skb, Drop.DEV_READY); work++; continue; }
    netifReceiveSkb(skb, d);
    work++;
  }
  return work;
}

/** Everything one poll does after timers: NICs, backlog, refill. Returns packets processed. */
export function netRxAction(budget: i32): i32 {
  let work = 0;
  const lim = devIndexLimit();
  for (let i: u32 = 1; i < lim; i++) {
    const d = devSlot(i);
    if (d.ifindex == 0 || d.kind != DEV_KIND_NIC) continue;
    work += nicPoll(d, budget);
  }
  // Loopback and veth deliveries may create more (replies to a veth peer): drain up to budget more.
  work += processBacklog(budget);
  for (let i: u32 = 1; i < lim; i++) {
    const d = devSlot(i);
    if (d.ifindex != 0 && d.kind == DEV_KIND_NIC) { nicReclaim(d); nicRefill(d); }
  }
  return work;
}

/** Frames still waiting in the backlog (the host polls again while this is non-zero). */
export function backlogLen(): u32 { return backlog.qlen; }

// ---- transmit ----

/** Put a frame on a NIC's TX ring, zero-copy when the data is not shared. */
function nicXmit(skb: Skb, d: NetDevice): void {
  const r = ringOf(d.ring, RING_TX);
  const space = ringSpaceForHost(r);
  if (space <= 0) {
    devStatAdd(d, Stat.tx_dropped);
    kfreeSkb(skb, space < 0 ? Drop.BAD_DESCRIPTOR : Drop.FULL_RING);
    return;
  }
  let s = skb;
  if (skbShared(skb)) {
    const c = skbCopy(skb);
    consumeSkb(skb);
    if (c === null) { devStatAdd(d, Stat.tx_dropped); return; }
    s = c;
  }
  const p = ringProd(r);
  const desc = ringDesc(r, p);
  store<u32>(desc, s.data);
  store<u32>(desc, s.len, 4);
  store<u32>(desc, 0, 8);
  ringSetProd(r, p + 1);
  devStatAdd(d, Stat.tx_packets);
  devStatAdd(d, Stat.tx_bytes, s.len);
  bufSetOwner(skbBufIndex(s), BUF_TX, d.ifindex);
  skbFreeStructOnly(s);
}

/**
 * dev_queue_xmit: the frame (with its L2 header) leaves through skb.dev.
 * loopback_xmit and veth_xmit count tx on the sender and rx on the receiver, then netif_rx.
 */
export function devQueueXmit(skb: Skb): void {
  const d = devGet(skb.dev);
  if (d === null) { kfreeSkb(skb, Drop.DEV_READY); return; }
  if (!devIsUp(d)) { devStatAdd(d, Stat.tx_dropped); kfreeSkb(skb, Drop.DEV_READY); return; }
  if (d.kind == DEV_KIND_NIC) { nicXmit(skb, d); return; }
  const len = skb.len;
  if (d.kind == DEV_KIND_LOOPBACK) {
    devStatAdd(d, Stat.tx_packets); devStatAdd(d, Stat.tx_bytes, len);
    devStatAdd(d, Stat.rx_packets); devStatAdd(d, Stat.rx_bytes, len);
    skb.tstamp = now;
    ethTypeTrans(skb, d);
    netifRx(skb);
    return;
  }
  // veth: the peer receives.
  const p = devGet(d.peer);
  if (p === null || !devIsUp(p) || len > p.mtu + ETH_HLEN + VLAN_HLEN) {
    devStatAdd(d, Stat.tx_dropped);
    kfreeSkb(skb, Drop.DEV_READY);
    return;
  }
  devStatAdd(d, Stat.tx_packets); devStatAdd(d, Stat.tx_bytes, len);
  devStatAdd(p, Stat.rx_packets); devStatAdd(p, Stat.rx_bytes, len);
  if (isMulticastEtherAddr(<usize>skb.data)) devStatAdd(p, Stat.multicast);
  skb.tstamp = now;
  ethTypeTrans(skb, p);
  netifRx(skb);
}
