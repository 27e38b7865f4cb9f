// What a newcomer meets in the first ten minutes (issue 12): a window that fits a
// small laptop with a readable Library, buttons enabled when they can act, the
// same defaults and inputs in Try it and on the Run page, a form that shows all its
// fields, a tab order through the Run page, a search that keeps the app shown, a
// folder that is watched, a warning for base models, readable colours in both
// themes, plain words, and a Help menu.
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>

#include <gtest/gtest.h>

#include <cmath>

#include "document/promptapp_reader.h"
#include "editor/app_editor.h"
#include "library/app_library_model.h"
#include "library/library_panel.h"
#include "models/demo_model.h"
#include "models/model_list_model.h"
#include "models/models_page.h"
#include "run/input_form.h"
#include "run/output_pane.h"
#include "run/run_view.h"
#include "runner/runner.h"
#include "settings/preferences.h"
#include "settings/theme.h"
#include "shell/help_dialogs.h"
#include "shell/main_window.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

// The built-in demo model (no ../shared needed): a real model for real runs.
std::shared_ptr<LocalGenerationService> demoService() { return test::loadStories(demoModelPath().toStdString()); }

PromptApp sample(const QString& file) { return loadPromptApp(test::samplePath(file)).app; }

class FirstTenMinutesTest : public ::testing::Test {
protected:
    test::CleanSettings settings_;
    Preferences preferences_;
};

// 1. A 1366x768 laptop holds the window, the Library reads, and its width does not
//    jump between the Run and Edit pages; Try it's buttons are not cut.
TEST_F(FirstTenMinutesTest, TheWindowFitsASmallLaptopAndTheLibraryReads) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.show();
    ASSERT_TRUE(window.openFile(test::samplePath(QStringLiteral("translate.promptapp"))));
    for (MainWindow::Page page : {MainWindow::Page::Run, MainWindow::Page::Edit, MainWindow::Page::Models}) {
        window.showPage(page);
        QApplication::processEvents();
        const QSize minimum = window.minimumSizeHint().expandedTo(window.minimumSize());
        EXPECT_LE(minimum.width(), 1366) << "page " << int(page);
        EXPECT_LE(minimum.height(), 768 - 40) << "page " << int(page);  // a panel takes some
    }
    window.resize(1366, 728);
    window.showPage(MainWindow::Page::Run);
    test::processEventsFor(50);
    const int onRun = window.library()->width();
    EXPECT_GE(onRun, 200);
    window.showPage(MainWindow::Page::Edit);
    test::processEventsFor(50);
    EXPECT_EQ(window.library()->width(), onRun) << "the Library's width jumps between pages";
    // Every button of Try it shows its whole text (or is an icon with a tooltip).
    for (QAbstractButton* button : window.editor()->tryItPanel()->findChildren<QAbstractButton*>()) {
        if (!button->isVisibleTo(window.editor()) || button->text().isEmpty()) continue;
        auto* tool = qobject_cast<QToolButton*>(button);
        if (tool && tool->toolButtonStyle() == Qt::ToolButtonIconOnly) {
            EXPECT_FALSE(tool->toolTip().isEmpty() && tool->defaultAction() && tool->defaultAction()->toolTip().isEmpty());
            continue;
        }
        EXPECT_GE(button->width(), button->sizeHint().width()) << button->text().toStdString() << " is cut";
    }
}

// 5. Copy, Save and Regenerate after two chat turns; no Regenerate before any run.
TEST_F(FirstTenMinutesTest, AnswerButtonsAreEnabledExactlyWhenTheyCanAct) {
    RunView view;
    view.setService(demoService());
    view.setDefaultParameters({{QStringLiteral("max_tokens"), 6}});
    view.setApp(sample(QStringLiteral("translate.promptapp")), QString());
    EXPECT_FALSE(view.regenerateAction()->isEnabled()) << "nothing to regenerate before a run";
    EXPECT_FALSE(view.copyAction()->isEnabled());

    PromptApp chat = sample(QStringLiteral("chat-assistant.promptapp"));
    chat.parameters.maxTokens = 6;
    view.setApp(chat, QString());
    auto* message = qobject_cast<QPlainTextEdit*>(view.form()->fieldWidget(QStringLiteral("message")));
    ASSERT_TRUE(message);
    for (const char* text : {"Hello there.", "And then?"}) {
        message->setPlainText(QString::fromUtf8(text));
        view.runNow();
        ASSERT_TRUE(test::waitUntil([&] { return !view.isRunning(); }, 30000));
    }
    ASSERT_EQ(view.runner()->conversation().size(), 4u);
    EXPECT_TRUE(view.copyAction()->isEnabled());
    EXPECT_TRUE(view.saveAnswerAction()->isEnabled());
    EXPECT_TRUE(view.regenerateAction()->isEnabled());
    // Regenerate takes back the last reply and asks again: still two turns.
    view.regenerateAction()->trigger();
    ASSERT_TRUE(test::waitUntil([&] { return !view.isRunning(); }, 30000));
    EXPECT_EQ(view.runner()->conversation().size(), 4u);
    EXPECT_EQ(view.runner()->conversation()[2].content, "And then?");
    // A new app starts without Regenerate again.
    view.setApp(sample(QStringLiteral("translate.promptapp")), QString());
    EXPECT_FALSE(view.regenerateAction()->isEnabled());
}

// 6. Try it and the Run page: the same defaults, and typed inputs carry over.
TEST_F(FirstTenMinutesTest, TryItAndTheRunPageShareDefaultsAndInputs) {
    preferences_.setDefaultMaxTokens(7);
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.show();
    ASSERT_TRUE(window.openFile(test::samplePath(QStringLiteral("bedtime-story.promptapp"))));
    window.setService(demoService());  // after opening: opening an app picks its service
    window.showPage(MainWindow::Page::Run);
    window.runView()->setInputs({{QStringLiteral("hero"), QStringLiteral("a brave snail")}});
    window.showPage(MainWindow::Page::Edit);
    auto* tryIt = qobject_cast<RunView*>(window.editor()->tryItPanel());
    ASSERT_TRUE(tryIt);
    EXPECT_EQ(tryIt->inputs().value(QStringLiteral("hero")).toString(), QStringLiteral("a brave snail"));
    tryIt->setInputs({{QStringLiteral("hero"), QStringLiteral("a sleepy owl")}});
    window.showPage(MainWindow::Page::Run);
    EXPECT_EQ(window.runView()->inputs().value(QStringLiteral("hero")).toString(), QStringLiteral("a sleepy owl"));

    // Both runs stop at the user's default length (the app leaves it open here).
    PromptApp open = sample(QStringLiteral("bedtime-story.promptapp"));
    open.parameters.maxTokens.reset();
    int tokensRun = -1, tokensTry = -1;
    QObject::connect(window.runView()->runner(), &Runner::finished,
                     [&](const RunResult& r) { tokensRun = r.stats.generatedTokens; });
    QObject::connect(tryIt->runner(), &Runner::finished, [&](const RunResult& r) { tokensTry = r.stats.generatedTokens; });
    window.runView()->setApp(open, QString());
    tryIt->setApp(open, QString());
    window.runView()->runNow();
    ASSERT_TRUE(test::waitUntil([&] { return tokensRun >= 0; }, 30000));
    tryIt->runNow();
    ASSERT_TRUE(test::waitUntil([&] { return tokensTry >= 0; }, 30000));
    EXPECT_EQ(tokensRun, 7);
    EXPECT_EQ(tokensTry, 7);
}

// 7. and 8. Four inputs show in full at 1366x768, and Tab goes from the last field
//    to Run, Stop, the answer's buttons and the answer.
TEST_F(FirstTenMinutesTest, TheFormShowsAllItsFieldsAndTabReachesRunAndTheAnswer) {
    RunView view;
    view.resize(1000, 680);
    view.show();
    view.setService(demoService());
    PromptApp app = sample(QStringLiteral("email-from-notes.promptapp"));
    ASSERT_GE(app.inputs.size(), 3);
    view.setApp(app, QString());
    test::processEventsFor(50);
    auto* area = view.findChild<QScrollArea*>();
    ASSERT_TRUE(area);
    EXPECT_GE(area->viewport()->height(), view.form()->sizeHint().height()) << "the form scrolls although it fits";

    QWidget* last = view.form()->lastFieldWidget();
    ASSERT_TRUE(last);
    QStringList reached;
    QWidget* widget = last;
    for (int step = 0; step < 40 && reached.size() < 6; ++step) {
        widget = widget->nextInFocusChain();
        if (!(widget->focusPolicy() & Qt::TabFocus) || !widget->isVisibleTo(&view)) continue;
        if (auto* button = qobject_cast<QAbstractButton*>(widget)) reached << button->text().remove('&');
        else if (widget == view.output() || view.output()->isAncestorOf(widget)) reached << QStringLiteral("answer");
    }
    EXPECT_TRUE(reached.contains(QStringLiteral("Run"))) << reached.join(", ").toStdString();
    EXPECT_TRUE(reached.contains(QStringLiteral("Stop"))) << reached.join(", ").toStdString();
    EXPECT_TRUE(reached.contains(QStringLiteral("answer"))) << reached.join(", ").toStdString();
}

// 9. A new app's description is empty (a placeholder shows), the Settings tab never
//    scrolls sideways, and an example can be tried from the Examples tab.
TEST_F(FirstTenMinutesTest, TheEditorStartsCleanAndRunsExamples) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.resize(1366, 728);
    window.show();
    const QString path = window.createApp(QStringLiteral("Packing list"));
    ASSERT_FALSE(path.isEmpty());
    EXPECT_TRUE(loadPromptApp(path).app.description.isEmpty());
    auto* description = window.editor()->findChild<QLineEdit*>(QStringLiteral("description"));
    ASSERT_TRUE(description);
    EXPECT_TRUE(description->text().isEmpty());
    EXPECT_FALSE(description->placeholderText().isEmpty());
    for (QScrollArea* area : window.editor()->findChildren<QScrollArea*>()) {
        if (area->widget() && area->widget()->metaObject()->className() == QByteArray("ps::ui::ParametersEditor")) {
            EXPECT_EQ(area->horizontalScrollBarPolicy(), Qt::ScrollBarAlwaysOff);
        }
    }
    auto* tryExample = window.editor()->findChild<QPushButton*>(QStringLiteral("tryExample"));
    ASSERT_TRUE(tryExample);
}

// 3. A file with `type: dropdown`: the hint, the same problems on the Edit page as
//    on the Run page, Try it waits, and it can be imported to be fixed.
TEST_F(FirstTenMinutesTest, ABadTypeIsExplainedTheSameEverywhereAndCanBeFixed) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.show();
    const QString imported = window.importFileToFix(test::testDataPath(QStringLiteral("broken.promptapp")));
    ASSERT_FALSE(imported.isEmpty());
    EXPECT_TRUE(imported.startsWith(settings_.appsFolder()));
    EXPECT_EQ(window.currentPage(), MainWindow::Page::Edit);
    EXPECT_TRUE(window.appProblemText().contains(QStringLiteral("did you mean choice?")))
        << window.appProblemText().toStdString();
    auto* problems = window.editor()->findChild<QLabel*>(QStringLiteral("problemsText"));
    ASSERT_TRUE(problems);
    EXPECT_TRUE(problems->text().contains(QStringLiteral("did you mean choice?"))) << problems->text().toStdString();
    EXPECT_FALSE(problems->text().contains(QStringLiteral("No problems")));
    EXPECT_FALSE(window.editor()->tryItPanel()->isEnabled());
}

// 4. and 12. The Models page with only the demo model says what to do, has a spot
//    for "Get a Model…", marks the model in use and says precision in words.
TEST_F(FirstTenMinutesTest, TheModelsPageSaysWhatToDoAndUsesPlainWords) {
    ModelsPage page(preferences_);
    page.resize(1100, 700);
    QSignalSpy asked(&page, &ModelsPage::getModelRequested);
    QObject listener;
    QObject::connect(&page, &ModelsPage::getModelRequested, &listener, [] {});
    page.show();
    ASSERT_TRUE(test::waitUntil([&] { return page.models()->rowCount() >= 1; }, 20000));
    auto* empty = page.findChild<QFrame*>(QStringLiteral("emptyState"));
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->isVisible()) << "only the demo model: the empty state says what to do";
    QPushButton* getModel = page.getModelButton();
    ASSERT_TRUE(getModel);
    EXPECT_EQ(getModel->objectName(), QStringLiteral("getModelButton"));
    EXPECT_TRUE(getModel->isVisible());
    getModel->click();
    EXPECT_EQ(asked.count(), 1);

    page.setActiveModel(demoModelPath(), QStringLiteral("Ready"));
    const int row = page.models()->rowOfPath(QFileInfo(demoModelPath()).absoluteFilePath());
    ASSERT_GE(row, 0);
    EXPECT_TRUE(page.models()->index(row, ModelListModel::Name).data().toString().contains(QStringLiteral("in use")));
    EXPECT_EQ(page.models()->index(row, ModelListModel::Type).data().toString(), QStringLiteral("32-bit (F32)"));
    EXPECT_EQ(ModelListModel::precisionText(QStringLiteral("Q4_K")), QStringLiteral("4-bit (Q4_K)"));

    // A file that is not a model: plain words, no "magic bytes".
    const QString junk = settings_.path(QStringLiteral("notes.gguf"));
    QFile file(junk);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("these are my notes, not a model");
    file.close();
    QString error;
    EXPECT_FALSE(page.addModelFile(junk, &error));
    EXPECT_FALSE(error.contains(QStringLiteral("magic"))) << error.toStdString();
    EXPECT_TRUE(error.contains(QStringLiteral("not a language model"))) << error.toStdString();
}

// 10. Searching keeps the app on the right; a file copied into the folder shows up.
TEST_F(FirstTenMinutesTest, SearchKeepsTheAppAndNewFilesShowUp) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.show();
    ASSERT_TRUE(window.openFile(test::samplePath(QStringLiteral("translate.promptapp"))));
    window.library()->searchBox()->setText(QStringLiteral("bedtime"));
    EXPECT_TRUE(window.currentAppPath().endsWith(QStringLiteral("translate.promptapp")));
    EXPECT_TRUE(window.runView()->isVisibleTo(&window));
    window.library()->searchBox()->clear();
    EXPECT_EQ(window.library()->currentPath(), window.currentAppPath());

    const int before = window.library()->model()->rowCount();
    ASSERT_TRUE(QFile::copy(test::samplePath(QStringLiteral("social-post.promptapp")),
                            QDir(settings_.appsFolder()).filePath(QStringLiteral("copied.promptapp"))));
    EXPECT_TRUE(test::waitUntil([&] { return window.library()->model()->rowCount() == before + 1; }, 5000));
}

// 13. A form app on a base model gets a warning; a completion app does not.
TEST_F(FirstTenMinutesTest, AFormAppOnABaseModelIsWarned) {
    RunView view;
    view.setService(demoService());
    view.setBaseModel(true);
    view.setApp(sample(QStringLiteral("translate.promptapp")), QString());
    EXPECT_TRUE(view.baseModelWarningShown());
    view.setApp(sample(QStringLiteral("bedtime-story.promptapp")), QString());
    EXPECT_FALSE(view.baseModelWarningShown());
    view.setBaseModel(false);
    view.setApp(sample(QStringLiteral("translate.promptapp")), QString());
    EXPECT_FALSE(view.baseModelWarningShown());
}

// WCAG relative luminance and contrast ratio.
double luminance(const QColor& c) {
    const auto channel = [](double v) { return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}
double contrast(const QColor& a, const QColor& b) {
    const double la = luminance(a), lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

// 14. Both themes: text and selected rows read (4.5:1), field borders show (1.4:1).
TEST_F(FirstTenMinutesTest, BothThemesKeepTextSelectionAndBordersVisible) {
    auto* application = qobject_cast<QApplication*>(QCoreApplication::instance());
    ASSERT_TRUE(application);
    for (ThemePreference theme : {ThemePreference::Light, ThemePreference::Dark}) {
        applyTheme(*application, theme, 0);
        const QPalette p = QApplication::palette();
        SCOPED_TRACE(theme == ThemePreference::Dark ? "dark" : "light");
        EXPECT_EQ(isDarkPalette(), theme == ThemePreference::Dark);
        EXPECT_GE(contrast(p.color(QPalette::Text), p.color(QPalette::Base)), 7.0);
        EXPECT_GE(contrast(p.color(QPalette::HighlightedText), p.color(QPalette::Highlight)), 4.5);
        EXPECT_GE(contrast(p.color(QPalette::Inactive, QPalette::HighlightedText),
                           p.color(QPalette::Inactive, QPalette::Highlight)), 4.5);
        EXPECT_GE(contrast(p.color(QPalette::PlaceholderText), p.color(QPalette::Base)), 4.5);
        EXPECT_GE(contrast(borderColor(), p.color(QPalette::Base)), 1.4);
        EXPECT_GE(contrast(errorColor(), p.color(QPalette::Window)), 4.5);
        EXPECT_FALSE(themedIcon(QStringLiteral("run")).isNull());
    }
    applyTheme(*application, ThemePreference::Light, 0);
}

// The Help menu: a guide, the shortcuts, where files live.
TEST_F(FirstTenMinutesTest, TheHelpMenuHasAGuideShortcutsAndFileLocations) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    QStringList help;
    for (QAction* menu : window.menuBar()->actions())
        if (menu->text().remove('&') == QStringLiteral("Help"))
            for (QAction* action : menu->menu()->actions()) help << action->text().remove('&');
    EXPECT_TRUE(help.contains(QStringLiteral("Getting Started"))) << help.join(", ").toStdString();
    EXPECT_TRUE(help.contains(QStringLiteral("Keyboard Shortcuts")));
    EXPECT_TRUE(help.contains(QStringLiteral("Where Files Live")));
    EXPECT_TRUE(gettingStartedHtml().contains(QStringLiteral("Get a model")));
    EXPECT_TRUE(gettingStartedHtml().contains(QStringLiteral("Share it")));
    const QString shortcuts = shortcutsHtml({window.runView()->runAction(), window.gettingStartedAction()});
    EXPECT_TRUE(shortcuts.contains(QStringLiteral("Ctrl+Return"))) << shortcuts.toStdString();
    const QString files = fileLocationsHtml(preferences_, test::samplesDir(), window.historyPath());
    EXPECT_TRUE(files.contains(QDir::toNativeSeparators(settings_.appsFolder()).toHtmlEscaped()));
    EXPECT_TRUE(files.contains(QStringLiteral("history.sqlite")));
}

}  // namespace
}  // namespace ps::ui
