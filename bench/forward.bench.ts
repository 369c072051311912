// IPv4 forwarding through the rings on a full-size table: the engine as a router between eth0 and
// eth1, the 1 M-prefix table of fib.bench.ts in main (600 gateways on eth1, plus a default route),
// bursts of 256 UDP packets to uniformly random destinations copied into eth0's RX ring, one poll,
// the forwarded frames read from eth1's TX ring. Each packet runs ip_rcv, the input route (fib_lookup
// on the full table, source validation), ip_forward and the neighbour output. Two traffic patterns:
// one burst replayed (its lookups stay in the cache) and 256 bursts in turn (65 536 destinations).
// Baseline, same run: a plain-JS forwarder doing the least a router must on the same frames (check
// the Ethernet type, header length and checksum and the TTL, longest-prefix match in the plain-JS
// binary trie of the same table, rewrite the MACs, TTL - 1 with the incremental checksum) into a
// reused output buffer: no ARP, no source validation, no counters.
import { measure } from "./measure.ts";
import { Engine } from "../host/engine.ts";
import { runCommand } from "../host/commands/index.ts";
import { ether, ipv4, udp, arp, macBytes, BROADCAST } from "../host/packet.ts";
import { buildFullTable, JsBinaryTrie, netlinkAddRoutes } from "./fib.bench.ts";

const BURST = 256;
const SPREAD = 256;          // bursts in the spread-out pattern: 65 536 destinations
const R0 = "02:00:00:00:00:01", R1 = "02:00:00:00:01:01", A = "02:00:00:00:00:0a";
/** Gateway (host order) of nexthop id v (1..600), on eth1's 10.1.0.0/16; 10.1.255.1 is the default. */
const gatewayOf = (v: number): number => (0x0a010000 | v) >>> 0;
const DEFAULT_GW = 0x0a01ff01;
const ipStr = (k: number): string => `${k >>> 24}.${(k >>> 16) & 255}.${(k >>> 8) & 255}.${k & 255}`;
const gwMac = (gw: number): string => `02:00:01:00:${((gw >>> 8) & 255).toString(16).padStart(2, "0")}:${(gw & 255).toString(16).padStart(2, "0")}`;

function csum(b: Uint8Array, s: number, e: number): number {
  let sum = 0;
  for (let i = s; i < e; i += 2) sum += (b[i] << 8) | b[i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export default async function (): Promise<void> {
  const tbl = await buildFullTable(1);
  const e = await Engine.load({ seed: 1 });
  for (const l of [
    "ip link add eth0 type nic", `ip link set eth0 address ${R0}`, "ip link set eth0 up",
    "ip link add eth1 type nic", `ip link set eth1 address ${R1}`, "ip link set eth1 up",
    "ip addr add 192.0.2.1/24 dev eth0", "ip addr add 10.1.255.254/16 dev eth1",
    `ip route add default via ${ipStr(DEFAULT_GW)}`, "sysctl -w net.ipv4.ip_forward=1",
  ]) if (runCommand(l, e).status !== 0) throw new Error(l);
  netlinkAddRoutes(e, tbl, gatewayOf);
  const n0 = e.nic(e.ifindex("eth0")), n1 = e.nic(e.ifindex("eth1"));
  // the neighbours: the sender on eth0, every gateway on eth1 (each asks for the router)
  const ask = (mac: string, from: number, to: string) =>
    ether(BROADCAST, mac, 0x0806, arp(1, mac, ipStr(from), "00:00:00:00:00:00", to));
  n0.receive([ask(A, 0xc000020a, "192.0.2.1")]);
  const gws = [DEFAULT_GW, ...Array.from({ length: 600 }, (_, i) => gatewayOf(i + 1))];
  for (let i = 0; i < gws.length; i += 128) {
    n1.receive(gws.slice(i, i + 128).map((g) => ask(gwMac(g), g, "10.1.255.254")));
    e.run(0);
  }
  n0.transmit(); n1.transmit();

  // the same table for the JS forwarder; nexthop id -> MAC
  const js = new JsBinaryTrie();
  for (let i = 0; i < tbl.keys.length; i++) js.insert(tbl.keys[i], tbl.plens[i], tbl.values[i]);
  const macOf = gws.map((g) => Uint8Array.from(macBytes(gwMac(g))));   // index 0: default, v: gateway v
  const r1 = Uint8Array.from(macBytes(R1));

  // uniformly random unicast destinations (no 0/8, loopback, multicast, class E or our own subnets)
  let x = 0x2545f491;
  const unicast = (): number => {
    for (;;) {
      x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      const a = x >>> 24;
      if (a === 0 || a === 127 || a >= 224 || (x >>> 8) === 0xc00002 || (x >>> 16) === 0x0a01) continue;
      return x;
    }
  };
  // SPREAD bursts of distinct destinations; the first is also replayed on its own (a hot cache)
  const bursts = Array.from({ length: SPREAD }, () => Array.from({ length: BURST }, (_, i) => {
    const d = ipStr(unicast());
    return ether(R0, A, 0x0800, ipv4("192.0.2.10", d, 17, udp("192.0.2.10", d, 1024 + i, 9, new Uint8Array(18))));
  }));
  const frames = bursts[0];

  const out = new Uint8Array(2048);
  let sink = 0;
  /** The plain-JS forwarder: the frame's output length, 0 when it is not forwarded. */
  const jsForward = (f: Uint8Array): number => {
    if (f.length < 34 || f[12] !== 8 || f[13] !== 0 || f[14] !== 0x45) return 0;
    if (csum(f, 14, 34) !== 0 || f[22] <= 1) return 0;
    const dst = ((f[30] << 24) | (f[31] << 16) | (f[32] << 8) | f[33]) >>> 0;
    const v = js.lookup(dst);
    const len = f.length;
    out.set(f, 0);
    out.set(macOf[v], 0);
    out.set(r1, 6);
    out[22] = f[22] - 1;
    let c = ((out[24] << 8) | out[25]) + 0x0100;
    c += c >= 0xffff ? 1 : 0;
    out[24] = (c >> 8) & 255; out[25] = c & 255;
    return len;
  };

  let now = 1, forwarded = 0, jsOut = 0;
  const wire = (mem: Uint8Array, o: number, len: number) => { sink ^= mem[o + len - 1]; };
  const engineForward = (burst: Uint8Array[]) => {
    n0.receive(burst);
    e.poll(now, BURST);
    forwarded += n1.transmitEach(wire);
    now += 0.001;
  };
  const jsForwardAll = (burst: Uint8Array[]) => { for (const f of burst) if (jsForward(f)) { sink ^= out[0]; jsOut++; } };
  const engineBurst = () => engineForward(frames);
  const jsBurst = () => jsForwardAll(frames);
  let be = 0, bj = 0;
  const engineSpread = () => { engineForward(bursts[be]); be = (be + 1) % SPREAD; };
  const jsSpread = () => { jsForwardAll(bursts[bj]); bj = (bj + 1) % SPREAD; };

  // both forward every frame, to the same next hop
  engineBurst();
  jsBurst();
  if (forwarded !== BURST || jsOut !== BURST) throw new Error(`forwarded ${forwarded} (engine), ${jsOut} (js) of ${BURST}`);
  n0.receive(frames);
  e.poll(now, BURST);
  let k = 0;
  n1.transmitEach((mem, o) => {
    jsForward(frames[k++]);
    for (let j = 0; j < 6; j++) if (mem[o + j] !== out[j]) throw new Error(`next hop of frame ${k - 1} differs`);
  });
  if (n0.transmit().length !== 0) throw new Error("the engine answered the sender");

  const best = await measure([["engine, one burst", engineBurst], ["js, one burst", jsBurst],
    ["engine, spread", engineSpread], ["js, spread", jsSpread]]);
  const p = e.poolFree();
  if (p.skbs !== p.totalSkbs) throw new Error("skb leak during the benchmark");
  if (sink === 0.5) console.log(sink);
  const fps = best.map((ms) => (BURST / ms) * 1000);
  console.log(`\nIPv4 forwarding, ${tbl.keys.length} routes + default, bursts of ${BURST} UDP packets (64 bytes) to random destinations, best of 3 tinybench medians`);
  console.log(`| traffic | engine through rings (copy in, poll: ip_rcv, fib_lookup, ip_forward, neighbour; read out), frames/s | ns/frame | plain-JS forwarder with a binary trie (baseline), frames/s | ns/frame | engine/JS |`);
  console.log(`|---|---|---|---|---|---|`);
  const row = (name: string, i: number) => console.log(`| ${name} | ${(fps[i] / 1e6).toFixed(2)} M | ${(1e9 / fps[i]).toFixed(0)} | ${(fps[i + 1] / 1e6).toFixed(2)} M | ${(1e9 / fps[i + 1]).toFixed(0)} | ${(fps[i] / fps[i + 1]).toFixed(2)}x |`);
  row("the same burst of 256 destinations, replayed (lookups hit the cache)", 0);
  row(`${SPREAD} bursts in turn, ${SPREAD * BURST} destinations (lookups spread over the table)`, 2);
}
