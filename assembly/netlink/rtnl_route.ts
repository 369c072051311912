// rtnetlink for IPv4 routes (net/ipv4/fib_frontend.c inet_rtm_newroute/delroute/inet_dump_fib,
// fib_semantics.c fib_dump_info/rtmsg_fib, route.c inet_rtm_getroute/rt_fill_info), as a current
// kernel answers: attribute order, errno and ext-ack text included.
//
//   struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }  12 bytes
import {
  NlWriter, NlCallback, nlmsgPut, nlmsgEnd, nlmsgCancel, nlaPutU32, nlaNestStart, nlaNestEnd,
  nlmsgParse, tbGet, nlaPayload, nlaData, nlaGetU8, nlaGetU16, nlaGetU32, nlSetErrMsg, nlSetBadAttr, nlStrict,
  nlCurPortid, nlmsgLen, nlmsgFlags, nlmsgSeq, nlmsgData, nlWriterTail, nlReserve, NLMSG_HDRLEN,
  NLM_F_MULTI, NLM_F_DUMP_FILTERED, NL_SOCK_STRICT_CHK, NL_VALIDATE_LIBERAL, NL_VALIDATE_STRICT,
  NLA_U8, NLA_U16, NLA_U32, NLA_NESTED, NLA_UNSPEC, EINVAL, ENODEV, EMSGSIZE, ENOBUFS,
} from "./nlmsg";
import { rtnlRegister, rtnlReplyWriter, rtnlNotifyWriter, rtnlNotifyAbort, AF_INET } from "./rtnetlink";
import { devGet } from "../core/netdev";
import { jiffies } from "../core/dev";
import {
  fibCfg, fibConfigReset, fibGetTable, fibNewTable, fibTableInsert, fibTableDelete, fibErrMsg, fibTableAt,
  fibSetCustomLocalRoutes,
  Flowi4, FibResult, fiNh, fiNhs, NH_GW, NH_OIF, NH_FLAGS, NH_WEIGHT, FI_PROTOCOL, FI_SCOPE, FI_FLAGS,
  FI_PREFSRC, FI_PRIORITY, FI_METRICS, FA_NEXT, FA_INFO, FA_TOS, FA_TYPE, TB_ID, TB_TRIE, FIB_TABLE_HASHSZ,
  RTAX_MAX, RTAX_FEATURES, RTAX_LOCK, RTAX_MTU, RTN_MAX, RTN_LOCAL, RT_TABLE_MAIN, RT_TABLE_COMPAT, RTNH_F_DEAD, RTNH_F_LINKDOWN, RTNH_F_ONLINK, RTNH_F_OFFLOAD, RTNH_F_TRAP, ESRCH, ENOENT,
  fibAlias,
} from "../route/fib";
import { trieGet, trieWalk } from "../route/fib_trie";
import { Rtable, ipRouteOutputFlow, ipRouteInputFlow, RTCF_NOTIFY, RTCF_REDIRECTED } from "../route/route";
import { fnheDumpEach, fnheDaddr, fnheGw, fnhePmtu, fnheLocked, fnheExpires, fnheLastuse, nhLinkdownIgnored } from "../route/nexthop";

export const RTM_NEWROUTE: u16 = 24;
export const RTM_DELROUTE: u16 = 25;
export const RTM_GETROUTE: u16 = 26;
const RTMSG_LEN: u32 = 12;
const RTNLGRP_IPV4_ROUTE: u32 = 7;

export const RTA_DST: u16 = 1;
export const RTA_SRC: u16 = 2;
export const RTA_IIF: u16 = 3;
export const RTA_OIF: u16 = 4;
export const RTA_GATEWAY: u16 = 5;
export const RTA_PRIORITY: u16 = 6;
export const RTA_PREFSRC: u16 = 7;
export const RTA_METRICS: u16 = 8;
export const RTA_MULTIPATH: u16 = 9;
export const RTA_FLOW: u16 = 11;
export const RTA_CACHEINFO: u16 = 12;
export const RTA_TABLE: u16 = 15;
export const RTA_MARK: u16 = 16;
export const RTA_VIA: u16 = 18;
export const RTA_ENCAP_TYPE: u16 = 21;
export const RTA_ENCAP: u16 = 22;
export const RTA_UID: u16 = 25;
export const RTA_IP_PROTO: u16 = 27;
export const RTA_SPORT: u16 = 28;
export const RTA_DPORT: u16 = 29;
export const RTA_NH_ID: u16 = 30;
const RTA_MAX: u32 = 31;

export const RTM_F_NOTIFY: u32 = 0x100;
export const RTM_F_CLONED: u32 = 0x200;
export const RTM_F_PREFIX: u32 = 0x800;
export const RTM_F_LOOKUP_TABLE: u32 = 0x1000;
export const RTM_F_FIB_MATCH: u32 = 0x2000;

// rtm_ipv4_policy
const RTA_POLICY: usize = memory.data<u16>([
  0, 0,               // 0
  NLA_U32, 0,         // 1 DST
  NLA_U32, 0,         // 2 SRC
  NLA_U32, 0,         // 3 IIF
  NLA_U32, 0,         // 4 OIF
  NLA_U32, 0,         // 5 GATEWAY
  NLA_U32, 0,         // 6 PRIORITY
  NLA_U32, 0,         // 7 PREFSRC
  NLA_NESTED, 0,      // 8 METRICS
  NLA_UNSPEC, 8,      // 9 MULTIPATH (at least one rtnexthop)
  0, 0,               // 10
  NLA_U32, 0,         // 11 FLOW
  0, 0, 0, 0, 0, 0,   // 12..14
  NLA_U32, 0,         // 15 TABLE
  NLA_U32, 0,         // 16 MARK
  0, 0, 0, 0, 0, 0, 0, 0,   // 17..20
  NLA_U16, 0,         // 21 ENCAP_TYPE
  NLA_NESTED, 0,      // 22 ENCAP
  0, 0, 0, 0,         // 23, 24
  NLA_U32, 0,         // 25 UID
  0, 0,               // 26
  NLA_U8, 0,          // 27 IP_PROTO
  NLA_U16, 0,         // 28 SPORT
  NLA_U16, 0,         // 29 DPORT
  NLA_U32, 0,         // 30 NH_ID
  0, 0,               // 31
]);

let tb: usize = 0;

/** Register the IPv4 route handlers with the dispatcher. */
export function rtnlRouteInit(): void {
  if (tb == 0) tb = heap.alloc(<usize>(RTA_MAX + 1) << 2);
  rtnlRegister(AF_INET, RTM_NEWROUTE, changetype<usize>(inetRtmNewroute), 0);
  rtnlRegister(AF_INET, RTM_DELROUTE, changetype<usize>(inetRtmDelroute), 0);
  rtnlRegister(AF_INET, RTM_GETROUTE, changetype<usize>(inetRtmGetroute), changetype<usize>(inetDumpFib));
}

// ---- filling (fib_dump_info) ----

/**
 * Flags a nexthop reports (fib_nexthop_info): dead, linkdown (dead too where ignore_routes_with_linkdown
 * makes lookups pass it over), onlink, offload, trap.
 */
function nhReportFlags(nh: u32): u32 {
  const f = load<u32>(nh, NH_FLAGS);
  let out = f & (RTNH_F_DEAD | RTNH_F_LINKDOWN | RTNH_F_ONLINK | RTNH_F_OFFLOAD | RTNH_F_TRAP);
  if (nhLinkdownIgnored(nh)) out |= RTNH_F_DEAD;
  return out;
}

/** rtnetlink_put_metrics: RTA_METRICS with every non-zero metric (nothing when none is set). */
function putMetrics(w: NlWriter, m: u32): bool {
  if (m == 0) return true;
  const mark = w.len;
  const mx = nlaNestStart(w, RTA_METRICS);
  if (mx == 0) return false;
  let valid = 0;
  for (let i: u32 = 0; i < RTAX_MAX; i++) {
    const v = load<u32>(m + (i << 2));
    if (v == 0) continue;
    if (i == RTAX_FEATURES - 1 && (v & 1) == 0) continue;
    if (!nlaPutU32(w, <u16>(i + 1), v)) return false;
    valid++;
  }
  if (valid == 0) { w.len = mark; return true; }
  nlaNestEnd(w, mx);
  return true;
}

/** fib_dump_info for one alias: RTM_NEWROUTE/DELROUTE. 0 or -EMSGSIZE (nothing left behind). */
export function fibDumpInfo(w: NlWriter, pid: u32, seq: u32, event: u16, tbId: u32, key: u32, plen: u32,
                            tos: u8, type: u8, fi: u32, flags: u16): i32 {
  const h = nlmsgPut(w, pid, seq, event, RTMSG_LEN, flags);
  if (h == 0) return -EMSGSIZE;
  const r = h + NLMSG_HDRLEN;
  store<u8>(r, <u8>AF_INET);
  store<u8>(r, <u8>plen, 1);
  store<u8>(r, tos, 3);
  store<u8>(r, tbId < 256 ? <u8>tbId : <u8>RT_TABLE_COMPAT, 4);
  store<u8>(r, load<u8>(fi, FI_PROTOCOL), 5);
  store<u8>(r, load<u8>(fi, FI_SCOPE), 6);
  store<u8>(r, type, 7);
  let rflags = load<u32>(fi, FI_FLAGS);
  let ok = nlaPutU32(w, RTA_TABLE, tbId)
    && (plen == 0 || nlaPutU32(w, RTA_DST, bswap<u32>(key)))
    && (load<u32>(fi, FI_PRIORITY) == 0 || nlaPutU32(w, RTA_PRIORITY, load<u32>(fi, FI_PRIORITY)))
    && putMetrics(w, load<u32>(fi, FI_METRICS))
    && (load<u32>(fi, FI_PREFSRC) == 0 || nlaPutU32(w, RTA_PREFSRC, load<u32>(fi, FI_PREFSRC)));
  const n = fiNhs(fi);
  if (ok && n == 1) {
    const nh = fiNh(fi, 0);
    rflags = nhReportFlags(nh);
    ok = (load<u32>(nh, NH_GW) == 0 || nlaPutU32(w, RTA_GATEWAY, load<u32>(nh, NH_GW)))
      && (load<u32>(nh, NH_OIF) == 0 || nlaPutU32(w, RTA_OIF, load<u32>(nh, NH_OIF)));
  } else if (ok) {
    const mp = nlaNestStart(w, RTA_MULTIPATH);
    ok = mp != 0;
    for (let i: u32 = 0; i < n && ok; i++) {
      const nh = fiNh(fi, i);
      const rtnh = nlReserve(w, 8);
      if (rtnh == 0) { ok = false; break; }
      store<u8>(rtnh, <u8>nhReportFlags(nh), 2);
      store<u8>(rtnh, <u8>(load<u16>(nh, NH_WEIGHT) - 1), 3);
      store<u32>(rtnh, load<u32>(nh, NH_OIF), 4);
      if (load<u32>(nh, NH_GW) != 0 && !nlaPutU32(w, RTA_GATEWAY, load<u32>(nh, NH_GW))) { ok = false; break; }
      store<u16>(rtnh, <u16>(nlWriterTail(w) - rtnh));
    }
    if (ok) nlaNestEnd(w, mp);
  }
  if (!ok) { nlmsgCancel(w, h); return -EMSGSIZE; }
  store<u32>(r, rflags, 8);
  nlmsgEnd(w, h);
  return 0;
}

/** rtmsg_fib: notify RTNLGRP_IPV4_ROUTE of an added, replaced or removed alias. */
export function rtmsgFib(event: u16, key: u32, fa: u32, plen: u32, tbId: u32, portid: u32, seq: u32, nlflags: u32): void {
  const w = rtnlNotifyWriter(RTNLGRP_IPV4_ROUTE);
  if (w === null) return;
  if (fibDumpInfo(w, portid, seq, event, tbId, key, plen, load<u8>(fa, FA_TOS), load<u8>(fa, FA_TYPE),
    load<u32>(fa, FA_INFO), <u16>nlflags) < 0) rtnlNotifyAbort();
}

// ---- RTM_NEWROUTE / RTM_DELROUTE (rtm_to_fib_config) ----

function rtmToFibConfig(nlh: usize): i32 {
  const err = nlmsgParse(nlh, RTMSG_LEN, tb, RTA_MAX, RTA_POLICY, NL_VALIDATE_LIBERAL);
  if (err < 0) return err;
  const m = nlmsgData(nlh);
  fibConfigReset(fibCfg);
  const tos = load<u8>(m, 3);
  if ((tos & 3) != 0) { nlSetErrMsg("Invalid dsfield (tos): ECN bits must be 0"); return -EINVAL; }
  fibCfg.tos = tos;
  fibCfg.dstLen = load<u8>(m, 1);
  fibCfg.table = <u32>load<u8>(m, 4);
  fibCfg.protocol = load<u8>(m, 5);
  fibCfg.scope = load<u8>(m, 6);
  fibCfg.type = load<u8>(m, 7);
  fibCfg.flags = load<u32>(m, 8);
  fibCfg.nlflags = nlmsgFlags(nlh);
  fibCfg.portid = nlCurPortid();
  fibCfg.seq = nlmsgSeq(nlh);
  if (fibCfg.type > RTN_MAX) { nlSetErrMsg("Invalid route type"); return -EINVAL; }
  let a = tbGet(tb, RTA_DST);
  if (a != 0) fibCfg.dst = nlaGetU32(a);
  a = tbGet(tb, RTA_OIF);
  if (a != 0) fibCfg.oif = nlaGetU32(a);
  a = tbGet(tb, RTA_GATEWAY);
  if (a != 0) { fibCfg.gw = nlaGetU32(a); fibCfg.hasGw = 1; }
  if (tbGet(tb, RTA_VIA) != 0) {
    nlSetBadAttr(tbGet(tb, RTA_VIA));
    nlSetErrMsg("IPv6 gateway (RTA_VIA) is not supported here");
    return -EINVAL;
  }
  a = tbGet(tb, RTA_PRIORITY);
  if (a != 0) fibCfg.priority = nlaGetU32(a);
  a = tbGet(tb, RTA_PREFSRC);
  if (a != 0) fibCfg.prefsrc = nlaGetU32(a);
  a = tbGet(tb, RTA_METRICS);
  if (a != 0) { fibCfg.mx = <u32>nlaData(a); fibCfg.mxLen = nlaPayload(a); }
  a = tbGet(tb, RTA_MULTIPATH);
  if (a != 0) { fibCfg.mp = <u32>nlaData(a); fibCfg.mpLen = nlaPayload(a); }
  a = tbGet(tb, RTA_TABLE);
  if (a != 0) fibCfg.table = nlaGetU32(a);
  if (tbGet(tb, RTA_NH_ID) != 0) {
    nlSetBadAttr(tbGet(tb, RTA_NH_ID));
    nlSetErrMsg("Nexthop id does not exist");
    return -EINVAL;
  }
  if (fibCfg.table == 0) fibCfg.table = RT_TABLE_MAIN;
  return 0;
}

function setErr(err: i32): i32 {
  const m = fibErrMsg();
  if (err < 0 && m.length > 0) nlSetErrMsg(m);
  return err;
}

/** inet_rtm_newroute: the table is created first (and stays even if the insert then fails). */
function inetRtmNewroute(nlh: usize): i32 {
  const err = rtmToFibConfig(nlh);
  if (err < 0) return err;
  const t = fibNewTable(fibCfg.table);
  if (t == 0) return -ENOBUFS;
  const r = fibTableInsert(t, fibCfg);
  if (r == 0 && fibCfg.type == RTN_LOCAL) fibSetCustomLocalRoutes();
  return setErr(r);
}

/** inet_rtm_delroute. */
function inetRtmDelroute(nlh: usize): i32 {
  const err = rtmToFibConfig(nlh);
  if (err < 0) return err;
  const t = fibGetTable(fibCfg.table);
  if (t == 0) { nlSetErrMsg("FIB table does not exist"); return -ESRCH; }
  return setErr(fibTableDelete(t, fibCfg));
}

// ---- dumps (inet_dump_fib, fib_table_dump) ----
// cb args: a0 bucket, a1 index in bucket, a2 resume point in the table (1 << 40 | key << 8 | plen, 0 =
// from the start), a3 aliases of that prefix already sent, a4 entries of the next alias already sent
// (its exceptions, fn_trie_dump_leaf's fa index).
let dW: NlWriter = changetype<NlWriter>(0);
let dC: NlCallback = changetype<NlCallback>(0);
let dTb: u32 = 0;
let dFull = false;
let dStart: u32 = 0;
let fType: u8 = 0;
let fProto: u8 = 0;
let fDev: u32 = 0;
let fSet = false;
let dRoutes = true;      // filter->dump_routes
let dExceptions = true;  // filter->dump_exceptions
let dNlFlags: u16 = 0;
// the alias whose exceptions are being dumped (fib_dump_info_fnhe)
let xType: u8 = 0;
let xNh: u32 = 0;
let xInfo: u32 = 0;
let xIdx: u32 = 0;
let xFrom: u32 = 0;
const xRt = changetype<Rtable>(memory.data(offsetof<Rtable>()));

/**
 * fnhe_dump_bucket → rt_fill_info for one exception: the route bound to it, as `ip route show cache`
 * lists it (a /32, the nexthop's or the learned gateway, the device, the PMTU while it lasts, expiry).
 */
function dumpException(e: u32): bool {
  if (xIdx++ < xFrom) return true;
  memory.fill(changetype<usize>(xRt), 0, offsetof<Rtable>());
  xRt.type = xType;
  xRt.oif = load<u32>(xNh, NH_OIF);
  xRt.info = xInfo;
  const gw = fnheGw(e) != 0 ? fnheGw(e) : load<u32>(xNh, NH_GW);
  if (gw != 0) { xRt.gateway = gw; xRt.usesGateway = 1; }
  if (fnheGw(e) != 0) xRt.flags = RTCF_REDIRECTED;
  xRt.pmtu = fnhePmtu(e);
  xRt.mtuLocked = fnheLocked(e) ? 1 : 0;
  xRt.expires = fnheExpires(e);
  // the bound route is held by the exception alone (clntref 1); its age runs from when it was bound
  return rtFillInfo(dW, fnheDaddr(e), 0, xRt, load<u32>(dTb, TB_ID), 0, null, false, dC.portid,
    dC.seq, dNlFlags, 1, jiffies() - fnheLastuse(e)) == 0;
}

/** Emit the aliases of one prefix from index `from` (the first one's entries from `fromEntry`). */
function dumpPrefix(key: u32, plen: i32, head: u32, from: u32, fromEntry: u32): bool {
  let i: u32 = 0;
  const id = load<u32>(dTb, TB_ID);
  for (let fa = head; fa != 0; fa = load<u32>(fa, FA_NEXT), i++) {
    if (i < from) continue;
    const skip = i == from ? fromEntry : 0;
    const fi = load<u32>(fa, FA_INFO);
    if (fSet) {
      if (fType != 0 && load<u8>(fa, FA_TYPE) != fType) continue;
      if (fProto != 0 && load<u8>(fi, FI_PROTOCOL) != fProto) continue;
      if (fDev != 0) {
        let uses = false;
        const n = fiNhs(fi);
        for (let k: u32 = 0; k < n; k++) if (load<u32>(fiNh(fi, k), NH_OIF) == fDev) uses = true;
        if (!uses) continue;
      }
    }
    let sent: u32 = 0;
    if (dRoutes) {
      if (skip == 0 && fibDumpInfo(dW, dC.portid, dC.seq, RTM_NEWROUTE, id, key, <u32>plen, load<u8>(fa, FA_TOS),
        load<u8>(fa, FA_TYPE), fi, dNlFlags) < 0) return dumpStop(key, plen, i, 0);
      sent = 1;
    }
    if (dExceptions) {
      xType = load<u8>(fa, FA_TYPE); xInfo = fi; xIdx = sent; xFrom = skip;
      const n = fiNhs(fi);
      for (let k: u32 = 0; k < n; k++) {
        xNh = fiNh(fi, k);
        if ((load<u32>(xNh, NH_FLAGS) & RTNH_F_DEAD) != 0) continue;
        if (!fnheDumpEach(xNh, dumpException)) return dumpStop(key, plen, i, xIdx - 1);
      }
    }
  }
  return true;
}

/** The chunk is full: resume at alias i of this prefix, after its first `entries` entries. */
function dumpStop(key: u32, plen: i32, i: u32, entries: u32): bool {
  dC.a2 = (<u64>1 << 40) | (<u64>key << 8) | <u64>plen;
  dC.a3 = i;
  dC.a4 = entries;
  dFull = true;
  return false;
}

function dumpWalk(key: u32, plen: i32, value: u32): bool { return dumpPrefix(key, plen, fibAlias(value), 0, 0); }

/** fib_table_dump: 1 when the chunk filled up (resume later), 0 when the table is done. */
function tableDump(t: u32): i32 {
  dTb = t;
  dFull = false;
  const trie = load<u32>(t, TB_TRIE);
  if (dC.a2 != 0) {
    const key = <u32>(dC.a2 >> 8);
    const plen = <i32>(dC.a2 & 0xFF);
    const head = fibAlias(trieGet(trie, key, plen));
    if (head != 0 && !dumpPrefix(key, plen, head, <u32>dC.a3, <u32>dC.a4)) return 1;
    dC.a2 = 0; dC.a3 = 0; dC.a4 = 0;
    trieWalk(trie, key, plen, dumpWalk);
  } else {
    trieWalk(trie, 0, -1, dumpWalk);
  }
  if (dFull) return 1;
  dC.a2 = 0; dC.a3 = 0; dC.a4 = 0;
  return 0;
}

/** ip_valid_fib_dump_req (strict) or the legacy header flags. */
function dumpFilter(c: NlCallback): i32 {
  const nlh = c.req;
  fSet = false; fType = 0; fProto = 0; fDev = 0;
  dRoutes = true; dExceptions = true;   // a legacy request cannot be filtered consistently: both
  let tableId: u32 = 0;
  let flags: u32 = 0;
  if ((c.sockFlags & NL_SOCK_STRICT_CHK) != 0) {
    if (nlmsgLen(nlh) < NLMSG_HDRLEN + RTMSG_LEN) { nlSetErrMsg("Invalid header for FIB dump request"); return -EINVAL; }
    const m = nlmsgData(nlh);
    if (load<u8>(m, 1) != 0 || load<u8>(m, 2) != 0 || load<u8>(m, 3) != 0 || load<u8>(m, 6) != 0) {
      nlSetErrMsg("Invalid values in header for FIB dump request");
      return -EINVAL;
    }
    flags = load<u32>(m, 8);
    if ((flags & ~(RTM_F_CLONED | RTM_F_PREFIX)) != 0) { nlSetErrMsg("Invalid flags for FIB dump request"); return -EINVAL; }
    // a strict request gets the exceptions (RTM_F_CLONED, `ip route show cache`) or the routes
    dRoutes = (flags & RTM_F_CLONED) == 0;
    dExceptions = !dRoutes;
    fProto = load<u8>(m, 5);
    fType = load<u8>(m, 7);
    tableId = <u32>load<u8>(m, 4);
    const err = nlmsgParse(nlh, RTMSG_LEN, tb, RTA_MAX, RTA_POLICY, NL_VALIDATE_STRICT);
    if (err < 0) return err;
    for (let i: u32 = 0; i <= RTA_MAX; i++) {
      const a = tbGet(tb, i);
      if (a == 0) continue;
      if (i == RTA_TABLE) tableId = nlaGetU32(a);
      else if (i == RTA_OIF) {
        fDev = nlaGetU32(a);
        if (devGet(fDev) === null) return -ENODEV;
      } else { nlSetBadAttr(a); nlSetErrMsg("Unsupported attribute in dump request"); return -EINVAL; }
    }
    if (flags != 0 || fProto != 0 || fType != 0 || tableId != 0 || fDev != 0) {
      fSet = true;
      c.answerFlags |= NLM_F_DUMP_FILTERED;
    }
  } else if (nlmsgLen(nlh) >= NLMSG_HDRLEN + RTMSG_LEN) {
    flags = load<u32>(nlmsgData(nlh), 8) & (RTM_F_PREFIX | RTM_F_CLONED);
  }
  dFlags = flags;
  dTableId = tableId;
  return 0;
}
let dFlags: u32 = 0;
let dTableId: u32 = 0;

/**
 * inet_dump_fib: every table in hash order, or one (RTA_TABLE): routes, and after each alias the
 * exceptions of its nexthops (fib_dump_info_fnhe, as often as the alias shares its info) — a strict
 * request gets one or the other. Every message of a filtered or one-sided dump has NLM_F_DUMP_FILTERED.
 */
function inetDumpFib(c: NlCallback, w: NlWriter): i32 {
  const err = dumpFilter(c);
  if (err < 0) return err;
  if ((dFlags & RTM_F_PREFIX) != 0) return 0;
  dNlFlags = NLM_F_MULTI | <u16>c.answerFlags;
  if (fSet || !dRoutes || !dExceptions) dNlFlags |= NLM_F_DUMP_FILTERED;
  dW = w; dC = c;
  const start = w.len;
  if (dTableId != 0) {
    const t = fibGetTable(dTableId);
    if (t == 0) {
      if (load<u8>(nlmsgData(c.req)) != <u8>AF_INET) return 0;
      nlSetErrMsg("ipv4: FIB table does not exist");
      return -ENOENT;
    }
    if (c.a0 != 0) return 0;
    if (tableDump(t) == 0) c.a0 = 1;
    const n = <i32>(w.len - start);
    return n != 0 ? n : (c.a0 != 0 ? 0 : -EMSGSIZE);
  }
  let h = <u32>c.a0;
  let e = <u32>c.a1;
  for (; h < FIB_TABLE_HASHSZ; h++, e = 0) {
    for (;; e++) {
      const t = fibTableAt(h, e);
      if (t == 0) break;
      if (tableDump(t) != 0) {
        c.a0 = h; c.a1 = e;
        const n = <i32>(w.len - start);
        return n != 0 ? n : -EMSGSIZE;
      }
    }
  }
  c.a0 = FIB_TABLE_HASHSZ; c.a1 = 0;
  return <i32>(w.len - start);
}

// ---- RTM_GETROUTE for one address (inet_rtm_getroute) ----

const gFl = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const gRes = changetype<FibResult>(memory.data(offsetof<FibResult>()));
const gRt = changetype<Rtable>(memory.data(offsetof<Rtable>()));

/** inet_rtm_valid_getroute_req. */
function validGetrouteReq(nlh: usize): i32 {
  if (nlmsgLen(nlh) < NLMSG_HDRLEN + RTMSG_LEN) { nlSetErrMsg("ipv4: Invalid header for route get request"); return -EINVAL; }
  if (!nlStrict()) return nlmsgParse(nlh, RTMSG_LEN, tb, RTA_MAX, RTA_POLICY, NL_VALIDATE_LIBERAL);
  const m = nlmsgData(nlh);
  const sl = load<u8>(m, 2), dl = load<u8>(m, 1);
  if ((sl != 0 && sl != 32) || (dl != 0 && dl != 32) || load<u8>(m, 4) != 0 || load<u8>(m, 5) != 0
    || load<u8>(m, 6) != 0 || load<u8>(m, 7) != 0) {
    nlSetErrMsg("ipv4: Invalid values in header for route get request");
    return -EINVAL;
  }
  if ((load<u32>(m, 8) & ~(RTM_F_NOTIFY | RTM_F_LOOKUP_TABLE | RTM_F_FIB_MATCH)) != 0) {
    nlSetErrMsg("ipv4: Unsupported rtm_flags for route get request");
    return -EINVAL;
  }
  const err = nlmsgParse(nlh, RTMSG_LEN, tb, RTA_MAX, RTA_POLICY, NL_VALIDATE_STRICT);
  if (err < 0) return err;
  if ((tbGet(tb, RTA_SRC) != 0 && sl == 0) || (tbGet(tb, RTA_DST) != 0 && dl == 0)) {
    nlSetErrMsg("ipv4: rtm_src_len and rtm_dst_len must be 32 for IPv4");
    return -EINVAL;
  }
  for (let i: u32 = 1; i <= RTA_MAX; i++) {
    const a = tbGet(tb, i);
    if (a == 0) continue;
    if (i == RTA_IIF || i == RTA_OIF || i == RTA_SRC || i == RTA_DST || i == RTA_IP_PROTO || i == RTA_SPORT
      || i == RTA_DPORT || i == RTA_MARK || i == RTA_UID) continue;
    nlSetBadAttr(a);
    nlSetErrMsg("ipv4: Unsupported attribute in route get request");
    return -EINVAL;
  }
  return 0;
}

/**
 * rt_fill_info: the route as `ip route get` shows it — table, destination, source, device, preferred
 * source (output routes), gateway, metrics (with a learned PMTU), mark, uid, iif, cache info. Without
 * a flow (fl null: an exception's route in a dump) there is no preferred source, mark, uid or iif.
 * clntref and lastuse (age, ms) go to the cache info.
 */
function rtFillInfo(w: NlWriter, dst: u32, src: u32, rt: Rtable, tableId: u32, tos: u8, fl: Flowi4 | null,
                    hasUid: bool, pid: u32, seq: u32, nlflags: u16, clntref: u32, lastuse: i64): i32 {
  const h = nlmsgPut(w, pid, seq, RTM_NEWROUTE, RTMSG_LEN, nlflags);
  if (h == 0) return -EMSGSIZE;
  const r = h + NLMSG_HDRLEN;
  store<u8>(r, <u8>AF_INET);
  store<u8>(r, 32, 1);
  store<u8>(r, src != 0 ? 32 : 0, 2);
  store<u8>(r, tos, 3);
  store<u8>(r, tableId < 256 ? <u8>tableId : <u8>RT_TABLE_COMPAT, 4);
  store<u8>(r, rt.type, 7);
  let flags = (rt.flags & ~<u32>0xFFFF) | RTM_F_CLONED;
  if ((rt.flags & RTCF_NOTIFY) != 0) flags |= RTM_F_NOTIFY;
  store<u32>(r, flags, 8);
  let expires: i64 = rt.expires;
  if (expires != 0) { expires -= jiffies(); if (expires < 0) expires = 0; }
  let ok = nlaPutU32(w, RTA_TABLE, tableId) && nlaPutU32(w, RTA_DST, dst)
    && (src == 0 || nlaPutU32(w, RTA_SRC, src))
    && (rt.oif == 0 || nlaPutU32(w, RTA_OIF, rt.oif))
    && (fl === null || rt.input != 0 || fl.saddr == src || nlaPutU32(w, RTA_PREFSRC, fl.saddr))
    && (rt.usesGateway == 0 || nlaPutU32(w, RTA_GATEWAY, rt.gateway));
  if (ok) {
    // metrics of the route, with a live learned PMTU in place of RTAX_MTU
    const m = rt.info != 0 ? load<u32>(rt.info, FI_METRICS) : 0;
    const mark = w.len;
    const mx = nlaNestStart(w, RTA_METRICS);
    let valid = 0;
    ok = mx != 0;
    for (let i: u32 = 0; i < RTAX_MAX && ok; i++) {
      let v = m != 0 ? load<u32>(m + (i << 2)) : 0;
      if (i == RTAX_MTU - 1 && rt.pmtu != 0 && expires != 0) v = rt.pmtu;
      if (i == RTAX_LOCK - 1 && rt.mtuLocked != 0 && expires != 0) v |= 1 << RTAX_MTU;
      if (v == 0) continue;
      if (i == RTAX_FEATURES - 1 && (v & 1) == 0) continue;
      ok = nlaPutU32(w, <u16>(i + 1), v);
      valid++;
    }
    if (ok) { if (valid == 0) w.len = mark; else nlaNestEnd(w, mx); }
  }
  if (fl !== null) {
    if (ok && fl.mark != 0) ok = nlaPutU32(w, RTA_MARK, fl.mark);
    if (ok && hasUid) ok = nlaPutU32(w, RTA_UID, fl.uid);
    if (ok && rt.input != 0) ok = nlaPutU32(w, RTA_IIF, fl.iif);
  }
  if (ok) {
    // struct rta_cacheinfo { clntref, lastuse, expires, error, used, id, ts, tsage }
    const a = nlaNestStart(w, RTA_CACHEINFO);
    ok = a != 0 && w.cap - w.len >= 32;
    if (ok) {
      const p = nlWriterTail(w);
      memory.fill(p, 0, 32);
      store<u32>(p, clntref);
      store<u32>(p, <u32>(lastuse / 10), 4);   // clock_t (USER_HZ 100)
      store<i32>(p, <i32>(expires / 10), 8);
      store<i32>(p, -rt.error, 12);
      w.len += 32;
      nlaNestEnd(w, a);
    }
  }
  if (!ok) { nlmsgCancel(w, h); return -EMSGSIZE; }
  nlmsgEnd(w, h);
  return 0;
}

/** inet_rtm_getroute: one lookup, answered with RTM_NEWROUTE (or the FIB entry with RTM_F_FIB_MATCH). */
function inetRtmGetroute(nlh: usize): i32 {
  let err = validGetrouteReq(nlh);
  if (err < 0) return err;
  const m = nlmsgData(nlh);
  let a = tbGet(tb, RTA_SRC);
  const src = a != 0 ? nlaGetU32(a) : 0;
  a = tbGet(tb, RTA_DST);
  const dst = a != 0 ? nlaGetU32(a) : 0;
  a = tbGet(tb, RTA_IIF);
  const iif = a != 0 ? nlaGetU32(a) : 0;
  a = tbGet(tb, RTA_MARK);
  const mark = a != 0 ? nlaGetU32(a) : 0;
  a = tbGet(tb, RTA_UID);
  const hasUid = a != 0 || iif == 0;
  memory.fill(changetype<usize>(gFl), 0, offsetof<Flowi4>());
  gFl.uid = a != 0 ? nlaGetU32(a) : 0;
  a = tbGet(tb, RTA_IP_PROTO);
  if (a != 0) gFl.proto = nlaGetU8(a);
  a = tbGet(tb, RTA_SPORT);
  if (a != 0) gFl.sport = bswap<u16>(nlaGetU16(a));
  a = tbGet(tb, RTA_DPORT);
  if (a != 0) gFl.dport = bswap<u16>(nlaGetU16(a));
  gFl.daddr = dst;
  gFl.saddr = src;
  gFl.tos = load<u8>(m, 3) & 0x1C;
  a = tbGet(tb, RTA_OIF);
  gFl.oif = a != 0 ? nlaGetU32(a) : 0;
  gFl.mark = mark;
  if (iif != 0) {
    const d = devGet(iif);
    if (d === null) return -ENODEV;
    gFl.iif = iif;
    // a refused input route (martian, reverse-path failure) is -EINVAL here, its error route's errno
    // otherwise (inet_rtm_getroute over ip_route_input_rcu's drop reason)
    err = ipRouteInputFlow(gFl, d, gRes, gRt) != 0 ? -EINVAL : -gRt.error;
    gFl.iif = iif;
  } else {
    err = ipRouteOutputFlow(gFl, gRes, gRt);
  }
  if (err != 0) return err;
  const rflags = load<u32>(m, 8);
  if ((rflags & RTM_F_NOTIFY) != 0) gRt.flags |= RTCF_NOTIFY;
  const tableId = gRes.table != 0 ? gRes.tableId : 0;
  const w = rtnlReplyWriter();
  if ((rflags & RTM_F_FIB_MATCH) != 0) {
    if (gRes.info == 0) { nlSetErrMsg("ipv4: No route found"); return -EHOSTUNREACH_; }
    // fib_dump_info of the alias that matched
    return fibDumpInfo(w, nlCurPortid(), nlmsgSeq(nlh), RTM_NEWROUTE, tableId, gRes.prefix, gRes.prefixlen,
      gRes.tos, gRes.type, gRes.info, 0) < 0 ? -EMSGSIZE : 0;
  }
  return rtFillInfo(w, dst, src, gRt, tableId, gRes.info != 0 ? gRes.tos : 0, gFl, hasUid, nlCurPortid(),
    nlmsgSeq(nlh), 0, gRt.input == 0 && gRt.type == RTN_LOCAL ? 1 : 2, 0) < 0 ? -EMSGSIZE : 0;
}
const EHOSTUNREACH_: i32 = 113;
