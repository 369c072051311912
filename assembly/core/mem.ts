// Zeroing and copying of small structs on the per-packet path. memory.fill/copy of a few dozen bytes
// leaves wasm (V8 calls out to memset/memmove through a wrapper, ~20-40 ns); a few vector stores do not.

/** Zero n bytes at p (n known at the call site: the loops unroll to stores). */
// @ts-ignore: decorator
@inline export function memZero(p: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) v128.store(p + i, i64x2.splat(0));
  for (; i + 4 <= n; i += 4) store<u32>(p + i, 0);
  for (; i < n; i++) store<u8>(p + i, 0);
}

/** Copy n bytes from s to d (n known at the call site; the ranges do not overlap). */
// @ts-ignore: decorator
@inline export function memCopySmall(d: usize, s: usize, n: usize): void {
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) v128.store(d + i, v128.load(s + i));
  for (; i + 4 <= n; i += 4) store<u32>(d + i, load<u32>(s + i));
  for (; i < n; i++) store<u8>(d + i, load<u8>(s + i));
}
