// ip_decrease_ttl (spec 4.10 step 11): the incremental checksum update equals a full recomputation,
// including the checksums next to the end-around carry (0xFEFF + 0x0100 = 0xFFFF folds to 0x0000).
import { ipDecreaseTtl } from "../../assembly/ipv4/forward";
import { ipFastCsum } from "../../assembly/core/checksum";
import { prandomSeed, prandomU32 } from "../../assembly/core/random";

const hdr = heap.alloc(20);

/** A valid header with this TTL whose checksum field is `want` (the id field absorbs the difference). */
function headerWithChecksum(ttl: u8, want: u16): bool {
  for (let i = 0; i < 20; i++) store<u8>(hdr + i, <u8>prandomU32());
  store<u8>(hdr, 0x45);
  store<u8>(hdr + 8, ttl);
  // search the id (bytes 4..5) for a header whose checksum is `want`
  for (let id: u32 = 0; id < 0x10000; id++) {
    store<u16>(hdr + 4, <u16>id);
    store<u16>(hdr + 10, 0);
    const c = ipFastCsum(hdr, 5);
    if (bswap<u16>(c) == want) { store<u16>(hdr + 10, c); return true; }
  }
  return false;
}

describe("ip_decrease_ttl", () => {
  it("matches a full recomputation on random headers and at the carry boundaries", () => {
    prandomSeed(11);
    let bad = 0, boundary = 0;
    const wants: u16[] = [0xFEFF, 0xFF00, 0xFEFE, 0xFFFE, 0x0000, 0x00FF, 0x0100];
    for (let k = 0; k < 2000 + wants.length; k++) {
      const ttl = <u8>(2 + prandomU32() % 254);
      const want = k < wants.length ? wants[k] : <u16>prandomU32();
      if (!headerWithChecksum(ttl, want)) continue;   // not every value is reachable for every header
      if (k < wants.length) boundary++;
      expect(ipDecreaseTtl(hdr)).toBe(ttl - 1);
      const inc = load<u16>(hdr + 10);
      store<u16>(hdr + 10, 0);
      if (ipFastCsum(hdr, 5) != inc) bad++;
    }
    expect(bad).toBe(0);
    expect(boundary).toBe(wants.length);
  });
});
