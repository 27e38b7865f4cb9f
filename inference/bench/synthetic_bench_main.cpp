// ps-synthetic-bench: builds a synthetic model and benchmarks the CPU backend
// on it. A stand-in until `promptstudio-cli bench` has the same options.
//   ps-synthetic-bench [--shape tinyllama-1.1b] [--type Q8_0] [--threads 0]
//                      [--long-context N] [--json]
//   ps-synthetic-bench --compare-decode SHAPE,SHAPE,... [--type T] [--rounds N]
// The second form compares decode cost across shapes on a busy machine: one
// thread, process CPU time per token (what other processes cannot inflate
// much), the shapes' runs interleaved round by round, medians printed.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <sstream>
#include <vector>
#include <cstring>
#include <exception>
#include <string>

#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "bench/benchmark.h"
#include "bench/synthetic_model.h"
#include "model/model.h"

namespace {

double processCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

int compareDecode(const std::string& shapeList, const std::string& type, int rounds) {
    std::vector<std::string> shapes;
    std::stringstream list(shapeList);
    for (std::string s; std::getline(list, s, ',');) shapes.push_back(s);
    std::vector<std::unique_ptr<ps::Backend>> backends;
    for (const std::string& shape : shapes) {
        ps::BackendOptions options;
        options.threads = 1;
        options.contextLength = 512;
        backends.push_back(ps::createCpuBackend(ps::buildSyntheticModel(shape, type), options));
    }
    constexpr int kPrompt = 32, kSteps = 16;
    std::vector<std::vector<double>> msPerToken(shapes.size());
    std::vector<float> logits;
    for (int r = 0; r < rounds; ++r) {
        for (size_t m = 0; m < shapes.size(); ++m) {
            ps::Backend& backend = *backends[m];
            logits.resize(static_cast<size_t>(backend.model().config().vocabSize));
            const std::vector<int32_t> prompt(kPrompt, 5);
            backend.forward(prompt, 0, logits);
            const double start = processCpuSeconds();
            for (int i = 0; i < kSteps; ++i) {
                const int32_t token = 7 + i;
                backend.forward({&token, 1}, kPrompt + i, logits);
            }
            msPerToken[m].push_back((processCpuSeconds() - start) * 1000.0 / kSteps);
        }
    }
    std::printf("decode, 1 thread, process CPU ms per token (%d rounds of %d tokens at position %d, interleaved)\n",
                rounds, kSteps, kPrompt);
    double first = 0;
    for (size_t m = 0; m < shapes.size(); ++m) {
        std::vector<double> v = msPerToken[m];
        std::sort(v.begin(), v.end());
        const double median = v[v.size() / 2];
        if (m == 0) first = median;
        std::printf("%-24s %s  median %.2f ms  min %.2f  max %.2f  vs %s %+.1f%%\n", shapes[m].c_str(), type.c_str(),
                    median, v.front(), v.back(), shapes[0].c_str(), (median / first - 1.0) * 100.0);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::string shape = "tinyllama-1.1b", type = "Q8_0", compare;
    int rounds = 7;
    bool json = false;
    ps::BackendOptions backendOptions;
    ps::BenchmarkOptions options;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool hasValue = i + 1 < argc;
        if (arg == "--shape" && hasValue) shape = argv[++i];
        else if (arg == "--type" && hasValue) type = argv[++i];
        else if (arg == "--threads" && hasValue) backendOptions.threads = options.threads = std::atoi(argv[++i]);
        else if (arg == "--long-context" && hasValue) options.longContext = std::atoi(argv[++i]);
        else if (arg == "--json") json = true;
        else if (arg == "--compare-decode" && hasValue) compare = argv[++i];
        else if (arg == "--rounds" && hasValue) rounds = std::max(1, std::atoi(argv[++i]));
        else {
            std::fprintf(stderr, "usage: %s [--shape NAME] [--type TYPE] [--threads N] [--long-context N] [--json]\n",
                         argv[0]);
            return 2;
        }
    }
    try {
        if (!compare.empty()) return compareDecode(compare, type, rounds);
        const auto start = std::chrono::steady_clock::now();
        const auto model = ps::buildSyntheticModel(shape, type);
        const double buildSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!json) std::printf("built synthetic %s %s in %.1f s\n", shape.c_str(), type.c_str(), buildSeconds);
        backendOptions.choice = ps::BackendOptions::Choice::Cpu;
        if (options.longContext > 0) backendOptions.contextLength = options.longContext + 128;
        const auto backend = ps::createCpuBackend(model, backendOptions);
        const ps::BenchmarkResult result = ps::runBenchmark(*backend, options);
        std::printf("%s\n", (json ? ps::toJson(result) : ps::toText(result)).c_str());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ps-synthetic-bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
