// Prompt-app commands of promptstudio-cli (run, validate, new, import, history, test,
// chat-template, serve). Each lives in its own app_*_command.cpp.
#include "cli/app_commands.h"

namespace ps::cli {

std::vector<CliCommand> appCommands() {
    return {runCommand(),    testCommand(),    validateCommand(),    newCommand(),
            importCommand(), historyCommand(), chatTemplateCommand(), serveCommand()};
}

}  // namespace ps::cli
