#pragma once
// How the packed kernels (of every instruction set) ask for their weights
// ahead of use. Only SSE's prefetch instructions, so any x86-64 target may
// include it.
#include <immintrin.h>

#include <cstdint>

#include "backend/cpu/x86_target.h"

namespace ps::packed {

// Decode streams every weight once per token, and one core alone cannot keep
// enough of its loads in flight to reach the memory's speed: its L1 has few
// miss buffers, and each prefetch into L1 holds one until the line arrives. So
// every line is asked for twice: 16 KiB ahead into L2 (prefetcht1, which holds
// no L1 miss buffer and lets L2 keep many more requests in flight), and 2 KiB
// ahead into L1, from L2 by then. Streaming 256 MiB of 2048-column matrices
// (ps-kernel-bench --stream 256 2 2048 TYPE, 2 threads, real-time priority,
// eight interleaved rounds, 2026-12-02), median GB/s against L1 prefetches
// alone 2-4 KiB ahead: Q6_K 36.0 against 27.5-28.9, Q4_K 31.9-36.4 against
// 28.1, Q4_0 35.0 against 25.8, Q8_0 37.0 against 33.0 (L2 prefetches alone
// 8-32 KiB ahead: 1.03-1.23x, but 0.85-0.88x for Q8_0).
constexpr int kL2AheadBytes = 16384;
constexpr int kL1AheadBytes = 2048;

// Part `part` of kParts of the prefetches for the block ahead. The K-quant
// kernels spread a block's 36-53 lines over its sub-blocks: issued in one
// burst, they fill the core's miss buffers and stall it.
template <int kBlockBytes, int kParts>
PS_PREFETCH_HELPER void fetchAheadPart(const uint8_t* block, int part) {
    constexpr int kLines = (kBlockBytes + 63) / 64;
    const char* bytes = reinterpret_cast<const char*>(block);
    for (int line = part * kLines / kParts; line < (part + 1) * kLines / kParts; ++line) {
        _mm_prefetch(bytes + kL2AheadBytes + 64 * line, _MM_HINT_T1);
        _mm_prefetch(bytes + kL1AheadBytes + 64 * line, _MM_HINT_T0);
    }
}

}  // namespace ps::packed
