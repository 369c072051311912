import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readPcap, PcapWriter, writePcapFile, readPcapFile } from '../../host/drivers/pcap.ts';

// Hand-built file: global header + records, in either byte order.
function fixture(opts: {
  le: boolean;
  magic: number;
  snaplen?: number;
  linktype?: number;
  major?: number;
  records: { sec: number; frac: number; data: number[]; origLen?: number; caplen?: number }[];
}): Uint8Array {
  const size = 24 + opts.records.reduce((n, r) => n + 16 + r.data.length, 0);
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, opts.magic, opts.le);
  dv.setUint16(4, opts.major ?? 2, opts.le);
  dv.setUint16(6, 4, opts.le);
  dv.setUint32(16, opts.snaplen ?? 65535, opts.le);
  dv.setUint32(20, opts.linktype ?? 1, opts.le);
  let o = 24;
  for (const r of opts.records) {
    dv.setUint32(o, r.sec, opts.le);
    dv.setUint32(o + 4, r.frac, opts.le);
    dv.setUint32(o + 8, r.caplen ?? r.data.length, opts.le);
    dv.setUint32(o + 12, r.origLen ?? r.data.length, opts.le);
    b.set(r.data, o + 16);
    o += 16 + r.data.length;
  }
  return b;
}

function frame(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

test('round trip: write then read gives the same frames and µs timestamps', () => {
  const w = new PcapWriter();
  const input = [
    { ts: 0, f: frame(60, 1) },
    { ts: 1.001, f: frame(64, 2) },
    { ts: 1700000000123.456, f: frame(1514, 3) },
    { ts: 1700000000999.999, f: frame(42, 4) },
    { ts: 1999.9996, f: frame(14, 5) }, // rounds up to exactly 2 s
  ];
  for (const r of input) w.add(r.ts, r.f);
  assert.equal(w.count, input.length);
  const bytes = w.bytes();
  assert.deepEqual([...bytes.subarray(0, 4)], [0xd4, 0xc3, 0xb2, 0xa1]); // LE µs magic
  assert.equal(bytes.length, 24 + input.reduce((n, r) => n + 16 + r.f.length, 0));

  const p = readPcap(bytes);
  assert.equal(p.linktype, 1);
  assert.equal(p.snaplen, 262144);
  assert.equal(p.nanos, false);
  assert.equal(p.bigEndian, false);
  assert.equal(p.versionMajor, 2);
  assert.equal(p.versionMinor, 4);
  assert.equal(p.records.length, input.length);
  p.records.forEach((r, i) => {
    const us = Math.round(input[i].ts * 1000);
    assert.equal(r.tsSec, Math.floor(us / 1e6), `record ${i} sec`);
    assert.equal(r.tsFrac, us % 1e6, `record ${i} usec`);
    assert.equal(Math.round(r.tsMs * 1000), us, `record ${i} tsMs`);
    assert.equal(r.caplen, input[i].f.length);
    assert.equal(r.origLen, input[i].f.length);
    assert.deepEqual(r.data, input[i].f);
  });
  assert.equal(p.records[4].tsSec, 2);
  assert.equal(p.records[4].tsFrac, 0);
  assert.equal(p.records[2].tsMs, 1700000000123.456);

  // re-writing what was read gives identical bytes
  const w2 = new PcapWriter();
  for (const r of p.records) w2.add(r.tsMs, r.data, r.origLen);
  assert.deepEqual(w2.bytes(), bytes);
});

test('writer honours snaplen, origLen and linktype', () => {
  const w = new PcapWriter(64, 101);
  w.add(5, frame(100, 9));
  w.add(6, frame(30, 9), 1500);
  const p = readPcap(w.bytes());
  assert.equal(p.snaplen, 64);
  assert.equal(p.linktype, 101);
  assert.equal(p.records[0].caplen, 64);
  assert.equal(p.records[0].origLen, 100);
  assert.deepEqual(p.records[0].data, frame(100, 9).subarray(0, 64));
  assert.equal(p.records[1].caplen, 30);
  assert.equal(p.records[1].origLen, 1500);
});

test('writer rejects bad timestamps and lengths', () => {
  const w = new PcapWriter();
  assert.throws(() => w.add(-1, frame(10, 0)), RangeError);
  assert.throws(() => w.add(NaN, frame(10, 0)), RangeError);
  assert.throws(() => w.add(2 ** 32 * 1000, frame(10, 0)), RangeError);
  assert.throws(() => w.add(1, frame(10, 0), 5), /origLen 5/);
  assert.throws(() => new PcapWriter(0), RangeError);
  assert.equal(w.count, 0);
});

test('zero-record files', () => {
  const b = new PcapWriter().bytes();
  assert.equal(b.length, 24);
  const p = readPcap(b);
  assert.equal(p.records.length, 0);
  assert.equal(p.linktype, 1);
  const be = readPcap(fixture({ le: false, magic: 0xa1b2c3d4, records: [] }));
  assert.equal(be.records.length, 0);
  assert.equal(be.bigEndian, true);
});

test('big-endian microsecond file', () => {
  const b = fixture({
    le: false,
    magic: 0xa1b2c3d4,
    snaplen: 96,
    records: [
      { sec: 1, frac: 500, data: [1, 2, 3, 4], origLen: 60 },
      { sec: 0x12345678, frac: 999999, data: [9, 8] },
    ],
  });
  assert.deepEqual([...b.subarray(0, 4)], [0xa1, 0xb2, 0xc3, 0xd4]);
  const p = readPcap(b);
  assert.equal(p.bigEndian, true);
  assert.equal(p.nanos, false);
  assert.equal(p.snaplen, 96);
  assert.equal(p.records.length, 2);
  assert.equal(p.records[0].tsMs, 1000.5);
  assert.equal(p.records[0].caplen, 4);
  assert.equal(p.records[0].origLen, 60);
  assert.deepEqual([...p.records[0].data], [1, 2, 3, 4]);
  assert.equal(p.records[1].tsSec, 0x12345678);
  assert.equal(p.records[1].tsFrac, 999999);
  assert.deepEqual([...p.records[1].data], [9, 8]);
});

test('nanosecond files, both byte orders', () => {
  for (const le of [true, false]) {
    const b = fixture({ le, magic: 0xa1b23c4d, records: [{ sec: 2, frac: 123456789, data: [0xaa, 0xbb] }] });
    assert.deepEqual([...b.subarray(0, 4)], le ? [0x4d, 0x3c, 0xb2, 0xa1] : [0xa1, 0xb2, 0x3c, 0x4d]);
    const p = readPcap(b);
    assert.equal(p.nanos, true);
    assert.equal(p.bigEndian, !le);
    const r = p.records[0];
    assert.equal(r.tsSec, 2);
    assert.equal(r.tsFrac, 123456789);
    assert.ok(Math.abs(r.tsMs - 2123.456789) < 1e-9, `tsMs ${r.tsMs}`);
    assert.deepEqual([...r.data], [0xaa, 0xbb]);
  }
});

test('FCS length bits in the link-type field', () => {
  // libpcap LT_FCS_DATALINK_EXT(2): 2 words = 4-byte FCS, Ethernet
  const p = readPcap(fixture({ le: true, magic: 0xa1b2c3d4, linktype: 0x24000001, records: [] }));
  assert.equal(p.linktype, 1);
  assert.equal(p.fcsLen, 4);
  assert.equal(readPcap(new PcapWriter().bytes()).fcsLen, 0);
});

test('bad magic, pcapng, bad version → clear errors', () => {
  const good = new PcapWriter().bytes();
  const bad = good.slice();
  bad.set([0xde, 0xad, 0xbe, 0xef], 0);
  assert.throws(() => readPcap(bad), /pcap: bad magic 0xdeadbeef/);
  const ng = good.slice();
  ng.set([0x0a, 0x0d, 0x0d, 0x0a], 0);
  assert.throws(() => readPcap(ng), /pcapng/);
  assert.throws(
    () => readPcap(fixture({ le: true, magic: 0xa1b2c3d4, major: 3, records: [] })),
    /unsupported version 3\.4/,
  );
});

test('truncated global header → clear error', () => {
  const good = new PcapWriter().bytes();
  assert.throws(() => readPcap(good.subarray(0, 23)), /truncated global header: 23 bytes, need 24/);
  assert.throws(() => readPcap(new Uint8Array(0)), /truncated global header: 0 bytes/);
});

test('truncated last record → error naming the record; allowTruncated keeps the rest', () => {
  const w = new PcapWriter();
  w.add(1, frame(60, 1));
  w.add(2, frame(60, 2));
  const full = w.bytes();
  // data cut short (record #1 has 59 of 60 bytes)
  const cutData = full.subarray(0, full.length - 1);
  assert.throws(() => readPcap(cutData), /record #1 at byte offset 100 truncated: caplen 60 but only 59 bytes remain/);
  // record header cut short
  const cutHdr = full.subarray(0, 24 + 16 + 60 + 10);
  assert.throws(() => readPcap(cutHdr), /record #1 at byte offset 100 truncated: header needs 16 bytes, only 10 remain/);

  const p = readPcap(cutData, { allowTruncated: true });
  assert.equal(p.records.length, 1);
  assert.deepEqual(p.records[0].data, frame(60, 1));
  assert.match(p.truncated!, /record #1/);
  assert.equal(readPcap(full).truncated, undefined);
});

test('absurd caplen is reported as corruption', () => {
  const b = fixture({ le: true, magic: 0xa1b2c3d4, records: [{ sec: 0, frac: 0, data: [1], caplen: 0x7fffffff }] });
  assert.throws(() => readPcap(b), /record #0 .*caplen 2147483647 exceeds snaplen/);
});

test('readPcap accepts a view into a larger buffer', () => {
  const w = new PcapWriter();
  w.add(3.5, frame(20, 7));
  const inner = w.bytes();
  const outer = new Uint8Array(inner.length + 13);
  outer.set(inner, 5);
  const p = readPcap(outer.subarray(5, 5 + inner.length));
  assert.equal(p.records[0].tsMs, 3.5);
  assert.deepEqual(p.records[0].data, frame(20, 7));
});

test('writePcapFile / readPcapFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcaptest-'));
  try {
    const file = path.join(dir, 'x.pcap');
    writePcapFile(file, [
      { tsMs: 10.25, data: frame(60, 1) },
      { tsMs: 20.5, data: frame(70, 2), origLen: 100 },
    ]);
    const p = readPcapFile(file);
    assert.equal(p.records.length, 2);
    assert.equal(p.records[0].tsMs, 10.25);
    assert.equal(p.records[1].origLen, 100);
    assert.deepEqual(p.records[1].data, frame(70, 2));
    assert.equal(fs.statSync(file).size, 24 + 16 + 60 + 16 + 70);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
