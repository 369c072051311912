// Against the real kernel: through a TAP device the engine answers a namespace's ping (also 3000-byte
// ones, fragmented both ways), an ICMP timestamp request from a raw socket, and arping, and the
// namespace's neighbour table learns the engine's MAC. Skipped, visibly, where namespaces or TAP cannot
// be used here.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { prepare } from "../../host/replay.ts";
import { attachTap } from "../../host/drivers/tap-link.ts";
import {
  kernelTestAvailability, skipOrRun, uniqueName, testSubnet, createNetns, deleteNetns, createTap, deleteLink,
  moveToNetns, nsExec, nsExecAsync,
} from "../helpers/netns.ts";

const reason = kernelTestAvailability({ tap: true, tools: ["ping", "arping", "python3"] });
const NS = uniqueName("wens");
const TAP = uniqueName("wet");
const ENGINE_MAC = "02:00:5e:00:53:02";
const [a, b, c] = testSubnet(97);
const NS_IP = `${a}.${b}.${c}.1`, ENGINE_IP = `${a}.${b}.${c}.2`;
let stop: (() => void) | undefined;
/** Send one ICMP timestamp request (id 0x1234, seq 9, originate 0x01020304) and print the reply. */
const TIMESTAMP_PY = `
import socket, struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
m = struct.pack("!BBHHHIII", 13, 0, 0, 0x1234, 9, 0x01020304, 0, 0)
m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.settimeout(3)
s.sendto(m, (sys.argv[1], 0))
while True:
    d = s.recv(2048)[20:]
    t, c, _, i, q, o, r, x = struct.unpack("!BBHHHIII", d[:20])
    if t == 14:
        print("reply", t, c, "id", i, "seq", q, "originate", o, "receive=transmit", r == x)
        break
`;
let created = false;

after(() => {
  stop?.();
  if (created) { deleteNetns(NS); deleteLink(TAP); }
});

test("ping (also fragmented), ICMP timestamp and arping from a namespace are answered by the engine over TAP", async (t) => {
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

  // an ICMP timestamp request from a raw socket in the namespace (no common tool sends one)
  const ts = await nsExecAsync(NS, ["python3", "-c", TIMESTAMP_PY, ENGINE_IP], { timeoutMs: 10000 });
  assert.match(ts.stdout, /^reply 14 0 id 4660 seq 9 originate 16909060 receive=transmit True$/m, ts.stdout + ts.stderr);

  const neigh = JSON.parse(nsExec(NS, ["ip", "-j", "neigh", "show", "dev", TAP])) as { dst: string; lladdr?: string }[];
  const entry = neigh.find((n) => n.dst === ENGINE_IP);
  assert.ok(entry, `no neighbour entry for ${ENGINE_IP}: ${JSON.stringify(neigh)}`);
  assert.equal(entry.lladdr, ENGINE_MAC);

  const cnt = engine.counters();
  assert.equal(cnt.icmpMsg.in[8], 7);
  assert.equal(cnt.icmpMsg.out[0], 7);
  assert.equal(cnt.ip.ReasmOKs, 2);
  assert.equal(cnt.ip.FragOKs, 2);
  // the kernel counts rcv_probes_* for IPv6 only; ARP's __neigh_lookup counts lookups
  assert.equal(cnt.arp.rcv_probes_mcast + cnt.arp.rcv_probes_ucast, 0);
  assert.ok(cnt.arp.lookups >= 1);
});
