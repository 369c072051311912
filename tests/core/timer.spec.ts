import {
  timerInit, timerAdd, timerCancel, timerMod, timerPending, timerExpires, timerCount,
  timerNext, timerRun, timerRegister, timerPoolExhausted, timerUnknownKind,
} from "../../assembly/core/timer";
import { prandomSeed, prandomU32, prandomU32Max } from "../../assembly/core/random";

// Fire log written by the callbacks.
let logArg: u32[] = [];
let logNow: i64[] = [];
function clearLog(): void {
  logArg = [];
  logNow = [];
}
function onFire(arg: u32, now: i64): void {
  logArg.push(arg);
  logNow.push(now);
}
// Re-arms itself at now + 10 until arg reaches 5.
function onRearm(arg: u32, now: i64): void {
  logArg.push(arg);
  if (arg < 5) timerAdd(now + 10, 2, arg + 1);
}
// Adds timers already due (past and exactly now) and one in the future.
function onSpawn(arg: u32, now: i64): void {
  logArg.push(arg);
  timerAdd(now - 5, 1, 100);
  timerAdd(now, 1, 101);
  timerAdd(now + 10, 1, 102);
}
let victim: u32 = 0;
function onCancel(arg: u32, now: i64): void {
  logArg.push(arg);
  logArg.push(timerCancel(victim) ? 1 : 0);
}
function onMod(arg: u32, now: i64): void {
  logArg.push(arg);
  timerMod(victim, now + 1000);
}

function register(): void {
  timerRegister(1, onFire);
  timerRegister(2, onRearm);
  timerRegister(3, onSpawn);
  timerRegister(4, onCancel);
  timerRegister(5, onMod);
}

function logIs(expected: u32[]): bool {
  if (logArg.length != expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (logArg[i] != expected[i]) return false;
  return true;
}

describe("timer wheel", () => {
  it("fires in expiry order, ties in add order, not before due", () => {
    timerInit(64);
    register();
    clearLog();
    timerAdd(50, 1, 1);
    timerAdd(10, 1, 2);
    timerAdd(30, 1, 3);
    timerAdd(10, 1, 4);
    timerAdd(20, 1, 5);
    expect<i32>(timerCount()).toBe(5);
    expect<i64>(timerNext()).toBe(10);
    expect<i32>(timerRun(9)).toBe(0);
    expect<i32>(timerRun(10)).toBe(2);
    expect<bool>(logIs([2, 4])).toBe(true);
    expect<i64>(logNow[0]).toBe(10);
    expect<i32>(timerRun(10)).toBe(0);
    expect<i32>(timerRun(100)).toBe(3);
    expect<bool>(logIs([2, 4, 5, 3, 1])).toBe(true);
    expect<i64>(logNow[4]).toBe(100);
    expect<i32>(timerCount()).toBe(0);
    expect<i64>(timerNext()).toBe(i64.MAX_VALUE);
  });

  it("cancel and pending", () => {
    timerInit(64);
    register();
    clearLog();
    let a = timerAdd(20, 1, 1);
    let b = timerAdd(20, 1, 2);
    expect<bool>(timerPending(a)).toBe(true);
    expect<i64>(timerExpires(a)).toBe(20);
    expect<bool>(timerCancel(a)).toBe(true);
    expect<bool>(timerCancel(a)).toBe(false);
    expect<bool>(timerPending(a)).toBe(false);
    expect<i64>(timerExpires(a)).toBe(-1);
    expect<i32>(timerCount()).toBe(1);
    timerRun(100);
    expect<bool>(logIs([2])).toBe(true);
    expect<bool>(timerPending(b)).toBe(false);
    expect<bool>(timerCancel(0)).toBe(false);
    expect<bool>(timerCancel(0xFFFFFFFF)).toBe(false);
  });

  it("a stale handle never touches the timer that reused its slot", () => {
    timerInit(1); // one entry: reuse is certain
    register();
    clearLog();
    let h1 = timerAdd(5, 1, 1);
    expect<i32>(timerRun(5)).toBe(1);
    let h2 = timerAdd(10, 1, 2);
    expect<bool>(h2 != 0 && h2 != h1).toBe(true);
    expect<bool>(timerPending(h1)).toBe(false);
    expect<bool>(timerCancel(h1)).toBe(false);
    expect<bool>(timerMod(h1, 7)).toBe(false);
    expect<bool>(timerPending(h2)).toBe(true);
    let h3 = h2;
    expect<bool>(timerCancel(h2)).toBe(true);
    for (let i = 0; i < 1000; i++) {
      let h = timerAdd(100, 1, 3);
      expect<bool>(h != h3).toBe(true);
      timerCancel(h);
    }
    expect<i32>(timerRun(1000)).toBe(0);
  });

  it("mod re-queues after timers already added for the same time", () => {
    timerInit(64);
    register();
    clearLog();
    let a = timerAdd(10, 1, 1);
    timerAdd(10, 1, 2);
    let c = timerAdd(500, 1, 3);
    expect<bool>(timerMod(a, 10)).toBe(true);
    expect<bool>(timerMod(c, 5)).toBe(true);
    expect<i64>(timerExpires(c)).toBe(5);
    timerRun(1000);
    expect<bool>(logIs([3, 2, 1])).toBe(true);
  });

  it("callbacks may re-arm; a re-arm at now + delta waits for the next run", () => {
    timerInit(64);
    register();
    clearLog();
    timerAdd(0, 2, 0);
    expect<i32>(timerRun(100)).toBe(1);
    expect<i64>(timerNext()).toBe(110);
    expect<i32>(timerRun(109)).toBe(0);
    expect<i32>(timerRun(110)).toBe(1);
    expect<i32>(timerRun(1000000)).toBe(1);
    expect<bool>(logIs([0, 1, 2])).toBe(true);
  });

  it("timers added due by a callback fire in the same run, in order", () => {
    timerInit(64);
    register();
    clearLog();
    timerAdd(40, 3, 9); // spawns 100 (@45), 101 (@50), 102 (@60) when run at 50
    timerAdd(45, 1, 7);
    expect<i32>(timerRun(50)).toBe(4);
    expect<bool>(logIs([9, 7, 100, 101])).toBe(true);
    expect<i32>(timerRun(60)).toBe(1);
    expect<bool>(logIs([9, 7, 100, 101, 102])).toBe(true);
  });

  it("a callback may cancel or modify a timer due in the same run", () => {
    timerInit(64);
    register();
    clearLog();
    timerAdd(10, 4, 1);
    victim = timerAdd(10, 1, 2);
    timerRun(10);
    expect<bool>(logIs([1, 1])).toBe(true);
    clearLog();
    timerAdd(20, 5, 3);
    victim = timerAdd(21, 1, 4);
    timerRun(25);
    expect<bool>(logIs([3])).toBe(true);
    expect<i64>(timerExpires(victim)).toBe(1025);
    timerRun(1025);
    expect<bool>(logIs([3, 4])).toBe(true);
  });

  it("large time jumps cascade by levels and stay exact", () => {
    timerInit(64);
    register();
    clearLog();
    const H: i64 = 3600000;
    timerAdd(H + 1, 1, 2);
    timerAdd(H, 1, 1);
    timerAdd(3 * H, 1, 3);
    timerAdd(5 * 24 * H, 1, 4);
    timerAdd(365 * 24 * H, 1, 5);
    timerAdd(<i64>1 << 50, 1, 7);
    timerAdd((<i64>1 << 62) + 12345, 1, 8);
    timerAdd(365 * 24 * H + 1, 1, 6);
    expect<i64>(timerNext()).toBe(H);
    expect<i32>(timerRun(H - 1)).toBe(0);
    expect<i32>(timerRun(H)).toBe(1);
    expect<i64>(timerNext()).toBe(H + 1);
    expect<i32>(timerRun(10 * 365 * 24 * H)).toBe(5); // ten years in one call
    expect<bool>(logIs([1, 2, 3, 4, 5, 6])).toBe(true);
    expect<i64>(timerNext()).toBe(<i64>1 << 50);
    expect<i32>(timerRun((<i64>1 << 50) - 1)).toBe(0);
    expect<i32>(timerRun(<i64>1 << 50)).toBe(1);
    expect<i32>(timerRun((<i64>1 << 62) + 12344)).toBe(0);
    expect<i32>(timerRun(i64.MAX_VALUE)).toBe(1);
    expect<bool>(logIs([1, 2, 3, 4, 5, 6, 7, 8])).toBe(true);
    // the clock is now far ahead; new timers relative to it are exact
    timerAdd(i64.MAX_VALUE, 1, 9);
    expect<i32>(timerRun(i64.MAX_VALUE)).toBe(1);
  });

  it("pool exhaustion returns 0 and is counted", () => {
    timerInit(8);
    register();
    let before = timerPoolExhausted;
    let hs = new StaticArray<u32>(8);
    for (let i = 0; i < 8; i++) {
      hs[i] = timerAdd(<i64>(100 + i), 1, <u32>i);
      expect<bool>(hs[i] != 0).toBe(true);
    }
    expect<u32>(timerAdd(5, 1, 99)).toBe(0);
    expect<u32>(timerAdd(5, 1, 99)).toBe(0);
    expect<u32>(timerPoolExhausted - before).toBe(2);
    expect<bool>(timerCancel(hs[3])).toBe(true);
    expect<bool>(timerAdd(5, 1, 99) != 0).toBe(true);
    expect<i32>(timerCount()).toBe(8);
  });

  it("a kind with no function is counted, not called", () => {
    timerInit(8);
    register();
    let before = timerUnknownKind;
    timerAdd(1, 200, 0);
    timerAdd(1, 100000, 0);
    expect<i32>(timerRun(1)).toBe(2);
    expect<u32>(timerUnknownKind - before).toBe(2);
    expect<bool>(timerRegister(256, onFire)).toBe(false);
  });
});

// ---- random timers against a sorted reference ----
const NMAX = 6000;
let rExp = new StaticArray<i64>(NMAX);
let rEff = new StaticArray<i64>(NMAX); // expiry as the wheel sees it: max(expires, clock at add/mod)
let rOrd = new StaticArray<i64>(NMAX); // add/mod order
let rState = new StaticArray<u8>(NMAX); // 0 pending, 1 fired, 2 cancelled
let rHandle = new StaticArray<u32>(NMAX);

function randomDelay(): i64 {
  let r = prandomU32Max(100);
  if (r < 5) return -<i64>prandomU32Max(1000); // already in the past
  if (r < 50) return <i64>prandomU32Max(64);
  if (r < 80) return <i64>prandomU32Max(5000);
  if (r < 95) return <i64>prandomU32Max(1 << 22);
  return <i64>prandomU32() << 8; // up to ~2^40
}

describe("timer wheel vs sorted reference", () => {
  it("thousands of random adds, cancels, mods and runs", () => {
    timerInit(4096);
    register();
    prandomSeed(2024);
    let n = 0;
    let ord: i64 = 0;
    let now: i64 = 0;
    let clk: i64 = 0;
    let bad = 0;
    let firedTotal = 0;
    let due: i32[] = [];
    for (let step = 0; step < 1000 && n < NMAX - 20; step++) {
      // random operations between runs
      let ops = prandomU32Max(20);
      for (let k: u32 = 0; k < ops && n < NMAX - 1; k++) {
        let op = prandomU32Max(10);
        if (op < 6 || n == 0) {
          let e = now + randomDelay();
          let h = timerAdd(e, 1, <u32>n);
          if (h == 0) { bad++; continue; }
          rExp[n] = e;
          rEff[n] = e < clk ? clk : e;
          rOrd[n] = ord++;
          rState[n] = 0;
          rHandle[n] = h;
          n++;
        } else {
          let i = <i32>prandomU32Max(<u32>n);
          let was = rState[i] == 0;
          if (op < 8) {
            if (timerCancel(rHandle[i]) != was) bad++;
            if (was) rState[i] = 2;
          } else {
            let e = now + randomDelay();
            if (timerMod(rHandle[i], e) != was) bad++;
            if (was) {
              rExp[i] = e;
              rEff[i] = e < clk ? clk : e;
              rOrd[i] = ord++;
            }
          }
        }
      }
      // advance the clock: mostly small steps, sometimes a large jump
      let j = prandomU32Max(100);
      now += j < 90 ? <i64>prandomU32Max(200) : j < 98 ? <i64>prandomU32Max(100000) : <i64>prandomU32() << 4;
      // reference: pending with eff <= now, sorted by (eff, ord)
      due = [];
      let minEff = i64.MAX_VALUE;
      for (let i = 0; i < n; i++) {
        if (rState[i] != 0) continue;
        if (rEff[i] <= now) due.push(i);
        if (rEff[i] < minEff) minEff = rEff[i];
      }
      if (timerNext() != minEff) bad++;
      due.sort((a: i32, b: i32): i32 => {
        if (rEff[a] != rEff[b]) return rEff[a] < rEff[b] ? -1 : 1;
        return rOrd[a] < rOrd[b] ? -1 : 1;
      });
      clearLog();
      let fired = timerRun(now);
      if (fired != due.length || logArg.length != due.length) {
        bad++;
      } else {
        for (let q = 0; q < due.length; q++) {
          if (logArg[q] != <u32>due[q]) bad++;
          rState[due[q]] = 1;
        }
      }
      firedTotal += fired;
      if (now > clk) clk = now;
      let pend = 0;
      for (let i = 0; i < n; i++) if (rState[i] == 0) pend++;
      if (timerCount() != pend) bad++;
      // every handle agrees with the reference state
      for (let i = 0; i < n; i += 7) if (timerPending(rHandle[i]) != (rState[i] == 0)) bad++;
    }
    expect<i32>(bad).toBe(0);
    expect<i32>(n).toBeGreaterThan(4000);
    expect<i32>(firedTotal).toBeGreaterThan(2000);
  });
});
