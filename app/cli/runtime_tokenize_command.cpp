// promptstudio-cli tokenize: the token ids of a text, from a GGUF vocabulary or
// a SentencePiece .model file (a vocabulary-only GGUF is enough: no weights are
// read). The text comes from --prompt, or from a file (--file; `-` is stdin) for
// texts that do not fit a command line.
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTextStream>
#include <cstdio>
#include <string>

#include "cli/cli_options.h"
#include "cli/cli_runtime_model.h"
#include "cli/runtime_commands.h"
#include "io/regular_file.h"
#include "tokenizer/tokenizer.h"

namespace ps::cli {
namespace {

const QString kCommand = QStringLiteral("tokenize");

// Larger texts are refused before anything is read: a tokenizer keeps the text,
// its words and their ids in memory at once.
constexpr qint64 kMaxTextBytes = 256ll << 20;

std::string readTextFile(const QString& path) {
    if (path == "-") {
        std::string text;
        char buffer[1 << 16];
        while (const size_t n = std::fread(buffer, 1, sizeof buffer, stdin)) {
            text.append(buffer, n);
            if (static_cast<qint64>(text.size()) > kMaxTextBytes) {
                throw std::runtime_error("standard input: the text is over the limit of " +
                                         std::to_string(kMaxTextBytes >> 20) + " MiB");
            }
        }
        return text;
    }
    return io::readRegularFile(path.toStdString(), static_cast<uint64_t>(kMaxTextBytes));
}

int runTokenize(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption model(
        "model", "A GGUF model or vocabulary, or a SentencePiece .model file.", "FILE");
    const QCommandLineOption prompt("prompt", "The text to tokenize.", "TEXT");
    const QCommandLineOption file("file", "Read the text from a file ('-': standard input).",
                                  "PATH");
    const QCommandLineOption pieces("pieces", "Print id:piece pairs instead of ids.");
    const QCommandLineOption count("count", "Print only the number of tokens.");
    const QCommandLineOption timing("time", "Also print the time the encoding took (to stderr).");
    const QCommandLineOption noBos("no-bos", "Do not put BOS first.");
    const QCommandLineOption parseSpecial(
        "parse-special",
        "Turn control-token texts such as <|im_end|> into their ids (default: text).");
    parser.addOptions({model, prompt, file, pieces, count, timing, noBos, parseSpecial});
    if (auto exit = parseRuntimeArguments(parser, arguments, kCommand,
                                          "Prints the token ids of a text, separated by spaces.")) {
        return *exit;
    }
    return runGuarded(kCommand, [&] {
        const QString path = requiredValue(parser, model);
        if (parser.isSet(prompt) == parser.isSet(file))
            throw UsageError("give either --prompt or --file");
        const std::string text = parser.isSet(file) ? readTextFile(parser.value(file))
                                                    : parser.value(prompt).toStdString();
        const LoadedTokenizer loaded = loadTokenizerFile(path);
        const Tokenizer& tokenizer = *loaded.tokenizer;
        const bool addBos = !parser.isSet(noBos) && tokenizer.addBosByDefault();
        QElapsedTimer timer;
        timer.start();
        const std::vector<int32_t> ids = tokenizer.encode(
            text, addBos,
            parser.isSet(parseSpecial) ? SpecialTokens::Parse : SpecialTokens::AsText);
        const qint64 nanoseconds = timer.nsecsElapsed();
        std::string out;
        if (parser.isSet(count)) {
            out = std::to_string(ids.size());
        } else {
            out.reserve(ids.size() * 7);
            for (size_t i = 0; i < ids.size(); ++i) {
                if (i > 0) out += ' ';
                out += std::to_string(ids[i]);
                if (parser.isSet(pieces)) out += ':' + tokenizer.piece(ids[i]);
            }
        }
        out += '\n';
        std::fwrite(out.data(), 1, out.size(), stdout);
        if (parser.isSet(timing)) {
            QTextStream(stderr) << QStringLiteral("encoded %1 bytes into %2 tokens in %3 ms\n")
                                       .arg(text.size())
                                       .arg(ids.size())
                                       .arg(nanoseconds / 1e6, 0, 'f', 1);
        }
        return kExitOk;
    });
}

}  // namespace

CliCommand tokenizeCommand() {
    return {"tokenize", "Print the token ids (or id:piece pairs) of a text", runTokenize};
}

}  // namespace ps::cli
