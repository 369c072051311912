// Runs in the browser: load the engine from its URL, configure it with ip commands, answer an ARP
// request and a ping through the rings, and publish the result for the test to read.
import { Engine } from "../../../host/engine.ts";
import { runCommand } from "../../../host/commands/index.ts";
import { ether, arp, ipv4, icmpEcho, describe, BROADCAST } from "../../../host/packet.ts";

const HOST = "02:00:00:00:00:01", PEER = "02:00:00:00:00:02";
const out: { lines: string[]; errors: string[]; counters?: unknown } = { lines: [], errors: [] };
try {
  const e = await Engine.load({ seed: 5 });
  for (const l of ["ip link add eth0 type nic", `ip link set eth0 address ${HOST}`, "ip link set eth0 up",
    "ip addr add 192.0.2.1/24 dev eth0", "ip -br addr show eth0"]) {
    const r = runCommand(l, e);
    if (r.status !== 0) out.errors.push(`${l}: ${r.stderr}`);
    if (r.stdout) out.lines.push(r.stdout.trim());
  }
  const nic = e.nic(e.ifindex("eth0"));
  nic.receive([
    ether(BROADCAST, PEER, 0x0806, arp(1, PEER, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1")),
    ether(HOST, PEER, 0x0800, ipv4("192.0.2.2", "192.0.2.1", 1, icmpEcho(9, 1, new TextEncoder().encode("hello from the page")))),
  ]);
  e.run(performance.now());
  for (const f of nic.transmit()) out.lines.push(describe(f));
  out.counters = e.counters().icmpMsg;
} catch (err) {
  out.errors.push(String((err as Error).stack ?? err));
}
(globalThis as any).__result = out;
