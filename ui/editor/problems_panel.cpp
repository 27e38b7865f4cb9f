#include "editor/problems_panel.h"

#include <QLabel>
#include <QVBoxLayout>

namespace ps::ui {

ProblemsPanel::ProblemsPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    label_ = new QLabel(this);
    label_->setObjectName(QStringLiteral("problemsText"));
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(label_);
    setProblems({});
}

void ProblemsPanel::setProblems(const QList<DocumentError>& problems) {
    problems_ = problems;
    if (problems.isEmpty()) {
        label_->setText(tr("✔ No problems: the app is ready to run."));
        return;
    }
    QString html = tr("<b>Fix these before the app can run:</b>") + QStringLiteral("<ul>");
    for (const DocumentError& problem : problems) {
        // The messages are written for people; a first capital reads better in a list.
        QString message = problem.message;
        if (!message.isEmpty()) message[0] = message[0].toUpper();
        html += QStringLiteral("<li>") + message.toHtmlEscaped() + QStringLiteral("</li>");
    }
    label_->setText(html + QStringLiteral("</ul>"));
}

QString ProblemsPanel::text() const {
    return label_->text();
}

}  // namespace ps::ui
