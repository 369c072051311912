// Netlink framing (net/netlink/af_netlink.c, lib/nlattr.c, include/net/netlink.h), over linear memory.
// Messages are parsed and built with load/store into static buffers allocated once: no managed
// allocation per message. Layouts and numbers are the kernel's uapi (linux/netlink.h).
//
//   struct nlmsghdr { u32 nlmsg_len; u16 nlmsg_type; u16 nlmsg_flags; u32 nlmsg_seq; u32 nlmsg_pid; }  16 bytes
//   struct nlattr   { u16 nla_len; u16 nla_type; }                                                  4 bytes
//   struct nlmsgerr { i32 error; struct nlmsghdr msg; }  + original payload unless capped, + ext-ack TLVs
//
// The "socket" is modelled by the caller passing its port id and option flags (NETLINK_EXT_ACK,
// NETLINK_CAP_ACK, NETLINK_GET_STRICT_CHK) with each request. One dump may run at a time, resumed
// chunk by chunk like netlink_dump() with cb->args.

// ---- constants (uapi/linux/netlink.h) ----
export const NLMSG_ALIGNTO: u32 = 4;
export const NLMSG_HDRLEN: u32 = 16;
export const NLA_HDRLEN: u32 = 4;

export const NLMSG_NOOP: u16 = 1;
export const NLMSG_ERROR: u16 = 2;
export const NLMSG_DONE: u16 = 3;
export const NLMSG_OVERRUN: u16 = 4;
export const NLMSG_MIN_TYPE: u16 = 0x10;

export const NLM_F_REQUEST: u16 = 0x01;
export const NLM_F_MULTI: u16 = 0x02;
export const NLM_F_ACK: u16 = 0x04;
export const NLM_F_ECHO: u16 = 0x08;
export const NLM_F_DUMP_INTR: u16 = 0x10;
export const NLM_F_DUMP_FILTERED: u16 = 0x20;
// GET modifiers
export const NLM_F_ROOT: u16 = 0x100;
export const NLM_F_MATCH: u16 = 0x200;
export const NLM_F_ATOMIC: u16 = 0x400;
export const NLM_F_DUMP: u16 = 0x300;
// NEW modifiers
export const NLM_F_REPLACE: u16 = 0x100;
export const NLM_F_EXCL: u16 = 0x200;
export const NLM_F_CREATE: u16 = 0x400;
export const NLM_F_APPEND: u16 = 0x800;
// ACK flags
export const NLM_F_CAPPED: u16 = 0x100;
export const NLM_F_ACK_TLVS: u16 = 0x200;

export const NLA_F_NESTED: u16 = 0x8000;
export const NLA_F_NET_BYTEORDER: u16 = 0x4000;
export const NLA_TYPE_MASK: u16 = 0x3FFF;

// enum nlmsgerr_attrs
export const NLMSGERR_ATTR_MSG: u16 = 1;
export const NLMSGERR_ATTR_OFFS: u16 = 2;

// Socket options the caller passes per request (bits, our encoding of setsockopt(SOL_NETLINK, …)).
export const NL_SOCK_EXT_ACK: u32 = 1;      // NETLINK_EXT_ACK: error/ack messages carry ext-ack TLVs
export const NL_SOCK_CAP_ACK: u32 = 2;      // NETLINK_CAP_ACK: errors carry only the original header
export const NL_SOCK_STRICT_CHK: u32 = 4;   // NETLINK_GET_STRICT_CHK: strict dump request checking

// errno (positive; handlers return the negative value as the kernel does).
export const EPERM: i32 = 1;
export const ENOENT: i32 = 2;
export const EINTR: i32 = 4;
export const ENOBUFS: i32 = 105;
export const EBUSY: i32 = 16;
export const EEXIST: i32 = 17;
export const ENODEV: i32 = 19;
export const EINVAL: i32 = 22;
export const ERANGE: i32 = 34;
export const EMSGSIZE: i32 = 90;
export const EOPNOTSUPP: i32 = 95;
export const EAFNOSUPPORT: i32 = 97;
export const EADDRNOTAVAIL: i32 = 99;

// Policy types (enum nla_policy_validation's data types, include/net/netlink.h). In-kernel only, never on the wire.
export const NLA_UNSPEC: u16 = 0;
export const NLA_U8: u16 = 1;
export const NLA_U16: u16 = 2;
export const NLA_U32: u16 = 3;
export const NLA_U64: u16 = 4;
export const NLA_STRING: u16 = 5;
export const NLA_FLAG: u16 = 6;
export const NLA_MSECS: u16 = 7;
export const NLA_NESTED: u16 = 8;
export const NLA_NUL_STRING: u16 = 10;
export const NLA_BINARY: u16 = 11;
export const NLA_S8: u16 = 12;
export const NLA_S16: u16 = 13;
export const NLA_S32: u16 = 14;
export const NLA_S64: u16 = 15;
export const NLA_REJECT: u16 = 17;

// Validation modes (enum netlink_validation).
export const NL_VALIDATE_LIBERAL: u32 = 0;
export const NL_VALIDATE_TRAILING: u32 = 1;
export const NL_VALIDATE_MAXTYPE: u32 = 2;
export const NL_VALIDATE_STRICT_ATTRS: u32 = 8;
export const NL_VALIDATE_STRICT: u32 = NL_VALIDATE_TRAILING | NL_VALIDATE_MAXTYPE | NL_VALIDATE_STRICT_ATTRS;

// @ts-ignore: decorator
@inline export function nlmsgAlign(x: u32): u32 { return (x + 3) & ~3; }

// ---- nlmsghdr accessors ----
// @ts-ignore: decorator
@inline export function nlmsgLen(h: usize): u32 { return load<u32>(h); }
// @ts-ignore: decorator
@inline export function nlmsgType(h: usize): u16 { return load<u16>(h, 4); }
// @ts-ignore: decorator
@inline export function nlmsgFlags(h: usize): u16 { return load<u16>(h, 6); }
// @ts-ignore: decorator
@inline export function nlmsgSeq(h: usize): u32 { return load<u32>(h, 8); }
// @ts-ignore: decorator
@inline export function nlmsgPid(h: usize): u32 { return load<u32>(h, 12); }
// @ts-ignore: decorator
@inline export function nlmsgData(h: usize): usize { return h + NLMSG_HDRLEN; }
/** nlmsg_len(): payload length (may be negative for a corrupt header). */
// @ts-ignore: decorator
@inline export function nlmsgPayload(h: usize): i32 { return <i32>load<u32>(h) - <i32>NLMSG_HDRLEN; }

// ---- nlattr accessors ----
// @ts-ignore: decorator
@inline export function nlaLen(a: usize): u32 { return load<u16>(a); }
// @ts-ignore: decorator
@inline export function nlaType(a: usize): u16 { return load<u16>(a, 2) & NLA_TYPE_MASK; }
// @ts-ignore: decorator
@inline export function nlaData(a: usize): usize { return a + NLA_HDRLEN; }
// @ts-ignore: decorator
@inline export function nlaPayload(a: usize): u32 { return <u32>load<u16>(a) - NLA_HDRLEN; }
// @ts-ignore: decorator
@inline export function nlaGetU8(a: usize): u8 { return load<u8>(a, 4); }
// @ts-ignore: decorator
@inline export function nlaGetU16(a: usize): u16 { return load<u16>(a, 4); }
// @ts-ignore: decorator
@inline export function nlaGetU32(a: usize): u32 { return load<u32>(a, 4); }

/** nla_ok(): a whole attribute header and body fit in `rem` bytes. */
// @ts-ignore: decorator
@inline export function nlaOk(a: usize, rem: i32): bool {
  return rem >= <i32>NLA_HDRLEN && <i32>load<u16>(a) >= <i32>NLA_HDRLEN && <i32>load<u16>(a) <= rem;
}

/** Length of a string attribute up to its first NUL (nla_strscpy's source length), at most `max`. */
export function nlaStrLen(a: usize, max: u32): u32 {
  const n = nlaPayload(a);
  const p = nlaData(a);
  let i: u32 = 0;
  while (i < n && i < max && load<u8>(p + i) != 0) i++;
  return i;
}

/** Compare a string attribute with `len` bytes at `s` (nla_strcmp: attribute up to its NUL). 0 = equal. */
export function nlaStrcmp(a: usize, s: usize, len: u32): i32 {
  const n = nlaStrLen(a, 0xFFFF);
  if (n != len) return 1;
  return memory.compare(nlaData(a), s, len);
}

// ---- extended ACK (struct netlink_ext_ack): message and offending attribute ----
let extMsg: usize = 0;      // an AS string literal (static memory), 0 = none
let extBadAttr: usize = 0;  // address of the offending attribute inside the request, 0 = none

/** NL_SET_ERR_MSG: `msg` must be a string literal (static, never freed). */
export function nlSetErrMsg(msg: string): void { extMsg = changetype<usize>(msg); }
/** NL_SET_BAD_ATTR. */
export function nlSetBadAttr(a: usize): void { extBadAttr = a; }
export function nlExtackReset(): void { extMsg = 0; extBadAttr = 0; }
export function nlExtackMsg(): usize { return extMsg; }

// ---- message writer: one per output area (replies, notifications) ----
@unmanaged export class NlWriter {
  base: usize;   // start of the area
  len: u32;      // bytes written
  cap: u32;      // current limit (a dump chunk may lower it temporarily)
  size: u32;     // allocated size
  overrun: u32;  // a message was dropped for lack of room (the socket's ENOBUFS)
}

export function nlWriterNew(size: u32): NlWriter {
  const w = changetype<NlWriter>(heap.alloc(offsetof<NlWriter>()));
  w.base = heap.alloc(<usize>size);
  w.len = 0; w.cap = size; w.size = size; w.overrun = 0;
  return w;
}

// @ts-ignore: decorator
@inline export function nlWriterTail(w: NlWriter): usize { return w.base + <usize>w.len; }
// @ts-ignore: decorator
@inline export function nlWriterRoom(w: NlWriter): u32 { return w.cap - w.len; }

/** Reserve `n` bytes (padded to 4, padding zeroed). Returns the address or 0 when there is no room. */
export function nlReserve(w: NlWriter, n: u32): usize {
  const total = nlmsgAlign(n);
  if (total > w.cap - w.len) return 0;
  const p = w.base + <usize>w.len;
  if (total > n) store<u32>(p + <usize>total - 4, 0); // zero the pad bytes
  w.len += total;
  return p;
}

/** nlmsg_put: header plus a zeroed family header of `hdrlen` bytes. Returns the header or 0 (no room). */
export function nlmsgPut(w: NlWriter, pid: u32, seq: u32, type: u16, hdrlen: u32, flags: u16): usize {
  const h = nlReserve(w, NLMSG_HDRLEN + hdrlen);
  if (h == 0) return 0;
  store<u32>(h, NLMSG_HDRLEN + hdrlen);
  store<u16>(h, type, 4);
  store<u16>(h, flags, 6);
  store<u32>(h, seq, 8);
  store<u32>(h, pid, 12);
  if (hdrlen > 0) memory.fill(h + NLMSG_HDRLEN, 0, hdrlen);
  return h;
}

/** nlmsg_end: the message runs to the current tail. */
export function nlmsgEnd(w: NlWriter, h: usize): void { store<u32>(h, <u32>(nlWriterTail(w) - h)); }
/** nlmsg_cancel: drop a partly built message. */
export function nlmsgCancel(w: NlWriter, h: usize): void { w.len = <u32>(h - w.base); }

/** nla_put: returns false (and writes nothing) when the attribute does not fit. */
export function nlaPut(w: NlWriter, type: u16, data: usize, len: u32): bool {
  const a = nlReserve(w, NLA_HDRLEN + len);
  if (a == 0) return false;
  store<u16>(a, <u16>(NLA_HDRLEN + len));
  store<u16>(a, type, 2);
  if (len > 0) memory.copy(a + NLA_HDRLEN, data, len);
  return true;
}

export function nlaPutU8(w: NlWriter, type: u16, v: u8): bool {
  const a = nlReserve(w, NLA_HDRLEN + 1);
  if (a == 0) return false;
  store<u16>(a, <u16>(NLA_HDRLEN + 1)); store<u16>(a, type, 2); store<u8>(a, v, 4);
  return true;
}
export function nlaPutU16(w: NlWriter, type: u16, v: u16): bool {
  const a = nlReserve(w, NLA_HDRLEN + 2);
  if (a == 0) return false;
  store<u16>(a, <u16>(NLA_HDRLEN + 2)); store<u16>(a, type, 2); store<u16>(a, v, 4);
  return true;
}
export function nlaPutU32(w: NlWriter, type: u16, v: u32): bool {
  const a = nlReserve(w, NLA_HDRLEN + 4);
  if (a == 0) return false;
  store<u16>(a, <u16>(NLA_HDRLEN + 4)); store<u16>(a, type, 2); store<u32>(a, v, 4);
  return true;
}
/** nla_put_u64_64bit without a pad attribute (unaligned 64-bit access is fine here, as on x86). */
export function nlaPutU64(w: NlWriter, type: u16, v: u64): bool {
  const a = nlReserve(w, NLA_HDRLEN + 8);
  if (a == 0) return false;
  store<u16>(a, <u16>(NLA_HDRLEN + 8)); store<u16>(a, type, 2); store<u64>(a, v, 4);
  return true;
}

/** nla_put_string from `len` bytes at `s` (adds the NUL). */
export function nlaPutCStr(w: NlWriter, type: u16, s: usize, len: u32): bool {
  const a = nlReserve(w, NLA_HDRLEN + len + 1);
  if (a == 0) return false;
  store<u16>(a, <u16>(NLA_HDRLEN + len + 1)); store<u16>(a, type, 2);
  memory.copy(a + NLA_HDRLEN, s, len);
  store<u8>(a + NLA_HDRLEN + len, 0);
  return true;
}

/** nla_put_string from an ASCII string literal (no allocation: reads the static UTF-16 data). */
export function nlaPutString(w: NlWriter, type: u16, s: string): bool {
  const n = <u32>s.length;
  const a = nlReserve(w, NLA_HDRLEN + n + 1);
  if (a == 0) return false;
  store<u16>(a, <u16>(NLA_HDRLEN + n + 1)); store<u16>(a, type, 2);
  const src = changetype<usize>(s);
  for (let i: u32 = 0; i < n; i++) store<u8>(a + NLA_HDRLEN + i, <u8>load<u16>(src + (<usize>i << 1)));
  store<u8>(a + NLA_HDRLEN + n, 0);
  return true;
}

/** nla_nest_start_noflag (rtnetlink's nests carry no NLA_F_NESTED). Returns the nest or 0. */
export function nlaNestStart(w: NlWriter, type: u16): usize {
  const a = nlReserve(w, NLA_HDRLEN);
  if (a == 0) return 0;
  store<u16>(a, <u16>NLA_HDRLEN); store<u16>(a, type, 2);
  return a;
}
/** nla_nest_end. */
export function nlaNestEnd(w: NlWriter, a: usize): void { store<u16>(a, <u16>(nlWriterTail(w) - a)); }

// ---- attribute validation and parsing (lib/nlattr.c: validate_nla, __nla_validate_parse) ----
// A policy is an array of (u16 type, u16 len) pairs indexed by attribute type, built with memory.data.

function nlaMinLen(t: u16): u32 {
  switch (t) {
    case NLA_U8: case NLA_S8: return 1;
    case NLA_U16: case NLA_S16: return 2;
    case NLA_U32: case NLA_S32: return 4;
    case NLA_U64: case NLA_S64: case NLA_MSECS: return 8;
    default: return 0;
  }
}

/** validate_nla: 0 or a negative errno, setting the ext-ack message and bad attribute as the kernel does. */
export function nlaValidate(a: usize, policy: usize, validate: u32): i32 {
  const type = <usize>nlaType(a);
  const pt = load<u16>(policy + (type << 2));
  const plen = <u32>load<u16>(policy + (type << 2), 2);
  let attrlen = nlaPayload(a);
  let err = -ERANGE;
  const fixed = nlaMinLen(pt);
  if (fixed != 0 && attrlen != fixed && (validate & NL_VALIDATE_STRICT_ATTRS) != 0) {
    nlSetBadAttr(a); nlSetErrMsg("invalid attribute length");
    return -EINVAL;
  }
  switch (pt) {
    case NLA_REJECT: err = -EINVAL; break;
    case NLA_FLAG: if (attrlen > 0) break; return 0;
    case NLA_NUL_STRING: {
      const minlen = plen != 0 ? min(attrlen, plen + 1) : attrlen;
      let found = false;
      for (let i: u32 = 0; i < minlen; i++) if (load<u8>(nlaData(a) + i) == 0) { found = true; break; }
      if (found) return 0;
      err = -EINVAL; break;
    }
    case NLA_STRING: {
      if (attrlen < 1) break;
      if (plen != 0) {
        if (load<u8>(nlaData(a) + attrlen - 1) == 0) attrlen--;
        if (attrlen > plen) break;
      }
      return 0;
    }
    case NLA_BINARY: if (plen != 0 && attrlen > plen) break; return 0;
    case NLA_NESTED: if (attrlen != 0 && attrlen < NLA_HDRLEN) break; return 0;
    default: {
      const minlen = plen != 0 ? plen : fixed;
      if (attrlen < minlen) break;
      return 0;
    }
  }
  nlSetBadAttr(a); nlSetErrMsg("Attribute failed policy validation");
  return err;
}

/**
 * __nla_validate_parse: fill tb[0..maxtype] (u32 addresses, 0 = absent; the last occurrence wins).
 * Unknown types are skipped unless MAXTYPE; bytes after the last whole attribute only warn unless TRAILING.
 */
export function nlaParse(tb: usize, maxtype: u32, head: usize, len: i32, policy: usize, validate: u32): i32 {
  memory.fill(tb, 0, <usize>(maxtype + 1) << 2);
  let a = head;
  let rem = len;
  while (nlaOk(a, rem)) {
    const type = <u32>nlaType(a);
    if (type == 0 || type > maxtype) {
      if ((validate & NL_VALIDATE_MAXTYPE) != 0) {
        nlSetBadAttr(a); nlSetErrMsg("Unknown attribute type");
        return -EINVAL;
      }
    } else {
      if (policy != 0) {
        const err = nlaValidate(a, policy, validate);
        if (err < 0) return err;
      }
      store<u32>(tb + (<usize>type << 2), <u32>a);
    }
    const step = <i32>nlmsgAlign(nlaLen(a));
    rem -= step;
    a += <usize>step;
  }
  if (rem > 0) {
    nlSetErrMsg("bytes leftover after parsing attributes");
    if ((validate & NL_VALIDATE_TRAILING) != 0) return -EINVAL;
  }
  return 0;
}

/** nla_parse_nested(_deprecated). */
export function nlaParseNested(tb: usize, maxtype: u32, nest: usize, policy: usize, validate: u32): i32 {
  return nlaParse(tb, maxtype, nlaData(nest), <i32>nlaPayload(nest), policy, validate);
}

/** nlmsg_parse(_deprecated): family header of `hdrlen` bytes, then attributes. */
export function nlmsgParse(h: usize, hdrlen: u32, tb: usize, maxtype: u32, policy: usize, validate: u32): i32 {
  if (nlmsgLen(h) < NLMSG_HDRLEN + hdrlen) {
    nlSetErrMsg("Invalid header length");
    return -EINVAL;
  }
  const off = nlmsgAlign(hdrlen);
  return nlaParse(tb, maxtype, h + NLMSG_HDRLEN + off, <i32>nlmsgLen(h) - <i32>(NLMSG_HDRLEN + off), policy, validate);
}

/** Attribute slot of a parse table. */
// @ts-ignore: decorator
@inline export function tbGet(tb: usize, type: u32): usize { return <usize>load<u32>(tb + (<usize>type << 2)); }

// ---- the requesting socket (set for the duration of one nlRecv) ----
let curPortid: u32 = 0;
let curSockFlags: u32 = 0;
export function nlCurPortid(): u32 { return curPortid; }
export function nlCurSockFlags(): u32 { return curSockFlags; }
export function nlSetCurSocket(portid: u32, sockFlags: u32): void { curPortid = portid; curSockFlags = sockFlags; }
/** NETLINK_GET_STRICT_CHK on the requesting socket (netlink_strict_get_check). */
export function nlStrict(): bool { return (curSockFlags & NL_SOCK_STRICT_CHK) != 0; }

function asciiLen(s: usize): u32 { return <u32>changetype<string>(s).length; }
function putAscii(dst: usize, s: usize, n: u32): void {
  for (let i: u32 = 0; i < n; i++) store<u8>(dst + i, <u8>load<u16>(s + (<usize>i << 1)));
}

/**
 * netlink_ack: NLMSG_ERROR {error, original header [+ payload when error and not CAP_ACK]} + ext-ack TLVs
 * (message; for errors also the offset of the bad attribute). ACKs are flagged NLM_F_CAPPED.
 */
export function netlinkAck(w: NlWriter, nlh: usize, err: i32, sockFlags: u32, portid: u32): void {
  let flags: u16 = 0;
  let payload: u32 = 4 + NLMSG_HDRLEN;
  if (err != 0 && (sockFlags & NL_SOCK_CAP_ACK) == 0) payload += <u32>nlmsgPayload(nlh);
  else flags |= NLM_F_CAPPED;
  const ext = (sockFlags & NL_SOCK_EXT_ACK) != 0;
  const nlen = extMsg != 0 ? asciiLen(extMsg) : 0;
  const bad = extBadAttr;
  const hasOffs = ext && err != 0 && bad > nlh && bad < nlh + <usize>nlmsgLen(nlh);
  let tlv: u32 = 0;
  if (ext && extMsg != 0) tlv += nlmsgAlign(NLA_HDRLEN + nlen + 1);
  if (hasOffs) tlv += 8;
  if (tlv != 0) flags |= NLM_F_ACK_TLVS;
  const total = nlmsgAlign(NLMSG_HDRLEN + payload) + tlv;
  if (total > w.cap - w.len) { w.overrun = 1; return; }
  const h = nlmsgPut(w, portid, nlmsgSeq(nlh), NLMSG_ERROR, payload, flags);
  store<i32>(h + NLMSG_HDRLEN, err);
  memory.copy(h + NLMSG_HDRLEN + 4, nlh, payload - 4);
  if (ext && extMsg != 0) {
    const a = nlReserve(w, NLA_HDRLEN + nlen + 1);
    store<u16>(a, <u16>(NLA_HDRLEN + nlen + 1)); store<u16>(a, NLMSGERR_ATTR_MSG, 2);
    putAscii(a + NLA_HDRLEN, extMsg, nlen);
    store<u8>(a + NLA_HDRLEN + nlen, 0);
  }
  if (hasOffs) nlaPutU32(w, NLMSGERR_ATTR_OFFS, <u32>(bad - nlh));
  nlmsgEnd(w, h);
}

// ---- dumps (netlink_dump_start / netlink_dump / netlink_dump_done) ----

/** struct netlink_callback: the state of the running dump, kept between chunks. */
@unmanaged export class NlCallback {
  running: u32;
  portid: u32;
  seq: u32;
  sockFlags: u32;
  family: u32;        // cb->family (rtnl_dump_all's resume point)
  answerFlags: u32;   // e.g. NLM_F_DUMP_FILTERED
  dumpit: usize;      // the NlDumpFn
  doneErrno: i32;     // > 0 while dumping; then the dump's final errno (0 or negative)
  req: usize;         // copy of the request message (cb->nlh)
  reqCap: u32;
  extMsg: usize;      // ext-ack message for NLMSG_DONE
  a0: u64; a1: u64; a2: u64; a3: u64; a4: u64; a5: u64;   // cb->args
}

/** A dumpit: fill `w` from the cursor in cb; return bytes written (> 0: call again), 0 when done, or -errno. */
export type NlDumpFn = (cb: NlCallback, w: NlWriter) => i32;

export const NL_DUMP_REQ_MAX: u32 = 4096;
let cb: NlCallback = changetype<NlCallback>(0);
let dumpChunk: u32 = 32768;   // bytes per dump chunk, as an skb of netlink_dump with a 32 KiB reader

function cbInit(): void {
  if (changetype<usize>(cb) != 0) return;
  cb = changetype<NlCallback>(heap.alloc(offsetof<NlCallback>()));
  memory.fill(changetype<usize>(cb), 0, offsetof<NlCallback>());
  cb.req = heap.alloc(<usize>NL_DUMP_REQ_MAX);
  cb.reqCap = NL_DUMP_REQ_MAX;
}

export function nlCallback(): NlCallback { cbInit(); return cb; }
export function nlDumpRunning(): bool { cbInit(); return cb.running != 0; }
export function nlDumpAbort(): void { cbInit(); cb.running = 0; }
export function nlSetDumpChunk(n: u32): void { dumpChunk = n < 256 ? 256 : n; }
export function nlDumpChunk(): u32 { return dumpChunk; }

/** Clear cb->args (rtnl_dump_all moving to the next family). */
export function nlCbClearArgs(c: NlCallback): void { c.a0 = 0; c.a1 = 0; c.a2 = 0; c.a3 = 0; c.a4 = 0; c.a5 = 0; }

/**
 * netlink_dump_start: only one dump per socket (-EBUSY); the request is kept for the dumpit; the first
 * chunk is produced at once. Returns -EINTR (no ACK) as the kernel does once the dump has begun.
 */
export function netlinkDumpStart(w: NlWriter, nlh: usize, dumpit: usize, family: u32): i32 {
  cbInit();
  if (cb.running != 0) return -EBUSY;
  const len = nlmsgLen(nlh);
  if (len > cb.reqCap) return -ENOBUFS;
  memory.copy(cb.req, nlh, len);
  cb.running = 1;
  cb.portid = curPortid;
  cb.seq = nlmsgSeq(nlh);
  cb.sockFlags = curSockFlags;
  cb.family = family;
  cb.answerFlags = 0;
  cb.dumpit = dumpit;
  cb.doneErrno = 1;
  cb.extMsg = 0;
  nlCbClearArgs(cb);
  netlinkDump(w);
  return -EINTR;
}

/** netlink_dump: one chunk of at most dumpChunk bytes appended to w. Returns bytes added. */
export function netlinkDump(w: NlWriter): u32 {
  cbInit();
  if (cb.running == 0) return 0;
  const start = w.len;
  const savedCap = w.cap;
  const limit = <u64>w.len + <u64>dumpChunk;
  if (limit < <u64>w.cap) w.cap = <u32>limit;
  if (cb.doneErrno > 0) {
    const savedMsg = extMsg;
    extMsg = 0;
    cb.doneErrno = changetype<NlDumpFn>(cb.dumpit)(cb, w);
    if (cb.doneErrno <= 0 && extMsg != 0) cb.extMsg = extMsg;
    extMsg = savedMsg;
  }
  const ext = (cb.sockFlags & NL_SOCK_EXT_ACK) != 0 && cb.extMsg != 0;
  const doneLen = NLMSG_HDRLEN + 4 + (ext ? nlmsgAlign(NLA_HDRLEN + asciiLen(cb.extMsg) + 1) : 0);
  if (cb.doneErrno > 0 || w.cap - w.len < doneLen) {
    // More to come, or no room left for NLMSG_DONE: it goes in the next chunk.
    if (w.len == start && cb.doneErrno > 0) cb.doneErrno = -EMSGSIZE; // a dumpit that makes no progress
    else { w.cap = savedCap; return w.len - start; }
  }
  if (w.cap - w.len >= doneLen) {
    let flags = NLM_F_MULTI | <u16>cb.answerFlags;
    if (ext) flags |= NLM_F_ACK_TLVS;
    const h = nlmsgPut(w, cb.portid, cb.seq, NLMSG_DONE, 4, flags);
    store<i32>(h + NLMSG_HDRLEN, cb.doneErrno);
    if (ext) {
      const n = asciiLen(cb.extMsg);
      const a = nlReserve(w, NLA_HDRLEN + n + 1);
      store<u16>(a, <u16>(NLA_HDRLEN + n + 1)); store<u16>(a, NLMSGERR_ATTR_MSG, 2);
      putAscii(a + NLA_HDRLEN, cb.extMsg, n);
      store<u8>(a + NLA_HDRLEN + n, 0);
    }
    nlmsgEnd(w, h);
  } else {
    w.overrun = 1;
  }
  cb.running = 0;
  w.cap = savedCap;
  return w.len - start;
}

// ---- the receive loop (netlink_rcv_skb) ----

/** A message handler (rtnetlink_rcv_msg): 0, a negative errno, or -EINTR when a dump began. */
export type NlRcvFn = (nlh: usize) => i32;

/**
 * netlink_rcv_skb over `len` bytes at `buf`: several messages per buffer, stop silently on a bad
 * nlmsg_len, answer only requests, skip control types, ACK on NLM_F_ACK, always report errors.
 */
export function netlinkRcvSkb(w: NlWriter, buf: usize, len: u32, rcv: NlRcvFn): void {
  let p = buf;
  let rem = len;
  while (rem >= NLMSG_HDRLEN) {
    const mlen = nlmsgLen(p);
    if (mlen < NLMSG_HDRLEN || rem < mlen) return;
    nlExtackReset();
    let err = 0;
    const flags = nlmsgFlags(p);
    if ((flags & NLM_F_REQUEST) != 0 && nlmsgType(p) >= NLMSG_MIN_TYPE) {
      err = rcv(p);
    }
    if (err != -EINTR && ((flags & NLM_F_ACK) != 0 || err != 0)) netlinkAck(w, p, err, curSockFlags, curPortid);
    nlExtackReset();
    let step = nlmsgAlign(mlen);
    if (step > rem) step = rem;
    rem -= step;
    p += <usize>step;
  }
}
