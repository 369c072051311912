// `ip neigh` (iproute2 ipneigh.c): show/list from an RTM_GETNEIGH dump, printed as iproute2 prints it
// (checked against Linux 6.18: `dst dev D lladdr M STATE ` with a trailing space, `dev` left out when
// filtering by device, NOARP entries hidden unless `nud all`; with -s, ` ref N used a/b/cprobes P `);
// add/change/replace/del as ipneigh_modify sends them. Flushing and proxy entries are not here yet.
import {
  NlBuilder, NlMessage, attrMap, parseAttrs, attrU32, ipv4Str, NLMSG_HDRLEN, NLM_F_REQUEST, NLM_F_DUMP,
  NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH,
} from "../netlink.ts";
import { IpContext, Exit, matches, getAddr, llAddrA2n } from "./ip.ts";

const NDA_DST = 1, NDA_LLADDR = 2, NDA_CACHEINFO = 3, NDA_PROBES = 4, NDA_IFINDEX = 8;
const NUD_NAMES: Array<[number, string]> = [[0x01, "INCOMPLETE"], [0x02, "REACHABLE"], [0x04, "STALE"], [0x08, "DELAY"],
  [0x10, "PROBE"], [0x20, "FAILED"], [0x40, "NOARP"], [0x80, "PERMANENT"]];
const NUD_NOARP = 0x40;
const USER_HZ = 100;

const NEIGH_USAGE = `Usage: ip neigh { add | del | change | replace }
		{ ADDR [ lladdr LLADDR ] [ nud STATE ] proxy ADDR }
		[ dev DEV ] [ router ] [ use ] [ managed ] [ extern_learn ]
		[ protocol PROTO ]

	ip neigh { show | flush } [ proxy ] [ to PREFIX ] [ dev DEV ] [ nud STATE ]
				  [ vrf NAME ] [ nomaster ]
	ip neigh get { ADDR | proxy ADDR } dev DEV

STATE := { delay | failed | incomplete | noarp | none |
	   permanent | probe | reachable | stale }
`;

/** nud_state_a2n. */
function nudA2n(s: string): number | null {
  if (s === "none") return 0;
  for (const [v, n] of NUD_NAMES) if (n.toLowerCase() === s.toLowerCase()) return v;
  return null;
}

function printNeigh(ctx: IpContext, m: NlMessage, filterIndex: number, stateMask: number): void {
  if (m.type !== RTM_NEWNEIGH) return;
  const dv = new DataView(m.bytes.buffer, m.bytes.byteOffset + NLMSG_HDRLEN, 12);
  const family = dv.getUint8(0), ifindex = dv.getInt32(4, true), state = dv.getUint16(8, true);
  if (ctx.family && ctx.family !== family) return;
  if (filterIndex && filterIndex !== ifindex) return;
  if (!(stateMask & state) && (state || !(stateMask & 0x100))) return;
  const tb = attrMap(parseAttrs(m.bytes, NLMSG_HDRLEN + 12));
  let s = "";
  const dst = tb.get(NDA_DST);
  if (dst) s += `${ipv4Str(dst.data)} `;
  if (!filterIndex && ifindex) s += `dev ${ctx.indexToName(ifindex)} `;
  const ll = tb.get(NDA_LLADDR);
  if (ll) s += `lladdr ${Array.from(ll.data, (b) => b.toString(16).padStart(2, "0")).join(":")} `;
  if (ctx.stats) {
    const ci = tb.get(NDA_CACHEINFO);
    if (ci && ci.data.length >= 16) {
      const c = new DataView(ci.data.buffer, ci.data.byteOffset, 16);
      const refcnt = c.getUint32(12, true);
      if (refcnt) s += ` ref ${refcnt}`;
      s += ` used ${Math.floor(c.getUint32(4, true) / USER_HZ)}/${Math.floor(c.getUint32(0, true) / USER_HZ)}` +
        `/${Math.floor(c.getUint32(8, true) / USER_HZ)}`;
    }
    const p = tb.get(NDA_PROBES);
    if (p) s += `probes ${attrU32(p)} `;
  }
  for (const [v, n] of NUD_NAMES) if (state & v) s += `${n} `;
  ctx.print(s + "\n");
}

/** do_show_or_flush, the show part. */
function ipneighShow(ctx: IpContext, argv: string[]): number {
  let dev: string | undefined;
  let stateMask = 0xff & ~NUD_NOARP;
  let stateGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
    if (a === "dev") {
      if (dev !== undefined) ctx.duparg("dev", a);
      dev = next();
    } else if (a === "nud") {
      const v = next();
      if (!stateGiven) { stateMask = 0; stateGiven = true; }
      if (v === "all") stateMask = ~0;
      else {
        const st = nudA2n(v);
        if (st === null) ctx.invarg("nud state is bad", v);
        stateMask |= st === 0 ? 0x100 : st;
      }
    } else if (matches(a, "help")) {
      ctx.fail255(NEIGH_USAGE);
    } else {
      ctx.eprint(`ip: "neigh show ${a}" is not supported by this engine.\n`);
      return -1;
    }
  }
  let index = 0;
  if (dev !== undefined) {
    index = ctx.nameToIndex(dev);
    if (!index) { ctx.eprint(`Cannot find device "${dev}"\n`); return -1; }
  }
  const b = new NlBuilder(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, ctx.nl.nextSeq(), 0);
  const hdr = new Uint8Array(12);
  hdr[0] = ctx.family;
  b.raw(hdr);
  if (index) b.u32(NDA_IFINDEX, index);
  const replies = ctx.dump(b.finish());
  if (replies === null) { ctx.eprint("Dump terminated\n"); return 1; }
  for (const m of replies) printNeigh(ctx, m, index, stateMask);
  return 0;
}

/** ipneigh_modify (without proxy, router, extern_learn, protocol, use, managed). */
function ipneighModify(ctx: IpContext, cmd: number, flags: number, argv: string[]): number {
  let state = 0x80;                                   // NUD_PERMANENT unless told otherwise
  let lla: string | undefined, dev: string | undefined;
  let dst: { family: number; addr: Uint8Array } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
    if (matches(a, "lladdr")) {
      const v = next();
      if (lla !== undefined) ctx.duparg("lladdr", v);
      lla = v;
    } else if (a === "nud") {
      const v = next();
      const st = nudA2n(v);
      if (st === null) ctx.invarg("nud state is bad", v);
      state = st;
    } else if (a === "dev") {
      dev = next();
    } else if (matches(a, "proxy") || a === "router" || matches(a, "extern_learn") || matches(a, "protocol")
      || a === "use" || a === "managed") {
      ctx.eprint(`ip: "neigh ... ${a}" is not supported by this engine.\n`);
      return -1;
    } else {
      let v = a;
      if (v === "to") v = next();
      if (matches(v, "help")) ctx.fail255(NEIGH_USAGE);
      if (dst) ctx.fail255(`Error: either "to" is duplicate, or "${v}" is a garbage.\n`);
      dst = getAddr(ctx, v, ctx.family);
    }
  }
  if (dev === undefined || !dst) ctx.fail255("Device and destination are required arguments.\n");
  const b = new NlBuilder(cmd, NLM_F_REQUEST | flags | 0x04 /* NLM_F_ACK */, ctx.nl.nextSeq(), 0);
  const hdr = new Uint8Array(12);
  const dv = new DataView(hdr.buffer);
  hdr[0] = dst.family;
  dv.setUint16(8, state, true);
  let llBytes: Uint8Array | undefined;
  if (lla !== undefined && lla !== "null") {
    const ll = llAddrA2n(ctx, lla);
    if (!ll) return -1;
    llBytes = ll;
  }
  const index = ctx.nameToIndex(dev);
  if (!index) { ctx.eprint(`Cannot find device "${dev}"\n`); return -1; }
  dv.setInt32(4, index, true);
  b.raw(hdr);
  b.attr(NDA_DST, dst.addr);
  if (llBytes !== undefined) b.attr(NDA_LLADDR, llBytes);
  if (ctx.talk(b.finish()) === null) throw new Exit(2);          // ipneigh_modify exits 2 on a netlink error
  return 0;
}

export function doIpneigh(ctx: IpContext, argv: string[]): number {
  if (argv.length < 1) return ipneighShow(ctx, []);
  const c = argv[0], rest = argv.slice(1);
  if (matches(c, "add")) return ipneighModify(ctx, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(c, "change") || c === "chg") return ipneighModify(ctx, RTM_NEWNEIGH, NLM_F_REPLACE, rest);
  if (matches(c, "replace")) return ipneighModify(ctx, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(c, "delete")) return ipneighModify(ctx, RTM_DELNEIGH, 0, rest);
  if (matches(c, "show") || matches(c, "list") || matches(c, "lst")) return ipneighShow(ctx, rest);
  if (matches(c, "help")) ctx.fail255(NEIGH_USAGE);
  if (matches(c, "flush") || matches(c, "get")) {
    ctx.eprint(`ip: "neigh ${c}" is not supported by this engine.\n`);
    return -1;
  }
  ctx.fail255(`Command "${c}" is unknown, try "ip neigh help".\n`);
}
