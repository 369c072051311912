// `ip` (iproute2 6.1) over the engine's rtnetlink: `ip link …` and `ip address …`, with iproute2's
// option and keyword abbreviations, the messages it sends, and its output and error text byte for byte
// (checked against the real tool: tests/host/ip-commands.test.ts and ip-vs-kernel.test.ts).
// Exit statuses follow iproute2: 0 ok, 1 for a command that returned -1, 2 when the kernel refused
// (rtnl_talk failed), 255 for exit(-1) in argument parsing. Other objects (route, neigh, …) can be
// plugged in with registerIpObject().
import {
  NetlinkSocket, NetlinkError, NlBuilder, NlMessage, LinkInfo, AddrInfo, decodeLink, decodeAddr, ifinfomsg, ifaddrmsg,
  strerror, parseNested, attrStr, attrU32,
  NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_DUMP, NLMSG_ERROR, NLMSG_DONE,
  RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR,
  IFLA_ADDRESS, IFLA_BROADCAST, IFLA_IFNAME, IFLA_MTU, IFLA_TXQLEN, IFLA_LINKINFO, IFLA_INFO_KIND, IFLA_INFO_DATA,
  IFLA_EXT_MASK, IFLA_GROUP, IFLA_CARRIER, IFLA_IFALIAS, IFLA_LINK, IFLA_OPERSTATE, IFLA_LINKMODE, IFLA_MASTER,
  IFLA_PROTO_DOWN, VETH_INFO_PEER, RTEXT_FILTER_VF,
  IFA_LOCAL, IFA_ADDRESS, IFA_BROADCAST, IFA_ANYCAST, IFA_LABEL, IFA_FLAGS, IFA_RT_PRIORITY, IFA_CACHEINFO,
  IFA_F_SECONDARY, IFA_F_PERMANENT, IFA_F_DEPRECATED, IFA_F_HOMEADDRESS, IFA_F_NODAD, IFA_F_MANAGETEMPADDR,
  IFA_F_NOPREFIXROUTE, IFA_F_MCAUTOJOIN, IFA_F_TENTATIVE, IFA_F_DADFAILED, INFINITY_LIFE_TIME,
  IFF_UP, IFF_RUNNING, IFF_POINTOPOINT, IFF_PROMISC, IFF_NOARP, IFF_MULTICAST, IFF_ALLMULTI, IFF_NOTRAILERS,
  IFF_DYNAMIC, AF_UNSPEC, AF_INET, AF_INET6, AF_PACKET, AF_BRIDGE, ARPHRD_ETHER, ARPHRD_LOOPBACK, ARPHRD_NONE,
  ENODEV, EADDRNOTAVAIL, ENOENT, EOPNOTSUPP, EMSGSIZE, OPER_STATES,
} from "../netlink.ts";
import { doIproute } from "./ip-route.ts";
import { doIprule } from "./ip-rule.ts";
import { doIpneigh } from "./ip-neigh.ts";

export interface IpResult { stdout: string; stderr: string; status: number }

const AF_MPLS = 28;

/** exit(n) inside iproute2: unwinds to runIp. */
export class Exit extends Error {
  constructor(readonly status: number) { super(`exit ${status}`); }
}

/** iproute2's matches(): `word` is a non-empty prefix of `full`... or empty (which matches anything). */
export function matches(word: string, full: string): boolean {
  return full.startsWith(word);
}

/** The state of one `ip` invocation (iproute2's globals). */
export class IpContext {
  out = "";
  err = "";
  family = AF_UNSPEC;
  stats = 0;
  details = 0;
  oneline = 0;
  brief = 0;
  human = 0;
  iec = 0;
  force = 0;
  SL = "\n";
  private cacheIdx = new Map<number, LinkInfo>();
  private cacheName = new Map<string, LinkInfo>();
  constructor(readonly nl: NetlinkSocket) {}

  print(s: string): void { this.out += s; }
  eprint(s: string): void { this.err += s; }
  nl_(): void { this.out += this.SL; }

  /** exit(-1) after a message on stderr. */
  fail255(msg: string): never { this.err += msg; throw new Exit(255); }
  /** invarg(). */
  invarg(msg: string, arg: string): never { this.fail255(`Error: argument "${arg}" is wrong: ${msg}\n`); }
  duparg(key: string, arg: string): never { this.fail255(`Error: duplicate "${key}": "${arg}" is the second value.\n`); }
  duparg2(key: string, arg: string): never { this.fail255(`Error: either "${key}" is duplicate, or "${arg}" is a garbage.\n`); }
  incomplete(): never { this.fail255(`Command line is not complete. Try option "help"\n`); }

  remember(l: LinkInfo): void {
    this.cacheIdx.set(l.ifindex, l);
    this.cacheName.set(l.ifname, l);
  }
  /** ll_link_get: RTM_GETLINK by name or index, cached. */
  linkGet(dev: string | number): LinkInfo | null {
    const c = typeof dev === "number" ? this.cacheIdx.get(dev) : this.cacheName.get(dev);
    if (c) return c;
    try {
      const l = this.nl.linkGet(dev);
      this.remember(l);
      return l;
    } catch (e) {
      if (e instanceof NetlinkError) return null;
      throw e;
    }
  }
  /** ll_name_to_index: 0 when there is no such device. */
  nameToIndex(name: string): number { return this.linkGet(name)?.ifindex ?? 0; }
  /** ll_idx_n2a. */
  indexToName(idx: number): string { return this.linkGet(idx)?.ifname ?? `if${idx}`; }
  indexToFlags(idx: number): number { return this.linkGet(idx)?.flags ?? 0; }
  forget(idx: number): void {
    const l = this.cacheIdx.get(idx);
    if (l) { this.cacheIdx.delete(idx); this.cacheName.delete(l.ifname); }
  }

  /**
   * rtnl_talk: send one request with NLM_F_ACK semantics and report the kernel's answer as iproute2 does
   * ("Error: <ext-ack msg>." or "RTNETLINK answers: <strerror>"). Returns the replies, or null on error.
   */
  talk(msg: Uint8Array): NlMessage[] | null {
    let replies: NlMessage[];
    try {
      replies = this.nl.request(msg);
    } catch (e) {
      if (e instanceof NetlinkError) { this.eprint(`RTNETLINK answers: ${strerror(e.errno)}\n`); return null; }
      throw e;
    }
    for (const m of replies) {
      if (m.type !== NLMSG_ERROR) continue;
      if (m.error === 0) {
        if (m.extack) this.eprint(`Warning: ${dot(m.extack)}\n`);
        continue;
      }
      if (m.extack) this.eprint(`Error: ${dot(m.extack)}\n`);
      else this.eprint(`RTNETLINK answers: ${strerror(-(m.error ?? 0))}\n`);
      return null;
    }
    return replies;
  }

  /**
   * rtnl_dump_filter: every reply of a dump request; a failed NLMSG_DONE is reported like rtnl_dump_done
   * and the caller's "Dump terminated" follows. Returns null on failure.
   */
  dump(msg: Uint8Array): NlMessage[] | null {
    let replies: NlMessage[];
    try { replies = this.nl.request(msg); } catch (e) {
      if (e instanceof NetlinkError) { this.eprint(`RTNETLINK answers: ${strerror(e.errno)}\n`); return null; }
      throw e;
    }
    const out: NlMessage[] = [];
    for (const m of replies) {
      if (m.type === NLMSG_DONE) {
        const e = m.error ?? 0;
        if (e < 0) {
          if (m.extack) this.eprint(`Error: ${dot(m.extack)}\n`);
          else if (-e === EMSGSIZE) this.eprint("Error: Buffer too small for object.\n");
          else if (-e !== ENOENT && -e !== EOPNOTSUPP) this.eprint(`RTNETLINK answers: ${strerror(-e)}\n`);
          return null;
        }
        break;
      }
      if (m.type === NLMSG_ERROR) {
        if (m.error) {
          if (m.extack) this.eprint(`Error: ${dot(m.extack)}\n`);
          else this.eprint(`RTNETLINK answers: ${strerror(-(m.error ?? 0))}\n`);
          return null;
        }
        continue;
      }
      out.push(m);
    }
    return out;
  }
}

const dot = (s: string) => (s.endsWith(".") ? s : s + ".");

export type IpObjectHandler = (ctx: IpContext, args: string[]) => number;
const extraObjects = new Map<string, IpObjectHandler>();
/** Plug another object (route, neigh, rule, …) into `ip`; its handler returns iproute2's int result. */
export function registerIpObject(name: string, fn: IpObjectHandler): void { extraObjects.set(name, fn); }

// iproute2's object table, in its order (abbreviations resolve to the first match).
const OBJECTS = ["address", "addrlabel", "maddress", "route", "rule", "neighbor", "neighbour", "ntable", "ntbl",
  "link", "l2tp", "fou", "ila", "macsec", "tunnel", "tuntap", "tap", "token", "tcpmetrics", "tcp_metrics", "monitor",
  "xfrm", "mroute", "mrule", "netns", "netconf", "vrf", "sr", "nexthop", "mptcp", "ioam", "stats", "help"];

const IP_USAGE = `Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }
       ip [ -force ] -batch filename
where  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |
                   link | macsec | maddress | monitor | mptcp | mroute | mrule |
                   neighbor | neighbour | netconf | netns | nexthop | ntable |
                   ntbl | route | rule | sr | tap | tcpmetrics |
                   token | tunnel | tuntap | vrf | xfrm }
       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |
                    -h[uman-readable] | -iec | -j[son] | -p[retty] |
                    -f[amily] { inet | inet6 | mpls | bridge | link } |
                    -4 | -6 | -M | -B | -0 |
                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |
                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |
                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |
                    -c[olor]}
`;

const TYPES_USAGE = `TYPE := { amt | bareudp | bond | bond_slave | bridge | bridge_slave |
          dsa | dummy | erspan | geneve | gre | gretap | gtp | ifb |
          ip6erspan | ip6gre | ip6gretap | ip6tnl |
          ipip | ipoib | ipvlan | ipvtap |
          macsec | macvlan | macvtap |
          netdevsim | nlmon | rmnet | sit | team | team_slave |
          vcan | veth | vlan | vrf | vti | vxcan | vxlan | wwan |
          xfrm | virt_wifi }
`;

const LINK_USAGE = `Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME
\t\t    [ txqueuelen PACKETS ]
\t\t    [ address LLADDR ]
\t\t    [ broadcast LLADDR ]
\t\t    [ mtu MTU ] [index IDX ]
\t\t    [ numtxqueues QUEUE_COUNT ]
\t\t    [ numrxqueues QUEUE_COUNT ]
\t\t    [ netns { PID | NAME } ]
\t\t    type TYPE [ ARGS ]

\tip link delete { DEVICE | dev DEVICE | group DEVGROUP } type TYPE [ ARGS ]

\tip link set { DEVICE | dev DEVICE | group DEVGROUP }
\t\t\t[ { up | down } ]
\t\t\t[ type TYPE ARGS ]
\t\t[ arp { on | off } ]
\t\t[ dynamic { on | off } ]
\t\t[ multicast { on | off } ]
\t\t[ allmulticast { on | off } ]
\t\t[ promisc { on | off } ]
\t\t[ trailers { on | off } ]
\t\t[ carrier { on | off } ]
\t\t[ txqueuelen PACKETS ]
\t\t[ name NEWNAME ]
\t\t[ address LLADDR ]
\t\t[ broadcast LLADDR ]
\t\t[ mtu MTU ]
\t\t[ netns { PID | NAME } ]
\t\t[ link-netns NAME | link-netnsid ID ]
\t\t[ alias NAME ]
\t\t[ vf NUM [ mac LLADDR ]
\t\t\t [ vlan VLANID [ qos VLAN-QOS ] [ proto VLAN-PROTO ] ]
\t\t\t [ rate TXRATE ]
\t\t\t [ max_tx_rate TXRATE ]
\t\t\t [ min_tx_rate TXRATE ]
\t\t\t [ spoofchk { on | off} ]
\t\t\t [ query_rss { on | off} ]
\t\t\t [ state { auto | enable | disable} ]
\t\t\t [ trust { on | off} ]
\t\t\t [ node_guid EUI64 ]
\t\t\t [ port_guid EUI64 ] ]
\t\t[ { xdp | xdpgeneric | xdpdrv | xdpoffload } { off |
\t\t\t  object FILE [ { section | program } NAME ] [ verbose ] |
\t\t\t  pinned FILE } ]
\t\t[ master DEVICE ][ vrf NAME ]
\t\t[ nomaster ]
\t\t[ addrgenmode { eui64 | none | stable_secret | random } ]
\t\t[ protodown { on | off } ]
\t\t[ protodown_reason PREASON { on | off } ]
\t\t[ gso_max_size BYTES ] | [ gso_max_segs PACKETS ]
\t\t[ gro_max_size BYTES ]

\tip link show [ DEVICE | group GROUP ] [up] [master DEV] [vrf NAME] [type TYPE]
\t\t[nomaster]

\tip link xstats type TYPE [ ARGS ]

\tip link afstats [ dev DEVICE ]
\tip link property add dev DEVICE [ altname NAME .. ]
\tip link property del dev DEVICE [ altname NAME .. ]

\tip link help [ TYPE ]

` + TYPES_USAGE;

const ADDR_USAGE = `Usage: ip address {add|change|replace} IFADDR dev IFNAME [ LIFETIME ]
                                                      [ CONFFLAG-LIST ]
       ip address del IFADDR dev IFNAME [mngtmpaddr]
       ip address {save|flush} [ dev IFNAME ] [ scope SCOPE-ID ]
                            [ to PREFIX ] [ FLAG-LIST ] [ label LABEL ] [up]
       ip address [ show [ dev IFNAME ] [ scope SCOPE-ID ] [ master DEVICE ]
                         [ nomaster ]
                         [ type TYPE ] [ to PREFIX ] [ FLAG-LIST ]
                         [ label LABEL ] [up] [ vrf NAME ] ]
       ip address {showdump|restore}
IFADDR := PREFIX | ADDR peer PREFIX
          [ broadcast ADDR ] [ anycast ADDR ]
          [ label IFNAME ] [ scope SCOPE-ID ] [ metric METRIC ]
SCOPE-ID := [ host | link | global | NUMBER ]
FLAG-LIST := [ FLAG-LIST ] FLAG
FLAG  := [ permanent | dynamic | secondary | primary |
           [-]tentative | [-]deprecated | [-]dadfailed | temporary |
           CONFFLAG-LIST ]
CONFFLAG-LIST := [ CONFFLAG-LIST ] CONFFLAG
CONFFLAG  := [ home | nodad | mngtmpaddr | noprefixroute | autojoin ]
LIFETIME := [ valid_lft LFT ] [ preferred_lft LFT ]
LFT := forever | SECONDS
` + TYPES_USAGE;

/**
 * Run `ip ARGS` (without the leading "ip") against the engine. Never throws for user errors: the
 * result carries stdout, stderr and the exit status iproute2 would have.
 */
export function runIp(args: string[], nl: NetlinkSocket): IpResult {
  const ctx = new IpContext(nl);
  let status: number;
  try {
    status = ipMain(ctx, args);
  } catch (e) {
    if (e instanceof Exit) status = e.status;
    else throw e;
  }
  return { stdout: ctx.out, stderr: ctx.err, status };
}

function readFamily(name: string): number {
  switch (name) {
    case "inet": return AF_INET;
    case "inet6": return AF_INET6;
    case "link": return AF_PACKET;
    case "mpls": return AF_MPLS;
    case "bridge": return AF_BRIDGE;
    default: return AF_UNSPEC;
  }
}

function ipMain(ctx: IpContext, argv: string[]): number {
  let i = 0;
  while (i < argv.length && argv[i].startsWith("-")) {
    let opt = argv[i];
    if (opt === "--") { i++; break; }
    if (opt[1] === "-") opt = opt.slice(1);
    if (matches(opt, "-loops")) {
      if (++i >= argv.length) ctx.fail255(IP_USAGE);
    } else if (matches(opt, "-family")) {
      if (++i >= argv.length || argv[i] === "help") ctx.fail255(IP_USAGE);
      ctx.family = readFamily(argv[i]);
      if (ctx.family === AF_UNSPEC) ctx.invarg("invalid protocol family", argv[i]);
    } else if (opt === "-4") ctx.family = AF_INET;
    else if (opt === "-6") ctx.family = AF_INET6;
    else if (opt === "-0") ctx.family = AF_PACKET;
    else if (opt === "-M") ctx.family = AF_MPLS;
    else if (opt === "-B") ctx.family = AF_BRIDGE;
    else if (matches(opt, "-human") || matches(opt, "-human-readable")) ctx.human++;
    else if (matches(opt, "-iec")) ctx.iec++;
    else if (matches(opt, "-stats") || matches(opt, "-statistics")) ctx.stats++;
    else if (matches(opt, "-details")) ctx.details++;
    else if (matches(opt, "-resolve")) { /* names are not resolved: nothing to do */ }
    else if (matches(opt, "-oneline")) ctx.oneline++;
    else if (matches(opt, "-timestamp") || matches(opt, "-tshort")) { /* monitor only */ }
    else if (matches(opt, "-Version")) { ctx.print("ip utility, iproute2-6.1.0, libbpf 1.1.2\n"); return 0; }
    else if (matches(opt, "-force")) ctx.force++;
    else if (matches(opt, "-batch")) ctx.fail255("ip: -batch is not supported here (use runBatch)\n");
    else if (matches(opt, "-brief")) ctx.brief++;
    else if (matches(opt, "-json") || matches(opt, "-pretty")) ctx.fail255(`Option "${argv[i]}" is not supported by this engine.\n`);
    else if (matches(opt, "-rcvbuf")) { if (++i >= argv.length) ctx.fail255(IP_USAGE); }
    else if (opt === "-c" || matches(opt, "-color") || opt.startsWith("-color=") || opt.startsWith("-c=")) { /* no colors */ }
    else if (matches(opt, "-help")) ctx.fail255(IP_USAGE);
    else if (matches(opt, "-netns")) ctx.fail255(`Option "${argv[i]}" is not supported by this engine.\n`);
    else if (matches(opt, "-Numeric")) { /* numbers are printed anyway */ }
    else if (matches(opt, "-all")) { /* only with -netns */ }
    else ctx.fail255(`Option "${argv[i]}" is unknown, try "ip -help".\n`);
    i++;
  }
  ctx.SL = ctx.oneline ? "\\" : "\n";
  const rest = argv.slice(i);
  if (rest.length === 0) ctx.fail255(IP_USAGE);
  const obj = rest[0];
  const full = OBJECTS.find((o) => matches(obj, o));
  if (full === undefined) {
    ctx.eprint(`Object "${obj}" is unknown, try "ip help".\n`);
    return 1;
  }
  const r = dispatch(ctx, full, rest.slice(1));
  return (-r) & 0xff;
}

function dispatch(ctx: IpContext, obj: string, args: string[]): number {
  switch (obj) {
    case "address": return doIpaddr(ctx, args);
    case "link": return doIplink(ctx, args);
    case "route": return doIproute(ctx, args);
    case "rule": return doIprule(ctx, args);
    case "neighbor": case "neighbour": return doIpneigh(ctx, args);
    case "help": ctx.fail255(IP_USAGE);
  }
  const h = extraObjects.get(obj);
  if (h) return h(ctx, args);
  ctx.eprint(`ip: "${obj}" is not supported by this engine.\n`);
  return -1;
}

// ---------------------------------------------------------------- ip link

function doIplink(ctx: IpContext, argv: string[]): number {
  if (argv.length < 1) return ipaddrListLink(ctx, []);
  const c = argv[0], rest = argv.slice(1);
  if (matches(c, "add")) return iplinkModify(ctx, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(c, "set") || matches(c, "change")) return iplinkModify(ctx, RTM_NEWLINK, 0, rest);
  if (matches(c, "replace")) return iplinkModify(ctx, RTM_NEWLINK, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(c, "delete")) return iplinkModify(ctx, RTM_DELLINK, 0, rest);
  if (matches(c, "show") || matches(c, "lst") || matches(c, "list")) return ipaddrListLink(ctx, rest);
  if (matches(c, "help")) ctx.fail255(LINK_USAGE);
  ctx.fail255(`Command "${c}" is unknown, try "ip link help".\n`);
}

/** check_ifname: not empty, shorter than IFNAMSIZ, no '/' or white space. */
function badIfname(name: string, max = 16): boolean {
  if (name.length === 0 || new TextEncoder().encode(name).length >= max) return true;
  return /[\/\s]/.test(name);
}

/** ll_addr_a2n: "aa:bb:…" (or a dotted IPv4 address) into bytes; errors as iproute2 prints them. */
export function llAddrA2n(ctx: IpContext, arg: string): Uint8Array | null {
  if (arg.includes(".")) {
    const a = getAddrIpv4(arg);
    if (!a) { ctx.eprint(`"${arg}" is invalid lladdr.\n`); return null; }
    return a;
  }
  const out: number[] = [];
  const parts = arg.split(":");
  for (let i = 0; i < parts.length && i < 32; i++) {
    const p = parts[i];
    const m = /^\s*(?:0[xX])?([0-9a-fA-F]+)/.exec(p);
    if (!m) { ctx.eprint(`"${p}" is invalid lladdr.\n`); return null; }
    const v = parseInt(m[1], 16);
    if (v > 255) { ctx.eprint(`"${p}" is invalid lladdr.\n`); return null; }
    out.push(v);
  }
  return Uint8Array.from(out);
}

/** get_integer / get_unsigned with base 0 (0x.. hex, 0.. octal), the whole string. */
function getInteger(s: string): number | null {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const body = m[2];
  let v = body.startsWith("0x") || body.startsWith("0X") ? parseInt(body.slice(2), 16)
    : body.length > 1 && body[0] === "0" ? parseInt(body, 8) : parseInt(body, 10);
  if (m[1] === "-") v = -v;
  if (v > 0x7fffffff || v < -0x80000000) return null;
  return v;
}
function getUnsigned(s: string): number | null {
  const m = /^\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/.exec(s);
  if (!m) return null;
  const b = m[1];
  const v = b.startsWith("0x") || b.startsWith("0X") ? parseInt(b.slice(2), 16) : b.length > 1 && b[0] === "0" ? parseInt(b, 8) : parseInt(b, 10);
  return v > 0xffffffff ? null : v;
}

interface LinkReq {
  b: NlBuilder;            // attributes after the ifinfomsg
  index: number;
  flags: number;
  change: number;
  create: boolean;
  addrLen: number;
}

/**
 * iplink_parse: the keywords of `ip link add/set/del` (and of a veth peer). Returns the number of
 * arguments consumed (stops after "type KIND"), or -1 after printing an error.
 */
function iplinkParse(ctx: IpContext, argv: string[], req: LinkReq, out: { type?: string; dev?: string }): number {
  let name: string | undefined, dev: string | undefined, link: string | undefined;
  let mtu = -1, qlen = -1, group = -1, index = 0;
  let i = 0;
  const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "up") { req.change |= IFF_UP; req.flags |= IFF_UP; }
    else if (a === "down") { req.change |= IFF_UP; req.flags &= ~IFF_UP; }
    else if (a === "name") {
      const v = next();
      if (name !== undefined) ctx.duparg("name", v);
      if (badIfname(v)) ctx.invarg('"name" not a valid ifname', v);
      name = v;
      if (dev === undefined) dev = name;
    } else if (a === "index") {
      const v = next();
      if (index) ctx.duparg("index", v);
      index = parseInt(v, 10) || 0;
      if (index <= 0) ctx.invarg('Invalid "index" value', v);
    } else if (matches(a, "link")) {
      link = next();
    } else if (matches(a, "address")) {
      const v = next();
      const addr = llAddrA2n(ctx, v);
      if (!addr) return -1;
      req.addrLen = addr.length;
      req.b.attr(IFLA_ADDRESS, addr);
    } else if (matches(a, "broadcast") || a === "brd") {
      const v = next();
      const addr = llAddrA2n(ctx, v);
      if (!addr) return -1;
      req.b.attr(IFLA_BROADCAST, addr);
    } else if (matches(a, "txqueuelen") || a === "qlen" || matches(a, "txqlen")) {
      const v = next();
      if (qlen !== -1) ctx.duparg("txqueuelen", v);
      const n = getInteger(v);
      if (n === null) ctx.invarg('Invalid "txqueuelen" value\n', v);
      qlen = n;
      req.b.u32(IFLA_TXQLEN, n);
    } else if (a === "mtu") {
      const v = next();
      if (mtu !== -1) ctx.duparg("mtu", v);
      const n = getInteger(v);
      if (n === null) ctx.invarg('Invalid "mtu" value\n', v);
      mtu = n;
      req.b.u32(IFLA_MTU, n);
    } else if (a === "multicast" || a === "allmulticast" || a === "promisc" || a === "trailers" || a === "arp" || matches(a, "dynamic")) {
      const v = next();
      const key = matches(a, "dynamic") ? "dynamic" : a;
      const bit = { multicast: IFF_MULTICAST, allmulticast: IFF_ALLMULTI, promisc: IFF_PROMISC, trailers: IFF_NOTRAILERS,
        arp: IFF_NOARP, dynamic: IFF_DYNAMIC }[key]!;
      const inverted = key === "trailers" || key === "arp";
      req.change |= bit;
      if (v === "on") { if (inverted) req.flags &= ~bit; else req.flags |= bit; }
      else if (v === "off") { if (inverted) req.flags |= bit; else req.flags &= ~bit; }
      else { ctx.eprint(`Error: argument of "${key}" must be "on" or "off", not "${v}"\n`); return -1; }
    } else if (a === "carrier") {
      const v = next();
      if (v !== "on" && v !== "off") { ctx.eprint(`Error: argument of "carrier" must be "on" or "off", not "${v}"\n`); return -1; }
      req.b.u8(IFLA_CARRIER, v === "on" ? 1 : 0);
    } else if (matches(a, "type")) {
      out.type = next();
      i++;
      break;
    } else if (matches(a, "alias")) {
      const v = next();
      if (new TextEncoder().encode(v).length >= 256) ctx.invarg("alias too long\n", v);
      req.b.attr(IFLA_IFALIAS, new TextEncoder().encode(v));
    } else if (a === "group") {
      const v = next();
      if (group !== -1) ctx.duparg("group", v);
      const n = v === "default" ? 0 : getUnsigned(v);
      if (n === null) ctx.invarg('Invalid "group" value\n', v);
      group = n;
      req.b.u32(IFLA_GROUP, n);
    } else if (a === "mode") {
      const v = next();
      const m = v === "default" ? 0 : v === "dormant" ? 1 : -1;
      if (m < 0) ctx.invarg("Invalid link mode\n", v);
      req.b.u8(IFLA_LINKMODE, m);
    } else if (a === "state") {
      const v = next();
      const s = OPER_STATES.findIndex((x) => x.toLowerCase() === v.toLowerCase());
      if (s < 0) ctx.invarg("Invalid operstate\n", v);
      req.b.u8(IFLA_OPERSTATE, s);
    } else if (a === "protodown") {
      const v = next();
      if (v !== "on" && v !== "off") { ctx.eprint(`Error: argument of "protodown" must be "on" or "off", not "${v}"\n`); return -1; }
      req.b.u8(IFLA_PROTO_DOWN, v === "on" ? 1 : 0);
    } else if (["netns", "vf", "master", "vrf", "xdp", "xdpgeneric", "xdpdrv", "xdpoffload", "addrgenmode", "link-netns",
      "link-netnsid", "numtxqueues", "numrxqueues", "gso_max_size", "gso_max_segs", "gro_max_size", "parentdev",
      "protodown_reason"].includes(a) || matches(a, "nomaster")) {
      ctx.eprint(`ip: "${a}" is not supported by this engine.\n`);
      return -1;
    } else {
      if (matches(a, "help")) ctx.fail255(LINK_USAGE);
      let v = a;
      if (a === "dev") v = next();
      if (dev !== name) ctx.duparg2("dev", v);
      if (badIfname(v, 128)) ctx.invarg('"dev" not a valid ifname', v);
      dev = v;
    }
  }
  const consumed = i;
  // "ip link add dev X" and "ip link add name X" are the same.
  if (name === undefined) name = dev;
  else if (dev === undefined) dev = name;
  else if (name === dev) name = dev;
  if (dev !== undefined && req.addrLen && !req.create) {
    const l = ctx.linkGet(dev);
    const halen = l?.attrs.get(IFLA_ADDRESS)?.data.length;
    if (halen !== undefined && halen !== req.addrLen) {
      ctx.eprint(`Invalid address length ${req.addrLen} - must be ${halen} bytes\n`);
      return -1;
    }
  }
  if (!req.create && index) ctx.fail255("index can be used only when creating devices.\n");
  if (group !== -1 && dev === undefined) {
    if (consumed < argv.length) ctx.fail255(`Garbage instead of arguments "${argv[consumed]} ...". Try "ip link help".\n`);
    if (req.create) ctx.fail255("group cannot be used when creating devices.\n");
    out.type = undefined;
    return consumed;
  }
  if (!req.create) {
    if (dev === undefined) ctx.fail255('Not enough information: "dev" argument is required.\n');
    req.index = ctx.nameToIndex(dev);
    if (!req.index) { ctx.eprint(`Cannot find device "${dev}"\n`); return -1; }
    if (name === dev) name = undefined;
  } else {
    if (name !== dev) ctx.fail255('both "name" and "dev" cannot be used when creating devices.\n');
    if (link !== undefined) {
      const li = ctx.nameToIndex(link);
      if (!li) { ctx.eprint(`Cannot find device "${link}"\n`); return -1; }
      req.b.u32(IFLA_LINK, li);
    }
    req.index = index;
  }
  if (name !== undefined) req.b.str(IFLA_IFNAME, name);
  out.dev = dev;
  return consumed;
}

/** A request whose attributes are collected first: the ifinfomsg is written at finish. */
function newLinkReq(create: boolean): LinkReq {
  return { b: new NlBuilder(0, 0), index: 0, flags: 0, change: 0, create, addrLen: 0 };
}

function iplinkModify(ctx: IpContext, cmd: number, flags: number, argv: string[]): number {
  const req = newLinkReq((flags & NLM_F_CREATE) !== 0);
  const out: { type?: string; dev?: string } = {};
  const ret = iplinkParse(ctx, argv, req, out);
  if (ret < 0) return ret;
  const seq = ctx.nl.nextSeq();
  const b = new NlBuilder(cmd, NLM_F_REQUEST | NLM_F_ACK | flags, seq, 0);
  b.raw(ifinfomsg({ family: ctx.family, index: req.index, flags: req.flags, change: req.change }));
  b.raw(attrsOf(req.b));
  if (out.type !== undefined) {
    const type = out.type;
    b.nest(IFLA_LINKINFO).strNoNul(IFLA_INFO_KIND, type);
    const rest = argv.slice(ret);
    if (type === "veth" && rest.length) {
      b.nest(type.endsWith("_slave") ? 5 : IFLA_INFO_DATA);
      if (vethParseOpt(ctx, rest, b) < 0) return -1;
      b.end();
    } else if (rest.length) {
      if (matches(rest[0], "help")) ctx.fail255(LINK_USAGE);
      ctx.eprint(`Garbage instead of arguments "${rest[0]} ...". Try "ip link help".\n`);
      return -1;
    }
    b.end();
  } else if (flags & NLM_F_CREATE) {
    ctx.eprint('Not enough information: "type" argument is required\n');
    return -1;
  }
  const r = ctx.talk(b.finish());
  if (!r) return -2;
  ctx.forget(req.index);
  return 0;
}

/** Attributes collected in a scratch builder (everything after its 16-byte header). */
function attrsOf(b: NlBuilder): Uint8Array { return b.finish().subarray(16); }

/** link_veth.c: "peer" then the peer's own iplink options inside VETH_INFO_PEER {ifinfomsg, attrs}. */
function vethParseOpt(ctx: IpContext, argv: string[], b: NlBuilder): number {
  if (argv[0] !== "peer") {
    ctx.print("Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n");
    return -1;
  }
  const req = newLinkReq(true);
  const out: { type?: string } = {};
  const err = iplinkParse(ctx, argv.slice(1), req, out);
  if (err < 0) return err;
  if (out.type !== undefined) ctx.duparg("type", argv[1 + err - 1]);
  b.nest(VETH_INFO_PEER);
  b.raw(ifinfomsg({ index: req.index, flags: req.flags, change: req.change }));
  b.raw(attrsOf(req.b));
  b.end();
  return 0;
}

// ---------------------------------------------------------------- listing (ipaddress.c)

interface ListFilter {
  ifindex: number;
  up: boolean;
  kind?: string;
  label?: string;
  scope: number;
  scopemask: number;
  flags: number;
  flagmask: number;
  pfx?: { addr: Uint8Array; bitlen: number; family: number };
  group: number;
  family: number;
}

function ipaddrListLink(ctx: IpContext, argv: string[]): number {
  ctx.family = AF_PACKET;
  return ipaddrListFlush(ctx, argv, "list", true);
}

function doIpaddr(ctx: IpContext, argv: string[]): number {
  if (argv.length < 1) return ipaddrListFlush(ctx, [], "list", false);
  const c = argv[0], rest = argv.slice(1);
  if (matches(c, "add")) return ipaddrModify(ctx, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, rest);
  if (matches(c, "change") || c === "chg") return ipaddrModify(ctx, RTM_NEWADDR, NLM_F_REPLACE, rest);
  if (matches(c, "replace")) return ipaddrModify(ctx, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE, rest);
  if (matches(c, "delete")) return ipaddrModify(ctx, RTM_DELADDR, 0, rest);
  if (matches(c, "list") || matches(c, "show") || matches(c, "lst")) return ipaddrListFlush(ctx, rest, "list", false);
  if (matches(c, "flush")) return ipaddrListFlush(ctx, rest, "flush", false);
  if (matches(c, "help")) ctx.fail255(ADDR_USAGE);
  ctx.fail255(`Command "${c}" is unknown, try "ip address help".\n`);
}

const IFA_FLAG_FILTERS: [string, number, boolean][] = [
  ["secondary", IFA_F_SECONDARY, true], ["temporary", IFA_F_SECONDARY, true], ["primary", IFA_F_SECONDARY, false],
  ["tentative", IFA_F_TENTATIVE, true], ["-tentative", IFA_F_TENTATIVE, false],
  ["deprecated", IFA_F_DEPRECATED, true], ["-deprecated", IFA_F_DEPRECATED, false],
  ["home", IFA_F_HOMEADDRESS, true], ["nodad", IFA_F_NODAD, true], ["mngtmpaddr", IFA_F_MANAGETEMPADDR, true],
  ["noprefixroute", IFA_F_NOPREFIXROUTE, true], ["autojoin", IFA_F_MCAUTOJOIN, true],
  ["dadfailed", IFA_F_DADFAILED, true], ["-dadfailed", IFA_F_DADFAILED, false],
  ["permanent", IFA_F_PERMANENT, true], ["dynamic", IFA_F_PERMANENT, false],
];

function ipaddrListFlush(ctx: IpContext, argv: string[], action: "list" | "flush", doLink: boolean): number {
  const f: ListFilter = { ifindex: 0, up: false, scope: 0, scopemask: 0, flags: 0, flagmask: 0, group: -1, family: ctx.family };
  let filterDev: string | undefined;
  if (action === "flush") {
    if (argv.length <= 0) { ctx.eprint("Flush requires arguments.\n"); return -1; }
    if (f.family === AF_PACKET) { ctx.eprint("Cannot flush link addresses.\n"); return -1; }
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
    const ff = IFA_FLAG_FILTERS.find(([n]) => n === a);
    if (a === "to") {
      const v = next();
      const p = getPrefix(ctx, v, f.family);
      if (f.family === AF_UNSPEC) f.family = p.family;
      f.pfx = p;
    } else if (a === "scope") {
      const v = next();
      f.scopemask = -1;
      const s = scopeA2n(v);
      if (s === null) {
        if (v !== "all") ctx.invarg("invalid \"scope\"\n", v);
        f.scope = RT_SCOPE_NOWHERE_; f.scopemask = 0;
      } else f.scope = s;
    } else if (a === "up") f.up = true;
    else if (ff) {
      f.flagmask |= ff[1];
      if (ff[2]) f.flags |= ff[1]; else f.flags &= ~ff[1];
    } else if (a === "label") f.label = next();
    else if (a === "group") {
      const v = next();
      const g = v === "default" ? 0 : getUnsigned(v);
      if (g === null) ctx.invarg('Invalid "group" value\n', v);
      f.group = g;
    } else if (a === "type") f.kind = next();
    else if (a === "master" || a === "vrf" || a === "nomaster" || a === "proto") {
      if (a !== "nomaster") next();
    } else {
      let v = a;
      if (a === "dev") v = next();
      else if (matches(a, "help")) ctx.fail255(doLink ? LINK_USAGE : ADDR_USAGE);
      if (filterDev !== undefined) ctx.duparg2("dev", v);
      filterDev = v;
    }
  }
  if (filterDev !== undefined) {
    f.ifindex = ctx.nameToIndex(filterDev);
    if (f.ifindex <= 0) { ctx.eprint(`Device "${filterDev}" does not exist.\n`); return -1; }
  }
  if (action === "flush") return ipaddrFlush(ctx, f);

  let links: LinkInfo[];
  if (filterDev !== undefined && f.group === -1 && doLink) {
    // iplink_get: one RTM_GETLINK
    const l = ctx.linkGet(f.ifindex);
    if (!l) { ctx.eprint("RTNETLINK answers: No such device\n"); return -2; }
    links = [l];
  } else if (f.ifindex) {
    const l = ctx.linkGet(f.ifindex);
    links = l ? [l] : [];
  } else {
    const seq = ctx.nl.nextSeq();
    const b = new NlBuilder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
    b.raw(ifinfomsg({ family: f.family }));
    b.u32(IFLA_EXT_MASK, RTEXT_FILTER_VF);
    if (f.kind) b.nest(IFLA_LINKINFO).strNoNul(IFLA_INFO_KIND, f.kind).end();
    const r = ctx.dump(b.finish());
    if (!r) { ctx.eprint("Dump terminated\n"); throw new Exit(1); }
    links = r.filter((m) => m.type === RTM_NEWLINK).map(decodeLink);
  }
  for (const l of links) ctx.remember(l);

  let addrs: AddrInfo[] = [];
  // -o, and a label filter, list addresses without their link headers.
  const noLink = f.family !== AF_PACKET && (ctx.oneline > 0 || f.label !== undefined);
  if (f.family !== AF_PACKET) {
    const seq = ctx.nl.nextSeq();
    const b = new NlBuilder(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
    b.raw(ifaddrmsg({ family: f.family, index: f.ifindex }));
    const r = ctx.dump(b.finish());
    if (!r) { ctx.eprint("Dump terminated\n"); throw new Exit(1); }
    addrs = r.filter((m) => m.type === RTM_NEWADDR).map(decodeAddr);
    links = links.filter((l) => addrFilterKeepsLink(l, addrs, f, ctx));
  }
  for (const l of links) {
    let res = 0;
    if (ctx.brief || !noLink) res = printLinkinfo(ctx, l, f, doLink);
    if (res >= 0 && f.family !== AF_PACKET) printSelectedAddrinfo(ctx, l, addrs, f);
    if (res > 0 && !doLink && ctx.stats) { printLinkStats(ctx, l); ctx.nl_(); }
  }
  return 0;
}

const RT_SCOPE_NOWHERE_ = 255;

/** ipaddr_filter: keep a link with a matching address (or, without a family, one with none at all). */
function addrFilterKeepsLink(l: LinkInfo, addrs: AddrInfo[], f: ListFilter, ctx: IpContext): boolean {
  let missing = true;
  for (const a of addrs) {
    if (a.ifindex !== l.ifindex) continue;
    missing = false;
    if (addrMatches(a, f, ctx)) return true;
  }
  return missing && (f.family === AF_UNSPEC || f.family === AF_PACKET);
}

function addrMatches(a: AddrInfo, f: ListFilter, ctx: IpContext): boolean {
  if (f.family && f.family !== a.family) return false;
  if ((f.scope ^ a.scope) & f.scopemask) return false;
  if ((f.flags ^ a.flags) & f.flagmask) return false;
  if (f.label !== undefined) {
    const label = a.label ?? ctx.indexToName(a.ifindex);
    if (!fnmatch(f.label, label)) return false;
  }
  if (f.pfx) {
    const local = a.local ?? a.address;
    if (local !== undefined && !prefixMatch(local, f.pfx)) return false;
  }
  return true;
}

function prefixMatch(addr: string, p: { addr: Uint8Array; bitlen: number }): boolean {
  const b = getAddrIpv4(addr);
  if (!b) return false;
  for (let i = 0; i < p.bitlen; i++) {
    const m = 0x80 >> (i & 7);
    if ((b[i >> 3] & m) !== (p.addr[i >> 3] & m)) return false;
  }
  return true;
}

/** fnmatch(3) without flags: * ? and [..]. */
function fnmatch(pat: string, s: string): boolean {
  let re = "^";
  for (let i = 0; i < pat.length; i++) {
    const c = pat[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const j = pat.indexOf("]", i + 2);
      if (j < 0) { re += "\\["; continue; }
      let body = pat.slice(i + 1, j);
      if (body[0] === "!") body = "^" + body.slice(1);
      re += `[${body.replace(/\\/g, "\\\\")}]`;
      i = j;
    } else re += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(re + "$").test(s);
}

function llTypeN2a(t: number): string {
  if (t === ARPHRD_ETHER) return "ether";
  if (t === ARPHRD_LOOPBACK) return "loopback";
  if (t === ARPHRD_NONE) return "none";
  return `[${t}]`;
}

/** print_link_flags. */
function linkFlags(flags: number, mdown: boolean): string {
  const names: [string, number][] = [["LOOPBACK", 0x8], ["BROADCAST", 0x2], ["POINTOPOINT", 0x10], ["MULTICAST", 0x1000],
    ["NOARP", 0x80], ["ALLMULTI", 0x200], ["PROMISC", 0x100], ["MASTER", 0x400], ["SLAVE", 0x800], ["DEBUG", 0x4],
    ["DYNAMIC", 0x8000], ["AUTOMEDIA", 0x4000], ["PORTSEL", 0x2000], ["NOTRAILERS", 0x20], ["UP", 0x1],
    ["LOWER_UP", 0x10000], ["DORMANT", 0x20000], ["ECHO", 0x40000]];
  let s = "<";
  let f = flags >>> 0;
  if (f & IFF_UP && !(f & IFF_RUNNING)) s += f ? "NO-CARRIER," : "NO-CARRIER";
  f &= ~IFF_RUNNING;
  for (const [n, bit] of names) {
    if (f & bit) {
      f &= ~bit;
      s += f ? `${n},` : n;
    }
  }
  if (f) s += (f >>> 0).toString(16);
  if (mdown) s += ",M-DOWN";
  return s + "> ";
}

/** print_name_and_link: "name@peer" and whether the peer is down (M-DOWN). */
function nameAndLink(ctx: IpContext, l: LinkInfo): { name: string; mdown: boolean } {
  const la = l.attrs.get(IFLA_LINK);
  if (!la) return { name: l.ifname, mdown: false };
  const iflink = attrU32(la);
  if (iflink === 0) return { name: `${l.ifname}@NONE`, mdown: false };
  const peer = ctx.indexToName(iflink);
  return { name: `${l.ifname}@${peer}`, mdown: !(ctx.indexToFlags(iflink) & IFF_UP) };
}

/** print_linkinfo: returns 1 when printed, 0 or -1 when filtered out. */
function printLinkinfo(ctx: IpContext, l: LinkInfo, f: ListFilter, doLink: boolean): number {
  if (l.msgType !== RTM_NEWLINK && l.msgType !== RTM_DELLINK) return 0;
  if (f.ifindex && l.ifindex !== f.ifindex) return -1;
  if (f.up && !(l.flags & IFF_UP)) return -1;
  if (f.group !== -1 && l.group !== undefined && l.group !== f.group) return -1;
  if (f.kind && (l.kind ?? "") !== f.kind) return -1;
  const { name, mdown } = nameAndLink(ctx, l);
  if (ctx.brief) {
    ctx.print(`${name.padEnd(16)} `);
    if (l.operstate !== undefined) ctx.print(operstate(l.operstate, true));
    if (f.family === AF_PACKET) {
      if (l.address !== undefined) ctx.print(`${l.address} `);
      ctx.print(linkFlags(l.flags, mdown));
      ctx.print("\n");
    }
    return 1;
  }
  if (l.msgType === RTM_DELLINK) ctx.print("Deleted ");
  ctx.print(`${l.ifindex}: ${name}: `);
  ctx.print(linkFlags(l.flags, mdown));
  if (l.mtu !== undefined) ctx.print(`mtu ${l.mtu} `);
  if (l.qdisc !== undefined) ctx.print(`qdisc ${l.qdisc} `);
  const ma = l.attrs.get(IFLA_MASTER);
  if (ma) ctx.print(`master ${ctx.indexToName(attrU32(ma))} `);
  if (l.operstate !== undefined) ctx.print(operstate(l.operstate, false));
  if (doLink && l.linkmode !== undefined) ctx.print(l.linkmode < 2 ? `mode ${["DEFAULT", "DORMANT"][l.linkmode]} ` : `mode ${l.linkmode} `);
  if (l.group !== undefined) ctx.print(`group ${l.group === 0 ? "default" : l.group} `);
  if (l.txqlen) ctx.print(`qlen ${l.txqlen}`);
  if (!f.family || f.family === AF_PACKET || ctx.details) {
    ctx.nl_();
    ctx.print(`    link/${llTypeN2a(l.type)} `);
    if (l.address !== undefined) ctx.print(l.address);
    if (l.broadcast !== undefined) ctx.print(`${l.flags & IFF_POINTOPOINT ? " peer " : " brd "}${l.broadcast}`);
  }
  const pd = l.attrs.get(IFLA_PROTO_DOWN);
  if (pd && pd.data[0]) ctx.print(" protodown on ");
  if (ctx.details) {
    if (l.promiscuity !== undefined) ctx.print(` promiscuity ${l.promiscuity} `);
    if (l.allmulti !== undefined) ctx.print(` allmulti ${l.allmulti} `);
    if (l.minMtu !== undefined) ctx.print(`minmtu ${l.minMtu} `);
    if (l.maxMtu !== undefined) ctx.print(`maxmtu ${l.maxMtu} `);
    const li = l.attrs.get(IFLA_LINKINFO);
    if (li) {
      const k = parseNested(li).get(IFLA_INFO_KIND);
      if (k) { ctx.nl_(); ctx.print(`    ${attrStr(k)} `); }
    }
    if (doLink && l.addrGenMode !== undefined) {
      const m = ["eui64", "none", "stable_secret", "random"][l.addrGenMode] ?? `0x${l.addrGenMode.toString(16).padStart(2, "0")}`;
      ctx.print(`addrgenmode ${m} `);
    }
    if (l.numTxQueues !== undefined) ctx.print(`numtxqueues ${l.numTxQueues} `);
    if (l.numRxQueues !== undefined) ctx.print(`numrxqueues ${l.numRxQueues} `);
    if (l.gsoMaxSize !== undefined) ctx.print(`gso_max_size ${l.gsoMaxSize} `);
    if (l.gsoMaxSegs !== undefined) ctx.print(`gso_max_segs ${l.gsoMaxSegs} `);
    if (l.tsoMaxSize !== undefined) ctx.print(`tso_max_size ${l.tsoMaxSize} `);
    if (l.tsoMaxSegs !== undefined) ctx.print(`tso_max_segs ${l.tsoMaxSegs} `);
    if (l.groMaxSize !== undefined) ctx.print(`gro_max_size ${l.groMaxSize} `);
  }
  const al = l.attrs.get(IFLA_IFALIAS);
  if ((doLink || ctx.details) && al) { ctx.nl_(); ctx.print(`    alias ${attrStr(al)}`); }
  if (doLink && ctx.stats) { ctx.nl_(); printStats64(ctx, l); }
  ctx.print("\n");
  return 1;
}

function operstate(s: number, brief: boolean): string {
  if (s >= OPER_STATES.length) return brief ? "" : `state ${"0x" + s.toString(16)} `;
  return brief ? `${OPER_STATES[s].padEnd(14)} ` : `state ${OPER_STATES[s]} `;
}

/** print_num: right-aligned in `width`, or human readable with -h. */
function printNum(ctx: IpContext, width: number, count: bigint): string {
  const base = ctx.iec ? 1024n : 1000n;
  if (!ctx.human || count < base) return `${count.toString().padStart(width)} `;
  const prefixes = "kMGTPE";
  let p = 0;
  let powi = 1n;
  for (;;) {
    powi *= base;
    if (count / base < powi) break;
    if (p + 1 >= prefixes.length) break;
    p++;
  }
  let precision = 2;
  let powj = 1n;
  for (; precision > 0; precision--) {
    powj *= 10n;
    if (count / powi < powj) break;
  }
  const v = (Number(count) / Number(powi)).toFixed(precision);
  return `${(v + prefixes[p] + (ctx.iec ? "i" : "")).padStart(width)} `;
}

/** size_columns: widen a column to fit a number (its loop undercounts exact powers of ten, as iproute2's). */
function sizeColumns(ctx: IpContext, cols: number[], vals: bigint[]): void {
  if (ctx.human) return;
  vals.forEach((v, i) => {
    let len = 1;
    for (let powi = 10n; powi < v; powi *= 10n) len++;
    if (len > cols[i]) cols[i] = len;
  });
}

/** __print_link_stats: the -s block (and -s -s error rows). */
function printStats64(ctx: IpContext, l: LinkInfo): void {
  const s = l.stats64;
  if (!s) return;
  const cc = l.carrierChanges !== undefined ? BigInt(l.carrierChanges) : undefined;
  const cols = [10, 7, 6, 7, 7, 7, 10];
  const SL = ctx.SL;
  sizeColumns(ctx, cols, [s.rx_bytes, s.rx_packets, s.rx_errors, s.rx_dropped, s.rx_missed_errors, s.multicast, s.rx_compressed]);
  if (ctx.stats > 1) sizeColumns(ctx, cols, [0n, s.rx_length_errors, s.rx_crc_errors, s.rx_frame_errors, s.rx_fifo_errors, s.rx_over_errors, s.rx_nohandler]);
  sizeColumns(ctx, cols, [s.tx_bytes, s.tx_packets, s.tx_errors, s.tx_dropped, s.tx_carrier_errors, s.collisions, s.tx_compressed]);
  if (ctx.stats > 1) sizeColumns(ctx, cols, [0n, 0n, s.tx_aborted_errors, s.tx_fifo_errors, s.tx_window_errors, s.tx_heartbeat_errors, cc ?? 0n]);
  const h = (w: number, t: string) => t.padStart(Math.max(w, 0));
  const n = (w: number, v: bigint) => printNum(ctx, w, v);
  let o = `    RX: ${h(cols[0] - 4, "bytes")} ${h(cols[1], "packets")} ${h(cols[2], "errors")} ${h(cols[3], "dropped")} ${h(cols[4], "missed")} ${h(cols[5], "mcast")} ${h(cols[6], s.rx_compressed ? "compressed" : "")}${SL}`;
  o += "    " + n(cols[0], s.rx_bytes) + n(cols[1], s.rx_packets) + n(cols[2], s.rx_errors) + n(cols[3], s.rx_dropped) +
    n(cols[4], s.rx_missed_errors) + n(cols[5], s.multicast) + (s.rx_compressed ? n(cols[6], s.rx_compressed) : "");
  if (ctx.stats > 1) {
    o += SL;
    o += `    RX errors:${h(cols[0] - 10, "")} ${h(cols[1], "length")} ${h(cols[2], "crc")} ${h(cols[3], "frame")} ${h(cols[4], "fifo")} ${h(cols[5], "overrun")}${s.rx_nohandler ? " " + h(cols[6], "nohandler") : ""}${SL}`;
    o += " ".repeat(cols[0] + 5) + n(cols[1], s.rx_length_errors) + n(cols[2], s.rx_crc_errors) + n(cols[3], s.rx_frame_errors) +
      n(cols[4], s.rx_fifo_errors) + n(cols[5], s.rx_over_errors) + (s.rx_nohandler ? n(cols[6], s.rx_nohandler) : "");
  }
  o += SL;
  o += `    TX: ${h(cols[0] - 4, "bytes")} ${h(cols[1], "packets")} ${h(cols[2], "errors")} ${h(cols[3], "dropped")} ${h(cols[4], "carrier")} ${h(cols[5], "collsns")} ${h(cols[6], s.tx_compressed ? "compressed" : "")}${SL}`;
  o += "    " + n(cols[0], s.tx_bytes) + n(cols[1], s.tx_packets) + n(cols[2], s.tx_errors) + n(cols[3], s.tx_dropped) +
    n(cols[4], s.tx_carrier_errors) + n(cols[5], s.collisions) + (s.tx_compressed ? n(cols[6], s.tx_compressed) : "");
  if (ctx.stats > 1) {
    o += SL;
    o += `    TX errors:${h(cols[0] - 10, "")} ${h(cols[1], "aborted")} ${h(cols[2], "fifo")} ${h(cols[3], "window")} ${h(cols[4], "heartbt")}${cc !== undefined ? " " + h(cols[5], "transns") : ""}${SL}`;
    o += " ".repeat(cols[0] + 5) + n(cols[1], s.tx_aborted_errors) + n(cols[2], s.tx_fifo_errors) + n(cols[3], s.tx_window_errors) +
      n(cols[4], s.tx_heartbeat_errors) + (cc !== undefined ? n(cols[5], cc) : "");
  }
  ctx.print(o);
}

function printLinkStats(ctx: IpContext, l: LinkInfo): void { printStats64(ctx, l); }

const SCOPES: Record<number, string> = { 0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere" };
function scopeN2a(s: number): string { return SCOPES[s] ?? String(s); }
function scopeA2n(s: string): number | null {
  for (const [k, v] of Object.entries(SCOPES)) if (v === s) return Number(k);
  const n = getUnsigned(s);
  return n === null || n > 255 ? null : n;
}

const IFA_FLAG_NAMES = ["secondary", "nodad", "optimistic", "dadfailed", "home", "deprecated", "tentative", "permanent",
  "mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy"];

function ifaFlags(a: AddrInfo): string {
  let s = "";
  let f = a.flags >>> 0;
  for (let i = 0; i < IFA_FLAG_NAMES.length; i++) {
    const mask = 1 << i;
    if (mask === IFA_F_PERMANENT) { if (!(f & mask)) s += "dynamic "; }
    else if (f & mask) s += mask === IFA_F_SECONDARY && a.family === AF_INET6 ? "temporary " : `${IFA_FLAG_NAMES[i]} `;
    f &= ~mask;
  }
  if (f) s += `flags ${f.toString(16).padStart(2, "0")} `;
  return s;
}

function familyName(f: number): string {
  return f === AF_INET ? "inet" : f === AF_INET6 ? "inet6" : f === AF_PACKET ? "link" : f === AF_MPLS ? "mpls" : f === AF_BRIDGE ? "bridge" : "?";
}

/** print_addrinfo (list mode). */
function printAddrinfo(ctx: IpContext, a: AddrInfo, f: ListFilter): void {
  if (!addrMatches(a, f, ctx)) return;
  if (a.msgType === RTM_DELADDR) ctx.print("Deleted ");
  if (!ctx.brief) {
    if (ctx.oneline) ctx.print(`${a.ifindex}: ${ctx.indexToName(a.ifindex)}`);
    const fam = familyName(a.family);
    ctx.print(fam !== "?" ? `    ${fam} ` : `    family ${a.family} `);
  }
  const local = a.local ?? a.address;
  const address = a.address ?? a.local;
  if (local !== undefined) {
    ctx.print(local);
    if (address !== undefined && address !== local) ctx.print(` peer ${address}`);
    ctx.print(`/${a.prefixlen} `);
    if (ctx.brief) return;
    if (a.broadcast !== undefined) ctx.print(`brd ${a.broadcast} `);
    if (a.anycast !== undefined) ctx.print(`any ${a.anycast} `);
    ctx.print(`scope ${scopeN2a(a.scope)} `);
    ctx.print(ifaFlags(a));
    if (a.label !== undefined) ctx.print(a.label);
    if (a.cacheinfo) {
      const ci = a.cacheinfo;
      ctx.nl_();
      ctx.print("       valid_lft ");
      ctx.print(ci.valid === INFINITY_LIFE_TIME ? "forever" : `${ci.valid}sec`);
      ctx.print(" preferred_lft ");
      ctx.print(ci.preferred === INFINITY_LIFE_TIME ? "forever" : (a.flags & IFA_F_DEPRECATED) ? `${ci.preferred | 0}sec` : `${ci.preferred}sec`);
    }
  } else if (ctx.brief) return;
  ctx.print("\n");
}

function printSelectedAddrinfo(ctx: IpContext, l: LinkInfo, addrs: AddrInfo[], f: ListFilter): void {
  for (const a of addrs) {
    if (a.msgType !== RTM_NEWADDR) continue;
    if (a.ifindex !== l.ifindex || (f.family && f.family !== a.family)) continue;
    if (f.up && !(l.flags & IFF_UP)) continue;
    printAddrinfo(ctx, a, f);
  }
  if (ctx.brief) ctx.print("\n");
}

/** ipaddr_flush: dump, delete every match in one batch, repeat until nothing is left (at most 10 rounds). */
function ipaddrFlush(ctx: IpContext, f: ListFilter): number {
  const maxRounds = 10;
  let round = 0;
  while (round < maxRounds) {
    const seq = ctx.nl.nextSeq();
    const b = new NlBuilder(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq, 0);
    b.raw(ifaddrmsg({ family: f.family, index: f.ifindex }));
    const r = ctx.dump(b.finish());
    if (!r) { ctx.eprint("Flush terminated\n"); throw new Exit(1); }
    const victims = r.filter((m) => m.type === RTM_NEWADDR).filter((m) => {
      const a = decodeAddr(m);
      return (!f.ifindex || a.ifindex === f.ifindex) && addrMatches(a, f, ctx);
    });
    if (victims.length === 0) {
      if (ctx.stats) {
        if (round === 0) ctx.print("Nothing to flush.\n");
        else ctx.print(`*** Flush is complete after ${round} round${round > 1 ? "s" : ""} ***\n`);
      }
      return 0;
    }
    round++;
    const batch = victims.map((m) => {
      const c = m.bytes.slice();
      const dv = new DataView(c.buffer);
      dv.setUint16(4, RTM_DELADDR, true);
      dv.setUint16(6, NLM_F_REQUEST, true);
      dv.setUint32(8, ctx.nl.nextSeq(), true);
      return c;
    });
    let replies: NlMessage[];
    try { replies = ctx.nl.request(batch); } catch (e) {
      if (e instanceof NetlinkError) { ctx.eprint(`Failed to send flush request: ${strerror(e.errno)}\n`); return -1; }
      throw e;
    }
    // flush_update: EADDRNOTAVAIL (a secondary already gone with its primary) is expected.
    const bad = replies.find((m) => m.type === NLMSG_ERROR && m.error && -m.error !== EADDRNOTAVAIL);
    if (bad) { ctx.eprint(`Failed to send flush request: ${strerror(-(bad.error ?? 0))}\n`); return -1; }
    if (ctx.stats) ctx.print(`\n*** Round ${round}, deleting ${victims.length} addresses ***\n`);
    if (!(f.flags & IFA_F_SECONDARY) && (f.flagmask & IFA_F_SECONDARY)) {
      if (ctx.stats) ctx.print(`*** Flush is complete after ${round} round${round > 1 ? "s" : ""} ***\n`);
      return 0;
    }
  }
  ctx.eprint(`*** Flush remains incomplete after ${maxRounds} rounds. ***\n`);
  return 1;
}

// ---------------------------------------------------------------- addresses (ipaddr_modify)

/** get_addr_ipv4: 1 to 4 dot-separated parts, each strtoul(…, 0) ≤ 255. */
export function getAddrIpv4(s: string): Uint8Array | null {
  const out = new Uint8Array(4);
  let rest = s;
  for (let i = 0; i < 4; i++) {
    const m = /^\s*[+]?(0[xX][0-9a-fA-F]*|0[0-7]*|[1-9][0-9]*)/.exec(rest);
    if (!m) return null;
    const t = m[1];
    const n = /^0[xX]/.test(t) ? (t.length > 2 ? parseInt(t.slice(2), 16) : 0) : t.length > 1 && t[0] === "0" ? parseInt(t, 8) : parseInt(t, 10);
    if (n > 255) return null;
    out[i] = n;
    rest = rest.slice(m[0].length);
    if (rest === "") return out;
    if (i === 3 || rest[0] !== ".") return null;
    rest = rest.slice(1);
  }
  return out;
}

function parseIpv6(s: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return null;
  let head = s, tail = "";
  const dbl = s.indexOf("::");
  if (dbl >= 0) { head = s.slice(0, dbl); tail = s.slice(dbl + 2); if (tail.includes("::")) return null; }
  const words = (x: string): number[] | null => {
    if (x === "") return [];
    const out: number[] = [];
    const parts = x.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = /^\d+\.\d+\.\d+\.\d+$/.test(p) ? getAddrIpv4(p) : null;
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const h = words(head), t = words(tail);
  if (!h || !t) return null;
  if (dbl < 0 && h.length !== 8) return null;
  if (dbl >= 0 && h.length + t.length > 7) return null;
  const all = dbl >= 0 ? [...h, ...new Array(8 - h.length - t.length).fill(0), ...t] : h;
  const out = new Uint8Array(16);
  all.forEach((w, i) => { out[2 * i] = w >> 8; out[2 * i + 1] = w & 255; });
  return out;
}

export interface Prefix { family: number; addr: Uint8Array; bitlen: number; specified: boolean }

function familyVerbose(f: number): string {
  return f === AF_INET ? "inet" : f === AF_INET6 ? "inet6" : f === AF_UNSPEC ? "any valid" : familyName(f);
}

/** get_prefix: ADDR[/LEN|/MASK]; exits(1) with iproute2's message on error. */
export function getPrefix(ctx: IpContext, arg: string, family: number): Prefix {
  const slash = arg.indexOf("/");
  const a = slash >= 0 ? arg.slice(0, slash) : arg;
  let p: Prefix | null = null;
  if (["default", "all", "any"].includes(a) && (family === AF_INET || family === AF_INET6 || family === AF_UNSPEC) && slash < 0) {
    const fam = family === AF_INET6 ? AF_INET6 : AF_INET;
    p = { family: fam, addr: new Uint8Array(fam === AF_INET ? 4 : 16), bitlen: 0, specified: true };
  } else {
    const v6 = family !== AF_INET && a.includes(":") ? parseIpv6(a) : null;
    const v4 = !v6 && family !== AF_INET6 ? getAddrIpv4(a) : null;
    if (v6 || v4) {
      const fam = v6 ? AF_INET6 : AF_INET;
      const max = fam === AF_INET ? 32 : 128;
      p = { family: fam, addr: (v6 ?? v4)!, bitlen: max, specified: false };
      if (slash >= 0) {
        const m = arg.slice(slash + 1);
        let len = getUnsigned(m);
        if (len === null && fam === AF_INET) {
          const mask = getAddrIpv4(m);
          if (mask) {
            const v = ((mask[0] << 24) | (mask[1] << 16) | (mask[2] << 8) | mask[3]) >>> 0;
            const inv = (~v) >>> 0;
            if ((inv & (inv + 1)) === 0) { len = 0; for (let x = v; x & 0x80000000; x = (x << 1) >>> 0) len++; }
          }
        }
        if (len === null || len > max) p = null;
        else { p.bitlen = len; p.specified = true; }
      }
    }
  }
  if (!p) {
    ctx.eprint(`Error: ${familyVerbose(family)} prefix is expected rather than "${arg}".\n`);
    throw new Exit(1);
  }
  return p;
}

export function getAddr(ctx: IpContext, arg: string, family: number): { family: number; addr: Uint8Array } {
  const v6 = family !== AF_INET && arg.includes(":") ? parseIpv6(arg) : null;
  const v4 = !v6 && family !== AF_INET6 ? getAddrIpv4(arg) : null;
  if (!v6 && !v4) {
    ctx.eprint(`Error: ${familyVerbose(family)} address is expected rather than "${arg}".\n`);
    throw new Exit(1);
  }
  return { family: v6 ? AF_INET6 : AF_INET, addr: (v6 ?? v4)! };
}

function ipaddrModify(ctx: IpContext, cmd: number, flags: number, argv: string[]): number {
  const attrs = new NlBuilder(0, 0);
  let family = ctx.family;
  let prefixlen = 0, scope = 0, scoped = false, ifaFlagsV = 0;
  let d: string | undefined;
  let lcl: Prefix | undefined, peer: Prefix | undefined, lclArg = "";
  let brdLen = 0;
  let validLft: number | undefined, preferredLft: number | undefined;
  const enc = new TextEncoder();
  /** set_lifetime: "forever" or a u32 number of seconds. */
  const lifetime = (key: string, v: string): number => {
    const n = v === "forever" ? INFINITY_LIFE_TIME : getUnsigned(v);
    if (n === null) ctx.invarg(`${key} value`, v);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => { if (i + 1 >= argv.length) ctx.incomplete(); return argv[++i]; };
    if (a === "peer" || a === "remote") {
      const v = next();
      if (peer) ctx.duparg("peer", v);
      peer = getPrefix(ctx, v, family);
      if (family === AF_UNSPEC) family = peer.family;
      attrs.attr(IFA_ADDRESS, peer.addr);
      prefixlen = peer.bitlen;
    } else if (matches(a, "broadcast") || a === "brd") {
      const v = next();
      if (brdLen) ctx.duparg("broadcast", v);
      if (v === "+") brdLen = -1;
      else if (v === "-") brdLen = -2;
      else {
        const ad = getAddr(ctx, v, family);
        if (family === AF_UNSPEC) family = ad.family;
        attrs.attr(IFA_BROADCAST, ad.addr);
        brdLen = ad.addr.length;
      }
    } else if (a === "anycast") {
      const v = next();
      const ad = getAddr(ctx, v, family);
      if (family === AF_UNSPEC) family = ad.family;
      attrs.attr(IFA_ANYCAST, ad.addr);
    } else if (a === "scope") {
      const v = next();
      const s = scopeA2n(v);
      if (s === null) ctx.invarg("invalid scope value.", v);
      scope = s;
      scoped = true;
    } else if (a === "dev") {
      d = next();
    } else if (a === "label") {
      const l = next();
      const e = enc.encode(l);
      const z = new Uint8Array(e.length + 1);
      z.set(e);
      attrs.attr(IFA_LABEL, z);
    } else if (matches(a, "metric") || matches(a, "priority") || matches(a, "preference")) {
      const v = next();
      const m = getUnsigned(v);
      if (m === null) ctx.invarg("\"metric\" value is invalid\n", v);
      attrs.u32(IFA_RT_PRIORITY, m);
    } else if (matches(a, "valid_lft")) {
      if (validLft !== undefined) ctx.duparg("valid_lft", a);
      validLft = lifetime("valid_lft", next());
    } else if (matches(a, "preferred_lft")) {
      if (preferredLft !== undefined) ctx.duparg("preferred_lft", a);
      preferredLft = lifetime("preferred_lft", next());
    } else if (a === "home" || a === "nodad" || a === "mngtmpaddr") {
      if (family !== AF_INET6) { ctx.eprint(`${a} is allowed only for IPv6 addresses\n`); throw new Exit(255); }
      ifaFlagsV |= a === "home" ? IFA_F_HOMEADDRESS : a === "nodad" ? IFA_F_NODAD : IFA_F_MANAGETEMPADDR;
    } else if (a === "noprefixroute") ifaFlagsV |= IFA_F_NOPREFIXROUTE;
    else if (a === "autojoin") ifaFlagsV |= IFA_F_MCAUTOJOIN;
    else {
      let v = a;
      if (a === "local") v = next();
      if (matches(v, "help")) ctx.fail255(ADDR_USAGE);
      if (lcl) ctx.duparg2("local", v);
      lclArg = v;
      lcl = getPrefix(ctx, v, family);
      if (family === AF_UNSPEC) family = lcl.family;
      attrs.attr(IFA_LOCAL, lcl.addr);
    }
  }
  let hdrFlags = 0;
  if (ifaFlagsV <= 0xff) hdrFlags = ifaFlagsV; else attrs.u32(IFA_FLAGS, ifaFlagsV);
  if (validLft !== undefined || preferredLft !== undefined) {
    const valid = validLft ?? INFINITY_LIFE_TIME, preferred = preferredLft ?? INFINITY_LIFE_TIME;
    if (!valid) { ctx.eprint("valid_lft is zero\n"); return -1; }
    if (valid < preferred) { ctx.eprint("preferred_lft is greater than valid_lft\n"); return -1; }
    const ci = new Uint8Array(16);                  // struct ifa_cacheinfo { prefered, valid, cstamp, tstamp }
    const dv = new DataView(ci.buffer);
    dv.setUint32(0, preferred, true); dv.setUint32(4, valid, true);
    attrs.attr(IFA_CACHEINFO, ci);
  }
  if (d === undefined) { ctx.eprint('Not enough information: "dev" argument is required.\n'); return -1; }
  if (!peer && lcl) {
    if (cmd === RTM_DELADDR && lcl.family === AF_INET && !lcl.specified) {
      ctx.eprint("Warning: Executing wildcard deletion to stay compatible with old scripts.\n" +
        `         Explicitly specify the prefix length (${lclArg}/${lcl.addr.length * 8}) to avoid this warning.\n` +
        "         This special behaviour is likely to disappear in further releases,\n" +
        "         fix your scripts!\n");
    } else {
      peer = lcl;
      attrs.attr(IFA_ADDRESS, lcl.addr);
    }
  }
  if (prefixlen === 0) prefixlen = lcl?.bitlen ?? 0;
  if (brdLen < 0 && cmd !== RTM_DELADDR) {
    if (family !== AF_INET) { ctx.eprint("Broadcast can be set only for IPv4 addresses\n"); return -1; }
    const base = peer ?? { addr: new Uint8Array(4), bitlen: 0 };
    if (base.bitlen <= 30) {
      const v0 = ((base.addr[0] << 24) | (base.addr[1] << 16) | (base.addr[2] << 8) | base.addr[3]) >>> 0;
      const host = base.bitlen === 0 ? 0xffffffff : ((1 << (32 - base.bitlen)) - 1) >>> 0;
      const v = brdLen === -1 ? (v0 | host) >>> 0 : (v0 & ~host) >>> 0;
      attrs.attr(IFA_BROADCAST, Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255));
    }
  }
  if (!scoped && cmd !== RTM_DELADDR) scope = lcl && lcl.family === AF_INET && lcl.addr[0] === 127 ? RT_SCOPE_HOST_ : 0;
  const index = ctx.nameToIndex(d);
  if (!index) { ctx.eprint(`Cannot find device "${d}"\n`); return -1; }
  const seq = ctx.nl.nextSeq();
  const b = new NlBuilder(cmd, NLM_F_REQUEST | NLM_F_ACK | flags, seq, 0);
  b.raw(ifaddrmsg({ family, prefixlen, flags: hdrFlags, scope, index }));
  b.raw(attrsOf(attrs));
  return ctx.talk(b.finish()) ? 0 : -2;
}

const RT_SCOPE_HOST_ = 254;
