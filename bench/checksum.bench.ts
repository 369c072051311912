// Checksum throughput: wasm SIMD vs wasm scalar vs plain JS (RFC 1071).
// Each task iteration checksums a batch of 1024 packets (the wasm batch loop
// runs inside wasm via csumBench, so the JS->wasm call cost is amortised),
// cycling over a ring of buffers sized to stay in L2 (<= 256 KiB), so the
// figure is compute throughput, not DRAM bandwidth. GB/s = 1e9 bytes/s from
// the tinybench median (latency p50).
import { readFile } from "node:fs/promises";
import { measure, ROUNDS } from "./measure.ts";

const SIZES = [20, 40, 1500, 9000];
const BATCH = 1024;
const RING_BYTES = 256 * 1024;

interface Engine {
  memory: WebAssembly.Memory;
  benchScratch(size: number): number;
  csumBench(ptr: number, stride: number, ring: number, len: number, count: number, simd: number): number;
  csumPartial(ptr: number, len: number, sum: number): number;
}

export async function loadEngine(): Promise<Engine> {
  // ENGINE_WASM overrides the module path (e.g. to compare two builds).
  const bytes = await readFile(process.env.ENGINE_WASM ?? new URL("../build/engine.wasm", import.meta.url));
  const module = await WebAssembly.compile(bytes);
  // Provide whatever the module imports (abort/trace/seed style stubs).
  const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    const ns = (imports[imp.module] ??= {});
    if (imp.kind === "memory") ns[imp.name] = new WebAssembly.Memory({ initial: 256 });
    else if (imp.kind === "function") {
      ns[imp.name] =
        imp.name === "abort" ? () => { throw new Error("wasm abort"); } :
        imp.name === "seed" ? () => 0 :
        () => {};
    }
  }
  const instance = await WebAssembly.instantiate(module, imports);
  return instance.exports as unknown as Engine;
}

/** RFC 1071 the way a JS programmer would write it: big-endian 16-bit words. */
function csumJs(buf: Uint8Array): number {
  let sum = 0;
  const n = buf.length;
  let i = 0;
  for (; i + 1 < n; i += 2) sum += (buf[i] << 8) | buf[i + 1];
  if (i < n) sum += buf[i] << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function fmt(x: number, d = 2): string {
  return x.toFixed(d);
}

export default async function (): Promise<void> {
  const eng = await loadEngine();
  const rows: string[][] = [];
  for (const len of SIZES) {
    const stride = (len + 63) & ~63;
    const ring = Math.max(1, Math.min(BATCH, Math.floor(RING_BYTES / stride)));
    const ptr = eng.benchScratch(stride * ring);
    const mem = new Uint8Array(eng.memory.buffer); // no growth after this point
    let x = 0x12345678;
    for (let i = 0; i < stride * ring; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5; // xorshift32 fill
      mem[ptr + i] = x & 0xff;
    }
    // JS baseline: its own buffers with the same contents.
    const jsMem = new Uint8Array(stride * ring);
    jsMem.set(mem.subarray(ptr, ptr + stride * ring));
    const bufs: Uint8Array[] = [];
    for (let i = 0; i < ring; i++) bufs.push(jsMem.subarray(i * stride, i * stride + len));

    // Sanity: all three agree (wasm result is in memory order = byte-swapped).
    const w = eng.csumPartial(ptr, len, 0);
    const j = csumJs(bufs[0]);
    if ((((w & 0xff) << 8) | (w >>> 8)) !== j) throw new Error(`checksum mismatch at ${len}: ${w} vs ${j}`);
    if (eng.csumBench(ptr, stride, ring, len, BATCH, 1) !== eng.csumBench(ptr, stride, ring, len, BATCH, 0)) {
      throw new Error(`simd/scalar mismatch at ${len}`);
    }

    let sink = 0;
    const tasks: Array<[string, () => void]> = [
      ["simd", () => { sink ^= eng.csumBench(ptr, stride, ring, len, BATCH, 1); }],
      ["scalar", () => { sink ^= eng.csumBench(ptr, stride, ring, len, BATCH, 0); }],
      ["js", () => {
        let s = 0, k = 0;
        for (let i = 0; i < BATCH; i++) {
          s ^= csumJs(bufs[k]);
          if (++k === ring) k = 0;
        }
        sink ^= s;
      }],
    ];
    const best = await measure(tasks.map(([name, fn]) => [`${name} ${len}`, fn] as [string, () => void]), 300);
    const gbps = best.map((ms) => (len * BATCH) / (ms * 1e6)); // bytes per ns == GB/s
    if (sink === 0.5) console.log(sink); // keep sink alive
    const [simd, scalar, js] = gbps;
    rows.push([String(len), fmt(simd), fmt(scalar), fmt(js), fmt(simd / js, 1) + "x", fmt(simd / scalar, 2) + "x"]);
  }
  const head = ["size B", "SIMD GB/s", "scalar GB/s", "JS GB/s", "SIMD/JS", "SIMD/scalar"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => "| " + r.map((c, i) => c.padStart(widths[i])).join(" | ") + " |";
  console.log(`\nchecksum (RFC 1071), ${BATCH} packets per call over a <= ${RING_BYTES >> 10} KiB ring; GB/s from the best of ${ROUNDS} tinybench medians`);
  console.log(line(head));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const r of rows) console.log(line(r));
}
