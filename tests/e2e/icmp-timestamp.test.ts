// ICMP timestamp requests (icmp_timestamp, RFC 792): the reply keeps id and sequence, copies the
// originate timestamp and sets receive and transmit to the ms since midnight UT of the host's clock
// (taken as Unix time in ms). A request with fewer than 4 bytes after the header is an InErrors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runCommand } from "../../host/commands/index.ts";
import { ether, ipv4, icmp, arp, inetChecksum, ipString, BROADCAST } from "../../host/packet.ts";

const HOST = "02:00:00:00:00:01", PEER = "02:00:00:00:00:02";

test("a timestamp request is answered with receive and transmit times; a short one is an error", async () => {
  const e = await Engine.load({ seed: 6 });
  for (const l of ["ip link add eth0 type nic", `ip link set eth0 address ${HOST}`, "ip link set eth0 up",
    "ip addr add 192.0.2.1/24 dev eth0"]) assert.equal(runCommand(l, e).status, 0, l);
  const nic = e.nic(e.ifindex("eth0"));
  nic.receive([ether(BROADCAST, PEER, 0x0806, arp(1, PEER, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1"))]);
  const day = 86_400_000, now = 1_700_000_000_000 + 12_345;         // some Unix time in ms
  e.run(now);
  nic.transmit();
  // type 13, id 0x1234, seq 7; originate 0x01020304, receive and transmit 0
  const req = icmp(13, 0, 0x12340007, Uint8Array.of(1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0));
  nic.receive([ether(HOST, PEER, 0x0800, ipv4("192.0.2.2", "192.0.2.1", 1, req, { tos: 0x10 })),
    ether(HOST, PEER, 0x0800, ipv4("192.0.2.2", "192.0.2.1", 1, icmp(13, 0, 0x12340008, Uint8Array.of(1, 2))))]);
  e.run(now);
  const out = nic.transmit();
  assert.equal(out.length, 1);
  const h = out[0].subarray(14);
  assert.equal(ipString(h, 12), "192.0.2.1");
  assert.equal(h[1], 0x10);                                        // the request's TOS
  const m = h.subarray(20);
  assert.equal(m.length, 20);
  assert.equal(inetChecksum(m), 0);
  assert.deepEqual(Array.from(m.subarray(0, 2)), [14, 0]);
  assert.deepEqual(Array.from(m.subarray(4, 12)), [0x12, 0x34, 0, 7, 1, 2, 3, 4]);
  const ms = now % day;
  const be = [ms >>> 24, (ms >>> 16) & 255, (ms >>> 8) & 255, ms & 255];
  assert.deepEqual(Array.from(m.subarray(12, 16)), be);
  assert.deepEqual(Array.from(m.subarray(16, 20)), be);
  const c = e.counters();
  assert.equal(c.icmpMsg.in[13], 2);
  assert.equal(c.icmpMsg.out[14], 1);
  assert.equal(c.icmp.InErrors, 1);
});
