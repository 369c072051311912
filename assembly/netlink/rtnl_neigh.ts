// rtnetlink for the neighbour table (net/core/neighbour.c): RTM_GETNEIGH dumps of the ARP table
// (neigh_dump_info, neigh_valid_dump_req, neigh_fill_info) and the user's additions and deletions
// (neigh_add, neigh_delete), as `ip neigh` sends them.
import {
  NlWriter, NlCallback, nlmsgPut, nlmsgEnd, nlmsgCancel, nlaPut, nlaPutU32, nlmsgParse, tbGet, nlaGetU32,
  nlSetErrMsg, nlmsgLen, nlmsgData, NLMSG_HDRLEN, NLM_F_MULTI, NLM_F_DUMP_FILTERED, NL_SOCK_STRICT_CHK,
  NL_VALIDATE_LIBERAL, NL_VALIDATE_STRICT, NLA_U8, NLA_U16, NLA_U32, NLA_S32, NLA_BINARY, NLA_NESTED, NLA_UNSPEC,
  nlmsgFlags, nlaPayload, nlaData, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE,
  EINVAL, EMSGSIZE, ENOENT, EEXIST, ENODEV, EAFNOSUPPORT,
} from "./nlmsg";
import { rtnlRegister, AF_UNSPEC, AF_INET } from "./rtnetlink";
import { devGet } from "../core/netdev";
import { jiffies } from "../core/dev";
import {
  Neighbour, neighSlot, neighHa, neighLookup, neighCreate, neighUpdate, neighRemove, neighErrMsg, NEIGH_MAX, NUD_VALID,
  NUD_FAILED, NEIGH_UPDATE_F_OVERRIDE, NEIGH_UPDATE_F_ADMIN,
} from "../neigh/neighbour";

const RTM_NEWNEIGH: u16 = 28;
const RTM_DELNEIGH: u32 = 29;
const RTM_GETNEIGH: u32 = 30;
const NDMSG_LEN: u32 = 12;          // struct ndmsg { family, pad1, pad2 u16, ifindex s32, state u16, flags, type }
const NTF_PROXY: u8 = 0x08;
const EOPNOTSUPP_PROXY: i32 = 95;   // proxy entries (pneigh) are not kept by this engine
const ENOBUFS_NEIGH: i32 = 105;     // the table is full (gc_thresh3)
const NDA_DST: u16 = 1, NDA_LLADDR: u16 = 2, NDA_CACHEINFO: u16 = 3, NDA_PROBES: u16 = 4;
const NDA_IFINDEX: u32 = 8, NDA_MASTER: u32 = 9;
const NDA_MAX: u32 = 17;

// nda_policy
const NDA_POLICY: usize = memory.data<u16>([
  0, 0,                 // 0
  NLA_BINARY, 32,       // 1 DST (MAX_ADDR_LEN)
  NLA_BINARY, 32,       // 2 LLADDR
  NLA_UNSPEC, 16,       // 3 CACHEINFO
  NLA_U32, 0,           // 4 PROBES
  NLA_U16, 0,           // 5 VLAN
  NLA_U16, 0,           // 6 PORT
  NLA_U32, 0,           // 7 VNI
  NLA_U32, 0,           // 8 IFINDEX
  NLA_U32, 0,           // 9 MASTER
  NLA_S32, 0,           // 10 LINK_NETNSID
  NLA_U32, 0,           // 11 SRC_VNI
  NLA_U8, 0,            // 12 PROTOCOL
  NLA_U32, 0,           // 13 NH_ID
  NLA_NESTED, 0,        // 14 FDB_EXT_ATTRS
  NLA_U32, 0,           // 15 FLAGS_EXT
  NLA_U16, 0,           // 16 NDM_STATE_MASK
  NLA_U8, 0,            // 17 NDM_FLAGS_MASK
]);

let tb: usize = 0;

/** Register the dump (AF_UNSPEC: `ip neigh` asks for every family; the ARP table is the only one). */
export function rtnlNeighInit(): void {
  if (tb == 0) tb = heap.alloc(<usize>(NDA_MAX + 1) << 2);
  rtnlRegister(AF_UNSPEC, RTM_NEWNEIGH, changetype<usize>(neighAdd), 0);
  rtnlRegister(AF_UNSPEC, RTM_DELNEIGH, changetype<usize>(neighDelete), 0);
  rtnlRegister(AF_UNSPEC, RTM_GETNEIGH, 0, changetype<usize>(neighDumpInfo));
}

/**
 * The parts neigh_add and neigh_delete share: parse, NDA_DST, the device (ENODEV), the table
 * (only ARP here: other families EAFNOSUPPORT), the key length. Sets ndDev/ndDst; 0 or -errno.
 */
let ndDev: u32 = 0;
let ndDst: u32 = 0;
function neighParse(nlh: usize, checkLladdr: bool): i32 {
  const err = nlmsgParse(nlh, NDMSG_LEN, tb, NDA_MAX, NDA_POLICY, NL_VALIDATE_LIBERAL);
  if (err < 0) return err;
  const dst = tbGet(tb, NDA_DST);
  if (dst == 0) { nlSetErrMsg("Network address not specified"); return -EINVAL; }
  const m = nlmsgData(nlh);
  ndDev = load<u32>(m, 4);
  if (ndDev != 0) {
    if (devGet(ndDev) === null) return -ENODEV;
    const ll = tbGet(tb, NDA_LLADDR);
    if (checkLladdr && ll != 0 && nlaPayload(ll) < 6) { nlSetErrMsg("Invalid link address"); return -EINVAL; }
  }
  if (load<u8>(m) != AF_INET) return -EAFNOSUPPORT;
  if (nlaPayload(dst) < 4) { nlSetErrMsg("Invalid network address"); return -EINVAL; }
  ndDst = load<u32>(nlaData(dst));
  return 0;
}

/** neigh_add: create (NLM_F_CREATE) or update an entry; without NLM_F_REPLACE no address override. */
function neighAdd(nlh: usize): i32 {
  const err = neighParse(nlh, true);
  if (err < 0) return err;
  const m = nlmsgData(nlh);
  if ((load<u8>(m, 10) & NTF_PROXY) != 0) return -EOPNOTSUPP_PROXY;
  if (ndDev == 0) { nlSetErrMsg("Device not specified"); return -EINVAL; }
  const d = devGet(ndDev)!;
  let flags = NEIGH_UPDATE_F_ADMIN | NEIGH_UPDATE_F_OVERRIDE;
  let n = neighLookup(ndDst, ndDev);
  if (n === null) {
    if ((nlmsgFlags(nlh) & NLM_F_CREATE) == 0) return -ENOENT;
    n = neighCreate(ndDst, d);
    if (n === null) return -ENOBUFS_NEIGH;
  } else {
    if ((nlmsgFlags(nlh) & NLM_F_EXCL) != 0) return -EEXIST;
    if ((nlmsgFlags(nlh) & NLM_F_REPLACE) == 0) flags &= ~NEIGH_UPDATE_F_OVERRIDE;
  }
  const ll = tbGet(tb, NDA_LLADDR);
  const r = neighUpdate(n, ll != 0 ? nlaData(ll) : 0, <u8>load<u16>(m, 8), flags);
  if (r < 0) nlSetErrMsg(neighErrMsg);
  return r;
}

/** neigh_delete: the entry goes to FAILED (its waiting packets' senders hear so), then leaves the table. */
function neighDelete(nlh: usize): i32 {
  const err = neighParse(nlh, false);
  if (err < 0) return err;
  if ((load<u8>(nlmsgData(nlh), 10) & NTF_PROXY) != 0) return -ENOENT;   // no proxy entries
  if (ndDev == 0) return -EINVAL;
  const n = neighLookup(ndDst, ndDev);
  if (n === null) return -ENOENT;
  neighUpdate(n, 0, NUD_FAILED, NEIGH_UPDATE_F_OVERRIDE | NEIGH_UPDATE_F_ADMIN);
  neighRemove(n);
  return 0;
}

// @ts-ignore: decorator
@inline function clockT(ms: i64): u32 { return <u32>(ms / 10); }   // jiffies_to_clock_t: USER_HZ 100

/** neigh_fill_info. 0 or -EMSGSIZE. */
function neighFillInfo(w: NlWriter, n: Neighbour, portid: u32, seq: u32, flags: u16): i32 {
  const h = nlmsgPut(w, portid, seq, RTM_NEWNEIGH, NDMSG_LEN, flags);
  if (h == 0) return -EMSGSIZE;
  const m = h + NLMSG_HDRLEN;
  store<u8>(m, AF_INET); store<u8>(m, 0, 1); store<u16>(m, 0, 2);
  store<u32>(m, n.ifindex, 4);
  store<u16>(m, n.state, 8);
  store<u8>(m, 0, 10);                              // ndm_flags: no router/proxy flags on ARP entries
  store<u8>(m, n.type, 11);
  const now = jiffies();
  // struct nda_cacheinfo { confirmed, used, updated, refcnt }: ages in clock ticks; a pending timer
  // holds the one reference besides the table's
  const ci = memory.data(16);
  store<u32>(ci, clockT(now - n.confirmed)); store<u32>(ci, clockT(now - n.used), 4);
  store<u32>(ci, clockT(now - n.updated), 8); store<u32>(ci, n.timer != 0 ? 1 : 0, 12);
  const dst = memory.data(4);
  store<u32>(dst, n.key);
  const ok = nlaPut(w, NDA_DST, dst, 4)
    && ((n.state & NUD_VALID) == 0 || nlaPut(w, NDA_LLADDR, neighHa(n), 6))
    && nlaPutU32(w, NDA_PROBES, n.probes)
    && nlaPut(w, NDA_CACHEINFO, ci, 16);
  if (!ok) { nlmsgCancel(w, h); return -EMSGSIZE; }
  nlmsgEnd(w, h);
  return 0;
}

/** neigh_dump_info + neigh_valid_dump_req + neigh_dump_table for the ARP table; resumes at slot c.a1. */
function neighDumpInfo(c: NlCallback, w: NlWriter): i32 {
  const nlh = c.req;
  const family = nlmsgLen(nlh) > NLMSG_HDRLEN ? <u32>load<u8>(nlmsgData(nlh)) : 0;
  const strict = (c.sockFlags & NL_SOCK_STRICT_CHK) != 0;
  let proxy = false;
  let devIdx: u32 = 0;
  if (nlmsgLen(nlh) >= NLMSG_HDRLEN + NDMSG_LEN) proxy = load<u8>(nlmsgData(nlh), 10) == NTF_PROXY;
  if (strict) {
    if (nlmsgLen(nlh) < NLMSG_HDRLEN + NDMSG_LEN) {
      nlSetErrMsg("Invalid header for neighbor dump request");
      return -EINVAL;
    }
    const m = nlmsgData(nlh);
    if (load<u8>(m, 1) != 0 || load<u16>(m, 2) != 0 || load<u32>(m, 4) != 0 || load<u16>(m, 8) != 0 || load<u8>(m, 11) != 0) {
      nlSetErrMsg("Invalid values in header for neighbor dump request");
      return -EINVAL;
    }
    if ((load<u8>(m, 10) & ~NTF_PROXY) != 0) {
      nlSetErrMsg("Invalid flags in header for neighbor dump request");
      return -EINVAL;
    }
  }
  // the attributes (a request too short for them, or badly formed, only matters when strict)
  if (nlmsgLen(nlh) >= NLMSG_HDRLEN + NDMSG_LEN) {
    const err = nlmsgParse(nlh, NDMSG_LEN, tb, NDA_MAX, NDA_POLICY, strict ? NL_VALIDATE_STRICT : NL_VALIDATE_LIBERAL);
    if (err < 0) { if (strict) return err; }
    else {
      for (let i: u32 = 1; i <= NDA_MAX; i++) {
        const a = tbGet(tb, i);
        if (a == 0) continue;
        if (i == NDA_IFINDEX) devIdx = nlaGetU32(a);
        else if (i == NDA_MASTER) { /* no device has a master here */ }
        else if (strict) { nlSetErrMsg("Unsupported attribute in neighbor dump request"); return -EINVAL; }
      }
    }
  }
  if ((family != AF_UNSPEC && family != AF_INET) || proxy) return 0;   // no other table, no proxy entries
  const flags = NLM_F_MULTI | <u16>c.answerFlags | (devIdx != 0 ? NLM_F_DUMP_FILTERED : 0);
  const start = w.len;
  let i = <u32>c.a1;
  for (; i < NEIGH_MAX; i++) {
    const n = neighSlot(i);
    if (n === null || devGet(n.ifindex) === null) continue;
    if (devIdx != 0 && n.ifindex != devIdx) continue;
    if (neighFillInfo(w, n, c.portid, c.seq, flags) < 0) {
      c.a1 = i;
      return w.len > start ? <i32>(w.len - start) : -EMSGSIZE;
    }
  }
  c.a1 = i;
  return <i32>(w.len - start);
}
