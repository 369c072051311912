// `ip rule` (iproute2 6.1 iprule.c) over the engine's rtnetlink: add/del, list/show with selectors,
// flush, printing what iproute2 prints (checked against the real tool: tests/host/ip-route.test.ts).
import {
  NlBuilder, NlMessage, attrMap, parseAttrs, attrU32, attrU8, attrStr, ipv4Str, NLMSG_HDRLEN, NLM_F_REQUEST,
  NLM_F_CREATE, NLM_F_EXCL, NLM_F_DUMP, AF_UNSPEC, AF_INET, RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE,
  FRA_DST, FRA_SRC, FRA_IIFNAME, FRA_GOTO, FRA_PRIORITY, FRA_FWMARK, FRA_FLOW, FRA_SUPPRESS_IFGROUP,
  FRA_SUPPRESS_PREFIXLEN, FRA_TABLE, FRA_FWMASK, FRA_OIFNAME, FRA_UID_RANGE, FRA_PROTOCOL, FRA_IP_PROTO,
  FRA_SPORT_RANGE, FRA_DPORT_RANGE, FR_ACT_UNSPEC, FR_ACT_TO_TBL, FR_ACT_GOTO, FR_ACT_NOP, FIB_RULE_INVERT,
  FIB_RULE_IIF_DETACHED, FIB_RULE_OIF_DETACHED, FIB_RULE_UNRESOLVED, RT_TABLE_MAIN, RT_TABLE_UNSPEC, RTPROT_KERNEL,
} from "../netlink.ts";
import { IpContext, matches } from "./ip.ts";
import { rttableA2n, rttableN2a, rtprotA2n, rtprotN2a, rtntypeA2n, rtntypeN2a, dsfieldA2n, dsfieldN2a, inetProtoA2n,
  inetProtoN2a, getU32, prefixArg } from "./ip-route.ts";

const RULE_USAGE = `Usage: ip rule { add | del } SELECTOR ACTION
       ip rule { flush | save | restore }
       ip rule [ list [ SELECTOR ]]
SELECTOR := [ not ] [ from PREFIX ] [ to PREFIX ] [ tos TOS ]
            [ fwmark FWMARK[/MASK] ]
            [ iif STRING ] [ oif STRING ] [ pref NUMBER ] [ l3mdev ]
            [ uidrange NUMBER-NUMBER ]
            [ ipproto PROTOCOL ]
            [ sport [ NUMBER | NUMBER-NUMBER ]
            [ dport [ NUMBER | NUMBER-NUMBER ] ]
ACTION := [ table TABLE_ID ]
          [ protocol PROTO ]
          [ nat ADDRESS ]
          [ realms [SRCREALM/]DSTREALM ]
          [ goto NUMBER ]
          SUPPRESSOR
SUPPRESSOR := [ suppress_prefixlength NUMBER ]
              [ suppress_ifgroup DEVGROUP ]
TABLE_ID := [ local | main | default | NUMBER ]
`;

function usage(ctx: IpContext): never { ctx.fail255(RULE_USAGE); }

/** check_ifname: a name the kernel could have. */
function badIfname(n: string): boolean {
  if (n.length === 0 || n.length >= 16 || n === "." || n === "..") return true;
  return /[/:\s]/.test(n);
}

/** sscanf("%u-%u") / ("%hu-%hu"): the leading numbers of a range. */
function scanRange(s: string, max: number): [number, number] | [number] | null {
  const m = /^\s*\+?(\d+)(?:-\s*\+?(\d+))?/.exec(s);
  if (!m) return null;
  const a = Number(m[1]) % (max + 1);
  return m[2] === undefined ? [a] : [a, Number(m[2]) % (max + 1)];
}

interface RuleFilter {
  pref: number; prefmask: boolean; not: boolean; tos: number; tosmask: boolean; fwmark: number; fwmask: number;
  iif?: string; oif?: string; tb: number; protocol: number; protocolmask: boolean;
  src?: { family: number; bitlen: number; addr: Uint8Array }; dst?: { family: number; bitlen: number; addr: Uint8Array };
}

function addrMatch(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3, bit = 7 - (i & 7);
    if (((a[byte] >> bit) & 1) !== ((b[byte] >> bit) & 1)) return false;
  }
  return true;
}

/** filter_nlmsg (iprule.c). */
function filterRule(ctx: IpContext, f: RuleFilter, m: NlMessage): boolean {
  const b = m.bytes;
  const family = b[16], dstLen = b[17], srcLen = b[18], tos = b[19];
  const flags = new DataView(b.buffer, b.byteOffset).getUint32(24, true);
  const tb = attrMap(parseAttrs(b, NLMSG_HDRLEN + 12));
  if (ctx.family !== AF_UNSPEC && family !== ctx.family) return false;
  if (f.prefmask && f.pref !== (tb.has(FRA_PRIORITY) ? attrU32(tb.get(FRA_PRIORITY)!) : 0)) return false;
  if (f.not && !(flags & FIB_RULE_INVERT)) return false;
  for (const [p, len, t] of [[f.src, srcLen, FRA_SRC], [f.dst, dstLen, FRA_DST]] as const) {
    if (!p || !p.family) continue;
    if (p.family !== family || p.bitlen > len) return false;
    const a = tb.get(t);
    if (!a) { if (p.bitlen > 0) return false; continue; }
    if (!addrMatch(a.data, p.addr, p.bitlen)) return false;
  }
  if (f.tosmask && f.tos !== tos) return false;
  if (f.fwmark && f.fwmark !== (tb.has(FRA_FWMARK) ? attrU32(tb.get(FRA_FWMARK)!) : 0)) return false;
  if (f.fwmask && f.fwmask !== (tb.has(FRA_FWMASK) ? attrU32(tb.get(FRA_FWMASK)!) : 0)) return false;
  if (f.iif !== undefined && (!tb.has(FRA_IIFNAME) || attrStr(tb.get(FRA_IIFNAME)!) !== f.iif)) return false;
  if (f.oif !== undefined && (!tb.has(FRA_OIFNAME) || attrStr(tb.get(FRA_OIFNAME)!) !== f.oif)) return false;
  const table = tb.has(FRA_TABLE) ? attrU32(tb.get(FRA_TABLE)!) : b[20];
  if (f.tb > 0 && f.tb !== table) return false;
  if (f.protocolmask && f.protocol !== (tb.has(FRA_PROTOCOL) ? attrU8(tb.get(FRA_PROTOCOL)!) : 0)) return false;
  return true;
}

/** print_rule. */
export function formatRule(ctx: IpContext, m: NlMessage): string {
  const b = m.bytes;
  const dstLen = b[17], srcLen = b[18], tos = b[19], action = b[23];
  const flags = new DataView(b.buffer, b.byteOffset).getUint32(24, true);
  const tb = attrMap(parseAttrs(b, NLMSG_HDRLEN + 12));
  const u32 = (t: number) => attrU32(tb.get(t)!);
  let s = m.type === RTM_DELRULE ? "Deleted " : "";
  s += `${tb.has(FRA_PRIORITY) ? u32(FRA_PRIORITY) : 0}:\t`;
  if (flags & FIB_RULE_INVERT) s += "not ";
  if (tb.has(FRA_SRC)) s += `from ${ipv4Str(tb.get(FRA_SRC)!.data)}${srcLen !== 32 ? `/${srcLen}` : ""}`;
  else if (srcLen) s += `from 0/${srcLen}`;
  else s += "from all";
  if (tb.has(FRA_DST)) s += ` to ${ipv4Str(tb.get(FRA_DST)!.data)}${dstLen !== 32 ? `/${dstLen}` : ""}`;
  else if (dstLen) s += ` to 0/${dstLen}`;
  if (tos) s += ` tos ${dsfieldN2a(tos)}`;
  if (tb.has(FRA_FWMARK) || tb.has(FRA_FWMASK)) {
    const mark = tb.has(FRA_FWMARK) ? u32(FRA_FWMARK) : 0;
    const mask = tb.has(FRA_FWMASK) ? u32(FRA_FWMASK) : 0;
    const hex = (v: number) => (v === 0 ? "0" : `0x${v.toString(16)}`);
    if (tb.has(FRA_FWMASK) && mask !== 0xffffffff) s += ` fwmark ${hex(mark)}/${hex(mask)}`;
    else s += ` fwmark ${hex(mark)}`;
  }
  if (tb.has(FRA_IIFNAME)) {
    s += ` iif ${attrStr(tb.get(FRA_IIFNAME)!)}`;
    if (flags & FIB_RULE_IIF_DETACHED) s += " [detached]";
  }
  if (tb.has(FRA_OIFNAME)) {
    s += ` oif ${attrStr(tb.get(FRA_OIFNAME)!)}`;
    if (flags & FIB_RULE_OIF_DETACHED) s += " [detached]";
  }
  const range = (t: number, sz: number) => {
    const d = tb.get(t)!.data, dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    return sz === 4 ? [dv.getUint32(0, true), dv.getUint32(4, true)] : [dv.getUint16(0, true), dv.getUint16(2, true)];
  };
  if (tb.has(FRA_UID_RANGE)) { const [a, z] = range(FRA_UID_RANGE, 4); s += ` uidrange ${a}-${z}`; }
  if (tb.has(FRA_IP_PROTO)) s += ` ipproto ${inetProtoN2a(attrU8(tb.get(FRA_IP_PROTO)!))}`;
  for (const [t, name] of [[FRA_SPORT_RANGE, "sport"], [FRA_DPORT_RANGE, "dport"]] as const) {
    if (!tb.has(t)) continue;
    const [a, z] = range(t, 2);
    s += a === z ? ` ${name} ${a}` : ` ${name} ${a}-${z}`;
  }
  const table = tb.has(FRA_TABLE) ? u32(FRA_TABLE) : b[20];
  if (table) {
    s += ` lookup ${rttableN2a(table)}`;
    if (tb.has(FRA_SUPPRESS_PREFIXLEN)) { const pl = u32(FRA_SUPPRESS_PREFIXLEN) | 0; if (pl !== -1) s += ` suppress_prefixlength ${pl}`; }
    if (tb.has(FRA_SUPPRESS_IFGROUP)) { const g = u32(FRA_SUPPRESS_IFGROUP) | 0; if (g !== -1) s += ` suppress_ifgroup ${g === 0 ? "default" : g}`; }
  }
  if (tb.has(FRA_FLOW)) {
    const to = u32(FRA_FLOW), from = to >>> 16;
    s += " realms ";
    if (from) s += `${from}/`;
    s += `${to & 0xffff}`;
  }
  if (action === FR_ACT_GOTO) {
    s += tb.has(FRA_GOTO) ? ` goto ${u32(FRA_GOTO)}` : " goto none";
    if (flags & FIB_RULE_UNRESOLVED) s += " [unresolved]";
  } else if (action === FR_ACT_NOP) s += " nop";
  else if (action !== FR_ACT_TO_TBL) s += ` ${rtntypeN2a(action)}`;
  if (tb.has(FRA_PROTOCOL)) {
    const p = attrU8(tb.get(FRA_PROTOCOL)!);
    if ((p && p !== RTPROT_KERNEL) || ctx.details > 0) s += ` proto ${rtprotN2a(p)}`;
  }
  return s + "\n";
}

function ruleDumpRequest(ctx: IpContext, family: number): Uint8Array {
  const b = new NlBuilder(RTM_GETRULE, NLM_F_REQUEST | NLM_F_DUMP, ctx.nl.nextSeq(), 0);
  const hdr = new Uint8Array(12);
  hdr[0] = family;
  b.raw(hdr);
  return b.finish();
}

/** iprule_list_flush_or_save (list and flush). */
function ipruleListFlush(ctx: IpContext, argv: string[], flush: boolean): number {
  const af = ctx.family === AF_UNSPEC ? AF_INET : ctx.family;
  const f: RuleFilter = { pref: 0, prefmask: false, not: false, tos: 0, tosmask: false, fwmark: 0, fwmask: 0, tb: 0,
    protocol: 0, protocolmask: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
    if (matches(a, "preference") || matches(a, "order") || matches(a, "priority")) {
      const v = next();
      const n = getU32(v);
      if (n === null) ctx.invarg("preference value is invalid\n", v);
      f.pref = n; f.prefmask = true;
    } else if (a === "not") f.not = true;
    else if (a === "tos") {
      const v = next();
      const t = dsfieldA2n(v);
      if (t === null) ctx.invarg("TOS value is invalid\n", v);
      f.tos = t; f.tosmask = true;
    } else if (a === "fwmark") {
      const v = next();
      const [m, k] = v.split("/");
      const n = getU32(m);
      if (n === null) ctx.invarg("fwmark value is invalid\n", m);
      f.fwmark = n;
      if (k !== undefined) { const mk = getU32(k); if (mk === null) ctx.invarg("fwmask value is invalid\n", k); f.fwmask = mk; }
    } else if (a === "dev" || a === "iif") {
      const v = next();
      if (badIfname(v)) ctx.invarg('"iif"/"dev" not a valid ifname', v);
      f.iif = v;
    } else if (a === "oif") {
      const v = next();
      if (badIfname(v)) ctx.invarg('"oif" not a valid ifname', v);
      f.oif = v;
    } else if (matches(a, "lookup") || matches(a, "table")) {
      const v = next();
      const t = rttableA2n(v);
      if (t === null) ctx.invarg("table id value is invalid\n", v);
      f.tb = t;
    } else if (matches(a, "from") || matches(a, "src")) {
      const p = prefixArg(ctx, next(), af);
      f.src = { family: p.bytelen ? p.family : af, bitlen: p.bitlen, addr: p.addr };
    } else if (matches(a, "to") || matches(a, "dst")) {
      const p = prefixArg(ctx, next(), af);
      f.dst = { family: p.bytelen ? p.family : af, bitlen: p.bitlen, addr: p.addr };
    } else if (matches(a, "protocol")) {
      const v = next();
      const p = rtprotA2n(v);
      if (p === null) ctx.invarg('"protocol" value is invalid\n', v);
      f.protocol = p; f.protocolmask = true;
    } else ctx.invarg("Unknown argument\n", a);
  }
  const replies = ctx.dump(ruleDumpRequest(ctx, af));
  if (replies === null) { ctx.eprint("Dump terminated\n"); return 1; }
  for (const m of replies) {
    if (m.type !== RTM_NEWRULE && m.type !== RTM_DELRULE) continue;
    if (!filterRule(ctx, f, m)) continue;
    if (!flush) { ctx.print(formatRule(ctx, m)); continue; }
    // flush_rule: every rule with a priority (rule 0 stays)
    const tb = attrMap(parseAttrs(m.bytes, NLMSG_HDRLEN + 12));
    if (!tb.has(FRA_PRIORITY)) continue;
    const c = m.bytes.slice();
    const dv = new DataView(c.buffer);
    dv.setUint16(4, RTM_DELRULE, true);
    dv.setUint16(6, NLM_F_REQUEST | 0x04, true);
    dv.setUint32(8, ctx.nl.nextSeq(), true);
    if (!ctx.talk(c)) return -2;
  }
  return 0;
}

/** iprule_modify. */
function ipruleModify(ctx: IpContext, cmd: number, argv: string[]): number {
  let family = ctx.family;
  let srcLen = 0, dstLen = 0, tos = 0, table = 0, action = FR_ACT_UNSPEC, rflags = 0;
  let flags = NLM_F_REQUEST;
  let tableOk = false;
  const attrs = new NlBuilder(0, 0);
  if (cmd === RTM_NEWRULE) {
    if (argv.length === 0) { ctx.eprint('"ip rule add" requires arguments.\n'); return -1; }
    flags |= NLM_F_CREATE | NLM_F_EXCL;
    action = FR_ACT_TO_TBL;
  }
  if (cmd === RTM_DELRULE && argv.length === 0) { ctx.eprint('"ip rule del" requires arguments.\n'); return -1; }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
    if (a === "not") rflags |= FIB_RULE_INVERT;
    else if (a === "from" || a === "to") {
      const p = prefixArg(ctx, next(), family);
      if (a === "from") srcLen = p.bitlen; else dstLen = p.bitlen;
      attrs.attr(a === "from" ? FRA_SRC : FRA_DST, p.bytelen ? p.addr : new Uint8Array(0));
    } else if (matches(a, "preference") || matches(a, "order") || matches(a, "priority")) {
      const v = next();
      const n = getU32(v);
      if (n === null) ctx.invarg("preference value is invalid\n", v);
      attrs.u32(FRA_PRIORITY, n);
    } else if (a === "tos" || matches(a, "dsfield")) {
      const v = next();
      const t = dsfieldA2n(v);
      if (t === null) ctx.invarg("TOS value is invalid\n", v);
      tos = t;
    } else if (a === "fwmark") {
      const v = next();
      const [m, k] = v.split("/");
      const n = getU32(m);
      if (n === null) ctx.invarg("fwmark value is invalid\n", m);
      attrs.u32(FRA_FWMARK, n);
      if (k !== undefined) { const mk = getU32(k); if (mk === null) ctx.invarg("fwmask value is invalid\n", k); attrs.u32(FRA_FWMASK, mk); }
    } else if (matches(a, "protocol")) {
      const v = next();
      const p = rtprotA2n(v);
      if (p === null) ctx.invarg('"protocol" value is invalid\n', v);
      attrs.u8(FRA_PROTOCOL, p);
    } else if (matches(a, "table") || a === "lookup") {
      const v = next();
      const t = rttableA2n(v);
      if (t === null) ctx.invarg("invalid table ID\n", v);
      if (t < 256) table = t; else { table = RT_TABLE_UNSPEC; attrs.u32(FRA_TABLE, t); }
      tableOk = true;
    } else if (matches(a, "suppress_prefixlength") || a === "sup_pl") {
      const v = next();
      const n = /^\s*[+-]?\d+$/.test(v) ? Number(v) : NaN;
      if (!Number.isInteger(n) || n < 0 || n > 0x7fffffff) ctx.invarg("suppress_prefixlength value is invalid\n", v);
      attrs.u32(FRA_SUPPRESS_PREFIXLEN, n);
    } else if (a === "dev" || a === "iif") {
      const v = next();
      if (badIfname(v)) ctx.invarg('"iif"/"dev" not a valid ifname', v);
      attrs.str(FRA_IIFNAME, v);
    } else if (a === "oif") {
      const v = next();
      if (badIfname(v)) ctx.invarg('"oif" not a valid ifname', v);
      attrs.str(FRA_OIFNAME, v);
    } else if (a === "uidrange") {
      const v = next();
      const r = scanRange(v, 0xffffffff);
      if (!r || r.length !== 2) ctx.invarg("invalid UID range\n", v);
      const x = new Uint8Array(8), d = new DataView(x.buffer);
      d.setUint32(0, r[0], true); d.setUint32(4, r[1]!, true);
      attrs.attr(FRA_UID_RANGE, x);
    } else if (a === "ipproto") {
      const v = next();
      const p = inetProtoA2n(v);
      if (p === null) ctx.invarg('Invalid "ipproto" value\n', v);
      attrs.u8(FRA_IP_PROTO, p);
    } else if (a === "sport" || a === "dport") {
      const v = next();
      const r = scanRange(v, 0xffff);
      if (!r) ctx.invarg("invalid port range\n", v);
      const x = new Uint8Array(4), d = new DataView(x.buffer);
      d.setUint16(0, r[0], true); d.setUint16(2, r.length === 2 ? r[1]! : r[0], true);
      attrs.attr(a === "sport" ? FRA_SPORT_RANGE : FRA_DPORT_RANGE, x);
    } else if (["realms", "tun_id", "l3mdev", "nat", "map-to", "suppress_ifgroup", "sup_group"].some((k) => a === k || matches(a, k))) {
      ctx.eprint(`ip: "${a}" is not supported by this engine.\n`);
      return -1;
    } else {
      let v = a;
      if (v === "type") v = next();
      if (matches(v, "help")) usage(ctx);
      let type: number;
      if (matches(v, "goto")) {
        type = FR_ACT_GOTO;
        const t = next();
        const n = getU32(t);
        if (n === null) ctx.invarg("invalid target\n", t);
        attrs.u32(FRA_GOTO, n);
      } else if (matches(v, "nop")) type = FR_ACT_NOP;
      else {
        const t = rtntypeA2n(v);
        if (t === null) ctx.invarg("Failed to parse rule type", v);
        type = t;
      }
      action = type;
      tableOk = true;
    }
  }
  if (family === AF_UNSPEC) family = AF_INET;
  if (!tableOk && cmd === RTM_NEWRULE) table = RT_TABLE_MAIN;
  const b = new NlBuilder(cmd, flags | 0x04 /* NLM_F_ACK */, ctx.nl.nextSeq(), 0);
  const hdr = new Uint8Array(12);
  hdr[0] = family; hdr[1] = dstLen; hdr[2] = srcLen; hdr[3] = tos; hdr[4] = table; hdr[7] = action;
  new DataView(hdr.buffer).setUint32(8, rflags, true);
  b.raw(hdr);
  b.raw(attrs.finish().subarray(16));
  return ctx.talk(b.finish()) ? 0 : -2;
}

/** do_iprule. */
export function doIprule(ctx: IpContext, argv: string[]): number {
  if (argv.length < 1) return ipruleListFlush(ctx, [], false);
  const c = argv[0], rest = argv.slice(1);
  if (matches(c, "list") || matches(c, "lst") || matches(c, "show")) return ipruleListFlush(ctx, rest, false);
  if (matches(c, "save") || matches(c, "restore")) { ctx.eprint(`ip: "rule ${c}" is not supported by this engine.\n`); return -1; }
  if (matches(c, "add")) return ipruleModify(ctx, RTM_NEWRULE, rest);
  if (matches(c, "delete")) return ipruleModify(ctx, RTM_DELRULE, rest);
  if (matches(c, "flush")) return ipruleListFlush(ctx, rest, true);
  if (matches(c, "help")) usage(ctx);
  ctx.fail255(`Command "${c}" is unknown, try "ip rule help".\n`);
}
