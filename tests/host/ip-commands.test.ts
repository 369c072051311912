// `ip link` / `ip address` on the engine against what the real iproute2 6.1 printed on Linux 6.18 for the same
// command lines (captured in a fresh network namespace with IPv6 disabled; literal expectations below, so this
// suite needs no kernel). Run: node --import tsx --test tests/host/ip-commands.test.ts
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runIp } from "../../host/commands/ip.ts";
import {
  NetlinkSocket, NetlinkError, NlBuilder, ifinfomsg, RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTM_NEWLINK, RTM_DELLINK,
  RTM_NEWADDR, RTM_DELADDR, RTM_GETLINK, NLM_F_REQUEST, NLM_F_DUMP, NLMSG_DONE, NLM_F_MULTI, IFLA_EXT_MASK, AF_PACKET,
  ENODEV, EEXIST, EINVAL, EADDRNOTAVAIL, EOPNOTSUPP, ENOBUFS, IFF_UP, IFF_PROMISC,
} from "../../host/netlink.ts";

const load = () => Engine.load({ seed: 7, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });

/** Where the engine knowingly differs from the kernel: one TX/RX queue per device (veth has one per CPU). */
const ours = (s: string) => s.replace(/numtxqueues \d+ numrxqueues \d+/g, "numtxqueues 1 numrxqueues 1");

/** Random MACs (a veth peer created without an address) compare as <mac>. */
const MAC = /\b(?!ff:ff:ff:ff:ff:ff|00:00:00:00:00:00|02:00:00:)([0-9a-f]{2}:){5}[0-9a-f]{2}\b/g;

interface Step { cmd: string; stdout: string; stderr: string; status: number; anyMac?: boolean }
interface Scenario { name: string; steps: Step[] }

// Captured from the real tool: `ip -n NS …` after `ip netns add NS` and disable_ipv6=1 in NS.
const SCENARIOS: Scenario[] = [
  {
    name: "links",
    steps: [
      { cmd: "ip link add va address 02:00:00:00:00:0a type veth peer name vb address 02:00:00:00:00:0b", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link show dev vb", stdout: "2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip -br link", stdout: "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \nvb@va            DOWN           02:00:00:00:00:0b <BROADCAST,MULTICAST,M-DOWN> \nva@vb            DOWN           02:00:00:00:00:0a <BROADCAST,MULTICAST,M-DOWN> \n", stderr: "", status: 0 },
      { cmd: "ip -d link show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n", stderr: "", status: 0 },
      { cmd: "ip -d link show lo", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n", stderr: "", status: 0 },
      { cmd: "ip -s link show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n", stderr: "", status: 0 },
      { cmd: "ip -s -s link show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n    RX errors:  length    crc   frame    fifo overrun\n                     0      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n    TX errors: aborted   fifo  window heartbt transns\n                     0      0       0       0       1 \n", stderr: "", status: 0 },
      { cmd: "ip -o link", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link set va up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show va", stdout: "3: va@vb: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip -br link", stdout: "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \nvb@va            DOWN           02:00:00:00:00:0b <BROADCAST,MULTICAST> \nva@vb            LOWERLAYERDOWN 02:00:00:00:00:0a <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> \n", stderr: "", status: 0 },
      { cmd: "ip link set vb up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: vb@va: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip -d link", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n2: vb@va: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n3: va@vb: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n", stderr: "", status: 0 },
      { cmd: "ip link set va mtu 9000", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set va mtu 20", stdout: "", stderr: "Error: mtu less than device minimum.\n", status: 2 },
      { cmd: "ip link set va mtu 70000", stdout: "", stderr: "Error: mtu greater than device maximum.\n", status: 2 },
      { cmd: "ip link set va address 01:00:00:00:00:01", stdout: "", stderr: "RTNETLINK answers: Cannot assign requested address\n", status: 2 },
      { cmd: "ip link set va down", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set va name vz", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set vz promisc on", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set vz arp off", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set vz txqueuelen 5", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set vz multicast off", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show vz", stdout: "3: vz@vb: <BROADCAST,NOARP,PROMISC> mtu 9000 qdisc noqueue state DOWN mode DEFAULT group default qlen 5\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip -d link show vz", stdout: "3: vz@vb: <BROADCAST,NOARP,PROMISC> mtu 9000 qdisc noqueue state DOWN mode DEFAULT group default qlen 5\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff promiscuity 1  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n", stderr: "", status: 0 },
      { cmd: "ip link set vz promisc off arp on multicast on", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show vz", stdout: "3: vz@vb: <BROADCAST,MULTICAST> mtu 9000 qdisc noqueue state DOWN mode DEFAULT group default qlen 5\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link del nope", stdout: "", stderr: "Cannot find device \"nope\"\n", status: 1 },
      { cmd: "ip link show nope", stdout: "", stderr: "Device \"nope\" does not exist.\n", status: 1 },
      { cmd: "ip link del lo", stdout: "", stderr: "RTNETLINK answers: Operation not supported\n", status: 2 },
      { cmd: "ip link add vb type veth peer name vc", stdout: "", stderr: "RTNETLINK answers: File exists\n", status: 2 },
      { cmd: "ip link add d0 type dummy", stdout: "", stderr: "Error: Unknown device type.\n", status: 2 },
      { cmd: "ip link add x1 address 02:00:00:00:00:11 type veth peer address 02:00:00:00:00:12", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show type veth", stdout: "2: vb@vz: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: vz@vb: <BROADCAST,MULTICAST> mtu 9000 qdisc noqueue state DOWN mode DEFAULT group default qlen 5\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n4: veth0@x1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:12 brd ff:ff:ff:ff:ff:ff\n5: x1@veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:11 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link show up", stdout: "2: vb@vz: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link del vz", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link del x1", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n", stderr: "", status: 0 },
      { cmd: "ip l", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n", stderr: "", status: 0 },
      { cmd: "ip li sh", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n", stderr: "", status: 0 },
    ],
  },
  {
    name: "addresses",
    steps: [
      { cmd: "ip link add va address 02:00:00:00:00:0a type veth peer name vb address 02:00:00:00:00:0b", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set lo up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip addr add 10.0.0.1/24 dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.0.0.1/24 dev va", stdout: "", stderr: "Error: ipv4: Address already assigned.\n", status: 2 },
      { cmd: "ip addr add 10.0.0.2/24 dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.1.0.1/16 brd + dev va label va:1", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.3.0.1/8 brd - dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.4.0.1 dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.6.0.1 peer 10.6.0.2/24 dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.0.0.3/33 dev va", stdout: "", stderr: "Error: any valid prefix is expected rather than \"10.0.0.3/33\".\n", status: 1 },
      { cmd: "ip addr add 10.0.0.3/24 dev nope", stdout: "", stderr: "Cannot find device \"nope\"\n", status: 1 },
      { cmd: "ip addr add 10.0.0.3/24", stdout: "", stderr: "Not enough information: \"dev\" argument is required.\n", status: 1 },
      { cmd: "ip addr show dev va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n    inet 10.0.0.1/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.1.0.1/16 brd 10.1.255.255 scope global va:1\n       valid_lft forever preferred_lft forever\n    inet 10.3.0.1/8 brd 10.0.0.0 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.4.0.1/32 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.6.0.1 peer 10.6.0.2/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.0.0.2/24 scope global secondary va\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip a", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n    inet 10.0.0.1/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.1.0.1/16 brd 10.1.255.255 scope global va:1\n       valid_lft forever preferred_lft forever\n    inet 10.3.0.1/8 brd 10.0.0.0 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.4.0.1/32 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.6.0.1 peer 10.6.0.2/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.0.0.2/24 scope global secondary va\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip -4 addr", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    inet 10.0.0.1/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.1.0.1/16 brd 10.1.255.255 scope global va:1\n       valid_lft forever preferred_lft forever\n    inet 10.3.0.1/8 brd 10.0.0.0 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.4.0.1/32 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.6.0.1 peer 10.6.0.2/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.0.0.2/24 scope global secondary va\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip -br addr", stdout: "lo               UNKNOWN        127.0.0.1/8 \nvb@va            DOWN           \nva@vb            DOWN           10.0.0.1/24 10.1.0.1/16 10.3.0.1/8 10.4.0.1/32 10.6.0.1 peer 10.6.0.2/24 10.0.0.2/24 \n", stderr: "", status: 0 },
      { cmd: "ip -br -4 a", stdout: "lo               UNKNOWN        127.0.0.1/8 \nva@vb            DOWN           10.0.0.1/24 10.1.0.1/16 10.3.0.1/8 10.4.0.1/32 10.6.0.1 peer 10.6.0.2/24 10.0.0.2/24 \n", stderr: "", status: 0 },
      { cmd: "ip -o addr", stdout: "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n3: va    inet 10.0.0.1/24 scope global va\\       valid_lft forever preferred_lft forever\n3: va    inet 10.1.0.1/16 brd 10.1.255.255 scope global va:1\\       valid_lft forever preferred_lft forever\n3: va    inet 10.3.0.1/8 brd 10.0.0.0 scope global va\\       valid_lft forever preferred_lft forever\n3: va    inet 10.4.0.1/32 scope global va\\       valid_lft forever preferred_lft forever\n3: va    inet 10.6.0.1 peer 10.6.0.2/24 scope global va\\       valid_lft forever preferred_lft forever\n3: va    inet 10.0.0.2/24 scope global secondary va\\       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip -o -4 a s va", stdout: "3: va    inet 10.0.0.1/24 scope global va\\       valid_lft forever preferred_lft forever\n3: va    inet 10.1.0.1/16 brd 10.1.255.255 scope global va:1\\       valid_lft forever preferred_lft forever\n3: va    inet 10.3.0.1/8 brd 10.0.0.0 scope global va\\       valid_lft forever preferred_lft forever\n3: va    inet 10.4.0.1/32 scope global va\\       valid_lft forever preferred_lft forever\n3: va    inet 10.6.0.1 peer 10.6.0.2/24 scope global va\\       valid_lft forever preferred_lft forever\n3: va    inet 10.0.0.2/24 scope global secondary va\\       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip -s addr show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n    inet 10.0.0.1/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.1.0.1/16 brd 10.1.255.255 scope global va:1\n       valid_lft forever preferred_lft forever\n    inet 10.3.0.1/8 brd 10.0.0.0 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.4.0.1/32 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.6.0.1 peer 10.6.0.2/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.0.0.2/24 scope global secondary va\n       valid_lft forever preferred_lft forever\n    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n", stderr: "", status: 0 },
      { cmd: "ip addr show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n    inet 10.0.0.1/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.1.0.1/16 brd 10.1.255.255 scope global va:1\n       valid_lft forever preferred_lft forever\n    inet 10.3.0.1/8 brd 10.0.0.0 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.4.0.1/32 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.6.0.1 peer 10.6.0.2/24 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.0.0.2/24 scope global secondary va\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr del 10.0.0.9/24 dev va", stdout: "", stderr: "Error: ipv4: Address not found.\n", status: 2 },
      { cmd: "ip addr del 10.4.0.1 dev va", stdout: "", stderr: "Warning: Executing wildcard deletion to stay compatible with old scripts.\n         Explicitly specify the prefix length (10.4.0.1/32) to avoid this warning.\n         This special behaviour is likely to disappear in further releases,\n         fix your scripts!\n", status: 0 },
      { cmd: "ip addr del 10.0.0.1/24 dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n    inet 10.1.0.1/16 brd 10.1.255.255 scope global va:1\n       valid_lft forever preferred_lft forever\n    inet 10.3.0.1/8 brd 10.0.0.0 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.6.0.1 peer 10.6.0.2/24 scope global va\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr flush dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr show dev va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip addr show dev nope", stdout: "", stderr: "Device \"nope\" does not exist.\n", status: 1 },
      { cmd: "ip addr flush dev nope", stdout: "", stderr: "Device \"nope\" does not exist.\n", status: 1 },
      { cmd: "ip addr flush dev lo", stdout: "", stderr: "", status: 0 },
      { cmd: "ip a", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip address show", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip addr sh lo", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n", stderr: "", status: 0 },
      { cmd: "ip addr add 10.9.0.1/24 dev vb", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set vb up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -d addr show vb", stdout: "2: vb@va: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n    inet 10.9.0.1/24 scope global vb\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr add 10.2.0.1/16 broadcast 10.2.255.254 scope link dev vb", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.2.0.9/16 scope host dev vb", stdout: "", stderr: "Error: ipv4: Invalid scope value.\n", status: 2 },
      { cmd: "ip addr add 10.7.0.1/24 scope 200 dev vb", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -4 a show vb", stdout: "2: vb@va: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default qlen 1000\n    inet 10.2.0.1/16 brd 10.2.255.254 scope link vb\n       valid_lft forever preferred_lft forever\n    inet 10.7.0.1/24 scope site vb\n       valid_lft forever preferred_lft forever\n    inet 10.9.0.1/24 scope global vb\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr flush dev vb", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr flush dev vb", stdout: "", stderr: "", status: 0 },
    ],
  },
  {
    name: "syntax, errors, auto names, flush",
    steps: [
      { cmd: "ip link add va address 02:00:00:00:00:0a type veth peer name vb address 02:00:00:00:00:0b", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -s -s link show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n    RX errors:  length    crc   frame    fifo overrun\n                     0      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n    TX errors: aborted   fifo  window heartbt transns\n                     0      0       0       0       1 \n", stderr: "", status: 0 },
      { cmd: "ip -s -s -o link show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\\    RX:  bytes packets errors dropped  missed   mcast           \\             0       0      0       0       0       0 \\    RX errors:  length    crc   frame    fifo overrun\\                     0      0       0       0       0 \\    TX:  bytes packets errors dropped carrier collsns           \\             0       0      0       0       0       0 \\    TX errors: aborted   fifo  window heartbt transns\\                     0      0       0       0       1 \n", stderr: "", status: 0 },
      { cmd: "ip -o -s link show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\\    RX:  bytes packets errors dropped  missed   mcast           \\             0       0      0       0       0       0 \\    TX:  bytes packets errors dropped carrier collsns           \\             0       0      0       0       0       0 \n", stderr: "", status: 0 },
      { cmd: "ip foo", stdout: "", stderr: "Object \"foo\" is unknown, try \"ip help\".\n", status: 1 },
      { cmd: "ip -q link", stdout: "", stderr: "Option \"-q\" is unknown, try \"ip -help\".\n", status: 255 },
      { cmd: "ip link foo", stdout: "", stderr: "Command \"foo\" is unknown, try \"ip link help\".\n", status: 255 },
      { cmd: "ip addr foo", stdout: "", stderr: "Command \"foo\" is unknown, try \"ip address help\".\n", status: 255 },
      { cmd: "ip link set", stdout: "", stderr: "Not enough information: \"dev\" argument is required.\n", status: 255 },
      { cmd: "ip link set va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set va bogus", stdout: "", stderr: "Error: either \"dev\" is duplicate, or \"bogus\" is a garbage.\n", status: 255 },
      { cmd: "ip link set va mtu", stdout: "", stderr: "Command line is not complete. Try option \"help\"\n", status: 255 },
      { cmd: "ip link set va mtu abc", stdout: "", stderr: "Error: argument \"abc\" is wrong: Invalid \"mtu\" value\n\n", status: 255 },
      { cmd: "ip link set va mtu 1400 mtu 1300", stdout: "", stderr: "Error: duplicate \"mtu\": \"1300\" is the second value.\n", status: 255 },
      { cmd: "ip link set va promisc maybe", stdout: "", stderr: "Error: argument of \"promisc\" must be \"on\" or \"off\", not \"maybe\"\n", status: 1 },
      { cmd: "ip link set va address zz:00", stdout: "", stderr: "\"zz\" is invalid lladdr.\n", status: 1 },
      { cmd: "ip link set va address 02:00:00:00:00", stdout: "", stderr: "Invalid address length 5 - must be 6 bytes\n", status: 1 },
      { cmd: "ip link set va name verylongname12345", stdout: "", stderr: "Error: argument \"verylongname12345\" is wrong: \"name\" not a valid ifname\n", status: 255 },
      { cmd: "ip link set va name vb", stdout: "", stderr: "RTNETLINK answers: File exists\n", status: 2 },
      { cmd: "ip link set va name a:b", stdout: "", stderr: "RTNETLINK answers: Invalid argument\n", status: 2 },
      { cmd: "ip link add", stdout: "", stderr: "Not enough information: \"type\" argument is required\n", status: 1 },
      { cmd: "ip link add address 02:00:00:00:00:21 type veth peer address 02:00:00:00:00:22", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link add va2 type veth foo", stdout: "Usage: ip link <options> type veth [peer <options>]\nTo get <options> type 'ip link add help'\n", stderr: "", status: 1 },
      { cmd: "ip link add va2 type veth peer vb2 type veth", stdout: "", stderr: "Error: duplicate \"type\": \"veth\" is the second value.\n", status: 255 },
      { cmd: "ip link add va2 type nic extra", stdout: "", stderr: "Garbage instead of arguments \"extra ...\". Try \"ip link help\".\n", status: 1 },
      { cmd: "ip link add name va2 dev va3 type veth", stdout: "", stderr: "both \"name\" and \"dev\" cannot be used when creating devices.\n", status: 255 },
      { cmd: "ip link add va2", stdout: "", stderr: "Not enough information: \"type\" argument is required\n", status: 1 },
      { cmd: "ip link del", stdout: "", stderr: "Not enough information: \"dev\" argument is required.\n", status: 255 },
      { cmd: "ip addr add", stdout: "", stderr: "Not enough information: \"dev\" argument is required.\n", status: 1 },
      { cmd: "ip addr add 10.0.0.1/24 dev va scope bogus", stdout: "", stderr: "Error: argument \"bogus\" is wrong: invalid scope value.\n", status: 255 },
      { cmd: "ip addr add 10.0.0.1/24 brd 1.2.3 dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.0.0.1/24 brd 1.2.3.x dev va", stdout: "", stderr: "Error: inet address is expected rather than \"1.2.3.x\".\n", status: 1 },
      { cmd: "ip addr add 10.0.0.1/24 dev va dev vb", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.0.0.1/24 10.0.0.2/24 dev va", stdout: "", stderr: "Error: either \"local\" is duplicate, or \"10.0.0.2/24\" is a garbage.\n", status: 255 },
      { cmd: "ip addr add 127.0.0.5/8 dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.0.0.1/255.255.255.0 brd + dev va", stdout: "", stderr: "Error: ipv4: Address already assigned.\n", status: 2 },
      { cmd: "ip addr add 10.8.0.1/31 brd + dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.9 dev va", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -4 addr add ::1/128 dev va", stdout: "", stderr: "Error: inet prefix is expected rather than \"::1/128\".\n", status: 1 },
      { cmd: "ip addr add 1.2.3.4/24 dev va label va:1 label va:2", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -br a", stdout: "lo               DOWN           \nvb@va            DOWN           10.0.0.1/24 \nva@vb            DOWN           127.0.0.5/8 10.0.0.1/24 10.8.0.1/31 10.9.0.0/32 1.2.3.4/24 \nveth0@veth1      DOWN           \nveth1@veth0      DOWN           \n", stderr: "", status: 0 },
      { cmd: "ip addr show va", stdout: "3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n    inet 127.0.0.5/8 scope host va\n       valid_lft forever preferred_lft forever\n    inet 10.0.0.1/24 brd 1.2.3.0 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.8.0.1/31 scope global va\n       valid_lft forever preferred_lft forever\n    inet 10.9.0.0/32 scope global va\n       valid_lft forever preferred_lft forever\n    inet 1.2.3.4/24 scope global va:2\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr flush", stdout: "", stderr: "Flush requires arguments.\n", status: 1 },
      { cmd: "ip -s addr flush dev va", stdout: "\n*** Round 1, deleting 5 addresses ***\n*** Flush is complete after 1 round ***\n", stderr: "", status: 0 },
      { cmd: "ip -s addr flush dev va", stdout: "Nothing to flush.\n", stderr: "", status: 0 },
      { cmd: "ip link show dev", stdout: "", stderr: "Command line is not complete. Try option \"help\"\n", status: 255 },
      { cmd: "ip link show va vb", stdout: "", stderr: "Error: either \"dev\" is duplicate, or \"vb\" is a garbage.\n", status: 255 },
      { cmd: "ip link show type", stdout: "", stderr: "Command line is not complete. Try option \"help\"\n", status: 255 },
      { cmd: "ip -s -s -s link show lo", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n    RX errors:  length    crc   frame    fifo overrun\n                     0      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n    TX errors: aborted   fifo  window heartbt transns\n                     0      0       0       0       0 \n", stderr: "", status: 0 },
      { cmd: "ip -details link show lo", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n", stderr: "", status: 0 },
      { cmd: "ip -stat l sh lo", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n", stderr: "", status: 0 },
      { cmd: "ip --brief link", stdout: "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \nvb@va            DOWN           02:00:00:00:00:0b <BROADCAST,MULTICAST,M-DOWN> \nva@vb            DOWN           02:00:00:00:00:0a <BROADCAST,MULTICAST,M-DOWN> \nveth0@veth1      DOWN           02:00:00:00:00:22 <BROADCAST,MULTICAST,M-DOWN> \nveth1@veth0      DOWN           02:00:00:00:00:21 <BROADCAST,MULTICAST,M-DOWN> \n", stderr: "", status: 0 },
      { cmd: "ip -br -d link", stdout: "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \nvb@va            DOWN           02:00:00:00:00:0b <BROADCAST,MULTICAST,M-DOWN> \nva@vb            DOWN           02:00:00:00:00:0a <BROADCAST,MULTICAST,M-DOWN> \nveth0@veth1      DOWN           02:00:00:00:00:22 <BROADCAST,MULTICAST,M-DOWN> \nveth1@veth0      DOWN           02:00:00:00:00:21 <BROADCAST,MULTICAST,M-DOWN> \n", stderr: "", status: 0 },
      { cmd: "ip -br -s link", stdout: "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \nvb@va            DOWN           02:00:00:00:00:0b <BROADCAST,MULTICAST,M-DOWN> \nva@vb            DOWN           02:00:00:00:00:0a <BROADCAST,MULTICAST,M-DOWN> \nveth0@veth1      DOWN           02:00:00:00:00:22 <BROADCAST,MULTICAST,M-DOWN> \nveth1@veth0      DOWN           02:00:00:00:00:21 <BROADCAST,MULTICAST,M-DOWN> \n", stderr: "", status: 0 },
      { cmd: "ip -0 addr", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n4: veth0@veth1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:22 brd ff:ff:ff:ff:ff:ff\n5: veth1@veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:21 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip -4 link", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n4: veth0@veth1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:22 brd ff:ff:ff:ff:ff:ff\n5: veth1@veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:21 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip -6 addr", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -f inet addr", stdout: "2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    inet 10.0.0.1/24 scope global vb\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip -family link addr", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n4: veth0@veth1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:22 brd ff:ff:ff:ff:ff:ff\n5: veth1@veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN group default qlen 1000\n    link/ether 02:00:00:00:00:21 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip help", stdout: "", stderr: "Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }\n       ip [ -force ] -batch filename\nwhere  OBJECT := { address | addrlabel | amt | fou | help | ila | ioam | l2tp |\n                   link | macsec | maddress | monitor | mptcp | mroute | mrule |\n                   neighbor | neighbour | netconf | netns | nexthop | ntable |\n                   ntbl | route | rule | sr | tap | tcpmetrics |\n                   token | tunnel | tuntap | vrf | xfrm }\n       OPTIONS := { -V[ersion] | -s[tatistics] | -d[etails] | -r[esolve] |\n                    -h[uman-readable] | -iec | -j[son] | -p[retty] |\n                    -f[amily] { inet | inet6 | mpls | bridge | link } |\n                    -4 | -6 | -M | -B | -0 |\n                    -l[oops] { maximum-addr-flush-attempts } | -br[ief] |\n                    -o[neline] | -t[imestamp] | -ts[hort] | -b[atch] [filename] |\n                    -rc[vbuf] [size] | -n[etns] name | -N[umeric] | -a[ll] |\n                    -c[olor]}\n", status: 255 },
      { cmd: "ip link help", stdout: "", stderr: "Usage: ip link add [link DEV | parentdev NAME] [ name ] NAME\n\t\t    [ txqueuelen PACKETS ]\n\t\t    [ address LLADDR ]\n\t\t    [ broadcast LLADDR ]\n\t\t    [ mtu MTU ] [index IDX ]\n\t\t    [ numtxqueues QUEUE_COUNT ]\n\t\t    [ numrxqueues QUEUE_COUNT ]\n\t\t    [ netns { PID | NAME } ]\n\t\t    type TYPE [ ARGS ]\n\n\tip link delete { DEVICE | dev DEVICE | group DEVGROUP } type TYPE [ ARGS ]\n\n\tip link set { DEVICE | dev DEVICE | group DEVGROUP }\n\t\t\t[ { up | down } ]\n\t\t\t[ type TYPE ARGS ]\n\t\t[ arp { on | off } ]\n\t\t[ dynamic { on | off } ]\n\t\t[ multicast { on | off } ]\n\t\t[ allmulticast { on | off } ]\n\t\t[ promisc { on | off } ]\n\t\t[ trailers { on | off } ]\n\t\t[ carrier { on | off } ]\n\t\t[ txqueuelen PACKETS ]\n\t\t[ name NEWNAME ]\n\t\t[ address LLADDR ]\n\t\t[ broadcast LLADDR ]\n\t\t[ mtu MTU ]\n\t\t[ netns { PID | NAME } ]\n\t\t[ link-netns NAME | link-netnsid ID ]\n\t\t[ alias NAME ]\n\t\t[ vf NUM [ mac LLADDR ]\n\t\t\t [ vlan VLANID [ qos VLAN-QOS ] [ proto VLAN-PROTO ] ]\n\t\t\t [ rate TXRATE ]\n\t\t\t [ max_tx_rate TXRATE ]\n\t\t\t [ min_tx_rate TXRATE ]\n\t\t\t [ spoofchk { on | off} ]\n\t\t\t [ query_rss { on | off} ]\n\t\t\t [ state { auto | enable | disable} ]\n\t\t\t [ trust { on | off} ]\n\t\t\t [ node_guid EUI64 ]\n\t\t\t [ port_guid EUI64 ] ]\n\t\t[ { xdp | xdpgeneric | xdpdrv | xdpoffload } { off |\n\t\t\t  object FILE [ { section | program } NAME ] [ verbose ] |\n\t\t\t  pinned FILE } ]\n\t\t[ master DEVICE ][ vrf NAME ]\n\t\t[ nomaster ]\n\t\t[ addrgenmode { eui64 | none | stable_secret | random } ]\n\t\t[ protodown { on | off } ]\n\t\t[ protodown_reason PREASON { on | off } ]\n\t\t[ gso_max_size BYTES ] | [ gso_max_segs PACKETS ]\n\t\t[ gro_max_size BYTES ]\n\n\tip link show [ DEVICE | group GROUP ] [up] [master DEV] [vrf NAME] [type TYPE]\n\t\t[nomaster]\n\n\tip link xstats type TYPE [ ARGS ]\n\n\tip link afstats [ dev DEVICE ]\n\tip link property add dev DEVICE [ altname NAME .. ]\n\tip link property del dev DEVICE [ altname NAME .. ]\n\n\tip link help [ TYPE ]\n\nTYPE := { amt | bareudp | bond | bond_slave | bridge | bridge_slave |\n          dsa | dummy | erspan | geneve | gre | gretap | gtp | ifb |\n          ip6erspan | ip6gre | ip6gretap | ip6tnl |\n          ipip | ipoib | ipvlan | ipvtap |\n          macsec | macvlan | macvtap |\n          netdevsim | nlmon | rmnet | sit | team | team_slave |\n          vcan | veth | vlan | vrf | vti | vxcan | vxlan | wwan |\n          xfrm | virt_wifi }\n", status: 255 },
      { cmd: "ip -V", stdout: "ip utility, iproute2-6.1.0, libbpf 1.1.2\n", stderr: "", status: 0 },
      { cmd: "ip link add n1 address 02:00:00:00:00:31 type veth peer n2 address 02:00:00:00:00:32", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link add n1 type veth peer name n1", stdout: "", stderr: "RTNETLINK answers: File exists\n", status: 2 },
      { cmd: "ip link add nx%d address 02:00:00:00:00:41 type veth peer name ny%d address 02:00:00:00:00:42", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set n1 up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set n2 up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -s -s link show n1", stdout: "7: n1@n2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:31 brd ff:ff:ff:ff:ff:ff\n    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n    RX errors:  length    crc   frame    fifo overrun\n                     0      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n    TX errors: aborted   fifo  window heartbt transns\n                     0      0       0       0       2 \n", stderr: "", status: 0 },
      { cmd: "ip link set n1 down", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -d link show n2", stdout: "6: n2@n1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:32 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n", stderr: "", status: 0 },
      { cmd: "ip -s -s link show n2", stdout: "6: n2@n1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:32 brd ff:ff:ff:ff:ff:ff\n    RX:  bytes packets errors dropped  missed   mcast           \n             0       0      0       0       0       0 \n    RX errors:  length    crc   frame    fifo overrun\n                     0      0       0       0       0 \n    TX:  bytes packets errors dropped carrier collsns           \n             0       0      0       0       0       0 \n    TX errors: aborted   fifo  window heartbt transns\n                     0      0       0       0       3 \n", stderr: "", status: 0 },
      { cmd: "ip link set n1 txqueuelen 0", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show n1", stdout: "7: n1@n2: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group default \n    link/ether 02:00:00:00:00:31 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link set n1 group 7", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show n1", stdout: "7: n1@n2: <BROADCAST,MULTICAST> mtu 1500 qdisc noqueue state DOWN mode DEFAULT group 7 \n    link/ether 02:00:00:00:00:31 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link set dev n1 name n3", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set n3 name n4 mtu 1280", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -br link show n4", stdout: "n4@n2            DOWN           02:00:00:00:00:31 <BROADCAST,MULTICAST> \n", stderr: "", status: 0 },
      { cmd: "ip link set lo up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip a show lo", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip link set lo mtu 70000", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show lo", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 70000 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n", stderr: "", status: 0 },
      { cmd: "ip -o -4 addr show lo", stdout: "1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr add 192.0.2.1/24 dev n2 noprefixroute", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr show n2", stdout: "6: n2@n4: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1500 qdisc noqueue state LOWERLAYERDOWN group default qlen 1000\n    link/ether 02:00:00:00:00:32 brd ff:ff:ff:ff:ff:ff\n    inet 192.0.2.1/24 scope global noprefixroute n2\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr add 192.0.2.1/24 dev n2", stdout: "", stderr: "Error: ipv4: Address already assigned.\n", status: 2 },
      { cmd: "ip addr change 192.0.2.1/24 dev n2", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr replace 192.0.2.1/24 dev n2", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr del 192.0.2.1/24 dev n2 label foo", stdout: "", stderr: "Error: ipv4: Address not found.\n", status: 2 },
      { cmd: "ip addr del 192.0.2.1/24 dev n2 label n2", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr show label n*", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link del n2", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 70000 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n2: vb@va: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0b brd ff:ff:ff:ff:ff:ff\n3: va@vb: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:0a brd ff:ff:ff:ff:ff:ff\n4: veth0@veth1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:22 brd ff:ff:ff:ff:ff:ff\n5: veth1@veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:21 brd ff:ff:ff:ff:ff:ff\n8: ny0@nx0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:42 brd ff:ff:ff:ff:ff:ff\n9: nx0@ny0: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:41 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
    ],
  },
  {
    name: "creation attributes and veth quirks",
    steps: [
      { cmd: "ip link add a0 address 02:00:00:00:00:a0 mtu 9000 txqueuelen 77 type veth", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link add a1 address 02:00:00:00:00:a1 type veth peer name b1 address 02:00:00:00:00:b1 mtu 1400 txqueuelen 9", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link add a2 up type veth peer name b2 up", stdout: "", stderr: "RTNETLINK answers: Transport endpoint is not connected\n", status: 2 },
      { cmd: "ip link add a3 mtu 60 type veth", stdout: "", stderr: "RTNETLINK answers: Invalid argument\n", status: 2 },
      { cmd: "ip link add a4 type veth peer name b4 mtu 70000", stdout: "", stderr: "RTNETLINK answers: Invalid argument\n", status: 2 },
      { cmd: "ip link add a5 address 01:02:03:04:05:06 type veth", stdout: "", stderr: "RTNETLINK answers: Cannot assign requested address\n", status: 2 },
      { cmd: "ip link add a6 type veth peer name b6 address 00:00:00:00:00:00", stdout: "", stderr: "RTNETLINK answers: Cannot assign requested address\n", status: 2 },
      { cmd: "ip link set a2 group 5", stdout: "", stderr: "Cannot find device \"a2\"\n", status: 1 },
      { cmd: "ip link show group 5", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set group 5 down", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show a2", stdout: "", stderr: "Device \"a2\" does not exist.\n", status: 1 },
      { cmd: "ip link set a2 mode dormant state dormant", stdout: "", stderr: "Cannot find device \"a2\"\n", status: 1 },
      { cmd: "ip link set a2 alias hello", stdout: "", stderr: "Cannot find device \"a2\"\n", status: 1 },
      { cmd: "ip link show a2", stdout: "", stderr: "Device \"a2\" does not exist.\n", status: 1 },
      { cmd: "ip link set a1 carrier on", stdout: "", stderr: "RTNETLINK answers: Operation not supported\n", status: 2 },
      { cmd: "ip link del group 5", stdout: "", stderr: "RTNETLINK answers: No such device\n", status: 2 },
      { cmd: "ip -br link", stdout: "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \nveth0@a0         DOWN           <mac> <BROADCAST,MULTICAST,M-DOWN> \na0@veth0         DOWN           02:00:00:00:00:a0 <BROADCAST,MULTICAST,M-DOWN> \nb1@a1            DOWN           02:00:00:00:00:b1 <BROADCAST,MULTICAST,M-DOWN> \na1@b1            DOWN           02:00:00:00:00:a1 <BROADCAST,MULTICAST,M-DOWN> \n", stderr: "", status: 0, anyMac: true },
      { cmd: "ip -d link", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00 promiscuity 0  allmulti 0 minmtu 0 maxmtu 0 addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n2: veth0@a0: <BROADCAST,MULTICAST,M-DOWN> mtu 9000 qdisc noop state DOWN mode DEFAULT group default qlen 77\n    link/ether <mac> brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n3: a0@veth0: <BROADCAST,MULTICAST,M-DOWN> mtu 9000 qdisc noop state DOWN mode DEFAULT group default qlen 77\n    link/ether 02:00:00:00:00:a0 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n4: b1@a1: <BROADCAST,MULTICAST,M-DOWN> mtu 1400 qdisc noop state DOWN mode DEFAULT group default qlen 9\n    link/ether 02:00:00:00:00:b1 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n5: a1@b1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n    link/ether 02:00:00:00:00:a1 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n    veth addrgenmode eui64 numtxqueues 2 numrxqueues 2 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n", stderr: "", status: 0, anyMac: true },
    ],
  },
  {
    name: "groups, flags, lo, address filters",
    steps: [
      { cmd: "ip link add a1 address 02:00:00:00:00:a1 group 5 type veth peer name b1 address 02:00:00:00:00:b1", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show group 5", stdout: "3: a1@b1: <BROADCAST,MULTICAST,M-DOWN> mtu 1500 qdisc noop state DOWN mode DEFAULT group 5 qlen 1000\n    link/ether 02:00:00:00:00:a1 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link set b1 group 5", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set group 5 up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show group 5", stdout: "2: b1@a1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group 5 qlen 1000\n    link/ether 02:00:00:00:00:b1 brd ff:ff:ff:ff:ff:ff\n3: a1@b1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group 5 qlen 1000\n    link/ether 02:00:00:00:00:a1 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link set group 5 mtu 1400", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -br link", stdout: "lo               DOWN           00:00:00:00:00:00 <LOOPBACK> \nb1@a1            UP             02:00:00:00:00:b1 <BROADCAST,MULTICAST,UP,LOWER_UP> \na1@b1            UP             02:00:00:00:00:a1 <BROADCAST,MULTICAST,UP,LOWER_UP> \n", stderr: "", status: 0 },
      { cmd: "ip link set lo up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.1.1.1/24 dev a1", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.1.1.2/24 dev a1", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set lo down", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set a1 down", stdout: "", stderr: "", status: 0 },
      { cmd: "ip a", stdout: "1: lo: <LOOPBACK> mtu 65536 qdisc noqueue state DOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n2: b1@a1: <NO-CARRIER,BROADCAST,MULTICAST,UP,M-DOWN> mtu 1400 qdisc noqueue state LOWERLAYERDOWN group 5 qlen 1000\n    link/ether 02:00:00:00:00:b1 brd ff:ff:ff:ff:ff:ff\n3: a1@b1: <BROADCAST,MULTICAST> mtu 1400 qdisc noqueue state DOWN group 5 qlen 1000\n    link/ether 02:00:00:00:00:a1 brd ff:ff:ff:ff:ff:ff\n    inet 10.1.1.1/24 scope global a1\n       valid_lft forever preferred_lft forever\n    inet 10.1.1.2/24 scope global secondary a1\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip link set lo up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -4 a", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n3: a1@b1: <BROADCAST,MULTICAST> mtu 1400 qdisc noqueue state DOWN group 5 qlen 1000\n    inet 10.1.1.1/24 scope global a1\n       valid_lft forever preferred_lft forever\n    inet 10.1.1.2/24 scope global secondary a1\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr del 127.0.0.1/8 dev lo", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 127.0.0.1/8 dev lo", stdout: "", stderr: "", status: 0 },
      { cmd: "ip -4 a show lo", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip link set a1 up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set a1 up", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set a1 dynamic on", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set a1 allmulticast on", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link set a1 trailers off", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show a1", stdout: "3: a1@b1: <BROADCAST,MULTICAST,ALLMULTI,DYNAMIC,NOTRAILERS,UP,LOWER_UP> mtu 1400 qdisc noqueue state UP mode DEFAULT group 5 qlen 1000\n    link/ether 02:00:00:00:00:a1 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link set a1 txqlen 0", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show a1", stdout: "3: a1@b1: <BROADCAST,MULTICAST,ALLMULTI,DYNAMIC,NOTRAILERS,UP,LOWER_UP> mtu 1400 qdisc noqueue state UP mode DEFAULT group 5 \n    link/ether 02:00:00:00:00:a1 brd ff:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link set a1 broadcast 02:ff:ff:ff:ff:ff", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link show a1", stdout: "3: a1@b1: <BROADCAST,MULTICAST,ALLMULTI,DYNAMIC,NOTRAILERS,UP,LOWER_UP> mtu 1400 qdisc noqueue state UP mode DEFAULT group 5 \n    link/ether 02:00:00:00:00:a1 brd 02:ff:ff:ff:ff:ff\n", stderr: "", status: 0 },
      { cmd: "ip link del group 5", stdout: "", stderr: "", status: 0 },
      { cmd: "ip link del group 0", stdout: "", stderr: "RTNETLINK answers: Operation not permitted\n", status: 2 },
      { cmd: "ip link", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n", stderr: "", status: 0 },
      { cmd: "ip addr add 10.2.2.2/24 dev lo", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.2.2.3/25 dev lo", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr add 10.2.2.4/24 dev lo", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr show lo", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n    inet 10.2.2.2/24 scope global lo\n       valid_lft forever preferred_lft forever\n    inet 10.2.2.3/25 scope global lo\n       valid_lft forever preferred_lft forever\n    inet 10.2.2.4/24 scope global secondary lo\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr del 10.2.2.2/24 dev lo", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr show lo", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n    inet 10.2.2.3/25 scope global lo\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr show to 10.2.2.0/24", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    inet 10.2.2.3/25 scope global lo\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr show secondary", stdout: "", stderr: "", status: 0 },
      { cmd: "ip addr show primary", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n    inet 10.2.2.3/25 scope global lo\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr show scope host", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
      { cmd: "ip addr show up", stdout: "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n    inet 127.0.0.1/8 scope host lo\n       valid_lft forever preferred_lft forever\n    inet 10.2.2.3/25 scope global lo\n       valid_lft forever preferred_lft forever\n", stderr: "", status: 0 },
    ],
  },
];


for (const sc of SCENARIOS) {
  test(`ip ${sc.name}: output, errors and exit status as iproute2`, async () => {
    const e = await load();
    const bad: string[] = [];
    for (const st of sc.steps) {
      const r = runIp(st.cmd.split(" ").slice(1), e.netlink);
      const want = { stdout: ours(st.stdout), stderr: st.stderr, status: st.status };
      const got = { stdout: st.anyMac ? r.stdout.replace(MAC, "<mac>") : r.stdout, stderr: r.stderr, status: r.status };
      try { assert.deepEqual(got, want); } catch (err) {
        bad.push(`$ ${st.cmd}\n${(err as Error).message}`);
      }
    }
    assert.equal(bad.length, 0, bad.join("\n\n"));
  });
}

test("ip link add … type nic: our host-driven NIC kind (no kernel counterpart)", async () => {
  const e = await load();
  const ip = (l: string) => runIp(l.split(" "), e.netlink);
  assert.deepEqual(ip("link add eth0 address 02:00:00:00:00:e0 type nic"), { stdout: "", stderr: "", status: 0 });
  assert.equal(ip("link show eth0").stdout,
    "2: eth0: <BROADCAST,MULTICAST> mtu 1500 qdisc noop state DOWN mode DEFAULT group default qlen 1000\n" +
    "    link/ether 02:00:00:00:00:e0 brd ff:ff:ff:ff:ff:ff\n");
  ip("link set eth0 up");
  assert.equal(ip("link show eth0").stdout,
    "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n" +
    "    link/ether 02:00:00:00:00:e0 brd ff:ff:ff:ff:ff:ff\n");
  assert.equal(ip("-d link show eth0").stdout,
    "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\n" +
    "    link/ether 02:00:00:00:00:e0 brd ff:ff:ff:ff:ff:ff promiscuity 0  allmulti 0 minmtu 68 maxmtu 65535 \n" +
    "    nic addrgenmode eui64 numtxqueues 1 numrxqueues 1 gso_max_size 65536 gso_max_segs 65535 tso_max_size 524280 tso_max_segs 65535 gro_max_size 65536 \n");
  // carrier is ours to switch (as dummy's ndo_change_carrier)
  ip("link set eth0 carrier off");
  assert.equal(ip("-br link show eth0").stdout, "eth0             LOWERLAYERDOWN 02:00:00:00:00:e0 <NO-CARRIER,BROADCAST,MULTICAST,UP> \n");
  ip("link set eth0 carrier on");
  assert.equal(ip("-s -s link show eth0").stdout.split("\n").slice(-3).join("\n"),
    "    TX errors: aborted   fifo  window heartbt transns\n                     0      0       0       0       2 \n");
  assert.equal(ip("link add type nic").status, 0);
  assert.match(ip("-br link show nic0").stdout, /^nic0 {13}DOWN {11}/);
  assert.equal(ip("link show type nic").stdout.match(/^\d+: /gm)?.length, 2);
  assert.deepEqual(ip("link del eth0"), { stdout: "", stderr: "", status: 0 });
  assert.deepEqual(ip("link show eth0"), { stdout: "", stderr: 'Device "eth0" does not exist.\n', status: 1 });
});

test("-s columns widen for big counters, -h prints human units (size_columns/print_num)", async () => {
  const e = await load();
  const ip = (l: string) => runIp(l.split(" "), e.netlink);
  ip("link add n0 address 02:00:00:00:00:01 type nic");
  const d = e.devices().find((x) => x.name === "n0")!;
  // poke counters straight into the device's rtnl_link_stats64 (rx_bytes, rx_packets, tx_bytes)
  const base = e.exports.netdevBase() + d.ifindex * e.exports.NETDEV_SIZE.value + e.exports.NETDEV_STATS_OFF.value;
  const dv = e.dv();
  dv.setBigUint64(base + 2 * 8, 126570234447969n, true);
  dv.setBigUint64(base + 0 * 8, 15016149200n, true);
  dv.setBigUint64(base + 3 * 8, 692006303n, true);
  assert.equal(ip("-s link show n0").stdout.split("\n").slice(2).join("\n"),
    "    RX:       bytes     packets errors dropped  missed   mcast           \n" +
    "    126570234447969 15016149200      0       0       0       0 \n" +
    "    TX:       bytes     packets errors dropped carrier collsns           \n" +
    "          692006303           0      0       0       0       0 \n");
  assert.equal(ip("-s -h link show n0").stdout.split("\n").slice(2, 4).join("\n"),
    "    RX:  bytes packets errors dropped  missed   mcast           \n" +
    "          127T   15.0G      0       0       0       0 ");
});

test("NetlinkSocket typed API: links, addresses, errors with errno and the kernel's words", async () => {
  const e = await load();
  const nl = e.netlink;
  nl.linkAdd("a0", "veth", { peer: "b0", address: "02:00:00:00:00:a0", peerAddress: "02:00:00:00:00:b0", mtu: 9000 });
  const a = nl.linkGet("a0");
  assert.equal(a.kind, "veth");
  assert.equal(a.mtu, 9000);
  assert.equal(a.address, "02:00:00:00:00:a0");
  assert.equal(nl.linkGet(a.link!).ifname, "b0");
  assert.equal(nl.linkGet("b0").mtu, 1500);
  assert.throws(() => nl.linkAdd("a0", "veth"), (err: any) => err instanceof NetlinkError && err.errno === EEXIST && err.message === "File exists");
  assert.throws(() => nl.linkAdd("x", "dummy"), (err: any) => err.errno === EOPNOTSUPP && err.extack === "Unknown device type");
  assert.throws(() => nl.linkGet("nope"), (err: any) => err.errno === ENODEV && err.message === "No such device");
  assert.throws(() => nl.linkSet("a0", { mtu: 10 }), (err: any) => err.errno === EINVAL && err.extack === "mtu less than device minimum");
  nl.linkSet("a0", { up: true, promisc: true, name: "a1", txqlen: 10 });
  const a1 = nl.linkGet("a1");
  assert.equal(a1.flags & (IFF_UP | IFF_PROMISC), IFF_UP | IFF_PROMISC);
  assert.equal(a1.txqlen, 10);
  assert.equal(a1.promiscuity, 1);
  assert.deepEqual(nl.linkDump().map((l) => l.ifname), ["lo", "b0", "a1"]);
  assert.deepEqual(nl.linkDump({ kind: "veth" }).map((l) => l.ifname), ["b0", "a1"]);
  nl.addrAdd("a1", "192.0.2.1/24", { broadcast: "+", label: "a1:x" });
  nl.addrAdd("a1", "192.0.2.2/24");
  assert.throws(() => nl.addrAdd("a1", "192.0.2.1/24"), (err: any) => err.errno === EEXIST && err.extack === "ipv4: Address already assigned");
  const addrs = nl.addrDump({ dev: "a1" });
  assert.deepEqual(addrs.map((x) => [x.local, x.prefixlen, x.broadcast, x.label, x.flags]),
    [["192.0.2.1", 24, "192.0.2.255", "a1:x", 0x80], ["192.0.2.2", 24, undefined, "a1", 0x81]]);
  assert.deepEqual(addrs[0].cacheinfo && [addrs[0].cacheinfo.valid, addrs[0].cacheinfo.preferred], [0xffffffff, 0xffffffff]);
  assert.throws(() => nl.addrDel("a1", "192.0.2.9/24"), (err: any) => err.errno === EADDRNOTAVAIL && err.message.includes("Cannot assign requested address"));
  nl.addrDel("a1", "192.0.2.1/24");   // the primary takes its secondary with it (promote_secondaries off)
  assert.deepEqual(nl.addrDump({ dev: "a1" }), []);
  nl.linkDel("b0");
  assert.deepEqual(nl.linkDump().map((l) => l.ifname), ["lo"]);
});

test("notifications: RTM_NEWLINK/DELLINK and RTM_NEWADDR/DELADDR, requester's pid/seq on address changes", async () => {
  const e = await load();
  const nl = e.netlink;
  nl.subscribe(RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR);
  nl.linkAdd("a0", "veth", { peer: "b0" });
  let n = nl.notifications();
  assert.deepEqual(n.map((m) => [m.group, m.type]), [[1, RTM_NEWLINK], [1, RTM_NEWLINK]]);
  nl.addrAdd("a0", "10.0.0.1/8");
  n = nl.notifications();
  assert.deepEqual(n.map((m) => [m.group, m.type, m.pid]), [[5, RTM_NEWADDR, nl.portid]]);
  assert.equal(n[0].seq, nl.seq);
  nl.linkDel("a0");
  n = nl.notifications();
  assert.deepEqual(n.map((m) => [m.group, m.type]), [[5, RTM_DELADDR], [1, RTM_DELLINK], [1, RTM_DELLINK]]);
  // overflow: a listener that never reads gets ENOBUFS once, then the queue goes on
  nl.linkAdd("a0", "veth", { peer: "b0" });
  for (let i = 0; i < 300; i++) nl.linkSet("a0", { promisc: i % 2 === 0 });
  assert.throws(() => nl.notifications(), (err: any) => err.errno === ENOBUFS);
  assert.ok(nl.notifications().length > 0);
  assert.deepEqual(nl.notifications(), []);
});

test("dumps resume across chunks: 200 links and 2000 addresses, each exactly once, in order", async () => {
  const e = await load();
  const nl = e.netlink;
  for (let i = 0; i < 100; i++) nl.linkAdd(`a${i}`, "veth", { peer: `b${i}` });
  e.exports.nlSetDumpChunkSize(4096);
  const links = nl.linkDump();
  assert.equal(links.length, 201);
  assert.deepEqual(links.map((l) => l.ifindex), links.map((_, i) => i + 1));
  for (let i = 0; i < 2000; i++) nl.addrAdd(`a${i % 100}`, `10.${i >> 8}.${i & 255}.1/32`);
  const addrs = nl.addrDump();
  assert.equal(addrs.length, 2000);
  assert.equal(new Set(addrs.map((a) => a.local)).size, 2000);
  // raw: every chunk but the last holds only NLM_F_MULTI messages; NLMSG_DONE comes once, at the end
  const seq = nl.nextSeq();
  const msgs = nl.request(new NlBuilder(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, seq).raw(ifinfomsg({ family: AF_PACKET }))
    .u32(IFLA_EXT_MASK, 1).finish());
  assert.equal(msgs.filter((m) => m.type === RTM_NEWLINK && m.flags === NLM_F_MULTI).length, 201);
  assert.equal(msgs.at(-1)!.type, NLMSG_DONE);
  assert.equal(msgs.filter((m) => m.type === NLMSG_DONE).length, 1);
  // `ip link` over the chunked dump
  assert.equal(runIp(["-br", "link"], nl).stdout.split("\n").length, 202);
});

test("NetlinkSocket options: without ext-ack the error has no message; CAP_ACK trims the echo", async () => {
  const e = await load();
  const plain = new NetlinkSocket(e, { extAck: false, capAck: true });
  assert.throws(() => plain.linkSet("lo", { mtu: 1 << 31 >>> 0 }), (err: any) => err.errno === 22 && err.extack === undefined);
  const r = plain.request(new NlBuilder(RTM_NEWLINK, NLM_F_REQUEST, 9).raw(ifinfomsg({ index: 99 })).finish());
  assert.equal(r[0].error, -ENODEV);
  assert.equal(r[0].len, 36);
});

test("address lifetimes age (check_lifetime): dynamic, then deprecated, then deleted with their routes", async () => {
  const e = await load();
  const ip = (l: string) => { const r = runIp(l.split(" "), e.netlink); return r.stdout + r.stderr; };
  const nl = e.netlink;
  nl.subscribe(RTNLGRP_IPV4_IFADDR);
  ip("link add va type veth peer name vb");
  e.run(1000);
  ip("addr add 10.0.0.1/24 dev va valid_lft 100 preferred_lft 50");
  ip("addr add 10.1.0.1/24 dev va valid_lft 100 preferred_lft 0");
  // the kernel's words at once (Linux 6.18, same commands in a namespace)
  assert.equal(ip("-o addr show dev va"),
    "3: va    inet 10.0.0.1/24 scope global dynamic va\\       valid_lft 100sec preferred_lft 50sec\n" +
    "3: va    inet 10.1.0.1/24 scope global deprecated dynamic va\\       valid_lft 100sec preferred_lft 0sec\n");
  ip("addr change 10.0.0.1/24 dev va valid_lft 90 preferred_lft 40");
  e.run(31_000);                                                   // 30 s later
  assert.match(ip("-o addr show dev va"), /10\.0\.0\.1\/24 scope global dynamic va\\ +valid_lft 60sec preferred_lft 10sec\n/);
  nl.notifications();
  e.run(41_000);                                                   // preferred lifetime over: deprecated
  assert.match(ip("-o addr show dev va"), /10\.0\.0\.1\/24 scope global deprecated dynamic va\\ +valid_lft 50sec preferred_lft 0sec\n/);
  assert.deepEqual(nl.notifications().map((m) => m.type), [RTM_NEWADDR]);
  assert.match(ip("route show table local"), /local 10\.1\.0\.1 /);
  e.run(92_000);                                                   // 10.0.0.1: 90 s since its change at 1 s
  assert.deepEqual(nl.notifications().map((m) => m.type), [RTM_DELADDR]);
  assert.doesNotMatch(ip("addr show dev va"), /10\.0\.0\.1/);
  assert.match(ip("addr show dev va"), /10\.1\.0\.1/);
  e.run(102_000);                                                  // 10.1.0.1: 100 s since 1 s
  assert.deepEqual(nl.notifications().map((m) => m.type), [RTM_DELADDR]);
  assert.doesNotMatch(ip("route show table local"), /10\.1\.0\.1/);
  assert.equal(ip("-o -4 addr show dev va"), "");
});
