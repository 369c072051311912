// Descriptor rings shared with the host, in the manner of AF_XDP / virtio (DESIGN "Rings").
// Per NIC, four single-producer single-consumer rings of RING_SIZE descriptors:
//   FILL  core -> host  empty buffers the host may write a received frame into
//   RX    host -> core  received frames {addr, len}
//   TX    core -> host  frames to put on the wire {addr, len}
//   COMP  host -> core  buffers the host is done with (sent TX frames, or unused FILL buffers)
// Ring header: producer u32 @0, consumer u32 @4, size u32 @8 (free-running indices, entry = index & (size-1)).
// Descriptor: addr u32 @0, len u32 @4, flags u32 @8, reserved u32 @12.

export const RING_SIZE: u32 = 1024;
export const RING_HDR: usize = 64;
export const DESC_SIZE: usize = 16;
export const RING_BYTES: usize = RING_HDR + <usize>RING_SIZE * DESC_SIZE;

export const RING_FILL: u32 = 0;
export const RING_RX: u32 = 1;
export const RING_TX: u32 = 2;
export const RING_COMP: u32 = 3;
export const RING_BLOCK_BYTES: usize = 4 * RING_BYTES;

const MAX_RING_BLOCKS: i32 = 64;
let blocks: usize = 0;      // u32 addresses of ring blocks ever allocated, reused through the free stack
let blockFree: usize = 0;
let blockFreeTop: i32 = 0;
let blockCount: i32 = 0;

export function ringInit(): void {
  if (blocks == 0) { blocks = heap.alloc(MAX_RING_BLOCKS << 2); blockFree = heap.alloc(MAX_RING_BLOCKS << 2); }
}

/** A zeroed block of four rings, or 0 when MAX_RING_BLOCKS NICs already exist. Control path only. */
export function ringBlockAlloc(): usize {
  let b: usize = 0;
  if (blockFreeTop > 0) { blockFreeTop--; b = load<u32>(blockFree + (<usize>blockFreeTop << 2)); }
  else if (blockCount < MAX_RING_BLOCKS) {
    b = (heap.alloc(RING_BLOCK_BYTES + 63) + 63) & ~<usize>63;
    store<u32>(blocks + (<usize>blockCount << 2), <u32>b);
    blockCount++;
  } else return 0;
  memory.fill(b, 0, RING_BLOCK_BYTES);
  for (let r: u32 = 0; r < 4; r++) store<u32>(b + <usize>r * RING_BYTES + 8, RING_SIZE);
  return b;
}

export function ringBlockFree(b: usize): void {
  store<u32>(blockFree + (<usize>blockFreeTop << 2), <u32>b);
  blockFreeTop++;
}

// @ts-ignore: decorator
@inline export function ringOf(block: usize, which: u32): usize { return block + <usize>which * RING_BYTES; }
// @ts-ignore: decorator
@inline export function ringProd(r: usize): u32 { return load<u32>(r); }
// @ts-ignore: decorator
@inline export function ringCons(r: usize): u32 { return load<u32>(r + 4); }
// @ts-ignore: decorator
@inline export function ringSetProd(r: usize, v: u32): void { store<u32>(r, v); }
// @ts-ignore: decorator
@inline export function ringSetCons(r: usize, v: u32): void { store<u32>(r + 4, v); }
// @ts-ignore: decorator
@inline export function ringDesc(r: usize, index: u32): usize {
  return r + RING_HDR + (<usize>(index & (RING_SIZE - 1)) * DESC_SIZE);
}

/**
 * Entries a consumer may take from a ring the host produces. The host's producer index is not trusted:
 * a value that claims more than RING_SIZE entries is refused (returns -1; the caller counts it).
 */
export function ringAvailFromHost(r: usize): i32 {
  const n = ringProd(r) - ringCons(r);
  return n > RING_SIZE ? -1 : <i32>n;
}

/** Free slots in a ring the core produces (the host's consumer index is not trusted either). */
export function ringSpaceForHost(r: usize): i32 {
  const used = ringProd(r) - ringCons(r);
  return used > RING_SIZE ? -1 : <i32>(RING_SIZE - used);
}
