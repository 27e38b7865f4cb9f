// The support check: architecture-level rules here, then the loader itself
// (Model::fromGguf binds views of the weights without reading them and builds
// the tokenizer from metadata), so that the check and loading cannot disagree.
#include "model/model_support.h"

#include <optional>
#include <utility>

#include "gguf/gguf_file.h"
#include "model/model.h"
#include "model/model_config.h"
#include "tokenizer/tokenizer.h"

namespace ps {

namespace {

// general.architecture ids of llama.cpp that people meet, with their names.
constexpr std::pair<const char*, const char*> kKnownArchitectures[] = {
    {"llama", "Llama"},          {"qwen2", "Qwen 2"},           {"phi3", "Phi-3"},
    {"llama4", "Llama 4"},       {"gemma", "Gemma"},            {"gemma2", "Gemma 2"},
    {"gemma3", "Gemma 3"},       {"gemma3n", "Gemma 3n"},       {"qwen", "Qwen (first generation)"},
    {"qwen2moe", "Qwen 2 MoE"},  {"qwen2vl", "Qwen 2 VL"},      {"qwen3", "Qwen 3"},
    {"qwen3moe", "Qwen 3 MoE"},  {"phi2", "Phi-2"},             {"phimoe", "Phi-3.5 MoE"},
    {"falcon", "Falcon"},        {"gpt2", "GPT-2"},             {"gptj", "GPT-J"},
    {"gptneox", "GPT-NeoX"},     {"mpt", "MPT"},                {"starcoder", "StarCoder"},
    {"starcoder2", "StarCoder 2"}, {"bloom", "BLOOM"},          {"stablelm", "StableLM"},
    {"command-r", "Command R"},  {"cohere2", "Command R7B"},    {"olmo", "OLMo"},
    {"olmo2", "OLMo 2"},         {"deepseek", "DeepSeek"},      {"deepseek2", "DeepSeek V2/V3"},
    {"internlm2", "InternLM 2"}, {"minicpm", "MiniCPM"},        {"minicpm3", "MiniCPM 3"},
    {"granite", "Granite"},      {"granitemoe", "Granite MoE"}, {"exaone", "EXAONE"},
    {"chatglm", "ChatGLM"},      {"glm4", "GLM-4"},             {"mamba", "Mamba"},
    {"rwkv6", "RWKV 6"},         {"bert", "BERT"},              {"nomic-bert", "Nomic BERT"},
    {"t5", "T5"},                {"nemotron", "Nemotron"},      {"baichuan", "Baichuan"},
    {"dbrx", "DBRX"},            {"bitnet", "BitNet"},          {"gpt-oss", "gpt-oss"},
    {"mistral3", "Mistral 3"},   {"smollm3", "SmolLM 3"},       {"ernie4_5", "ERNIE 4.5"},
};

// "model.gguf: tensor ... has type Q5_K, which ..." -> "Q5_K"
std::optional<std::string> unsupportedTypeIn(const std::string& message) {
    const std::string marker = " has type ";
    const size_t at = message.find(marker);
    if (at == std::string::npos || message.find("cannot compute with") == std::string::npos) return std::nullopt;
    const size_t start = at + marker.size();
    const size_t end = message.find(',', start);
    if (end == std::string::npos) return std::nullopt;
    return message.substr(start, end - start);
}

// Drops the "file name: " the loaders put first; the caller shows the file already.
std::string withoutFileName(const std::string& message, const std::string& fileName) {
    const std::string prefix = fileName + ": ";
    return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

}  // namespace

std::string architectureFamilyName(const std::string& id) {
    for (const auto& [known, name] : kKnownArchitectures) {
        if (id == known) return name;
    }
    return id;
}

std::string unsupportedArchitectureReason(const GgufFile& file) {
    if (file.tensors().empty()) return "this file is only a vocabulary, it has no weights";
    std::optional<std::string> architecture;
    try {
        architecture = file.getString("general.architecture");
    } catch (const GgufError&) {
        return "its general.architecture is not a string";
    }
    if (!architecture) return "the file does not say which model architecture it holds ('general.architecture' is missing)";
    const ArchitectureTraits* traits = findArchitecture(*architecture);
    if (!traits) {
        const std::string name = architectureFamilyName(*architecture);
        if (name != *architecture) return name + " models are not supported yet";
        return "the architecture '" + *architecture + "' is not supported";
    }
    const std::string prefix = std::string(traits->id) + ".";
    if (const std::optional<int64_t> experts = file.getInteger(prefix + "expert_count"); experts && *experts > 0) {
        return "mixture-of-experts models (such as Mixtral) are not supported yet";
    }
    try {
        if (file.getString(prefix + "rope.scaling.type").value_or("") == "yarn") {
            return "YaRN RoPE scaling (a long-context variant) is not supported yet";
        }
    } catch (const GgufError&) {
        // A wrong type is reported by ModelConfig with the key's name.
    }
    if (file.findTensor("rope_factors_long.weight") || file.findTensor("rope_factors_short.weight")) {
        return std::string(traits->familyName) +
               " long-context variants (128k, with long/short RoPE factors) are not supported yet";
    }
    return {};
}

ModelSupport checkModelSupport(const GgufFile& file) {
    ModelSupport support;
    try {
        support.family = architectureFamilyName(file.getString("general.architecture").value_or(""));
    } catch (const GgufError&) {
    }
    try {
        // A non-owning pointer: the model built here is gone before this returns,
        // and loading only reads (metadata, tensor table, pointers into the data).
        Model::fromGguf(std::shared_ptr<GgufFile>(std::shared_ptr<GgufFile>{}, const_cast<GgufFile*>(&file)));
        support.runs = true;
    } catch (const std::exception& e) {
        support.reason = withoutFileName(e.what(), file.name());
    }
    return support;
}

ModelSupport checkModelSupport(const std::filesystem::path& path) {
    std::shared_ptr<GgufFile> file;
    try {
        file = GgufFile::open(path);
    } catch (const std::exception& e) {
        ModelSupport support;
        const std::string message = e.what();
        if (const std::optional<std::string> type = unsupportedTypeIn(message)) {
            support.reason = "it holds " + *type + " tensors, which Prompt Studio cannot compute with yet";
        } else {
            support.reason = "the file cannot be read: " + withoutFileName(message, path.string());
        }
        return support;
    }
    return checkModelSupport(*file);
}

}  // namespace ps
