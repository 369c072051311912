// sysctl over the engine's tunables, with procps' output and errors and the kernel's linkage between
// net.ipv4.ip_forward and conf.*.forwarding.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runCommand } from "../../host/commands/index.ts";

const out = (e: Engine, l: string) => { const r = runCommand(l, e); return r.stdout + r.stderr + (r.status ? `[${r.status}]` : ""); };

test("defaults, writes, ranges, unknown keys", async () => {
  const e = await Engine.load();
  assert.equal(out(e, "sysctl net.ipv4.ip_forward net.ipv4.icmp_ratemask net.ipv4.neigh.default.mcast_solicit"),
    "net.ipv4.ip_forward = 0\nnet.ipv4.icmp_ratemask = 6168\nnet.ipv4.neigh.default.mcast_solicit = 3\n");
  assert.equal(out(e, "sysctl -w net.ipv4.icmp_echo_ignore_all=1"), "net.ipv4.icmp_echo_ignore_all = 1\n");
  assert.equal(out(e, "sysctl net/ipv4/icmp_echo_ignore_all"), "net.ipv4.icmp_echo_ignore_all = 1\n");
  assert.equal(out(e, "sysctl -n net.ipv4.icmp_echo_ignore_all"), "1\n");
  assert.equal(out(e, "sysctl -w net.ipv4.icmp_echo_ignore_all=2"),
    'sysctl: setting key "net.ipv4.icmp_echo_ignore_all": Invalid argument\n[1]');
  assert.equal(out(e, "sysctl -w net.ipv4.ip_default_ttl=abc"),
    'sysctl: setting key "net.ipv4.ip_default_ttl": Invalid argument\n[1]');
  assert.equal(out(e, "sysctl net.ipv4.no_such_key"),
    "sysctl: cannot stat /proc/sys/net/ipv4/no_such_key: No such file or directory\n[1]");
  assert.equal(out(e, "sysctl -q -w net.ipv4.ip_default_ttl=32"), "");
  assert.equal(out(e, "sysctl net.ipv4.ip_default_ttl"), "net.ipv4.ip_default_ttl = 32\n");
});

test("ip_forward and conf.all.forwarding set every device's forwarding", async () => {
  const e = await Engine.load();
  runCommand("ip link add eth0 type nic", e);
  assert.equal(out(e, "sysctl net.ipv4.conf.eth0.forwarding"), "net.ipv4.conf.eth0.forwarding = 0\n");
  out(e, "sysctl -w net.ipv4.ip_forward=1");
  assert.equal(out(e, "sysctl net.ipv4.conf.eth0.forwarding net.ipv4.conf.all.forwarding net.ipv4.conf.default.forwarding"),
    "net.ipv4.conf.eth0.forwarding = 1\nnet.ipv4.conf.all.forwarding = 1\nnet.ipv4.conf.default.forwarding = 1\n");
  out(e, "sysctl -w net.ipv4.conf.all.forwarding=0");
  assert.equal(out(e, "sysctl net.ipv4.ip_forward net.ipv4.conf.eth0.forwarding"),
    "net.ipv4.ip_forward = 0\nnet.ipv4.conf.eth0.forwarding = 0\n");
  out(e, "sysctl -w net.ipv4.conf.eth0.forwarding=1");
  assert.equal(out(e, "sysctl net.ipv4.ip_forward net.ipv4.conf.eth0.forwarding"),
    "net.ipv4.ip_forward = 0\nnet.ipv4.conf.eth0.forwarding = 1\n");
  assert.equal(out(e, "sysctl net.ipv4.conf.eth9.forwarding"),
    "sysctl: cannot stat /proc/sys/net/ipv4/conf/eth9/forwarding: No such file or directory\n[1]");
});

test("icmp_echo_ignore_all stops echo replies", async () => {
  const { ether, ipv4, icmpEcho, arp, BROADCAST } = await import("../../host/packet.ts");
  const e = await Engine.load();
  for (const l of ["ip link add eth0 type nic", "ip link set eth0 address 02:00:00:00:00:01", "ip link set eth0 up",
    "ip addr add 192.0.2.1/24 dev eth0"]) runCommand(l, e);
  const nic = e.nic(e.ifindex("eth0"));
  const ping = ether("02:00:00:00:00:01", "02:00:00:00:00:02", 0x0800, ipv4("192.0.2.2", "192.0.2.1", 1, icmpEcho(1, 1, new Uint8Array(8))));
  nic.receive([ether(BROADCAST, "02:00:00:00:00:02", 0x0806, arp(1, "02:00:00:00:00:02", "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1")), ping]);
  e.run(0);
  assert.equal(nic.transmit().length, 2);
  runCommand("sysctl -w net.ipv4.icmp_echo_ignore_all=1", e);
  nic.receive([ping]);
  e.run(1);
  assert.equal(nic.transmit().length, 0);
  assert.equal(e.counters().icmpMsg.in[8], 2);
});

test("a device's conf starts as conf/default at its creation; conf/all differs in accept_source_route (vs the kernel)", async (t) => {
  const { kernelTestAvailability, skipOrRun, uniqueName, createNetns, deleteNetns, nsExec } = await import("../helpers/netns.ts");
  if (!skipOrRun(t, kernelTestAvailability())) return;
  const script = ["sysctl -w net.ipv4.conf.default.rp_filter=2", "sysctl -w net.ipv4.conf.default.accept_redirects=0",
    "ip link add wv0 type veth peer name wv1"];
  const keys = ["accept_source_route", "rp_filter", "accept_redirects", "send_redirects", "shared_media", "secure_redirects"];
  const read = `sysctl ${["all", "default", "lo", "wv0"].flatMap((d) => keys.map((k) => `net.ipv4.conf.${d}.${k}`)).join(" ")}`;
  const e = await Engine.load();
  runCommand("ip link set lo up", e);
  for (const l of script) assert.equal(runCommand(l, e).status, 0, l);
  const ns = uniqueName("wsys");
  createNetns(ns);
  try {
    for (const l of script) nsExec(ns, l.split(" "));
    assert.equal(out(e, read), nsExec(ns, read.split(" ")));
  } finally {
    deleteNetns(ns);
  }
});
