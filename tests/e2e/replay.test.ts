// End to end: captures through `replay`, output frames byte-checked, counters and pools checked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { replay } from "../../host/replay.ts";
import { readPcap, readPcapFile, PcapWriter } from "../../host/drivers/pcap.ts";
import { ether, arp, ipv4, icmp, icmpEcho, udp, inetChecksum, macBytes, ipBytes, BROADCAST, concat } from "../../host/packet.ts";
import type { Engine } from "../../host/engine.ts";

const HOST = "02:00:00:00:00:01", PEER = "02:00:00:00:00:02";
const SETUP = `ip link set eth0 address ${HOST}
ip link set eth0 up
ip addr add 192.0.2.1/24 dev eth0
`;

function pcapOf(frames: [number, Uint8Array][]) {
  const w = new PcapWriter();
  for (const [ms, f] of frames) w.add(1_700_000_000_000 + ms, f);
  return readPcap(w.bytes());
}

/** No skb may stay allocated, and every buffer is either free or waiting in a fill ring. */
function assertNoLeak(engine: Engine) {
  engine.run(engine.now);   // take back the buffers the host completed after the last poll
  const p = engine.poolFree();
  assert.equal(p.skbs, p.totalSkbs, "skb structs leaked");
  let inFill = 0;
  const dv = engine.dv();
  for (const d of engine.devices()) {
    if (d.kind !== "nic") continue;
    const fill = engine.nic(d.ifindex).rawRing("fill");
    inFill += (dv.getUint32(fill, true) - dv.getUint32(fill + 4, true)) >>> 0;
  }
  assert.equal(p.buffers + inFill, p.totalBuffers, "packet buffers leaked");
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

test("demo scenario: ARP, echo, broadcast, OTHERHOST, port unreachable, runt, bad checksum, resolution", async () => {
  const dir = fileURLToPath(new URL("../../host/scenarios/demo/", import.meta.url));
  const input = readPcapFile(dir + "eth0.in.pcap");
  const r = await replay({ setup: readFileSync(dir + "setup.txt", "utf8"), inputs: [{ dev: "eth0", pcap: input }],
    outputs: ["eth0"], lingerMs: 5000 });
  assert.equal(r.setupFailures, 0, r.setupOutput);
  const t0 = input.records[0].tsMs;
  const sent = r.sent.map((f) => ({ t: f.tsMs - t0, f: f.data }));
  const req = (i: number) => input.records[i].data;

  // 1. ARP reply, exactly as the kernel builds it (42 bytes, no padding on a virtual NIC).
  assert.equal(sent[0].t, 0);
  assert.equal(hex(sent[0].f), hex(ether(PEER, HOST, 0x0806, arp(2, HOST, "192.0.2.1", PEER, "192.0.2.2"))));

  // 2. Echo replies: addresses swapped, type 0, code/id/seq/payload unchanged, checksums right, TTL 64, no DF.
  for (const [k, reqIdx] of [[1, 1], [2, 2]] as const) {
    const out = sent[k].f, q = req(reqIdx);
    assert.equal(sent[k].t, input.records[reqIdx].tsMs - t0);
    assert.equal(out.length, q.length);
    assert.equal(hex(out.subarray(0, 6)), hex(macBytes(PEER)));
    assert.equal(hex(out.subarray(6, 12)), hex(macBytes(HOST)));
    const ip = out.subarray(14);
    assert.equal(ip[0], 0x45);
    assert.equal(ip[1], q[15]);                         // TOS copied
    assert.equal((ip[6] << 8 | ip[7]) & 0x4000, 0);     // ICMP output never sets DF
    assert.equal(ip[8], 64);
    assert.equal(ip[9], 1);
    assert.equal(inetChecksum(ip, 0, 20), 0);
    assert.deepEqual([...ip.subarray(12, 16)], [192, 0, 2, 1]);
    assert.deepEqual([...ip.subarray(16, 20)], [192, 0, 2, 2]);
    const m = ip.subarray(20), qm = q.subarray(34);
    assert.equal(m[0], 0);
    assert.equal(hex(m.subarray(1, 2)), hex(qm.subarray(1, 2)));
    assert.equal(hex(m.subarray(4)), hex(qm.subarray(4)));
    assert.equal(inetChecksum(m), 0);
  }
  // IP ids of consecutive replies to the same peer come from one ip_idents bucket, which moves on by
  // one plus a random amount below the ms between them (ip_idents_reserve).
  const id = (f: Uint8Array) => (f[18] << 8) | f[19];
  const step = (id(sent[2].f) - id(sent[1].f)) & 0xffff, gap = sent[2].t - sent[1].t;
  assert.ok(gap > 0 && step >= 1 && step <= gap, `id step ${step} over ${gap} ms`);

  // 3. Port unreachable for the UDP datagram: TOS 0xc0, the whole offending datagram quoted.
  const pu = sent[3];
  assert.equal(pu.t, 2500);
  const pip = pu.f.subarray(14);
  assert.equal(pip[1], 0xc0);
  assert.equal(inetChecksum(pip, 0, 20), 0);
  assert.deepEqual([...pip.subarray(20, 22)], [3, 3]);
  assert.equal(inetChecksum(pip.subarray(20)), 0);
  assert.equal(hex(pip.subarray(28)), hex(req(5).subarray(14)));

  // 4. Resolution: 192.0.2.3 never answers (3 broadcast probes 1 s apart), 192.0.2.4 answers at 4.2 s.
  const arpReqs = sent.filter((s) => s.f[12] === 8 && s.f[13] === 6 && s.f[21] === 1);
  const who = (s: { f: Uint8Array }) => [...s.f.subarray(38, 42)].join(".");
  assert.deepEqual(arpReqs.filter((s) => who(s) === "192.0.2.3").map((s) => s.t), [3500, 4500, 5500]);
  assert.deepEqual(arpReqs.filter((s) => who(s) === "192.0.2.4").map((s) => s.t), [4000]);
  for (const s of arpReqs.filter((s) => who(s) !== "192.0.2.2")) {
    assert.equal(hex(s.f.subarray(0, 6)), "ffffffffffff");
    assert.equal(hex(s.f.subarray(28, 32)), hex(ipBytes("192.0.2.1")));   // sender IP = the queued packet's source
    assert.equal(hex(s.f.subarray(32, 38)), "000000000000");
  }
  const toD = sent.filter((s) => hex(s.f.subarray(0, 6)) === "020000000004");
  assert.equal(toD.length, 1);
  assert.equal(toD[0].t, 4200);
  assert.equal(toD[0].f[34], 0);                         // the queued echo reply, sent on resolution
  // 192.0.2.2's entry went STALE → DELAY at first use → PROBE after 5 s: unicast probes from 5.1 s.
  assert.deepEqual(arpReqs.filter((s) => who(s) === "192.0.2.2").map((s) => s.t), [5100, 6100, 7100]);
  for (const s of arpReqs.filter((s) => who(s) === "192.0.2.2")) assert.equal(hex(s.f.subarray(0, 6)), hex(macBytes(PEER)));

  // 5. Counters: each input accounted for.
  const c = r.engine.counters();
  const eth0 = r.engine.devices().find((d) => d.name === "eth0")!;
  assert.equal(eth0.stats.rx_packets, 10);            // the runt never became a packet
  assert.equal(eth0.stats.rx_length_errors, 1);
  assert.equal(eth0.stats.rx_errors, 1);
  assert.equal(eth0.stats.tx_packets, sent.length);
  // OTHERHOST is dropped before InReceives; the 8th is our own "host unreachable" about the echo
  // reply that could not be resolved (arp_error_report), sent to ourselves over lo as Linux does
  assert.equal(c.ip.InReceives, 8);
  assert.equal(c.ip.InHdrErrors, 1);
  assert.equal(c.ip.InCsumErrors, 1);
  assert.equal(c.ip.InBcastPkts, 1);
  assert.equal(c.icmp.InMsgs, 6);
  assert.equal(c.icmpMsg.in[3], 1);
  assert.equal(c.icmp.InErrors, 1);                   // the broadcast echo (icmp_echo_ignore_broadcasts)
  assert.equal(c.icmpMsg.in[8], 5);
  assert.equal(c.icmpMsg.out[0], 4);
  assert.equal(c.icmpMsg.out[3], 2);                  // port unreachable, host unreachable
  assert.equal(c.udp.NoPorts, 1);
  assert.equal(c.drops.OTHERHOST, 1);
  assert.equal(c.drops.PKT_TOO_SMALL, 1);
  assert.equal(c.drops.IP_CSUM, 1);
  assert.equal(c.drops.ICMP_INVALID, 1);
  assert.equal(c.drops.NO_SOCKET, 1);
  assert.equal(c.drops.NEIGH_FAILED, 1);              // the reply queued for 192.0.2.3
  assert.equal(c.arp.res_failed, 2);                  // 192.0.2.3, then 192.0.2.2 after its unicast probes
  assertNoLeak(r.engine);
});

test("malformed and lying input: counted drops, no trap, no leak", async () => {
  const q = (ip: Uint8Array) => ether(HOST, PEER, 0x0800, ip);
  const good = ipv4("192.0.2.2", "192.0.2.1", 1, icmpEcho(7, 1, new Uint8Array(16)));
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
  const garbage = Array.from({ length: 200 }, () => Uint8Array.from({ length: rnd() % 120 }, () => rnd() & 255));
  const frames: [number, Uint8Array][] = [
    [0, ether(BROADCAST, PEER, 0x0806, arp(1, PEER, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1"))],
    [0, q(good.subarray(0, 19))],                                           // shorter than an IP header
    [1, q(ipv4("192.0.2.2", "192.0.2.1", 1, new Uint8Array(8), { ihl: 4 }))],   // ihl < 5
    [2, q(ipv4("192.0.2.2", "192.0.2.1", 1, new Uint8Array(8), { version: 6 }))],
    [3, q(ipv4("192.0.2.2", "192.0.2.1", 1, new Uint8Array(8), { ihl: 15 }))],  // claims 60 header bytes
    [4, q(ipv4("192.0.2.2", "192.0.2.1", 1, new Uint8Array(8), { totLen: 1400 }))], // longer than the frame
    [5, q(ipv4("192.0.2.2", "192.0.2.1", 1, new Uint8Array(8), { totLen: 12 }))],   // shorter than its header
    [6, q(ipv4("192.0.2.2", "192.0.2.1", 1, icmp(8, 0, 0, new Uint8Array(4), true)))], // bad ICMP checksum
    [7, q(ipv4("192.0.2.2", "192.0.2.1", 1, Uint8Array.of(8, 0, 0xf7, 0xff)))],       // ICMP shorter than 8
    [8, q(ipv4("192.0.2.2", "192.0.2.1", 1, icmp(44, 0, 0, new Uint8Array(4))))],     // unknown ICMP type (42, 43: extended echo)
    [9, q(ipv4("192.0.2.2", "192.0.2.1", 17, Uint8Array.of(0, 1, 0, 2, 0, 200, 0, 0)))], // UDP length lies
    [10, q(ipv4("192.0.2.2", "192.0.2.1", 99, new Uint8Array(10)))],                 // unknown protocol
    [11, ether(BROADCAST, PEER, 0x0806, arp(1, PEER, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1").subarray(0, 27))],
    [12, ether(BROADCAST, PEER, 0x0806, concat(Uint8Array.of(0, 1, 8, 0, 4, 4), arp(1, PEER, "192.0.2.2", PEER, "192.0.2.1").subarray(6)))],
    [13, ether(HOST, PEER, 0x86dd, new Uint8Array(40))],                              // no IPv6 yet
    [14, ether(HOST, PEER, 0x0800, concat(good, new Uint8Array(20)))],               // Ethernet padding: trimmed
    ...garbage.map((g, i) => [20 + i, g] as [number, Uint8Array]),
    ...garbage.map((g, i) => [300 + i, q(g)] as [number, Uint8Array]),
    [1000, q(good)],
  ];
  const r = await replay({ setup: SETUP, inputs: [{ dev: "eth0", pcap: pcapOf(frames) }], outputs: ["eth0"] });
  const c = r.engine.counters();
  assert.ok(c.ip.InHdrErrors >= 5, `InHdrErrors ${c.ip.InHdrErrors}`);
  assert.ok(c.ip.InTruncatedPkts >= 1);
  assert.ok(c.icmp.InCsumErrors >= 1);
  assert.ok(c.icmp.InErrors >= 3);
  assert.ok(c.udp.InErrors >= 1);
  assert.ok(c.ip.InUnknownProtos >= 1);
  assert.ok(c.drops.ARP_INVALID >= 1);
  assert.ok(c.drops.UNHANDLED_PROTO >= 1);
  // The padded echo and the last good echo are both answered, with the unpadded length.
  const replies = r.sent.filter((s) => s.data[23] === 1 && s.data[34] === 0);
  assert.equal(replies.length, 2);
  for (const s of replies) assert.equal(s.data.length, 14 + good.length);
  // The unknown protocol got protocol unreachable.
  assert.ok(r.sent.some((s) => s.data[23] === 1 && s.data[34] === 3 && s.data[35] === 2));
  assertNoLeak(r.engine);
});

test("a flood of pings from thousands of unresolved neighbours: bounded tables, no trap, no leak", async () => {
  const frames: [number, Uint8Array][] = [];
  for (let i = 0; i < 3000; i++) {
    const src = `10.1.${i >> 8}.${(i & 255) + 1 === 256 ? 255 : (i & 255) + 1}`;
    frames.push([i % 500, ether(HOST, PEER, 0x0800, ipv4(src, "192.0.2.1", 1, icmpEcho(i, 1, new Uint8Array(32))))]);
  }
  const setup = SETUP + "ip addr add 10.1.255.254/16 dev eth0\n";
  // A small buffer pool: queued replies hold buffers, the fill ring can run dry and the host then misses
  // frames (counted, as a NIC out of descriptors); every frame is accounted for one way or the other.
  const small = await replay({ setup, inputs: [{ dev: "eth0", pcap: pcapOf(frames) }], outputs: ["eth0"], lingerMs: 10000,
    engine: { buffers: 1024 } });
  assert.equal(small.engine.counters().ip.InReceives + small.missed.eth0, 3000);
  assert.ok(small.missed.eth0 > 0);
  assertNoLeak(small.engine);
  // Enough buffers: now the neighbour table (gc_thresh3 = 1024 entries) is what fills.
  const r = await replay({ setup, inputs: [{ dev: "eth0", pcap: pcapOf(frames) }], outputs: ["eth0"], lingerMs: 10000 });
  const c = r.engine.counters();
  assert.equal(r.missed.eth0, 0);
  assert.equal(c.ip.InReceives, 3000);
  assert.ok(c.arp.table_fulls > 0, "the neighbour table never filled");
  // A reply was built for every echo request, then dropped with a reason: resolution failed, or no
  // neighbour entry could be had (table full of entries still resolving).
  assert.equal(c.icmpMsg.out[0], 3000);
  assert.ok(c.drops.NEIGH_FAILED + c.drops.NEIGH_DEAD + c.drops.NOMEM > 0);
  assert.equal(r.sent.filter((s) => s.data[12] === 8 && s.data[13] === 0).length, 0);
  assertNoLeak(r.engine);
});
