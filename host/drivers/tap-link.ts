// Connect engine NICs to TAP devices in real time: frames from the kernel go into the NIC's RX ring,
// frames the engine transmits go to the TAP; the clock is the host's monotonic clock, started at the
// wall-clock time (so that ICMP and IP-option timestamps are the ms since midnight UT, as the kernel's).
import type { Engine } from "../engine.ts";
import type { TapDevice } from "./tap.ts";

export interface TapBinding { dev: string; tap: TapDevice }

/** Attach and start; returns a function that detaches (closing the TAPs). */
export function attachTap(engine: Engine, bindings: TapBinding[]): () => void {
  const origin = Math.max(engine.now, Date.now() - performance.now());
  const now = () => origin + performance.now();
  const links = bindings.map((b) => {
    const ifindex = engine.ifindex(b.dev);
    if (!ifindex) throw new Error(`no device ${b.dev}`);
    return { ...b, nic: engine.nic(ifindex) };
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const flush = () => {
    for (const l of links) for (const f of l.nic.transmit()) l.tap.send(f);
  };
  // Run the engine now, then again when its next timer is due.
  const step = () => {
    if (closed) return;
    engine.run(now());
    flush();
    if (timer) clearTimeout(timer);
    const next = engine.nextTimer();
    timer = setTimeout(step, Math.max(1, Math.min(1000, Number.isFinite(next) ? next - now() : 1000)));
  };
  for (const l of links) {
    l.tap.onFrame((frame) => { l.nic.receive([frame]); step(); });
  }
  step();
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    for (const l of links) l.tap.close();
  };
}
