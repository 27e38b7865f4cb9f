#include "editor/unknown_variables_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace ps::ui {

UnknownVariablesPanel::UnknownVariablesPanel(QWidget* parent) : QWidget(parent) {
    lines_ = new QVBoxLayout(this);
    lines_->setContentsMargins(0, 0, 0, 0);
    setVisible(false);
}

void UnknownVariablesPanel::setUnknownVariables(const QStringList& names) {
    if (names == names_) return;
    names_ = names;
    while (QLayoutItem* item = lines_->takeAt(0)) {
        if (QWidget* widget = item->widget()) widget->deleteLater();
        delete item;
    }
    for (const QString& name : names) {
        auto* line = new QWidget(this);
        auto* row = new QHBoxLayout(line);
        row->setContentsMargins(0, 0, 0, 0);
        auto* text = new QLabel(
            tr("⚠ The template uses <b>{{ %1 }}</b> but there is no input called <b>%1</b>.")
                .arg(name.toHtmlEscaped()),
            line);
        text->setWordWrap(true);
        auto* add = new QPushButton(tr("Add it"), line);
        add->setObjectName(QStringLiteral("addVariable_") + name);
        add->setToolTip(tr("Add an input called %1 to the form").arg(name));
        connect(add, &QPushButton::clicked, this, [this, name] { emit addRequested(name); });
        row->addWidget(text, 1);
        row->addWidget(add);
        lines_->addWidget(line);
    }
    setVisible(!names.isEmpty());
}

}  // namespace ps::ui
