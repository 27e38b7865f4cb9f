// The history view over a real RunHistory in a temporary SQLite file: lists an app's
// runs newest first, searches, shows a run, re-runs with its inputs, deletes.
#include "history/history_view.h"

#include <gtest/gtest.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <memory>

#include "history/run_details_view.h"
#include "history/run_history.h"
#include "history/run_history_model.h"

namespace ps::ui {
namespace {

class HistoryViewTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(dir.isValid());
        history = std::make_unique<RunHistory>(dir.filePath("history.sqlite"));
        app.name = "Email writer";
        PromptInput topic;
        topic.name = "topic";
        topic.label = "What about";
        app.inputs << topic;
        const QDateTime base = QDateTime::currentDateTimeUtc().addSecs(-3600);
        first = addRun(app.name, base, "lunch on friday", "**Dear team**,\nlunch is on me.", 41.5);
        second = addRun(app.name, base.addSecs(60), "banana bread", "Hello,\nI baked banana bread.",
                        38.0);
        third = addRun(app.name, base.addSecs(120), "the report", "\n\nThe report is late.", 40.25);
        addRun("Another app", base.addSecs(30), "banana", "not this app", 10);
    }

    qint64 addRun(const QString& appName, const QDateTime& when, const QString& topic,
                  const QString& output, double speed) {
        RunRecord record;
        record.appName = appName;
        record.inputs = QJsonObject{{"topic", topic}};
        record.model = "stories260K.gguf";
        record.parameters = QJsonObject{{"temperature", 0.7}, {"stop", QJsonArray{}}, {"max_tokens", 1800},
                                        {"min_p", 0.05},      {"repeat_penalty", 1.1}, {"seed", 0}};
        record.startedAt = when;
        const qint64 id = history->startRun(record);
        history->finishRun(id, RunOutcome::Finished, output,
                           QJsonObject{{"generatedTokens", 12},
                                       {"decodeTokensPerSecond", speed},
                                       {"timeToFirstTokenMs", 11.0},
                                       {"stopReason", "end-of-text"}});
        return id;
    }

    QTemporaryDir dir;
    std::unique_ptr<RunHistory> history;
    PromptApp app;
    qint64 first = 0, second = 0, third = 0;
    HistoryView view;
};

TEST_F(HistoryViewTest, ListsTheAppsRunsNewestFirst) {
    view.setHistory(history.get());
    view.setApp(app);
    ASSERT_EQ(view.runCount(), 3);
    RunHistoryModel* model = view.runsModel();
    EXPECT_EQ(model->runAt(0)->id, third);
    EXPECT_EQ(model->runAt(2)->id, first);
    // The first line that says something, the outcome in words, the speed.
    EXPECT_EQ(model->index(0, RunHistoryModel::AnswerColumn).data().toString(),
              "The report is late.");
    EXPECT_EQ(model->index(2, RunHistoryModel::AnswerColumn).data().toString(), "**Dear team**,");
    EXPECT_EQ(model->index(0, RunHistoryModel::OutcomeColumn).data().toString(), "Finished");
    EXPECT_TRUE(model->index(0, RunHistoryModel::SpeedColumn).data().toString().contains("40"));
}

TEST_F(HistoryViewTest, ShowsTheSelectedRunInFull) {
    view.setHistory(history.get());
    view.setApp(app);
    ASSERT_TRUE(view.selectRun(2));
    const QString summary = view.detailsView()->summaryText();
    EXPECT_TRUE(summary.contains("What about: lunch on friday")) << summary.toStdString();
    EXPECT_TRUE(summary.contains("stories260K.gguf")) << summary.toStdString();
    EXPECT_TRUE(summary.contains("41.5")) << summary.toStdString();
    // Small models answer in milliseconds; settings left empty are not listed.
    EXPECT_TRUE(summary.contains("first words after 11 ms")) << summary.toStdString();
    EXPECT_TRUE(summary.contains("12 tokens written")) << summary.toStdString();
    EXPECT_FALSE(summary.contains("stop ,")) << summary.toStdString();
    EXPECT_FALSE(summary.contains("stop at ,")) << summary.toStdString();
    // Settings in the editor's words, not the file's keys.
    EXPECT_TRUE(summary.contains("creativity 0.7")) << summary.toStdString();
    EXPECT_TRUE(summary.contains("longest answer 1")) << summary.toStdString();
    for (const char* key : {"max_tokens", "min_p", "repeat_penalty", "top_k", "seed"})
        EXPECT_FALSE(summary.contains(key)) << key << " in " << summary.toStdString();
    // A label that is a question is not followed by a colon.
    app.inputs[0].label = "What is it about?";
    view.setApp(app);
    ASSERT_TRUE(view.selectRun(2));
    EXPECT_TRUE(view.detailsView()->summaryText().contains("What is it about? lunch on friday"))
        << view.detailsView()->summaryText().toStdString();
    // Markdown is rendered, not shown as asterisks.
    const QString answer = view.detailsView()->answerText();
    EXPECT_TRUE(answer.contains("Dear team")) << answer.toStdString();
    EXPECT_FALSE(answer.contains("**")) << answer.toStdString();
}

TEST_F(HistoryViewTest, SearchFiltersByInputsAndOutput) {
    view.setHistory(history.get());
    view.setApp(app);
    view.setSearchText("banana");
    ASSERT_EQ(view.runCount(), 1);  // not the other app's banana
    EXPECT_EQ(view.runsModel()->runAt(0)->id, second);
    view.setSearchText("late");
    ASSERT_EQ(view.runCount(), 1);
    EXPECT_EQ(view.runsModel()->runAt(0)->id, third);
    view.setSearchText("no such words");
    EXPECT_EQ(view.runCount(), 0);
    view.setSearchText("");
    EXPECT_EQ(view.runCount(), 3);
}

TEST_F(HistoryViewTest, RunAgainEmitsTheStoredInputs) {
    view.setHistory(history.get());
    view.setApp(app);
    QSignalSpy rerun(&view, &HistoryView::rerunRequested);
    ASSERT_TRUE(view.selectRun(1));
    auto* button = view.findChild<QPushButton*>("rerun");
    ASSERT_NE(button, nullptr);
    button->click();
    ASSERT_EQ(rerun.size(), 1);
    const QVariantMap inputs = rerun.at(0).at(0).toMap();
    EXPECT_EQ(inputs, QVariantMap({{"topic", "banana bread"}}));
}

TEST_F(HistoryViewTest, DeletesOnlyAfterConfirmation) {
    view.setHistory(history.get());
    view.setApp(app);
    ASSERT_TRUE(view.selectRun(0));
    qint64 asked = 0;
    bool confirm = false;
    view.setDeleteConfirmation([&](const RunRecord& run) {
        asked = run.id;
        return confirm;
    });
    EXPECT_FALSE(view.deleteSelectedRun());
    EXPECT_EQ(asked, third);
    EXPECT_EQ(view.runCount(), 3);

    confirm = true;
    EXPECT_TRUE(view.deleteSelectedRun());
    EXPECT_EQ(view.runCount(), 2);
    EXPECT_FALSE(history->run(third).has_value());
    EXPECT_TRUE(history->run(second).has_value());
    // The next run is selected, ready for another delete or a re-run.
    ASSERT_NE(view.selectedRun(), nullptr);
    EXPECT_EQ(view.selectedRun()->id, second);
}

TEST_F(HistoryViewTest, SaysWhatToDoWhenThereAreNoRuns) {
    view.setHistory(history.get());
    PromptApp fresh;
    fresh.name = "Brand new";
    view.setApp(fresh);
    EXPECT_EQ(view.runCount(), 0);
    EXPECT_EQ(view.selectedRun(), nullptr);
    auto* rerun = view.findChild<QPushButton*>("rerun");
    ASSERT_NE(rerun, nullptr);
    EXPECT_FALSE(rerun->isEnabled());
}

}  // namespace
}  // namespace ps::ui
