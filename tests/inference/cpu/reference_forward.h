#pragma once
// A straightforward float64 forward pass over a GGUF file's dequantized weights,
// written from ../shared/docs/gguf-facts.md without the runtime's model or
// backend code: tensors are found by name here, phi3's fused matrices are split
// here, RoPE pairs and the sliding window are applied here. Slow (no batching,
// no threads); for small synthetic models in tests.
#include <cstdint>
#include <vector>

namespace ps {
class GgufFile;
}

namespace ps::test {

struct ReferenceOptions {
    // -1: the file's attention.sliding_window; 0: none; else this window.
    int slidingWindow = -1;
};

// The logits after the last of `tokens` (positions 0..n-1), vocabulary-sized.
std::vector<float> referenceLogits(const GgufFile& file, const std::vector<int32_t>& tokens,
                                   const ReferenceOptions& options = {});

}  // namespace ps::test
