// Route lookups for the data path (book ch. 5; net/ipv4/route.c of a current kernel): ip_route_input
// (ip_route_input_slow, ip_route_input_mc), ip_route_output_key (ip_route_output_key_hash_rcu,
// __mkroute_output), fib_validate_source, ip_error, and path-MTU / redirect learning into nexthop
// exceptions. Every lookup goes through fib_lookup (rules.ts) into the FIB (fib.ts); there is no
// per-flow route cache (removed in 3.6): a result lives in a static Rtable until the next lookup of
// the same kind (the data path is run to completion).
import { NetDevice, devGet, devIndexLimit, IFF_UP, IFF_LOOPBACK } from "../core/netdev";
import { ifaFirst, inetAddrIsLocal, inetSelectAddr, inetAddrOnlink } from "../ipv4/devinet";
import { Skb, kfreeSkb, skbNetworkHeader } from "../core/skb";
import { Drop, IpMib, ipInc } from "../core/stats";
import { sysctl, Sysctl, devConf, DevConf, CONF_ALL } from "../core/sysctl";
import { jiffies } from "../core/dev";
import { neighLookup, neighLookupNoref, neighCreate, neighEventSend, NUD_VALID, NUD_REACHABLE, NUD_INCOMPLETE } from "../neigh/neighbour";
import { Flowi4, FibResult, fiNh, fiNhs, fiMetric, NH_OIF, NH_GW, NH_SCOPE, FI_PREFSRC, FI_PRIORITY, FI_FLAGS,
  FI_SCOPE, FI_MTU_LOCKED, FA_NEXT, FA_INFO, FA_TOS, FA_TYPE, TB_NUMDEFAULT, TB_DEFAULT, RTAX_MTU, RTAX_HOPLIMIT,
  RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST, RTN_UNREACHABLE, RT_SCOPE_LINK, RT_SCOPE_HOST,
  RT_SCOPE_UNIVERSE, RTNH_F_DEAD, FIB_LOOKUP_IGNORE_LINKSTATE, fibInfoUsesDev, fibResultPrefsrc,
  fibHasCustomRules, fibHasCustomLocalRoutes, inetAddrType, EINVAL, ENETUNREACH, EHOSTUNREACH, EACCES, ENODEV } from "./fib";
import { fibLookup } from "./rules";
import { fibMultipathHash, fibSelectMultipath, findException, rtBindException, updateOrCreateFnhe, fnheGw,
  fnhePmtu, fnheLocked, fnheExpires } from "./nexthop";
import { icmpSend, ICMP_DEST_UNREACH, ICMP_NET_UNREACH, ICMP_HOST_UNREACH, ICMP_PKT_FILTERED, ICMP_REDIRECT } from "../ipv4/icmp";

const ICMP_REDIR_HOST: u8 = 1;
import { memZero } from "../core/mem";
import { fibInit, fibFlushCache, fibLookupFastBatch, fibFastRest, fibPutResult, FIB_FAST_BATCH } from "./fib";
import { rulesInit } from "./rules";
import { nexthopInit } from "./nexthop";
import { rtnlRouteInit } from "../netlink/rtnl_route";
import { rtnlRuleInit } from "../netlink/rtnl_rule";

export { RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_MULTICAST, RTN_UNREACHABLE } from "./fib";

// rt_flags (include/uapi/linux/in_route.h)
export const RTCF_NOTIFY: u32 = 0x00010000;
export const RTCF_REDIRECTED: u32 = 0x00040000;
export const RTCF_DOREDIRECT: u32 = 0x01000000;
export const RTCF_BROADCAST: u32 = 0x10000000;
export const RTCF_MULTICAST: u32 = 0x20000000;
export const RTCF_LOCAL: u32 = 0x80000000;

const LOOPBACK_IFINDEX: u32 = 1;
const IPPROTO_IGMP: u8 = 2;
const IP_MAX_MTU: u32 = 0xFFFF;

/**
 * A lookup result: the parts of struct rtable the data path and `ip route get` read. One per lookup
 * kind; consumed before the next lookup of the same kind.
 */
@unmanaged export class Rtable {
  type: u8;
  usesGateway: u8; // rt_uses_gateway
  mtuLocked: u8;   // rt_mtu_locked (the learned PMTU was clamped)
  nhSel: u8;
  oif: u32;        // output device (dst.dev)
  gateway: u32;    // next hop (0 = on link: the destination itself)
  prefsrc: u32;    // source address to use (fl4.saddr after the lookup)
  flags: u32;      // RTCF_*
  error: i32;      // dst.error: errno an input error route reports (ip_error), 0 otherwise
  pmtu: u32;       // rt_pmtu from an exception, 0 = none
  iif: u32;        // rt_iif
  table: u32;      // id of the table that matched (0 = none)
  info: u32;       // fib_info of the result (0 = none: broadcast, multicast, on-link guess)
  expires: i64;    // dst.expires (from a learned exception), 0 = none
  tos: u8;         // tos of the matched alias
  prefixlen: u8;
  input: u8;       // rt_is_input
  pad: u8;
  prefix: u32;     // matched prefix (host order)
  alias: u32;      // matched alias list head
}
const rtIn = changetype<Rtable>(memory.data(offsetof<Rtable>()));
const rtOut = changetype<Rtable>(memory.data(offsetof<Rtable>()));
const rtAux = changetype<Rtable>(memory.data(offsetof<Rtable>()));
const flIn = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const flOut = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const resIn = changetype<FibResult>(memory.data(offsetof<FibResult>()));
const resOut = changetype<FibResult>(memory.data(offsetof<FibResult>()));
const resV = changetype<FibResult>(memory.data(offsetof<FibResult>()));
const flV = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));

// @ts-ignore: decorator
@inline function isMulticast(a: u32): bool { return (a & 0xF0) == 0xE0; }
// @ts-ignore: decorator
@inline function isLocalMulticast(a: u32): bool { return (a & 0xFFFFFF) == 0xE0; }   // 224.0.0.0/24
// @ts-ignore: decorator
@inline function isZeronet(a: u32): bool { return a == 0; }   // ipv4_is_zeronet: only 0.0.0.0 since 5.3 (0/8 is unicast)
// @ts-ignore: decorator
@inline function isLoopback(a: u32): bool { return (a & 0xFF) == 127; }
const ALL_HOSTS: u32 = 0x010000E0; // 224.0.0.1, joined on every device

function rtReset(rt: Rtable): void { memZero(changetype<usize>(rt), offsetof<Rtable>()); }

/** ip_check_mc_rcu: groups every device has joined (ip_mc_up joins all-hosts). */
function ipCheckMc(daddr: u32): bool { return daddr == ALL_HOSTS; }

// ---- path selection ----

/** fib_select_default: among equal default routes, prefer a gateway whose neighbour is alive. */
function fibSelectDefault(fl: Flowi4, res: FibResult): void {
  const tb = res.table;
  let fi: u32 = 0, fa1: u32 = 0;
  let order: i32 = -1;
  let lastPrio = load<u32>(res.info, FI_PRIORITY);
  let lastTos: u8 = 0;
  for (let fa = res.alias; fa != 0; fa = load<u32>(fa, FA_NEXT)) {
    const next = load<u32>(fa, FA_INFO);
    const tos = load<u8>(fa, FA_TOS);
    if (tos != 0 && tos != (fl.tos & 0x1C)) continue;
    if (load<u32>(next, FI_PRIORITY) > lastPrio && tos == lastTos) { if (lastTos != 0) continue; break; }
    if ((load<u32>(next, FI_FLAGS) & RTNH_F_DEAD) != 0) continue;
    lastTos = tos;
    lastPrio = load<u32>(next, FI_PRIORITY);
    if (load<u8>(next, FI_SCOPE) != res.scope || load<u8>(fa, FA_TYPE) != RTN_UNICAST) continue;
    const nh = fiNh(next, 0);
    if (load<u32>(nh, NH_GW) == 0 || load<u8>(nh, NH_SCOPE) != RT_SCOPE_LINK) continue;
    if (fi == 0) {
      if (next != res.info) break;
      fa1 = fa;
    } else if (!detectDeath(fi, order, load<i32>(tb, TB_DEFAULT))) {
      res.info = fi; res.nhSel = 0;
      store<i32>(tb, order, TB_DEFAULT);
      return;
    }
    fi = next;
    order++;
  }
  if (order <= 0 || fi == 0) { if (fa1 != 0) store<i32>(tb, -1, TB_DEFAULT); return; }
  if (!detectDeath(fi, order, load<i32>(tb, TB_DEFAULT))) {
    res.info = fi; res.nhSel = 0;
    store<i32>(tb, order, TB_DEFAULT);
    return;
  }
  if (ddLastIdx >= 0) { res.info = ddLastResort; res.nhSel = 0; }
  store<i32>(tb, ddLastIdx, TB_DEFAULT);
}
let ddLastResort: u32 = 0;
let ddLastIdx: i32 = -1;
/** fib_detect_death: is this default gateway's neighbour unusable? (no entry: assume alive) */
function detectDeath(fi: u32, order: i32, dflt: i32): bool {
  const nh = fiNh(fi, 0);
  const n = neighLookup(load<u32>(nh, NH_GW), load<u32>(nh, NH_OIF));
  if (n === null) return false;
  const state = n.state;
  if (state == NUD_REACHABLE) return false;
  if ((state & NUD_VALID) != 0 && order != dflt) return false;
  if ((state & NUD_VALID) != 0 || (ddLastIdx < 0 && order > dflt && state != NUD_INCOMPLETE)) {
    ddLastResort = fi; ddLastIdx = order;
  }
  return true;
}

/** fib_select_path: multipath by flow hash, or the default-route choice; then the source address. */
function fibSelectPath(fl: Flowi4, res: FibResult): void {
  const oifCheck = fl.oif == 0;
  if (fiNhs(res.info) > 1 && oifCheck) {
    fibSelectMultipath(res, fibMultipathHash(fl), fl.saddr);
  } else if (res.prefixlen == 0 && res.table != 0 && load<u32>(res.table, TB_NUMDEFAULT) > 1
    && res.type == RTN_UNICAST && oifCheck) {
    ddLastResort = 0; ddLastIdx = -1;
    fibSelectDefault(fl, res);
  }
  if (fl.saddr == 0) fl.saddr = fibResultPrefsrc(res);
}

/** rt_set_nexthop + rt_bind_exception: gateway, metrics' MTU, and a learned exception for daddr. */
function setNexthop(rt: Rtable, daddr: u32, res: FibResult, fi: u32): void {
  rt.pmtu = 0; rt.mtuLocked = 0; rt.expires = 0;
  if (fi == 0) return;
  const nh = fiNh(fi, res.nhSel);
  const gw = load<u32>(nh, NH_GW);
  if (gw != 0) { rt.gateway = gw; rt.usesGateway = 1; }
  const e = findException(nh, daddr);
  if (e != 0) {
    rtBindException(e);
    // fill_route_from_fnhe: the exception's expiry applies to a learned gateway as to a learned PMTU
    rt.pmtu = fnhePmtu(e);
    rt.mtuLocked = fnheLocked(e) ? 1 : 0;
    rt.expires = fnheExpires(e);
    if (fnheGw(e) != 0) { rt.gateway = fnheGw(e); rt.usesGateway = 1; rt.flags |= RTCF_REDIRECTED; }
  }
}

/** ip4_dst_hoplimit: the route's hoplimit metric, else net.ipv4.ip_default_ttl. */
export function ip4DstHoplimit(rt: Rtable): u8 {
  const h = rt.info != 0 ? fiMetric(rt.info, RTAX_HOPLIMIT) : 0;
  return <u8>(h != 0 ? h : <u32>sysctl(Sysctl.ip_default_ttl));
}

/** ipv4_mtu: learned PMTU while valid, else the route's MTU metric, else the device's. */
export function ipv4Mtu(rt: Rtable): u32 {
  let mtu = rt.pmtu;
  if (mtu == 0 || jiffies() >= rt.expires) mtu = rt.info != 0 ? fiMetric(rt.info, RTAX_MTU) : 0;
  if (mtu == 0) {
    const d = devGet(rt.oif);
    mtu = d !== null ? d.mtu : 0;
    if (rt.info != 0 && load<u8>(rt.info, FI_MTU_LOCKED) != 0 && rt.usesGateway != 0 && mtu > 576) mtu = 576;
  }
  return min(mtu, IP_MAX_MTU);
}

/** __mkroute_output. */
function mkrouteOutput(res: FibResult, fl: Flowi4, origOif: u32, dev: NetDevice, flagsIn: u32, rt: Rtable): i32 {
  let flags = flagsIn;
  let type = res.type;
  if (isLoopback(fl.saddr) && (dev.flags & IFF_LOOPBACK) == 0) return -EINVAL;
  if (fl.daddr == 0xFFFFFFFF) type = RTN_BROADCAST;
  else if (isMulticast(fl.daddr)) type = RTN_MULTICAST;
  else if (isZeronet(fl.daddr)) return -EINVAL;
  if ((dev.flags & IFF_LOOPBACK) != 0) flags |= RTCF_LOCAL;
  let fi = res.info;
  if (type == RTN_BROADCAST) { flags |= RTCF_BROADCAST | RTCF_LOCAL; fi = 0; }
  else if (type == RTN_MULTICAST) {
    flags |= RTCF_MULTICAST | RTCF_LOCAL;
    if (!ipCheckMc(fl.daddr)) flags &= ~RTCF_LOCAL;
    if (fi != 0 && res.prefixlen < 4) fi = 0;
  }
  rtReset(rt);
  rt.type = type;
  rt.flags = flags;
  rt.oif = dev.ifindex;
  rt.iif = origOif;
  rt.prefsrc = fl.saddr;
  rt.info = fi;
  rt.nhSel = res.nhSel;
  rt.table = res.table != 0 ? res.tableId : 0;
  rt.prefixlen = res.prefixlen;
  rt.prefix = res.prefix;
  rt.alias = res.alias;
  setNexthop(rt, fl.daddr, res, fi);
  return 0;
}

/**
 * ip_route_output_key_hash_rcu for the flow fl (daddr, saddr, tos, oif, mark, uid, proto, ports).
 * 0 with rt filled (fl.saddr becomes the chosen source), or -errno.
 */
export function ipRouteOutputFlow(fl: Flowi4, res: FibResult, rt: Rtable): i32 {
  let origOif = fl.oif;
  let dev: NetDevice | null = null;
  let flags: u32 = 0;
  fl.iif = LOOPBACK_IFINDEX;
  memZero(changetype<usize>(res), offsetof<FibResult>());
  res.type = RTN_UNICAST;
  if (fl.saddr != 0) {
    if (isMulticast(fl.saddr) || fl.saddr == 0xFFFFFFFF || isZeronet(fl.saddr)) return -EINVAL;
    if (fl.oif == 0 && (isMulticast(fl.daddr) || fl.daddr == 0xFFFFFFFF)) {
      const idx = inetAddrIsLocal(fl.saddr);
      if (idx == 0) return -ENETUNREACH;
      fl.oif = idx;
      return mkrouteOutput(res, fl, origOif, devGet(idx)!, flags, rt);
    }
    if (inetAddrIsLocal(fl.saddr) == 0) return -ENETUNREACH;
  }
  if (fl.oif != 0) {
    dev = devGet(fl.oif);
    if (dev === null) return -ENODEV;
    if ((dev.flags & IFF_UP) == 0) return -ENETUNREACH;
    if (isLocalMulticast(fl.daddr) || fl.daddr == 0xFFFFFFFF || fl.proto == IPPROTO_IGMP) {
      if (fl.saddr == 0) fl.saddr = inetSelectAddr(dev.ifindex, 0, RT_SCOPE_LINK);
      return mkrouteOutput(res, fl, origOif, dev, flags, rt);
    }
    if (fl.saddr == 0) {
      if (isMulticast(fl.daddr)) fl.saddr = inetSelectAddr(dev.ifindex, 0, fl.scope);
      else if (fl.daddr == 0) fl.saddr = inetSelectAddr(dev.ifindex, 0, RT_SCOPE_HOST);
    }
  }
  if (fl.daddr == 0) {
    fl.daddr = fl.saddr;
    if (fl.daddr == 0) { fl.daddr = 0x0100007F; fl.saddr = 0x0100007F; }
    dev = devGet(LOOPBACK_IFINDEX);
    if (dev === null) return -ENODEV;
    fl.oif = LOOPBACK_IFINDEX;
    res.type = RTN_LOCAL;
    flags |= RTCF_LOCAL;
    return mkrouteOutput(res, fl, origOif, dev, flags, rt);
  }
  const err = fibLookup(fl, res, 0);
  if (err != 0) {
    res.info = 0; res.table = 0;
    if (fl.oif != 0) {
      // "Apparently, routing tables are wrong. Assume that the destination is on link."
      if (fl.saddr == 0) fl.saddr = inetSelectAddr(fl.oif, 0, RT_SCOPE_LINK);
      res.type = RTN_UNICAST;
      return mkrouteOutput(res, fl, origOif, dev!, flags, rt);
    }
    return err;
  }
  if (res.type == RTN_LOCAL) {
    if (fl.saddr == 0) {
      const p = load<u32>(res.info, FI_PREFSRC);
      fl.saddr = p != 0 ? p : fl.daddr;
    }
    dev = devGet(LOOPBACK_IFINDEX);
    if (dev === null) return -ENODEV;
    origOif = load<u32>(fiNh(res.info, res.nhSel), NH_OIF);
    fl.oif = LOOPBACK_IFINDEX;
    flags |= RTCF_LOCAL;
    return mkrouteOutput(res, fl, origOif, dev, flags, rt);
  }
  fibSelectPath(fl, res);
  dev = devGet(load<u32>(fiNh(res.info, res.nhSel), NH_OIF));
  if (dev === null) return -ENODEV;
  return mkrouteOutput(res, fl, origOif, dev, flags, rt);
}

let lastOutErr: i32 = 0;
/** errno of the last failed ipRouteOutput (0 after a success). */
export function ipRouteOutputError(): i32 { return lastOutErr; }

/**
 * ip_route_output_key: where a locally generated packet to daddr goes. null = no route (the errno is
 * in ipRouteOutputError()).
 */
export function ipRouteOutput(daddr: u32, saddr: u32, tos: u8 = 0, oif: u32 = 0, mark: u32 = 0): Rtable | null {
  memZero(changetype<usize>(flOut), offsetof<Flowi4>());
  flOut.daddr = daddr; flOut.saddr = saddr; flOut.tos = tos & 0x1C; flOut.oif = oif; flOut.mark = mark;
  const err = ipRouteOutputFlow(flOut, resOut, rtOut);
  lastOutErr = err;
  if (err != 0) return null;
  return rtOut;
}

// ---- input ----

/** IN_DEV_RPFILTER: max(all, dev) of rp_filter. */
function rpFilter(ifindex: u32): i32 { return max(devConf(CONF_ALL, DevConf.rp_filter), devConf(ifindex, DevConf.rp_filter)); }
function txRedirects(ifindex: u32): bool {
  return devConf(CONF_ALL, DevConf.send_redirects) != 0 || devConf(ifindex, DevConf.send_redirects) != 0;
}
function inDevForward(ifindex: u32): bool { return devConf(ifindex, DevConf.forwarding) != 0; }

/**
 * fib_validate_source: 0 or 1 (the source is reachable back through this device with host scope),
 * -EINVAL for a martian, -EXDEV for a reverse-path failure.
 */
export function fibValidateSource(src: u32, dst: u32, tos: u8, oif: u32, dev: NetDevice, mark: u32): i32 {
  const r = rpFilter(dev.ifindex);
  if (r == 0 && (dev.ifindex != oif || !txRedirects(dev.ifindex))) {
    if (!fibHasCustomLocalRoutes() && !fibHasCustomRules()) {
      return inetAddrIsLocal(src) != 0 ? -EINVAL : 0;
    }
  }
  memZero(changetype<usize>(flV), offsetof<Flowi4>());
  flV.iif = oif != 0 ? oif : LOOPBACK_IFINDEX;
  flV.daddr = src;
  flV.saddr = dst;
  flV.tos = tos;
  const noAddr = ifaFirst(dev.ifindex) == 0;
  if (fibLookup(flV, resV, 0) != 0) return r != 0 ? -18 /* EXDEV */ : 0;
  if (resV.type != RTN_UNICAST) return -EINVAL;
  let devMatch = fibInfoUsesDev(resV.info, dev.ifindex);
  if (devMatch) return load<u8>(fiNh(resV.info, resV.nhSel), NH_SCOPE) >= RT_SCOPE_HOST ? 1 : 0;
  if (noAddr) return r != 0 ? -18 : 0;
  if (r == 1) return -18;
  flV.oif = dev.ifindex;
  let ret: i32 = 0;
  if (fibLookup(flV, resV, FIB_LOOKUP_IGNORE_LINKSTATE) == 0 && resV.type == RTN_UNICAST) {
    ret = load<u8>(fiNh(resV.info, resV.nhSel), NH_SCOPE) >= RT_SCOPE_HOST ? 1 : 0;
  }
  return ret;
}

const flS = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const resS = changetype<FibResult>(memory.data(offsetof<FibResult>()));

/**
 * fib_compute_spec_dst: the address a received packet "was for" (what ICMP replies come from and the
 * RR option records): its destination when the route was local; else the preferred source of the
 * route back to its sender, or an address of the input device.
 */
export function fibComputeSpecDst(skb: Skb): u32 {
  const iph = <usize>skbNetworkHeader(skb);
  if (skb.rtType == RTN_LOCAL) return load<u32>(iph + 16);
  const saddr = load<u32>(iph + 12);
  if (isZeronet(saddr)) return inetSelectAddr(skb.dev, saddr, RT_SCOPE_LINK);
  memZero(changetype<usize>(flS), offsetof<Flowi4>());
  flS.iif = LOOPBACK_IFINDEX; flS.daddr = saddr; flS.tos = load<u8>(iph + 1) & 0x1C;
  if (fibLookup(flS, resS, 0) == 0 && resS.info != 0) return fibResultPrefsrc(resS);
  return inetSelectAddr(skb.dev, saddr, RT_SCOPE_UNIVERSE);
}

/**
 * ip_rt_get_source: the address a router writes into an option for a packet leaving along rt: the
 * packet's source on an output route; on an input route the preferred source of the lookup with the
 * output device fixed, or an address of that device.
 */
export function ipRtGetSource(skb: Skb, rt: Rtable): u32 {
  const iph = <usize>skbNetworkHeader(skb);
  if (rt.input == 0) return load<u32>(iph + 12);
  memZero(changetype<usize>(flS), offsetof<Flowi4>());
  flS.daddr = load<u32>(iph + 16); flS.saddr = load<u32>(iph + 12); flS.tos = load<u8>(iph + 1) & 0x1C;
  flS.oif = rt.oif; flS.iif = skb.dev; flS.mark = skb.mark;
  if (fibLookup(flS, resS, 0) == 0 && resS.info != 0) return fibResultPrefsrc(resS);
  return inetSelectAddr(rt.oif, rt.gateway != 0 ? rt.gateway : flS.daddr, RT_SCOPE_UNIVERSE);
}

/** The local-input / broadcast / error route (ip_route_input_slow's local_input). */
function localInput(rt: Rtable, res: FibResult, type: u8, flags: u32, err: i32, iif: u32): i32 {
  rtReset(rt);
  rt.input = 1;
  rt.type = type;
  rt.flags = flags | RTCF_LOCAL;
  rt.oif = LOOPBACK_IFINDEX;
  rt.iif = iif;
  rt.info = res.info;
  rt.nhSel = res.nhSel;
  rt.table = res.table != 0 ? res.tableId : 0;
  rt.prefixlen = res.prefixlen;
  rt.prefix = res.prefix;
  rt.alias = res.alias;
  if (type == RTN_UNREACHABLE) { rt.error = -err; rt.flags &= ~RTCF_LOCAL; }
  return 0;
}

/**
 * ip_route_input_noref for flow fl (daddr, saddr, tos, mark) arriving on dev. 0 with rt filled (an
 * error route has type RTN_UNREACHABLE and rt.error set), or -errno for a martian (-EINVAL) or a
 * reverse-path failure (-EXDEV).
 */
export function ipRouteInputFlow(fl: Flowi4, dev: NetDevice, res: FibResult, rt: Rtable): i32 {
  const daddr = fl.daddr, saddr = fl.saddr;
  memZero(changetype<usize>(res), offsetof<FibResult>());
  rtReset(rt);
  if (isMulticast(daddr)) {
    // ip_route_input_mc for groups we are in (no multicast routing here)
    const our = ipCheckMc(daddr);
    if (!our) return -EINVAL;
    if (isMulticast(saddr) || saddr == 0xFFFFFFFF || isLoopback(saddr)) return -EINVAL;
    if (isZeronet(saddr)) {
      if (!isLocalMulticast(daddr) && fl.proto != IPPROTO_IGMP) return -EINVAL;
    } else {
      const v = fibValidateSource(saddr, 0, fl.tos, 0, dev, fl.mark);
      if (v < 0) return v;
    }
    rt.input = 1;
    rt.type = RTN_MULTICAST;
    rt.flags = RTCF_MULTICAST | RTCF_LOCAL;
    rt.oif = LOOPBACK_IFINDEX;
    rt.iif = dev.ifindex;
    return 0;
  }
  // ip_route_input_slow
  if (isMulticast(saddr) || saddr == 0xFFFFFFFF) return -EINVAL;
  let flags: u32 = 0;
  if (daddr == 0xFFFFFFFF || (saddr == 0 && daddr == 0)) return brdInput(fl, dev, res, rt, flags);
  if (isZeronet(saddr)) return -EINVAL;
  if (isZeronet(daddr)) return -EINVAL;
  if (isLoopback(daddr)) return -EINVAL;        // route_localnet is off
  if (isLoopback(saddr)) return -EINVAL;
  fl.oif = 0;
  fl.iif = dev.ifindex;
  fl.scope = RT_SCOPE_UNIVERSE;
  let err = fibLookup(fl, res, 0);
  if (err != 0) {
    if (!inDevForward(dev.ifindex)) err = -EHOSTUNREACH;
    res.info = 0; res.table = 0;
    return localInput(rt, res, RTN_UNREACHABLE, flags, err, dev.ifindex);
  }
  if (res.type == RTN_BROADCAST) return brdInput(fl, dev, res, rt, flags);
  if (res.type == RTN_LOCAL) {
    const v = fibValidateSource(saddr, daddr, fl.tos, 0, dev, fl.mark);
    if (v < 0) return v;
    return localInput(rt, res, RTN_LOCAL, flags, 0, dev.ifindex);
  }
  if (!inDevForward(dev.ifindex)) {
    res.info = 0; res.table = 0;
    return localInput(rt, res, RTN_UNREACHABLE, flags, -EHOSTUNREACH, dev.ifindex);
  }
  if (res.type != RTN_UNICAST) return -EINVAL;   // martian destination
  // ip_mkroute_input → __mkroute_input: a route to forward along
  if (fiNhs(res.info) > 1) fibSelectMultipath(res, fibMultipathHash(fl), 0);
  const outIf = load<u32>(fiNh(res.info, res.nhSel), NH_OIF);
  const out = devGet(outIf);
  if (out === null) return -EINVAL;
  const v = fibValidateSource(saddr, daddr, fl.tos, outIf, dev, fl.mark);
  if (v < 0) return v;
  rtReset(rt);
  rt.input = 1;
  rt.type = res.type;
  rt.oif = outIf;
  rt.iif = dev.ifindex;
  rt.info = res.info;
  rt.nhSel = res.nhSel;
  rt.table = res.tableId;
  rt.prefixlen = res.prefixlen;
  rt.prefix = res.prefix;
  rt.alias = res.alias;
  if (outIf == dev.ifindex && v != 0 && txRedirects(outIf)) rt.flags |= RTCF_DOREDIRECT;
  setNexthop(rt, daddr, res, res.info);
  return 0;
}

/** brd_input: a broadcast for us (the source must not be one of ours unless zero). */
function brdInput(fl: Flowi4, dev: NetDevice, res: FibResult, rt: Rtable, flagsIn: u32): i32 {
  if (!isZeronet(fl.saddr)) {
    const v = fibValidateSource(fl.saddr, 0, fl.tos, 0, dev, fl.mark);
    if (v < 0) return v;
  }
  return localInput(rt, res, RTN_BROADCAST, flagsIn | RTCF_BROADCAST, 0, dev.ifindex);
}

/**
 * ip_route_input for a received packet: the route type (RTN_LOCAL/BROADCAST/MULTICAST, RTN_UNICAST to
 * forward, RTN_UNREACHABLE with rt.error for ip_error), or type 0 for a martian.
 */
export function ipRouteInput(daddr: u32, saddr: u32, d: NetDevice, tos: u8 = 0, mark: u32 = 0, proto: u8 = 0): Rtable {
  if ((d.flags & IFF_LOOPBACK) != 0) {
    // A packet we looped back keeps its output route in the kernel (skb_dst survives loopback_xmit):
    // whatever arrives on lo is for us.
    rtReset(rtIn);
    rtIn.input = 1; rtIn.oif = LOOPBACK_IFINDEX; rtIn.iif = d.ifindex;
    if (isMulticast(daddr)) { rtIn.type = RTN_MULTICAST; rtIn.flags = RTCF_MULTICAST | RTCF_LOCAL; }
    else if (daddr == 0xFFFFFFFF || inetAddrType(daddr) == RTN_BROADCAST) {
      rtIn.type = RTN_BROADCAST; rtIn.flags = RTCF_BROADCAST | RTCF_LOCAL;
    } else { rtIn.type = RTN_LOCAL; rtIn.flags = RTCF_LOCAL; }
    return rtIn;
  }
  memZero(changetype<usize>(flIn), offsetof<Flowi4>());
  flIn.daddr = daddr; flIn.saddr = saddr; flIn.tos = tos & 0x1C; flIn.mark = mark; flIn.proto = proto;
  flIn.iif = d.ifindex;
  const err = ipRouteInputFlow(flIn, d, resIn, rtIn);
  if (err != 0) { rtReset(rtIn); rtIn.error = -err; }
  return rtIn;
}

// ---- inet_peer: per-source state of ip_error and ip_rt_send_redirect ----
// A direct-mapped cache of sources: {addr u32, n_redirects u32, rate_tokens i64, rate_last i64};
// a new peer starts with no tokens and rate_last a minute ago (inet_getpeer).
const ERR_PEERS: u32 = 256;
let errPeers: usize = 0;
const P_REDIRECTS = 4, P_TOKENS = 8, P_LAST = 16;

function inetPeer(saddr: u32, now: i64): usize {
  if (errPeers == 0) { errPeers = heap.alloc(<usize>ERR_PEERS * 24); memory.fill(errPeers, 0, <usize>ERR_PEERS * 24); }
  const p = errPeers + <usize>((saddr * 0x9E3779B1) >>> 24) * 24;
  if (load<u32>(p) != saddr || load<i64>(p, P_LAST) == 0) {
    store<u32>(p, saddr); store<u32>(p, 0, P_REDIRECTS); store<i64>(p, 0, P_TOKENS); store<i64>(p, now - 60000 - 1, P_LAST);
  }
  return p;
}

// ---- ip_error: what an input error route does ----
// rate limit per source: ip_rt_error_cost (1 s) tokens per message, burst 5 s.
function errPeerAllow(saddr: u32, now: i64): bool {
  const p = inetPeer(saddr, now);
  let tokens = load<i64>(p, P_TOKENS) + (now - load<i64>(p, P_LAST));
  if (tokens > 5000) tokens = 5000;
  store<i64>(p, now, P_LAST);
  let send = false;
  if (tokens >= 1000) { tokens -= 1000; send = true; }
  store<i64>(p, tokens, P_TOKENS);
  return send;
}

/**
 * ip_fib_init + ip_rt_init: empty tables, the boot rules, no exceptions, and the rtnetlink handlers
 * for routes and rules (engine init; a fresh namespace).
 */
export function ipFibInit(): void {
  fibInit();
  rulesInit();
  nexthopInit();
  if (errPeers != 0) memory.fill(errPeers, 0, <usize>ERR_PEERS * 24);
  rtnlRouteInit();
  rtnlRuleInit();
}

/**
 * ip_error: with forwarding off count InAddrErrors/InNoRoutes and drop silently; with it on answer
 * EHOSTUNREACH with host unreachable, ENETUNREACH with net unreachable (InNoRoutes) and EACCES with
 * "packet filtered" (a current kernel's prohibit; the book's 3.9 fast path could turn a prohibit
 * into ENETUNREACH), rate-limited per source; EINVAL (blackhole) is dropped silently.
 */
export function ipError(skb: Skb, rt: Rtable, d: NetDevice): void {
  const e = rt.error;
  if (!inDevForward(d.ifindex)) {
    if (e == EHOSTUNREACH) { ipInc(IpMib.InAddrErrors); kfreeSkb(skb, Drop.IP_INADDRERRORS); return; }
    if (e == ENETUNREACH) { ipInc(IpMib.InNoRoutes); kfreeSkb(skb, Drop.IP_NOROUTE); return; }
    kfreeSkb(skb, Drop.NOT_SPECIFIED);
    return;
  }
  let code: u8 = 0;
  if (e == EHOSTUNREACH) code = ICMP_HOST_UNREACH;
  else if (e == ENETUNREACH) { code = ICMP_NET_UNREACH; ipInc(IpMib.InNoRoutes); }
  else if (e == EACCES) code = ICMP_PKT_FILTERED;
  else { kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }
  if (errPeerAllow(load<u32>(skb.data + 12), jiffies())) icmpSend(skb, ICMP_DEST_UNREACH, code, 0);
  kfreeSkb(skb, e == ENETUNREACH ? Drop.IP_NOROUTE : Drop.NOT_SPECIFIED);
}

// ---- ip_rt_send_redirect ----
// Per source: the k-th redirect waits ip_rt_redirect_load (HZ/50 = 20 ms) << k after the last one;
// after ip_rt_redirect_number (9) none until the source has been quiet for ip_rt_redirect_silence
// ((HZ/50) << 10 ms), which starts the count again.
const REDIRECT_NUMBER: u32 = 9;
const REDIRECT_LOAD: i64 = 20;
const REDIRECT_SILENCE: i64 = 20 << 10;

/** ip_rt_send_redirect for a packet being forwarded along rt: ICMP redirect (host) to its sender. */
export function ipRtSendRedirect(skb: Skb, rt: Rtable): void {
  if (!txRedirects(rt.oif)) return;
  const iph = <usize>skb.data;
  const now = jiffies();
  const p = inetPeer(load<u32>(iph + 12), now);
  if (now > load<i64>(p, P_LAST) + REDIRECT_SILENCE) { store<i64>(p, 0, P_TOKENS); store<u32>(p, 0, P_REDIRECTS); }
  const n = load<u32>(p, P_REDIRECTS);
  if (n >= REDIRECT_NUMBER) { store<i64>(p, now, P_LAST); return; }
  if (n == 0 || now > load<i64>(p, P_LAST) + (REDIRECT_LOAD << n)) {
    // rt_nexthop: the gateway, or the destination itself on a direct route
    const gw = rt.usesGateway != 0 ? rt.gateway : load<u32>(iph + 16);
    icmpSend(skb, ICMP_REDIRECT, ICMP_REDIR_HOST, bswap<u32>(gw));
    store<i64>(p, now, P_LAST);
    store<u32>(p, n + 1, P_REDIRECTS);
  }
}

/**
 * ip_dst_mtu_maybe_forward(forwarding): a forwarded packet meets the route's MTU metric or the
 * device's MTU; a learned PMTU counts only when the MTU is locked (ip_forward_use_pmtu is 0).
 */
export function rtDstMtuForward(rt: Rtable, d: NetDevice): u32 {
  const locked = rt.mtuLocked != 0 || (rt.info != 0 && load<u8>(rt.info, FI_MTU_LOCKED) != 0);
  if (locked && rt.pmtu != 0 && jiffies() < rt.expires) return min(rt.pmtu, IP_MAX_MTU);
  let mtu = rt.info != 0 ? fiMetric(rt.info, RTAX_MTU) : 0;
  if (mtu == 0) {
    mtu = d.mtu;
    if (locked && rt.usesGateway != 0 && mtu > 576) mtu = 576;
  }
  return min(mtu, IP_MAX_MTU);
}

// ---- learning: PMTU and redirects (nexthop exceptions) ----

const flL = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const resL = changetype<FibResult>(memory.data(offsetof<FibResult>()));

/**
 * ipv4_update_pmtu → __ip_rt_update_pmtu for a packet we sent (daddr, saddr, tos, proto, mark) that
 * a router reported too big for `mtu`. Nothing is learned when the route's MTU is locked or the report
 * is not below the current MTU; below min_pmtu the value is clamped and locked. Returns 1 if learned.
 */
export function ipv4UpdatePmtu(daddr: u32, saddr: u32, tos: u8, proto: u8, mark: u32, mtuIn: u32): i32 {
  memZero(changetype<usize>(flL), offsetof<Flowi4>());
  flL.daddr = daddr; flL.saddr = saddr; flL.tos = tos & 0x1C; flL.proto = proto; flL.mark = mark;
  if (ipRouteOutputFlow(flL, resL, rtAux) != 0) return 0;
  // ip_mtu_locked: the route's MTU metric is locked, or an exception locked the PMTU already
  if ((rtAux.info != 0 && load<u8>(rtAux.info, FI_MTU_LOCKED) != 0) || rtAux.mtuLocked != 0) return 0;
  const old = ipv4Mtu(rtAux);
  let mtu = mtuIn;
  if (old < mtu) return 0;
  let lock = false;
  const minPmtu = <u32>sysctl(Sysctl.route_min_pmtu);
  if (mtu < minPmtu) { lock = true; mtu = min(old, minPmtu); }
  const expires = <i64>sysctl(Sysctl.route_mtu_expires) * 1000;
  if (rtAux.pmtu == mtu && !lock && jiffies() < rtAux.expires - expires / 2) return 0;
  // __ip_rt_update_pmtu looks the flow up again and records on the chosen nexthop
  memZero(changetype<usize>(flL), offsetof<Flowi4>());
  flL.daddr = daddr; flL.saddr = saddr; flL.tos = tos & 0x1C; flL.proto = proto; flL.mark = mark;
  flL.iif = LOOPBACK_IFINDEX;
  if (fibLookup(flL, resL, 0) != 0 || resL.info == 0) return 0;
  fibSelectPath(flL, resL);
  updateOrCreateFnhe(fiNh(resL.info, resL.nhSel), daddr, 0, mtu, lock, jiffies() + expires);
  return 1;
}

/**
 * __ip_do_redirect for a packet we sent to daddr: accept newGw from oldGw (the ICMP's source) only if
 * oldGw is the route's current gateway, newGw is a unicast on-link address other than oldGw and
 * redirects are accepted on the device. newGw's neighbour entry (on the route's device) must be valid:
 * if not, it is created and resolution starts (neigh_event_send) and nothing is learned this time — a
 * later redirect, once the gateway has answered, is. Then remember newGw for daddr. Returns 1 if learned.
 */
export function ipDoRedirect(daddr: u32, saddr: u32, tos: u8, mark: u32, oldGw: u32, newGw: u32, d: NetDevice): i32 {
  memZero(changetype<usize>(flL), offsetof<Flowi4>());
  flL.daddr = daddr; flL.saddr = saddr; flL.tos = tos & 0x1C; flL.mark = mark;
  if (ipRouteOutputFlow(flL, resL, rtAux) != 0) return 0;
  if (rtAux.gateway != oldGw) return 0;
  if (newGw == oldGw) return 0;
  const accept = devConf(d.ifindex, DevConf.forwarding) != 0
    ? devConf(CONF_ALL, DevConf.accept_redirects) != 0 && devConf(d.ifindex, DevConf.accept_redirects) != 0
    : devConf(CONF_ALL, DevConf.accept_redirects) != 0 || devConf(d.ifindex, DevConf.accept_redirects) != 0;
  if (!accept) return 0;
  if (isMulticast(newGw) || newGw == 0xFFFFFFFF || isZeronet(newGw)) return 0;
  const shared = devConf(CONF_ALL, DevConf.shared_media) != 0 || devConf(d.ifindex, DevConf.shared_media) != 0;
  if (!shared) {
    if (!inetAddrOnlink(d.ifindex, newGw, oldGw)) return 0;
  } else if (inetAddrTypeUnicast(newGw) == false) return 0;
  const out = devGet(rtAux.oif);
  if (out === null) return 0;
  let n = neighLookupNoref(newGw, out.ifindex);
  if (n === null) n = neighCreate(newGw, out);
  if (n === null) return 0;
  if ((n.state & NUD_VALID) == 0) { neighEventSend(n, out, null); return 0; }
  memZero(changetype<usize>(flL), offsetof<Flowi4>());
  flL.daddr = daddr; flL.saddr = saddr; flL.tos = tos & 0x1C; flL.mark = mark; flL.iif = LOOPBACK_IFINDEX;
  if (fibLookup(flL, resL, 0) != 0 || resL.info == 0) return 0;
  fibSelectPath(flL, resL);
  updateOrCreateFnhe(fiNh(resL.info, resL.nhSel), daddr, newGw, 0, false,
    jiffies() + <i64>sysctl(Sysctl.route_gc_timeout) * 1000);
  return 1;
}

/**
 * icmp_err: an ICMP error about an echo reply we sent (skb.data at the ICMP header, the offending IP
 * header and 8 bytes after it, checked by icmp_socket_deliver). "Fragmentation needed" teaches the path
 * MTU, a redirect (any of its four codes) a gateway, both for the original destination.
 */
export function icmpErrLearn(skb: Skb): void {
  const p = <usize>skb.data;
  const type = load<u8>(p), code = load<u8>(p + 1);
  const inner = p + 8;
  const daddr = load<u32>(inner + 16), saddr = load<u32>(inner + 12), tos = load<u8>(inner + 1);
  // the flow keys of ipv4_update_pmtu / ipv4_redirect: protocol ICMP, mark 0 (fwmark_reflect is off)
  if (type == 3 && code == 4) {                       // ICMP_DEST_UNREACH / ICMP_FRAG_NEEDED
    // ip_no_pmtu_disc (icmp_unreach): 0 takes the reported MTU; 2 ignores it, and so does 3 for ICMP
    // (not a protocol with strict tag validation); any other value reports 0, which locks the minimum
    const mode = sysctl(Sysctl.ip_no_pmtu_disc);
    if (mode == 2 || mode == 3) return;
    const mtu = mode == 0 ? (<u32>load<u8>(p + 6) << 8) | <u32>load<u8>(p + 7) : 0;
    ipv4UpdatePmtu(daddr, saddr, tos, 1, 0, mtu);
  } else if (type == 5 && (code & 7) <= 3) {          // ICMP_REDIRECT: NET/HOST/NETTOS/HOSTTOS, code & 7
    const d = devGet(skb.dev);
    if (d === null) return;
    ipDoRedirect(daddr, saddr, tos, 0, load<u32>(skbNetworkHeader(skb) + 12), load<u32>(p + 4), d);
  }
}

function inetAddrTypeUnicast(a: u32): bool {
  memZero(changetype<usize>(flV), offsetof<Flowi4>());
  flV.daddr = a;
  if (fibLookup(flV, resV, 0) != 0) return true;   // no route: RTN_UNICAST as inet_addr_type says
  return resV.type == RTN_UNICAST;
}

// ---- batched lookups (data path, benchmarks) ----
const flB = changetype<Flowi4>(memory.data(offsetof<Flowi4>()));
const resB = changetype<FibResult>(memory.data(offsetof<FibResult>()));

/**
 * n destination addresses (network order u32) at `addrs` → n results of 8 bytes at `out`:
 * {u32 next hop (the gateway, or the destination itself when on link), u16 oif, u8 route type,
 * u8 errno (0 = ok)}. Each is a full fib_lookup through the rules plus path selection; chunks go
 * through fibLookupFastBatch first and only the addresses it cannot settle run fibLookup.
 */
export function fibLookupBatch(addrs: usize, out: usize, n: i32): void {
  const restIdx = fibFastRest();
  for (let base = 0; base < n; base += FIB_FAST_BATCH) {
    const m = min(FIB_FAST_BATCH, n - base);
    const a = addrs + (<usize>base << 2);
    const ob = out + (<usize>base << 3);
    const rest = fibLookupFastBatch(a, ob, m);
    for (let j = 0; j < rest; j++) {
      const i = load<u32>(restIdx + (<usize>j << 2));
      const daddr = load<u32>(a + (<usize>i << 2));
      const o = ob + (<usize>i << 3);
      flB.daddr = daddr; flB.saddr = 0; flB.oif = 0; flB.iif = LOOPBACK_IFINDEX; flB.mark = 0; flB.tos = 0;
      flB.scope = 0; flB.proto = 0; flB.sport = 0; flB.dport = 0; flB.uid = 0;
      const err = fibLookup(flB, resB, 0);
      if (err != 0) { fibPutResult(o, 0, 0, 0, -err); continue; }
      if (fiNhs(resB.info) > 1) fibSelectMultipath(resB, fibMultipathHash(flB), 0);
      const nh = fiNh(resB.info, resB.nhSel);
      const gw = load<u32>(nh, NH_GW);
      fibPutResult(o, gw != 0 ? gw : daddr, load<u32>(nh, NH_OIF), resB.type, 0);
    }
  }
}

/** `ip route flush cache` (/proc/sys/net/ipv4/route/flush): learned exceptions are forgotten. */
export function routeFlushCache(): void { fibFlushCache(); }
