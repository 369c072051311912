// arp_constructor: the initial state of a new neighbour entry depends on what the local table says
// the address is on that device (book ch. 7, "arp_constructor").
import { devGet } from "../../assembly/core/netdev";
import { neighCreate, neighHa, NUD_NOARP, NUD_NONE } from "../../assembly/neigh/neighbour";
import { A, vethPair } from "./route-fixture";

function ha(p: usize): string {
  let s = "";
  for (let i = 0; i < 6; i++) s += (i ? ":" : "") + load<u8>(p + i).toString(16).padStart(2, "0");
  return s;
}

describe("arp_constructor", () => {
  it("subnet and limited broadcast, multicast, unicast, loopback", () => {
    const va = vethPair();
    const d = devGet(va)!;
    const b = neighCreate(A(10, 0, 0, 255), d)!;
    expect(b.state).toBe(NUD_NOARP);
    expect(ha(neighHa(b))).toBe("ff:ff:ff:ff:ff:ff");
    const l = neighCreate(A(255, 255, 255, 255), d)!;
    expect(l.state).toBe(NUD_NOARP);
    expect(ha(neighHa(l))).toBe("ff:ff:ff:ff:ff:ff");
    const m = neighCreate(A(224, 1, 2, 5), d)!;
    expect(m.state).toBe(NUD_NOARP);
    expect(ha(neighHa(m))).toBe("01:00:5e:01:02:05");
    const u = neighCreate(A(10, 0, 0, 7), d)!;
    expect(u.state).toBe(NUD_NONE);
    // 10.1.255.255 is a broadcast on vb, not on va: ARP is needed on va.
    expect(neighCreate(A(10, 1, 255, 255), d)!.state).toBe(NUD_NONE);
    const lo = neighCreate(A(127, 0, 0, 1), devGet(1)!)!;
    expect(lo.state).toBe(NUD_NOARP);
    expect(ha(neighHa(lo))).toBe("00:00:00:00:00:00");
  });
});
