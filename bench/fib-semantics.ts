// FIB lookup semantics at scale against a brute-force reference (issue 3): a seeded random table of
// nested routes inside 20.0.0.0/8 (unicast via one gateway or multipath, blackhole, unreachable,
// prohibit, throw; TOS 0/0x04/0x10; metrics 0-2) loaded through rtnetlink (`ip route add` requests)
// into a whole engine, then N random destinations through fibLookupBatch (tos 0: its fast path and
// its fib_lookup fallback), each compared with a scan of every accepted route (longest prefix, then
// the kernel's alias order TOS descending, metric ascending; only TOS-0 aliases match a TOS-0 flow).
// tests/core/fib-reference.spec.ts runs the same check, with random flow TOS too, at 16 k keys in `npm test`.
//   node --import tsx bench/fib-semantics.ts [--keys 10000000] [--routes 600] [--seed 1]
// Prints "N keys, M mismatches" and exits 1 on any mismatch.
import { Engine } from "../host/engine.ts";
import { runIp } from "../host/commands/ip.ts";
import { routeAdd, NetlinkError, EEXIST, RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW } from "../host/netlink.ts";

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}
const KEYS = arg("--keys", 1_000_000), ROUTES = arg("--routes", 600), SEED = arg("--seed", 1);

let x = (Math.imul(SEED, 0x9e3779b1) >>> 0) || 1;
const rnd = (): number => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
const ip = (k: number): string => `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
const mask = (p: number): number => (p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0);

const GW1 = 0x0a000002, GW2 = 0x0a010002, MULTI = -1;
const TYPES = [RTN_UNICAST, RTN_UNICAST, RTN_UNICAST, RTN_UNICAST, RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW];
const ERRNO: Record<number, number> = { [RTN_BLACKHOLE]: 22, [RTN_UNREACHABLE]: 113, [RTN_PROHIBIT]: 13, [RTN_THROW]: 101 };

const e = await Engine.load({ seed: SEED, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
for (const l of ["link set lo up", "link add va type veth peer name vb", "link set va up", "link set vb up",
  "addr add 10.0.0.1/24 dev va", "addr add 10.1.0.1/16 dev vb"]) {
  if (runIp(l.split(" "), e.netlink).status !== 0) throw new Error(`ip ${l}`);
}
const dst: number[] = [], len: number[] = [], tos: number[] = [], metric: number[] = [], type: number[] = [], gw: number[] = [];
for (let i = 0; i < ROUTES; i++) {
  const l = 8 + (rnd() % 21), d = ((0x14000000 | (rnd() & 0xffffff)) & mask(l)) >>> 0;
  const t = TYPES[rnd() & 7], q = [0, 0, 0x04, 0x10][rnd() & 3], m = rnd() % 3;
  const multi = t === RTN_UNICAST && (rnd() & 3) === 0;
  const g = multi ? MULTI : t === RTN_UNICAST ? ((rnd() & 1) ? GW1 : GW2) : 0;
  try {
    routeAdd(e.netlink, { dst: `${ip(d)}/${l}`, type: t, tos: q, metric: m,
      ...(multi ? { nexthops: [{ via: ip(GW1) }, { via: ip(GW2), weight: 2 }] } : g ? { via: ip(g) } : {}) });
  } catch (err) {
    if (err instanceof NetlinkError && err.errno === EEXIST) continue;   // same prefix, tos and metric
    throw err;
  }
  dst.push(d); len.push(l); tos.push(q); metric.push(m); type.push(t); gw.push(g);
}

/** The deciding route for a TOS-0 flow to key, or -1. */
function ref(key: number): number {
  let best = -1;
  for (let i = 0; i < dst.length; i++) {
    if (tos[i] !== 0 || ((key ^ dst[i]) & mask(len[i])) !== 0) continue;
    if (best < 0 || len[i] > len[best] || (len[i] === len[best] && metric[i] < metric[best])) best = i;
  }
  return best;
}

const B = 4096;
const x_ = e.exports;
const ap = x_.benchScratch(B * 4) as number, op = x_.benchScratch(B * 8) as number;
let mismatches = 0;
const t0 = performance.now();
for (let done = 0; done < KEYS; done += B) {
  const m = Math.min(B, KEYS - done);
  const keys = new Uint32Array(m);
  const a = new DataView(x_.memory.buffer, ap, m * 4);
  for (let i = 0; i < m; i++) { keys[i] = (0x14000000 | (rnd() & 0xffffff)) >>> 0; a.setUint32(i * 4, keys[i], false); }
  x_.fibLookupBatch(ap, op, m);
  const o = new DataView(x_.memory.buffer, op, m * 8);
  for (let i = 0; i < m; i++) {
    const r = ref(keys[i]);
    const want = r < 0 ? 101 : ERRNO[type[r]] ?? 0;
    const errno = o.getUint8(i * 8 + 7), g = o.getUint32(i * 8, false);
    const ok = errno === want && (want !== 0 || (gw[r] === MULTI ? g === GW1 || g === GW2 : g === gw[r]));
    if (!ok && ++mismatches <= 5) console.log(`${ip(keys[i])}: errno ${errno} gw ${ip(g)}, reference route ${r} errno ${want}`);
  }
}
console.log(`${KEYS} keys, ${mismatches} mismatches (${dst.length} routes, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
process.exit(mismatches === 0 ? 0 : 1);
