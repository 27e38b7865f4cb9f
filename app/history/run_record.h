#pragma once
// One run of a prompt app as the history keeps it: what was asked (app, inputs,
// model, parameters), what came back (output, statistics), when, and how it ended.
#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace ps {

// `Running` is written when a run starts; the end replaces it. A row still
// `Running` whose process is gone (crash, kill) becomes `Interrupted` the next
// time the history is opened.
enum class RunOutcome { Running, Finished, Failed, Cancelled, Interrupted };

// "running", "finished", "failed", "cancelled", "interrupted" (the stored spelling).
QString runOutcomeName(RunOutcome outcome);
std::optional<RunOutcome> runOutcomeFromName(const QString& name);

struct RunRecord {
    qint64 id = 0;          // assigned by RunHistory::startRun
    QString appName;
    QString appPath;        // the .promptapp file, or empty for an unsaved app
    QString appVersion;     // the app's version and/or a hash of its content
    QJsonObject inputs;     // input name -> value as the user gave it
    QString output;
    QString model;          // model path or name
    QJsonObject parameters; // sampling parameters actually used
    QJsonObject statistics; // token counts, timings, stop reason
    QDateTime startedAt;    // UTC
    QDateTime endedAt;      // UTC; invalid while running
    RunOutcome outcome = RunOutcome::Running;
    QString errorMessage;

    // The whole record as one JSON object (for `promptstudio-cli history --json`).
    QJsonObject toJson() const;
};

}  // namespace ps
