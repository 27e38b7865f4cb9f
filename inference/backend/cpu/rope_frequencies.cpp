#include "backend/cpu/rope_frequencies.h"

#include <cmath>
#include <numbers>
#include <optional>
#include <string>

#include "backend/backend.h"
#include "backend/cpu/dequantize.h"
#include "model/model.h"

namespace ps {

namespace {
// Llama 3.1's frequency-dependent scaling (Meta's reference apply_scaling):
// long wavelengths are slowed by `factor`, short ones kept, the band between blended.
double llama3Scaled(double frequency, const RopeScaling& s) {
    const double original = s.originalContextLength > 0 ? s.originalContextLength : 8192;
    const double lowFrequencyWavelength = original / s.lowFrequencyFactor;
    const double highFrequencyWavelength = original / s.highFrequencyFactor;
    const double wavelength = 2.0 * std::numbers::pi / frequency;
    if (wavelength < highFrequencyWavelength) return frequency;
    if (wavelength > lowFrequencyWavelength) return frequency / s.factor;
    const double smooth = (original / wavelength - s.lowFrequencyFactor) /
                          (s.highFrequencyFactor - s.lowFrequencyFactor);
    return (1.0 - smooth) * frequency / s.factor + smooth * frequency;
}
}  // namespace

RopeFrequencies RopeFrequencies::fromModel(const Model& model) {
    const ModelConfig& c = model.config();
    const int pairs = c.ropeDim / 2;
    RopeFrequencies r;
    r.inverseFrequency_.resize(static_cast<size_t>(pairs));
    for (int i = 0; i < pairs; ++i) {
        r.inverseFrequency_[static_cast<size_t>(i)] =
            std::pow(static_cast<double>(c.ropeBase), -2.0 * i / c.ropeDim);
    }

    const std::optional<WeightTensor>& factors = model.weights().ropeFrequencyFactors;
    if (factors) {
        if (factors->cols < pairs) {
            throw BackendError("rope_freqs.weight holds " + std::to_string(factors->cols) +
                               " factors, the model rotates " + std::to_string(pairs) + " pairs");
        }
        std::vector<float> values(static_cast<size_t>(factors->cols));
        dequantizeRow(factors->type, factors->data, factors->cols, values.data());
        for (int i = 0; i < pairs; ++i) r.inverseFrequency_[static_cast<size_t>(i)] /= values[static_cast<size_t>(i)];
    }

    switch (c.ropeScaling.type) {
        case RopeScalingType::None: break;
        case RopeScalingType::Linear:
            if (c.ropeScaling.factor > 0.0f) r.positionScale_ = 1.0 / c.ropeScaling.factor;
            break;
        case RopeScalingType::Llama3:
            // rope_freqs.weight, when present, already holds these factors.
            if (!factors) {
                for (double& f : r.inverseFrequency_) f = llama3Scaled(f, c.ropeScaling);
            }
            break;
        case RopeScalingType::Yarn:
            throw BackendError("YaRN RoPE scaling is not supported by this runtime");
    }
    return r;
}

}  // namespace ps
