// IPv4 reassembly through the rings (spec 4.9, a current kernel's ip_defrag): fragments of an echo
// request to us in order, out of order and duplicated are answered once (the reply, over the MTU, is
// fragmented on output); an overlap or a contradicting last fragment loses the datagram; a queue
// that times out after ipfrag_time answers "reassembly time exceeded" only if its first fragment came.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runCommand } from "../../host/commands/index.ts";
import { ether, ipv4, icmpEcho, arp, inetChecksum, BROADCAST } from "../../host/packet.ts";

const HOST = "02:00:00:00:00:01", PEER = "02:00:00:00:00:02";

async function host() {
  const e = await Engine.load({ seed: 5 });
  for (const l of ["ip link add eth0 type nic", `ip link set eth0 address ${HOST}`, "ip link set eth0 up",
    "ip addr add 192.0.2.1/24 dev eth0"]) assert.equal(runCommand(l, e).status, 0, l);
  const nic = e.nic(e.ifindex("eth0"));
  nic.receive([ether(BROADCAST, PEER, 0x0806, arp(1, PEER, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1"))]);
  e.run(0);
  nic.transmit();
  return { e, nic };
}

/** Fragment [offset, offset + len) of an IPv4 datagram (20-byte header), MF as given. */
function frag(dgram: Uint8Array, offset: number, len: number, mf: boolean): Uint8Array {
  const f = new Uint8Array(20 + len);
  f.set(dgram.subarray(0, 20));
  f.set(dgram.subarray(20 + offset, 20 + offset + len), 20);
  f[2] = (20 + len) >> 8; f[3] = (20 + len) & 255;
  const fo = (mf ? 0x2000 : 0) | (offset >> 3);
  f[6] = fo >> 8; f[7] = fo & 255;
  f[10] = 0; f[11] = 0;
  const c = inetChecksum(f.subarray(0, 20));
  f[10] = c >> 8; f[11] = c & 255;
  return ether(HOST, PEER, 0x0800, f);
}

const payload = Uint8Array.from({ length: 2992 }, (_, i) => (i * 13) & 255);
const request = (id: number) => ipv4("192.0.2.2", "192.0.2.1", 1, icmpEcho(0x77, id, payload), { id: 0x5100 + id });
const pieces = (d: Uint8Array) => [frag(d, 0, 1480, true), frag(d, 1480, 1480, true), frag(d, 2960, d.length - 20 - 2960, false)];

/** The engine's answer: its IP fragments put back together (checked), as ICMP bytes. */
function reply(frames: Uint8Array[]): Uint8Array {
  const ips = frames.map((f) => f.subarray(14));
  for (const h of ips) assert.equal(inetChecksum(h.subarray(0, 20)), 0);
  const total = Math.max(...ips.map((h) => ((((h[6] << 8) | h[7]) & 0x1fff) << 3) + ((h[2] << 8) | h[3]) - 20));
  const out = new Uint8Array(total);
  for (const h of ips) out.set(h.subarray(20, (h[2] << 8) | h[3]), (((h[6] << 8) | h[7]) & 0x1fff) << 3);
  return out;
}

function assertEchoReply(icmp: Uint8Array, id: number): void {
  assert.deepEqual([icmp[0], icmp[1]], [0, 0]);
  assert.equal(inetChecksum(icmp), 0);
  assert.equal((icmp[6] << 8) | icmp[7], id);
  assert.deepEqual(Array.from(icmp.subarray(8)), Array.from(payload));
}

test("fragments of an echo request, in order, out of order and with a duplicate, get one (fragmented) reply each", async () => {
  const { e, nic } = await host();
  const [a, b, c] = pieces(request(1));
  nic.receive([a, b, c]);
  e.run(1);
  const r1 = nic.transmit();
  assert.equal(r1.length, 3);                                   // 3020-byte reply over a 1500 MTU
  assertEchoReply(reply(r1), 1);

  const [x, y, z] = pieces(request(2));
  nic.receive([z, x, x, y]);                                     // last first, a duplicate of the first
  e.run(2);
  assertEchoReply(reply(nic.transmit()), 2);
  const ip = e.counters().ip;
  assert.deepEqual([ip.ReasmReqds, ip.ReasmOKs, ip.ReasmFails], [7, 2, 0]);
  assert.deepEqual([ip.FragOKs, ip.FragCreates], [2, 6]);
  assert.equal(e.counters().icmpMsg.in[8], 2);
});

test("an overlapping fragment or a last fragment that contradicts the length loses the datagram", async () => {
  const { e, nic } = await host();
  const d = request(3);
  nic.receive([frag(d, 0, 1480, true), frag(d, 1472, 1480, true), frag(d, 2952, d.length - 20 - 2952, false)]);
  e.run(1);
  assert.equal(nic.transmit().length, 0);
  const d2 = request(4);
  nic.receive([frag(d2, 1480, 1480, true), frag(d2, 8, 992, false)]);   // a last fragment ending before data seen
  e.run(2);
  assert.equal(nic.transmit().length, 0);
  let ip = e.counters().ip;
  assert.equal(ip.ReasmFails, 2);
  assert.equal(ip.ReasmOverlaps, 1);                            // the first; the second is a contradiction
  assert.equal(ip.ReasmOKs, 0);
  // the overlap killed the first queue: request 3's last fragment started a new one, which expires
  e.run(40_000);
  assert.equal(nic.transmit().length, 0);                       // no first fragment: no ICMP
  ip = e.counters().ip;
  assert.deepEqual([ip.ReasmFails, ip.ReasmTimeout], [3, 1]);
  const p = e.poolFree();
  assert.equal(p.skbs, p.totalSkbs);                            // nothing left queued or leaked
});

test("after ipfrag_time a queue expires: time exceeded (reassembly) only when the first fragment came", async () => {
  const { e, nic } = await host();
  const [a] = pieces(request(5));
  const [, , c] = pieces(request(6));
  nic.receive([a, c]);
  e.run(1000);
  e.run(30_999);
  assert.equal(nic.transmit().length, 0);
  e.run(31_001);
  const out = nic.transmit();
  assert.equal(out.length, 1);                                   // for request 5 only
  const h = out[0].subarray(14);
  assert.deepEqual([h[20], h[21]], [11, 1]);
  assert.deepEqual(Array.from(h.subarray(28, 48)), Array.from(a.subarray(14, 34)));   // the first fragment's header
  const ip = e.counters().ip;
  assert.deepEqual([ip.ReasmTimeout, ip.ReasmFails], [2, 2]);
  const p = e.poolFree();
  assert.equal(p.skbs, p.totalSkbs);
});

test("random fragments (to us and to forward, any offset, length, MF, options, truncation): counted, no trap, no leak", async () => {
  const { e, nic } = await host();
  assert.equal(runCommand("ip link add eth1 type nic", e).status, 0);
  for (const l of ["ip link set eth1 mtu 576", "ip link set eth1 up", "ip addr add 198.51.100.1/24 dev eth1",
    "sysctl -w net.ipv4.ip_forward=1"]) assert.equal(runCommand(l, e).status, 0, l);
  const n1 = e.nic(e.ifindex("eth1"));
  n1.receive([ether(BROADCAST, "02:00:00:00:01:0b", 0x0806,
    arp(1, "02:00:00:00:01:0b", "198.51.100.11", "00:00:00:00:00:00", "198.51.100.1"))]);
  let seed = 4242;
  const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n;
  let now = 10;
  for (let round = 0; round < 40; round++) {
    const frames: Uint8Array[] = [];
    for (let k = 0; k < 64; k++) {
      const dst = rnd(3) === 0 ? "198.51.100.11" : "192.0.2.1";
      const len = rnd(1400);
      const opts = rnd(4) === 0 ? Uint8Array.of(7, 7, 4, 0, 0, 0, 0, 0) : new Uint8Array(0);   // record route, padded
      const d = ipv4("192.0.2.2", dst, [1, 17, 99][rnd(3)], Uint8Array.from({ length: len }, () => rnd(256)),
        { id: 0x700 + rnd(6), mf: rnd(2) === 0, fragOffset: rnd(3) === 0 ? rnd(8192) * 8 : rnd(4) * 8 * rnd(200), df: rnd(8) === 0, ttl: 1 + rnd(4), options: opts });
      const f = ether(HOST, PEER, 0x0800, d);
      frames.push(rnd(10) === 0 ? f.subarray(0, 14 + rnd(d.length)) : f);     // now and then cut short
    }
    nic.receive(frames);
    e.run(now += 50);
    nic.transmit(); n1.transmit();
  }
  e.run(now + 31_000);                                            // every queue expires
  nic.transmit(); n1.transmit();
  e.run(now + 31_001);
  const ip = e.counters().ip;
  assert.ok(ip.ReasmReqds > 0 && ip.ReasmFails > 0, JSON.stringify(ip));
  assert.ok(ip.ForwDatagrams + ip.FragFails + ip.InHdrErrors > 0);
  const p = e.poolFree();
  assert.equal(p.skbs, p.totalSkbs);                             // nothing leaked, nothing left queued
});
