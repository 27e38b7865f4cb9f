#pragma once
// The form of an app's inputs: one field per input, of the kind its type asks
// for (a line for text, a box for paragraphs, a spin box within min/max for
// numbers, a list for choices, a tick box for yes/no, a file picker for files),
// with the label, a required mark, the help in small text and as a tooltip, and
// a message under the field when its value is wrong.
#include <QHash>
#include <QVariantMap>
#include <QWidget>

#include "document/prompt_app.h"

class QFormLayout;
class QLabel;

namespace ps::ui {

class InputForm : public QWidget {
    Q_OBJECT
public:
    explicit InputForm(QWidget* parent = nullptr);

    // Builds the fields for `app`'s inputs, filled with their defaults.
    void setApp(const PromptApp& app);
    // Input name -> value as the runner takes it (a file input gives its path).
    QVariantMap values() const;
    // Fills the fields that `values` names; others keep their value.
    void setValues(const QVariantMap& values);
    // Clears the text fields (a chat app's message box after sending).
    void clearTextFields();

    // Checks the values the way the runner will; shows a message under each
    // wrong field and returns false when any is wrong.
    bool validate();
    // A message under the field of `input` (empty hides it).
    void setFieldMessage(const QString& input, const QString& message);
    QString fieldMessage(const QString& input) const;
    void clearMessages();

    // The widget that edits `input` (for tests and focus).
    QWidget* fieldWidget(const QString& input) const;
    bool isEmpty() const { return fields_.isEmpty(); }
    // The last field's widget (where Tab leaves the form), or null.
    QWidget* lastFieldWidget() const { return fields_.isEmpty() ? nullptr : fields_.last().editor; }

signals:
    void valuesChanged();
    // Enter pressed in a one-line field.
    void submitted();

private:
    struct Field {
        PromptInput input;
        QWidget* editor = nullptr;
        QLabel* message = nullptr;
    };
    QWidget* createEditor(const PromptInput& input);
    QVariant valueOf(const Field& field) const;
    void setValueOf(const Field& field, const QVariant& value);

    PromptApp app_;
    QList<Field> fields_;
    QFormLayout* layout_ = nullptr;
    QLabel* requiredNote_ = nullptr;
};

}  // namespace ps::ui
