// What a newcomer meets in the first ten minutes (issue 12): a window that fits a
// small laptop with a readable Library, buttons enabled when they can act, the
// same defaults and inputs in Try it and on the Run page, a form that shows all its
// fields, a tab order through the Run page, a search that keeps the app shown, a
// folder that is watched, a warning for base models, readable colours in both
// themes, plain words, and a Help menu.
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QUndoStack>

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
    // Every button of the Run page and of Try it shows its whole text (or is an icon
    // with a tooltip), on the laptop and forced down to 800x600.
    auto expectButtonsWhole = [](QWidget* panel, const char* where) {
        for (QAbstractButton* button : panel->findChildren<QAbstractButton*>()) {
            if (!button->isVisibleTo(panel) || button->text().isEmpty()) continue;
            auto* tool = qobject_cast<QToolButton*>(button);
            if (tool && tool->toolButtonStyle() == Qt::ToolButtonIconOnly) {
                EXPECT_FALSE(tool->toolTip().isEmpty() && tool->defaultAction() && tool->defaultAction()->toolTip().isEmpty());
                continue;
            }
            EXPECT_GE(button->width(), button->sizeHint().width())
                << where << ": " << button->text().toStdString() << " is cut";
        }
    };
    expectButtonsWhole(window.editor()->tryItPanel(), "Try it at 1366x728");
    window.resize(800, 600);
    test::processEventsFor(50);
    EXPECT_LE(window.width(), 800) << "the window cannot be made 800 wide";
    expectButtonsWhole(window.editor()->tryItPanel(), "Try it at 800x600");
    window.showPage(MainWindow::Page::Run);
    test::processEventsFor(50);
    expectButtonsWhole(window.runView(), "the Run page at 800x600");
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

// 9. A new app's description is empty (a placeholder shows); the Form tab edits an
//    input in ordinary labelled fields (typing is editing, nothing cut at 1366x768);
//    the Settings tab fits without a sideways scroll bar; the problems panel keeps its
//    height while typing; an example runs from the Examples tab.
TEST_F(FirstTenMinutesTest, TheEditorStartsCleanEditsInputsAsAFormAndRunsExamples) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.resize(1366, 728);
    window.show();
    const QString path = window.createApp(QStringLiteral("Packing list"));
    ASSERT_FALSE(path.isEmpty());
    EXPECT_TRUE(loadPromptApp(path).app.description.isEmpty());
    window.showPage(MainWindow::Page::Edit);
    AppEditor* editor = window.editor();
    auto* description = editor->findChild<QLineEdit*>(QStringLiteral("description"));
    ASSERT_TRUE(description);
    EXPECT_TRUE(description->text().isEmpty());
    EXPECT_FALSE(description->placeholderText().isEmpty());

    // The Form tab: no table; the selected input's fields, each with its label.
    auto* pages = editor->findChild<QTabWidget*>();
    ASSERT_TRUE(pages);
    auto* details = editor->findChild<QWidget*>(QStringLiteral("inputDetails"));
    ASSERT_TRUE(details);
    pages->setCurrentWidget(details->parentWidget());
    test::processEventsFor(50);
    EXPECT_TRUE(details->parentWidget()->findChildren<QTableView*>().isEmpty()) << "inputs are edited in a form, not a table";
    auto* name = details->findChild<QLineEdit*>(QStringLiteral("inputName"));
    auto* type = details->findChild<QComboBox*>(QStringLiteral("inputType"));
    auto* options = details->findChild<QLineEdit*>(QStringLiteral("inputOptions"));
    auto* required = details->findChild<QCheckBox*>(QStringLiteral("inputRequired"));
    ASSERT_TRUE(name && type && options && required);
    ASSERT_TRUE(name->isVisible()) << "the first input is shown at once";
    // Every label and field of the form shows whole at 1366x768.
    for (QWidget* widget : details->findChildren<QWidget*>()) {
        if (!widget->isVisibleTo(details)) continue;
        if (auto* label = qobject_cast<QLabel*>(widget); label && !label->wordWrap())
            EXPECT_GE(label->width(), label->sizeHint().width()) << label->text().toStdString() << " is cut";
        if (qobject_cast<QLineEdit*>(widget) || qobject_cast<QComboBox*>(widget) || qobject_cast<QCheckBox*>(widget))
            EXPECT_GE(widget->width(), widget->sizeHint().width()) << widget->objectName().toStdString() << " is cut";
    }
    // Typing a name renames the input and its use in the template, as one undo step.
    const QString before = editor->currentApp().inputs.value(0).name;
    ASSERT_FALSE(before.isEmpty());
    name->setFocus();
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("suitcase"));
    EXPECT_EQ(editor->currentApp().inputs.value(0).name, QStringLiteral("suitcase"));
    EXPECT_TRUE(editor->currentApp().templateText.contains(QStringLiteral("{{ suitcase }}")));
    // A name the template cannot use is explained, not taken over.
    QTest::keyClicks(name, QStringLiteral(" bag"));
    EXPECT_EQ(editor->currentApp().inputs.value(0).name, QStringLiteral("suitcase"));
    auto* problem = details->findChild<QLabel*>(QStringLiteral("inputNameProblem"));
    ASSERT_TRUE(problem);
    EXPECT_TRUE(problem->isVisible());
    editor->undoStack()->undo();
    EXPECT_EQ(editor->currentApp().inputs.value(0).name, before);
    // The type is a plain choice; a choice input shows its choices field.
    EXPECT_FALSE(options->isVisibleTo(details));
    type->setCurrentIndex(type->findData(QStringLiteral("choice")));
    emit type->activated(type->currentIndex());
    EXPECT_EQ(editor->currentApp().inputs.value(0).type, InputType::Choice);
    EXPECT_TRUE(options->isVisibleTo(details));
    options->setFocus();
    QTest::keyClicks(options, QStringLiteral("warm, cold"));
    EXPECT_EQ(editor->currentApp().inputs.value(0).options, QStringList({"warm", "cold"}));
    required->click();
    EXPECT_EQ(editor->currentApp().inputs.value(0).required, required->isChecked());

    // The problems panel keeps its place and height while problems come and go.
    auto* problems = editor->findChild<QLabel*>(QStringLiteral("problemsText"));
    ASSERT_TRUE(problems);
    QWidget* panel = problems->parentWidget();
    while (panel && !panel->inherits("ps::ui::ProblemsPanel")) panel = panel->parentWidget();
    ASSERT_TRUE(panel);
    const QRect pagesBefore = pages->geometry();
    const int panelBefore = panel->height();
    for (int i = 0; i < 4; ++i) editor->findChild<QPushButton*>(QStringLiteral("addInput"))->click();
    auto* templateEdit = editor->findChild<QPlainTextEdit*>(QStringLiteral("template"));
    ASSERT_TRUE(templateEdit);
    templateEdit->setPlainText(QString());  // an empty template is a problem too
    test::processEventsFor(50);
    EXPECT_FALSE(problems->text().contains(QStringLiteral("No problems")));
    EXPECT_EQ(panel->height(), panelBefore);
    EXPECT_EQ(pages->geometry(), pagesBefore);

    // The Settings tab fits its width: no sideways scroll bar, nothing cut.
    for (QScrollArea* area : editor->findChildren<QScrollArea*>()) {
        if (area->widget() && area->widget()->metaObject()->className() == QByteArray("ps::ui::ParametersEditor")) {
            pages->setCurrentWidget(area);
            test::processEventsFor(50);
            EXPECT_EQ(area->horizontalScrollBarPolicy(), Qt::ScrollBarAlwaysOff);
            EXPECT_LE(area->widget()->minimumSizeHint().width(), area->viewport()->width())
                << "the settings are cut on the right";
        }
    }

    // An example of a sample runs in Try it from the Examples tab.
    while (editor->undoStack()->canUndo()) editor->undoStack()->undo();
    ASSERT_FALSE(editor->isModified());
    ASSERT_TRUE(window.openFile(test::samplePath(QStringLiteral("bedtime-story.promptapp"))));
    window.setService(demoService());
    window.showPage(MainWindow::Page::Edit);
    auto* tryExample = editor->findChild<QPushButton*>(QStringLiteral("tryExample"));
    ASSERT_TRUE(tryExample);
    QWidget* examplesPage = tryExample;
    while (examplesPage && pages->indexOf(examplesPage) < 0) examplesPage = examplesPage->parentWidget();
    ASSERT_TRUE(examplesPage);
    pages->setCurrentWidget(examplesPage);
    auto* tryIt = qobject_cast<RunView*>(editor->tryItPanel());
    ASSERT_TRUE(tryIt);
    bool ran = false;
    QObject::connect(tryIt->runner(), &Runner::finished, [&](const RunResult&) { ran = true; });
    ASSERT_TRUE(tryExample->isEnabled());
    tryExample->click();
    ASSERT_TRUE(test::waitUntil([&] { return ran; }, 30000));
    EXPECT_EQ(tryIt->inputs().value(QStringLiteral("hero")).toString(), QStringLiteral("a little fox"));
}

// 11. A long status-bar message is cut before the "Model:" label, with a clear gap.
TEST_F(FirstTenMinutesTest, StatusMessagesKeepClearOfTheModelLabel) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.resize(1000, 600);
    window.show();
    auto* model = window.statusBar()->findChild<QLabel*>(QStringLiteral("modelStatus"));
    ASSERT_TRUE(model);
    model->setText(QStringLiteral("Model: demo"));
    window.statusBar()->showMessage(QStringLiteral("WMWM").repeated(100));
    test::processEventsFor(50);
    const QImage image = window.statusBar()->grab().toImage();
    const qreal ratio = image.devicePixelRatio();
    const QColor background = image.pixelColor(1, image.height() / 2);
    auto ink = [&](int x) {
        for (int y = 2; y < image.height() - 2; ++y) {
            const QColor c = image.pixelColor(x, y);
            if (std::abs(c.red() - background.red()) + std::abs(c.green() - background.green()) +
                    std::abs(c.blue() - background.blue()) > 90)
                return true;
        }
        return false;
    };
    int labelInk = int(model->x() * ratio);
    while (labelInk < image.width() && !ink(labelInk)) ++labelInk;
    ASSERT_LT(labelInk, image.width()) << "the model label draws nothing";
    int gap = 0;
    for (int x = labelInk - 1; x >= 0 && !ink(x); --x) ++gap;
    ASSERT_LT(gap, labelInk) << "the message draws nothing";
    EXPECT_GE(gap, window.fontMetrics().averageCharWidth() * ratio) << "the message runs into the model label";
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
