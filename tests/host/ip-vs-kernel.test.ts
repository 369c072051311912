// The same `ip` command lines in a fresh network namespace (real kernel + iproute2) and in a fresh engine;
// outputs, errors and exit statuses must match after normalising only what must differ: random MAC
// addresses, and the per-CPU queue count of veth (ours has one queue). IPv6 is disabled in the namespace
// (the engine has no IPv6 addresses yet). Needs root and `ip netns`; otherwise skipped with the reason.
// Run: node --import tsx --test tests/host/ip-vs-kernel.test.ts
import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine } from "../../host/engine.ts";
import { runIp } from "../../host/commands/ip.ts";
import { spawnSync } from "node:child_process";
import { netnsAvailable, skipOrRun, uniqueName, shTry } from "../helpers/netns.ts";



const SCRIPTS: Record<string, string[]> = {
  links: [
    "ip link add va type veth peer name vb",
    "ip link", "ip -br link", "ip -d link show va", "ip -s link show va", "ip -s -s link show va", "ip -o link",
    "ip link set va up", "ip link show va", "ip -br link", "ip link set vb up", "ip -d link",
    "ip link set va mtu 9000", "ip link set va mtu 20", "ip link set va mtu 70000",
    "ip link set va address 01:00:00:00:00:01", "ip link set va address 02:00:00:00:00:77", "ip link set va down",
    "ip link set va name vz", "ip link set vz promisc on", "ip link set vz arp off", "ip link set vz txqueuelen 5",
    "ip link set vz multicast off", "ip link show vz", "ip -d link show vz", "ip link set vz promisc off arp on multicast on",
    "ip link set vz name vb", "ip link set vz name a:b", "ip link set vz name bad/name",
    "ip link del nope", "ip link show nope", "ip link del lo", "ip link add vb type veth peer name vc",
    "ip link add d0 type dummy", "ip link add x1 type veth", "ip link add type veth", "ip link show type veth",
    "ip link show up", "ip -s -s link", "ip link del vz", "ip link del x1", "ip link", "ip l", "ip li sh",
    "ip link set lo up", "ip link set lo mtu 70000", "ip -d link show lo", "ip link add zz%d type veth peer name yy%d",
    "ip -br link",
  ],
  addresses: [
    "ip link add va type veth peer name vb", "ip link set lo up", "ip addr",
    "ip addr add 10.0.0.1/24 dev va", "ip addr add 10.0.0.1/24 dev va", "ip addr add 10.0.0.2/24 dev va",
    "ip addr add 10.1.0.1/16 brd + dev va label va:1", "ip addr add 10.3.0.1/8 brd - dev va",
    "ip addr add 10.4.0.1 dev va", "ip addr add 10.6.0.1 peer 10.6.0.2/24 dev va", "ip addr add 10.0.0.3/33 dev va",
    "ip addr add 10.0.0.3/24 dev nope", "ip addr add 10.0.0.3/24", "ip addr show dev va", "ip a", "ip -4 addr",
    "ip -br addr", "ip -br -4 a", "ip -o addr", "ip -o -4 a s va", "ip -s addr show va",
    "ip addr del 10.0.0.9/24 dev va", "ip addr del 10.4.0.1 dev va", "ip addr del 10.0.0.1/24 dev va",
    "ip addr show va", "ip -s addr flush dev va", "ip -s addr flush dev va", "ip addr show dev va",
    "ip addr show dev nope", "ip addr flush dev lo", "ip a", "ip addr add 10.9.0.1/24 dev vb", "ip link set vb up",
    "ip -d addr show vb", "ip addr add 10.9.0.2/24 dev vb label vb:2", "ip addr show label vb:*",
    "ip addr add 10.9.0.1/24 dev vb", "ip addr replace 10.9.0.1/24 dev vb", "ip addr del 10.9.0.1/24 dev vb label nope",
    "ip addr add 10.5.0.1/8 broadcast 1.2.3 dev vb", "ip addr add 10.5.0.9/8 scope host dev vb",
    "ip addr add 10.7.0.1/24 scope link dev vb", "ip -4 a show vb",
    "ip addr add 10.8.0.1/24 dev vb valid_lft 100 preferred_lft 50", "ip addr add 10.8.1.1/24 dev vb valid_lft 100 preferred_lft 0",
    "ip addr add 10.8.2.1/24 dev vb valid_lft 0", "ip addr add 10.8.2.1/24 dev vb valid_lft 10 preferred_lft 20",
    "ip addr add 10.8.2.1/24 dev vb valid_lft x", "ip addr add 10.8.2.1/24 dev vb valid_lft forever preferred_lft 30",
    "ip addr change 10.8.0.1/24 dev vb valid_lft 60 preferred_lft 60", "ip -o -4 a show vb",
    "ip link del va", "ip a",
  ],
  create: [
    "ip link add a2 up type veth peer name b2 up", "ip link add x type veth peer name x", "ip link add a0 address 02:00:00:00:00:a0 mtu 9000 txqueuelen 77 type veth",
    "ip link add a1 type veth peer name b1 mtu 1400 txqueuelen 9",
    "ip link add a3 mtu 60 type veth", "ip link add a4 type veth peer name b4 mtu 70000",
    "ip link add a5 address 01:02:03:04:05:06 type veth", "ip link add a6 type veth peer name b6 address 00:00:00:00:00:00",
    "ip -d link", "ip -o link", "ip link set a1 group 5", "ip link set b1 group 5",
    "ip link set group 5 up", "ip link show group 5", "ip link set group 5 mtu 1400", "ip link del group 5",
    "ip link del group 5", "ip link del group 0", "ip -br link",
  ],
  syntax: [
    "ip foo", "ip -q link", "ip link foo", "ip addr foo", "ip link set", "ip link set lo bogus", "ip link set lo mtu",
    "ip link set lo mtu abc", "ip link set lo mtu 1400 mtu 1300", "ip link set lo promisc maybe",
    "ip link set lo address zz:00", "ip link set lo address 02:00:00:00:00", "ip link add", "ip link add a type veth",
    "ip link add va2 type veth foo", "ip link add va2 type veth peer vb2 type veth", "ip link add name va2 dev va3 type veth",
    "ip link del", "ip addr add", "ip addr add 10.0.0.1/24 dev lo scope bogus", "ip addr add 10.0.0.1/24 brd 1.2.3.x dev lo",
    "ip addr add 10.0.0.1/24 10.0.0.2/24 dev lo", "ip -4 addr add ::1/128 dev lo", "ip addr flush",
    "ip link show dev", "ip link show lo lo", "ip -stat l sh lo", "ip -details link show lo", "ip --brief link",
    "ip -0 addr", "ip -4 link", "ip -6 addr", "ip -f inet addr", "ip -family link addr",
  ],
};

const MAC = /\b(?!ff:ff:ff:ff:ff:ff|00:00:00:00:00:00)([0-9a-f]{2}:){5}[0-9a-f]{2}\b/g;
const norm = (s: string) => s.replace(MAC, "<mac>").replace(/numtxqueues \d+ numrxqueues \d+/g, "numtxqueues N numrxqueues N");

/** `ip -n NS …` with stdout, stderr and the exit status kept apart. */
function kernelRun(ns: string, line: string): { stdout: string; stderr: string; status: number } {
  const r = spawnSync("ip", ["-n", ns, ...line.split(" ").slice(1)], { encoding: "utf8", timeout: 10000 });
  return { stdout: r.stdout ?? "", stderr: r.stderr ?? "", status: r.status ?? -1 };
}

const reason = netnsAvailable();

for (const [name, lines] of Object.entries(SCRIPTS)) {
  test(`ip ${name}: engine and kernel agree`, async (t) => {
    if (!skipOrRun(t, reason)) return;
    const ns = uniqueName("wnlk");
    const add = shTry(["ip", "netns", "add", ns]);
    assert.equal(add.status, 0, add.stderr);
    try {
      for (const k of ["all", "default", "lo"]) {
        shTry(["ip", "netns", "exec", ns, "sysctl", "-qw", `net.ipv6.conf.${k}.disable_ipv6=1`]);
      }
      const e = await Engine.load({ seed: 3, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
      const diffs: string[] = [];
      for (const line of lines) {
        const k = kernelRun(ns, line);
        const o = runIp(line.split(" ").slice(1), e.netlink);
        const want = { stdout: norm(k.stdout), stderr: norm(k.stderr), status: k.status };
        const got = { stdout: norm(o.stdout), stderr: norm(o.stderr), status: o.status };
        if (JSON.stringify(want) !== JSON.stringify(got)) {
          diffs.push(`$ ${line}\n--- kernel (${k.status})\n${k.stdout}${k.stderr}--- engine (${o.status})\n${o.stdout}${o.stderr}`);
        }
      }
      assert.equal(diffs.length, 0, diffs.join("\n"));
    } finally {
      shTry(["ip", "netns", "del", ns]);
    }
  });
}

/** Run lines in a fresh namespace and a fresh engine; the normalised outputs of every line, side by side. */
async function both(lines: string[]): Promise<{ kernel: string; engine: string }> {
  const ns = uniqueName("wnlk");
  assert.equal(shTry(["ip", "netns", "add", ns]).status, 0);
  try {
    const e = await Engine.load({ seed: 3, buffers: 64, bufferShift: 14, skbs: 64, timers: 1024 });
    let kernel = "", engine = "";
    for (const line of lines) {
      const k = kernelRun(ns, line), o = runIp(line.split(" ").slice(1), e.netlink);
      kernel += `$ ${line}\n${k.stdout}${k.stderr}[${k.status}]\n`;
      engine += `$ ${line}\n${o.stdout}${o.stderr}[${o.status}]\n`;
    }
    return { kernel: norm(kernel), engine: norm(engine) };
  } finally {
    shTry(["ip", "netns", "del", ns]);
  }
}

test("ifindexes are allocated cyclically after a delete, as dev_new_index", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const r = await both(["ip link add p1 type veth peer name p2", "ip link del p1", "ip link add p3 type veth peer name p4",
    "ip -o link"]);
  assert.equal(r.engine, r.kernel);
});

test("a device that is up can be renamed (current kernels)", async (t) => {
  if (!skipOrRun(t, reason)) return;
  const r = await both(["ip link add p1 type veth peer name p2", "ip link set p1 up", "ip link set p1 name p9", "ip -br link"]);
  assert.equal(r.engine, r.kernel);
});
