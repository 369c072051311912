// Internet checksum (RFC 1071) and incremental update (RFC 1624), over raw
// pointers into linear memory. No allocation; safe for the per-packet path.
//
// BYTE-ORDER CONVENTION ("memory order", the kernel's __sum16/__wsum idea):
// every 16-bit word is read with load<u16> (little-endian wasm), so every
// value here is the byte-swapped form of the RFC's network-order number.
// RFC 1071 §2(B): the ones' complement sum is byte-order independent, so a
// result computed this way and written back with ONE `store<u16>(p, v)`
// puts the correct network bytes on the wire. Field values passed in
// (csumReplace*, addresses for the pseudo-header) are likewise taken exactly
// as `load<u16>` / `load<u32>` return them from the packet.
//
// PARTIAL SUMS: csumPartial/csumPartialScalar return the ones' complement sum
// folded to 16 bits (0..0xFFFF), NOT complemented; the same value from both
// implementations. It is 0 only if all data and `sum` are zero. Any u32 may be
// passed back in as `sum` (like the kernel's __wsum) to continue over a
// following region. As in the kernel's csum_partial, each call treats its
// region as starting at an EVEN offset (first byte = low byte of a word in
// memory order). Chaining regions with sum= is therefore exact only when all
// but the last region have even length; for an odd offset use
// csumBlockAdd(sum, csumPartial(p, n, 0), offset) (kernel csum_block_add),
// which byte-swaps the second sum.

// Bytes per SIMD chunk between reductions of the i32 lane accumulators:
// each lane then holds at most 4*CHUNK/64 = 4096 u16 words of each half,
// so every partial stays below 2^28.
const CHUNK: i32 = 64 * 1024;

/** Fold a 64-bit sum to 16 bits with end-around carry (not complemented). */
// @ts-ignore: decorator
@inline function fold64to16(s: u64): u32 {
  s = (s & 0xFFFFFFFF) + (s >> 32); // < 2^33
  s = (s & 0xFFFFFFFF) + (s >> 32); // < 2^32
  let t = <u32>s;
  t = (t & 0xFFFF) + (t >>> 16);
  t = (t & 0xFFFF) + (t >>> 16);
  return t;
}

/** Ones' complement add of two 32-bit partial sums (kernel csum_add). */
// @ts-ignore: decorator
@inline export function csumAdd(a: u32, b: u32): u32 {
  let r = a + b;
  return r + <u32>(r < b);
}

/**
 * Combine `sum2` (the partial sum of a block that starts `offset` bytes into
 * the data) into `sum` (kernel csum_block_add): a block at an odd offset has
 * its bytes in swapped positions, which is a rotate by 8 of its sum.
 */
export function csumBlockAdd(sum: u32, sum2: u32, offset: i32): u32 {
  if (offset & 1) sum2 = rotr<u32>(sum2, 8);
  return csumAdd(sum, sum2);
}

/**
 * Scalar RFC 1071 sum: 32-bit loads zero-extended into two u64 accumulators
 * (no carry handling needed below 2^32 words). Any alignment, any length.
 */
export function csumPartialScalar(ptr: usize, len: i32, sum: u32): u32 {
  return scalarSum(ptr, len, sum);
}

// @ts-ignore: decorator
@inline function scalarSum(ptr: usize, len: i32, sum: u32): u32 {
  let a: u64 = <u64>sum;
  let b: u64 = 0;
  let n = len < 0 ? 0 : len;
  while (n >= 32) {
    a += <u64>load<u32>(ptr) + <u64>load<u32>(ptr, 8) + <u64>load<u32>(ptr, 16) + <u64>load<u32>(ptr, 24);
    b += <u64>load<u32>(ptr, 4) + <u64>load<u32>(ptr, 12) + <u64>load<u32>(ptr, 20) + <u64>load<u32>(ptr, 28);
    ptr += 32;
    n -= 32;
  }
  return fold64to16(a + b + tail31(ptr, n));
}

/** Sum of the last n (< 32) bytes at ptr, as u16 words in memory order. */
// @ts-ignore: decorator
@inline function tail31(ptr: usize, n: i32): u64 {
  let t: u64 = 0;
  if (n & 16) {
    t = <u64>load<u32>(ptr) + <u64>load<u32>(ptr, 4) + <u64>load<u32>(ptr, 8) + <u64>load<u32>(ptr, 12);
    ptr += 16;
  }
  if (n & 8) {
    t += <u64>load<u32>(ptr) + <u64>load<u32>(ptr, 4);
    ptr += 8;
  }
  if (n & 4) {
    t += <u64>load<u32>(ptr);
    ptr += 4;
  }
  if (n & 2) {
    t += <u64>load<u16>(ptr);
    ptr += 2;
  }
  // odd tail byte is the low byte of a word in memory order (RFC 1071 pads a zero)
  if (n & 1) t += <u64>load<u8>(ptr);
  return t;
}

// @ts-ignore: decorator
@inline function hsum(v: v128): u32 {
  return <u32>i32x4.extract_lane(v, 0) + <u32>i32x4.extract_lane(v, 1) +
         <u32>i32x4.extract_lane(v, 2) + <u32>i32x4.extract_lane(v, 3);
}

/**
 * SIMD RFC 1071 sum, 64 bytes per iteration, 3 cheap ops per vector.
 * Each i32 lane holds two u16 words, v = hi << 16 | lo. We keep
 *   V = sum of v (i32 lanes, wrapping) and H = sum of (v >>> 16),
 * then sum(lo) = V - (H << 16) exactly (mod 2^32, and the true value is
 * < 2^32), so the lane's word sum is sum(lo) + H. No pmaddwd or widening in
 * the loop (i32x4.extadd_pairwise_i16x8_u costs ~3 x86 ops per vector
 * before the add; this costs add + shift + add). Lanes are reduced every
 * CHUNK bytes, far from overflow. Under 64 bytes (and for len < 0, as 0)
 * the scalar code is faster. Any alignment (unaligned v128.load), any
 * length, odd tail byte.
 */
export function csumPartial(ptr: usize, len: i32, sum: u32): u32 {
  if (len < 64) return scalarSum(ptr, len, sum);
  let acc: u64 = <u64>sum;
  let n = len;
  let vs = i32x4.splat(0);
  let hs = i32x4.splat(0);
  while (true) {
    let blk = n < CHUNK ? n & ~63 : CHUNK;
    let end = ptr + <usize>blk;
    do {
      let v0 = v128.load(ptr);
      let v1 = v128.load(ptr, 16);
      let v2 = v128.load(ptr, 32);
      let v3 = v128.load(ptr, 48);
      vs = i32x4.add(vs, i32x4.add(i32x4.add(v0, v1), i32x4.add(v2, v3)));
      hs = i32x4.add(hs, i32x4.add(
        i32x4.add(i32x4.shr_u(v0, 16), i32x4.shr_u(v1, 16)),
        i32x4.add(i32x4.shr_u(v2, 16), i32x4.shr_u(v3, 16))));
      ptr += 64;
    } while (ptr < end);
    n -= blk;
    if (n < 64) break;
    // more chunks follow: reduce the lanes
    acc += <u64>hsum(i32x4.add(i32x4.sub(vs, i32x4.shl(hs, 16)), hs));
    vs = i32x4.splat(0);
    hs = i32x4.splat(0);
  }
  // 0..3 more whole vectors
  if (n >= 16) {
    let v = v128.load(ptr);
    vs = i32x4.add(vs, v);
    hs = i32x4.add(hs, i32x4.shr_u(v, 16));
    if (n >= 32) {
      v = v128.load(ptr, 16);
      vs = i32x4.add(vs, v);
      hs = i32x4.add(hs, i32x4.shr_u(v, 16));
      if (n >= 48) {
        v = v128.load(ptr, 32);
        vs = i32x4.add(vs, v);
        hs = i32x4.add(hs, i32x4.shr_u(v, 16));
      }
    }
    ptr += <usize>(n & 48);
  }
  acc += <u64>hsum(i32x4.add(i32x4.sub(vs, i32x4.shl(hs, 16)), hs));
  return fold64to16(acc + tail31(ptr, n & 15));
}

/**
 * Fold a partial sum to 16 bits and complement it (kernel csum_fold).
 * Result in memory order: store with one store<u16>.
 */
// @ts-ignore: decorator
@inline export function csumFold(sum: u32): u16 {
  let t = (sum & 0xFFFF) + (sum >>> 16);
  t = (t & 0xFFFF) + (t >>> 16);
  return <u16>~t;
}

/**
 * IPv4 header checksum over ihl*4 bytes (kernel ip_fast_csum). On a header
 * whose check field is filled in, 0 means valid; with the field zeroed it is
 * the value to store<u16> at offset 10. ihl < 5 is summed as given (the
 * caller validates ihl first, as ip_rcv does).
 */
export function ipFastCsum(iph: usize, ihl: u32): u16 {
  let s: u64 = 0;
  let i: u32 = 0;
  if (ihl >= 5) {
    s = <u64>load<u32>(iph) + <u64>load<u32>(iph, 4) + <u64>load<u32>(iph, 8) +
        <u64>load<u32>(iph, 12) + <u64>load<u32>(iph, 16);
    i = 5;
  }
  for (; i < ihl; i++) s += <u64>load<u32>(iph + (<usize>i << 2));
  return <u16>(~fold64to16(s));
}

/**
 * RFC 1624 eqn. 3 for a changed 16-bit field: HC' = ~(~HC + ~m + m').
 * check, oldv, newv all in memory order (as load<u16> returns them).
 * Gives the same bits as a full recompute for any data that is not all-zero.
 */
export function csumReplace2(check: u16, oldv: u16, newv: u16): u16 {
  let s: u32 = <u32>(~check & 0xFFFF) + <u32>(~oldv & 0xFFFF) + <u32>newv;
  s = (s & 0xFFFF) + (s >>> 16);
  s = (s & 0xFFFF) + (s >>> 16);
  return <u16>~s;
}

/** RFC 1624 eqn. 3 for a changed 32-bit field (e.g. an address under NAT). */
export function csumReplace4(check: u16, oldv: u32, newv: u32): u16 {
  let no = ~oldv;
  let s: u32 = <u32>(~check & 0xFFFF) + (no & 0xFFFF) + (no >>> 16) + (newv & 0xFFFF) + (newv >>> 16);
  s = (s & 0xFFFF) + (s >>> 16);
  s = (s & 0xFFFF) + (s >>> 16);
  return <u16>~s;
}

/**
 * IPv4 pseudo-header (RFC 768/793) added to `sum`, not folded/complemented
 * (kernel csum_tcpudp_nofold). saddr/daddr as load<u32> from the IP header;
 * len (L4 length) and proto are plain host numbers. Returns a 16-bit-folded
 * partial sum usable as `sum` or with csumFold.
 */
export function csumTcpudpNofold(saddr: u32, daddr: u32, len: u32, proto: u32, sum: u32): u32 {
  // A host number v in a network-order 16-bit word reads as bswap16(v) in
  // memory order, which equals v << 8 modulo 0xFFFF (2^16 == 1).
  let s: u64 = <u64>sum + <u64>saddr + <u64>daddr + ((<u64>len + <u64>proto) << 8);
  return fold64to16(s);
}

/**
 * Complete TCP/UDP checksum over IPv4: fold of pseudo-header + `sum`
 * (sum = csumPartial over the L4 header+payload with its check field zero).
 * RFC 768: for UDP a computed 0 must be sent as 0xFFFF (0 means "no
 * checksum"); that substitution is the caller's job, as in the kernel.
 */
export function csumTcpudpMagic(saddr: u32, daddr: u32, len: u32, proto: u32, sum: u32): u16 {
  return csumFold(csumTcpudpNofold(saddr, daddr, len, proto, sum));
}

/**
 * IPv6 pseudo-header (RFC 8200 §8.1: src, dst, 32-bit upper-layer length,
 * 24 zero bits, next header) plus `sum`, folded and complemented (kernel
 * csum_ipv6_magic). Addresses are read from memory (16 bytes each). For UDP
 * over IPv6 a computed 0 is sent as 0xFFFF (RFC 8200 §8.1), caller's job.
 */
export function csumIpv6Magic(saddrPtr: usize, daddrPtr: usize, len: u32, proto: u32, sum: u32): u16 {
  let s: u64 = <u64>sum +
    <u64>load<u32>(saddrPtr) + <u64>load<u32>(saddrPtr, 4) + <u64>load<u32>(saddrPtr, 8) + <u64>load<u32>(saddrPtr, 12) +
    <u64>load<u32>(daddrPtr) + <u64>load<u32>(daddrPtr, 4) + <u64>load<u32>(daddrPtr, 8) + <u64>load<u32>(daddrPtr, 12) +
    <u64>bswap<u32>(len) + <u64>bswap<u32>(proto);
  return <u16>(~fold64to16(s));
}
