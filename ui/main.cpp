// promptstudio: the desktop program. Opens the files given on the command line
// (`promptstudio email.promptapp`), or hands them to the copy that already runs;
// loads the model of --model or the last one used, and offers the recovery
// copies a crash left behind.
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QIcon>
#include <QTimer>

#include "settings/preferences.h"
#include "settings/theme.h"
#include "demo/demo_screen.h"
#include "shell/main_window.h"
#include "shell/screenshot_tour.h"
#include "shell/single_instance.h"
#include "shell/translations.h"
#include "version.h"

int main(int argc, char** argv) {
    QApplication application(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("PromptStudio"));
    QApplication::setApplicationName(QStringLiteral("PromptStudio"));
    QApplication::setApplicationDisplayName(QStringLiteral(PROMPTSTUDIO_NAME));
    QApplication::setApplicationVersion(QStringLiteral(PROMPTSTUDIO_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.promptstudio.PromptStudio"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("promptstudio")));
    ps::ui::installTranslations(application);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Write, share and run prompt apps on a local language model."));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption modelOption(QStringLiteral("model"),
                                   QApplication::translate("main", "Load this model (.gguf) instead of the last one used."),
                                   QApplication::translate("main", "file"));
    parser.addOption(modelOption);
    QCommandLineOption demoOption(QStringLiteral("demo"),
                                  QApplication::translate("main", "Start in demo mode with this deck (.promptdeck), full screen."),
                                  QApplication::translate("main", "deck"));
    parser.addOption(demoOption);
    QCommandLineOption screenOption(
        QStringLiteral("screen"),
        QApplication::translate("main", "Demo mode's display, by number (1, 2…) or name (HDMI-1), for this start."),
        QApplication::translate("main", "display"));
    parser.addOption(screenOption);
    QCommandLineOption tourOption(QStringLiteral("screenshot-tour"),
                                  QStringLiteral("Save screenshots of the main pages into a folder, then quit."),
                                  QStringLiteral("folder"));
    tourOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(tourOption);
    QCommandLineOption tourSizeOption(QStringLiteral("tour-size"), QStringLiteral("The window size of the screenshots."),
                                      QStringLiteral("WIDTHxHEIGHT"), QStringLiteral("1366x768"));
    tourSizeOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(tourSizeOption);
    QCommandLineOption tourThemeOption(QStringLiteral("tour-theme"), QStringLiteral("light or dark."),
                                       QStringLiteral("theme"));
    tourThemeOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(tourThemeOption);
    QCommandLineOption tourAppOption(QStringLiteral("tour-app"),
                                     QStringLiteral("The app the screenshot tour runs."), QStringLiteral("file"));
    tourAppOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(tourAppOption);
    QCommandLineOption tourDemoOption(QStringLiteral("tour-demo"),
                                      QStringLiteral("The screenshot tour also takes demo mode's stage and race."));
    tourDemoOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(tourDemoOption);
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QApplication::translate("main", "Prompt apps to open (.promptapp or .prompty)."),
                                 QStringLiteral("[files...]"));
    parser.process(application);

    const bool tour = parser.isSet(tourOption);
    const bool demo = parser.isSet(demoOption);
    QStringList files;
    for (const QString& file : parser.positionalArguments()) files << QFileInfo(file).absoluteFilePath();

    // A second start (double-clicking a file while Prompt Studio runs) hands its
    // files to the running window and quits. The screenshot tour is always its own.
    ps::ui::SingleInstance instance;
    if (!tour) {
        if (instance.forwardToRunning(files)) return 0;
        instance.listen();
    }

    ps::ui::Preferences preferences;
    ps::ui::ThemePreference theme = preferences.theme();
    if (tour && parser.isSet(tourThemeOption))
        theme = parser.value(tourThemeOption) == QLatin1String("dark") ? ps::ui::ThemePreference::Dark
                                                                        : ps::ui::ThemePreference::Light;
    ps::ui::applyTheme(application, theme, preferences.fontPointSize());

    ps::ui::MainWindowOptions options;
    options.restoreState = !tour;  // screenshots always have the same layout
    ps::ui::MainWindow window(preferences, options);
    window.show();

    window.openFiles(files);
    QObject::connect(&instance, &ps::ui::SingleInstance::filesReceived, &window, &ps::ui::MainWindow::openFiles);

    // --model, the last one used, $PROMPTSTUDIO_MODEL, one found on disk, or the
    // built-in demo model with the bedtime story open (only when no file was given).
    // (The screenshot tour opens its own app.)
    window.loadStartupModel(parser.isSet(modelOption) ? parser.value(modelOption) : QString(),
                            files.isEmpty() && !tour && !demo);
    // Demo mode starts at once; the stage waits for the model (and loads the race's
    // engines) with the progress on the stage.
    if (parser.isSet(screenOption)) ps::ui::overrideDemoScreen(parser.value(screenOption));
    if (demo) window.presentDeck(QFileInfo(parser.value(demoOption)).absoluteFilePath());

    if (tour) {
        const QStringList size = parser.value(tourSizeOption).split(QLatin1Char('x'));
        const QSize windowSize(size.value(0).toInt(), size.value(1).toInt());
        auto* screenshots = new ps::ui::ScreenshotTour(window, parser.value(tourOption), parser.value(tourAppOption),
                                                       windowSize.isValid() ? windowSize : QSize(1366, 768),
                                                       parser.isSet(tourDemoOption));
        QObject::connect(screenshots, &ps::ui::ScreenshotTour::done, &application,
                         [&application](int code) { application.exit(code); });
        screenshots->start();
    } else {
        QTimer::singleShot(0, &window, [&window] { window.offerRecovery(); });
    }
    return application.exec();
}
