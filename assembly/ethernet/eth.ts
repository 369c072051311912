// Ethernet (net/ethernet/eth.c). On the wire: dst MAC [0..5], src MAC [6..11], ethertype [12..13]
// (the book's ch. 1 figure has the order reversed; see spec "Book errors" 1).
import { Skb, skbPull, skbPush, skbResetMacHeader, PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST,
  PACKET_OTHERHOST } from "../core/skb";
import { NetDevice, devMac, devBroadcast } from "../core/netdev";

export const ETH_HLEN: u32 = 14;
export const ETH_ALEN: u32 = 6;
export const ETH_P_802_3_MIN: u16 = 0x0600;
export const ETH_P_IP: u16 = 0x0800;
export const ETH_P_ARP: u16 = 0x0806;
export const ETH_P_8021Q: u16 = 0x8100;
export const ETH_P_IPV6: u16 = 0x86DD;
export const ETH_P_802_3: u16 = 0x0001;
export const ETH_P_802_2: u16 = 0x0004;

// @ts-ignore: decorator
@inline export function bswap16(v: u16): u16 { return <u16>((v << 8) | (v >> 8)); }
// @ts-ignore: decorator
@inline export function loadBe16(p: usize): u16 { return bswap16(load<u16>(p)); }
// @ts-ignore: decorator
@inline export function storeBe16(p: usize, v: u16): void { store<u16>(p, bswap16(v)); }
// @ts-ignore: decorator
@inline export function loadBe32(p: usize): u32 { return bswap<u32>(load<u32>(p)); }
// @ts-ignore: decorator
@inline export function storeBe32(p: usize, v: u32): void { store<u32>(p, bswap<u32>(v)); }

/** Two 6-byte addresses are equal. */
// @ts-ignore: decorator
@inline export function etherAddrEqual(a: usize, b: usize): bool {
  return load<u32>(a) == load<u32>(b) && load<u16>(a, 4) == load<u16>(b, 4);
}
// @ts-ignore: decorator
@inline export function isMulticastEtherAddr(a: usize): bool { return (load<u8>(a) & 1) != 0; }
// @ts-ignore: decorator
@inline export function isZeroEtherAddr(a: usize): bool { return load<u32>(a) == 0 && load<u16>(a, 4) == 0; }
/** Valid unicast station address (is_valid_ether_addr). */
export function isValidEtherAddr(a: usize): bool { return !isMulticastEtherAddr(a) && !isZeroEtherAddr(a); }
// @ts-ignore: decorator
@inline export function etherAddrCopy(dst: usize, src: usize): void {
  store<u32>(dst, load<u32>(src)); store<u16>(dst, load<u16>(src, 4), 4);
}

/**
 * eth_type_trans: set pkt_type from the destination MAC, protocol from the ethertype, reset the MAC
 * header and pull ETH_HLEN. The caller has checked skb.len >= ETH_HLEN.
 */
export function ethTypeTrans(skb: Skb, dev: NetDevice): u16 {
  skb.dev = dev.ifindex;
  skbResetMacHeader(skb);
  const eth = <usize>skb.data;
  skbPull(skb, ETH_HLEN);
  if (isMulticastEtherAddr(eth)) {
    skb.pktType = etherAddrEqual(eth, devBroadcast(dev)) ? PACKET_BROADCAST : PACKET_MULTICAST;
  } else if (!etherAddrEqual(eth, devMac(dev))) {
    skb.pktType = PACKET_OTHERHOST;
  } else {
    skb.pktType = PACKET_HOST;
  }
  const proto = loadBe16(eth + 12);
  if (proto >= ETH_P_802_3_MIN) { skb.protocol = proto; return proto; }
  // An 802.3 length field: raw IPX (0xFFFF) or 802.2 LLC.
  skb.protocol = skb.len >= 2 && load<u16>(skb.data) == 0xFFFF ? ETH_P_802_3 : ETH_P_802_2;
  return skb.protocol;
}

/** eth_header: push the 14-byte header. Returns false when there is no headroom. */
export function ethHeader(skb: Skb, proto: u16, dst: usize, src: usize): bool {
  const p = skbPush(skb, ETH_HLEN);
  if (p == 0) return false;
  etherAddrCopy(<usize>p, dst);
  etherAddrCopy(<usize>p + 6, src);
  storeBe16(<usize>p + 12, proto);
  skbResetMacHeader(skb);
  return true;
}
