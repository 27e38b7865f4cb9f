#include "history/run_history.h"

#include <QDir>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QProcess>
#include <QTemporaryDir>
#include <QCoreApplication>
#include <QThread>

#include <gtest/gtest.h>


namespace ps {
namespace {

class RunHistoryTest : public ::testing::Test {
protected:
    QString databasePath() const { return dir_.filePath("sub/history.sqlite"); }

    static RunRecord sampleRun(const QString& app, const QString& topic) {
        RunRecord record;
        record.appName = app;
        record.appPath = "/apps/" + app + ".promptapp";
        record.appVersion = "1.0 sha256:abcd";
        record.inputs = QJsonObject{{"topic", topic}, {"count", 3}};
        record.model = "/models/stories260K.gguf";
        record.parameters = QJsonObject{{"temperature", 0.0}, {"max_tokens", 16}};
        return record;
    }

    QTemporaryDir dir_;
};

TEST_F(RunHistoryTest, StartsRunningAndFinishesWithEverythingStored) {
    RunHistory history(databasePath());
    RunRecord record = sampleRun("Story", "dragons");
    const qint64 id = history.startRun(record);
    ASSERT_GT(id, 0);

    auto running = history.run(id);
    ASSERT_TRUE(running.has_value());
    EXPECT_EQ(running->outcome, RunOutcome::Running);
    EXPECT_EQ(running->appName, "Story");
    EXPECT_EQ(running->appPath, record.appPath);
    EXPECT_EQ(running->appVersion, record.appVersion);
    EXPECT_EQ(running->inputs, record.inputs);
    EXPECT_EQ(running->parameters, record.parameters);
    EXPECT_EQ(running->model, record.model);
    EXPECT_TRUE(running->startedAt.isValid());
    EXPECT_FALSE(running->endedAt.isValid());

    const QJsonObject stats{{"promptTokens", 5}, {"generatedTokens", 16}, {"stopReason", "max_tokens"}};
    history.finishRun(id, RunOutcome::Finished, QString::fromUtf8("Once upon a time \xE2\x9C\x93"), stats);
    auto finished = history.run(id);
    ASSERT_TRUE(finished.has_value());
    EXPECT_EQ(finished->outcome, RunOutcome::Finished);
    EXPECT_EQ(finished->output, QString::fromUtf8("Once upon a time \xE2\x9C\x93"));
    EXPECT_EQ(finished->statistics, stats);
    EXPECT_TRUE(finished->endedAt.isValid());
    EXPECT_GE(finished->endedAt, finished->startedAt);
    EXPECT_TRUE(finished->errorMessage.isEmpty());
}

TEST_F(RunHistoryTest, FailedRunKeepsItsErrorMessage) {
    RunHistory history(databasePath());
    const qint64 id = history.startRun(sampleRun("Story", "x"));
    history.finishRun(id, RunOutcome::Failed, {}, {}, "input 'topic' is required");
    auto record = history.run(id);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->outcome, RunOutcome::Failed);
    EXPECT_EQ(record->errorMessage, "input 'topic' is required");
    EXPECT_THROW(history.finishRun(id + 100, RunOutcome::Finished, {}, {}), HistoryError);
    EXPECT_THROW(history.finishRun(id, RunOutcome::Running, {}, {}), HistoryError);
}

TEST_F(RunHistoryTest, RecentIsNewestFirstAndLimited) {
    RunHistory history(databasePath());
    std::vector<qint64> ids;
    for (int i = 0; i < 5; ++i) {
        RunRecord record = sampleRun("App" + QString::number(i % 2), "t" + QString::number(i));
        record.startedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000 + i * 1000, Qt::UTC);
        ids.push_back(history.startRun(record));
    }
    auto recent = history.recent(3);
    ASSERT_EQ(recent.size(), 3u);
    EXPECT_EQ(recent[0].id, ids[4]);
    EXPECT_EQ(recent[1].id, ids[3]);
    EXPECT_EQ(recent[2].id, ids[2]);
    EXPECT_EQ(recent[0].startedAt.toMSecsSinceEpoch(), 1'700'000'004'000);
    EXPECT_EQ(history.recent(0).size(), 5u);
}

TEST_F(RunHistoryTest, SearchesByAppAndByTextInInputsAndOutput) {
    RunHistory history(databasePath());
    const qint64 a = history.startRun(sampleRun("Poem", "autumn leaves"));
    const qint64 b = history.startRun(sampleRun("Story", "a brave dragon"));
    const qint64 c = history.startRun(sampleRun("Story", "the sea"));
    history.finishRun(c, RunOutcome::Finished, "The Dragon slept by the sea.", {});
    const qint64 d = history.startRun(sampleRun("Story", "100% sure_thing"));

    auto stories = history.search({.appName = "Story", .text = {}, .limit = 0});
    EXPECT_EQ(stories.size(), 3u);

    // Case-insensitive, in the inputs (b) or the output (c).
    auto dragons = history.search({.appName = {}, .text = "dragon", .limit = 0});
    ASSERT_EQ(dragons.size(), 2u);
    EXPECT_EQ(dragons[0].id, c);
    EXPECT_EQ(dragons[1].id, b);

    auto poemDragons = history.search({.appName = "Poem", .text = "dragon", .limit = 0});
    EXPECT_TRUE(poemDragons.empty());
    auto autumn = history.search({.appName = "Poem", .text = "autumn", .limit = 0});
    ASSERT_EQ(autumn.size(), 1u);
    EXPECT_EQ(autumn[0].id, a);

    // LIKE wildcards in the search text are taken literally.
    auto percent = history.search({.appName = {}, .text = "100%", .limit = 0});
    ASSERT_EQ(percent.size(), 1u);
    EXPECT_EQ(percent[0].id, d);
    EXPECT_TRUE(history.search({.appName = {}, .text = "e_s", .limit = 0}).empty());
}

TEST_F(RunHistoryTest, DeletesOneRunOrAllRunsOfAnApp) {
    RunHistory history(databasePath());
    const qint64 a = history.startRun(sampleRun("Poem", "x"));
    history.startRun(sampleRun("Story", "y"));
    history.startRun(sampleRun("Story", "z"));
    EXPECT_TRUE(history.remove(a));
    EXPECT_FALSE(history.remove(a));
    EXPECT_FALSE(history.run(a).has_value());
    EXPECT_EQ(history.removeApp("Story"), 2);
    EXPECT_EQ(history.removeApp("Story"), 0);
    EXPECT_TRUE(history.recent(0).empty());
}

TEST_F(RunHistoryTest, DataSurvivesReopening) {
    qint64 id = 0;
    {
        RunHistory history(databasePath());
        id = history.startRun(sampleRun("Story", "kept"));
        history.finishRun(id, RunOutcome::Cancelled, "partial", {});
    }
    RunHistory again(databasePath());
    auto record = again.run(id);
    ASSERT_TRUE(record);
    EXPECT_EQ(record->outcome, RunOutcome::Cancelled);
    EXPECT_EQ(record->output, "partial");
    EXPECT_EQ(again.recoveredRunCount(), 0);
}

TEST_F(RunHistoryTest, SchemaIsVersionedAndWal) {
    RunHistory history(databasePath());
    EXPECT_EQ(history.schemaVersion(), RunHistory::kSchemaVersion);
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "inspect");
        db.setDatabaseName(databasePath());
        ASSERT_TRUE(db.open());
        QSqlQuery query(db);
        ASSERT_TRUE(query.exec("PRAGMA journal_mode") && query.next());
        EXPECT_EQ(query.value(0).toString(), "wal");
        ASSERT_TRUE(query.exec("PRAGMA user_version") && query.next());
        EXPECT_EQ(query.value(0).toInt(), RunHistory::kSchemaVersion);
    }
    QSqlDatabase::removeDatabase("inspect");
}

// A file at schema 1 (before the owner columns) migrates and keeps its rows;
// its rows still `running` have no living owner and become interrupted.
TEST_F(RunHistoryTest, MigratesVersionOneFile) {
    QDir().mkpath(dir_.filePath("sub"));
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "v1");
        db.setDatabaseName(databasePath());
        ASSERT_TRUE(db.open());
        QSqlQuery query(db);
        ASSERT_TRUE(query.exec(
            "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, app_name TEXT NOT NULL,"
            " app_path TEXT NOT NULL DEFAULT '', app_version TEXT NOT NULL DEFAULT '',"
            " inputs TEXT NOT NULL DEFAULT '{}', output TEXT NOT NULL DEFAULT '',"
            " model TEXT NOT NULL DEFAULT '', parameters TEXT NOT NULL DEFAULT '{}',"
            " statistics TEXT NOT NULL DEFAULT '{}', started_at_ms INTEGER NOT NULL,"
            " ended_at_ms INTEGER, outcome TEXT NOT NULL, error_message TEXT NOT NULL DEFAULT '')"));
        ASSERT_TRUE(query.exec("CREATE INDEX runs_by_app ON runs(app_name, started_at_ms)"));
        ASSERT_TRUE(query.exec("INSERT INTO runs (app_name, output, started_at_ms, outcome)"
                               " VALUES ('Old', 'old output', 1000, 'finished')"));
        ASSERT_TRUE(query.exec("INSERT INTO runs (app_name, started_at_ms, outcome)"
                               " VALUES ('Old', 2000, 'running')"));
        ASSERT_TRUE(query.exec("PRAGMA user_version = 1"));
    }
    QSqlDatabase::removeDatabase("v1");

    RunHistory history(databasePath());
    EXPECT_EQ(history.schemaVersion(), 2);
    EXPECT_EQ(history.recoveredRunCount(), 1);
    auto runs = history.search({.appName = "Old", .text = {}, .limit = 0});
    ASSERT_EQ(runs.size(), 2u);
    EXPECT_EQ(runs[0].outcome, RunOutcome::Interrupted);
    EXPECT_EQ(runs[1].outcome, RunOutcome::Finished);
    EXPECT_EQ(runs[1].output, "old output");
    // New rows go in with the new columns.
    EXPECT_GT(history.startRun(sampleRun("New", "n")), runs[0].id);
}

TEST_F(RunHistoryTest, RefusesFileFromNewerVersion) {
    {
        RunHistory history(databasePath());
    }
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "bump");
        db.setDatabaseName(databasePath());
        ASSERT_TRUE(db.open());
        QSqlQuery query(db);
        ASSERT_TRUE(query.exec("PRAGMA user_version = 99"));
    }
    QSqlDatabase::removeDatabase("bump");
    try {
        RunHistory history(databasePath());
        FAIL() << "opened a schema-99 file";
    } catch (const HistoryError& error) {
        EXPECT_NE(std::string(error.what()).find("newer"), std::string::npos) << error.what();
        EXPECT_NE(std::string(error.what()).find("history.sqlite"), std::string::npos) << error.what();
    }
}

TEST_F(RunHistoryTest, RefusesAFileThatIsNotADatabase) {
    QDir().mkpath(dir_.filePath("sub"));
    QFile file(databasePath());
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(4096, 'x'));
    file.close();
    EXPECT_THROW(RunHistory history(databasePath()), HistoryError);
}

// A process that dies mid-run leaves its row `running`; the next process to open
// the history marks it interrupted and the file stays usable. The dying process
// is this test binary started again with --start-run-and-abort (see the main).
TEST_F(RunHistoryTest, RunOfACrashedProcessBecomesInterrupted) {
    const QString path = databasePath();
    QProcess child;
    child.start(QCoreApplication::applicationFilePath(),
                {"--start-run-and-abort", path, "Crashy"});
    ASSERT_TRUE(child.waitForFinished(30000));
    EXPECT_EQ(child.exitStatus(), QProcess::CrashExit);
    EXPECT_TRUE(child.readAllStandardOutput().contains("started run"));

    RunHistory history(path);
    EXPECT_EQ(history.recoveredRunCount(), 1);
    auto runs = history.search({.appName = "Crashy", .text = {}, .limit = 0});
    ASSERT_EQ(runs.size(), 1u);
    EXPECT_EQ(runs[0].outcome, RunOutcome::Interrupted);
    EXPECT_FALSE(runs[0].errorMessage.isEmpty());
    EXPECT_GT(history.startRun(sampleRun("After", "ok")), 0);
    // Recovery happens once.
    RunHistory again(path);
    EXPECT_EQ(again.recoveredRunCount(), 0);
}

// A run still going in this (living) process is not taken for a crashed one by a
// second history opened on the same file, as when the CLI opens it while the
// desktop program runs.
TEST_F(RunHistoryTest, RunOfALivingProcessIsLeftAlone) {
    RunHistory first(databasePath());
    const qint64 id = first.startRun(sampleRun("Live", "going"));
    RunHistory second(databasePath());
    EXPECT_EQ(second.recoveredRunCount(), 0);
    EXPECT_EQ(second.run(id)->outcome, RunOutcome::Running);
    first.finishRun(id, RunOutcome::Finished, "done", {});
    EXPECT_EQ(second.run(id)->outcome, RunOutcome::Finished);
}

TEST_F(RunHistoryTest, RefusesUseFromAnotherThread) {
    RunHistory history(databasePath());
    bool threw = false;
    QThread* thread = QThread::create([&] {
        try {
            history.recent(1);
        } catch (const HistoryError&) {
            threw = true;
        }
    });
    thread->start();
    thread->wait();
    delete thread;
    EXPECT_TRUE(threw);
}

TEST(RunOutcomeTest, NamesRoundTrip) {
    for (RunOutcome outcome : {RunOutcome::Running, RunOutcome::Finished, RunOutcome::Failed,
                               RunOutcome::Cancelled, RunOutcome::Interrupted}) {
        EXPECT_EQ(runOutcomeFromName(runOutcomeName(outcome)), outcome);
    }
    EXPECT_FALSE(runOutcomeFromName("bogus").has_value());
}

}  // namespace
}  // namespace ps
