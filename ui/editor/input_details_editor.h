#pragma once
// One input of the app's form, edited as a form of its own: name, label, type,
// required, default, placeholder, help and, for the types that have them, the
// choices or the smallest and largest number, each an ordinary labelled field that
// is edited by typing in it (no double-click, no hidden editing mode). Reads from
// and writes through the InputsTableModel, so every change is an undo step and the
// keystrokes typed into one field merge into one.
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QStackedWidget;

namespace ps::ui {

class InputsTableModel;

class InputDetailsEditor : public QWidget {
    Q_OBJECT
public:
    explicit InputDetailsEditor(InputsTableModel* model, QWidget* parent = nullptr);

    // The input shown (a row of the model); -1 shows what to do when there is none.
    void setRow(int row);
    int row() const { return row_; }

    // Puts the cursor in the name field with its text selected (after "Add input").
    void focusName();

    // The fields people type in (the editor routes their Ctrl+Z to its own undo).
    QList<QWidget*> typingFields() const;

private:
    void refresh();
    void commitText(int column, const QString& text);
    void nameEdited(const QString& text);
    QString nameProblem(const QString& name) const;

    InputsTableModel* model_;
    int row_ = -1;
    bool showing_ = false;  // mirroring the model: widget signals are not edits

    QStackedWidget* pages_ = nullptr;
    QFormLayout* form_ = nullptr;
    QLineEdit* name_ = nullptr;
    QLabel* nameProblem_ = nullptr;
    QLineEdit* label_ = nullptr;
    QComboBox* type_ = nullptr;
    QCheckBox* required_ = nullptr;
    QLineEdit* default_ = nullptr;
    QLineEdit* options_ = nullptr;
    QLineEdit* min_ = nullptr;
    QLineEdit* max_ = nullptr;
    QLineEdit* placeholder_ = nullptr;
    QLineEdit* help_ = nullptr;
};

}  // namespace ps::ui
