// sk_buff over linear memory (book ch. 1, "The Socket Buffer").
// Two bounded pools, both sized once at init: packet buffers (fixed-size slots, the "data" the kernel
// kmallocs) and skb metadata structs. A buffer has a data reference count so clones share data
// (skb_clone); the per-buffer owner byte records whether the core or the host (through a ring) holds it.
// Nothing here allocates managed memory; exhaustion returns 0 and the caller drops with Drop.NOMEM.
import { memZero } from "./mem";
import { Drop, dropInc } from "./stats";

// Headroom reserved in every buffer the core allocates: NET_SKB_PAD (64 on x86 with 64-byte cache lines).
export const NET_SKB_PAD: u32 = 64;

// Buffer owner states (one byte per buffer).
export const BUF_FREE: u8 = 0;   // on the core's free list
export const BUF_CORE: u8 = 1;   // attached to one or more skbs inside the core
export const BUF_FILL: u8 = 2;   // handed to the host through a fill ring (host may write an RX frame)
export const BUF_TX: u8 = 3;     // handed to the host through a TX ring (host reads, then completes)

// pkt_type values (include/uapi/linux/if_packet.h).
export const PACKET_HOST: u8 = 0;
export const PACKET_BROADCAST: u8 = 1;
export const PACKET_MULTICAST: u8 = 2;
export const PACKET_OTHERHOST: u8 = 3;
export const PACKET_OUTGOING: u8 = 4;
export const PACKET_LOOPBACK: u8 = 5;

// ip_summed values.
export const CHECKSUM_NONE: u8 = 0;
export const CHECKSUM_UNNECESSARY: u8 = 1;

export const SKB_CB_SIZE: u32 = 48;

// struct sk_buff, the part this engine needs. head/data/tail/end are absolute addresses in linear memory;
// the header offsets are relative to head as on 64-bit kernels (0xFFFF = unset).
@unmanaged export class Skb {
  head: u32;
  data: u32;
  tail: u32;
  end: u32;
  len: u32;
  macHeader: u16;
  networkHeader: u16;
  transportHeader: u16;
  protocol: u16;        // ethertype, host order
  pktType: u8;
  ipSummed: u8;
  cloned: u8;
  rtType: u8;           // rt_type of the packet's route (skb_rtable(skb)->rt_type), 0 = none yet
  dev: u32;             // ifindex: input device on receive, output device on transmit
  iif: u32;             // skb_iif: the device the packet arrived on
  mark: u32;
  next: u32;            // queue link (sk_buff_head, neighbour arp_queue, backlog)
  tstamp: u64;          // ms of the host clock when received/created
  pad3: u32;
  pad1: u32;
  pad2: u64;
  cb: u64;              // first 8 bytes of cb[48]; the rest follows (see skbCb)
}
export const SKB_STRUCT_SIZE: u32 = 128;
// @ts-ignore: decorator
@inline export function skbCb(skb: Skb): usize { return changetype<usize>(skb) + offsetof<Skb>("cb"); }

let bufBase: usize = 0;
let bufShift: u32 = 0;
let bufCount: u32 = 0;
let bufRef: usize = 0;      // u16 per buffer: data reference count
let bufOwner: usize = 0;    // u8 per buffer: BUF_* state
let bufDev: usize = 0;      // u8 per buffer: ifindex of the NIC whose ring holds it (FILL/TX states)
let bufFree: usize = 0;     // u32 stack of free buffer indices
let bufFreeTop: u32 = 0;

let skbBase: usize = 0;
let skbCount: u32 = 0;
let skbFree: usize = 0;     // u32 stack of free skb addresses
let skbFreeTop: u32 = 0;

/** Size both pools. bufShift: log2 of the buffer size (14 = 16 KiB, enough for 9000-byte jumbo frames). */
export function skbPoolInit(nbufs: u32, shift: u32, nskbs: u32): void {
  bufShift = shift;
  bufCount = nbufs;
  const size = <usize>1 << shift;
  bufBase = (heap.alloc(<usize>nbufs * size + 63) + 63) & ~<usize>63;
  bufRef = heap.alloc(<usize>nbufs << 1);
  bufOwner = heap.alloc(<usize>nbufs);
  bufDev = heap.alloc(<usize>nbufs);
  memory.fill(bufDev, 0, <usize>nbufs);
  bufFree = heap.alloc(<usize>nbufs << 2);
  memory.fill(bufRef, 0, <usize>nbufs << 1);
  memory.fill(bufOwner, BUF_FREE, <usize>nbufs);
  for (let i: u32 = 0; i < nbufs; i++) store<u32>(bufFree + (<usize>i << 2), nbufs - 1 - i);
  bufFreeTop = nbufs;

  skbCount = nskbs;
  skbBase = (heap.alloc(<usize>nskbs * SKB_STRUCT_SIZE + 63) + 63) & ~<usize>63;
  skbFree = heap.alloc(<usize>nskbs << 2);
  for (let i: u32 = 0; i < nskbs; i++) {
    store<u32>(skbFree + (<usize>i << 2), <u32>(skbBase + <usize>(nskbs - 1 - i) * SKB_STRUCT_SIZE));
  }
  skbFreeTop = nskbs;
}

export function bufAreaBase(): usize { return bufBase; }
export function bufAreaSize(): usize { return <usize>bufCount << bufShift; }
export function bufSize(): u32 { return 1 << bufShift; }
export function bufsFree(): u32 { return bufFreeTop; }
export function skbsFree(): u32 { return skbFreeTop; }
export function bufTotal(): u32 { return bufCount; }
export function skbTotal(): u32 { return skbCount; }

// ---- buffers ----

/** Index of the buffer containing addr, or -1 if addr is outside the buffer area. */
export function bufIndexOf(addr: usize): i32 {
  if (addr < bufBase) return -1;
  const i = (addr - bufBase) >> bufShift;
  return i < <usize>bufCount ? <i32>i : -1;
}
// @ts-ignore: decorator
@inline export function bufStart(index: u32): usize { return bufBase + (<usize>index << bufShift); }
// @ts-ignore: decorator
@inline export function bufOwnerOf(index: u32): u8 { return load<u8>(bufOwner + index); }
// @ts-ignore: decorator
@inline export function bufDevOf(index: u32): u8 { return load<u8>(bufDev + index); }
// @ts-ignore: decorator
@inline export function bufSetOwner(index: u32, owner: u8, ifindex: u32): void {
  store<u8>(bufOwner + index, owner);
  store<u8>(bufDev + index, <u8>ifindex);
}

/** Take a free buffer (owner set to `owner`, refcount 1). Returns its index or -1. */
export function bufAlloc(owner: u8): i32 {
  if (bufFreeTop == 0) return -1;
  bufFreeTop--;
  const i = load<u32>(bufFree + (<usize>bufFreeTop << 2));
  store<u16>(bufRef + (<usize>i << 1), 1);
  store<u8>(bufOwner + i, owner);
  return <i32>i;
}

/** Return a buffer to the free list (whatever its refcount was). */
export function bufRelease(index: u32): void {
  store<u16>(bufRef + (<usize>index << 1), 0);
  store<u8>(bufOwner + index, BUF_FREE);
  store<u32>(bufFree + (<usize>bufFreeTop << 2), index);
  bufFreeTop++;
}

// @ts-ignore: decorator
@inline function bufRefOf(index: u32): u32 { return load<u16>(bufRef + (<usize>index << 1)); }

// ---- skb structs ----

function skbStructAlloc(): Skb | null {
  if (skbFreeTop == 0) return null;
  skbFreeTop--;
  const p = load<u32>(skbFree + (<usize>skbFreeTop << 2));
  memZero(p, SKB_STRUCT_SIZE);
  return changetype<Skb>(<usize>p);
}

function skbStructFree(skb: Skb): void {
  store<u32>(skbFree + (<usize>skbFreeTop << 2), <u32>changetype<usize>(skb));
  skbFreeTop++;
}

function skbInitOver(skb: Skb, index: u32, data: u32, len: u32): void {
  const head = <u32>bufStart(index);
  skb.head = head;
  skb.data = data;
  skb.tail = data + len;
  skb.end = head + (<u32>1 << bufShift);
  skb.len = len;
  skb.macHeader = 0xFFFF;
  skb.networkHeader = 0xFFFF;
  skb.transportHeader = 0xFFFF;
}

/** alloc_skb: a fresh buffer with `headroom` reserved (skb_reserve). null when a pool is empty (counted). */
export function allocSkb(headroom: u32): Skb | null {
  const skb = skbStructAlloc();
  if (skb === null) { dropInc(Drop.NOMEM); return null; }
  const i = bufAlloc(BUF_CORE);
  if (i < 0) { skbStructFree(skb); dropInc(Drop.NOMEM); return null; }
  skbInitOver(skb, <u32>i, <u32>bufStart(<u32>i) + headroom, 0);
  return skb;
}

/** Wrap a received frame that the host wrote into buffer `index` at [data, data+len). */
export function skbFromBuffer(index: u32, data: u32, len: u32): Skb | null {
  const skb = skbStructAlloc();
  if (skb === null) return null;
  store<u16>(bufRef + (<usize>index << 1), 1);
  store<u8>(bufOwner + index, BUF_CORE);
  skbInitOver(skb, index, data, len);
  return skb;
}

/** Buffer index of an skb's data. */
// @ts-ignore: decorator
@inline export function skbBufIndex(skb: Skb): u32 { return <u32>((<usize>skb.head - bufBase) >> bufShift); }

/** Drop one data reference and the struct (kfree_skbmem). */
function skbRelease(skb: Skb): void {
  const i = skbBufIndex(skb);
  const r = bufRefOf(i);
  if (r <= 1) bufRelease(i); else store<u16>(bufRef + (<usize>i << 1), <u16>(r - 1));
  skbStructFree(skb);
}

/** kfree_skb_reason: free a dropped packet and count why. */
export function kfreeSkb(skb: Skb, reason: Drop): void {
  dropInc(reason);
  skbRelease(skb);
}

/** consume_skb: free a packet that was handled successfully. */
export function consumeSkb(skb: Skb): void { skbRelease(skb); }

/** Detach the struct from its buffer without touching the buffer (the buffer went to a TX ring). */
export function skbFreeStructOnly(skb: Skb): void { skbStructFree(skb); }

/** True when the data may be shared with another skb (skb_cloned). */
export function skbShared(skb: Skb): bool { return bufRefOf(skbBufIndex(skb)) > 1; }

// ---- pointer algebra (skbuff.h) ----

// @ts-ignore: decorator
@inline export function skbHeadroom(skb: Skb): u32 { return skb.data - skb.head; }
// @ts-ignore: decorator
@inline export function skbTailroom(skb: Skb): u32 { return skb.end - skb.tail; }

/** skb_reserve: only on an empty skb. */
export function skbReserve(skb: Skb, n: u32): bool {
  if (skb.len != 0 || n > skbTailroom(skb)) return false;
  skb.data += n; skb.tail += n;
  return true;
}

/** skb_put: extend the tail; returns the old tail, 0 when there is no room (the kernel BUG()s). */
export function skbPut(skb: Skb, n: u32): u32 {
  if (n > skbTailroom(skb)) return 0;
  const t = skb.tail;
  skb.tail += n; skb.len += n;
  return t;
}

/** skb_push: extend at the front; returns the new data, 0 when there is no headroom. */
export function skbPush(skb: Skb, n: u32): u32 {
  if (n > skbHeadroom(skb)) return 0;
  skb.data -= n; skb.len += n;
  return skb.data;
}

/** skb_pull: remove from the front; returns the new data, 0 if n > len (as the kernel's NULL). */
export function skbPull(skb: Skb, n: u32): u32 {
  if (n > skb.len) return 0;
  skb.data += n; skb.len -= n;
  return skb.data;
}

/** skb_trim / pskb_trim: shorten to n bytes (no-op if already shorter). */
export function skbTrim(skb: Skb, n: u32): void {
  if (n < skb.len) { skb.len = n; skb.tail = skb.data + n; }
}

/** pskb_may_pull: all data is linear here, so it is a length check. */
// @ts-ignore: decorator
@inline export function pskbMayPull(skb: Skb, n: u32): bool { return n <= skb.len; }

// @ts-ignore: decorator
@inline export function skbResetMacHeader(skb: Skb): void { skb.macHeader = <u16>(skb.data - skb.head); }
// @ts-ignore: decorator
@inline export function skbResetNetworkHeader(skb: Skb): void { skb.networkHeader = <u16>(skb.data - skb.head); }
// @ts-ignore: decorator
@inline export function skbResetTransportHeader(skb: Skb): void { skb.transportHeader = <u16>(skb.data - skb.head); }
// @ts-ignore: decorator
@inline export function skbMacHeader(skb: Skb): u32 { return skb.head + skb.macHeader; }
// @ts-ignore: decorator
@inline export function skbNetworkHeader(skb: Skb): u32 { return skb.head + skb.networkHeader; }
// @ts-ignore: decorator
@inline export function skbTransportHeader(skb: Skb): u32 { return skb.head + skb.transportHeader; }

function skbCopyMeta(dst: Skb, src: Skb): void {
  dst.macHeader = src.macHeader;
  dst.networkHeader = src.networkHeader;
  dst.transportHeader = src.transportHeader;
  dst.protocol = src.protocol;
  dst.pktType = src.pktType;
  dst.ipSummed = src.ipSummed;
  dst.dev = src.dev;
  dst.iif = src.iif;
  dst.mark = src.mark;
  dst.tstamp = src.tstamp;
  dst.rtType = src.rtType;
  memory.copy(skbCb(dst), skbCb(src), SKB_CB_SIZE);
}

/** skb_clone: a second skb sharing the same data (data refcount + 1). */
export function skbClone(skb: Skb): Skb | null {
  const n = skbStructAlloc();
  if (n === null) { dropInc(Drop.NOMEM); return null; }
  const i = skbBufIndex(skb);
  store<u16>(bufRef + (<usize>i << 1), <u16>(bufRefOf(i) + 1));
  n.head = skb.head; n.data = skb.data; n.tail = skb.tail; n.end = skb.end; n.len = skb.len;
  skbCopyMeta(n, skb);
  n.cloned = 1; skb.cloned = 1;
  return n;
}

/** skb_copy: private copy of headroom and data at the same offsets. */
export function skbCopy(skb: Skb): Skb | null {
  const n = allocSkb(skbHeadroom(skb));
  if (n === null) return null;
  memory.copy(n.head, skb.head, skb.tail - skb.head);
  n.tail = n.data + skb.len; n.len = skb.len;
  skbCopyMeta(n, skb);
  return n;
}

/** skb_cow-like: make the data private to this skb before writing. Returns false when out of buffers. */
export function skbMakeWritable(skb: Skb): bool {
  const i = skbBufIndex(skb);
  if (bufRefOf(i) <= 1) { skb.cloned = 0; return true; }
  const j = bufAlloc(BUF_CORE);
  if (j < 0) return false;                 // the caller frees the skb with Drop.NOMEM
  const nh = <u32>bufStart(<u32>j);
  memory.copy(nh, skb.head, skb.tail - skb.head);
  store<u16>(bufRef + (<usize>i << 1), <u16>(bufRefOf(i) - 1));
  const d = nh - skb.head;
  skb.head = nh; skb.data += d; skb.tail += d; skb.end += d;
  skb.cloned = 0;
  return true;
}

// ---- sk_buff_head: a FIFO threaded through skb.next ----
@unmanaged export class SkbQueue {
  head: u32;
  tail: u32;
  qlen: u32;
  pad: u32;
}
export const SKB_QUEUE_SIZE: usize = 16;

export function skbQueueTail(q: SkbQueue, skb: Skb): void {
  skb.next = 0;
  if (q.tail != 0) changetype<Skb>(<usize>q.tail).next = <u32>changetype<usize>(skb);
  else q.head = <u32>changetype<usize>(skb);
  q.tail = <u32>changetype<usize>(skb);
  q.qlen++;
}

export function skbDequeue(q: SkbQueue): Skb | null {
  const h = q.head;
  if (h == 0) return null;
  const skb = changetype<Skb>(<usize>h);
  q.head = skb.next;
  if (q.head == 0) q.tail = 0;
  q.qlen--;
  skb.next = 0;
  return skb;
}

/** skb_queue_purge with a drop reason for each. */
export function skbQueuePurge(q: SkbQueue, reason: Drop): void {
  let s = skbDequeue(q);
  while (s !== null) { kfreeSkb(s, reason); s = skbDequeue(q); }
}
