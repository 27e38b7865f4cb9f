#pragma once
// The host memory read bandwidth this machine reaches with `threads` threads:
// the bound a memory-bound CPU decode step is measured against.
#include <cstddef>

namespace ps {

// Reads a `bytes` buffer (much larger than the caches) several times with
// `threads` threads (0 = one per hardware thread); returns the best GB/s (1e9 B/s).
double measureHostReadBandwidth(int threads, size_t bytes = size_t{512} << 20);

}  // namespace ps
