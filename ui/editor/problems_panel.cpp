#include "editor/problems_panel.h"

#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace ps::ui {

ProblemsPanel::ProblemsPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    // A fixed height that scrolls: problems coming and going while one types must
    // not push the editor up and down.
    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFixedHeight(fontMetrics().lineSpacing() * 4 + 8);
    label_ = new QLabel(scroll);
    label_->setObjectName(QStringLiteral("problemsText"));
    label_->setWordWrap(true);
    label_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    scroll->setWidget(label_);
    layout->addWidget(scroll);
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
