// Prompt-app commands of promptstudio-cli (run, validate, new, import, history, test,
// chat-template). Each lives in its own app_*_command.cpp.
#include "cli/app_commands.h"

namespace ps::cli {

// The commands join this list once the components they use are built (the
// app_*_command.cpp files are added to promptstudio-cli at the same time).
std::vector<CliCommand> appCommands() { return {}; }

}  // namespace ps::cli
