#pragma once
// The settings of one generation as an app states them in its `parameters`
// (temperature, top_p, top_k, min_p, repeat_penalty, max_tokens, seed, stop),
// turned into the runtime's SamplingParams and limits, with the user's
// overrides (a CLI flag, the runner view's controls) applied on top.
#include <QJsonObject>
#include <QStringList>
#include <QVariantMap>

#include <string>
#include <vector>

#include "sampler/sampler.h"

namespace ps {

struct GenerationParameters {
    SamplingParams sampling;
    int maxTokens = 256;  // 0 = until end-of-text or the context is full
    std::vector<std::string> stop;

    // Applies every key of `values` it knows (snake_case as in .promptapp files;
    // numbers may be given as strings, as command-line overrides are). A wrong
    // type or a value out of range adds "key: reason" to `errors` and leaves that
    // setting as it was; unknown keys are ignored (the document keeps them).
    void apply(const QVariantMap& values, QStringList* errors);

    // The settings as the app format spells them (for history and --json).
    QJsonObject toJson() const;
};

// The keys apply() understands, in the order toJson() writes them.
const QStringList& generationParameterKeys();

}  // namespace ps
