#pragma once
// The runtime commands of promptstudio-cli, one factory per command, each in
// its own runtime_*_command.cpp; runtimeCommands() (runtime_commands.cpp) lists them.
#include "cli/cli_command.h"

namespace ps::cli {

CliCommand generateCommand();  // runtime_generate_command.cpp
CliCommand infoCommand();      // runtime_info_command.cpp
CliCommand tokenizeCommand();  // runtime_tokenize_command.cpp
CliCommand evalCommand();      // runtime_eval_command.cpp
CliCommand benchCommand();     // runtime_bench_command.cpp
CliCommand downloadCommand();  // runtime_download_command.cpp

}  // namespace ps::cli
