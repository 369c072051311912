// Nexthop exceptions and carrier events, the engine beside the real kernel: the same host (10.0.0.1/24
// on "ea", 10.9.0.0/24 via the router 10.0.0.2) learns a path MTU from an ICMP "fragmentation needed"
// and a gateway from an ICMP redirect, and `ip route get` / `ip route show cache` / `ip route flush
// cache` must print the same in both (expiry seconds may differ by the kernel's elapsed jiffies). In the
// kernel's namespaces the ICMP comes from a real router (a ping with DF over a smaller MTU; a router
// forwarding back out of the same device); into the engine it is injected as frames.
// Needs root, `ip netns` and ping; otherwise skipped with the reason.
// Run: node --import tsx --test tests/host/route-cache-vs-kernel.test.ts
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runIp } from "../../host/commands/ip.ts";
import { runCommand } from "../../host/commands/index.ts";
import { kernelTestAvailability, skipOrRun, uniqueName, createNetns, deleteNetns, sh, shTry } from "../helpers/netns.ts";

const reason = kernelTestAvailability({ tools: ["ping"] });

/** "expires Nsec" → "expires ~sec" after checking N is within `slack` seconds below `full`. */
function normExpires(s: string, full: number, slack = 3): string {
  return s.replace(/expires (\d+)sec/g, (_m, n: string) => {
    assert.ok(Number(n) <= full && Number(n) >= full - slack, `expires ${n}sec, expected about ${full}`);
    return "expires ~sec";
  });
}

/** The engine as host A: ea 10.0.0.1/24 (MAC 02:00:00:00:00:01), 10.9.0.0/24 via 10.0.0.2, and a quoted echo reply. */
async function engineHost() {
  const { ether, ipv4, icmp, icmpEcho, arp, BROADCAST } = await import("../../host/packet.ts");
  const HOST = "02:00:00:00:00:01", R = "02:00:00:00:00:02", G = "02:00:00:00:00:03";
  const e = await Engine.load({ seed: 5, buffers: 256, bufferShift: 14, skbs: 256, timers: 1024 });
  for (const l of ["ip link add ea type nic", `ip link set ea address ${HOST}`, "ip link set ea up",
    "ip addr add 10.0.0.1/24 dev ea", "ip route add 10.9.0.0/24 via 10.0.0.2"]) assert.equal(runCommand(l, e).status, 0, l);
  const nic = e.nic(e.ifindex("ea"));
  nic.receive([ether(BROADCAST, R, 0x0806, arp(1, R, "10.0.0.2", "00:00:00:00:00:00", "10.0.0.1"))]);
  e.run(0); nic.transmit();
  nic.receive([ether(HOST, R, 0x0800, ipv4("10.9.0.2", "10.0.0.1", 1, icmpEcho(9, 1, new Uint8Array(1450))))]);
  e.run(0);
  const [reply] = nic.transmit();
  const quoted = reply.subarray(14, 14 + 28);
  const fromRouter = (type: number, code: number, rest: number) =>
    nic.receive([ether(HOST, R, 0x0800, ipv4("10.0.0.2", "10.0.0.1", 1, icmp(type, code, rest, quoted)))]);
  const ip = (...a: string[]) => { const r = runIp(a, e.netlink); return r.stdout + r.stderr; };
  /** 10.0.0.3 (the redirect's new gateway) answers the engine's ARP request. */
  const gwAnswers = () => nic.receive([ether(HOST, G, 0x0806, arp(2, G, "10.0.0.3", HOST, "10.0.0.1"))]);
  return { e, nic, ip, fromRouter, gwAnswers };
}

test("a learned PMTU in `ip route show cache`: bound by a lookup, flushed, reset — engine and kernel agree", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const A = uniqueName("wcA"), R = uniqueName("wcR"), B = uniqueName("wcB");
  for (const n of [A, R, B]) createNetns(n);
  try {
    const k = (...a: string[]) => shTry(["ip", "-n", A, ...a]).stdout;
    for (const c of [
      ["-n", A, "link", "add", "ea", "type", "veth", "peer", "name", "ra", "netns", R],
      ["-n", R, "link", "add", "rb", "type", "veth", "peer", "name", "eb", "netns", B],
      ["-n", A, "addr", "add", "10.0.0.1/24", "dev", "ea"], ["-n", A, "link", "set", "ea", "up"],
      ["-n", R, "addr", "add", "10.0.0.2/24", "dev", "ra"], ["-n", R, "link", "set", "ra", "up"],
      ["-n", R, "addr", "add", "10.9.0.1/24", "dev", "rb"], ["-n", R, "link", "set", "rb", "up", "mtu", "1400"],
      ["-n", B, "addr", "add", "10.9.0.2/24", "dev", "eb"], ["-n", B, "link", "set", "eb", "up", "mtu", "1400"],
      ["-n", B, "route", "add", "default", "via", "10.9.0.1"], ["-n", A, "route", "add", "10.9.0.0/24", "via", "10.0.0.2"],
    ]) sh(["ip", ...c]);
    sh(["ip", "netns", "exec", R, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    shTry(["ip", "netns", "exec", A, "ping", "-c1", "-W1", "10.9.0.2"]);
    const big = () => shTry(["ip", "netns", "exec", A, "ping", "-c1", "-W1", "-M", "do", "-s", "1450", "10.9.0.2"]);
    assert.match(big().stdout, /Frag needed and DF set \(mtu = 1400\)/);

    const { e, ip, fromRouter } = await engineHost();
    fromRouter(3, 4, 1400);
    e.run(0);
    const both = (full: number, ...a: string[]) => {
      const kernel = normExpires(k(...a), full), engine = normExpires(ip(...a), full);
      assert.equal(engine, kernel, `ip ${a.join(" ")}`);
      return engine;
    };
    assert.equal(both(600, "route", "show", "cache"), "");    // no lookup has bound a route yet
    assert.equal(both(600, "route", "get", "10.9.0.2"), "10.9.0.2 via 10.0.0.2 dev ea src 10.0.0.1 uid 0 \n    cache expires ~sec mtu 1400 \n");
    assert.equal(both(600, "route", "show", "cache"), "10.9.0.2 via 10.0.0.2 dev ea \n    cache expires ~sec mtu 1400 \n");
    both(600, "-d", "route", "list", "cache");
    assert.equal(both(600, "route", "show"), "10.0.0.0/24 dev ea proto kernel scope link src 10.0.0.1 \n10.9.0.0/24 via 10.0.0.2 dev ea \n");
    both(600, "-s", "route", "flush", "cache");
    assert.equal(both(600, "route", "show", "cache"), "");
    assert.equal(both(600, "route", "get", "10.9.0.2"), "10.9.0.2 via 10.0.0.2 dev ea src 10.0.0.1 uid 0 \n    cache \n");
    assert.equal(both(600, "route", "show", "cache"), "10.9.0.2 via 10.0.0.2 dev ea \n    cache \n");
    // a new report refreshes the reset exception, whose route is still bound: listed at once
    big();
    fromRouter(3, 4, 1400);
    e.run(0);
    assert.equal(both(600, "route", "show", "cache"), "10.9.0.2 via 10.0.0.2 dev ea \n    cache expires ~sec mtu 1400 \n");
  } finally {
    for (const n of [A, R, B]) deleteNetns(n);
  }
});

test("an ICMP redirect to a gateway without a neighbour entry starts resolving it and is not learned; the next one is", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const A = uniqueName("wcA"), R = uniqueName("wcR"), G = uniqueName("wcG"), B = uniqueName("wcB"), L = uniqueName("wcL");
  const all = [A, R, G, B, L];
  for (const n of all) createNetns(n);
  try {
    sh(["ip", "-n", L, "link", "add", "br0", "type", "bridge"]);
    sh(["ip", "-n", L, "link", "set", "br0", "up"]);
    for (const [ns, dev, addr] of [[A, "ea", "10.0.0.1/24"], [R, "er", "10.0.0.2/24"], [G, "eg", "10.0.0.3/24"]]) {
      sh(["ip", "-n", L, "link", "add", `p${dev}`, "type", "veth", "peer", "name", dev, "netns", ns]);
      sh(["ip", "-n", L, "link", "set", `p${dev}`, "master", "br0", "up"]);
      sh(["ip", "-n", ns, "addr", "add", addr, "dev", dev]);
      sh(["ip", "-n", ns, "link", "set", dev, "up"]);
    }
    for (const c of [
      ["-n", G, "link", "add", "gb", "type", "veth", "peer", "name", "bg", "netns", B],
      ["-n", G, "addr", "add", "10.9.0.1/24", "dev", "gb"], ["-n", G, "link", "set", "gb", "up"],
      ["-n", B, "addr", "add", "10.9.0.2/24", "dev", "bg"], ["-n", B, "link", "set", "bg", "up"],
      ["-n", B, "route", "add", "default", "via", "10.9.0.1"],
      ["-n", R, "route", "add", "10.9.0.0/24", "via", "10.0.0.3"], ["-n", A, "route", "add", "10.9.0.0/24", "via", "10.0.0.2"],
    ]) sh(["ip", ...c]);
    for (const ns of [R, G]) sh(["ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"]);
    // the router's redirects are rate limited (ip_rt_redirect_load << n): space the pings
    const ping = () => shTry(["ip", "netns", "exec", A, "ping", "-c1", "-W1", "10.9.0.2"]).stdout;
    const k = (...a: string[]) => shTry(["ip", "-n", A, ...a]).stdout;
    assert.match(ping(), /Redirect Host\(New nexthop: 10\.0\.0\.3\)/);
    const kNeigh = k("neigh", "show", "10.0.0.3");
    assert.match(kNeigh, /^10\.0\.0\.3 dev ea/);             // created by the redirect, resolution started
    const kGet1 = k("route", "get", "10.9.0.2");
    assert.equal(kGet1, "10.9.0.2 via 10.0.0.2 dev ea src 10.0.0.1 uid 0 \n    cache \n");
    sh(["sleep", "0.5"]);
    assert.match(ping(), /Redirect Host/);
    const kCache0 = k("route", "show", "cache");
    const kGet2 = normExpires(k("route", "get", "10.9.0.2"), 300);
    const kCache = normExpires(k("route", "show", "cache"), 300);

    const { e, nic, ip, fromRouter, gwAnswers } = await engineHost();
    fromRouter(5, 1, 0x0a000003);                              // ICMP_REDIR_HOST, new gateway 10.0.0.3
    e.run(0);
    const out = nic.transmit();
    // neigh_event_send: one ARP request "who-has 10.0.0.3 tell 10.0.0.1"
    assert.equal(out.length, 1);
    assert.deepEqual([...out[0].subarray(12, 14)], [0x08, 0x06]);
    assert.deepEqual([...out[0].subarray(38, 42)], [10, 0, 0, 3]);
    assert.equal(ip("route", "get", "10.9.0.2"), kGet1);
    gwAnswers();
    e.run(10);
    fromRouter(5, 1, 0x0a000003);
    e.run(10);
    assert.equal(ip("route", "show", "cache"), kCache0);
    assert.equal(normExpires(ip("route", "get", "10.9.0.2"), 300), kGet2);
    assert.equal(kGet2, "10.9.0.2 via 10.0.0.3 dev ea src 10.0.0.1 uid 0 \n    cache <redirected> expires ~sec \n");
    assert.equal(normExpires(ip("route", "show", "cache"), 300), kCache);
    assert.equal(kCache, "10.9.0.2 via 10.0.0.3 dev ea \n    cache <redirected> expires ~sec \n");
  } finally {
    for (const n of all) deleteNetns(n);
  }
});

// Carrier events: a veth end whose peer goes down loses its carrier (NETDEV_CHANGE): its routes'
// nexthops become linkdown, routes added meanwhile start linkdown, ignore_routes_with_linkdown makes
// them report dead too, takes them out of the multipath spread and out of lookups, and the carrier's
// return clears it.
const CARRIER_STEPS = [
  "ip link add va type veth peer name vb", "ip link add vc type veth peer name vd",
  "ip link set lo up", "ip link set va up", "ip link set vb up", "ip link set vc up", "ip link set vd up",
  "ip addr add 10.0.0.1/24 dev va", "ip addr add 10.1.0.1/24 dev vc",
  "ip route add 10.9.0.0/24 via 10.0.0.2", "ip route add 10.8.0.0/24 nexthop via 10.0.0.2 nexthop via 10.1.0.2",
  "ip route add default via 10.1.0.2",
  "ip link set vb down",
  "ip route add 10.7.0.0/24 dev va", "ip route add 10.6.0.0/24 via 10.0.0.5 dev va onlink",
  "sysctl -qw net.ipv4.conf.va.ignore_routes_with_linkdown=1",
  "ip link set vd down", "ip link set vd up", "ip link set vb up",
  "ip link set vb down", "ip link set va down", "ip link set va up", "ip link set vb up",
];

test("carrier changes mark nexthops linkdown (dead with ignore_routes_with_linkdown) as the kernel does", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const ns = uniqueName("wcC");
  createNetns(ns);
  try {
    const e = await Engine.load({ seed: 5, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
    const kernel = (l: string) => l.startsWith("sysctl ")
      ? shTry(["ip", "netns", "exec", ns, ...l.split(" ")])
      : shTry(["ip", "-n", ns, ...l.split(" ").slice(1)]);
    const show = ["ip route", "ip route show table local", "ip -d route show 10.8.0.0/24"];
    let lo = false;   // createNetns brought the namespace's lo up already
    for (const l of CARRIER_STEPS) {
      assert.equal(runCommand(l.replace("sysctl -qw", "sysctl -q -w"), e).status, kernel(l).status, l);
      lo ||= l === "ip link set lo up";
      if (!lo) continue;
      for (const s of show) {
        const k = kernel(s).stdout, g = runIp(s.split(" ").slice(1), e.netlink).stdout;
        assert.equal(g, k, `after "${l}": ${s}`);
      }
      // lookups skip linkdown nexthops only with ignore_routes_with_linkdown (fib_lookup_good_nhc)
      for (const d of ["10.9.0.1", "10.7.0.1", "10.6.0.1", "10.8.0.1", "192.0.2.1"]) {
        const k = kernel(`ip route get ${d}`), g = runIp(["route", "get", d], e.netlink);
        assert.equal(g.stdout + g.stderr, k.stdout + k.stderr, `after "${l}": ip route get ${d}`);
      }
    }
  } finally {
    deleteNetns(ns);
  }
});

test("with ignore_routes_with_linkdown set before the carrier goes, multipath flows leave the linkdown nexthop", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const ns = uniqueName("wcM");
  createNetns(ns);
  try {
    const e = await Engine.load({ seed: 5, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
    const steps = [...CARRIER_STEPS.slice(0, 11), "sysctl -qw net.ipv4.conf.va.ignore_routes_with_linkdown=1", "ip link set vb down"];
    for (const l of steps) {
      const k = l.startsWith("sysctl ") ? shTry(["ip", "netns", "exec", ns, ...l.split(" ")]) : shTry(["ip", "-n", ns, ...l.split(" ").slice(1)]);
      assert.equal(k.status, 0, l);
      assert.equal(runCommand(l.replace("sysctl -qw", "sysctl -q -w"), e).status, 0, l);
    }
    for (let i = 1; i < 40; i++) {
      const k = shTry(["ip", "-n", ns, "route", "get", `10.8.0.${i}`]).stdout;
      const g = runIp(["route", "get", `10.8.0.${i}`], e.netlink).stdout;
      assert.equal(k, `10.8.0.${i} via 10.1.0.2 dev vc src 10.1.0.1 uid 0 \n    cache \n`);
      assert.equal(g, k);
    }
  } finally {
    deleteNetns(ns);
  }
});
