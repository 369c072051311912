// Classic libpcap savefile format (not pcapng), own implementation.
//
// File = 24-byte global header + records (16-byte header + captured bytes):
//   global: magic u32, version_major u16 (2), version_minor u16 (4), thiszone i32,
//           sigfigs u32, snaplen u32, linktype u32
//   record: ts_sec u32, ts_frac u32 (µs, or ns with the a1b23c4d magic), caplen u32, origLen u32
// The byte order of the whole file is the writer's; the magic tells which.
//
// Reading never copies packet bytes: each record's `data` is a view into the input.
// A truncated last record throws (naming the record and offset), like tcpdump's "truncated dump
// file"; pass { allowTruncated: true } to get the complete records plus a `truncated` message
// instead (useful for captures cut off by a killed writer).
//
// Pure module: no Node imports at load time, so it also runs in the browser. Only the
// *File helpers touch the filesystem (through process.getBuiltinModule, Node >= 20.16).

export const PCAP_MAGIC_USEC = 0xa1b2c3d4;
export const PCAP_MAGIC_NSEC = 0xa1b23c4d;
export const LINKTYPE_ETHERNET = 1;
export const PCAP_GLOBAL_HDR_LEN = 24;
export const PCAP_RECORD_HDR_LEN = 16;
// libpcap's upper bound on a sane caplen for most link types.
const MAX_SANE_CAPLEN = 262144;

export interface PcapRecord {
  /** Timestamp in ms (float), including the sub-ms part from µs/ns. */
  tsMs: number;
  /** Raw seconds field. */
  tsSec: number;
  /** Raw fraction field: µs, or ns when the file's `nanos` is true. */
  tsFrac: number;
  caplen: number;
  origLen: number;
  /** Captured bytes (caplen long); a view into the input buffer. */
  data: Uint8Array;
}

export interface PcapFile {
  /** Link type: low 16 bits of the header field (1 = Ethernet). */
  linktype: number;
  /** FCS length in bytes announced by the upper bits of the link-type field (0 if none). */
  fcsLen: number;
  snaplen: number;
  /** true for the nanosecond format (magic a1b23c4d). */
  nanos: boolean;
  /** true when the file was written big-endian. */
  bigEndian: boolean;
  versionMajor: number;
  versionMinor: number;
  records: PcapRecord[];
  /** Set only with allowTruncated when the last record was cut short. */
  truncated?: string;
}

export interface ReadPcapOptions {
  /** Return the complete records instead of throwing on a truncated last record. */
  allowTruncated?: boolean;
}

export function readPcap(bytes: Uint8Array, opts: ReadPcapOptions = {}): PcapFile {
  if (bytes.length < PCAP_GLOBAL_HDR_LEN) {
    throw new Error(
      `pcap: truncated global header: ${bytes.length} bytes, need ${PCAP_GLOBAL_HDR_LEN}`,
    );
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = dv.getUint32(0, false);
  let le: boolean;
  let nanos: boolean;
  if (magicBE === PCAP_MAGIC_USEC || magicBE === PCAP_MAGIC_NSEC) {
    le = false;
    nanos = magicBE === PCAP_MAGIC_NSEC;
  } else {
    const magicLE = dv.getUint32(0, true);
    if (magicLE === PCAP_MAGIC_USEC || magicLE === PCAP_MAGIC_NSEC) {
      le = true;
      nanos = magicLE === PCAP_MAGIC_NSEC;
    } else {
      const hex = magicBE.toString(16).padStart(8, '0');
      let hint = '';
      if (magicBE === 0x0a0d0d0a) hint = ' (this is pcapng, which is not supported)';
      else if (magicBE === 0xa1b2cd34 || dv.getUint32(0, true) === 0xa1b2cd34) {
        hint = ' (modified/Kuznetzov pcap, not supported)';
      }
      throw new Error(`pcap: bad magic 0x${hex}${hint}`);
    }
  }
  const versionMajor = dv.getUint16(4, le);
  const versionMinor = dv.getUint16(6, le);
  if (versionMajor !== 2) {
    throw new Error(`pcap: unsupported version ${versionMajor}.${versionMinor} (need 2.x)`);
  }
  const snaplen = dv.getUint32(16, le);
  const ltField = dv.getUint32(20, le);
  const linktype = ltField & 0xffff;
  // libpcap LT_FCS_LENGTH_PRESENT (bit 26): bits 28-31 hold the FCS length in 16-bit words.
  const fcsLen = ltField & 0x04000000 ? (ltField >>> 28) * 2 : 0;
  const fracDiv = nanos ? 1e6 : 1e3; // fraction units per ms
  const maxCaplen = Math.max(snaplen, MAX_SANE_CAPLEN);

  const records: PcapRecord[] = [];
  let truncated: string | undefined;
  let off = PCAP_GLOBAL_HDR_LEN;
  const end = bytes.length;
  while (off < end) {
    const index = records.length; // 0-based record number
    if (end - off < PCAP_RECORD_HDR_LEN) {
      truncated =
        `pcap: record #${index} at byte offset ${off} truncated: ` +
        `header needs ${PCAP_RECORD_HDR_LEN} bytes, only ${end - off} remain`;
      break;
    }
    const tsSec = dv.getUint32(off, le);
    const tsFrac = dv.getUint32(off + 4, le);
    const caplen = dv.getUint32(off + 8, le);
    const origLen = dv.getUint32(off + 12, le);
    if (caplen > maxCaplen) {
      throw new Error(
        `pcap: record #${index} at byte offset ${off}: caplen ${caplen} exceeds ` +
          `snaplen ${snaplen} (corrupt file?)`,
      );
    }
    const dataOff = off + PCAP_RECORD_HDR_LEN;
    if (end - dataOff < caplen) {
      truncated =
        `pcap: record #${index} at byte offset ${off} truncated: ` +
        `caplen ${caplen} but only ${end - dataOff} bytes remain`;
      break;
    }
    records.push({
      tsMs: tsSec * 1000 + tsFrac / fracDiv,
      tsSec,
      tsFrac,
      caplen,
      origLen,
      data: bytes.subarray(dataOff, dataOff + caplen),
    });
    off = dataOff + caplen;
  }
  if (truncated !== undefined && !opts.allowTruncated) throw new Error(truncated);

  const out: PcapFile = {
    linktype,
    fcsLen,
    snaplen,
    nanos,
    bigEndian: !le,
    versionMajor,
    versionMinor,
    records,
  };
  if (truncated !== undefined) out.truncated = truncated;
  return out;
}

/** Writes little-endian, microsecond pcap (magic a1b2c3d4, version 2.4). */
export class PcapWriter {
  readonly snaplen: number;
  readonly linktype: number;
  private buf: Uint8Array;
  private dv: DataView;
  private len = 0;
  count = 0;

  constructor(snaplen = 262144, linktype = LINKTYPE_ETHERNET) {
    if (!Number.isInteger(snaplen) || snaplen <= 0 || snaplen > 0xffffffff) {
      throw new RangeError(`PcapWriter: bad snaplen ${snaplen}`);
    }
    if (!Number.isInteger(linktype) || linktype < 0 || linktype > 0xffffffff) {
      throw new RangeError(`PcapWriter: bad linktype ${linktype}`);
    }
    this.snaplen = snaplen;
    this.linktype = linktype;
    this.buf = new Uint8Array(4096);
    this.dv = new DataView(this.buf.buffer);
    const dv = this.dv;
    dv.setUint32(0, PCAP_MAGIC_USEC, true);
    dv.setUint16(4, 2, true);
    dv.setUint16(6, 4, true);
    dv.setInt32(8, 0, true); // thiszone
    dv.setUint32(12, 0, true); // sigfigs
    dv.setUint32(16, snaplen, true);
    dv.setUint32(20, linktype, true);
    this.len = PCAP_GLOBAL_HDR_LEN;
  }

  /**
   * Appends one record. tsMs is rounded to the µs. The frame is cut to snaplen;
   * origLen (default frame.length) is the length on the wire.
   */
  add(tsMs: number, frame: Uint8Array, origLen: number = frame.length): void {
    if (!Number.isFinite(tsMs) || tsMs < 0) throw new RangeError(`PcapWriter: bad tsMs ${tsMs}`);
    const us = Math.round(tsMs * 1000);
    const sec = Math.floor(us / 1e6);
    const usec = us - sec * 1e6;
    if (sec > 0xffffffff) throw new RangeError(`PcapWriter: tsMs ${tsMs} beyond 32-bit seconds`);
    if (!Number.isInteger(origLen) || origLen < frame.length || origLen > 0xffffffff) {
      throw new RangeError(
        `PcapWriter: origLen ${origLen} must be an integer >= frame length ${frame.length}`,
      );
    }
    const caplen = Math.min(frame.length, this.snaplen);
    this.reserve(PCAP_RECORD_HDR_LEN + caplen);
    const dv = this.dv;
    const o = this.len;
    dv.setUint32(o, sec, true);
    dv.setUint32(o + 4, usec, true);
    dv.setUint32(o + 8, caplen, true);
    dv.setUint32(o + 12, origLen, true);
    this.buf.set(caplen === frame.length ? frame : frame.subarray(0, caplen), o + 16);
    this.len = o + 16 + caplen;
    this.count++;
  }

  /** The file so far (a copy; the writer can keep adding). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  get byteLength(): number {
    return this.len;
  }

  private reserve(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const nb = new Uint8Array(cap);
    nb.set(this.buf.subarray(0, this.len));
    this.buf = nb;
    this.dv = new DataView(nb.buffer);
  }
}

export interface PcapWriteRecord {
  tsMs: number;
  data: Uint8Array;
  origLen?: number;
}

type NodeFs = typeof import('node:fs');

function nodeFs(fn: string): NodeFs {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = p?.getBuiltinModule?.('node:fs') as NodeFs | undefined;
  if (!fs) throw new Error(`${fn}: needs Node.js >= 20.16 (process.getBuiltinModule)`);
  return fs;
}

export function writePcapFile(
  path: string,
  records: Iterable<PcapWriteRecord>,
  opts: { snaplen?: number; linktype?: number } = {},
): void {
  const w = new PcapWriter(opts.snaplen, opts.linktype);
  for (const r of records) w.add(r.tsMs, r.data, r.origLen);
  nodeFs('writePcapFile').writeFileSync(path, w.bytes());
}

export function readPcapFile(path: string, opts: ReadPcapOptions = {}): PcapFile {
  const b = nodeFs('readPcapFile').readFileSync(path);
  return readPcap(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), opts);
}
