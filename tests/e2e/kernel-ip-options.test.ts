// Against the real kernel: IP options (record route, timestamps) through the engine as a router and
// as the pinged host. The same pings run in two copies of one topology with the same addresses:
// A - engine - B (namespaces on TAP devices) and A - Linux router - B (three namespaces on veth
// pairs). ping prints the options of each reply; the outputs must be the same line for line, the
// timestamps' values aside. Skipped, visibly, where namespaces or TAP cannot be used here.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { prepare } from "../../host/replay.ts";
import { attachTap } from "../../host/drivers/tap-link.ts";
import {
  kernelTestAvailability, skipOrRun, uniqueName, testSubnet, createNetns, deleteNetns, createTap, createVeth,
  deleteLink, moveToNetns, nsExec, nsExecAsync,
} from "../helpers/netns.ts";

const reason = kernelTestAvailability({ tap: true, tools: ["ping"] });
const EA = uniqueName("woea"), EB = uniqueName("woeb");           // engine side
const LA = uniqueName("wola"), LR = uniqueName("wolr"), LB = uniqueName("wolb");   // Linux side
const TAPA = uniqueName("woa"), TAPB = uniqueName("wob");
const VA = uniqueName("wova"), VRA = uniqueName("wovra"), VB = uniqueName("wovb"), VRB = uniqueName("wovrb");
const [a1, b1, c1] = testSubnet(103), [a2, b2, c2] = testSubnet(104);
const NETA = `${a1}.${b1}.${c1}`, NETB = `${a2}.${b2}.${c2}`;
let stop: (() => void) | undefined;
let created = false;

after(() => {
  stop?.();
  if (created) {
    for (const ns of [EA, EB, LA, LR, LB]) deleteNetns(ns);
    for (const l of [TAPA, TAPB, VA, VRA, VB, VRB]) deleteLink(l);
  }
});

/** The lines of ping's output that must agree: replies, errors, options, the count. */
function normalize(out: string): string {
  return out.split("\n")
    .filter((l) => l.trim() !== "" && !/^(PING |--- |rtt )/.test(l))
    .map((l) => l.replace(/ time=[\d.]+ ms/, "").replace(/, time \d+ms/, "").replace(/\t-?\d+( absolute)?$/, "\tT$1"))
    .join("\n");
}

test("record route and timestamp options: the engine's pings read as a Linux router's", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const { openTap } = await import("../../host/drivers/tap.ts");
  for (const ns of [EA, EB, LA, LR, LB]) createNetns(ns);
  createTap(TAPA); createTap(TAPB);
  createVeth(VA, VRA); createVeth(VB, VRB);
  created = true;

  const engine = await Engine.load({ seed: 11 });
  const { failures, output } = prepare(engine, [
    "ip link set eth0 up", `ip addr add ${NETA}.2/24 dev eth0`,
    "ip link set eth1 up", `ip addr add ${NETB}.2/24 dev eth1`,
    "sysctl -w net.ipv4.ip_forward=1",
  ].join("\n"), ["eth0", "eth1"]);
  assert.equal(failures, 0, output);
  stop = attachTap(engine, [{ dev: "eth0", tap: openTap(TAPA) }, { dev: "eth1", tap: openTap(TAPB) }]);

  // the Linux router
  moveToNetns(VRA, LR); moveToNetns(VRB, LR);
  nsExec(LR, ["ip", "addr", "add", `${NETA}.2/24`, "dev", VRA]);
  nsExec(LR, ["ip", "addr", "add", `${NETB}.2/24`, "dev", VRB]);
  nsExec(LR, ["ip", "link", "set", VRA, "up"]);
  nsExec(LR, ["ip", "link", "set", VRB, "up"]);
  nsExec(LR, ["sysctl", "-qw", "net.ipv4.ip_forward=1"]);
  // the hosts on either side, twice
  for (const [ns, link, net] of [[EA, TAPA, NETA], [EB, TAPB, NETB], [LA, VA, NETA], [LB, VB, NETB]]) {
    moveToNetns(link, ns);
    nsExec(ns, ["ip", "addr", "add", `${net}.1/24`, "dev", link]);
    nsExec(ns, ["ip", "link", "set", link, "up"]);
    nsExec(ns, ["ip", "route", "add", "default", "via", `${net}.2`]);
  }

  const pings = [
    ["-R", `${NETB}.1`], ["-R", `${NETA}.2`], ["-R", `${NETB}.2`],
    ["-T", "tsonly", `${NETB}.1`], ["-T", "tsandaddr", `${NETB}.1`], ["-T", "tsandaddr", `${NETA}.2`],
    ["-T", "tsprespec", `${NETB}.2`, `${NETB}.1`, `${NETB}.1`],
    ["-t", "1", "-R", `${NETB}.1`],
  ];
  for (const args of pings) {
    const cmd = ["ping", "-c", "1", "-W", "2", ...args];
    const viaEngine = await nsExecAsync(EA, cmd, { timeoutMs: 10000 });
    const viaLinux = await nsExecAsync(LA, cmd, { timeoutMs: 10000 });
    const e = normalize(viaEngine.stdout), l = normalize(viaLinux.stdout);
    assert.match(l, /(RR:|TS:|Time to live exceeded)/, `ping ${args.join(" ")} via Linux:\n${viaLinux.stdout}${viaLinux.stderr}`);
    assert.equal(e, l, `ping ${args.join(" ")}: engine\n${viaEngine.stdout}${viaEngine.stderr}\nLinux\n${viaLinux.stdout}`);
  }
  // the timestamps the engine wrote are the ms since midnight UT, as Linux's
  const ts = await nsExecAsync(EA, ["ping", "-c", "1", "-W", "2", "-T", "tsonly", `${NETB}.1`], { timeoutMs: 10000 });
  const abs = Number(/TS: \t(\d+) absolute/.exec(ts.stdout)?.[1]);
  const deltas = [...ts.stdout.matchAll(/^\t(-?\d+)$/gm)].map((m) => Number(m[1]));
  const midnight = Date.now() % 86_400_000;
  assert.ok(Math.abs(abs - midnight) < 60_000, `absolute ${abs}, now ${midnight}\n${ts.stdout}`);
  assert.equal(deltas.length, 5, ts.stdout);
  assert.ok(deltas.every((d) => Math.abs(d) < 1000), ts.stdout);            // two clocks: a ms either way
});
