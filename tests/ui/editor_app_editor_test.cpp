// The app editor driven through its widgets: create an app, add and edit inputs,
// write the template, save, reopen; undo/redo; unknown template variables; asking
// before closing; recovery copies; samples saved as copies.
#include <gtest/gtest.h>

#include <QAbstractItemView>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextLayout>
#include <QUndoStack>
#include <memory>

#include "document/promptapp_reader.h"
#include "document/promptapp_validation.h"
#include "document/promptapp_writer.h"
#include "editor/app_editor.h"
#include "editor/inputs_table_model.h"
#include "editor/problems_panel.h"
#include "editor/recovery_store.h"
#include "editor/template_rename.h"
#include "editor/unknown_variables_panel.h"
#include "run/run_view.h"

namespace ps::ui {
namespace {

QString readFile(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(file.readAll());
}

class AppEditorTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(apps.isValid());
        editor.setAppsFolder(apps.path());
        editor.resize(1200, 800);
    }
    void TearDown() override {
        // Leave no recovery copies behind for the next test.
        for (const RecoveryFile& file : RecoveryStore::list()) RecoveryStore::remove(file.path);
    }

    template <typename T>
    T* child(const char* name) {
        T* widget = editor.findChild<T*>(QString::fromLatin1(name));
        EXPECT_NE(widget, nullptr) << name;
        return widget;
    }
    QLineEdit* nameEdit() { return child<QLineEdit>("name"); }
    QPlainTextEdit* templateEdit() { return child<QPlainTextEdit>("template"); }
    InputsTableModel* inputs() {
        auto* table = child<QAbstractItemView>("inputsList");
        return static_cast<InputsTableModel*>(table->model());
    }
    // Types into a line edit as a person would (select all, then the new text).
    void typeInto(QLineEdit* edit, const QString& text) {
        edit->setFocus();
        edit->selectAll();
        QTest::keyClicks(edit, text);
    }
    void appendToTemplate(const QString& text) {
        QPlainTextEdit* edit = templateEdit();
        edit->setFocus();
        edit->moveCursor(QTextCursor::End);
        QTest::keyClicks(edit, text);
    }

    QTemporaryDir apps;
    AppEditor editor;
};

TEST_F(AppEditorTest, CreatesAnAppSavesItAndReopensItFromDisk) {
    editor.newApp();
    EXPECT_FALSE(editor.isModified());
    typeInto(nameEdit(), QStringLiteral("Polite email"));
    EXPECT_TRUE(editor.isModified());

    child<QPushButton>("addInput")->click();
    InputsTableModel* model = inputs();
    ASSERT_EQ(model->rowCount(), 2);  // the starter's `topic` and the new one
    ASSERT_TRUE(model->setData(model->index(1, InputsTableModel::NameColumn), "tone"));
    ASSERT_TRUE(model->setData(model->index(1, InputsTableModel::TypeColumn), "choice"));
    ASSERT_TRUE(
        model->setData(model->index(1, InputsTableModel::OptionsColumn), "formal, friendly"));
    ASSERT_TRUE(model->setData(model->index(1, InputsTableModel::DefaultColumn), "friendly"));
    appendToTemplate(QStringLiteral(" Use a {{ tone }} tone."));

    QString error;
    ASSERT_TRUE(editor.save(&error)) << error.toStdString();
    EXPECT_FALSE(editor.isModified());
    const QString path = apps.filePath(QStringLiteral("Polite email.promptapp"));
    EXPECT_EQ(editor.filePath(), path);

    const QString text = readFile(path);
    EXPECT_TRUE(text.contains("name: Polite email")) << text.toStdString();
    EXPECT_TRUE(text.contains("name: tone")) << text.toStdString();
    EXPECT_TRUE(text.contains("type: choice")) << text.toStdString();
    EXPECT_TRUE(text.contains("Write a short paragraph about {{ topic }}. Use a {{ tone }} tone."))
        << text.toStdString();

    AppEditor reopened;
    ASSERT_TRUE(reopened.load(path, &error)) << error.toStdString();
    const PromptApp app = reopened.currentApp();
    EXPECT_FALSE(reopened.isModified());
    EXPECT_EQ(app.name, "Polite email");
    ASSERT_EQ(app.inputs.size(), 2);
    EXPECT_EQ(app.inputs[1].name, "tone");
    EXPECT_EQ(app.inputs[1].type, InputType::Choice);
    EXPECT_EQ(app.inputs[1].options, QStringList({"formal", "friendly"}));
    EXPECT_EQ(app.inputs[1].defaultValue.toString(), "friendly");
    EXPECT_TRUE(app.sameContent(editor.currentApp()));
    EXPECT_TRUE(validatePromptApp(app).isEmpty());
}

TEST_F(AppEditorTest, SavingAgainKeepsABackupOfThePreviousVersion) {
    QString error;
    ASSERT_TRUE(editor.save(&error)) << error.toStdString();
    const QString first = readFile(editor.filePath());
    typeInto(child<QLineEdit>("description"), QStringLiteral("Second version"));
    ASSERT_TRUE(editor.save(&error)) << error.toStdString();
    EXPECT_EQ(readFile(promptAppBackupPath(editor.filePath())), first);
    EXPECT_TRUE(readFile(editor.filePath()).contains("Second version"));
}

TEST_F(AppEditorTest, UndoAndRedoAnInputAddAndATextEdit) {
    QUndoStack* stack = editor.undoStack();
    QLineEdit* description = child<QLineEdit>("description");
    typeInto(description, QStringLiteral("Writes emails"));
    // A burst of typing in one field is one undo step.
    EXPECT_EQ(stack->count(), 1);
    child<QPushButton>("addInput")->click();
    EXPECT_EQ(stack->count(), 2);
    EXPECT_EQ(editor.currentApp().inputs.size(), 2);

    stack->undo();
    EXPECT_EQ(editor.currentApp().inputs.size(), 1);
    EXPECT_EQ(inputs()->rowCount(), 1);
    EXPECT_EQ(editor.currentApp().description, "Writes emails");
    stack->undo();
    EXPECT_EQ(editor.currentApp().description, "");
    EXPECT_EQ(description->text(), "");
    EXPECT_FALSE(editor.isModified());

    stack->redo();
    EXPECT_EQ(description->text(), "Writes emails");
    stack->redo();
    EXPECT_EQ(inputs()->rowCount(), 2);
    EXPECT_TRUE(editor.isModified());
}

TEST_F(AppEditorTest, TypingInAnotherFieldStartsANewUndoStep) {
    QUndoStack* stack = editor.undoStack();
    typeInto(child<QLineEdit>("description"), QStringLiteral("abc"));
    typeInto(nameEdit(), QStringLiteral("Name"));
    typeInto(child<QLineEdit>("description"), QStringLiteral("xyz"));
    EXPECT_EQ(stack->count(), 3);
    stack->undo();
    EXPECT_EQ(editor.currentApp().description, "abc");
    EXPECT_EQ(editor.currentApp().name, "Name");
}

TEST_F(AppEditorTest, CtrlZInATextFieldUndoesThroughTheEditorsHistory) {
    editor.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&editor));
    editor.activateWindow();
    QLineEdit* description = child<QLineEdit>("description");
    typeInto(description, QStringLiteral("Hello"));
    child<QPushButton>("addInput")->click();
    description->setFocus();
    QTest::keyClick(description, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(editor.currentApp().inputs.size(), 1);  // the last step, not the field's own
    QTest::keyClick(description, Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(description->text(), "");
    QTest::keyClick(description, Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_EQ(description->text(), "Hello");
}

// The formats the highlighter put on the template's first line at `word`.
bool wavyUnderlineAt(QPlainTextEdit* edit, const QString& word) {
    const QTextBlock block = edit->document()->firstBlock();
    const int at = block.text().indexOf(word);
    for (const QTextLayout::FormatRange& range : block.layout()->formats()) {
        if (range.start <= at && at < range.start + range.length &&
            range.format.underlineStyle() == QTextCharFormat::WaveUnderline)
            return true;
    }
    return false;
}

TEST_F(AppEditorTest, UnknownVariableIsFlaggedUntilAddItCreatesTheInput) {
    auto* panel = child<UnknownVariablesPanel>("unknownVariables");
    EXPECT_TRUE(panel->unknownVariables().isEmpty());
    appendToTemplate(QStringLiteral(" In {{ language }}."));

    EXPECT_EQ(panel->unknownVariables(), QStringList{"language"});
    EXPECT_TRUE(wavyUnderlineAt(templateEdit(), "language"));
    EXPECT_FALSE(wavyUnderlineAt(templateEdit(), "topic"));
    auto* problems = editor.findChild<ProblemsPanel*>();
    ASSERT_NE(problems, nullptr);
    EXPECT_TRUE(problems->text().contains("language")) << problems->text().toStdString();

    auto* addIt = editor.findChild<QPushButton*>("addVariable_language");
    ASSERT_NE(addIt, nullptr);
    addIt->click();

    ASSERT_NE(editor.currentApp().findInput("language"), nullptr);
    EXPECT_TRUE(panel->unknownVariables().isEmpty());
    EXPECT_FALSE(wavyUnderlineAt(templateEdit(), "language"));
    EXPECT_TRUE(problems->problems().isEmpty()) << problems->text().toStdString();
}

TEST_F(AppEditorTest, ProblemsAreListedLiveInPlainWords) {
    auto* problems = editor.findChild<ProblemsPanel*>();
    ASSERT_NE(problems, nullptr);
    EXPECT_TRUE(problems->problems().isEmpty());
    typeInto(nameEdit(), QString());
    nameEdit()->setFocus();
    QTest::keyClick(nameEdit(), Qt::Key_Backspace);
    EXPECT_EQ(editor.currentApp().name, "");
    ASSERT_FALSE(problems->problems().isEmpty());
    EXPECT_TRUE(problems->text().contains("name")) << problems->text().toStdString();
    typeInto(nameEdit(), QStringLiteral("Back"));
    EXPECT_TRUE(problems->problems().isEmpty());
}

TEST_F(AppEditorTest, CreativityIsTheTemperatureAndUndoable) {
    auto* creativity = child<QDoubleSpinBox>("temperature");
    EXPECT_FALSE(editor.currentApp().parameters.temperature.has_value());  // "Default"
    creativity->setValue(0.7);
    ASSERT_TRUE(editor.currentApp().parameters.temperature.has_value());
    EXPECT_DOUBLE_EQ(*editor.currentApp().parameters.temperature, 0.7);
    editor.undoStack()->undo();
    EXPECT_FALSE(editor.currentApp().parameters.temperature.has_value());
    EXPECT_DOUBLE_EQ(creativity->value(), creativity->minimum());
}

TEST_F(AppEditorTest, MaybeSaveFollowsTheAnswer) {
    int asked = 0;
    QMessageBox::StandardButton answer = QMessageBox::Cancel;
    editor.setSaveQuestion([&](const QString& name) {
        ++asked;
        EXPECT_EQ(name, "Notes");
        return answer;
    });
    EXPECT_TRUE(editor.maybeSave());  // nothing to save: no question
    EXPECT_EQ(asked, 0);

    typeInto(nameEdit(), QStringLiteral("Notes"));
    EXPECT_FALSE(editor.maybeSave());
    EXPECT_EQ(asked, 1);
    EXPECT_TRUE(editor.isModified());
    EXPECT_TRUE(editor.filePath().isEmpty());

    answer = QMessageBox::Save;
    EXPECT_TRUE(editor.maybeSave());
    EXPECT_FALSE(editor.isModified());
    EXPECT_TRUE(QFileInfo::exists(apps.filePath("Notes.promptapp")));

    typeInto(child<QLineEdit>("description"), QStringLiteral("never saved"));
    ASSERT_TRUE(editor.writeRecoveryCopy());
    const QString recovery = editor.recoveryPath();
    EXPECT_TRUE(QFileInfo::exists(recovery));
    answer = QMessageBox::Discard;
    EXPECT_TRUE(editor.maybeSave());
    EXPECT_FALSE(QFileInfo::exists(recovery));
    EXPECT_FALSE(readFile(apps.filePath("Notes.promptapp")).contains("never saved"));
}

TEST_F(AppEditorTest, RecoveryCopyAppearsAfterTheIntervalAndGoesAwayOnSave) {
    editor.setAutosaveInterval(50);
    typeInto(nameEdit(), QStringLiteral("Crash test"));
    const QString expected = RecoveryStore::pathFor("Crash test");
    EXPECT_TRUE(QTest::qWaitFor([&] { return QFileInfo::exists(expected); }, 5000));
    EXPECT_EQ(editor.recoveryPath(), expected);

    const QList<RecoveryFile> leftovers = RecoveryStore::list();
    ASSERT_EQ(leftovers.size(), 1);
    EXPECT_EQ(leftovers[0].appName, "Crash test");
    EXPECT_TRUE(leftovers[0].originalPath.isEmpty());
    EXPECT_TRUE(leftovers[0].question().contains("'Crash test'"));

    // After a "crash", another editor restores the copy as unsaved work.
    AppEditor restored;
    restored.setAppsFolder(apps.path());
    QString error;
    ASSERT_TRUE(restored.restoreRecovery(leftovers[0], &error)) << error.toStdString();
    EXPECT_TRUE(restored.isModified());
    EXPECT_TRUE(restored.currentApp().sameContent(editor.currentApp()));

    ASSERT_TRUE(editor.save(&error)) << error.toStdString();
    EXPECT_FALSE(QFileInfo::exists(expected));
    EXPECT_TRUE(editor.recoveryPath().isEmpty());
}

TEST_F(AppEditorTest, RenamingMovesTheRecoveryCopy) {
    typeInto(nameEdit(), QStringLiteral("First"));
    ASSERT_TRUE(editor.writeRecoveryCopy());
    typeInto(nameEdit(), QStringLiteral("Second"));
    ASSERT_TRUE(editor.writeRecoveryCopy());
    EXPECT_FALSE(QFileInfo::exists(RecoveryStore::pathFor("First")));
    EXPECT_TRUE(QFileInfo::exists(RecoveryStore::pathFor("Second")));
    EXPECT_EQ(RecoveryStore::list().size(), 1);
}

TEST_F(AppEditorTest, SavingASampleMakesANamedCopyInTheAppsFolder) {
    QTemporaryDir samples;
    PromptApp sample;
    sample.name = "Bedtime story";
    sample.kind = AppKind::Completion;
    sample.templateText = "Once upon a time";
    const QString samplePath = samples.filePath("bedtime.promptapp");
    QString error;
    ASSERT_TRUE(savePromptApp(sample, samplePath, &error)) << error.toStdString();
    const QString original = readFile(samplePath);

    ASSERT_TRUE(editor.load(samplePath, &error)) << error.toStdString();
    editor.setReadOnlySample(true);
    typeInto(child<QLineEdit>("description"), QStringLiteral("Mine now"));

    editor.setCopyNameQuestion([](const QString&) { return QString(); });  // cancelled
    EXPECT_FALSE(editor.save(&error));
    EXPECT_TRUE(editor.isModified());

    QString suggested;
    editor.setCopyNameQuestion([&](const QString& s) {
        suggested = s;
        return QStringLiteral("My bedtime story");
    });
    ASSERT_TRUE(editor.save(&error)) << error.toStdString();
    EXPECT_TRUE(suggested.contains("Bedtime story"));
    EXPECT_EQ(readFile(samplePath), original);
    const QString copy = apps.filePath("My bedtime story.promptapp");
    EXPECT_EQ(editor.filePath(), copy);
    EXPECT_FALSE(editor.isReadOnlySample());
    const PromptAppLoadResult saved = loadPromptApp(copy);
    ASSERT_TRUE(saved.loaded);
    EXPECT_EQ(saved.app.name, "My bedtime story");
    EXPECT_EQ(saved.app.description, "Mine now");
}

TEST_F(AppEditorTest, InputsMoveAndRemoveUndoably) {
    InputsTableModel* model = inputs();
    model->addInput("second");
    model->addInput("third");
    auto names = [&] {
        QStringList list;
        for (const PromptInput& input : editor.currentApp().inputs) list << input.name;
        return list;
    };
    ASSERT_EQ(names(), QStringList({"topic", "second", "third"}));
    auto* table = child<QAbstractItemView>("inputsList");
    table->setCurrentIndex(model->index(2, InputsTableModel::NameColumn));
    child<QPushButton>("moveInputUp")->click();
    EXPECT_EQ(names(), QStringList({"topic", "third", "second"}));
    EXPECT_EQ(table->currentIndex().row(), 1);  // the moved input stays selected
    child<QPushButton>("removeInput")->click();
    EXPECT_EQ(names(), QStringList({"topic", "second"}));
    editor.undoStack()->undo();
    EXPECT_EQ(names(), QStringList({"topic", "third", "second"}));
    editor.undoStack()->undo();
    EXPECT_EQ(names(), QStringList({"topic", "second", "third"}));
}

TEST_F(AppEditorTest, TryItPanelFollowsTheEditedApp) {
    QWidget* panel = editor.tryItPanel();
    ASSERT_NE(panel, nullptr);
    auto* runView = qobject_cast<RunView*>(panel);
    ASSERT_NE(runView, nullptr) << "the Try-it panel should be the run view";
    typeInto(nameEdit(), QStringLiteral("Tried app"));
    // The run view's form is rebuilt once typing pauses.
    EXPECT_TRUE(QTest::qWaitFor([&] { return runView->app().name == "Tried app"; }, 5000));
    // Its "no model" notice leads to the Models page through the editor.
    QSignalSpy modelsPage(&editor, &AppEditor::modelsPageRequested);
    emit runView->modelsPageRequested();
    EXPECT_EQ(modelsPage.size(), 1);
}

TEST(TemplateRename, RenamesVariablesOnlyInsideTags) {
    int count = 0;
    const QString renamed = renameTemplateVariable(
        "About topic: {{ topic }} and {{topic|upper}}{% if topic %}!{% endif %} "
        "{{ other.topic }} {{ 'topic' }} {{ x | topic }} {{ topics }}",
        "topic", "subject", &count);
    EXPECT_EQ(renamed,
              "About topic: {{ subject }} and {{subject|upper}}{% if subject %}!{% endif %} "
              "{{ other.topic }} {{ 'topic' }} {{ x | topic }} {{ topics }}");
    EXPECT_EQ(count, 3);
}

TEST_F(AppEditorTest, RenamingAnInputRenamesItsUsesInTheTemplate) {
    InputsTableModel* model = inputs();
    ASSERT_TRUE(model->setData(model->index(0, InputsTableModel::NameColumn), "subject"));
    EXPECT_EQ(editor.currentApp().templateText, "Write a short paragraph about {{ subject }}.");
    EXPECT_TRUE(child<UnknownVariablesPanel>("unknownVariables")->unknownVariables().isEmpty());
    editor.undoStack()->undo();  // one step: the input and the template together
    EXPECT_EQ(editor.currentApp().inputs[0].name, "topic");
    EXPECT_EQ(editor.currentApp().templateText, "Write a short paragraph about {{ topic }}.");
}

TEST_F(AppEditorTest, CtrlZInTheTemplateUndoesThroughTheEditorsHistory) {
    editor.show();
    ASSERT_TRUE(QTest::qWaitForWindowExposed(&editor));
    editor.activateWindow();
    const QString before = editor.currentApp().templateText;
    appendToTemplate(QStringLiteral(" More."));
    EXPECT_EQ(editor.currentApp().templateText, before + " More.");
    QTest::keyClick(templateEdit(), Qt::Key_Z, Qt::ControlModifier);
    EXPECT_EQ(templateEdit()->toPlainText(), before);
    QTest::keyClick(templateEdit(), Qt::Key_Z, Qt::ControlModifier | Qt::ShiftModifier);
    EXPECT_EQ(templateEdit()->toPlainText(), before + " More.");
}

TEST(AppEditorLifetime, DestroyingAnEditorWithUnsavedChangesSignalsNothing) {
    int heard = 0;
    {
        auto editor = std::make_unique<AppEditor>();
        QObject::connect(editor.get(), &AppEditor::modifiedChanged, [&] { ++heard; });
        auto* name = editor->findChild<QLineEdit*>("name");
        ASSERT_NE(name, nullptr);
        QTest::keyClicks(name, "x");
        ASSERT_TRUE(editor->isModified());
        heard = 0;
        editor.reset();
    }
    EXPECT_EQ(heard, 0);
    for (const RecoveryFile& file : RecoveryStore::list()) RecoveryStore::remove(file.path);
}

TEST_F(AppEditorTest, ABrokenFileIsRefusedWithItsError) {
    QTemporaryDir dir;
    const QString path = dir.filePath("broken.promptapp");
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("---\nname: [unclosed\n---\nbody\n");
    file.close();
    QString error;
    EXPECT_FALSE(editor.load(path, &error));
    EXPECT_TRUE(error.contains("broken.promptapp")) << error.toStdString();
}

}  // namespace
}  // namespace ps::ui
