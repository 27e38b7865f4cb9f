#include "bench/random_weights.h"

#include <cstring>

#include "tensor/float16.h"
#include "tensor/quant_blocks.h"

namespace ps {

namespace {
void fillRandomBytes(uint8_t* data, size_t bytes, SplitMix64& rng) {
    size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
        const uint64_t v = rng.next();
        std::memcpy(data + i, &v, 8);
    }
    if (i < bytes) {
        const uint64_t v = rng.next();
        std::memcpy(data + i, &v, bytes - i);
    }
}

// A scale that varies a little from block to block, as real ones do.
uint16_t randomScale(float base, SplitMix64& rng) {
    return floatToHalf(base * (0.75f + 0.25f * rng.nextSigned()));
}
}  // namespace

void fillRandomWeights(TensorType type, uint8_t* data, int64_t rows, int64_t cols, float amplitude,
                       uint64_t seed) {
    SplitMix64 rng(seed);
    const size_t bytes = rowBytes(type, cols) * static_cast<size_t>(rows);
    const size_t values = static_cast<size_t>(rows) * static_cast<size_t>(cols);
    switch (type) {
        case TensorType::F32: {
            float* f = reinterpret_cast<float*>(data);
            for (size_t i = 0; i < values; ++i) f[i] = amplitude * rng.nextSigned();
            return;
        }
        case TensorType::F16: {
            uint16_t* h = reinterpret_cast<uint16_t*>(data);
            for (size_t i = 0; i < values; ++i) h[i] = floatToHalf(amplitude * rng.nextSigned());
            return;
        }
        case TensorType::BF16: {
            uint16_t* h = reinterpret_cast<uint16_t*>(data);
            for (size_t i = 0; i < values; ++i) h[i] = floatToBf16(amplitude * rng.nextSigned());
            return;
        }
        case TensorType::Q8_0: {
            fillRandomBytes(data, bytes, rng);
            BlockQ8_0* b = reinterpret_cast<BlockQ8_0*>(data);
            for (size_t i = 0; i < values / 32; ++i) b[i].d = randomScale(amplitude / 127.0f, rng);
            return;
        }
        case TensorType::Q4_0: {
            fillRandomBytes(data, bytes, rng);
            BlockQ4_0* b = reinterpret_cast<BlockQ4_0*>(data);
            for (size_t i = 0; i < values / 32; ++i) b[i].d = randomScale(amplitude / 8.0f, rng);
            return;
        }
        case TensorType::Q4_K: {
            // x = d*sc*nibble - dmin*m with sc, m < 64 and nibble < 16.
            fillRandomBytes(data, bytes, rng);
            BlockQ4_K* b = reinterpret_cast<BlockQ4_K*>(data);
            for (size_t i = 0; i < values / 256; ++i) {
                b[i].d = randomScale(2.0f * amplitude / (63.0f * 15.0f), rng);
                b[i].dmin = randomScale(amplitude / 63.0f, rng);
            }
            return;
        }
        case TensorType::Q6_K: {
            // x = d*scale*q with |scale| <= 128 and |q| <= 32.
            fillRandomBytes(data, bytes, rng);
            BlockQ6_K* b = reinterpret_cast<BlockQ6_K*>(data);
            for (size_t i = 0; i < values / 256; ++i) b[i].d = randomScale(amplitude / (128.0f * 32.0f), rng);
            return;
        }
    }
}

}  // namespace ps
