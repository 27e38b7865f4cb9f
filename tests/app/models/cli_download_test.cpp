// promptstudio-cli download end to end: the built program run with QProcess
// against a local server that answers like Hugging Face (HF_ENDPOINT).
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <csignal>

#include "support/fake_hugging_face.h"

namespace ps {
namespace {

using test::FakeHuggingFace;

QByteArray modelBytes(int size) {
    QByteArray data("GGUF");
    while (data.size() < size) data.append(static_cast<char>(data.size() * 131 % 251));
    return data;
}

struct CliResult {
    int exitCode = -1;
    QString out;
    QString err;
};

class CliDownloadTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(folder_.isValid());
        ASSERT_TRUE(home_.isValid());
    }

    void start(QProcess& process, const QStringList& arguments) {
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert("HF_ENDPOINT", hub_.endpoint().toString());
        environment.insert("HOME", home_.path());
        environment.remove("XDG_DATA_HOME");
        environment.remove("HF_TOKEN");
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(PROMPTSTUDIO_CLI_PATH), QStringList{"download"} + arguments);
        ASSERT_TRUE(process.waitForStarted(5000));
    }

    // Waits with the event loop running: the fake server lives on this thread.
    static CliResult finish(QProcess& process) {
        QSignalSpy finished(&process, &QProcess::finished);
        if (process.state() != QProcess::NotRunning) finished.wait(20000);
        CliResult result;
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished();
            ADD_FAILURE() << "promptstudio-cli download timed out";
            return result;
        }
        result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        result.out = QString::fromUtf8(process.readAllStandardOutput());
        result.err = QString::fromUtf8(process.readAllStandardError());
        return result;
    }

    CliResult cli(const QStringList& arguments) {
        QProcess process;
        start(process, arguments);
        return finish(process);
    }

    FakeHuggingFace hub_;
    QTemporaryDir folder_;
    QTemporaryDir home_;
};

TEST_F(CliDownloadTest, DownloadsIntoTheFolderAndPrintsThePath) {
    const QByteArray content = modelBytes(150000);
    hub_.addFile("owner/repo", "m-Q4_K_M.gguf", {content});
    const CliResult result = cli({"hf:owner/repo/m-Q4_K_M.gguf", "--output", folder_.path()});
    ASSERT_EQ(result.exitCode, 0) << result.err.toStdString();
    const QString saved = folder_.filePath("m-Q4_K_M.gguf");
    EXPECT_EQ(result.out.trimmed(), saved);
    QFile file(saved);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    EXPECT_EQ(file.readAll(), content);
    EXPECT_TRUE(result.err.contains("100%")) << result.err.toStdString();
}

TEST_F(CliDownloadTest, WithoutOutputTheModelGoesWhereTheModelsPageLooks) {
    hub_.addFile("o/r", "m.gguf", {modelBytes(1000)});
    const CliResult result = cli({"hf:o/r/m.gguf"});
    ASSERT_EQ(result.exitCode, 0) << result.err.toStdString();
    EXPECT_TRUE(QFile::exists(home_.filePath(".local/share/PromptStudio/models/m.gguf")))
        << result.out.toStdString();
}

TEST_F(CliDownloadTest, FailuresAndUsageErrorsHaveTheirExitCodes) {
    hub_.addFile("o/r", "bad.gguf", {modelBytes(1000), QByteArray(64, 'b')});
    CliResult result = cli({"hf:o/r/bad.gguf", "--output", folder_.path()});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_TRUE(result.err.contains("SHA-256")) << result.err.toStdString();

    result = cli({"hf:o/r/missing.gguf", "--output", folder_.path()});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_TRUE(result.err.contains("404")) << result.err.toStdString();

    result = cli({"hf:not-an-address", "--output", folder_.path()});
    EXPECT_EQ(result.exitCode, 2);
    EXPECT_TRUE(result.err.contains("hf:OWNER/REPO/FILE.gguf")) << result.err.toStdString();

    result = cli({});
    EXPECT_EQ(result.exitCode, 2);
    result = cli({"--no-such-option"});
    EXPECT_EQ(result.exitCode, 2);
}

TEST_F(CliDownloadTest, CtrlCKeepsThePartAndTheSameCommandContinues) {
    const QByteArray content = modelBytes(2000000);
    FakeHuggingFace::File slow{content};
    slow.bytesPerTick = 4096;  // about 0.8 MB/s: seconds to go
    hub_.addFile("o/r", "m.gguf", slow);
    const QString part = folder_.filePath("m.gguf.part");
    QProcess process;
    start(process, {"hf:o/r/m.gguf", "--output", folder_.path()});
    QSignalSpy output(&process, &QProcess::readyReadStandardError);
    for (int i = 0; i < 100 && QFileInfo(part).size() < 20000; ++i) output.wait(50);
    ASSERT_GE(QFileInfo(part).size(), 20000);
    ::kill(static_cast<pid_t>(process.processId()), SIGINT);
    const CliResult stopped = finish(process);
    EXPECT_EQ(stopped.exitCode, 130) << stopped.err.toStdString();
    EXPECT_TRUE(stopped.err.contains("m.gguf.part")) << stopped.err.toStdString();
    const qint64 kept = QFileInfo(part).size();
    EXPECT_GT(kept, 0);
    EXPECT_FALSE(QFile::exists(folder_.filePath("m.gguf")));

    const CliResult resumed = cli({"hf:o/r/m.gguf", "--output", folder_.path()});
    ASSERT_EQ(resumed.exitCode, 0) << resumed.err.toStdString();
    EXPECT_TRUE(hub_.requests().last().contains(QStringLiteral("Range=bytes=%1-").arg(kept)))
        << hub_.requests().join('\n').toStdString();
    QFile file(folder_.filePath("m.gguf"));
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    EXPECT_EQ(file.readAll(), content);
}

TEST_F(CliDownloadTest, ListShowsTheRecommendedModelsWithTheirFit) {
    const CliResult result = cli({"--list"});
    ASSERT_EQ(result.exitCode, 0) << result.err.toStdString();
    EXPECT_TRUE(result.out.contains("Llama 3.2 1B Instruct"));
    EXPECT_TRUE(result.out.contains("promptstudio-cli download hf:"));
    EXPECT_TRUE(result.out.contains("Fits") || result.out.contains("Too big"));
}

}  // namespace
}  // namespace ps
