// promptstudio-cli generate: a completion of a prompt on a model. Only the
// generated text goes to stdout (flushed per chunk, so it can be piped);
// statistics and notes go to stderr. Ctrl-C stops cleanly with exit code 130.
#include <QCommandLineParser>
#include <QTextStream>
#include <cstdio>
#include <random>

#include "cli/cli_interrupt.h"
#include "cli/cli_options.h"
#include "cli/cli_runtime_model.h"
#include "cli/runtime_commands.h"
#include "generator/generator.h"
#include "model/model.h"
#include "tokenizer/tokenizer.h"

namespace ps::cli {
namespace {

const QString kCommand = QStringLiteral("generate");

void printStatistics(const GenerationResult& result, const Backend& backend, uint64_t seed,
                     bool greedy) {
    const GenerationStats& s = result.stats;
    QTextStream err(stderr);
    err << "prompt tokens: " << s.promptTokens;
    if (s.reusedPromptTokens > 0) err << " (" << s.reusedPromptTokens << " reused)";
    err << ", generated: " << s.generatedTokens << ", stop: " << stopReasonName(result.stopReason)
        << "\n";
    err << QStringLiteral("ttft: %1 ms, prefill: %2 tok/s (%3 ms), decode: %4 tok/s (%5 ms)\n")
               .arg(s.timeToFirstTokenMs, 0, 'f', 1)
               .arg(s.prefillTokensPerSecond(), 0, 'f', 1)
               .arg(s.prefillMs, 0, 'f', 1)
               .arg(s.decodeTokensPerSecond(), 0, 'f', 1)
               .arg(s.decodeMs, 0, 'f', 1);
    err << "backend: " << backendKindName(backend.kind()) << " ("
        << QString::fromStdString(backend.deviceName()) << ")";
    if (greedy) {
        err << ", sampling: greedy\n";
    } else {
        err << ", seed: " << seed << "\n";
    }
}

int runGenerate(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption model(
        "model", "The model (GGUF file; else $PROMPTSTUDIO_MODEL, else the built-in demo model).", "FILE");
    const QCommandLineOption prompt("prompt", "The text to continue.", "TEXT");
    const QCommandLineOption maxTokens(
        "max-tokens", "Tokens to generate at most (0 = until the end or the context is full).", "N",
        "256");
    const QCommandLineOption temperature(
        "temperature", "Sampling temperature; 0 = greedy (exact argmax).", "T", "0.8");
    const QCommandLineOption topK("top-k", "Keep the K most likely tokens (0 = off).", "K", "40");
    const QCommandLineOption topP(
        "top-p", "Keep the smallest set holding this probability (1 = off).", "P", "0.95");
    const QCommandLineOption minP(
        "min-p", "Drop tokens below this share of the most likely one (0 = off).", "P", "0.05");
    const QCommandLineOption repeatPenalty(
        "repeat-penalty", "Penalty for repeating recent tokens (1 = off).", "R", "1.1");
    const QCommandLineOption repeatLastN("repeat-last-n", "Recent tokens the penalty looks at.",
                                         "N", "64");
    const QCommandLineOption seed("seed", "Random seed (default: a new one each run, printed).",
                                  "S");
    const QCommandLineOption stop("stop", "Stop before this text (repeatable); it is not printed.",
                                  "TEXT");
    const QCommandLineOption noBos("no-bos", "Do not put BOS before the prompt.");
    const QCommandLineOption keepEnd(
        "keep-end", "When the prompt does not fit the context, drop its start instead of failing.");
    const QCommandLineOption ignoreEos(
        "ignore-eos", "Go on past end-of-text tokens (until --max-tokens or the context is full).");
    const QCommandLineOption parseSpecial(
        "parse-special",
        "Turn control-token texts in the prompt (<|im_start|>, <|eot_id|>...) into their ids; "
        "by default the whole prompt is text.");
    BackendCommandOptions backendOptions;
    parser.addOptions({model, prompt, maxTokens, temperature, topK, topP, minP, repeatPenalty,
                       repeatLastN, seed, stop, noBos, keepEnd, ignoreEos, parseSpecial});
    backendOptions.addTo(parser);
    if (auto exit = parseRuntimeArguments(parser, arguments, kCommand,
                                          "Continues a prompt; prints only the generated text.")) {
        return *exit;
    }

    return runGuarded(kCommand, [&] {
        if (!parser.isSet(prompt)) throw UsageError("--prompt is required");
        const QString modelPath = modelPathForCommand(parser, model, kCommand);
        GenerationRequest request;
        request.prompt = parser.value(prompt).toStdString();
        request.maxTokens = intValue(parser, maxTokens, 256, 0, 1 << 24);
        request.sampling.temperature =
            static_cast<float>(doubleValue(parser, temperature, 0.8, 0, 100));
        request.sampling.topK = intValue(parser, topK, 40, 0, 1 << 24);
        request.sampling.topP = static_cast<float>(doubleValue(parser, topP, 0.95, 0, 1));
        request.sampling.minP = static_cast<float>(doubleValue(parser, minP, 0.05, 0, 1));
        request.sampling.repeatPenalty =
            static_cast<float>(doubleValue(parser, repeatPenalty, 1.1, 0.01, 100));
        request.sampling.repeatLastN = intValue(parser, repeatLastN, 64, -1, 1 << 24);
        if (parser.isSet(seed)) {
            bool ok = false;
            request.sampling.seed = parser.value(seed).trimmed().toULongLong(&ok);
            if (!ok)
                throw UsageError("--seed must be a whole number from 0 to 2^64-1, not '" +
                                 parser.value(seed) + "'");
        } else {
            request.sampling.seed =
                (static_cast<uint64_t>(std::random_device{}()) << 32) ^ std::random_device{}();
        }
        for (const QString& text : parser.values(stop)) {
            if (!text.isEmpty()) request.stopSequences.push_back(text.toStdString());
        }
        request.stopAtEndOfGeneration = !parser.isSet(ignoreEos);
        request.overflow = parser.isSet(keepEnd) ? OverflowPolicy::KeepEnd : OverflowPolicy::Fail;
        const BackendOptions options = backendOptions.read(parser);

        const auto loaded = loadModelFile(modelPath);
        request.addBos = !parser.isSet(noBos) && loaded->tokenizer().addBosByDefault();
        if (parser.isSet(parseSpecial)) {
            request.promptTokens =
                loaded->tokenizer().encode(request.prompt, request.addBos, SpecialTokens::Parse);
        }
        const auto backend = createBackendForCommand(loaded, options);
        Generator generator(*backend);

        InterruptGuard interrupt;
        bool endsWithNewline = true;
        const GenerationResult result = generator.generate(
            request,
            [&](const std::string& text) {
                std::fwrite(text.data(), 1, text.size(), stdout);
                std::fflush(stdout);
                endsWithNewline = text.back() == '\n';
                return true;
            },
            interrupt.flag());
        // The statistics start on a line of their own (on stderr: stdout stays exactly the text).
        if (!endsWithNewline) QTextStream(stderr) << "\n";
        printStatistics(result, *backend, request.sampling.seed, request.sampling.temperature < kGreedyBelowTemperature);
        return interrupt.interrupted() ? kExitCancelled : kExitOk;
    });
}

}  // namespace

CliCommand generateCommand() {
    return {"generate", "Continue a prompt on a model (text to stdout, statistics to stderr)",
            runGenerate};
}

}  // namespace ps::cli
