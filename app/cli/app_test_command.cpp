// promptstudio-cli test: runs an app's examples and checks their expectations,
// so that an app can be re-checked after a change of model or wording.
#include <QCommandLineParser>
#include <QTextStream>

#include "cli/app_command_support.h"
#include "cli/app_commands.h"
#include "cli/app_run_session.h"
#include "document/promptapp_reader.h"
#include "runner/local_generation_service.h"
#include "runner/runner.h"

namespace ps::cli {

namespace {

const QString kCommand = QStringLiteral("test");

int testApp(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addPositionalArgument("APP", "The .promptapp file whose examples to run.");
    const QCommandLineOption verboseOption("verbose", "Print each answer.");
    ModelOptions modelOptions;
    modelOptions.addTo(parser);
    parser.addOption(verboseOption);
    if (auto exit = parseCommandLine(parser, arguments, "test APP [--model M]",
                                     "Runs the app's examples and checks each answer against the example's "
                                     "expectations. Exit status 1 when any example fails.")) {
        return *exit;
    }
    if (parser.positionalArguments().size() != 1) {
        printCommandError(kCommand, "give exactly one .promptapp file");
        return kExitUsage;
    }
    const QString path = parser.positionalArguments().first();
    const PromptAppLoadResult loaded = loadPromptApp(path);
    if (!loaded.ok()) {
        printDocumentErrors(path, loaded.errors);
        if (loaded.errors.isEmpty()) printCommandError(kCommand, path + ": cannot be read");
        return kExitFailure;
    }
    const PromptApp& app = loaded.app;
    if (app.examples.isEmpty()) {
        printCommandError(kCommand, path + ": the app has no examples to test (add some under `examples:`)");
        return kExitFailure;
    }
    bool usageError = false;
    auto service = loadModelForApp(kCommand, parser, modelOptions, app, &usageError);
    if (!service) return usageError ? kExitUsage : kExitFailure;

    Runner runner;  // no history: test runs are not the user's work
    runner.setService(service);
    runner.setApp(app, path);
    QTextStream out(stdout);
    int failures = 0;
    for (qsizetype i = 0; i < app.examples.size(); ++i) {
        const AppExample& example = app.examples[i];
        const QString label = example.name.isEmpty() ? QStringLiteral("example %1").arg(i + 1)
                                                     : QStringLiteral("example %1 (%2)").arg(i + 1).arg(example.name);
        runner.clearConversation();  // each example starts a fresh chat
        const RunEnd end = runToEnd(runner, example.inputs, {});
        if (end.kind == RunEnd::Kind::Cancelled) {
            out << "CANCELLED " << label << "\n";
            out.flush();
            return kExitCancelled;
        }
        if (end.kind == RunEnd::Kind::Failed) {
            ++failures;
            out << "FAIL " << label << ": " << end.error << "\n";
            continue;
        }
        const ExpectationResult check = checkExpectations(example.expect, end.result.output);
        if (check.passed()) {
            out << "PASS " << label << "\n";
        } else {
            ++failures;
            out << "FAIL " << label << "\n";
            for (const QString& failure : check.failures) out << "  - " << failure << "\n";
        }
        if (parser.isSet(verboseOption)) out << "  answer: " << end.result.output.trimmed() << "\n";
        out.flush();
    }
    out << QStringLiteral("%1 of %2 examples passed\n").arg(app.examples.size() - failures).arg(app.examples.size());
    return failures == 0 ? kExitOk : kExitFailure;
}

}  // namespace

CliCommand testCommand() { return {kCommand, "Run an app's examples and check their expectations", testApp}; }

}  // namespace ps::cli
