#pragma once
// The boundary between the model and the hardware that runs it. A backend owns
// its KV cache and computes logits; everything above it (sampling, generation,
// prefix reuse) is shared. The API is synchronous; threads belong to the caller.
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>

namespace ps {

class Model;

enum class BackendKind { Cpu, Cuda };

class BackendError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Not enough memory for the weights, KV cache and scratch; the message gives the numbers.
class OutOfMemoryError : public BackendError {
public:
    using BackendError::BackendError;
};

class Backend {
public:
    virtual ~Backend() = default;

    virtual BackendKind kind() const = 0;
    // What runs the model, for people: "CPU (2 threads, AVX-512)", "NVIDIA H100 80GB HBM3".
    virtual std::string deviceName() const = 0;
    // Positions the KV cache holds; forward() must stay below it.
    virtual int contextLength() const = 0;
    const Model& model() const { return *model_; }

    // Runs `tokens` at positions [startPos, startPos + tokens.size()) through the
    // model, writing their keys and values into the KV cache (positions at and
    // after startPos are overwritten, earlier ones are reused as they are), and
    // stores the logits of the last token in `logits` (vocabSize floats).
    // Throws BackendError when startPos + tokens.size() > contextLength().
    virtual void forward(std::span<const int32_t> tokens, int startPos, std::span<float> logits) = 0;
    // The most prompt tokens a caller should pass to one forward() call: a
    // backend with work per call asks for more (the CUDA backend dequantizes
    // each matrix once per call, up to a segment of 4096 tokens); fewer tokens
    // per call let a cancel be seen sooner.
    virtual int prefillTokensPerCall() const { return 256; }

protected:
    explicit Backend(std::shared_ptr<const Model> model) : model_(std::move(model)) {}
    std::shared_ptr<const Model> model_;
};

struct BackendOptions {
    // CudaEmulated: the CUDA backend's kernels on the emulated device (a CPU
    // pretending to be a GPU, thousands of times slower): for tests and kernel
    // developers, never a way to run models (docs/cuda-backend.md).
    enum class Choice { Automatic, Cpu, Cuda, CudaEmulated };
    Choice choice = Choice::Automatic;
    int cudaDevice = 0;
    int threads = 0;        // CPU threads; 0 = one per core
    int contextLength = 0;  // KV cache positions; 0 = the model's, capped at 4096
};

struct BackendSelection {
    std::unique_ptr<Backend> backend;
    // Why a CUDA request ended on the CPU ("no NVIDIA GPU found", "needs 9.1 GiB,
    // 6.0 GiB free on ..."), or empty.
    std::string fallbackReason;
};

// Creates the backend the options ask for. Automatic and Cuda pick the GPU when
// a usable one exists and the model fits; otherwise the CPU takes over and
// fallbackReason says why. Never throws for a missing or failing GPU.
BackendSelection createBackend(std::shared_ptr<const Model> model, const BackendOptions& options);

// True when this build has the CUDA backend compiled in.
bool cudaBackendCompiled();

}  // namespace ps
