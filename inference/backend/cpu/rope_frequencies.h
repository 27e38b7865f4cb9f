#pragma once
// The rotation angles of RoPE (Su et al. 2021) for a model: pair i of a head
// turns by pos * base^(-2i / ropeDim), divided by the per-pair factor of
// rope_freqs.weight (Llama 3.1) or computed from llama3 scaling metadata, and
// with linear scaling the position is divided by the scaling factor.
#include <cstddef>
#include <vector>

namespace ps {

class Model;

class RopeFrequencies {
public:
    // Throws BackendError for a scaling type the runtime does not implement (YaRN).
    static RopeFrequencies fromModel(const Model& model);

    int pairs() const { return static_cast<int>(inverseFrequency_.size()); }
    double angle(int position, int pair) const {
        return static_cast<double>(position) * positionScale_ * inverseFrequency_[static_cast<size_t>(pair)];
    }

private:
    std::vector<double> inverseFrequency_;
    double positionScale_ = 1.0;
};

}  // namespace ps
