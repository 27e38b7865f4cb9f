#include "shell/demo_model_banner.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace ps::ui {

DemoModelBanner::DemoModelBanner(QWidget* parent) : QFrame(parent) {
    setObjectName(QStringLiteral("demoModelBanner"));
    setFrameShape(QFrame::StyledPanel);
    text_ = new QLabel(tr("<b>Demo model.</b> It writes short children's stories; it cannot follow "
                          "instructions, answer questions or chat. Get a real model for your own apps."),
                       this);
    text_->setWordWrap(true);
    text_->setTextFormat(Qt::RichText);
    button_ = new QPushButton(tr("Get a Real Model…"), this);
    button_->setObjectName(QStringLiteral("demoBannerGetModel"));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(10, 6, 6, 6);
    layout->addWidget(text_, 1);
    layout->addWidget(button_);
    connect(button_, &QPushButton::clicked, this, &DemoModelBanner::getModelRequested);
}

QString DemoModelBanner::text() const { return text_->text(); }

}  // namespace ps::ui
