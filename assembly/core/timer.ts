// Hierarchical timer wheel driven by the host's clock (kernel timer_list
// role: reassembly, NUD, conntrack, rate limits, PMTU expiry).
//
// Time is an i64 count of milliseconds (monotonic, from the host's `now`);
// GRANULARITY IS EXACTLY 1 ms: a timer fires in the first timerRun(now) with
// now >= expires, and one run fires all due timers in expiry order, ties in
// the order they were added (timerMod counts as a new add, like mod_timer
// re-queueing). A timer added with expires before the wheel clock (the last
// run's now) is queued as expiring at that clock: it fires at the next run,
// ordered with the timers of that millisecond by when it was added.
//
// Layout (after Varghese & Lauck's hierarchical wheel, the scheme of the
// pre-4.8 kernel wheel, with exact times instead of the 4.8+ granular
// levels): 11 levels of 64 slots cover all of i64 >= 0. A timer sits at
// the level of the highest 6-bit digit in which its expiry differs from the
// wheel clock `clk`, in the slot of that digit; level 0 slots hold one exact
// millisecond. A per-level 64-bit occupancy bitmap finds the next non-empty
// slot with one ctz, so a jump of hours costs per occupied slot, never per
// millisecond; a timer cascades down at most 10 times in its life.
//
// Pool: maxTimers entries allocated once in timerInit (bounded, never grows).
// timerAdd returns a handle = generation << idxBits | (index + 1); the
// generation changes whenever the entry is freed (fired or cancelled), so a
// stale handle is rejected. A handle is valid while its timer is pending,
// i.e. until it fires or is cancelled. 0 means the pool ran dry
// (timerPoolExhausted counts it).
//
// Callbacks: plain top-level functions registered per `kind` with
// timerRegister; the entry is freed before its callback runs, so a callback
// may add (re-arm) timers freely. A timer re-armed at <= now fires again in
// the same run (the caller must make progress: re-arm at now + delta > 0).

/** Callback type: (arg given to timerAdd, the `now` passed to timerRun). */
export type TimerFn = (arg: u32, now: i64) => void;

const LEVEL_BITS: i32 = 6;
const SLOTS: i32 = 1 << LEVEL_BITS; // 64
const LEVELS: i32 = 11; // 11 * 6 = 66 bits >= 63
const MAX_KINDS: u32 = 256;
const MAX_TIMERS: i32 = 1 << 24;

// Pool entry layout (32 bytes).
const T_EXPIRES: usize = 0; // i64
const T_NEXT: usize = 8; // u32 index+1 of next in slot list, 0 = none
const T_PREV: usize = 12; // u32 index+1 of prev
const T_KIND: usize = 16;
const T_ARG: usize = 20;
const T_GEN: usize = 24;
const T_SLOT: usize = 28; // level*64+slot while queued; FREE otherwise
const T_SIZE: usize = 32;
const FREE: u32 = 0xFFFFFFFF;

/** Timers not added because the pool was exhausted (drop counter). */
export let timerPoolExhausted: u32 = 0;
/** Timers that fired with no function registered for their kind. */
export let timerUnknownKind: u32 = 0;

let pool: usize = 0; // maxT entries
let slots: usize = 0; // LEVELS*SLOTS x {head u32, tail u32}
let bitmaps: usize = 0; // LEVELS x u64
let capacity: i32 = 0; // entries allocated
let maxT: i32 = 0;
let idxBits: u32 = 0;
let idxMask: u32 = 0;
let genMask: u32 = 0;
let freeHead: u32 = 0; // index+1
let clk: i64 = 0; // every timer with expires < clk has fired
let pending: i32 = 0;
let running = false;

// Function registry, static (usable before timerInit).
const registry: usize = memory.data(<i32>(MAX_KINDS * sizeof<usize>()));

// @ts-ignore: decorator
@inline function ent(idx: u32): usize {
  return pool + (<usize>idx) * T_SIZE;
}

/**
 * Allocate the pool for maxTimers timers (1..2^24) and reset the wheel
 * (clock = 0, nothing pending). Call once at start; a re-init reuses the
 * memory if it is large enough (heap.free does little under runtime stub).
 */
export function timerInit(maxTimers: i32): void {
  if (maxTimers < 1) maxTimers = 1;
  if (maxTimers > MAX_TIMERS) maxTimers = MAX_TIMERS;
  if (slots == 0) {
    slots = heap.alloc(<usize>(LEVELS * SLOTS * 8));
    bitmaps = heap.alloc(<usize>(LEVELS * 8));
  }
  if (maxTimers > capacity) {
    if (pool != 0) heap.free(pool);
    pool = heap.alloc(<usize>maxTimers * T_SIZE);
    capacity = maxTimers;
  }
  memory.fill(slots, 0, <usize>(LEVELS * SLOTS * 8));
  memory.fill(bitmaps, 0, <usize>(LEVELS * 8));
  maxT = maxTimers;
  idxBits = 32 - clz<u32>(<u32>maxTimers);
  idxMask = (1 << idxBits) - 1;
  genMask = idxBits >= 32 ? 0 : (0xFFFFFFFF >>> idxBits);
  // Free list 0 -> 1 -> ... ; generations start at 1.
  for (let i = 0; i < maxTimers; i++) {
    let e = ent(<u32>i);
    store<i64>(e, 0, T_EXPIRES);
    store<u32>(e, i + 1 < maxTimers ? <u32>(i + 2) : 0, T_NEXT);
    store<u32>(e, 0, T_PREV);
    store<u32>(e, 1, T_GEN);
    store<u32>(e, FREE, T_SLOT);
  }
  freeHead = 1;
  clk = 0;
  pending = 0;
  running = false;
}

/** Register the callback for timers of `kind` (< 256). */
export function timerRegister(kind: u32, fn: TimerFn): bool {
  if (kind >= MAX_KINDS) return false;
  store<usize>(registry + (<usize>kind) * sizeof<usize>(), changetype<usize>(fn));
  return true;
}

// Slot list helpers. Slot id = level*64 + digit.
// @ts-ignore: decorator
@inline function slotHead(id: u32): usize {
  return slots + (<usize>id << 3);
}

function enqueue(idx: u32, expires: i64): void {
  let t = expires < clk ? clk : expires; // past timers fire at the next run
  let x = <u64>(t ^ clk);
  let lvl: u32 = x < <u64>SLOTS ? 0 : <u32>(63 - <i32>clz<u64>(x)) / <u32>LEVEL_BITS;
  let digit = <u32>(t >> (<i64>lvl * LEVEL_BITS)) & <u32>(SLOTS - 1);
  let id = lvl * <u32>SLOTS + digit;
  let sh = slotHead(id);
  let e = ent(idx);
  let tail = load<u32>(sh, 4);
  store<u32>(e, 0, T_NEXT);
  store<u32>(e, tail, T_PREV);
  store<u32>(e, id, T_SLOT);
  if (tail == 0) {
    store<u32>(sh, idx + 1);
    let bp = bitmaps + (<usize>lvl << 3);
    store<u64>(bp, load<u64>(bp) | (<u64>1 << digit));
  } else {
    store<u32>(ent(tail - 1), idx + 1, T_NEXT);
  }
  store<u32>(sh, idx + 1, 4);
}

function unlink(idx: u32): void {
  let e = ent(idx);
  let id = load<u32>(e, T_SLOT);
  let sh = slotHead(id);
  let next = load<u32>(e, T_NEXT);
  let prev = load<u32>(e, T_PREV);
  if (prev == 0) store<u32>(sh, next);
  else store<u32>(ent(prev - 1), next, T_NEXT);
  if (next == 0) store<u32>(sh, prev, 4);
  else store<u32>(ent(next - 1), prev, T_PREV);
  if (load<u32>(sh) == 0) {
    let bp = bitmaps + (<usize>(id >> LEVEL_BITS) << 3);
    store<u64>(bp, load<u64>(bp) & ~(<u64>1 << (id & <u32>(SLOTS - 1))));
  }
}

function release(idx: u32): void {
  let e = ent(idx);
  store<u32>(e, FREE, T_SLOT);
  store<u32>(e, (load<u32>(e, T_GEN) + 1) & genMask, T_GEN);
  store<u32>(e, freeHead, T_NEXT);
  freeHead = idx + 1;
  pending--;
}

/** Index of the pending timer named by handle, or -1 (stale/invalid). */
function lookup(handle: u32): i32 {
  let i1 = handle & idxMask;
  if (i1 == 0 || i1 > <u32>maxT) return -1;
  let e = ent(i1 - 1);
  if (load<u32>(e, T_SLOT) == FREE) return -1;
  if (load<u32>(e, T_GEN) != ((handle >>> idxBits) & genMask)) return -1;
  return <i32>(i1 - 1);
}

/**
 * Arm a timer (kernel add_timer): fires in the first timerRun(now) with
 * now >= expires. O(1). Returns its handle, or 0 if the pool is exhausted
 * (or timerInit was not called), counted in timerPoolExhausted.
 */
export function timerAdd(expires: i64, kind: u32, arg: u32): u32 {
  if (freeHead == 0) {
    timerPoolExhausted++;
    return 0;
  }
  let idx = freeHead - 1;
  let e = ent(idx);
  freeHead = load<u32>(e, T_NEXT);
  store<i64>(e, expires, T_EXPIRES);
  store<u32>(e, kind, T_KIND);
  store<u32>(e, arg, T_ARG);
  enqueue(idx, expires);
  pending++;
  return (((load<u32>(e, T_GEN) & genMask) << idxBits) | (idx + 1));
}

/** Disarm (kernel del_timer): true if it was pending; stale handle = no-op. */
export function timerCancel(handle: u32): bool {
  let i = lookup(handle);
  if (i < 0) return false;
  unlink(<u32>i);
  release(<u32>i);
  return true;
}

/**
 * Change the expiry of a pending timer (kernel mod_timer), keeping its
 * handle; it is re-queued after timers already added for the same time.
 * Returns false (and does nothing) if the handle is not pending.
 */
export function timerMod(handle: u32, expires: i64): bool {
  let i = lookup(handle);
  if (i < 0) return false;
  unlink(<u32>i);
  store<i64>(ent(<u32>i), expires, T_EXPIRES);
  enqueue(<u32>i, expires);
  return true;
}

/** True while the timer is armed (kernel timer_pending). */
export function timerPending(handle: u32): bool {
  return lookup(handle) >= 0;
}

/** Expiry of a pending timer, or -1. */
export function timerExpires(handle: u32): i64 {
  let i = lookup(handle);
  return i < 0 ? -1 : load<i64>(ent(<u32>i), T_EXPIRES);
}

/** Number of pending timers. */
export function timerCount(): i32 {
  return pending;
}

// Lowest occupied slot id at or after the clock, or -1 (first match in
// level order is also first in time: each level only covers the rest of
// the current block of the level above).
function nextSlot(): i32 {
  for (let lvl = 0; lvl < LEVELS; lvl++) {
    let bm = load<u64>(bitmaps + (<usize>lvl << 3));
    if (bm == 0) continue;
    let d = <u64>(clk >> (<i64>lvl * LEVEL_BITS)) & <u64>(SLOTS - 1);
    // level 0: digits >= clk's; higher levels: strictly after clk's digit
    let m = lvl == 0 ? bm & (<u64>-1 << d) : bm & ((<u64>-1 << d) << 1);
    if (m == 0) continue;
    return lvl * SLOTS + <i32>ctz<u64>(m);
  }
  return -1;
}

// Start time of slot id relative to the clock.
function slotStart(id: i32): i64 {
  let lvl = id >> LEVEL_BITS;
  let sh = <i64>(lvl * LEVEL_BITS);
  let hi = sh + LEVEL_BITS;
  let prefix: i64 = hi >= 63 ? 0 : (clk >> hi) << hi;
  return prefix | (<i64>(id & (SLOTS - 1)) << sh);
}

/**
 * Earliest pending expiry (the time the host must next call timerRun), or
 * i64.MAX_VALUE when nothing is pending. Past-due timers report the clock.
 */
export function timerNext(): i64 {
  let id = nextSlot();
  if (id < 0) return i64.MAX_VALUE;
  if (id < SLOTS) return slotStart(id);
  let best = i64.MAX_VALUE;
  let h = load<u32>(slotHead(<u32>id));
  while (h != 0) {
    let e = ent(h - 1);
    let x = load<i64>(e, T_EXPIRES);
    if (x < best) best = x;
    h = load<u32>(e, T_NEXT);
  }
  return best < clk ? clk : best;
}

function dispatch(kind: u32, arg: u32, now: i64): void {
  let f: usize = kind < MAX_KINDS ? load<usize>(registry + (<usize>kind) * sizeof<usize>()) : 0;
  if (f == 0) {
    timerUnknownKind++;
    return;
  }
  changetype<TimerFn>(f)(arg, now);
}

/**
 * Fire every pending timer with expires <= now, in expiry order (ties in
 * add order), calling the registered function of its kind with (arg, now).
 * Returns the number fired. Not re-entrant: a call from a callback returns 0.
 */
export function timerRun(now: i64): i32 {
  if (running || pool == 0) return 0;
  running = true;
  let fired = 0;
  while (true) {
    let id = nextSlot();
    if (id < 0) break;
    let t = slotStart(id);
    if (t > now) break;
    clk = t;
    let sh = slotHead(<u32>id);
    if (id < SLOTS) {
      // Level 0: every entry expires at exactly t. Pop one at a time so that
      // callbacks may cancel/add entries of this same slot.
      let h = load<u32>(sh);
      while (h != 0) {
        let idx = h - 1;
        let e = ent(idx);
        let kind = load<u32>(e, T_KIND);
        let arg = load<u32>(e, T_ARG);
        unlink(idx);
        release(idx);
        dispatch(kind, arg, now);
        fired++;
        h = load<u32>(sh);
      }
    } else {
      // Cascade: the clock entered this slot's range; move its timers down,
      // in list order (keeps add order among equal expiries).
      let h = load<u32>(sh);
      store<u64>(sh, 0);
      let bp = bitmaps + (<usize>(id >> LEVEL_BITS) << 3);
      store<u64>(bp, load<u64>(bp) & ~(<u64>1 << <u64>(id & (SLOTS - 1))));
      while (h != 0) {
        let idx = h - 1;
        let next = load<u32>(ent(idx), T_NEXT);
        enqueue(idx, load<i64>(ent(idx), T_EXPIRES));
        h = next;
      }
    }
  }
  if (now > clk) clk = now;
  running = false;
  return fired;
}
