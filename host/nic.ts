// The host's ring driver for a NIC device: the "hardware" side of the four rings in ring.ts.
// Receive: take an empty buffer from FILL, write the frame into wasm memory, post {addr,len} on RX.
// Transmit: read {addr,len} from TX, copy the frame out, give the buffer back on COMP.
// Frames never cross the JS↔wasm boundary as arguments: one poll handles a whole burst.
import type { Engine } from "./engine.ts";

const RING_FILL = 0, RING_RX = 1, RING_TX = 2, RING_COMP = 3;

export interface NicHostStats {
  /** Frames the host could not post: no empty buffer in FILL or no room in RX (the NIC's rx_missed). */
  rxNoBuffer: number;
  /** Frames larger than a buffer (dropped by the host before the core sees them). */
  rxOversize: number;
}

export class Nic {
  readonly stats: NicHostStats = { rxNoBuffer: 0, rxOversize: 0 };
  private readonly size: number;
  private readonly ringBytes: number;
  private readonly hdr: number;
  private readonly descSize: number;

  constructor(private readonly engine: Engine, readonly ifindex: number, readonly ring: number) {
    const x = engine.exports;
    this.size = x.RING_SIZE.value;
    this.ringBytes = x.RING_BYTES.value;
    this.hdr = x.RING_HDR.value;
    this.descSize = x.DESC_SIZE.value;
  }

  private r(which: number): number { return this.ring + which * this.ringBytes; }
  private desc(r: number, index: number): number { return r + this.hdr + (index & (this.size - 1)) * this.descSize; }

  /** Post received frames. Returns how many were posted (the rest are counted in stats). */
  receive(frames: Iterable<Uint8Array>): number {
    const dv = this.engine.dv();
    const u8 = this.engine.u8();
    const fill = this.r(RING_FILL), rx = this.r(RING_RX);
    let fCons = dv.getUint32(fill + 4, true);
    const fProd = dv.getUint32(fill, true);
    let rProd = dv.getUint32(rx, true);
    const rCons = dv.getUint32(rx + 4, true);
    let posted = 0;
    for (const f of frames) {
      if (fCons === fProd || ((rProd - rCons) >>> 0) >= this.size) { this.stats.rxNoBuffer++; continue; }
      const fd = this.desc(fill, fCons);
      const addr = dv.getUint32(fd, true), cap = dv.getUint32(fd + 4, true);
      if (f.length > cap) { this.stats.rxOversize++; continue; }
      fCons = (fCons + 1) >>> 0;
      u8.set(f, addr);
      const d = this.desc(rx, rProd);
      dv.setUint32(d, addr, true);
      dv.setUint32(d + 4, f.length, true);
      dv.setUint32(d + 8, 0, true);
      rProd = (rProd + 1) >>> 0;
      posted++;
    }
    dv.setUint32(fill + 4, fCons, true);
    dv.setUint32(rx, rProd, true);
    return posted;
  }

  /**
   * Hand every transmitted frame to `fn` where it lies in the engine's memory: bytes
   * [offset, offset + length) of `mem` (no copy and no allocation per frame; valid only during the
   * call), then complete the buffers. Returns the number of frames.
   */
  transmitEach(fn: (mem: Uint8Array, offset: number, length: number) => void): number {
    const dv = this.engine.dv();
    const u8 = this.engine.u8();
    const tx = this.r(RING_TX), comp = this.r(RING_COMP);
    let cons = dv.getUint32(tx + 4, true);
    const prod = dv.getUint32(tx, true);
    let cProd = dv.getUint32(comp, true);
    let n = 0;
    for (; cons !== prod; cons = (cons + 1) >>> 0, n++) {
      const d = this.desc(tx, cons);
      const addr = dv.getUint32(d, true), len = dv.getUint32(d + 4, true);
      fn(u8, addr, len);
      dv.setUint32(this.desc(comp, cProd), addr, true);
      cProd = (cProd + 1) >>> 0;
    }
    dv.setUint32(tx + 4, cons, true);
    dv.setUint32(comp, cProd, true);
    return n;
  }

  /** Take every transmitted frame, copied out (one allocation for the whole burst). */
  transmit(): Uint8Array[] {
    const views: Uint8Array[] = [];
    let total = 0;
    this.transmitEach((mem, o, len) => { views.push(mem.subarray(o, o + len)); total += len; });
    const out = new Uint8Array(total);
    let off = 0;
    return views.map((v) => { out.set(v, off); off += v.length; return out.subarray(off - v.length, off); });
  }

  /** Raw access for tests that must post hostile descriptors. */
  rawRing(which: "fill" | "rx" | "tx" | "comp"): number {
    return this.r({ fill: RING_FILL, rx: RING_RX, tx: RING_TX, comp: RING_COMP }[which]);
  }
}
