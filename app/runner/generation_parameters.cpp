#include "runner/generation_parameters.h"

#include <QJsonArray>

#include <cmath>
#include <optional>
#include <limits>

namespace ps {

namespace {

// A number from a JSON/YAML number or a numeric string; nullopt otherwise.
std::optional<double> toNumber(const QVariant& value) {
    if (value.typeId() == QMetaType::Bool) return std::nullopt;
    bool ok = false;
    const double number = value.toDouble(&ok);
    if (!ok || !std::isfinite(number)) return std::nullopt;
    return number;
}

bool readNumber(const QVariantMap& values, const char* key, double min, double max, QStringList* errors,
                double* out) {
    const auto found = values.constFind(QLatin1String(key));
    if (found == values.constEnd()) return false;
    const auto number = toNumber(*found);
    if (!number) {
        if (errors) *errors << QStringLiteral("%1: '%2' is not a number").arg(key, found->toString());
        return false;
    }
    if (*number < min || *number > max) {
        if (errors) {
            *errors << QStringLiteral("%1: %2 is outside %3 to %4").arg(key).arg(*number).arg(min).arg(max);
        }
        return false;
    }
    *out = *number;
    return true;
}

bool readInteger(const QVariantMap& values, const char* key, double min, double max, QStringList* errors,
                 double* out) {
    double number = 0;
    if (!readNumber(values, key, min, max, errors, &number)) return false;
    if (number != std::floor(number)) {
        if (errors) *errors << QStringLiteral("%1: %2 is not a whole number").arg(key).arg(number);
        return false;
    }
    *out = number;
    return true;
}

// Floats printed as people wrote them (0.8, not 0.800000011920929).
double tidy(float value) { return std::round(static_cast<double>(value) * 1e6) / 1e6; }

}  // namespace

const QStringList& generationParameterKeys() {
    static const QStringList keys{"temperature", "top_p",     "top_k", "min_p",
                                  "repeat_penalty", "max_tokens", "seed",  "stop"};
    return keys;
}

void GenerationParameters::apply(const QVariantMap& values, QStringList* errors) {
    double number = 0;
    if (readNumber(values, "temperature", 0.0, 100.0, errors, &number)) {
        sampling.temperature = static_cast<float>(number);
    }
    if (readNumber(values, "top_p", 0.0, 1.0, errors, &number)) sampling.topP = static_cast<float>(number);
    if (readInteger(values, "top_k", 0, std::numeric_limits<int>::max(), errors, &number)) {
        sampling.topK = static_cast<int>(number);
    }
    if (readNumber(values, "min_p", 0.0, 1.0, errors, &number)) sampling.minP = static_cast<float>(number);
    if (readNumber(values, "repeat_penalty", 0.0, 100.0, errors, &number) ) {
        if (number <= 0.0) {
            if (errors) *errors << QStringLiteral("repeat_penalty: must be above 0 (1 = off)");
        } else {
            sampling.repeatPenalty = static_cast<float>(number);
        }
    }
    if (readInteger(values, "max_tokens", 0, 1 << 24, errors, &number)) maxTokens = static_cast<int>(number);
    // Seeds above 2^53 would lose digits through double; accept them as text.
    const auto seedValue = values.constFind(QStringLiteral("seed"));
    if (seedValue != values.constEnd()) {
        bool ok = false;
        const qulonglong seed = seedValue->toString().toULongLong(&ok);
        if (ok) {
            sampling.seed = seed;
        } else if (errors) {
            *errors << QStringLiteral("seed: '%1' is not a whole number >= 0").arg(seedValue->toString());
        }
    }
    const auto stopValue = values.constFind(QStringLiteral("stop"));
    if (stopValue != values.constEnd()) {
        // One string or a list of strings.
        QStringList sequences;
        if (stopValue->typeId() == QMetaType::QString) {
            sequences << stopValue->toString();
        } else if (stopValue->canConvert<QStringList>()) {
            sequences = stopValue->toStringList();
        } else if (errors) {
            *errors << QStringLiteral("stop: must be a text or a list of texts");
        }
        stop.clear();
        for (const QString& sequence : sequences) {
            if (!sequence.isEmpty()) stop.push_back(sequence.toStdString());
        }
    }
}

QJsonObject GenerationParameters::toJson() const {
    QJsonArray stops;
    for (const auto& sequence : stop) stops.append(QString::fromStdString(sequence));
    return QJsonObject{
        {"temperature", tidy(sampling.temperature)},
        {"top_p", tidy(sampling.topP)},
        {"top_k", sampling.topK},
        {"min_p", tidy(sampling.minP)},
        {"repeat_penalty", tidy(sampling.repeatPenalty)},
        {"max_tokens", maxTokens},
        // JSON numbers are doubles: exact up to 2^53, text beyond.
        {"seed", sampling.seed <= (uint64_t{1} << 53) ? QJsonValue(static_cast<double>(sampling.seed))
                                                      : QJsonValue(QString::number(sampling.seed))},
        {"stop", stops},
    };
}

}  // namespace ps
