#include "models/model_summary.h"

#include <QFile>
#include <QFileInfo>

#include <unistd.h>

#include <cstring>
#include <map>

#include "gguf/gguf_file.h"
#include "io/regular_file.h"
#include "model/model_support.h"
#include "tensor/tensor_type.h"

namespace ps {

namespace {

int metadataInt(const GgufFile& file, const std::string& key) {
    const auto value = file.getInteger(key);
    return value ? static_cast<int>(*value) : 0;
}

}  // namespace

uint64_t ModelSummary::gpuBytesNeeded(int context) const {
    const int kvHeads = kvHeadCount > 0 ? kvHeadCount : headCount;
    const uint64_t headDim = headCount > 0 ? static_cast<uint64_t>(embeddingLength) / headCount : 0;
    const uint64_t kvBytes = 2ull * layerCount * static_cast<uint64_t>(context) * kvHeads * headDim * 2;
    // Scratch: activations and the logits buffer are small next to weights; a
    // prefill batch of 512 tokens dominates.
    const uint64_t scratchBytes = 512ull * (embeddingLength * 4ull + vocabSize * 4ull) + (64ull << 20);
    return fileBytes + kvBytes + scratchBytes;
}

bool looksLikeGguf(const QString& path) {
    try {
        const io::RegularFile file = io::openRegularFile(QFile::encodeName(path).toStdString());
        char magic[4] = {};
        const ssize_t n = ::read(file.fd, magic, sizeof magic);
        ::close(file.fd);
        return n == 4 && std::memcmp(magic, "GGUF", 4) == 0;
    } catch (const io::InputFileError&) {
        return false;  // a pipe, a device, a directory: not a model
    }
}

std::optional<ModelSummary> readModelSummary(const QString& path, QString* error) {
    const QFileInfo info(path);
    ModelSummary summary;
    std::shared_ptr<GgufFile> file;
    try {
        file = GgufFile::open(path.toStdString());
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        if (!looksLikeGguf(path)) return std::nullopt;
        // A GGUF we cannot read (a tensor type we do not support, a damaged file) is
        // still shown, with the reason, so the user knows why it cannot be picked.
        summary.path = info.absoluteFilePath();
        summary.name = info.completeBaseName();
        summary.fileBytes = static_cast<uint64_t>(info.size());
        summary.modified = info.lastModified();
        summary.problem = QString::fromStdString(checkModelSupport(path.toStdString()).reason);
        return summary;
    }
    summary.path = info.absoluteFilePath();
    summary.fileBytes = static_cast<uint64_t>(info.size());
    summary.modified = info.lastModified();
    summary.architecture = QString::fromStdString(file->getString("general.architecture").value_or(""));
    summary.name = QString::fromStdString(file->getString("general.name").value_or(""));
    if (summary.name.isEmpty()) summary.name = info.completeBaseName();
    const std::string prefix = summary.architecture.toStdString() + ".";
    summary.contextLength = metadataInt(*file, prefix + "context_length");
    summary.embeddingLength = metadataInt(*file, prefix + "embedding_length");
    summary.layerCount = metadataInt(*file, prefix + "block_count");
    summary.headCount = metadataInt(*file, prefix + "attention.head_count");
    summary.kvHeadCount = metadataInt(*file, prefix + "attention.head_count_kv");
    summary.hasChatTemplate = file->has("tokenizer.chat_template");
    if (const GgufValue* tokens = file->find("tokenizer.ggml.tokens")) {
        summary.vocabSize = static_cast<int>(tokens->elements.size());
    }

    std::map<std::string, uint64_t> bytesByType;
    for (const GgufTensorInfo& tensor : file->tensors()) {
        summary.parameterCount += static_cast<uint64_t>(tensor.elementCount());
        bytesByType[tensorTypeInfo(tensor.type).name] += tensor.bytes;
    }
    uint64_t mostBytes = 0;
    for (const auto& [type, bytes] : bytesByType) {
        if (bytes > mostBytes) {
            mostBytes = bytes;
            summary.mainTensorType = QString::fromStdString(type);
        }
    }

    const ModelSupport support = checkModelSupport(*file);
    summary.family = QString::fromStdString(support.family);
    summary.runnable = support.runs;
    summary.problem = QString::fromStdString(support.reason);
    return summary;
}

QString ModelSummary::supportLine() const {
    return runnable ? QObject::tr("Runs") : QObject::tr("Cannot run: %1").arg(problem);
}

QString formatParameterCount(uint64_t count) {
    if (count >= 1000000000ull) return QString::number(count / 1e9, 'f', 1) + " B";
    if (count >= 1000000ull) return QString::number(count / 1e6, 'f', count >= 100000000ull ? 0 : 1) + " M";
    if (count >= 1000ull) return QString::number(count / 1e3, 'f', 0) + " K";
    return QString::number(count);
}

QString formatBytes(uint64_t bytes) {
    const double kib = 1024.0, mib = kib * 1024, gib = mib * 1024;
    if (bytes >= gib) return QString::number(bytes / gib, 'f', 1) + " GiB";
    if (bytes >= mib) return QString::number(bytes / mib, 'f', 0) + " MiB";
    if (bytes >= kib) return QString::number(bytes / kib, 'f', 0) + " KiB";
    return QString::number(bytes) + " B";
}

}  // namespace ps
