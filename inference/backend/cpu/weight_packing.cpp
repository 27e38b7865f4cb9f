#include "backend/cpu/weight_packing.h"

#include <cstring>

#include "backend/cpu/matmul_kernels.h"
#include "tensor/quant_blocks.h"

namespace ps {

namespace {

// Both layouts move a block's f16 scale and its quant bytes four at a time;
// only the quant byte count and the XOR differ.
void copyTail(const uint8_t* src, int64_t rows, size_t rowBytes, uint8_t* dst);

template <typename Block, int QuantBytes, uint8_t Flip>
void packRows(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst) {
    const int64_t blocks = cols / 32;
    const size_t rowBytes = static_cast<size_t>(blocks) * sizeof(Block);
    constexpr size_t kGroupBlockBytes = kPackedRows * sizeof(Block);
    static_assert(kGroupBlockBytes == 2 * kPackedRows + kPackedRows * QuantBytes);
    const int64_t groups = rows / kPackedRows;
    for (int64_t g = 0; g < groups; ++g) {
        const uint8_t* groupSrc = src + static_cast<size_t>(g) * kPackedRows * rowBytes;
        uint8_t* groupDst = dst + static_cast<size_t>(g) * kPackedRows * rowBytes;
        for (int64_t b = 0; b < blocks; ++b) {
            uint8_t* out = groupDst + static_cast<size_t>(b) * kGroupBlockBytes;
            for (int i = 0; i < kPackedRows; ++i) {
                const uint8_t* block = groupSrc + i * rowBytes + static_cast<size_t>(b) * sizeof(Block);
                std::memcpy(out + 2 * i, block, 2);  // the f16 scale leads both block types
                const uint8_t* quants = block + 2;
                for (int k = 0; k < QuantBytes / 4; ++k) {
                    uint8_t* word = out + 2 * kPackedRows + k * 4 * kPackedRows + 4 * i;
                    for (int j = 0; j < 4; ++j) word[j] = static_cast<uint8_t>(quants[4 * k + j] ^ Flip);
                }
            }
        }
    }
    copyTail(src, rows, rowBytes, dst);
}

// Rows after the last full group keep their layout.
void copyTail(const uint8_t* src, int64_t rows, size_t rowBytes, uint8_t* dst) {
    const size_t packedBytes = static_cast<size_t>(rows / kPackedRows) * kPackedRows * rowBytes;
    std::memcpy(dst + packedBytes, src + packedBytes, static_cast<size_t>(rows) * rowBytes - packedBytes);
}

}  // namespace

void packQ8_0Rows(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst) {
    packRows<BlockQ8_0, 32, 0x80>(src, rows, cols, dst);
}

void packQ8_0RowsSigned(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst) {
    packRows<BlockQ8_0, 32, 0x00>(src, rows, cols, dst);
}

void packQ4_0Rows(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst) {
    packRows<BlockQ4_0, 16, 0x00>(src, rows, cols, dst);
}

void packQ4_KRows(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst) {
    const int64_t blocks = cols / 256;
    const size_t rowBytes = static_cast<size_t>(blocks) * sizeof(BlockQ4_K);
    constexpr size_t kGroupBlockBytes = kPackedRows * sizeof(BlockQ4_K);
    for (int64_t g = 0; g < rows / kPackedRows; ++g) {
        const uint8_t* groupSrc = src + static_cast<size_t>(g) * kPackedRows * rowBytes;
        uint8_t* groupDst = dst + static_cast<size_t>(g) * kPackedRows * rowBytes;
        for (int64_t b = 0; b < blocks; ++b) {
            uint8_t* out = groupDst + static_cast<size_t>(b) * kGroupBlockBytes;
            for (int i = 0; i < kPackedRows; ++i) {
                const BlockQ4_K& block =
                    reinterpret_cast<const BlockQ4_K*>(groupSrc + i * rowBytes)[b];
                std::memcpy(out + 2 * i, &block.d, 2);
                std::memcpy(out + 32 + 2 * i, &block.dmin, 2);
                for (int w = 0; w < 3; ++w) std::memcpy(out + 64 + 64 * w + 4 * i, block.scales + 4 * w, 4);
                for (int c = 0; c < 4; ++c) {
                    for (int k = 0; k < 8; ++k) {
                        std::memcpy(out + 256 + 64 * (8 * c + k) + 4 * i, block.q + 32 * c + 4 * k, 4);
                    }
                }
            }
        }
    }
    copyTail(src, rows, rowBytes, dst);
}

void packQ6_KRows(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst) {
    const int64_t blocks = cols / 256;
    const size_t rowBytes = static_cast<size_t>(blocks) * sizeof(BlockQ6_K);
    constexpr size_t kGroupBlockBytes = kPackedRows * sizeof(BlockQ6_K);
    static_assert(q6_KPackedHighBits(1) + 512 == kGroupBlockBytes);
    for (int64_t g = 0; g < rows / kPackedRows; ++g) {
        const uint8_t* groupSrc = src + static_cast<size_t>(g) * kPackedRows * rowBytes;
        uint8_t* groupDst = dst + static_cast<size_t>(g) * kPackedRows * rowBytes;
        for (int64_t b = 0; b < blocks; ++b) {
            uint8_t* out = groupDst + static_cast<size_t>(b) * kGroupBlockBytes;
            std::memset(out, 0, kGroupBlockBytes);
            for (int i = 0; i < kPackedRows; ++i) {
                const BlockQ6_K& block = reinterpret_cast<const BlockQ6_K*>(groupSrc + i * rowBytes)[b];
                std::memcpy(out + 2 * i, &block.d, 2);
                for (int s = 0; s < 16; ++s) out[32 + 16 * s + i] = static_cast<uint8_t>(block.scales[s]);
                for (int j = 0; j < 8; ++j) {
                    for (int k = 0; k < 8; ++k) {
                        for (int v = 0; v < 4; ++v) {
                            const int q = q6_KQuant(block, 32 * j + 4 * k + v) + 32;
                            out[q6_KPackedLowBits(j / 2) + 64 * k + 4 * i + v] |=
                                static_cast<uint8_t>((q & 15) << (4 * (j % 2)));
                            out[q6_KPackedHighBits(j / 4) + 64 * k + 4 * i + v] |=
                                static_cast<uint8_t>((q >> 4) << (2 * (j % 4)));
                        }
                    }
                }
            }
        }
    }
    copyTail(src, rows, rowBytes, dst);
}

}  // namespace ps
