// Runs every benchmark module in BENCHES (each exports a default async fn).
// Usage: npm run bench   (or: node --import tsx bench/run.ts)
import os from "node:os";

const BENCHES: string[] = [
  "./checksum.bench.ts",
  "./echo.bench.ts",
  "./fib.bench.ts",
  "./forward.bench.ts",
];

const cpu = os.cpus()[0]?.model ?? "unknown cpu";
console.log(`# wasm-netstack benchmarks`);
console.log(`date: ${new Date().toISOString()}`);
console.log(`cpu: ${cpu} (${os.cpus().length} logical)`);
console.log(`node: ${process.version}  platform: ${os.platform()} ${os.arch()}`);

for (const path of BENCHES) {
  console.log(`\n## ${path}`);
  const mod = (await import(path)) as { default: () => Promise<void> };
  await mod.default();
}
