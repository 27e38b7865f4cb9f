// Runtime commands of promptstudio-cli (generate, info, tokenize, eval, bench).
#include "cli/cli_command.h"

namespace ps::cli {

std::vector<CliCommand> runtimeCommands() { return {}; }

}  // namespace ps::cli
