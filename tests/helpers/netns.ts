// Helpers for tests against the real Linux kernel: commands, network namespaces, TAPs, skips.
//
// Usage:
//   const reason = kernelTestAvailability({ tap: true, tools: ['ping'] });
//   test('x', async (t) => {
//     if (!skipOrRun(t, reason)) return;
//     const ns = uniqueName('wns'); createNetns(ns);
//     try { ... nsExec(ns, ['ip', 'link']) ... } finally { deleteNetns(ns); }
//   });
// Names are tracked: anything created here and not deleted is removed at process exit.
// Only send traffic to namespaces/devices the test itself created.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tapAvailability } from '../../host/drivers/tap.ts';

export interface ShResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run a command (no shell); return stdout. Throws with the command and its stderr on failure. */
export function sh(cmd: string[], opts: { input?: string; timeoutMs?: number } = {}): string {
  const r = shTry(cmd, opts);
  if (r.status !== 0) {
    throw new Error(`command failed (exit ${r.status}): ${cmd.join(' ')}\n${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** Run a command (no shell); never throws for a non-zero exit. */
export function shTry(cmd: string[], opts: { input?: string; timeoutMs?: number } = {}): ShResult {
  try {
    const stdout = execFileSync(cmd[0], cmd.slice(1), {
      encoding: 'utf8',
      input: opts.input,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 30000,
    });
    return { status: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status?: number | null; stdout?: string; stderr?: string; message: string };
    return {
      status: typeof err.status === 'number' ? err.status : -1,
      stdout: err.stdout ?? '',
      stderr: err.stderr || err.message,
    };
  }
}

/**
 * Run a command asynchronously: the event loop keeps running (needed while a TAP reader or an
 * engine must answer the command's traffic). Resolves with the exit status; never rejects on exit code.
 */
export function shAsync(cmd: string[], opts: { timeoutMs?: number } = {}): Promise<ShResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 30000);
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? (signal ? -1 : 0), stdout, stderr });
    });
  });
}

/** Path of an executable found in PATH (plus the sbin dirs), or null. */
export function which(tool: string): string | null {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, tool);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
}

// Debian package for each tool the kernel tests may use (for skip messages).
const TOOL_PACKAGES: Record<string, string> = {
  ip: 'iproute2',
  ping: 'iputils-ping',
  arping: 'iputils-arping',
  tracepath: 'iputils-tracepath',
  tcpdump: 'tcpdump',
  iperf3: 'iperf3',
  socat: 'socat',
};

let uniq = 0;
/** Unique interface/namespace name: prefix + pid + counter, at most 15 chars (IFNAMSIZ - 1). */
export function uniqueName(prefix: string): string {
  const n = `${prefix}${process.pid % 10000}${(uniq++).toString(36)}`;
  if (n.length > 15) throw new Error(`uniqueName: ${n} is longer than 15 chars; use a shorter prefix`);
  return n;
}

/** A /24 in 10.200.0.0/16 derived from the pid (plus an offset), as [a, b, c]. */
export function testSubnet(offset = 0): [number, number, number] {
  return [10, 200, (process.pid + offset) % 250 + 1];
}

let netnsCache: string | null | undefined;

/** null when network-namespace tests can run here, else the reason to skip. Probes once. */
export function netnsAvailable(): string | null {
  if (netnsCache !== undefined) return netnsCache;
  netnsCache = probeNetns();
  return netnsCache;
}

function probeNetns(): string | null {
  if (process.platform !== 'linux') return `not Linux (${process.platform})`;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'not root (uid ' + process.getuid() + ')';
  if (!which('ip')) return 'the ip command is missing (apt-get install iproute2)';
  const ns = uniqueName('wprb');
  const r = shTry(['ip', 'netns', 'add', ns]);
  if (r.status !== 0) return `ip netns add failed: ${r.stderr.trim()}`;
  try {
    const l = shTry(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    if (l.status !== 0) return `cannot configure a namespace: ${l.stderr.trim()}`;
  } finally {
    shTry(['ip', 'netns', 'del', ns]);
  }
  return null;
}

/**
 * null when a kernel test may run, else the skip reason. Checks netns support, plus a usable
 * TAP (tap: true) and the given tools in PATH.
 */
export function kernelTestAvailability(opts: { tap?: boolean; tools?: string[] } = {}): string | null {
  const r = netnsAvailable();
  if (r) return r;
  if (opts.tap) {
    const t = tapAvailability();
    if (!t.ok) return `TAP unavailable: ${t.reason}`;
  }
  for (const tool of opts.tools ?? []) {
    if (!which(tool)) {
      const pkg = TOOL_PACKAGES[tool];
      return `${tool} not installed${pkg ? ` (apt-get install ${pkg})` : ''}`;
    }
  }
  return null;
}

/**
 * If `reason` is non-null: print "skipped: <reason>" to stdout, mark the test skipped, and
 * return false. Else return true (run). Use: `if (!skipOrRun(t, reason)) return;`
 */
export function skipOrRun(t: { skip(message?: string): void }, reason: string | null): boolean {
  if (reason === null) return true;
  console.log(`skipped: ${reason}`);
  t.skip(`skipped: ${reason}`);
  return false;
}

// ---- namespaces and links, tracked for cleanup ----

const liveNetns = new Set<string>();
const liveLinks = new Set<string>(); // in the root namespace (or moved away: deleting is harmless)

process.once('exit', () => {
  for (const n of liveNetns) shTry(['ip', 'netns', 'del', n]);
  for (const l of liveLinks) shTry(['ip', 'link', 'del', l]);
});

export function createNetns(name: string): void {
  sh(['ip', 'netns', 'add', name]);
  liveNetns.add(name);
  sh(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
}

/** Delete a namespace (and the virtual devices inside it); no error if missing. */
export function deleteNetns(name: string): void {
  shTry(['ip', 'netns', 'del', name]);
  liveNetns.delete(name);
}

/** Create a namespace, run fn (sync or async), always delete it afterwards. */
export async function withNetns<T>(name: string, fn: (ns: string) => T | Promise<T>): Promise<T> {
  createNetns(name);
  try {
    return await fn(name);
  } finally {
    deleteNetns(name);
  }
}

/** `ip tuntap add dev name mode tap` in the root namespace (persistent until deleted). */
export function createTap(name: string): void {
  sh(['ip', 'tuntap', 'add', 'dev', name, 'mode', 'tap']);
  liveLinks.add(name);
}

/** Create a veth pair in the root namespace. */
export function createVeth(a: string, b: string): void {
  sh(['ip', 'link', 'add', a, 'type', 'veth', 'peer', 'name', b]);
  liveLinks.add(a);
}

/** Delete a link by name, in a namespace or the root one; no error if missing. */
export function deleteLink(name: string, ns?: string): void {
  shTry(ns ? ['ip', '-n', ns, 'link', 'del', name] : ['ip', 'link', 'del', name]);
  if (!ns) liveLinks.delete(name);
}

/** Move a link into a namespace. */
export function moveToNetns(link: string, ns: string): void {
  sh(['ip', 'link', 'set', link, 'netns', ns]);
}

/** Run a command inside a namespace (sync). */
export function nsExec(ns: string, cmd: string[], opts?: { input?: string; timeoutMs?: number }): string {
  return sh(['ip', 'netns', 'exec', ns, ...cmd], opts);
}

/** Run a command inside a namespace without blocking the event loop. */
export function nsExecAsync(ns: string, cmd: string[], opts?: { timeoutMs?: number }): Promise<ShResult> {
  return shAsync(['ip', 'netns', 'exec', ns, ...cmd], opts);
}

export interface LinkInfo {
  ifname: string;
  ifindex: number;
  address: string;
  mtu: number;
  operstate: string;
  flags: string[];
  rx: { packets: number; bytes: number; errors: number; dropped: number };
  tx: { packets: number; bytes: number; errors: number; dropped: number };
}

/** `ip -s -j link show dev <dev>` (in ns if given), parsed. */
export function linkInfo(dev: string, ns?: string): LinkInfo {
  const out = sh(ns ? ['ip', '-n', ns, '-s', '-j', 'link', 'show', 'dev', dev] : ['ip', '-s', '-j', 'link', 'show', 'dev', dev]);
  const j = JSON.parse(out)[0];
  const st = j.stats64 ?? j.stats ?? {};
  const pick = (s: Record<string, number> | undefined) => ({
    packets: s?.packets ?? 0,
    bytes: s?.bytes ?? 0,
    errors: s?.errors ?? 0,
    dropped: s?.dropped ?? 0,
  });
  return {
    ifname: j.ifname,
    ifindex: j.ifindex,
    address: j.address,
    mtu: j.mtu,
    operstate: j.operstate,
    flags: j.flags ?? [],
    rx: pick(st.rx),
    tx: pick(st.tx),
  };
}

/** "aa:bb:cc:dd:ee:ff" -> 6 bytes. */
export function macBytes(mac: string): Uint8Array {
  const p = mac.split(':');
  if (p.length !== 6) throw new Error(`bad MAC ${mac}`);
  return Uint8Array.from(p.map((x) => parseInt(x, 16)));
}

/** 6 bytes -> "aa:bb:cc:dd:ee:ff". */
export function macString(b: Uint8Array): string {
  return Array.from(b.subarray(0, 6), (x) => x.toString(16).padStart(2, '0')).join(':');
}

/** Poll `pred` every `stepMs` until true or timeout; returns whether it became true. */
export async function waitFor(pred: () => boolean, timeoutMs = 3000, stepMs = 10): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return pred();
}
