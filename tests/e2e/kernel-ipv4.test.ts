// Against the real kernel, the IPv4 receive, forward and reply paths. First, IP options (record
// route, timestamps) through the engine as a router and as the pinged host: the same pings run in two
// copies of one topology with the same addresses, A - engine - B (namespaces on TAP devices) and
// A - Linux router - B (three namespaces on veth pairs); ping prints the options of each reply, and
// the outputs must be the same line for line, the timestamps' values aside. Then crafted packets go
// to a Linux host from a packet socket and to the engine: options good and bad (parameter problems
// and their pointers, END padding, full and overflowing entries, duplicates, source routes on a
// router, CIPSO), fragments (options in the first, re-fragmenting, runs and overlaps,
// ipfrag_max_dist), ICMP errors over a small-MTU route and after a failed resolution, ECN fields,
// reverse-path refusals, UDP checksums, TCP segments to a host without sockets (resets), IGMP, ARP
// requests (with arp_ignore 0-3 and 8), unsolicited ARP (arp_accept 0-2: the entries it makes),
// the sources of our own requests (arp_announce 0-2), ICMP errors sent to us (what is learned, what
// counts as InErrors). The IPv4 and ARP packets that come back must be the same bytes (the IP id and header checksum aside), and at the
// end the IP, IpExt, ICMP, UDP, TCP and reverse-path-filter counters must be the same. Skipped,
// visibly, where namespaces or TAP cannot be used here.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runCommand } from "../../host/commands/index.ts";
import { ether, ipv4, icmp, udp, tcp, arp as arpPkt, inetChecksum as inetCheck, type TcpOpts } from "../../host/packet.ts";
import { prepare } from "../../host/replay.ts";
import { attachTap } from "../../host/drivers/tap-link.ts";
import {
  kernelTestAvailability, skipOrRun, uniqueName, testSubnet, createNetns, deleteNetns, createTap, createVeth,
  deleteLink, moveToNetns, nsExec, nsExecAsync, which,
} from "../helpers/netns.ts";

const reason = kernelTestAvailability({ tap: true, tools: ["ping"] });
const EA = uniqueName("woea"), EB = uniqueName("woeb");           // engine side
const LA = uniqueName("wola"), LR = uniqueName("wolr"), LB = uniqueName("wolb");   // Linux side
const TAPA = uniqueName("woa"), TAPB = uniqueName("wob");
const VA = uniqueName("wova"), VRA = uniqueName("wovra"), VB = uniqueName("wovb"), VRB = uniqueName("wovrb");
const LP = uniqueName("wolp"), LH = uniqueName("wolh"), VP = uniqueName("wovp"), VH = uniqueName("wovh");
const [a1, b1, c1] = testSubnet(103), [a2, b2, c2] = testSubnet(104), [a3, b3, c3] = testSubnet(105);
const NETA = `${a1}.${b1}.${c1}`, NETB = `${a2}.${b2}.${c2}`;
let stop: (() => void) | undefined;
let created = false;

after(() => {
  stop?.();
  if (created) {
    for (const ns of [EA, EB, LA, LR, LB, LP, LH]) deleteNetns(ns);
    for (const l of [TAPA, TAPB, VA, VRA, VB, VRB, VP, VH]) deleteLink(l);
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

// Sends each case's frames (hex, comma-separated) from a packet socket on the interface, and prints,
// per case, the IPv4 and ARP frames that arrived within the given number of seconds.
const INJECT = `
import socket, sys, time, json, select
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
wait = float(sys.argv[2])
out = []
for h in sys.argv[3:]:
    while select.select([s], [], [], 0)[0]: s.recv(65535)
    for f in h.split(","): s.send(bytes.fromhex(f))
    got, end = [], time.time() + wait
    while select.select([s], [], [], max(0, end - time.time()))[0]:
        f, addr = s.recvfrom(65535)
        if addr[2] != socket.PACKET_OUTGOING and f[12:14] in (b"\\x08\\x00", b"\\x08\\x06"): got.append(f.hex())
    out.append(got)
print(json.dumps(out))
`;

const HOST_MAC = "02:00:00:00:00:01", PEER_MAC = "02:00:00:00:00:02";
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
/** An IPv4 packet from a frame, with the id and the header checksum cleared; an ARP frame whole. */
function ipPart(frameHex: string): string {
  if (frameHex.slice(24, 28) === "0806") return frameHex;
  const b = Buffer.from(frameHex, "hex").subarray(14);
  b[4] = b[5] = b[10] = b[11] = 0;
  return b.toString("hex");
}

test("crafted packets (options, source routes, fragments, ECN, reverse path): the engine answers or drops each as a Linux host does", async (t) => {
  if (!skipOrRun(t, reason ?? (which("python3") ? null : "python3 is missing (apt-get install python3)"))) return;
  const NET = `${a3}.${b3}.${c3}`, PEER = `${NET}.1`, HOST = `${NET}.2`;
  createNetns(LP); createNetns(LH);
  createVeth(VP, VH);
  created = true;
  moveToNetns(VP, LP); moveToNetns(VH, LH);
  nsExec(LP, ["ip", "link", "set", VP, "address", PEER_MAC]);
  nsExec(LP, ["ip", "link", "set", VP, "up"]);
  nsExec(LH, ["ip", "link", "set", VH, "address", HOST_MAC]);
  nsExec(LH, ["ip", "addr", "add", `${HOST}/24`, "dev", VH]);
  nsExec(LH, ["ip", "link", "set", VH, "up"]);
  nsExec(LH, ["ip", "neigh", "add", PEER, "lladdr", PEER_MAC, "dev", VH, "nud", "permanent"]);
  nsExec(LH, ["sysctl", "-qw", "net.ipv4.icmp_ratelimit=0"]);

  const e = await Engine.load({ seed: 12 });
  for (const l of ["ip link add eth0 type nic", `ip link set eth0 address ${HOST_MAC}`, "ip link set eth0 up",
    `ip addr add ${HOST}/24 dev eth0`, `ip neigh add ${PEER} lladdr ${PEER_MAC} dev eth0 nud permanent`,
    "sysctl -w net.ipv4.icmp_ratelimit=0"]) assert.equal(runCommand(l, e).status, 0, l);
  const nic = e.nic(e.ifindex("eth0"));

  const ping = (options: number[]) => ether(HOST_MAC, PEER_MAC, 0x0800,
    ipv4(PEER, HOST, 1, icmp(8, 0, 0x42420001, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)), { options: Uint8Array.from(options) }));
  const z = (n: number) => new Array<number>(n).fill(0);
  // an echo request in two fragments, RR in the first: the reply echoes the reassembled datagram's
  const msg = icmp(8, 0, 0x42420003, Uint8Array.from({ length: 24 }, (_, i) => i));
  const frag = (off: number, options: number[]) => ether(HOST_MAC, PEER_MAC, 0x0800, ipv4(PEER, HOST, 1,
    msg.subarray(off, off + 16), { options: Uint8Array.from(options), id: 0x7777, fragOffset: off, mf: off === 0 }));
  const cases: Array<[string, Uint8Array, ...Uint8Array[]]> = [
    ["fragments, RR in the first", frag(0, [7, 11, 4, ...z(8), 0]), frag(16, [])],
    ["RR with room", ping([7, 11, 4, ...z(8), 0])],
    ["RR full on arrival", ping([7, 11, 12, ...z(8), 0])],
    ["RR with room for us but not for the reply", ping([7, 9, 4, ...z(6), 0, 0, 0])],
    ["RR pointer below 4", ping([7, 7, 3, ...z(4), 0])],
    ["RR pointer inside the last entry", ping([7, 9, 8, ...z(6), 0, 0, 0])],
    ["length past the options", ping([7, 40, 4, 0])],
    ["length below 2", ping([0x44, 1, 0, 0])],
    ["type byte with no room for a length", ping([1, 1, 1, 0x44])],
    ["two RR options", ping([7, 3, 4, 7, 3, 4, 0, 0])],
    ["bytes after END", ping([0, 5, 5, 5])],
    ["NOOPs and an unknown option", ping([1, 1, 0x9e, 6, 1, 2, 3, 4])],
    ["TS overflow counter at 15", ping([0x44, 12, 13, 0xf0, ...z(8)])],
    ["TS full: overflow counted", ping([0x44, 12, 13, 0x10, ...z(8)])],
    ["TS with an unknown flag", ping([0x44, 12, 5, 0x02, ...z(8)])],
    ["TS pointer below 5", ping([0x44, 12, 4, 0x00, ...z(8)])],
    ["TS and addresses with room for half an entry", ping([0x44, 8, 5, 0x01, ...z(4)])],
    ["TS prespecified, not ours", ping([0x44, 12, 5, 0x03, 192, 0, 2, 9, ...z(4)])],
    ["router alert", ping([0x94, 4, 0, 0])],
    ["router alert too short", ping([0x94, 3, 0, 0])],
    ["LSRR (source routes not accepted)", ping([0x83, 7, 4, 192, 0, 2, 9, 0])],
    ["SSRR pointer below 4", ping([0x89, 7, 3, 192, 0, 2, 9, 0])],
    ["two source routes", ping([0x83, 3, 4, 0x89, 3, 4, 0, 0])],
    ["CIPSO of an unknown DOI", ping([0x86, 8, 0, 0, 0, 1, 0, 0])],
    ["CIPSO too short", ping([0x86, 6, 0, 0, 0, 1, 0, 0])],
    ["UDP to a closed port with RR", ether(HOST_MAC, PEER_MAC, 0x0800,
      ipv4(PEER, HOST, 17, udp(PEER, HOST, 40000, 9, Uint8Array.of(1, 2, 3)), { options: Uint8Array.from([7, 7, 4, 0, 0, 0, 0, 0]) }))],
  ];
  let now = 1;
  /** Every case to Linux (one packet socket run) and to the engine; the IPv4 packets back must agree. */
  const compare = async (cases: Array<[string, Uint8Array, ...Uint8Array[]]>, waitMs = 300): Promise<string[][]> => {
    const linux = await nsExecAsync(LP, ["python3", "-c", INJECT, VP, String(waitMs / 1000),
      ...cases.map(([, ...f]) => f.map(hex).join(","))], { timeoutMs: 60000 });
    assert.equal(linux.status, 0, linux.stderr);
    const fromLinux = JSON.parse(linux.stdout) as string[][];
    for (const [i, [name, ...frames]] of cases.entries()) {
      nic.receive(frames);
      for (let t = 0; t <= waitMs; t += 100) e.run(now += 100);   // the wait, for timers (ARP retries)
      const fromEngine = nic.transmit().map((f) => hex(f)).filter((h) => h.slice(24, 28) === "0800" || h.slice(24, 28) === "0806");
      assert.deepEqual(fromEngine.map(ipPart), fromLinux[i].map(ipPart), `${name}: engine ${fromEngine.join(" ")} / Linux ${fromLinux[i].join(" ")}`);
    }
    return fromLinux;
  };
  const answered = (await compare(cases)).filter((r) => r.length > 0).length;
  assert.ok(answered >= 20, `${answered} of ${cases.length} answered`);

  // Source routes, accepted now, on a router: THIRD and the gateway behind it are on the peer's link
  // (their frames come back to the packet socket); ALSO is a second address of the host.
  const THIRD = `${NET}.3`, ALSO = `${NET}.4`, FAR = "198.51.100.7";
  for (const l of ["sysctl -w net.ipv4.conf.all.accept_source_route=1", "sysctl -w net.ipv4.ip_forward=1",
    `ip addr add ${ALSO}/24 dev eth0`, `ip neigh add ${THIRD} lladdr ${PEER_MAC} dev eth0 nud permanent`,
    `ip route add 198.51.100.0/24 via ${THIRD}`]) assert.equal(runCommand(l, e).status, 0, l);
  nsExec(LH, ["sysctl", "-qw", "net.ipv4.conf.all.accept_source_route=1", "net.ipv4.ip_forward=1"]);
  nsExec(LH, ["ip", "addr", "add", `${ALSO}/24`, "dev", VH]);
  nsExec(LH, ["ip", "neigh", "add", THIRD, "lladdr", PEER_MAC, "dev", VH, "nud", "permanent"]);
  nsExec(LH, ["ip", "route", "add", "198.51.100.0/24", "via", THIRD]);
  const ip4 = (a: string) => a.split(".").map(Number);
  const to = (dst: string, options: number[]) => ether(HOST_MAC, PEER_MAC, 0x0800,
    ipv4(PEER, dst, 1, icmp(8, 0, 0x42420002, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)), { options: Uint8Array.from(options) }));
  const routed = await compare([
    ["LSRR on to a neighbour", to(HOST, [0x83, 7, 4, ...ip4(THIRD), 0])],
    ["LSRR past our second address", to(HOST, [0x83, 11, 4, ...ip4(ALSO), ...ip4(THIRD), 0])],
    ["SSRR on to a neighbour", to(HOST, [0x89, 7, 4, ...ip4(THIRD), 0])],
    ["SSRR through a gateway: source route failed", to(HOST, [0x89, 7, 4, ...ip4(FAR), 0])],
    ["SSRR through us to another host", to(THIRD, [0x89, 7, 4, ...ip4(FAR), 0])],
    ["LSRR through us to another host", to(THIRD, [0x83, 7, 4, ...ip4(FAR), 0])],
    ["LSRR used up: the reply takes the reversed route", to(HOST, [0x83, 7, 8, ...ip4(THIRD), 0])],
    ["LSRR with a pointer inside an entry", to(HOST, [0x83, 9, 6, ...ip4(THIRD), 0, 0, 0, 0])],
    ["no options, back out the same link: a redirect", to(THIRD, [])],
  ]);
  assert.ok(routed.every((r) => r.length > 0), JSON.stringify(routed));

  // Fragmenting for a smaller route MTU: the options that are not copied become NOOPs after the first
  // piece of a first fragment only; an ICMP error quotes no more than its route's MTU allows; and a
  // forwarded packet whose next hop never answers ARP is reported with its options compiled afresh.
  const NARROW = "203.0.113.0/24", NARROW_HOST = "203.0.113.7", SMALL = `${NET}.9`, DEAD = `${NET}.5`;
  for (const l of [`ip route add ${NARROW} via ${THIRD} mtu 576`, `ip route add ${SMALL}/32 dev eth0 mtu 300`,
    `ip neigh add ${SMALL} lladdr ${PEER_MAC} dev eth0 nud permanent`]) assert.equal(runCommand(l, e).status, 0, l);
  nsExec(LH, ["ip", "route", "add", NARROW, "via", THIRD, "mtu", "576"]);
  nsExec(LH, ["ip", "route", "add", `${SMALL}/32`, "dev", VH, "mtu", "300"]);
  nsExec(LH, ["ip", "neigh", "add", SMALL, "lladdr", PEER_MAC, "dev", VH, "nud", "permanent"]);
  const big = Uint8Array.from({ length: 1000 }, (_, i) => i & 255);
  const rrRa = [7, 7, 4, 0, 0, 0, 0, 0x94, 4, 0, 0, 0];  // RR (not copied), router alert (copied)
  const piece = (offset: number) => ether(HOST_MAC, PEER_MAC, 0x0800,
    ipv4(PEER, NARROW_HOST, 253, big, { options: Uint8Array.from(rrRa), id: 0x5151 + offset, fragOffset: offset, mf: true }));
  await compare([
    ["a first fragment fragmented again", piece(0)],
    ["a later fragment fragmented again", piece(1480)],
    ["port unreachable back along a 300-byte route", ether(HOST_MAC, PEER_MAC, 0x0800,
      ipv4(SMALL, HOST, 17, udp(SMALL, HOST, 40000, 9, big.subarray(0, 600))))],
  ]);
  // (the same link in and out: a redirect first, then, when ARP has failed, host unreachable)
  const dead = await compare([["RR to a neighbour that never answers", to(DEAD, [7, 15, 4, ...z(12), 0])]], 4500);
  const ipv4Of = (frames: string[]) => frames.filter((f) => f.slice(24, 28) === "0800");
  assert.deepEqual(ipv4Of(dead[0]).map((f) => f.slice(100, 104)), ["0501", "0301"], JSON.stringify(dead));   // ICMP type, code after 14 + 20 + 16 bytes
  assert.equal(dead[0].length - 2, 3);                                  // and three ARP requests

  // ECN fields, and sources through the reverse-path filter: one with no route back, one routed back
  // through the link it came on
  for (const l of ["sysctl -w net.ipv4.conf.all.rp_filter=1"]) assert.equal(runCommand(l, e).status, 0, l);
  nsExec(LH, ["sysctl", "-qw", "net.ipv4.conf.all.rp_filter=1"]);
  const from = (src: string, tos = 0) => ether(HOST_MAC, PEER_MAC, 0x0800,
    ipv4(src, HOST, 1, icmp(8, 0, 0x42420004, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)), { tos }));
  await compare([
    ["ECT(1)", from(PEER, 1)], ["ECT(0)", from(PEER, 2)], ["CE", from(PEER, 3)],
    ["a source with no route back", from("203.0.113.5")], ["a source routed back the same way", from("198.51.100.9")],
  ]);

  // ipfrag_max_dist (64): a datagram whose fragments have more than 64 other fragments from the same
  // source between them is given up; with 63 between, it is reassembled
  const request = (id: number) => icmp(8, 0, 0x42420000 | id, Uint8Array.from({ length: 24 }, (_, i) => i));
  const fragOf = (id: number, off: number, last: boolean) => ether(HOST_MAC, PEER_MAC, 0x0800,
    ipv4(PEER, HOST, 1, request(id).subarray(off, last ? 32 : off + 16), { id, fragOffset: off, mf: !last }));
  // (the others are last fragments, so that their queues expire without a "reassembly time exceeded",
  // which would come at a different moment from each side)
  const others = (from: number, n: number) => Array.from({ length: n }, (_, i) => fragOf(from + i, 16, true));
  const far = await compare([
    ["63 fragments between: reassembled", fragOf(1, 0, false), ...others(100, 63), fragOf(1, 16, true)],
    ["65 fragments between: given up", fragOf(2, 0, false), ...others(200, 65), fragOf(2, 16, true)],
  ]);
  assert.deepEqual(far.map((r) => r.length), [1, 0]);

  // fragment runs (a run grows only at the tail): [8,16) [16,24) [0,8) then [0,16) overlaps two runs;
  // [0,8) [8,16) then [0,16) lies inside one run, a duplicate; a DF datagram too big for the 576-byte
  // route; UDP checksums, verified at once up to 76 bytes (before the broadcast branch), else later
  const part = (id: number, off: number, len: number, mf = true) => ether(HOST_MAC, PEER_MAC, 0x0800,
    ipv4(PEER, HOST, 253, Uint8Array.from({ length: len }, (_, i) => off + i), { id, fragOffset: off, mf }));
  const badUdp = (dst: string, n: number) => {
    const d = udp(PEER, dst, 40000, 9, new Uint8Array(n));
    d[6] ^= 0x55;
    return ether(HOST_MAC, PEER_MAC, 0x0800, ipv4(PEER, dst, 17, d));
  };
  await compare([
    ["overlapping two runs", part(0x700, 8, 8), part(0x700, 16, 8), part(0x700, 0, 8), part(0x700, 0, 16)],
    ["inside one run (then completed)", part(0x701, 0, 8), part(0x701, 8, 8), part(0x701, 0, 16), part(0x701, 16, 8, false)],
    ["DF, too big for the route", ether(HOST_MAC, PEER_MAC, 0x0800, ipv4(PEER, NARROW_HOST, 253, big, { df: true }))],
    ["short broadcast UDP, bad checksum", badUdp(`${NET}.255`, 20)],
    ["long broadcast UDP, bad checksum", badUdp(`${NET}.255`, 200)],
    ["long unicast UDP, bad checksum", badUdp(HOST, 200)],
  ]);

  // TCP with no socket: a reset for anything but a reset, acknowledging SYN, FIN and data, or taking
  // the segment's ack as its sequence number; options echoed; no reset for a bad checksum, a short
  // header or a broadcast
  const seg = (dst: string, o: TcpOpts, data = new Uint8Array(0), ip: Record<string, unknown> = {}) => {
    const t = tcp(PEER, dst, 40001, 80, data, { seq: 0x11223344, ack: 0x55667788, ...o });
    return ether(HOST_MAC, PEER_MAC, 0x0800, ipv4(PEER, dst, 6, t, ip));
  };
  const badSum = seg(HOST, { flags: 2 });
  badSum[14 + 20 + 16] ^= 0x5a;
  const rsts = await compare([
    ["SYN to a closed port", seg(HOST, { flags: 2 })],
    ["ACK with data", seg(HOST, { flags: 0x18 }, new Uint8Array(10))],
    ["FIN with data, no ACK", seg(HOST, { flags: 1 }, new Uint8Array(7))],
    ["SYN+FIN", seg(HOST, { flags: 3 })],
    ["RST", seg(HOST, { flags: 4 })],
    ["bad checksum", badSum],
    ["data offset below 5", seg(HOST, { flags: 2, doff: 4 })],
    ["SYN with RR and TOS 0x12", seg(HOST, { flags: 2 }, new Uint8Array(0), { tos: 0x12, options: Uint8Array.from([7, 7, 4, 0, 0, 0, 0, 0]) })],
    ["SYN to the broadcast address", seg(`${NET}.255`, { flags: 2 })],
    ["a header cut short", ether(HOST_MAC, PEER_MAC, 0x0800, ipv4(PEER, HOST, 6, tcp(PEER, HOST, 1, 2, new Uint8Array(0)).subarray(0, 12)))],
  ]);
  assert.deepEqual(rsts.map((r) => r.length), [1, 1, 1, 1, 0, 0, 0, 1, 0, 0]);

  // IGMP: a general query to all-hosts and a report to us are taken in silently (all-hosts is never
  // reported), a message with a bad checksum is dropped; none is an unknown protocol
  const igmpMsg = (type: number, group: number[], bad = false) => {
    const m = Uint8Array.from([type, 100, 0, 0, ...group]);
    const c = inetCheck(m) ^ (bad ? 0x5a5a : 0);
    m[2] = c >> 8; m[3] = c & 255;
    return m;
  };
  const igmp = await compare([
    ["IGMPv2 general query", ether("01:00:5e:00:00:01", PEER_MAC, 0x0800, ipv4(PEER, "224.0.0.1", 2, igmpMsg(0x11, [0, 0, 0, 0]), { ttl: 1 }))],
    ["IGMPv2 report to us", ether(HOST_MAC, PEER_MAC, 0x0800, ipv4(PEER, HOST, 2, igmpMsg(0x16, [239, 1, 2, 3]), { ttl: 1 }))],
    ["IGMP with a bad checksum", ether(HOST_MAC, PEER_MAC, 0x0800, ipv4(PEER, HOST, 2, igmpMsg(0x16, [239, 1, 2, 3], true), { ttl: 1 }))],
  ]);
  assert.deepEqual(igmp.map((r) => r.length), [0, 0, 0]);

  // ARP: requests answered only when they route to us from their sender (not from a martian or from one
  // of our own addresses), DAD probes answered, nothing for an address not ours
  const OTHER_MAC = "02:00:00:00:00:07";
  const arpReq = (sha: string, sip: string, tip: string) => ether("ff:ff:ff:ff:ff:ff", PEER_MAC, 0x0806, arpPkt(1, sha, sip, "00:00:00:00:00:00", tip));
  const arps = await compare([
    ["a request for our address", arpReq(PEER_MAC, PEER, HOST)],
    ["a gratuitous request for our own address from another host", arpReq(OTHER_MAC, HOST, HOST)],
    ["a request from a loopback sender", arpReq(PEER_MAC, "127.0.0.5", HOST)],
    ["a request from a sender routed back the same way", arpReq(PEER_MAC, "198.51.100.44", HOST)],
    ["a duplicate address probe for our address", arpReq(PEER_MAC, "0.0.0.0", HOST)],
    ["a request for an address not ours", arpReq(PEER_MAC, PEER, THIRD)],
  ]);
  assert.deepEqual(arps.map((r) => r.length), [1, 0, 0, 1, 1, 0]);

  // arp_ignore: an address on lo, our address from a sender outside its subnet, and from the peer
  const LO_ADDR = "192.0.2.99";
  for (const l of ["ip link set lo up", `ip addr add ${LO_ADDR}/32 dev lo`]) assert.equal(runCommand(l, e).status, 0, l);
  nsExec(LH, ["ip", "addr", "add", `${LO_ADDR}/32`, "dev", "lo"]);
  const ignoreAnswers: number[][] = [];
  for (const mode of [0, 1, 2, 3, 8]) {
    assert.equal(runCommand(`sysctl -w net.ipv4.conf.all.arp_ignore=${mode}`, e).status, 0);
    nsExec(LH, ["sysctl", "-qw", `net.ipv4.conf.all.arp_ignore=${mode}`]);
    const r = await compare([
      [`arp_ignore ${mode}: an address on lo`, arpReq(PEER_MAC, PEER, LO_ADDR)],
      [`arp_ignore ${mode}: a sender outside the subnet`, arpReq(PEER_MAC, "198.51.100.44", HOST)],
      [`arp_ignore ${mode}: the peer`, arpReq(PEER_MAC, PEER, HOST)],
    ]);
    ignoreAnswers.push(r.map((x) => x.length));
  }
  assert.deepEqual(ignoreAnswers, [[1, 1, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1], [0, 0, 0]]);

  // arp_accept: which unsolicited ARP creates a neighbour entry (gratuitous requests, replies), as
  // `ip neigh show` prints it in both
  const garp = (sip: string, mac: string) => ether("ff:ff:ff:ff:ff:ff", mac, 0x0806, arpPkt(1, mac, sip, "00:00:00:00:00:00", sip));
  const reply = (sip: string, mac: string) => ether(HOST_MAC, mac, 0x0806, arpPkt(2, mac, sip, HOST_MAC, HOST));
  const learned: Array<[number, string, Uint8Array]> = [
    [0, `${NET}.77`, garp(`${NET}.77`, "02:00:00:00:00:77")],
    [1, `${NET}.78`, garp(`${NET}.78`, "02:00:00:00:00:78")],
    [1, `${NET}.79`, reply(`${NET}.79`, "02:00:00:00:00:79")],
    [2, "203.0.113.80", garp("203.0.113.80", "02:00:00:00:00:80")],
    [2, `${NET}.81`, garp(`${NET}.81`, "02:00:00:00:00:81")],
  ];
  const made: boolean[] = [];
  for (const [mode, addr, frame] of learned) {
    assert.equal(runCommand(`sysctl -w net.ipv4.conf.all.arp_accept=${mode}`, e).status, 0);
    nsExec(LH, ["sysctl", "-qw", `net.ipv4.conf.all.arp_accept=${mode}`]);
    await compare([[`arp_accept ${mode}: ${addr}`, frame]]);
    const mine = runCommand(`ip neigh show ${addr}`, e).stdout.replace(" dev eth0 ", " dev X ");
    const theirs = nsExec(LH, ["ip", "neigh", "show", addr]).replace(` dev ${VH} `, " dev X ");
    assert.equal(mine, theirs, `arp_accept ${mode}: ${addr}`);
    made.push(mine !== "");
  }
  assert.deepEqual(made, [false, true, true, false, true]);

  // arp_announce: the source address of the requests that resolve a new neighbour, for our echo
  // reply from the address on lo (0: that address; 1: not on the target's subnet, so one of the
  // device's; 2: the device's)
  for (const [mode, who] of [[0, 91], [1, 92], [2, 93]]) {
    assert.equal(runCommand(`sysctl -w net.ipv4.conf.all.arp_announce=${mode}`, e).status, 0);
    nsExec(LH, ["sysctl", "-qw", `net.ipv4.conf.all.arp_announce=${mode}`]);
    const src = `${NET}.${who}`;
    const ask = await compare([[`arp_announce ${mode}`, ether(HOST_MAC, PEER_MAC, 0x0800,
      ipv4(src, LO_ADDR, 1, icmp(8, 0, 0x42420000 | who, Uint8Array.of(1, 2, 3, 4))))]], 3500);
    const arpsOut = ask[0].filter((f) => f.slice(24, 28) === "0806");
    assert.equal(arpsOut.length, 3, JSON.stringify(ask));
    assert.equal(arpsOut[0].slice(56, 64), Buffer.from((mode === 0 ? LO_ADDR : HOST).split(".").map(Number)).toString("hex"));
  }

  // ICMP errors to us: learning only from errors about our echo replies (icmp_err), InErrors for cut
  // headers and for errors about TCP or UDP (no socket), extended echo (42, 43) not unknown types
  const aboutUs = (proto: number, dst: string, inner: Uint8Array) => ipv4(HOST, dst, proto, inner, { ttl: 63 });
  const err = (type: number, code: number, rest: number, body: Uint8Array) => ether(HOST_MAC, PEER_MAC, 0x0800,
    ipv4(THIRD, HOST, 1, icmp(type, code, rest, body)));
  const echoReplyOut = aboutUs(1, "198.51.100.96", icmp(0, 0, 0x12340001, new Uint8Array(0)));
  const echoReqOut = aboutUs(1, "198.51.100.95", icmp(8, 0, 0x12340001, new Uint8Array(0)));
  const udpOut = aboutUs(17, "198.51.100.97", udp(HOST, "198.51.100.97", 1000, 53, new Uint8Array(0)));
  const tcpOut = aboutUs(6, "198.51.100.98", tcp(HOST, "198.51.100.98", 1000, 80, new Uint8Array(0)));
  await compare([
    ["frag needed about our echo reply", err(3, 4, 1000, echoReplyOut)],
    ["frag needed about an echo request", err(3, 4, 1000, echoReqOut)],
    ["port unreachable about UDP", err(3, 3, 0, udpOut)],
    ["time exceeded about TCP", err(11, 0, 0, tcpOut)],
    ["unreachable cut inside the embedded header", err(3, 1, 0, echoReplyOut.subarray(0, 16))],
    ["unreachable with an embedded ihl of 4", err(3, 1, 0, Uint8Array.from([0x44, ...echoReplyOut.subarray(1, 28)]))],
    ["unreachable without the 8 bytes after the header", err(3, 1, 0, echoReplyOut.subarray(0, 24))],
    ["unreachable code 16", err(3, 16, 0, echoReplyOut)],
    ["a redirect cut short", err(5, 1, 0, echoReplyOut.subarray(0, 12))],
    ["extended echo request", err(42, 0, 0, new Uint8Array(4))],
    ["extended echo reply", err(43, 0, 0, new Uint8Array(4))],
    ["unknown type 44", err(44, 0, 0, new Uint8Array(4))],
  ]);
  for (const dst of ["198.51.100.96", "198.51.100.95"]) {
    const mine = runCommand(`ip route get ${dst}`, e).stdout.replace(/ dev eth0 /g, " dev X ").replace(/expires \d+sec/, "expires Nsec");
    const theirs = nsExec(LH, ["ip", "route", "get", dst]).replace(new RegExp(` dev ${VH} `, "g"), " dev X ").replace(/expires \d+sec/, "expires Nsec");
    assert.equal(mine, theirs, `ip route get ${dst}`);
  }
  assert.match(runCommand("ip route get 198.51.100.96", e).stdout, /mtu 1000/);
  // ip_no_pmtu_disc: 1 locks the minimum whatever was reported, 2 and 3 (for ICMP) ignore the report
  for (const [mode, dst] of [[1, "198.51.100.101"], [2, "198.51.100.102"], [3, "198.51.100.103"]] as const) {
    assert.equal(runCommand(`sysctl -w net.ipv4.ip_no_pmtu_disc=${mode}`, e).status, 0);
    nsExec(LH, ["sysctl", "-qw", `net.ipv4.ip_no_pmtu_disc=${mode}`]);
    await compare([[`ip_no_pmtu_disc ${mode}`, err(3, 4, 1000, aboutUs(1, dst, icmp(0, 0, 0x12340001, new Uint8Array(0))))]]);
    const mine = runCommand(`ip route get ${dst}`, e).stdout.replace(/ dev eth0 /g, " dev X ").replace(/expires \d+sec/, "expires Nsec");
    const theirs = nsExec(LH, ["ip", "route", "get", dst]).replace(new RegExp(` dev ${VH} `, "g"), " dev X ").replace(/expires \d+sec/, "expires Nsec");
    assert.equal(mine, theirs, `ip_no_pmtu_disc ${mode}: ip route get ${dst}`);
    assert.equal(/mtu lock 552/.test(mine), mode === 1, mine);
  }
  assert.equal(runCommand("sysctl -w net.ipv4.ip_no_pmtu_disc=0", e).status, 0);
  nsExec(LH, ["sysctl", "-qw", "net.ipv4.ip_no_pmtu_disc=0"]);

  // and the counters of it all agree with the kernel's (/proc/net/snmp, /proc/net/netstat)
  const proc = (file: string): Record<string, number> => {
    const lines = nsExec(LH, ["cat", file]).trim().split("\n");
    const r: Record<string, number> = {};
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const k = lines[i].split(" "), v = lines[i + 1].split(" ");
      k.slice(1).forEach((name, j) => { r[`${k[0]}${name}`] = Number(v[j + 1]); });
    }
    return r;
  };
  const kernel = { ...proc("/proc/net/snmp"), ...proc("/proc/net/netstat") };
  const c = e.counters();
  const names = ["Ip:InReceives", "Ip:InHdrErrors", "Ip:InAddrErrors", "Ip:ForwDatagrams", "Ip:InDiscards",
    "Ip:InDelivers", "Ip:OutRequests", "Ip:ReasmReqds", "Ip:ReasmOKs", "Ip:ReasmFails", "IpExt:InNoECTPkts", "IpExt:InECT1Pkts",
    "IpExt:InECT0Pkts", "IpExt:InCEPkts", "IpExt:InOctets", "Icmp:InMsgs", "Icmp:OutMsgs", "TcpExt:IPReversePathFilter",
    "Ip:OutTransmits", "IpExt:OutOctets", "Ip:FragOKs", "Ip:FragFails", "Ip:FragCreates", "IpExt:ReasmOverlaps",
    "Ip:InUnknownProtos", "Udp:InErrors", "Udp:InCsumErrors", "Udp:NoPorts", "Udp:IgnoredMulti",
    "Tcp:InSegs", "Tcp:OutSegs", "Tcp:InErrs", "Tcp:OutRsts", "Tcp:InCsumErrors", "TcpExt:ArpFilter"];
  const ours = (n: string) => n.startsWith("Icmp:") ? c.icmp[n.slice(5)] : n.startsWith("Udp:") ? c.udp[n.slice(4)]
    : n.startsWith("Tcp:") ? c.tcp[n.slice(4)] : c.ip[n.slice(n.indexOf(":") + 1)];
  assert.deepEqual(names.map((n) => `${n} ${ours(n)}`), names.map((n) => `${n} ${kernel[n]}`));
});
