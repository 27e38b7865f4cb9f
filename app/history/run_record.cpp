#include "history/run_record.h"

#include <array>
#include <utility>

namespace ps {

namespace {

constexpr std::array<std::pair<RunOutcome, const char*>, 5> kOutcomeNames{{
    {RunOutcome::Running, "running"},
    {RunOutcome::Finished, "finished"},
    {RunOutcome::Failed, "failed"},
    {RunOutcome::Cancelled, "cancelled"},
    {RunOutcome::Interrupted, "interrupted"},
}};

QString isoOrEmpty(const QDateTime& time) {
    return time.isValid() ? time.toUTC().toString(Qt::ISODateWithMs) : QString();
}

}  // namespace

QString runOutcomeName(RunOutcome outcome) {
    for (const auto& [value, name] : kOutcomeNames) {
        if (value == outcome) return QString::fromLatin1(name);
    }
    return QStringLiteral("unknown");
}

std::optional<RunOutcome> runOutcomeFromName(const QString& name) {
    for (const auto& [value, spelling] : kOutcomeNames) {
        if (name == QLatin1String(spelling)) return value;
    }
    return std::nullopt;
}

QJsonObject RunRecord::toJson() const {
    QJsonObject object;
    object["id"] = id;
    object["app"] = appName;
    object["appPath"] = appPath;
    object["appVersion"] = appVersion;
    object["inputs"] = inputs;
    object["output"] = output;
    object["model"] = model;
    object["parameters"] = parameters;
    object["statistics"] = statistics;
    object["startedAt"] = isoOrEmpty(startedAt);
    object["endedAt"] = isoOrEmpty(endedAt);
    object["outcome"] = runOutcomeName(outcome);
    object["error"] = errorMessage;
    return object;
}

}  // namespace ps
