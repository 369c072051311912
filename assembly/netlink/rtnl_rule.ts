// rtnetlink for IPv4 policy rules (net/core/fib_rules.c fib_nl_newrule/delrule/dumprule,
// fib_nl_fill_rule; net/ipv4/fib_rules.c fib4_rule_configure/fill) as a current kernel answers.
//
//   struct fib_rule_hdr { u8 family, dst_len, src_len, tos, table, res1, res2, action; u32 flags; }  12 bytes
import {
  NlWriter, NlCallback, nlmsgPut, nlmsgEnd, nlmsgCancel, nlaPut, nlaPutU8, nlaPutU16, nlaPutU32, nlaPutCStr,
  nlmsgParse, tbGet, nlaPayload, nlaData, nlaGetU8, nlaGetU32, nlaStrLen, nlSetErrMsg, nlSetBadAttr, nlCurPortid,
  nlmsgLen, nlmsgFlags, nlmsgSeq, nlmsgData, NLMSG_HDRLEN, NLM_F_MULTI, NLM_F_EXCL, NL_SOCK_STRICT_CHK,
  NL_VALIDATE_LIBERAL, NLA_U8, NLA_U32, NLA_U64, NLA_STRING, NLA_UNSPEC, EINVAL, EMSGSIZE, EAFNOSUPPORT,
} from "./nlmsg";
import { rtnlRegister, rtnlNotifyWriter, rtnlNotifyAbort, AF_UNSPEC, AF_INET } from "./rtnetlink";
import { IFNAMSIZ } from "../core/netdev";
import { RT_TABLE_COMPAT } from "../route/fib";
import {
  R_NEXT, R_PREF, R_TABLE, R_FLAGS, R_SRC, R_DST, R_MARK, R_MARKMASK, R_TARGET, R_CTARGET, R_SUPPRESS_PLEN,
  R_SUPPRESS_IFG, R_UID_START, R_UID_END, R_FLOW, R_ACTION, R_SRCLEN, R_DSTLEN, R_TOS, R_PROTO, R_IPPROTO,
  R_SPORT_LO, R_SPORT_HI, R_DPORT_LO, R_DPORT_HI, R_SPORT_MASK, R_DPORT_MASK, R_IIFNAME, R_OIFNAME,
  R_IIFINDEX, R_OIFINDEX,
  FR_ACT_GOTO, FIB_RULE_IIF_DETACHED, FIB_RULE_OIF_DETACHED, FIB_RULE_UNRESOLVED,
  scratchRule, ruleTemplate, ruleIfindex, fibRuleAdd, fibRuleDel, ruleErrMsg, rulesHead,
} from "../route/rules";

export const RTM_NEWRULE: u16 = 32;
export const RTM_DELRULE: u16 = 33;
export const RTM_GETRULE: u16 = 34;
const FRH_LEN: u32 = 12;
const RTNLGRP_IPV4_RULE: u32 = 8;

export const FRA_DST: u16 = 1;
export const FRA_SRC: u16 = 2;
export const FRA_IIFNAME: u16 = 3;
export const FRA_GOTO: u16 = 4;
export const FRA_PRIORITY: u16 = 6;
export const FRA_FWMARK: u16 = 10;
export const FRA_FLOW: u16 = 11;
export const FRA_TUN_ID: u16 = 12;
export const FRA_SUPPRESS_IFGROUP: u16 = 13;
export const FRA_SUPPRESS_PREFIXLEN: u16 = 14;
export const FRA_TABLE: u16 = 15;
export const FRA_FWMASK: u16 = 16;
export const FRA_OIFNAME: u16 = 17;
export const FRA_L3MDEV: u16 = 19;
export const FRA_UID_RANGE: u16 = 20;
export const FRA_PROTOCOL: u16 = 21;
export const FRA_IP_PROTO: u16 = 22;
export const FRA_SPORT_RANGE: u16 = 23;
export const FRA_DPORT_RANGE: u16 = 24;
export const FRA_DSCP: u16 = 25;
export const FRA_SPORT_MASK: u16 = 28;
export const FRA_DPORT_MASK: u16 = 29;
const FRA_MAX: u32 = 30;

// fib4_rule_policy (FRA_GENERIC_POLICY + FRA_FLOW, FRA_DSCP)
const FRA_POLICY: usize = memory.data<u16>([
  0, 0,                 // 0
  0, 0,                 // 1 DST (length checked with dst_len)
  0, 0,                 // 2 SRC
  NLA_STRING, 15,       // 3 IIFNAME
  NLA_U32, 0,           // 4 GOTO
  0, 0,                 // 5
  NLA_U32, 0,           // 6 PRIORITY
  0, 0, 0, 0, 0, 0,     // 7..9
  NLA_U32, 0,           // 10 FWMARK
  NLA_U32, 0,           // 11 FLOW
  NLA_U64, 0,           // 12 TUN_ID
  NLA_U32, 0,           // 13 SUPPRESS_IFGROUP
  NLA_U32, 0,           // 14 SUPPRESS_PREFIXLEN
  NLA_U32, 0,           // 15 TABLE
  NLA_U32, 0,           // 16 FWMASK
  NLA_STRING, 15,       // 17 OIFNAME
  0, 0,                 // 18
  NLA_U8, 0,            // 19 L3MDEV
  NLA_UNSPEC, 8,        // 20 UID_RANGE
  NLA_U8, 0,            // 21 PROTOCOL
  NLA_U8, 0,            // 22 IP_PROTO
  NLA_UNSPEC, 4,        // 23 SPORT_RANGE
  NLA_UNSPEC, 4,        // 24 DPORT_RANGE
  NLA_U8, 0,            // 25 DSCP
  0, 0, 0, 0,           // 26, 27
  0, 0, 0, 0,           // 28, 29 (u16 masks, checked below)
  0, 0,                 // 30
]);

let tb: usize = 0;

/** Register the rule handlers (AF_INET; an AF_UNSPEC dump reaches them through rtnl_dump_all). */
export function rtnlRuleInit(): void {
  if (tb == 0) tb = heap.alloc(<usize>(FRA_MAX + 1) << 2);
  rtnlRegister(AF_INET, RTM_NEWRULE, changetype<usize>(fibNlNewrule), 0);
  rtnlRegister(AF_INET, RTM_DELRULE, changetype<usize>(fibNlDelrule), 0);
  rtnlRegister(AF_INET, RTM_GETRULE, 0, changetype<usize>(fibNlDumprule));
  rtnlRegister(AF_UNSPEC, RTM_GETRULE, 0, changetype<usize>(fibNlDumpAll));
}

/** fib_nl_fill_rule. 0 or -EMSGSIZE. */
export function fibNlFillRule(w: NlWriter, r: u32, pid: u32, seq: u32, type: u16, flags: u16): i32 {
  const h = nlmsgPut(w, pid, seq, type, FRH_LEN, flags);
  if (h == 0) return -EMSGSIZE;
  const f = h + NLMSG_HDRLEN;
  const table = load<u32>(r, R_TABLE);
  store<u8>(f, <u8>AF_INET);
  store<u8>(f, load<u8>(r, R_DSTLEN), 1);
  store<u8>(f, load<u8>(r, R_SRCLEN), 2);
  store<u8>(f, load<u8>(r, R_TOS), 3);
  store<u8>(f, table < 256 ? <u8>table : <u8>RT_TABLE_COMPAT, 4);
  store<u8>(f, load<u8>(r, R_ACTION), 7);
  let rf = load<u32>(r, R_FLAGS);
  if (load<u8>(r, R_ACTION) == FR_ACT_GOTO && load<u32>(r, R_CTARGET) == 0) rf |= FIB_RULE_UNRESOLVED;
  let ok = nlaPutU32(w, FRA_TABLE, table)
    && nlaPutU32(w, FRA_SUPPRESS_PREFIXLEN, load<u32>(r, R_SUPPRESS_PLEN))
    && nlaPutU8(w, FRA_PROTOCOL, load<u8>(r, R_PROTO));
  if (ok && load<u8>(r, R_IIFNAME) != 0) {
    ok = nlaPutCStr(w, FRA_IIFNAME, <usize>r + R_IIFNAME, nameLen(<usize>r + R_IIFNAME));
    if (ruleIfindex(r, 0) == -1) rf |= FIB_RULE_IIF_DETACHED;
  }
  if (ok && load<u8>(r, R_OIFNAME) != 0) {
    ok = nlaPutCStr(w, FRA_OIFNAME, <usize>r + R_OIFNAME, nameLen(<usize>r + R_OIFNAME));
    if (ruleIfindex(r, 1) == -1) rf |= FIB_RULE_OIF_DETACHED;
  }
  const mark = load<u32>(r, R_MARK), mask = load<u32>(r, R_MARKMASK);
  ok = ok && (load<u32>(r, R_PREF) == 0 || nlaPutU32(w, FRA_PRIORITY, load<u32>(r, R_PREF)))
    && (mark == 0 || nlaPutU32(w, FRA_FWMARK, mark))
    && ((mask == 0 && mark == 0) || nlaPutU32(w, FRA_FWMASK, mask))
    && (load<u32>(r, R_TARGET) == 0 || nlaPutU32(w, FRA_GOTO, load<u32>(r, R_TARGET)))
    && (load<i32>(r, R_SUPPRESS_IFG) == -1 || nlaPutU32(w, FRA_SUPPRESS_IFGROUP, load<u32>(r, R_SUPPRESS_IFG)));
  if (ok && (load<u32>(r, R_UID_START) != 0 || load<u32>(r, R_UID_END) != 0xFFFFFFFF)) {
    ok = nlaPut(w, FRA_UID_RANGE, <usize>r + R_UID_START, 8);
  }
  if (ok && (load<u16>(r, R_SPORT_LO) != 0 || load<u16>(r, R_SPORT_HI) != 0)) ok = nlaPut(w, FRA_SPORT_RANGE, <usize>r + R_SPORT_LO, 4);
  if (ok && (load<u16>(r, R_DPORT_LO) != 0 || load<u16>(r, R_DPORT_HI) != 0)) ok = nlaPut(w, FRA_DPORT_RANGE, <usize>r + R_DPORT_LO, 4);
  if (ok && load<u16>(r, R_SPORT_MASK) != 0) ok = nlaPutU16(w, FRA_SPORT_MASK, load<u16>(r, R_SPORT_MASK));
  if (ok && load<u16>(r, R_DPORT_MASK) != 0) ok = nlaPutU16(w, FRA_DPORT_MASK, load<u16>(r, R_DPORT_MASK));
  if (ok && load<u8>(r, R_IPPROTO) != 0) ok = nlaPutU8(w, FRA_IP_PROTO, load<u8>(r, R_IPPROTO));
  // fib4_rule_fill
  if (ok && load<u8>(r, R_DSTLEN) != 0) ok = nlaPutU32(w, FRA_DST, load<u32>(r, R_DST));
  if (ok && load<u8>(r, R_SRCLEN) != 0) ok = nlaPutU32(w, FRA_SRC, load<u32>(r, R_SRC));
  if (ok && load<u32>(r, R_FLOW) != 0) ok = nlaPutU32(w, FRA_FLOW, load<u32>(r, R_FLOW));
  if (!ok) { nlmsgCancel(w, h); return -EMSGSIZE; }
  store<u32>(f, rf, 8);
  nlmsgEnd(w, h);
  return 0;
}

function nameLen(p: usize): u32 {
  let n: u32 = 0;
  while (n < IFNAMSIZ && load<u8>(p + n) != 0) n++;
  return n;
}

/** notify_rule_change: RTNLGRP_IPV4_RULE. */
export function rtmsgRule(event: u16, r: u32, pid: u32, seq: u32): void {
  const w = rtnlNotifyWriter(RTNLGRP_IPV4_RULE);
  if (w === null) return;
  if (fibNlFillRule(w, r, pid, seq, event, 0) < 0) rtnlNotifyAbort();
}

/** fib_nl2rule (+ the address checks of fib_nl_newrule): the request as a rule template. */
function nl2rule(nlh: usize): i32 {
  if (nlmsgLen(nlh) < NLMSG_HDRLEN + FRH_LEN) { nlSetErrMsg("Invalid msg length"); return -EINVAL; }
  const f = nlmsgData(nlh);
  if (<u32>load<u8>(f) != AF_INET) { nlSetErrMsg("Rule family not supported"); return -EAFNOSUPPORT; }
  const err = nlmsgParse(nlh, FRH_LEN, tb, FRA_MAX, FRA_POLICY, NL_VALIDATE_LIBERAL);
  if (err < 0) { nlSetErrMsg("Error parsing msg"); return err; }
  const t = scratchRule;
  ruleTemplate(t);
  const sl = load<u8>(f, 2), dl = load<u8>(f, 1);
  const sa = tbGet(tb, FRA_SRC), da = tbGet(tb, FRA_DST);
  if (sl != 0 && (sa == 0 || sl > 32 || nlaPayload(sa) != 4)) { nlSetErrMsg("Invalid source address"); return -EINVAL; }
  if (dl != 0 && (da == 0 || dl > 32 || nlaPayload(da) != 4)) { nlSetErrMsg("Invalid dst address"); return -EINVAL; }
  let a = tbGet(tb, FRA_PRIORITY);
  if (a != 0) store<u32>(t, nlaGetU32(a), R_PREF);
  a = tbGet(tb, FRA_PROTOCOL);
  if (a != 0) store<u8>(t, nlaGetU8(a), R_PROTO);
  a = tbGet(tb, FRA_IIFNAME);
  if (a != 0) { memory.copy(<usize>t + R_IIFNAME, nlaData(a), nlaStrLen(a, IFNAMSIZ - 1)); store<i32>(t, -1, R_IIFINDEX); }
  a = tbGet(tb, FRA_OIFNAME);
  if (a != 0) { memory.copy(<usize>t + R_OIFNAME, nlaData(a), nlaStrLen(a, IFNAMSIZ - 1)); store<i32>(t, -1, R_OIFINDEX); }
  a = tbGet(tb, FRA_FWMARK);
  if (a != 0) {
    store<u32>(t, nlaGetU32(a), R_MARK);
    if (nlaGetU32(a) != 0) store<u32>(t, 0xFFFFFFFF, R_MARKMASK);
  }
  a = tbGet(tb, FRA_FWMASK);
  if (a != 0) store<u32>(t, nlaGetU32(a), R_MARKMASK);
  if (tbGet(tb, FRA_TUN_ID) != 0) { nlSetBadAttr(tbGet(tb, FRA_TUN_ID)); nlSetErrMsg("Tunnel id rules are not supported here"); return -EINVAL; }
  store<u8>(t, load<u8>(f, 7), R_ACTION);
  store<u32>(t, load<u32>(f, 8), R_FLAGS);
  a = tbGet(tb, FRA_TABLE);
  store<u32>(t, a != 0 ? nlaGetU32(a) : <u32>load<u8>(f, 4), R_TABLE);
  a = tbGet(tb, FRA_SUPPRESS_PREFIXLEN);
  if (a != 0) store<u32>(t, nlaGetU32(a), R_SUPPRESS_PLEN);
  a = tbGet(tb, FRA_SUPPRESS_IFGROUP);
  if (a != 0) store<u32>(t, nlaGetU32(a), R_SUPPRESS_IFG);
  a = tbGet(tb, FRA_GOTO);
  if (a != 0) {
    if (load<u8>(t, R_ACTION) != FR_ACT_GOTO) { nlSetErrMsg("Unexpected goto"); return -EINVAL; }
    store<u32>(t, nlaGetU32(a), R_TARGET);
    if (nlaGetU32(a) <= load<u32>(t, R_PREF) && tbGet(tb, FRA_PRIORITY) != 0) { nlSetErrMsg("Backward goto not supported"); return -EINVAL; }
  } else if (load<u8>(t, R_ACTION) == FR_ACT_GOTO) { nlSetErrMsg("Missing goto target for action goto"); return -EINVAL; }
  if (tbGet(tb, FRA_L3MDEV) != 0 && nlaGetU8(tbGet(tb, FRA_L3MDEV)) != 0) {
    nlSetBadAttr(tbGet(tb, FRA_L3MDEV)); nlSetErrMsg("l3mdev support is not enabled in kernel"); return -EINVAL;
  }
  a = tbGet(tb, FRA_UID_RANGE);
  if (a != 0) {
    const s = load<u32>(nlaData(a)), e = load<u32>(nlaData(a), 4);
    if ((s == 0 && e == 0xFFFFFFFF) || s > e) { nlSetErrMsg("Invalid uid range"); return -EINVAL; }
    store<u32>(t, s, R_UID_START); store<u32>(t, e, R_UID_END);
  }
  a = tbGet(tb, FRA_IP_PROTO);
  if (a != 0) store<u8>(t, nlaGetU8(a), R_IPPROTO);
  for (let k: u32 = 0; k < 2; k++) {
    a = tbGet(tb, k == 0 ? FRA_SPORT_RANGE : FRA_DPORT_RANGE);
    if (a == 0) continue;
    const lo = load<u16>(nlaData(a)), hi = load<u16>(nlaData(a), 2);
    if (lo == 0 || hi == 0 || hi == 0xFFFF || lo > hi) {
      nlSetErrMsg(k == 0 ? "Invalid sport range" : "Invalid dport range"); return -EINVAL;
    }
    store<u16>(<usize>t + (k == 0 ? R_SPORT_LO : R_DPORT_LO), lo);
    store<u16>(<usize>t + (k == 0 ? R_SPORT_HI : R_DPORT_HI), hi);
    // a single port is compared under a full mask (reported as FRA_*PORT_MASK 0xffff)
    if (lo == hi) store<u16>(<usize>t + (k == 0 ? R_SPORT_MASK : R_DPORT_MASK), 0xFFFF);
  }
  store<u8>(t, sl, R_SRCLEN);
  store<u8>(t, dl, R_DSTLEN);
  store<u8>(t, load<u8>(f, 3), R_TOS);
  if (sa != 0 && sl != 0) store<u32>(t, nlaGetU32(sa), R_SRC);
  if (da != 0 && dl != 0) store<u32>(t, nlaGetU32(da), R_DST);
  a = tbGet(tb, FRA_FLOW);
  if (a != 0) store<u32>(t, nlaGetU32(a), R_FLOW);
  if (tbGet(tb, FRA_DSCP) != 0) {
    if (load<u8>(f, 3) != 0) { nlSetErrMsg("Cannot specify both TOS and DSCP"); return -EINVAL; }
    store<u8>(t, <u8>(nlaGetU8(tbGet(tb, FRA_DSCP)) << 2), R_TOS);
  }
  return 0;
}

function setRuleErr(err: i32): i32 {
  const m = ruleErrMsg();
  if (err < 0 && m.length > 0) nlSetErrMsg(m);
  return err;
}

function fibNlNewrule(nlh: usize): i32 {
  const err = nl2rule(nlh);
  if (err < 0) return err;
  return setRuleErr(fibRuleAdd(scratchRule, tbGet(tb, FRA_PRIORITY) != 0, (nlmsgFlags(nlh) & NLM_F_EXCL) != 0,
    nlCurPortid(), nlmsgSeq(nlh)));
}

function fibNlDelrule(nlh: usize): i32 {
  const err = nl2rule(nlh);
  if (err < 0) return err;
  return setRuleErr(fibRuleDel(scratchRule, tbGet(tb, FRA_PRIORITY) != 0, nlCurPortid(), nlmsgSeq(nlh)));
}

/** fib_valid_dumprule_req (strict): a bare header. */
function validDumpReq(c: NlCallback): i32 {
  if ((c.sockFlags & NL_SOCK_STRICT_CHK) == 0) return 0;
  const nlh = c.req;
  if (nlmsgLen(nlh) < NLMSG_HDRLEN + FRH_LEN) { nlSetErrMsg("Invalid header for fib rule dump request"); return -EINVAL; }
  const f = nlmsgData(nlh);
  if (load<u8>(f, 1) != 0 || load<u8>(f, 2) != 0 || load<u8>(f, 3) != 0 || load<u8>(f, 4) != 0 || load<u8>(f, 5) != 0
    || load<u8>(f, 6) != 0 || load<u8>(f, 7) != 0 || load<u32>(f, 8) != 0) {
    nlSetErrMsg("Invalid values in header for fib rule dump request");
    return -EINVAL;
  }
  if (nlmsgLen(nlh) > NLMSG_HDRLEN + FRH_LEN) { nlSetErrMsg("Invalid data after header in fib rule dump request"); return -EINVAL; }
  return 0;
}

/** dump_rules: cb->a1 = index of the next rule. */
function dumpRules(c: NlCallback, w: NlWriter): i32 {
  const start = w.len;
  let i: u32 = 0;
  for (let r = rulesHead(); r != 0; r = load<u32>(r, R_NEXT), i++) {
    if (i < <u32>c.a1) continue;
    if (fibNlFillRule(w, r, c.portid, c.seq, 32, NLM_F_MULTI) < 0) {
      c.a1 = i;
      const n = <i32>(w.len - start);
      return n != 0 ? n : -EMSGSIZE;
    }
  }
  c.a1 = i;
  return <i32>(w.len - start);
}

function fibNlDumprule(c: NlCallback, w: NlWriter): i32 {
  const err = validDumpReq(c);
  if (err < 0) return err;
  return dumpRules(c, w);
}

/** AF_UNSPEC: every family's rules (only IPv4 has any here). */
function fibNlDumpAll(c: NlCallback, w: NlWriter): i32 { return fibNlDumprule(c, w); }
