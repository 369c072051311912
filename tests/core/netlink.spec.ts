// Netlink framing and rtnetlink, byte for byte. Expected bytes come from the kernel's struct layouts and
// from replies captured on a Linux 6.18 kernel (strace of iproute2 6.1, and raw AF_NETLINK probes).
import { engineInit } from "../../assembly/core/engine";
import { nlRequestBuffer, nlReplyBuffer, nlRecv, nlDumpContinue, nlDumpPending, nlSetDumpChunkSize, nlNotifySetGroups,
  nlNotifyDrain, nlNotifyBuffer, nlNotifyOverrun, rtnetlinkReset, RTM_NEWLINK, RTM_GETLINK, RTM_NEWADDR,
  RTM_GETADDR } from "../../assembly/netlink/rtnetlink";
import { NL_SOCK_EXT_ACK, NL_SOCK_CAP_ACK, NL_SOCK_STRICT_CHK, NLMSG_ERROR, NLMSG_DONE, NLM_F_MULTI } from "../../assembly/netlink/nlmsg";

const PID: u32 = 4242;
const IPROUTE2: u32 = NL_SOCK_EXT_ACK | NL_SOCK_STRICT_CHK;

/** Write hex bytes at the request buffer (+off); returns the byte count. */
function put(h: string, off: i32 = 0): i32 {
  const n = h.length >> 1;
  const p = nlRequestBuffer() + <usize>off;
  for (let i = 0; i < n; i++) store<u8>(p + <usize>i, <u8>parseInt(h.substr(i << 1, 2), 16));
  return n;
}
function hexAt(p: usize, n: i32): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    const b = load<u8>(p + <usize>i);
    s += (b < 16 ? "0" : "") + b.toString(16);
  }
  return s;
}
function reply(n: i32): string { return hexAt(nlReplyBuffer(), n); }
function le32(v: u32): string {
  let s = "";
  for (let i = 0; i < 4; i++) { const b = (v >> (i * 8)) & 0xff; s += (b < 16 ? "0" : "") + b.toString(16); }
  return s;
}
function le16(v: u32): string {
  let s = "";
  for (let i = 0; i < 2; i++) { const b = (v >> (i * 8)) & 0xff; s += (b < 16 ? "0" : "") + b.toString(16); }
  return s;
}
/** nlmsghdr as hex. */
function hdr(len: u32, type: u32, flags: u32, seq: u32, pid: u32): string {
  return le32(len) + le16(type) + le16(flags) + le32(seq) + le32(pid);
}
function send(h: string, flags: u32 = IPROUTE2): i32 { return nlRecv(put(h), PID, flags); }
function rep32(off: i32): u32 { return load<u32>(nlReplyBuffer() + <usize>off); }
function rep16(off: i32): u16 { return load<u16>(nlReplyBuffer() + <usize>off); }

// `ip link add va type veth peer name vb`, as iproute2 6.1 sends it (84 bytes, flags REQUEST|ACK|EXCL|CREATE).
const VETH_BODY = "00000000000000000000000000000000" + "0700030076610000" + "2c001200" + "0800010076657468" +
  "20000200" + "1c000100" + "00000000000000000000000000000000" + "0700030076620000";
function vethAdd(seq: u32): string { return hdr(84, 16, 0x605, seq, 0) + VETH_BODY; }
const NEWLINK_PROBE = hdr(32, 16, 0x5, 0, 0) + "00000000000000000000000000000000";

function fresh(): void {
  engineInit(1, 64, 11, 64, 256);
  rtnetlinkReset();
}

describe("netlink_ack / errors (byte-exact)", () => {
  beforeEach(() => { fresh(); });

  it("ACKs a veth RTM_NEWLINK with 36 bytes: error 0 and the original 16-byte header, NLM_F_CAPPED", () => {
    const n = send(vethAdd(0x6b03ab27));
    expect(n).toBe(36);
    expect(reply(n)).toBe(hdr(36, NLMSG_ERROR, 0x100, 0x6b03ab27, PID) + "00000000" + hdr(84, 16, 0x605, 0x6b03ab27, 0));
  });

  it("reports EEXIST with the whole original message (no ext-ack message: flags 0)", () => {
    send(vethAdd(1));
    const n = send(vethAdd(2));
    expect(n).toBe(16 + 4 + 84);
    expect(reply(n)).toBe(hdr(104, NLMSG_ERROR, 0, 2, PID) + "efffffff" + vethAdd(2));
  });

  it("answers iproute2's RTM_NEWLINK probe with -ENODEV and the full 32-byte request (52 bytes)", () => {
    const n = send(NEWLINK_PROBE);
    expect(n).toBe(52);
    expect(reply(n)).toBe(hdr(52, NLMSG_ERROR, 0, 0, PID) + "edffffff" + NEWLINK_PROBE);
  });

  it("NETLINK_CAP_ACK: the error carries only the request header", () => {
    send(vethAdd(1));
    const n = send(vethAdd(3), NL_SOCK_CAP_ACK);
    expect(reply(n)).toBe(hdr(36, NLMSG_ERROR, 0x100, 3, PID) + "efffffff" + hdr(84, 16, 0x605, 3, 0));
  });

  it("ext-ack message as the kernel sends it (NEWADDR prefixlen 33: 92 bytes, NLM_F_ACK_TLVS)", () => {
    send(vethAdd(1));
    const req = hdr(40, 20, 0x605, 1, 0) + "02210000030000000800020" + "00a000001080001000a000001";
    const n = send(req);
    // captured from Linux 6.18 with NETLINK_EXT_ACK
    expect(reply(n)).toBe(hdr(92, NLMSG_ERROR, 0x200, 1, PID) + "eaffffff" + req +
      "20000100697076343a20496e76616c696420707265666978206c656e67746800");
  });

  it("errors are reported even without NLM_F_ACK; successes are silent", () => {
    // NLM_F_CREATE without IFLA_LINKINFO: "Unknown device type", -EOPNOTSUPP, reported without NLM_F_ACK
    expect(send(hdr(32, 16, 0x601, 5, 0) + VETH_BODY.substr(0, 32))).toBeGreaterThan(0);
    expect(rep32(16)).toBe(<u32>-95);
    expect(send(hdr(84, 16, 0x601, 6, 0) + VETH_BODY)).toBe(0);  // created, no ACK asked: nothing
  });

  it("bad attribute: policy failure gives -ERANGE, the message and the offset of the attribute", () => {
    // IFLA_LINKINFO with a 3-byte payload (nested shorter than an attribute header)
    const req = hdr(48, 16, 0x605, 7, 0) + "00000000000000000000000000000000" + "0700030078780000" + "0700120003000100";
    const n = send(req);
    expect(rep32(16)).toBe(<u32>-34);
    expect(rep16(6)).toBe(0x200);
    const tl = reply(n).substr((20 + 48) * 2);
    expect(tl).toBe("27000100417474726962757465206661696c656420706f6c6963792076616c69646174696f6e00" + "00" +
      "08000200" + le32(16 + 16 + 8));
  });
});

describe("netlink_rcv_skb: several messages, malformed input", () => {
  beforeEach(() => { fresh(); });

  it("processes every message of a buffer in order", () => {
    const a = hdr(16, 1, 0x5, 1, 0);                               // NLMSG_NOOP + ACK: acked, not dispatched
    const b = hdr(24, 22, 0x5, 2, 0) + "0200000000000000";          // GETADDR without DUMP: no doit
    const c = hdr(20, 200, 0x5, 3, 0) + "00000000";                 // type > RTM_MAX
    const n = nlRecv(put(a + b + c), PID, IPROUTE2);
    expect(n).toBe(36 + 44 + 40);
    expect(rep32(8)).toBe(1); expect(rep32(16)).toBe(0);
    expect(rep32(36 + 8)).toBe(2); expect(rep32(36 + 16)).toBe(<u32>-95);
    expect(rep32(80 + 8)).toBe(3); expect(rep32(80 + 16)).toBe(<u32>-95);
  });

  it("stops silently at nlmsg_len < 16 or > remaining (iproute2's 152-byte GETADDR tail of zeros)", () => {
    expect(nlRecv(put(hdr(8, 16, 0x5, 1, 0)), PID, IPROUTE2)).toBe(0);
    expect(nlRecv(put(hdr(400, 16, 0x5, 1, 0) + "00000000"), PID, IPROUTE2)).toBe(0);
    // first message answered, the second (len 100 > what is left) dropped
    const n = nlRecv(put(NEWLINK_PROBE + hdr(100, 16, 0x5, 9, 0) + "00000000000000000000000000000000"), PID, IPROUTE2);
    expect(n).toBe(52);
    expect(rep32(8)).toBe(0);
  });

  it("non-requests are not dispatched (acked only with NLM_F_ACK); empty payloads are ignored", () => {
    expect(send(hdr(32, 16, 0x4, 17, 0) + "00000000000000000000000000000000")).toBe(36);
    expect(rep32(16)).toBe(0);
    expect(send(hdr(32, 16, 0x0, 17, 0) + "00000000000000000000000000000000")).toBe(0);
    expect(send(hdr(16, 16, 0x5, 4, 0))).toBe(36);   // no family byte: silently ignored, then ACK
    expect(rep32(16)).toBe(0);
    expect(send(hdr(20, 3, 0x5, 4, 0) + "00000000")).toBe(36);   // control type NLMSG_DONE
  });

  it("short family header: -EINVAL \"Invalid header length\"", () => {
    const n = send(hdr(20, 20, 0x5, 1, 0) + "02000000");
    expect(rep32(16)).toBe(<u32>-22);
    expect(reply(n).substr(40 * 2)).toBe("1a000100496e76616c696420686561646572206c656e67746800" + "0000");
  });

  it("attribute shorter than its header or overrunning the message: trailing bytes warn, not fail", () => {
    send(hdr(36, 16, 0x5, 5, 0) + "00000000000000000000000000000000" + "02000300");
    expect(rep32(16)).toBe(<u32>-19);   // no usable attributes: no device named
    expect(rep16(6)).toBe(0x200);
    send(hdr(40, 16, 0x5, 6, 0) + "00000000000000000000000000000000" + "1000030061626364");
    expect(rep32(16)).toBe(<u32>-19);
  });

  it("negative ifindex, unknown kind, bad veth peer, IFLA_CARRIER on a veth", () => {
    send(hdr(32, 16, 0x5, 1, 0) + "00000000ffffffff0000000000000000");
    expect(rep32(16)).toBe(<u32>-22);
    // kind "foo"
    send(hdr(52, 16, 0x605, 2, 0) + "00000000000000000000000000000000" + "070003007a7a0000" + "0c001200" + "08000100666f6f00");
    expect(rep32(16)).toBe(<u32>-95);
    // VETH_INFO_PEER of 8 bytes (< ifinfomsg)
    send(hdr(72, 16, 0x605, 3, 0) + "00000000000000000000000000000000" + "070003007a7a0000" +
      "20001200" + "090001007665746800000000" + "10000200" + "0c000100" + "0000000000000000");
    expect(rep32(16)).toBe(<u32>-34);
    send(vethAdd(4));
    send(hdr(40, 16, 0x5, 5, 0) + "00000000030000000000000000000000" + "0500210000000000");
    expect(rep32(16)).toBe(<u32>-95);
  });

  it("never traps on random input", () => {
    let x: u32 = 12345;
    for (let round = 0; round < 2000; round++) {
      const len = <i32>(x % 300);
      const p = nlRequestBuffer();
      for (let i = 0; i < len; i++) { x = x * 1103515245 + 12345; store<u8>(p + <usize>i, <u8>(x >> 16)); }
      // plausible headers half of the time: a real length, a request, an rtnetlink type
      if ((round & 1) == 0 && len >= 16) {
        store<u32>(p, <u32>len - (x % 8));
        store<u16>(p, <u16>(16 + (x % 12)), 4);
        store<u16>(p, <u16>(1 | ((x >> 3) & 0x70c)), 6);
        if (len >= 20) store<u8>(p + 16, (x & 1) != 0 ? 2 : 0);
      }
      const n = nlRecv(len, PID, x & 7);
      expect(n).toBeGreaterThanOrEqual(-105);
      while (nlDumpPending()) nlDumpContinue();
    }
  });
});

// GETLINK dump as `ip link show` sends it: ifi_family AF_PACKET, IFLA_EXT_MASK = RTEXT_FILTER_VF
const GETLINK_DUMP = hdr(40, 18, 0x301, 77, 0) + "11000000000000000000000000000000" + "08001d0001000000";

describe("dumps", () => {
  beforeEach(() => { fresh(); send(vethAdd(1)); });


  it("RTM_GETLINK dump: NLM_F_MULTI messages, then a separate NLMSG_DONE {int 0} with NLM_F_MULTI", () => {
    const n = send(GETLINK_DUMP);
    let off = 0;
    let count = 0;
    while (off < n) {
      expect(rep16(off + 4)).toBe(RTM_NEWLINK);
      expect(rep16(off + 6)).toBe(NLM_F_MULTI);
      expect(rep32(off + 8)).toBe(77);
      expect(rep32(off + 12)).toBe(PID);
      expect(load<i32>(nlReplyBuffer() + <usize>off + 20)).toBe(count + 1);   // ifindex order
      off += <i32>((rep32(off) + 3) & ~3);
      count++;
    }
    expect(count).toBe(3);
    expect(nlDumpPending()).toBe(1);
    const m = nlDumpContinue();
    expect(reply(m)).toBe(hdr(20, NLMSG_DONE, NLM_F_MULTI, 77, PID) + "00000000");
    expect(nlDumpPending()).toBe(0);
    expect(nlDumpContinue()).toBe(0);
  });

  it("resumes across chunks (cb->args): one device per small chunk, each exactly once", () => {
    nlSetDumpChunkSize(1000);
    let n = send(GETLINK_DUMP);
    let seen = 0;
    let done = false;
    for (let guard = 0; guard < 20 && !done; guard++) {
      let off = 0;
      while (off < n) {
        const t = rep16(off + 4);
        if (t == NLMSG_DONE) { done = true; expect(load<i32>(nlReplyBuffer() + <usize>off + 16)).toBe(0); }
        else { seen++; expect(load<i32>(nlReplyBuffer() + <usize>off + 20)).toBe(seen); }
        off += <i32>((rep32(off) + 3) & ~3);
      }
      if (!done) n = nlDumpContinue();
    }
    expect(seen).toBe(3);
    expect(done).toBe(true);
  });

  it("a second dump while one runs: -EBUSY", () => {
    nlSetDumpChunkSize(1000);
    send(GETLINK_DUMP);
    const n = send(hdr(40, 18, 0x305, 78, 0) + "11000000000000000000000000000000" + "08001d0001000000");
    expect(rep16(4)).toBe(NLMSG_ERROR);
    expect(rep32(16)).toBe(<u32>-16);
    expect(n).toBe(20 + 40);
  });

  it("strict link dump filtered by index: NLMSG_DONE carries -EINVAL and the message (kernel bytes)", () => {
    const n = send(hdr(32, 18, 0x305, 11, 0) + "00000000030000000000000000000000");
    expect(reply(n)).toBe(hdr(76, NLMSG_DONE, 0x202, 11, PID) + "eaffffff" +
      "3800010046696c7465722062792064657669636520696e646578206e6f7420737570706f7274656420666f72206c696e6b2064756d707300");
  });

  it("strict address dump for a missing ifindex: DONE -ENODEV with NLM_F_DUMP_FILTERED", () => {
    const n = send(hdr(24, RTM_GETADDR, 0x305, 20, 0) + "0200000063000000");
    expect(reply(n)).toBe(hdr(20, NLMSG_DONE, 0x22, 20, PID) + "edffffff");
  });

  it("address dump: ifaddrmsg, IFA_ADDRESS/LOCAL/LABEL/FLAGS/CACHEINFO as inet_fill_ifaddr", () => {
    // ip addr add 10.0.0.1/24 dev va (ifindex 3)
    send(hdr(40, RTM_NEWADDR, 0x605, 30, 0) + "0218000003000000" + "080002000a000001" + "080001000a000001");
    expect(rep32(16)).toBe(0);
    const n = send(hdr(24, RTM_GETADDR, 0x301, 31, 0) + "0000000003000000");
    expect(reply(76)).toBe(hdr(76, RTM_NEWADDR, 0x22, 31, PID) + "0218800003000000" + "080001000a000001" +
      "080002000a000001" + "0700030076610000" + "0800080080000000" + "14000600ffffffffffffffff0000000000000000");
    expect(n).toBe(76);
    expect(reply(nlDumpContinue())).toBe(hdr(20, NLMSG_DONE, 0x22, 31, PID) + "00000000");
  });
});

describe("notifications", () => {
  beforeEach(() => { fresh(); });

  it("queues nothing without listeners; with RTNLGRP_LINK|IPV4_IFADDR, carries the requester on addresses", () => {
    send(vethAdd(1));
    expect(nlNotifyDrain()).toBe(0);
    nlNotifySetGroups(0x11);
    send(hdr(40, RTM_NEWADDR, 0x605, 55, 0) + "0218000003000000" + "080002000a000001" + "080001000a000001");
    const n = nlNotifyDrain();
    expect(n).toBe(4 + 76);
    const q = nlNotifyBuffer();
    expect(load<u32>(q)).toBe(5);                      // RTNLGRP_IPV4_IFADDR
    expect(load<u16>(q + 8)).toBe(RTM_NEWADDR);
    expect(load<u16>(q + 10)).toBe(0);
    expect(load<u32>(q + 12)).toBe(55);                // nlmsg_seq of the request
    expect(load<u32>(q + 16)).toBe(PID);               // nlmsg_pid of the requester
    // link changes: pid 0, seq 0
    send(hdr(32, RTM_NEWLINK, 0x5, 56, 0) + "00000000030000000100000001000000");
    const m = nlNotifyDrain();
    expect(m).toBeGreaterThan(0);
    expect(load<u32>(q)).toBe(1);
    expect(load<u16>(q + 8)).toBe(RTM_NEWLINK);
    expect(load<u32>(q + 12)).toBe(0);
    expect(load<u32>(q + 16)).toBe(0);
  });

  it("a full queue drops and flags ENOBUFS once", () => {
    send(vethAdd(1));
    nlNotifySetGroups(0x1);
    // promisc on/off 400 times on va (ifindex 3): each change is one RTM_NEWLINK notification
    for (let i: u32 = 0; i < 400; i++) {
      send(hdr(32, RTM_NEWLINK, 0x5, i, 0) + "00000000" + "03000000" + le32((i & 1) != 0 ? 0 : 0x100) + le32(0x100));
    }
    expect(nlNotifyOverrun()).toBe(1);
    expect(nlNotifyOverrun()).toBe(0);
    expect(nlNotifyDrain()).toBeGreaterThan(0);
    expect(nlNotifyDrain()).toBe(0);
  });
});

describe("get", () => {
  beforeEach(() => { fresh(); send(vethAdd(1)); });

  it("RTM_GETLINK by name answers RTM_NEWLINK (flags 0) with the attributes iproute2 prints", () => {
    const n = send(hdr(48, RTM_GETLINK, 0x1, 9, 0) + "00000000000000000000000000000000" + "08001d0001000000" + "0700030076610000");
    expect(rep16(4)).toBe(RTM_NEWLINK);
    expect(rep16(6)).toBe(0);
    expect(load<i32>(nlReplyBuffer() + 20)).toBe(3);
    // ifi_type ARPHRD_ETHER, flags BROADCAST|MULTICAST
    expect(rep16(18)).toBe(1);
    expect(rep32(24)).toBe(0x1002);
    // first attributes in the kernel's order: IFNAME "va", TXQLEN 1000, OPERSTATE DOWN, LINKMODE 0, MTU 1500
    expect(reply(72).substr(64)).toBe("0700030076610000" + "08000d00e8030000" + "0500100002000000" + "0500110000000000" +
      "08000400dc050000");
    expect(n).toBe(<i32>rep32(0));
  });

  it("unknown index -ENODEV; no index and no name -EINVAL; strict unsupported attribute", () => {
    send(hdr(32, RTM_GETLINK, 0x5, 1, 0) + "00000000630000000000000000000000");
    expect(rep32(16)).toBe(<u32>-19);
    send(hdr(32, RTM_GETLINK, 0x5, 2, 0) + "11000000000000000000000000000000");
    expect(rep32(16)).toBe(<u32>-22);
    const n = send(hdr(40, RTM_GETLINK, 0x5, 3, 0) + "00000000030000000000000000000000" + "0800040000000000");
    expect(rep32(16)).toBe(<u32>-22);
    expect(reply(n).substr((20 + 40) * 2, 8)).toBe("2e000100");   // "Unsupported attribute in get link request"
  });
});
