// Against the real kernel: the engine answers a namespace's ping (also 3000-byte ones, fragmented both ways)
// and arping through a TAP device, and the namespace's neighbour table learns the engine's MAC. Skipped, visibly,
// where namespaces or TAP cannot be used here.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { prepare } from "../../host/replay.ts";
import { attachTap } from "../../host/drivers/tap-link.ts";
import {
  kernelTestAvailability, skipOrRun, uniqueName, testSubnet, createNetns, deleteNetns, createTap, deleteLink,
  moveToNetns, nsExec, nsExecAsync,
} from "../helpers/netns.ts";

const reason = kernelTestAvailability({ tap: true, tools: ["ping", "arping"] });
const NS = uniqueName("wens");
const TAP = uniqueName("wet");
const ENGINE_MAC = "02:00:5e:00:53:02";
const [a, b, c] = testSubnet(97);
const NS_IP = `${a}.${b}.${c}.1`, ENGINE_IP = `${a}.${b}.${c}.2`;
let stop: (() => void) | undefined;
let created = false;

after(() => {
  stop?.();
  if (created) { deleteNetns(NS); deleteLink(TAP); }
});

test("ping (also fragmented) and arping from a namespace are answered by the engine over TAP", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const { openTap } = await import("../../host/drivers/tap.ts");
  createNetns(NS);
  createTap(TAP);
  created = true;
  const engine = await Engine.load({ seed: 7 });
  const { failures, output } = prepare(engine, [
    `ip link set eth0 address ${ENGINE_MAC}`, "ip link set eth0 up", `ip addr add ${ENGINE_IP}/24 dev eth0`,
  ].join("\n"), ["eth0"]);
  assert.equal(failures, 0, output);
  stop = attachTap(engine, [{ dev: "eth0", tap: openTap(TAP) }]);
  moveToNetns(TAP, NS);
  nsExec(NS, ["ip", "addr", "add", `${NS_IP}/24`, "dev", TAP]);
  nsExec(NS, ["ip", "link", "set", TAP, "up"]);
  nsExec(NS, ["ip", "link", "set", "lo", "up"]);

  const ping = await nsExecAsync(NS, ["ping", "-c", "5", "-i", "0.2", "-W", "2", ENGINE_IP], { timeoutMs: 15000 });
  assert.match(ping.stdout, /5 packets transmitted, 5 received/, ping.stdout + ping.stderr);

  // 3000 bytes: the kernel fragments the request, the engine reassembles it and fragments its reply
  const big = await nsExecAsync(NS, ["ping", "-c", "2", "-i", "0.3", "-s", "3000", "-W", "2", ENGINE_IP], { timeoutMs: 10000 });
  assert.match(big.stdout, /2 packets transmitted, 2 received/, big.stdout + big.stderr);
  assert.match(big.stdout, /3008 bytes from/, big.stdout);

  const arping = await nsExecAsync(NS, ["arping", "-c", "3", "-w", "5", "-I", TAP, ENGINE_IP], { timeoutMs: 15000 });
  assert.match(arping.stdout, /Received 3 response/, arping.stdout + arping.stderr);
  assert.match(arping.stdout, new RegExp(ENGINE_MAC.replace(/:/g, ":"), "i"));

  const neigh = JSON.parse(nsExec(NS, ["ip", "-j", "neigh", "show", "dev", TAP])) as { dst: string; lladdr?: string }[];
  const entry = neigh.find((n) => n.dst === ENGINE_IP);
  assert.ok(entry, `no neighbour entry for ${ENGINE_IP}: ${JSON.stringify(neigh)}`);
  assert.equal(entry.lladdr, ENGINE_MAC);

  const cnt = engine.counters();
  assert.equal(cnt.icmpMsg.in[8], 7);
  assert.equal(cnt.icmpMsg.out[0], 7);
  assert.equal(cnt.ip.ReasmOKs, 2);
  assert.equal(cnt.ip.FragOKs, 2);
  assert.ok(cnt.arp.rcv_probes_mcast + cnt.arp.rcv_probes_ucast >= 1);
});
