// The Runner's behaviour with a scripted service: signal order, validation before
// anything runs, cancel, chat turns, completion prompts, failures, history rows.
#include "runner/runner.h"

#include <QTemporaryDir>

#include <gtest/gtest.h>

#include "history/run_history.h"
#include "runner_test_support.h"

namespace ps {
namespace {

using namespace std::chrono_literals;
using test::RunRecorder;
using test::ScriptedService;

PromptApp storyApp(AppKind kind) {
    PromptApp app;
    app.name = "Story";
    app.kind = kind;
    app.instructions = kind == AppKind::Completion ? "" : "You tell short stories.";
    PromptInput topic;
    topic.name = "topic";
    topic.required = true;
    PromptInput length;
    length.name = "length";
    length.type = InputType::Number;
    length.min = 1;
    length.max = 10;
    length.defaultValue = 3;
    app.inputs = {topic, length};
    app.templateText = "Write {{ length }} sentences about {{ topic }}.";
    app.parameters.temperature = 0.5;
    app.parameters.maxTokens = 40;
    return app;
}

class RunnerTest : public ::testing::Test {
protected:
    void SetUp() override { history_ = std::make_unique<RunHistory>(dir_.filePath("history.sqlite")); }

    QTemporaryDir dir_;
    std::unique_ptr<RunHistory> history_;
};

TEST_F(RunnerTest, SignalsArriveInOrderAndTokensMakeTheOutput) {
    auto service = std::make_shared<ScriptedService>(std::vector<std::string>{"Once", " upon", " a", " time"});
    Runner runner;
    runner.setService(service);
    runner.setHistory(history_.get());
    runner.setApp(storyApp(AppKind::Form), "/apps/story.promptapp");
    RunRecorder recorder(runner);

    ASSERT_TRUE(runner.start({{"topic", "dragons"}}));
    EXPECT_TRUE(runner.isRunning());
    ASSERT_TRUE(recorder.waitForEnd());
    RunRecorder::drainEvents();
    EXPECT_EQ(recorder.events, (QStringList{"started", "token:Once", "token: upon", "token: a", "token: time",
                                            "finished"}));
    EXPECT_EQ(recorder.result.output, "Once upon a time");
    EXPECT_EQ(recorder.tokens, recorder.result.output);
    EXPECT_FALSE(runner.isRunning());

    // What the service got: instructions as the system message, the rendered template as the user's.
    const auto inputs = service->inputs();
    ASSERT_EQ(inputs.size(), 1u);
    EXPECT_EQ(inputs[0].kind, GenerationInput::Kind::Chat);
    ASSERT_EQ(inputs[0].messages.size(), 2u);
    EXPECT_EQ(inputs[0].messages[0].role, "system");
    EXPECT_EQ(inputs[0].messages[0].content, "You tell short stories.");
    EXPECT_EQ(inputs[0].messages[1].role, "user");
    EXPECT_EQ(inputs[0].messages[1].content, "Write 3 sentences about dragons.");

    // The history row.
    auto row = history_->run(recorder.result.historyId);
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->outcome, RunOutcome::Finished);
    EXPECT_EQ(row->appName, "Story");
    EXPECT_EQ(row->appPath, "/apps/story.promptapp");
    EXPECT_TRUE(row->appVersion.contains("sha256:"));
    EXPECT_EQ(row->output, "Once upon a time");
    EXPECT_EQ(row->inputs.value("topic").toString(), "dragons");
    EXPECT_EQ(row->model, "scripted-model");
    EXPECT_EQ(row->parameters.value("max_tokens").toInt(), 40);
    EXPECT_EQ(row->statistics.value("generatedTokens").toInt(), 4);
    EXPECT_EQ(row->statistics.value("stopReason").toString(),
              QString::fromLatin1(stopReasonName(StopReason::EndOfGeneration)));
}

TEST_F(RunnerTest, MissingRequiredInputFailsBeforeAnythingRuns) {
    auto service = std::make_shared<ScriptedService>(std::vector<std::string>{"x"});
    Runner runner;
    runner.setService(service);
    runner.setHistory(history_.get());
    runner.setApp(storyApp(AppKind::Form));
    RunRecorder recorder(runner);

    EXPECT_FALSE(runner.start({{"length", 2}}));
    RunRecorder::drainEvents();
    ASSERT_EQ(recorder.events.size(), 1) << recorder.events.join(" | ").toStdString();
    EXPECT_TRUE(recorder.events[0].startsWith("failed:"));
    EXPECT_TRUE(recorder.events[0].contains("'topic'")) << recorder.events[0].toStdString();
    EXPECT_TRUE(service->inputs().empty());
    EXPECT_TRUE(history_->recent(0).empty());
    EXPECT_FALSE(runner.isRunning());

    // Out of range and unknown inputs are named too, all at once.
    recorder.reset();
    EXPECT_FALSE(runner.start({{"topic", "x"}, {"length", 12}, {"colour", "red"}}));
    ASSERT_EQ(recorder.count("failed:"), 1);
    EXPECT_TRUE(recorder.events[0].contains("'length'")) << recorder.events[0].toStdString();
    EXPECT_TRUE(recorder.events[0].contains("'colour'")) << recorder.events[0].toStdString();
}

TEST_F(RunnerTest, CancelMidRunGivesCancelledAndTheHistorySaysSo) {
    std::vector<std::string> pieces(200, " word");
    auto service = std::make_shared<ScriptedService>(pieces, 5ms);
    Runner runner;
    runner.setService(service);
    runner.setHistory(history_.get());
    runner.setApp(storyApp(AppKind::Chat));
    RunRecorder recorder(runner);
    QObject::connect(&runner, &Runner::tokenReceived, &runner, [&runner, &recorder] {
        if (recorder.count("token:") == 3) runner.cancel();
    });

    ASSERT_TRUE(runner.start({{"topic", "the sea"}}));
    ASSERT_TRUE(recorder.waitForEnd());
    RunRecorder::drainEvents();
    EXPECT_EQ(recorder.count("cancelled"), 1);
    EXPECT_EQ(recorder.count("finished"), 0);
    EXPECT_EQ(recorder.events.last(), "cancelled");
    EXPECT_GE(recorder.count("token:"), 3);
    EXPECT_LT(recorder.count("token:"), 200);
    EXPECT_EQ(recorder.result.output, recorder.tokens);
    EXPECT_EQ(recorder.result.stopReason, StopReason::Cancelled);
    // A cancelled turn does not join the conversation.
    EXPECT_TRUE(runner.conversation().empty());

    auto row = history_->run(recorder.result.historyId);
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->outcome, RunOutcome::Cancelled);
    EXPECT_EQ(row->output, recorder.tokens);
    EXPECT_EQ(row->statistics.value("stopReason").toString(), "cancelled");
}

TEST_F(RunnerTest, ChatAppKeepsItsTurnsAndFormAppDoesNot) {
    auto service = std::make_shared<ScriptedService>(std::vector<std::string>{"An", " answer"});
    Runner runner;
    runner.setService(service);
    runner.setApp(storyApp(AppKind::Chat));
    RunRecorder recorder(runner);

    ASSERT_TRUE(runner.start({{"topic", "cats"}}));
    ASSERT_TRUE(recorder.waitForEnd());
    ASSERT_EQ(runner.conversation().size(), 2u);
    recorder.reset();
    ASSERT_TRUE(runner.start({{"topic", "dogs"}}));
    ASSERT_TRUE(recorder.waitForEnd());

    auto inputs = service->inputs();
    ASSERT_EQ(inputs.size(), 2u);
    const auto& second = inputs[1].messages;
    ASSERT_EQ(second.size(), 4u);
    EXPECT_EQ(second[0].role, "system");
    EXPECT_EQ(second[1].role, "user");
    EXPECT_EQ(second[1].content, "Write 3 sentences about cats.");
    EXPECT_EQ(second[2].role, "assistant");
    EXPECT_EQ(second[2].content, "An answer");
    EXPECT_EQ(second[3].role, "user");
    EXPECT_EQ(second[3].content, "Write 3 sentences about dogs.");
    EXPECT_EQ(runner.conversation().size(), 4u);

    runner.clearConversation();
    EXPECT_TRUE(runner.conversation().empty());
    runner.setApp(storyApp(AppKind::Form));
    recorder.reset();
    ASSERT_TRUE(runner.start({{"topic", "owls"}}));
    ASSERT_TRUE(recorder.waitForEnd());
    EXPECT_TRUE(runner.conversation().empty());
    EXPECT_EQ(service->inputs().back().messages.size(), 2u);
}

TEST_F(RunnerTest, CompletionAppSendsTheRenderedTextAsIs) {
    auto service = std::make_shared<ScriptedService>(std::vector<std::string>{"."});
    Runner runner;
    runner.setService(service);
    runner.setApp(storyApp(AppKind::Completion));
    RunRecorder recorder(runner);
    ASSERT_TRUE(runner.start({{"topic", "a <s> tag"}, {"length", "2"}}));
    ASSERT_TRUE(recorder.waitForEnd());
    const auto inputs = service->inputs();
    ASSERT_EQ(inputs.size(), 1u);
    EXPECT_EQ(inputs[0].kind, GenerationInput::Kind::Completion);
    EXPECT_TRUE(inputs[0].messages.empty());
    EXPECT_EQ(inputs[0].prompt, "Write 2 sentences about a <s> tag.");
}

TEST_F(RunnerTest, ParametersComeFromTheAppWithOverridesOnTop) {
    auto service = std::make_shared<ScriptedService>(std::vector<std::string>{"."});
    Runner runner;
    runner.setService(service);
    runner.setApp(storyApp(AppKind::Form));
    RunRecorder recorder(runner);
    ASSERT_TRUE(runner.start({{"topic", "x"}}, {{"max_tokens", "7"}, {"seed", "9"}}));
    ASSERT_TRUE(recorder.waitForEnd());
    const auto parameters = service->parameters();
    ASSERT_EQ(parameters.size(), 1u);
    EXPECT_FLOAT_EQ(parameters[0].sampling.temperature, 0.5f);  // the app's
    EXPECT_EQ(parameters[0].maxTokens, 7);                       // overridden
    EXPECT_EQ(parameters[0].sampling.seed, 9u);

    recorder.reset();
    EXPECT_FALSE(runner.start({{"topic", "x"}}, {{"temperature", "hot"}}));
    ASSERT_EQ(recorder.count("failed:"), 1);
    EXPECT_TRUE(recorder.events[0].contains("temperature"));
}

// "Same answer every time" off (no seed in the app or the overrides): every run
// draws a new seed, so Regenerate gives another answer.
TEST_F(RunnerTest, WithoutASeedEachRunDrawsANewOne) {
    auto service = std::make_shared<ScriptedService>(std::vector<std::string>{"."});
    Runner runner;
    runner.setService(service);
    runner.setApp(storyApp(AppKind::Form));
    RunRecorder recorder(runner);
    for (int run = 0; run < 3; ++run) {
        recorder.reset();
        ASSERT_TRUE(runner.start({{"topic", "x"}}, {}));
        ASSERT_TRUE(recorder.waitForEnd());
    }
    const auto parameters = service->parameters();
    ASSERT_EQ(parameters.size(), 3u);
    EXPECT_FALSE(parameters[0].sampling.seed == parameters[1].sampling.seed &&
                 parameters[1].sampling.seed == parameters[2].sampling.seed);
}

TEST_F(RunnerTest, ServiceErrorGivesFailedAndAFailedRow) {
    auto service = std::make_shared<ScriptedService>(std::vector<std::string>{});
    service->failWith("prompt of 5000 tokens does not fit the context of 2048");
    Runner runner;
    runner.setService(service);
    runner.setHistory(history_.get());
    runner.setApp(storyApp(AppKind::Form));
    RunRecorder recorder(runner);
    ASSERT_TRUE(runner.start({{"topic", "x"}}));
    ASSERT_TRUE(recorder.waitForEnd());
    RunRecorder::drainEvents();
    EXPECT_EQ(recorder.events, (QStringList{"started", "failed:prompt of 5000 tokens does not fit the context of 2048"}));
    auto rows = history_->recent(0);
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].outcome, RunOutcome::Failed);
    EXPECT_EQ(rows[0].errorMessage, "prompt of 5000 tokens does not fit the context of 2048");
}

TEST_F(RunnerTest, RefusesASecondRunWhileOneIsGoingAndRunsWithoutAService) {
    Runner idle;
    idle.setApp(storyApp(AppKind::Form));
    RunRecorder idleRecorder(idle);
    EXPECT_FALSE(idle.start({{"topic", "x"}}));
    EXPECT_EQ(idleRecorder.count("failed:"), 1);

    auto service = std::make_shared<ScriptedService>(std::vector<std::string>(50, "."), 5ms);
    Runner runner;
    runner.setService(service);
    runner.setApp(storyApp(AppKind::Form));
    RunRecorder recorder(runner);
    ASSERT_TRUE(runner.start({{"topic", "x"}}));
    EXPECT_FALSE(runner.start({{"topic", "y"}}));
    EXPECT_EQ(recorder.count("failed:"), 1);
    EXPECT_TRUE(runner.isRunning());
    recorder.reset();
    runner.cancel();
    ASSERT_TRUE(recorder.waitForEnd());
    EXPECT_EQ(recorder.events.last(), "cancelled");
    EXPECT_EQ(service->inputs().size(), 1u);
}

// Destroying a Runner mid-run stops the worker cleanly (no crash, no late signal).
TEST_F(RunnerTest, DestroyingARunnerMidRunStopsTheWorker) {
    auto service = std::make_shared<ScriptedService>(std::vector<std::string>(1000, "."), 2ms);
    auto runner = std::make_unique<Runner>();
    runner->setService(service);
    runner->setApp(storyApp(AppKind::Form));
    ASSERT_TRUE(runner->start({{"topic", "x"}}));
    std::this_thread::sleep_for(20ms);
    const auto started = std::chrono::steady_clock::now();
    runner.reset();
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
    RunRecorder::drainEvents();
}

}  // namespace
}  // namespace ps
