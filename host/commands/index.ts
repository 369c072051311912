// The command layer: one line as typed at a shell prompt (`ip …`, `sysctl …`), dispatched to the tool
// it names; and batches of lines run the way `ip -batch -force` runs them.
import type { Engine } from "../engine.ts";
import { runIp } from "./ip.ts";
import { runSysctl } from "./sysctl.ts";

export interface CommandResult { stdout: string; stderr: string; status: number }

/** Split a line into words: whitespace separated, '…' and "…" quoting, backslash escapes, # comments. */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  let cur = "", inWord = false, q: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (q) {
      if (c === q) q = null;
      else if (c === "\\" && q === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
      continue;
    }
    if (c === "'" || c === '"') { q = c; inWord = true; continue; }
    if (c === "\\" && i + 1 < line.length) { cur += line[++i]; inWord = true; continue; }
    if (c === "#" && !inWord) break;
    if (/\s/.test(c)) { if (inWord) { out.push(cur); cur = ""; inWord = false; } continue; }
    cur += c; inWord = true;
  }
  if (q) throw new Error("unterminated quote");
  if (inWord) out.push(cur);
  return out;
}

/** Run one command line. */
export function runCommand(line: string, engine: Engine): CommandResult {
  let words: string[];
  try { words = splitWords(line); } catch (e) { return { stdout: "", stderr: `${(e as Error).message}\n`, status: 2 }; }
  if (words.length === 0) return { stdout: "", stderr: "", status: 0 };
  const [tool, ...args] = words;
  switch (tool) {
    case "ip": return runIp(args, engine.netlink);
    case "sysctl": return runSysctl(args, engine);
    default: return { stdout: "", stderr: `${tool}: command not found\n`, status: 127 };
  }
}

/**
 * Run lines in order, going on after a failure as `ip -batch -force` does; each failure is followed by
 * "Command failed FILE:LINE" on stderr. Output and errors are interleaved in order in `output`.
 */
export function runBatch(text: string, engine: Engine, file = "-"): { output: string; failed: number } {
  let output = "", failed = 0;
  text.split("\n").forEach((line, i) => {
    const r = runCommand(line, engine);
    output += r.stdout + r.stderr;
    if (r.status !== 0) { failed++; output += `Command failed ${file}:${i + 1}\n`; }
  });
  return { output, failed };
}
