#pragma once
// Whether Prompt Studio can run a GGUF model, decided before loading it: from
// the metadata and the tensor table alone (no weight is read), in one sentence
// for people ("Gemma 2 models are not supported yet"). The model manager shows
// it next to every model found; `info` prints it; Model::fromGguf refuses with
// the same words, so the list never promises what loading then denies.
#include <filesystem>
#include <string>

namespace ps {

class GgufFile;

struct ModelSupport {
    bool runs = false;
    // What it is for people, as far as the file tells: "Qwen 2", "Gemma 2", "" (unknown).
    std::string family;
    // Why it does not run (one sentence, no file name), or empty.
    std::string reason;
};

// The full check: the architecture, its hyperparameters, every tensor's name,
// shape and type, RoPE scaling and the vocabulary.
ModelSupport checkModelSupport(const GgufFile& file);
// The same for a file on disk; a file that is not a readable GGUF says why.
ModelSupport checkModelSupport(const std::filesystem::path& path);

// The architecture-level part of the check (what Model::fromGguf runs before
// binding the weights): a vocabulary-only file, an architecture the runtime has
// no graph for, mixture-of-experts, RoPE scaling it does not implement, tensors of
// a long-context variant it does not handle. Empty when none of these applies.
std::string unsupportedArchitectureReason(const GgufFile& file);

// A people's name for a general.architecture id ("gemma2" -> "Gemma 2"); the
// id itself when it is not one we know.
std::string architectureFamilyName(const std::string& id);

}  // namespace ps
