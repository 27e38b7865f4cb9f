#pragma once
// What the prompt-app commands of promptstudio-cli share: parsing a command's
// options with the exit codes of cli_command.h, reporting errors the same way,
// and finding the model a command should use.
#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <QList>

#include <optional>

#include "document/document_error.h"

namespace ps::cli {

// Parses `arguments` (program, command, options...). Returns nullopt when the
// command should go on, else the exit code to return: 0 after --help (printed
// to stdout), kExitUsage after an option error (printed to stderr). `usage`
// is the line after "usage: promptstudio-cli ", e.g. "validate APP...".
std::optional<int> parseCommandLine(QCommandLineParser& parser, const QStringList& arguments,
                                    const QString& usage, const QString& description);

// "promptstudio-cli COMMAND: message" on stderr.
void printCommandError(const QString& command, const QString& message);

// Each error as "file:line:column: message" (or "file: message" without a
// position) on stderr, as compilers write them.
void printDocumentErrors(const QString& path, const QList<DocumentError>& errors);

// Text to stdout exactly as given (UTF-8, no newline added), flushed at once so
// that streamed tokens show up as they come.
void writeStdout(const QString& text);
void writeStdout(const std::string& bytes);

// Why a command may not write its output file at `path`: it exists and `force` was
// not given, or it is a symbolic link (dangling or not: a save would write through it
// to wherever it points, so it is refused even with --force). Empty when writing is
// fine. Shared by new, import and eval --logits-out.
QString outputPathProblem(const QString& path, bool force);

// The model to use: `--model` when given, else the app's model hint when it
// names an existing file, else $PROMPTSTUDIO_MODEL, else the built-in demo model
// (then `note` says so, for stderr). When none applies, `error` says how to pick
// one and the result is empty.
QString resolveModelPath(const QString& modelOption, const QString& appModelHint,
                         const QString& appDirectory, QString* error, QString* note = nullptr);

// The line a command prints on stderr when it falls back to the demo model.
QString demoModelNote();

}  // namespace ps::cli
