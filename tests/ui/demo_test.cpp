// Demo mode: the stage driven by its keys (next, previous, run, stop, run again,
// blank, leave) with calm one-line failures; the attract loop; the race between two
// engines on stories260K; the metrics strip fed by a fake NVML library and by the
// real CPU figures from /proc; the stage never stalls while tokens pour in; and the
// window's side: Run > Add This Run to a Deck, the deck in the Library, F11.
#include <QApplication>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QListWidget>
#include <QPointer>
#include <QTemporaryDir>
#include <QScreen>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>

#include <gtest/gtest.h>
#include <unistd.h>

#include "deck/deck_file.h"
#include "demo/deck_page.h"
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

// The largest gap between the ticks of a 5 ms timer: how long the GUI thread was
// busy at a stretch (as in run_view_test.cpp).
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
        EXPECT_TRUE(stage.statusText().contains(QStringLiteral("Getting the race ready")));
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

TEST(DemoStage, TheStageNeverStallsWhileTokensPourIn) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    QTemporaryDir dir;
    const QString app = storyApp(dir, 4000);  // until the context is full
    Deck deck;
    deck.filePath = dir.filePath(QStringLiteral("stall.promptdeck"));
    deck.slides = {slide(app, QStringLiteral("a little fox"))};
    DemoStage stage;
    stage.setDeck(deck);
    // One generation thread: the model must not take the core the stage runs on.
    stage.setService(test::loadStories(modelPath, 1));
    stage.setNvmlLibraryPath(QStringLiteral(PS_FAKE_NVML_PATH));
    stage.present(nullptr, QRect(0, 0, 1366, 768));
    // The same timer with nothing running, for comparison in the log.
    StallMeter idle;
    idle.start();
    test::processEventsFor(200);
    idle.stop();
    int ended = 0;
    QObject::connect(&stage, &DemoStage::runEnded, [&] { ++ended; });
    StallMeter meter;
    meter.start();
    QElapsedTimer clock;
    clock.start();
    int runs = 0;
    while (runs < 2 || clock.elapsed() < 1500) {
        press(&stage, Qt::Key_Return);
        ASSERT_TRUE(stage.isRunning()) << stage.statusText().toStdString();
        ++runs;
        ASSERT_TRUE(test::waitUntil([&] { return ended == runs; }, 30000));
    }
    meter.stop();
    const QStringList cells = stage.metrics()->cells();
    std::printf("[ stall    ] %d runs in %lld ms; largest GUI-thread gap %.1f ms (idle: %.1f ms); slowest render "
                "%.1f ms; %s\n",
                runs, static_cast<long long>(clock.elapsed()), meter.worstMs(), idle.worstMs(),
                stage.answer()->slowestRenderMs(), cells.at(1).toUtf8().constData());
    EXPECT_GT(stage.metrics()->sparklinePoints(), 0);
    // As the Run page's test: 50 ms on top of the gaps the machine causes with nothing running.
    EXPECT_LT(meter.worstMs(), 50.0 + idle.worstMs());
    stage.leave();
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
