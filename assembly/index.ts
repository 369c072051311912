// The exported ABI of the engine core. Only exports live here; the code lives in the subsystem folders.
export { csumPartial, csumPartialScalar, csumFold, csumAdd, csumBlockAdd, ipFastCsum, csumReplace2, csumReplace4, csumTcpudpNofold, csumTcpudpMagic, csumIpv6Magic } from "./core/checksum";
export { prandomSeed, prandomU32, prandomBytes, prandomU32Max } from "./core/random";
export { timerInit, timerAdd, timerCancel, timerMod, timerPending, timerExpires, timerCount, timerNext, timerRun, timerPoolExhausted, timerUnknownKind } from "./core/timer";
export { benchScratch, csumBench } from "./core/scratch";
export { engineInit, poll } from "./core/engine";
export { bufAreaBase, bufAreaSize, bufSize, bufTotal, bufsFree, skbTotal, skbsFree } from "./core/skb";
export { netdevBase, NETDEV_SIZE, NETDEV_STATS_OFF, MAX_DEVICES } from "./core/netdev";
export { RING_SIZE, RING_HDR, DESC_SIZE, RING_BYTES } from "./core/ring";
export { backlogLen } from "./core/dev";
export { sysctlSet, sysctlGet, devConfSet, devConfGet } from "./core/sysctl";
export { abiNicRing, abiCounterNames, abiSysctlNames, abiNetdevOffsets, countersBase, countersTotal } from "./core/abi";
export { nlRequestBuffer, nlRequestCapacity, nlReplyBuffer, nlRecv, nlDumpContinue, nlDumpPending, nlSetDumpChunkSize, nlNotifySetGroups, nlNotifyBuffer, nlNotifyDrain, nlNotifyOverrun, rtnetlinkInit } from "./netlink/rtnetlink";
export { trieNew, trieInsert, trieGet, trieDelete, trieLookupLongest, trieLookupBatch, trieCount, trieFree, trieCheck, trieMemoryBytes, trieStat, trieInsertBatch, trieDeleteBatch, trieChurnBatch, trieLookupRejectBatch, trieCompact } from "./route/fib_trie";
export { fibLookupBatch, routeFlushCache } from "./route/route";
export { fibMainTrie } from "./route/fib";
