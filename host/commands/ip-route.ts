// `ip route` (iproute2 6.1 iproute.c) over the engine's rtnetlink: add/change/replace/prepend/append/
// test/del, show/list with iproute2's selectors, flush, get (with from/iif/oif/mark/tos/uid/fibmatch),
// printing exactly what iproute2 prints (checked against the real tool: tests/host/ip-route.test.ts,
// tests/host/route-vs-kernel.test.ts). Name tables are Debian's /etc/iproute2 files (rt_tables,
// rt_protos, rt_scopes, rt_dsfield) built in, so the browser prints the same.
import {
  NlBuilder, NlMessage, attrMap, parseAttrs, attrU32, ipv4Str, NLMSG_HDRLEN, NLM_F_REQUEST, NLM_F_CREATE,
  NLM_F_EXCL, NLM_F_REPLACE, NLM_F_APPEND, NLM_F_DUMP, AF_UNSPEC, AF_INET, AF_INET6,
  RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE, RTA_DST, RTA_SRC, RTA_IIF, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY,
  RTA_PREFSRC, RTA_METRICS, RTA_MULTIPATH, RTA_CACHEINFO, RTA_TABLE, RTA_MARK, RTA_UID, RTA_VIA, RTA_FLOW,
  RTA_IP_PROTO, RTA_SPORT, RTA_DPORT, RTA_NH_ID, RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_ANYCAST, RTN_MULTICAST,
  RTN_NAT, RTN_UNSPEC, RTPROT_BOOT, RT_TABLE_MAIN, RT_TABLE_LOCAL, RT_TABLE_UNSPEC, RTNH_F_DEAD, RTNH_F_ONLINK,
  RTNH_F_PERVASIVE, RTNH_F_OFFLOAD, RTNH_F_TRAP, RTNH_F_LINKDOWN, RTNH_F_UNRESOLVED, RTM_F_NOTIFY, RTM_F_CLONED,
  RTM_F_LOOKUP_TABLE, RTM_F_FIB_MATCH, RTAX_LOCK, RTAX_MTU, RTAX_WINDOW, RTAX_RTT, RTAX_RTTVAR, RTAX_SSTHRESH,
  RTAX_CWND, RTAX_ADVMSS, RTAX_REORDERING, RTAX_HOPLIMIT, RTAX_INITCWND, RTAX_FEATURES, RTAX_RTO_MIN,
  RTAX_INITRWND, RTAX_QUICKACK, NLMSG_ERROR, strerror,
} from "../netlink.ts";
import { IpContext, matches, getPrefix, getAddr, type Prefix } from "./ip.ts";

const RT_SCOPE_UNIVERSE = 0, RT_SCOPE_LINK = 253, RT_SCOPE_HOST = 254, RT_SCOPE_NOWHERE = 255;
const RTM_F_OFFLOAD = 0x4000, RTM_F_TRAP = 0x8000, RTM_F_OFFLOAD_FAILED = 0x20000000;

// ---- name tables (rt_names.c defaults plus Debian's /etc/iproute2 files) ----
const RTN_NAMES = ["unspec", "unicast", "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable",
  "prohibit", "throw", "nat", "xresolve"];
const PROTOS: Record<number, string> = { 0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated",
  9: "ra", 10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp", 18: "keepalived",
  42: "babel", 99: "openr", 186: "bgp", 187: "isis", 188: "ospf", 189: "rip", 192: "eigrp" };
const SCOPE_NAMES: Record<number, string> = { 0: "global", 255: "nowhere", 254: "host", 253: "link", 200: "site" };
const TABLES: Record<number, string> = { 255: "local", 254: "main", 253: "default", 0: "unspec" };
const DSFIELDS: Record<number, string> = { 0x0: "default", 0x28: "AF11", 0x30: "AF12", 0x38: "AF13", 0x48: "AF21",
  0x50: "AF22", 0x58: "AF23", 0x68: "AF31", 0x70: "AF32", 0x78: "AF33", 0x88: "AF41", 0x90: "AF42", 0x98: "AF43",
  0x20: "CS1", 0x40: "CS2", 0x60: "CS3", 0x80: "CS4", 0xa0: "CS5", 0xc0: "CS6", 0xe0: "CS7", 0xb8: "EF" };
const MX_NAMES: Record<number, string> = { [RTAX_MTU]: "mtu", [RTAX_WINDOW]: "window", [RTAX_RTT]: "rtt",
  [RTAX_RTTVAR]: "rttvar", [RTAX_SSTHRESH]: "ssthresh", [RTAX_CWND]: "cwnd", [RTAX_ADVMSS]: "advmss",
  [RTAX_REORDERING]: "reordering", [RTAX_HOPLIMIT]: "hoplimit", [RTAX_INITCWND]: "initcwnd",
  [RTAX_FEATURES]: "features", [RTAX_RTO_MIN]: "rto_min", [RTAX_INITRWND]: "initrwnd", [RTAX_QUICKACK]: "quickack",
  16: "congctl", 17: "fastopen_no_cookie" };
const IP_PROTOS: Record<string, number> = { icmp: 1, igmp: 2, tcp: 6, udp: 17, gre: 47, esp: 50, ah: 51, icmpv6: 58,
  sctp: 132, udplite: 136, ipv6: 41, ipip: 4, ospf: 89, pim: 103, dccp: 33, raw: 255 };

export function rtntypeN2a(t: number): string { return RTN_NAMES[t] ?? String(t); }
export function rtprotN2a(p: number): string { return PROTOS[p] ?? String(p); }
export function rtscopeN2a(s: number): string { return SCOPE_NAMES[s] ?? String(s); }
export function rttableN2a(t: number): string { return TABLES[t] ?? String(t); }
export function dsfieldN2a(t: number): string { return DSFIELDS[t] ?? `0x${t.toString(16).padStart(2, "0")}`; }
export function inetProtoN2a(p: number): string {
  for (const [k, v] of Object.entries(IP_PROTOS)) if (v === p) return k;
  return `ipproto-${p}`;
}

/** strtoul(s, &end, base) over the whole string; null when it is not all digits or > max. */
export function strtoul(s: string, base: number, max = 0xffffffff): number | null {
  let t = s.trim();
  if (t.startsWith("+")) t = t.slice(1);
  let v: number;
  if (base === 16) {
    if (/^0[xX]/.test(t)) t = t.slice(2);
    if (!/^[0-9a-fA-F]+$/.test(t)) return null;
    v = parseInt(t, 16);
  } else if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = parseInt(t.slice(2), 16);
  else if (/^0[0-7]*$/.test(t)) v = parseInt(t, 8);
  else if (/^[1-9][0-9]*$/.test(t)) v = parseInt(t, 10);
  else return null;
  return v > max ? null : v;
}
/** get_u32 / get_unsigned (base 0). */
export function getU32(s: string): number | null { return s === "" ? null : strtoul(s, 0); }

function nameA2n(tab: Record<number, string>, s: string, max: number): number | null {
  for (const [k, v] of Object.entries(tab)) if (v === s) return Number(k);
  return strtoul(s, 0, max);
}
export function rttableA2n(s: string): number | null { return nameA2n(TABLES, s, 0xffffffff); }
export function rtprotA2n(s: string): number | null { return nameA2n(PROTOS, s, 255); }
export function rtscopeA2n(s: string): number | null { return nameA2n(SCOPE_NAMES, s, 255); }
export function dsfieldA2n(s: string): number | null {
  for (const [k, v] of Object.entries(DSFIELDS)) if (v === s) return Number(k);
  return strtoul(s, 16, 255);
}
/** rtnl_rtntype_a2n. */
export function rtntypeA2n(a: string): number | null {
  if (a === "local") return RTN_LOCAL;
  if (a === "nat") return RTN_NAT;
  if (matches(a, "broadcast") || a === "brd") return RTN_BROADCAST;
  if (matches(a, "anycast")) return RTN_ANYCAST;
  if (matches(a, "multicast")) return RTN_MULTICAST;
  if (matches(a, "prohibit")) return 8;
  if (matches(a, "unreachable")) return 7;
  if (matches(a, "blackhole")) return 6;
  if (matches(a, "xresolve")) return 11;
  if (matches(a, "unicast")) return RTN_UNICAST;
  if (a === "throw") return 9;
  return strtoul(a, 0, 255);
}
/** inet_proto_a2n. */
export function inetProtoA2n(s: string): number | null {
  if (s in IP_PROTOS) return IP_PROTOS[s];
  return strtoul(s, 0, 255);
}

/** get_prefix with "default"/"all"/"any" carrying no address bytes (bytelen 0), as iproute2's. */
export function prefixArg(ctx: IpContext, arg: string, family: number): Prefix & { bytelen: number } {
  const p = getPrefix(ctx, arg, family);
  const isDefault = ["default", "all", "any"].includes(arg);
  return { ...p, family: isDefault ? family : p.family, bytelen: isDefault ? 0 : p.addr.length };
}

// ---- printing (print_route) ----

interface RouteFilter {
  tb: number; cloned: number; flushb: boolean;
  protocol: number; protocolmask: number; scope: number; scopemask: number; typemask: number;
  tos: number; tosmask: number; iif: number; iifmask: number; oif: number; oifmask: number;
  mark: number; markmask: number; metric: number; metricmask: number;
  rdst: FPrefix; mdst: FPrefix; rsrc: FPrefix; msrc: FPrefix; rvia: FPrefix; rprefsrc: FPrefix;
}
interface FPrefix { family: number; bitlen: number; specified: boolean; addr: Uint8Array }
const noPrefix = (bitlen = 0): FPrefix => ({ family: 0, bitlen, specified: false, addr: new Uint8Array(4) });

function resetFilter(): RouteFilter {
  return { tb: 0, cloned: 0, flushb: false, protocol: 0, protocolmask: 0, scope: 0, scopemask: 0, typemask: 0,
    tos: 0, tosmask: 0, iif: 0, iifmask: 0, oif: 0, oifmask: 0, mark: 0, markmask: 0, metric: 0, metricmask: 0,
    rdst: noPrefix(), mdst: noPrefix(-1), rsrc: noPrefix(), msrc: noPrefix(-1), rvia: noPrefix(), rprefsrc: noPrefix() };
}

/** inet_addr_match over `bits` leading bits: true when they are equal. */
function addrMatch(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3, bit = 7 - (i & 7);
    if (((a[byte] >> bit) & 1) !== ((b[byte] >> bit) & 1)) return false;
  }
  return true;
}

function u32a(tb: Map<number, { data: Uint8Array }>, t: number): number | undefined {
  const a = tb.get(t);
  return a && a.data.length >= 4 ? new DataView(a.data.buffer, a.data.byteOffset, 4).getUint32(0, true) : undefined;
}

/** filter_nlmsg. */
function filterRoute(ctx: IpContext, f: RouteFilter, m: NlMessage): boolean {
  const b = m.bytes;
  const family = b[16], dstLen = b[17], srcLen = b[18], tos = b[19], protocol = b[21], scope = b[22], type = b[23];
  const flags = new DataView(b.buffer, b.byteOffset).getUint32(24, true);
  const tb = attrMap(parseAttrs(b, NLMSG_HDRLEN + 12));
  const table = u32a(tb, RTA_TABLE) ?? b[20];
  if (ctx.family !== AF_UNSPEC && family !== ctx.family) return false;
  if (f.cloned === ((flags & RTM_F_CLONED) ? 0 : 1)) return false;
  if (f.tb > 0 && f.tb !== table) return false;
  if (((f.protocol ^ protocol) & f.protocolmask) !== 0) return false;
  if (((f.scope ^ scope) & f.scopemask) !== 0) return false;
  if (f.typemask && !(f.typemask & (1 << type))) return false;
  if (((f.tos ^ tos) & f.tosmask) !== 0) return false;
  if (f.rdst.family) { if (family !== f.rdst.family || f.rdst.bitlen > dstLen) return false; }
  else if (f.rdst.specified && f.rdst.bitlen > dstLen) return false;
  if (f.mdst.family) { if (family !== f.mdst.family || (f.mdst.bitlen >= 0 && f.mdst.bitlen < dstLen)) return false; }
  else if (f.mdst.specified && f.mdst.bitlen >= 0 && f.mdst.bitlen < dstLen) return false;
  if (f.rsrc.family) { if (family !== f.rsrc.family || f.rsrc.bitlen > srcLen) return false; }
  else if (f.rsrc.specified && f.rsrc.bitlen > srcLen) return false;
  if (f.msrc.family) { if (family !== f.msrc.family || (f.msrc.bitlen >= 0 && f.msrc.bitlen < srcLen)) return false; }
  else if (f.msrc.specified && f.msrc.bitlen >= 0 && f.msrc.bitlen < srcLen) return false;
  if (f.rvia.family && family !== f.rvia.family) return false;
  if (f.rprefsrc.family && family !== f.rprefsrc.family) return false;
  const dst = new Uint8Array(4), src = new Uint8Array(4), via = new Uint8Array(4), prefsrc = new Uint8Array(4);
  const take = (t: number, out: Uint8Array, n: number) => { const a = tb.get(t); if (a) out.set(a.data.subarray(0, Math.min(n, a.data.length, 4))); };
  take(RTA_DST, dst, (dstLen + 7) >> 3);
  take(RTA_SRC, src, (srcLen + 7) >> 3);
  if (f.rvia.bitlen > 0) take(RTA_GATEWAY, via, 4);
  if (f.rprefsrc.bitlen > 0) take(RTA_PREFSRC, prefsrc, 4);
  if ((f.rdst.family || f.rdst.specified) && !addrMatch(dst, f.rdst.addr, f.rdst.bitlen)) return false;
  if ((f.mdst.family || f.mdst.specified) && !addrMatch(dst, f.mdst.addr, dstLen)) return false;
  if ((f.rsrc.family || f.rsrc.specified) && !addrMatch(src, f.rsrc.addr, f.rsrc.bitlen)) return false;
  if ((f.msrc.family || f.msrc.specified) && f.msrc.bitlen >= 0 && !addrMatch(src, f.msrc.addr, srcLen)) return false;
  if (f.rvia.family && !addrMatch(via, f.rvia.addr, f.rvia.bitlen)) return false;
  if (f.rprefsrc.family && !addrMatch(prefsrc, f.rprefsrc.addr, f.rprefsrc.bitlen)) return false;
  if (f.oifmask && (((u32a(tb, RTA_OIF) ?? 0) ^ f.oif) & f.oifmask) !== 0) return false;
  if (f.iifmask && (((u32a(tb, RTA_IIF) ?? 0) ^ f.iif) & f.iifmask) !== 0) return false;
  if (f.markmask && (((u32a(tb, RTA_MARK) ?? 0) ^ f.mark) & f.markmask) !== 0) return false;
  if (f.metricmask && (((u32a(tb, RTA_PRIORITY) ?? 0) ^ f.metric) & f.metricmask) !== 0) return false;
  return true;
}

/** print_rt_flags. */
function rtFlags(flags: number): string {
  let s = "";
  if (flags & RTNH_F_DEAD) s += "dead ";
  if (flags & RTNH_F_ONLINK) s += "onlink ";
  if (flags & RTNH_F_PERVASIVE) s += "pervasive ";
  if (flags & RTNH_F_OFFLOAD) s += "offload ";
  if (flags & RTNH_F_TRAP) s += "trap ";
  if (flags & RTM_F_NOTIFY) s += "notify ";
  if (flags & RTNH_F_LINKDOWN) s += "linkdown ";
  if (flags & RTNH_F_UNRESOLVED) s += "unresolved ";
  if (flags & RTM_F_OFFLOAD) s += "rt_offload ";
  if (flags & RTM_F_TRAP) s += "rt_trap ";
  if (flags & RTM_F_OFFLOAD_FAILED) s += "rt_offload_failed ";
  return s;
}

/** print_cache_flags. */
function cacheFlags(ctx: IpContext, flagsIn: number): string {
  let flags = (flagsIn & ~0xffff) >>> 0;
  let s = `${ctx.SL}    cache `;
  if (flags === 0) return s;
  s += "<";
  const names: [number, string][] = [[0x80000000, "local"], [0x40000000, "reject"], [0x20000000, "mc"],
    [0x10000000, "brd"], [0x08000000, "dst-nat"], [0x00800000, "src-nat"], [0x00400000, "masq"],
    [0x00020000, "dst-direct"], [0x04000000, "src-direct"], [0x00040000, "redirected"], [0x01000000, "redirect"],
    [0x00200000, "fastroute"], [0x00010000, "notify"], [0x00080000, "tproxy"]];
  for (const [bit, name] of names) {
    if (flags & bit) { flags = (flags & ~bit) >>> 0; s += name + (flags ? "," : "> "); }
  }
  if (flags) s += `${flags.toString(16)}> `;
  return s;
}

/** print_rta_metrics. */
function metricsStr(a: { data: Uint8Array }): string {
  const mx = attrMap(parseAttrs(a.data));
  const lock = mx.has(RTAX_LOCK) ? attrU32(mx.get(RTAX_LOCK)!) : 0;
  let s = "";
  for (let i = 2; i <= 17; i++) {
    if (!mx.has(i) && !(lock & (1 << i))) continue;
    let val = mx.has(i) && i !== 16 && mx.get(i)!.data.length >= 4 ? attrU32(mx.get(i)!) : 0;
    if (i === RTAX_HOPLIMIT && (val | 0) === -1) continue;
    s += MX_NAMES[i] ? `${MX_NAMES[i]} ` : `metric ${i} `;
    if (lock & (1 << i)) s += "lock ";
    if (i === RTAX_FEATURES) {
      const of = val;
      if (val & 1) { s += "ecn "; val &= ~1; }
      if (val) s += `0x${of.toString(16)} `;
    } else if (i === RTAX_RTT || i === RTAX_RTTVAR || i === RTAX_RTO_MIN) {
      if (i === RTAX_RTT) val = Math.floor(val / 8); else if (i === RTAX_RTTVAR) val = Math.floor(val / 4);
      s += val >= 1000 ? `${val / 1e3}s ` : `${val}ms `;
    } else if (i === 16) {
      const d = mx.get(i)!.data; let n = d.indexOf(0); if (n < 0) n = d.length;
      s += new TextDecoder().decode(d.subarray(0, n)) + " ";
    } else s += `${val >>> 0} `;
  }
  return s;
}

/** print_route: one RTM_NEWROUTE/DELROUTE as iproute2 prints it (with the newline). */
function formatRoute(ctx: IpContext, f: RouteFilter, m: NlMessage): string {
  const b = m.bytes;
  const family = b[16], dstLen = b[17], srcLen = b[18], tos = b[19], protocol = b[21], scope = b[22], type = b[23];
  const flags = new DataView(b.buffer, b.byteOffset).getUint32(24, true);
  const tb = attrMap(parseAttrs(b, NLMSG_HDRLEN + 12));
  const table = u32a(tb, RTA_TABLE) ?? b[20];
  const hostLen = family === AF_INET6 ? 128 : 32;
  const ip = (t: number) => ipv4Str(tb.get(t)!.data);
  let s = "";
  if (m.type === RTM_DELROUTE) s += "Deleted ";
  if ((type !== RTN_UNICAST || ctx.details > 0) && (!f.typemask || (f.typemask & (1 << type)))) s += `${rtntypeN2a(type)} `;
  if (tb.has(RTA_DST)) s += dstLen !== hostLen ? `${ip(RTA_DST)}/${dstLen} ` : `${ip(RTA_DST)} `;
  else if (dstLen) s += `0/${dstLen} `;
  else s += "default ";
  if (tb.has(RTA_SRC)) s += srcLen !== hostLen ? `from ${ip(RTA_SRC)}/${srcLen} ` : `from ${ip(RTA_SRC)} `;
  else if (srcLen) s += `from 0/${srcLen} `;
  if (tb.has(RTA_NH_ID)) s += `nhid ${u32a(tb, RTA_NH_ID)} `;
  if (tos && f.tosmask !== -1) s += `tos ${dsfieldN2a(tos)} `;
  if (tb.has(RTA_GATEWAY) && f.rvia.bitlen !== hostLen) s += `via ${ip(RTA_GATEWAY)} `;
  if (tb.has(RTA_OIF) && f.oifmask !== -1) s += `dev ${ctx.indexToName(u32a(tb, RTA_OIF)!)} `;
  if (table && (table !== RT_TABLE_MAIN || ctx.details > 0) && !f.tb) s += `table ${rttableN2a(table)} `;
  if (!(flags & RTM_F_CLONED)) {
    if ((protocol !== RTPROT_BOOT || ctx.details > 0) && f.protocolmask !== -1) s += `proto ${rtprotN2a(protocol)} `;
    if ((scope !== RT_SCOPE_UNIVERSE || ctx.details > 0) && f.scopemask !== -1) s += `scope ${rtscopeN2a(scope)} `;
  }
  if (tb.has(RTA_PREFSRC) && f.rprefsrc.bitlen !== hostLen) s += `src ${ip(RTA_PREFSRC)} `;
  if (tb.has(RTA_PRIORITY) && f.metricmask !== -1) s += `metric ${u32a(tb, RTA_PRIORITY)} `;
  s += rtFlags(flags);
  if (tb.has(RTA_MARK)) { const mk = u32a(tb, RTA_MARK)!; if (mk) s += mk < 16 ? `mark ${mk} ` : `mark 0x${mk.toString(16)} `; }
  if (tb.has(RTA_FLOW)) s += `realm ${u32a(tb, RTA_FLOW)! & 0xffff} `;
  if (tb.has(RTA_UID)) s += `uid ${u32a(tb, RTA_UID)} `;
  if (family === AF_INET) {
    if (flags & RTM_F_CLONED) s += cacheFlags(ctx, flags);
    const ci = tb.get(RTA_CACHEINFO);
    if (ci && ci.data.length >= 24) {
      const c = new DataView(ci.data.buffer, ci.data.byteOffset, ci.data.byteLength);
      const clntref = c.getUint32(0, true), lastuse = c.getUint32(4, true), expires = c.getInt32(8, true);
      const error = c.getUint32(12, true), used = c.getUint32(16, true), id = c.getUint32(20, true);
      if (expires !== 0) s += `expires ${Math.trunc(expires / 100)}sec `;
      if (error !== 0) s += `error ${error} `;
      if (ctx.stats) {
        if (clntref) s += `users ${clntref} `;
        if (used) s += `used ${used} `;
        if (lastuse) s += `age ${Math.floor(lastuse / 100)}sec `;
      }
      if (id) s += `ipid 0x${id.toString(16).padStart(4, "0")} `;
    }
  }
  if (tb.has(RTA_METRICS)) s += metricsStr(tb.get(RTA_METRICS)!);
  if (tb.has(RTA_IIF) && f.iifmask !== -1) s += `iif ${ctx.indexToName(u32a(tb, RTA_IIF)!)} `;
  const mp = tb.get(RTA_MULTIPATH);
  if (mp) {
    const d = mp.data, dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    let p = 0, first = true;
    while (d.length - p >= 8) {
      const len = dv.getUint16(p, true);
      if (len > d.length - p) break;
      const mcast = (flags & RTM_F_CLONED) && type === RTN_MULTICAST;
      if (mcast) { s += first ? "Oifs: " : " "; first = false; } else s += `${ctx.SL}\tnexthop `;
      if (len > 8) {
        const nt = attrMap(parseAttrs(d, p + 8, len - 8));
        if (nt.has(RTA_GATEWAY)) s += `via ${ipv4Str(nt.get(RTA_GATEWAY)!.data)} `;
        if (nt.has(RTA_FLOW)) s += `realm ${attrU32(nt.get(RTA_FLOW)!) & 0xffff} `;
      }
      const ifi = dv.getInt32(p + 4, true);
      if (mcast) {
        s += ctx.indexToName(ifi);
        if (d[p + 3] !== 1) s += `(ttl>${d[p + 3]})`;
        s += " ";
      } else s += `dev ${ctx.indexToName(ifi)} weight ${d[p + 3] + 1} `;
      s += rtFlags(d[p + 2]);
      p += (len + 3) & ~3;
    }
  }
  return s + "\n";
}

// ---- usage ----
const ROUTE_USAGE = `Usage: ip route { list | flush } SELECTOR
       ip route save SELECTOR
       ip route restore
       ip route showdump
       ip route get [ ROUTE_GET_FLAGS ] ADDRESS
                            [ from ADDRESS iif STRING ]
                            [ oif STRING ] [ tos TOS ]
                            [ mark NUMBER ] [ vrf NAME ]
                            [ uid NUMBER ] [ ipproto PROTOCOL ]
                            [ sport NUMBER ] [ dport NUMBER ]
       ip route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ]
            [ table TABLE_ID ] [ vrf NAME ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ tos TOS ]
             [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ]
             [ ttl-propagate { enabled | disabled } ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ encap ENCAPTYPE ENCAPHDR ] [ via [ FAMILY ] ADDRESS ]
      [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 | mpls | bridge | link ]
OPTIONS := FLAGS [ mtu NUMBER ] [ advmss NUMBER ] [ as [ to ] ADDRESS ]
           [ rtt TIME ] [ rttvar TIME ] [ reordering NUMBER ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ ssthresh NUMBER ] [ realms REALM ] [ src ADDRESS ]
           [ rto_min TIME ] [ hoplimit NUMBER ] [ initrwnd NUMBER ]
           [ features FEATURES ] [ quickack BOOL ] [ congctl NAME ]
           [ pref PREF ] [ expires TIME ] [ fastopen_no_cookie BOOL ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink | pervasive ]
RTPROTO := [ kernel | boot | static | NUMBER ]
PREF := [ low | medium | high ]
TIME := NUMBER[s|ms]
BOOL := [1|0]
FEATURES := ecn
ENCAPTYPE := [ mpls | ip | ip6 | seg6 | seg6local | rpl | ioam6 | xfrm ]
ENCAPHDR := [ MPLSLABEL | SEG6HDR | SEG6LOCAL | IOAM6HDR | XFRMINFO ]
SEG6HDR := [ mode SEGMODE ] segs ADDR1,ADDRi,ADDRn [hmac HMACKEYID] [cleanup]
SEGMODE := [ encap | encap.red | inline | l2encap | l2encap.red ]
SEG6LOCAL := action ACTION [ OPTIONS ] [ count ]
ACTION := { End | End.X | End.T | End.DX2 | End.DX6 | End.DX4 |
            End.DT6 | End.DT4 | End.DT46 | End.B6 | End.B6.Encaps |
            End.BM | End.S | End.AS | End.AM | End.BPF }
OPTIONS := OPTION [ OPTIONS ]
OPTION := { flavors FLAVORS | srh SEG6HDR | nh4 ADDR | nh6 ADDR | iif DEV | oif DEV |
            table TABLEID | vrftable TABLEID | endpoint PROGNAME }
FLAVORS := { FLAVOR[,FLAVOR] }
FLAVOR := { psp | usp | usd | next-csid }
IOAM6HDR := trace prealloc type IOAM6_TRACE_TYPE ns IOAM6_NAMESPACE size IOAM6_TRACE_SIZE
XFRMINFO := if_id IF_ID [ link_dev LINK ]
ROUTE_GET_FLAGS := [ fibmatch ]
`;

function usage(ctx: IpContext): never { ctx.fail255(ROUTE_USAGE); }
function nodev(ctx: IpContext, d: string): number { ctx.eprint(`Cannot find device "${d}"\n`); return -1; }
function readFamily(s: string): number {
  switch (s) { case "inet": return AF_INET; case "inet6": return AF_INET6; case "mpls": return 28; case "bridge": return 7; case "link": return 17; }
  return AF_UNSPEC;
}

// ---- ip route add / change / replace / prepend / append / test / del (iproute_modify) ----

function iprouteModify(ctx: IpContext, cmd: number, flags: number, argv: string[]): number {
  let family = ctx.family;
  let dstLen = 0, srcLen = 0, tos = 0, table = RT_TABLE_MAIN, protocol = 0, scope = RT_SCOPE_NOWHERE, type = 0, rflags = 0;
  if (cmd !== RTM_DELROUTE) { protocol = RTPROT_BOOT; scope = RT_SCOPE_UNIVERSE; type = RTN_UNICAST; }
  const attrs = new NlBuilder(0, 0);
  const mx: [number, number][] = [];
  let mxlock = 0;
  let d: string | undefined;
  let gwOk = false, dstOk = false, nhsOk = false, scopeOk = false, tableOk = false, typeOk = false;
  let i = 0;
  const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
  const metricArg = (rtax: number, what: string) => {
    let v = next();
    if (v === "lock") { mxlock |= 1 << rtax; v = next(); }
    const n = getU32(v);
    if (n === null) ctx.invarg(`"${what}" value is invalid\n`, v);
    mx.push([rtax, n]);
  };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "src") {
      const ad = getAddr(ctx, next(), family);
      if (family === AF_UNSPEC) family = ad.family;
      attrs.attr(RTA_PREFSRC, ad.addr);
    } else if (a === "via") {
      if (gwOk) ctx.invarg("use nexthop syntax to specify multiple via\n", a);
      gwOk = true;
      let v = next();
      let fam = readFamily(v);
      if (fam === AF_UNSPEC) fam = family; else v = next();
      const ad = getAddr(ctx, v, fam);
      if (family === AF_UNSPEC) family = ad.family;
      if (ad.family === family) attrs.attr(RTA_GATEWAY, ad.addr);
      else { const x = new Uint8Array(2 + ad.addr.length); x[0] = ad.family; x.set(ad.addr, 2); attrs.attr(RTA_VIA, x); }
    } else if (a === "from") {
      const p = prefixArg(ctx, next(), family);
      if (family === AF_UNSPEC) family = p.family;
      if (p.bytelen) attrs.attr(RTA_SRC, p.addr);
      srcLen = p.bitlen;
    } else if (a === "tos" || matches(a, "dsfield")) {
      const v = next();
      const t = dsfieldA2n(v);
      if (t === null) ctx.invarg('"tos" value is invalid\n', v);
      tos = t;
    } else if (matches(a, "metric") || matches(a, "priority") || a === "preference") {
      const v = next();
      const n = getU32(v);
      if (n === null) ctx.invarg('"metric" value is invalid\n', v);
      attrs.u32(RTA_PRIORITY, n);
    } else if (a === "scope") {
      const v = next();
      const sc = rtscopeA2n(v);
      if (sc === null) ctx.invarg('invalid "scope" value\n', v);
      scope = sc; scopeOk = true;
    } else if (a === "mtu") metricArg(RTAX_MTU, "mtu");
    else if (a === "hoplimit") {
      let v = next();
      if (v === "lock") { mxlock |= 1 << RTAX_HOPLIMIT; v = next(); }
      const n = getU32(v);
      if (n === null || n > 255) ctx.invarg('"hoplimit" value is invalid\n', v);
      mx.push([RTAX_HOPLIMIT, n]);
    } else if (a === "advmss") metricArg(RTAX_ADVMSS, "mss");
    else if (matches(a, "reordering")) metricArg(RTAX_REORDERING, "reordering");
    else if (matches(a, "window")) metricArg(RTAX_WINDOW, "window");
    else if (matches(a, "cwnd")) metricArg(RTAX_CWND, "cwnd");
    else if (matches(a, "initcwnd")) metricArg(RTAX_INITCWND, "initcwnd");
    else if (matches(a, "initrwnd")) metricArg(RTAX_INITRWND, "initrwnd");
    else if (matches(a, "ssthresh")) metricArg(RTAX_SSTHRESH, "ssthresh");
    else if (matches(a, "features")) {
      const v = next();
      if (v !== "ecn") ctx.invarg('"features" value not valid\n', v);
      mx.push([RTAX_FEATURES, 1]);
    } else if (a === "onlink") rflags |= RTNH_F_ONLINK;
    else if (a === "nexthop") { nhsOk = true; break; }
    else if (matches(a, "protocol")) {
      const v = next();
      const p = rtprotA2n(v);
      if (p === null) ctx.invarg('"protocol" value is invalid\n', v);
      protocol = p;
    } else if (matches(a, "table")) {
      const v = next();
      const t = rttableA2n(v);
      if (t === null) ctx.invarg('"table" value is invalid\n', v);
      if (t < 256) table = t; else { table = RT_TABLE_UNSPEC; attrs.u32(RTA_TABLE, t); }
      tableOk = true;
    } else if (a === "dev" || a === "oif") d = next();
    else if (["rtt", "rttvar", "rto_min", "quickack", "congctl", "realms", "expires", "encap", "ttl-propagate",
      "fastopen_no_cookie", "nhid", "pref", "as", "vrf"].some((k) => a === k || (k.length > 3 && matches(a, k)))) {
      ctx.eprint(`ip: "${a}" is not supported by this engine.\n`);
      return -1;
    } else {
      let v = a;
      if (v === "to") v = next();
      if ((v[0] < "0" || v[0] > "9") && rtntypeA2n(v) !== null) { type = rtntypeA2n(v)!; typeOk = true; v = next(); }
      if (matches(v, "help")) usage(ctx);
      if (dstOk) ctx.duparg2("to", v);
      const p = prefixArg(ctx, v, family);
      if (family === AF_UNSPEC) family = p.family;
      dstLen = p.bitlen;
      dstOk = true;
      if (p.bytelen) attrs.attr(RTA_DST, p.addr);
    }
  }
  if (!dstOk) usage(ctx);
  if (d !== undefined) {
    const idx = ctx.nameToIndex(d);
    if (!idx) return nodev(ctx, d);
    attrs.u32(RTA_OIF, idx);
  }
  if (mx.length) {
    attrs.nest(RTA_METRICS);
    for (const [k, v] of mx) attrs.u32(k, v);
    if (mxlock) attrs.u32(RTAX_LOCK, mxlock);
    attrs.end();
  }
  if (nhsOk) {
    const r = parseNexthops(ctx, argv.slice(i), family);
    if (r === null) return -1;
    if (r.length) attrs.attr(RTA_MULTIPATH, r);
  }
  if (family === AF_UNSPEC) family = AF_INET;
  if (!tableOk && (type === RTN_LOCAL || type === RTN_BROADCAST || type === RTN_NAT || type === RTN_ANYCAST)) table = RT_TABLE_LOCAL;
  if (!scopeOk) {
    if (family === AF_INET6) scope = RT_SCOPE_UNIVERSE;
    else if (type === RTN_LOCAL || type === RTN_NAT) scope = RT_SCOPE_HOST;
    else if (type === RTN_BROADCAST || type === RTN_MULTICAST || type === RTN_ANYCAST) scope = RT_SCOPE_LINK;
    else if (type === RTN_UNICAST || type === RTN_UNSPEC) {
      if (cmd === RTM_DELROUTE) scope = RT_SCOPE_NOWHERE;
      else if (!gwOk && !nhsOk) scope = RT_SCOPE_LINK;
    }
  }
  const b = new NlBuilder(cmd, NLM_F_REQUEST | 0x04 /* NLM_F_ACK */ | flags, ctx.nl.nextSeq(), 0);
  const hdr = new Uint8Array(12);
  hdr[0] = family; hdr[1] = dstLen; hdr[2] = srcLen; hdr[3] = tos; hdr[4] = table; hdr[5] = protocol; hdr[6] = scope; hdr[7] = type;
  new DataView(hdr.buffer).setUint32(8, rflags, true);
  b.raw(hdr);
  b.raw(attrs.finish().subarray(16));
  return ctx.talk(b.finish()) ? 0 : -2;
}

/** parse_nexthops + parse_one_nh: RTA_MULTIPATH's payload, or null after printing an error. */
function parseNexthops(ctx: IpContext, argv: string[], family: number): Uint8Array | null {
  const parts: number[] = [];
  let i = 0;
  while (i < argv.length) {
    if (argv[i] !== "nexthop") ctx.fail255(`Error: "nexthop" or end of line is expected instead of "${argv[i]}"\n`);
    if (i + 1 >= argv.length) ctx.fail255('Error: unexpected end of line after "nexthop"\n');
    let ifindex = 0, hops = 0, nflags = 0;
    const attrs: number[] = [];
    i++;
    for (; i < argv.length; i++) {
      const a = argv[i];
      const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
      if (a === "via") {
        let v = next();
        let fam = readFamily(v);
        if (fam === AF_UNSPEC) fam = family; else v = next();
        const ad = getAddr(ctx, v, fam);
        attrs.push(8, 0, RTA_GATEWAY, 0, ...ad.addr);
      } else if (a === "dev") {
        const v = next();
        ifindex = ctx.nameToIndex(v);
        if (!ifindex) { nodev(ctx, v); ctx.fail255("Error: cannot parse nexthop\n"); }
      } else if (a === "weight") {
        const v = next();
        const w = getU32(v);
        if (w === null || w === 0 || w > 256) ctx.invarg('"weight" is invalid\n', v);
        hops = w - 1;
      } else if (a === "onlink") nflags |= RTNH_F_ONLINK;
      else break;
    }
    const len = 8 + attrs.length;
    parts.push(len & 0xff, len >> 8, nflags, hops, ifindex & 0xff, (ifindex >> 8) & 0xff, (ifindex >> 16) & 0xff, (ifindex >>> 24) & 0xff, ...attrs);
  }
  return Uint8Array.from(parts);
}

// ---- ip route show / list / flush (iproute_list_flush_or_save) ----

function filterPrefix(ctx: IpContext, arg: string, family: number): FPrefix {
  const p = prefixArg(ctx, arg, family);
  const a = new Uint8Array(4);
  a.set(p.addr.subarray(0, 4));
  return { family: p.bytelen ? p.family : family, bitlen: p.bitlen, specified: p.specified, addr: a };
}

/** rtnl_routedump_req with iproute_dump_filter, or for `cache` rtnl_rtcache_request (only RTM_F_CLONED). */
function dumpRequest(ctx: IpContext, f: RouteFilter, family: number): Uint8Array {
  const b = new NlBuilder(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, ctx.nl.nextSeq(), 0);
  const hdr = new Uint8Array(12);
  hdr[0] = family;
  if (f.cloned) {
    new DataView(hdr.buffer).setUint32(8, RTM_F_CLONED, true);
    b.raw(hdr);
    return b.finish();
  }
  hdr[5] = f.protocol;
  b.raw(hdr);
  if (f.tb) b.u32(RTA_TABLE, f.tb);
  if (f.oif) b.u32(RTA_OIF, f.oif);
  return b.finish();
}

function iprouteListFlush(ctx: IpContext, argv: string[], flush: boolean): number {
  let family = ctx.family;
  let id: string | undefined, od: string | undefined;
  let mark = 0;
  const f = resetFilter();
  f.tb = RT_TABLE_MAIN;
  if (flush && argv.length === 0) { ctx.eprint('"ip route flush" requires arguments.\n'); return -1; }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
    if (matches(a, "table")) {
      const v = next();
      const t = rttableA2n(v);
      if (t === null) {
        if (v === "all") f.tb = 0;
        else if (v === "cache") f.cloned = 1;
        else if (v === "help") usage(ctx);
        else ctx.invarg("table id value is invalid\n", v);
      } else f.tb = t;
    } else if (matches(a, "cached") || matches(a, "cloned")) f.cloned = 1;
    else if (a === "tos" || matches(a, "dsfield")) {
      const v = next();
      const t = dsfieldA2n(v);
      if (t === null) ctx.invarg("TOS value is invalid\n", v);
      f.tos = t; f.tosmask = -1;
    } else if (matches(a, "protocol")) {
      const v = next();
      f.protocolmask = -1;
      let p = rtprotA2n(v);
      if (p === null) { if (v !== "all") ctx.invarg('invalid "protocol"\n', v); p = 0; f.protocolmask = 0; }
      f.protocol = p;
    } else if (matches(a, "scope")) {
      const v = next();
      f.scopemask = -1;
      let sc = rtscopeA2n(v);
      if (sc === null) { if (v !== "all") ctx.invarg('invalid "scope"\n', v); sc = RT_SCOPE_NOWHERE; f.scopemask = 0; }
      f.scope = sc;
    } else if (matches(a, "type")) {
      const v = next();
      const t = rtntypeA2n(v);
      if (t === null) ctx.invarg("node type value is invalid\n", v);
      f.typemask = 1 << t;
    } else if (a === "dev" || a === "oif") od = next();
    else if (a === "iif") id = next();
    else if (a === "mark") {
      const v = next();
      const n = getU32(v);
      if (n === null) ctx.invarg("invalid mark value", v);
      mark = n; f.markmask = -1;
    } else if (matches(a, "metric") || matches(a, "priority") || a === "preference") {
      const v = next();
      const n = getU32(v);
      if (n === null) ctx.invarg('"metric" value is invalid\n', v);
      f.metric = n; f.metricmask = -1;
    } else if (a === "via") {
      let v = next();
      let fam = readFamily(v);
      if (fam === AF_UNSPEC) fam = family; else v = next();
      f.rvia = filterPrefix(ctx, v, fam);
    } else if (a === "src") f.rprefsrc = filterPrefix(ctx, next(), family);
    else if (matches(a, "from")) {
      let v = next();
      if (matches(v, "root")) f.rsrc = filterPrefix(ctx, next(), family);
      else if (matches(v, "match")) f.msrc = filterPrefix(ctx, next(), family);
      else { if (matches(v, "exact")) v = next(); f.msrc = filterPrefix(ctx, v, family); f.rsrc = { ...f.msrc }; }
    } else {
      let v = a;
      if (matches(v, "to")) v = next();
      if (matches(v, "root")) f.rdst = filterPrefix(ctx, next(), family);
      else if (matches(v, "match")) f.mdst = filterPrefix(ctx, next(), family);
      else { if (matches(v, "exact")) v = next(); f.mdst = filterPrefix(ctx, v, family); f.rdst = { ...f.mdst }; }
    }
  }
  if (family === AF_UNSPEC && f.tb) family = AF_INET;
  if (id) { const idx = ctx.nameToIndex(id); if (!idx) return nodev(ctx, id); f.iif = idx; f.iifmask = -1; }
  if (od) { const idx = ctx.nameToIndex(od); if (!idx) return nodev(ctx, od); f.oif = idx; f.oifmask = -1; }
  f.mark = mark;
  if (flush) return iprouteFlush(ctx, f, family);
  const replies = ctx.dump(dumpRequest(ctx, f, family));
  if (replies === null) { ctx.eprint("Dump terminated\n"); return -2; }
  for (const m of replies) {
    if (m.type !== RTM_NEWROUTE && m.type !== RTM_DELROUTE) continue;
    if (!filterRoute(ctx, f, m)) continue;
    ctx.print(formatRoute(ctx, f, m));
  }
  return 0;
}

/** iproute_flush: dump, delete what the selectors match, again until nothing is left. */
function iprouteFlush(ctx: IpContext, f: RouteFilter, family: number): number {
  if (f.cloned) {
    if (family !== AF_INET6) {
      const x = ctx.nl.engine.exports;
      if (typeof x.routeFlushCache === "function") x.routeFlushCache();
      if (ctx.stats) ctx.print("*** IPv4 routing cache is flushed.\n");
    }
    if (family === AF_INET) return 0;
  }
  f.flushb = true;
  for (let round = 0; ; ) {
    const replies = ctx.dump(dumpRequest(ctx, f, family));
    if (replies === null) { ctx.eprint("Flush terminated\n"); return -2; }
    const dels: Uint8Array[] = [];
    for (const m of replies) {
      if (m.type !== RTM_NEWROUTE) continue;
      if (!filterRoute(ctx, f, m)) continue;
      const c = m.bytes.slice();
      const dv = new DataView(c.buffer);
      dv.setUint16(4, RTM_DELROUTE, true);
      dv.setUint16(6, NLM_F_REQUEST, true);
      dv.setUint32(8, ctx.nl.nextSeq(), true);
      dels.push(c);
      if (ctx.stats >= 2) ctx.print(formatRoute(ctx, f, m));
    }
    if (dels.length === 0) {
      if (ctx.stats) {
        if (round === 0 && (!f.cloned || family === AF_INET6)) ctx.print("Nothing to flush.\n");
        else ctx.print(`*** Flush is complete after ${round} round${round > 1 ? "s" : ""} ***\n`);
      }
      return 0;
    }
    round++;
    for (const m of ctx.nl.request(dels)) {
      if (m.type === NLMSG_ERROR && m.error) { ctx.eprint(`Failed to send flush request: ${strerror(-m.error)}\n`); return -2; }
    }
    if (round > 64) {
      ctx.print(`\n*** Flush not completed after 0 seconds, ${dels.length} entries remain ***\n`);
      return -1;
    }
    if (ctx.stats) ctx.print(`\n*** Round ${round}, deleting ${dels.length} entries ***\n`);
  }
}

// ---- ip route get (iproute_get) ----

function iprouteGet(ctx: IpContext, argv: string[]): number {
  let family = ctx.family;
  let tos = 0, srcLen = 0, dstLen = 0, rflags = 0;
  let idev: string | undefined, odev: string | undefined;
  let mark = 0, fibMatch = false, addressFound = false;
  const attrs = new NlBuilder(0, 0);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
    if (a === "tos" || matches(a, "dsfield")) {
      const v = next();
      const t = dsfieldA2n(v);
      if (t === null) ctx.invarg("TOS value is invalid\n", v);
      tos = t;
    } else if (matches(a, "from")) {
      const v = next();
      if (matches(v, "help")) usage(ctx);
      const p = prefixArg(ctx, v, family);
      if (family === AF_UNSPEC) family = p.family;
      if (p.bytelen) attrs.attr(RTA_SRC, p.addr);
      srcLen = p.bitlen;
    } else if (matches(a, "iif")) idev = next();
    else if (matches(a, "mark")) {
      const v = next();
      const n = getU32(v);
      if (n === null) ctx.invarg("invalid mark value\n", v);
      mark = n;
    } else if (matches(a, "oif") || a === "dev") odev = next();
    else if (matches(a, "notify")) rflags |= RTM_F_NOTIFY;
    else if (matches(a, "connected")) { ctx.eprint(`ip: "${a}" is not supported by this engine.\n`); return -1; }
    else if (matches(a, "uid")) {
      const v = next();
      const n = getU32(v);
      if (n === null) ctx.invarg("invalid UID\n", v);
      attrs.u32(RTA_UID, n);
    } else if (matches(a, "fibmatch")) fibMatch = true;
    else if (a === "sport" || a === "dport") {
      const v = next();
      const n = strtoul(v, 0, 0xffff);
      if (n === null) ctx.invarg(`invalid ${a}\n`, v);
      attrs.attr(a === "sport" ? RTA_SPORT : RTA_DPORT, Uint8Array.of(n >> 8, n & 0xff));
    } else if (matches(a, "ipproto")) {
      const v = next();
      const p = inetProtoA2n(v);
      if (p === null) ctx.invarg('Invalid "ipproto" value\n', v);
      attrs.u8(RTA_IP_PROTO, p);
    } else if (matches(a, "vrf")) { ctx.eprint(`ip: "${a}" is not supported by this engine.\n`); return -1; }
    else {
      let v = a;
      if (v === "to") v = next();
      if (matches(v, "help")) usage(ctx);
      const p = prefixArg(ctx, v, family);
      if (family === AF_UNSPEC) family = p.family;
      if (p.bytelen) attrs.attr(RTA_DST, p.addr);
      if (family === AF_INET && p.bitlen !== 32) {
        ctx.eprint(`Warning: /${p.bitlen} as prefix is invalid, only /32 (or none) is supported.\n`);
        dstLen = 32;
      } else dstLen = p.bitlen;
      addressFound = true;
    }
  }
  if (!addressFound) { ctx.eprint("need at least a destination address\n"); return -1; }
  if (idev) { const idx = ctx.nameToIndex(idev); if (!idx) return nodev(ctx, idev); attrs.u32(RTA_IIF, idx); }
  if (odev) { const idx = ctx.nameToIndex(odev); if (!idx) return nodev(ctx, odev); attrs.u32(RTA_OIF, idx); }
  if (mark) attrs.u32(RTA_MARK, mark);
  if (family === AF_UNSPEC) family = AF_INET;
  if (family === AF_INET) rflags |= RTM_F_LOOKUP_TABLE;
  if (fibMatch) rflags |= RTM_F_FIB_MATCH;
  const b = new NlBuilder(RTM_GETROUTE, NLM_F_REQUEST, ctx.nl.nextSeq(), 0);
  const hdr = new Uint8Array(12);
  hdr[0] = family; hdr[1] = dstLen; hdr[2] = srcLen; hdr[3] = tos;
  new DataView(hdr.buffer).setUint32(8, rflags, true);
  b.raw(hdr);
  b.raw(attrs.finish().subarray(16));
  const replies = ctx.talk(b.finish());
  if (!replies) return -2;
  const ans = replies.find((m) => m.type === RTM_NEWROUTE);
  if (!ans) return -2;
  const f = resetFilter();
  f.cloned = 2;
  ctx.print(formatRoute(ctx, f, ans));
  return 0;
}

/** do_iproute. */
export function doIproute(ctx: IpContext, argv: string[]): number {
  if (argv.length < 1) return iprouteListFlush(ctx, [], false);
  const c = argv[0], rest = argv.slice(1);
  if (matches(c, "add")) return iprouteModify(ctx, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(c, "change") || c === "chg") return iprouteModify(ctx, RTM_NEWROUTE, NLM_F_REPLACE, rest);
  if (matches(c, "replace")) return iprouteModify(ctx, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(c, "prepend")) return iprouteModify(ctx, RTM_NEWROUTE, NLM_F_CREATE, rest);
  if (matches(c, "append")) return iprouteModify(ctx, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_APPEND, rest);
  if (matches(c, "test")) return iprouteModify(ctx, RTM_NEWROUTE, NLM_F_EXCL, rest);
  if (matches(c, "delete")) return iprouteModify(ctx, RTM_DELROUTE, 0, rest);
  if (matches(c, "list") || matches(c, "show") || matches(c, "lst")) return iprouteListFlush(ctx, rest, false);
  if (matches(c, "get")) return iprouteGet(ctx, rest);
  if (matches(c, "flush")) return iprouteListFlush(ctx, rest, true);
  if (matches(c, "save") || matches(c, "restore") || matches(c, "showdump")) {
    ctx.eprint(`ip: "route ${c}" is not supported by this engine.\n`);
    return -1;
  }
  if (matches(c, "help")) usage(ctx);
  ctx.fail255(`Command "${c}" is unknown, try "ip route help".\n`);
}
