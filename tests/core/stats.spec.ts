import { Drop, DROP_NAMES, IpMib, IP_MIB_NAMES, IcmpMib, ICMP_MIB_NAMES, UdpMib, UDP_MIB_NAMES, ArpStat,
  ARP_STAT_NAMES } from "../../assembly/core/stats";

// Each name list must line up with its enum: the host names counters by position.
describe("counter names", () => {
  it("drop reasons", () => {
    const n = DROP_NAMES.split(",");
    expect(n.length).toBe(Drop.COUNT);
    expect(n[Drop.NOT_SPECIFIED]).toBe("NOT_SPECIFIED");
    expect(n[Drop.OTHERHOST]).toBe("OTHERHOST");
    expect(n[Drop.IP_INVALID_SOURCE]).toBe("IP_INVALID_SOURCE");
    expect(n[Drop.NOMEM]).toBe("NOMEM");
    expect(n[Drop.NEIGH_FAILED]).toBe("NEIGH_FAILED");
    expect(n[Drop.BAD_DESCRIPTOR]).toBe("BAD_DESCRIPTOR");
    expect(n[Drop.UDP_CSUM]).toBe("UDP_CSUM");
  });
  it("MIBs", () => {
    const ip = IP_MIB_NAMES.split(",");
    expect(ip.length).toBe(IpMib.COUNT);
    expect(ip[IpMib.InReceives]).toBe("Ip:InReceives");
    expect(ip[IpMib.InTruncatedPkts]).toBe("IpExt:InTruncatedPkts");
    expect(ip[IpMib.InCsumErrors]).toBe("IpExt:InCsumErrors");
    const icmp = ICMP_MIB_NAMES.split(",");
    expect(icmp.length).toBe(IcmpMib.COUNT);
    expect(icmp[IcmpMib.OutRateLimitHost]).toBe("Icmp:OutRateLimitHost");
    const udp = UDP_MIB_NAMES.split(",");
    expect(udp.length).toBe(UdpMib.COUNT);
    expect(udp[UdpMib.IgnoredMulti]).toBe("Udp:IgnoredMulti");
    const arp = ARP_STAT_NAMES.split(",");
    expect(arp.length).toBe(ArpStat.COUNT);
    expect(arp[ArpStat.TableFulls]).toBe("ArpCache:table_fulls");
  });
});
