// ModelDownload against a local server that answers like Hugging Face:
// redirects, ranges, the SHA-256 in X-Linked-Etag, broken connections, wrong
// checksums, missing files, gated repositories, a full disk.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>

#include "models/model_download.h"
#include "models/model_source.h"
#include "models/network_error_text.h"
#include "support/fake_hugging_face.h"

namespace ps {
namespace {

using test::FakeHuggingFace;

// A file that starts like a GGUF model, with bytes that differ everywhere.
QByteArray modelBytes(int size) {
    QByteArray data("GGUF");
    data.reserve(size);
    uint32_t x = 12345;
    while (data.size() < size) {
        x = x * 1664525u + 1013904223u;
        data.append(static_cast<char>(x >> 24));
    }
    return data;
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

class ModelDownloadTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_TRUE(folder_.isValid()); }

    ModelSource source(const QString& repo, const QString& path) const {
        QString error;
        auto parsed = parseModelSource("hf:" + repo + "/" + path, hub_.endpoint(), &error);
        EXPECT_TRUE(parsed) << error.toStdString();
        return parsed.value_or(ModelSource{});
    }

    std::unique_ptr<ModelDownload> download(const QString& repo, const QString& path) {
        auto result = std::make_unique<ModelDownload>(source(repo, path), folder_.path());
        result->setAutomaticRetries(0, 0);
        result->setToken({});
        return result;
    }

    // Runs until finished or failed (at most 10 s); true when finished.
    static bool run(ModelDownload& download, bool start = true) {
        QSignalSpy finished(&download, &ModelDownload::finished);
        QSignalSpy failed(&download, &ModelDownload::failed);
        if (start) download.start();
        for (int i = 0; i < 100 && finished.isEmpty() && failed.isEmpty(); ++i) finished.wait(100);
        EXPECT_TRUE(!finished.isEmpty() || !failed.isEmpty()) << "the download never ended";
        return !finished.isEmpty();
    }

    QString path(const QString& name) const { return folder_.filePath(name); }

    FakeHuggingFace hub_;
    QTemporaryDir folder_;
};

TEST_F(ModelDownloadTest, FollowsTheRedirectChecksTheSha256AndRenamesThePartIntoPlace) {
    const QByteArray content = modelBytes(300000);
    hub_.addFile("owner/repo", "model-Q4_K_M.gguf", {content});
    auto job = download("owner/repo", "model-Q4_K_M.gguf");
    QSignalSpy progress(job.get(), &ModelDownload::progress);
    QList<ModelDownload::State> states;
    QObject::connect(job.get(), &ModelDownload::stateChanged, [&](ModelDownload::State s) { states << s; });
    ASSERT_TRUE(run(*job)) << job->errorText().toStdString();

    EXPECT_EQ(job->state(), ModelDownload::State::Finished);
    // Writing the whole file to disk at the end happens on a thread while the state
    // says Checking: the window's event loop never waits for a multi-GB fsync.
    EXPECT_EQ(states, QList<ModelDownload::State>({ModelDownload::State::Downloading, ModelDownload::State::Checking,
                                                   ModelDownload::State::Finished}));
    EXPECT_EQ(readAll(path("model-Q4_K_M.gguf")), content);
    EXPECT_FALSE(QFile::exists(job->partPath()));
    EXPECT_FALSE(QFile::exists(job->partPath() + ".lock"));
    EXPECT_EQ(job->expectedSha256(), QString::fromLatin1(FakeHuggingFace::sha256Hex(content)));
    EXPECT_EQ(job->totalBytes(), content.size());
    ASSERT_FALSE(progress.isEmpty());
    EXPECT_EQ(progress.last().at(0).toLongLong(), content.size());
    const QStringList requests = hub_.requests();
    ASSERT_EQ(requests.size(), 2) << requests.join('\n').toStdString();
    EXPECT_TRUE(requests[0].startsWith("GET /owner/repo/resolve/main/model-Q4_K_M.gguf"));
    EXPECT_TRUE(requests[1].startsWith("GET /cdn/owner/repo/model-Q4_K_M.gguf"));
}

TEST_F(ModelDownloadTest, TheTokenGoesToTheHubOnlyNeverToTheServerItRedirectsTo) {
    const QByteArray content = modelBytes(5000);
    FakeHuggingFace::File gated{content};
    gated.requiredToken = "secret-token";
    hub_.addFile("meta/gated", "m.gguf", gated);

    auto without = download("meta/gated", "m.gguf");
    ASSERT_FALSE(run(*without));
    EXPECT_TRUE(without->errorText().contains("HF_TOKEN")) << without->errorText().toStdString();
    EXPECT_TRUE(without->errorText().contains("401"));
    EXPECT_FALSE(QFile::exists(without->partPath())) << "nothing was downloaded: no .part left";

    auto with = download("meta/gated", "m.gguf");
    with->setToken("secret-token");
    ASSERT_TRUE(run(*with)) << with->errorText().toStdString();
    const QStringList requests = hub_.requests();
    EXPECT_TRUE(requests[requests.size() - 2].contains("Authorization=Bearer secret-token"));
    EXPECT_FALSE(requests.last().contains("Authorization")) << requests.last().toStdString();
}

TEST_F(ModelDownloadTest, ABrokenConnectionIsResumedWithARangeByItself) {
    const QByteArray content = modelBytes(200000);
    FakeHuggingFace::File file{content};
    file.breakAfterBytes = 70000;
    hub_.addFile("o/r", "m.gguf", file);
    auto job = download("o/r", "m.gguf");
    job->setAutomaticRetries(2, 0);
    QSignalSpy notes(job.get(), &ModelDownload::note);
    ASSERT_TRUE(run(*job)) << job->errorText().toStdString();
    EXPECT_EQ(readAll(path("m.gguf")), content);
    EXPECT_TRUE(hub_.requests().last().contains("Range=bytes=70000-"))
        << hub_.requests().join('\n').toStdString();
    ASSERT_FALSE(notes.isEmpty());
}

TEST_F(ModelDownloadTest, WithoutRetriesABrokenConnectionKeepsThePartAndStartResumesIt) {
    const QByteArray content = modelBytes(120000);
    FakeHuggingFace::File file{content};
    file.breakAfterBytes = 50000;
    hub_.addFile("o/r", "m.gguf", file);
    auto job = download("o/r", "m.gguf");
    ASSERT_FALSE(run(*job));
    EXPECT_EQ(job->state(), ModelDownload::State::Failed);
    EXPECT_TRUE(job->canResume());
    EXPECT_TRUE(job->errorText().contains("resume")) << job->errorText().toStdString();
    EXPECT_EQ(QFileInfo(job->partPath()).size(), 50000);
    EXPECT_FALSE(QFile::exists(path("m.gguf")));

    // A new object (as after a restart of the program) continues the same .part.
    auto again = download("o/r", "m.gguf");
    ASSERT_TRUE(run(*again)) << again->errorText().toStdString();
    EXPECT_EQ(readAll(path("m.gguf")), content);
    EXPECT_TRUE(hub_.requests().last().contains("Range=bytes=50000-"));
}

TEST_F(ModelDownloadTest, AServerThatIgnoresRangesMakesItStartOver) {
    const QByteArray content = modelBytes(64000);
    FakeHuggingFace::File file{content};
    file.acceptRanges = false;
    hub_.addFile("o/r", "m.gguf", file);
    {
        QFile part(path("m.gguf.part"));
        ASSERT_TRUE(part.open(QIODevice::WriteOnly));
        part.write(QByteArray(1000, 'x'));  // not even the right bytes
    }
    auto job = download("o/r", "m.gguf");
    QSignalSpy notes(job.get(), &ModelDownload::note);
    ASSERT_TRUE(run(*job)) << job->errorText().toStdString();
    EXPECT_EQ(readAll(path("m.gguf")), content);
    EXPECT_TRUE(hub_.requests().last().contains("Range=bytes=1000-"));
    bool saidSo = false;
    for (const auto& note : notes) saidSo |= note.at(0).toString().contains("starting over");
    EXPECT_TRUE(saidSo);
}

TEST_F(ModelDownloadTest, AWrongChecksumDeletesThePartAndSaysSo) {
    FakeHuggingFace::File file{modelBytes(40000)};
    file.linkedSha256 = QByteArray(64, 'a');
    hub_.addFile("o/r", "m.gguf", file);
    auto job = download("o/r", "m.gguf");
    ASSERT_FALSE(run(*job));
    EXPECT_TRUE(job->errorText().contains("SHA-256")) << job->errorText().toStdString();
    EXPECT_TRUE(job->errorText().contains("deleted"));
    EXPECT_FALSE(QFile::exists(job->partPath()));
    EXPECT_FALSE(QFile::exists(path("m.gguf")));
    EXPECT_FALSE(job->canResume());
}

TEST_F(ModelDownloadTest, AResumedDownloadIsCheckedOverTheWholeFile) {
    // The .part on disk holds wrong bytes; the server resumes after them; the
    // SHA-256 covers the whole file, so the mix is caught.
    const QByteArray content = modelBytes(50000);
    hub_.addFile("o/r", "m.gguf", {content});
    {
        QFile part(path("m.gguf.part"));
        ASSERT_TRUE(part.open(QIODevice::WriteOnly));
        QByteArray damaged = content.left(20000);
        damaged[10000] = static_cast<char>(damaged[10000] ^ 0x55);
        part.write(damaged);
    }
    auto job = download("o/r", "m.gguf");
    ASSERT_FALSE(run(*job));
    EXPECT_TRUE(job->errorText().contains("damaged")) << job->errorText().toStdString();
    EXPECT_FALSE(QFile::exists(path("m.gguf")));
}

TEST_F(ModelDownloadTest, MissingFilesAndRefusedConnectionsGetClearMessages) {
    auto missing = download("o/r", "nothing.gguf");
    ASSERT_FALSE(run(*missing));
    EXPECT_TRUE(missing->errorText().contains("404")) << missing->errorText().toStdString();
    EXPECT_FALSE(QFile::exists(missing->partPath()));

    // A port where nothing listens.
    QTcpServer closed;
    ASSERT_TRUE(closed.listen(QHostAddress::LocalHost, 0));
    const quint16 port = closed.serverPort();
    closed.close();
    ModelSource source;
    source.url = QUrl(QStringLiteral("http://127.0.0.1:%1/m.gguf").arg(port));
    source.fileName = "m.gguf";
    ModelDownload refused(source, folder_.path());
    refused.setAutomaticRetries(0, 0);
    ASSERT_FALSE(run(refused));
    EXPECT_TRUE(refused.errorText().contains("refused")) << refused.errorText().toStdString();

    // No name lookup in a test (it could wait on an unreachable DNS server): the
    // sentence for a name that does not resolve, as the download would say it.
    const QString offline = describeNetworkFailure(QNetworkReply::HostNotFoundError, 0,
                                                   QUrl("https://huggingface.co/x"), "Host not found");
    EXPECT_TRUE(offline.contains("huggingface.co"));
    EXPECT_TRUE(offline.contains("online"));
}

TEST_F(ModelDownloadTest, NotEnoughDiskSpaceStopsBeforeWritingAnything) {
    hub_.addFile("o/r", "m.gguf", {modelBytes(100000)});
    auto job = download("o/r", "m.gguf");
    job->setFreeSpaceFunction([](const QString&) { return qint64(4096); });
    ASSERT_FALSE(run(*job));
    EXPECT_TRUE(job->errorText().contains("disk space")) << job->errorText().toStdString();
    EXPECT_FALSE(QFile::exists(job->partPath()));
}

TEST_F(ModelDownloadTest, PauseKeepsThePartAndStartContinuesFromItsEnd) {
    const QByteArray content = modelBytes(1000000);
    FakeHuggingFace::File file{content};
    file.bytesPerTick = 8192;
    hub_.addFile("o/r", "m.gguf", file);
    auto job = download("o/r", "m.gguf");
    QSignalSpy progress(job.get(), &ModelDownload::progress);
    job->start();
    for (int i = 0; i < 100 && job->receivedBytes() < 40000; ++i) progress.wait(50);
    ASSERT_GE(job->receivedBytes(), 40000);
    job->pause();
    EXPECT_EQ(job->state(), ModelDownload::State::Paused);
    const qint64 kept = job->receivedBytes();
    ASSERT_LT(kept, content.size());
    EXPECT_EQ(QFileInfo(job->partPath()).size(), kept);

    ASSERT_TRUE(run(*job)) << job->errorText().toStdString();
    EXPECT_EQ(readAll(path("m.gguf")), content);
    EXPECT_TRUE(hub_.requests().last().contains(QStringLiteral("Range=bytes=%1-").arg(kept)))
        << hub_.requests().join('\n').toStdString();
}

TEST_F(ModelDownloadTest, CancelDeletesThePart) {
    FakeHuggingFace::File file{modelBytes(400000)};
    file.bytesPerTick = 8192;
    hub_.addFile("o/r", "m.gguf", file);
    auto job = download("o/r", "m.gguf");
    QSignalSpy progress(job.get(), &ModelDownload::progress);
    job->start();
    for (int i = 0; i < 100 && job->receivedBytes() == 0; ++i) progress.wait(50);
    ASSERT_GT(job->receivedBytes(), 0);
    job->cancel();
    EXPECT_EQ(job->state(), ModelDownload::State::Cancelled);
    EXPECT_FALSE(QFile::exists(job->partPath()));
    EXPECT_FALSE(QFile::exists(path("m.gguf")));
}

TEST_F(ModelDownloadTest, ASecondDownloadOfTheSameFileIsRefusedWhileTheFirstRuns) {
    FakeHuggingFace::File file{modelBytes(400000)};
    file.bytesPerTick = 8192;
    hub_.addFile("o/r", "m.gguf", file);
    auto first = download("o/r", "m.gguf");
    first->start();
    auto second = download("o/r", "m.gguf");
    ASSERT_FALSE(run(*second));
    EXPECT_TRUE(second->errorText().contains("already being downloaded"))
        << second->errorText().toStdString();
    first->cancel();
}

TEST_F(ModelDownloadTest, AFileThatIsAlreadyThereCountsAsDone) {
    QFile existing(path("m.gguf"));
    ASSERT_TRUE(existing.open(QIODevice::WriteOnly));
    existing.write("GGUF....");
    existing.close();
    auto job = download("o/r", "m.gguf");
    ASSERT_TRUE(run(*job));
    EXPECT_TRUE(hub_.requests().isEmpty());
}

TEST_F(ModelDownloadTest, SomethingThatIsNotAGgufFileIsNotKept) {
    hub_.addFile("o/r", "m.gguf", {QByteArray("<html>Please log in</html>")});
    auto job = download("o/r", "m.gguf");
    ASSERT_FALSE(run(*job));
    EXPECT_TRUE(job->errorText().contains("not a GGUF")) << job->errorText().toStdString();
    EXPECT_FALSE(QFile::exists(path("m.gguf")));
    EXPECT_FALSE(QFile::exists(job->partPath()));
}

}  // namespace
}  // namespace ps
