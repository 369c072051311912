import { skbPoolInit, allocSkb, kfreeSkb, consumeSkb, skbPut, skbPush, skbPull, skbTrim, skbReserve, skbHeadroom,
  skbTailroom, skbClone, skbCopy, skbMakeWritable, skbShared, bufsFree, skbsFree, bufSize, skbQueueTail, skbDequeue,
  skbQueuePurge, SkbQueue, SKB_QUEUE_SIZE, pskbMayPull, NET_SKB_PAD, Skb } from "../../assembly/core/skb";
import { statsInit, counterValue, DROP_OFF, Drop } from "../../assembly/core/stats";

function drops(r: Drop): u64 { return counterValue(DROP_OFF + r); }

describe("skb pointer algebra", () => {
  beforeEach(() => { statsInit(); skbPoolInit(8, 11, 8); });

  it("allocates with headroom and an empty data area", () => {
    const s = allocSkb(NET_SKB_PAD)!;
    expect(s.len).toBe(0);
    expect(skbHeadroom(s)).toBe(NET_SKB_PAD);
    expect(skbTailroom(s)).toBe(bufSize() - NET_SKB_PAD);
    expect(s.data).toBe(s.tail);
    consumeSkb(s);
  });

  it("put, push, pull, trim move data/tail/len as the kernel does", () => {
    const s = allocSkb(64)!;
    const t = skbPut(s, 100);
    expect(t).toBe(s.data);
    expect(s.len).toBe(100);
    expect(s.tail - s.data).toBe(100);
    const d = skbPush(s, 14);
    expect(d).toBe(s.data);
    expect(s.len).toBe(114);
    expect(skbHeadroom(s)).toBe(50);
    expect(skbPull(s, 14)).toBe(d + 14);
    expect(s.len).toBe(100);
    skbTrim(s, 60);
    expect(s.len).toBe(60);
    expect(s.tail).toBe(s.data + 60);
    skbTrim(s, 80); // never grows
    expect(s.len).toBe(60);
    expect(pskbMayPull(s, 60)).toBe(true);
    expect(pskbMayPull(s, 61)).toBe(false);
    consumeSkb(s);
  });

  it("refuses to cross head or end (no trap, nothing changes)", () => {
    const s = allocSkb(16)!;
    expect(skbPush(s, 17)).toBe(0);
    expect(s.len).toBe(0);
    expect(skbPut(s, bufSize())).toBe(0);
    expect(skbPull(s, 1)).toBe(0);
    skbPut(s, 10);
    expect(skbReserve(s, 4)).toBe(false); // only on an empty skb
    expect(skbPull(s, 11)).toBe(0);
    expect(s.len).toBe(10);
    consumeSkb(s);
  });

  it("clone shares data; make-writable copies only when shared", () => {
    const s = allocSkb(32)!;
    const p = skbPut(s, 4);
    store<u32>(p, 0xAABBCCDD);
    const free0 = bufsFree();
    const c = skbClone(s)!;
    expect(bufsFree()).toBe(free0);
    expect(c.data).toBe(s.data);
    expect(skbShared(s)).toBe(true);
    expect(skbMakeWritable(c)).toBe(true);
    expect(c.data).not.toBe(s.data);
    expect(load<u32>(c.data)).toBe(0xAABBCCDD);
    expect(skbHeadroom(c)).toBe(32);
    store<u32>(c.data, 1);
    expect(load<u32>(s.data)).toBe(0xAABBCCDD);
    expect(skbShared(s)).toBe(false);
    consumeSkb(c); consumeSkb(s);
    expect(bufsFree()).toBe(8);
    expect(skbsFree()).toBe(8);
  });

  it("freeing a clone keeps the data alive for the other", () => {
    const s = allocSkb(0)!;
    skbPut(s, 2);
    const c = skbClone(s)!;
    consumeSkb(s);
    expect(bufsFree()).toBe(7);
    consumeSkb(c);
    expect(bufsFree()).toBe(8);
  });

  it("copy duplicates headroom, data and metadata", () => {
    const s = allocSkb(20)!;
    store<u8>(skbPut(s, 3), 7);
    s.mark = 42; s.protocol = 0x0800;
    const c = skbCopy(s)!;
    expect(c.len).toBe(3);
    expect(load<u8>(c.data)).toBe(7);
    expect(c.mark).toBe(42);
    expect(c.protocol).toBe(0x0800);
    expect(skbHeadroom(c)).toBe(20);
    consumeSkb(s); consumeSkb(c);
  });

  it("exhaustion returns null and counts NOMEM, and nothing leaks", () => {
    const held = new StaticArray<usize>(8);
    for (let i = 0; i < 8; i++) held[i] = changetype<usize>(allocSkb(0));
    expect(changetype<usize>(allocSkb(0))).toBe(0);
    expect(drops(Drop.NOMEM)).toBe(1);
    expect(changetype<usize>(skbClone(changetype<Skb>(held[0])))).toBe(0);
    for (let i = 0; i < 8; i++) kfreeSkb(changetype<Skb>(held[i]), Drop.NOT_SPECIFIED);
    expect(drops(Drop.NOT_SPECIFIED)).toBe(8);
    expect(bufsFree()).toBe(8);
    expect(skbsFree()).toBe(8);
  });

  it("queues are FIFO and purge counts each drop", () => {
    const q = changetype<SkbQueue>(heap.alloc(SKB_QUEUE_SIZE));
    memory.fill(changetype<usize>(q), 0, SKB_QUEUE_SIZE);
    const a = allocSkb(0)!, b = allocSkb(0)!, c = allocSkb(0)!;
    skbQueueTail(q, a); skbQueueTail(q, b); skbQueueTail(q, c);
    expect(q.qlen).toBe(3);
    expect(changetype<usize>(skbDequeue(q))).toBe(changetype<usize>(a));
    skbQueuePurge(q, Drop.NEIGH_FAILED);
    expect(q.qlen).toBe(0);
    expect(drops(Drop.NEIGH_FAILED)).toBe(2);
    expect(changetype<usize>(skbDequeue(q))).toBe(0);
    consumeSkb(a);
    expect(bufsFree()).toBe(8);
  });
});
