// The host side of rtnetlink: the kernel's numeric constants, a message builder and parser (nlmsghdr,
// ifinfomsg, ifaddrmsg, TLV attributes incl. nested), and NetlinkSocket, which hands requests to the
// core (nlRecv), collects every reply chunk of a dump (nlDumpContinue) and turns NLMSG_ERROR into
// NetlinkError with the kernel's errno and strerror text. Typed helpers build the same messages
// iproute2 sends (linkAdd, linkSet, linkDel, linkGet/linkDump, addrAdd/addrDel/addrDump).

// ---- constants (uapi/linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h, if.h) ----
export const NLMSG_HDRLEN = 16;
export const NLMSG_NOOP = 1, NLMSG_ERROR = 2, NLMSG_DONE = 3, NLMSG_OVERRUN = 4, NLMSG_MIN_TYPE = 0x10;

export const NLM_F_REQUEST = 0x01, NLM_F_MULTI = 0x02, NLM_F_ACK = 0x04, NLM_F_ECHO = 0x08;
export const NLM_F_DUMP_INTR = 0x10, NLM_F_DUMP_FILTERED = 0x20;
export const NLM_F_ROOT = 0x100, NLM_F_MATCH = 0x200, NLM_F_ATOMIC = 0x400, NLM_F_DUMP = 0x300;
export const NLM_F_REPLACE = 0x100, NLM_F_EXCL = 0x200, NLM_F_CREATE = 0x400, NLM_F_APPEND = 0x800;
export const NLM_F_CAPPED = 0x100, NLM_F_ACK_TLVS = 0x200;

export const NLA_F_NESTED = 0x8000, NLA_F_NET_BYTEORDER = 0x4000, NLA_TYPE_MASK = 0x3fff;
export const NLMSGERR_ATTR_MSG = 1, NLMSGERR_ATTR_OFFS = 2;

/** Socket options passed with each request (the core's NL_SOCK_* bits). */
export const NL_SOCK_EXT_ACK = 1, NL_SOCK_CAP_ACK = 2, NL_SOCK_STRICT_CHK = 4;

export const RTM_NEWLINK = 16, RTM_DELLINK = 17, RTM_GETLINK = 18, RTM_SETLINK = 19;
export const RTM_NEWADDR = 20, RTM_DELADDR = 21, RTM_GETADDR = 22;
export const RTM_NEWROUTE = 24, RTM_DELROUTE = 25, RTM_GETROUTE = 26;
export const RTM_NEWNEIGH = 28, RTM_DELNEIGH = 29, RTM_GETNEIGH = 30;
export const RTM_NEWRULE = 32, RTM_DELRULE = 33, RTM_GETRULE = 34;

export const RTNLGRP_LINK = 1, RTNLGRP_NOTIFY = 2, RTNLGRP_NEIGH = 3, RTNLGRP_TC = 4, RTNLGRP_IPV4_IFADDR = 5;
export const RTNLGRP_IPV4_MROUTE = 6, RTNLGRP_IPV4_ROUTE = 7, RTNLGRP_IPV4_RULE = 8, RTNLGRP_IPV6_IFADDR = 9;

export const AF_UNSPEC = 0, AF_INET = 2, AF_BRIDGE = 7, AF_INET6 = 10, AF_PACKET = 17;

export const IFLA_ADDRESS = 1, IFLA_BROADCAST = 2, IFLA_IFNAME = 3, IFLA_MTU = 4, IFLA_LINK = 5, IFLA_QDISC = 6;
export const IFLA_STATS = 7, IFLA_MASTER = 10, IFLA_TXQLEN = 13, IFLA_MAP = 14, IFLA_OPERSTATE = 16;
export const IFLA_LINKMODE = 17, IFLA_LINKINFO = 18, IFLA_IFALIAS = 20, IFLA_STATS64 = 23, IFLA_AF_SPEC = 26;
export const IFLA_GROUP = 27, IFLA_EXT_MASK = 29, IFLA_PROMISCUITY = 30, IFLA_NUM_TX_QUEUES = 31;
export const IFLA_NUM_RX_QUEUES = 32, IFLA_CARRIER = 33, IFLA_CARRIER_CHANGES = 35, IFLA_LINK_NETNSID = 37;
export const IFLA_PROTO_DOWN = 39, IFLA_GSO_MAX_SEGS = 40, IFLA_GSO_MAX_SIZE = 41, IFLA_XDP = 43;
export const IFLA_CARRIER_UP_COUNT = 47, IFLA_CARRIER_DOWN_COUNT = 48, IFLA_MIN_MTU = 50, IFLA_MAX_MTU = 51;
export const IFLA_GRO_MAX_SIZE = 58, IFLA_TSO_MAX_SIZE = 59, IFLA_TSO_MAX_SEGS = 60, IFLA_ALLMULTI = 61;
export const IFLA_GSO_IPV4_MAX_SIZE = 63, IFLA_GRO_IPV4_MAX_SIZE = 64;
export const IFLA_INFO_KIND = 1, IFLA_INFO_DATA = 2, IFLA_INFO_SLAVE_KIND = 4, IFLA_INFO_SLAVE_DATA = 5;
export const VETH_INFO_PEER = 1;
export const IFLA_INET6_ADDR_GEN_MODE = 8;
export const RTEXT_FILTER_VF = 1, RTEXT_FILTER_SKIP_STATS = 8;

export const IFA_ADDRESS = 1, IFA_LOCAL = 2, IFA_LABEL = 3, IFA_BROADCAST = 4, IFA_ANYCAST = 5;
export const IFA_CACHEINFO = 6, IFA_MULTICAST = 7, IFA_FLAGS = 8, IFA_RT_PRIORITY = 9, IFA_PROTO = 11;
export const IFA_F_SECONDARY = 0x01, IFA_F_NODAD = 0x02, IFA_F_OPTIMISTIC = 0x04, IFA_F_DADFAILED = 0x08;
export const IFA_F_HOMEADDRESS = 0x10, IFA_F_DEPRECATED = 0x20, IFA_F_TENTATIVE = 0x40, IFA_F_PERMANENT = 0x80;
export const IFA_F_MANAGETEMPADDR = 0x100, IFA_F_NOPREFIXROUTE = 0x200, IFA_F_MCAUTOJOIN = 0x400;
export const IFA_F_STABLE_PRIVACY = 0x800;
export const INFINITY_LIFE_TIME = 0xffffffff;

export const IFF_UP = 0x1, IFF_BROADCAST = 0x2, IFF_DEBUG = 0x4, IFF_LOOPBACK = 0x8, IFF_POINTOPOINT = 0x10;
export const IFF_NOTRAILERS = 0x20, IFF_RUNNING = 0x40, IFF_NOARP = 0x80, IFF_PROMISC = 0x100;
export const IFF_ALLMULTI = 0x200, IFF_MASTER = 0x400, IFF_SLAVE = 0x800, IFF_MULTICAST = 0x1000;
export const IFF_PORTSEL = 0x2000, IFF_AUTOMEDIA = 0x4000, IFF_DYNAMIC = 0x8000, IFF_LOWER_UP = 0x10000;
export const IFF_DORMANT = 0x20000, IFF_ECHO = 0x40000;

export const ARPHRD_ETHER = 1, ARPHRD_LOOPBACK = 772, ARPHRD_NONE = 0xfffe;
export const RT_SCOPE_UNIVERSE = 0, RT_SCOPE_SITE = 200, RT_SCOPE_LINK = 253, RT_SCOPE_HOST = 254, RT_SCOPE_NOWHERE = 255;
export const OPER_STATES = ["UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"];

/** struct rtnl_link_stats64, in order (rtnl_link_stats is the first 24 as u32). */
export const LINK_STATS64 = [
  "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors", "rx_dropped", "tx_dropped",
  "multicast", "collisions", "rx_length_errors", "rx_over_errors", "rx_crc_errors", "rx_frame_errors",
  "rx_fifo_errors", "rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
  "tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed", "rx_nohandler",
  "rx_otherhost_dropped",
] as const;
export type LinkStats = Record<(typeof LINK_STATS64)[number], bigint>;

// ---- errno ----
export const EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, ENXIO = 6, E2BIG = 7, EBADF = 9, EAGAIN = 11;
export const ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, ENODEV = 19, ENOTDIR = 20;
export const EINVAL = 22, ENFILE = 23, ENOSPC = 28, ERANGE = 34, ENOTSUP = 95, EOPNOTSUPP = 95, EMSGSIZE = 90;
export const EPROTONOSUPPORT = 93, EAFNOSUPPORT = 97, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETDOWN = 100;
export const ENETUNREACH = 101, ENOBUFS = 105, EHOSTUNREACH = 113, ENOTEMPTY = 39, ENOSYS = 38, ENOLINK = 67;

const STRERROR: Record<number, string> = {
  0: "Success", 1: "Operation not permitted", 2: "No such file or directory", 3: "No such process",
  4: "Interrupted system call", 5: "Input/output error", 6: "No such device or address", 7: "Argument list too long",
  9: "Bad file descriptor", 11: "Resource temporarily unavailable", 12: "Cannot allocate memory",
  13: "Permission denied", 14: "Bad address", 16: "Device or resource busy", 17: "File exists",
  19: "No such device", 20: "Not a directory", 22: "Invalid argument", 23: "Too many open files in system",
  28: "No space left on device", 34: "Numerical result out of range", 38: "Function not implemented",
  39: "Directory not empty", 61: "No data available", 67: "Link has been severed", 90: "Message too long",
  92: "Protocol not available", 93: "Protocol not supported", 95: "Operation not supported",
  97: "Address family not supported by protocol", 98: "Address already in use",
  99: "Cannot assign requested address", 100: "Network is down", 101: "Network is unreachable",
  105: "No buffer space available", 107: "Transport endpoint is not connected", 110: "Connection timed out", 113: "No route to host",
};

/** strerror(3) as glibc words it. */
export function strerror(errno: number): string {
  return STRERROR[errno] ?? `Unknown error ${errno}`;
}

/** An NLMSG_ERROR (or a failed dump's NLMSG_DONE) as an exception: errno plus the kernel's ext-ack message. */
export class NetlinkError extends Error {
  readonly errno: number;
  readonly extack?: string;
  readonly reply?: NlMessage;
  constructor(errno: number, extack?: string, reply?: NlMessage) {
    super(extack ? `${extack} (${strerror(errno)})` : strerror(errno));
    this.name = "NetlinkError";
    this.errno = errno;
    this.extack = extack;
    this.reply = reply;
  }
}

// ---- attributes ----
export interface NlAttr {
  type: number;          // nla_type & NLA_TYPE_MASK
  nested: boolean;       // NLA_F_NESTED
  netByteOrder: boolean; // NLA_F_NET_BYTEORDER
  data: Uint8Array;      // payload (a view into the message)
  offset: number;        // offset of the attribute header in the message
}

/** Walk TLVs as nla_for_each_attr does (stops at the first malformed one). */
export function parseAttrs(buf: Uint8Array, off = 0, len = buf.length - off): NlAttr[] {
  const out: NlAttr[] = [];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let p = off, rem = len;
  while (rem >= 4) {
    const l = dv.getUint16(p, true), t = dv.getUint16(p + 2, true);
    if (l < 4 || l > rem) break;
    out.push({ type: t & NLA_TYPE_MASK, nested: (t & NLA_F_NESTED) !== 0, netByteOrder: (t & NLA_F_NET_BYTEORDER) !== 0,
      data: buf.subarray(p + 4, p + l), offset: p });
    const step = (l + 3) & ~3;
    p += step; rem -= step;
  }
  return out;
}

/** Attributes by type (the last occurrence wins, as nla_parse). */
export function attrMap(attrs: NlAttr[]): Map<number, NlAttr> {
  const m = new Map<number, NlAttr>();
  for (const a of attrs) m.set(a.type, a);
  return m;
}
export function parseNested(a: NlAttr): Map<number, NlAttr> { return attrMap(parseAttrs(a.data)); }

const le = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset, d.byteLength);
export const attrU8 = (a: NlAttr) => a.data[0];
export const attrU16 = (a: NlAttr) => le(a.data).getUint16(0, true);
export const attrU32 = (a: NlAttr) => le(a.data).getUint32(0, true);
export const attrS32 = (a: NlAttr) => le(a.data).getInt32(0, true);
export const attrU64 = (a: NlAttr) => le(a.data).getBigUint64(0, true);
/** A string attribute up to its first NUL. */
export function attrStr(a: NlAttr): string {
  let n = a.data.indexOf(0);
  if (n < 0) n = a.data.length;
  return new TextDecoder().decode(a.data.subarray(0, n));
}

// ---- messages ----
export interface NlMessage {
  len: number;
  type: number;
  flags: number;
  seq: number;
  pid: number;
  /** The whole message (header included). */
  bytes: Uint8Array;
  /** NLMSG_ERROR: the error (0 = ACK, else a negative errno); NLMSG_DONE: the dump's final status. */
  error?: number;
  /** Ext-ack message (NLMSGERR_ATTR_MSG) of an NLMSG_ERROR or NLMSG_DONE. */
  extack?: string;
  /** Ext-ack offset of the offending attribute in the request (NLMSGERR_ATTR_OFFS). */
  extackOffset?: number;
  /** NLMSG_ERROR: the header of the request it answers. */
  request?: { len: number; type: number; flags: number; seq: number; pid: number };
  /** Multicast group (notifications only). */
  group?: number;
}

function hdr(bytes: Uint8Array, off: number) {
  const dv = le(bytes);
  return { len: dv.getUint32(off, true), type: dv.getUint16(off + 4, true), flags: dv.getUint16(off + 6, true),
    seq: dv.getUint32(off + 8, true), pid: dv.getUint32(off + 12, true) };
}

/** Split a buffer into messages (NLMSG_OK / NLMSG_NEXT) and decode errors and DONE statuses. */
export function parseMessages(buf: Uint8Array): NlMessage[] {
  const out: NlMessage[] = [];
  let p = 0;
  while (buf.length - p >= NLMSG_HDRLEN) {
    const h = hdr(buf, p);
    if (h.len < NLMSG_HDRLEN || h.len > buf.length - p) break;
    const bytes = buf.slice(p, p + h.len);
    const m: NlMessage = { ...h, bytes };
    const dv = le(bytes);
    if (h.type === NLMSG_ERROR && h.len >= NLMSG_HDRLEN + 20) {
      m.error = dv.getInt32(16, true);
      m.request = hdr(bytes, 20);
      if (h.flags & NLM_F_ACK_TLVS) {
        // TLVs follow the echoed request: its header only when capped, else the whole request.
        const echoed = (h.flags & NLM_F_CAPPED) ? NLMSG_HDRLEN : m.request.len;
        decodeExtack(m, bytes, 20 + ((echoed + 3) & ~3));
      }
    } else if (h.type === NLMSG_DONE && h.len >= NLMSG_HDRLEN + 4) {
      m.error = dv.getInt32(16, true);
      if (h.flags & NLM_F_ACK_TLVS) decodeExtack(m, bytes, 20);
    }
    out.push(m);
    p += (h.len + 3) & ~3;
  }
  return out;
}

function decodeExtack(m: NlMessage, bytes: Uint8Array, off: number): void {
  if (off >= bytes.length) return;
  for (const a of parseAttrs(bytes, off)) {
    if (a.type === NLMSGERR_ATTR_MSG) m.extack = attrStr(a);
    else if (a.type === NLMSGERR_ATTR_OFFS && a.data.length >= 4) m.extackOffset = attrU32(a);
  }
}

/** Payload of a message after its header (and a family header of hdrlen bytes). */
export function payload(m: NlMessage, hdrlen = 0): Uint8Array {
  return m.bytes.subarray(NLMSG_HDRLEN + ((hdrlen + 3) & ~3));
}

// ---- builder ----
/** Builds one message: header, family header, attributes (nested with nest()/end()). */
export class NlBuilder {
  private buf = new Uint8Array(256);
  private dv = new DataView(this.buf.buffer);
  private n = NLMSG_HDRLEN;
  private nests: number[] = [];

  constructor(type: number, flags: number, seq = 0, pid = 0) {
    this.dv.setUint16(4, type, true);
    this.dv.setUint16(6, flags, true);
    this.dv.setUint32(8, seq >>> 0, true);
    this.dv.setUint32(12, pid >>> 0, true);
  }
  private grow(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.n + k + 64));
    b.set(this.buf);
    this.buf = b;
    this.dv = new DataView(b.buffer);
  }
  private pad(): void { while (this.n & 3) { this.grow(1); this.buf[this.n++] = 0; } }
  /** Raw bytes (a family header), padded to 4. */
  raw(bytes: Uint8Array): this {
    this.grow(bytes.length + 3);
    this.buf.set(bytes, this.n);
    this.n += bytes.length;
    this.pad();
    return this;
  }
  attr(type: number, data: Uint8Array = new Uint8Array(0)): this {
    this.grow(4 + data.length + 3);
    this.dv.setUint16(this.n, 4 + data.length, true);
    this.dv.setUint16(this.n + 2, type, true);
    this.buf.set(data, this.n + 4);
    this.n += 4 + data.length;
    this.pad();
    return this;
  }
  u8(type: number, v: number): this { return this.attr(type, Uint8Array.of(v)); }
  u16(type: number, v: number): this { const b = new Uint8Array(2); le(b).setUint16(0, v, true); return this.attr(type, b); }
  u32(type: number, v: number): this { const b = new Uint8Array(4); le(b).setUint32(0, v >>> 0, true); return this.attr(type, b); }
  /** A NUL-terminated string. */
  str(type: number, s: string): this {
    const e = new TextEncoder().encode(s);
    const b = new Uint8Array(e.length + 1);
    b.set(e);
    return this.attr(type, b);
  }
  /** A string without its NUL (as iproute2 sends IFLA_INFO_KIND). */
  strNoNul(type: number, s: string): this { return this.attr(type, new TextEncoder().encode(s)); }
  /** Start a nested attribute (no NLA_F_NESTED, as iproute2's addattr_nest). */
  nest(type: number): this {
    this.grow(4);
    this.nests.push(this.n);
    this.dv.setUint16(this.n + 2, type, true);
    this.n += 4;
    return this;
  }
  end(): this {
    const s = this.nests.pop();
    if (s === undefined) throw new Error("NlBuilder.end without nest");
    this.dv.setUint16(s, this.n - s, true);
    return this;
  }
  finish(): Uint8Array {
    if (this.nests.length) throw new Error("NlBuilder: unclosed nest");
    this.dv.setUint32(0, this.n, true);
    return this.buf.slice(0, this.n);
  }
}

/** struct ifinfomsg. */
export function ifinfomsg(o: { family?: number; type?: number; index?: number; flags?: number; change?: number } = {}): Uint8Array {
  const b = new Uint8Array(16);
  const dv = le(b);
  b[0] = o.family ?? AF_UNSPEC;
  dv.setUint16(2, o.type ?? 0, true);
  dv.setInt32(4, o.index ?? 0, true);
  dv.setUint32(8, (o.flags ?? 0) >>> 0, true);
  dv.setUint32(12, (o.change ?? 0) >>> 0, true);
  return b;
}
/** struct ifaddrmsg. */
export function ifaddrmsg(o: { family?: number; prefixlen?: number; flags?: number; scope?: number; index?: number } = {}): Uint8Array {
  const b = new Uint8Array(8);
  b[0] = o.family ?? AF_INET; b[1] = o.prefixlen ?? 0; b[2] = o.flags ?? 0; b[3] = o.scope ?? 0;
  le(b).setUint32(4, o.index ?? 0, true);
  return b;
}

// ---- address helpers ----
export function parseMac(s: string): Uint8Array | null {
  const p = s.split(":");
  if (p.length < 1 || p.length > 32) return null;
  const out = new Uint8Array(p.length);
  for (let i = 0; i < p.length; i++) {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p[i])) return null;
    out[i] = parseInt(p[i], 16);
  }
  return out;
}
export const macStr = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(":");
export function parseIPv4(s: string): Uint8Array | null {
  const p = s.split(".");
  if (p.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(p[i]) || Number(p[i]) > 255) return null;
    out[i] = Number(p[i]);
  }
  return out;
}
export const ipv4Str = (b: Uint8Array) => `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;

// ---- decoded objects ----
export interface LinkInfo {
  ifindex: number;
  ifname: string;
  /** ARPHRD_* */
  type: number;
  /** Flags as the kernel reports them (IFF_RUNNING and IFF_LOWER_UP included). */
  flags: number;
  change: number;
  mtu?: number;
  minMtu?: number;
  maxMtu?: number;
  txqlen?: number;
  operstate?: number;
  linkmode?: number;
  group?: number;
  promiscuity?: number;
  allmulti?: number;
  numTxQueues?: number;
  numRxQueues?: number;
  carrier?: number;
  carrierChanges?: number;
  carrierUpCount?: number;
  carrierDownCount?: number;
  qdisc?: string;
  address?: string;
  broadcast?: string;
  /** IFLA_LINK (veth: the peer's ifindex). */
  link?: number;
  master?: number;
  kind?: string;
  addrGenMode?: number;
  gsoMaxSize?: number;
  gsoMaxSegs?: number;
  tsoMaxSize?: number;
  tsoMaxSegs?: number;
  groMaxSize?: number;
  stats64?: LinkStats;
  /** Every attribute, for what is not decoded above. */
  attrs: Map<number, NlAttr>;
  /** RTM_NEWLINK or RTM_DELLINK. */
  msgType: number;
}

export function decodeLink(m: NlMessage): LinkInfo {
  const b = m.bytes, dv = le(b);
  const at = attrMap(parseAttrs(b, NLMSG_HDRLEN + 16));
  const g = (t: number, f: (a: NlAttr) => any) => (at.has(t) ? f(at.get(t)!) : undefined);
  const info: LinkInfo = {
    ifindex: dv.getInt32(20, true), ifname: g(IFLA_IFNAME, attrStr) ?? "", type: dv.getUint16(18, true),
    flags: dv.getUint32(24, true), change: dv.getUint32(28, true), attrs: at, msgType: m.type,
    mtu: g(IFLA_MTU, attrU32), minMtu: g(IFLA_MIN_MTU, attrU32), maxMtu: g(IFLA_MAX_MTU, attrU32),
    txqlen: g(IFLA_TXQLEN, attrU32), operstate: g(IFLA_OPERSTATE, attrU8), linkmode: g(IFLA_LINKMODE, attrU8),
    group: g(IFLA_GROUP, attrU32), promiscuity: g(IFLA_PROMISCUITY, attrU32), allmulti: g(IFLA_ALLMULTI, attrU32),
    numTxQueues: g(IFLA_NUM_TX_QUEUES, attrU32), numRxQueues: g(IFLA_NUM_RX_QUEUES, attrU32),
    carrier: g(IFLA_CARRIER, attrU8), carrierChanges: g(IFLA_CARRIER_CHANGES, attrU32),
    carrierUpCount: g(IFLA_CARRIER_UP_COUNT, attrU32), carrierDownCount: g(IFLA_CARRIER_DOWN_COUNT, attrU32),
    qdisc: g(IFLA_QDISC, attrStr), address: g(IFLA_ADDRESS, (a) => macStr(a.data)),
    broadcast: g(IFLA_BROADCAST, (a) => macStr(a.data)), link: g(IFLA_LINK, attrU32), master: g(IFLA_MASTER, attrU32),
    gsoMaxSize: g(IFLA_GSO_MAX_SIZE, attrU32), gsoMaxSegs: g(IFLA_GSO_MAX_SEGS, attrU32),
    tsoMaxSize: g(IFLA_TSO_MAX_SIZE, attrU32), tsoMaxSegs: g(IFLA_TSO_MAX_SEGS, attrU32),
    groMaxSize: g(IFLA_GRO_MAX_SIZE, attrU32),
  };
  const li = at.get(IFLA_LINKINFO);
  if (li) { const k = parseNested(li).get(IFLA_INFO_KIND); if (k) info.kind = attrStr(k); }
  const af = at.get(IFLA_AF_SPEC);
  if (af) {
    const a6 = parseNested(af).get(AF_INET6);
    const m6 = a6 ? parseNested(a6).get(IFLA_INET6_ADDR_GEN_MODE) : undefined;
    if (m6) info.addrGenMode = attrU8(m6);
  }
  const s64 = at.get(IFLA_STATS64);
  if (s64) {
    const sdv = le(s64.data);
    const st = {} as LinkStats;
    LINK_STATS64.forEach((k, i) => { st[k] = 8 * i + 8 <= s64.data.length ? sdv.getBigUint64(8 * i, true) : 0n; });
    info.stats64 = st;
  } else {
    const s32 = at.get(IFLA_STATS);
    if (s32) {
      const sdv = le(s32.data);
      const st = {} as LinkStats;
      LINK_STATS64.forEach((k, i) => { st[k] = 4 * i + 4 <= s32.data.length ? BigInt(sdv.getUint32(4 * i, true)) : 0n; });
      info.stats64 = st;
    }
  }
  return info;
}

export interface AddrInfo {
  family: number;
  prefixlen: number;
  /** IFA_FLAGS when present, else the u8 ifa_flags. */
  flags: number;
  scope: number;
  ifindex: number;
  address?: string;
  local?: string;
  broadcast?: string;
  anycast?: string;
  label?: string;
  cacheinfo?: { preferred: number; valid: number; cstamp: number; tstamp: number };
  attrs: Map<number, NlAttr>;
  /** RTM_NEWADDR or RTM_DELADDR. */
  msgType: number;
}

export function decodeAddr(m: NlMessage): AddrInfo {
  const b = m.bytes, dv = le(b);
  const at = attrMap(parseAttrs(b, NLMSG_HDRLEN + 8));
  const family = b[16];
  const ip = (a: NlAttr) => (family === AF_INET && a.data.length >= 4 ? ipv4Str(a.data) : ipv6Str(a.data));
  const g = (t: number, f: (a: NlAttr) => any) => (at.has(t) ? f(at.get(t)!) : undefined);
  const info: AddrInfo = {
    family, prefixlen: b[17], flags: g(IFA_FLAGS, attrU32) ?? b[18], scope: b[19], ifindex: dv.getUint32(20, true),
    address: g(IFA_ADDRESS, ip), local: g(IFA_LOCAL, ip), broadcast: g(IFA_BROADCAST, ip), anycast: g(IFA_ANYCAST, ip),
    label: g(IFA_LABEL, attrStr), attrs: at, msgType: m.type,
  };
  const ci = at.get(IFA_CACHEINFO);
  if (ci && ci.data.length >= 16) {
    const c = le(ci.data);
    info.cacheinfo = { preferred: c.getUint32(0, true), valid: c.getUint32(4, true), cstamp: c.getUint32(8, true),
      tstamp: c.getUint32(12, true) };
  }
  return info;
}

function ipv6Str(b: Uint8Array): string {
  if (b.length !== 16) return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  const w: number[] = [];
  for (let i = 0; i < 16; i += 2) w.push((b[i] << 8) | b[i + 1]);
  let bs = -1, bl = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bl && j - i > 1) { bs = i; bl = j - i; }
    i = j;
  }
  const hex = (a: number[]) => a.map((x) => x.toString(16)).join(":");
  return bs < 0 ? hex(w) : `${hex(w.slice(0, bs))}::${hex(w.slice(bs + bl))}`;
}

// ---- the socket ----
/** What NetlinkSocket needs from the engine: the wasm exports and a fresh memory view. */
export interface EngineLike {
  exports: any;
  /** Current view of memory: re-get it after every call into wasm (memory may grow). */
  u8(): Uint8Array;
}

export interface NetlinkSocketOptions {
  /** Port id (nl_pid) of this socket; by default a unique small number. */
  portid?: number;
  /** NETLINK_EXT_ACK (iproute2 sets it): errors carry the kernel's message. Default true. */
  extAck?: boolean;
  /** NETLINK_CAP_ACK: errors carry only the request's header. Default false. */
  capAck?: boolean;
  /** NETLINK_GET_STRICT_CHK (iproute2 sets it): strict dump request checks. Default true. */
  strictCheck?: boolean;
  /** First sequence number (iproute2 starts from time(NULL)); set it for reproducible notifications. */
  seq?: number;
}

let nextPortid = 4000;

export interface LinkAddOptions {
  /** veth: the peer's name (default: the kernel picks veth%d). */
  peer?: string;
  peerAddress?: string;
  peerMtu?: number;
  mtu?: number;
  address?: string;
  txqlen?: number;
  up?: boolean;
  /** NIC: the ifindex to create it at (0 = next free). */
  index?: number;
}

export interface LinkChanges {
  up?: boolean;
  mtu?: number;
  address?: string;
  broadcast?: string;
  name?: string;
  promisc?: boolean;
  arp?: boolean;
  multicast?: boolean;
  allmulticast?: boolean;
  txqlen?: number;
  group?: number;
  /** NIC only (as dummy's ndo_change_carrier). */
  carrier?: boolean;
}

export interface AddrOptions {
  /** Broadcast address, or "+" / "-" (host bits set / cleared) as iproute2 computes it. */
  broadcast?: string;
  /** Peer address of a point-to-point prefix ("a.b.c.d/len"). */
  peer?: string;
  scope?: number;
  label?: string;
  flags?: number;
  /** NLM_F_REPLACE instead of NLM_F_EXCL. */
  replace?: boolean;
}

/**
 * A netlink socket on the engine's rtnetlink: request() sends one buffer of messages and returns every
 * reply (ACKs, errors, GET answers, all chunks of a dump, in order). Typed helpers throw NetlinkError.
 */
export class NetlinkSocket {
  readonly engine: EngineLike;
  portid: number;
  extAck: boolean;
  capAck: boolean;
  strictCheck: boolean;
  seq: number;
  private groups = 0;

  constructor(engine: EngineLike, opts: NetlinkSocketOptions = {}) {
    this.engine = engine;
    this.portid = opts.portid ?? nextPortid++;
    this.extAck = opts.extAck ?? true;
    this.capAck = opts.capAck ?? false;
    this.strictCheck = opts.strictCheck ?? true;
    this.seq = (opts.seq ?? Math.floor(Date.now() / 1000)) >>> 0;
  }

  private get x(): any { return this.engine.exports; }
  private sockFlags(): number {
    return (this.extAck ? NL_SOCK_EXT_ACK : 0) | (this.capAck ? NL_SOCK_CAP_ACK : 0) | (this.strictCheck ? NL_SOCK_STRICT_CHK : 0);
  }

  nextSeq(): number { this.seq = (this.seq + 1) >>> 0; return this.seq; }

  /** Send raw bytes (one or more messages) and collect every reply message. */
  request(msg: Uint8Array | Uint8Array[]): NlMessage[] {
    const out: NlMessage[] = [];
    this.stream(msg, (m) => { out.push(m); });
    return out;
  }

  /**
   * Send raw bytes and hand each reply to `onMessage` as its chunk arrives (nothing is retained: a dump
   * of a million routes streams in 32 KiB chunks). Throws NetlinkError for a socket-level error.
   */
  stream(msg: Uint8Array | Uint8Array[], onMessage: (m: NlMessage) => void): void {
    const parts = Array.isArray(msg) ? msg : [msg];
    // Messages in one datagram start 4-byte aligned; the datagram ends with the last message.
    let total = 0;
    parts.forEach((p, i) => { total += i < parts.length - 1 ? (p.length + 3) & ~3 : p.length; });
    const cap = this.x.nlRequestCapacity() as number;
    if (total > cap) throw new NetlinkError(EMSGSIZE);
    const base = this.x.nlRequestBuffer() as number;
    let mem = this.engine.u8();
    let off = 0;
    for (const p of parts) {
      mem.set(p, base + off);
      const end = Math.min(off + ((p.length + 3) & ~3), total);
      mem.fill(0, base + off + p.length, base + Math.max(end, off + p.length));
      off += (p.length + 3) & ~3;
    }
    const n = this.x.nlRecv(total, this.portid, this.sockFlags()) as number;
    if (n < 0) throw new NetlinkError(-n);
    const deliver = (len: number) => {
      if (len <= 0) return;
      const rb = this.x.nlReplyBuffer() as number;
      mem = this.engine.u8();
      for (const m of parseMessages(mem.slice(rb, rb + len))) onMessage(m);
    };
    deliver(n);
    while (this.x.nlDumpPending()) {
      const k = this.x.nlDumpContinue() as number;
      if (k < 0) throw new NetlinkError(-k);
      deliver(k);
    }
  }

  /**
   * Send one request built by `build` (seq and flags filled in) and return its replies; NLMSG_ERROR with
   * a non-zero error, or a failed dump, throws NetlinkError.
   */
  transact(type: number, flags: number, build: (b: NlBuilder) => void): NlMessage[] {
    const seq = this.nextSeq();
    const b = new NlBuilder(type, flags | NLM_F_REQUEST, seq, 0);
    build(b);
    const replies = this.request(b.finish()).filter((m) => m.seq === seq);
    for (const m of replies) {
      if ((m.type === NLMSG_ERROR || m.type === NLMSG_DONE) && m.error !== undefined && m.error < 0) {
        throw new NetlinkError(-m.error, m.extack, m);
      }
    }
    return replies;
  }

  // ---- links ----

  /** ifindex of a device name (RTM_GETLINK with IFLA_IFNAME, as ll_name_to_index); 0 when absent. */
  ifindex(name: string): number {
    try { return this.linkGet(name).ifindex; } catch (e) {
      if (e instanceof NetlinkError && e.errno === ENODEV) return 0;
      throw e;
    }
  }

  private devIndex(dev: string | number): number {
    if (typeof dev === "number") return dev;
    const i = this.ifindex(dev);
    if (!i) throw new NetlinkError(ENODEV, `Cannot find device "${dev}"`);
    return i;
  }

  /** `ip link add NAME type veth peer name PEER` / `ip link add NAME type nic`. */
  linkAdd(name: string | null, kind: "veth" | "nic" | string, opts: LinkAddOptions = {}): void {
    this.transact(RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, (b) => {
      const up = opts.up ? IFF_UP : 0;
      b.raw(ifinfomsg({ index: opts.index ?? 0, flags: up, change: up }));
      if (name) b.str(IFLA_IFNAME, name);
      if (opts.address) b.attr(IFLA_ADDRESS, macOrThrow(opts.address));
      if (opts.mtu !== undefined) b.u32(IFLA_MTU, opts.mtu);
      if (opts.txqlen !== undefined) b.u32(IFLA_TXQLEN, opts.txqlen);
      b.nest(IFLA_LINKINFO).strNoNul(IFLA_INFO_KIND, kind);
      if (kind === "veth" && (opts.peer || opts.peerAddress || opts.peerMtu !== undefined)) {
        b.nest(IFLA_INFO_DATA).nest(VETH_INFO_PEER).raw(ifinfomsg());
        if (opts.peer) b.str(IFLA_IFNAME, opts.peer);
        if (opts.peerAddress) b.attr(IFLA_ADDRESS, macOrThrow(opts.peerAddress));
        if (opts.peerMtu !== undefined) b.u32(IFLA_MTU, opts.peerMtu);
        b.end().end();
      }
      b.end();
    });
  }

  /** `ip link set DEV …` as one RTM_NEWLINK by index. */
  linkSet(dev: string | number, c: LinkChanges): void {
    const index = this.devIndex(dev);
    let flags = 0, change = 0;
    const flag = (on: boolean | undefined, bit: number) => {
      if (on === undefined) return;
      change |= bit;
      if (on) flags |= bit;
    };
    flag(c.up, IFF_UP);
    flag(c.promisc, IFF_PROMISC);
    flag(c.arp === undefined ? undefined : !c.arp, IFF_NOARP);
    flag(c.multicast, IFF_MULTICAST);
    flag(c.allmulticast, IFF_ALLMULTI);
    this.transact(RTM_NEWLINK, NLM_F_ACK, (b) => {
      b.raw(ifinfomsg({ index, flags, change }));
      if (c.txqlen !== undefined) b.u32(IFLA_TXQLEN, c.txqlen);
      if (c.name !== undefined) b.str(IFLA_IFNAME, c.name);
      if (c.mtu !== undefined) b.u32(IFLA_MTU, c.mtu);
      if (c.address !== undefined) b.attr(IFLA_ADDRESS, macOrThrow(c.address));
      if (c.broadcast !== undefined) b.attr(IFLA_BROADCAST, macOrThrow(c.broadcast));
      if (c.group !== undefined) b.u32(IFLA_GROUP, c.group);
      if (c.carrier !== undefined) b.u8(IFLA_CARRIER, c.carrier ? 1 : 0);
    });
  }

  linkDel(dev: string | number): void {
    const index = this.devIndex(dev);
    this.transact(RTM_DELLINK, NLM_F_ACK, (b) => b.raw(ifinfomsg({ index })));
  }

  /** One device by name or ifindex (throws NetlinkError ENODEV). */
  linkGet(dev: string | number): LinkInfo {
    const replies = this.transact(RTM_GETLINK, 0, (b) => {
      b.raw(ifinfomsg({ index: typeof dev === "number" ? dev : 0 }));
      if (typeof dev === "string") b.str(IFLA_IFNAME, dev);
      b.u32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
    });
    const m = replies.find((r) => r.type === RTM_NEWLINK);
    if (!m) throw new NetlinkError(ENODEV);
    return decodeLink(m);
  }

  /** Every device (RTM_GETLINK dump), optionally only one link kind. */
  linkDump(opts: { kind?: string; family?: number } = {}): LinkInfo[] {
    const replies = this.transact(RTM_GETLINK, NLM_F_DUMP, (b) => {
      b.raw(ifinfomsg({ family: opts.family ?? AF_PACKET }));
      b.u32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
      if (opts.kind) b.nest(IFLA_LINKINFO).strNoNul(IFLA_INFO_KIND, opts.kind).end();
    });
    return replies.filter((m) => m.type === RTM_NEWLINK).map(decodeLink);
  }

  // ---- addresses ----

  /** `ip addr add A/P dev DEV [broadcast B|+|-] [peer P/L] [scope S] [label L]`. */
  addrAdd(dev: string | number, prefix: string, opts: AddrOptions = {}): void {
    this.addrModify(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | (opts.replace ? NLM_F_REPLACE : NLM_F_EXCL), dev, prefix, opts);
  }

  /** `ip addr del A/P dev DEV` (a missing prefix length deletes any, as iproute2's wildcard delete). */
  addrDel(dev: string | number, prefix: string, opts: AddrOptions = {}): void {
    this.addrModify(RTM_DELADDR, NLM_F_ACK, dev, prefix, opts);
  }

  private addrModify(type: number, flags: number, dev: string | number, prefix: string, opts: AddrOptions): void {
    const index = this.devIndex(dev);
    const [addrS, lenS] = prefix.split("/");
    const local = parseIPv4(addrS);
    if (!local) throw new NetlinkError(EINVAL, `invalid address "${prefix}"`);
    const plen = lenS === undefined ? 32 : Number(lenS);
    if (!Number.isInteger(plen) || plen < 0 || plen > 32) throw new NetlinkError(EINVAL, `invalid prefix "${prefix}"`);
    let peer: Uint8Array | null = null;
    let len = plen;
    if (opts.peer) {
      const [pa, pl] = opts.peer.split("/");
      peer = parseIPv4(pa);
      if (!peer) throw new NetlinkError(EINVAL, `invalid peer "${opts.peer}"`);
      len = pl === undefined ? 32 : Number(pl);
    }
    this.transact(type, flags, (b) => {
      b.raw(ifaddrmsg({ family: AF_INET, prefixlen: len, flags: opts.flags ?? 0, scope: opts.scope ?? 0, index }));
      b.attr(IFA_LOCAL, local);
      if (peer) b.attr(IFA_ADDRESS, peer);
      else if (type === RTM_NEWADDR || lenS !== undefined) b.attr(IFA_ADDRESS, local);
      if (opts.label) b.str(IFA_LABEL, opts.label);
      if (opts.broadcast !== undefined) b.attr(IFA_BROADCAST, broadcastOf(opts.broadcast, local, len));
    });
  }

  /** Every IPv4 address (RTM_GETADDR dump), optionally of one device. */
  addrDump(opts: { dev?: string | number; family?: number } = {}): AddrInfo[] {
    const index = opts.dev === undefined ? 0 : this.devIndex(opts.dev);
    const replies = this.transact(RTM_GETADDR, NLM_F_DUMP, (b) => b.raw(ifaddrmsg({ family: opts.family ?? AF_INET, index })));
    return replies.filter((m) => m.type === RTM_NEWADDR).map(decodeAddr);
  }

  // ---- notifications ----

  /** Join multicast groups (RTNLGRP_*): the core queues notifications for them from now on. */
  subscribe(...groups: number[]): void {
    for (const g of groups) this.groups |= 1 << (g - 1);
    this.x.nlNotifySetGroups(this.groups >>> 0);
  }
  unsubscribe(...groups: number[]): void {
    for (const g of groups) this.groups &= ~(1 << (g - 1));
    this.x.nlNotifySetGroups(this.groups >>> 0);
  }

  /**
   * Queued notifications (each with its group). If some were dropped because the queue was full, this
   * throws NetlinkError(ENOBUFS) once, as recvmsg does on an overrun listener; the next call goes on.
   */
  notifications(): NlMessage[] {
    if (this.x.nlNotifyOverrun()) throw new NetlinkError(ENOBUFS);
    const n = this.x.nlNotifyDrain() as number;
    if (n <= 0) return [];
    const base = this.x.nlNotifyBuffer() as number;
    const buf = this.engine.u8().slice(base, base + n);
    const dv = le(buf);
    const out: NlMessage[] = [];
    let p = 0;
    while (p + 4 + NLMSG_HDRLEN <= n) {
      const group = dv.getUint32(p, true);
      const len = dv.getUint32(p + 4, true);
      if (len < NLMSG_HDRLEN || p + 4 + len > n) break;
      const [m] = parseMessages(buf.subarray(p + 4, p + 4 + len));
      if (m && (this.groups & (1 << (group - 1)))) { m.group = group; out.push(m); }
      p += 4 + ((len + 3) & ~3);
    }
    return out;
  }
}

function macOrThrow(s: string): Uint8Array {
  const m = parseMac(s);
  if (!m) throw new NetlinkError(EINVAL, `invalid address "${s}"`);
  return m;
}

/** iproute2's "brd +" (host bits set) and "brd -" (host bits cleared), or a literal address. */
export function broadcastOf(spec: string, local: Uint8Array, plen: number): Uint8Array {
  if (spec === "+" || spec === "-") {
    const a = ((local[0] << 24) | (local[1] << 16) | (local[2] << 8) | local[3]) >>> 0;
    const mask = plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0;
    const v = spec === "+" ? (a | ~mask) >>> 0 : (a & mask) >>> 0;
    return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
  const b = parseIPv4(spec);
  if (!b) throw new NetlinkError(EINVAL, `invalid broadcast "${spec}"`);
  return b;
}

// ---- routes and rules (rtmsg, fib_rule_hdr): decoding and typed requests ----
// Appended for the routing subsystem (assembly/route, netlink/rtnl_route.ts, rtnl_rule.ts).

export const RTA_DST = 1, RTA_SRC = 2, RTA_IIF = 3, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6;
export const RTA_PREFSRC = 7, RTA_METRICS = 8, RTA_MULTIPATH = 9, RTA_FLOW = 11, RTA_CACHEINFO = 12;
export const RTA_TABLE = 15, RTA_MARK = 16, RTA_VIA = 18, RTA_UID = 25, RTA_IP_PROTO = 27, RTA_SPORT = 28;
export const RTA_DPORT = 29, RTA_NH_ID = 30;
export const RTN_UNSPEC = 0, RTN_UNICAST = 1, RTN_LOCAL = 2, RTN_BROADCAST = 3, RTN_ANYCAST = 4, RTN_MULTICAST = 5;
export const RTN_BLACKHOLE = 6, RTN_UNREACHABLE = 7, RTN_PROHIBIT = 8, RTN_THROW = 9, RTN_NAT = 10, RTN_XRESOLVE = 11;
export const RTPROT_UNSPEC = 0, RTPROT_KERNEL = 2, RTPROT_BOOT = 3, RTPROT_STATIC = 4;
export const RT_TABLE_UNSPEC = 0, RT_TABLE_DEFAULT = 253, RT_TABLE_MAIN = 254, RT_TABLE_LOCAL = 255;
export const RTNH_F_DEAD = 1, RTNH_F_PERVASIVE = 2, RTNH_F_ONLINK = 4, RTNH_F_OFFLOAD = 8, RTNH_F_LINKDOWN = 16;
export const RTNH_F_UNRESOLVED = 32, RTNH_F_TRAP = 64;
export const RTM_F_NOTIFY = 0x100, RTM_F_CLONED = 0x200, RTM_F_LOOKUP_TABLE = 0x1000, RTM_F_FIB_MATCH = 0x2000;
export const RTAX_LOCK = 1, RTAX_MTU = 2, RTAX_WINDOW = 3, RTAX_RTT = 4, RTAX_RTTVAR = 5, RTAX_SSTHRESH = 6;
export const RTAX_CWND = 7, RTAX_ADVMSS = 8, RTAX_REORDERING = 9, RTAX_HOPLIMIT = 10, RTAX_INITCWND = 11;
export const RTAX_FEATURES = 12, RTAX_RTO_MIN = 13, RTAX_INITRWND = 14, RTAX_QUICKACK = 15;
export const FRA_DST = 1, FRA_SRC = 2, FRA_IIFNAME = 3, FRA_GOTO = 4, FRA_PRIORITY = 6, FRA_FWMARK = 10, FRA_FLOW = 11;
export const FRA_SUPPRESS_IFGROUP = 13, FRA_SUPPRESS_PREFIXLEN = 14, FRA_TABLE = 15, FRA_FWMASK = 16, FRA_OIFNAME = 17;
export const FRA_UID_RANGE = 20, FRA_PROTOCOL = 21, FRA_IP_PROTO = 22, FRA_SPORT_RANGE = 23, FRA_DPORT_RANGE = 24;
export const FR_ACT_UNSPEC = 0, FR_ACT_TO_TBL = 1, FR_ACT_GOTO = 2, FR_ACT_NOP = 3, FR_ACT_BLACKHOLE = 6;
export const FR_ACT_UNREACHABLE = 7, FR_ACT_PROHIBIT = 8;
export const FIB_RULE_PERMANENT = 1, FIB_RULE_INVERT = 2, FIB_RULE_UNRESOLVED = 4, FIB_RULE_IIF_DETACHED = 8;
export const FIB_RULE_OIF_DETACHED = 16;

/** struct rtmsg. */
export function rtmsg(o: { family?: number; dstLen?: number; srcLen?: number; tos?: number; table?: number;
  protocol?: number; scope?: number; type?: number; flags?: number } = {}): Uint8Array {
  const b = new Uint8Array(12);
  b[0] = o.family ?? AF_INET; b[1] = o.dstLen ?? 0; b[2] = o.srcLen ?? 0; b[3] = o.tos ?? 0;
  b[4] = o.table ?? 0; b[5] = o.protocol ?? 0; b[6] = o.scope ?? 0; b[7] = o.type ?? 0;
  new DataView(b.buffer).setUint32(8, (o.flags ?? 0) >>> 0, true);
  return b;
}
/** struct fib_rule_hdr. */
export function fibRuleHdr(o: { family?: number; dstLen?: number; srcLen?: number; tos?: number; table?: number;
  action?: number; flags?: number } = {}): Uint8Array {
  const b = new Uint8Array(12);
  b[0] = o.family ?? AF_INET; b[1] = o.dstLen ?? 0; b[2] = o.srcLen ?? 0; b[3] = o.tos ?? 0;
  b[4] = o.table ?? 0; b[7] = o.action ?? 0;
  new DataView(b.buffer).setUint32(8, (o.flags ?? 0) >>> 0, true);
  return b;
}

export interface NextHopInfo { gateway?: string; ifindex: number; weight: number; flags: number }
export interface RouteInfo {
  family: number; dstLen: number; srcLen: number; tos: number;
  /** RTA_TABLE when present, else rtm_table. */
  table: number;
  protocol: number; scope: number; type: number; flags: number;
  dst?: string; src?: string; gateway?: string; prefsrc?: string;
  oif?: number; iif?: number; priority?: number; mark?: number; uid?: number;
  /** RTAX id → value (RTAX_LOCK included). */
  metrics?: Map<number, number>;
  multipath?: NextHopInfo[];
  cacheinfo?: { clntref: number; lastuse: number; expires: number; error: number; used: number; id: number };
  attrs: Map<number, NlAttr>;
  msgType: number;
}

export function decodeRoute(m: NlMessage): RouteInfo {
  const b = m.bytes, dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const at = attrMap(parseAttrs(b, NLMSG_HDRLEN + 12));
  const ip = (t: number) => { const a = at.get(t); return a && a.data.length >= 4 ? ipv4Str(a.data) : undefined; };
  const u32 = (t: number) => { const a = at.get(t); return a && a.data.length >= 4 ? attrU32(a) : undefined; };
  const r: RouteInfo = {
    family: b[16], dstLen: b[17], srcLen: b[18], tos: b[19], table: u32(RTA_TABLE) ?? b[20], protocol: b[21],
    scope: b[22], type: b[23], flags: dv.getUint32(24, true), dst: ip(RTA_DST), src: ip(RTA_SRC),
    gateway: ip(RTA_GATEWAY), prefsrc: ip(RTA_PREFSRC), oif: u32(RTA_OIF), iif: u32(RTA_IIF),
    priority: u32(RTA_PRIORITY), mark: u32(RTA_MARK), uid: u32(RTA_UID), attrs: at, msgType: m.type,
  };
  const mx = at.get(RTA_METRICS);
  if (mx) {
    r.metrics = new Map();
    for (const a of parseAttrs(mx.data)) if (a.data.length >= 4) r.metrics.set(a.type, attrU32(a));
  }
  const mp = at.get(RTA_MULTIPATH);
  if (mp) {
    r.multipath = [];
    const d = mp.data, mdv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    let p = 0;
    while (d.length - p >= 8) {
      const len = mdv.getUint16(p, true);
      if (len < 8 || len > d.length - p) break;
      const nh: NextHopInfo = { ifindex: mdv.getInt32(p + 4, true), weight: d[p + 3] + 1, flags: d[p + 2] };
      for (const a of parseAttrs(d, p + 8, len - 8)) if (a.type === RTA_GATEWAY && a.data.length >= 4) nh.gateway = ipv4Str(a.data);
      r.multipath.push(nh);
      p += (len + 3) & ~3;
    }
  }
  const ci = at.get(RTA_CACHEINFO);
  if (ci && ci.data.length >= 24) {
    const c = new DataView(ci.data.buffer, ci.data.byteOffset, ci.data.byteLength);
    r.cacheinfo = { clntref: c.getUint32(0, true), lastuse: c.getUint32(4, true), expires: c.getInt32(8, true),
      error: c.getUint32(12, true), used: c.getUint32(16, true), id: c.getUint32(20, true) };
  }
  return r;
}

export interface RuleInfo {
  family: number; dstLen: number; srcLen: number; tos: number; table: number; action: number; flags: number;
  priority: number; src?: string; dst?: string; iifname?: string; oifname?: string; fwmark?: number; fwmask?: number;
  goto?: number; suppressPrefixlen?: number; suppressIfgroup?: number; protocol?: number; ipProto?: number;
  uidRange?: [number, number]; sportRange?: [number, number]; dportRange?: [number, number];
  attrs: Map<number, NlAttr>; msgType: number;
}

export function decodeRule(m: NlMessage): RuleInfo {
  const b = m.bytes, dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const at = attrMap(parseAttrs(b, NLMSG_HDRLEN + 12));
  const u32 = (t: number) => { const a = at.get(t); return a && a.data.length >= 4 ? attrU32(a) : undefined; };
  const range = (t: number, sz: 2 | 4): [number, number] | undefined => {
    const a = at.get(t);
    if (!a || a.data.length < 2 * sz) return undefined;
    const d = new DataView(a.data.buffer, a.data.byteOffset, a.data.byteLength);
    return sz === 4 ? [d.getUint32(0, true), d.getUint32(4, true)] : [d.getUint16(0, true), d.getUint16(2, true)];
  };
  const sp = u32(FRA_SUPPRESS_PREFIXLEN), sg = u32(FRA_SUPPRESS_IFGROUP);
  return {
    family: b[16], dstLen: b[17], srcLen: b[18], tos: b[19], table: u32(FRA_TABLE) ?? b[20], action: b[23],
    flags: dv.getUint32(24, true), priority: u32(FRA_PRIORITY) ?? 0,
    src: at.has(FRA_SRC) && at.get(FRA_SRC)!.data.length >= 4 ? ipv4Str(at.get(FRA_SRC)!.data) : undefined,
    dst: at.has(FRA_DST) && at.get(FRA_DST)!.data.length >= 4 ? ipv4Str(at.get(FRA_DST)!.data) : undefined,
    iifname: at.has(FRA_IIFNAME) ? attrStr(at.get(FRA_IIFNAME)!) : undefined,
    oifname: at.has(FRA_OIFNAME) ? attrStr(at.get(FRA_OIFNAME)!) : undefined,
    fwmark: u32(FRA_FWMARK), fwmask: u32(FRA_FWMASK), goto: u32(FRA_GOTO),
    suppressPrefixlen: sp === undefined ? undefined : sp | 0, suppressIfgroup: sg === undefined ? undefined : sg | 0,
    protocol: at.has(FRA_PROTOCOL) ? attrU8(at.get(FRA_PROTOCOL)!) : undefined,
    ipProto: at.has(FRA_IP_PROTO) ? attrU8(at.get(FRA_IP_PROTO)!) : undefined,
    uidRange: range(FRA_UID_RANGE, 4), sportRange: range(FRA_SPORT_RANGE, 2), dportRange: range(FRA_DPORT_RANGE, 2),
    attrs: at, msgType: m.type,
  };
}

/** A route as `ip route add` describes it ("a.b.c.d/len" or "default"). */
export interface RouteSpec {
  dst: string;
  type?: number;
  table?: number;
  protocol?: number;
  scope?: number;
  tos?: number;
  via?: string;
  dev?: string | number;
  src?: string;
  metric?: number;
  onlink?: boolean;
  /** RTAX id → value; lock with `locked` (a set of RTAX ids). */
  metrics?: Record<number, number>;
  locked?: number[];
  nexthops?: { via?: string; dev?: string | number; weight?: number; onlink?: boolean }[];
}

function ipOrThrow(s: string): Uint8Array {
  const a = parseIPv4(s);
  if (!a) throw new NetlinkError(EINVAL, `invalid address "${s}"`);
  return a;
}

function devIdx(nl: NetlinkSocket, dev: string | number): number {
  if (typeof dev === "number") return dev;
  const i = nl.ifindex(dev);
  if (!i) throw new NetlinkError(ENODEV, `Cannot find device "${dev}"`);
  return i;
}

/** The RTM_NEWROUTE/DELROUTE body iproute2 builds for a spec (rtm_scope/type/table defaults included). */
function routeRequest(nl: NetlinkSocket, b: NlBuilder, s: RouteSpec, del: boolean): void {
  const [a, l] = s.dst === "default" ? ["0.0.0.0", "0"] : s.dst.split("/");
  const dst = ipOrThrow(a);
  const dstLen = l === undefined ? 32 : Number(l);
  const type = s.type ?? (del ? RTN_UNSPEC : RTN_UNICAST);
  let table = s.table ?? (type === RTN_LOCAL || type === RTN_BROADCAST || type === RTN_NAT || type === RTN_ANYCAST ? RT_TABLE_LOCAL : RT_TABLE_MAIN);
  let scope = s.scope;
  if (scope === undefined) {
    if (type === RTN_LOCAL || type === RTN_NAT) scope = RT_SCOPE_HOST;
    else if (type === RTN_BROADCAST || type === RTN_MULTICAST || type === RTN_ANYCAST) scope = RT_SCOPE_LINK;
    else if (type === RTN_UNICAST || type === RTN_UNSPEC) scope = del ? RT_SCOPE_NOWHERE : !s.via && !s.nexthops ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    else scope = del ? RT_SCOPE_NOWHERE : RT_SCOPE_UNIVERSE;
  }
  b.raw(rtmsg({ dstLen, tos: s.tos ?? 0, table: table < 256 ? table : 0, protocol: s.protocol ?? (del ? 0 : RTPROT_BOOT),
    scope, type, flags: s.onlink ? RTNH_F_ONLINK : 0 }));
  if (dstLen > 0 || s.dst !== "default") b.attr(RTA_DST, dst);
  if (s.src) b.attr(RTA_PREFSRC, ipOrThrow(s.src));
  if (s.via) b.attr(RTA_GATEWAY, ipOrThrow(s.via));
  if (s.metric !== undefined) b.u32(RTA_PRIORITY, s.metric);
  if (table >= 256) b.u32(RTA_TABLE, table);
  if (s.dev !== undefined) b.u32(RTA_OIF, devIdx(nl, s.dev));
  if (s.metrics || s.locked) {
    b.nest(RTA_METRICS);
    for (const [k, v] of Object.entries(s.metrics ?? {})) b.u32(Number(k), v);
    const lock = (s.locked ?? []).reduce((m, x) => m | (1 << x), 0);
    if (lock) b.u32(RTAX_LOCK, lock);
    b.end();
  }
  if (s.nexthops) {
    const parts: Uint8Array[] = [];
    for (const nh of s.nexthops) {
      const gw = nh.via ? ipOrThrow(nh.via) : null;
      const len = 8 + (gw ? 8 : 0);
      const x = new Uint8Array(len), xd = new DataView(x.buffer);
      xd.setUint16(0, len, true);
      x[2] = nh.onlink ? RTNH_F_ONLINK : 0;
      x[3] = (nh.weight ?? 1) - 1;
      xd.setInt32(4, nh.dev === undefined ? 0 : devIdx(nl, nh.dev), true);
      if (gw) { xd.setUint16(8, 8, true); xd.setUint16(10, RTA_GATEWAY, true); x.set(gw, 12); }
      parts.push(x);
    }
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { all.set(p, o); o += p.length; }
    b.attr(RTA_MULTIPATH, all);
  }
}

/** `ip route add|replace|append|prepend|change` (flags: NLM_F_*; default CREATE|EXCL as `add`). */
export function routeAdd(nl: NetlinkSocket, s: RouteSpec, flags = NLM_F_CREATE | NLM_F_EXCL): void {
  nl.transact(RTM_NEWROUTE, NLM_F_ACK | flags, (b) => routeRequest(nl, b, s, false));
}
/** `ip route del`. */
export function routeDel(nl: NetlinkSocket, s: RouteSpec): void {
  nl.transact(RTM_DELROUTE, NLM_F_ACK, (b) => routeRequest(nl, b, s, true));
}
/** Every IPv4 route of a table (0 = all tables), as the kernel dumps them. */
export function routeDump(nl: NetlinkSocket, table = RT_TABLE_MAIN): RouteInfo[] {
  const replies = nl.transact(RTM_GETROUTE, NLM_F_DUMP, (b) => {
    b.raw(rtmsg({ family: AF_INET }));
    if (table) b.u32(RTA_TABLE, table);
  });
  return replies.filter((m) => m.type === RTM_NEWROUTE).map(decodeRoute);
}
/** `ip route get ADDR [from A] [iif D] [oif D] [mark M] [tos T] [uid U] [fibmatch]`. */
export function routeGet(nl: NetlinkSocket, dst: string, o: { from?: string; iif?: string | number; oif?: string | number;
  mark?: number; tos?: number; uid?: number; fibmatch?: boolean } = {}): RouteInfo {
  const replies = nl.transact(RTM_GETROUTE, 0, (b) => {
    b.raw(rtmsg({ family: AF_INET, dstLen: 32, srcLen: o.from ? 32 : 0, tos: o.tos ?? 0,
      flags: RTM_F_LOOKUP_TABLE | (o.fibmatch ? RTM_F_FIB_MATCH : 0) }));
    b.attr(RTA_DST, ipOrThrow(dst));
    if (o.from) b.attr(RTA_SRC, ipOrThrow(o.from));
    if (o.uid !== undefined) b.u32(RTA_UID, o.uid);
    if (o.iif !== undefined) b.u32(RTA_IIF, devIdx(nl, o.iif));
    if (o.oif !== undefined) b.u32(RTA_OIF, devIdx(nl, o.oif));
    if (o.mark) b.u32(RTA_MARK, o.mark);
  });
  const m = replies.find((r) => r.type === RTM_NEWROUTE);
  if (!m) throw new NetlinkError(EINVAL);
  return decodeRoute(m);
}

/** A rule as `ip rule add` describes it. */
export interface RuleSpec {
  priority?: number; not?: boolean; from?: string; to?: string; tos?: number; fwmark?: number; fwmask?: number;
  iif?: string; oif?: string; table?: number; action?: number; goto?: number; protocol?: number;
  suppressPrefixlen?: number; uidRange?: [number, number]; ipProto?: number;
  sport?: [number, number]; dport?: [number, number];
}

function ruleRequest(b: NlBuilder, s: RuleSpec, add: boolean): void {
  const pfx = (p: string) => { const [a, l] = p.split("/"); return { a: ipOrThrow(a), l: l === undefined ? 32 : Number(l) }; };
  const src = s.from && s.from !== "all" ? pfx(s.from) : null;
  const dst = s.to && s.to !== "all" ? pfx(s.to) : null;
  const table = s.table ?? (add && s.action === undefined && s.goto === undefined ? RT_TABLE_MAIN : 0);
  const action = s.goto !== undefined ? FR_ACT_GOTO : s.action ?? (add ? FR_ACT_TO_TBL : FR_ACT_UNSPEC);
  b.raw(fibRuleHdr({ srcLen: src?.l ?? 0, dstLen: dst?.l ?? 0, tos: s.tos ?? 0, table: table < 256 ? table : 0,
    action, flags: s.not ? FIB_RULE_INVERT : 0 }));
  if (src) b.attr(FRA_SRC, src.a);
  if (dst) b.attr(FRA_DST, dst.a);
  if (s.priority !== undefined) b.u32(FRA_PRIORITY, s.priority);
  if (s.fwmark !== undefined) b.u32(FRA_FWMARK, s.fwmark);
  if (s.fwmask !== undefined) b.u32(FRA_FWMASK, s.fwmask);
  if (s.protocol !== undefined) b.u8(FRA_PROTOCOL, s.protocol);
  if (table >= 256) b.u32(FRA_TABLE, table);
  if (s.suppressPrefixlen !== undefined) b.u32(FRA_SUPPRESS_PREFIXLEN, s.suppressPrefixlen);
  if (s.iif) b.str(FRA_IIFNAME, s.iif);
  if (s.oif) b.str(FRA_OIFNAME, s.oif);
  if (s.uidRange) { const x = new Uint8Array(8), d = new DataView(x.buffer); d.setUint32(0, s.uidRange[0], true); d.setUint32(4, s.uidRange[1], true); b.attr(FRA_UID_RANGE, x); }
  if (s.ipProto !== undefined) b.u8(FRA_IP_PROTO, s.ipProto);
  for (const [t, r] of [[FRA_SPORT_RANGE, s.sport], [FRA_DPORT_RANGE, s.dport]] as const) {
    if (!r) continue;
    const x = new Uint8Array(4), d = new DataView(x.buffer); d.setUint16(0, r[0], true); d.setUint16(2, r[1], true);
    b.attr(t, x);
  }
  if (s.goto !== undefined) b.u32(FRA_GOTO, s.goto);
}

/** `ip rule add …` (NLM_F_CREATE | NLM_F_EXCL, as iproute2). */
export function ruleAdd(nl: NetlinkSocket, s: RuleSpec): void {
  nl.transact(RTM_NEWRULE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, (b) => ruleRequest(b, s, true));
}
/** `ip rule del …`. */
export function ruleDel(nl: NetlinkSocket, s: RuleSpec): void {
  nl.transact(RTM_DELRULE, NLM_F_ACK, (b) => ruleRequest(b, s, false));
}
/** Every IPv4 rule in priority order. */
export function ruleDump(nl: NetlinkSocket): RuleInfo[] {
  const replies = nl.transact(RTM_GETRULE, NLM_F_DUMP, (b) => b.raw(fibRuleHdr({ family: AF_INET })));
  return replies.filter((m) => m.type === RTM_NEWRULE).map(decodeRule);
}
