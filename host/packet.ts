// Frame builders and a small decoder (tcpdump-style one-line summaries). Used by the CLI to describe
// what the engine sent, by tests to build inputs, and to generate the shipped demo capture.

export type Mac = string;   // "aa:bb:cc:dd:ee:ff"
export type Ip4 = string;   // "10.0.0.1"

export const BROADCAST: Mac = "ff:ff:ff:ff:ff:ff";

export function macBytes(m: Mac): Uint8Array {
  const p = m.split(":").map((x) => parseInt(x, 16));
  if (p.length !== 6 || p.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad MAC ${m}`);
  return Uint8Array.from(p);
}
export function macString(b: Uint8Array, off = 0): Mac {
  return Array.from(b.subarray(off, off + 6), (x) => x.toString(16).padStart(2, "0")).join(":");
}
export function ipBytes(a: Ip4): Uint8Array {
  const p = a.split(".").map(Number);
  if (p.length !== 4 || p.some((x) => !(Number.isInteger(x) && x >= 0 && x <= 255))) throw new Error(`bad IPv4 ${a}`);
  return Uint8Array.from(p);
}
export function ipString(b: Uint8Array, off = 0): Ip4 { return Array.from(b.subarray(off, off + 4)).join("."); }

/** RFC 1071 checksum, the plain way (the reference the tests compare the engine with). */
export function inetChecksum(b: Uint8Array, start = 0, end = b.length, initial = 0): number {
  let sum = initial;
  for (let i = start; i + 1 < end; i += 2) sum += (b[i] << 8) | b[i + 1];
  if ((end - start) & 1) sum += b[end - 1] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

export function ether(dst: Mac, src: Mac, type: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(14);
  h.set(macBytes(dst), 0); h.set(macBytes(src), 6);
  h[12] = type >> 8; h[13] = type & 255;
  return concat(h, payload);
}

export function arp(op: 1 | 2, sha: Mac, sip: Ip4, tha: Mac, tip: Ip4): Uint8Array {
  const a = new Uint8Array(28);
  a.set([0, 1, 8, 0, 6, 4, 0, op]);
  a.set(macBytes(sha), 8); a.set(ipBytes(sip), 14); a.set(macBytes(tha), 18); a.set(ipBytes(tip), 24);
  return a;
}

export interface Ip4Opts { tos?: number; id?: number; df?: boolean; mf?: boolean; fragOffset?: number; ttl?: number;
  /** Override fields to build broken headers. */
  version?: number; ihl?: number; totLen?: number; checksum?: number; options?: Uint8Array }

export function ipv4(src: Ip4, dst: Ip4, proto: number, payload: Uint8Array, o: Ip4Opts = {}): Uint8Array {
  const opt = o.options ?? new Uint8Array(0);
  const hl = 20 + opt.length;
  const h = new Uint8Array(hl);
  h[0] = ((o.version ?? 4) << 4) | (o.ihl ?? hl / 4);
  h[1] = o.tos ?? 0;
  const tot = o.totLen ?? hl + payload.length;
  h[2] = tot >> 8; h[3] = tot & 255;
  const id = o.id ?? 0x1234;
  h[4] = id >> 8; h[5] = id & 255;
  const ff = (o.df ? 0x4000 : 0) | (o.mf ? 0x2000 : 0) | ((o.fragOffset ?? 0) >> 3);
  h[6] = ff >> 8; h[7] = ff & 255;
  h[8] = o.ttl ?? 64; h[9] = proto;
  h.set(ipBytes(src), 12); h.set(ipBytes(dst), 16);
  h.set(opt, 20);
  const c = o.checksum ?? inetChecksum(h);
  h[10] = c >> 8; h[11] = c & 255;
  return concat(h, payload);
}

export function icmp(type: number, code: number, rest: number, data: Uint8Array, badChecksum = false): Uint8Array {
  const m = new Uint8Array(8 + data.length);
  m[0] = type; m[1] = code;
  m[4] = rest >>> 24; m[5] = (rest >>> 16) & 255; m[6] = (rest >>> 8) & 255; m[7] = rest & 255;
  m.set(data, 8);
  const c = inetChecksum(m) ^ (badChecksum ? 0x5555 : 0);
  m[2] = c >> 8; m[3] = c & 255;
  return m;
}

export function icmpEcho(id: number, seq: number, data: Uint8Array): Uint8Array {
  return icmp(8, 0, ((id & 0xffff) << 16 | (seq & 0xffff)) >>> 0, data);
}

export function udp(src: Ip4, dst: Ip4, sport: number, dport: number, data: Uint8Array): Uint8Array {
  const u = new Uint8Array(8 + data.length);
  u[0] = sport >> 8; u[1] = sport & 255; u[2] = dport >> 8; u[3] = dport & 255;
  u[4] = u.length >> 8; u[5] = u.length & 255;
  u.set(data, 8);
  const pseudo = concat(ipBytes(src), ipBytes(dst), Uint8Array.of(0, 17, u.length >> 8, u.length & 255), u);
  let c = inetChecksum(pseudo);
  if (c === 0) c = 0xffff;
  u[6] = c >> 8; u[7] = c & 255;
  return u;
}

export interface TcpOpts { seq?: number; ack?: number; flags?: number; window?: number; doff?: number }

/** A TCP segment with a correct checksum (flags: FIN 1, SYN 2, RST 4, PSH 8, ACK 16). */
export function tcp(src: Ip4, dst: Ip4, sport: number, dport: number, data: Uint8Array, o: TcpOpts = {}): Uint8Array {
  const t = new Uint8Array(20 + data.length);
  const dv = new DataView(t.buffer);
  dv.setUint16(0, sport); dv.setUint16(2, dport);
  dv.setUint32(4, (o.seq ?? 0) >>> 0); dv.setUint32(8, (o.ack ?? 0) >>> 0);
  t[12] = (o.doff ?? 5) << 4; t[13] = o.flags ?? 2;
  dv.setUint16(14, o.window ?? 64240);
  t.set(data, 20);
  const pseudo = concat(ipBytes(src), ipBytes(dst), Uint8Array.of(0, 6, t.length >> 8, t.length & 255), t);
  dv.setUint16(16, inetChecksum(pseudo));
  return t;
}

/** A one-line, tcpdump-like description of an Ethernet frame. */
export function describe(f: Uint8Array): string {
  if (f.length < 14) return `runt frame, length ${f.length}`;
  const head = `${macString(f, 6)} > ${macString(f, 0)}`;
  const type = (f[12] << 8) | f[13];
  const p = f.subarray(14);
  if (type === 0x0806 && p.length >= 28) {
    const op = (p[6] << 8) | p[7];
    if (op === 1) return `${head}, ARP, Request who-has ${ipString(p, 24)} tell ${ipString(p, 14)}, length ${p.length}`;
    if (op === 2) return `${head}, ARP, Reply ${ipString(p, 14)} is-at ${macString(p, 8)}, length ${p.length}`;
    return `${head}, ARP, op ${op}, length ${p.length}`;
  }
  if (type === 0x0800 && p.length >= 20) {
    const ihl = (p[0] & 15) * 4;
    const proto = p[9];
    const s = `${head}, IPv4, ${ipString(p, 12)} > ${ipString(p, 16)}, ttl ${p[8]}, id ${(p[4] << 8) | p[5]}`;
    const l4 = p.subarray(ihl);
    if (proto === 1 && l4.length >= 8) {
      const names: Record<number, string> = { 0: "echo reply", 3: "destination unreachable", 8: "echo request",
        11: "time exceeded", 12: "parameter problem" };
      const t = l4[0];
      const extra = t === 0 || t === 8 ? ` id ${(l4[4] << 8) | l4[5]}, seq ${(l4[6] << 8) | l4[7]}` : ` code ${l4[1]}`;
      return `${s}, ICMP ${names[t] ?? `type ${t}`},${extra}, length ${l4.length}`;
    }
    if (proto === 17 && l4.length >= 8) return `${s}, UDP ${(l4[0] << 8) | l4[1]} > ${(l4[2] << 8) | l4[3]}, length ${l4.length - 8}`;
    return `${s}, proto ${proto}, length ${l4.length}`;
  }
  return `${head}, ethertype 0x${type.toString(16).padStart(4, "0")}, length ${f.length}`;
}
