// Runtime commands of promptstudio-cli (generate, info, tokenize, eval, bench, download).
#include "cli/runtime_commands.h"

namespace ps::cli {

std::vector<CliCommand> runtimeCommands() {
    return {generateCommand(), infoCommand(), tokenizeCommand(), evalCommand(), benchCommand(),
            downloadCommand()};
}

}  // namespace ps::cli
