#pragma once
// Repacks Q8_0 and Q4_0 weight rows into the 16-row interleaved order of the
// packed kernels (matmul_kernels.h, PackedKernel). Portable byte shuffling, the
// same for every instruction set; the kernels that read the result are not.
#include <cstdint>

namespace ps {

// Per group of 16 rows and per 32-value block: the 16 rows' f16 scales, then
// for k = 0..7 the bytes 4k..4k+3 of the 16 rows' quants (row i at 4i), every
// byte XOR 0x80 so that the quants are unsigned (w + 128) for vpdpbusd.
void packQ8_0Rows(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst);
// The same order with the quants left signed, for AVX2's maddubs, whose 16-bit
// pair sums w + 128 would overflow (matmul_kernels_packed_avx2.cpp).
void packQ8_0RowsSigned(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst);
// Per group of 16 rows and per block: the 16 f16 scales, then for k = 0..3 the
// bytes 4k..4k+3 of the 16 rows' nibbles (row i at 4i): low nibbles are values
// 4k..4k+3, high nibbles values 16+4k..16+4k+3, unsigned (the -8 is applied
// through the activation sums).
void packQ4_0Rows(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst);
// Per group of 16 rows and per 256-value block (2304 bytes): the 16 rows' f16 d,
// then their f16 dmin, then the three 4-byte words of their packed 6-bit scales
// and mins (word w of row i at 64 + 64w + 4i), then for c = 0..3 and k = 0..7
// the bytes 32c+4k..32c+4k+3 of the 16 rows' nibbles (low nibbles: sub-block
// 2c, high: sub-block 2c+1, values 4k..4k+3 of each).
void packQ4_KRows(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst);
// Per group of 16 rows and per 256-value block (3360 bytes): the 16 rows' f16 d;
// the int8 scales, group g's 16 (one per row) at 32 + 16g; then the quants as
// unsigned 6-bit values q + 32, four values of a row per 4-byte lane: their low
// 4 bits for sub-blocks 2c (low nibble) and 2c+1 (high nibble), quad k, at
// q6_KPackedLowBits(c) + 64k; their top 2 bits for sub-blocks 4h..4h+3 (bits
// 2(j%4)), quad k, at q6_KPackedHighBits(h) + 64k: all low bits, then all top
// bits, so that the kernel reads each block as two streams. Laid out in the
// order the kernel reads them instead (low bits of c = 0, top bits of h = 0,
// low bits of c = 1, ...) decode read 512 MiB of Q6_K slower, 15-29 GB/s
// against 28-35 (2 threads, ps-kernel-bench --stream, interleaved runs).
constexpr int q6_KPackedLowBits(int c) { return 288 + 512 * c; }
constexpr int q6_KPackedHighBits(int h) { return 2336 + 512 * h; }
void packQ6_KRows(const uint8_t* src, int64_t rows, int64_t cols, uint8_t* dst);

}  // namespace ps
