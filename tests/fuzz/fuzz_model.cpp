// libFuzzer: a GGUF loaded as a model and run. The model loader's checks (architecture,
// hyperparameters, tensor shapes and types against their data, the tokenizer against
// the embedding), then the CPU backend on the scalar kernels for a two-token prefill
// and one decode step, sampled greedily and decoded to text. Whatever the bytes say
// (overlapping tensors, a shape that disagrees with the hyperparameters, NaN or huge
// weights), the input either runs or is refused with one of the runtime's errors.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/matmul_kernels.h"
#include "generator/generator.h"
#include "gguf/gguf_file.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::shared_ptr<const ps::Model> model;
    try {
        model = ps::Model::fromGguf(ps::GgufFile::fromBytes(std::vector<uint8_t>(data, data + size), "fuzz.gguf"));
    } catch (const ps::GgufError&) {
        return 0;
    } catch (const ps::ModelError&) {
        return 0;
    } catch (const ps::TokenizerError&) {
        return 0;
    }
    (void)model->card();
    (void)model->bytesReadPerToken();

    ps::BackendOptions options;
    options.choice = ps::BackendOptions::Choice::Cpu;
    options.threads = 1;
    options.contextLength = 8;  // the file's context length may be anything up to the limit
    std::unique_ptr<ps::Backend> backend;
    try {
        backend = ps::createCpuBackend(model, options, &ps::scalarKernels());
    } catch (const ps::BackendError&) {
        return 0;  // a model the backend cannot run (OutOfMemoryError included): refused in words
    }
    ps::Generator generator(*backend);
    ps::GenerationRequest request;
    const int32_t vocab = model->config().vocabSize;
    request.promptTokens = {0, vocab > 1 ? 1 : 0};
    request.sampling.temperature = 0;  // greedy: the same input always takes the same path
    request.maxTokens = 2;
    try {
        const ps::GenerationResult result = generator.generate(request);
        // Every generated id is a token of the vocabulary, and decodes.
        for (const int32_t id : result.tokens) {
            if (id < 0 || id >= vocab) __builtin_trap();
        }
        (void)model->tokenizer().decode(result.tokens);
    } catch (const ps::GenerationError&) {
        // NaN logits (damaged weights) stop generation with an error.
    }
    return 0;
}
