// Demo mode: the stage driven by its keys (next, previous, run, stop, run again,
// blank, leave) with calm one-line failures; the attract loop; the race between two
// engines on stories260K; the metrics strip fed by a fake NVML library and by the
// real CPU figures from /proc; the stage never stalls while tokens pour in (a paced
// engine at 1000 tokens/s); the answer grows at its end; the deck's models load with
// a percentage first; the display the presenter chose; the presenter's notes; and
// the window's side: Run > Add This Run to a Deck, the deck in the Library, F11.
#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPointer>
#include <QScrollBar>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QTemporaryDir>
#include <QScreen>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <iterator>
#include <thread>

#include "deck/deck_file.h"
#include "demo/deck_page.h"
#include "demo/demo_screen.h"
#include "demo/race_setup_dialog.h"
#include "demo/demo_stage.h"
#include "demo/metrics_strip.h"
#include "demo/race_view.h"
#include "document/promptapp_reader.h"
#include "document/promptapp_writer.h"
#include "library/app_library_model.h"
#include "library/library_panel.h"
#include "machine/cpu_info.h"
#include "machine/machine_monitor.h"
#include "machine/nvml_library.h"
#include "run/output_pane.h"
#include "run/run_view.h"
#include "settings/preferences.h"
#include "support/shared_data.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

// The largest gap between the ticks of a 1 ms timer: how long the GUI thread was
// busy at a stretch (as in run_view_test.cpp, there with 5 ms).
class StallMeter {
public:
    StallMeter() {
        timer_.setTimerType(Qt::PreciseTimer);
        timer_.setInterval(1);
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

// An engine that writes `tokens` words at `perSecond`, on the Runner's worker
// thread, the way a fast model on a GPU would: a sentence end every 12 words, a
// paragraph every 60 (so the Markdown has paragraphs to settle).
class PacedService : public GenerationService {
public:
    PacedService(int tokens, int perSecond) : tokens_(tokens), perSecond_(perSecond) {}
    QString name() const override { return QStringLiteral("paced"); }
    QString describe() const override { return QStringLiteral("a paced test engine"); }
    QString modelName() const override { return QStringLiteral("paced"); }
    GenerationResult generate(const GenerationInput&, const GenerationParameters&, const TextCallback& onText,
                              const std::atomic<bool>* cancel) override {
        static const char* const words[] = {"the", "little", "fox", "looked", "up", "at", "a", "sky", "full",
                                            "of", "stars", "and", "smiled", "because", "tomorrow", "would",
                                            "bring", "another", "adventure"};
        GenerationResult result;
        const auto start = std::chrono::steady_clock::now();
        const auto step = std::chrono::microseconds(1'000'000 / perSecond_);
        for (int i = 0; i < tokens_; ++i) {
            std::this_thread::sleep_until(start + step * i);
            if (cancel && cancel->load()) {
                result.stopReason = StopReason::Cancelled;
                break;
            }
            std::string piece = i % 60 == 59 ? ".\n\n" : (i % 12 == 11 ? ". " : " ");
            piece = (i == 0 ? std::string("Once") : std::string()) + piece + words[i % std::size(words)];
            if (!onText(piece)) {
                result.stopReason = StopReason::Cancelled;
                break;
            }
            result.text += piece;
            ++result.stats.generatedTokens;
        }
        const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        result.stats.timeToFirstTokenMs = 1;
        result.stats.decodeMs = std::max(1.0, ms - 1);
        result.stats.decodeSteps = std::max(0, result.stats.generatedTokens - 1);
        return result;
    }
    std::string renderPrompt(const GenerationInput&) const override { return {}; }

private:
    int tokens_;
    int perSecond_;
};

// The bedtime story sample, saved beside the deck with `maxTokens`.
QString storyApp(const QTemporaryDir& dir, int maxTokens) {
    PromptAppLoadResult sample = loadPromptApp(test::samplePath(QStringLiteral("bedtime-story.promptapp")));
    EXPECT_TRUE(sample.ok());
    sample.app.parameters.maxTokens = maxTokens;
    const QString path = dir.filePath(QStringLiteral("story.promptapp"));
    QString error;
    EXPECT_TRUE(savePromptApp(sample.app, path, &error)) << error.toStdString();
    return path;
}

DeckSlide slide(const QString& app, const QString& hero, bool race = false) {
    DeckSlide s;
    s.app = app;
    s.inputs = {{QStringLiteral("hero"), hero}};
    s.inputOrder = {QStringLiteral("hero")};
    s.race = race;
    return s;
}

void press(QWidget* widget, Qt::Key key, Qt::KeyboardModifiers modifiers = Qt::NoModifier) {
    QTest::keyClick(widget, key, modifiers);
}

bool noDialogShown() {
    for (QWidget* window : QApplication::topLevelWidgets())
        if (window->isVisible() && qobject_cast<QDialog*>(window)) return false;
    return true;
}

TEST(DemoStage, TheKeysDriveTheDeck) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    QTemporaryDir dir;
    const QString app = storyApp(dir, 400);
    Deck deck;
    deck.name = QStringLiteral("Keys");
    deck.filePath = dir.filePath(QStringLiteral("keys.promptdeck"));
    deck.slides = {slide(QStringLiteral("story.promptapp"), QStringLiteral("a little fox")),
                   slide(QStringLiteral("story.promptapp"), QStringLiteral("a sleepy dragon")),
                   slide(QStringLiteral("missing.promptapp"), QStringLiteral("nobody"))};
    DemoStage stage;
    stage.setDeck(deck);
    stage.setService(std::make_shared<test::SlowedService>(test::loadStories(modelPath), 3));
    stage.setNvmlLibraryPath(QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    stage.present();
    ASSERT_TRUE(stage.isReady());
    EXPECT_TRUE(stage.isVisible());
    EXPECT_EQ(stage.size(), QGuiApplication::primaryScreen()->size());  // the whole screen
    EXPECT_DOUBLE_EQ(stage.hintOpacity(), 1.0);  // the keys are shown first, then fade
    EXPECT_EQ(stage.currentIndex(), 0);
    EXPECT_TRUE(stage.titleText().contains(QStringLiteral("Bedtime story starter")));
    EXPECT_EQ(stage.inputsText(), QStringLiteral("Who is the story about? a little fox"));

    // Next and previous, with every key a clicker sends.
    press(&stage, Qt::Key_Right);
    EXPECT_EQ(stage.currentIndex(), 1);
    EXPECT_TRUE(stage.inputsText().contains(QStringLiteral("a sleepy dragon")));
    press(&stage, Qt::Key_PageUp);
    EXPECT_EQ(stage.currentIndex(), 0);
    press(&stage, Qt::Key_Space);
    press(&stage, Qt::Key_PageDown);
    EXPECT_EQ(stage.currentIndex(), 2);
    press(&stage, Qt::Key_Right);  // the last slide stays
    EXPECT_EQ(stage.currentIndex(), 2);
    // A slide whose app is missing: one calm line, no dialog, nothing runs.
    EXPECT_TRUE(stage.statusText().contains(QStringLiteral("missing.promptapp cannot run")))
        << stage.statusText().toStdString();
    press(&stage, Qt::Key_Return);
    EXPECT_FALSE(stage.isRunning());
    EXPECT_TRUE(noDialogShown());
    press(&stage, Qt::Key_Left);
    press(&stage, Qt::Key_Left);
    EXPECT_EQ(stage.currentIndex(), 0);
    EXPECT_TRUE(stage.statusText().isEmpty());

    // Enter runs, the answer streams in large type, Esc stops.
    EXPECT_GE(stage.answerPointSize(), 20.0);
    press(&stage, Qt::Key_Return);
    ASSERT_TRUE(stage.isRunning());
    ASSERT_TRUE(test::waitUntil([&] { return stage.answer()->browser()->toPlainText().size() > 20; }));
    EXPECT_GE(stage.answer()->browser()->document()->defaultFont().pointSizeF(), 20.0);
    press(&stage, Qt::Key_Escape);
    ASSERT_TRUE(test::waitUntil([&] { return !stage.isRunning(); }));
    const QString stopped = stage.answerText();
    EXPECT_FALSE(stopped.isEmpty());

    // R runs again: a fresh answer.
    int started = 0;
    QObject::connect(&stage, &DemoStage::runStarted, [&] { ++started; });
    press(&stage, Qt::Key_R);
    EXPECT_EQ(started, 1);
    ASSERT_TRUE(test::waitUntil([&] { return stage.answer()->browser()->toPlainText().size() > 20; }));
    // R while it runs: stopped and started once more.
    press(&stage, Qt::Key_R);
    ASSERT_TRUE(test::waitUntil([&] { return started == 2; }));
    press(&stage, Qt::Key_Escape);
    ASSERT_TRUE(test::waitUntil([&] { return !stage.isRunning(); }));

    // B blanks the stage; B again, or any other key, brings it back (without acting).
    press(&stage, Qt::Key_B);
    EXPECT_TRUE(stage.isBlank());
    press(&stage, Qt::Key_B);
    EXPECT_FALSE(stage.isBlank());
    press(&stage, Qt::Key_Period);  // what clickers send for "blank"
    EXPECT_TRUE(stage.isBlank());
    press(&stage, Qt::Key_Right);
    EXPECT_FALSE(stage.isBlank());
    EXPECT_EQ(stage.currentIndex(), 0);

    // F11 leaves.
    int left = 0;
    QObject::connect(&stage, &DemoStage::left, [&] { ++left; });
    press(&stage, Qt::Key_F11);
    EXPECT_EQ(left, 1);
    EXPECT_FALSE(stage.isVisible());
    stage.present();
    press(&stage, Qt::Key_Q, Qt::ControlModifier);
    EXPECT_EQ(left, 2);
}

TEST(DemoStage, AFailedRunIsOneCalmLine) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    QTemporaryDir dir;
    const QString app = storyApp(dir, 50);
    Deck deck;
    deck.filePath = dir.filePath(QStringLiteral("calm.promptdeck"));
    deck.slides = {slide(app, QStringLiteral("a little fox"))};
    DemoStage stage;
    stage.setDeck(deck);
    stage.present();
    // No model yet: said on the stage.
    press(&stage, Qt::Key_Return);
    EXPECT_FALSE(stage.isRunning());
    EXPECT_TRUE(stage.statusText().contains(QStringLiteral("No model is loaded"))) << stage.statusText().toStdString();
    EXPECT_EQ(stage.statusText().count(QLatin1Char('\n')), 0);
    EXPECT_TRUE(noDialogShown());
    stage.leave();
}

TEST(DemoStage, LeftAloneTheDeckPlaysItselfUntilAKeyIsPressed) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    QTemporaryDir dir;
    const QString app = storyApp(dir, 30);
    Deck deck;
    deck.filePath = dir.filePath(QStringLiteral("attract.promptdeck"));
    deck.attractAfterSeconds = 60;
    deck.slides = {slide(app, QStringLiteral("a little fox")), slide(app, QStringLiteral("a brave girl"))};
    DemoStage stage;
    stage.setDeck(deck);
    stage.setService(test::loadStories(modelPath));
    stage.setAttractTimes(150, 100);
    EXPECT_EQ(deck.attractAfterSeconds, 60);
    stage.present();
    int runs = 0;
    QObject::connect(&stage, &DemoStage::runEnded, [&] { ++runs; });
    // Run, pause, next, run, pause, and round again to the first slide.
    ASSERT_TRUE(test::waitUntil([&] { return stage.inAttractLoop(); }, 5000));
    ASSERT_TRUE(test::waitUntil([&] { return runs >= 3; }, 15000));
    EXPECT_TRUE(stage.inAttractLoop());
    // A key ends the loop and is spent doing so.
    const int index = stage.currentIndex();
    press(&stage, Qt::Key_Right);
    EXPECT_FALSE(stage.inAttractLoop());
    EXPECT_EQ(stage.currentIndex(), index);
    stage.leave();
}

TEST(RaceView, TwoEnginesOnStories260KBothFinish) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    RaceOptions options;
    options.tryGpu = false;  // the same test on every machine: all cores against one
    options.contextLength = 512;
    options.cpuThreads = 2;
    const RaceEngines engines = loadRaceEngines(QString::fromStdString(modelPath.string()), options);
    ASSERT_TRUE(engines.first.service && engines.second.service);
    EXPECT_TRUE(engines.first.label.startsWith(QStringLiteral("CPU (2 threads"))) << engines.first.label.toStdString();
    EXPECT_TRUE(engines.second.label.contains(QStringLiteral("1 thread"))) << engines.second.label.toStdString();

    QTemporaryDir dir;
    const PromptApp app = loadPromptApp(storyApp(dir, 80)).app;
    RaceView race;
    race.resize(1200, 600);
    race.show();
    race.setEngines(engines);
    QString summary;
    int ended = 0;
    QObject::connect(&race, &RaceView::finished, [&](const QString& text) { summary = text; });
    QObject::connect(&race, &RaceView::ended, [&] { ++ended; });
    ASSERT_TRUE(race.start(app, QString(), {{QStringLiteral("hero"), QStringLiteral("a little fox")}}, {}));
    EXPECT_TRUE(race.isRunning());
    ASSERT_TRUE(test::waitUntil([&] { return ended == 1; }, 30000));
    EXPECT_FALSE(race.isRunning());
    for (int lane = 0; lane < 2; ++lane) {
        EXPECT_GT(race.finishMs(lane), 0.0);
        EXPECT_TRUE(race.resultText(lane).startsWith(QStringLiteral("Finished in"))) << race.resultText(lane).toStdString();
        EXPECT_GT(race.lane(lane)->text().size(), 20);
    }
    // The same seed on both: the same story, only the speed differs.
    EXPECT_EQ(race.lane(0)->text(), race.lane(1)->text());
    // Who won by how much (or, within timing noise, that they were even).
    EXPECT_TRUE(summary.contains(QStringLiteral("faster than")) || summary.contains(QStringLiteral("finished together")))
        << summary.toStdString();
    if (summary.contains(QStringLiteral("faster than"))) {
        EXPECT_TRUE(race.resultText(0).contains(QStringLiteral("faster")) ||
                    race.resultText(1).contains(QStringLiteral("faster")));
    }
}

TEST(DemoStage, ARaceSlideLoadsItsEnginesFirstThenRacesOnEnter) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    QTemporaryDir dir;
    const QString app = storyApp(dir, 40);
    Deck deck;
    deck.filePath = dir.filePath(QStringLiteral("race.promptdeck"));
    deck.slides = {slide(app, QStringLiteral("a little fox"), /*race=*/true)};
    DemoStage stage;
    stage.setDeck(deck);
    RaceOptions options;
    options.tryGpu = false;
    options.contextLength = 512;
    options.cpuThreads = 2;
    stage.setRaceOptions(options);
    stage.setService(test::loadStories(modelPath));
    stage.present();
    EXPECT_TRUE(stage.isRaceShown());
    // The progress is on the stage while the engines load.
    if (!stage.isReady()) {
        EXPECT_TRUE(stage.statusText().startsWith(QStringLiteral("Getting the deck ready:")))
            << stage.statusText().toStdString();
    }
    ASSERT_TRUE(test::waitUntil([&] { return stage.isReady(); }, 30000));
    EXPECT_TRUE(stage.statusText().isEmpty()) << stage.statusText().toStdString();
    int ended = 0;
    QObject::connect(&stage, &DemoStage::runEnded, [&] { ++ended; });
    press(&stage, Qt::Key_Return);
    ASSERT_TRUE(stage.isRunning());
    ASSERT_TRUE(test::waitUntil([&] { return ended == 1; }, 30000));
    EXPECT_TRUE(stage.statusText().contains(QStringLiteral("faster than")) ||
                stage.statusText().contains(QStringLiteral("finished together")))
        << stage.statusText().toStdString();
    stage.leave();
}

TEST(MetricsStrip, AFakeNvmlLibraryFeedsTheGpuFigures) {
    QString why;
    const auto nvml = NvmlLibrary::open(QStringLiteral(PS_FAKE_NVML_PATH), &why);
    ASSERT_TRUE(nvml) << why.toStdString();
    ASSERT_EQ(nvml->deviceCount(), 1);
    const std::optional<GpuSample> gpu = nvml->sample(0);
    ASSERT_TRUE(gpu);
    EXPECT_EQ(gpu->name, QStringLiteral("NVIDIA Fake H200"));
    EXPECT_EQ(gpu->memoryTotal, 141ull << 30);
    EXPECT_EQ(gpu->memoryUsed, 12ull << 30);
    EXPECT_EQ(gpu->utilizationPercent, 87);
    EXPECT_DOUBLE_EQ(gpu->powerWatts, 312.0);
    EXPECT_EQ(gpu->temperatureC, 54);
    EXPECT_FALSE(nvml->sample(1));

    // Through the monitor's thread onto the strip.
    MachineMonitor monitor(QStringLiteral(PS_FAKE_NVML_PATH));
    MetricsStrip strip;
    strip.resize(1600, strip.sizeHint().height());
    strip.show();
    int samples = 0;
    QObject::connect(&monitor, &MachineMonitor::sampled, &strip, [&](const MachineSample& sample) {
        strip.setMachine(sample);
        ++samples;
    });
    monitor.start(50);
    ASSERT_TRUE(test::waitUntil([&] { return samples >= 2; }));
    monitor.stop();
    const QString device = strip.cells().last();
    EXPECT_TRUE(device.startsWith(QStringLiteral("Device: NVIDIA Fake H200"))) << device.toStdString();
    for (const char* part : {"12.0 GiB / 141.0 GiB", "87% busy", "312 W", "54 °C"})
        EXPECT_TRUE(device.contains(QString::fromUtf8(part))) << part << " in " << device.toStdString();
    strip.repaint();  // paints without a crash at this size
}

TEST(MetricsStrip, WithoutNvmlItShowsTheRealCpu) {
    QString why;
    EXPECT_FALSE(NvmlLibrary::open(QStringLiteral("/nonexistent/libnvidia-ml.so.1"), &why));
    EXPECT_TRUE(why.contains(QStringLiteral("no NVIDIA driver library"))) << why.toStdString();
    EXPECT_FALSE(NvmlLibrary::open(QStringLiteral("libm.so.6"), &why));  // loads, but is no NVML
    EXPECT_TRUE(why.contains(QStringLiteral("not a usable NVML library"))) << why.toStdString();

    // The figures /proc gives agree with what the C library says.
    const CpuInfo cpu = readCpuInfo();
    EXPECT_FALSE(cpu.name.isEmpty());
    EXPECT_EQ(cpu.logicalCores, int(sysconf(_SC_NPROCESSORS_ONLN)));
    const double physical = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
    EXPECT_NEAR(double(cpu.memoryTotal), physical, physical * 0.01);
    EXPECT_GT(cpu.memoryAvailable, 0u);
    EXPECT_LE(cpu.memoryAvailable, cpu.memoryTotal);

    MachineMonitor monitor(QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    MetricsStrip strip;
    std::optional<MachineSample> got;
    QObject::connect(&monitor, &MachineMonitor::sampled, &strip, [&](const MachineSample& sample) {
        strip.setMachine(sample);
        got = sample;
    });
    monitor.start(1000);
    ASSERT_TRUE(test::waitUntil([&] { return got.has_value(); }));
    EXPECT_FALSE(got->gpu);
    EXPECT_FALSE(got->whyNoGpu.isEmpty());
    EXPECT_EQ(strip.deviceText(), cpu.name);
    EXPECT_TRUE(strip.cells().last().contains(QStringLiteral("%1 core%2").arg(cpu.logicalCores).arg(cpu.logicalCores == 1 ? QString() : QStringLiteral("s"))))
        << strip.cells().last().toStdString();
}

TEST(MetricsStrip, ReadsAFolderShapedLikeProc) {
    QTemporaryDir proc;
    QFile cpuinfo(proc.filePath(QStringLiteral("cpuinfo")));
    ASSERT_TRUE(cpuinfo.open(QIODevice::WriteOnly));
    cpuinfo.write("processor\t: 0\nmodel name\t: Example CPU  9000\nflags\t: fpu\n\n"
                  "processor\t: 1\nmodel name\t: Example CPU  9000\n\n");
    cpuinfo.close();
    QFile meminfo(proc.filePath(QStringLiteral("meminfo")));
    ASSERT_TRUE(meminfo.open(QIODevice::WriteOnly));
    meminfo.write("MemTotal:       16384 kB\nMemFree:  100 kB\nMemAvailable:    8192 kB\n");
    meminfo.close();
    const CpuInfo cpu = readCpuInfo(proc.path());
    EXPECT_EQ(cpu.name, QStringLiteral("Example CPU 9000"));
    EXPECT_EQ(cpu.logicalCores, 2);
    EXPECT_EQ(cpu.memoryTotal, 16384u * 1024);
    EXPECT_EQ(cpu.memoryAvailable, 8192u * 1024);

    // The run's figures and the sparkline.
    MetricsStrip strip;
    strip.startRun();
    EXPECT_EQ(strip.cells().first(), QStringLiteral("First token: –"));
    strip.setLive(12.0, 5, 100.0);
    strip.setLive(12.0, 30, 120.0);
    EXPECT_EQ(strip.sparklinePoints(), 2);
    strip.setFinal(12.0, 60, 118.5, 10, 14);
    EXPECT_EQ(strip.cells().at(1), QStringLiteral("Tokens/s: 118.5"));
    EXPECT_EQ(strip.cells().at(3), QStringLiteral("Reused from cache: 10 of 14"));
    strip.startRun();
    EXPECT_EQ(strip.sparklinePoints(), 0);
}

TEST(OutputPane, StreamedMarkdownGrowsAtItsEndAndTheFinalRenderIsWhole) {
    OutputPane pane;
    pane.resize(800, 600);
    pane.show();
    pane.setFormat(OutputFormat::Markdown);
    pane.setPlaceholder(QStringLiteral("Press Enter to run."));
    pane.clear();
    // How much of the document each flush took away: a whole render takes all of it.
    int mostRemoved = 0;
    QObject::connect(pane.browser()->document(), &QTextDocument::contentsChange,
                     [&](int, int removed, int) { mostRemoved = std::max(mostRemoved, removed); });
    QStringList pieces = {"# A story\n\n", "- one\n- two\n\n", "```\ncode\n\nstill code\n```\n\n"};
    for (int paragraph = 0; paragraph < 12; ++paragraph)
        pieces << QStringLiteral("Paragraph %1 has").arg(paragraph) << QStringLiteral(" **some** words.\n\n");
    pieces << QStringLiteral("The end");
    QString all;
    int largestDocument = 0;
    for (const QString& piece : pieces) {
        pane.append(piece);
        all += piece;
        pane.flush();
        largestDocument = std::max(largestDocument, pane.browser()->document()->characterCount());
    }
    EXPECT_GT(largestDocument, 300);
    // At most the unfinished paragraph and the one before it are ever rendered again.
    EXPECT_LT(mostRemoved, 80);
    const QString streamed = pane.browser()->toPlainText();
    for (const char* part : {"A story", "one", "still code", "Paragraph 0 has some words.", "Paragraph 11 has some words.", "The end"})
        EXPECT_TRUE(streamed.contains(QString::fromUtf8(part))) << part << " in " << streamed.toStdString();
    EXPECT_FALSE(streamed.contains(QStringLiteral("**")));  // rendered, not raw
    // finish() adds the rest the same way; the answer reads as the whole Markdown
    // rendered at once would.
    pane.finish();
    QTextDocument whole;
    whole.setMarkdown(all);
    EXPECT_EQ(pane.browser()->toPlainText(), whole.toPlainText());
    EXPECT_EQ(pane.browser()->document()->firstBlock().blockFormat().headingLevel(), 1);
    EXPECT_EQ(pane.browser()->document()->blockCount(), whole.blockCount());
    EXPECT_LT(mostRemoved, 80);
    // JSON is still made pretty at the end.
    pane.setFormat(OutputFormat::Json);
    pane.clear();
    pane.append(QStringLiteral("{\"a\":"));
    pane.flush();
    pane.append(QStringLiteral("1}"));
    pane.finish();
    EXPECT_EQ(pane.browser()->toPlainText(), QStringLiteral("{\n    \"a\": 1\n}"));

    // Plain text: each flush inserts at the end, nothing before it changes.
    pane.setFormat(OutputFormat::Text);
    pane.clear();
    pane.append(QStringLiteral("first line\n"));
    pane.flush();
    const int before = pane.browser()->document()->characterCount();
    int earliestChange = INT_MAX;
    QObject::connect(pane.browser()->document(), &QTextDocument::contentsChange,
                     [&](int position, int, int) { earliestChange = std::min(earliestChange, position); });
    mostRemoved = 0;
    pane.append(QStringLiteral("second line"));
    pane.flush();
    EXPECT_GE(earliestChange, before - 1);
    EXPECT_EQ(mostRemoved, 0);
    EXPECT_EQ(pane.browser()->toPlainText(), QStringLiteral("first line\nsecond line"));
}

TEST(DemoStage, NoGuiStallAt1000TokensPerSecondOnTheStageOrInTheRace) {
    QTemporaryDir dir;
    const QString app = storyApp(dir, 4000);
    Deck deck;
    deck.filePath = dir.filePath(QStringLiteral("stall.promptdeck"));
    deck.slides = {slide(app, QStringLiteral("a little fox")), slide(app, QStringLiteral("a little fox"), true)};
    DemoStage stage;
    stage.setDeck(deck);
    // Engines at 1000 tokens/s: the stage's answer, then both race lanes at once.
    constexpr int kStageTokens = 2500;
    constexpr int kLaneTokens = 1500;
    stage.setService(std::make_shared<PacedService>(kStageTokens, 1000));
    stage.setRaceEngines({{QStringLiteral("Left"), std::make_shared<PacedService>(kLaneTokens, 1000)},
                          {QStringLiteral("Right"), std::make_shared<PacedService>(kLaneTokens, 1000)}});
    stage.setNvmlLibraryPath(QStringLiteral(PS_FAKE_NVML_PATH));
    stage.present(nullptr, QRect(0, 0, 1366, 768));
    // The same meter with nothing running: what the machine alone causes.
    StallMeter idle;
    idle.start();
    test::processEventsFor(400);
    idle.stop();
    int ended = 0;
    QObject::connect(&stage, &DemoStage::runEnded, [&] { ++ended; });
    StallMeter onStage;
    StallMeter inRace;
    QElapsedTimer clock;
    clock.start();
    onStage.start();
    press(&stage, Qt::Key_Return);
    ASSERT_TRUE(stage.isRunning()) << stage.statusText().toStdString();
    // Far past the stage's height, the end of the answer is what the room sees.
    ASSERT_TRUE(test::waitUntil([&] { return stage.answerText().size() > 6000; }, 30000));
    test::processEventsFor(60);
    const QScrollBar* scroll = stage.answer()->browser()->verticalScrollBar();
    EXPECT_TRUE(stage.isRunning());
    EXPECT_GT(scroll->maximum(), 0);
    EXPECT_GE(scroll->value(), scroll->maximum() - 4) << scroll->value() << " of " << scroll->maximum();
    ASSERT_TRUE(test::waitUntil([&] { return ended == 1; }, 30000));
    onStage.stop();
    const qint64 stageMs = clock.restart();
    EXPECT_GT(stage.answerText().size(), kStageTokens * 4);
    const int answerFlushes = stage.answer()->flushCount();
    const double answerRenderMs = stage.answer()->slowestRenderMs();
    press(&stage, Qt::Key_Right);
    ASSERT_TRUE(stage.isRaceShown());
    inRace.start();
    press(&stage, Qt::Key_Return);
    ASSERT_TRUE(stage.isRunning()) << stage.statusText().toStdString();
    ASSERT_TRUE(test::waitUntil([&] { return ended == 2; }, 30000));
    inRace.stop();
    const qint64 raceMs = clock.elapsed();
    StallMeter idleAfter;
    idleAfter.start();
    test::processEventsFor(400);
    idleAfter.stop();
    const double machine = std::max(idle.worstMs(), idleAfter.worstMs());
    std::printf("[ stall    ] stage: %d tokens in %lld ms, %d flushes, slowest flush %.1f ms, largest GUI-thread gap "
                "%.1f ms; race: 2 x %d tokens in %lld ms, largest gap %.1f ms (lanes' slowest flush %.1f / %.1f ms); "
                "idle event loop: largest gap %.1f ms\n",
                kStageTokens, static_cast<long long>(stageMs), answerFlushes, answerRenderMs, onStage.worstMs(),
                kLaneTokens, static_cast<long long>(raceMs), inRace.worstMs(), stage.race()->lane(0)->slowestRenderMs(),
                stage.race()->lane(1)->slowestRenderMs(), machine);
    EXPECT_EQ(stage.race()->stats(0).generatedTokens, kLaneTokens);
    EXPECT_EQ(stage.race()->stats(1).generatedTokens, kLaneTokens);
    EXPECT_EQ(stage.race()->lane(0)->text(), stage.race()->lane(1)->text());
    EXPECT_GT(stage.metrics()->sparklinePoints(), 0);
    // Under a frame at 60 Hz, on top of what the machine alone causes (the same
    // meter with nothing running): on a loaded test machine the scheduler's pauses
    // are not the stage's.
    EXPECT_LT(onStage.worstMs(), 16.0 + machine);
    EXPECT_LT(inRace.worstMs(), 16.0 + machine);
    stage.leave();
}

TEST(DemoStage, TheDeckLoadsEveryModelItNeedsFirstWithAPercentage) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    PS_REQUIRE_SHARED_FILE(biggerPath, "models/tiny-d256-F32.gguf");
    const QString stories = QString::fromStdString(modelPath.string());
    QTemporaryDir dir;
    const QString app = storyApp(dir, 40);
    Deck deck;
    deck.filePath = dir.filePath(QStringLiteral("load.promptdeck"));
    // Two thread counts; two models (a 260K and a ~3M-parameter one); a model that is not there.
    DeckSlide threads = slide(app, QStringLiteral("a little fox"), true);
    threads.raceSetup = DeckRace{{stories, RaceDevice::Cpu, 2}, {stories, RaceDevice::Cpu, 1}};
    DeckSlide models = slide(app, QStringLiteral("a sleepy dragon"), true);
    models.raceSetup = DeckRace{{QString(), RaceDevice::Cpu, 1},
                                {QString::fromStdString(biggerPath.string()), RaceDevice::Cpu, 1}};
    DeckSlide missing = slide(app, QStringLiteral("nobody"), true);
    missing.raceSetup = DeckRace{{QStringLiteral("missing-Q4_K_M.gguf"), RaceDevice::Cpu, 1}, {}};
    deck.slides = {threads, models, missing};
    DemoStage stage;
    stage.setDeck(deck);
    RaceOptions options;
    options.tryGpu = false;
    options.contextLength = 512;
    stage.setRaceOptions(options);
    stage.setNvmlLibraryPath(QStringLiteral("/nonexistent/libnvidia-ml.so.1"));
    QList<int> percents;
    QObject::connect(&stage, &DemoStage::loadProgress, [&](int percent) { percents << percent; });
    stage.present();
    // The second race is on the window's model: the deck waits for it, and says so.
    EXPECT_FALSE(stage.isReady());
    EXPECT_TRUE(stage.statusText().startsWith(QStringLiteral("Getting the deck ready: 0%")))
        << stage.statusText().toStdString();
    stage.setService(test::loadStories(modelPath));
    // Loading in the background: the stage still answers its keys.
    press(&stage, Qt::Key_Right);
    EXPECT_EQ(stage.currentIndex(), 1);
    press(&stage, Qt::Key_Left);
    ASSERT_TRUE(test::waitUntil([&] { return stage.isReady(); }, 30000));
    ASSERT_FALSE(percents.isEmpty());
    EXPECT_EQ(percents.last(), 100);
    EXPECT_TRUE(std::is_sorted(percents.begin(), percents.end())) << percents.size();
    EXPECT_TRUE(std::any_of(percents.begin(), percents.end(), [](int p) { return p > 0 && p < 100; }));
    EXPECT_TRUE(stage.statusText().isEmpty()) << stage.statusText().toStdString();

    // Two thread counts: both sides finish.
    int ended = 0;
    QObject::connect(&stage, &DemoStage::runEnded, [&] { ++ended; });
    EXPECT_TRUE(stage.race()->laneLabel(0).contains(QStringLiteral("2 threads"))) << stage.race()->laneLabel(0).toStdString();
    EXPECT_TRUE(stage.race()->laneLabel(1).contains(QStringLiteral("1 thread"))) << stage.race()->laneLabel(1).toStdString();
    press(&stage, Qt::Key_Return);
    ASSERT_TRUE(test::waitUntil([&] { return ended == 1; }, 30000));
    for (int lane = 0; lane < 2; ++lane)
        EXPECT_TRUE(stage.race()->resultText(lane).startsWith(QStringLiteral("Finished in")))
            << stage.race()->resultText(lane).toStdString();

    // Two models: the small one wins, and the stage says by how much.
    press(&stage, Qt::Key_Right);
    EXPECT_TRUE(stage.race()->laneLabel(0).startsWith(QStringLiteral("stories260K · CPU"))) << stage.race()->laneLabel(0).toStdString();
    EXPECT_TRUE(stage.race()->laneLabel(1).startsWith(QStringLiteral("tiny-d256-F32 · CPU"))) << stage.race()->laneLabel(1).toStdString();
    press(&stage, Qt::Key_Return);
    ASSERT_TRUE(test::waitUntil([&] { return ended == 2; }, 30000));
    EXPECT_TRUE(stage.statusText().contains(QStringLiteral("faster than"))) << stage.statusText().toStdString();
    EXPECT_TRUE(stage.race()->resultText(0).contains(QStringLiteral("× faster"))) << stage.race()->resultText(0).toStdString();

    // The model that is not there: one calm line, no dialog, nothing runs.
    press(&stage, Qt::Key_Right);
    EXPECT_TRUE(stage.statusText().startsWith(QStringLiteral("The race cannot run:"))) << stage.statusText().toStdString();
    EXPECT_TRUE(stage.statusText().contains(QStringLiteral("missing-Q4_K_M.gguf"))) << stage.statusText().toStdString();
    EXPECT_EQ(stage.statusText().count(QLatin1Char('\n')), 0);
    press(&stage, Qt::Key_Return);
    EXPECT_FALSE(stage.isRunning());
    EXPECT_TRUE(noDialogShown());
    stage.leave();
}

TEST(DemoStage, ThePresenterNoteShowsWithNAndGoesWithTheBlank) {
    QTemporaryDir dir;
    const QString app = storyApp(dir, 10);
    Deck deck;
    deck.filePath = dir.filePath(QStringLiteral("notes.promptdeck"));
    deck.slides = {slide(app, QStringLiteral("a little fox")), slide(app, QStringLiteral("a sleepy dragon"))};
    deck.slides[0].note = QStringLiteral("Point at the tokens/s.");
    DemoStage stage;
    stage.setDeck(deck);
    stage.present();
    EXPECT_TRUE(stage.noteText().isEmpty());  // not on the stage until asked for
    press(&stage, Qt::Key_N);
    EXPECT_EQ(stage.noteText(), QStringLiteral("Note: Point at the tokens/s."));
    press(&stage, Qt::Key_Right);  // a slide without a note: no line
    EXPECT_TRUE(stage.noteText().isEmpty());
    press(&stage, Qt::Key_Left);
    EXPECT_FALSE(stage.noteText().isEmpty());
    press(&stage, Qt::Key_B);  // the blank covers it with the rest
    EXPECT_TRUE(stage.isBlank());
    press(&stage, Qt::Key_B);
    press(&stage, Qt::Key_N);
    EXPECT_TRUE(stage.noteText().isEmpty());
    stage.leave();
}

TEST(DemoStage, GoesOnTheChosenDisplayOrCalmlyOnTheMainOne) {
    test::CleanSettings settings;
    Preferences preferences;
    MainWindow window(preferences, test::windowOptions(settings));
    window.show();
    const QList<QScreen*> screens = QGuiApplication::screens();
    // tests/ui/data/two_screens.json gives the offscreen platform a laptop and a projector.
    ASSERT_GE(screens.size(), 2) << "QT_QPA_PLATFORM should name tests/ui/data/two_screens.json";

    // The deck page lists the displays; the choice is remembered.
    DeckPage page;
    page.refreshScreens();
    QComboBox* picker = page.screenPicker();
    ASSERT_EQ(picker->count(), int(screens.size()) + 1);
    EXPECT_TRUE(picker->itemText(2).contains(QStringLiteral("Projector (1920×1080)"))) << picker->itemText(2).toStdString();
    picker->setCurrentIndex(2);
    emit picker->activated(2);
    EXPECT_EQ(chosenDemoScreen(), QStringLiteral("Projector"));
    EXPECT_EQ(QSettings().value(QStringLiteral("demo/screen")).toString(), QStringLiteral("Projector"));

    QPointer<DemoStage> stage = window.presentCurrent();
    ASSERT_TRUE(stage);
    EXPECT_EQ(stage->screen(), screens.at(1));
    EXPECT_EQ(stage->geometry(), screens.at(1)->geometry());
    EXPECT_TRUE(stage->statusText().isEmpty() || !stage->statusText().contains(QStringLiteral("not connected")));
    stage->leave();

    // --screen 1 for this start wins over the remembered choice.
    overrideDemoScreen(QStringLiteral("1"));
    stage = window.presentCurrent();
    EXPECT_EQ(stage->screen(), screens.at(0));
    stage->leave();
    overrideDemoScreen(QString());

    // The projector is unplugged: the main display, and one calm line.
    setChosenDemoScreen(QStringLiteral("HDMI-9"));
    page.refreshScreens();
    EXPECT_TRUE(page.screenPicker()->currentText().contains(QStringLiteral("not connected")))
        << page.screenPicker()->currentText().toStdString();
    stage = window.presentCurrent();
    EXPECT_EQ(stage->screen(), QGuiApplication::primaryScreen());
    EXPECT_EQ(stage->geometry(), QGuiApplication::primaryScreen()->geometry());
    EXPECT_TRUE(stage->statusText().contains(QStringLiteral("“HDMI-9” is not connected"))) << stage->statusText().toStdString();
    EXPECT_TRUE(noDialogShown());
    stage->leave();
    setChosenDemoScreen(QString());
}

TEST(DeckPage, NotesAndRaceEnginesAreEditedAndSavedIntoTheDeck) {
    QTemporaryDir dir;
    const QString app = storyApp(dir, 10);
    Deck deck;
    deck.name = QStringLiteral("Notes");
    deck.slides = {slide(QStringLiteral("story.promptapp"), QStringLiteral("a little fox")),
                   slide(QStringLiteral("story.promptapp"), QStringLiteral("a sleepy dragon"))};
    const QString path = dir.filePath(QStringLiteral("notes.promptdeck"));
    QString error;
    ASSERT_TRUE(saveDeck(deck, path, &error)) << error.toStdString();
    DeckPage page;
    page.resize(900, 700);
    page.show();
    ASSERT_TRUE(page.setDeckFile(path));
    page.slideList()->setCurrentRow(1);
    // Typed into the note editor: saved when the typing pauses.
    page.noteEditor()->setFocus();
    QTest::keyClicks(page.noteEditor(), QStringLiteral("Say: this runs on the CPU"));
    ASSERT_TRUE(test::waitUntil([&] { return loadDeck(path).deck.slides[1].note == QStringLiteral("Say: this runs on the CPU"); }, 5000));
    // Typed, then straight to another slide: nothing is lost.
    page.slideList()->setCurrentRow(0);
    page.noteEditor()->setPlainText(QStringLiteral("Open with the fox."));
    page.slideList()->setCurrentRow(1);
    EXPECT_EQ(page.noteEditor()->toPlainText(), QStringLiteral("Say: this runs on the CPU"));
    DeckLoadResult saved = loadDeck(path);
    ASSERT_TRUE(saved.ok()) << saved.errorText().toStdString();
    EXPECT_EQ(saved.deck.slides[0].note, QStringLiteral("Open with the fox."));
    EXPECT_TRUE(page.slideList()->item(0)->text().contains(QStringLiteral("Note: Open with the fox.")));

    // What the slide races, through the dialog's fields, into the file (format 2).
    RaceSetupDialog dialog(dir.path());
    dialog.setRace(std::nullopt);
    EXPECT_FALSE(dialog.race());
    dialog.customChoice()->setChecked(true);
    dialog.side(0).threads->setValue(4);
    dialog.side(1).model->setText(QStringLiteral("tiny-Q8_0.gguf"));
    const std::optional<DeckRace> race = dialog.race();
    ASSERT_TRUE(race);
    EXPECT_EQ(race->left.threads, 4);
    EXPECT_EQ(race->right.device, RaceDevice::Cpu);
    EXPECT_EQ(race->right.threads, 1);
    ASSERT_TRUE(page.setRaceSetup(1, race));
    saved = loadDeck(path);
    ASSERT_TRUE(saved.ok()) << saved.errorText().toStdString();
    ASSERT_TRUE(saved.deck.slides[1].race && saved.deck.slides[1].raceSetup);
    EXPECT_EQ(*saved.deck.slides[1].raceSetup, *race);
    EXPECT_EQ(saved.deck.modelPathOf(saved.deck.slides[1].raceSetup->right), dir.filePath(QStringLiteral("tiny-Q8_0.gguf")));
    EXPECT_EQ(saved.deck.slides[1].note, QStringLiteral("Say: this runs on the CPU"));
    EXPECT_TRUE(page.slideList()->item(1)->text().contains(QStringLiteral("race: GPU if any, 4 threads against tiny-Q8_0, CPU, 1 thread")))
        << page.slideList()->item(1)->text().toStdString();
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    EXPECT_TRUE(file.readAll().startsWith("promptdeck: 2\n"));
}

TEST(DemoMainWindow, AddRunsToADeckReorderThemAndPresentWithF11) {
    test::CleanSettings settings;
    Preferences preferences;
    MainWindow window(preferences, test::windowOptions(settings));
    window.show();
    ASSERT_TRUE(window.openFile(test::samplePath(QStringLiteral("bedtime-story.promptapp"))));
    const QString deckPath = QDir(settings.appsFolder()).filePath(QStringLiteral("Talk.promptdeck"));
    window.runView()->setInputs({{QStringLiteral("hero"), QStringLiteral("a little fox")}});
    ASSERT_TRUE(window.addCurrentRunToDeck(deckPath));
    window.runView()->setInputs({{QStringLiteral("hero"), QStringLiteral("a sleepy dragon")}});
    ASSERT_TRUE(window.addCurrentRunToDeck(deckPath));
    DeckLoadResult saved = loadDeck(deckPath);
    ASSERT_TRUE(saved.ok()) << saved.errorText().toStdString();
    ASSERT_EQ(saved.deck.slides.size(), 2);
    EXPECT_EQ(saved.deck.slides[1].inputs.value(QStringLiteral("hero")).toString(), QStringLiteral("a sleepy dragon"));
    EXPECT_TRUE(QFileInfo(saved.deck.appPathOf(saved.deck.slides[0])).isFile());

    // Listed in the Library; choosing it shows its slides, to reorder and remove.
    const int row = window.library()->model()->rowOfPath(deckPath);
    ASSERT_GE(row, 0);
    EXPECT_TRUE(window.library()->model()->entryAt(row)->deck);
    ASSERT_TRUE(window.library()->selectPath(deckPath));
    ASSERT_TRUE(window.deckPage()->isVisibleTo(&window));
    EXPECT_EQ(window.deckPage()->slideList()->count(), 2);
    ASSERT_TRUE(window.deckPage()->moveSlide(1, 0));
    ASSERT_TRUE(window.deckPage()->setRace(1, true));
    saved = loadDeck(deckPath);
    EXPECT_EQ(saved.deck.slides[0].inputs.value(QStringLiteral("hero")).toString(), QStringLiteral("a sleepy dragon"));
    EXPECT_TRUE(saved.deck.slides[1].race);
    ASSERT_TRUE(window.deckPage()->removeSlide(0));
    EXPECT_EQ(loadDeck(deckPath).deck.slides.size(), 1);

    // F11 presents it; F11 on the stage leaves.
    window.demoAction()->trigger();
    QPointer<DemoStage> stage = window.stage();
    ASSERT_TRUE(stage);
    EXPECT_TRUE(stage->isVisible());
    EXPECT_EQ(stage->slideCount(), 1);
    EXPECT_TRUE(stage->titleText().contains(QStringLiteral("Bedtime story starter")));
    press(stage, Qt::Key_F11);
    EXPECT_FALSE(stage->isVisible());
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);  // deleteLater, without an event loop
    EXPECT_TRUE(stage.isNull());

    // A broken deck: the stage says so in one line.
    QFile broken(deckPath);
    ASSERT_TRUE(broken.open(QIODevice::WriteOnly));
    broken.write("promptdeck: 1\nslides:\n  - app: [oops\n");
    broken.close();
    DemoStage* brokenStage = window.presentDeck(deckPath);
    ASSERT_TRUE(brokenStage);
    EXPECT_TRUE(brokenStage->statusText().startsWith(QStringLiteral("Talk.promptdeck cannot be read: line")))
        << brokenStage->statusText().toStdString();
    EXPECT_TRUE(noDialogShown());
    brokenStage->leave();
}

}  // namespace
}  // namespace ps::ui
