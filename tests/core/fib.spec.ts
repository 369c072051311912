// FIB semantics (book ch. 5, a current kernel's fib_table_insert/delete/lookup): one spec per lookup rule,
// the kernel's errnos for bad input (and the table left unchanged), the routes addresses derive, and
// device events. Expected behaviour was checked against Linux 6.18 in a network namespace.
import { engineInit } from "../../assembly/core/engine";
import { devCreateVeth, devChangeFlags, devDelete } from "../../assembly/core/dev";
import { devGet, IFF_UP } from "../../assembly/core/netdev";
import { inetAddrAdd, inetAddrDel, RT_SCOPE_UNIVERSE as SCOPE0 } from "../../assembly/ipv4/devinet";
import {
  fibCfg, fibConfigReset, fibNewTable, fibGetTable, fibTableInsert, fibTableDelete, fibTablePrefixes, fibInfoCount, fibAliasCount,
  fibErrMsg, Flowi4, FibResult, fiNh, NH_GW, NH_OIF, FI_PRIORITY, RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_BLACKHOLE,
  RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW, RT_SCOPE_LINK, RT_SCOPE_HOST, RT_SCOPE_NOWHERE, RTPROT_BOOT,
  RT_TABLE_MAIN, RT_TABLE_LOCAL, EEXIST, ENOENT, ESRCH, EINVAL, ENETUNREACH, EHOSTUNREACH, EACCES,
} from "../../assembly/route/fib";
import { fibLookup } from "../../assembly/route/rules";
import { devConfSet, CONF_ALL, DevConf } from "../../assembly/core/sysctl";
import { fibLookupBatch } from "../../assembly/route/route";
import { A, name, vethPair } from "./route-fixture";

const CREATE: u32 = 0x400, EXCL: u32 = 0x200, REPLACE: u32 = 0x100, APPEND: u32 = 0x800;

let va: u32 = 0, vb: u32 = 0;

function setup(): void {
  va = vethPair();
  vb = devGet(va)!.peer;
}

/** `ip route add|append|… DST/LEN [via GW] [dev OIF] [type] [tos] [metric] [table]` (iproute2's defaults). */
function route(dst: u32, len: u8, gw: u32 = 0, oif: u32 = 0, type: u8 = RTN_UNICAST, tos: u8 = 0, metric: u32 = 0,
               table: u32 = RT_TABLE_MAIN, flags: u32 = CREATE | EXCL): i32 {
  fibConfigReset(fibCfg);
  fibCfg.dst = dst; fibCfg.dstLen = len; fibCfg.gw = gw; fibCfg.oif = oif; fibCfg.type = type; fibCfg.tos = tos;
  fibCfg.priority = metric; fibCfg.table = table; fibCfg.protocol = RTPROT_BOOT; fibCfg.nlflags = flags;
  fibCfg.scope = type == RTN_UNICAST && gw == 0 ? RT_SCOPE_LINK : 0;
  return fibTableInsert(fibNewTable(table), fibCfg);
}
function del(dst: u32, len: u8, gw: u32 = 0, table: u32 = RT_TABLE_MAIN, tos: u8 = 0): i32 {
  fibConfigReset(fibCfg);
  fibCfg.dst = dst; fibCfg.dstLen = len; fibCfg.gw = gw; fibCfg.table = table; fibCfg.tos = tos;
  fibCfg.scope = RT_SCOPE_NOWHERE;
  const t = fibGetTable(table);
  return t == 0 ? -ESRCH : fibTableDelete(t, fibCfg);
}

const fl = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const res = changetype<FibResult>(memory.data(offsetof<FibResult>()));
/** fib_lookup for daddr; 0 or -errno. */
function look(daddr: u32, tos: u8 = 0, oif: u32 = 0, scope: u8 = 0): i32 {
  memory.fill(changetype<usize>(fl), 0, offsetof<Flowi4>());
  fl.daddr = daddr; fl.tos = tos; fl.oif = oif; fl.scope = scope; fl.iif = 1;
  return fibLookup(fl, res, 0);
}
function gw(): u32 { return load<u32>(fiNh(res.info, res.nhSel), NH_GW); }
function dev(): u32 { return load<u32>(fiNh(res.info, res.nhSel), NH_OIF); }

describe("lookup: longest prefix first", () => {
  beforeEach(() => { setup(); });

  it("picks the most specific of nested prefixes", () => {
    route(A(20, 0, 0, 0), 8, A(10, 0, 0, 2));
    route(A(20, 1, 0, 0), 16, A(10, 0, 0, 3));
    route(A(20, 1, 2, 0), 24, A(10, 1, 0, 2));
    expect(look(A(20, 1, 2, 3))).toBe(0);
    expect(res.prefixlen).toBe(24);
    expect(gw()).toBe(A(10, 1, 0, 2));
    expect(look(A(20, 1, 9, 9))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 3));
    expect(look(A(20, 9, 9, 9))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 2));
    expect(look(A(21, 0, 0, 1))).toBe(-ENETUNREACH);
  });

  it("consults the local table before main: our own address is RTN_LOCAL, the subnet broadcast RTN_BROADCAST", () => {
    route(A(10, 0, 0, 1), 32, A(10, 0, 0, 2));     // a main /32 for our own address loses to local's
    expect(look(A(10, 0, 0, 1))).toBe(0);
    expect(res.type).toBe(RTN_LOCAL);
    expect(look(A(10, 0, 0, 255))).toBe(0);
    expect(res.type).toBe(RTN_BROADCAST);
    expect(look(A(10, 0, 0, 7))).toBe(0);
    expect(res.type).toBe(RTN_UNICAST);
    expect(res.prefixlen).toBe(24);
  });

  it("while local and main are merged, a longer main prefix beats a shorter local one (127.0.0.0/8)", () => {
    route(A(127, 1, 0, 0), 16, A(10, 0, 0, 2));
    expect(look(A(127, 1, 2, 3))).toBe(0);
    expect(res.type).toBe(RTN_UNICAST);
    expect(look(A(127, 2, 0, 1))).toBe(0);
    expect(res.type).toBe(RTN_LOCAL);
  });
});

describe("lookup: aliases (TOS, metric) and backtracking", () => {
  beforeEach(() => { setup(); });

  it("a TOS-specific alias beats TOS 0, matching the flow's TOS under the legacy mask 0x1c", () => {
    route(A(30, 0, 0, 0), 8, A(10, 0, 0, 3));
    route(A(30, 0, 0, 0), 8, A(10, 0, 0, 2), 0, RTN_UNICAST, 0x14);
    expect(look(A(30, 1, 1, 1), 0x14)).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 2));
    expect(look(A(30, 1, 1, 1), 0x34)).toBe(0);   // 0x34 & 0x1c == 0x14
    expect(gw()).toBe(A(10, 0, 0, 2));
    expect(look(A(30, 1, 1, 1), 0x10)).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 3));
    expect(look(A(30, 1, 1, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 3));
  });

  it("among equal TOS the lowest metric wins; append/prepend/replace keep the kernel's order", () => {
    expect(route(A(40, 0, 0, 0), 8, A(10, 0, 0, 2), 0, RTN_UNICAST, 0, 5)).toBe(0);
    expect(route(A(40, 0, 0, 0), 8, A(10, 0, 0, 3), 0, RTN_UNICAST, 0, 1)).toBe(0);
    expect(look(A(40, 0, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 3));
    expect(load<u32>(res.info, FI_PRIORITY)).toBe(1);
    // same metric: prepend goes first, append last, replace swaps the first of the group
    expect(route(A(40, 0, 0, 0), 8, A(10, 0, 0, 4), 0, RTN_UNICAST, 0, 1, RT_TABLE_MAIN, CREATE | APPEND)).toBe(0);
    expect(route(A(40, 0, 0, 0), 8, A(10, 0, 0, 5), 0, RTN_UNICAST, 0, 1, RT_TABLE_MAIN, CREATE)).toBe(0);
    expect(look(A(40, 0, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 5));
    expect(route(A(40, 0, 0, 0), 8, A(10, 0, 0, 6), 0, RTN_UNICAST, 0, 1, RT_TABLE_MAIN, CREATE | REPLACE)).toBe(0);
    expect(look(A(40, 0, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 6));
  });

  it("a prefix whose only nexthop is dead is skipped: the lookup backtracks to a shorter one", () => {
    route(A(50, 0, 0, 0), 8, A(10, 0, 0, 2));
    route(A(50, 1, 0, 0), 16, A(10, 1, 0, 2));
    expect(look(A(50, 1, 0, 1))).toBe(0);
    expect(res.prefixlen).toBe(16);
    devChangeFlags(devGet(vb)!, 0);                 // vb down: its nexthops die (the /16 is flushed)
    expect(look(A(50, 1, 0, 1))).toBe(0);
    expect(res.prefixlen).toBe(8);
    expect(gw()).toBe(A(10, 0, 0, 2));
  });

  it("an oif-constrained lookup skips nexthops on other devices and falls back to a shorter prefix", () => {
    route(A(60, 0, 0, 0), 8, 0, vb);
    route(A(60, 1, 0, 0), 16, 0, va);
    expect(look(A(60, 1, 0, 1))).toBe(0);
    expect(dev()).toBe(va);
    expect(look(A(60, 1, 0, 1), 0, vb)).toBe(0);
    expect(dev()).toBe(vb);
    expect(res.prefixlen).toBe(8);
  });

  it("a lookup with link scope ignores universe-scope (gatewayed) routes", () => {
    route(A(61, 0, 0, 0), 8, A(10, 0, 0, 2));
    expect(look(A(61, 0, 0, 1), 0, 0, RT_SCOPE_LINK)).toBe(-ENETUNREACH);
    expect(look(A(10, 0, 0, 5), 0, 0, RT_SCOPE_LINK)).toBe(0);
  });
});

const bAddrs = memory.data(4 * 1024), bOut = memory.data(8 * 1024);
/** fibLookupBatch (its fast path and its fallback) answers each address as fib_lookup does; 1021
 * addresses, so that the batch ends in a part shorter than a vector. */
function batchAgrees(): void {
  const N: u32 = 1021;
  let x: u32 = 0x2545F491;
  for (let i: u32 = 0; i < N; i++) {
    x ^= x << 13; x ^= x >> 17; x ^= x << 5;
    const hi = [20, 20, 20, 10, 10, 127, 40, 0][x & 7];          // the prefixes below, and elsewhere
    const b = hi == 10 ? (x >> 3) & 1 : (x >> 3) & 7;
    store<u32>(bAddrs + (i << 2), A(hi, b, (x >> 8) & 3, x >> 24));
  }
  fibLookupBatch(bAddrs, bOut, N);
  for (let i: u32 = 0; i < N; i++) {
    const d = load<u32>(bAddrs + (i << 2)), o = bOut + (i << 3);
    const err = look(d);
    expect(load<u8>(o, 7)).toBe(<u8>-err);
    if (err != 0) continue;
    expect(load<u32>(o)).toBe(gw() != 0 ? gw() : d);
    expect(load<u16>(o, 4)).toBe(<u16>dev());
    expect(load<u8>(o, 6)).toBe(res.type);
  }
}

describe("lookup: batched (fibLookupBatch) as fib_lookup", () => {
  beforeEach(() => { setup(); });

  it("agrees on every route type, TOS aliases, local addresses, no route and the default table", () => {
    route(A(20, 0, 0, 0), 8, A(10, 0, 0, 2));
    route(A(20, 1, 0, 0), 16, A(10, 0, 0, 3), 0, RTN_UNICAST, 0x10);
    route(A(20, 2, 0, 0), 16, 0, 0, RTN_BLACKHOLE);
    route(A(20, 3, 0, 0), 16, 0, 0, RTN_UNREACHABLE);
    route(A(20, 4, 0, 0), 16, 0, 0, RTN_PROHIBIT);
    route(A(20, 5, 0, 0), 16, 0, 0, RTN_THROW);
    route(A(20, 6, 0, 0), 16, 0, va);
    route(A(20, 7, 0, 0), 16, A(10, 1, 0, 2), 0, RTN_UNICAST, 0, 5);
    route(A(20, 7, 0, 0), 16, A(10, 0, 0, 2), 0, RTN_UNICAST, 0, 9);
    batchAgrees();
    route(0, 0, A(10, 1, 0, 9), 0, RTN_UNICAST, 0, 0, 253);
    batchAgrees();
  });

  it("leaves addresses under a local-table prefix shorter than /16 to fib_lookup", () => {
    route(A(40, 0, 0, 0), 8, A(10, 0, 0, 2));
    batchAgrees();
    fibConfigReset(fibCfg);
    fibCfg.dst = A(40, 0, 0, 0); fibCfg.dstLen = 12; fibCfg.oif = va; fibCfg.type = RTN_LOCAL;
    fibCfg.scope = RT_SCOPE_HOST; fibCfg.table = RT_TABLE_LOCAL; fibCfg.protocol = RTPROT_BOOT; fibCfg.nlflags = CREATE | EXCL;
    expect(fibTableInsert(fibNewTable(RT_TABLE_LOCAL), fibCfg)).toBe(0);
    expect(look(A(40, 3, 0, 1))).toBe(0);
    expect(res.type).toBe(RTN_LOCAL);
    batchAgrees();                                   // 40.0-7.x.x: RTN_LOCAL from the local table
    expect(del(A(40, 0, 0, 0), 12, 0, RT_TABLE_LOCAL)).toBe(0);
    batchAgrees();
  });

  it("stays in step with route and device changes (cached fast answers are dropped)", () => {
    route(A(20, 0, 0, 0), 8, A(10, 0, 0, 2));
    route(A(20, 1, 0, 0), 16, A(10, 1, 0, 2));
    route(A(20, 7, 0, 0), 16, A(10, 1, 0, 2), 0, RTN_UNICAST, 0, 5);
    route(A(20, 7, 0, 0), 16, A(10, 0, 0, 2), 0, RTN_UNICAST, 0, 9);
    batchAgrees();
    route(A(20, 0, 0, 0), 8, A(10, 0, 0, 3), 0, RTN_UNICAST, 0, 0, RT_TABLE_MAIN, CREATE | REPLACE);
    batchAgrees();
    // a new first alias of a private list: same list id, other answer
    route(A(20, 7, 0, 0), 16, A(10, 0, 0, 3), 0, RTN_UNICAST, 0, 1);
    batchAgrees();
    // linkdown nexthops skipped (ignore_routes_with_linkdown): vb down takes va's carrier
    devConfSet(CONF_ALL, DevConf.ignore_routes_with_linkdown, 1);
    devChangeFlags(devGet(vb)!, 0);                 // nexthops via vb die: /16s flushed, va linkdown
    batchAgrees();
    devConfSet(CONF_ALL, DevConf.ignore_routes_with_linkdown, 0);
    devChangeFlags(devGet(vb)!, IFF_UP);
    route(A(20, 1, 0, 0), 16, 0, 0, RTN_BLACKHOLE);
    batchAgrees();
    expect(del(A(20, 0, 0, 0), 8)).toBe(0);
    batchAgrees();
  });
});

describe("lookup: route types", () => {
  beforeEach(() => { setup(); });

  it("blackhole, unreachable and prohibit end the lookup with their errno even over a shorter unicast", () => {
    route(A(70, 0, 0, 0), 8, A(10, 0, 0, 2));
    route(A(70, 1, 0, 0), 16, 0, 0, RTN_BLACKHOLE);
    route(A(70, 2, 0, 0), 16, 0, 0, RTN_UNREACHABLE);
    route(A(70, 3, 0, 0), 16, 0, 0, RTN_PROHIBIT);
    expect(look(A(70, 1, 0, 1))).toBe(-EINVAL);
    expect(look(A(70, 2, 0, 1))).toBe(-EHOSTUNREACH);
    expect(look(A(70, 3, 0, 1))).toBe(-EACCES);   // current kernels: "packet filtered" (3.9's fast path lost it)
    expect(look(A(70, 4, 0, 1))).toBe(0);
  });

  it("throw in main continues to table default; with nothing there the lookup is unreachable", () => {
    route(A(80, 0, 0, 0), 8, 0, 0, RTN_THROW);
    expect(look(A(80, 0, 0, 1))).toBe(-ENETUNREACH);
    route(A(80, 0, 0, 0), 8, A(10, 1, 0, 9), 0, RTN_UNICAST, 0, 0, 253);
    expect(look(A(80, 0, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 1, 0, 9));
    expect(res.tableId).toBe(253);
  });

  it("a reject route in an alias behind a non-matching TOS alias still applies to other TOS values", () => {
    route(A(90, 0, 0, 0), 8, A(10, 0, 0, 2), 0, RTN_UNICAST, 0x10);
    route(A(90, 0, 0, 0), 8, 0, 0, RTN_PROHIBIT);
    expect(look(A(90, 0, 0, 1), 0x10)).toBe(0);
    expect(look(A(90, 0, 0, 1))).toBe(-EACCES);
  });
});

describe("insert and delete: the kernel's errnos, the table unchanged", () => {
  beforeEach(() => { setup(); });

  it("rejects duplicates, missing CREATE, host bits, long prefixes, gateways off link, missing routes and tables", () => {
    expect(route(A(20, 0, 0, 0), 8, A(10, 0, 0, 2))).toBe(0);
    const pfx = fibTablePrefixes(fibGetTable(RT_TABLE_MAIN));
    const infos = fibInfoCount();
    expect(route(A(20, 0, 0, 0), 8, A(10, 0, 0, 2))).toBe(-EEXIST);
    expect(route(A(20, 0, 0, 0), 8, A(10, 0, 0, 3), 0, RTN_UNICAST, 0, 0, RT_TABLE_MAIN, CREATE | EXCL)).toBe(-EEXIST);
    expect(route(A(21, 0, 0, 0), 8, A(10, 0, 0, 2), 0, RTN_UNICAST, 0, 0, RT_TABLE_MAIN, REPLACE)).toBe(-ENOENT);
    expect(route(A(20, 0, 0, 1), 8, A(10, 0, 0, 2))).toBe(-EINVAL);
    expect(fibErrMsg()).toBe("Invalid prefix for given prefix length");
    expect(route(A(20, 0, 0, 0), 33, A(10, 0, 0, 2))).toBe(-EINVAL);
    expect(route(A(22, 0, 0, 0), 8, A(10, 9, 0, 2))).toBe(-ENETUNREACH);
    expect(fibErrMsg()).toBe("Nexthop has invalid gateway");
    expect(route(A(22, 0, 0, 0), 8, A(10, 0, 0, 2), vb)).toBe(-ENETUNREACH);   // gateway not on that device
    expect(del(A(23, 0, 0, 0), 8)).toBe(-ESRCH);
    expect(del(A(20, 0, 0, 0), 8, A(10, 0, 0, 9))).toBe(-ESRCH);
    expect(del(A(20, 0, 0, 0), 8, 0, 100)).toBe(-ESRCH);
    expect(fibTablePrefixes(fibGetTable(RT_TABLE_MAIN))).toBe(pfx);
    expect(fibInfoCount()).toBe(infos);
    expect(look(A(20, 1, 1, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 2));
    expect(del(A(20, 0, 0, 0), 8)).toBe(0);
    expect(look(A(20, 1, 1, 1))).toBe(-ENETUNREACH);
  });

  it("shares one fib_info between routes differing only in TOS, and frees it with the last alias", () => {
    const before = fibInfoCount();
    route(A(24, 0, 0, 0), 8, A(10, 0, 0, 2));
    route(A(24, 0, 0, 0), 8, A(10, 0, 0, 2), 0, RTN_UNICAST, 0x10);
    route(A(25, 0, 0, 0), 8, A(10, 0, 0, 2), 0, RTN_UNICAST, 0x04);
    expect(fibInfoCount()).toBe(before + 1);
    del(A(24, 0, 0, 0), 8);
    del(A(24, 0, 0, 0), 8, 0, RT_TABLE_MAIN, 0x10);
    expect(fibInfoCount()).toBe(before + 1);
    del(A(25, 0, 0, 0), 8, 0, RT_TABLE_MAIN, 0x04);
    expect(fibInfoCount()).toBe(before);
  });
});

describe("alias lists: one shared alias per info, copied on write", () => {
  beforeEach(() => { setup(); });

  it("routes over one nexthop share an alias; a second alias gets a private list; a lone TOS-0 alias is shared again", () => {
    const before = fibAliasCount();
    for (let i: u32 = 0; i < 100; i++) expect(route(A(60, <u8>i, 0, 0), 16, A(10, 0, 0, 2))).toBe(0);
    expect(fibAliasCount()).toBe(before + 1);
    // a second alias (metric 5) on 60.1/16: private head (a copy) + the new alias
    expect(route(A(60, 1, 0, 0), 16, A(10, 0, 0, 3), 0, RTN_UNICAST, 0, 5, RT_TABLE_MAIN, CREATE | APPEND)).toBe(0);
    expect(fibAliasCount()).toBe(before + 3);
    expect(look(A(60, 1, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 2));
    expect(look(A(60, 2, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 2));
    // the metric-0 alias goes: the metric-5 one is alone and becomes its info's shared alias
    expect(del(A(60, 1, 0, 0), 16, A(10, 0, 0, 2))).toBe(0);
    expect(fibAliasCount()).toBe(before + 2);
    expect(look(A(60, 1, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 3));
    // replace on a shared alias: the prefix moves to the new info's shared alias; the old info goes
    const infos = fibInfoCount();
    expect(route(A(60, 1, 0, 0), 16, A(10, 0, 0, 2), 0, RTN_UNICAST, 0, 5, RT_TABLE_MAIN, CREATE | REPLACE)).toBe(0);
    expect(fibInfoCount()).toBe(infos);       // metric 5 via .2 is a new info; metric 5 via .3 is freed
    expect(fibAliasCount()).toBe(before + 2);
    expect(look(A(60, 1, 0, 1))).toBe(0);
    expect(gw()).toBe(A(10, 0, 0, 2));
    expect(load<u32>(res.info, FI_PRIORITY)).toBe(5);
    // a TOS alias is never shared
    expect(route(A(61, 0, 0, 0), 8, A(10, 0, 0, 2), 0, RTN_UNICAST, 0x10)).toBe(0);
    expect(fibAliasCount()).toBe(before + 3);
    expect(del(A(61, 0, 0, 0), 8, 0, RT_TABLE_MAIN, 0x10)).toBe(0);
    expect(del(A(60, 1, 0, 0), 16)).toBe(0);
    for (let i: u32 = 0; i < 100; i++) if (i != 1) expect(del(A(60, <u8>i, 0, 0), 16)).toBe(0);
    expect(fibAliasCount()).toBe(before);
  });
});

describe("routes derived from addresses", () => {
  beforeEach(() => { setup(); });

  it("an address brings a local /32, the subnet broadcast and the connected prefix; deleting it takes them", () => {
    const lt = fibGetTable(RT_TABLE_LOCAL);
    const local0 = fibTablePrefixes(lt), main0 = fibTablePrefixes(fibGetTable(RT_TABLE_MAIN));
    expect(inetAddrAdd(va, A(172, 16, 0, 1), A(172, 16, 0, 1), 20, 0, SCOPE0, 0, 0, 0)).toBe(0);
    expect(fibTablePrefixes(lt)).toBe(local0 + 2);
    expect(fibTablePrefixes(fibGetTable(RT_TABLE_MAIN))).toBe(main0 + 1);
    expect(look(A(172, 16, 15, 255))).toBe(0);
    expect(res.type).toBe(RTN_BROADCAST);
    expect(look(A(172, 16, 3, 4))).toBe(0);
    expect(res.scope).toBe(RT_SCOPE_LINK);
    expect(inetAddrDel(va, A(172, 16, 0, 1), 20, 0, 0)).toBe(0);
    expect(fibTablePrefixes(lt)).toBe(local0);
    expect(fibTablePrefixes(fibGetTable(RT_TABLE_MAIN))).toBe(main0);
  });

  it("a device going down flushes its routes but keeps its local addresses; up brings them back", () => {
    route(A(20, 0, 0, 0), 8, A(10, 1, 0, 2));
    devChangeFlags(devGet(vb)!, 0);
    expect(look(A(20, 0, 0, 1))).toBe(-ENETUNREACH);
    expect(look(A(10, 1, 0, 1))).toBe(0);
    expect(res.type).toBe(RTN_LOCAL);
    expect(res.scope).toBe(RT_SCOPE_HOST);
    devChangeFlags(devGet(vb)!, IFF_UP);
    expect(look(A(10, 1, 2, 3))).toBe(0);
    expect(dev()).toBe(vb);
    expect(look(A(20, 0, 0, 1))).toBe(-ENETUNREACH);   // user routes stay gone, as in Linux
  });

  it("deleting a device removes every route through it", () => {
    route(A(20, 0, 0, 0), 8, A(10, 0, 0, 2));
    devDelete(va);
    expect(look(A(20, 0, 0, 1))).toBe(-ENETUNREACH);
    expect(look(A(10, 0, 0, 1))).toBe(-ENETUNREACH);
  });
});
