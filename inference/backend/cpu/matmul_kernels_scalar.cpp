// Portable kernels: plain loops over blocks, with the same per-block integer
// arithmetic as the SIMD kernels, so that they can serve as their oracle.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "backend/cpu/dequantize.h"
#include "backend/cpu/matmul_kernels.h"
#include "tensor/float16.h"
#include "tensor/quant_blocks.h"

namespace ps {

namespace {

// Converts as _mm256_cvtps_epi32 does: NaN and values outside int32 become INT32_MIN
// (a C++ cast of them is undefined behaviour).
int32_t toInt32LikeSimd(float v) {
    if (!(v >= -2147483648.0f && v < 2147483648.0f)) return INT32_MIN;
    return static_cast<int32_t>(v);
}

void quantizeScalar(const float* x, int64_t n, ActivationBlockQ8* out) {
    for (int64_t b = 0; b < n / 32; ++b) {
        const float* xb = x + b * 32;
        float amax = 0.0f;
        bool finite = true;
        for (int i = 0; i < 32; ++i) {
            amax = std::fmax(amax, std::fabs(xb[i]));
            finite = finite && std::isfinite(xb[i]);
        }
        // A NaN or infinity (damaged weights) makes the block's scale NaN, so that it
        // reaches the logits and generation stops with an error instead of running on
        // garbage (std::fmax would skip a NaN). The SIMD maximum propagates it too when
        // the block is all NaN, as every block is after a norm of a NaN row.
        const float d = finite ? amax / 127.0f : std::numeric_limits<float>::quiet_NaN();
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        int32_t sum = 0;
        for (int i = 0; i < 32; ++i) {
            // nearbyint rounds half to even, as the SIMD conversions do; the packs to
            // int8 saturate and the sum wraps, as theirs do.
            const int32_t q = toInt32LikeSimd(std::nearbyint(xb[i] * id));
            out[b].q[i] = static_cast<int8_t>(std::clamp(q, -128, 127));
            sum = static_cast<int32_t>(static_cast<uint32_t>(sum) + static_cast<uint32_t>(q));
        }
        out[b].d = d;
        out[b].dsum = d * static_cast<float>(sum);
    }
}

// The per-row dot products of one weight type; the loops over rows and tokens are shared.
template <typename RowDot>
void forRowsAndTokens(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x,
                      float* out, int64_t outStride, RowDot rowDot) {
    for (int64_t r = r0; r < r1; ++r) {
        const uint8_t* row = w.data + r * w.rowBytes;
        for (int t = 0; t < x.tokens; ++t) out[t * outStride + r] = rowDot(row, t);
    }
}

void matmulF32(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x, float* out,
               int64_t outStride) {
    forRowsAndTokens(w, r0, r1, x, out, outStride, [&](const uint8_t* row, int t) {
        const float* wr = reinterpret_cast<const float*>(row);
        const float* xt = x.floats(t);
        float sum = 0.0f;
        for (int64_t i = 0; i < w.cols; ++i) sum += wr[i] * xt[i];
        return sum;
    });
}

template <float (*toFloat)(uint16_t)>
void matmulHalf(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x, float* out,
                int64_t outStride) {
    forRowsAndTokens(w, r0, r1, x, out, outStride, [&](const uint8_t* row, int t) {
        const uint16_t* wr = reinterpret_cast<const uint16_t*>(row);
        const float* xt = x.floats(t);
        float sum = 0.0f;
        for (int64_t i = 0; i < w.cols; ++i) sum += toFloat(wr[i]) * xt[i];
        return sum;
    });
}

void matmulQ8_0(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x, float* out,
                int64_t outStride) {
    forRowsAndTokens(w, r0, r1, x, out, outStride, [&](const uint8_t* row, int t) {
        const BlockQ8_0* wb = reinterpret_cast<const BlockQ8_0*>(row);
        const ActivationBlockQ8* xb = x.blocks(t);
        float sum = 0.0f;
        for (int64_t b = 0; b < w.cols / 32; ++b) {
            int isum = 0;
            for (int i = 0; i < 32; ++i) isum += wb[b].q[i] * xb[b].q[i];
            sum += halfToFloat(wb[b].d) * xb[b].d * static_cast<float>(isum);
        }
        return sum;
    });
}

void matmulQ4_0(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x, float* out,
                int64_t outStride) {
    forRowsAndTokens(w, r0, r1, x, out, outStride, [&](const uint8_t* row, int t) {
        const BlockQ4_0* wb = reinterpret_cast<const BlockQ4_0*>(row);
        const ActivationBlockQ8* xb = x.blocks(t);
        float sum = 0.0f;
        for (int64_t b = 0; b < w.cols / 32; ++b) {
            int isum = 0;
            for (int i = 0; i < 32; ++i) isum += (q4_0Nibble(wb[b], i) - 8) * xb[b].q[i];
            sum += halfToFloat(wb[b].d) * xb[b].d * static_cast<float>(isum);
        }
        return sum;
    });
}

// Per 32-value sub-block j: d*sc_j * dx * sum(nibble*q) - dmin*m_j * dx*sum(q).
void matmulQ4_K(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x, float* out,
                int64_t outStride) {
    forRowsAndTokens(w, r0, r1, x, out, outStride, [&](const uint8_t* row, int t) {
        const BlockQ4_K* wb = reinterpret_cast<const BlockQ4_K*>(row);
        const ActivationBlockQ8* xb = x.blocks(t);
        float sum = 0.0f;
        for (int64_t b = 0; b < w.cols / 256; ++b) {
            const float d = halfToFloat(wb[b].d), dmin = halfToFloat(wb[b].dmin);
            for (int j = 0; j < 8; ++j) {
                int scale, min;
                q4_KScaleMin(wb[b].scales, j, scale, min);
                const ActivationBlockQ8& xj = xb[b * 8 + j];
                int isum = 0;
                for (int i = 0; i < 32; ++i) isum += q4_KNibble(wb[b], 32 * j + i) * xj.q[i];
                sum += d * static_cast<float>(scale) * xj.d * static_cast<float>(isum) -
                       dmin * static_cast<float>(min) * xj.dsum;
            }
        }
        return sum;
    });
}

// Per 32-value activation block: two 16-value weight scale groups.
void matmulQ6_K(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x, float* out,
                int64_t outStride) {
    forRowsAndTokens(w, r0, r1, x, out, outStride, [&](const uint8_t* row, int t) {
        const BlockQ6_K* wb = reinterpret_cast<const BlockQ6_K*>(row);
        const ActivationBlockQ8* xb = x.blocks(t);
        float sum = 0.0f;
        for (int64_t b = 0; b < w.cols / 256; ++b) {
            const float d = halfToFloat(wb[b].d);
            for (int j = 0; j < 8; ++j) {
                const ActivationBlockQ8& xj = xb[b * 8 + j];
                int isumA = 0, isumB = 0;
                for (int i = 0; i < 16; ++i) isumA += q6_KQuant(wb[b], 32 * j + i) * xj.q[i];
                for (int i = 16; i < 32; ++i) isumB += q6_KQuant(wb[b], 32 * j + i) * xj.q[i];
                const int isum = wb[b].scales[2 * j] * isumA + wb[b].scales[2 * j + 1] * isumB;
                sum += d * xj.d * static_cast<float>(isum);
            }
        }
        return sum;
    });
}

// Reference: dequantize the row, then a float dot product with float activations.
void matmulReference(const WeightRows& w, int64_t r0, int64_t r1, const ActivationBatch& x,
                     float* out, int64_t outStride) {
    thread_local std::vector<float> rowValues;
    rowValues.resize(static_cast<size_t>(w.cols));
    for (int64_t r = r0; r < r1; ++r) {
        dequantizeRow(w.type, w.data + r * w.rowBytes, w.cols, rowValues.data());
        for (int t = 0; t < x.tokens; ++t) {
            const float* xt = x.floats(t);
            float sum = 0.0f;
            for (int64_t i = 0; i < w.cols; ++i) sum += rowValues[static_cast<size_t>(i)] * xt[i];
            out[t * outStride + r] = sum;
        }
    }
}

}  // namespace

const MatmulKernelSet& scalarKernels() {
    static const MatmulKernelSet set = [] {
        MatmulKernelSet s;
        s.name = "scalar";
        s.quantize = quantizeScalar;
        s.f32 = matmulF32;
        s.f16 = matmulHalf<halfToFloat>;
        s.bf16 = matmulHalf<bf16ToFloat>;
        s.q8_0 = matmulQ8_0;
        s.q4_0 = matmulQ4_0;
        s.q4_k = matmulQ4_K;
        s.q6_k = matmulQ6_K;
        return s;
    }();
    return set;
}

const MatmulKernelSet& referenceKernels() {
    static const MatmulKernelSet set = [] {
        MatmulKernelSet s;
        s.name = "reference";
        s.quantizesActivations = false;
        s.quantize = quantizeScalar;
        s.f32 = s.f16 = s.bf16 = s.q8_0 = s.q4_0 = s.q4_k = s.q6_k = matmulReference;
        return s;
    }();
    return set;
}

}  // namespace ps
