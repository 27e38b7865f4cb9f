// ps-synthetic-bench: builds a synthetic model and benchmarks the CPU backend
// on it. A stand-in until `promptstudio-cli bench` has the same options.
//   ps-synthetic-bench [--shape tinyllama-1.1b] [--type Q8_0] [--threads 0]
//                      [--long-context N] [--json]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "bench/benchmark.h"
#include "bench/synthetic_model.h"

int main(int argc, char** argv) {
    std::string shape = "tinyllama-1.1b", type = "Q8_0";
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
        else {
            std::fprintf(stderr, "usage: %s [--shape NAME] [--type TYPE] [--threads N] [--long-context N] [--json]\n",
                         argv[0]);
            return 2;
        }
    }
    try {
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
