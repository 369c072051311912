// Replaying captures through an engine on a virtual clock driven by the capture timestamps.
import { Engine, type EngineOptions } from "./engine.ts";
import { runBatch, runCommand, splitWords } from "./commands/index.ts";
import type { PcapFile } from "./drivers/pcap.ts";

export interface ReplayInput { dev: string; pcap: PcapFile }
export interface ReplayFrame { tsMs: number; dev: string; data: Uint8Array }
export interface ReplayResult {
  engine: Engine;
  /** Output of the setup commands, in order (stdout and stderr as the tools print them). */
  setupOutput: string;
  setupFailures: number;
  /** Every transmitted frame, by device, with the virtual time it left. */
  sent: ReplayFrame[];
  received: number;
  /** Frames the host could not post per device (no empty buffer in the fill ring: the NIC's rx_missed). */
  missed: Record<string, number>;
}

/** Names of devices a setup creates itself (`ip link add NAME …`, also the veth peer name). */
export function devicesCreatedBy(setup: string): Set<string> {
  const made = new Set<string>();
  for (const line of setup.split("\n")) {
    let w: string[];
    try { w = splitWords(line); } catch { continue; }
    if (w[0] !== "ip") continue;
    const i = w.findIndex((x) => /^l(i(nk?)?)?$/.test(x));
    if (i < 0 || !/^a(dd?)?$/.test(w[i + 1] ?? "")) continue;
    const nameAt = w[i + 2] === "name" || w[i + 2] === "dev" ? i + 3 : i + 2;
    if (w[nameAt]) made.add(w[nameAt]);
    const peer = w.indexOf("peer");
    if (peer >= 0) { const n = w[peer + 1] === "name" ? w[peer + 2] : w[peer + 1]; if (n) made.add(n); }
  }
  return made;
}

/** Create host-driven NICs for `names` not made by the setup, then run the setup lines. */
export function prepare(engine: Engine, setup: string, names: string[]): { output: string; failures: number } {
  const made = devicesCreatedBy(setup);
  for (const n of names) {
    if (made.has(n) || engine.ifindex(n)) continue;
    const r = runCommand(`ip link add ${n} type nic`, engine);
    if (r.status !== 0) throw new Error(`cannot create device ${n}: ${r.stderr.trim()}`);
  }
  const { output, failed } = runBatch(setup, engine, "setup");
  return { output, failures: failed };
}

export async function replay(opts: { setup: string; inputs: ReplayInput[]; outputs: string[]; lingerMs?: number;
  engine?: EngineOptions }): Promise<ReplayResult> {
  const engine = await Engine.load(opts.engine);
  const devNames = [...new Set([...opts.inputs.map((i) => i.dev), ...opts.outputs])];
  const { output, failures } = prepare(engine, opts.setup, devNames);
  const nics = new Map<string, number>();
  for (const n of devNames) {
    const idx = engine.ifindex(n);
    if (!idx || engine.exports.abiNicRing(idx) === 0) throw new Error(`device ${n} is not a host-driven NIC`);
    nics.set(n, idx);
  }
  // All input frames in timestamp order (stable across devices).
  const events = opts.inputs.flatMap((inp, k) => inp.pcap.records.map((r, j) => ({ t: r.tsMs, k, j, dev: inp.dev, data: r.data })));
  events.sort((a, b) => a.t - b.t || a.k - b.k || a.j - b.j);
  const sent: ReplayFrame[] = [];
  const collect = (t: number) => {
    for (const [dev, idx] of nics) for (const f of engine.nic(idx).transmit()) sent.push({ tsMs: t, dev, data: f });
  };
  const runTimersUntil = (t: number) => {
    for (let next = engine.nextTimer(); next <= t; next = engine.nextTimer()) {
      engine.run(next); collect(next);
    }
  };
  const start = events.length ? events[0].t : 0;
  engine.run(start); collect(start);
  for (let i = 0; i < events.length;) {
    const t = events[i].t;
    runTimersUntil(t);
    // Frames with the same timestamp are posted as one burst.
    const burst = new Map<string, Uint8Array[]>();
    for (; i < events.length && events[i].t === t; i++) {
      const e = events[i];
      if (!burst.has(e.dev)) burst.set(e.dev, []);
      burst.get(e.dev)!.push(e.data);
    }
    for (const [dev, frames] of burst) engine.nic(nics.get(dev)!).receive(frames);
    engine.run(t); collect(t);
  }
  const end = (events.length ? events[events.length - 1].t : start) + (opts.lingerMs ?? 0);
  runTimersUntil(end);
  const missed = Object.fromEntries([...nics].map(([dev, idx]) => [dev, engine.nic(idx).stats.rxNoBuffer]));
  return { engine, setupOutput: output, setupFailures: failures, sent, received: events.length, missed };
}
