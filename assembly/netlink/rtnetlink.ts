// rtnetlink (net/core/rtnetlink.c, net/ipv4/devinet.c netlink parts): dispatch by message type and
// family, LINK and IPv4 ADDR handlers, dumps that resume across chunks, and multicast notifications
// queued for the host. Behaviour follows a current kernel (6.x); differences are noted where they are.
//
// Our own link kind "nic": `ip link add NAME type nic` creates a host-driven NIC (rings shared with the
// host). A real kernel has no such kind; its LINKINFO reports kind "nic" and it can be deleted. Its
// IFLA_QDISC is "noqueue" once it has been up ("noop" before), as lo and veth report.
//
// Adding a family (routes, neighbours, rules): in your init call
//   rtnlRegister(AF_INET, RTM_NEWROUTE, changetype<usize>(myDoit), 0)       doit: (nlh: usize) => i32
//   rtnlRegister(AF_INET, RTM_GETROUTE, changetype<usize>(myDoitOrZero), changetype<usize>(myDump))
// A doit parses with nlmsgParse(nlh, hdrlen, tb, MAX, POLICY, NL_VALIDATE_LIBERAL), returns 0 or -errno
// (nlSetErrMsg("…") for the ext-ack text) and answers GETs into rtnlReplyWriter() with nlmsgPut/nla*.
// A dumpit (c: NlCallback, w: NlWriter) => i32 resumes from c.a0..c.a5 (cb->args), re-reads its filter
// from c.req, writes NLM_F_MULTI|c.answerFlags messages with c.portid/c.seq until nlmsgPut/nla* fail,
// then returns the bytes it wrote (or -EMSGSIZE if not even one fit); returning 0 ends the dump
// (NLMSG_DONE follows). Notifications: rtnlNotifyWriter(group), rtnlRequestPortid().
import {
  NlWriter, NlCallback, nlWriterNew, nlmsgPut, nlmsgEnd, nlmsgCancel, nlaPut, nlaPutU8, nlaPutU32, nlaPutCStr,
  nlaPutString, nlaNestStart, nlaNestEnd, nlmsgParse, nlaParseNested, nlaParse, tbGet, nlaPayload, nlaData,
  nlaGetU8, nlaGetU32, nlaStrLen, nlaStrcmp, nlSetErrMsg, nlSetBadAttr, nlStrict, nlCurPortid, nlSetCurSocket,
  netlinkRcvSkb, netlinkDumpStart, netlinkDump, nlDumpRunning, nlDumpAbort, nlCbClearArgs, nlSetDumpChunk,
  nlmsgLen, nlmsgType, nlmsgFlags, nlmsgSeq, nlmsgData, nlmsgPayload, nlWriterTail, NLMSG_HDRLEN, NLM_F_MULTI,
  NLM_F_DUMP, NLM_F_DUMP_FILTERED, NLM_F_EXCL, NLM_F_CREATE, NLM_F_REPLACE, NL_SOCK_STRICT_CHK,
  NL_VALIDATE_LIBERAL, NL_VALIDATE_STRICT, NLA_U8, NLA_U32, NLA_S32, NLA_STRING, NLA_NESTED, NLA_BINARY,
  NLA_UNSPEC, EINVAL, ENODEV, EEXIST, EOPNOTSUPP, EMSGSIZE, ENOBUFS, EADDRNOTAVAIL,
} from "./nlmsg";
import {
  NetDevice, devGet, devSlot, devName, devNameLen, devMac, devBroadcast, devIndexByName, devGetFlags,
  devOperstate, devFreeIndex, MAX_DEVICES, IFNAMSIZ, NETDEV_STATS_OFF, Stat, IFF_UP, DEV_KIND_LOOPBACK,
  DEV_KIND_VETH, DEV_KIND_NIC
} from "../core/netdev";
import {
  devCreateNic, devCreateVeth, devDelete, devChangeFlags, devSetMtu, devSetMac, devSetName, devCheckName,
  netifCarrierSet, jiffies
} from "../core/dev";
import {
  InIfaddr, ifaAt, ifaFirst, ifaLabel, inetAddrAdd, inetAddrDel, inetMakeMask, IFADDR_SIZE, MAX_IFADDR,
  IFA_F_PERMANENT, INFINITY_LIFE_TIME, ifaSetLifetime, lifetimeKick
} from "../ipv4/devinet";
import { fibCompactGrown } from "../route/fib";

// ---- constants (uapi/linux/rtnetlink.h, if_link.h, if_addr.h, veth.h) ----
export const RTM_BASE: u16 = 16;
export const RTM_NEWLINK: u16 = 16;
export const RTM_DELLINK: u16 = 17;
export const RTM_GETLINK: u16 = 18;
export const RTM_SETLINK: u16 = 19;
export const RTM_NEWADDR: u16 = 20;
export const RTM_DELADDR: u16 = 21;
export const RTM_GETADDR: u16 = 22;
export const RTM_GETROUTE: u16 = 26;
export const RTM_MAX: u16 = 123;   // RTM_GETTUNNEL (122) rounded up to a NEW/DEL/GET/SET quad, minus one

export const AF_UNSPEC: u8 = 0;
export const AF_INET: u8 = 2;
export const AF_INET6: u8 = 10;
export const AF_PACKET: u8 = 17;
export const RTNL_FAMILY_MAX: u32 = 129;

// multicast groups (enum rtnetlink_groups); the bit of group g is 1 << (g - 1)
export const RTNLGRP_LINK: u32 = 1;
export const RTNLGRP_IPV4_IFADDR: u32 = 5;

export const IFINFOMSG_LEN: u32 = 16;   // {u8 family, u8 pad, u16 type, i32 index, u32 flags, u32 change}
export const IFADDRMSG_LEN: u32 = 8;    // {u8 family, u8 prefixlen, u8 flags, u8 scope, u32 index}

export const IFLA_ADDRESS: u16 = 1;
export const IFLA_BROADCAST: u16 = 2;
export const IFLA_IFNAME: u16 = 3;
export const IFLA_MTU: u16 = 4;
export const IFLA_LINK: u16 = 5;
export const IFLA_QDISC: u16 = 6;
export const IFLA_STATS: u16 = 7;
export const IFLA_MASTER: u16 = 10;
export const IFLA_PROTINFO: u16 = 12;
export const IFLA_TXQLEN: u16 = 13;
export const IFLA_MAP: u16 = 14;
export const IFLA_WEIGHT: u16 = 15;
export const IFLA_OPERSTATE: u16 = 16;
export const IFLA_LINKMODE: u16 = 17;
export const IFLA_LINKINFO: u16 = 18;
export const IFLA_NET_NS_PID: u16 = 19;
export const IFLA_IFALIAS: u16 = 20;
export const IFLA_VFINFO_LIST: u16 = 22;
export const IFLA_STATS64: u16 = 23;
export const IFLA_VF_PORTS: u16 = 24;
export const IFLA_PORT_SELF: u16 = 25;
export const IFLA_AF_SPEC: u16 = 26;
export const IFLA_GROUP: u16 = 27;
export const IFLA_NET_NS_FD: u16 = 28;
export const IFLA_EXT_MASK: u16 = 29;
export const IFLA_PROMISCUITY: u16 = 30;
export const IFLA_NUM_TX_QUEUES: u16 = 31;
export const IFLA_NUM_RX_QUEUES: u16 = 32;
export const IFLA_CARRIER: u16 = 33;
export const IFLA_PHYS_PORT_ID: u16 = 34;
export const IFLA_CARRIER_CHANGES: u16 = 35;
export const IFLA_PHYS_SWITCH_ID: u16 = 36;
export const IFLA_LINK_NETNSID: u16 = 37;
export const IFLA_PROTO_DOWN: u16 = 39;
export const IFLA_GSO_MAX_SEGS: u16 = 40;
export const IFLA_GSO_MAX_SIZE: u16 = 41;
export const IFLA_XDP: u16 = 43;
export const IFLA_EVENT: u16 = 44;
export const IFLA_TARGET_NETNSID: u16 = 46;
export const IFLA_CARRIER_UP_COUNT: u16 = 47;
export const IFLA_CARRIER_DOWN_COUNT: u16 = 48;
export const IFLA_NEW_IFINDEX: u16 = 49;
export const IFLA_MIN_MTU: u16 = 50;
export const IFLA_MAX_MTU: u16 = 51;
export const IFLA_ALT_IFNAME: u16 = 53;
export const IFLA_GRO_MAX_SIZE: u16 = 58;
export const IFLA_TSO_MAX_SIZE: u16 = 59;
export const IFLA_TSO_MAX_SEGS: u16 = 60;
export const IFLA_ALLMULTI: u16 = 61;
export const IFLA_GSO_IPV4_MAX_SIZE: u16 = 63;
export const IFLA_GRO_IPV4_MAX_SIZE: u16 = 64;
export const IFLA_MAX: u32 = 70;

export const IFLA_INFO_KIND: u16 = 1;
export const IFLA_INFO_DATA: u16 = 2;
export const IFLA_INFO_SLAVE_KIND: u16 = 4;
export const IFLA_INFO_SLAVE_DATA: u16 = 5;
export const IFLA_INFO_MAX: u32 = 5;
export const VETH_INFO_PEER: u16 = 1;
export const VETH_INFO_MAX: u32 = 1;
export const IFLA_XDP_ATTACHED: u16 = 2;
export const IFLA_INET6_ADDR_GEN_MODE: u16 = 8;
export const RTEXT_FILTER_SKIP_STATS: u32 = 1 << 3;

export const IFA_ADDRESS: u16 = 1;
export const IFA_LOCAL: u16 = 2;
export const IFA_LABEL: u16 = 3;
export const IFA_BROADCAST: u16 = 4;
export const IFA_ANYCAST: u16 = 5;
export const IFA_CACHEINFO: u16 = 6;
export const IFA_MULTICAST: u16 = 7;
export const IFA_FLAGS: u16 = 8;
export const IFA_RT_PRIORITY: u16 = 9;
export const IFA_TARGET_NETNSID: u16 = 10;
export const IFA_PROTO: u16 = 11;
export const IFA_MAX: u32 = 11;
// IPv6-only address flags the kernel strips from IPv4 addresses (IPV6ONLY_FLAGS)
const IPV6ONLY_FLAGS: u32 = 0x02 | 0x04 | 0x08 | 0x10 | 0x40 | 0x100 | 0x800;

const ETH_MIN_MTU: u32 = 68;
const ETH_MAX_MTU: u32 = 65535;
const ENFILE: i32 = 23;
const ENOTCONN: i32 = 107;

// ---- attribute policies: (type, len) per attribute id ----
// ifla_policy (the ids this engine acts on, or that the kernel validates; others unchecked)
const IFLA_POLICY: usize = memory.data<u16>([
  0, 0,                // 0
  NLA_BINARY, 32,      // 1 ADDRESS (MAX_ADDR_LEN)
  NLA_BINARY, 32,      // 2 BROADCAST
  NLA_STRING, 15,      // 3 IFNAME (IFNAMSIZ - 1)
  NLA_U32, 0,          // 4 MTU
  NLA_U32, 0,          // 5 LINK
  0, 0, 0, 0, 0, 0, 0, 0,   // 6..9
  NLA_U32, 0,          // 10 MASTER
  0, 0,                // 11
  NLA_NESTED, 0,       // 12 PROTINFO
  NLA_U32, 0,          // 13 TXQLEN
  NLA_UNSPEC, 32,      // 14 MAP (sizeof struct rtnl_link_ifmap)
  NLA_U32, 0,          // 15 WEIGHT
  NLA_U8, 0,           // 16 OPERSTATE
  NLA_U8, 0,           // 17 LINKMODE
  NLA_NESTED, 0,       // 18 LINKINFO
  NLA_U32, 0,          // 19 NET_NS_PID
  NLA_STRING, 255,     // 20 IFALIAS
  0, 0,                // 21
  NLA_NESTED, 0,       // 22 VFINFO_LIST
  0, 0,                // 23
  NLA_NESTED, 0,       // 24 VF_PORTS
  NLA_NESTED, 0,       // 25 PORT_SELF
  NLA_NESTED, 0,       // 26 AF_SPEC
  NLA_U32, 0,          // 27 GROUP
  NLA_U32, 0,          // 28 NET_NS_FD
  NLA_U32, 0,          // 29 EXT_MASK
  NLA_U32, 0,          // 30 PROMISCUITY
  NLA_U32, 0,          // 31 NUM_TX_QUEUES
  NLA_U32, 0,          // 32 NUM_RX_QUEUES
  NLA_U8, 0,           // 33 CARRIER
  NLA_BINARY, 32,      // 34 PHYS_PORT_ID
  0, 0,                // 35
  NLA_BINARY, 32,      // 36 PHYS_SWITCH_ID
  NLA_S32, 0,          // 37 LINK_NETNSID
  0, 0,                // 38
  NLA_U8, 0,           // 39 PROTO_DOWN
  NLA_U32, 0,          // 40 GSO_MAX_SEGS
  NLA_U32, 0,          // 41 GSO_MAX_SIZE
  0, 0,                // 42
  NLA_NESTED, 0,       // 43 XDP
  NLA_U32, 0,          // 44 EVENT
  0, 0,                // 45
  NLA_S32, 0,          // 46 TARGET_NETNSID
  0, 0, 0, 0,          // 47, 48
  NLA_S32, 0,          // 49 NEW_IFINDEX
  0, 0, 0, 0, 0, 0,    // 50..52
  NLA_STRING, 127,     // 53 ALT_IFNAME (ALTIFNAMSIZ - 1)
  0, 0, 0, 0, 0, 0, 0, 0,   // 54..57
  NLA_U32, 0,          // 58 GRO_MAX_SIZE
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   // 59..64
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,   // 65..70
]);
const IFLA_INFO_POLICY: usize = memory.data<u16>([0, 0, NLA_STRING, 0, NLA_NESTED, 0, 0, 0, NLA_STRING, 0, NLA_NESTED, 0]);
const VETH_POLICY: usize = memory.data<u16>([0, 0, NLA_UNSPEC, 16]);   // VETH_INFO_PEER: at least an ifinfomsg
const IFA_POLICY: usize = memory.data<u16>([
  0, 0, NLA_U32, 0, NLA_U32, 0, NLA_STRING, 15, NLA_U32, 0, 0, 0,
  NLA_UNSPEC, 16,      // 6 CACHEINFO (sizeof struct ifa_cacheinfo)
  0, 0, NLA_U32, 0, NLA_U32, 0, NLA_S32, 0, NLA_U8, 0,
]);

// ---- static state (allocated once) ----
export const NL_REQ_CAP: u32 = 65536;
const NL_REPLY_CAP: u32 = 4 * NL_REQ_CAP + 65536;
const NL_NOTIFY_CAP: u32 = 131072;
const MAX_HANDLERS: u32 = 64;

let inited = false;
let reqBuf: usize = 0;
let replyW: NlWriter = changetype<NlWriter>(0);
let notifyW: NlWriter = changetype<NlWriter>(0);
let notifyGroups: u32 = 0;       // groups with a listener (bit g-1)
let notifyDropped: u32 = 0;      // a notification was dropped (listeners get ENOBUFS)
let handlers: usize = 0;         // MAX_HANDLERS x {u32 family, u32 type, u32 doit, u32 dumpit}
let nHandlers: u32 = 0;
let tb: usize = 0;               // parse tables
let tb2: usize = 0;
let tb3: usize = 0;
let nameBuf: usize = 0;          // IFNAMSIZ scratch names
let nameBuf2: usize = 0;
// Per device, kept by rtmsgIfinfo (the lead calls it on every change): what the kernel tracks and
// struct NetDevice does not. {u8 known, u8 qdiscActive, u8 lastCarrier, u8 pad, u32 lastFlags, u32 up, u32 down}
const DEVSTATE_SIZE: usize = 16;
let devState: usize = 0;
// Per address slot: {u32 live, u32 cstamp (1/100 s)}.
let ifaState: usize = 0;
// Requester of the RTM_NEWADDR/DELADDR being processed (its notifications carry pid/seq).
let addrCtxPid: u32 = 0;
let addrCtxSeq: u32 = 0;

export type RtnlDoitFn = (nlh: usize) => i32;

/** rtnetlink_init plus our buffers; idempotent. Called lazily from every entry point. */
export function rtnetlinkInit(): void {
  if (inited) return;
  inited = true;
  reqBuf = heap.alloc(<usize>NL_REQ_CAP);
  replyW = nlWriterNew(NL_REPLY_CAP);
  notifyW = nlWriterNew(NL_NOTIFY_CAP);
  handlers = heap.alloc(<usize>MAX_HANDLERS * 16);
  tb = heap.alloc(<usize>(IFLA_MAX + 1) << 2);
  tb2 = heap.alloc(<usize>(IFLA_MAX + 1) << 2);
  tb3 = heap.alloc(<usize>(IFLA_MAX + 1) << 2);
  nameBuf = heap.alloc(<usize>IFNAMSIZ);
  nameBuf2 = heap.alloc(<usize>IFNAMSIZ);
  devState = heap.alloc(<usize>MAX_DEVICES * DEVSTATE_SIZE);
  memory.fill(devState, 0, <usize>MAX_DEVICES * DEVSTATE_SIZE);
  ifaState = heap.alloc(<usize>(MAX_IFADDR + 1) << 3);
  memory.fill(ifaState, 0, <usize>(MAX_IFADDR + 1) << 3);
  rtnlRegister(AF_UNSPEC, RTM_NEWLINK, changetype<usize>(rtnlNewlink), 0);
  rtnlRegister(AF_UNSPEC, RTM_DELLINK, changetype<usize>(rtnlDellink), 0);
  rtnlRegister(AF_UNSPEC, RTM_GETLINK, changetype<usize>(rtnlGetlink), changetype<usize>(rtnlDumpIfinfo));
  rtnlRegister(AF_UNSPEC, RTM_SETLINK, changetype<usize>(rtnlSetlink), 0);
  rtnlRegister(AF_UNSPEC, RTM_GETADDR, 0, changetype<usize>(rtnlDumpAll));
  rtnlRegister(AF_UNSPEC, RTM_GETROUTE, 0, changetype<usize>(rtnlDumpAll));
  rtnlRegister(AF_INET, RTM_NEWADDR, changetype<usize>(inetRtmNewaddr), 0);
  rtnlRegister(AF_INET, RTM_DELADDR, changetype<usize>(inetRtmDeladdr), 0);
  rtnlRegister(AF_INET, RTM_GETADDR, 0, changetype<usize>(inetDumpIfaddr));
}

/** Forget per-device/per-address bookkeeping, queued notifications and a running dump (a fresh engine). */
export function rtnetlinkReset(): void {
  rtnetlinkInit();
  memory.fill(devState, 0, <usize>MAX_DEVICES * DEVSTATE_SIZE);
  memory.fill(ifaState, 0, <usize>(MAX_IFADDR + 1) << 3);
  notifyW.len = 0; notifyGroups = 0; notifyDropped = 0;
  replyW.len = 0;
  nlDumpAbort();
  nlSetDumpChunk(32768);
}

/**
 * rtnl_register: doit is an RtnlDoitFn, dumpit an NlDumpFn (pass changetype<usize>(fn), 0 for none).
 * Re-registering a (family, type) replaces it. Returns 0 or -ENOBUFS when the table is full.
 */
export function rtnlRegister(family: u32, type: u32, doit: usize, dumpit: usize): i32 {
  rtnetlinkInit();
  for (let i: u32 = 0; i < nHandlers; i++) {
    const e = handlers + (<usize>i << 4);
    if (load<u32>(e) == family && load<u32>(e, 4) == type) { store<u32>(e, <u32>doit, 8); store<u32>(e, <u32>dumpit, 12); return 0; }
  }
  if (nHandlers >= MAX_HANDLERS) return -ENOBUFS;
  const e = handlers + (<usize>nHandlers << 4);
  store<u32>(e, family); store<u32>(e, type, 4); store<u32>(e, <u32>doit, 8); store<u32>(e, <u32>dumpit, 12);
  nHandlers++;
  return 0;
}

/** rtnl_get_link: the handler entry for (family, type), 0 when none. */
function rtnlGetLink(family: u32, type: u32): usize {
  for (let i: u32 = 0; i < nHandlers; i++) {
    const e = handlers + (<usize>i << 4);
    if (load<u32>(e) == family && load<u32>(e, 4) == type) return e;
  }
  return 0;
}

// ---- ABI ----

export function nlRequestBuffer(): usize { rtnetlinkInit(); return reqBuf; }
export function nlRequestCapacity(): i32 { return <i32>NL_REQ_CAP; }
export function nlReplyBuffer(): usize { rtnetlinkInit(); return replyW.base; }

/**
 * Process `len` bytes of requests written at nlRequestBuffer(), sent by the socket with port id `portid`
 * and options `sockFlags` (NL_SOCK_*). Replies (ACKs, errors, GET answers, the first dump chunk) are
 * written at nlReplyBuffer(); returns their length, or -EMSGSIZE (request too large) / -ENOBUFS
 * (replies overflowed: the socket's receive error).
 */
export function nlRecv(len: i32, portid: u32, sockFlags: u32): i32 {
  rtnetlinkInit();
  replyW.len = 0; replyW.overrun = 0; replyW.cap = replyW.size;
  if (len < 0 || <u32>len > NL_REQ_CAP) return -EMSGSIZE;
  nlSetCurSocket(portid, sockFlags);
  netlinkRcvSkb(replyW, reqBuf, <u32>len, rtnetlinkRcvMsg);
  nlSetCurSocket(0, 0);
  fibCompactGrown();                                  // the batch's route additions are done
  if (replyW.overrun != 0) return -ENOBUFS;
  return <i32>replyW.len;
}

/** The next chunk of an unfinished dump at nlReplyBuffer(); 0 when no dump is running. */
export function nlDumpContinue(): i32 {
  rtnetlinkInit();
  replyW.len = 0; replyW.overrun = 0; replyW.cap = replyW.size;
  if (!nlDumpRunning()) return 0;
  netlinkDump(replyW);
  if (replyW.overrun != 0) return -ENOBUFS;
  return <i32>replyW.len;
}

/** 1 while a dump still has chunks (or its NLMSG_DONE) to deliver. */
export function nlDumpPending(): i32 { return nlDumpRunning() ? 1 : 0; }

/** Largest dump chunk in bytes (default 32768, at least 256): smaller chunks exercise resumption. */
export function nlSetDumpChunkSize(bytes: i32): void { nlSetDumpChunk(bytes < 0 ? 0 : <u32>bytes); }

/** Multicast groups that have a listener (bit g-1 for group g). Without listeners nothing is queued. */
export function nlNotifySetGroups(mask: u32): void { rtnetlinkInit(); notifyGroups = mask; }
export function nlNotifyBuffer(): usize { rtnetlinkInit(); return notifyW.base; }
/**
 * Take every queued notification: returns the byte length of records {u32 group; nlmsghdr …} (each
 * message padded to 4) at nlNotifyBuffer(), and empties the queue (the bytes stay valid until the
 * next call into the core). 0 when nothing is queued.
 */
export function nlNotifyDrain(): i32 {
  rtnetlinkInit();
  const n = notifyW.len;
  notifyW.len = 0;
  return <i32>n;
}
/** 1 (once) if notifications were dropped because the queue was full (ENOBUFS to listeners). */
export function nlNotifyOverrun(): i32 {
  const o = notifyDropped;
  notifyDropped = 0;
  return <i32>o;
}

// ---- dispatch (rtnetlink_rcv_msg) ----

function rtnetlinkRcvMsg(nlh: usize): i32 {
  const type = nlmsgType(nlh);
  if (type > RTM_MAX) return -EOPNOTSUPP;
  // All messages must carry at least the 1-byte family: shorter ones are silently ignored.
  if (nlmsgPayload(nlh) < 1) return 0;
  const family = <u32>load<u8>(nlmsgData(nlh));
  const kind = (type - RTM_BASE) & 3;
  if (kind == 2 && (nlmsgFlags(nlh) & NLM_F_DUMP) == NLM_F_DUMP) {
    let e = rtnlGetLink(family, type);
    if (e == 0 || load<u32>(e, 12) == 0) {
      e = rtnlGetLink(AF_UNSPEC, type);
      if (e == 0 || load<u32>(e, 12) == 0) return -EOPNOTSUPP;
    }
    return netlinkDumpStart(replyW, nlh, <usize>load<u32>(e, 12), 0);
  }
  let e = rtnlGetLink(family, type);
  if (e == 0 || load<u32>(e, 8) == 0) {
    e = rtnlGetLink(AF_UNSPEC, type);
    if (e == 0 || load<u32>(e, 8) == 0) return -EOPNOTSUPP;
  }
  return changetype<RtnlDoitFn>(<usize>load<u32>(e, 8))(nlh);
}

/** Reply writer for doit handlers that answer (RTM_GETLINK…): rtnl_unicast to the requester. */
export function rtnlReplyWriter(): NlWriter { rtnetlinkInit(); return replyW; }

/** rtnl_dump_all: every family's dumpit for this type in family order, resuming at cb->family. */
function rtnlDumpAll(c: NlCallback, w: NlWriter): i32 {
  const start = w.len;
  const type = <u32>nlmsgType(c.req);
  let sIdx = c.family;
  if (sIdx == 0) sIdx = 1;
  let ret = 0;
  let idx: u32 = 1;
  for (; idx <= RTNL_FAMILY_MAX; idx++) {
    if (idx < sIdx || idx == AF_PACKET) continue;
    const e = rtnlGetLink(idx, type);
    if (e == 0 || load<u32>(e, 12) == 0) continue;
    if (idx > sIdx) nlCbClearArgs(c);
    c.family = idx;
    ret = changetype<(c: NlCallback, w: NlWriter) => i32>(<usize>load<u32>(e, 12))(c, w);
    if (ret != 0) break;
  }
  c.family = idx;
  const n = <i32>(w.len - start);
  return n != 0 ? n : ret;
}

// ---- per-device bookkeeping ----

// @ts-ignore: decorator
@inline function dst(ifindex: u32): usize { return devState + <usize>ifindex * DEVSTATE_SIZE; }

function devStateTouch(d: NetDevice): void {
  const s = dst(d.ifindex);
  if (load<u8>(s) == 0) {
    // First sight of this device: veth_newlink turns the carrier off once (a carrier-down count of 1).
    store<u8>(s, 1);
    store<u8>(s, 0, 1);
    store<u8>(s, d.carrier, 2);
    store<u32>(s, devGetFlags(d), 4);
    store<u32>(s, 0, 8);
    store<u32>(s, d.kind == DEV_KIND_VETH && d.carrier == 0 ? 1 : 0, 12);
  } else if (load<u8>(s, 2) != d.carrier) {
    if (d.carrier != 0) store<u32>(s, load<u32>(s, 8) + 1, 8);
    else store<u32>(s, load<u32>(s, 12) + 1, 12);
    store<u8>(s, d.carrier, 2);
  }
  // dev_activate attaches the default qdisc at the first open; until then the device shows "noop".
  if ((d.flags & IFF_UP) != 0) store<u8>(s, 1, 1);
}

/** IFLA_QDISC as a kernel reports it for lo/veth (IFF_NO_QUEUE): "noop" until first up, then "noqueue". */
function qdiscActive(d: NetDevice): bool { devStateTouch(d); return load<u8>(dst(d.ifindex), 1) != 0; }

// ---- link messages (rtnl_fill_ifinfo) ----

/** Fill one RTM_NEWLINK/RTM_DELLINK message. 0 or -EMSGSIZE (nothing left behind). */
export function rtnlFillIfinfo(w: NlWriter, d: NetDevice, type: u16, pid: u32, seq: u32, change: u32, flags: u16,
                               extMask: u32): i32 {
  const h = nlmsgPut(w, pid, seq, type, IFINFOMSG_LEN, flags);
  if (h == 0) return -EMSGSIZE;
  const ifi = h + NLMSG_HDRLEN;
  store<u8>(ifi, AF_UNSPEC);
  store<u16>(ifi, d.type, 2);
  store<i32>(ifi, <i32>d.ifindex, 4);
  store<u32>(ifi, devGetFlags(d), 8);
  store<u32>(ifi, change, 12);
  const active = qdiscActive(d);
  const s = dst(d.ifindex);
  const promisc = d.promiscuity + ((d.flags & 0x100) != 0 ? 1 : 0);
  let ok = nlaPutCStr(w, IFLA_IFNAME, devName(d), devNameLen(d))
    && nlaPutU32(w, IFLA_TXQLEN, d.txqueuelen)
    && nlaPutU8(w, IFLA_OPERSTATE, devOperstate(d))
    && nlaPutU8(w, IFLA_LINKMODE, 0)
    && nlaPutU32(w, IFLA_MTU, d.mtu)
    && nlaPutU32(w, IFLA_MIN_MTU, d.minMtu)
    && nlaPutU32(w, IFLA_MAX_MTU, d.maxMtu == 0x7FFFFFFF ? 0 : d.maxMtu)   // lo: max_mtu 0, "no limit"
    && nlaPutU32(w, IFLA_GROUP, d.group)
    && nlaPutU32(w, IFLA_PROMISCUITY, promisc)
    && nlaPutU32(w, IFLA_ALLMULTI, 0)
    && nlaPutU32(w, IFLA_NUM_TX_QUEUES, 1)
    && nlaPutU32(w, IFLA_GSO_MAX_SEGS, 65535)
    && nlaPutU32(w, IFLA_GSO_MAX_SIZE, 65536)
    && nlaPutU32(w, IFLA_GRO_MAX_SIZE, 65536)
    && nlaPutU32(w, IFLA_GSO_IPV4_MAX_SIZE, 65536)
    && nlaPutU32(w, IFLA_GRO_IPV4_MAX_SIZE, 65536)
    && nlaPutU32(w, IFLA_TSO_MAX_SIZE, 524280)
    && nlaPutU32(w, IFLA_TSO_MAX_SEGS, 65535)
    && nlaPutU32(w, IFLA_NUM_RX_QUEUES, 1)
    && nlaPutU8(w, IFLA_CARRIER, d.carrier)
    && nlaPutU32(w, IFLA_CARRIER_CHANGES, load<u32>(s, 8) + load<u32>(s, 12))
    && nlaPutU32(w, IFLA_CARRIER_UP_COUNT, load<u32>(s, 8))
    && nlaPutU32(w, IFLA_CARRIER_DOWN_COUNT, load<u32>(s, 12))
    && nlaPutU8(w, IFLA_PROTO_DOWN, 0)
    && (d.addrLen == 0 || (nlaPut(w, IFLA_ADDRESS, devMac(d), d.addrLen) && nlaPut(w, IFLA_BROADCAST, devBroadcast(d), d.addrLen)));
  if (ok && (extMask & RTEXT_FILTER_SKIP_STATS) == 0) {
    // IFLA_STATS64 (struct rtnl_link_stats64: 24 counters + rx_otherhost_dropped) and IFLA_STATS (32-bit)
    const st = changetype<usize>(d) + NETDEV_STATS_OFF;
    const a = nlaNestStart(w, IFLA_STATS64);
    if (a != 0 && w.cap - w.len >= 200) {
      const p = nlWriterTail(w);
      memory.copy(p, st, <usize>Stat.COUNT << 3);
      store<u64>(p + (<usize>Stat.COUNT << 3), 0);
      w.len += 200;
      nlaNestEnd(w, a);
      const b = nlaNestStart(w, IFLA_STATS);
      if (b != 0 && w.cap - w.len >= 96) {
        const q = nlWriterTail(w);
        for (let i: usize = 0; i < <usize>Stat.COUNT; i++) store<u32>(q + (i << 2), <u32>load<u64>(st + (i << 3)));
        w.len += 96;
        nlaNestEnd(w, b);
      } else ok = false;
    } else ok = false;
  }
  if (ok) {
    const x = nlaNestStart(w, IFLA_XDP);
    ok = x != 0 && nlaPutU8(w, IFLA_XDP_ATTACHED, 0);
    if (ok) nlaNestEnd(w, x);
  }
  if (ok && (d.kind == DEV_KIND_VETH || d.kind == DEV_KIND_NIC)) {
    const li = nlaNestStart(w, IFLA_LINKINFO);
    ok = li != 0 && nlaPutString(w, IFLA_INFO_KIND, d.kind == DEV_KIND_VETH ? "veth" : "nic");
    if (ok) nlaNestEnd(w, li);
  }
  // IFLA_LINK only when the link differs from the device itself (veth: its peer).
  if (ok && d.kind == DEV_KIND_VETH && d.peer != 0 && d.peer != d.ifindex) ok = nlaPutU32(w, IFLA_LINK, d.peer);
  if (ok) ok = nlaPutString(w, IFLA_QDISC, active ? "noqueue" : "noop");
  if (ok) {
    // IFLA_AF_SPEC { AF_INET6 { IFLA_INET6_ADDR_GEN_MODE eui64 } } (what `ip -d link` prints as addrgenmode)
    const af = nlaNestStart(w, IFLA_AF_SPEC);
    const a6 = af != 0 ? nlaNestStart(w, AF_INET6) : 0;
    ok = a6 != 0 && nlaPutU8(w, IFLA_INET6_ADDR_GEN_MODE, 0);
    if (ok) { nlaNestEnd(w, a6); nlaNestEnd(w, af); }
  }
  if (ok) {
    const m = nlaNestStart(w, IFLA_MAP);   // struct rtnl_link_ifmap, all zero
    ok = m != 0 && w.cap - w.len >= 32;
    if (ok) { memory.fill(nlWriterTail(w), 0, 32); w.len += 32; nlaNestEnd(w, m); }
  }
  if (!ok) { nlmsgCancel(w, h); return -EMSGSIZE; }
  nlmsgEnd(w, h);
  return 0;
}

/** Queue room for one notification: returns the writer positioned after the group word, or null. */
function notifyBegin(group: u32): NlWriter | null {
  if ((notifyGroups & (1 << (group - 1))) == 0) return null;
  if (notifyW.cap - notifyW.len < 4) { notifyDropped = 1; return null; }
  store<u32>(nlWriterTail(notifyW), group);
  notifyW.len += 4;
  return notifyW;
}
function notifyAbort(): void { notifyW.len -= 4; notifyDropped = 1; }

/**
 * rtnl_notify for code outside this module (routes, neighbours…): returns the queue's writer with the
 * group word already written, or null (nobody listens on `group`, or the queue is full). Build one
 * message with nlmsgPut/nla*; if it does not fit, nlmsgCancel it and call rtnlNotifyAbort().
 */
export function rtnlNotifyWriter(group: u32): NlWriter | null { rtnetlinkInit(); return notifyBegin(group); }
export function rtnlNotifyAbort(): void { notifyAbort(); }
/** Port id of the socket whose request is being processed (0 outside a request). */
export function rtnlRequestPortid(): u32 { return nlCurPortid(); }

/**
 * rtmsg_ifinfo: RTM_NEWLINK/RTM_DELLINK to RTNLGRP_LINK, pid 0 and seq 0 as the kernel sends link
 * events. Also keeps the per-device counters (carrier changes, qdisc attach) the kernel reports.
 */
export function rtmsgIfinfo(d: NetDevice, type: u16): void {
  rtnetlinkInit();
  devStateTouch(d);
  const s = dst(d.ifindex);
  const now = devGetFlags(d);
  const known = load<u8>(s, 3) != 0;     // a NEWLINK was already sent for this device
  const change: u32 = type == RTM_DELLINK || !known ? 0xFFFFFFFF : now ^ load<u32>(s, 4);
  store<u32>(s, now, 4);
  store<u8>(s, 1, 3);
  const w = notifyBegin(RTNLGRP_LINK);
  if (w !== null && rtnlFillIfinfo(w, d, type, 0, 0, change, 0, 0) < 0) notifyAbort();
  if (type == RTM_DELLINK) memory.fill(s, 0, DEVSTATE_SIZE);
}

// ---- name helpers ----

/**
 * dev_prep_valid_name: a name with one "%d" becomes the first free unit (dev_alloc_name); `taken` (length
 * takenLen) counts as in use. Writes the name to out (NUL padded) and returns its length, or -errno.
 */
function devResolveName(src: usize, len: u32, out: usize, taken: usize, takenLen: u32): i32 {
  let pct: i32 = -1;
  for (let i: u32 = 0; i < len; i++) if (load<u8>(src + i) == 0x25) { pct = <i32>i; break; }
  memory.fill(out, 0, IFNAMSIZ);
  if (pct < 0) {
    if (len >= IFNAMSIZ) return -EINVAL;
    memory.copy(out, src, len);
    return <i32>len;
  }
  // dev_valid_name on the pattern, then exactly one "%d".
  const err = devCheckName(src, len, 0);
  if (err != 0) return -err;
  const p = <u32>pct;
  if (p + 1 >= len || load<u8>(src + p + 1) != 0x64) return -EINVAL;
  for (let i = p + 2; i < len; i++) if (load<u8>(src + i) == 0x25) return -EINVAL;
  for (let n: u32 = 0; n < 32768; n++) {
    // prefix, decimal n, suffix; truncated to IFNAMSIZ-1 as snprintf does
    let o: u32 = 0;
    for (let i: u32 = 0; i < p && o < IFNAMSIZ - 1; i++) store<u8>(out + o++, load<u8>(src + i));
    let digits: u32 = 1;
    for (let t = n; t >= 10; t /= 10) digits++;
    for (let k: u32 = 0; k < digits; k++) {
      let t = n;
      for (let j: u32 = k + 1; j < digits; j++) t /= 10;
      if (o < IFNAMSIZ - 1) store<u8>(out + o++, <u8>(0x30 + t % 10));
    }
    for (let i = p + 2; i < len && o < IFNAMSIZ - 1; i++) store<u8>(out + o++, load<u8>(src + i));
    for (let z = o; z < IFNAMSIZ; z++) store<u8>(out + z, 0);
    const inUse = devIndexByName(out, o) != 0 || (takenLen == o && memory.compare(out, taken, o) == 0);
    if (!inUse) return <i32>o;
  }
  return -ENFILE;
}

const PAT_VETH = "veth%d";
const PAT_NIC = "nic%d";
/** Copy an ASCII literal into `out`; returns its length. */
function asciiTo(out: usize, s: string): u32 {
  const n = <u32>s.length;
  for (let i: u32 = 0; i < n; i++) store<u8>(out + i, <u8>load<u16>(changetype<usize>(s) + (<usize>i << 1)));
  return n;
}

/** rtnl_dev_get: by IFLA_IFNAME (nla_strscpy semantics). */
function devByNameAttr(a: usize): NetDevice | null {
  const n = nlaStrLen(a, IFNAMSIZ - 1);
  const idx = devIndexByName(nlaData(a), n);
  return idx == 0 ? null : devGet(idx);
}

// ---- RTM_NEWLINK / SETLINK / DELLINK / GETLINK ----

/** validate_linkmsg: hardware addresses must be at least addr_len long. */
function validateLinkmsg(d: NetDevice | null, t: usize): i32 {
  if (d !== null) {
    const a = tbGet(t, IFLA_ADDRESS);
    if (a != 0 && nlaPayload(a) < <u32>d.addrLen) return -EINVAL;
    const b = tbGet(t, IFLA_BROADCAST);
    if (b != 0 && nlaPayload(b) < <u32>d.addrLen) return -EINVAL;
  }
  return 0;
}

/** veth_validate (our NICs use the same Ethernet rules). */
function etherValidate(t: usize): i32 {
  const a = tbGet(t, IFLA_ADDRESS);
  if (a != 0) {
    if (nlaPayload(a) != 6) return -EINVAL;
    const p = nlaData(a);
    let zero = true;
    for (let i: usize = 0; i < 6; i++) if (load<u8>(p + i) != 0) zero = false;
    if ((load<u8>(p) & 1) != 0 || zero) return -EADDRNOTAVAIL;   // is_valid_ether_addr
  }
  const m = tbGet(t, IFLA_MTU);
  if (m != 0) {
    const mtu = nlaGetU32(m);
    if (mtu < ETH_MIN_MTU || mtu > ETH_MAX_MTU) return -EINVAL;
  }
  return 0;
}

/** dev_validate_mtu with the kernel's ext-ack messages. */
function validateMtu(d: NetDevice, mtu: u32): i32 {
  if (mtu < d.minMtu) { nlSetErrMsg("mtu less than device minimum"); return -EINVAL; }
  const max: u32 = d.maxMtu == 0x7FFFFFFF ? 0 : d.maxMtu;
  if (max > 0 && mtu > max) { nlSetErrMsg("mtu greater than device maximum"); return -EINVAL; }
  return 0;
}

/** rtnl_dev_combine_flags: ifi_change == 0 means "all bits" (bugwards compatibility). */
function combineFlags(d: NetDevice, ifi: usize): u32 {
  const f = load<u32>(ifi, 8);
  const ch = load<u32>(ifi, 12);
  return ch != 0 ? (f & ch) | (d.flags & ~ch) : f;
}

/**
 * do_setlink, in the kernel's order: address, mtu, group, rename (by index with a name), broadcast,
 * flags, carrier, txqueuelen. Stops at the first error (earlier changes stay, as in the kernel).
 */
function doSetlink(d: NetDevice, ifi: usize, t: usize): i32 {
  let err = validateLinkmsg(d, t);
  if (err < 0) return err;
  let notify = false;
  const a = tbGet(t, IFLA_ADDRESS);
  if (a != 0) {
    err = devSetMac(d, nlaData(a));
    if (err < 0) return err;
  }
  const m = tbGet(t, IFLA_MTU);
  if (m != 0) {
    const mtu = nlaGetU32(m);
    err = validateMtu(d, mtu);
    if (err < 0) return err;
    err = devSetMtu(d, mtu);
    if (err < 0) return err;
  }
  const g = tbGet(t, IFLA_GROUP);
  if (g != 0 && d.group != nlaGetU32(g)) { d.group = nlaGetU32(g); notify = true; }
  const nm = tbGet(t, IFLA_IFNAME);
  if (load<i32>(ifi, 4) > 0 && nm != 0 && nlaStrLen(nm, IFNAMSIZ - 1) > 0) {
    const n = devResolveName(nlaData(nm), nlaStrLen(nm, IFNAMSIZ - 1), nameBuf, 0, 0);
    if (n < 0) return n;
    // dev_change_name: the same name is a no-op
    if (!(<u32>n == devNameLen(d) && memory.compare(devName(d), nameBuf, <usize>n) == 0)) {
      err = devSetName(d, nameBuf, <u32>n);
      if (err < 0) return err;
    }
  }
  const b = tbGet(t, IFLA_BROADCAST);
  if (b != 0) { memory.copy(devBroadcast(d), nlaData(b), d.addrLen); notify = true; }
  if (load<u32>(ifi, 8) != 0 || load<u32>(ifi, 12) != 0) {
    err = devChangeFlags(d, combineFlags(d, ifi));
    if (err < 0) return err;
  }
  const c = tbGet(t, IFLA_CARRIER);
  if (c != 0) {
    // dev_change_carrier: only devices with ndo_change_carrier (our host-driven NIC, like dummy)
    if (d.kind != DEV_KIND_NIC) return -EOPNOTSUPP;
    if (netifCarrierSet(d, nlaGetU8(c) != 0 ? 1 : 0)) notify = true;
  }
  const q = tbGet(t, IFLA_TXQLEN);
  if (q != 0) {
    const v = nlaGetU32(q);
    if (v != d.txqueuelen) { d.txqueuelen = v; notify = true; }
  }
  if (notify) rtmsgIfinfo(d, RTM_NEWLINK);
  return 0;
}

/** Apply creation-time attributes (rtnl_create_link): mtu, address, broadcast, txqueuelen, group. */
function applyCreateAttrs(d: NetDevice, t: usize, withAddress: bool = true): i32 {
  const m = tbGet(t, IFLA_MTU);
  if (m != 0) {
    const err = devSetMtu(d, nlaGetU32(m));
    if (err < 0) return err;
  }
  const a = withAddress ? tbGet(t, IFLA_ADDRESS) : 0;
  if (a != 0) {
    const err = devSetMac(d, nlaData(a));
    if (err < 0) return err;
  }
  let notify = false;
  const b = tbGet(t, IFLA_BROADCAST);
  if (b != 0 && nlaPayload(b) >= <u32>d.addrLen) { memory.copy(devBroadcast(d), nlaData(b), d.addrLen); notify = true; }
  const q = tbGet(t, IFLA_TXQLEN);
  if (q != 0) { d.txqueuelen = nlaGetU32(q); notify = true; }
  const g = tbGet(t, IFLA_GROUP);
  if (g != 0) { d.group = nlaGetU32(g); notify = true; }
  if (notify) rtmsgIfinfo(d, RTM_NEWLINK);
  return 0;
}

/** rtnl_configure_link: the ifinfomsg flags of a new device. */
function configureLink(d: NetDevice, ifi: usize): i32 {
  if (load<u32>(ifi, 8) != 0 || load<u32>(ifi, 12) != 0) return devChangeFlags(d, combineFlags(d, ifi));
  return 0;
}

const KIND_NONE: i32 = 0;
const KIND_VETH: i32 = 1;
const KIND_NIC: i32 = 2;
const KIND_UNKNOWN: i32 = -1;

function kindOf(a: usize): i32 {
  if (a == 0) return KIND_NONE;
  const n = nlaStrLen(a, 64);
  const p = nlaData(a);
  if (n == 4 && load<u32>(p) == 0x68746576) return KIND_VETH;   // "veth"
  if (n == 3 && load<u16>(p) == 0x696E && load<u8>(p, 2) == 0x63) return KIND_NIC;   // "nic"
  return KIND_UNKNOWN;
}

/** rtnl_newlink: change an existing device, or create one (veth, nic) with NLM_F_CREATE. */
function rtnlNewlink(nlh: usize): i32 {
  let err = nlmsgParse(nlh, IFINFOMSG_LEN, tb, IFLA_MAX, IFLA_POLICY, NL_VALIDATE_LIBERAL);
  if (err < 0) return err;
  const ifi = nlmsgData(nlh);
  const index = load<i32>(ifi, 4);
  const flags = nlmsgFlags(nlh);
  let d: NetDevice | null = null;
  let linkSpecified = false;
  if (index > 0) { linkSpecified = true; d = devGet(<u32>index); }
  else if (index < 0) { nlSetErrMsg("ifindex can't be negative"); return -EINVAL; }
  else if (tbGet(tb, IFLA_IFNAME) != 0) { linkSpecified = true; d = devByNameAttr(tbGet(tb, IFLA_IFNAME)); }
  err = validateLinkmsg(d, tb);
  if (err < 0) return err;
  let kind = KIND_NONE;
  let data: usize = 0;
  const linkinfo = tbGet(tb, IFLA_LINKINFO);
  if (linkinfo != 0) {
    err = nlaParseNested(tb2, IFLA_INFO_MAX, linkinfo, IFLA_INFO_POLICY, NL_VALIDATE_LIBERAL);
    if (err < 0) return err;
    kind = kindOf(tbGet(tb2, IFLA_INFO_KIND));
    data = tbGet(tb2, IFLA_INFO_DATA);
  }
  let peerInfo: usize = 0;
  if (kind == KIND_VETH || kind == KIND_NIC) {
    if (kind == KIND_VETH && data != 0) {
      err = nlaParseNested(tb3, VETH_INFO_MAX, data, VETH_POLICY, NL_VALIDATE_LIBERAL);
      if (err < 0) return err;
      peerInfo = tbGet(tb3, VETH_INFO_PEER);
    }
    err = etherValidate(tb);
    if (err < 0) return err;
  }
  if (d !== null) {
    if ((flags & NLM_F_EXCL) != 0) return -EEXIST;
    if ((flags & NLM_F_REPLACE) != 0) return -EOPNOTSUPP;
    if (data != 0) return -EOPNOTSUPP;   // neither veth nor nic has changelink
    return doSetlink(d, ifi, tb);
  }
  if ((flags & NLM_F_CREATE) == 0) {
    if (linkSpecified) return -ENODEV;
    const g = tbGet(tb, IFLA_GROUP);
    if (g != 0) return rtnlGroupChangelink(nlaGetU32(g), ifi);
    return -ENODEV;
  }
  if (tbGet(tb, IFLA_MAP) != 0 || tbGet(tb, IFLA_PROTINFO) != 0) return -EOPNOTSUPP;
  if (kind == KIND_NONE || kind == KIND_UNKNOWN) { nlSetErrMsg("Unknown device type"); return -EOPNOTSUPP; }
  return rtnlNewlinkCreate(ifi, index, kind, peerInfo);
}

/** rtnl_group_changelink: apply the flags to every device of the group. */
function rtnlGroupChangelink(group: u32, ifi: usize): i32 {
  for (let i: u32 = 1; i < MAX_DEVICES; i++) {
    const d = devGet(i);
    if (d === null || d.group != group) continue;
    const err = doSetlink(d, ifi, tb);
    if (err < 0) return err;
  }
  return 0;
}

function rtnlNewlinkCreate(ifi: usize, index: i32, kind: i32, peerInfo: usize): i32 {
  // Names: IFLA_IFNAME or "<kind>%d".
  const nm = tbGet(tb, IFLA_IFNAME);
  if (kind == KIND_NIC) {
    const n = nm != 0
      ? devResolveName(nlaData(nm), nlaStrLen(nm, IFNAMSIZ - 1), nameBuf, 0, 0)
      : devResolveName(nameBuf2, asciiTo(nameBuf2, PAT_NIC), nameBuf, 0, 0);
    if (n < 0) return n;
    const m = tbGet(tb, IFLA_MTU);
    if (m != 0) {
      const mtu = nlaGetU32(m);
      if (mtu < ETH_MIN_MTU) { nlSetErrMsg("mtu less than device minimum"); return -EINVAL; }
      if (mtu > ETH_MAX_MTU) { nlSetErrMsg("mtu greater than device maximum"); return -EINVAL; }
    }
    const r = devCreateNic(nameBuf, <u32>n, index > 0 ? <u32>index : 0);
    if (r < 0) return r;
    const d = devSlot(<u32>r);
    let err = applyCreateAttrs(d, tb);
    if (err == 0) err = configureLink(d, ifi);
    if (err < 0) { devDelete(<u32>r); return err; }
    return 0;
  }
  // veth_newlink: the peer's ifinfomsg + attributes, or (without VETH_INFO_PEER) the device's own.
  let peerTb = tb;
  let peerIfi: usize = 0;
  if (peerInfo != 0) {
    peerIfi = nlaData(peerInfo);
    const err = nlaParse(tb3, IFLA_MAX, peerIfi + IFINFOMSG_LEN, <i32>nlaPayload(peerInfo) - <i32>IFINFOMSG_LEN,
      IFLA_POLICY, NL_VALIDATE_LIBERAL);
    if (err < 0) return err;
    const e2 = etherValidate(tb3);
    if (e2 < 0) return e2;
    peerTb = tb3;
  }
  // veth_newlink opens the peer (rtnl_configure_link) before the two are linked: veth_open finds no peer
  // and the whole creation fails with -ENOTCONN, as on a real kernel.
  if (peerIfi != 0 && (load<u32>(peerIfi, 12) != 0 ? load<u32>(peerIfi, 8) & load<u32>(peerIfi, 12) : load<u32>(peerIfi, 8)) & IFF_UP) {
    devFreeIndex();   // the peer was registered (its ifindex taken from the cyclic counter) before the failure
    return -ENOTCONN;
  }
  const pn = peerIfi != 0 ? tbGet(peerTb, IFLA_IFNAME) : 0;
  const pl = pn != 0
    ? devResolveName(nlaData(pn), nlaStrLen(pn, IFNAMSIZ - 1), nameBuf2, 0, 0)
    : devResolveName(nameBuf, asciiTo(nameBuf, PAT_VETH), nameBuf2, 0, 0);
  if (pl < 0) return pl;
  // The peer registers first, so the device's "%d" skips the peer's name.
  let scratch = nameBuf;
  const pat = heapScratch();
  const nl = nm != 0
    ? devResolveName(nlaData(nm), nlaStrLen(nm, IFNAMSIZ - 1), scratch, nameBuf2, <u32>pl)
    : devResolveName(pat, asciiTo(pat, PAT_VETH), scratch, nameBuf2, <u32>pl);
  if (nl < 0) return nl;
  if (nl == pl && memory.compare(scratch, nameBuf2, <usize>nl) == 0 && devIndexByName(nameBuf2, <u32>pl) == 0) {
    devFreeIndex();   // the peer registered (taking an ifindex), then the device's own name clashed
    return -EEXIST;
  }
  const r = devCreateVeth(scratch, <u32>nl, nameBuf2, <u32>pl);
  if (r < 0) return r;
  const d = devSlot(<u32>r);
  const p = devSlot(d.peer);
  // Without VETH_INFO_PEER the peer takes the device's attributes but keeps a random address.
  let err = applyCreateAttrs(p, peerTb, peerIfi != 0);
  if (err == 0 && peerIfi != 0) err = configureLink(p, peerIfi);
  if (err == 0) err = applyCreateAttrs(d, tb);
  if (err == 0) err = configureLink(d, ifi);
  if (err < 0) { devDelete(<u32>r); return err; }
  return 0;
}

let patBuf: usize = 0;
function heapScratch(): usize { if (patBuf == 0) patBuf = heap.alloc(<usize>IFNAMSIZ); return patBuf; }

/** rtnl_setlink: by index or name, then do_setlink. */
function rtnlSetlink(nlh: usize): i32 {
  const err = nlmsgParse(nlh, IFINFOMSG_LEN, tb, IFLA_MAX, IFLA_POLICY, NL_VALIDATE_LIBERAL);
  if (err < 0) return err;
  const ifi = nlmsgData(nlh);
  const index = load<i32>(ifi, 4);
  let d: NetDevice | null = null;
  if (index > 0) d = devGet(<u32>index);
  else if (tbGet(tb, IFLA_IFNAME) != 0) d = devByNameAttr(tbGet(tb, IFLA_IFNAME));
  else return -EINVAL;
  if (d === null) return -ENODEV;
  return doSetlink(d, ifi, tb);
}

/** rtnl_dellink: devices without rtnl_link_ops (lo) answer -EOPNOTSUPP; deleting a veth end deletes both. */
function rtnlDellink(nlh: usize): i32 {
  const err = nlmsgParse(nlh, IFINFOMSG_LEN, tb, IFLA_MAX, IFLA_POLICY, NL_VALIDATE_LIBERAL);
  if (err < 0) return err;
  const ifi = nlmsgData(nlh);
  const index = load<i32>(ifi, 4);
  let d: NetDevice | null = null;
  if (index > 0) d = devGet(<u32>index);
  else if (tbGet(tb, IFLA_IFNAME) != 0) d = devByNameAttr(tbGet(tb, IFLA_IFNAME));
  else if (tbGet(tb, IFLA_GROUP) != 0) return rtnlGroupDellink(nlaGetU32(tbGet(tb, IFLA_GROUP)));
  else return -EINVAL;
  if (d === null) return -ENODEV;
  if (d.kind == DEV_KIND_LOOPBACK) return -EOPNOTSUPP;
  return devDelete(d.ifindex);
}

/** rtnl_group_dellink: not group 0 (-EPERM), some device in it (-ENODEV), every one deletable. */
function rtnlGroupDellink(group: u32): i32 {
  if (group == 0) return -1;   // EPERM
  let found = false;
  for (let i: u32 = 1; i < MAX_DEVICES; i++) {
    const d = devGet(i);
    if (d === null || d.group != group) continue;
    found = true;
    if (d.kind == DEV_KIND_LOOPBACK) return -EOPNOTSUPP;
  }
  if (!found) return -ENODEV;
  for (let i: u32 = 1; i < MAX_DEVICES; i++) {
    const d = devGet(i);
    if (d !== null && d.group == group) devDelete(i);
  }
  return 0;
}

/** rtnl_valid_getlink_req (strict): clean header, only IFNAME/ALT_IFNAME/EXT_MASK/TARGET_NETNSID. */
function validGetlinkReq(nlh: usize): i32 {
  if (!nlStrict()) return nlmsgParse(nlh, IFINFOMSG_LEN, tb, IFLA_MAX, IFLA_POLICY, NL_VALIDATE_LIBERAL);
  if (nlmsgLen(nlh) < NLMSG_HDRLEN + IFINFOMSG_LEN) { nlSetErrMsg("Invalid header for get link"); return -EINVAL; }
  const ifi = nlmsgData(nlh);
  if (load<u8>(ifi, 1) != 0 || load<u16>(ifi, 2) != 0 || load<u32>(ifi, 8) != 0 || load<u32>(ifi, 12) != 0) {
    nlSetErrMsg("Invalid values in header for get link request");
    return -EINVAL;
  }
  const err = nlmsgParse(nlh, IFINFOMSG_LEN, tb, IFLA_MAX, IFLA_POLICY, NL_VALIDATE_STRICT);
  if (err < 0) return err;
  for (let i: u32 = 1; i <= IFLA_MAX; i++) {
    const a = tbGet(tb, i);
    if (a == 0) continue;
    if (i == IFLA_IFNAME || i == IFLA_ALT_IFNAME || i == IFLA_EXT_MASK || i == IFLA_TARGET_NETNSID) continue;
    nlSetBadAttr(a);
    nlSetErrMsg("Unsupported attribute in get link request");
    return -EINVAL;
  }
  return 0;
}

/** rtnl_getlink: one device by index or name, answered with RTM_NEWLINK. */
function rtnlGetlink(nlh: usize): i32 {
  const err = validGetlinkReq(nlh);
  if (err < 0) return err;
  const ifi = nlmsgData(nlh);
  const index = load<i32>(ifi, 4);
  let d: NetDevice | null = null;
  if (index > 0) d = devGet(<u32>index);
  else if (tbGet(tb, IFLA_IFNAME) != 0) d = devByNameAttr(tbGet(tb, IFLA_IFNAME));
  else return -EINVAL;
  if (d === null) return -ENODEV;
  const em = tbGet(tb, IFLA_EXT_MASK);
  return rtnlFillIfinfo(replyW, d, RTM_NEWLINK, nlCurPortid(), nlmsgSeq(nlh), 0, 0, em != 0 ? nlaGetU32(em) : 0);
}

/**
 * rtnl_dump_ifinfo: every device in ifindex order; cb->a0 = next ifindex. Strict requests are checked as
 * rtnl_valid_dump_ifinfo_req does; IFLA_MASTER and IFLA_LINKINFO{KIND} filter (NLM_F_DUMP_FILTERED).
 */
function rtnlDumpIfinfo(c: NlCallback, w: NlWriter): i32 {
  const nlh = c.req;
  const strict = (c.sockFlags & NL_SOCK_STRICT_CHK) != 0;
  let err = 0;
  if (strict) {
    if (nlmsgLen(nlh) < NLMSG_HDRLEN + IFINFOMSG_LEN) { nlSetErrMsg("Invalid header for link dump"); return -EINVAL; }
    const ifi = nlmsgData(nlh);
    if (load<u8>(ifi, 1) != 0 || load<u16>(ifi, 2) != 0 || load<u32>(ifi, 8) != 0 || load<u32>(ifi, 12) != 0) {
      nlSetErrMsg("Invalid values in header for link dump request");
      return -EINVAL;
    }
    if (load<i32>(ifi, 4) != 0) { nlSetErrMsg("Filter by device index not supported for link dumps"); return -EINVAL; }
    err = nlmsgParse(nlh, IFINFOMSG_LEN, tb, IFLA_MAX, IFLA_POLICY, NL_VALIDATE_STRICT);
    if (err < 0) return err;
    for (let i: u32 = 1; i <= IFLA_MAX; i++) {
      const a = tbGet(tb, i);
      if (a == 0 || i == IFLA_TARGET_NETNSID || i == IFLA_EXT_MASK || i == IFLA_MASTER || i == IFLA_LINKINFO) continue;
      nlSetBadAttr(a);
      nlSetErrMsg("Unsupported attribute in link dump request");
      return -EINVAL;
    }
  } else {
    // Old tools send a bare rtgenmsg (or an ifaddrmsg): parse attributes only after a full ifinfomsg.
    if (nlmsgLen(nlh) >= NLMSG_HDRLEN + IFINFOMSG_LEN) {
      err = nlmsgParse(nlh, IFINFOMSG_LEN, tb, IFLA_MAX, IFLA_POLICY, NL_VALIDATE_LIBERAL);
      if (err < 0) return err;
    } else memory.fill(tb, 0, <usize>(IFLA_MAX + 1) << 2);
  }
  const em = tbGet(tb, IFLA_EXT_MASK);
  const extMask = em != 0 ? nlaGetU32(em) : 0;
  const ma = tbGet(tb, IFLA_MASTER);
  const master = ma != 0 ? nlaGetU32(ma) : 0;
  let kindFilter = KIND_NONE;
  const li = tbGet(tb, IFLA_LINKINFO);
  if (li != 0) {
    err = nlaParseNested(tb2, IFLA_INFO_MAX, li, IFLA_INFO_POLICY, NL_VALIDATE_LIBERAL);
    if (err < 0) return err;
    kindFilter = kindOf(tbGet(tb2, IFLA_INFO_KIND));
    if (kindFilter == KIND_UNKNOWN) kindFilter = KIND_NONE;   // unknown kind: no filter (no ops found)
  }
  if (master != 0 || kindFilter != KIND_NONE) c.answerFlags |= NLM_F_DUMP_FILTERED;
  const start = w.len;
  let i = <u32>c.a0;
  if (i == 0) i = 1;
  for (; i < MAX_DEVICES; i++) {
    const d = devGet(i);
    if (d === null) continue;
    if (master != 0) continue;   // no device has a master
    if (kindFilter == KIND_VETH && d.kind != DEV_KIND_VETH) continue;
    if (kindFilter == KIND_NIC && d.kind != DEV_KIND_NIC) continue;
    const e = rtnlFillIfinfo(w, d, RTM_NEWLINK, c.portid, c.seq, 0, NLM_F_MULTI | <u16>c.answerFlags, extMask);
    if (e < 0) {
      c.a0 = i;
      return w.len != start ? <i32>(w.len - start) : e;
    }
  }
  c.a0 = MAX_DEVICES;
  return <i32>(w.len - start);
}

// ---- IPv4 addresses (devinet.c) ----

/** Address slot number of an in_ifaddr. */
function ifaSlot(ifa: InIfaddr): u32 {
  return <u32>((changetype<usize>(ifa) - changetype<usize>(ifaAt(0))) / IFADDR_SIZE);
}

/** inet_fill_ifaddr. 0 or -EMSGSIZE. */
export function inetFillIfaddr(w: NlWriter, ifa: InIfaddr, type: u16, pid: u32, seq: u32, flags: u16): i32 {
  const h = nlmsgPut(w, pid, seq, type, IFADDRMSG_LEN, flags);
  if (h == 0) return -EMSGSIZE;
  const m = h + NLMSG_HDRLEN;
  const f = ifa.flags;
  store<u8>(m, AF_INET);
  store<u8>(m, ifa.prefixlen, 1);
  store<u8>(m, <u8>f, 2);        // ifa_flags is a u8: the full value goes in IFA_FLAGS
  store<u8>(m, ifa.scope, 3);
  store<u32>(m, ifa.ifindex, 4);
  // inet_fill_ifaddr: what is left of finite lifetimes, in whole seconds since they were set
  let preferred = INFINITY_LIFE_TIME, valid = INFINITY_LIFE_TIME;
  if ((f & IFA_F_PERMANENT) == 0 && ifa.validLft != INFINITY_LIFE_TIME) {
    preferred = ifa.preferredLft; valid = ifa.validLft;
    if (preferred != INFINITY_LIFE_TIME) {
      const tval = <u64>((jiffies() - ifa.tstamp) / 1000);
      preferred = <u64>preferred > tval ? preferred - <u32>tval : 0;
      valid = <u64>valid > tval ? valid - <u32>tval : 0;
    }
  }
  const s = ifaState + (<usize>ifaSlot(ifa) << 3);
  const cstamp = load<u32>(s) != 0 ? load<u32>(s, 4) : 0;
  const tstamp = <u32>(ifa.tstamp / 10);
  const lab = ifaLabel(ifa);
  let ll: u32 = 0;
  while (ll < IFNAMSIZ && load<u8>(lab + ll) != 0) ll++;
  let ok = (ifa.address == 0 || nlaPutU32(w, IFA_ADDRESS, ifa.address))
    && (ifa.local == 0 || nlaPutU32(w, IFA_LOCAL, ifa.local))
    && (ifa.broadcast == 0 || nlaPutU32(w, IFA_BROADCAST, ifa.broadcast))
    && (ll == 0 || nlaPutCStr(w, IFA_LABEL, lab, ll))
    && nlaPutU32(w, IFA_FLAGS, f);
  if (ok) {
    // struct ifa_cacheinfo { ifa_prefered, ifa_valid, cstamp, tstamp } (stamps in 1/100 s)
    const a = nlaNestStart(w, IFA_CACHEINFO);
    ok = a != 0 && w.cap - w.len >= 16;
    if (ok) {
      const p = nlWriterTail(w);
      store<u32>(p, preferred); store<u32>(p, valid, 4); store<u32>(p, cstamp, 8); store<u32>(p, tstamp, 12);
      w.len += 16;
      nlaNestEnd(w, a);
    }
  }
  if (!ok) { nlmsgCancel(w, h); return -EMSGSIZE; }
  nlmsgEnd(w, h);
  return 0;
}

/**
 * rtmsg_ifa: RTM_NEWADDR/RTM_DELADDR to RTNLGRP_IPV4_IFADDR. Changes made by an RTM_NEWADDR/DELADDR
 * request carry its pid/seq; others (lo's 127.0.0.1, device teardown) carry 0.
 */
export function rtmsgIfa(ifa: InIfaddr, type: u16): void {
  rtnetlinkInit();
  const s = ifaState + (<usize>ifaSlot(ifa) << 3);
  if (type == RTM_NEWADDR && load<u32>(s) == 0) {
    store<u32>(s, 1);
    store<u32>(s, <u32>(jiffies() / 10), 4);
  }
  const w = notifyBegin(RTNLGRP_IPV4_IFADDR);
  if (w !== null && inetFillIfaddr(w, ifa, type, addrCtxPid, addrCtxSeq, 0) < 0) notifyAbort();
  if (type == RTM_DELADDR) store<u32>(s, 0);
}

/** inet_rtm_newaddr (rtm_to_ifaddr + find_matching_ifa + __inet_insert_ifa). */
function inetRtmNewaddr(nlh: usize): i32 {
  let err = nlmsgParse(nlh, IFADDRMSG_LEN, tb, IFA_MAX, IFA_POLICY, NL_VALIDATE_LIBERAL);
  if (err < 0) return err;
  const m = nlmsgData(nlh);
  const prefixlen = <u32>load<u8>(m, 1);
  if (prefixlen > 32) { nlSetErrMsg("ipv4: Invalid prefix length"); return -EINVAL; }
  const la = tbGet(tb, IFA_LOCAL);
  if (la == 0) { nlSetErrMsg("ipv4: Local address is not supplied"); return -EINVAL; }
  const ifindex = load<u32>(m, 4);
  const d = devGet(ifindex);
  if (d === null) { nlSetErrMsg("ipv4: Device not found"); return -ENODEV; }
  let aa = tbGet(tb, IFA_ADDRESS);
  if (aa == 0) aa = la;
  const local = nlaGetU32(la);
  const address = nlaGetU32(aa);
  const fa = tbGet(tb, IFA_FLAGS);
  const flags = (fa != 0 ? nlaGetU32(fa) : <u32>load<u8>(m, 2)) & ~IPV6ONLY_FLAGS;
  const scope = load<u8>(m, 3);
  const ba = tbGet(tb, IFA_BROADCAST);
  const brd = ba != 0 ? nlaGetU32(ba) : 0;
  const ci = tbGet(tb, IFA_CACHEINFO);
  let pref = INFINITY_LIFE_TIME, valid = INFINITY_LIFE_TIME;
  if (ci != 0) {
    pref = load<u32>(nlaData(ci)); valid = load<u32>(nlaData(ci), 4);
    if (valid == 0 || pref > valid) { nlSetErrMsg("ipv4: address lifetime invalid"); return -EINVAL; }
  }
  const mask = inetMakeMask(prefixlen);
  // find_matching_ifa: same mask, same subnet, same local.
  for (let sl = ifaFirst(ifindex); sl != 0; sl = ifaAt(sl).next) {
    const a = ifaAt(sl);
    if (a.mask != mask || ((a.address ^ address) & mask) != 0) continue;
    if (a.local == local) {
      if ((nlmsgFlags(nlh) & NLM_F_EXCL) != 0 || (nlmsgFlags(nlh) & NLM_F_REPLACE) == 0) {
        nlSetErrMsg("ipv4: Address already assigned");
        return -EEXIST;
      }
      // NLM_F_REPLACE: the lifetimes start again (set_ifa_lifetime), then the notification.
      ifaSetLifetime(a, valid, pref);
      lifetimeKick();
      addrCtxPid = nlCurPortid(); addrCtxSeq = nlmsgSeq(nlh);
      rtmsgIfa(a, RTM_NEWADDR);
      addrCtxPid = 0; addrCtxSeq = 0;
      return 0;
    }
    if (a.scope != scope) { nlSetErrMsg("ipv4: Invalid scope value"); return -EINVAL; }
  }
  const lab = tbGet(tb, IFA_LABEL);
  const labLen = lab != 0 ? nlaStrLen(lab, IFNAMSIZ - 1) : 0;
  addrCtxPid = nlCurPortid(); addrCtxSeq = nlmsgSeq(nlh);
  err = inetAddrAdd(ifindex, local, address, prefixlen, brd, scope, flags, lab != 0 ? nlaData(lab) : 0, labLen,
    true, valid, pref);
  addrCtxPid = 0; addrCtxSeq = 0;
  return err;
}

/** inet_rtm_deladdr: first address matching IFA_LOCAL, IFA_LABEL and IFA_ADDRESS/prefixlen (each if given). */
function inetRtmDeladdr(nlh: usize): i32 {
  const err = nlmsgParse(nlh, IFADDRMSG_LEN, tb, IFA_MAX, IFA_POLICY, NL_VALIDATE_LIBERAL);
  if (err < 0) return err;
  const m = nlmsgData(nlh);
  const ifindex = load<u32>(m, 4);
  if (devGet(ifindex) === null) { nlSetErrMsg("ipv4: Device not found"); return -ENODEV; }
  const prefixlen = <u32>load<u8>(m, 1);
  const la = tbGet(tb, IFA_LOCAL), lab = tbGet(tb, IFA_LABEL), aa = tbGet(tb, IFA_ADDRESS);
  for (let sl = ifaFirst(ifindex); sl != 0; sl = ifaAt(sl).next) {
    const a = ifaAt(sl);
    if (la != 0 && a.local != nlaGetU32(la)) continue;
    if (lab != 0) {
      let ll: u32 = 0;
      while (ll < IFNAMSIZ && load<u8>(ifaLabel(a) + ll) != 0) ll++;
      if (nlaStrcmp(lab, ifaLabel(a), ll) != 0) continue;
    }
    if (aa != 0 && (prefixlen != <u32>a.prefixlen || ((nlaGetU32(aa) ^ a.address) & a.mask) != 0)) continue;
    addrCtxPid = nlCurPortid(); addrCtxSeq = nlmsgSeq(nlh);
    // The whole NUL-padded label makes the lookup exact.
    const r = inetAddrDel(ifindex, a.local, <i32>a.prefixlen, ifaLabel(a), IFNAMSIZ);
    addrCtxPid = 0; addrCtxSeq = 0;
    return r;
  }
  nlSetErrMsg("ipv4: Address not found");
  return -EADDRNOTAVAIL;
}

/**
 * inet_dump_ifaddr: every IPv4 address, device by device; cb->a0 = ifindex, cb->a1 = index in its list.
 * Strict requests: clean header (inet_valid_dump_ifaddr_req), ifa_index filters (NLM_F_DUMP_FILTERED).
 */
function inetDumpIfaddr(c: NlCallback, w: NlWriter): i32 {
  const nlh = c.req;
  let filterIndex: u32 = 0;
  if ((c.sockFlags & NL_SOCK_STRICT_CHK) != 0) {
    if (nlmsgLen(nlh) < NLMSG_HDRLEN + IFADDRMSG_LEN) {
      nlSetErrMsg("ipv4: Invalid header for address dump request");
      return -EINVAL;
    }
    const m = nlmsgData(nlh);
    if (load<u8>(m, 1) != 0 || load<u8>(m, 2) != 0 || load<u8>(m, 3) != 0) {
      nlSetErrMsg("ipv4: Invalid values in header for address dump request");
      return -EINVAL;
    }
    const err = nlmsgParse(nlh, IFADDRMSG_LEN, tb, IFA_MAX, IFA_POLICY, NL_VALIDATE_STRICT);
    if (err < 0) return err;
    for (let i: u32 = 1; i <= IFA_MAX; i++) {
      const a = tbGet(tb, i);
      if (a == 0 || i == IFA_TARGET_NETNSID) continue;
      nlSetBadAttr(a);
      nlSetErrMsg("ipv4: Unsupported attribute in dump request");
      return -EINVAL;
    }
    filterIndex = load<u32>(m, 4);
    if (filterIndex != 0) {
      c.answerFlags |= NLM_F_DUMP_FILTERED;
      if (devGet(filterIndex) === null) return -ENODEV;
    }
  }
  const start = w.len;
  let i = <u32>c.a0;
  if (i == 0) i = 1;
  for (; i < MAX_DEVICES; i++) {
    if (filterIndex != 0 && i != filterIndex) continue;
    if (devGet(i) === null) continue;
    let k: u32 = 0;
    const skip = i == <u32>c.a0 ? <u32>c.a1 : 0;
    for (let sl = ifaFirst(i); sl != 0; sl = ifaAt(sl).next, k++) {
      if (k < skip) continue;
      const e = inetFillIfaddr(w, ifaAt(sl), RTM_NEWADDR, c.portid, c.seq, NLM_F_MULTI | <u16>c.answerFlags);
      if (e < 0) {
        c.a0 = i; c.a1 = k;
        return w.len != start ? <i32>(w.len - start) : e;
      }
    }
  }
  c.a0 = MAX_DEVICES; c.a1 = 0;
  return <i32>(w.len - start);
}
