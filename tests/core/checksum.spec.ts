import {
  csumPartial, csumPartialScalar, csumFold, csumAdd, csumBlockAdd, ipFastCsum,
  csumReplace2, csumReplace4, csumTcpudpNofold, csumTcpudpMagic, csumIpv6Magic,
} from "../../assembly/core/checksum";
import { prandomSeed, prandomU32, prandomU32Max, prandomBytes } from "../../assembly/core/random";

// Plain byte-by-byte RFC 1071 reference in memory order: byte i is the low
// byte of a word when i is even, the high byte when odd. Folded, not complemented.
function refFold(s: u64): u32 {
  while (s > 0xFFFF) s = (s & 0xFFFF) + (s >> 16);
  return <u32>s;
}
function refSum(p: usize, len: i32): u64 {
  let s: u64 = 0;
  for (let i = 0; i < len; i++) {
    let b = <u64>load<u8>(p + <usize>i);
    s += (i & 1) ? b << 8 : b;
  }
  return s;
}
function refPartial(p: usize, len: i32): u32 {
  return refFold(refSum(p, len));
}
function put(p: usize, hex: string): void {
  for (let i = 0; i < hex.length; i += 2) {
    store<u8>(p + <usize>(i >> 1), <u8>I32.parseInt(hex.substr(i, 2), 16));
  }
}
// Checksum value as it appears on the wire (network order) from memory order.
function net(v: u32): u32 {
  return <u32>bswap<u16>(<u16>v);
}

const BIG: i32 = 3 * 65536 + 1000;
const buf = heap.alloc(<usize>BIG + 64);
const buf2 = heap.alloc(512);

describe("csumPartial: SIMD == scalar == byte-by-byte reference", () => {
  it("every length 0..9000 at every start alignment 0..15", () => {
    prandomSeed(1071);
    prandomBytes(buf, 9000 + 32);
    let bad = 0;
    for (let a = 0; a < 16; a++) {
      let p = buf + <usize>a;
      let ref: u64 = 0; // running byte-by-byte sum of p[0..len)
      for (let len = 0; len <= 9000; len++) {
        let r = refFold(ref);
        let v = csumPartial(p, len, 0);
        let s = csumPartialScalar(p, len, 0);
        if (v != r || s != r) bad++;
        let b = <u64>load<u8>(p + <usize>len);
        ref += (len & 1) ? b << 8 : b;
      }
    }
    expect<i32>(bad).toBe(0);
  });

  it("agrees across chunk boundaries on random and all-0xFF data", () => {
    prandomSeed(7);
    prandomBytes(buf, BIG + 32);
    const lens: i32[] = [65535, 65536, 65537, 65600, 131072 + 63, BIG - 1, BIG];
    for (let i = 0; i < lens.length; i++) {
      for (let a = 0; a < 3; a++) {
        let r = refPartial(buf + <usize>a, lens[i]);
        expect<u32>(csumPartial(buf + <usize>a, lens[i], 0)).toBe(r);
        expect<u32>(csumPartialScalar(buf + <usize>a, lens[i], 0)).toBe(r);
      }
    }
    memory.fill(buf, 0xFF, <usize>BIG + 32);
    for (let i = 0; i < lens.length; i++) {
      let r = refPartial(buf + 1, lens[i]);
      expect<u32>(csumPartial(buf + 1, lens[i], 0xFFFFFFFF)).toBe(csumPartialScalar(buf + 1, lens[i], 0xFFFFFFFF));
      expect<u32>(csumPartial(buf + 1, lens[i], 0)).toBe(r);
    }
  });

  it("continues from a previous sum (even split) and combines odd offsets with csumBlockAdd", () => {
    prandomSeed(99);
    prandomBytes(buf, 4096);
    let bad = 0;
    for (let k = 0; k < 2000; k++) {
      let len = <i32>prandomU32Max(3000);
      let cut = <i32>prandomU32Max(<u32>len + 1);
      let full = refPartial(buf, len);
      let first = csumPartial(buf, cut, 0);
      if ((cut & 1) == 0) {
        if (csumPartial(buf + <usize>cut, len - cut, first) != full) bad++;
        if (csumPartialScalar(buf + <usize>cut, len - cut, first) != full) bad++;
      }
      let second = csumPartial(buf + <usize>cut, len - cut, 0);
      if (refFold(<u64>csumBlockAdd(first, second, cut)) != full) bad++;
    }
    expect<i32>(bad).toBe(0);
  });

  it("returns 0 only for all-zero input and treats len <= 0 as empty", () => {
    memory.fill(buf, 0, 256);
    expect<u32>(csumPartial(buf, 200, 0)).toBe(0);
    expect<u32>(csumPartial(buf, 0, 0x1234)).toBe(0x1234);
    expect<u32>(csumPartial(buf, -5, 0x1234)).toBe(0x1234);
    expect<u32>(csumPartialScalar(buf, -5, 0x1234)).toBe(0x1234);
    expect<u32>(csumPartial(buf, 100, 0x10000)).toBe(1); // end-around carry
  });
});

describe("known vectors", () => {
  it("RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 -> ddf2", () => {
    put(buf2, "0001f203f4f5f6f7");
    expect<u32>(net(csumPartial(buf2, 8, 0))).toBe(0xDDF2);
    expect<u32>(net(csumPartialScalar(buf2, 8, 0))).toBe(0xDDF2);
    expect<u32>(net(<u32>csumFold(csumPartial(buf2, 8, 0)))).toBe(0x220D);
  });

  it("real IPv4 header 45 00 00 73 ... b8 61 ...", () => {
    put(buf2, "45000073000040004011b861c0a80001c0a800c7");
    expect<u8>(load<u8>(buf2 + 10)).toBe(0xB8);
    expect<u16>(ipFastCsum(buf2, 5)).toBe(0); // valid
    store<u16>(buf2 + 10, 0);
    let c = ipFastCsum(buf2, 5);
    store<u16>(buf2 + 10, c); // one store writes network bytes
    expect<u8>(load<u8>(buf2 + 10)).toBe(0xB8);
    expect<u8>(load<u8>(buf2 + 11)).toBe(0x61);
    expect<u16>(csumFold(csumPartial(buf2, 20, 0))).toBe(0);
  });

  it("ipFastCsum with options (ihl 6..15) matches csumPartial", () => {
    prandomSeed(3);
    for (let ihl: u32 = 5; ihl <= 15; ihl++) {
      prandomBytes(buf2, 60);
      expect<u16>(ipFastCsum(buf2, ihl)).toBe(csumFold(refPartial(buf2, <i32>ihl * 4)));
    }
  });

  it("csumFold and csumAdd", () => {
    expect<u16>(csumFold(0)).toBe(0xFFFF);
    expect<u16>(csumFold(0xFFFF)).toBe(0);
    expect<u16>(csumFold(0xFFFFFFFF)).toBe(0);
    expect<u16>(csumFold(0x0001FFFF)).toBe(0xFFFE);
    expect<u32>(csumAdd(0xFFFFFFFF, 2)).toBe(2);
    expect<u32>(csumAdd(0x80000000, 0x80000000)).toBe(1);
  });
});

// Full recompute of a 20-byte header's checksum (field at 10 zeroed).
function recompute(h: usize): u16 {
  let saved = load<u16>(h, 10);
  store<u16>(h, 0, 10);
  let c = csumFold(refPartial(h, 20));
  store<u16>(h, saved, 10);
  return c;
}

describe("RFC 1624 incremental update == full recompute", () => {
  it("1,000,000 random 16- and 32-bit field changes", () => {
    prandomSeed(1624);
    let h = buf2;
    let bad = 0;
    let zeros = 0;
    for (let k = 0; k < 1000000; k++) {
      if ((k & 63) == 0) {
        prandomBytes(h, 20);
        store<u8>(h, 0x45); // not all-zero, like any real header
        store<u16>(h, 0, 10);
        store<u16>(h, ipFastCsum(h, 5), 10);
      }
      let check = load<u16>(h, 10);
      let nc: u16;
      if (prandomU32() & 1) {
        // 16-bit field at an even offset other than the check field
        let off = <usize>(prandomU32Max(9) << 1);
        if (off >= 10) off += 2;
        let oldv = load<u16>(h + off);
        let r = prandomU32();
        let newv: u16 = (r & 0x30000) == 0 ? <u16>((r >>> 18) & 0xFF00) : <u16>r; // some zero-low-byte values
        nc = csumReplace2(check, oldv, newv);
        store<u16>(h + off, newv);
      } else {
        // 32-bit field at an even offset not overlapping the check field
        let off = <usize>(prandomU32Max(7) << 1); // 0..12
        if (off >= 8) off += 4; // 0,2,4,6,12,14,16
        let oldv = load<u32>(h + off);
        let newv = prandomU32();
        if ((newv & 7) == 0) newv = 0;
        nc = csumReplace4(check, oldv, newv);
        store<u32>(h + off, newv);
      }
      if (nc != recompute(h)) bad++;
      if (nc == 0) zeros++;
      store<u16>(h, nc, 10);
      if (ipFastCsum(h, 5) != 0) bad++;
    }
    expect<i32>(bad).toBe(0);
    expect<i32>(zeros).toBeGreaterThan(0); // the 0x0000 result was exercised
  });

  it("reaches a checksum of exactly 0 and leaves a field unchanged", () => {
    put(buf2, "45000073000040004011b861c0a80001c0a800c7");
    // choose the ID field (offset 4) so that the new full sum is 0xFFFF -> check 0
    store<u16>(buf2 + 4, 0);
    store<u16>(buf2, 0, 10);
    let rest = refPartial(buf2, 20);
    let want = <u16>(0xFFFF - rest);
    store<u16>(buf2, ipFastCsum(buf2, 5), 10);
    let nc = csumReplace2(load<u16>(buf2, 10), 0, want);
    store<u16>(buf2 + 4, want);
    expect<u16>(nc).toBe(0);
    expect<u16>(nc).toBe(recompute(buf2));
    expect<u16>(csumReplace2(0x1234, 0xABCD, 0xABCD)).toBe(0x1234);
    expect<u16>(csumReplace4(0x1234, 0xDEADBEEF, 0xDEADBEEF)).toBe(0x1234);
  });
});

// Reference pseudo-header sums built as bytes.
function refV4(saddr: u32, daddr: u32, len: u32, proto: u32, sum: u32): u16 {
  let p = buf2 + 256;
  store<u32>(p, saddr);
  store<u32>(p, daddr, 4);
  store<u8>(p, 0, 8);
  store<u8>(p, <u8>proto, 9);
  store<u16>(p, bswap<u16>(<u16>len), 10);
  return csumFold(refFold(refSum(p, 12) + <u64>sum));
}

describe("pseudo-header helpers", () => {
  it("UDP over IPv4, hand-built packet (even and odd payload)", () => {
    // 10.0.0.1 -> 192.168.0.2, UDP 1234 -> 53, "hello world!"
    put(buf2, "4500002000004000401100000a000001c0a80002" + "04d20035001400006865" + "6c6c6f20776f726c6421");
    let ip = buf2;
    let udp = buf2 + 20;
    let sum = csumPartial(udp, 20, 0);
    let c = csumTcpudpMagic(load<u32>(ip, 12), load<u32>(ip, 16), 20, 17, sum);
    expect<u32>(net(c)).toBe(0x9E24); // computed independently
    expect<u16>(c).toBe(refV4(load<u32>(ip, 12), load<u32>(ip, 16), 20, 17, sum));
    store<u16>(udp, c, 6);
    // receiver check: sum over pseudo-header + datagram with check folds to 0
    expect<u16>(csumTcpudpMagic(load<u32>(ip, 12), load<u32>(ip, 16), 20, 17, csumPartial(udp, 20, 0))).toBe(0);
    // odd length: "hello world!!" (21 bytes)
    put(udp, "04d20035001500006865" + "6c6c6f20776f726c642121");
    c = csumTcpudpMagic(load<u32>(ip, 12), load<u32>(ip, 16), 21, 17, csumPartial(udp, 21, 0));
    expect<u32>(net(c)).toBe(0x7D22);
  });

  it("ICMPv6 echo request fe80::1 -> ff02::1, hand-built", () => {
    // pseudo-header addresses and message
    put(buf2, "fe800000000000000000000000000001" + "ff020000000000000000000000000001");
    let msg = buf2 + 32;
    put(msg, "80000000123400016162" + "6364");
    let c = csumIpv6Magic(buf2, buf2 + 16, 12, 58, csumPartial(msg, 12, 0));
    expect<u32>(net(c)).toBe(0xAB37); // computed independently
    // and by the byte reference over a built pseudo-header (RFC 8200 8.1)
    let ph = buf2 + 128;
    memory.copy(ph, buf2, 32);
    put(ph + 32, "0000000c0000003a");
    memory.copy(ph + 40, msg, 12);
    expect<u16>(c).toBe(csumFold(refPartial(ph, 52)));
  });

  it("random pseudo-headers vs byte reference", () => {
    prandomSeed(768);
    let bad = 0;
    for (let k = 0; k < 20000; k++) {
      let s = prandomU32(), d = prandomU32();
      let len = prandomU32Max(65536), proto = prandomU32Max(256), sum = prandomU32();
      let r = refV4(s, d, len, proto, sum);
      if (csumTcpudpMagic(s, d, len, proto, sum) != r) bad++;
      if (csumFold(csumTcpudpNofold(s, d, len, proto, sum)) != r) bad++;
      // IPv6 with a 32-bit length
      let p = buf2 + 256;
      prandomBytes(p, 32);
      let len6 = prandomU32();
      store<u32>(p, bswap<u32>(len6), 32);
      store<u32>(p, bswap<u32>(proto), 36);
      if (csumIpv6Magic(p, p + 16, len6, proto, sum) != csumFold(refFold(refSum(p, 40) + <u64>sum))) bad++;
    }
    expect<i32>(bad).toBe(0);
  });
});
