// Multipath (weighted hash-threshold selection, dead nexthops skipped, L3/L4 hash policy) and nexthop
// exceptions (learned PMTU: clamped, locked routes ignored, 600 s expiry driven by the timer wheel;
// learned redirects; bounded). Book ch. 5 "FIB nexthop exceptions", ch. 6 "Multipath Routing".
import { engineInit } from "../../assembly/core/engine";
import { devCreateVeth, devChangeFlags, setNow } from "../../assembly/core/dev";
import { devGet, IFF_UP } from "../../assembly/core/netdev";
import { timerRun } from "../../assembly/core/timer";
import { sysctlSet, Sysctl } from "../../assembly/core/sysctl";
import { inetAddrAdd, RT_SCOPE_UNIVERSE as SCOPE0 } from "../../assembly/ipv4/devinet";
import { neighLookup, neighUpdate, NUD_REACHABLE, NUD_INCOMPLETE } from "../../assembly/neigh/neighbour";
import { fibCfg, fibConfigReset, fibNewTable, fibTableInsert, RTN_UNICAST, RTPROT_BOOT, RT_TABLE_MAIN,
  RTAX_MTU, RTAX_LOCK } from "../../assembly/route/fib";
import { ipRouteOutput, ipv4Mtu, ipv4UpdatePmtu, ipDoRedirect, RTCF_REDIRECTED, fibLookupBatch, routeFlushCache } from "../../assembly/route/route";
import { fnheCount, FNHE_MAX } from "../../assembly/route/nexthop";
import { A, name, vethPair } from "./route-fixture";

let va: u32 = 0, vb: u32 = 0;
function setup(): void {
  va = vethPair(16384);
  vb = devGet(va)!.peer;
  setNow(0);
}

const mp = memory.data(64);
/** 20.0.0.0/8 nexthop via 10.0.0.2 weight w1 nexthop via 10.1.0.2 weight w2. */
function multipath(w1: u8, w2: u8): i32 {
  let p = mp;
  store<u16>(p, 16); store<u8>(p, 0, 2); store<u8>(p, w1 - 1, 3); store<i32>(p, 0, 4);
  store<u16>(p, 8, 8); store<u16>(p, 5, 10); store<u32>(p, A(10, 0, 0, 2), 12);
  p += 16;
  store<u16>(p, 16); store<u8>(p, 0, 2); store<u8>(p, w2 - 1, 3); store<i32>(p, 0, 4);
  store<u16>(p, 8, 8); store<u16>(p, 5, 10); store<u32>(p, A(10, 1, 0, 2), 12);
  fibConfigReset(fibCfg);
  fibCfg.dst = A(20, 0, 0, 0); fibCfg.dstLen = 8; fibCfg.type = RTN_UNICAST; fibCfg.table = RT_TABLE_MAIN;
  fibCfg.protocol = RTPROT_BOOT; fibCfg.nlflags = 0x600; fibCfg.mp = <u32>mp; fibCfg.mpLen = 32;
  return fibTableInsert(fibNewTable(RT_TABLE_MAIN), fibCfg);
}

const mx = memory.data(16);
/** 30.0.0.0/8 via 10.0.0.2 [mtu [lock] M]. */
function viaRoute(mtu: u32, lock: bool): i32 {
  fibConfigReset(fibCfg);
  fibCfg.dst = A(30, 0, 0, 0); fibCfg.dstLen = 8; fibCfg.gw = A(10, 0, 0, 2); fibCfg.type = RTN_UNICAST;
  fibCfg.table = RT_TABLE_MAIN; fibCfg.protocol = RTPROT_BOOT; fibCfg.nlflags = 0x600;
  if (mtu != 0) {
    store<u16>(mx, 8); store<u16>(mx, <u16>RTAX_MTU, 2); store<u32>(mx, mtu, 4);
    store<u16>(mx, 8, 8); store<u16>(mx, <u16>RTAX_LOCK, 10); store<u32>(mx, lock ? 1 << RTAX_MTU : 0, 12);
    fibCfg.mx = <u32>mx; fibCfg.mxLen = 16;
  }
  return fibTableInsert(fibNewTable(RT_TABLE_MAIN), fibCfg);
}

describe("multipath", () => {
  beforeEach(() => { setup(); });

  it("spreads flows over the nexthops in proportion to their weights (3:1)", () => {
    expect(multipath(3, 1)).toBe(0);
    let first = 0;
    for (let i: u32 = 0; i < 4000; i++) {
      const rt = ipRouteOutput(A(20, (i >> 8) & 255, i & 255, 7), 0);
      if (rt!.gateway == A(10, 0, 0, 2)) first++;
    }
    expect(first).toBeGreaterThan(2700);
    expect(first).toBeLessThan(3300);
  });

  it("prefers the nexthops whose source address is the flow's (fib_select_multipath with saddr)", () => {
    multipath(1, 1);
    for (let i: u32 = 0; i < 200; i++) expect(ipRouteOutput(A(20, 3, 3, <u8>i), A(10, 1, 0, 1))!.gateway).toBe(A(10, 1, 0, 2));
  });

  it("keeps a flow on one path, and leaves a dead nexthop out", () => {
    multipath(1, 1);
    const g = ipRouteOutput(A(20, 1, 2, 3), A(10, 0, 0, 1))!.gateway;
    for (let i = 0; i < 10; i++) expect(ipRouteOutput(A(20, 1, 2, 3), A(10, 0, 0, 1))!.gateway).toBe(g);
    devChangeFlags(devGet(vb)!, 0);
    for (let i: u32 = 0; i < 200; i++) expect(ipRouteOutput(A(20, 9, 9, <u8>i), 0)!.gateway).toBe(A(10, 0, 0, 2));
  });

  it("with fib_multipath_hash_policy 1 the ports enter the hash (fibLookupBatch gives the same choices)", () => {
    multipath(1, 1);
    const addrs = memory.data(4 * 64), out = memory.data(8 * 64);
    for (let i: u32 = 0; i < 64; i++) store<u32>(addrs + (i << 2), A(20, 7, 7, <u8>i));
    fibLookupBatch(addrs, out, 64);
    let ones = 0;
    for (let i: u32 = 0; i < 64; i++) {
      const rt = ipRouteOutput(A(20, 7, 7, <u8>i), 0)!;
      expect(load<u32>(out + (i << 3))).toBe(rt.gateway);
      expect(load<u16>(out + (i << 3), 4)).toBe(<u16>rt.oif);
      if (rt.gateway == A(10, 0, 0, 2)) ones++;
    }
    expect(ones).toBeGreaterThan(10);
    expect(ones).toBeLessThan(54);
    expect(sysctlSet(Sysctl.fib_multipath_hash_policy, 1)).toBe(0);
    expect(sysctlSet(Sysctl.fib_multipath_hash_policy, 4)).toBe(-22);
  });
});

describe("exceptions: path MTU", () => {
  beforeEach(() => { setup(); });

  it("learns a smaller MTU for one destination only, and forgets it after mtu_expires (timer)", () => {
    viaRoute(0, false);
    expect(ipv4Mtu(ipRouteOutput(A(30, 1, 1, 1), 0)!)).toBe(1500);
    expect(ipv4UpdatePmtu(A(30, 1, 1, 1), A(10, 0, 0, 1), 0, 1, 0, 1400)).toBe(1);
    expect(fnheCount()).toBe(1);
    expect(ipv4Mtu(ipRouteOutput(A(30, 1, 1, 1), 0)!)).toBe(1400);
    expect(ipv4Mtu(ipRouteOutput(A(30, 1, 1, 2), 0)!)).toBe(1500);
    expect(ipv4UpdatePmtu(A(30, 1, 1, 1), A(10, 0, 0, 1), 0, 1, 0, 1480)).toBe(0);   // not smaller: ignored
    setNow(599999); timerRun(599999);
    expect(ipv4Mtu(ipRouteOutput(A(30, 1, 1, 1), 0)!)).toBe(1400);
    setNow(600000); timerRun(600000);
    expect(fnheCount()).toBe(0);
    expect(ipv4Mtu(ipRouteOutput(A(30, 1, 1, 1), 0)!)).toBe(1500);
  });

  it("clamps a report below min_pmtu to 552 and locks it", () => {
    viaRoute(0, false);
    expect(ipv4UpdatePmtu(A(30, 2, 2, 2), A(10, 0, 0, 1), 0, 1, 0, 300)).toBe(1);
    const rt = ipRouteOutput(A(30, 2, 2, 2), 0)!;
    expect(ipv4Mtu(rt)).toBe(552);
    expect(rt.mtuLocked).toBe(1);
  });

  it("ignores reports for a route whose MTU is locked (mtu lock), and uses the route's MTU metric", () => {
    viaRoute(1300, true);
    expect(ipv4Mtu(ipRouteOutput(A(30, 3, 3, 3), 0)!)).toBe(1300);
    expect(ipv4UpdatePmtu(A(30, 3, 3, 3), A(10, 0, 0, 1), 0, 1, 0, 1000)).toBe(0);
    expect(fnheCount()).toBe(0);
  });

  it("route flush cache (fnhe_genid_bump) makes exceptions stale: the next lookup resets one to nothing learned", () => {
    viaRoute(0, false);
    expect(ipv4UpdatePmtu(A(30, 4, 4, 4), A(10, 0, 0, 1), 0, 1, 0, 1400)).toBe(1);
    expect(ipRouteOutput(A(30, 4, 4, 4), 0)!.expires).toBe(600000);
    routeFlushCache();
    expect(fnheCount()).toBe(1);                       // kept, as the kernel keeps it
    const rt = ipRouteOutput(A(30, 4, 4, 4), 0)!;
    expect(ipv4Mtu(rt)).toBe(1500);
    expect(rt.expires).toBe(0);
    // no expiry left: the timer does not free it; a new report makes it current again
    setNow(700000); timerRun(700000);
    expect(fnheCount()).toBe(1);
    expect(ipv4UpdatePmtu(A(30, 4, 4, 4), A(10, 0, 0, 1), 0, 1, 0, 1400)).toBe(1);
    expect(ipv4Mtu(ipRouteOutput(A(30, 4, 4, 4), 0)!)).toBe(1400);
  });

  it("stays bounded under a flood of distinct destinations", () => {
    viaRoute(0, false);
    for (let i: u32 = 0; i < FNHE_MAX + 3000; i++) ipv4UpdatePmtu(A(30, (i >> 16) & 255, (i >> 8) & 255, i & 255), 0, 0, 1, 0, 1400);
    expect(fnheCount()).toBeLessThanOrEqual(FNHE_MAX);
  });
});

describe("exceptions: redirects", () => {
  beforeEach(() => { setup(); });

  it("accepts a redirect from the current gateway to a valid on-link neighbour, per destination", () => {
    viaRoute(0, false);
    const d = devGet(va)!;
    // the new gateway has no neighbour entry: __ip_do_redirect creates it and starts resolving it
    // (neigh_event_send: INCOMPLETE, one ARP probe), and learns nothing this time
    expect(neighLookup(A(10, 0, 0, 3), va)).toBeNull();
    expect(ipDoRedirect(A(30, 5, 5, 5), A(10, 0, 0, 1), 0, 0, A(10, 0, 0, 2), A(10, 0, 0, 3), d)).toBe(0);
    const n = neighLookup(A(10, 0, 0, 3), va)!;
    expect(n).not.toBeNull();
    expect(n.state).toBe(NUD_INCOMPLETE);
    expect(n.probes).toBe(1);
    expect(fnheCount()).toBe(0);
    // still being resolved: the next redirect neither learns nor probes again
    expect(ipDoRedirect(A(30, 5, 5, 5), A(10, 0, 0, 1), 0, 0, A(10, 0, 0, 2), A(10, 0, 0, 3), d)).toBe(0);
    expect(n.probes).toBe(1);
    const mac = memory.data<u8>([2, 0, 0, 0, 0, 3]);
    neighUpdate(n, mac, NUD_REACHABLE, true);
    // not from the current gateway: ignored
    expect(ipDoRedirect(A(30, 5, 5, 5), A(10, 0, 0, 1), 0, 0, A(10, 0, 0, 9), A(10, 0, 0, 3), d)).toBe(0);
    expect(ipDoRedirect(A(30, 5, 5, 5), A(10, 0, 0, 1), 0, 0, A(10, 0, 0, 2), A(10, 0, 0, 3), d)).toBe(1);
    const rt = ipRouteOutput(A(30, 5, 5, 5), 0)!;
    expect(rt.gateway).toBe(A(10, 0, 0, 3));
    expect(rt.flags & RTCF_REDIRECTED).toBe(RTCF_REDIRECTED);
    expect(ipRouteOutput(A(30, 5, 5, 6), 0)!.gateway).toBe(A(10, 0, 0, 2));
    // redirects age out after gc_timeout (300 s)
    setNow(300000); timerRun(300000);
    expect(ipRouteOutput(A(30, 5, 5, 5), 0)!.gateway).toBe(A(10, 0, 0, 2));
  });
});

