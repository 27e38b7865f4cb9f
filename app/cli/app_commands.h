#pragma once
// The prompt-app commands of promptstudio-cli, one factory per command, each in
// its own app_*_command.cpp; appCommands() (app_commands.cpp) lists them.
#include "cli/cli_command.h"

namespace ps::cli {

CliCommand runCommand();           // app_run_command.cpp
CliCommand testCommand();          // app_test_command.cpp
CliCommand validateCommand();      // app_document_commands.cpp
CliCommand newCommand();           // app_document_commands.cpp
CliCommand importCommand();        // app_document_commands.cpp
CliCommand historyCommand();       // app_history_command.cpp
CliCommand chatTemplateCommand();  // app_chat_template_command.cpp
CliCommand serveCommand();         // app_serve_command.cpp

}  // namespace ps::cli
