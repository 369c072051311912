// ICMP echo through the rings: a burst of 256 echo requests copied into a NIC's RX ring, one poll,
// 256 replies read from its TX ring (each reply handed to a consumer that reads it, as a driver would
// put it on the wire). Baseline, same run: a plain-JS echo responder doing the same work on the same
// frames (parse Ethernet/IPv4/ICMP, verify both checksums, build the reply with fresh checksums into a
// reused output buffer, so neither side allocates per frame).
import { measure } from "./measure.ts";
import { Engine } from "../host/engine.ts";
import { runCommand } from "../host/commands/index.ts";
import { ether, ipv4, icmpEcho, arp, BROADCAST } from "../host/packet.ts";

const BURST = 256;
const HOST = "02:00:00:00:00:01", PEER = "02:00:00:00:00:02";

function csum(b: Uint8Array, s: number, e: number): number {
  let sum = 0;
  for (let i = s; i + 1 < e; i += 2) sum += (b[i] << 8) | b[i + 1];
  if ((e - s) & 1) sum += b[e - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const out = new Uint8Array(2048);

/** What a straightforward JS responder does per frame. Returns the reply length (0: no reply). */
function jsEcho(f: Uint8Array, id: number): number {
  if (f.length < 34 || f[12] !== 8 || f[13] !== 0) return 0;
  const ihl = (f[14] & 15) * 4;
  if (csum(f, 14, 14 + ihl) !== 0) return 0;
  const tot = (f[16] << 8) | f[17];
  if (f[23] !== 1 || csum(f, 14 + ihl, 14 + tot) !== 0 || f[14 + ihl] !== 8) return 0;
  out.set(f.subarray(6, 12), 0); out.set(f.subarray(0, 6), 6); out[12] = 8; out[13] = 0;
  out.set(f.subarray(14, 14 + tot), 14);
  out[14] = 0x45; out[18] = id >> 8; out[19] = id & 255; out[20] = 0; out[21] = 0; out[22] = 64;
  out.set(f.subarray(30, 34), 26); out.set(f.subarray(26, 30), 30);
  out[24] = 0; out[25] = 0;
  const hc = csum(out, 14, 34); out[24] = hc >> 8; out[25] = hc & 255;
  const m = 14 + ihl;
  out[m] = 0; out[m + 2] = 0; out[m + 3] = 0;
  const ic = csum(out, m, 14 + tot); out[m + 2] = ic >> 8; out[m + 3] = ic & 255;
  return 14 + tot;
}

export default async function (): Promise<void> {
  const e = await Engine.load({ seed: 1 });
  for (const l of ["ip link add eth0 type nic", `ip link set eth0 address ${HOST}`, "ip link set eth0 up",
    "ip addr add 192.0.2.1/24 dev eth0"]) runCommand(l, e);
  const nic = e.nic(e.ifindex("eth0"));
  nic.receive([ether(BROADCAST, PEER, 0x0806, arp(1, PEER, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1"))]);
  e.run(0); nic.transmit();
  const frames = Array.from({ length: BURST }, (_, i) =>
    ether(HOST, PEER, 0x0800, ipv4("192.0.2.2", "192.0.2.1", 1, icmpEcho(1, i, new Uint8Array(56)))));
  let now = 1;
  let answered = 0, sink = 0;
  const wire = (mem: Uint8Array, o: number, len: number) => { sink ^= mem[o + len - 1]; };
  const engineBurst = () => {
    nic.receive(frames);
    e.poll(now, BURST);
    answered += nic.transmitEach(wire);
    now += 0.001;
  };
  let jsOut = 0, id = 0;
  const jsBurst = () => { for (const f of frames) if (jsEcho(f, id++ & 0xffff)) { wire(out); jsOut++; } };
  engineBurst(); jsBurst();
  if (answered !== BURST || jsOut !== BURST) throw new Error(`answered ${answered} (engine), ${jsOut} (js) of ${BURST}`);
  const best = await measure([["engine", engineBurst], ["js", jsBurst]]);
  const fps = best.map((ms) => (BURST / ms) * 1000);
  const p = e.poolFree();
  if (p.skbs !== p.totalSkbs) throw new Error("skb leak during the benchmark");
  console.log(`\nICMP echo round trips, bursts of ${BURST} (64-byte ICMP), best of 3 tinybench medians`);
  console.log(`| path | frames/s (requests answered) | ns/frame |`);
  console.log(`|---|---|---|`);
  console.log(`| engine through rings (copy in, poll, read out) | ${(fps[0] / 1e6).toFixed(2)} M | ${(1e9 / fps[0]).toFixed(0)} |`);
  console.log(`| plain JS responder (baseline) | ${(fps[1] / 1e6).toFixed(2)} M | ${(1e9 / fps[1]).toFixed(0)} |`);
  console.log(`ratio engine/JS: ${(fps[0] / fps[1]).toFixed(2)}x`);
}
