// `ip neigh` (iproute2 ipneigh.c): show/list from an RTM_GETNEIGH dump, printed as iproute2 prints it
// (checked against Linux 6.18: `dst dev D lladdr M STATE ` with a trailing space, `dev` left out when
// filtering by device, NOARP entries hidden unless `nud all`; with -s, ` ref N used a/b/cprobes P `);
// add/change/replace/del as ipneigh_modify sends them; flush as do_show_or_flush does it (dump, delete
// what the selectors match, again until a dump matches nothing; FAILED entries only in the first
// round). Proxy entries are not here yet.
import {
  NlBuilder, NlMessage, attrMap, parseAttrs, attrU32, ipv4Str, NLMSG_HDRLEN, NLMSG_ERROR, NLM_F_REQUEST,
  NLM_F_DUMP, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH, strerror,
} from "../netlink.ts";
import { IpContext, Exit, matches, getAddr, getPrefix, llAddrA2n, type Prefix } from "./ip.ts";

const NDA_DST = 1, NDA_LLADDR = 2, NDA_CACHEINFO = 3, NDA_PROBES = 4, NDA_IFINDEX = 8;
const NUD_NAMES: Array<[number, string]> = [[0x01, "INCOMPLETE"], [0x02, "REACHABLE"], [0x04, "STALE"], [0x08, "DELAY"],
  [0x10, "PROBE"], [0x20, "FAILED"], [0x40, "NOARP"], [0x80, "PERMANENT"]];
const NUD_FAILED = 0x20, NUD_NOARP = 0x40, NUD_PERMANENT = 0x80;
const FLUSH_MAX_ROUNDS = 10;
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

interface NeighFilter { family: number; index: number; state: number; pfx: Prefix | null }

/** print_neigh's selection: family, device, state (0x100 stands for NUD_NONE) and `to` prefix. */
function neighSelected(ctx: IpContext, m: NlMessage, f: NeighFilter): boolean {
  if (m.type !== RTM_NEWNEIGH) return false;
  const dv = new DataView(m.bytes.buffer, m.bytes.byteOffset + NLMSG_HDRLEN, 12);
  const family = dv.getUint8(0), ifindex = dv.getInt32(4, true), state = dv.getUint16(8, true);
  if (f.family && f.family !== family) return false;
  if (f.index && f.index !== ifindex) return false;
  if (!(f.state & state) && (state || !(f.state & 0x100))) return false;
  if (f.pfx) {
    const dst = attrMap(parseAttrs(m.bytes, NLMSG_HDRLEN + 12)).get(NDA_DST);
    if (!dst || !prefixContains(f.pfx, dst.data)) return false;
  }
  return true;
}

/** inet_addr_match: the first bitlen bits are equal. */
function prefixContains(p: Prefix, a: Uint8Array): boolean {
  for (let bit = 0; bit < p.bitlen; bit += 8) {
    const n = Math.min(8, p.bitlen - bit), mask = (0xff << (8 - n)) & 0xff;
    if (((p.addr[bit >> 3] ^ a[bit >> 3]) & mask) !== 0) return false;
  }
  return true;
}

function printNeigh(ctx: IpContext, m: NlMessage, f: NeighFilter): void {
  const dv = new DataView(m.bytes.buffer, m.bytes.byteOffset + NLMSG_HDRLEN, 12);
  const ifindex = dv.getInt32(4, true), state = dv.getUint16(8, true);
  const tb = attrMap(parseAttrs(m.bytes, NLMSG_HDRLEN + 12));
  let s = "";
  const dst = tb.get(NDA_DST);
  if (dst) s += `${ipv4Str(dst.data)} `;
  if (!f.index && ifindex) s += `dev ${ctx.indexToName(ifindex)} `;
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

/** do_show_or_flush. */
function ipneighShowOrFlush(ctx: IpContext, argv: string[], flush: boolean): number {
  if (flush && argv.length === 0) { ctx.eprint("Flush requires arguments.\n"); return -1; }
  const f: NeighFilter = { family: ctx.family, index: 0, state: flush ? ~(NUD_PERMANENT | NUD_NOARP) : 0xff & ~NUD_NOARP, pfx: null };
  let dev: string | undefined;
  let stateGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
    if (a === "dev") {
      if (dev !== undefined) ctx.duparg("dev", a);
      dev = next();
    } else if (a === "nud") {
      const v = next();
      if (!stateGiven) { f.state = 0; stateGiven = true; }
      let st = nudA2n(v);
      if (st === null) {
        if (v !== "all") ctx.invarg("nud state is bad", v);
        st = flush ? ~NUD_NOARP : ~0;
      }
      f.state |= st === 0 ? 0x100 : st;
    } else if (["master", "vrf", "nomaster", "unused", "proxy", "protocol"].includes(a)) {
      ctx.eprint(`ip: "neigh ${flush ? "flush" : "show"} ${a}" is not supported by this engine.\n`);
      return -1;
    } else {
      let v = a;
      if (v === "to") v = next();
      if (matches(v, "help")) ctx.fail255(NEIGH_USAGE);
      f.pfx = getPrefix(ctx, v, f.family);
      if (!f.family) f.family = f.pfx.family;
    }
  }
  if (dev !== undefined) {
    f.index = ctx.nameToIndex(dev);
    if (!f.index) { ctx.eprint(`Cannot find device "${dev}"\n`); return -1; }
  }
  const request = (): Uint8Array => {
    const b = new NlBuilder(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, ctx.nl.nextSeq(), 0);
    const hdr = new Uint8Array(12);
    hdr[0] = f.family;
    b.raw(hdr);
    if (f.index) b.u32(NDA_IFINDEX, f.index);
    return b.finish();
  };
  if (!flush) {
    const replies = ctx.dump(request());
    if (replies === null) { ctx.eprint("Dump terminated\n"); return 1; }
    for (const m of replies) if (neighSelected(ctx, m, f)) printNeigh(ctx, m, f);
    return 0;
  }
  for (let round = 0; round < FLUSH_MAX_ROUNDS; ) {
    const replies = ctx.dump(request());
    if (replies === null) { ctx.eprint("Flush terminated\n"); throw new Exit(1); }
    const dels: Uint8Array[] = [];
    for (const m of replies) {
      if (!neighSelected(ctx, m, f)) continue;
      const c = m.bytes.slice();                      // the dumped entry, sent back as a delete
      const dv = new DataView(c.buffer);
      dv.setUint16(4, RTM_DELNEIGH, true);
      dv.setUint16(6, NLM_F_REQUEST, true);
      dv.setUint32(8, ctx.nl.nextSeq(), true);
      dels.push(c);
      if (ctx.stats >= 2) printNeigh(ctx, m, f);
    }
    if (dels.length === 0) {
      if (ctx.stats) ctx.print(round === 0 ? "Nothing to flush.\n" : `*** Flush is complete after ${round} round${round > 1 ? "s" : ""} ***\n`);
      return 0;
    }
    round++;
    for (const m of ctx.nl.request(dels)) {
      if (m.type === NLMSG_ERROR && m.error) { ctx.eprint(`Failed to send flush request: ${strerror(-m.error)}\n`); throw new Exit(1); }
    }
    if (ctx.stats) ctx.print(`\n*** Round ${round}, deleting ${dels.length} entries ***\n`);
    f.state &= ~NUD_FAILED;                           // a deleted entry may linger as FAILED (older kernels)
  }
  ctx.print(`*** Flush not complete bailing out after ${FLUSH_MAX_ROUNDS} rounds\n`);
  return 1;
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
  if (argv.length < 1) return ipneighShowOrFlush(ctx, [], false);
  const c = argv[0], rest = argv.slice(1);
  if (matches(c, "add")) return ipneighModify(ctx, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(c, "change") || c === "chg") return ipneighModify(ctx, RTM_NEWNEIGH, NLM_F_REPLACE, rest);
  if (matches(c, "replace")) return ipneighModify(ctx, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(c, "delete")) return ipneighModify(ctx, RTM_DELNEIGH, 0, rest);
  if (matches(c, "show") || matches(c, "list") || matches(c, "lst")) return ipneighShowOrFlush(ctx, rest, false);
  if (matches(c, "flush")) return ipneighShowOrFlush(ctx, rest, true);
  if (matches(c, "help")) ctx.fail255(NEIGH_USAGE);
  if (matches(c, "get")) {
    ctx.eprint(`ip: "neigh ${c}" is not supported by this engine.\n`);
    return -1;
  }
  ctx.fail255(`Command "${c}" is unknown, try "ip neigh help".\n`);
}
