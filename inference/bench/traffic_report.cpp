#include "bench/traffic_report.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "backend/backend.h"
#include "model/model.h"

namespace ps {

namespace {

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string number(double value, const char* format = "%.4f") {
    char text[64];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

}  // namespace

TrafficReport measureDecodeTraffic(Backend& backend, int position) {
    const ModelConfig& config = backend.model().config();
    std::vector<float> logits(static_cast<size_t>(config.vocabSize));
    // The cache before `position` is left as the backend made it (zeros): what a
    // decode token loads does not depend on the values there, and prefilling 4096
    // tokens on the emulated device would take hours.
    if (!setCudaTrafficCounting(true)) {
        throw BackendError("the traffic report needs the emulated CUDA device (--backend cuda-emulated)");
    }
    takeCudaTraffic();  // nothing before this token
    const std::vector<int32_t> token{42};
    backend.forward(token, position, logits);
    setCudaTrafficCounting(false);

    TrafficReport report;
    report.position = position;
    report.layers = config.layerCount;
    report.kernels = takeCudaTraffic();
    double weightSectorBytes = 0, weightUsed = 0;
    for (const CudaKernelTraffic& k : report.kernels) {
        report.weightBytesLoaded += k.weightBytesLoaded;
        report.weightBytesStored += k.weightBytesDistinct;
        report.activationBytesLoaded += k.activationBytesLoaded;
        report.kvBytesLoaded += k.kvBytesLoaded;
        report.kvBytesDistinct += k.kvBytesDistinct;
        // Kernels launched at least once per layer run once per layer that often.
        if (config.layerCount > 0 && k.launches >= config.layerCount)
            report.kernelsPerLayer += static_cast<int>(k.launches / config.layerCount);
        if (k.weightBytesLoaded > 0) {
            weightSectorBytes += static_cast<double>(k.weightBytesLoaded);
            weightUsed += static_cast<double>(k.weightBytesLoaded) * k.weightSectorEfficiency;
        }
    }
    report.weightSectorEfficiency = weightSectorBytes > 0 ? weightUsed / weightSectorBytes : 1.0;
    // Per layer: every launch but the token's first (the embedding) and last
    // (the output matrix), which run once per token, not per layer.
    std::vector<CudaKernelTraffic::LaunchLoads> launches;
    for (const CudaKernelTraffic& k : report.kernels) launches.insert(launches.end(), k.launchLoads.begin(), k.launchLoads.end());
    std::sort(launches.begin(), launches.end(), [](const auto& a, const auto& b) { return a.order < b.order; });
    if (config.layerCount > 0 && launches.size() > 2) {
        for (size_t i = 1; i + 1 < launches.size(); ++i) {
            report.layerWeightBytesLoaded += static_cast<double>(launches[i].weightBytesLoaded);
            report.layerActivationBytesLoaded += static_cast<double>(launches[i].activationBytesLoaded);
        }
        report.layerWeightBytesLoaded /= config.layerCount;
        report.layerActivationBytesLoaded /= config.layerCount;
    }
    return report;
}

std::string toText(const TrafficReport& r) {
    std::string s = "memory traffic of one decode token at position " + std::to_string(r.position) + ", " + r.model +
                    " " + r.weightType + " (emulated device; counted, not timed)\n";
    char line[512];
    std::snprintf(line, sizeof line, "%-44s %8s %8s %14s %14s %7s %7s %5s\n", "kernel", "launches", "blocks",
                  "bytes loaded", "bytes ideal", "ratio", "sector%", "bank");
    s += line;
    for (const CudaKernelTraffic& k : r.kernels) {
        std::snprintf(line, sizeof line, "%-44s %8lld %8lld %14llu %14llu %7.2f %6.1f%% %4dx\n", k.name.c_str(),
                      static_cast<long long>(k.launches), static_cast<long long>(k.blocks),
                      static_cast<unsigned long long>(k.bytesLoaded), static_cast<unsigned long long>(k.bytesIdeal),
                      k.bytesIdeal ? static_cast<double>(k.bytesLoaded) / static_cast<double>(k.bytesIdeal) : 0.0,
                      100.0 * k.sectorEfficiency, k.bankConflictWays);
        s += line;
    }
    const double weights = static_cast<double>(r.weightBytesStored);
    std::snprintf(line, sizeof line,
                  "weights: %llu bytes loaded / %llu stored = %.3f; sector efficiency on weights %.1f%%\n"
                  "activations loaded: %llu bytes (%.1f%% of the weights); KV loaded: %llu bytes (%llu distinct)\n"
                  "one layer (embedding and output matrix left out): activations %.0f bytes = %.2f%% of its "
                  "weights' %.0f\n"
                  "kernels per layer: %d\n",
                  static_cast<unsigned long long>(r.weightBytesLoaded), static_cast<unsigned long long>(r.weightBytesStored),
                  weights > 0 ? static_cast<double>(r.weightBytesLoaded) / weights : 0.0,
                  100.0 * r.weightSectorEfficiency, static_cast<unsigned long long>(r.activationBytesLoaded),
                  weights > 0 ? 100.0 * static_cast<double>(r.activationBytesLoaded) / weights : 0.0,
                  static_cast<unsigned long long>(r.kvBytesLoaded), static_cast<unsigned long long>(r.kvBytesDistinct),
                  r.layerActivationBytesLoaded, 100.0 * r.layerActivationRatio(), r.layerWeightBytesLoaded,
                  r.kernelsPerLayer);
    s += line;
    return s;
}

std::string toJson(const TrafficReport& r) {
    std::string s = "{";
    s += "\"model\": " + quoted(r.model) + ", \"weight_type\": " + quoted(r.weightType) +
         ", \"position\": " + std::to_string(r.position) + ", \"layers\": " + std::to_string(r.layers) +
         ", \"kernels\": [";
    for (size_t i = 0; i < r.kernels.size(); ++i) {
        const CudaKernelTraffic& k = r.kernels[i];
        s += std::string(i ? ", " : "") + "{\"name\": " + quoted(k.name) +
             ", \"launches\": " + std::to_string(k.launches) + ", \"blocks\": " + std::to_string(k.blocks) +
             ", \"bytes_loaded\": " + std::to_string(k.bytesLoaded) +
             ", \"bytes_ideal\": " + std::to_string(k.bytesIdeal) +
             ", \"weight_bytes_loaded\": " + std::to_string(k.weightBytesLoaded) +
             ", \"activation_bytes_loaded\": " + std::to_string(k.activationBytesLoaded) +
             ", \"kv_bytes_loaded\": " + std::to_string(k.kvBytesLoaded) +
             ", \"sector_efficiency\": " + number(k.sectorEfficiency) +
             ", \"weight_sector_efficiency\": " + number(k.weightSectorEfficiency) +
             ", \"kv_sector_efficiency\": " + number(k.kvSectorEfficiency) +
             ", \"bank_conflict_ways\": " + std::to_string(k.bankConflictWays) + "}";
    }
    s += "], \"weight_bytes_loaded\": " + std::to_string(r.weightBytesLoaded) +
         ", \"weight_bytes_stored\": " + std::to_string(r.weightBytesStored) +
         ", \"activation_bytes_loaded\": " + std::to_string(r.activationBytesLoaded) +
         ", \"kv_bytes_loaded\": " + std::to_string(r.kvBytesLoaded) +
         ", \"kv_bytes_distinct\": " + std::to_string(r.kvBytesDistinct) +
         ", \"kernels_per_layer\": " + std::to_string(r.kernelsPerLayer) +
         ", \"layer_activation_ratio\": " + number(r.layerActivationRatio(), "%.5f") +
         ", \"weight_sector_efficiency\": " + number(r.weightSectorEfficiency) + "}";
    return s;
}

// --- the short prefill ----------------------------------------------------------

namespace {

std::string kernelJson(const CudaKernelTraffic& k) {
    return "{\"name\": " + quoted(k.name) + ", \"launches\": " + std::to_string(k.launches) +
           ", \"blocks\": " + std::to_string(k.blocks) + ", \"bytes_loaded\": " + std::to_string(k.bytesLoaded) +
           ", \"bytes_ideal\": " + std::to_string(k.bytesIdeal) +
           ", \"weight_bytes_loaded\": " + std::to_string(k.weightBytesLoaded) +
           ", \"activation_bytes_loaded\": " + std::to_string(k.activationBytesLoaded) +
           ", \"kv_bytes_loaded\": " + std::to_string(k.kvBytesLoaded) +
           ", \"sector_efficiency\": " + number(k.sectorEfficiency) +
           ", \"weight_sector_efficiency\": " + number(k.weightSectorEfficiency) +
           ", \"kv_sector_efficiency\": " + number(k.kvSectorEfficiency) +
           ", \"bank_conflict_ways\": " + std::to_string(k.bankConflictWays) + "}";
}

}  // namespace

PrefillTrafficReport measurePrefillTraffic(Backend& backend, int tokens) {
    const ModelConfig& config = backend.model().config();
    if (tokens < 2) throw BackendError("a prefill has at least 2 tokens (1 is a decode step)");
    if (tokens > backend.contextLength())
        throw BackendError("a prefill of " + std::to_string(tokens) + " tokens does not fit the context of " +
                           std::to_string(backend.contextLength()));
    std::vector<int32_t> prompt(static_cast<size_t>(tokens));
    for (int i = 0; i < tokens; ++i) prompt[static_cast<size_t>(i)] = (42 + 7 * i) % config.vocabSize;
    std::vector<float> logits(static_cast<size_t>(config.vocabSize));
    if (!setCudaTrafficCounting(true)) {
        throw BackendError("the traffic report needs the emulated CUDA device (--backend cuda-emulated)");
    }
    takeCudaTraffic();  // nothing before the prompt
    backend.forward(prompt, 0, logits);
    setCudaTrafficCounting(false);

    PrefillTrafficReport report;
    report.tokens = tokens;
    report.kernels = takeCudaTraffic();
    double weightSectorBytes = 0, weightUsed = 0;
    for (const CudaKernelTraffic& k : report.kernels) {
        report.weightBytesLoaded += k.weightBytesLoaded;
        report.weightBytesStored += k.weightBytesDistinct;
        report.activationBytesLoaded += k.activationBytesLoaded;
        report.kvBytesLoaded += k.kvBytesLoaded;
        report.kvBytesDistinct += k.kvBytesDistinct;
        if (k.weightBytesLoaded > 0) {
            weightSectorBytes += static_cast<double>(k.weightBytesLoaded);
            weightUsed += static_cast<double>(k.weightBytesLoaded) * k.weightSectorEfficiency;
        }
    }
    report.weightSectorEfficiency = weightSectorBytes > 0 ? weightUsed / weightSectorBytes : 1.0;
    return report;
}

std::string toText(const PrefillTrafficReport& r) {
    std::string s = "memory traffic of a prefill of " + std::to_string(r.tokens) + " tokens (positions 0.." +
                    std::to_string(r.tokens - 1) + ")\n";
    char line[512];
    std::snprintf(line, sizeof line, "%-44s %8s %8s %14s %14s %7s %7s %5s\n", "kernel", "launches", "blocks",
                  "bytes loaded", "bytes ideal", "ratio", "sector%", "bank");
    s += line;
    for (const CudaKernelTraffic& k : r.kernels) {
        std::snprintf(line, sizeof line, "%-44s %8lld %8lld %14llu %14llu %7.2f %6.1f%% %4dx\n", k.name.c_str(),
                      static_cast<long long>(k.launches), static_cast<long long>(k.blocks),
                      static_cast<unsigned long long>(k.bytesLoaded), static_cast<unsigned long long>(k.bytesIdeal),
                      k.bytesIdeal ? static_cast<double>(k.bytesLoaded) / static_cast<double>(k.bytesIdeal) : 0.0,
                      100.0 * k.sectorEfficiency, k.bankConflictWays);
        s += line;
    }
    const double weights = static_cast<double>(r.weightBytesStored);
    std::snprintf(line, sizeof line,
                  "prefill weights: %llu bytes loaded / %llu stored = %.3f; sector efficiency on weights %.1f%%\n"
                  "prefill activations loaded: %llu bytes (%.1f%% of the weights); KV loaded: %llu bytes (%llu "
                  "distinct)\n",
                  static_cast<unsigned long long>(r.weightBytesLoaded), static_cast<unsigned long long>(r.weightBytesStored),
                  weights > 0 ? static_cast<double>(r.weightBytesLoaded) / weights : 0.0,
                  100.0 * r.weightSectorEfficiency, static_cast<unsigned long long>(r.activationBytesLoaded),
                  weights > 0 ? 100.0 * static_cast<double>(r.activationBytesLoaded) / weights : 0.0,
                  static_cast<unsigned long long>(r.kvBytesLoaded), static_cast<unsigned long long>(r.kvBytesDistinct));
    s += line;
    return s;
}

std::string toJson(const TrafficReport& decode, const PrefillTrafficReport& r) {
    std::string s = toJson(decode);
    if (r.tokens == 0) return s;
    s.pop_back();  // the decode object's closing brace: "prefill" goes inside it
    s += ", \"prefill\": {\"tokens\": " + std::to_string(r.tokens) + ", \"kernels\": [";
    for (size_t i = 0; i < r.kernels.size(); ++i) s += (i ? ", " : "") + kernelJson(r.kernels[i]);
    s += "], \"weight_bytes_loaded\": " + std::to_string(r.weightBytesLoaded) +
         ", \"weight_bytes_stored\": " + std::to_string(r.weightBytesStored) +
         ", \"activation_bytes_loaded\": " + std::to_string(r.activationBytesLoaded) +
         ", \"kv_bytes_loaded\": " + std::to_string(r.kvBytesLoaded) +
         ", \"kv_bytes_distinct\": " + std::to_string(r.kvBytesDistinct) +
         ", \"weight_sector_efficiency\": " + number(r.weightSectorEfficiency) + "}}";
    return s;
}

}  // namespace ps
