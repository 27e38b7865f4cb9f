#pragma once
// What a finished (or cancelled) run hands back to the UI and the CLI.
#include <QJsonObject>
#include <QMetaType>
#include <QString>

#include "generator/generator.h"

namespace ps {

struct RunResult {
    qint64 historyId = 0;  // the history row, 0 when no history is kept
    QString output;        // everything tokenReceived delivered, in order
    StopReason stopReason = StopReason::MaxTokens;
    GenerationStats stats;
    QString model;         // GenerationService::modelName()
    QString service;       // GenerationService::describe()

    // stopReason + stats as JSON (statisticsToJson).
    QJsonObject statisticsJson() const;
};

}  // namespace ps

Q_DECLARE_METATYPE(ps::RunResult)
