// promptstudio-cli run: runs a prompt app on a local model, or on a remote
// OpenAI-compatible server (--remote), streaming the answer.
#include <QCommandLineParser>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <memory>

#include "cli/app_command_support.h"
#include "cli/app_commands.h"
#include "cli/app_run_session.h"
#include "document/promptapp_reader.h"
#include "history/run_history.h"
#include "remote/remote_generation_service.h"
#include "runner/generation_parameters.h"
#include "runner/input_values.h"
#include "runner/local_generation_service.h"
#include "runner/runner.h"

namespace ps::cli {

namespace {

const QString kCommand = QStringLiteral("run");

// "name=value" -> (name, value); false when there is no '=' or no name.
bool splitAssignment(const QString& text, QString* name, QString* value) {
    const qsizetype at = text.indexOf(QLatin1Char('='));
    if (at <= 0) return false;
    *name = text.left(at).trimmed();
    *value = text.mid(at + 1);
    return !name->isEmpty();
}

// Loads the app; prints its errors as file:line:column: message.
std::optional<PromptApp> loadApp(const QString& path) {
    const PromptAppLoadResult loaded = loadPromptApp(path);
    if (!loaded.ok()) {
        printDocumentErrors(path, loaded.errors);
        if (loaded.errors.isEmpty()) printCommandError(kCommand, path + ": cannot be read");
        return std::nullopt;
    }
    return loaded.app;
}

int runApp(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addPositionalArgument("APP", "The .promptapp file to run.");
    const QCommandLineOption inputOption("input", "A value for an input (repeatable).", "name=value");
    const QCommandLineOption inputFileOption(
        "input-file", "An input's value from a text file (repeatable); a file input takes the path itself.",
        "name=PATH");
    const QCommandLineOption jsonOption(
        "json", "Print one JSON object at the end (output, stats, model, stop reason) instead of streaming.");
    const QCommandLineOption maxTokensOption("max-tokens", "Override the app's max_tokens.", "N");
    const QCommandLineOption temperatureOption("temperature", "Override the app's temperature (0 = greedy).", "T");
    const QCommandLineOption seedOption("seed", "Override the app's seed.", "S");
    const QCommandLineOption noHistoryOption("no-history", "Do not record this run in the run history.");
    const QCommandLineOption historyFileOption("history-file", "Record the run in this history file.", "FILE");
    const QCommandLineOption remoteOption(
        "remote", "Run on an OpenAI-compatible server instead of a local model, e.g. http://127.0.0.1:8080/v1.",
        "BASE_URL");
    const QCommandLineOption remoteModelOption("remote-model", "The server's model (default: the first it lists).",
                                               "NAME");
    const QCommandLineOption apiKeyOption("api-key", "The server's API key (else $PROMPTSTUDIO_API_KEY).", "K");
    ModelOptions modelOptions;
    modelOptions.addTo(parser);
    parser.addOptions({inputOption, inputFileOption, jsonOption, maxTokensOption, temperatureOption, seedOption,
                       noHistoryOption, historyFileOption, remoteOption, remoteModelOption, apiKeyOption});
    if (auto exit = parseCommandLine(
            parser, arguments,
            "run APP.promptapp [--input name=value ...] [--input-file name=PATH ...] [--model M] [--json] "
            "[--threads N] [--backend auto|cpu|cuda] [--max-tokens N] [--temperature T] [--seed S] [--no-history] "
            "[--remote BASE_URL [--remote-model NAME] [--api-key K]]",
            "Runs a prompt app on a local model (or a remote server) and streams the answer to stdout.")) {
        return *exit;
    }
    if (parser.positionalArguments().size() != 1) {
        printCommandError(kCommand, "give exactly one .promptapp file");
        return kExitUsage;
    }
    const QString appPath = parser.positionalArguments().first();
    const auto app = loadApp(appPath);
    if (!app) return kExitFailure;

    QVariantMap inputs;
    for (const QString& assignment : parser.values(inputOption)) {
        QString name, value;
        if (!splitAssignment(assignment, &name, &value)) {
            printCommandError(kCommand, QStringLiteral("--input %1: expected name=value").arg(assignment));
            return kExitUsage;
        }
        inputs.insert(name, value);
    }
    for (const QString& assignment : parser.values(inputFileOption)) {
        QString name, path;
        if (!splitAssignment(assignment, &name, &path)) {
            printCommandError(kCommand, QStringLiteral("--input-file %1: expected name=PATH").arg(assignment));
            return kExitUsage;
        }
        const PromptInput* input = app->findInput(name);
        if (input && input->type == InputType::File) {
            inputs.insert(name, path);  // the runner reads it
            continue;
        }
        try {
            inputs.insert(name, readInputFile(path));
        } catch (const InputFileError& error) {
            printCommandError(kCommand, QStringLiteral("--input-file %1: %2").arg(name, QString::fromUtf8(error.what())));
            return kExitFailure;
        }
    }
    QVariantMap overrides;
    if (parser.isSet(maxTokensOption)) overrides.insert("max_tokens", parser.value(maxTokensOption));
    if (parser.isSet(temperatureOption)) overrides.insert("temperature", parser.value(temperatureOption));
    if (parser.isSet(seedOption)) overrides.insert("seed", parser.value(seedOption));

    Runner runner;
    runner.setApp(*app, appPath);
    // Refuse bad inputs before spending time on loading a model.
    try {
        runner.prepareInput(inputs);
    } catch (const std::exception& error) {
        for (const QString& line : QString::fromUtf8(error.what()).split('\n')) printCommandError(kCommand, line);
        return kExitFailure;
    }
    std::shared_ptr<GenerationService> service;
    if (parser.isSet(remoteOption)) {
        RemoteEndpoint endpoint;
        endpoint.baseUrl = parser.value(remoteOption);
        endpoint.model = parser.value(remoteModelOption);
        endpoint.apiKey =
            parser.isSet(apiKeyOption) ? parser.value(apiKeyOption) : qEnvironmentVariable("PROMPTSTUDIO_API_KEY");
        try {
            service = RemoteGenerationService::connect(endpoint);
        } catch (const std::exception& error) {
            printCommandError(kCommand, QString::fromUtf8(error.what()));
            return kExitFailure;
        }
    } else {
        bool usageError = false;
        service = loadModelForApp(kCommand, parser, modelOptions, *app, &usageError);
        if (!service) return usageError ? kExitUsage : kExitFailure;
    }
    runner.setService(service);

    std::unique_ptr<RunHistory> history;
    if (!parser.isSet(noHistoryOption)) {
        try {
            history = std::make_unique<RunHistory>(parser.isSet(historyFileOption) ? parser.value(historyFileOption)
                                                                                    : RunHistory::defaultPath());
            runner.setHistory(history.get());
        } catch (const HistoryError& error) {
            printCommandError(kCommand, QStringLiteral("not recording history: %1").arg(QString::fromUtf8(error.what())));
        }
    }

    const bool json = parser.isSet(jsonOption);
    bool endsWithNewline = true;
    const RunEnd end = runToEnd(runner, inputs, overrides, [&](const QString& text) {
        if (json || text.isEmpty()) return;
        writeStdout(text);
        endsWithNewline = text.endsWith(QLatin1Char('\n'));
    });
    if (end.kind == RunEnd::Kind::Failed) {
        for (const QString& line : end.error.split('\n')) printCommandError(kCommand, line);
        return kExitFailure;
    }
    if (json) {
        QJsonObject object{
            {"app", app->name},
            {"model", end.result.model},
            {"backend", service->describe()},
            {"output", end.result.output},
            {"stopReason", QString::fromLatin1(stopReasonName(end.result.stopReason))},
            {"stats", end.result.statisticsJson()},
            {"outcome", end.kind == RunEnd::Kind::Finished ? "finished" : "cancelled"},
        };
        if (end.result.historyId > 0) object.insert("historyId", end.result.historyId);
        writeStdout(QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Indented)));
    } else {
        if (!endsWithNewline) writeStdout(QStringLiteral("\n"));
        const GenerationStats& stats = end.result.stats;
        QTextStream(stderr) << QStringLiteral("[%1 tokens, first after %4 ms, %2 tokens/s, stop: %3]\n")
                                   .arg(stats.generatedTokens)
                                   .arg(stats.decodeTokensPerSecond(), 0, 'f', 1)
                                   .arg(QString::fromLatin1(stopReasonName(end.result.stopReason)))
                                   .arg(stats.timeToFirstTokenMs, 0, 'f', 0);
    }
    return end.kind == RunEnd::Kind::Cancelled ? kExitCancelled : kExitOk;
}

}  // namespace

CliCommand runCommand() { return {kCommand, "Run a prompt app on a local model or a remote server", runApp}; }

}  // namespace ps::cli
