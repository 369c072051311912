// The engine's tunables, under the kernel's sysctl names (the host maps "net.ipv4.ip_forward" etc. to these
// ids; see host/sysctl.ts). Global values plus per-device IPv4 conf (net.ipv4.conf.<dev>.*) with the
// kernel's "all"/"default" rules: a new device copies "default".
import { MAX_DEVICES } from "./netdev";

export const enum Sysctl {
  ip_forward, ip_default_ttl, icmp_echo_ignore_all, icmp_echo_ignore_broadcasts,
  icmp_ignore_bogus_error_responses, icmp_ratelimit, icmp_ratemask, icmp_msgs_per_sec, icmp_msgs_burst,
  icmp_errors_use_inbound_ifaddr, ipfrag_time, ipfrag_high_thresh, ipfrag_low_thresh,
  netdev_max_backlog, netdev_budget, dev_weight,
  // neigh.default.* for IPv4 (ARP)
  neigh_mcast_solicit, neigh_ucast_solicit, neigh_app_solicit, neigh_retrans_time_ms,
  neigh_base_reachable_time_ms, neigh_delay_first_probe_time, neigh_gc_stale_time, neigh_unres_qlen,
  neigh_gc_thresh1, neigh_gc_thresh2, neigh_gc_thresh3, neigh_locktime,
  // routing (route/nexthop.ts): multipath hash, path MTU and redirect exceptions (seconds)
  fib_multipath_hash_policy, fib_multipath_use_neigh, route_mtu_expires, route_min_pmtu, route_gc_timeout,
  ipfrag_max_dist, ip_no_pmtu_disc,
  COUNT
}
// Full names, same order (the host looks them up here; "named once").
export const SYSCTL_NAMES: string =
  "net.ipv4.ip_forward,net.ipv4.ip_default_ttl,net.ipv4.icmp_echo_ignore_all,net.ipv4.icmp_echo_ignore_broadcasts," +
  "net.ipv4.icmp_ignore_bogus_error_responses,net.ipv4.icmp_ratelimit,net.ipv4.icmp_ratemask," +
  "net.ipv4.icmp_msgs_per_sec,net.ipv4.icmp_msgs_burst,net.ipv4.icmp_errors_use_inbound_ifaddr," +
  "net.ipv4.ipfrag_time,net.ipv4.ipfrag_high_thresh,net.ipv4.ipfrag_low_thresh," +
  "net.core.netdev_max_backlog,net.core.netdev_budget,net.core.dev_weight," +
  "net.ipv4.neigh.default.mcast_solicit,net.ipv4.neigh.default.ucast_solicit,net.ipv4.neigh.default.app_solicit," +
  "net.ipv4.neigh.default.retrans_time_ms,net.ipv4.neigh.default.base_reachable_time_ms," +
  "net.ipv4.neigh.default.delay_first_probe_time,net.ipv4.neigh.default.gc_stale_time," +
  "net.ipv4.neigh.default.unres_qlen,net.ipv4.neigh.default.gc_thresh1,net.ipv4.neigh.default.gc_thresh2," +
  "net.ipv4.neigh.default.gc_thresh3,net.ipv4.neigh.default.locktime," +
  "net.ipv4.fib_multipath_hash_policy,net.ipv4.fib_multipath_use_neigh,net.ipv4.route.mtu_expires," +
  "net.ipv4.route.min_pmtu,net.ipv4.route.gc_timeout,net.ipv4.ipfrag_max_dist,net.ipv4.ip_no_pmtu_disc";
// Inclusive ranges the kernel enforces (proc_dointvec_minmax); others accept any int.
const MINS: StaticArray<i32> = [
  i32.MIN_VALUE, 1, i32.MIN_VALUE, i32.MIN_VALUE, i32.MIN_VALUE, i32.MIN_VALUE, i32.MIN_VALUE, 0, 0, i32.MIN_VALUE,
  i32.MIN_VALUE, 0, 0, i32.MIN_VALUE, i32.MIN_VALUE, 1, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, i32.MIN_VALUE, 68, i32.MIN_VALUE,
  0, i32.MIN_VALUE,
];
const MAXS: StaticArray<i32> = [
  i32.MAX_VALUE, 255, 1, 1, 1, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, 1,
  i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE,
  i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE,
  i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE, i32.MAX_VALUE,
  3, 1, i32.MAX_VALUE, 65535, i32.MAX_VALUE,
  i32.MAX_VALUE, i32.MAX_VALUE,
];

// Kernel defaults, same order.
const DEFAULTS: StaticArray<i32> = [
  0, 64, 0, 1,
  1, 1000, 0x1818, 1000, 50,
  0, 30, 4194304, 3145728,
  1000, 300, 64,
  3, 3, 0, 1000,
  30000, 5, 60, 101,
  128, 512, 1024, 100,
  0, 0, 600, 552, 300,
  64, 0,
];

// net.ipv4.conf.<dev>.* ids.
export const enum DevConf {
  forwarding, rp_filter, accept_redirects, send_redirects, accept_source_route, arp_ignore, arp_announce,
  arp_filter, arp_accept, proxy_arp, log_martians, shared_media, secure_redirects, ignore_routes_with_linkdown, COUNT
}
export const DEVCONF_NAMES: string =
  "forwarding,rp_filter,accept_redirects,send_redirects,accept_source_route,arp_ignore,arp_announce,arp_filter," +
  "arp_accept,proxy_arp,log_martians,shared_media,secure_redirects,ignore_routes_with_linkdown";
// ipv4_devconf_dflt; conf/all (ipv4_devconf) differs only in accept_source_route, which is 0 there
const CONF_DEFAULTS: StaticArray<i32> = [0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0];
// Slots: 0 = "all", MAX_DEVICES = "default", 1..MAX_DEVICES-1 = ifindex.
export const CONF_ALL: u32 = 0;
export const CONF_DEFAULT: u32 = MAX_DEVICES;

let values: usize = 0;
let conf: usize = 0;

export function sysctlInit(): void {
  if (values == 0) {
    values = heap.alloc(<usize>Sysctl.COUNT << 2);
    conf = heap.alloc(<usize>(MAX_DEVICES + 1) * DevConf.COUNT << 2);
  }
  for (let i = 0; i < Sysctl.COUNT; i++) store<i32>(values + (<usize>i << 2), DEFAULTS[i]);
  confReset(CONF_ALL);
  confReset(CONF_DEFAULT);
  for (let s: u32 = 1; s < MAX_DEVICES; s++) confReset(s);
}

export function confReset(slot: u32): void {
  const src = slot == CONF_ALL || slot == CONF_DEFAULT || conf == 0 ? 0 : 1;
  for (let i = 0; i < DevConf.COUNT; i++) {
    let v = src == 0 ? CONF_DEFAULTS[i] : load<i32>(conf + ((<usize>CONF_DEFAULT * DevConf.COUNT + i) << 2));
    if (slot == CONF_ALL && i == DevConf.accept_source_route) v = 0;
    store<i32>(conf + ((<usize>slot * DevConf.COUNT + i) << 2), v);
  }
}

// @ts-ignore: decorator
@inline export function sysctl(id: Sysctl): i32 { return load<i32>(values + (<usize>id << 2)); }

/** Write a tunable: -EINVAL outside its range. net.ipv4.ip_forward is conf.all.forwarding (devinet_sysctl_forward). */
export function sysctlSet(id: i32, v: i32): i32 {
  if (id < 0 || id >= Sysctl.COUNT) return -22;
  if (v < MINS[id] || v > MAXS[id]) return -22;
  store<i32>(values + (<usize>id << 2), v);
  if (id == Sysctl.ip_forward) {
    for (let s: u32 = 0; s <= MAX_DEVICES; s++) store<i32>(conf + ((<usize>s * DevConf.COUNT + DevConf.forwarding) << 2), v);
  }
  return 0;
}
export function sysctlGet(id: i32): i32 { return id < 0 || id >= Sysctl.COUNT ? 0 : sysctl(<Sysctl>id); }

// @ts-ignore: decorator
@inline export function devConf(slot: u32, id: DevConf): i32 {
  return load<i32>(conf + ((<usize>slot * DevConf.COUNT + id) << 2));
}

/** IN_DEV_FORWARD etc.: per-device value (the kernel reads the device's own slot for forwarding). */
export function devConfSet(slot: u32, id: i32, v: i32): i32 {
  if (id < 0 || id >= DevConf.COUNT || slot > MAX_DEVICES) return -22;
  store<i32>(conf + ((<usize>slot * DevConf.COUNT + id) << 2), v);
  // Writing conf.all.forwarding sets every device's forwarding and ip_forward (devinet_sysctl_forward).
  if (slot == CONF_ALL && id == DevConf.forwarding) sysctlSet(Sysctl.ip_forward, v);
  return 0;
}
export function devConfGet(slot: u32, id: i32): i32 {
  return id < 0 || id >= DevConf.COUNT || slot > MAX_DEVICES ? 0 : devConf(slot, <DevConf>id);
}
