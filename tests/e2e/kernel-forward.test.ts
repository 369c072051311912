// Against the real kernel: the engine routes between two namespaces over two TAP devices. Pings go
// through it, a TTL-1 ping gets its "time to live exceeded", a DF ping too big for the far side
// gets "frag needed" with that side's MTU, a host that does not answer ARP gets "destination host
// unreachable", as the kernel's ping prints them, and without DF the engine fragments and the far
// side reassembles. Skipped, visibly, where
// namespaces or TAP cannot be used here.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { prepare } from "../../host/replay.ts";
import { attachTap } from "../../host/drivers/tap-link.ts";
import {
  kernelTestAvailability, skipOrRun, uniqueName, testSubnet, createNetns, deleteNetns, createTap, deleteLink,
  moveToNetns, nsExec, nsExecAsync,
} from "../helpers/netns.ts";

const reason = kernelTestAvailability({ tap: true, tools: ["ping"] });
const NSA = uniqueName("wefa"), NSB = uniqueName("wefb");
const TAPA = uniqueName("wfa"), TAPB = uniqueName("wfb");
const [a1, b1, c1] = testSubnet(101), [a2, b2, c2] = testSubnet(102);
const NETA = `${a1}.${b1}.${c1}`, NETB = `${a2}.${b2}.${c2}`;
let stop: (() => void) | undefined;
let created = false;

after(() => {
  stop?.();
  if (created) { deleteNetns(NSA); deleteNetns(NSB); deleteLink(TAPA); deleteLink(TAPB); }
});

test("the engine forwards between two namespaces: ping, TTL exceeded, fragmentation needed, host unreachable, fragments", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const { openTap } = await import("../../host/drivers/tap.ts");
  createNetns(NSA); createNetns(NSB);
  createTap(TAPA); createTap(TAPB);
  created = true;
  const engine = await Engine.load({ seed: 9 });
  const { failures, output } = prepare(engine, [
    "ip link set eth0 up", `ip addr add ${NETA}.2/24 dev eth0`,
    "ip link set eth1 mtu 1280", "ip link set eth1 up", `ip addr add ${NETB}.2/24 dev eth1`,
    "sysctl -w net.ipv4.ip_forward=1",
  ].join("\n"), ["eth0", "eth1"]);
  assert.equal(failures, 0, output);
  stop = attachTap(engine, [{ dev: "eth0", tap: openTap(TAPA) }, { dev: "eth1", tap: openTap(TAPB) }]);
  for (const [ns, tap, net] of [[NSA, TAPA, NETA], [NSB, TAPB, NETB]]) {
    moveToNetns(tap, ns);
    nsExec(ns, ["ip", "addr", "add", `${net}.1/24`, "dev", tap]);
    nsExec(ns, ["ip", "link", "set", tap, "up"]);
    nsExec(ns, ["ip", "link", "set", "lo", "up"]);
    nsExec(ns, ["ip", "route", "add", "default", "via", `${net}.2`]);
  }

  const ping = await nsExecAsync(NSA, ["ping", "-c", "5", "-i", "0.2", "-W", "2", `${NETB}.1`], { timeoutMs: 15000 });
  assert.match(ping.stdout, /5 packets transmitted, 5 received/, ping.stdout + ping.stderr);
  assert.match(ping.stdout, /ttl=63/, ping.stdout);                // one hop: the engine took one off

  const ttl1 = await nsExecAsync(NSA, ["ping", "-c", "1", "-t", "1", "-W", "2", `${NETB}.1`], { timeoutMs: 10000 });
  assert.match(ttl1.stdout, new RegExp(`From ${NETA}\\.2 icmp_seq=1 Time to live exceeded`), ttl1.stdout + ttl1.stderr);

  const big = await nsExecAsync(NSA, ["ping", "-c", "1", "-M", "do", "-s", "1400", "-W", "2", `${NETB}.1`], { timeoutMs: 10000 });
  assert.match(big.stdout, new RegExp(`From ${NETA}\\.2 icmp_seq=1 Frag needed and DF set \\(mtu = 1280\\)`), big.stdout + big.stderr);

  // nobody answers ARP for .99 on B's side: after its probes the engine reports host unreachable
  const none = await nsExecAsync(NSA, ["ping", "-c", "1", "-W", "6", `${NETB}.99`], { timeoutMs: 15000 });
  assert.match(none.stdout, new RegExp(`From ${NETA}\\.2 icmp_seq=1 Destination Host Unreachable`), none.stdout + none.stderr);

  // without DF the engine fragments for the 1280 side and B reassembles; B's reply comes back in
  // fragments (B's link is 1280 too) that the engine forwards as they are
  nsExec(NSB, ["ip", "link", "set", TAPB, "mtu", "1280"]);
  nsExec(NSA, ["ip", "route", "flush", "cache"]);     // A learned PMTU 1280 above: forget it, send 1428
  const frag = await nsExecAsync(NSA, ["ping", "-c", "2", "-i", "0.3", "-M", "dont", "-s", "1400", "-W", "2", `${NETB}.1`], { timeoutMs: 10000 });
  assert.match(frag.stdout, /2 packets transmitted, 2 received/, frag.stdout + frag.stderr);
  assert.match(frag.stdout, /1408 bytes from/, frag.stdout);

  const ip = engine.counters().ip;
  assert.ok(ip.FragOKs >= 2 && ip.FragCreates >= 4, `FragOKs ${ip.FragOKs} FragCreates ${ip.FragCreates}`);
  assert.ok(ip.ForwDatagrams >= 10, `ForwDatagrams ${ip.ForwDatagrams}`);   // 5 requests + 5 replies
  assert.equal(ip.FragFails, 1);
  assert.ok(ip.InHdrErrors >= 1);
});
