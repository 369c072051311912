// Policy routing rules (book ch. 6 "Policy Routing"; net/core/fib_rules.c, net/ipv4/fib_rules.c) and
// fib_lookup, the entry every route lookup goes through.
//
// Rules are kept in ascending priority; a new rule goes after those of equal priority. Each matches
// on from/to prefixes, iif/oif names (a name with no device is "detached" and never matches), fwmark
// under a mask, TOS (the legacy TOS bits, as route aliases compare them), IP protocol, port ranges
// and uid range, optionally inverted ("not"). Actions: lookup table N (a miss or a THROW route goes on
// to the next rule; anything else, errors included, is final), goto, nop, blackhole (-EINVAL),
// unreachable (-ENETUNREACH), prohibit (-EACCES). No match is -ESRCH, which fib_lookup turns into
// -ENETUNREACH. The boot rules are 0 → local, 32766 → main, 32767 → default (fib_default_rules_init).
//
// Until a rule is added or deleted the kernel skips the rules entirely (fib_lookup's fast path: the
// merged local+main trie, then table default); the first change sets fib_has_custom_rules for good.
import { devGet, devIndexByName, devName, devNameLen, IFNAMSIZ } from "../core/netdev";
import { Flowi4, FibResult, fibGetTable, fibTableLookup, fibMainTable, fibHasCustomRules, fibSetCustomRules,
  fibSetLookup, fibEmptyTable, fibDefaultTable, fiNh, NH_OIF, RT_TABLE_LOCAL, RT_TABLE_MAIN, RT_TABLE_DEFAULT, RTPROT_KERNEL,
  EAGAIN, ESRCH, ENETUNREACH, EACCES, EINVAL, EEXIST, ENOENT, ENOBUFS, rtCacheFlush } from "./fib";
import { rtmsgRule } from "../netlink/rtnl_rule";

export const FR_ACT_UNSPEC: u8 = 0;
export const FR_ACT_TO_TBL: u8 = 1;
export const FR_ACT_GOTO: u8 = 2;
export const FR_ACT_NOP: u8 = 3;
export const FR_ACT_BLACKHOLE: u8 = 6;
export const FR_ACT_UNREACHABLE: u8 = 7;
export const FR_ACT_PROHIBIT: u8 = 8;

export const FIB_RULE_PERMANENT: u32 = 1;
export const FIB_RULE_INVERT: u32 = 2;
export const FIB_RULE_UNRESOLVED: u32 = 4;
export const FIB_RULE_IIF_DETACHED: u32 = 8;
export const FIB_RULE_OIF_DETACHED: u32 = 16;

// ---- struct fib4_rule ----
export const R_NEXT: u32 = 0;        // list
export const R_PREF: u32 = 4;
export const R_TABLE: u32 = 8;
export const R_FLAGS: u32 = 12;
export const R_SRC: u32 = 16;        // network order
export const R_DST: u32 = 20;
export const R_SRCMASK: u32 = 24;
export const R_DSTMASK: u32 = 28;
export const R_MARK: u32 = 32;
export const R_MARKMASK: u32 = 36;
export const R_TARGET: u32 = 40;     // goto target pref
export const R_CTARGET: u32 = 44;    // resolved goto target (rule address), 0 = unresolved
export const R_SUPPRESS_PLEN: u32 = 48;   // i32, -1 = unset
export const R_SUPPRESS_IFG: u32 = 52;    // i32, -1 = unset
export const R_UID_START: u32 = 56;
export const R_UID_END: u32 = 60;
export const R_FLOW: u32 = 64;       // tclassid (FRA_FLOW), kept and reported
export const R_IIFINDEX: u32 = 68;   // i32: 0 none, -1 detached (resolved lazily by name)
export const R_OIFINDEX: u32 = 72;
export const R_ACTION: u32 = 76;     // u8
export const R_SRCLEN: u32 = 77;     // u8
export const R_DSTLEN: u32 = 78;     // u8
export const R_TOS: u32 = 79;        // u8
export const R_PROTO: u32 = 80;      // u8 (FRA_PROTOCOL: who installed it)
export const R_IPPROTO: u32 = 81;    // u8
export const R_SPORT_LO: u32 = 82;   // u16 ranges and masks (host order)
export const R_SPORT_HI: u32 = 84;
export const R_DPORT_LO: u32 = 86;
export const R_DPORT_HI: u32 = 88;
export const R_SPORT_MASK: u32 = 90;
export const R_DPORT_MASK: u32 = 92;
export const R_IIFNAME: u32 = 96;    // IFNAMSIZ bytes, NUL padded
export const R_OIFNAME: u32 = 112;
export const RULE_SIZE: u32 = 128;
export const MAX_RULES: u32 = 4096;

let pool: usize = 0;
let freeHead: u32 = 0;
let head: u32 = 0;                   // first rule (lowest pref)
let count: u32 = 0;
let nrGoto: u32 = 0;
export const scratchRule: u32 = <u32>memory.data(<i32>RULE_SIZE);

export function rulesHead(): u32 { return head; }
export function rulesCount(): u32 { return count; }

function ruleAlloc(): u32 {
  if (freeHead == 0) return 0;
  const r = freeHead;
  freeHead = load<u32>(r);
  memory.fill(r, 0, RULE_SIZE);
  return r;
}

// @ts-ignore: decorator
@inline function makeMask(len: u32): u32 { return len == 0 ? 0 : bswap<u32>(<u32>(0xFFFFFFFF << (32 - len))); }

/** Initialise a rule template: no selectors, suppressors unset, the full uid range. */
export function ruleTemplate(r: u32): void {
  memory.fill(r, 0, RULE_SIZE);
  store<i32>(r, -1, R_SUPPRESS_PLEN);
  store<i32>(r, -1, R_SUPPRESS_IFG);
  store<u32>(r, 0xFFFFFFFF, R_UID_END);
}

function addDefault(pref: u32, table: u32): void {
  const r = ruleAlloc();
  ruleTemplate(r);
  store<u32>(r, pref, R_PREF);
  store<u32>(r, table, R_TABLE);
  store<u8>(r, FR_ACT_TO_TBL, R_ACTION);
  store<u8>(r, RTPROT_KERNEL, R_PROTO);
  linkRule(r);
}

/** fib4_rules_init: the boot rules (and fib_lookup wired into fib.ts). */
export function rulesInit(): void {
  if (pool == 0) pool = heap.alloc(<usize>MAX_RULES * RULE_SIZE);
  freeHead = 0;
  for (let i = MAX_RULES; i > 0; i--) {
    const r = <u32>pool + (i - 1) * RULE_SIZE;
    store<u32>(r, freeHead);
    freeHead = r;
  }
  head = 0; count = 0; nrGoto = 0;
  addDefault(0, RT_TABLE_LOCAL);
  addDefault(0x7FFE, RT_TABLE_MAIN);
  addDefault(0x7FFF, RT_TABLE_DEFAULT);
  fibSetLookup(changetype<usize>(fibLookup));
}

/** Insert after every rule with pref <= r's. */
function linkRule(r: u32): void {
  const pref = load<u32>(r, R_PREF);
  let last: u32 = 0;
  for (let x = head; x != 0; x = load<u32>(x, R_NEXT)) {
    if (load<u32>(x, R_PREF) > pref) break;
    last = x;
  }
  if (last == 0) { store<u32>(r, head, R_NEXT); head = r; }
  else { store<u32>(r, load<u32>(last, R_NEXT), R_NEXT); store<u32>(last, r, R_NEXT); }
  count++;
}

/** fib_default_rule_pref: one below the second rule's priority (0 when there is none or it is 0). */
export function fibDefaultRulePref(): u32 {
  if (head != 0) {
    const second = load<u32>(head, R_NEXT);
    if (second != 0 && load<u32>(second, R_PREF) != 0) return load<u32>(second, R_PREF) - 1;
  }
  return 0;
}

// ---- interface selectors: names resolved lazily (attach_rules/detach_rules on device events) ----

function nameLen(p: usize): u32 {
  let n: u32 = 0;
  while (n < IFNAMSIZ && load<u8>(p + n) != 0) n++;
  return n;
}

/** The device index a rule's name selector currently designates: 0 none, -1 no such device. */
export function ruleIfindex(r: u32, which: u32): i32 {
  const nm = <usize>r + (which == 0 ? R_IIFNAME : R_OIFNAME);
  if (load<u8>(nm) == 0) return 0;
  const slot = <usize>r + (which == 0 ? R_IIFINDEX : R_OIFINDEX);
  const cached = load<i32>(slot);
  const n = nameLen(nm);
  if (cached > 0) {
    const d = devGet(<u32>cached);
    if (d !== null && devNameLen(d) == n && memory.compare(devName(d), nm, n) == 0) return cached;
  }
  const idx = devIndexByName(nm, n);
  const v: i32 = idx != 0 ? <i32>idx : -1;
  store<i32>(slot, v);
  return v;
}

// ---- matching and lookup ----

// @ts-ignore: decorator
@inline function portMatch(lo: u16, hi: u16, mask: u16, port: u16): bool {
  if (lo == 0 && hi == 0) return true;
  if (mask != 0) return ((port ^ lo) & mask) == 0;
  return port >= lo && port <= hi;
}

/** fib_rule_match + fib4_rule_match (with FIB_RULE_INVERT). */
function ruleMatch(r: u32, fl: Flowi4): bool {
  let ok = true;
  const iif = ruleIfindex(r, 0);
  const oif = ruleIfindex(r, 1);
  if (iif != 0 && <u32>iif != fl.iif) ok = false;
  else if (oif != 0 && <u32>oif != fl.oif) ok = false;
  else if (((load<u32>(r, R_MARK) ^ fl.mark) & load<u32>(r, R_MARKMASK)) != 0) ok = false;
  else if (fl.uid < load<u32>(r, R_UID_START) || fl.uid > load<u32>(r, R_UID_END)) ok = false;
  else if (((fl.saddr ^ load<u32>(r, R_SRC)) & load<u32>(r, R_SRCMASK)) != 0
    || ((fl.daddr ^ load<u32>(r, R_DST)) & load<u32>(r, R_DSTMASK)) != 0) ok = false;
  else {
    const tos = load<u8>(r, R_TOS);
    if (tos != 0 && tos != (fl.tos & 0x1C)) ok = false;
    else if (load<u8>(r, R_IPPROTO) != 0 && load<u8>(r, R_IPPROTO) != fl.proto) ok = false;
    else if (!portMatch(load<u16>(r, R_SPORT_LO), load<u16>(r, R_SPORT_HI), load<u16>(r, R_SPORT_MASK), fl.sport)) ok = false;
    else if (!portMatch(load<u16>(r, R_DPORT_LO), load<u16>(r, R_DPORT_HI), load<u16>(r, R_DPORT_MASK), fl.dport)) ok = false;
  }
  return (load<u32>(r, R_FLAGS) & FIB_RULE_INVERT) != 0 ? !ok : ok;
}

/** fib4_rule_suppress: a result too unspecific, or through a forbidden device group, is ignored. */
function ruleSuppress(r: u32, res: FibResult): bool {
  if (<i32>res.prefixlen <= load<i32>(r, R_SUPPRESS_PLEN)) return true;
  const g = load<i32>(r, R_SUPPRESS_IFG);
  if (g != -1 && res.info != 0) {
    const d = devGet(load<u32>(fiNh(res.info, 0), NH_OIF));
    if (d !== null && <i32>d.group == g) return true;
  }
  return false;
}

let lastRule: u32 = 0;
/** The rule that decided the last rules lookup (0 for the fast path). */
export function fibLastRule(): u32 { return lastRule; }

/** fib_rules_lookup: -ESRCH when no rule decides. */
function fibRulesLookup(fl: Flowi4, res: FibResult, flags: u32): i32 {
  lastRule = 0;
  let r = head;
  while (r != 0) {
    if (!ruleMatch(r, fl)) { r = load<u32>(r, R_NEXT); continue; }
    const act = load<u8>(r, R_ACTION);
    if (act == FR_ACT_GOTO) {
      const t = load<u32>(r, R_CTARGET);
      r = t != 0 ? t : load<u32>(r, R_NEXT);
      continue;
    }
    if (act == FR_ACT_NOP) { r = load<u32>(r, R_NEXT); continue; }
    let err: i32 = -EAGAIN;
    if (act == FR_ACT_TO_TBL) {
      const tb = fibGetTable(load<u32>(r, R_TABLE));
      if (tb != 0) err = fibTableLookup(tb, fl, res, flags);
    } else if (act == FR_ACT_UNREACHABLE) err = -ENETUNREACH;
    else if (act == FR_ACT_PROHIBIT) err = -EACCES;
    else err = -EINVAL;
    if (err == 0 && ruleSuppress(r, res)) { r = load<u32>(r, R_NEXT); continue; }
    if (err != -EAGAIN) { lastRule = r; return err; }
    r = load<u32>(r, R_NEXT);
  }
  return -ESRCH;
}

/**
 * fib_lookup: 0 with res filled, or -errno (-ENETUNREACH when nothing matched). Without custom rules:
 * the merged local/main lookup, then table default when that failed in any way.
 */
export function fibLookup(fl: Flowi4, res: FibResult, flags: u32): i32 {
  if (!fibHasCustomRules()) {
    let err = -ENETUNREACH;
    res.table = 0; res.info = 0;
    const main = fibMainTable();
    if (main != 0) err = fibTableLookup(main, fl, res, flags);
    if (err != 0) {
      const def = fibDefaultTable();
      if (def != 0) err = fibTableLookup(def, fl, res, flags);
    }
    if (err == -EAGAIN) err = -ENETUNREACH;
    return err;
  }
  res.table = 0; res.info = 0;
  let err = fibRulesLookup(fl, res, flags);
  if (err == -ESRCH || err == -EAGAIN) err = -ENETUNREACH;
  return err;
}

// ---- configuration (fib_nl_newrule / fib_nl_delrule on a parsed template) ----

/** rule_exists: an identical rule (every selector and the action) is already there. */
function ruleExists(t: u32): bool {
  for (let r = head; r != 0; r = load<u32>(r, R_NEXT)) {
    if (load<u8>(r, R_ACTION) != load<u8>(t, R_ACTION)) continue;
    if (load<u32>(r, R_TABLE) != load<u32>(t, R_TABLE)) continue;
    if (load<u32>(r, R_PREF) != load<u32>(t, R_PREF)) continue;
    if (memory.compare(<usize>r + R_IIFNAME, <usize>t + R_IIFNAME, IFNAMSIZ * 2) != 0) continue;
    if (load<u32>(r, R_MARK) != load<u32>(t, R_MARK) || load<u32>(r, R_MARKMASK) != load<u32>(t, R_MARKMASK)) continue;
    if (load<i32>(r, R_SUPPRESS_IFG) != load<i32>(t, R_SUPPRESS_IFG)) continue;
    if (load<i32>(r, R_SUPPRESS_PLEN) != load<i32>(t, R_SUPPRESS_PLEN)) continue;
    if (load<u32>(r, R_UID_START) != load<u32>(t, R_UID_START) || load<u32>(r, R_UID_END) != load<u32>(t, R_UID_END)) continue;
    if (load<u8>(r, R_IPPROTO) != load<u8>(t, R_IPPROTO) || load<u8>(r, R_PROTO) != load<u8>(t, R_PROTO)) continue;
    if (memory.compare(<usize>r + R_SPORT_LO, <usize>t + R_SPORT_LO, 12) != 0) continue;
    if (!compare4(r, t)) continue;
    return true;
  }
  return false;
}

/** fib4_rule_compare against a template: only what the request specified. */
function compare4(r: u32, t: u32): bool {
  const sl = load<u8>(t, R_SRCLEN), dl = load<u8>(t, R_DSTLEN);
  if (sl != 0 && load<u8>(r, R_SRCLEN) != sl) return false;
  if (dl != 0 && load<u8>(r, R_DSTLEN) != dl) return false;
  if (load<u8>(t, R_TOS) != 0 && load<u8>(r, R_TOS) != load<u8>(t, R_TOS)) return false;
  if (load<u32>(t, R_FLOW) != 0 && load<u32>(r, R_FLOW) != load<u32>(t, R_FLOW)) return false;
  if (sl != 0 && load<u32>(r, R_SRC) != load<u32>(t, R_SRC)) return false;
  if (dl != 0 && load<u32>(r, R_DST) != load<u32>(t, R_DST)) return false;
  return true;
}

let ruleErr: string = "";
export function ruleErrMsg(): string { return ruleErr; }

/**
 * Add the rule described by template t (selectors set; R_PREF valid when userPref). Flags: NLM_F_EXCL.
 * Returns 0 or -errno (message in ruleErrMsg()).
 */
export function fibRuleAdd(t: u32, userPref: bool, excl: bool, portid: u32, seq: u32): i32 {
  ruleErr = "";
  if (!userPref) store<u32>(t, fibDefaultRulePref(), R_PREF);
  const act = load<u8>(t, R_ACTION);
  if (load<u32>(t, R_TARGET) != 0 || act == FR_ACT_GOTO) {
    if (act != FR_ACT_GOTO) { ruleErr = "Unexpected goto"; return -EINVAL; }
    if (load<u32>(t, R_TARGET) == 0 && act == FR_ACT_GOTO) { ruleErr = "Missing goto target for action goto"; return -EINVAL; }
    if (load<u32>(t, R_TARGET) <= load<u32>(t, R_PREF)) { ruleErr = "Backward goto not supported"; return -EINVAL; }
  }
  if (excl && ruleExists(t)) return -EEXIST;
  // fib4_rule_configure
  const tos = load<u8>(t, R_TOS);
  if ((tos & 3) != 0) { ruleErr = "Invalid dsfield (tos): ECN bits must be 0"; return -EINVAL; }
  if ((tos & ~<u8>0x1E) != 0) { ruleErr = "Invalid tos"; return -EINVAL; }
  if (load<u32>(t, R_TABLE) == 0 && act == FR_ACT_TO_TBL) {
    const id = fibEmptyTable();
    if (id == 0) return -ENOBUFS;
    store<u32>(t, id, R_TABLE);
  }
  store<u32>(t, makeMask(load<u8>(t, R_SRCLEN)), R_SRCMASK);
  store<u32>(t, makeMask(load<u8>(t, R_DSTLEN)), R_DSTMASK);
  fibSetCustomRules();
  const r = ruleAlloc();
  if (r == 0) return -ENOBUFS;
  memory.copy(r, t, RULE_SIZE);
  store<u32>(r, 0, R_NEXT);
  store<u32>(r, 0, R_CTARGET);
  if (act == FR_ACT_GOTO) {
    for (let x = head; x != 0; x = load<u32>(x, R_NEXT)) {
      if (load<u32>(x, R_PREF) == load<u32>(r, R_TARGET)) { store<u32>(r, x, R_CTARGET); break; }
    }
    nrGoto++;
  }
  linkRule(r);
  // unresolved gotos pointing at this priority now resolve to it
  for (let x = head; x != 0; x = load<u32>(x, R_NEXT)) {
    if (load<u8>(x, R_ACTION) == FR_ACT_GOTO && load<u32>(x, R_TARGET) == load<u32>(r, R_PREF) && load<u32>(x, R_CTARGET) == 0) {
      store<u32>(x, r, R_CTARGET);
    }
  }
  rtmsgRule(32 /* RTM_NEWRULE */, r, portid, seq);
  rtCacheFlush();
  return 0;
}

/** rule_find: the first rule matching every selector the template (a delete request) gives. */
function ruleFind(t: u32, userPref: bool): u32 {
  for (let r = head; r != 0; r = load<u32>(r, R_NEXT)) {
    if (load<u8>(t, R_ACTION) != 0 && load<u8>(r, R_ACTION) != load<u8>(t, R_ACTION)) continue;
    if (load<u32>(t, R_TABLE) != 0 && load<u32>(r, R_TABLE) != load<u32>(t, R_TABLE)) continue;
    if (userPref && load<u32>(r, R_PREF) != load<u32>(t, R_PREF)) continue;
    if (load<u8>(t, R_IIFNAME) != 0 && memory.compare(<usize>r + R_IIFNAME, <usize>t + R_IIFNAME, IFNAMSIZ) != 0) continue;
    if (load<u8>(t, R_OIFNAME) != 0 && memory.compare(<usize>r + R_OIFNAME, <usize>t + R_OIFNAME, IFNAMSIZ) != 0) continue;
    if (load<u32>(t, R_MARK) != 0 && load<u32>(r, R_MARK) != load<u32>(t, R_MARK)) continue;
    if (load<i32>(t, R_SUPPRESS_IFG) != -1 && load<i32>(r, R_SUPPRESS_IFG) != load<i32>(t, R_SUPPRESS_IFG)) continue;
    if (load<i32>(t, R_SUPPRESS_PLEN) != -1 && load<i32>(r, R_SUPPRESS_PLEN) != load<i32>(t, R_SUPPRESS_PLEN)) continue;
    if (load<u32>(t, R_MARKMASK) != 0 && load<u32>(r, R_MARKMASK) != load<u32>(t, R_MARKMASK)) continue;
    if ((load<u32>(t, R_UID_START) != 0 || load<u32>(t, R_UID_END) != 0xFFFFFFFF)
      && (load<u32>(r, R_UID_START) != load<u32>(t, R_UID_START) || load<u32>(r, R_UID_END) != load<u32>(t, R_UID_END))) continue;
    if (load<u8>(t, R_IPPROTO) != 0 && load<u8>(r, R_IPPROTO) != load<u8>(t, R_IPPROTO)) continue;
    if (load<u8>(t, R_PROTO) != 0 && load<u8>(r, R_PROTO) != load<u8>(t, R_PROTO)) continue;
    if ((load<u16>(t, R_SPORT_LO) != 0 || load<u16>(t, R_SPORT_HI) != 0)
      && (load<u16>(r, R_SPORT_LO) != load<u16>(t, R_SPORT_LO) || load<u16>(r, R_SPORT_HI) != load<u16>(t, R_SPORT_HI))) continue;
    if ((load<u16>(t, R_DPORT_LO) != 0 || load<u16>(t, R_DPORT_HI) != 0)
      && (load<u16>(r, R_DPORT_LO) != load<u16>(t, R_DPORT_LO) || load<u16>(r, R_DPORT_HI) != load<u16>(t, R_DPORT_HI))) continue;
    if (!compare4(r, t)) continue;
    return r;
  }
  return 0;
}

/** fib_nl_delrule on a template: -ENOENT when nothing matches. */
export function fibRuleDel(t: u32, userPref: bool, portid: u32, seq: u32): i32 {
  ruleErr = "";
  const r = ruleFind(t, userPref);
  if (r == 0) return -ENOENT;
  if ((load<u32>(r, R_FLAGS) & FIB_RULE_PERMANENT) != 0) return -1;   // EPERM
  fibSetCustomRules();
  // unlink
  if (head == r) head = load<u32>(r, R_NEXT);
  else {
    let p = head;
    while (load<u32>(p, R_NEXT) != r) p = load<u32>(p, R_NEXT);
    store<u32>(p, load<u32>(r, R_NEXT), R_NEXT);
  }
  count--;
  if (load<u8>(r, R_ACTION) == FR_ACT_GOTO) nrGoto--;
  if (nrGoto > 0) {
    // gotos aimed at it move to the next rule of the same priority, or become unresolved
    let n = load<u32>(r, R_NEXT);
    if (n != 0 && load<u32>(n, R_PREF) != load<u32>(r, R_PREF)) n = 0;
    for (let x = head; x != 0; x = load<u32>(x, R_NEXT)) if (load<u32>(x, R_CTARGET) == r) store<u32>(x, n, R_CTARGET);
  }
  rtmsgRule(33 /* RTM_DELRULE */, r, portid, seq);
  store<u32>(r, freeHead);
  freeHead = r;
  rtCacheFlush();
  return 0;
}

/** The rule at position i of the list (dump cursor), 0 past the end. */
export function ruleAt(i: u32): u32 {
  let r = head;
  for (let k: u32 = 0; k < i && r != 0; k++) r = load<u32>(r, R_NEXT);
  return r;
}
