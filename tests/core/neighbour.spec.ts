// arp_constructor: the initial state of a new neighbour entry depends on what the local table says
// the address is on that device (book ch. 7, "arp_constructor"); __neigh_update's rules.
import { devGet } from "../../assembly/core/netdev";
import { neighCreate, neighHa, neighEventNs, neighUpdate, NUD_NOARP, NUD_NONE, NUD_STALE, NUD_REACHABLE, NUD_PERMANENT,
  NUD_FAILED, NEIGH_UPDATE_F_OVERRIDE, NEIGH_UPDATE_F_WEAK_OVERRIDE, NEIGH_UPDATE_F_ADMIN } from "../../assembly/neigh/neighbour";
import { setNow } from "../../assembly/core/dev";
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
    // 10.1.255.255 is a broadcast of vb: inet_addr_type_dev_table looks at no device, so it is one on
    // va too, and needs no ARP there either.
    expect(neighCreate(A(10, 1, 255, 255), d)!.state).toBe(NUD_NOARP);
    const lo = neighCreate(A(127, 0, 0, 1), devGet(1)!)!;
    expect(lo.state).toBe(NUD_NOARP);
    expect(ha(neighHa(lo))).toBe("00:00:00:00:00:00");
  });
});

const macA = memory.data<u8>([2, 0, 0, 0, 0, 0xa]);
const macB = memory.data<u8>([2, 0, 0, 0, 0, 0xb]);

describe("__neigh_update", () => {
  it("a different address needs OVERRIDE; the same one reported STALE keeps the state; updated moves only on change", () => {
    const va = vethPair();
    const d = devGet(va)!;
    setNow(10_000);
    const n = neighEventNs(A(10, 0, 0, 9), d, macA)!;          // a request from it: STALE, address A
    expect(n.state).toBe(NUD_STALE);
    expect(ha(neighHa(n))).toBe("02:00:00:00:00:0a");
    setNow(10_500);
    neighUpdate(n, macB, NUD_REACHABLE, 0);                       // another address, no override: ignored
    expect(n.state).toBe(NUD_STALE);
    expect(ha(neighHa(n))).toBe("02:00:00:00:00:0a");
    expect(n.updated).toBe(10_000);
    neighUpdate(n, macA, NUD_REACHABLE, 0);                       // confirmed by its own address
    expect(n.state).toBe(NUD_REACHABLE);
    expect(n.updated).toBe(10_500);
    setNow(11_000);
    neighUpdate(n, macA, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);    // same address as STALE: stays REACHABLE
    expect(n.state).toBe(NUD_REACHABLE);
    expect(n.updated).toBe(10_500);
    neighUpdate(n, macB, NUD_STALE, NEIGH_UPDATE_F_WEAK_OVERRIDE); // weak: connected goes STALE, keeps A
    expect(n.state).toBe(NUD_STALE);
    expect(ha(neighHa(n))).toBe("02:00:00:00:00:0a");
    neighUpdate(n, macB, NUD_STALE, NEIGH_UPDATE_F_OVERRIDE);    // override: address B, confirmed long ago
    expect(ha(neighHa(n))).toBe("02:00:00:00:00:0b");
    expect(n.confirmed).toBe(11_000 - 60_000);
    neighUpdate(n, macB, NUD_PERMANENT, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
    expect(n.state).toBe(NUD_PERMANENT);
    neighUpdate(n, macA, NUD_REACHABLE, NEIGH_UPDATE_F_OVERRIDE); // not by ARP: only the admin changes it
    expect(n.state).toBe(NUD_PERMANENT);
    expect(ha(neighHa(n))).toBe("02:00:00:00:00:0b");
    neighUpdate(n, 0, NUD_FAILED, NEIGH_UPDATE_F_ADMIN);
    expect(n.state).toBe(NUD_FAILED);
    neighUpdate(n, 0, NUD_STALE, 0);                              // no address given and none valid: nothing
    expect(n.state).toBe(NUD_FAILED);
  });
});
