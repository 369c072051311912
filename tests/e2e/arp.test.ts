// arp_process updating an existing entry (net/ipv4/arp.c): within locktime (1 s) of the last change
// a reply with another address is ignored ("the FIRST one wins" among back-to-back replies), after it
// the new address is taken; a gratuitous ARP overrides at any time; broadcast replies and requests
// leave the entry STALE, a unicast reply makes it REACHABLE. Observed with `ip neigh show`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runCommand } from "../../host/commands/index.ts";
import { runIp } from "../../host/commands/ip.ts";
import { ether, arp, BROADCAST } from "../../host/packet.ts";

const HOST = "02:00:00:00:00:01", P1 = "02:00:00:00:00:02", P2 = "02:00:00:00:00:03", P3 = "02:00:00:00:00:04";

test("locktime: the first reply wins, a later one replaces it, a gratuitous ARP overrides at once", async () => {
  const e = await Engine.load({ seed: 1 });
  for (const l of ["ip link add eth0 type nic", `ip link set eth0 address ${HOST}`, "ip link set eth0 up",
    "ip addr add 192.0.2.1/24 dev eth0"]) assert.equal(runCommand(l, e).status, 0, l);
  const nic = e.nic(e.ifindex("eth0"));
  const neigh = () => runIp(["neigh", "show", "dev", "eth0"], e.netlink).stdout;
  nic.receive([ether(BROADCAST, P1, 0x0806, arp(1, P1, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1"))]);
  e.run(10_000);
  nic.transmit();
  assert.equal(neigh(), `192.0.2.2 lladdr ${P1} STALE \n`);
  nic.receive([ether(HOST, P2, 0x0806, arp(2, P2, "192.0.2.2", HOST, "192.0.2.1"))]);
  e.run(10_500);                                                  // 0.5 s after the entry changed
  assert.equal(neigh(), `192.0.2.2 lladdr ${P1} STALE \n`);
  nic.receive([ether(HOST, P2, 0x0806, arp(2, P2, "192.0.2.2", HOST, "192.0.2.1"))]);
  e.run(11_500);                                                  // past locktime: taken, and reachable
  assert.equal(neigh(), `192.0.2.2 lladdr ${P2} REACHABLE \n`);
  nic.receive([ether(BROADCAST, P3, 0x0806, arp(2, P3, "192.0.2.2", P3, "192.0.2.2"))]);
  e.run(11_600);                                                  // gratuitous (broadcast) reply: at once, STALE
  assert.equal(neigh(), `192.0.2.2 lladdr ${P3} STALE \n`);
  assert.equal(nic.transmit().length, 0);
});
