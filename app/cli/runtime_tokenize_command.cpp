// promptstudio-cli tokenize: the token ids of a text, from a GGUF vocabulary or
// a SentencePiece .model file.
#include <QCommandLineParser>
#include <QTextStream>
#include <string>

#include "cli/cli_options.h"
#include "cli/cli_runtime_model.h"
#include "cli/runtime_commands.h"
#include "tokenizer/tokenizer.h"

namespace ps::cli {
namespace {

const QString kCommand = QStringLiteral("tokenize");

int runTokenize(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption model(
        "model", "A GGUF model or vocabulary, or a SentencePiece .model file.", "FILE");
    const QCommandLineOption prompt("prompt", "The text to tokenize.", "TEXT");
    const QCommandLineOption pieces("pieces", "Print id:piece pairs instead of ids.");
    const QCommandLineOption noBos("no-bos", "Do not put BOS first.");
    parser.addOptions({model, prompt, pieces, noBos});
    if (auto exit = parseRuntimeArguments(parser, arguments, kCommand,
                                          "Prints the token ids of a text, separated by spaces.")) {
        return *exit;
    }
    return runGuarded(kCommand, [&] {
        const QString path = requiredValue(parser, model);
        if (!parser.isSet(prompt)) throw UsageError("--prompt is required");
        const LoadedTokenizer loaded = loadTokenizerFile(path);
        const Tokenizer& tokenizer = *loaded.tokenizer;
        const bool addBos = !parser.isSet(noBos) && tokenizer.addBosByDefault();
        const std::vector<int32_t> ids =
            tokenizer.encode(parser.value(prompt).toStdString(), addBos, SpecialTokens::AsText);
        std::string line;
        for (size_t i = 0; i < ids.size(); ++i) {
            if (i > 0) line += ' ';
            line += std::to_string(ids[i]);
            if (parser.isSet(pieces)) line += ':' + tokenizer.piece(ids[i]);
        }
        line += '\n';
        std::fwrite(line.data(), 1, line.size(), stdout);
        return kExitOk;
    });
}

}  // namespace

CliCommand tokenizeCommand() {
    return {"tokenize", "Print the token ids (or id:piece pairs) of a text", runTokenize};
}

}  // namespace ps::cli
