// promptstudio-cli's runtime commands (info, tokenize, eval, generate, bench)
// end to end: the built program run with QProcess on the shared models, its
// output checked against the facts in models/README.md and the reference files.
#include <gtest/gtest.h>

#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <csignal>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "backend/backend_factory.h"
#include "reference_outputs.h"
#include "support/shared_data.h"

namespace ps {
namespace {

struct CliResult {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

std::string describe(const CliResult& result) {
    return "exit " + std::to_string(result.exitCode) + "\nstdout:\n" + result.out.toStdString() +
           "\nstderr:\n" + result.err.toStdString();
}

QString qpath(const std::filesystem::path& path) {
    return QString::fromStdString(path.string());
}

class CliRuntimeTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(dir_.isValid()); }

    QString path(const QString& name) const { return dir_.filePath(name); }

    static void start(QProcess& process, const QStringList& arguments) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove("PROMPTSTUDIO_MODEL");
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(PROMPTSTUDIO_CLI_PATH), arguments);
    }

    static CliResult finish(QProcess& process, const QStringList& arguments, int timeoutMs) {
        CliResult result;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished();
            ADD_FAILURE() << "promptstudio-cli " << arguments.join(' ').toStdString()
                          << " timed out";
            return result;
        }
        result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        result.out = process.readAllStandardOutput();
        result.err = process.readAllStandardError();
        return result;
    }

    static CliResult cli(const QStringList& arguments, int timeoutMs = 120000) {
        QProcess process;
        start(process, arguments);
        return finish(process, arguments, timeoutMs);
    }

    QTemporaryDir dir_;
};

// --- info -------------------------------------------------------------------

struct ModelFacts {
    const char* name;
    const char* mainType;
    int dim, layers, heads, kvHeads, vocab, context;  // 0 = not stated in the README
    qint64 parameters;                                // 0 = not stated exactly
};

// tiny-d256: embedding 512x256, output 512x256, per layer q/o 256x256, k/v 256x128
// (4 KV heads of 32), three FFN matrices 256x768 and two norms; one final norm.
constexpr qint64 kTinyD256Parameters =
    2 * 512 * 256 + 4 * (2 * 256 * 256 + 2 * 256 * 128 + 3 * 256 * 768 + 2 * 256) + 256;

const ModelFacts kModels[] = {
    {"stories260K", "F32", 64, 5, 8, 4, 512, 2048, 0},
    {"llama-2-tiny-random", "F16", 8, 1, 0, 0, 32000, 0, 0},
    {"tiny-d256-F32", "F32", 256, 4, 8, 4, 512, 1024, kTinyD256Parameters},
    {"tiny-d256-F16", "F16", 256, 4, 8, 4, 512, 1024, kTinyD256Parameters},
    {"tiny-d256-BF16", "BF16", 256, 4, 8, 4, 512, 1024, kTinyD256Parameters},
    {"tiny-d256-Q8_0", "Q8_0", 256, 4, 8, 4, 512, 1024, kTinyD256Parameters},
    {"tiny-d256-Q4_0", "Q4_0", 256, 4, 8, 4, 512, 1024, kTinyD256Parameters},
    {"tiny-d256-Q4_K_M", "Q4_K", 256, 4, 8, 4, 512, 1024, kTinyD256Parameters},
    {"tiny-d256-Q6_K", "Q6_K", 256, 4, 8, 4, 512, 1024, kTinyD256Parameters},
};

TEST_F(CliRuntimeTest, InfoJsonIsRightForEverySharedModel) {
    for (const ModelFacts& m : kModels) {
        PS_REQUIRE_SHARED_FILE(model, std::string("models/") + m.name + ".gguf");
        SCOPED_TRACE(m.name);
        const CliResult result = cli({"info", "--model", qpath(model), "--json"});
        ASSERT_EQ(result.exitCode, 0) << describe(result);
        QJsonParseError error;
        const QJsonObject card = QJsonDocument::fromJson(result.out, &error).object();
        ASSERT_EQ(error.error, QJsonParseError::NoError) << describe(result);
        EXPECT_EQ(card["architecture"].toString(), "llama");
        EXPECT_EQ(card["main_type"].toString(), m.mainType);
        EXPECT_EQ(card["file_bytes"].toInteger(), QFileInfo(qpath(model)).size());
        EXPECT_EQ(card["embedding_length"].toInt(), m.dim);
        EXPECT_EQ(card["layers"].toInt(), m.layers);
        EXPECT_EQ(card["vocab_size"].toInt(), m.vocab);
        if (m.heads) {
            EXPECT_EQ(card["heads"].toInt(), m.heads);
        }
        if (m.kvHeads) {
            EXPECT_EQ(card["kv_heads"].toInt(), m.kvHeads);
        }
        if (m.context) {
            EXPECT_EQ(card["context_length"].toInt(), m.context);
        }
        if (m.parameters) {
            EXPECT_EQ(card["parameters"].toInteger(), m.parameters);
        }
        // Weights are the file minus its header and tables; memory adds the KV cache.
        const qint64 weights = card["weight_bytes"].toInteger();
        EXPECT_GT(weights, 0);
        EXPECT_LE(weights, card["file_bytes"].toInteger());
        EXPECT_GT(card["memory_bytes_fp32_kv"].toInteger(), weights);
        // What --backend auto would pick: the GPU where there is one (the model is tiny),
        // else the CPU with the reason (no CUDA backend, no driver, no GPU).
        const bool gpu = cudaBackendCompiled() && !listCudaGpus().gpus.empty();
        EXPECT_EQ(card["backend"].toString(), gpu ? "cuda" : "cpu");
        EXPECT_FALSE(card["backend_reason"].toString().isEmpty());
    }
    // stories260K: "260K parameters".
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    const CliResult result = cli({"info", "--model", qpath(stories), "--json"});
    const qint64 parameters =
        QJsonDocument::fromJson(result.out).object()["parameters"].toInteger();
    EXPECT_GT(parameters, 250'000);
    EXPECT_LT(parameters, 300'000);
}

TEST_F(CliRuntimeTest, InfoTextIsAModelCard) {
    PS_REQUIRE_SHARED_FILE(model, "models/tiny-d256-Q4_K_M.gguf");
    const CliResult result = cli({"info", "--model", qpath(model)});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    const QString text = QString::fromUtf8(result.out);
    for (const char* row : {"architecture", "parameters", "tensor types", "context length",
                            "vocabulary", "file size", "memory needed", "backend"}) {
        EXPECT_TRUE(text.contains(QRegularExpression(QStringLiteral("(^|\\n)%1 ").arg(row))))
            << "no row '" << row << "' in\n"
            << text.toStdString();
    }
    // Q4_K_M mixes Q4_K and Q6_K tensors, and the norms are F32.
    EXPECT_TRUE(text.contains("Q4_K x")) << text.toStdString();
    EXPECT_TRUE(text.contains("Q6_K x")) << text.toStdString();
    EXPECT_TRUE(text.contains("F32 x")) << text.toStdString();
    EXPECT_TRUE(text.contains("3.41M")) << text.toStdString();
    EXPECT_TRUE(text.contains(QRegularExpression(QStringLiteral("\\narchitecture +llama \\(Llama\\)\\n"))))
        << text.toStdString();
    EXPECT_TRUE(text.contains(QRegularExpression(QStringLiteral("\\nruns +yes\\n")))) << text.toStdString();
}

// A file that cannot run gets its one line, and exit status 1, without loading.
TEST_F(CliRuntimeTest, InfoSaysWhyAModelCannotRun) {
    PS_REQUIRE_SHARED_FILE(vocab, "models/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    const CliResult result = cli({"info", "--model", qpath(vocab)});
    EXPECT_EQ(result.exitCode, 1) << describe(result);
    EXPECT_TRUE(QString::fromUtf8(result.out)
                    .contains(QRegularExpression(
                        QStringLiteral("\\nruns +no: this file is only a vocabulary, it has no weights\\n"))))
        << describe(result);
    const CliResult json = cli({"info", "--model", qpath(vocab), "--json"});
    const QJsonObject card = QJsonDocument::fromJson(json.out).object();
    EXPECT_FALSE(card["runs"].toBool(true)) << describe(json);
    EXPECT_EQ(card["reason"].toString(), QStringLiteral("this file is only a vocabulary, it has no weights"));
}

// --- tokenize ---------------------------------------------------------------

std::string joinIds(const std::vector<int32_t>& ids) {
    std::string line;
    for (size_t i = 0; i < ids.size(); ++i) line += (i ? " " : "") + std::to_string(ids[i]);
    return line;
}

TEST_F(CliRuntimeTest, TokenizePrintsTheReferenceIdsOnOneLine) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(tok512, "models/tok512.model");
    PS_REQUIRE_SHARED_FILE(llama2, "models/llama-2-tiny-random.gguf");
    struct Case {
        std::filesystem::path model;
        const char* reference;
        const char* prompt;
    };
    const Case cases[] = {
        {stories, "stories260K.p0", "Once upon a time"},
        {stories, "stories260K.p1", "The little dog ran to the park and"},
        {tok512, "stories260K.p1", "The little dog ran to the park and"},
        {llama2, "llama-2-tiny-random.p1", "The little dog ran to the park and"},
    };
    for (const Case& c : cases) {
        PS_REQUIRE_SHARED_FILE(json, std::string("models/reference/") + c.reference + ".json");
        SCOPED_TRACE(c.model.string() + " " + c.prompt);
        const std::vector<int32_t> ids = test::readJsonIntArray(json, "prompt_tokens");
        const CliResult result = cli({"tokenize", "--model", qpath(c.model), "--prompt", c.prompt});
        ASSERT_EQ(result.exitCode, 0) << describe(result);
        EXPECT_EQ(result.out.toStdString(), joinIds(ids) + "\n");

        const CliResult noBos =
            cli({"tokenize", "--model", qpath(c.model), "--prompt", c.prompt, "--no-bos"});
        EXPECT_EQ(noBos.out.toStdString(),
                  joinIds(std::vector<int32_t>(ids.begin() + 1, ids.end())) + "\n");
    }
}

TEST_F(CliRuntimeTest, TokenizePiecesPairsEachIdWithItsPiece) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    const CliResult result = cli({"tokenize", "--model", qpath(stories), "--prompt",
                                  "Once upon a time \xF0\x9F\x90\xB6", "--pieces"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    const QStringList pairs = QString::fromUtf8(result.out).trimmed().split(' ');
    ASSERT_GE(pairs.size(), 9);
    EXPECT_EQ(pairs[0], "1:<s>");
    EXPECT_EQ(pairs[4], QString::fromUtf8("378:\xE2\x96\x81time"));  // "▁time"
    // The emoji is not in the 512-piece vocabulary: four byte pieces.
    EXPECT_TRUE(pairs.last().endsWith(":<0xB6>")) << result.out.toStdString();
    EXPECT_TRUE(pairs[pairs.size() - 4].endsWith(":<0xF0>")) << result.out.toStdString();
}

// --- byte-level BPE vocabularies, info MODEL, tokenize --file ------------------

TEST_F(CliRuntimeTest, InfoNamesTheTokenizerAndTakesTheModelAsArgument) {
    PS_REQUIRE_SHARED_FILE(model, "models/l3-d128-Q8_0.gguf");
    const CliResult text = cli({"info", qpath(model)});
    ASSERT_EQ(text.exitCode, 0) << describe(text);
    EXPECT_TRUE(text.out.contains("tokenizer             gpt2 (byte-level BPE), pre-tokenizer llama-bpe\n"))
        << text.out.toStdString();
    EXPECT_FALSE(text.out.contains("not known")) << text.out.toStdString();

    const CliResult json = cli({"info", qpath(model), "--json"});
    ASSERT_EQ(json.exitCode, 0) << describe(json);
    const QJsonObject card = QJsonDocument::fromJson(json.out).object();
    EXPECT_EQ(card["architecture"].toString(), "llama");
    EXPECT_EQ(card["vocabulary_type"].toString(), "gpt2");
    EXPECT_EQ(card["pre_tokenizer"].toString(), "llama-bpe");
    EXPECT_EQ(card["pre_tokenizer_expression"].toString(), "llama3");
    EXPECT_FALSE(card["pre_tokenizer_fallback"].toBool());
    EXPECT_EQ(card["bos_id"].toInt(), 128000);

    const CliResult both = cli({"info", qpath(model), "--model", qpath(model)});
    EXPECT_EQ(both.exitCode, 2) << describe(both);
    EXPECT_TRUE(both.err.contains("not both")) << describe(both);
    const CliResult two = cli({"info", qpath(model), qpath(model)});
    EXPECT_EQ(two.exitCode, 2) << describe(two);
    EXPECT_TRUE(two.err.contains("unexpected argument")) << describe(two);
}

TEST_F(CliRuntimeTest, InfoSaysWhenThePreTokenizerIsNotKnown) {
    PS_REQUIRE_SHARED_FILE(model, "models/l3-d128-Q8_0.gguf");
    // The same model with a pre-tokenizer name this program has never heard of.
    QFile original(qpath(model));
    ASSERT_TRUE(original.open(QIODevice::ReadOnly));
    QByteArray bytes = original.readAll();
    const QByteArray name = "llama-bpe";
    const int at = bytes.indexOf(QByteArray("tokenizer.ggml.pre"));
    ASSERT_GE(at, 0);
    const int value = bytes.indexOf(name, at);
    ASSERT_GT(value, at);
    bytes.replace(value, name.size(), QByteArray("brand-new"));  // same length: offsets stay
    const QString edited = path("unknown-pre.gguf");
    QFile out(edited);
    ASSERT_TRUE(out.open(QIODevice::WriteOnly));
    ASSERT_EQ(out.write(bytes), bytes.size());
    out.close();

    const CliResult text = cli({"info", edited});
    ASSERT_EQ(text.exitCode, 0) << describe(text);
    EXPECT_TRUE(text.out.contains("pre-tokenizer brand-new (not known here: GPT-2's expression is used"))
        << text.out.toStdString();
    const CliResult json = cli({"info", edited, "--json"});
    const QJsonObject card = QJsonDocument::fromJson(json.out).object();
    EXPECT_EQ(card["pre_tokenizer"].toString(), "brand-new");
    EXPECT_EQ(card["pre_tokenizer_expression"].toString(), "gpt2");
    EXPECT_TRUE(card["pre_tokenizer_fallback"].toBool());
}

TEST_F(CliRuntimeTest, TokenizeWorksOnVocabularyOnlyFiles) {
    struct Case {
        const char* vocab;
        const char* ids;  // "Hello world", llama.cpp's ids with the vocabulary's BOS
    };
    for (const Case& c : {Case{"llama-bpe", "128000 9906 1917\n"}, Case{"qwen2", "9707 1879\n"},
                          Case{"phi-3", "1 15043 3186\n"}}) {
        PS_REQUIRE_SHARED_FILE(vocab, std::string("models/tokenizer-vectors/ggml-vocab-") + c.vocab + ".gguf");
        SCOPED_TRACE(c.vocab);
        const CliResult result = cli({"tokenize", "--model", qpath(vocab), "--prompt", "Hello world"});
        ASSERT_EQ(result.exitCode, 0) << describe(result);
        EXPECT_EQ(result.out.toStdString(), c.ids);
    }
}

TEST_F(CliRuntimeTest, TokenizeReadsAFileOrStandardInput) {
    PS_REQUIRE_SHARED_FILE(vocab, "models/tokenizer-vectors/ggml-vocab-qwen2.gguf");
    const QByteArray text = "Line one \xF0\x9F\x98\x80\n  indented <|im_end|> 12345\n";
    const QString file = path("text.txt");
    {
        QFile out(file);
        ASSERT_TRUE(out.open(QIODevice::WriteOnly));
        out.write(text);
    }
    const CliResult fromPrompt = cli({"tokenize", "--model", qpath(vocab), "--prompt", QString::fromUtf8(text)});
    const CliResult fromFile = cli({"tokenize", "--model", qpath(vocab), "--file", file});
    ASSERT_EQ(fromFile.exitCode, 0) << describe(fromFile);
    EXPECT_EQ(fromFile.out, fromPrompt.out);
    // <|im_end|> (151645) stays text unless asked for.
    EXPECT_FALSE(fromFile.out.contains("151645")) << fromFile.out.toStdString();
    const CliResult parsed = cli({"tokenize", "--model", qpath(vocab), "--file", file, "--parse-special"});
    EXPECT_TRUE(parsed.out.contains(" 151645 ")) << parsed.out.toStdString();

    const CliResult count = cli({"tokenize", "--model", qpath(vocab), "--file", file, "--count"});
    EXPECT_EQ(count.out.trimmed().toInt(), fromFile.out.trimmed().split(' ').size()) << describe(count);

    QProcess process;
    const QStringList arguments{"tokenize", "--model", qpath(vocab), "--file", "-"};
    start(process, arguments);
    process.write(text);
    process.closeWriteChannel();
    const CliResult fromStdin = finish(process, arguments, 60000);
    EXPECT_EQ(fromStdin.out, fromFile.out) << describe(fromStdin);
}

TEST_F(CliRuntimeTest, TokenizeFileErrorsAreClear) {
    PS_REQUIRE_SHARED_FILE(vocab, "models/tokenizer-vectors/ggml-vocab-qwen2.gguf");
    const CliResult folder = cli({"tokenize", "--model", qpath(vocab), "--file", dir_.path()});
    EXPECT_EQ(folder.exitCode, 1) << describe(folder);
    EXPECT_TRUE(folder.err.contains("not a regular file")) << describe(folder);
    const CliResult missing = cli({"tokenize", "--model", qpath(vocab), "--file", path("none.txt")});
    EXPECT_EQ(missing.exitCode, 1) << describe(missing);
    EXPECT_TRUE(missing.err.contains("none.txt") && missing.err.contains("No such file")) << describe(missing);
    const CliResult both = cli({"tokenize", "--model", qpath(vocab), "--file", path("none.txt"), "--prompt", "x"});
    EXPECT_EQ(both.exitCode, 2) << describe(both);
}

// --- eval -------------------------------------------------------------------

// As tests/inference/cpu: float32 arithmetic on float weights lands near 1e-6 of
// the exact logits; 8-bit activations for the quantized types, 1.4e-2..1.6e-2.
double toleranceVsExact(const std::string& model) {
    for (const char* q : {"Q8_0", "Q4_0", "Q4_K", "Q6_K"}) {
        if (model.find(q) != std::string::npos) return 3e-2;
    }
    return 1e-5;
}

TEST_F(CliRuntimeTest, EvalWritesTheLastLogitsMatchingTheReference) {
    const char* prompts[] = {"Once upon a time", "The little dog ran to the park and"};
    for (const ModelFacts& m : kModels) {
        PS_REQUIRE_SHARED_FILE(model, std::string("models/") + m.name + ".gguf");
        for (int p = 0; p < 2; ++p) {
            const std::string base =
                std::string("models/reference/") + m.name + ".p" + std::to_string(p);
            PS_REQUIRE_SHARED_FILE(exactPath, base + ".exact-logits.f32");
            SCOPED_TRACE(base);
            const QString out = path(QStringLiteral("%1.p%2.f32").arg(m.name).arg(p));
            const CliResult result = cli({"eval", "--model", qpath(model), "--prompt", prompts[p],
                                          "--logits-out", out, "--threads", "2"});
            ASSERT_EQ(result.exitCode, 0) << describe(result);
            EXPECT_TRUE(result.out.isEmpty()) << describe(result);
            const std::vector<float> logits = test::readFloats(out.toStdString());
            const std::vector<float> exact = test::readFloats(exactPath);
            ASSERT_EQ(logits.size(), exact.size());
            EXPECT_EQ(QFileInfo(out).size(), static_cast<qint64>(exact.size() * sizeof(float)));
            EXPECT_LT(test::relativeL2(logits, exact), toleranceVsExact(m.name));
        }
    }
}

// --- generate ---------------------------------------------------------------

TEST_F(CliRuntimeTest, GenerateGreedyOnStoriesPrintsExactlyTheReferenceText) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(expectedPath, "models/stories260K.greedy-256.txt");
    QFile expected(qpath(expectedPath));
    ASSERT_TRUE(expected.open(QIODevice::ReadOnly));
    const CliResult result =
        cli({"generate", "--model", qpath(stories), "--prompt", "Once upon a time", "--temperature",
             "0", "--max-tokens", "256", "--threads", "1", "--backend", "cpu"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    // stdout holds the generated text and nothing else; the statistics are on stderr.
    EXPECT_EQ(result.out.toStdString(), expected.readAll().toStdString());
    const QString err = QString::fromUtf8(result.err);
    EXPECT_TRUE(err.contains("prompt tokens: 5, generated: 256, stop: max-tokens"))
        << describe(result);
    EXPECT_TRUE(err.contains("decode:")) << describe(result);
    EXPECT_TRUE(err.contains("backend: cpu")) << describe(result);
}

TEST_F(CliRuntimeTest, GeneratePromptIsTextUnlessParseSpecialIsGiven) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    const auto promptTokens = [&](const QStringList& extra) {
        const CliResult result = cli(QStringList{"generate", "--model", qpath(stories), "--prompt", "</s>",
                                                 "--max-tokens", "1", "--temperature", "0"} + extra);
        EXPECT_EQ(result.exitCode, 0) << describe(result);
        const QRegularExpressionMatch match =
            QRegularExpression("prompt tokens: (\\d+)").match(QString::fromUtf8(result.err));
        return match.hasMatch() ? match.captured(1).toInt() : -1;
    };
    // "</s>" as text is several pieces after BOS; parsed it is the EOS token itself.
    EXPECT_GT(promptTokens({}), 2);
    EXPECT_EQ(promptTokens({"--parse-special"}), 2);
}

// Nothing configured (no --model, no PROMPTSTUDIO_MODEL): the built-in demo model
// of the build tree answers, and stderr says so; its greedy text is stories260K's.
TEST_F(CliRuntimeTest, GenerateWithoutAModelRunsTheBuiltInDemoModelAndSaysSo) {
    const CliResult result = cli({"generate", "--prompt", "Once upon a time", "--temperature", "0",
                                  "--max-tokens", "24", "--threads", "1", "--backend", "cpu"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    const QString err = QString::fromUtf8(result.err);
    EXPECT_TRUE(err.contains("using the built-in demo model")) << describe(result);
    EXPECT_TRUE(err.contains("resources/models/stories260K.gguf")) << describe(result);
    EXPECT_TRUE(err.contains("--model FILE.gguf")) << describe(result);
    ASSERT_FALSE(result.out.isEmpty()) << describe(result);
    QFile expected(qpath(ps::test::modelsDir() / "stories260K.greedy-256.txt"));
    if (expected.open(QIODevice::ReadOnly)) {
        EXPECT_TRUE(expected.readAll().startsWith(result.out)) << describe(result);
    }
}

TEST_F(CliRuntimeTest, GenerateStopSequenceEndsTheTextBeforeIt) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    const CliResult result = cli({"generate", "--model", qpath(stories), "--prompt",
                                  "Once upon a time", "--temperature", "0", "--stop", "Lily"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    EXPECT_EQ(result.out.toStdString(), ", there was a little girl named ");
    EXPECT_TRUE(result.err.contains("stop: stop-sequence")) << describe(result);
}

TEST_F(CliRuntimeTest, GenerateWithASeedRepeatsItself) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    const QStringList arguments = {
        "generate", "--model", qpath(stories), "--prompt", "Once upon a time", "--temperature", "1",
        "--seed",   "1234",    "--max-tokens", "40"};
    const CliResult first = cli(arguments);
    const CliResult second = cli(arguments);
    ASSERT_EQ(first.exitCode, 0) << describe(first);
    EXPECT_FALSE(first.out.isEmpty());
    EXPECT_EQ(first.out, second.out);
    EXPECT_TRUE(first.err.contains("seed: 1234")) << describe(first);
}

TEST_F(CliRuntimeTest, PromptLongerThanTheContextIsAClearError) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    QString prompt;
    for (int i = 0; i < 20; ++i) prompt += "Once upon a time there was a dog. ";
    const CliResult result =
        cli({"generate", "--model", qpath(stories), "--prompt", prompt, "--context", "32"});
    EXPECT_EQ(result.exitCode, 1) << describe(result);
    EXPECT_TRUE(result.out.isEmpty()) << describe(result);
    EXPECT_TRUE(result.err.contains("context")) << describe(result);
    // --keep-end drops the start of the prompt instead.
    const CliResult kept =
        cli({"generate", "--model", qpath(stories), "--prompt", prompt, "--context", "32",
             "--keep-end", "--max-tokens", "4", "--temperature", "0"});
    EXPECT_EQ(kept.exitCode, 0) << describe(kept);
}

TEST_F(CliRuntimeTest, CtrlCEndsGenerateWithExitCode130) {
    PS_REQUIRE_SHARED_FILE(model, "models/tiny-d256-F32.gguf");
    // Random weights rarely say EOS: without --max-tokens the run lasts until the
    // 1024-position context is full, far longer than the signal takes.
    const QStringList arguments = {
        "generate",     "--model", qpath(model),   "--prompt",  "Once upon a time",
        "--max-tokens", "0",       "--ignore-eos", "--threads", "1"};
    QProcess process;
    start(process, arguments);
    ASSERT_TRUE(process.waitForStarted());
    // The first text on stdout means the handler is in place and decoding runs.
    ASSERT_TRUE(process.waitForReadyRead(60000));
    ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    const CliResult result = finish(process, arguments, 60000);
    EXPECT_EQ(result.exitCode, 130) << describe(result);
    EXPECT_TRUE(result.err.contains("stop: cancelled")) << describe(result);
}

// --- bench ------------------------------------------------------------------

TEST_F(CliRuntimeTest, BenchJsonHasTheFigures) {
    // A test of the output's shape on a tiny synthetic model, not of speed.
    const CliResult result =
        cli({"bench", "--synthetic", "tiny", "--type", "q8_0", "--threads", "1", "--prefill",
             "8,16", "--decode-tokens", "4", "--repetitions", "1", "--backend", "cpu", "--json"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    QJsonParseError error;
    const QJsonObject figures = QJsonDocument::fromJson(result.out, &error).object();
    ASSERT_EQ(error.error, QJsonParseError::NoError) << describe(result);
    for (const char* key : {"prefill_tokens_per_s", "decode_tokens_per_s", "ttft_ms",
                            "bytes_per_token", "decode_gb_per_s"}) {
        ASSERT_TRUE(figures[key].isDouble()) << key << "\n" << describe(result);
        EXPECT_GT(figures[key].toDouble(), 0) << key;
    }
    EXPECT_EQ(figures["backend"].toString(), "cpu");
}

TEST_F(CliRuntimeTest, BenchTextNamesTheFigures) {
    const CliResult result =
        cli({"bench", "--synthetic", "tiny", "--type", "Q4_0", "--threads", "1", "--prefill", "8",
             "--decode-tokens", "4", "--repetitions", "1"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    const QString text = QString::fromUtf8(result.out);
    for (const char* word : {"prefill", "decode", "GB/s", "Q4_0"}) {
        EXPECT_TRUE(text.contains(word, Qt::CaseInsensitive)) << word << "\n" << describe(result);
    }
}

// The file bench-compare.sh gives both programs: written, then measured from disk.
TEST_F(CliRuntimeTest, BenchWritesASyntheticGgufItThenReads) {
    const QString file = dir_.filePath("tiny-Q4_K_M.gguf");
    const CliResult written = cli({"bench", "--synthetic", "tiny", "--type", "Q4_K_M", "--write-gguf", file});
    ASSERT_EQ(written.exitCode, 0) << describe(written);
    const CliResult result = cli({"bench", "--model", file, "--threads", "1", "--prefill", "8", "--decode-tokens",
                                  "2", "--repetitions", "1", "--backend", "cpu", "--json"});
    ASSERT_EQ(result.exitCode, 0) << describe(result);
    const QJsonObject figures = QJsonDocument::fromJson(result.out).object();
    EXPECT_EQ(figures["weight_type"].toString(), "Q4_K") << describe(result);
    EXPECT_GT(figures["decode_tokens_per_s"].toDouble(), 0) << describe(result);
    // The mix puts output.weight in Q6_K, which reads more bytes than all-Q4_K.
    const CliResult plain = cli({"bench", "--synthetic", "tiny", "--type", "Q4_K", "--threads", "1", "--prefill",
                                 "8", "--decode-tokens", "2", "--repetitions", "1", "--backend", "cpu", "--json"});
    ASSERT_EQ(plain.exitCode, 0) << describe(plain);
    EXPECT_GT(figures["bytes_per_token"].toDouble(),
              QJsonDocument::fromJson(plain.out).object()["bytes_per_token"].toDouble());
}

// --- usage and errors -------------------------------------------------------

TEST_F(CliRuntimeTest, UsageErrorsExitWith2AndSayWhatIsWrong) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    const QString model = qpath(stories);
    struct Case {
        QStringList arguments;
        const char* message;
    };
    const Case cases[] = {
        {{}, "usage:"},
        {{"frobnicate"}, "unknown command 'frobnicate'"},
        {{"generate", "--model", model}, "--prompt is required"},
        {{"generate", "--model", model, "--prompt", "x", "--bogus"}, "bogus"},
        {{"generate", "--model", model, "--prompt", "x", "--threads", "two"}, "--threads"},
        {{"generate", "--model", model, "--prompt", "x", "--top-p", "1.5"}, "--top-p"},
        {{"eval", "--model", model, "--prompt", "x"}, "--logits-out is required"},
        {{"eval", "--model", model, "--prompt", "x", "--logits-out", "l.f32", "--backend", "gpu"},
         "--backend must be auto, cpu or cuda"},
        {{"tokenize", "--model", model, "--prompt", "x", "extra"}, "unexpected argument 'extra'"},
        {{"bench"}, "--model FILE or --synthetic SHAPE"},
        {{"bench", "--model", model, "--synthetic", "tiny"}, "--model FILE or --synthetic SHAPE"},
        {{"bench", "--synthetic", "llama9-1t"}, "llama9-1t"},
        {{"bench", "--synthetic", "tiny", "--type", "Q3_Z"}, "Q3_Z"},
        {{"bench", "--synthetic", "tiny", "--prefill", "64,x"}, "--prefill"},
        {{"bench", "--model", model, "--write-gguf", "x.gguf"}, "--write-gguf writes a --synthetic model"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.arguments.join(' ').toStdString());
        const CliResult result = cli(c.arguments);
        EXPECT_EQ(result.exitCode, 2) << describe(result);
        EXPECT_TRUE(result.err.contains(c.message)) << describe(result);
    }
}

TEST_F(CliRuntimeTest, HelpGoesToStdoutWithExit0) {
    for (const char* command : {"generate", "info", "tokenize", "eval", "bench"}) {
        const CliResult result = cli({command, "--help"});
        EXPECT_EQ(result.exitCode, 0) << describe(result);
        EXPECT_TRUE(result.out.contains(QByteArray("Usage: promptstudio-cli ") + command))
            << describe(result);
    }
    for (const char* command : {"generate", "eval", "bench"}) {
        const CliResult result = cli({command, "--help"});
        for (const char* option : {"--threads", "--backend", "--device"}) {
            EXPECT_TRUE(result.out.contains(option)) << command << " lacks " << option;
        }
    }
}

TEST_F(CliRuntimeTest, BadFilesExitWith1AndNameTheFile) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    QFile original(qpath(stories));
    ASSERT_TRUE(original.open(QIODevice::ReadOnly));
    const QByteArray bytes = original.readAll();
    const QString truncated = path("truncated.gguf");
    {
        QFile file(truncated);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write(bytes.left(bytes.size() / 2));
    }
    const QString notGguf = path("notes.gguf");
    {
        QFile file(notGguf);
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write("these are not the weights you are looking for\n");
    }
    const QString missing = path("missing.gguf");
    for (const QString& file : {truncated, notGguf, missing}) {
        for (const QStringList& arguments :
             {QStringList{"info", "--model", file},
              QStringList{"generate", "--model", file, "--prompt", "x"},
              QStringList{"eval", "--model", file, "--prompt", "x", "--logits-out", path("l.f32")},
              QStringList{"tokenize", "--model", file, "--prompt", "x"},
              QStringList{"bench", "--model", file}}) {
            SCOPED_TRACE(arguments.join(' ').toStdString());
            const CliResult result = cli(arguments);
            EXPECT_EQ(result.exitCode, 1) << describe(result);
            EXPECT_TRUE(result.err.contains(file.toUtf8())) << describe(result);
            EXPECT_TRUE(result.out.isEmpty()) << describe(result);
        }
    }
    // A logits file that cannot be written.
    const CliResult result = cli({"eval", "--model", qpath(stories), "--prompt", "x",
                                  "--logits-out", path("no/such/folder/l.f32")});
    EXPECT_EQ(result.exitCode, 1) << describe(result);
    EXPECT_TRUE(result.err.contains("no/such/folder/l.f32")) << describe(result);
}

}  // namespace
}  // namespace ps

int main(int argc, char** argv) {
    QCoreApplication application(argc, argv);  // QProcess wants one
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
