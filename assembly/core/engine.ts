// Engine lifecycle: size every pool once from the host's configuration, then run NAPI-style polls.
// The core reads no clock and no entropy: `now` and the PRNG seed come from the host (DESIGN "Time").
import { skbPoolInit } from "./skb";
import { netdevInit } from "./netdev";
import { ringInit } from "./ring";
import { statsInit } from "./stats";
import { sysctlInit, sysctl, Sysctl } from "./sysctl";
import { prandomSeed } from "./random";
import { timerInit, timerRun } from "./timer";
import { devInit, devCreateLoopback, netRxAction, setNow, backlogLen } from "./dev";
import { devinetInit } from "../ipv4/devinet";
import { neighInit } from "../neigh/neighbour";
import { ipfragInit } from "../ipv4/ip_fragment";
import { rtnlNeighInit } from "../netlink/rtnl_neigh";
import { ipOutputInit } from "../ipv4/output";
import { icmpInit } from "../ipv4/icmp";
import { ipFibInit } from "../route/route";
import { rtnetlinkInit } from "../netlink/rtnetlink";

/**
 * Build a fresh engine: nbufs packet buffers of 2^bufShift bytes, nskbs skb structs, maxTimers timers.
 * Like a new network namespace it has only `lo`, down. Call once per instance.
 */
export function engineInit(seed: u64, nbufs: u32, bufShift: u32, nskbs: u32, maxTimers: i32): void {
  prandomSeed(seed);
  statsInit();
  sysctlInit();
  skbPoolInit(nbufs, bufShift, nskbs);
  netdevInit();
  ringInit();
  timerInit(maxTimers);
  devInit();
  devinetInit();
  neighInit();
  ipOutputInit();
  ipfragInit();
  icmpInit();
  ipFibInit();
  rtnlNeighInit();
  rtnetlinkInit();
  devCreateLoopback();
}

/**
 * One poll at host time `now` (ms): run due timers, then up to `budget` frames per NIC plus the backlog
 * (net_rx_action). Returns the work done; the host polls again while work == budget or backlogLen() > 0.
 */
export function poll(now: i64, budget: i32): i32 {
  setNow(now);
  timerRun(now);
  const b = budget > 0 ? budget : sysctl(Sysctl.dev_weight);
  return netRxAction(b) + (backlogLen() > 0 ? netRxAction(b) : 0);
}
