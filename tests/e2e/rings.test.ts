// The host side of the rings is not trusted: hostile descriptors are refused and counted, and the
// engine keeps working without leaking a buffer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runCommand } from "../../host/commands/index.ts";
import { ether, ipv4, icmpEcho, arp, BROADCAST } from "../../host/packet.ts";

const HOST = "02:00:00:00:00:01", PEER = "02:00:00:00:00:02";

async function engineWithNic() {
  const e = await Engine.load();
  for (const l of ["ip link add eth0 type nic", `ip link set eth0 address ${HOST}`, "ip link set eth0 up",
    "ip addr add 192.0.2.1/24 dev eth0"]) {
    const r = runCommand(l, e);
    assert.equal(r.status, 0, `${l}: ${r.stderr}`);
  }
  const idx = e.ifindex("eth0");
  e.run(0);
  return { e, idx, nic: e.nic(idx) };
}

const echo = ether(HOST, PEER, 0x0800, ipv4("192.0.2.2", "192.0.2.1", 1, icmpEcho(1, 1, new Uint8Array(32))));
const arpReq = ether(BROADCAST, PEER, 0x0806, arp(1, PEER, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1"));

function postRaw(e: Engine, rx: number, descs: [number, number][]) {
  const dv = e.dv();
  let prod = dv.getUint32(rx, true);
  for (const [addr, len] of descs) {
    const d = rx + 64 + (prod & 1023) * 16;
    dv.setUint32(d, addr, true); dv.setUint32(d + 4, len, true);
    prod = (prod + 1) >>> 0;
  }
  dv.setUint32(rx, prod, true);
}

test("RX descriptors outside the host's buffers are refused and counted", async () => {
  const { e, idx, nic } = await engineWithNic();
  const before = e.poolFree();
  const rx = nic.rawRing("rx");
  const base = e.exports.bufAreaBase() as number;
  const size = e.exports.bufSize() as number;
  postRaw(e, rx, [
    [0, 60],                                  // address 0
    [8, 60],                                  // inside the core's own data
    [base - 4, 60],                           // just below the buffer area
    [base + (e.exports.bufTotal() as number) * size, 60], // just past it
    [0xfffffff0, 60],
  ]);
  e.run(1);
  const c = e.counters();
  assert.equal(c.drops.BAD_DESCRIPTOR, 5);
  assert.equal(e.devices().find((d) => d.ifindex === idx)!.stats.rx_errors, 5);
  assert.deepEqual(e.poolFree(), before);
  // Still works.
  nic.receive([arpReq, echo]);
  e.run(2);
  assert.equal(nic.transmit().length, 2);
});

test("a buffer the host was given, with a lying length, is refused and taken back", async () => {
  const { e, nic } = await engineWithNic();
  const dv = e.dv();
  const fill = nic.rawRing("fill");
  const cons = dv.getUint32(fill + 4, true);
  const addr = dv.getUint32(fill + 64 + (cons & 1023) * 16, true);
  dv.setUint32(fill + 4, cons + 1, true);
  postRaw(e, nic.rawRing("rx"), [[addr, 1 << 20]]);
  e.run(1);
  assert.equal(e.counters().drops.BAD_DESCRIPTOR, 1);
  // Taken back: every buffer is free or waiting in the fill ring again.
  const p = e.poolFree();
  const inFill = (dv.getUint32(fill, true) - dv.getUint32(fill + 4, true)) >>> 0;
  assert.equal(p.buffers + inFill, p.totalBuffers);
  assert.equal(p.skbs, p.totalSkbs);
});

test("a producer index claiming more than the ring holds is refused", async () => {
  const { e, nic } = await engineWithNic();
  const rx = nic.rawRing("rx");
  const dv = e.dv();
  dv.setUint32(rx, dv.getUint32(rx + 4, true) + 5000, true);
  e.run(1);
  assert.ok(e.counters().drops.BAD_DESCRIPTOR >= 1);
  nic.receive([arpReq]);
  e.run(2);
  assert.equal(nic.transmit().length, 1);
});

test("completions for buffers the host does not hold are refused", async () => {
  const { e, nic } = await engineWithNic();
  nic.receive([arpReq]);
  e.run(1);
  const comp = nic.rawRing("comp");
  const dv = e.dv();
  const base = e.exports.bufAreaBase() as number;
  // Complete a buffer still on the core's free list (the last one) and an out-of-range address.
  let prod = dv.getUint32(comp, true);
  const last = base + ((e.exports.bufTotal() as number) - 1) * (e.exports.bufSize() as number);
  for (const a of [last, 12345]) {
    dv.setUint32(comp + 64 + (prod & 1023) * 16, a, true); prod++;
  }
  dv.setUint32(comp, prod, true);
  const before = e.exports.bufsFree();
  e.run(2);
  assert.equal(e.counters().drops.BAD_DESCRIPTOR, 2);
  assert.ok(e.exports.bufsFree() <= before);
  assert.equal(nic.transmit().length, 1);
});

test("bursts larger than the fill ring: the host counts what it could not post, the core drops nothing silently", async () => {
  const { e, nic } = await engineWithNic();
  nic.receive([arpReq]);
  e.run(1); nic.transmit();
  const burst = Array.from({ length: 700 }, () => echo);
  const posted = nic.receive(burst);
  assert.equal(posted + nic.stats.rxNoBuffer, 700);
  let out = 0;
  for (let t = 2; t < 20; t++) { e.run(t); out += nic.transmit().length; }
  assert.equal(out, posted);
});

test("NICs share a small pool: each one created later still gets fill buffers, and all of them answer", async () => {
  const e = await Engine.load({ seed: 2, buffers: 256, bufferShift: 14, skbs: 256, timers: 1024 });
  const names = ["eth0", "eth1", "eth2", "eth3"];
  names.forEach((n, i) => {
    for (const l of [`ip link add ${n} type nic`, `ip link set ${n} address 02:00:00:00:0${i}:01`, `ip link set ${n} up`,
      `ip addr add 192.0.${i}.1/24 dev ${n}`]) assert.equal(runCommand(l, e).status, 0, l);
  });
  for (const [i, n] of names.entries()) {
    const nic = e.nic(e.ifindex(n));
    const mac = `02:00:00:00:0${i}:01`, peer = `02:00:00:00:0${i}:02`;
    nic.receive([ether(BROADCAST, peer, 0x0806, arp(1, peer, `192.0.${i}.2`, "00:00:00:00:00:00", `192.0.${i}.1`)),
      ether(mac, peer, 0x0800, ipv4(`192.0.${i}.2`, `192.0.${i}.1`, 1, icmpEcho(1, i, new Uint8Array(8))))]);
    assert.equal(nic.stats.rxNoBuffer, 0, `${n} had no buffer to post into`);
  }
  e.run(1);
  for (const n of names) assert.equal(e.nic(e.ifindex(n)).transmit().length, 2, `${n}: ARP reply and echo reply`);
  const p = e.poolFree();
  assert.equal(p.skbs, p.totalSkbs);
});
