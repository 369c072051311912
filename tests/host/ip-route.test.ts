// `ip route` and `ip rule` as iproute2 6.1 prints them: each transcript below was captured from the real
// tool on Linux 6.18 in a fresh network namespace (IPv6 off), the same lines run
// in a fresh engine must print the same bytes and exit with the same status. Also: the typed netlink
// helpers, dump resumption across small chunks, and route/rule notifications.
// Run: node --import tsx --test tests/host/ip-route.test.ts
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runIp } from "../../host/commands/ip.ts";
import { runCommand } from "../../host/commands/index.ts";
import {
  routeAdd, routeDel, routeDump, routeGet, ruleAdd, ruleDel, ruleDump, NetlinkError, RTN_UNICAST, RTN_LOCAL,
  RTN_PROHIBIT, RTPROT_KERNEL, RT_TABLE_LOCAL, NLM_F_CREATE, NLM_F_APPEND, NLM_F_REPLACE, RTNLGRP_IPV4_ROUTE,
  RTNLGRP_IPV4_RULE, RTM_NEWROUTE, RTM_DELROUTE, RTM_NEWRULE, RTM_DELRULE, decodeRoute, decodeRule, EEXIST, ESRCH,
  EINVAL, ENETUNREACH, EACCES,
} from "../../host/netlink.ts";

/** Run each "$ ip …" line of a transcript and rebuild the transcript from the engine's answers. */
async function replay(transcript: string): Promise<string> {
  const e = await Engine.load({ seed: 3, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
  let out = "";
  for (const l of transcript.split("\n")) {
    if (!l.startsWith("$ ")) continue;
    const line = l.slice(2);
    const r = runIp(line.split(" ").slice(1), e.netlink);
    out += `$ ${line}\n${r.stdout}${r.stderr}[${r.status}]\n`;
  }
  return out;
}

const ROUTES = `$ ip link add va type veth peer name vb
[0]
$ ip link set lo up
[0]
$ ip link set va up
[0]
$ ip link set vb up
[0]
$ ip addr add 10.0.0.1/24 dev va
[0]
$ ip addr add 10.1.0.1/16 dev vb
[0]
$ ip addr add 10.0.0.7/24 dev va
[0]
$ ip route
10.0.0.0/24 dev va proto kernel scope link src 10.0.0.1 
10.1.0.0/16 dev vb proto kernel scope link src 10.1.0.1 
[0]
$ ip route show table local
local 10.0.0.1 dev va proto kernel scope host src 10.0.0.1 
local 10.0.0.7 dev va proto kernel scope host src 10.0.0.1 
broadcast 10.0.0.255 dev va proto kernel scope link src 10.0.0.1 
local 10.1.0.1 dev vb proto kernel scope host src 10.1.0.1 
broadcast 10.1.255.255 dev vb proto kernel scope link src 10.1.0.1 
local 127.0.0.0/8 dev lo proto kernel scope host src 127.0.0.1 
local 127.0.0.1 dev lo proto kernel scope host src 127.0.0.1 
broadcast 127.255.255.255 dev lo proto kernel scope link src 127.0.0.1 
[0]
$ ip route add 10.2.0.0/16 via 10.0.0.2
[0]
$ ip route add 10.2.0.0/16 via 10.0.0.2
RTNETLINK answers: File exists
[2]
$ ip route add 10.2.0.1/16 via 10.0.0.2
Error: Invalid prefix for given prefix length.
[2]
$ ip route add 10.2.0.0/33 via 10.0.0.2
Error: any valid prefix is expected rather than "10.2.0.0/33".
[1]
$ ip route add 10.3.0.0/16 via 10.9.0.2
Error: Nexthop has invalid gateway.
[2]
$ ip route add 10.3.0.0/16 via 10.0.0.2 dev vb
Error: Nexthop has invalid gateway.
[2]
$ ip route del 10.4.0.0/16
RTNETLINK answers: No such process
[2]
$ ip route del 10.2.0.0/16 table 100
Error: FIB table does not exist.
[2]
$ ip route add 10.2.0.0/16 via 10.0.0.3 metric 5
[0]
$ ip route append 10.2.0.0/16 via 10.0.0.4
[0]
$ ip route prepend 10.2.0.0/16 via 10.0.0.5
[0]
$ ip route replace 10.2.0.0/16 via 10.0.0.6
[0]
$ ip route change 10.5.0.0/16 via 10.0.0.6
RTNETLINK answers: No such file or directory
[2]
$ ip route add default via 10.0.0.254
[0]
$ ip route add blackhole 192.168.1.0/24
[0]
$ ip route add unreachable 192.168.2.0/24
[0]
$ ip route add prohibit 192.168.3.0/24
[0]
$ ip route add throw 192.168.4.0/24
[0]
$ ip route add 192.168.5.0/24 dev va mtu lock 1400 advmss 1000
[0]
$ ip route add 192.168.6.0/24 via 10.0.0.2 src 10.0.0.7 proto static metric 20
[0]
$ ip route add 192.168.7.0/24 nexthop via 10.0.0.2 weight 3 nexthop via 10.1.0.2 weight 1
[0]
$ ip route add 192.168.8.0/24 via 10.0.0.2 tos 0x10
[0]
$ ip route add 192.168.8.0/24 via 10.0.0.3
[0]
$ ip route add 192.168.9.0/24 via 10.0.0.2 table 100
[0]
$ ip route add local 192.168.10.1 dev va
[0]
$ ip route add 192.168.11.0/24 via 10.0.0.2 onlink dev vb
[0]
$ ip route add 192.168.12.0/24 via 10.0.0.2 src 10.9.9.9
Error: Invalid prefsrc address.
[2]
$ ip route add 192.168.13.0/24 via 10.0.0.2 tos 0x11
Error: Invalid dsfield (tos): ECN bits must be 0.
[2]
$ ip route
default via 10.0.0.254 dev va 
10.0.0.0/24 dev va proto kernel scope link src 10.0.0.1 
10.1.0.0/16 dev vb proto kernel scope link src 10.1.0.1 
10.2.0.0/16 via 10.0.0.6 dev va 
10.2.0.0/16 via 10.0.0.2 dev va 
10.2.0.0/16 via 10.0.0.4 dev va 
10.2.0.0/16 via 10.0.0.3 dev va metric 5 
blackhole 192.168.1.0/24 
unreachable 192.168.2.0/24 
prohibit 192.168.3.0/24 
throw 192.168.4.0/24 
192.168.5.0/24 dev va scope link mtu lock 1400 advmss 1000 
192.168.6.0/24 via 10.0.0.2 dev va proto static src 10.0.0.7 metric 20 
192.168.7.0/24 
	nexthop via 10.0.0.2 dev va weight 3 
	nexthop via 10.1.0.2 dev vb weight 1 
192.168.8.0/24 tos 0x10 via 10.0.0.2 dev va 
192.168.8.0/24 via 10.0.0.3 dev va 
192.168.11.0/24 via 10.0.0.2 dev vb onlink 
[0]
$ ip -d route
unicast default via 10.0.0.254 dev va proto boot scope global 
unicast 10.0.0.0/24 dev va proto kernel scope link src 10.0.0.1 
unicast 10.1.0.0/16 dev vb proto kernel scope link src 10.1.0.1 
unicast 10.2.0.0/16 via 10.0.0.6 dev va proto boot scope global 
unicast 10.2.0.0/16 via 10.0.0.2 dev va proto boot scope global 
unicast 10.2.0.0/16 via 10.0.0.4 dev va proto boot scope global 
unicast 10.2.0.0/16 via 10.0.0.3 dev va proto boot scope global metric 5 
blackhole 192.168.1.0/24 proto boot scope global 
unreachable 192.168.2.0/24 proto boot scope global 
prohibit 192.168.3.0/24 proto boot scope global 
throw 192.168.4.0/24 proto boot scope global 
unicast 192.168.5.0/24 dev va proto boot scope link mtu lock 1400 advmss 1000 
unicast 192.168.6.0/24 via 10.0.0.2 dev va proto static scope global src 10.0.0.7 metric 20 
unicast 192.168.7.0/24 proto boot scope global 
	nexthop via 10.0.0.2 dev va weight 3 
	nexthop via 10.1.0.2 dev vb weight 1 
unicast 192.168.8.0/24 tos 0x10 via 10.0.0.2 dev va proto boot scope global 
unicast 192.168.8.0/24 via 10.0.0.3 dev va proto boot scope global 
unicast 192.168.11.0/24 via 10.0.0.2 dev vb proto boot scope global onlink 
[0]
$ ip route show table all
192.168.9.0/24 via 10.0.0.2 dev va table 100 
default via 10.0.0.254 dev va 
10.0.0.0/24 dev va proto kernel scope link src 10.0.0.1 
10.1.0.0/16 dev vb proto kernel scope link src 10.1.0.1 
10.2.0.0/16 via 10.0.0.6 dev va 
10.2.0.0/16 via 10.0.0.2 dev va 
10.2.0.0/16 via 10.0.0.4 dev va 
10.2.0.0/16 via 10.0.0.3 dev va metric 5 
blackhole 192.168.1.0/24 
unreachable 192.168.2.0/24 
prohibit 192.168.3.0/24 
throw 192.168.4.0/24 
192.168.5.0/24 dev va scope link mtu lock 1400 advmss 1000 
192.168.6.0/24 via 10.0.0.2 dev va proto static src 10.0.0.7 metric 20 
192.168.7.0/24 
	nexthop via 10.0.0.2 dev va weight 3 
	nexthop via 10.1.0.2 dev vb weight 1 
192.168.8.0/24 tos 0x10 via 10.0.0.2 dev va 
192.168.8.0/24 via 10.0.0.3 dev va 
192.168.11.0/24 via 10.0.0.2 dev vb onlink 
local 10.0.0.1 dev va table local proto kernel scope host src 10.0.0.1 
local 10.0.0.7 dev va table local proto kernel scope host src 10.0.0.1 
broadcast 10.0.0.255 dev va table local proto kernel scope link src 10.0.0.1 
local 10.1.0.1 dev vb table local proto kernel scope host src 10.1.0.1 
broadcast 10.1.255.255 dev vb table local proto kernel scope link src 10.1.0.1 
local 127.0.0.0/8 dev lo table local proto kernel scope host src 127.0.0.1 
local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1 
broadcast 127.255.255.255 dev lo table local proto kernel scope link src 127.0.0.1 
local 192.168.10.1 dev va table local scope host 
[0]
$ ip route show root 10.0.0.0/8
10.0.0.0/24 dev va proto kernel scope link src 10.0.0.1 
10.1.0.0/16 dev vb proto kernel scope link src 10.1.0.1 
10.2.0.0/16 via 10.0.0.6 dev va 
10.2.0.0/16 via 10.0.0.2 dev va 
10.2.0.0/16 via 10.0.0.4 dev va 
10.2.0.0/16 via 10.0.0.3 dev va metric 5 
[0]
$ ip route show match 10.2.3.4
default via 10.0.0.254 dev va 
10.2.0.0/16 via 10.0.0.6 dev va 
10.2.0.0/16 via 10.0.0.2 dev va 
10.2.0.0/16 via 10.0.0.4 dev va 
10.2.0.0/16 via 10.0.0.3 dev va metric 5 
[0]
$ ip route show exact 10.2.0.0/16
10.2.0.0/16 via 10.0.0.6 dev va 
10.2.0.0/16 via 10.0.0.2 dev va 
10.2.0.0/16 via 10.0.0.4 dev va 
10.2.0.0/16 via 10.0.0.3 dev va metric 5 
[0]
$ ip route show dev va
default via 10.0.0.254 
10.0.0.0/24 proto kernel scope link src 10.0.0.1 
10.2.0.0/16 via 10.0.0.6 
10.2.0.0/16 via 10.0.0.2 
10.2.0.0/16 via 10.0.0.4 
10.2.0.0/16 via 10.0.0.3 metric 5 
192.168.5.0/24 scope link mtu lock 1400 advmss 1000 
192.168.6.0/24 via 10.0.0.2 proto static src 10.0.0.7 metric 20 
192.168.8.0/24 tos 0x10 via 10.0.0.2 
192.168.8.0/24 via 10.0.0.3 
[0]
$ ip route show proto kernel
10.0.0.0/24 dev va scope link src 10.0.0.1 
10.1.0.0/16 dev vb scope link src 10.1.0.1 
[0]
$ ip route show type unreachable
unreachable 192.168.2.0/24 
[0]
$ ip route show table 200
Error: ipv4: FIB table does not exist.
Dump terminated
[2]
$ ip route get 10.0.0.2
10.0.0.2 dev va src 10.0.0.1 uid 0 
    cache 
[0]
$ ip route get 10.0.0.1
local 10.0.0.1 dev lo src 10.0.0.1 uid 0 
    cache <local> 
[0]
$ ip route get 10.0.0.255
broadcast 10.0.0.255 dev va src 10.0.0.1 uid 0 
    cache <local,brd> 
[0]
$ ip route get 10.2.3.4
10.2.3.4 via 10.0.0.6 dev va src 10.0.0.1 uid 0 
    cache 
[0]
$ ip route get 192.168.1.1
RTNETLINK answers: Invalid argument
[2]
$ ip route get 192.168.2.1
RTNETLINK answers: No route to host
[2]
$ ip route get 192.168.3.1
RTNETLINK answers: Permission denied
[2]
$ ip route get 192.168.4.1
RTNETLINK answers: Network is unreachable
[2]
$ ip route get 192.168.5.1
192.168.5.1 dev va src 10.0.0.1 uid 0 
    cache mtu lock 1400 advmss 1000 
[0]
$ ip route get 192.168.8.1 tos 0x10
192.168.8.1 tos 0x10 via 10.0.0.2 dev va src 10.0.0.1 uid 0 
    cache 
[0]
$ ip route get 10.0.0.2 from 10.1.0.1
10.0.0.2 from 10.1.0.1 dev va uid 0 
    cache 
[0]
$ ip route get 10.0.0.2 from 10.9.9.9
RTNETLINK answers: Network is unreachable
[2]
$ ip route get 10.0.0.1 from 10.1.0.5 iif vb
local 10.0.0.1 from 10.1.0.5 dev lo 
    cache <local> iif vb 
[0]
$ ip route get 10.0.0.2 from 10.1.0.5 iif vb
RTNETLINK answers: No route to host
[2]
$ ip route get 10.0.0.2 mark 5 oif vb
10.0.0.2 dev vb src 10.1.0.1 mark 5 uid 0 
    cache 
[0]
$ ip route get fibmatch 10.2.3.4
10.2.0.0/16 via 10.0.0.6 dev va 
[0]
$ ip route del 10.2.0.0/16 via 10.0.0.4
[0]
$ ip route flush table 100
[0]
$ ip route show table 100
[0]
$ ip link set vb down
[0]
$ ip route
default via 10.0.0.254 dev va linkdown 
10.0.0.0/24 dev va proto kernel scope link src 10.0.0.1 linkdown 
10.2.0.0/16 via 10.0.0.6 dev va linkdown 
10.2.0.0/16 via 10.0.0.2 dev va linkdown 
10.2.0.0/16 via 10.0.0.3 dev va metric 5 linkdown 
blackhole 192.168.1.0/24 
unreachable 192.168.2.0/24 
prohibit 192.168.3.0/24 
throw 192.168.4.0/24 
192.168.5.0/24 dev va scope link linkdown mtu lock 1400 advmss 1000 
192.168.6.0/24 via 10.0.0.2 dev va proto static src 10.0.0.7 metric 20 linkdown 
192.168.7.0/24 linkdown 
	nexthop via 10.0.0.2 dev va weight 3 linkdown 
	nexthop via 10.1.0.2 dev vb weight 1 dead linkdown 
192.168.8.0/24 tos 0x10 via 10.0.0.2 dev va linkdown 
192.168.8.0/24 via 10.0.0.3 dev va linkdown 
[0]
`;

const RULES = `$ ip link add va type veth peer name vb
[0]
$ ip link set lo up
[0]
$ ip link set va up
[0]
$ ip link set vb up
[0]
$ ip addr add 10.0.0.1/24 dev va
[0]
$ ip route add default via 10.0.0.254
[0]
$ ip route add default via 10.0.0.253 table 100
[0]
$ ip rule
0:	from all lookup local
32766:	from all lookup main
32767:	from all lookup default
[0]
$ ip rule add from 10.1.0.0/16 table 100
[0]
$ ip rule add to 192.168.0.0/16 tos 0x10 fwmark 5/0xff iif va oif vb pref 100 table 200
[0]
$ ip rule add not from 1.2.3.4 lookup main suppress_prefixlength 0
[0]
$ ip rule add fwmark 7 blackhole
[0]
$ ip rule add fwmark 8 unreachable
[0]
$ ip rule add fwmark 9 prohibit
[0]
$ ip rule add fwmark 10 goto 32766
[0]
$ ip rule add fwmark 11 nop
[0]
$ ip rule add iif nosuch table 5
[0]
$ ip rule add pref 100 from 1.1.1.1 table 5
[0]
$ ip rule add pref 100 from 1.1.1.1 table 5
RTNETLINK answers: File exists
[2]
$ ip rule add ipproto udp dport 53 sport 1000-2000 table 6
[0]
$ ip rule add uidrange 100-200 table 7
[0]
$ ip rule add fwmark 0x10/0x10 table 8 proto static
[0]
$ ip rule add tos 0x20 table 5
Error: Invalid tos.
[2]
$ ip rule add tos 0x13 table 5
Error: Invalid dsfield (tos): ECN bits must be 0.
[2]
$ ip rule add pref 200 goto 100
Error: Backward goto not supported.
[2]
$ ip rule
0:	from all lookup local
90:	from all fwmark 0x10/0x10 lookup 8 proto static
91:	from all uidrange 100-200 lookup 7
92:	from all ipproto udp sport 1000-2000 dport 53 lookup 6
93:	from all iif nosuch [detached] lookup 5
94:	from all fwmark 0xb nop
95:	from all fwmark 0xa goto 32766
96:	from all fwmark 0x9 prohibit
97:	from all fwmark 0x8 unreachable
98:	from all fwmark 0x7 blackhole
99:	not from 1.2.3.4 lookup main suppress_prefixlength 0
100:	from all to 192.168.0.0/16 tos 0x10 fwmark 0x5/0xff iif va oif vb lookup 200
100:	from 1.1.1.1 lookup 5
32765:	from 10.1.0.0/16 lookup 100
32766:	from all lookup main
32767:	from all lookup default
[0]
$ ip rule show table 5
93:	from all iif nosuch [detached] lookup 5
100:	from 1.1.1.1 lookup 5
[0]
$ ip route get 8.8.8.8 mark 7
RTNETLINK answers: Invalid argument
[2]
$ ip route get 8.8.8.8 mark 8
RTNETLINK answers: Network is unreachable
[2]
$ ip route get 8.8.8.8 mark 9
RTNETLINK answers: Permission denied
[2]
$ ip route get 8.8.8.8 from 10.1.0.1
RTNETLINK answers: Network is unreachable
[2]
$ ip route get 8.8.8.8
8.8.8.8 via 10.0.0.254 dev va src 10.0.0.1 uid 0 
    cache 
[0]
$ ip rule del pref 100
[0]
$ ip rule del from 9.9.9.9
RTNETLINK answers: No such file or directory
[2]
$ ip rule flush
[0]
$ ip rule
0:	from all lookup local
[0]
`;

test("ip route: add/append/prepend/replace/change/del, every type, show selectors, get, flush, errors", async () => {
  assert.equal(await replay(ROUTES), ROUTES);
});

test("ip rule: add with every selector and action, show, get through rules, del, flush, errors", async () => {
  assert.equal(await replay(RULES), RULES);
});

async function engine() {
  const e = await Engine.load({ seed: 5, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
  for (const l of ["ip link add va type veth peer name vb", "ip link set lo up", "ip link set va up", "ip link set vb up",
    "ip addr add 10.0.0.1/24 dev va", "ip addr add 10.1.0.1/16 dev vb"]) assert.equal(runCommand(l, e).status, 0, l);
  return e;
}

test("typed helpers: routeAdd/routeDel/routeDump/routeGet, ruleAdd/ruleDel/ruleDump, kernel errnos", async () => {
  const e = await engine();
  const nl = e.netlink;
  routeAdd(nl, { dst: "20.0.0.0/8", via: "10.0.0.2", metric: 7 });
  routeAdd(nl, { dst: "20.0.0.0/8", via: "10.0.0.3", metric: 7 }, NLM_F_CREATE | NLM_F_APPEND);
  routeAdd(nl, { dst: "21.0.0.0/8", nexthops: [{ via: "10.0.0.2", weight: 2 }, { via: "10.1.0.2" }] });
  routeAdd(nl, { dst: "22.0.0.0/8", type: RTN_PROHIBIT });
  assert.throws(() => routeAdd(nl, { dst: "20.0.0.0/8", via: "10.0.0.2", metric: 7 }), (x: NetlinkError) => x.errno === EEXIST);
  assert.throws(() => routeAdd(nl, { dst: "23.0.0.0/8", via: "10.9.0.2" }),
    (x: NetlinkError) => x.errno === ENETUNREACH && x.extack === "Nexthop has invalid gateway");
  assert.throws(() => routeAdd(nl, { dst: "23.0.0.1/8", via: "10.0.0.2" }), (x: NetlinkError) => x.errno === EINVAL);
  assert.throws(() => routeDel(nl, { dst: "24.0.0.0/8" }), (x: NetlinkError) => x.errno === ESRCH);
  const main = routeDump(nl);
  assert.deepEqual(main.map((r) => [r.dst, r.dstLen, r.gateway ?? null, r.priority ?? null, r.type]), [
    ["10.0.0.0", 24, null, null, RTN_UNICAST], ["10.1.0.0", 16, null, null, RTN_UNICAST],
    ["20.0.0.0", 8, "10.0.0.2", 7, RTN_UNICAST], ["20.0.0.0", 8, "10.0.0.3", 7, RTN_UNICAST],
    ["21.0.0.0", 8, null, null, RTN_UNICAST], ["22.0.0.0", 8, null, null, RTN_PROHIBIT],
  ]);
  assert.equal(main[0].protocol, RTPROT_KERNEL);
  assert.deepEqual(main[4].multipath!.map((n) => [n.gateway, n.weight]), [["10.0.0.2", 2], ["10.1.0.2", 1]]);
  const local = routeDump(nl, RT_TABLE_LOCAL);
  assert.deepEqual(local.filter((r) => r.type === RTN_LOCAL).map((r) => r.dst), ["10.0.0.1", "10.1.0.1", "127.0.0.0", "127.0.0.1"]);
  const g = routeGet(nl, "20.1.2.3");
  assert.equal(g.gateway, "10.0.0.2");
  assert.equal(g.prefsrc, "10.0.0.1");
  assert.equal(g.table, 254);
  assert.throws(() => routeGet(nl, "22.1.1.1"), (x: NetlinkError) => x.errno === EACCES);
  routeDel(nl, { dst: "20.0.0.0/8", via: "10.0.0.2" });
  assert.equal(routeGet(nl, "20.1.2.3").gateway, "10.0.0.3");
  ruleAdd(nl, { priority: 100, from: "10.1.0.0/16", table: 100 });
  routeAdd(nl, { dst: "default", via: "10.1.0.9", table: 100 });
  assert.equal(routeGet(nl, "8.8.8.8", { from: "10.1.0.1" }).gateway, "10.1.0.9");
  assert.deepEqual(ruleDump(nl).map((r) => [r.priority, r.table, r.src ?? null, r.srcLen]),
    [[0, 255, null, 0], [100, 100, "10.1.0.0", 16], [32766, 254, null, 0], [32767, 253, null, 0]]);
  ruleDel(nl, { priority: 100 });
  assert.equal(ruleDump(nl).length, 3);
});

test("a route dump resumes across small chunks without losing or repeating a route", async () => {
  const e = await engine();
  const nl = e.netlink;
  for (let i = 0; i < 300; i++) routeAdd(nl, { dst: `30.${i >> 4}.${(i & 15) << 4}.0/28`, via: "10.0.0.2", metric: i % 3 });
  for (let i = 0; i < 40; i++) routeAdd(nl, { dst: "31.0.0.0/8", via: "10.0.0.2", metric: 100 + i });
  const full = routeDump(nl, 0).map((r) => `${r.table} ${r.dst}/${r.dstLen} ${r.priority ?? 0}`);
  e.exports.nlSetDumpChunkSize(256);
  const chunked = routeDump(nl, 0).map((r) => `${r.table} ${r.dst}/${r.dstLen} ${r.priority ?? 0}`);
  e.exports.nlSetDumpChunkSize(32768);
  assert.equal(full.length, 300 + 40 + 2 + 7);
  assert.deepEqual(chunked, full);
});

test("route and rule changes are multicast to RTNLGRP_IPV4_ROUTE / RTNLGRP_IPV4_RULE listeners", async () => {
  const e = await engine();
  const nl = e.netlink;
  nl.subscribe(RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV4_RULE);
  routeAdd(nl, { dst: "20.0.0.0/8", via: "10.0.0.2" });
  routeAdd(nl, { dst: "20.0.0.0/8", via: "10.0.0.3" }, NLM_F_CREATE | NLM_F_REPLACE);
  routeDel(nl, { dst: "20.0.0.0/8" });
  ruleAdd(nl, { priority: 5, fwmark: 1, table: 100 });
  ruleDel(nl, { priority: 5 });
  const n = nl.notifications();
  assert.deepEqual(n.map((m) => [m.group, m.type]), [[RTNLGRP_IPV4_ROUTE, RTM_NEWROUTE], [RTNLGRP_IPV4_ROUTE, RTM_NEWROUTE],
    [RTNLGRP_IPV4_ROUTE, RTM_DELROUTE], [RTNLGRP_IPV4_RULE, RTM_NEWRULE], [RTNLGRP_IPV4_RULE, RTM_DELRULE]]);
  assert.equal(decodeRoute(n[1]).gateway, "10.0.0.3");
  assert.equal(n[1].flags & NLM_F_REPLACE, NLM_F_REPLACE);
  assert.equal(decodeRoute(n[2]).gateway, "10.0.0.3");
  assert.equal(decodeRule(n[3]).fwmark, 1);
  assert.equal(n[0].pid, nl.portid);
});

test("an ICMP 'fragmentation needed' about our echo reply teaches the path MTU; it expires after 600 s", async () => {
  // The router 192.0.2.2 says our reply to 198.51.100.9 is too big for its next hop (MTU 1280).
  const { e, icmpFromRouter } = await pmtuSetup();
  icmpFromRouter(3, 4, 1280);
  e.run(1000);
  const get = () => runIp(["route", "get", "198.51.100.9"], e.netlink).stdout;
  assert.equal(get(), "198.51.100.9 via 192.0.2.2 dev eth0 src 192.0.2.1 uid 0 \n    cache expires 600sec mtu 1280 \n");
  assert.equal(runIp(["route", "get", "198.51.100.10"], e.netlink).stdout,
    "198.51.100.10 via 192.0.2.2 dev eth0 src 192.0.2.1 uid 0 \n    cache \n");
  e.run(1000 + 599_000);
  assert.equal(get(), "198.51.100.9 via 192.0.2.2 dev eth0 src 192.0.2.1 uid 0 \n    cache expires 1sec mtu 1280 \n");
  e.run(1000 + 600_000);
  assert.equal(get(), "198.51.100.9 via 192.0.2.2 dev eth0 src 192.0.2.1 uid 0 \n    cache \n");
  // `ip route flush cache` forgets exceptions at once
  icmpFromRouter(3, 4, 1280);
  e.run(700_000);
  assert.match(get(), /mtu 1280/);
  assert.equal(runIp(["route", "flush", "cache"], e.netlink).status, 0);
  assert.equal(get(), "198.51.100.9 via 192.0.2.2 dev eth0 src 192.0.2.1 uid 0 \n    cache \n");
});

/** An engine behind the router 192.0.2.2 that sent a big echo reply to 198.51.100.9; returns the quoted header. */
async function pmtuSetup(extra: string[] = []) {
  const { ether, ipv4, icmp, icmpEcho, arp, BROADCAST } = await import("../../host/packet.ts");
  const HOST = "02:00:00:00:00:01", PEER = "02:00:00:00:00:02";
  const e = await Engine.load({ seed: 7, buffers: 256, bufferShift: 14, skbs: 256, timers: 1024 });
  for (const l of ["ip link add eth0 type nic", `ip link set eth0 address ${HOST}`, "ip link set eth0 up",
    "ip addr add 192.0.2.1/24 dev eth0", "ip route add 198.51.100.0/24 via 192.0.2.2", ...extra]) {
    assert.equal(runCommand(l, e).status, 0, l);
  }
  const nic = e.nic(e.ifindex("eth0"));
  nic.receive([ether(BROADCAST, PEER, 0x0806, arp(1, PEER, "192.0.2.2", "00:00:00:00:00:00", "192.0.2.1"))]);
  e.run(0); nic.transmit();
  nic.receive([ether(HOST, PEER, 0x0800, ipv4("198.51.100.9", "192.0.2.1", 1, icmpEcho(9, 1, new Uint8Array(1400))))]);
  e.run(1000);
  const [reply] = nic.transmit();
  const quoted = reply.subarray(14, 14 + 28);
  /** The router's ICMP about our reply: "fragmentation needed" (rest: the MTU) or a redirect (the new gateway). */
  const icmpFromRouter = (type: number, code: number, rest: number) =>
    nic.receive([ether(HOST, PEER, 0x0800, ipv4("192.0.2.2", "192.0.2.1", 1, icmp(type, code, rest, quoted)))]);
  const ip = (...a: string[]) => { const r = runIp(a, e.netlink); return r.stdout + r.stderr; };
  return { e, nic, icmpFromRouter, ip, ether, ipv4, arp, HOST };
}

// Kernel behaviour (checked on Linux 6.18 in namespaces, iproute2 6.1): `ip route show cache` lists the
// nexthop exceptions that a lookup has bound a route to (none right after the ICMP error; one per route
// sharing the nexthop's fib_info), with "users 1" and the age since binding under -s; `ip route flush
// cache` hides them, and the next lookup of a flushed one lists it again with nothing learned.
test("ip route show cache lists learned PMTU exceptions as the kernel does, until expiry or a flush", async () => {
  const { e, icmpFromRouter, ip } = await pmtuSetup();
  icmpFromRouter(3, 4, 1280);
  e.run(1000);
  const line = (exp: number, s = "") => `198.51.100.9 via 192.0.2.2 dev eth0 \n    cache expires ${exp}sec ${s}mtu 1280 \n`;
  assert.equal(ip("route", "show", "cache"), "");            // learned, but no route bound yet
  assert.equal(ip("route", "get", "198.51.100.9"), "198.51.100.9 via 192.0.2.2 dev eth0 src 192.0.2.1 uid 0 \n    cache expires 600sec mtu 1280 \n");
  assert.equal(ip("route", "show", "cache"), line(600));
  assert.equal(ip("route", "list", "cache"), line(600));
  assert.equal(ip("route", "show", "table", "cache"), line(600));
  assert.equal(ip("route", "show", "cache", "198.51.100.9"), line(600));
  assert.equal(ip("route", "show", "cache", "198.51.100.10"), "");
  assert.equal(ip("-d", "route", "show", "cache"), "unicast " + line(600));
  e.run(3500);
  assert.equal(ip("-s", "route", "show", "cache"), line(597, "users 1 age 2sec "));
  assert.equal(ip("route", "show"), "192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.1 \n198.51.100.0/24 via 192.0.2.2 dev eth0 \n");
  // another route through the same gateway shares the fib_info, so its nexthop's exception is listed again
  assert.equal(runCommand("ip route add 203.0.113.0/24 via 192.0.2.2", e).status, 0);
  assert.equal(ip("route", "show", "cache"), line(597) + line(597));
  assert.equal(runCommand("ip route del 203.0.113.0/24", e).status, 0);
  // expired: gone
  e.run(600_000);
  assert.equal(ip("route", "show", "cache"), line(1));
  e.run(601_000);
  assert.equal(ip("route", "show", "cache"), "");
  // learned again, bound, then flushed: hidden; the next lookup resets it and lists it without expiry
  icmpFromRouter(3, 4, 1280);
  e.run(603_000);
  ip("route", "get", "198.51.100.9");
  assert.equal(ip("route", "show", "cache"), line(600));
  assert.equal(ip("-s", "route", "flush", "cache"), "*** IPv4 routing cache is flushed.\n");
  assert.equal(ip("route", "show", "cache"), "");
  assert.equal(ip("route", "get", "198.51.100.9"), "198.51.100.9 via 192.0.2.2 dev eth0 src 192.0.2.1 uid 0 \n    cache \n");
  assert.equal(ip("route", "show", "cache"), "198.51.100.9 via 192.0.2.2 dev eth0 \n    cache \n");
  // a new report updates the reset exception in place: listed at once
  icmpFromRouter(3, 4, 1280);
  e.run(604_000);
  assert.equal(ip("route", "show", "cache"), line(600));
});

test("a redirect to a gateway without a neighbour entry sends an ARP request and is learned only once it answers", async () => {
  const { e, nic, icmpFromRouter, ip, ether, arp, HOST } = await pmtuSetup();
  const GW = "02:00:00:00:00:03";
  icmpFromRouter(5, 1, 0xc0000203);                          // ICMP_REDIR_HOST to 192.0.2.3
  e.run(1000);
  const out = nic.transmit();
  assert.equal(out.length, 1);                               // neigh_event_send: who-has 192.0.2.3
  assert.deepEqual([...out[0].subarray(0, 6)], [255, 255, 255, 255, 255, 255]);
  assert.deepEqual([...out[0].subarray(12, 14)], [0x08, 0x06]);
  assert.deepEqual([...out[0].subarray(20, 22)], [0, 1]);
  assert.deepEqual([...out[0].subarray(38, 42)], [192, 0, 2, 3]);
  assert.equal(ip("route", "get", "198.51.100.9"), "198.51.100.9 via 192.0.2.2 dev eth0 src 192.0.2.1 uid 0 \n    cache \n");
  nic.receive([ether(HOST, GW, 0x0806, arp(2, GW, "192.0.2.3", HOST, "192.0.2.1"))]);
  e.run(1010);
  icmpFromRouter(5, 1, 0xc0000203);
  e.run(1020);
  assert.equal(nic.transmit().length, 0);
  assert.equal(ip("route", "show", "cache"), "");
  assert.equal(ip("route", "get", "198.51.100.9"),
    "198.51.100.9 via 192.0.2.3 dev eth0 src 192.0.2.1 uid 0 \n    cache <redirected> expires 300sec \n");
  assert.equal(ip("route", "show", "cache"), "198.51.100.9 via 192.0.2.3 dev eth0 \n    cache <redirected> expires 300sec \n");
  e.run(301_020);                                            // gc_timeout
  assert.equal(ip("route", "show", "cache"), "");
  assert.equal(ip("route", "get", "198.51.100.9"), "198.51.100.9 via 192.0.2.2 dev eth0 src 192.0.2.1 uid 0 \n    cache \n");
});

test("the cache dump: strict requests get routes or exceptions (NLM_F_DUMP_FILTERED), legacy ones both; resumes across chunks", async () => {
  const { e, icmpFromRouter, ip } = await pmtuSetup(["ip route add 203.0.113.0/24 via 192.0.2.2"]);
  icmpFromRouter(3, 4, 1280);
  e.run(1000);
  ip("route", "get", "198.51.100.9");
  const { NetlinkSocket, NlBuilder, NLM_F_REQUEST, NLM_F_DUMP, NLM_F_MULTI, NLM_F_DUMP_FILTERED, RTM_GETROUTE } =
    await import("../../host/netlink.ts");
  const dump = (strict: boolean, flags: number) => {
    const nl = new NetlinkSocket(e, { strictCheck: strict });
    const hdr = new Uint8Array(12);
    hdr[0] = 2;
    new DataView(hdr.buffer).setUint32(8, flags, true);
    return nl.request(new NlBuilder(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 1, 0).raw(hdr).finish())
      .filter((m) => m.type === RTM_NEWROUTE)
      .map((m) => { const r = decodeRoute(m); return `${m.flags} ${r.dst}/${r.dstLen} ${(r.flags ?? 0) & 0x200 ? "cloned" : ""}`; });
  };
  const routes = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];
  const strictRoutes = dump(true, 0);
  assert.equal(strictRoutes.filter((l) => l.includes("/24")).length, 3);
  for (const l of strictRoutes) assert.equal(Number(l.split(" ")[0]), NLM_F_MULTI | NLM_F_DUMP_FILTERED, l);
  assert.ok(!strictRoutes.some((l) => l.includes("cloned")));
  const exc = `${NLM_F_MULTI | NLM_F_DUMP_FILTERED} 198.51.100.9/32 cloned`;
  assert.deepEqual(dump(true, 0x200), [exc, exc]);
  const legacy = dump(false, 0).filter((l) => !l.includes(" 10.") && !l.includes("127."));
  const main = legacy.filter((l) => routes.some((r) => l.includes(r)) || l.includes("cloned"));
  assert.deepEqual(main, [`${NLM_F_MULTI} 192.0.2.0/24 `, `${NLM_F_MULTI} 198.51.100.0/24 `, `${NLM_F_MULTI} 198.51.100.9/32 cloned`,
    `${NLM_F_MULTI} 203.0.113.0/24 `, `${NLM_F_MULTI} 198.51.100.9/32 cloned`]);
  // a chunk too small for more than one message still gives every route and exception once
  e.exports.nlSetDumpChunkSize(200);
  const chunked = dump(false, 0);
  e.exports.nlSetDumpChunkSize(32768);
  assert.deepEqual(chunked, dump(false, 0));
});

// Outputs as Linux 6.18 printed them for the same steps (tests/host/route-cache-vs-kernel.test.ts
// replays them beside the kernel where namespaces are available).
test("carrier changes (NETDEV_CHANGE) mark and clear linkdown; ignore_routes_with_linkdown reports dead and leaves multipath", async () => {
  const e = await Engine.load({ seed: 3, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
  const run = (l: string) => assert.equal(runCommand(l, e).status, 0, l);
  const ip = (l: string) => runIp(l.split(" ").slice(1), e.netlink).stdout;
  for (const l of ["ip link add va type veth peer name vb", "ip link add vc type veth peer name vd", "ip link set lo up",
    "ip link set va up", "ip link set vb up", "ip link set vc up", "ip link set vd up", "ip addr add 10.0.0.1/24 dev va",
    "ip addr add 10.1.0.1/24 dev vc", "ip route add 10.9.0.0/24 via 10.0.0.2",
    "ip route add 10.8.0.0/24 nexthop via 10.0.0.2 nexthop via 10.1.0.2", "ip route add default via 10.1.0.2"]) run(l);
  run("ip link set vb down");
  assert.equal(ip("ip route"), "default via 10.1.0.2 dev vc \n10.0.0.0/24 dev va proto kernel scope link src 10.0.0.1 linkdown \n" +
    "10.1.0.0/24 dev vc proto kernel scope link src 10.1.0.1 \n10.8.0.0/24 \n\tnexthop via 10.0.0.2 dev va weight 1 linkdown \n" +
    "\tnexthop via 10.1.0.2 dev vc weight 1 \n10.9.0.0/24 via 10.0.0.2 dev va linkdown \n");
  assert.match(ip("ip route show table local"), /broadcast 10\.0\.0\.255 dev va proto kernel scope link src 10\.0\.0\.1 linkdown \n/);
  // routes added while the carrier is off start linkdown (fib_check_nh)
  run("ip route add 10.7.0.0/24 dev va");
  run("ip route add 10.6.0.0/24 via 10.0.0.5 dev va onlink");
  assert.equal(ip("ip route show 10.7.0.0/24"), "10.7.0.0/24 dev va scope link linkdown \n");
  assert.equal(ip("ip route show 10.6.0.0/24"), "10.6.0.0/24 via 10.0.0.5 dev va onlink linkdown \n");
  run("sysctl -q -w net.ipv4.conf.va.ignore_routes_with_linkdown=1");
  assert.equal(ip("ip route show 10.9.0.0/24"), "10.9.0.0/24 via 10.0.0.2 dev va dead linkdown \n");
  // the info goes linkdown only when every nexthop is dead or lost its carrier in this event
  run("ip link set vd down");
  assert.equal(ip("ip route show 10.8.0.0/24"),
    "10.8.0.0/24 \n\tnexthop via 10.0.0.2 dev va weight 1 dead linkdown \n\tnexthop via 10.1.0.2 dev vc weight 1 linkdown \n");
  run("ip link set vd up");
  run("ip link set vb up");
  assert.equal(ip("ip route"), "default via 10.1.0.2 dev vc \n10.0.0.0/24 dev va proto kernel scope link src 10.0.0.1 \n" +
    "10.1.0.0/24 dev vc proto kernel scope link src 10.1.0.1 \n10.6.0.0/24 via 10.0.0.5 dev va onlink \n" +
    "10.7.0.0/24 dev va scope link \n10.8.0.0/24 \n\tnexthop via 10.0.0.2 dev va weight 1 \n\tnexthop via 10.1.0.2 dev vc weight 1 \n" +
    "10.9.0.0/24 via 10.0.0.2 dev va \n");
  // with the sysctl already set, losing the carrier takes the nexthop out of the multipath spread
  const viaVa = () => { let n = 0; for (let i = 1; i < 40; i++) if (ip(`ip route get 10.8.0.${i}`).includes("dev va")) n++; return n; };
  assert.ok(viaVa() > 0);
  run("ip link set vb down");
  assert.equal(viaVa(), 0);
  run("ip link set vb up");
  assert.ok(viaVa() > 0);
  // a NIC's carrier is the host's to switch (ip link set carrier): the same events
  for (const l of ["ip link add eth0 type nic", "ip link set eth0 up", "ip addr add 192.0.2.1/24 dev eth0",
    "ip route add 198.51.100.0/24 via 192.0.2.2"]) run(l);
  run("ip link set eth0 carrier off");
  assert.equal(ip("ip route show dev eth0"), "192.0.2.0/24 proto kernel scope link src 192.0.2.1 linkdown \n" +
    "198.51.100.0/24 via 192.0.2.2 linkdown \n");
  run("ip link set eth0 carrier on");
  assert.equal(ip("ip route show dev eth0"), "192.0.2.0/24 proto kernel scope link src 192.0.2.1 \n198.51.100.0/24 via 192.0.2.2 \n");
});
