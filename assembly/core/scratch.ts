// Scratch memory and batch loops for benchmarks (bench/). Not used by the
// data path. The batch loop runs inside wasm so one JS->wasm call covers
// `count` checksums and the call overhead does not dominate small sizes.

import { csumPartial, csumPartialScalar } from "./checksum";

/** Allocate `size` bytes of scratch memory (16-byte aligned), once per call. */
export function benchScratch(size: i32): usize {
  return (heap.alloc(<usize>size + 16) + 15) & ~<usize>15;
}

/**
 * Checksum `count` packets of `len` bytes; packet i is at
 * ptr + (i % ring) * stride. Returns the xor of the partial sums (so the
 * work cannot be optimised away).
 */
export function csumBench(ptr: usize, stride: i32, ring: i32, len: i32, count: i32, simd: bool): u32 {
  let x: u32 = 0;
  let j = 0;
  if (simd) {
    for (let i = 0; i < count; i++) {
      x ^= csumPartial(ptr + <usize>j * <usize>stride, len, 0);
      if (++j == ring) j = 0;
    }
  } else {
    for (let i = 0; i < count; i++) {
      x ^= csumPartialScalar(ptr + <usize>j * <usize>stride, len, 0);
      if (++j == ring) j = 0;
    }
  }
  return x;
}
