// promptstudio-cli history: the most recent runs from the run history.
#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>

#include "cli/app_command_support.h"
#include "cli/app_commands.h"
#include "history/run_history.h"

namespace ps::cli {

namespace {

const QString kCommand = QStringLiteral("history");

// One line per run: when, app, outcome, tokens, and the start of the output.
void printRun(QTextStream& out, const RunRecord& run) {
    QString preview = run.outcome == RunOutcome::Failed || run.outcome == RunOutcome::Interrupted
                          ? run.errorMessage
                          : run.output;
    preview = preview.simplified();
    if (preview.size() > 60) preview = preview.left(57) + QStringLiteral("...");
    out << QStringLiteral("#%1  %2  %3  %4  %5 tokens  %6\n")
               .arg(run.id)
               .arg(run.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")),
                    run.appName, runOutcomeName(run.outcome).leftJustified(11))
               .arg(run.statistics.value("generatedTokens").toInt())
               .arg(preview);
}

int runHistory(const QStringList& arguments) {
    QCommandLineParser parser;
    const QCommandLineOption appOption("app", "Only runs of the app with this name.", "NAME");
    const QCommandLineOption searchOption("search", "Only runs whose inputs or output contain TEXT.",
                                          "TEXT");
    const QCommandLineOption limitOption("limit", "At most N runs, newest first (default 20).", "N", "20");
    const QCommandLineOption jsonOption("json", "Print the runs as one JSON array.");
    const QCommandLineOption fileOption("history-file", "Read this history file instead of the user's.",
                                        "FILE");
    parser.addOptions({appOption, searchOption, limitOption, jsonOption, fileOption});
    if (auto exit = parseCommandLine(parser, arguments,
                                     "history [--app NAME] [--search TEXT] [--limit N] [--json]",
                                     "Lists recent runs of prompt apps from the run history.")) {
        return *exit;
    }
    bool ok = false;
    const int limit = parser.value(limitOption).toInt(&ok);
    if (!ok || limit < 1) {
        printCommandError(kCommand, QStringLiteral("--limit %1: expected a number above 0")
                                        .arg(parser.value(limitOption)));
        return kExitUsage;
    }
    try {
        RunHistory history(parser.isSet(fileOption) ? parser.value(fileOption) : RunHistory::defaultPath());
        const auto runs = history.search(
            {.appName = parser.value(appOption), .text = parser.value(searchOption), .limit = limit});
        if (parser.isSet(jsonOption)) {
            QJsonArray array;
            for (const auto& run : runs) array.append(run.toJson());
            writeStdout(QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented)));
            return kExitOk;
        }
        QTextStream out(stdout);
        if (runs.empty()) out << "no runs recorded in " << history.path() << "\n";
        for (const auto& run : runs) printRun(out, run);
        return kExitOk;
    } catch (const std::exception& error) {
        printCommandError(kCommand, QString::fromUtf8(error.what()));
        return kExitFailure;
    }
}

}  // namespace

CliCommand historyCommand() { return {kCommand, "List recent runs of prompt apps", runHistory}; }

}  // namespace ps::cli
