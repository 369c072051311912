// IPv4 reassembly (book ch. 4 "Defragmentation"; spec 4.9; net/ipv4/ip_fragment.c of a current kernel):
// ip_defrag for local delivery. Queues are keyed by (id, saddr, daddr, protocol), hashed with a seeded
// mix, and expire ipfrag_time after creation (not extended). As kernels since 4.19 do (RFC 5722
// applied to IPv4), an overlapping fragment discards the whole datagram; a fragment inside a run of
// fragments already held (a run grows only by fragments that continue it at the tail) is a duplicate,
// dropped alone; a last fragment that contradicts what is known discards the datagram too. Memory is
// the queues and their pinned buffers (truesize); over ipfrag_high_thresh no fragment is taken (no
// evictor since 4.17; ipfrag_low_thresh is unused).
// Fragments stay whole (data at the IP header) in an offset-sorted list; their [offset, end) and the
// offset of their run's first fragment are in the skb's cb (after the IP options, see ip_options.ts). The datagram is rebuilt by copying into one fresh buffer, so the engine reassembles
// datagrams up to its buffer size (bufSize(); larger ones count as ReasmFails).
import { Skb, allocSkb, kfreeSkb, consumeSkb, skbPut, skbTrim, skbCb, skbResetNetworkHeader, skbResetTransportHeader,
  bufSize, SKB_STRUCT_SIZE, NET_SKB_PAD } from "../core/skb";
import { devGet } from "../core/netdev";
import { Drop, IpMib, ipInc } from "../core/stats";
import { sysctl, Sysctl } from "../core/sysctl";
import { timerAdd, timerCancel, timerRegister } from "../core/timer";
import { prandomU32 } from "../core/random";
import { jiffies } from "../core/dev";
import { ipFastCsum } from "../core/checksum";
import { loadBe16, storeBe16 } from "../ethernet/eth";
import { IP_DF } from "./output";
import { IP_MF, IP_OFFSET } from "./input";
import { icmpSend, ICMP_TIME_EXCEEDED } from "./icmp";
import { ipOptionsCopy } from "./ip_options";

const ICMP_EXC_FRAGTIME: u8 = 1;
const TIMER_IPFRAG: u32 = 18;
const HASH_SIZE: u32 = 64;               // INETFRAGS_HASHSZ
const MAX_QUEUES: u32 = 1024;

// queue: [hashNext][pad x2][saddr][daddr][id u16][proto u8][flags u8][len][meat][mem]
//        [frags][tail][timer][maxSize u16][maxDf u16][ecn u8][pad x3][iif][rid] (64 bytes)
const Q_HNEXT = 0, Q_SADDR = 12, Q_DADDR = 16, Q_ID = 20, Q_PROTO = 22, Q_FLAGS = 23;
const Q_LEN = 24, Q_MEAT = 28, Q_MEM = 32, Q_FRAGS = 36, Q_TAIL = 40, Q_TIMER = 44, Q_MAXSIZE = 48, Q_MAXDF = 50;
const Q_ECN = 52, Q_IIF = 56, Q_RID = 60;
const Q_SIZE: u32 = 64;
const FIRST_IN: u8 = 1, LAST_IN: u8 = 2, COMPLETE: u8 = 4;

let pool: usize = 0;                     // MAX_QUEUES queues
let hash: usize = 0;                     // HASH_SIZE heads
let freeQ: u32 = 0;                      // free list through Q_HNEXT
let mem: u32 = 0;                        // truesize of every queued fragment
let seed: u32 = 0;
// ipfrag_max_dist: fragments counted per source (inet_peer's rid) in a direct-mapped table of
// [saddr][rid]; a source that loses its slot to another counts from 0 again (its queues then see the
// count step back, which is never "too far").
const PEERS: u32 = 1024;
let peers: usize = 0;

// @ts-ignore: decorator
@inline function fOffset(skb: Skb): u32 { return load<u32>(skbCb(skb)); }
// @ts-ignore: decorator
@inline function fEnd(skb: Skb): u32 { return load<u32>(skbCb(skb), 4); }
const CB_RUN: usize = 24;                // cb[0..8] [offset, end), cb[8..24] the IP options
// @ts-ignore: decorator
@inline function fRun(skb: Skb): u32 { return load<u32>(skbCb(skb), CB_RUN); }
// @ts-ignore: decorator
@inline function truesize(): u32 { return bufSize() + SKB_STRUCT_SIZE; }

/** Reset the reassembly state (engine init). */
export function ipfragInit(): void {
  if (pool == 0) { pool = heap.alloc(<usize>MAX_QUEUES * Q_SIZE); hash = heap.alloc(<usize>HASH_SIZE << 2); }
  memory.fill(hash, 0, <usize>HASH_SIZE << 2);
  freeQ = 0;
  for (let i = MAX_QUEUES; i > 0; i--) {
    const q = <u32>pool + (i - 1) * Q_SIZE;
    store<u32>(q, freeQ, Q_HNEXT);
    freeQ = q;
  }
  mem = 0;
  seed = prandomU32();
  if (peers == 0) peers = heap.alloc(<usize>PEERS << 3);
  memory.fill(peers, 0, <usize>PEERS << 3);
  timerRegister(TIMER_IPFRAG, ipExpire);
}

function bucket(id: u32, saddr: u32, daddr: u32, proto: u32): usize {
  let h = ((id << 16) | proto) ^ seed;
  h = (h ^ saddr) * 0x9E3779B1;
  h = (h ^ daddr) * 0x85EBCA6B;
  return hash + ((<usize>(h >>> 26) & (HASH_SIZE - 1)) << 2);
}

/** inet_frag_kill: unhash, stop the timer; the fragments stay until the queue is freed. */
function fragKill(q: u32): void {
  if ((load<u8>(q, Q_FLAGS) & COMPLETE) != 0) return;
  store<u8>(q, load<u8>(q, Q_FLAGS) | COMPLETE, Q_FLAGS);
  const t = load<u32>(q, Q_TIMER);
  if (t != 0) timerCancel(t);
  const b = bucket(load<u16>(q, Q_ID), load<u32>(q, Q_SADDR), load<u32>(q, Q_DADDR), load<u8>(q, Q_PROTO));
  if (load<u32>(b) == q) store<u32>(b, load<u32>(q, Q_HNEXT));
  else {
    let p = load<u32>(b);
    while (p != 0 && load<u32>(p, Q_HNEXT) != q) p = load<u32>(p, Q_HNEXT);
    if (p != 0) store<u32>(p, load<u32>(q, Q_HNEXT), Q_HNEXT);
  }
}

/** Free a killed queue and its fragments (consumed: they went into a datagram; else dropped). */
function fragFree(q: u32, consumed: bool): void {
  let f = load<u32>(q, Q_FRAGS);
  while (f != 0) {
    const s = changetype<Skb>(<usize>f);
    f = s.next;
    if (consumed) consumeSkb(s); else kfreeSkb(s, Drop.NOT_SPECIFIED);
  }
  mem -= load<u32>(q, Q_MEM);
  store<u32>(q, freeQ, Q_HNEXT);
  freeQ = q;
}

function findOrCreate(id: u32, saddr: u32, daddr: u32, proto: u32): u32 {
  const b = bucket(id, saddr, daddr, proto);
  for (let q = load<u32>(b); q != 0; q = load<u32>(q, Q_HNEXT)) {
    if (load<u16>(q, Q_ID) == id && load<u32>(q, Q_SADDR) == saddr && load<u32>(q, Q_DADDR) == daddr
      && load<u8>(q, Q_PROTO) == proto) return q;
  }
  const q = freeQ;
  if (q == 0) return 0;
  freeQ = load<u32>(q, Q_HNEXT);
  memory.fill(q, 0, Q_SIZE);
  store<u32>(q, saddr, Q_SADDR); store<u32>(q, daddr, Q_DADDR); store<u16>(q, <u16>id, Q_ID); store<u8>(q, <u8>proto, Q_PROTO);
  store<u32>(q, load<u32>(b), Q_HNEXT);
  store<u32>(b, q);
  store<u32>(q, Q_SIZE, Q_MEM);                 // the queue itself counts (inet_frag_alloc's qsize)
  mem += Q_SIZE;
  // the timer runs from creation and is not extended by later fragments
  store<u32>(q, timerAdd(jiffies() + <i64>sysctl(Sysctl.ipfrag_time) * 1000, TIMER_IPFRAG, q), Q_TIMER);
  return q;
}

/**
 * ip_defrag for a fragment addressed to us (skb.data at the IP header, trimmed to tot_len). Returns
 * the reassembled datagram when this fragment completes one, else null (the fragment was queued or
 * dropped).
 */
export function ipDefrag(skb: Skb): Skb | null {
  ipInc(IpMib.ReasmReqds);
  const iph = <usize>skb.data;
  // inet_frag_find: over ipfrag_high_thresh no queue is found or made
  if (mem > <u32>sysctl(Sysctl.ipfrag_high_thresh)) { ipInc(IpMib.ReasmFails); kfreeSkb(skb, Drop.NOT_SPECIFIED); return null; }
  const q = findOrCreate(loadBe16(iph + 4), load<u32>(iph + 12), load<u32>(iph + 16), load<u8>(iph + 9));
  if (q == 0) { ipInc(IpMib.ReasmFails); kfreeSkb(skb, Drop.NOMEM); return null; }
  return fragQueue(q, skb);
}

/** The source's fragment count, this fragment included. */
function peerRid(saddr: u32): u32 {
  const p = peers + (<usize>(((saddr ^ seed) * 0x9E3779B1) >>> 22) << 3);
  const rid = load<u32>(p) == saddr ? load<u32>(p, 4) + 1 : 1;
  store<u32>(p, saddr);
  store<u32>(p, rid, 4);
  return rid;
}

/**
 * ip_frag_too_far + ip_frag_reinit: when more than ipfrag_max_dist fragments from the queue's source
 * arrived since its last one, the datagram is given up (ReasmFails) and the queue starts afresh:
 * its fragments dropped, its timer restarted.
 */
function fragTooFar(q: u32): void {
  const maxDist = sysctl(Sysctl.ipfrag_max_dist);
  if (maxDist <= 0) return;
  const start = load<u32>(q, Q_RID);
  const end = peerRid(load<u32>(q, Q_SADDR));
  store<u32>(q, end, Q_RID);
  if (load<u32>(q, Q_TAIL) == 0 || <i32>(end - start) <= maxDist) return;
  ipInc(IpMib.ReasmFails);
  for (let f = load<u32>(q, Q_FRAGS); f != 0;) {
    const s = changetype<Skb>(<usize>f);
    f = s.next;
    kfreeSkb(s, Drop.FRAG_TOO_FAR);
  }
  mem -= load<u32>(q, Q_MEM) - Q_SIZE;
  store<u32>(q, 0, Q_FRAGS); store<u32>(q, 0, Q_TAIL);
  store<u8>(q, 0, Q_FLAGS); store<u32>(q, 0, Q_LEN); store<u32>(q, 0, Q_MEAT); store<u32>(q, Q_SIZE, Q_MEM);
  store<u32>(q, 0, Q_IIF); store<u8>(q, 0, Q_ECN);
  timerCancel(load<u32>(q, Q_TIMER));
  store<u32>(q, timerAdd(jiffies() + <i64>sysctl(Sysctl.ipfrag_time) * 1000, TIMER_IPFRAG, q), Q_TIMER);
}

/** discard_qp: the datagram is lost (ReasmFails); an overlap (inet_frag_queue_insert's error) also counts ReasmOverlaps. */
// @ts-ignore: decorator
@inline function discardQueue(q: u32, skb: Skb, overlap: bool = false): Skb | null {
  if (overlap) ipInc(IpMib.ReasmOverlaps);
  fragKill(q);
  ipInc(IpMib.ReasmFails);
  fragFree(q, false);
  kfreeSkb(skb, Drop.NOT_SPECIFIED);
  return null;
}

/** ip_frag_queue. */
function fragQueue(q: u32, skb: Skb): Skb | null {
  if ((load<u8>(q, Q_FLAGS) & COMPLETE) != 0) { kfreeSkb(skb, Drop.NOT_SPECIFIED); return null; }
  fragTooFar(q);
  const iph = <usize>skb.data;
  const ihl = <u32>(load<u8>(iph) & 15) << 2;
  const fo = loadBe16(iph + 6);
  const offset = <u32>(fo & IP_OFFSET) << 3;
  let end = offset + skb.len - ihl;
  const qlen = load<u32>(q, Q_LEN);
  const flags = load<u8>(q, Q_FLAGS);
  if ((fo & IP_MF) == 0) {
    // the last fragment: data already seen beyond it, or a different end, means corruption
    if (end < qlen || ((flags & LAST_IN) != 0 && end != qlen)) return discardQueue(q, skb);
    store<u8>(q, flags | LAST_IN, Q_FLAGS);
    store<u32>(q, end, Q_LEN);
  } else {
    end &= ~7;                                   // non-last fragments carry multiples of 8
    if (end > qlen) {
      if ((flags & LAST_IN) != 0) return discardQueue(q, skb);
      store<u32>(q, end, Q_LEN);
    }
  }
  if (end == offset) return discardQueue(q, skb);
  // inet_frag_queue_insert: past the tail is the common case (the tail's run grows when the fragment
  // continues it); else the fragment must fall between the runs held, and makes a run of its own
  const tail = load<u32>(q, Q_TAIL);
  let prev: u32 = 0;
  let run = offset;
  if (tail != 0 && fEnd(changetype<Skb>(<usize>tail)) < end) {
    const t = changetype<Skb>(<usize>tail);
    if (offset < fEnd(t)) return discardQueue(q, skb, true);
    if (offset == fEnd(t)) run = fRun(t);
    prev = tail;
  } else if (tail != 0) {
    for (let f = load<u32>(q, Q_FRAGS); f != 0;) {
      const h = changetype<Skb>(<usize>f);       // a run's first fragment
      if (end <= fOffset(h)) break;               // goes before this run
      let last = h;
      while (last.next != 0 && fRun(changetype<Skb>(<usize>last.next)) == fOffset(h)) last = changetype<Skb>(<usize>last.next);
      if (offset < fEnd(last)) {
        if (offset >= fOffset(h) && end <= fEnd(last)) { kfreeSkb(skb, Drop.DUP_FRAG); return null; }
        return discardQueue(q, skb, true);
      }
      prev = changetype<u32>(last);
      f = last.next;
    }
  }
  skbTrim(skb, ihl + end - offset);
  store<u32>(skbCb(skb), offset);
  store<u32>(skbCb(skb), end, 4);
  store<u32>(skbCb(skb), run, CB_RUN);
  const me = changetype<u32>(skb);
  if (prev == 0) { skb.next = load<u32>(q, Q_FRAGS); store<u32>(q, me, Q_FRAGS); }
  else { skb.next = changetype<Skb>(<usize>prev).next; changetype<Skb>(<usize>prev).next = me; }
  if (skb.next == 0) store<u32>(q, me, Q_TAIL);
  store<u32>(q, skb.dev, Q_IIF);
  store<u32>(q, load<u32>(q, Q_MEAT) + end - offset, Q_MEAT);
  store<u8>(q, load<u8>(q, Q_ECN) | <u8>(1 << (load<u8>(iph + 1) & 3)), Q_ECN);
  store<u32>(q, load<u32>(q, Q_MEM) + truesize(), Q_MEM);
  mem += truesize();
  if (offset == 0) store<u8>(q, load<u8>(q, Q_FLAGS) | FIRST_IN, Q_FLAGS);
  const size = ihl + end - offset;
  if (size > <u32>load<u16>(q, Q_MAXSIZE)) store<u16>(q, <u16>size, Q_MAXSIZE);
  if ((fo & IP_DF) != 0 && size > <u32>load<u16>(q, Q_MAXDF)) store<u16>(q, <u16>size, Q_MAXDF);
  if (load<u8>(q, Q_FLAGS) == (FIRST_IN | LAST_IN) && load<u32>(q, Q_MEAT) == load<u32>(q, Q_LEN)) return fragReasm(q);
  return null;
}

// ECN bits seen (1 << (tos & 3)): not-ECT mixed with any ECT or CE is invalid; CE with ECT marks CE.
const ECN_NOT_ECT: u8 = 1, ECN_CE: u8 = 8;

/** ip_frag_reasm: one datagram from the queue's fragments, with the first fragment's header. */
function fragReasm(q: u32): Skb | null {
  fragKill(q);
  const ecn = load<u8>(q, Q_ECN);
  const first = changetype<Skb>(<usize>load<u32>(q, Q_FRAGS));
  const fiph = <usize>first.data;
  const ihl = <u32>(load<u8>(fiph) & 15) << 2;
  const total = ihl + load<u32>(q, Q_LEN);
  let n: Skb | null = null;
  // "Oversized IP packet", an invalid ECN mix, or more than a buffer holds: the datagram is lost
  if (total <= 65535 && !((ecn & ECN_NOT_ECT) != 0 && (ecn & ~ECN_NOT_ECT) != 0)
    && total + NET_SKB_PAD + 2 <= bufSize()) n = allocSkb(NET_SKB_PAD + 2);
  if (n === null) { ipInc(IpMib.ReasmFails); fragFree(q, false); return null; }
  const p = <usize>skbPut(n, total);
  memory.copy(p, fiph, ihl);
  for (let f = load<u32>(q, Q_FRAGS); f != 0; f = changetype<Skb>(<usize>f).next) {
    const s = changetype<Skb>(<usize>f);
    const sh = <u32>(load<u8>(<usize>s.data) & 15) << 2;
    memory.copy(p + ihl + fOffset(s), <usize>s.data + sh, fEnd(s) - fOffset(s));
  }
  n.pktType = first.pktType; n.dev = first.dev; n.iif = first.iif; n.mark = first.mark;
  n.rtType = first.rtType; n.protocol = first.protocol; n.tstamp = first.tstamp;
  ipOptionsCopy(n, first);
  skbResetNetworkHeader(n);
  skbResetTransportHeader(n);
  storeBe16(p + 2, <u16>total);
  if ((ecn & ECN_CE) != 0) store<u8>(p + 1, load<u8>(p + 1) | 3);
  // DF only when the largest fragment had it (a refragmented datagram must not grow past it)
  storeBe16(p + 6, load<u16>(q, Q_MAXDF) == load<u16>(q, Q_MAXSIZE) ? IP_DF : 0);
  store<u16>(p + 10, 0);
  store<u16>(p + 10, ipFastCsum(p, ihl >> 2));
  fragFree(q, true);
  ipInc(IpMib.ReasmOKs);
  return n;
}

/** ip_expire: the datagram is lost; if its first fragment came, its sender hears "reassembly time exceeded". */
function ipExpire(q: u32, now: i64): void {
  store<u32>(q, 0, Q_TIMER);
  if ((load<u8>(q, Q_FLAGS) & COMPLETE) != 0) return;
  fragKill(q);
  ipInc(IpMib.ReasmFails);
  ipInc(IpMib.ReasmTimeout);
  const head = load<u32>(q, Q_FRAGS);
  if ((load<u8>(q, Q_FLAGS) & FIRST_IN) != 0 && head != 0 && devGet(load<u32>(q, Q_IIF)) !== null) {
    const h = changetype<Skb>(<usize>head);
    if (fOffset(h) == 0) icmpSend(h, ICMP_TIME_EXCEEDED, ICMP_EXC_FRAGTIME, 0);
  }
  fragFree(q, false);
}
