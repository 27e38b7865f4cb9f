#include "cli/app_command_support.h"

#include <QDir>
#include <QFileInfo>
#include <QTextStream>

#include <cstdio>

#include "cli/cli_command.h"
#include "limits/terminal_text.h"
#include "models/demo_model.h"

namespace ps::cli {

std::optional<int> parseCommandLine(QCommandLineParser& parser, const QStringList& arguments,
                                    const QString& usage, const QString& description) {
    const QCommandLineOption help(QStringList{"h", "help"}, "Show this help.");
    parser.addOption(help);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    // arguments[0] is the program, arguments[1] the command: the parser wants
    // only the program first.
    QStringList forParser = arguments.mid(1);
    const QString command = arguments.value(1);
    if (!parser.parse(forParser)) {
        printCommandError(command, parser.errorText());
        QTextStream(stderr) << "usage: promptstudio-cli " << usage << "\n";
        return kExitUsage;
    }
    if (parser.isSet(help)) {
        // The parser's own text starts with "Usage: <program>"; keep its options part.
        QString text = parser.helpText();
        const qsizetype options = text.indexOf(QStringLiteral("Options:"));
        QTextStream(stdout) << "usage: promptstudio-cli " << usage << "\n\n"
                            << description << "\n\n"
                            << (options >= 0 ? text.mid(options) : text);
        return kExitOk;
    }
    return std::nullopt;
}

void printCommandError(const QString& command, const QString& message) {
    QTextStream(stderr) << "promptstudio-cli " << command << ": " << escapeForTerminal(message) << "\n";
}

void printDocumentErrors(const QString& path, const QList<DocumentError>& errors) {
    QTextStream err(stderr);
    for (const DocumentError& error : errors) {
        if (error.line > 0) {
            err << escapeForTerminal(path) << ':' << error.line << ':' << qMax(error.column, 1)
                << ": " << escapeForTerminal(error.message) << '\n';
        } else {
            err << escapeForTerminal(path) << ": " << escapeForTerminal(error.message) << '\n';
        }
    }
}

void writeStdout(const std::string& bytes) {
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    std::fflush(stdout);
}

void writeStdout(const QString& text) { writeStdout(text.toStdString()); }

QString outputPathProblem(const QString& path, bool force) {
    const QFileInfo info(path);
    if (info.isSymLink()) {
        return QStringLiteral("%1 is a symbolic link; give the path of the file itself (the "
                              "link is not followed, even with --force)")
            .arg(path);
    }
    if (info.exists() && !force) return QStringLiteral("%1 exists; pass --force to replace it").arg(path);
    if (info.exists() && !info.isFile()) {
        return QStringLiteral("%1 exists and is not a regular file").arg(path);
    }
    return {};
}

QString resolveModelPath(const QString& modelOption, const QString& appModelHint,
                         const QString& appDirectory, QString* error, QString* note) {
    if (!modelOption.isEmpty()) {
        if (!QFileInfo(modelOption).isFile()) {
            if (error) {
                *error = QFileInfo::exists(modelOption)
                             ? QStringLiteral("--model %1: not a regular file").arg(modelOption)
                             : QStringLiteral("--model %1: no such file").arg(modelOption);
            }
            return {};
        }
        return modelOption;
    }
    if (!appModelHint.isEmpty()) {
        // A hint may be a path (relative to the app's folder) or a plain name
        // ("llama-3-8b-instruct"), which is only a suggestion for people.
        const QString candidate = QDir(appDirectory).absoluteFilePath(appModelHint);
        if (QFileInfo(candidate).isFile()) return candidate;
    }
    const QString fromEnvironment = qEnvironmentVariable("PROMPTSTUDIO_MODEL");
    if (!fromEnvironment.isEmpty()) {
        if (!QFileInfo(fromEnvironment).isFile()) {
            if (error) *error = QStringLiteral("PROMPTSTUDIO_MODEL=%1: no such file").arg(fromEnvironment);
            return {};
        }
        return fromEnvironment;
    }
    // Nothing configured: the demo model answers, so a first try works offline.
    if (const QString demo = demoModelPath(); !demo.isEmpty()) {
        if (note) *note = demoModelNote();
        return demo;
    }
    if (error) {
        *error = QStringLiteral(
            "no model to run on: pass --model FILE.gguf, set PROMPTSTUDIO_MODEL=FILE.gguf, "
            "or give the app a `model:` that is the path of a GGUF file");
        if (!appModelHint.isEmpty()) {
            *error += QStringLiteral(" (the app suggests '%1', which is not a file here)").arg(appModelHint);
        }
    }
    return {};
}

QString demoModelNote() {
    return QStringLiteral(
               "no model given: using the built-in demo model %1 (it only writes short children's "
               "stories; pass --model FILE.gguf or set PROMPTSTUDIO_MODEL for a real model)")
        .arg(demoModelPath());
}

}  // namespace ps::cli
