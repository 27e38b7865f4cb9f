#include <QJsonObject>

#include <cmath>

#include "runner/generation_service.h"
#include "runner/run_result.h"

namespace ps {

namespace {
double rounded(double value, double scale) { return std::round(value * scale) / scale; }
}  // namespace

QJsonObject statisticsToJson(const GenerationResult& result) {
    const GenerationStats& stats = result.stats;
    return QJsonObject{
        {"stopReason", QString::fromLatin1(stopReasonName(result.stopReason))},
        {"promptTokens", stats.promptTokens},
        {"reusedPromptTokens", stats.reusedPromptTokens},
        {"generatedTokens", stats.generatedTokens},
        {"timeToFirstTokenMs", rounded(stats.timeToFirstTokenMs, 1000)},
        {"prefillMs", rounded(stats.prefillMs, 1000)},
        {"decodeMs", rounded(stats.decodeMs, 1000)},
        {"prefillTokensPerSecond", rounded(stats.prefillTokensPerSecond(), 100)},
        {"decodeTokensPerSecond", rounded(stats.decodeTokensPerSecond(), 100)},
    };
}

QJsonObject RunResult::statisticsJson() const {
    GenerationResult result;
    result.stopReason = stopReason;
    result.stats = stats;
    return statisticsToJson(result);
}

}  // namespace ps
