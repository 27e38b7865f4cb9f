// promptstudio-cli info: what a model is and what it needs, as text or JSON.
#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include "backend/backend_factory.h"
#include "cli/cli_options.h"
#include "cli/cli_runtime_model.h"
#include "cli/runtime_commands.h"
#include "limits/terminal_text.h"
#include "model/model.h"
#include "model/model_support.h"
#include "tokenizer/tokenizer.h"

namespace ps::cli {
namespace {

const QString kCommand = QStringLiteral("info");

QString parameterCountText(uint64_t count) {
    if (count >= 1'000'000'000) return QStringLiteral("%1B").arg(count / 1e9, 0, 'f', 2);
    if (count >= 1'000'000) return QStringLiteral("%1M").arg(count / 1e6, 0, 'f', 2);
    if (count >= 1'000) return QStringLiteral("%1K").arg(count / 1e3, 0, 'f', 1);
    return QString::number(count);
}

// The backend `--backend auto` runs this model on, and why, as far as can be
// told without loading the weights onto a device: the CUDA plugin, the driver
// and GPU 0's free memory against weights + FP16 KV cache (the backend's own
// plan adds a few hundred MiB of scratch).
struct BackendGuess {
    QString kind;
    QString why;
};
BackendGuess automaticBackend(const ModelCard& card) {
    if (!cudaBackendCompiled()) return {"cpu", "this build has no CUDA backend"};
    const GpuListing listing = listCudaGpus();
    if (listing.gpus.empty()) return {"cpu", QString::fromStdString(listing.whyNone)};
    const GpuInfo& gpu = listing.gpus.front();
    const uint64_t needed = card.weightBytes + card.kvCacheBytesFp16;
    const QString free = QStringLiteral("%1 has %2 free of %3")
                             .arg(QString::fromStdString(gpu.name), formatBytes(gpu.freeBytes),
                                  formatBytes(gpu.totalBytes));
    if (needed > gpu.freeBytes) {
        return {"cpu", QStringLiteral("the model needs %1, %2").arg(formatBytes(needed), free)};
    }
    return {"cuda", QStringLiteral("needs about %1, %2").arg(formatBytes(needed), free)};
}

// "gpt2 (byte-level BPE), pre-tokenizer llama-bpe", with a note when the
// pre-tokenizer is not known here and GPT-2's expression stands in for it.
QString tokenizerText(const Tokenizer& tokenizer) {
    const QString type = QString::fromStdString(tokenizer.vocabularyType());
    if (tokenizer.preTokenizerExpression().empty()) {
        return QStringLiteral("%1 (SentencePiece)").arg(type);
    }
    const QString name = tokenizer.preTokenizerName().empty()
                             ? QStringLiteral("(none named)")
                             : QString::fromStdString(tokenizer.preTokenizerName());
    QString text = QStringLiteral("%1 (byte-level BPE), pre-tokenizer %2").arg(type, name);
    if (tokenizer.preTokenizerIsFallback()) {
        text += QStringLiteral(" (not known here: GPT-2's expression is used, which may split "
                               "some texts differently from the model's own tokenizer)");
    }
    return text;
}

QJsonObject cardJson(const Model& model, const ModelCard& card) {
    const ModelConfig& c = model.config();
    QJsonArray types;
    for (const auto& [type, count] : card.tensorTypeCounts) {
        types.append(QJsonObject{{"type", QString::fromStdString(type)}, {"count", count}});
    }
    const BackendGuess backend = automaticBackend(card);
    return QJsonObject{
        {"path", QString::fromStdString(card.path)},
        {"name", QString::fromStdString(card.name)},
        {"architecture", QString::fromStdString(card.architecture)},
        {"family", QString::fromStdString(card.family)},
        {"runs", true},
        {"file_bytes", static_cast<qint64>(card.fileBytes)},
        {"parameters", static_cast<qint64>(card.parameterCount)},
        {"weight_bytes", static_cast<qint64>(card.weightBytes)},
        {"tensor_types", types},
        {"main_type", QString::fromStdString(card.mainTensorType)},
        {"context_length", card.contextLength},
        {"vocab_size", card.vocabSize},
        {"embedding_length", c.dim},
        {"layers", c.layerCount},
        {"heads", c.headCount},
        {"kv_heads", c.kvHeadCount},
        {"head_dim", c.headDim},
        {"ffn_length", c.ffnDim},
        {"rope_base", c.ropeBase},
        {"kv_cache_bytes_fp16", static_cast<qint64>(card.kvCacheBytesFp16)},
        {"kv_cache_bytes_fp32", static_cast<qint64>(card.kvCacheBytesFp32)},
        {"memory_bytes_fp16_kv", static_cast<qint64>(card.weightBytes + card.kvCacheBytesFp16)},
        {"memory_bytes_fp32_kv", static_cast<qint64>(card.weightBytes + card.kvCacheBytesFp32)},
        {"chat_template", !model.chatTemplate().empty()},
        {"vocabulary_type", QString::fromStdString(model.tokenizer().vocabularyType())},
        {"pre_tokenizer", QString::fromStdString(model.tokenizer().preTokenizerName())},
        {"pre_tokenizer_expression", QString::fromStdString(model.tokenizer().preTokenizerExpression())},
        {"pre_tokenizer_fallback", model.tokenizer().preTokenizerIsFallback()},
        {"bos_id", model.tokenizer().bosId()},
        {"eos_id", model.tokenizer().eosId()},
        {"backend", backend.kind},
        {"backend_reason", backend.why},
    };
}

void printCard(const Model& model, const ModelCard& card) {
    const ModelConfig& c = model.config();
    QTextStream out(stdout);
    auto row = [&](const char* label, const QString& value) {
        // Values come from the file (its name, architecture...): no terminal controls.
        out << QString::fromLatin1(label).leftJustified(22) << escapeForTerminal(value) << "\n";
    };
    row("file", QString::fromStdString(card.path));
    row("name", card.name.empty() ? QStringLiteral("(none)") : QString::fromStdString(card.name));
    row("architecture", QStringLiteral("%1 (%2)").arg(QString::fromStdString(card.architecture),
                                                     QString::fromStdString(card.family)));
    row("runs", QStringLiteral("yes"));
    row("parameters", QStringLiteral("%1 (%2)")
                          .arg(parameterCountText(card.parameterCount))
                          .arg(card.parameterCount));
    QStringList types;
    for (const auto& [type, count] : card.tensorTypeCounts) {
        types << QStringLiteral("%1 x%2").arg(QString::fromStdString(type)).arg(count);
    }
    row("tensor types", types.join(", "));
    row("main type", QString::fromStdString(card.mainTensorType));
    row("context length", QString::number(card.contextLength));
    row("vocabulary", QString::number(card.vocabSize));
    row("tokenizer", tokenizerText(model.tokenizer()));
    row("embedding length", QString::number(c.dim));
    row("layers", QString::number(c.layerCount));
    row("heads", QStringLiteral("%1 (head dim %2)").arg(c.headCount).arg(c.headDim));
    row("KV heads", QString::number(c.kvHeadCount));
    row("FFN length", QString::number(c.ffnDim));
    row("file size", formatBytes(card.fileBytes));
    row("weights", formatBytes(card.weightBytes));
    row("KV cache (context)",
        QStringLiteral("%1 in fp16, %2 in fp32")
            .arg(formatBytes(card.kvCacheBytesFp16), formatBytes(card.kvCacheBytesFp32)));
    row("memory needed", QStringLiteral("%1 (GPU, fp16 KV), %2 (CPU, fp32 KV)")
                             .arg(formatBytes(card.weightBytes + card.kvCacheBytesFp16),
                                  formatBytes(card.weightBytes + card.kvCacheBytesFp32)));
    row("chat template",
        model.chatTemplate().empty() ? QStringLiteral("no") : QStringLiteral("yes"));
    const BackendGuess backend = automaticBackend(card);
    row("backend", QStringLiteral("%1 (%2)").arg(backend.kind, backend.why));
}

int runInfo(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption model("model", "The model (GGUF file); it may also come as the only argument.",
                                   "FILE");
    const QCommandLineOption json("json", "Print one JSON object.");
    parser.addOptions({model, json});
    parser.addPositionalArgument("MODEL", "The model (GGUF file), instead of --model.", "[MODEL]");
    if (auto exit = parseRuntimeArguments(parser, arguments, kCommand,
                                          "Shows what a model is and the memory it needs.", 1)) {
        return *exit;
    }
    return runGuarded(
        kCommand, [&] {
            const QStringList positional = parser.positionalArguments();
            if (!positional.isEmpty() && parser.isSet(model)) {
                throw UsageError("give the model either with --model or as the argument, not both");
            }
            const QString path = positional.isEmpty() ? requiredValue(parser, model) : positional.first();
            if (path.isEmpty()) throw UsageError("--model is required");
            // A model that cannot run still gets its one line, before any loading.
            const ModelSupport support = checkModelSupport(path.toStdString());
            if (!support.runs && QFileInfo(path).isFile()) {
                if (parser.isSet(json)) {
                    QTextStream(stdout) << QJsonDocument(QJsonObject{
                                                             {"path", path},
                                                             {"family", QString::fromStdString(support.family)},
                                                             {"runs", false},
                                                             {"reason", QString::fromStdString(support.reason)},
                                                         })
                                               .toJson(QJsonDocument::Indented);
                } else {
                    QTextStream out(stdout);
                    out << QStringLiteral("file").leftJustified(22) << path << "\n";
                    if (!support.family.empty()) {
                        out << QStringLiteral("architecture").leftJustified(22)
                            << QString::fromStdString(support.family) << "\n";
                    }
                    out << QStringLiteral("runs").leftJustified(22) << "no: "
                        << QString::fromStdString(support.reason) << "\n";
                }
                return kExitFailure;
            }
            const auto loaded = loadModelFile(path);
            const ModelCard card = loaded->card();
            if (parser.isSet(json)) {
                QTextStream(stdout)
                    << QJsonDocument(cardJson(*loaded, card)).toJson(QJsonDocument::Indented);
            } else {
                printCard(*loaded, card);
            }
            return kExitOk;
        });
}

}  // namespace

CliCommand infoCommand() {
    return {"info", "Show a model's architecture, sizes, types and memory needs", runInfo};
}

}  // namespace ps::cli
