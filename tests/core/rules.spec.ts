// Policy routing (book ch. 6 "Policy Routing"; net/core/fib_rules.c, net/ipv4/fib_rules.c): the boot
// rules, priority order, each selector, each action, goto, suppress_prefixlength, and THROW going on to
// the next rule. Checked against Linux 6.18 (`ip rule` / `ip route get` in a namespace).
import { engineInit } from "../../assembly/core/engine";
import { devCreateVeth, devChangeFlags } from "../../assembly/core/dev";
import { devGet, IFF_UP } from "../../assembly/core/netdev";
import { inetAddrAdd, RT_SCOPE_UNIVERSE as SCOPE0 } from "../../assembly/ipv4/devinet";
import { fibCfg, fibConfigReset, fibNewTable, fibTableInsert, Flowi4, FibResult, fiNh, NH_GW, RTN_UNICAST,
  RTN_LOCAL, RTN_THROW, RTPROT_BOOT, RT_TABLE_MAIN, RT_TABLE_LOCAL, RT_TABLE_DEFAULT, fibHasCustomRules,
  EINVAL, EEXIST, ENOENT, ENETUNREACH, EACCES } from "../../assembly/route/fib";
import { fibLookup, fibRuleAdd, fibRuleDel, ruleTemplate, scratchRule, rulesHead, rulesCount, R_NEXT, R_PREF, R_TABLE,
  R_ACTION, R_SRC, R_SRCLEN, R_DST, R_DSTLEN, R_MARK, R_MARKMASK, R_TOS, R_FLAGS, R_TARGET, R_SUPPRESS_PLEN, R_IIFNAME,
  FR_ACT_TO_TBL, FR_ACT_GOTO, FR_ACT_BLACKHOLE, FR_ACT_UNREACHABLE, FR_ACT_PROHIBIT, FR_ACT_NOP,
  FIB_RULE_INVERT } from "../../assembly/route/rules";
import { A, name, vethPair } from "./route-fixture";

let va: u32 = 0, vb: u32 = 0;
function setup(): void {
  va = vethPair();
  vb = devGet(va)!.peer;
  route(A(0, 0, 0, 0), 0, A(10, 0, 0, 254), RT_TABLE_MAIN);
  route(A(0, 0, 0, 0), 0, A(10, 1, 0, 100), 100);
  route(A(0, 0, 0, 0), 0, A(10, 1, 0, 200), 200);
}
function route(dst: u32, len: u8, gw: u32, table: u32, type: u8 = RTN_UNICAST): i32 {
  fibConfigReset(fibCfg);
  fibCfg.dst = dst; fibCfg.dstLen = len; fibCfg.gw = gw; fibCfg.type = type; fibCfg.table = table;
  fibCfg.protocol = RTPROT_BOOT; fibCfg.nlflags = 0x400 | 0x200;
  return fibTableInsert(fibNewTable(table), fibCfg);
}

/** A rule template: selectors then fibRuleAdd (pref given when pref >= 0). */
function rule(pref: i32, act: u8, table: u32 = 0): u32 {
  ruleTemplate(scratchRule);
  if (pref >= 0) store<u32>(scratchRule, <u32>pref, R_PREF);
  store<u8>(scratchRule, act, R_ACTION);
  store<u32>(scratchRule, table, R_TABLE);
  return scratchRule;
}
function add(t: u32, pref: i32): i32 { return fibRuleAdd(t, pref >= 0, true, 0, 0); }

const fl = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const res = changetype<FibResult>(memory.data(offsetof<FibResult>()));
function look(daddr: u32, saddr: u32 = 0, mark: u32 = 0, tos: u8 = 0, iif: u32 = 1): i32 {
  memory.fill(changetype<usize>(fl), 0, offsetof<Flowi4>());
  fl.daddr = daddr; fl.saddr = saddr; fl.mark = mark; fl.tos = tos; fl.iif = iif;
  return fibLookup(fl, res, 0);
}
function gw(): u32 { return load<u32>(fiNh(res.info, res.nhSel), NH_GW); }

describe("the boot rules", () => {
  beforeEach(() => { setup(); });

  it("are 0 → local, 32766 → main, 32767 → default, and no custom rules yet", () => {
    const r0 = rulesHead(), r1 = load<u32>(r0, R_NEXT), r2 = load<u32>(r1, R_NEXT);
    expect(rulesCount()).toBe(3);
    expect(load<u32>(r0, R_PREF)).toBe(0);
    expect(load<u32>(r0, R_TABLE)).toBe(RT_TABLE_LOCAL);
    expect(load<u32>(r1, R_PREF)).toBe(32766);
    expect(load<u32>(r1, R_TABLE)).toBe(RT_TABLE_MAIN);
    expect(load<u32>(r2, R_PREF)).toBe(32767);
    expect(load<u32>(r2, R_TABLE)).toBe(RT_TABLE_DEFAULT);
    expect(fibHasCustomRules()).toBe(false);
  });

  it("the first added rule ends the merged fast path; local results then report table local", () => {
    expect(look(A(10, 0, 0, 1))).toBe(0);
    expect(res.tableId).toBe(RT_TABLE_MAIN);          // merged local/main reports main
    const t = rule(-1, FR_ACT_TO_TBL, 100);
    store<u32>(t, A(10, 9, 0, 0), R_SRC); store<u8>(t, 16, R_SRCLEN);
    expect(add(t, -1)).toBe(0);
    expect(load<u32>(load<u32>(rulesHead(), R_NEXT), R_PREF)).toBe(32765);   // second rule's pref - 1
    expect(fibHasCustomRules()).toBe(true);
    expect(look(A(10, 0, 0, 1))).toBe(0);
    expect(res.type).toBe(RTN_LOCAL);
    expect(res.tableId).toBe(RT_TABLE_LOCAL);
  });
});

describe("selectors", () => {
  beforeEach(() => { setup(); });

  it("from, to, fwmark/mask, tos and iif pick the table; the rest fall through to main", () => {
    let t = rule(100, FR_ACT_TO_TBL, 100);
    store<u32>(t, A(10, 1, 0, 0), R_SRC); store<u8>(t, 16, R_SRCLEN);
    add(t, 100);
    t = rule(200, FR_ACT_TO_TBL, 200);
    store<u32>(t, A(30, 0, 0, 0), R_DST); store<u8>(t, 8, R_DSTLEN);
    add(t, 200);
    t = rule(300, FR_ACT_TO_TBL, 100);
    store<u32>(t, 0x10, R_MARK); store<u32>(t, 0x10, R_MARKMASK);
    add(t, 300);
    t = rule(400, FR_ACT_TO_TBL, 200);
    store<u8>(t, 0x08, R_TOS);
    add(t, 400);
    t = rule(500, FR_ACT_TO_TBL, 100);
    memory.copy(<usize>t + R_IIFNAME, name("vb"), 2);
    add(t, 500);
    expect(look(A(8, 8, 8, 8), A(10, 1, 2, 3))).toBe(0);
    expect(gw()).toBe(A(10, 1, 0, 100));
    expect(look(A(30, 1, 1, 1))).toBe(0);
    expect(gw()).toBe(A(10, 1, 0, 200));
    expect(look(A(8, 8, 8, 8), 0, 0x31)).toBe(0);         // (0x31 ^ 0x10) & 0x10 == 0
    expect(gw()).toBe(A(10, 1, 0, 100));
    expect(look(A(8, 8, 8, 8), 0, 0x21)).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 254));
    expect(look(A(8, 8, 8, 8), 0, 0, 0x0a)).toBe(0);       // TOS compared under 0x1c
    expect(gw()).toBe(A(10, 1, 0, 200));
    expect(look(A(8, 8, 8, 8), 0, 0, 0, vb)).toBe(0);
    expect(gw()).toBe(A(10, 1, 0, 100));
    expect(look(A(8, 8, 8, 8), 0, 0, 0, va)).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 254));
  });

  it("not inverts the match; an iif naming no device never matches", () => {
    let t = rule(100, FR_ACT_TO_TBL, 100);
    store<u32>(t, A(10, 0, 0, 0), R_SRC); store<u8>(t, 8, R_SRCLEN); store<u32>(t, FIB_RULE_INVERT, R_FLAGS);
    add(t, 100);
    t = rule(50, FR_ACT_PROHIBIT);
    memory.copy(<usize>t + R_IIFNAME, name("nosuch"), 6);
    add(t, 50);
    expect(look(A(8, 8, 8, 8), A(10, 0, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 254));
    expect(look(A(8, 8, 8, 8), A(172, 16, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 1, 0, 100));
  });
});

describe("actions", () => {
  beforeEach(() => { setup(); });

  it("blackhole, unreachable and prohibit answer their errnos; nop goes on", () => {
    let t = rule(10, FR_ACT_BLACKHOLE); store<u32>(t, 1, R_MARK); store<u32>(t, 0xFFFFFFFF, R_MARKMASK); add(t, 10);
    t = rule(11, FR_ACT_UNREACHABLE); store<u32>(t, 2, R_MARK); store<u32>(t, 0xFFFFFFFF, R_MARKMASK); add(t, 11);
    t = rule(12, FR_ACT_PROHIBIT); store<u32>(t, 3, R_MARK); store<u32>(t, 0xFFFFFFFF, R_MARKMASK); add(t, 12);
    t = rule(13, FR_ACT_NOP); store<u32>(t, 4, R_MARK); store<u32>(t, 0xFFFFFFFF, R_MARKMASK); add(t, 13);
    expect(look(A(8, 8, 8, 8), 0, 1)).toBe(-EINVAL);
    expect(look(A(8, 8, 8, 8), 0, 2)).toBe(-ENETUNREACH);
    expect(look(A(8, 8, 8, 8), 0, 3)).toBe(-EACCES);
    expect(look(A(8, 8, 8, 8), 0, 4)).toBe(0);
  });

  it("a table miss and a THROW route go on to the next rule; no rule deciding is unreachable", () => {
    route(A(20, 0, 0, 0), 8, 0, 300, RTN_THROW);
    let t = rule(10, FR_ACT_TO_TBL, 300); add(t, 10);       // throw for 20/8, miss elsewhere
    t = rule(20, FR_ACT_TO_TBL, 200); store<u32>(t, A(20, 0, 0, 0), R_DST); store<u8>(t, 8, R_DSTLEN); add(t, 20);
    expect(look(A(20, 1, 1, 1))).toBe(0);
    expect(gw()).toBe(A(10, 1, 0, 200));
    // remove main and default: nothing decides
    ruleTemplate(scratchRule); store<u32>(scratchRule, RT_TABLE_MAIN, R_TABLE);
    expect(fibRuleDel(scratchRule, false, 0, 0)).toBe(0);
    ruleTemplate(scratchRule); store<u32>(scratchRule, RT_TABLE_DEFAULT, R_TABLE);
    expect(fibRuleDel(scratchRule, false, 0, 0)).toBe(0);
    expect(look(A(8, 8, 8, 8))).toBe(-ENETUNREACH);
  });

  it("goto jumps forward over rules; suppress_prefixlength ignores too general results", () => {
    let t = rule(10, FR_ACT_GOTO); store<u32>(t, 30, R_TARGET); add(t, 10);
    t = rule(20, FR_ACT_PROHIBIT); add(t, 20);                 // jumped over
    t = rule(30, FR_ACT_TO_TBL, RT_TABLE_MAIN); store<i32>(t, 0, R_SUPPRESS_PLEN); add(t, 30);
    t = rule(40, FR_ACT_TO_TBL, 100); add(t, 40);
    expect(look(A(8, 8, 8, 8))).toBe(0);
    expect(gw()).toBe(A(10, 1, 0, 100));                      // main's default (/0) suppressed
    expect(look(A(10, 0, 0, 5))).toBe(0);
    expect(res.prefixlen).toBe(24);                           // main's /24 is specific enough
  });

  it("backward gotos, duplicate rules and deleting a missing rule get the kernel's errnos", () => {
    let t = rule(50, FR_ACT_GOTO); store<u32>(t, 40, R_TARGET);
    expect(add(t, 50)).toBe(-EINVAL);
    t = rule(60, FR_ACT_TO_TBL, 100); expect(add(t, 60)).toBe(0);
    t = rule(60, FR_ACT_TO_TBL, 100); expect(add(t, 60)).toBe(-EEXIST);
    t = rule(70, FR_ACT_TO_TBL, 999);
    expect(fibRuleDel(t, true, 0, 0)).toBe(-ENOENT);
    expect(rulesCount()).toBe(4);
  });
});
