// IGMP receive (net/ipv4/igmp.c igmp_rcv) for a host whose only group is all-hosts (224.0.0.1, joined
// on every device): a message shorter than its header or with a bad checksum is dropped; a valid one
// is consumed. A query asks for reports of joined groups, but all-hosts is never reported, so nothing
// is ever sent; reports from others concern groups we are not in.
import { Skb, kfreeSkb, consumeSkb } from "../core/skb";
import { Drop } from "../core/stats";
import { csumPartial, csumFold } from "../core/checksum";

/** igmp_rcv. skb.data at the IGMP header. */
export function igmpRcv(skb: Skb): void {
  if (skb.len < 8 || csumFold(csumPartial(<usize>skb.data, <i32>skb.len, 0)) != 0) { kfreeSkb(skb, Drop.NOT_SPECIFIED); return; }
  consumeSkb(skb);
}
