// promptstudio-cli eval: the logits after a prompt, written as raw float32 for
// comparison with other implementations; the five most likely next tokens on stderr.
#include <QCommandLineParser>
#include <QSaveFile>
#include <QTextStream>
#include <algorithm>
#include <bit>
#include <cmath>
#include <numeric>

#include "cli/app_command_support.h"
#include "cli/cli_options.h"
#include "cli/cli_runtime_model.h"
#include "cli/runtime_commands.h"
#include "generator/generator.h"
#include "limits/terminal_text.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace ps::cli {
namespace {

const QString kCommand = QStringLiteral("eval");

static_assert(std::endian::native == std::endian::little,
              "eval writes the logits as they are in memory: little-endian float32");

void printTopTokens(const std::vector<float>& logits, const Tokenizer& tokenizer, int count) {
    std::vector<int32_t> order(logits.size());
    std::iota(order.begin(), order.end(), 0);
    count = std::min<int>(count, static_cast<int>(order.size()));
    std::partial_sort(order.begin(), order.begin() + count, order.end(),
                      [&](int32_t a, int32_t b) { return logits[a] > logits[b]; });
    // Probabilities from a softmax over all logits.
    const float maxLogit = logits[order[0]];
    double sum = 0;
    for (float v : logits) sum += std::exp(static_cast<double>(v - maxLogit));
    QTextStream err(stderr);
    err << "top " << count << " next tokens:\n";
    for (int i = 0; i < count; ++i) {
        const int32_t id = order[i];
        err << QStringLiteral("  %1  %2  logit %3  p %4\n")
                   .arg(id, 6)
                   .arg(escapeForTerminal(QString::fromStdString(tokenizer.piece(id))).leftJustified(16))
                   .arg(logits[id], 0, 'f', 4)
                   .arg(std::exp(static_cast<double>(logits[id] - maxLogit)) / sum, 0, 'f', 4);
    }
}

int runEval(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption model("model", "The model (GGUF file).", "FILE");
    const QCommandLineOption prompt("prompt", "The text to evaluate.", "TEXT");
    const QCommandLineOption logitsOut(
        "logits-out", "Where to write the logits (n_vocab little-endian float32).", "FILE");
    const QCommandLineOption noBos("no-bos", "Do not put BOS before the prompt.");
    const QCommandLineOption force("force", "Replace the logits file if it exists.");
    BackendCommandOptions backendOptions;
    parser.addOptions({model, prompt, logitsOut, noBos, force});
    backendOptions.addTo(parser);
    if (auto exit = parseRuntimeArguments(parser, arguments, kCommand,
                                          "Writes the logits at the last prompt position.")) {
        return *exit;
    }
    return runGuarded(kCommand, [&] {
        const QString modelPath = requiredValue(parser, model);
        if (!parser.isSet(prompt)) throw UsageError("--prompt is required");
        const QString outPath = requiredValue(parser, logitsOut);
        // Checked before the model loads, and again just before writing.
        if (const QString problem = outputPathProblem(outPath, parser.isSet(force)); !problem.isEmpty()) {
            throw std::runtime_error(problem.toStdString());
        }
        const BackendOptions options = backendOptions.read(parser);

        const auto loaded = loadModelFile(modelPath);
        const Tokenizer& tokenizer = loaded->tokenizer();
        const bool addBos = !parser.isSet(noBos) && tokenizer.addBosByDefault();
        const std::vector<int32_t> tokens =
            tokenizer.encode(parser.value(prompt).toStdString(), addBos, SpecialTokens::AsText);
        const auto backend = createBackendForCommand(loaded, options);
        const std::vector<float> logits = Generator(*backend).evaluate(tokens);

        if (std::any_of(logits.begin(), logits.end(), [](float v) { return std::isnan(v); })) {
            throw std::runtime_error(
                "the model computed NaN logits (damaged or unsupported weights); nothing written");
        }
        if (const QString problem = outputPathProblem(outPath, parser.isSet(force)); !problem.isEmpty()) {
            throw std::runtime_error(problem.toStdString());
        }
        QSaveFile file(outPath);
        const auto bytes = static_cast<qint64>(logits.size() * sizeof(float));
        if (!file.open(QIODevice::WriteOnly) ||
            file.write(reinterpret_cast<const char*>(logits.data()), bytes) != bytes ||
            !file.commit()) {
            throw std::runtime_error(outPath.toStdString() + ": cannot write the logits: " +
                                     file.errorString().toStdString());
        }
        QTextStream(stderr) << tokens.size() << " prompt tokens, " << logits.size()
                            << " logits written to " << outPath << "\n";
        printTopTokens(logits, tokenizer, 5);
        return kExitOk;
    });
}

}  // namespace

CliCommand evalCommand() {
    return {"eval", "Write the logits after a prompt (raw float32) and show the top tokens",
            runEval};
}

}  // namespace ps::cli
