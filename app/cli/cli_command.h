#pragma once
// A subcommand of promptstudio-cli. Each command parses its own arguments
// (QCommandLineParser) and returns the process exit code:
//   0 success, 1 the work failed (bad model, failed run, failed checks),
//   2 usage error (unknown option, missing argument), 130 cancelled.
#include <QStringList>

#include <functional>
#include <vector>

namespace ps::cli {

enum ExitCode { kExitOk = 0, kExitFailure = 1, kExitUsage = 2, kExitCancelled = 130 };

struct CliCommand {
    QString name;     // "generate"
    QString summary;  // one line for the overview
    // `arguments` starts with the program name followed by the command name,
    // ready for QCommandLineParser::process-style parsing.
    std::function<int(const QStringList& arguments)> run;
};

// Commands on the runtime: generate, info, tokenize, eval, bench, download
// (runtime_commands.cpp).
std::vector<CliCommand> runtimeCommands();
// Commands on prompt apps: run, validate, new, import, history, test, chat-template
// (app_commands.cpp).
std::vector<CliCommand> appCommands();

}  // namespace ps::cli
