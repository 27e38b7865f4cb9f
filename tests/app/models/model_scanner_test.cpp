// Finding models on this computer: a GGUF is recognised by its header wherever it
// lies and whatever it is called; the usual places are searched; each file is
// listed once; the background scanner reports through signals and can be stopped.
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>

#include "bench/synthetic_model.h"
#include "gguf/gguf_writer.h"
#include "models/model_scanner.h"
#include "models/model_summary.h"
#include "support/shared_data.h"

namespace ps {
namespace {

QString toQString(const std::filesystem::path& path) { return QString::fromStdString(path.string()); }

// Writes `bytes` of something that is not a model (a file the scanner must open
// and reject, or skip without opening).
void writeJunk(const QString& path, qint64 bytes, const QByteArray& start) {
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    QByteArray data = start;
    data.resize(bytes, 'x');
    file.write(data);
}

void copyInto(const QString& source, const QString& destination) {
    QDir().mkpath(QFileInfo(destination).absolutePath());
    ASSERT_TRUE(QFile::copy(source, destination)) << destination.toStdString();
}

QList<ModelSummary> scan(const QList<ModelLocation>& locations) {
    QList<ModelSummary> found;
    const int count = scanForModels(locations, [&](const ModelSummary& model) { found.append(model); });
    EXPECT_EQ(count, found.size());
    return found;
}

TEST(ModelSummary, DescribesStories260KFromItsHeader) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    QString error;
    const auto summary = readModelSummary(toQString(stories), &error);
    ASSERT_TRUE(summary) << error.toStdString();
    EXPECT_EQ(summary->architecture, "llama");
    EXPECT_EQ(summary->vocabSize, 512);
    EXPECT_EQ(summary->layerCount, 5);
    EXPECT_EQ(summary->headCount, 8);
    EXPECT_EQ(summary->kvHeadCount, 4);
    EXPECT_EQ(summary->embeddingLength, 64);
    EXPECT_EQ(summary->contextLength, 2048);
    EXPECT_EQ(summary->mainTensorType, "F32");
    // "260K parameters": the tensor table, not a name, says so.
    EXPECT_GT(summary->parameterCount, 200'000u);
    EXPECT_LT(summary->parameterCount, 300'000u);
    EXPECT_EQ(formatParameterCount(summary->parameterCount).right(2), " K");
    EXPECT_EQ(summary->fileBytes, static_cast<uint64_t>(std::filesystem::file_size(stories)));
    EXPECT_TRUE(summary->runnable) << summary->problem.toStdString();
}

TEST(ModelSummary, GpuNeedGrowsWithTheContextByTheKvCache) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    const auto summary = readModelSummary(toQString(stories));
    ASSERT_TRUE(summary);
    // Keys and values, FP16, per layer and position: 2 * 5 * (4 kv heads * 8 dims) * 2 bytes.
    const uint64_t kvBytesPerPosition = 2ull * 5 * 4 * 8 * 2;
    EXPECT_EQ(summary->gpuBytesNeeded(2048) - summary->gpuBytesNeeded(1024), 1024 * kvBytesPerPosition);
    EXPECT_GT(summary->gpuBytesNeeded(0), summary->fileBytes);
}

TEST(ModelSummary, AVocabularyOnlyFileIsListedAsNotRunnableWithTheReason) {
    PS_REQUIRE_SHARED_FILE(vocab, "models/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    const auto summary = readModelSummary(toQString(vocab));
    ASSERT_TRUE(summary);
    EXPECT_FALSE(summary->runnable);
    EXPECT_TRUE(summary->problem.contains("vocabulary")) << summary->problem.toStdString();
    EXPECT_EQ(summary->supportLine(), QStringLiteral("Cannot run: this file is only a vocabulary, it has no weights"));
}

// The scanner's verdict is the runtime's support check: the other supported
// architectures run, the rest say why in people's words.
TEST(ModelSummary, EachArchitectureSaysWhetherItRuns) {
    QTemporaryDir dir;
    const auto write = [&](const char* shape, const char* architecture) {
        GgufWriter writer = makeSyntheticGguf(*syntheticModelShape(shape), TensorType::Q8_0);
        if (architecture) writer.setString("general.architecture", architecture);
        const QString path = dir.filePath(QString::fromLatin1(shape) + (architecture ? architecture : "") + ".gguf");
        writer.writeFile(path.toStdString());
        return readModelSummary(path);
    };
    for (const auto& [shape, family] : {std::pair{"tiny", "Llama"}, {"tiny-qwen2", "Qwen 2"}, {"tiny-phi3", "Phi-3"}}) {
        const auto summary = write(shape, nullptr);
        ASSERT_TRUE(summary);
        EXPECT_TRUE(summary->runnable) << shape << ": " << summary->problem.toStdString();
        EXPECT_EQ(summary->family, QString::fromLatin1(family));
        EXPECT_EQ(summary->supportLine(), QStringLiteral("Runs"));
    }
    const auto gemma = write("tiny", "gemma2");
    ASSERT_TRUE(gemma);
    EXPECT_FALSE(gemma->runnable);
    EXPECT_EQ(gemma->supportLine(), QStringLiteral("Cannot run: Gemma 2 models are not supported yet"));
}

TEST(ModelSummary, ATruncatedGgufIsListedWithItsProblemAndJunkIsNot) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    QTemporaryDir dir;
    QFile source(toQString(stories));
    ASSERT_TRUE(source.open(QIODevice::ReadOnly));
    const QString truncated = dir.filePath("cut.gguf");
    QFile cut(truncated);
    ASSERT_TRUE(cut.open(QIODevice::WriteOnly));
    cut.write(source.read(source.size() / 2));
    cut.close();

    QString error;
    const auto summary = readModelSummary(truncated, &error);
    ASSERT_TRUE(summary) << "a damaged GGUF is still shown, with why it cannot be used";
    EXPECT_FALSE(summary->runnable);
    EXPECT_FALSE(summary->problem.isEmpty());
    EXPECT_FALSE(error.isEmpty());

    writeJunk(dir.filePath("photo.gguf"), 4096, "\x89PNG");
    EXPECT_FALSE(looksLikeGguf(dir.filePath("photo.gguf")));
    EXPECT_FALSE(readModelSummary(dir.filePath("photo.gguf"), &error));
    EXPECT_FALSE(error.isEmpty());
}

TEST(ModelScanner, TheUsualPlacesAreSearchedAndAddedFoldersToo) {
    const auto locations = ModelScanner::defaultLocations("/home/ada", {"/data/models"});
    QStringList paths;
    QStringList labels;
    for (const ModelLocation& location : locations) {
        paths << location.path;
        labels << location.label;
    }
    EXPECT_TRUE(paths.contains("/home/ada/.ollama/models/blobs"));
    EXPECT_TRUE(paths.contains("/home/ada/.lmstudio/models"));
    EXPECT_TRUE(paths.contains("/home/ada/.cache/lm-studio/models"));
    EXPECT_TRUE(paths.contains("/home/ada/.local/share/nomic.ai/GPT4All"));
    EXPECT_TRUE(paths.contains("/home/ada/.cache/huggingface/hub"));
    EXPECT_TRUE(paths.contains("/home/ada/Downloads"));
    EXPECT_EQ(paths.first(), modelDownloadFolder("/home/ada")) << "downloads are found first";
    EXPECT_TRUE(paths.first().endsWith("/PromptStudio/models"));
    EXPECT_EQ(paths.last(), "/data/models");
    EXPECT_EQ(labels.last(), "Added folder");
    for (const char* label : {"Ollama", "LM Studio", "GPT4All", "Hugging Face", "Downloads"}) {
        EXPECT_TRUE(labels.contains(label)) << label;
    }
}

TEST(ModelScanner, RecognisesModelsByTheirHeaderInAFakeHome) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(tiny, "models/llama-2-tiny-random.gguf");
    QTemporaryDir home;
    const QString storiesPath = toQString(stories);
    // Ollama keeps models as extension-less blobs named by their digest.
    copyInto(storiesPath, home.filePath(".ollama/models/blobs/sha256-4f3a9c"));
    // A Hugging Face snapshot is a link into the cache's blobs: one model, listed once.
    copyInto(toQString(tiny), home.filePath(".cache/huggingface/hub/models--x--tiny/blobs/ab12"));
    QDir().mkpath(home.filePath(".cache/huggingface/hub/models--x--tiny/snapshots/main"));
    ASSERT_TRUE(QFile::link(home.filePath(".cache/huggingface/hub/models--x--tiny/blobs/ab12"),
                            home.filePath(".cache/huggingface/hub/models--x--tiny/snapshots/main/tiny.gguf")));
    // Downloads holds a renamed model and things that are not models.
    copyInto(storiesPath, home.filePath("Downloads/stories copy.bin.gguf"));
    writeJunk(home.filePath("Downloads/not-a-model.gguf"), 2 << 20, "PK\x03\x04");
    writeJunk(home.filePath("Downloads/blob-without-extension"), 2 << 20, "GGUX");
    writeJunk(home.filePath("Downloads/weights.safetensors"), 2 << 20, "GGUF");  // never opened

    const QList<ModelSummary> found = scan(ModelScanner::defaultLocations(home.path()));
    QStringList labels;
    for (const ModelSummary& model : found) labels << model.sourceLabel;
    labels.sort();
    EXPECT_EQ(labels, (QStringList{"Downloads", "Hugging Face", "Ollama"}));
    for (const ModelSummary& model : found) {
        EXPECT_EQ(model.architecture, "llama") << model.path.toStdString();
        EXPECT_TRUE(model.runnable) << model.path.toStdString();
        EXPECT_FALSE(model.path.endsWith(".safetensors"));
        EXPECT_FALSE(model.path.contains("not-a-model"));
    }
}

TEST(ModelScanner, SmallFilesAndMissingFoldersAreSkippedQuietly) {
    QTemporaryDir folder;
    // A small GGUF (a vocabulary, a test file) is not something a person picks to chat with.
    writeJunk(folder.filePath("tiny.gguf"), 1000, "GGUF");
    const QList<ModelLocation> locations = {{"Added folder", folder.path()},
                                            {"Added folder", folder.filePath("does-not-exist")}};
    EXPECT_TRUE(scan(locations).isEmpty());
}

TEST(ModelScanner, ReportsInTheBackgroundAndStopsWhenCancelled) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    QTemporaryDir folder;
    for (int i = 0; i < 3; ++i) copyInto(toQString(stories), folder.filePath(QString("m%1.gguf").arg(i)));

    ModelScanner scanner;
    QSignalSpy found(&scanner, &ModelScanner::modelFound);
    QSignalSpy finished(&scanner, &ModelScanner::finished);
    scanner.start({{"Added folder", folder.path()}});
    ASSERT_TRUE(finished.wait(10000));
    EXPECT_EQ(found.count(), 3);
    EXPECT_EQ(finished.first().first().toInt(), 3);
    EXPECT_EQ(found.first().first().value<ModelSummary>().sourceLabel, "Added folder");

    // Cancelling a running scan waits for its thread; a new scan afterwards works.
    scanner.start({{"Added folder", folder.path()}});
    scanner.cancel();
    EXPECT_FALSE(scanner.isRunning());
    found.clear();
    finished.clear();
    scanner.start({{"Added folder", folder.path()}});
    ASSERT_TRUE(finished.wait(10000));
    EXPECT_EQ(finished.first().first().toInt(), 3);
}

TEST(ModelScanner, CancelFlagStopsTheBlockingScan) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    QTemporaryDir folder;
    for (int i = 0; i < 2; ++i) copyInto(toQString(stories), folder.filePath(QString("m%1.gguf").arg(i)));
    std::atomic<bool> cancel{false};
    int calls = 0;
    const int count = scanForModels(
        {{"Added folder", folder.path()}},
        [&](const ModelSummary&) {
            ++calls;
            cancel = true;
        },
        &cancel);
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(count, 1);
}

TEST(ModelSummary, SizesReadLikeAFileManagerShowsThem) {
    EXPECT_EQ(formatBytes(512), "512 B");
    EXPECT_EQ(formatBytes(638ull << 20), "638 MiB");
    EXPECT_EQ(formatBytes(3ull << 30), "3.0 GiB");
    EXPECT_EQ(formatParameterCount(1'100'048'384ull), "1.1 B");
    EXPECT_EQ(formatParameterCount(7'241'732'096ull), "7.2 B");
    EXPECT_EQ(formatParameterCount(260'000ull), "260 K");
}

}  // namespace
}  // namespace ps

int main(int argc, char** argv) {
    QCoreApplication application(argc, argv);  // QSignalSpy::wait needs an event loop
    ::testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
