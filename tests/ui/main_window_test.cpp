// The whole window: opening a broken file shows its problems with their lines;
// an app made in the editor, with an added input, is saved and reads back; the
// model loads in the background and the bedtime story runs on it; a file open
// with unsaved changes is not opened twice; the copy a crash left is offered back.
#include <QAbstractItemModel>
#include <QApplication>
#include <QFile>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QSplitter>
#include <QAbstractItemView>
#include <QTest>
#include <QTimer>

#include <gtest/gtest.h>

#include "document/promptapp_reader.h"
#include "editor/app_editor.h"
#include "editor/recovery_store.h"
#include "library/library_panel.h"
#include "run/input_form.h"
#include "run/output_pane.h"
#include "run/run_view.h"
#include "runner/model_session.h"
#include "settings/preferences.h"
#include "shell/main_window.h"
#include "support/shared_data.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

using test::CleanSettings;

class MainWindowTest : public ::testing::Test {
protected:
    MainWindowOptions options() const { return test::windowOptions(settings_); }
    CleanSettings settings_;
    Preferences preferences_;
};

TEST_F(MainWindowTest, ABrokenFileShowsItsProblemWithTheLine) {
    MainWindow window(preferences_, options());
    window.show();
    EXPECT_TRUE(window.appProblemText().isEmpty());
    ASSERT_TRUE(window.openFile(test::testDataPath(QStringLiteral("broken.promptapp"))));
    const QString problem = window.appProblemText();
    EXPECT_TRUE(problem.contains(QStringLiteral("line 7"))) << problem.toStdString();
    EXPECT_TRUE(problem.contains(QStringLiteral("'type' must be one of"))) << problem.toStdString();
    EXPECT_FALSE(window.runView()->isEnabled());
    // A good app clears it.
    ASSERT_TRUE(window.openFile(test::samplePath(QStringLiteral("translate.promptapp"))));
    EXPECT_TRUE(window.appProblemText().isEmpty());
    EXPECT_TRUE(window.runView()->isEnabled());
    // A file that does not exist is refused with its name.
    EXPECT_FALSE(window.openFile(settings_.path(QStringLiteral("missing.promptapp"))));
    EXPECT_TRUE(window.statusBar()->currentMessage().contains(QStringLiteral("missing.promptapp")));
}

TEST_F(MainWindowTest, AnAppMadeInTheEditorIsSavedAndReadsBack) {
    MainWindow window(preferences_, options());
    window.show();
    const QString path = window.createApp(QStringLiteral("Trip planner"));
    ASSERT_FALSE(path.isEmpty());
    window.showPage(MainWindow::Page::Edit);
    AppEditor* editor = window.editor();
    ASSERT_EQ(editor->filePath(), path);
    const int inputsBefore = editor->currentApp().inputs.size();

    auto* add = editor->findChild<QPushButton*>(QStringLiteral("addInput"));
    ASSERT_TRUE(add);
    add->click();
    auto* table = editor->findChild<QAbstractItemView*>(QStringLiteral("inputsList"));
    ASSERT_TRUE(table);
    QAbstractItemModel* inputs = table->model();
    ASSERT_EQ(inputs->rowCount(), inputsBefore + 1);
    ASSERT_TRUE(inputs->setData(inputs->index(inputsBefore, 0), QStringLiteral("destination")));
    EXPECT_TRUE(editor->isModified());
    EXPECT_TRUE(window.isWindowModified());

    QString error;
    ASSERT_TRUE(editor->save(&error)) << error.toStdString();
    EXPECT_FALSE(editor->isModified());

    // Reopen: the file has the new input, and the Run page's form shows it.
    const PromptAppLoadResult reread = loadPromptApp(path);
    ASSERT_TRUE(reread.loaded) << reread.errorText().toStdString();
    ASSERT_TRUE(reread.app.findInput(QStringLiteral("destination")));
    EXPECT_EQ(reread.app.name, QStringLiteral("Trip planner"));
    ASSERT_TRUE(window.openFile(path));
    EXPECT_TRUE(window.runView()->form()->fieldWidget(QStringLiteral("destination")));
}

TEST_F(MainWindowTest, AFileWithUnsavedChangesIsNotOpenedTwice) {
    MainWindow window(preferences_, options());
    window.show();
    const QString path = window.createApp(QStringLiteral("Poem maker"));
    ASSERT_FALSE(path.isEmpty());
    auto* name = window.editor()->findChild<QLineEdit*>(QStringLiteral("name"));
    ASSERT_TRUE(name);
    name->setFocus();
    name->selectAll();
    QTest::keyClicks(name, QStringLiteral("Poem maker, edited"));
    ASSERT_TRUE(window.editor()->isModified());
    window.showPage(MainWindow::Page::Run);

    ASSERT_TRUE(window.openFile(path));
    EXPECT_EQ(window.currentPage(), MainWindow::Page::Edit);
    EXPECT_TRUE(window.editor()->isModified());
    EXPECT_EQ(window.editor()->currentApp().name, QStringLiteral("Poem maker, edited"));
    EXPECT_TRUE(window.statusBar()->currentMessage().contains(QStringLiteral("unsaved changes")));
    window.editor()->setSaveQuestion([](const QString&) { return QMessageBox::Discard; });
}

TEST_F(MainWindowTest, TheModelLoadsInTheBackgroundAndTheStoryRuns) {
    PS_REQUIRE_SHARED_FILE(modelPath, "models/stories260K.gguf");
    preferences_.setBackend(BackendPreference::Cpu);
    preferences_.setThreads(2);
    MainWindow window(preferences_, options());
    window.show();
    ASSERT_TRUE(window.openFile(test::samplePath(QStringLiteral("bedtime-story.promptapp"))));
    EXPECT_FALSE(window.runView()->runAction()->isEnabled());  // no model yet

    const QString model = QString::fromStdString(modelPath.string());
    window.loadModel(model);
    EXPECT_TRUE(window.modelSession()->isLoading());
    ASSERT_TRUE(test::waitUntil([&] { return window.service() != nullptr; }, 30000));
    EXPECT_EQ(preferences_.lastModel(), model);
    EXPECT_TRUE(window.runView()->runAction()->isEnabled());

    window.runView()->runNow();
    ASSERT_TRUE(window.runView()->isRunning()) << window.runView()->errorText().toStdString();
    ASSERT_TRUE(test::waitUntil([&] { return !window.runView()->isRunning(); }, 30000));
    EXPECT_TRUE(window.runView()->errorText().isEmpty()) << window.runView()->errorText().toStdString();
    EXPECT_FALSE(window.runView()->output()->text().trimmed().isEmpty());
    EXPECT_TRUE(window.runView()->statisticsText().contains(QStringLiteral("tokens/s")))
        << window.runView()->statisticsText().toStdString();
}

TEST_F(MainWindowTest, TheWindowComesBackWithItsSizeAndLibraryWidth) {
    MainWindowOptions restoring = options();
    restoring.restoreState = true;
    QList<int> widths;
    QSize size;
    {
        MainWindow window(preferences_, restoring);
        window.resize(1000, 700);
        window.show();
        auto* splitter = window.findChild<QSplitter*>(QStringLiteral("librarySplitter"));
        ASSERT_TRUE(splitter);
        splitter->setSizes({250, 750});
        widths = splitter->sizes();
        size = window.size();  // at least the window's minimum
        window.close();
    }
    MainWindow again(preferences_, restoring);
    again.show();
    EXPECT_EQ(again.size(), size);
    EXPECT_EQ(again.findChild<QSplitter*>(QStringLiteral("librarySplitter"))->sizes(), widths);
}

TEST_F(MainWindowTest, AModelThatCannotLoadIsReportedInPlainWords) {
    const QString bad = settings_.path(QStringLiteral("not-a-model.gguf"));
    QFile file(bad);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("this is not a GGUF file at all");
    file.close();
    MainWindow window(preferences_, options());
    QString failure;
    QObject::connect(&window, &MainWindow::modelLoadFailed, [&](const QString& message) { failure = message; });
    window.loadModel(bad);
    ASSERT_TRUE(test::waitUntil([&] { return !failure.isEmpty(); }, 30000));
    EXPECT_TRUE(failure.contains(QStringLiteral("not-a-model.gguf"))) << failure.toStdString();
    EXPECT_EQ(window.service(), nullptr);
}

TEST_F(MainWindowTest, AnAppIsFoundOpenedAndFilledInFromTheKeyboard) {
    MainWindow window(preferences_, options());
    window.show();
    QApplication::setActiveWindow(&window);
    ASSERT_TRUE(QTest::qWaitForWindowActive(&window));

    // Ctrl+F, a few letters, Enter: the first match opens on the Run page.
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    QLineEdit* search = window.library()->searchBox();
    ASSERT_EQ(QApplication::focusWidget(), search);
    QTest::keyClicks(search, QStringLiteral("translat"));
    QTest::keyClick(search, Qt::Key_Return);
    EXPECT_EQ(window.currentAppPath(), test::samplePath(QStringLiteral("translate.promptapp")));
    EXPECT_EQ(window.currentPage(), MainWindow::Page::Run);
    // The keyboard is in the app's first field.
    QWidget* focused = QApplication::focusWidget();
    ASSERT_TRUE(focused);
    EXPECT_TRUE(window.runView()->form()->isAncestorOf(focused)) << focused->metaObject()->className();

    // Down from the search box walks the list instead.
    QTest::keyClick(&window, Qt::Key_F, Qt::ControlModifier);
    search->clear();
    QTest::keyClicks(search, QStringLiteral("e"));
    QTest::keyClick(search, Qt::Key_Down);
    EXPECT_EQ(QApplication::focusWidget(), window.library()->view());
    EXPECT_TRUE(window.library()->view()->currentIndex().isValid());
}

// Answers the next message box that opens with `button`, and keeps its text.
// The box is modal (its own event loop), so a timer finds it once it is shown.
void answerNextMessageBox(QMessageBox::StandardButton button, QString* text) {
    auto* poll = new QTimer;
    QObject::connect(poll, &QTimer::timeout, [poll, button, text] {
        for (QWidget* widget : QApplication::topLevelWidgets()) {
            auto* box = qobject_cast<QMessageBox*>(widget);
            if (!box || !box->isVisible()) continue;
            if (text) *text = box->text();
            poll->stop();
            poll->deleteLater();
            box->button(button)->click();
            return;
        }
    });
    poll->start(10);
}

class RecoveryOfferTest : public MainWindowTest {
protected:
    // An app saved on disk, and a recovery copy of it with edits that never got
    // saved, as a crash leaves them.
    void SetUp() override {
        original_ = settings_.path(QStringLiteral("Translator.promptapp"));
        ASSERT_TRUE(QFile::copy(test::samplePath(QStringLiteral("translate.promptapp")), original_));
        QFile::setPermissions(original_, QFile::ReadOwner | QFile::WriteOwner);
        const PromptAppLoadResult loaded = loadPromptApp(original_);
        ASSERT_TRUE(loaded.loaded);
        PromptApp edited = loaded.app;
        edited.instructions = QStringLiteral("Translate, and keep every name as it is.");
        recoveryCopy_ = RecoveryStore::pathFor(edited.name);
        QString error;
        ASSERT_TRUE(RecoveryStore::write(edited, recoveryCopy_, original_, &error)) << error.toStdString();
        ASSERT_EQ(RecoveryStore::list().size(), 1);
        appName_ = edited.name;
    }
    QString original_;
    QString recoveryCopy_;
    QString appName_;
};

TEST_F(RecoveryOfferTest, RestoringBringsTheUnsavedEditsBackIntoTheEditor) {
    MainWindow window(preferences_, options());
    window.show();
    QString question;
    answerNextMessageBox(QMessageBox::Yes, &question);
    window.offerRecovery();
    EXPECT_TRUE(question.contains(appName_)) << question.toStdString();

    EXPECT_EQ(window.currentPage(), MainWindow::Page::Edit);
    AppEditor* editor = window.editor();
    EXPECT_EQ(editor->filePath(), original_);
    EXPECT_TRUE(editor->isModified()) << "restored edits are unsaved until the user saves them";
    EXPECT_EQ(editor->currentApp().instructions, QStringLiteral("Translate, and keep every name as it is."));
    // The file on disk is untouched until the user saves; the copy stays until then.
    EXPECT_NE(loadPromptApp(original_).app.instructions, editor->currentApp().instructions);
    EXPECT_TRUE(QFile::exists(recoveryCopy_));

    QString error;
    ASSERT_TRUE(editor->save(&error)) << error.toStdString();
    EXPECT_EQ(loadPromptApp(original_).app.instructions, QStringLiteral("Translate, and keep every name as it is."));
    EXPECT_FALSE(QFile::exists(recoveryCopy_));
    EXPECT_TRUE(RecoveryStore::list().isEmpty());
}

TEST_F(RecoveryOfferTest, NotNowKeepsTheCopyForNextTimeAndDiscardRemovesIt) {
    MainWindow window(preferences_, options());
    window.show();
    answerNextMessageBox(QMessageBox::No, nullptr);
    window.offerRecovery();
    EXPECT_FALSE(window.editor()->isModified());
    EXPECT_EQ(RecoveryStore::list().size(), 1);

    answerNextMessageBox(QMessageBox::Discard, nullptr);
    window.offerRecovery();
    EXPECT_FALSE(window.editor()->isModified());
    EXPECT_TRUE(RecoveryStore::list().isEmpty());
    EXPECT_FALSE(QFile::exists(recoveryCopy_));
    EXPECT_FALSE(QFile::exists(recoveryCopy_ + QStringLiteral(".origin")));
    // The app itself is never touched by either answer.
    EXPECT_TRUE(QFile::exists(original_));
}

}  // namespace
}  // namespace ps::ui
