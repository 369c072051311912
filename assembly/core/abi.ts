// Small helpers the host needs to read the core's memory: layouts and counter names.
// Control path only (they run once at load); names are defined once, in stats.ts.
import { devGet, NetDevice, DEV_KIND_NIC } from "./netdev";
import { IP_MIB_NAMES, ICMP_MIB_NAMES, UDP_MIB_NAMES, TCP_MIB_NAMES, TCP_MIB_OFF, ARP_STAT_NAMES, DROP_NAMES, COUNTERS_TOTAL,
  IP_MIB_OFF, ICMP_MIB_OFF, ICMPMSG_IN_OFF, ICMPMSG_OUT_OFF, UDP_MIB_OFF, ARP_STAT_OFF, DROP_OFF,
  countersBase as base } from "./stats";
import { SYSCTL_NAMES, DEVCONF_NAMES } from "./sysctl";

/** Ring block of a NIC (four rings, see ring.ts), 0 when ifindex is not a NIC. */
export function abiNicRing(ifindex: u32): usize {
  const d = devGet(ifindex);
  return d !== null && d.kind == DEV_KIND_NIC ? <usize>d.ring : 0;
}

export function countersBase(): usize { return base(); }
export function countersTotal(): i32 { return COUNTERS_TOTAL; }

let namesBuf: ArrayBuffer | null = null;

/**
 * The counter layout as UTF-8 text: "section offset name,name,…" lines, one per block, in block order.
 * Returns the address; the length is at address - 4 (an ArrayBuffer's byteLength). IcmpMsg blocks have
 * 256 entries named by type by the host.
 */
export function abiCounterNames(): usize {
  if (namesBuf === null) {
    const text = "ip " + IP_MIB_OFF.toString() + " " + IP_MIB_NAMES + "\n" +
      "icmp " + ICMP_MIB_OFF.toString() + " " + ICMP_MIB_NAMES + "\n" +
      "icmpmsg_in " + ICMPMSG_IN_OFF.toString() + " -\n" +
      "icmpmsg_out " + ICMPMSG_OUT_OFF.toString() + " -\n" +
      "udp " + UDP_MIB_OFF.toString() + " " + UDP_MIB_NAMES + "\n" +
      "tcp " + TCP_MIB_OFF.toString() + " " + TCP_MIB_NAMES + "\n" +
      "arp " + ARP_STAT_OFF.toString() + " " + ARP_STAT_NAMES + "\n" +
      "drop " + DROP_OFF.toString() + " " + DROP_NAMES + "\n";
    namesBuf = String.UTF8.encode(text);
  }
  return changetype<usize>(namesBuf);
}

let sysctlBuf: ArrayBuffer | null = null;
/** Tunable names as UTF-8 "global,names\nconf,names" (length at address - 4); ids are positions. */
export function abiSysctlNames(): usize {
  if (sysctlBuf === null) sysctlBuf = String.UTF8.encode(SYSCTL_NAMES + "\n" + DEVCONF_NAMES);
  return changetype<usize>(sysctlBuf);
}

let offs: StaticArray<u32> | null = null;
/** Field offsets of struct NetDevice: ifindex, flags, mtu, kind, carrier, peer, mac, name, stats, promiscuity. */
export function abiNetdevOffsets(): usize {
  if (offs === null) {
    offs = [
      <u32>offsetof<NetDevice>("ifindex"), <u32>offsetof<NetDevice>("flags"), <u32>offsetof<NetDevice>("mtu"),
      <u32>offsetof<NetDevice>("kind"), <u32>offsetof<NetDevice>("carrier"), <u32>offsetof<NetDevice>("peer"),
      <u32>offsetof<NetDevice>("mac0"), <u32>offsetof<NetDevice>("name0"), <u32>offsetof<NetDevice>("stats"),
      <u32>offsetof<NetDevice>("promiscuity"),
    ];
  }
  return changetype<usize>(offs);
}
