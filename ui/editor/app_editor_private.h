#pragma once
// AppEditor's state and widgets, shared by its two source files (app_editor.cpp: the
// pages and keeping them in step with the document; app_editor_saving.cpp: files,
// saving, recovery copies).
#include <QTimer>

#include "editor/app_editor.h"
#include "editor/edited_app.h"

class QAction;
class QBoxLayout;
class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QListView;

namespace ps::ui {

class EmojiPicker;
class ExamplesEditor;
class InputDetailsEditor;
class InputsTableModel;
class ParametersEditor;
class ProblemsPanel;
class RunView;
class TemplateHighlighter;
class UnknownVariablesPanel;

struct AppEditor::Private {
    EditedApp document;
    QString filePath;
    bool readOnlySample = false;
    // What the file itself got wrong (an unknown 'type', a bad value): the widgets
    // cannot show it, so the problems panel does until the app is saved again.
    QList<DocumentError> fileProblems;
    QString appsFolder;  // empty = Preferences::appsFolder()

    QTimer autosave;
    QString recoveryPath;  // the copy written for this document, if any
    SaveQuestion saveQuestion;
    CopyNameQuestion copyNameQuestion;

    bool showing = false;  // mirroring the document: widget signals are not edits

    QTabWidget* pages = nullptr;
    QLabel* sampleBanner = nullptr;
    QLineEdit* name = nullptr;
    QLineEdit* icon = nullptr;
    EmojiPicker* emojiPicker = nullptr;
    QLineEdit* description = nullptr;
    QComboBox* kind = nullptr;
    QLabel* kindExplanation = nullptr;
    QComboBox* output = nullptr;
    QPlainTextEdit* instructions = nullptr;
    QPlainTextEdit* templateEdit = nullptr;
    TemplateHighlighter* highlighter = nullptr;
    UnknownVariablesPanel* unknownVariables = nullptr;
    InputsTableModel* inputsModel = nullptr;
    QWidget* formPage = nullptr;
    QBoxLayout* formColumns = nullptr;
    QListView* inputsList = nullptr;
    InputDetailsEditor* inputDetails = nullptr;
    QPushButton* addInput = nullptr;
    QPushButton* removeInput = nullptr;
    QPushButton* moveUp = nullptr;
    QPushButton* moveDown = nullptr;
    ParametersEditor* parameters = nullptr;
    ExamplesEditor* examples = nullptr;
    ProblemsPanel* problems = nullptr;

    QWidget* tryIt = nullptr;
    RunView* runView = nullptr;  // null until the run view exists in this build
    QTimer tryItDelay;           // the Try-it form is rebuilt after typing pauses
    PromptApp tryItApp;

    QAction* saveAction = nullptr;
    QAction* undoAction = nullptr;
    QAction* redoAction = nullptr;
};

}  // namespace ps::ui
