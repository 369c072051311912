// Seedable PRNG for the core (the kernel's prandom role: IP IDs, jitter,
// hash seeds, ...). No clock and no entropy of its own: the host seeds it
// through the ABI, so runs are reproducible. Not cryptographic.
//
// Algorithm: xoshiro128** 1.1 (Blackman & Vigna, 2018), 128-bit state,
// seeded by expanding the 64-bit seed with splitmix64 (the authors' advice).
// Unseeded, it behaves as if prandomSeed(0) had been called.

let s0: u32 = 0;
let s1: u32 = 0;
let s2: u32 = 0;
let s3: u32 = 0;
let seeded = false;

// @ts-ignore: decorator
@inline function splitmix64(x: u64): u64 {
  let z = x;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
  return z ^ (z >> 31);
}

/** Seed the generator; the same seed always gives the same sequence. */
export function prandomSeed(seed: u64): void {
  const G: u64 = 0x9E3779B97F4A7C15;
  let a = splitmix64(seed + G);
  let b = splitmix64(seed + 2 * G);
  s0 = <u32>a;
  s1 = <u32>(a >> 32);
  s2 = <u32>b;
  s3 = <u32>(b >> 32);
  // xoshiro's state must not be all zero; splitmix64 is a bijection so this
  // is (practically) impossible, but keep the guarantee.
  if ((s0 | s1 | s2 | s3) == 0) s0 = 1;
  seeded = true;
}

/** Next uniformly distributed 32-bit value. */
export function prandomU32(): u32 {
  if (!seeded) prandomSeed(0);
  let result = rotl<u32>(s1 * 5, 7) * 9;
  let t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl<u32>(s3, 11);
  return result;
}

/** Fill len bytes at ptr with random data (any alignment). */
export function prandomBytes(ptr: usize, len: i32): void {
  let n = len;
  while (n >= 4) {
    store<u32>(ptr, prandomU32());
    ptr += 4;
    n -= 4;
  }
  if (n > 0) {
    let r = prandomU32();
    while (n > 0) {
      store<u8>(ptr, <u8>r);
      r >>>= 8;
      ptr++;
      n--;
    }
  }
}

/**
 * Value in [0, ep_ro) by multiply-shift (kernel prandom_u32_max /
 * reciprocal_scale): (u64(r) * ep_ro) >> 32. Returns 0 for ep_ro == 0.
 * Bias is at most ep_ro / 2^32, as in the kernel.
 */
export function prandomU32Max(ep_ro: u32): u32 {
  return <u32>((<u64>prandomU32() * <u64>ep_ro) >> 32);
}
