// promptstudio-cli: runs the runtime and prompt apps from a terminal.
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

#include "cli/cli_command.h"
#include "limits/terminal_text.h"
#include "version.h"

namespace {

void printOverview(const std::vector<ps::cli::CliCommand>& commands) {
    QTextStream out(stderr);
    out << "usage: promptstudio-cli COMMAND [options]\n\ncommands:\n";
    for (const auto& command : commands) {
        out << "  " << command.name.leftJustified(14) << command.summary << "\n";
    }
    out << "\n'promptstudio-cli COMMAND --help' shows a command's options.\n";
}

}  // namespace

int main(int argc, char** argv) {
    QCoreApplication application(argc, argv);
    QCoreApplication::setApplicationName("promptstudio-cli");
    QCoreApplication::setApplicationVersion(PROMPTSTUDIO_VERSION);

    std::vector<ps::cli::CliCommand> commands = ps::cli::runtimeCommands();
    for (auto& command : ps::cli::appCommands()) commands.push_back(std::move(command));

    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() < 2 || arguments[1] == "--help" || arguments[1] == "-h") {
        printOverview(commands);
        return arguments.size() < 2 ? ps::cli::kExitUsage : ps::cli::kExitOk;
    }
    if (arguments[1] == "--version" || arguments[1] == "-v") {
        std::printf("promptstudio-cli %s\n", PROMPTSTUDIO_VERSION);
        return ps::cli::kExitOk;
    }
    for (const auto& command : commands) {
        if (command.name == arguments[1]) return command.run(arguments);
    }
    QTextStream(stderr) << "promptstudio-cli: unknown command '" << ps::escapeForTerminal(arguments[1])
                        << "'\n\n";
    printOverview(commands);
    return ps::cli::kExitUsage;
}
