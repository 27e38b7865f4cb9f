#pragma once
// Rotary position embedding (Su et al. 2021, "RoFormer"), as GGUF Llama files
// expect it: adjacent pairs (x[2i], x[2i+1]) turn by pos * invFreq[i], with
// invFreq[i] = base^(-2i / ropeDim), divided by the linear scaling factor and by
// the per-pair factors of rope_freqs.weight (Llama 3.1) when present.
//
// The table of inverse frequencies is computed once on the host (double
// precision) and uploaded; the kernels only multiply and rotate (ropeRotate).
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "model/model_config.h"
#include "tensor/host_device.h"

namespace ps {

PS_HD float ropeAngle(int position, float inverseFrequency) {
    return static_cast<float>(position) * inverseFrequency;
}

// Rotates the pair (x0, x1) by `angle`.
PS_HD void ropeRotate(float& x0, float& x1, float angle) {
    float s, c;
#if defined(__CUDA_ARCH__)
    sincosf(angle, &s, &c);
#else
    s = std::sin(angle);
    c = std::cos(angle);
#endif
    const float r0 = x0 * c - x1 * s;
    const float r1 = x0 * s + x1 * c;
    x0 = r0;
    x1 = r1;
}

// Llama 3 frequency scaling (Meta's reference `apply_scaling`): long wavelengths
// are slowed by `factor`, short ones kept, the band between blended smoothly.
inline double llama3ScaledFrequency(double freq, const RopeScaling& s) {
    constexpr double kPi = 3.14159265358979323846;
    const double oldContext = s.originalContextLength > 0 ? s.originalContextLength : 8192;
    const double lowWavelength = oldContext / s.lowFrequencyFactor;
    const double highWavelength = oldContext / s.highFrequencyFactor;
    const double wavelength = 2.0 * kPi / freq;
    if (wavelength < highWavelength) return freq;
    if (wavelength > lowWavelength) return freq / s.factor;
    const double smooth = (oldContext / wavelength - s.lowFrequencyFactor) /
                          (s.highFrequencyFactor - s.lowFrequencyFactor);
    return (1.0 - smooth) * freq / s.factor + smooth * freq;
}

// ropeDim/2 inverse frequencies for `config`; `pairFactors` are the values of
// rope_freqs.weight (empty when the file has none). Sets `unsupported` and
// returns nothing for a scaling this backend does not implement (YaRN).
inline std::optional<std::vector<float>> ropeInverseFrequencies(const ModelConfig& config,
                                                                const std::vector<float>& pairFactors,
                                                                std::string& unsupported) {
    if (config.ropeScaling.type == RopeScalingType::Yarn) {
        unsupported = "YaRN rope scaling is not implemented on the GPU";
        return std::nullopt;
    }
    const int pairs = config.ropeDim / 2;
    std::vector<float> table(static_cast<size_t>(pairs));
    for (int i = 0; i < pairs; ++i) {
        double freq = std::pow(static_cast<double>(config.ropeBase), -2.0 * i / config.ropeDim);
        if (!pairFactors.empty()) {
            freq /= pairFactors[static_cast<size_t>(i)];
        } else if (config.ropeScaling.type == RopeScalingType::Llama3) {
            freq = llama3ScaledFrequency(freq, config.ropeScaling);
        }
        if (config.ropeScaling.type == RopeScalingType::Linear && config.ropeScaling.factor > 0) {
            freq /= config.ropeScaling.factor;
        }
        table[static_cast<size_t>(i)] = static_cast<float>(freq);
    }
    return table;
}

}  // namespace ps
