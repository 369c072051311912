// The host side of the engine: loads the wasm core (Node or browser), owns the memory views, drives
// polls with the host's clock, and exposes devices, rings, counters and the netlink channel.
import { Nic } from "./nic.ts";
import { NetlinkSocket } from "./netlink.ts";

export interface EngineOptions {
  /** PRNG seed (MAC addresses, IP ids, neighbour timers). Same seed, same run. */
  seed?: number | bigint;
  /** Packet buffers and their size as a power of two (14 = 16 KiB: 9000-byte jumbo frames fit). */
  buffers?: number;
  bufferShift?: number;
  skbs?: number;
  timers?: number;
  /** The compiled core; by default build/engine.wasm next to this package. */
  wasm?: Uint8Array | ArrayBuffer;
}

export interface CounterSnapshot {
  ip: Record<string, number>;
  icmp: Record<string, number>;
  icmpMsg: { in: Record<number, number>; out: Record<number, number> };
  udp: Record<string, number>;
  tcp: Record<string, number>;
  arp: Record<string, number>;
  drops: Record<string, number>;
}

/** struct rtnl_link_stats64 field names, in the core's order. */
export const LINK_STATS = [
  "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors", "rx_dropped", "tx_dropped",
  "multicast", "collisions", "rx_length_errors", "rx_over_errors", "rx_crc_errors", "rx_frame_errors",
  "rx_fifo_errors", "rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
  "tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed", "rx_nohandler",
] as const;

export interface DeviceView {
  ifindex: number;
  name: string;
  kind: "loopback" | "veth" | "nic";
  flags: number;
  mtu: number;
  mac: string;
  stats: Record<string, number>;
}

interface CounterBlock { name: string; offset: number; names: string[] }

async function loadWasmBytes(): Promise<Uint8Array | ArrayBuffer> {
  const url = new URL("../build/engine.wasm", import.meta.url);
  if (url.protocol === "file:") {
    const fs = await import("node:fs/promises");
    return fs.readFile(url);
  }
  return (await fetch(url)).arrayBuffer();
}

const KINDS = ["", "loopback", "veth", "nic"] as const;

export class Engine {
  readonly exports: any;
  readonly memory: WebAssembly.Memory;
  readonly netlink: NetlinkSocket;
  /** Host time of the last poll (ms). */
  now = 0;
  private view: Uint8Array;
  private dataView: DataView;
  private blocks: CounterBlock[];
  private nics = new Map<number, Nic>();
  private devOffsets: number[];

  private constructor(instance: WebAssembly.Instance, opts: EngineOptions) {
    this.exports = instance.exports;
    this.memory = this.exports.memory;
    this.view = new Uint8Array(this.memory.buffer);
    this.dataView = new DataView(this.memory.buffer);
    this.exports.engineInit(BigInt(opts.seed ?? 1), opts.buffers ?? 2048, opts.bufferShift ?? 14,
      opts.skbs ?? 4096, opts.timers ?? 65536);
    this.blocks = this.readCounterLayout();
    const offs = this.exports.abiNetdevOffsets();
    this.devOffsets = Array.from({ length: 10 }, (_, i) => this.dv().getUint32(offs + 4 * i, true));
    this.netlink = new NetlinkSocket(this);
  }

  static async load(opts: EngineOptions = {}): Promise<Engine> {
    const bytes = opts.wasm ?? await loadWasmBytes();
    const { instance } = await WebAssembly.instantiate(bytes, {
      env: {
        abort(msg: number, file: number, line: number, col: number) {
          throw new Error(`engine core aborted at ${line}:${col}`);
        },
      },
    });
    return new Engine(instance, opts);
  }

  /** Current byte view of the core's memory (re-derived if memory grew and detached the old one). */
  u8(): Uint8Array {
    if (this.view.buffer !== this.memory.buffer) {
      this.view = new Uint8Array(this.memory.buffer);
      this.dataView = new DataView(this.memory.buffer);
    }
    return this.view;
  }

  dv(): DataView { this.u8(); return this.dataView; }

  /** One NAPI-style poll at host time `now` (ms). Returns packets processed. */
  poll(now: number = this.now, budget = 64): number {
    this.now = now;
    return this.exports.poll(BigInt(Math.floor(now)), budget);
  }

  /** Poll until the core is idle at this instant (all rings and the backlog drained). */
  run(now: number = this.now, budget = 64): number {
    let total = 0;
    for (;;) {
      const w = this.poll(now, budget);
      total += w;
      if (w === 0 && this.exports.backlogLen() === 0) return total;
    }
  }

  /** Earliest time a timer is due (Infinity when none). */
  nextTimer(): number {
    const t = this.exports.timerNext() as bigint;
    return t >= 0x7fffffffffffffffn ? Infinity : Number(t);
  }

  /** The ring driver of a NIC device (created with `ip link add NAME type nic`). */
  nic(ifindex: number): Nic {
    let n = this.nics.get(ifindex);
    const ring = this.exports.abiNicRing(ifindex) as number;
    if (ring === 0) throw new Error(`ifindex ${ifindex} is not a NIC`);
    if (!n || n.ring !== ring) { n = new Nic(this, ifindex, ring); this.nics.set(ifindex, n); }
    return n;
  }

  /** ifindex of a device by name, 0 when absent. */
  ifindex(name: string): number {
    for (const d of this.devices()) if (d.name === name) return d.ifindex;
    return 0;
  }

  /** Every device as the core holds it. */
  devices(): DeviceView[] {
    const dv = this.dv();
    const base = this.exports.netdevBase() as number;
    const size = this.exports.NETDEV_SIZE.value as number;
    const max = this.exports.MAX_DEVICES.value as number;
    const [oIf, oFlags, oMtu, oKind, , , oMac, oName, oStats] = this.devOffsets;
    const out: DeviceView[] = [];
    const u8 = this.u8();
    for (let i = 1; i < max; i++) {
      const p = base + i * size;
      if (dv.getUint32(p + oIf, true) !== i) continue;
      let name = "";
      for (let k = 0; k < 16 && u8[p + oName + k]; k++) name += String.fromCharCode(u8[p + oName + k]);
      const mac = Array.from(u8.subarray(p + oMac, p + oMac + 6), (b) => b.toString(16).padStart(2, "0")).join(":");
      const stats: Record<string, number> = {};
      LINK_STATS.forEach((s, k) => { stats[s] = Number(dv.getBigUint64(p + oStats + 8 * k, true)); });
      out.push({ ifindex: i, name, kind: KINDS[u8[p + oKind]] as DeviceView["kind"], flags: dv.getUint32(p + oFlags, true),
        mtu: dv.getUint32(p + oMtu, true), mac, stats });
    }
    return out;
  }

  private readCounterLayout(): CounterBlock[] {
    const p = this.exports.abiCounterNames() as number;
    const len = this.dv().getUint32(p - 4, true);
    const text = new TextDecoder().decode(this.u8().slice(p, p + len));
    return text.trim().split("\n").map((line) => {
      const [name, offset, names] = line.split(" ");
      return { name, offset: Number(offset), names: names === "-" ? [] : names.split(",") };
    });
  }

  /** All MIB counters and drop reasons, read in one snapshot. */
  counters(): CounterSnapshot {
    const base = this.exports.countersBase() as number;
    const total = this.exports.countersTotal() as number;
    const words = new BigUint64Array(this.memory.buffer.slice(base, base + total * 8));
    const snap: CounterSnapshot = { ip: {}, icmp: {}, icmpMsg: { in: {}, out: {} }, udp: {}, tcp: {}, arp: {}, drops: {} };
    for (const b of this.blocks) {
      if (b.name === "icmpmsg_in" || b.name === "icmpmsg_out") {
        const dst = b.name === "icmpmsg_in" ? snap.icmpMsg.in : snap.icmpMsg.out;
        for (let t = 0; t < 256; t++) if (words[b.offset + t]) dst[t] = Number(words[b.offset + t]);
        continue;
      }
      const dst = b.name === "drop" ? snap.drops : (snap as any)[b.name] as Record<string, number>;
      b.names.forEach((n, k) => { dst[n.includes(":") ? n.slice(n.indexOf(":") + 1) : n] = Number(words[b.offset + k]); });
    }
    return snap;
  }

  /** Buffers and skbs currently free (a leak check: equal before and after a run once rings are idle). */
  poolFree(): { buffers: number; skbs: number; totalBuffers: number; totalSkbs: number } {
    return { buffers: this.exports.bufsFree(), skbs: this.exports.skbsFree(), totalBuffers: this.exports.bufTotal(),
      totalSkbs: this.exports.skbTotal() };
  }
}
