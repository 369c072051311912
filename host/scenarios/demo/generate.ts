// Regenerates eth0.in.pcap for the demo (node --import tsx host/scenarios/demo/generate.ts).
import { fileURLToPath } from "node:url";
import { writePcapFile } from "../../drivers/pcap.ts";
import { ether, arp, ipv4, icmpEcho, udp, BROADCAST } from "../../packet.ts";

const HOST = "02:00:00:00:00:01", A = "02:00:00:00:00:02", C = "02:00:00:00:00:03", D = "02:00:00:00:00:04";
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const payload = new TextEncoder().encode("wasm-netstack demo ping payload!");
const echo = (src: string, dst: string, seq: number, o = {}) => ipv4(src, dst, 1, icmpEcho(0x4d2, seq, payload), o);
const frames: [number, Uint8Array][] = [
  [0, ether(BROADCAST, A, 0x0806, arp(1, A, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1"))],
  [100, ether(HOST, A, 0x0800, echo("192.0.2.2", "192.0.2.1", 1, { df: true }))],
  [1100, ether(HOST, A, 0x0800, echo("192.0.2.2", "192.0.2.1", 2, { df: true }))],
  [1500, ether(BROADCAST, A, 0x0800, echo("192.0.2.2", "192.0.2.255", 3))],
  [2000, ether("02:00:00:00:00:99", A, 0x0800, echo("192.0.2.2", "192.0.2.99", 4))],
  [2500, ether(HOST, A, 0x0800, ipv4("192.0.2.2", "192.0.2.1", 17, udp("192.0.2.2", "192.0.2.1", 40000, 9, payload)))],
  [3000, new Uint8Array(10)],
  [3100, ether(HOST, A, 0x0800, ipv4("192.0.2.2", "192.0.2.1", 1, icmpEcho(1, 5, payload), { checksum: 0xdead }))],
  [3500, ether(HOST, C, 0x0800, echo("192.0.2.3", "192.0.2.1", 1))],
  [4000, ether(HOST, D, 0x0800, echo("192.0.2.4", "192.0.2.1", 1))],
  [4200, ether(HOST, D, 0x0806, arp(2, D, "192.0.2.4", HOST, "192.0.2.1"))],
];
writePcapFile(fileURLToPath(new URL("./eth0.in.pcap", import.meta.url)),
  frames.map(([ms, data]) => ({ tsMs: T0 + ms, data })));
