// Prompt-app commands of promptstudio-cli (run, validate, new, import, history, test,
// chat-template).
#include "cli/cli_command.h"

namespace ps::cli {

std::vector<CliCommand> appCommands() { return {}; }

}  // namespace ps::cli
