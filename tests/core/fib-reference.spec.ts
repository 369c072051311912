// FIB semantics against a brute-force reference (issue 3, "How it is checked"): a seeded random table of
// nested prefixes inside 20.0.0.0/8 with every main-table route type, several TOS values and metrics per
// prefix and multipath routes; for random (destination, tos) the reference scans every route (longest
// prefix first; per prefix the aliases in kernel order, TOS descending then metric ascending, the first
// whose TOS is 0 or the flow's; error types give their errno, throw falls through to the empty default
// table) and must agree with fib_lookup and with fibLookupBatch (tos 0, its fast path included), before
// and after trieCompact.
import { fibCfg, fibConfigReset, fibNewTable, fibTableInsert, Flowi4, FibResult, fiNh, NH_GW, RTN_UNICAST,
  RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW, RTPROT_BOOT, RT_TABLE_MAIN, EINVAL, EHOSTUNREACH,
  EACCES, ENETUNREACH, fibMainTrie } from "../../assembly/route/fib";
import { trieCompact, trieStat, TRIE_STAT_LEAF_WORDS } from "../../assembly/route/fib_trie";
import { fibLookup } from "../../assembly/route/rules";
import { fibLookupBatch } from "../../assembly/route/route";
import { A, vethPair } from "./route-fixture";

const GW1 = A(10, 0, 0, 2), GW2 = A(10, 1, 0, 2), MULTI: u32 = 0xFFFFFFFF;
const TYPES: u8[] = [RTN_UNICAST, RTN_UNICAST, RTN_UNICAST, RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW];
const TOSES: u8[] = [0, 0, 0x04, 0x10];

let x: u32 = 0x9E3779B9;
function rnd(): u32 { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; }

// the reference's copy of every route the table accepted (host-order dst)
const rDst: u32[] = [], rLen: u8[] = [], rTos: u8[] = [], rMetric: u32[] = [], rType: u8[] = [], rGw: u32[] = [];
const mp = memory.data(32);

function addRandom(): void {
  const len = <u8>(8 + rnd() % 21);
  const dst = (0x14000000 | (rnd() & 0x00FFFFFF)) & <u32>(0xFFFFFFFF << (32 - len));
  const type = TYPES[rnd() & 7], tos = TOSES[rnd() & 3], metric = rnd() % 3;
  const multi = type == RTN_UNICAST && (rnd() & 3) == 0;
  const gw = multi ? MULTI : type == RTN_UNICAST ? ((rnd() & 1) != 0 ? GW1 : GW2) : 0;
  fibConfigReset(fibCfg);
  fibCfg.dst = bswap<u32>(dst); fibCfg.dstLen = len; fibCfg.type = type; fibCfg.tos = tos; fibCfg.priority = metric;
  fibCfg.table = RT_TABLE_MAIN; fibCfg.protocol = RTPROT_BOOT; fibCfg.nlflags = 0x600;
  if (multi) {
    for (let i: u32 = 0; i < 2; i++) {
      const p = mp + i * 16;
      store<u16>(p, 16); store<u8>(p, 0, 2); store<u8>(p, <u8>i, 3); store<i32>(p, 0, 4);
      store<u16>(p, 8, 8); store<u16>(p, 5, 10); store<u32>(p, i == 0 ? GW1 : GW2, 12);
    }
    fibCfg.mp = <u32>mp; fibCfg.mpLen = 32;
  } else fibCfg.gw = gw;
  if (fibTableInsert(fibNewTable(RT_TABLE_MAIN), fibCfg) != 0) return;   // EEXIST: same tos and metric
  rDst.push(dst); rLen.push(len); rTos.push(tos); rMetric.push(metric); rType.push(type); rGw.push(gw);
}

/** Reference: index of the deciding route for host-order key and flow tos, or -1 (one scan of all). */
function refLookup(key: u32, tos: u8): i32 {
  let best: i32 = -1;
  for (let i = 0; i < rDst.length; i++) {
    const len = <u32>rLen[i];
    if (((key ^ rDst[i]) & <u32>(0xFFFFFFFF << (32 - len))) != 0) continue;
    if (rTos[i] != 0 && rTos[i] != (tos & 0x1C)) continue;
    if (best >= 0) {
      const bl = <u32>rLen[best];
      if (len < bl || (len == bl && (rTos[i] < rTos[best] || (rTos[i] == rTos[best] && rMetric[i] > rMetric[best])))) continue;
    }
    best = i;
  }
  return best;
}

function refErr(i: i32): i32 {
  if (i < 0) return -ENETUNREACH;
  const t = rType[i];
  return t == RTN_BLACKHOLE ? -EINVAL : t == RTN_UNREACHABLE ? -EHOSTUNREACH : t == RTN_PROHIBIT ? -EACCES
    : t == RTN_THROW ? -ENETUNREACH : 0;
}

function gwOk(i: i32, gw: u32): bool { return rGw[i] == MULTI ? gw == GW1 || gw == GW2 : gw == rGw[i]; }

const fl = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const res = changetype<FibResult>(memory.data(offsetof<FibResult>()));
const KEYS: u32 = 1024;
const addrs = memory.data(4 * KEYS), out = memory.data(8 * KEYS);

describe("FIB semantics against a brute-force reference", () => {
  it("agrees on 16 k random (destination, tos) over a random nested table", () => {
    vethPair();
    for (let i = 0; i < 600; i++) addRandom();
    expect(rDst.length).toBeGreaterThan(400);
    let mismatches = 0;
    for (let round = 0; round < 16; round++) {
      if (round == 8) {                    // the second half on the relaid-out trie, with leaf words
        trieCompact(fibMainTrie());
        expect(trieStat(fibMainTrie(), TRIE_STAT_LEAF_WORDS)).toBeGreaterThan(50);
      }
      for (let i: u32 = 0; i < KEYS; i++) store<u32>(addrs + (i << 2), bswap<u32>(0x14000000 | (rnd() & 0x00FFFFFF)));
      fibLookupBatch(addrs, out, KEYS);
      for (let i: u32 = 0; i < KEYS; i++) {
        const d = load<u32>(addrs + (i << 2)), key = bswap<u32>(d);
        const r0 = refLookup(key, 0), e0 = refErr(r0);
        if (<i32>load<u8>(out + (i << 3), 7) != -e0 || (e0 == 0 && !gwOk(r0, load<u32>(out + (i << 3))))) mismatches++;
        const tos = <u8>(rnd() & 0x1C);
        memory.fill(changetype<usize>(fl), 0, offsetof<Flowi4>());
        fl.daddr = d; fl.tos = tos; fl.iif = 1;
        const err = fibLookup(fl, res, 0);
        const r = refLookup(key, tos), e = refErr(r);
        if (err != e || (e == 0 && !gwOk(r, load<u32>(fiNh(res.info, res.nhSel), NH_GW)))) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
  });
});
