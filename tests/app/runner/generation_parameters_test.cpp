#include "runner/generation_parameters.h"

#include <QJsonArray>

#include <gtest/gtest.h>

namespace ps {
namespace {

TEST(GenerationParametersTest, AppValuesMapToSamplingAndLimits) {
    GenerationParameters parameters;
    QStringList errors;
    parameters.apply({{"temperature", 0.0},
                      {"top_p", 0.9},
                      {"top_k", 20},
                      {"min_p", 0.1},
                      {"repeat_penalty", 1.3},
                      {"max_tokens", 64},
                      {"seed", 42},
                      {"stop", QStringList{"\n\n", "THE END"}}},
                     &errors);
    EXPECT_TRUE(errors.isEmpty()) << errors.join("; ").toStdString();
    EXPECT_EQ(parameters.sampling.temperature, 0.0f);
    EXPECT_FLOAT_EQ(parameters.sampling.topP, 0.9f);
    EXPECT_EQ(parameters.sampling.topK, 20);
    EXPECT_FLOAT_EQ(parameters.sampling.minP, 0.1f);
    EXPECT_FLOAT_EQ(parameters.sampling.repeatPenalty, 1.3f);
    EXPECT_EQ(parameters.maxTokens, 64);
    EXPECT_EQ(parameters.sampling.seed, 42u);
    EXPECT_EQ(parameters.stop, (std::vector<std::string>{"\n\n", "THE END"}));
}

TEST(GenerationParametersTest, OverridesReplaceOnlyWhatTheyName) {
    GenerationParameters parameters;
    QStringList errors;
    parameters.apply({{"temperature", 0.7}, {"max_tokens", 100}, {"stop", "###"}}, &errors);
    // Command-line overrides arrive as text.
    parameters.apply({{"max_tokens", "12"}, {"seed", "18446744073709551615"}}, &errors);
    EXPECT_TRUE(errors.isEmpty()) << errors.join("; ").toStdString();
    EXPECT_FLOAT_EQ(parameters.sampling.temperature, 0.7f);
    EXPECT_EQ(parameters.maxTokens, 12);
    EXPECT_EQ(parameters.sampling.seed, 18446744073709551615ull);
    EXPECT_EQ(parameters.stop, std::vector<std::string>{"###"});
}

TEST(GenerationParametersTest, BadValuesAreReportedByKeyAndLeaveTheSetting) {
    GenerationParameters parameters;
    const GenerationParameters defaults;
    QStringList errors;
    parameters.apply({{"temperature", "hot"},
                      {"top_p", 1.5},
                      {"top_k", 2.5},
                      {"max_tokens", -1},
                      {"seed", "-3"},
                      {"repeat_penalty", 0}},
                     &errors);
    ASSERT_EQ(errors.size(), 6) << errors.join("; ").toStdString();
    EXPECT_TRUE(errors[0].startsWith("temperature:"));
    EXPECT_TRUE(errors.join("\n").contains("top_p: 1.5 is outside 0 to 1"));
    EXPECT_TRUE(errors.join("\n").contains("top_k: 2.5 is not a whole number"));
    EXPECT_EQ(parameters.sampling.temperature, defaults.sampling.temperature);
    EXPECT_EQ(parameters.sampling.topP, defaults.sampling.topP);
    EXPECT_EQ(parameters.sampling.topK, defaults.sampling.topK);
    EXPECT_EQ(parameters.maxTokens, defaults.maxTokens);
    EXPECT_EQ(parameters.sampling.seed, defaults.sampling.seed);
    EXPECT_EQ(parameters.sampling.repeatPenalty, defaults.sampling.repeatPenalty);
}

TEST(GenerationParametersTest, JsonUsesTheAppSpellingAndReadsBack) {
    GenerationParameters parameters;
    QStringList errors;
    parameters.apply({{"temperature", 0.8}, {"top_k", 5}, {"stop", QStringList{"x"}}, {"seed", 7}}, &errors);
    const QJsonObject json = parameters.toJson();
    EXPECT_EQ(json.value("temperature").toDouble(), 0.8);  // not 0.800000011920929
    EXPECT_EQ(json.value("top_k").toInt(), 5);
    EXPECT_EQ(json.value("seed").toInteger(), 7);
    EXPECT_EQ(json.value("stop").toArray(), QJsonArray{"x"});
    for (const QString& key : generationParameterKeys()) EXPECT_TRUE(json.contains(key)) << key.toStdString();

    GenerationParameters again;
    again.apply(json.toVariantMap(), &errors);
    EXPECT_TRUE(errors.isEmpty()) << errors.join("; ").toStdString();
    EXPECT_EQ(again.toJson(), json);
}

}  // namespace
}  // namespace ps
