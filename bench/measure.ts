// The benchmarks' one way to time tasks: an explicit warm-up (V8 starts wasm in its baseline tier
// and tiers up in the background), then the best of ROUNDS tinybench medians per task, the tasks run
// side by side in each round. The machine is shared and noisy, hence best-of medians.
import { Bench } from "tinybench";

export const ROUNDS = 3;

/** Best of ROUNDS tinybench medians (ms per call) for each task. */
export async function measure(tasks: Array<[string, () => void]>, time = 400): Promise<number[]> {
  for (const [, fn] of tasks) for (let t0 = performance.now(); performance.now() - t0 < 150;) fn();
  const best = tasks.map(() => Infinity);
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ time, warmupTime: 50 });
    for (const [name, fn] of tasks) bench.add(name, fn);
    await bench.run();
    bench.tasks.forEach((t, i) => {
      const r = t.result;
      if (r.state !== "completed") throw new Error(`${t.name}: ${r.state}`);
      best[i] = Math.min(best[i], r.latency.p50);
    });
  }
  return best;
}
