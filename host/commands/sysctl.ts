// `sysctl` (procps-ng 4) over the engine's tunables: `sysctl NAME`, `sysctl -w NAME=VALUE`, `sysctl NAME=VALUE`,
// `-n` (values only), `-q`, `-a` (net.* only). Per-device IPv4 conf: net.ipv4.conf.{all,default,DEV}.KEY.
// Names may use "/" instead of "."; output always uses dots. A failed key makes the exit status 1.
import type { Engine } from "../engine.ts";
import type { CommandResult } from "./index.ts";

interface Names { global: string[]; conf: string[] }
const cache = new WeakMap<Engine, Names>();

function names(engine: Engine): Names {
  let n = cache.get(engine);
  if (!n) {
    const p = engine.exports.abiSysctlNames() as number;
    const len = engine.dv().getUint32(p - 4, true);
    const [g, c] = new TextDecoder().decode(engine.u8().slice(p, p + len)).split("\n");
    n = { global: g.split(","), conf: c.split(",") };
    cache.set(engine, n);
  }
  return n;
}

const CONF_ALL = 0;
function confSlot(engine: Engine, dev: string): number {
  if (dev === "all") return CONF_ALL;
  if (dev === "default") return engine.exports.MAX_DEVICES.value;
  return engine.ifindex(dev) || -1;
}

type Key = { kind: "global"; id: number } | { kind: "conf"; slot: number; id: number };

function resolve(engine: Engine, name: string): Key | null {
  const n = names(engine);
  const g = n.global.indexOf(name);
  if (g >= 0) return { kind: "global", id: g };
  const m = /^net\.ipv4\.conf\.([^.]+)\.([a-z_]+)$/.exec(name);
  if (m) {
    const slot = confSlot(engine, m[1]);
    const id = n.conf.indexOf(m[2]);
    if (slot >= 0 && id >= 0) return { kind: "conf", slot, id };
  }
  return null;
}

function read(engine: Engine, k: Key): number {
  return k.kind === "global" ? engine.exports.sysctlGet(k.id) : engine.exports.devConfGet(k.slot, k.id);
}

function write(engine: Engine, k: Key, v: number): number {
  return k.kind === "global" ? engine.exports.sysctlSet(k.id, v) : engine.exports.devConfSet(k.slot, k.id, v);
}

const noKey = (name: string) => `sysctl: cannot stat /proc/sys/${name.replace(/\./g, "/")}: No such file or directory\n`;

export function runSysctl(args: string[], engine: Engine): CommandResult {
  let stdout = "", stderr = "", status = 0;
  let quiet = false, valuesOnly = false;
  const ops: string[] = [];
  let all = false;
  for (const a of args) {
    if (a === "-w") continue;
    if (a === "-q") { quiet = true; continue; }
    if (a === "-a" || a === "-A" || a === "-X") { all = true; continue; }
    if (a === "-n") { valuesOnly = true; continue; }
    if (a === "-e") continue;
    ops.push(a);
  }
  if (all) {
    const n = names(engine);
    const lines = n.global.map((name, id) => `${name} = ${engine.exports.sysctlGet(id)}`);
    const devs = ["all", "default", ...engine.devices().map((d) => d.name)];
    for (const dev of devs) {
      const slot = confSlot(engine, dev);
      n.conf.forEach((key, id) => lines.push(`net.ipv4.conf.${dev}.${key} = ${engine.exports.devConfGet(slot, id)}`));
    }
    return { stdout: lines.sort().join("\n") + "\n", stderr, status };
  }
  for (const op of ops) {
    const eq = op.indexOf("=");
    const name = (eq >= 0 ? op.slice(0, eq) : op).trim().replace(/\//g, ".");
    const k = resolve(engine, name);
    if (!k) { stderr += noKey(name); status = 1; continue; }
    if (eq < 0) { stdout += valuesOnly ? `${read(engine, k)}\n` : `${name} = ${read(engine, k)}\n`; continue; }
    const text = op.slice(eq + 1).trim();
    const v = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(v) || v > 2147483647 || v < -2147483648 ||
        write(engine, k, v) !== 0) {
      stderr += `sysctl: setting key "${name}": Invalid argument\n`;
      status = 1;
      continue;
    }
    if (!quiet) stdout += valuesOnly ? `${text}\n` : `${name} = ${text}\n`;
  }
  return { stdout, stderr, status };
}
