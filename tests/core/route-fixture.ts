// Shared setup for the routing specs: an engine with lo up and a veth pair va/vb, both up,
// va 10.0.0.1/24 and vb 10.1.0.1/16 (the kernel derives local, broadcast and prefix routes from them).
import { engineInit } from "../../assembly/core/engine";
import { devCreateVeth, devChangeFlags } from "../../assembly/core/dev";
import { devGet, IFF_UP } from "../../assembly/core/netdev";
import { inetAddrAdd, RT_SCOPE_UNIVERSE } from "../../assembly/ipv4/devinet";

/** An IPv4 address as the core holds it (network order as loaded from a packet). */
// @ts-ignore: decorator
@inline export function A(a: u32, b: u32, c: u32, d: u32): u32 { return a | (b << 8) | (c << 16) | (d << 24); }

export function name(s: string): usize { return changetype<usize>(String.UTF8.encode(s)); }

/** Build the engine and the pair; returns va's ifindex (vb is its peer). */
export function vethPair(maxTimers: i32 = 1024): u32 {
  engineInit(1, 64, 11, 64, maxTimers);
  devChangeFlags(devGet(1)!, IFF_UP);
  const va = <u32>devCreateVeth(name("va"), 2, name("vb"), 2);
  const vb = devGet(va)!.peer;
  devChangeFlags(devGet(va)!, IFF_UP);
  devChangeFlags(devGet(vb)!, IFF_UP);
  inetAddrAdd(va, A(10, 0, 0, 1), A(10, 0, 0, 1), 24, 0, RT_SCOPE_UNIVERSE, 0, 0, 0);
  inetAddrAdd(vb, A(10, 1, 0, 1), A(10, 1, 0, 1), 16, 0, RT_SCOPE_UNIVERSE, 0, 0, 0);
  return va;
}
