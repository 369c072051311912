// IPv4 forwarding through the rings (book ch. 4 "Forwarding", spec 4.10; redirects ch. 5): the
// engine as a router between eth0 (192.0.2.1/24) and eth1 (198.51.100.1/24, MTU 1280). Expected
// bytes and counters follow ip_forward's order (6.7+): PACKET_HOST, TTL before the decrease,
// ForwDatagrams, DF against the MTU, TTL decrease with the incremental checksum, redirect, output
// (OutTransmits and OutOctets per packet sent, after fragmentation).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runCommand } from "../../host/commands/index.ts";
import { ether, ipv4, icmpEcho, arp, inetChecksum, ipString, BROADCAST } from "../../host/packet.ts";

const R0 = "02:00:00:00:00:01", R1 = "02:00:00:00:01:01";   // the engine's two NICs
const A = "02:00:00:00:00:0a", B = "02:00:00:00:01:0b";     // a host on each side
const GW2 = "02:00:00:00:00:0c";                            // a second router on eth0's link

async function router(extra: string[] = []) {
  const e = await Engine.load({ seed: 3 });
  for (const l of [
    "ip link add eth0 type nic", `ip link set eth0 address ${R0}`, "ip link set eth0 up",
    "ip link add eth1 type nic", `ip link set eth1 address ${R1}`, "ip link set eth1 mtu 1280", "ip link set eth1 up",
    "ip addr add 192.0.2.1/24 dev eth0", "ip addr add 198.51.100.1/24 dev eth1",
    "ip route add 203.0.113.0/24 via 192.0.2.12",
    "sysctl -w net.ipv4.ip_forward=1", ...extra,
  ]) assert.equal(runCommand(l, e).status, 0, l);
  const n0 = e.nic(e.ifindex("eth0")), n1 = e.nic(e.ifindex("eth1"));
  // every neighbour known up front: each asks for the router, which learns it (neigh_event_ns)
  const ask = (mac: string, from: string, to: string) => ether(BROADCAST, mac, 0x0806, arp(1, mac, from, "00:00:00:00:00:00", to));
  n0.receive([ask(A, "192.0.2.10", "192.0.2.1"), ask(GW2, "192.0.2.12", "192.0.2.1")]);
  n1.receive([ask(B, "198.51.100.11", "198.51.100.1")]);
  e.run(0);
  n0.transmit(); n1.transmit();
  return { e, n0, n1 };
}

const ip = (f: Uint8Array) => f.subarray(14);
/** An Ip: counter, or an ICMP message type sent. */
const ctr = (e: Engine, name: string) => e.counters().ip[name] ?? 0;
const icmpOut = (e: Engine, type: number) => e.counters().icmpMsg.out[type] ?? 0;

test("a packet to the other side leaves with TTL - 1, a valid header checksum and the next hop's MAC", async () => {
  const { e, n0, n1 } = await router();
  for (const ttl of [64, 2, 255]) {
    const sent = ipv4("192.0.2.10", "198.51.100.11", 1, icmpEcho(7, ttl, new Uint8Array(32)), { ttl, tos: 0x10 });
    n0.receive([ether(R0, A, 0x0800, sent)]);
    e.run(1);
    const [f] = n1.transmit();
    assert.ok(f, `forwarded (ttl ${ttl})`);
    assert.deepEqual(Array.from(f.subarray(0, 14)), [...macBytes(B), ...macBytes(R1), 8, 0]);
    const want = sent.slice();
    want[8] = ttl - 1; want[10] = 0; want[11] = 0;
    const c = inetChecksum(want.subarray(0, 20));
    want[10] = c >> 8; want[11] = c & 255;
    assert.deepEqual(Array.from(ip(f)), Array.from(want));
    assert.equal(n0.transmit().length, 0);                     // nothing back to the sender
  }
  assert.equal(ctr(e, "ForwDatagrams"), 3);
  assert.equal(ctr(e, "OutRequests"), 0);                    // forwarded, not locally generated
  assert.equal(ctr(e, "InDelivers"), 0);
});

test("TTL 1 is not forwarded: time exceeded to the sender, InHdrErrors", async () => {
  const { e, n0, n1 } = await router();
  const sent = ipv4("192.0.2.10", "198.51.100.11", 17, new Uint8Array(16), { ttl: 1 });
  n0.receive([ether(R0, A, 0x0800, sent)]);
  e.run(1);
  assert.equal(n1.transmit().length, 0);
  const [f] = n0.transmit();
  const h = ip(f);
  assert.equal(ipString(h, 12), "192.0.2.1");
  assert.equal(ipString(h, 16), "192.0.2.10");
  assert.equal(h[1], 0xc0);                                     // IPTOS_PREC_INTERNETCONTROL
  assert.deepEqual([h[20], h[21]], [11, 0]);                    // time exceeded, TTL exceeded in transit
  assert.deepEqual(Array.from(h.subarray(28)), Array.from(sent)); // the datagram as it arrived
  assert.equal(ctr(e, "InHdrErrors"), 1);
  assert.equal(ctr(e, "ForwDatagrams"), 0);
});

test("DF over the next hop's MTU: fragmentation needed with that MTU, FragFails; without DF it is not refused here", async () => {
  const { e, n0, n1 } = await router();
  const big = ipv4("192.0.2.10", "198.51.100.11", 17, new Uint8Array(1400), { df: true });
  n0.receive([ether(R0, A, 0x0800, big)]);
  e.run(1);
  assert.equal(n1.transmit().length, 0);
  const [f] = n0.transmit();
  const h = ip(f);
  assert.deepEqual([h[20], h[21]], [3, 4]);
  assert.equal((h[26] << 8) | h[27], 1280);                    // next-hop MTU
  assert.deepEqual(Array.from(h.subarray(28, 48)), Array.from(big.subarray(0, 20)));
  assert.equal(ctr(e, "FragFails"), 1);
  // exactly the MTU passes
  n0.receive([ether(R0, A, 0x0800, ipv4("192.0.2.10", "198.51.100.11", 17, new Uint8Array(1280 - 20), { df: true }))]);
  e.run(1);
  assert.equal(n1.transmit().length, 1);
  assert.equal(ctr(e, "ForwDatagrams"), 2);                     // since 6.7 counted before the MTU check
  assert.equal(ctr(e, "OutTransmits"), 2);                      // the ICMP error and the packet that passed
});

test("out the way it came in: a host redirect to the better gateway, the packet forwarded all the same, rate-limited", async () => {
  const { e, n0 } = await router();
  const sent = (seq: number) => ipv4("192.0.2.10", "203.0.113.5", 1, icmpEcho(9, seq, new Uint8Array(8)));
  n0.receive([ether(R0, A, 0x0800, sent(1))]);
  e.run(1000);
  const out = n0.transmit();
  assert.equal(out.length, 2);
  const [redirect, fwd] = ip(out[0])[9] === 1 && ip(out[0])[20] === 5 ? out : [out[1], out[0]];
  const r = ip(redirect);
  assert.deepEqual([r[20], r[21]], [5, 1]);                     // redirect, host
  assert.equal(ipString(r, 24), "192.0.2.12");                 // the gateway to use instead
  assert.equal(ipString(r, 16), "192.0.2.10");
  assert.equal(r[28 + 8], 63);                                  // the quoted header already has TTL - 1
  assert.deepEqual(Array.from(fwd.subarray(0, 6)), Array.from(macBytes(GW2)));
  assert.equal(ip(fwd)[8], 63);
  // the second one within 40 ms (20 ms << 1) gets no redirect; after that it does
  n0.receive([ether(R0, A, 0x0800, sent(2))]);
  e.run(1030);
  assert.equal(n0.transmit().length, 1);
  n0.receive([ether(R0, A, 0x0800, sent(3))]);
  e.run(1041);
  assert.equal(n0.transmit().length, 2);
  assert.equal(ctr(e, "ForwDatagrams"), 3);
  assert.equal(icmpOut(e, 5), 2);
});

test("with forwarding off the packet is dropped as an address error, no ICMP; L2 broadcasts are never forwarded", async () => {
  const { e, n0, n1 } = await router(["sysctl -w net.ipv4.ip_forward=0"]);
  n0.receive([ether(R0, A, 0x0800, ipv4("192.0.2.10", "198.51.100.11", 17, new Uint8Array(8)))]);
  e.run(1);
  assert.equal(n1.transmit().length + n0.transmit().length, 0);
  assert.equal(ctr(e, "InAddrErrors"), 1);
  assert.equal(runCommand("sysctl -w net.ipv4.ip_forward=1", e).status, 0);
  n0.receive([ether(BROADCAST, A, 0x0800, ipv4("192.0.2.10", "198.51.100.11", 17, new Uint8Array(8)))]);
  e.run(2);
  assert.equal(n1.transmit().length + n0.transmit().length, 0);
  assert.equal(ctr(e, "ForwDatagrams"), 0);
});

function macBytes(m: string): number[] { return m.split(":").map((x) => parseInt(x, 16)); }

test("a datagram over the next hop's MTU without DF is fragmented (the kernel's 4000-byte example) and re-fragmented in place", async () => {
  const { e, n0, n1 } = await router(["ip link set eth0 mtu 9000", "ip link set eth1 mtu 1500"]);
  const data = Uint8Array.from({ length: 3980 }, (_, i) => (i * 7) & 255);
  const sent = ipv4("192.0.2.10", "198.51.100.11", 17, data, { id: 0x4242 });
  n0.receive([ether(R0, A, 0x0800, sent)]);
  e.run(1);
  const frags = n1.transmit().map(ip);
  assert.deepEqual(frags.map((h) => (h[2] << 8) | h[3]), [1500, 1500, 1040]);            // tot_len
  assert.deepEqual(frags.map((h) => (h[6] << 8) | h[7]), [0x2000, 0x2000 | 185, 370]);  // MF | offset / 8
  for (const h of frags) {
    assert.equal((h[4] << 8) | h[5], 0x4242);
    assert.equal(h[8], 63);
    assert.equal(inetChecksum(h.subarray(0, 20)), 0);
  }
  assert.deepEqual(Array.from(Buffer.concat(frags.map((h) => h.subarray(20)))), Array.from(data));
  let ip4 = e.counters().ip;
  assert.deepEqual([ip4.ForwDatagrams, ip4.FragCreates, ip4.FragOKs, ip4.FragFails], [1, 3, 1, 0]);

  // a middle fragment (offset 1480, MF) too big for a 1280 link keeps its place and its MF
  assert.equal(runCommand("ip link set eth1 mtu 1280", e).status, 0);
  const mid = ipv4("192.0.2.10", "198.51.100.11", 17, data.subarray(0, 1400), { id: 0x4243, mf: true, fragOffset: 1480 });
  n0.receive([ether(R0, A, 0x0800, mid)]);
  e.run(2);
  const re = n1.transmit().map(ip);
  assert.deepEqual(re.map((h) => (h[2] << 8) | h[3]), [1276, 164]);                    // 1256 + 144 data bytes
  assert.deepEqual(re.map((h) => (h[6] << 8) | h[7]), [0x2000 | 185, 0x2000 | (185 + 157)]);
  ip4 = e.counters().ip;
  assert.deepEqual([ip4.FragCreates, ip4.FragOKs], [5, 2]);
});

test("a next hop that never answers ARP: after the probes, host unreachable to the sender (arp_error_report)", async () => {
  const { e, n0, n1 } = await router();
  const sent = ipv4("192.0.2.10", "198.51.100.99", 17, new Uint8Array(12), { ttl: 9 });
  n0.receive([ether(R0, A, 0x0800, sent)]);
  e.run(10);
  assert.equal(n1.transmit().length, 1);                        // the first broadcast probe
  e.run(1010); e.run(2010);
  assert.equal(n1.transmit().length, 2);
  assert.equal(n0.transmit().length, 0);
  e.run(3010);
  const [f] = n0.transmit();
  const h = ip(f);
  assert.deepEqual([h[20], h[21]], [3, 1]);                     // destination unreachable, host
  assert.equal(ipString(h, 16), "192.0.2.10");
  assert.equal(h[28 + 8], 8);                                   // it was on its way: TTL already decreased
  assert.equal(e.counters().arp.res_failed, 1);
  const p = e.poolFree();
  assert.equal(p.skbs, p.totalSkbs);
});

test("icmp_errors_use_inbound_ifaddr: an error about a packet whose sender is routed elsewhere comes from the inbound address", async () => {
  // A source on eth1's side (via 198.51.100.11) sends in on eth0 with TTL 1. The time exceeded goes out
  // eth1: from eth1's address by default, from eth0's with the sysctl on (as a Linux router does;
  // checked with three namespaces).
  const { e, n0, n1 } = await router(["ip route add 100.64.0.0/24 via 198.51.100.11"]);
  const src = (v: number) => {
    runCommand(`sysctl -w net.ipv4.icmp_errors_use_inbound_ifaddr=${v}`, e);
    n0.receive([ether(R0, A, 0x0800, ipv4("100.64.0.5", "203.0.113.9", 1, icmpEcho(9, v, new Uint8Array(8)), { ttl: 1 }))]);
    e.run(2 + v);
    const out = n1.transmit();
    assert.equal(out.length, 1);
    assert.equal(ip(out[0])[20], 11);                            // time exceeded
    return ipString(ip(out[0]), 12);
  };
  assert.equal(src(0), "198.51.100.1");
  assert.equal(src(1), "192.0.2.1");
  assert.equal(n0.transmit().length, 0);
});
