#pragma once
// Under the template editor: one line per name the template uses that is not an
// input, each with an "Add it" button that creates the input.
#include <QStringList>
#include <QWidget>

class QVBoxLayout;

namespace ps::ui {

class UnknownVariablesPanel : public QWidget {
    Q_OBJECT
public:
    explicit UnknownVariablesPanel(QWidget* parent = nullptr);

    // Rebuilds the lines; hides the panel when there are none.
    void setUnknownVariables(const QStringList& names);
    const QStringList& unknownVariables() const { return names_; }

signals:
    void addRequested(const QString& name);

private:
    QStringList names_;
    QVBoxLayout* lines_;
};

}  // namespace ps::ui
