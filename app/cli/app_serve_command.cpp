// promptstudio-cli serve: the model and the user's apps as an OpenAI-compatible
// HTTP server (app/server/openai_server.h).
#include <QCommandLineParser>
#include <QTextStream>

#include <sys/resource.h>

#include <chrono>
#include <thread>

#include "cli/app_command_support.h"
#include "cli/app_commands.h"
#include "cli/app_run_session.h"
#include "cli/cli_interrupt.h"
#include "document/prompt_app.h"
#include "limits/terminal_text.h"
#include "runner/local_generation_service.h"
#include "server/openai_server.h"

namespace ps::cli {

namespace {

const QString kCommand = QStringLiteral("serve");

// Each open connection is a file descriptor: take all the system allows, so a
// flood of idle connections meets the server's own limits, not EMFILE.
void raiseOpenFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

bool readPositive(const QCommandLineParser& parser, const QCommandLineOption& option, int min, int* out) {
    if (!parser.isSet(option)) return true;
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    if (!ok || value < min) {
        printCommandError(kCommand, QStringLiteral("--%1 %2: expected a whole number of at least %3")
                                        .arg(option.names().first(), parser.value(option))
                                        .arg(min));
        return false;
    }
    *out = value;
    return true;
}

int serve(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption hostOption("host", "The address to listen on (default 127.0.0.1, this computer only).",
                                        "H", "127.0.0.1");
    const QCommandLineOption portOption("port", "The port (default 8080; 0 = any free port).", "P", "8080");
    const QCommandLineOption keyOption(
        "api-key", "Require 'Authorization: Bearer K' (else $PROMPTSTUDIO_API_KEY; required beyond 127.0.0.1).", "K");
    const QCommandLineOption appsOption("apps", "A folder of .promptapp files to serve as /v1/apps (repeatable).",
                                        "DIR");
    const QCommandLineOption maxTokensOption("max-tokens-cap", "The most tokens one answer may have (default 2048).",
                                             "N");
    const QCommandLineOption queueOption(
        "queue", "How many requests may wait for the model before the server answers 429 (default 64).", "N");
    const QCommandLineOption bodyOption("max-body", "The largest request body in bytes (default 1048576).", "BYTES");
    ModelOptions modelOptions;
    modelOptions.addTo(parser);
    parser.addOptions({hostOption, portOption, keyOption, appsOption, maxTokensOption, queueOption, bodyOption});
    if (auto exit = parseCommandLine(
            parser, arguments,
            "serve --model FILE.gguf [--host H] [--port P] [--api-key K] [--apps DIR] [--threads N] "
            "[--backend auto|cpu|cuda] [--context N] [--max-tokens-cap N] [--queue N] [--max-body BYTES]",
            "Serves the model and apps over HTTP as an OpenAI-compatible API (/v1/models, "
            "/v1/chat/completions, /v1/completions, /v1/apps, /v1/apps/ID/run). Ctrl+C stops it.")) {
        return *exit;
    }
    if (!parser.positionalArguments().isEmpty()) {
        printCommandError(kCommand, "takes no positional arguments");
        return kExitUsage;
    }
    server::ServerOptions options;
    options.host = parser.value(hostOption);
    options.apiKey = parser.isSet(keyOption) ? parser.value(keyOption) : qEnvironmentVariable("PROMPTSTUDIO_API_KEY");
    options.appFolders = parser.values(appsOption);
    int maxBody = static_cast<int>(options.connections.maxRequestBytes);
    if (!readPositive(parser, portOption, 0, &options.port) ||
        !readPositive(parser, maxTokensOption, 1, &options.maxTokensCap) ||
        !readPositive(parser, queueOption, 0, &options.maxWaitingGenerations) ||
        !readPositive(parser, bodyOption, 1024, &maxBody)) {
        return kExitUsage;
    }
    options.connections.maxRequestBytes = static_cast<size_t>(maxBody);
    if (!server::OpenAiServer::isLoopbackHost(options.host) && options.apiKey.isEmpty()) {
        printCommandError(kCommand, QStringLiteral("--host %1 lets other computers in: give --api-key K (or set "
                                                   "PROMPTSTUDIO_API_KEY) too")
                                        .arg(options.host));
        return kExitUsage;
    }
    // A request's path comes from whoever connects (%1b decodes to ESC): never raw to a terminal.
    options.log = [](const QString& line) { QTextStream(stderr) << escapeForTerminal(line) << "\n"; };

    bool usageError = false;
    auto service = loadModelForApp(kCommand, parser, modelOptions, PromptApp(), &usageError);
    if (!service) return usageError ? kExitUsage : kExitFailure;

    raiseOpenFileLimit();
    server::OpenAiServer server(service, options);
    try {
        server.start();
    } catch (const server::ServerError& error) {
        printCommandError(kCommand, QString::fromUtf8(error.what()));
        return kExitFailure;
    }
    QTextStream(stderr) << QStringLiteral("Serving %1 at %2 (model id '%3')%4. Ctrl+C stops.\n")
                               .arg(service->describe(), server.baseUrl(), server.modelId(),
                                    options.apiKey.isEmpty() ? QString() : QStringLiteral(", API key required"));
    InterruptGuard interrupt;
    while (!interrupt.interrupted()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.stop();
    return kExitOk;
}

}  // namespace

CliCommand serveCommand() { return {kCommand, "Serve the model and apps as an OpenAI-compatible API", serve}; }

}  // namespace ps::cli
