// Runtime commands of promptstudio-cli (generate, info, tokenize, eval, bench).
#include "cli/runtime_commands.h"

namespace ps::cli {

std::vector<CliCommand> runtimeCommands() {
    return {generateCommand(), infoCommand(), tokenizeCommand(), evalCommand(), benchCommand()};
}

}  // namespace ps::cli
