#pragma once
// The app's optional examples: sample input values (and a name) that show how the
// app is meant to be used and let `promptstudio-cli test` re-check it. A list of
// examples on the left, the selected one's values per input on the right.
#include <QList>
#include <QWidget>
#include <functional>

#include "document/prompt_app.h"

class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace ps::ui {

class ExamplesEditor : public QWidget {
    Q_OBJECT
public:
    explicit ExamplesEditor(QWidget* parent = nullptr);

    // Shows the app's examples (and its inputs as the rows) without emitting.
    void setApp(const PromptApp& app);

signals:
    // `detail` groups typing in one place into one undo step.
    void examplesEdited(const QList<ps::AppExample>& examples, int detail);
    // "Try This Example": run the app with these input values (in Try it).
    void tryExampleRequested(const QVariantMap& inputs);

private:
    void showSelected();
    void editSelected(const std::function<void(AppExample&)>& change, int detail);

    PromptApp app_;
    bool updating_ = false;
    QListWidget* list_;
    QPushButton* add_;
    QPushButton* remove_;
    QPushButton* try_;
    QLineEdit* name_;
    QTableWidget* values_;
};

}  // namespace ps::ui
