#pragma once
// Under the editor: what is wrong with the app right now (the document validation,
// run on every change), in the validation's plain words, or a short all-clear.
#include <QList>
#include <QWidget>

#include "document/document_error.h"

class QLabel;

namespace ps::ui {

class ProblemsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ProblemsPanel(QWidget* parent = nullptr);

    void setProblems(const QList<DocumentError>& problems);
    const QList<DocumentError>& problems() const { return problems_; }
    // The text shown, for tests and screen readers.
    QString text() const;

private:
    QList<DocumentError> problems_;
    QLabel* label_;
};

}  // namespace ps::ui
