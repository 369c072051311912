// `ip neigh show` over RTM_GETNEIGH dumps of the engine's ARP table. The line format is what iproute2
// prints for Linux 6.18 (checked in a namespace): `ADDR dev DEV lladdr MAC STATE `, `dev` left out
// when filtering by device, no lladdr unless the state is valid, NOARP hidden without `nud all`, and
// with -s ` ref N used U/C/Dprobes P ` (ref only for entries with a pending timer).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runCommand } from "../../host/commands/index.ts";
import { runIp } from "../../host/commands/ip.ts";
import { NlBuilder, NLM_F_REQUEST, NLM_F_DUMP, RTM_GETNEIGH, NLMSG_ERROR, NLMSG_DONE } from "../../host/netlink.ts";
import { ether, ipv4, icmpEcho, arp, BROADCAST } from "../../host/packet.ts";

const HOST = "02:00:00:00:00:01", PEER = "02:00:00:00:00:02";

test("ip neigh show: STALE from a request, INCOMPLETE then FAILED for a host that never answers, filters, -s", async () => {
  const e = await Engine.load({ seed: 1 });
  for (const l of ["ip link add eth0 type nic", `ip link set eth0 address ${HOST}`, "ip link set eth0 up",
    "ip addr add 192.0.2.1/24 dev eth0"]) assert.equal(runCommand(l, e).status, 0, l);
  const ip = (l: string) => { const r = runIp(l.split(" "), e.netlink); return r.stdout + r.stderr; };
  assert.equal(ip("neigh"), "");
  const nic = e.nic(e.ifindex("eth0"));
  // 192.0.2.2 asks for us (its entry: STALE); an echo from 192.0.2.3 makes us resolve it (INCOMPLETE)
  nic.receive([ether(BROADCAST, PEER, 0x0806, arp(1, PEER, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1")),
    ether(HOST, PEER, 0x0800, ipv4("192.0.2.3", "192.0.2.1", 1, icmpEcho(1, 1, new Uint8Array(8))))]);
  e.run(1000);
  assert.equal(ip("neigh show"),
    "192.0.2.2 dev eth0 lladdr 02:00:00:00:00:02 STALE \n192.0.2.3 dev eth0 INCOMPLETE \n");
  assert.equal(ip("neigh show dev eth0"), "192.0.2.2 lladdr 02:00:00:00:00:02 STALE \n192.0.2.3 INCOMPLETE \n");
  assert.equal(ip("neigh show nud stale"), "192.0.2.2 dev eth0 lladdr 02:00:00:00:00:02 STALE \n");
  assert.equal(ip("-s neigh show"),
    "192.0.2.2 dev eth0 lladdr 02:00:00:00:00:02  used 0/60/0probes 0 STALE \n" +
    "192.0.2.3 dev eth0  ref 1 used 0/60/0probes 1 INCOMPLETE \n");
  for (const t of [2000, 3000, 4000]) e.run(t);                  // two more probes, then FAILED
  assert.equal(ip("neigh show nud failed"), "192.0.2.3 dev eth0 FAILED \n");
  // our own address through lo would be NOARP: hidden unless asked for
  assert.equal(ip("-6 neigh"), "");
  assert.match(ip("neigh show dev nope"), /^Cannot find device "nope"\n$/);
  assert.match(ip("neigh show nud bogus"), /nud state is bad/);
  assert.equal(ip("neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev eth0"), 'ip: "neigh add" is not supported by this engine.\n');
});

test("RTM_GETNEIGH dump requests are checked as neigh_valid_dump_req does for strict sockets (texts as Linux 6.18)", async () => {
  const e = await Engine.load({ seed: 1 });
  const nl = e.netlink;                                           // strict checking by default, as iproute2 asks
  const dump = (hdr: number[], attrs: (b: NlBuilder) => void = () => {}) => {
    const b = new NlBuilder(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, nl.nextSeq(), 0);
    b.raw(Uint8Array.from(hdr));
    attrs(b);
    const bad = nl.request(b.finish()).find((m) => (m.type === NLMSG_ERROR || m.type === NLMSG_DONE) && m.error);
    return bad ? `${-bad.error!} ${bad.extack}` : "ok";
  };
  assert.equal(dump([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), "ok");
  assert.match(dump([2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]), /^22 .*Invalid values in header for neighbor dump request/);
  assert.match(dump([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0]), /^22 .*Invalid flags in header for neighbor dump request/);
  assert.match(dump([2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], (b) => b.u32(4, 1)), /^22 .*Unsupported attribute in neighbor dump request/);
  assert.match(dump([2, 0, 0, 0]), /^22 .*Invalid header for neighbor dump request/);
});
