#pragma once
// Helpers of the CUDA backend tests: make a CUDA backend or skip when this
// machine has no usable GPU, read the shared reference files, compare logits.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/backend_factory.h"

namespace ps::test {

// The device these tests run on: the GPU, or the emulated device when ctest's
// `emulated` registration sets PS_TEST_CUDA_DEVICE=emulated (same tests, same code).
inline bool onEmulatedDevice() {
    const char* device = std::getenv("PS_TEST_CUDA_DEVICE");
    return device && std::string(device) == "emulated";
}
inline BackendOptions onTestDevice(BackendOptions options) {
    if (onEmulatedDevice()) options.choice = BackendOptions::Choice::CudaEmulated;
    return options;
}

// True when tryCreateCudaBackend's reason says there is no GPU (or driver) at all.
inline bool isNoGpuReason(const std::string& whyNot) { return whyNot.rfind("no NVIDIA GPU found", 0) == 0; }

// ‖a − b‖ / ‖b‖ over the first b.size() values.
inline double relativeL2(const std::vector<float>& a, const std::vector<float>& b) {
    double diff = 0, norm = 0;
    for (size_t i = 0; i < b.size(); ++i) {
        if (!std::isfinite(a[i])) return INFINITY;
        diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        norm += double(b[i]) * b[i];
    }
    return std::sqrt(diff / norm);
}

inline std::vector<float> readFloats(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<float> values(bytes.size() / sizeof(float));
    std::memcpy(values.data(), bytes.data(), values.size() * sizeof(float));
    return values;
}

// The integers of the JSON array under "key" (the reference files are flat).
inline std::vector<int32_t> readJsonIntArray(const std::filesystem::path& path, const std::string& key) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string s = text.str();
    const size_t at = s.find("\"" + key + "\"");
    if (at == std::string::npos) return {};
    const size_t open = s.find('[', at), close = s.find(']', at);
    std::vector<int32_t> values;
    std::stringstream items(s.substr(open + 1, close - open - 1));
    std::string item;
    while (std::getline(items, item, ',')) values.push_back(std::stoi(item));
    return values;
}

inline int argmax(const std::vector<float>& v) {
    return static_cast<int>(std::distance(v.begin(), std::max_element(v.begin(), v.end())));
}

}  // namespace ps::test

// Declares `var` as a CUDA backend for `model` with `options`; skips the test
// when there is no GPU, fails when there is one and the backend did not start.
#define PS_REQUIRE_CUDA_BACKEND(var, model, options)                                          \
    std::string var##_whyNot;                                                                  \
    std::unique_ptr<::ps::Backend> var =                                                       \
        ::ps::tryCreateCudaBackend(model, ::ps::test::onTestDevice(options), var##_whyNot);    \
    if (!var) {                                                                                \
        if (::ps::test::isNoGpuReason(var##_whyNot)) GTEST_SKIP() << "no usable GPU: " << var##_whyNot; \
        FAIL() << "a GPU is present but the CUDA backend did not start: " << var##_whyNot;     \
    }
