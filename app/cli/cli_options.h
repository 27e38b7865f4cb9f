#pragma once
// What the runtime commands of promptstudio-cli share: parsing with the exit
// codes of cli_command.h, one-line errors, checked numeric option values, and
// the options every computing command takes (--threads, --context, --backend,
// --device) turned into BackendOptions.
#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QString>
#include <QStringList>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "backend/backend.h"

namespace ps::cli {

// A bad option value or a missing required option: exit code 2.
class UsageError : public std::runtime_error {
public:
    explicit UsageError(const QString& message) : std::runtime_error(message.toStdString()) {}
};

// "promptstudio-cli: COMMAND: message" on stderr (one line).
void printRuntimeError(const QString& command, const QString& message);

// Parses `arguments` (program, command, options...). Returns nullopt when the
// command goes on; otherwise the exit code: 0 after --help (help on stdout),
// 2 after an unknown option or a stray argument (message and a hint on stderr).
// Up to `positionalAllowed` arguments without an option name are accepted.
std::optional<int> parseRuntimeArguments(QCommandLineParser& parser, const QStringList& arguments,
                                         const QString& command, const QString& description,
                                         int positionalAllowed = 0);

// The value of a required option; UsageError when it is missing or empty.
QString requiredValue(const QCommandLineParser& parser, const QCommandLineOption& option);
// Numeric option values, checked against [minimum, maximum]; `fallback` when the
// option is absent; UsageError naming the option when not a number or out of range.
int intValue(const QCommandLineParser& parser, const QCommandLineOption& option, int fallback,
             int minimum, int maximum);
double doubleValue(const QCommandLineParser& parser, const QCommandLineOption& option,
                   double fallback, double minimum, double maximum);

// --threads, --context, --backend, --device.
struct BackendCommandOptions {
    QCommandLineOption threads{"threads", "CPU threads (0 = one per core).", "N", "0"};
    QCommandLineOption context{"context", "KV cache positions (0 = the model's, at most 4096).",
                               "N", "0"};
    QCommandLineOption backend{"backend", "Where to run: auto, cpu or cuda.", "auto|cpu|cuda",
                               "auto"};
    QCommandLineOption device{"device", "CUDA device index.", "I", "0"};

    void addTo(QCommandLineParser& parser) const;
    // UsageError for bad values.
    BackendOptions read(const QCommandLineParser& parser) const;
};

// "cpu" / "cuda".
const char* backendKindName(BackendKind kind);

// A byte count for people: "1.23 MiB".
QString formatBytes(uint64_t bytes);

}  // namespace ps::cli

namespace ps::cli {

// Runs a command body: a UsageError prints its line and gives exit code 2, any
// other exception (bad file, bad model, failed run) prints its line and gives 1.
int runGuarded(const QString& command, const std::function<int()>& body);

}  // namespace ps::cli
