// Real-kernel test of host/drivers/tap.ts. Needs root, netns and the ioctl addon; otherwise every
// test prints "skipped: <reason>" and is marked skipped.
// Setup per test: `ip tuntap add` a TAP in the root namespace, openTap() it, THEN move it into a
// test namespace (the fd keeps working) and configure 10.200.C.1/24 there. The test process plays
// the host 10.200.C.2 (MAC 02:00:0a:c8:C:02), which exists only behind the TAP.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTap, tapAvailability, type TapDevice, type TapReader } from '../../host/drivers/tap.ts';
import {
  kernelTestAvailability, skipOrRun, uniqueName, testSubnet, createNetns, deleteNetns, createTap,
  deleteLink, moveToNetns, nsExec, nsExecAsync, linkInfo, macBytes, macString, waitFor, which, sh,
} from '../helpers/netns.ts';

const reason = kernelTestAvailability({ tap: true });
const NS = uniqueName('wtns');
const openTaps: TapDevice[] = [];
const tapNames: string[] = [];
let nsCreated = false;

after(() => {
  for (const t of openTaps) t.close();
  if (nsCreated) deleteNetns(NS);
  for (const n of tapNames) deleteLink(n);
});

// ---- tiny frame helpers (test-local) ----

const ETH_P_IP = 0x0800;
const ETH_P_ARP = 0x0806;

function ipBytes(ip: string): Uint8Array {
  return Uint8Array.from(ip.split('.').map(Number));
}
function ipString(b: Uint8Array): string {
  return Array.from(b).join('.');
}
function u16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
function csum(b: Uint8Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i += 2) s += (b[i] << 8) | (i + 1 < end ? b[i + 1] : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

interface Arp { op: number; sha: string; spa: string; tha: string; tpa: string }
function parseArp(f: Uint8Array): Arp | null {
  if (f.length < 42 || u16(f, 12) !== ETH_P_ARP) return null;
  if (u16(f, 14) !== 1 || u16(f, 16) !== ETH_P_IP || f[18] !== 6 || f[19] !== 4) return null;
  return {
    op: u16(f, 20),
    sha: macString(f.subarray(22, 28)),
    spa: ipString(f.subarray(28, 32)),
    tha: macString(f.subarray(32, 38)),
    tpa: ipString(f.subarray(38, 42)),
  };
}

function arpReply(srcMac: Uint8Array, srcIp: string, dstMac: Uint8Array, dstIp: string): Uint8Array {
  const f = new Uint8Array(60); // padded to the Ethernet minimum
  f.set(dstMac, 0);
  f.set(srcMac, 6);
  f.set([0x08, 0x06, 0, 1, 0x08, 0x00, 6, 4, 0, 2], 12);
  f.set(srcMac, 22);
  f.set(ipBytes(srcIp), 28);
  f.set(dstMac, 32);
  f.set(ipBytes(dstIp), 38);
  return f;
}

/** ICMP echo request -> echo reply from `myMac` (null if not an echo request to myIp). */
function echoReply(f: Uint8Array, myMac: Uint8Array, myIp: string): Uint8Array | null {
  if (f.length < 34 || u16(f, 12) !== ETH_P_IP) return null;
  const ihl = (f[14] & 0x0f) * 4;
  const totLen = u16(f, 16);
  if (f[23] !== 1 || ipString(f.subarray(30, 34)) !== myIp || f[14 + ihl] !== 8) return null;
  const r = f.slice(0, 14 + totLen);
  r.set(f.subarray(6, 12), 0);
  r.set(myMac, 6);
  r.set(f.subarray(30, 34), 26);
  r.set(f.subarray(26, 30), 30);
  r[22] = 64; // TTL
  r[24] = r[25] = 0;
  const hc = csum(r, 14, 14 + ihl);
  r[24] = hc >> 8;
  r[25] = hc & 0xff;
  const icmp = 14 + ihl;
  r[icmp] = 0; // echo reply
  r[icmp + 2] = r[icmp + 3] = 0;
  const ic = csum(r, icmp, 14 + totLen);
  r[icmp + 2] = ic >> 8;
  r[icmp + 3] = ic & 0xff;
  return r;
}

interface Link {
  tap: TapDevice;
  dev: string;
  nsMac: string;
  nsIp: string;
  peerIp: string;
  peerMac: Uint8Array;
  frames: Uint8Array[];
}

/** Create a TAP, open it, move it into NS, configure it; record every received frame. */
function setupLink(reader: TapReader, subnetOffset: number): Link {
  if (!nsCreated) {
    createNetns(NS);
    nsCreated = true;
  }
  const dev = uniqueName('wtap');
  createTap(dev);
  tapNames.push(dev);
  const tap = openTap(dev, { reader });
  openTaps.push(tap);
  assert.equal(tap.name, dev);
  assert.equal(tap.reader, reader);
  moveToNetns(dev, NS); // after openTap: the fd follows the device
  const [a, b, c] = testSubnet(subnetOffset);
  const nsIp = `${a}.${b}.${c}.1`;
  const peerIp = `${a}.${b}.${c}.2`;
  nsExec(NS, ['ip', 'addr', 'add', `${nsIp}/24`, 'dev', dev]);
  nsExec(NS, ['ip', 'link', 'set', dev, 'up']);
  const nsMac = linkInfo(dev, NS).address;
  const frames: Uint8Array[] = [];
  tap.onFrame((f) => frames.push(f.slice())); // the view is only valid during the callback
  return { tap, dev, nsMac, nsIp, peerIp, peerMac: Uint8Array.of(0x02, 0, a, b, c, 2), frames };
}

/** Make the namespace kernel send one UDP datagram to ip:9 (needs ARP first). No ping needed. */
function udpFromNs(ip: string): Promise<unknown> {
  const js = `const s=require('dgram').createSocket('udp4');s.send(Buffer.from('tap-test'),9,'${ip}',()=>s.close())`;
  return nsExecAsync(NS, [process.execPath, '-e', js], { timeoutMs: 10000 });
}

test('tapAvailability reports a reason or ok', () => {
  const a = tapAvailability();
  if (a.ok) assert.equal(Object.keys(a).length, 1);
  else assert.match(a.reason, /\S/);
});

test('openTap rejects bad names before touching the kernel', () => {
  assert.throws(() => openTap('this-name-is-too-long'), /bad interface name/);
  assert.throws(() => openTap(''), /bad interface name/);
});

for (const [i, reader] of (['epoll', 'poll'] as const).entries()) {
  test(`${reader} reader: kernel ARP request arrives via onFrame; send() ARP reply is accepted`, async (t) => {
    if (!skipOrRun(t, reason)) return;
    const L = setupLink(reader, i);

    // 1. kernel -> TAP: the UDP datagram needs the neighbour, so the kernel broadcasts who-has.
    const udp = udpFromNs(L.peerIp);
    const isReq = (f: Uint8Array) => {
      const a = parseArp(f);
      return a !== null && a.op === 1 && a.tpa === L.peerIp;
    };
    assert.ok(await waitFor(() => L.frames.some(isReq), 5000), `no ARP request for ${L.peerIp}`);
    await udp;
    const req = L.frames.find(isReq)!;
    assert.equal(u16(req, 12), ETH_P_ARP);
    assert.equal(macString(req.subarray(0, 6)), 'ff:ff:ff:ff:ff:ff');
    assert.equal(macString(req.subarray(6, 12)), L.nsMac);
    const arp = parseArp(req)!;
    assert.equal(arp.op, 1);
    assert.equal(arp.sha, L.nsMac);
    assert.equal(arp.spa, L.nsIp);
    assert.equal(arp.tpa, L.peerIp);

    // 2. TAP -> kernel: our ARP reply raises rx_packets, resolves the neighbour, and the
    //    queued datagram then leaves towards our MAC.
    const rxBefore = linkInfo(L.dev, NS).rx.packets;
    const sentBefore = L.tap.stats.txFrames;
    L.tap.send(arpReply(L.peerMac, L.peerIp, macBytes(L.nsMac), L.nsIp));
    assert.equal(L.tap.stats.txFrames, sentBefore + 1);
    assert.equal(L.tap.stats.txErrors, 0);
    assert.ok(await waitFor(() => linkInfo(L.dev, NS).rx.packets > rxBefore, 3000), 'rx_packets did not increase');

    const isUdp = (f: Uint8Array) =>
      f.length >= 42 && u16(f, 12) === ETH_P_IP && f[23] === 17 &&
      macString(f.subarray(0, 6)) === macString(L.peerMac) &&
      ipString(f.subarray(30, 34)) === L.peerIp && u16(f, 36) === 9;
    assert.ok(await waitFor(() => L.frames.some(isUdp), 3000), 'queued UDP datagram not sent to our MAC');

    const neigh = JSON.parse(nsExec(NS, ['ip', '-j', 'neigh', 'show', L.peerIp, 'dev', L.dev]));
    assert.equal(neigh[0]?.lladdr, macString(L.peerMac));
    assert.ok(L.tap.stats.rxFrames >= 2);
  });
}

test('ping from the namespace is answered through the TAP (epoll reader)', async (t) => {
  if (!skipOrRun(t, reason ?? (which('ping') ? null : 'ping not installed (apt-get install iputils-ping)'))) return;
  const L = setupLink('epoll', 2);
  L.tap.onFrame((f) => {
    const a = parseArp(f);
    if (a && a.op === 1 && a.tpa === L.peerIp) {
      L.tap.send(arpReply(L.peerMac, L.peerIp, macBytes(a.sha), a.spa));
      return;
    }
    const r = echoReply(f, L.peerMac, L.peerIp);
    if (r) L.tap.send(r);
  });
  const r = await nsExecAsync(NS, ['ping', '-n', '-c', '3', '-i', '0.2', '-W', '2', L.peerIp], { timeoutMs: 15000 });
  assert.equal(r.status, 0, `ping failed:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /3 packets transmitted, 3 received/);
});

test('close() stops reading, is idempotent, and send() after close throws', (t) => {
  if (!skipOrRun(t, reason)) return;
  const dev = uniqueName('wtap');
  const tap = openTap(dev); // creates a non-persistent TAP, gone on close
  tapNames.push(dev);
  assert.ok(sh(['ip', '-j', 'link', 'show', 'dev', dev]).includes(dev));
  tap.onFrame(() => {});
  tap.close();
  tap.close();
  assert.equal(tap.closed, true);
  assert.throws(() => tap.send(new Uint8Array(60)), /closed/);
});

for (const reader of ['epoll', 'poll'] as const) {
  test(`${reader} reader: deleting the device reports EBADFD via onError and closes`, async (t) => {
    if (!skipOrRun(t, reason)) return;
    const dev = uniqueName('wtap');
    createTap(dev);
    tapNames.push(dev);
    const tap = openTap(dev, { reader });
    openTaps.push(tap);
    const errors: Error[] = [];
    tap.onError((e) => errors.push(e));
    tap.onFrame(() => {});
    deleteLink(dev);
    assert.ok(await waitFor(() => errors.length > 0, 3000), 'no error after the device was deleted');
    assert.match(errors[0].message, /EBADFD/);
    assert.equal(tap.closed, true);
  });
}

test('a second open of the same TAP fails with a clear error', (t) => {
  if (!skipOrRun(t, reason)) return;
  const dev = uniqueName('wtap');
  createTap(dev);
  tapNames.push(dev);
  const a = openTap(dev);
  openTaps.push(a);
  assert.throws(() => openTap(dev), /TUNSETIFF .* failed: EBUSY/);
  a.close();
});
