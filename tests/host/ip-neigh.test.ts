// `ip neigh`: show over RTM_GETNEIGH dumps of the engine's ARP table, add/change/replace/del
// (neigh_add, neigh_delete) and flush (the dumped entries sent back as RTM_DELNEIGH, round by round). The line format is what iproute2 prints for Linux 6.18: `ADDR dev DEV
// lladdr MAC STATE `, `dev` left out when filtering by device, no lladdr unless the state is valid,
// NOARP hidden without `nud all`, with -s ` ref N used U/C/Dprobes P `. The same command lines run in
// a namespace and in an engine must answer alike (sorted: the kernel dumps in hash order).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runCommand } from "../../host/commands/index.ts";
import { runIp } from "../../host/commands/ip.ts";
import { NlBuilder, NLM_F_REQUEST, NLM_F_DUMP, RTM_GETNEIGH, NLMSG_ERROR, NLMSG_DONE } from "../../host/netlink.ts";
import { ether, ipv4, icmpEcho, arp, BROADCAST } from "../../host/packet.ts";
import { kernelTestAvailability, skipOrRun, uniqueName, createNetns, deleteNetns, shTry } from "../helpers/netns.ts";

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
});

test("ip neigh flush: what the selectors match goes, PERMANENT and NOARP stay unless asked for, -s counts rounds", async () => {
  const e = await Engine.load({ seed: 1 });
  for (const l of ["ip link add va type veth peer name vb", "ip link set va up", "ip link set vb up", "ip addr add 10.0.0.1/24 dev va",
    "ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev va nud permanent",
    "ip neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev va nud reachable",
    "ip neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev va nud stale",
    "ip neigh add 10.0.0.8 lladdr 02:00:00:00:00:08 dev va nud noarp", "ip neigh add 10.0.0.9 dev va nud failed",
    "ip neigh add 10.1.0.2 lladdr 02:00:00:00:01:02 dev vb nud stale"]) assert.equal(runCommand(l, e).status, 0, l);
  const ip = (l: string) => { const r = runIp(l.split(" "), e.netlink); return { out: r.stdout + r.stderr, status: r.status }; };
  assert.deepEqual(ip("neigh flush"), { out: "Flush requires arguments.\n", status: 1 });
  assert.deepEqual(ip("-s neigh flush 10.0.0.7"), { out: "\n*** Round 1, deleting 1 entries ***\n*** Flush is complete after 1 round ***\n", status: 0 });
  assert.deepEqual(ip("-s neigh flush to 10.0.0.7"), { out: "Nothing to flush.\n", status: 0 });
  assert.deepEqual(ip("neigh flush dev va"), { out: "", status: 0 });
  assert.equal(ip("neigh show nud all").out,
    "10.0.0.5 dev va lladdr 02:00:00:00:00:05 PERMANENT \n10.0.0.8 dev va lladdr 02:00:00:00:00:08 NOARP \n" +
    "10.1.0.2 dev vb lladdr 02:00:00:00:01:02 STALE \n");
  assert.deepEqual(ip("neigh flush nud all"), { out: "", status: 0 });   // PERMANENT too, NOARP never
  assert.equal(ip("neigh show nud all").out, "10.0.0.8 dev va lladdr 02:00:00:00:00:08 NOARP \n");
  assert.match(ip("neigh flush to nope").out, /^Error: any valid prefix is expected rather than "nope"\.\n$/);
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

const NEIGH_SCRIPT = [
  "ip link add va type veth peer name vb", "ip link set va up", "ip link set vb up", "ip addr add 10.0.0.1/24 dev va",
  "ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:05 dev va nud permanent",
  "ip neigh add 10.0.0.6 lladdr 02:00:00:00:00:06 dev va nud reachable",
  "ip neigh add 10.0.0.7 lladdr 02:00:00:00:00:07 dev va nud stale",
  "ip neigh add 10.0.0.8 dev va nud noarp", "ip neigh add 10.0.0.9 dev va nud failed",
  "ip neigh add 10.0.0.5 lladdr 02:00:00:00:00:15 dev va",
  "ip neigh change 10.0.0.7 lladdr 02:00:00:00:00:17 dev va",
  "ip neigh show dev va",
  "ip neigh replace 10.0.0.7 lladdr 02:00:00:00:00:27 dev va nud reachable",
  "ip neigh change 10.0.0.77 lladdr 02:00:00:00:00:17 dev va",
  "ip neigh add 10.0.0.4 lladdr 02:00:00:00:00:04 dev va nud noarp",
  "ip neigh del 10.0.0.6 dev va", "ip neigh del 10.0.0.6 dev va",
  "ip neigh add 10.0.0.10 lladdr 02 dev va", "ip neigh add 10.0.0.10 dev va",
  "ip neigh add 10.0.0.10 lladdr 02:00:00:00:00:0a", "ip neigh add 10.0.0.11 lladdr 02:00:00:00:00:0b dev nope",
  "ip neigh add 10.0.0.12 lladdr zz dev va", "ip neigh add 10.0.0.13 dev va nud bogus",
  "ip neigh replace 10.0.0.5 lladdr 02:00:00:00:00:25 dev va nud stale",
  "ip neigh show", "ip neigh show nud all", "ip neigh show nud permanent", "ip neigh show dev vb",
  "ip neigh show to 10.0.0.4/31 nud all", "ip neigh show 10.0.0.7",
  "ip neigh flush", "ip neigh flush to bogus", "ip neigh flush dev nope",
  "ip -s neigh flush to 10.0.0.0/24 nud stale", "ip neigh show nud all",
  "ip -s neigh flush dev va", "ip neigh show nud all", "ip -s neigh flush all",
  "ip neigh flush nud all dev va", "ip neigh show nud all",
];

test("ip neigh add/change/replace/del/show: the same lines as the kernel, errors and exit statuses included", async (t) => {
  if (!skipOrRun(t, kernelTestAvailability())) return;
  const ns = uniqueName("wenh");
  createNetns(ns);
  try {
    // the engine has no IPv6 yet: without it the namespace has no ff02:: NOARP entries either
    for (const k of ["all", "default", "lo"]) shTry(["ip", "netns", "exec", ns, "sysctl", "-qw", `net.ipv6.conf.${k}.disable_ipv6=1`]);
    const e = await Engine.load({ seed: 1 });
    const sorted = (s: string) => s.split("\n").filter((l) => l !== "").sort().join("\n");
    for (const l of NEIGH_SCRIPT) {
      const args = l.split(" ").slice(1);
      const k = shTry(["ip", "-n", ns, ...args]);
      const g = runIp(args, e.netlink);
      assert.equal(g.status, k.status, `${l}: status`);
      assert.equal(g.stderr, k.stderr, `${l}: stderr`);
      assert.equal(sorted(g.stdout), sorted(k.stdout), `${l}: stdout`);
    }
  } finally {
    deleteNetns(ns);
  }
});
