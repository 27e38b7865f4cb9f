// The Run view: the form has the right field for each input type, a missing
// required input is shown next to its field, no model gives plain advice, and
// on the real stories260K model the answer streams in, can be stopped, and the
// window never stalls while tokens pour in; Ctrl+Enter and Esc do it from the keyboard.
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>

#include <gtest/gtest.h>

#include "document/promptapp_reader.h"
#include "run/file_input_field.h"
#include "run/input_form.h"
#include "run/output_pane.h"
#include "run/run_view.h"
#include "runner/runner.h"
#include "support/shared_data.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

PromptApp loadApp(const QString& path) {
    const PromptAppLoadResult result = loadPromptApp(path);
    EXPECT_TRUE(result.ok()) << result.errorText(path).toStdString();
    return result.app;
}

// The largest gap between the ticks of a 5 ms timer: how long the GUI thread
// was busy at a stretch.
class StallMeter {
public:
    StallMeter() {
        timer_.setInterval(5);
        QObject::connect(&timer_, &QTimer::timeout, [this] {
            if (clock_.isValid()) worstMs_ = std::max(worstMs_, clock_.nsecsElapsed() / 1e6);
            clock_.restart();
        });
    }
    void start() {
        clock_.invalidate();
        timer_.start();
    }
    void stop() { timer_.stop(); }
    double worstMs() const { return worstMs_; }

private:
    QTimer timer_;
    QElapsedTimer clock_;
    double worstMs_ = 0;
};

TEST(InputForm, EachInputTypeGetsItsWidget) {
    const PromptApp app = loadApp(test::testDataPath(QStringLiteral("all-input-types.promptapp")));
    InputForm form;
    form.setApp(app);
    auto* title = qobject_cast<QLineEdit*>(form.fieldWidget(QStringLiteral("title")));
    ASSERT_TRUE(title);
    EXPECT_EQ(title->placeholderText(), QStringLiteral("A title"));
    EXPECT_EQ(title->toolTip(), QStringLiteral("The title of the piece."));
    EXPECT_TRUE(qobject_cast<QPlainTextEdit*>(form.fieldWidget(QStringLiteral("notes"))));
    auto* count = qobject_cast<QSpinBox*>(form.fieldWidget(QStringLiteral("count")));
    ASSERT_TRUE(count);
    EXPECT_EQ(count->minimum(), 1);
    EXPECT_EQ(count->maximum(), 10);
    EXPECT_EQ(count->value(), 3);
    auto* ratio = qobject_cast<QDoubleSpinBox*>(form.fieldWidget(QStringLiteral("ratio")));
    ASSERT_TRUE(ratio);
    EXPECT_DOUBLE_EQ(ratio->maximum(), 1.0);
    EXPECT_DOUBLE_EQ(ratio->value(), 0.5);
    auto* tone = qobject_cast<QComboBox*>(form.fieldWidget(QStringLiteral("tone")));
    ASSERT_TRUE(tone);
    EXPECT_EQ(tone->currentText(), QStringLiteral("formal"));
    EXPECT_EQ(tone->count(), 2);
    auto* shortAnswer = qobject_cast<QCheckBox*>(form.fieldWidget(QStringLiteral("short")));
    ASSERT_TRUE(shortAnswer);
    EXPECT_TRUE(shortAnswer->isChecked());
    auto* file = qobject_cast<FileInputField*>(form.fieldWidget(QStringLiteral("attachment")));
    ASSERT_TRUE(file);

    title->setText(QStringLiteral("Hello"));
    file->setPath(test::testDataPath(QStringLiteral("hello.prompty")));
    const QVariantMap values = form.values();
    EXPECT_EQ(values.value(QStringLiteral("title")).toString(), QStringLiteral("Hello"));
    EXPECT_EQ(values.value(QStringLiteral("count")).toInt(), 3);
    EXPECT_EQ(values.value(QStringLiteral("tone")).toString(), QStringLiteral("formal"));
    EXPECT_EQ(values.value(QStringLiteral("short")).toBool(), true);
    EXPECT_EQ(values.value(QStringLiteral("attachment")).toString(), test::testDataPath(QStringLiteral("hello.prompty")));
    EXPECT_FALSE(values.contains(QStringLiteral("notes")));  // blank: the default applies

    form.setValues({{QStringLiteral("count"), 7}, {QStringLiteral("tone"), QStringLiteral("friendly")}});
    EXPECT_EQ(count->value(), 7);
    EXPECT_EQ(tone->currentText(), QStringLiteral("friendly"));
    EXPECT_TRUE(form.validate());
}

TEST(RunView, MissingRequiredInputIsShownNextToItsField) {
    RunView view;
    view.setService(std::make_shared<test::SlowedService>(nullptr, 0));  // never reached
    view.setApp(loadApp(test::testDataPath(QStringLiteral("all-input-types.promptapp"))), QString());
    view.runNow();
    EXPECT_FALSE(view.isRunning());
    EXPECT_FALSE(view.form()->fieldMessage(QStringLiteral("title")).isEmpty());
    EXPECT_TRUE(view.form()->fieldMessage(QStringLiteral("count")).isEmpty());
    // A file that cannot be read is named next to its field.
    qobject_cast<QLineEdit*>(view.form()->fieldWidget(QStringLiteral("title")))->setText(QStringLiteral("x"));
    qobject_cast<FileInputField*>(view.form()->fieldWidget(QStringLiteral("attachment")))
        ->setPath(QStringLiteral("/no/such/file.txt"));
    view.runNow();
    EXPECT_FALSE(view.isRunning());
    EXPECT_TRUE(view.form()->fieldMessage(QStringLiteral("title")).isEmpty());
    EXPECT_TRUE(view.form()->fieldMessage(QStringLiteral("attachment")).contains(QStringLiteral("/no/such/file.txt")));
}

TEST(RunView, WithoutAModelSaysWhatToDo) {
    RunView view;
    view.setApp(loadApp(test::samplePath(QStringLiteral("bedtime-story.promptapp"))), QString());
    bool asked = false;
    QObject::connect(&view, &RunView::modelsPageRequested, [&] { asked = true; });
    EXPECT_FALSE(view.runAction()->isEnabled());
    auto buttons = view.findChildren<QPushButton*>();
    QPushButton* models = nullptr;
    for (QPushButton* button : buttons)
        if (button->text().contains(QStringLiteral("Models"))) models = button;
    ASSERT_TRUE(models);
    EXPECT_FALSE(models->isHidden());
    models->click();
    EXPECT_TRUE(asked);
}

TEST(RunView, StreamsTheAnswerOfStories260KAndStops) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    const auto stories = test::loadStories(modelPath);
    // 3 ms per piece: the run lasts long enough to watch it and stop it.
    auto slowed = std::make_shared<test::SlowedService>(stories, 3);
    RunView view;
    view.resize(800, 600);
    view.show();
    view.setService(slowed);
    PromptApp app = loadApp(test::samplePath(QStringLiteral("bedtime-story.promptapp")));
    app.parameters.maxTokens = 400;
    view.setApp(app, QString());
    view.setInputs({{QStringLiteral("hero"), QStringLiteral("a sleepy dragon")}});
    int started = 0, ended = 0;
    QObject::connect(&view, &RunView::runStarted, [&] { ++started; });
    QObject::connect(&view, &RunView::runEnded, [&] { ++ended; });

    view.runNow();
    ASSERT_TRUE(view.isRunning()) << view.errorText().toStdString();
    EXPECT_FALSE(view.runAction()->isEnabled());
    EXPECT_TRUE(view.stopAction()->isEnabled());
    // Text appears in the view while the model is still writing.
    ASSERT_TRUE(test::waitUntil([&] { return view.output()->browser()->toPlainText().size() > 20; }));
    EXPECT_TRUE(view.isRunning());
    const QString partial = view.output()->browser()->toPlainText();
    ASSERT_TRUE(test::waitUntil([&] { return view.output()->browser()->toPlainText().size() > partial.size(); }));
    EXPECT_TRUE(view.statisticsText().contains(QStringLiteral("CPU"))) << view.statisticsText().toStdString();
    EXPECT_TRUE(view.statisticsText().contains(QStringLiteral("First words after")));

    view.stopAction()->trigger();
    ASSERT_TRUE(test::waitUntil([&] { return ended == 1; }));
    EXPECT_EQ(started, 1);
    EXPECT_FALSE(view.isRunning());
    EXPECT_TRUE(view.statisticsText().startsWith(QStringLiteral("Stopped after"))) << view.statisticsText().toStdString();
    EXPECT_TRUE(view.runAction()->isEnabled());
    // Everything received is shown, and it is fewer tokens than asked for.
    EXPECT_EQ(view.output()->browser()->toPlainText().trimmed(), view.output()->text().trimmed());
    EXPECT_GT(view.output()->flushCount(), 1);
}

TEST(RunView, AChatKeepsTheConversationAndClearsTheMessageBox) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    RunView view;
    view.setService(test::loadStories(modelPath));
    view.setDefaultParameters({{QStringLiteral("max_tokens"), 10}});
    PromptApp app = loadApp(test::samplePath(QStringLiteral("chat-assistant.promptapp")));
    app.parameters.maxTokens = 10;
    view.setApp(app, QString());
    EXPECT_EQ(view.runAction()->text(), QStringLiteral("&Send"));
    auto* message = qobject_cast<QPlainTextEdit*>(view.form()->fieldWidget(QStringLiteral("message")));
    ASSERT_TRUE(message);

    message->setPlainText(QStringLiteral("Tell me about cats."));
    view.runNow();
    ASSERT_TRUE(test::waitUntil([&] { return !view.isRunning(); }));
    EXPECT_TRUE(view.errorText().isEmpty()) << view.errorText().toStdString();
    EXPECT_TRUE(message->toPlainText().isEmpty());  // ready for the next message
    message->setPlainText(QStringLiteral("And dogs?"));
    view.runNow();
    ASSERT_TRUE(test::waitUntil([&] { return !view.isRunning(); }));

    ASSERT_EQ(view.runner()->conversation().size(), 4u);  // two questions, two replies
    const QString transcript = view.output()->browser()->toPlainText();
    EXPECT_TRUE(transcript.contains(QStringLiteral("Tell me about cats."))) << transcript.toStdString();
    EXPECT_TRUE(transcript.contains(QStringLiteral("And dogs?"))) << transcript.toStdString();
    EXPECT_LT(transcript.indexOf(QStringLiteral("Tell me about cats.")), transcript.indexOf(QStringLiteral("And dogs?")));
    EXPECT_TRUE(transcript.contains(QString::fromStdString(view.runner()->conversation()[3].content).trimmed()));
}

TEST(RunView, TheUsersDefaultsFillOnlyWhatTheAppLeavesOpen) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    RunView view;
    view.setService(test::loadStories(modelPath));
    view.setDefaultParameters({{QStringLiteral("max_tokens"), 7}, {QStringLiteral("temperature"), 0.0}});
    int generated = -1;
    QObject::connect(view.runner(), &Runner::finished,
                     [&](const RunResult& result) { generated = result.stats.generatedTokens; });
    PromptApp app = loadApp(test::samplePath(QStringLiteral("bedtime-story.promptapp")));
    app.parameters.maxTokens.reset();  // open: the default applies
    view.setApp(app, QString());
    view.runNow();
    ASSERT_TRUE(test::waitUntil([&] { return !view.isRunning(); }));
    EXPECT_EQ(generated, 7) << view.errorText().toStdString();

    app.parameters.maxTokens = 3;  // the app's own setting wins
    view.setApp(app, QString());
    generated = -1;
    view.runNow();
    ASSERT_TRUE(test::waitUntil([&] { return !view.isRunning(); }));
    EXPECT_EQ(generated, 3) << view.errorText().toStdString();
}

TEST(RunView, TheWindowNeverStallsWhileTokensPourIn) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    // One generation thread: the model must not take the core the window runs on
    // (this measures the window's own work, not a CPU shared by too many threads).
    const auto stories = test::loadStories(modelPath, 1);
    RunView view;
    view.resize(800, 600);
    view.show();
    view.setService(stories);
    PromptApp app = loadApp(test::samplePath(QStringLiteral("bedtime-story.promptapp")));
    app.parameters.maxTokens = 4000;  // until the context is full

    // The same timer with nothing running, for comparison in the log.
    StallMeter idle;
    idle.start();
    test::processEventsFor(500);
    idle.stop();
    view.setApp(app, QString());
    int ended = 0;
    QObject::connect(&view, &RunView::runEnded, [&] { ++ended; });

    StallMeter meter;
    meter.start();
    QElapsedTimer clock;
    clock.start();
    int runs = 0;
    qint64 tokens = 0;
    QObject::connect(view.runner(), &Runner::finished, [&](const RunResult& result) {
        tokens += result.stats.generatedTokens;
    });
    // Full-speed runs, one after another, for about two seconds.
    while (runs < 3 || clock.elapsed() < 2000) {
        view.runNow();
        ASSERT_TRUE(view.isRunning()) << view.errorText().toStdString();
        ++runs;
        ASSERT_TRUE(test::waitUntil([&] { return ended == runs; }, 30000));
    }
    meter.stop();
    const double worst = meter.worstMs();
    std::printf("[ stall    ] %d runs, %lld tokens in %lld ms; largest GUI-thread gap %.1f ms "
                "(idle: %.1f ms); slowest render %.1f ms\n",
                runs, static_cast<long long>(tokens), static_cast<long long>(clock.elapsed()), worst,
                idle.worstMs(), view.output()->slowestRenderMs());
    EXPECT_GT(tokens, 100);
    // 50 ms of the window's own work at most, on top of what the machine alone
    // causes (the same meter with nothing running): on a loaded test machine the
    // scheduler's pauses are not the window's.
    EXPECT_LT(worst, 50.0 + idle.worstMs());
}

TEST(RunView, CtrlEnterRunsAndEscapeStopsFromTheKeyboard) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    auto slowed = std::make_shared<test::SlowedService>(test::loadStories(modelPath), 3);
    RunView view;
    view.resize(800, 600);
    view.show();
    QApplication::setActiveWindow(&view);
    ASSERT_TRUE(QTest::qWaitForWindowActive(&view));
    view.setService(slowed);
    PromptApp app = loadApp(test::samplePath(QStringLiteral("bedtime-story.promptapp")));
    app.parameters.maxTokens = 400;
    view.setApp(app, QString());

    auto* hero = qobject_cast<QLineEdit*>(view.form()->fieldWidget(QStringLiteral("hero")));
    ASSERT_TRUE(hero);
    hero->setFocus();
    hero->selectAll();
    QTest::keyClicks(hero, QStringLiteral("a brave mouse"));
    QTest::keyClick(hero, Qt::Key_Return, Qt::ControlModifier);
    ASSERT_TRUE(view.isRunning()) << view.errorText().toStdString();
    ASSERT_TRUE(test::waitUntil([&] { return view.output()->browser()->toPlainText().size() > 10; }));

    // The form is locked while the model writes; the keyboard focus goes to Stop
    // rather than wherever Qt's focus chain would send it.
    QWidget* focused = QApplication::focusWidget();
    ASSERT_TRUE(focused && view.isAncestorOf(focused)) << "focus stays in the view while it runs";
    auto* stopButton = qobject_cast<QPushButton*>(focused);
    ASSERT_TRUE(stopButton) << focused->metaObject()->className();
    EXPECT_EQ(stopButton->text(), QStringLiteral("Stop"));
    QTest::keyClick(focused, Qt::Key_Escape);
    ASSERT_TRUE(test::waitUntil([&] { return !view.isRunning(); }));
    EXPECT_TRUE(view.statisticsText().startsWith(QStringLiteral("Stopped after")))
        << view.statisticsText().toStdString();
    // And back to the form, so the next run is one keystroke away.
    EXPECT_TRUE(QApplication::focusWidget() && view.form()->isAncestorOf(QApplication::focusWidget()));
}

}  // namespace
}  // namespace ps::ui
