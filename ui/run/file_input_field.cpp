#include "run/file_input_field.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

namespace ps::ui {

FileInputField::FileInputField(QWidget* parent) : QWidget(parent) {
    name_ = new QLabel(this);
    name_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    choose_ = new QPushButton(tr("Choose file…"), this);
    clear_ = new QPushButton(tr("Clear"), this);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(name_, 1);
    layout->addWidget(choose_);
    layout->addWidget(clear_);
    setFocusProxy(choose_);
    connect(choose_, &QPushButton::clicked, this, &FileInputField::choose);
    connect(clear_, &QPushButton::clicked, this, [this] { setPath(QString()); });
    setPath(QString());
}

void FileInputField::setPath(const QString& path) {
    path_ = path;
    if (path.isEmpty()) {
        name_->setText(tr("<i>No file chosen</i>"));
        name_->setToolTip(QString());
    } else {
        name_->setText(QFileInfo(path).fileName().toHtmlEscaped());
        name_->setToolTip(QDir::toNativeSeparators(path));
    }
    clear_->setEnabled(!path.isEmpty());
    emit pathChanged(path);
}

void FileInputField::choose() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose a text file"), path_.isEmpty() ? QDir::homePath() : QFileInfo(path_).absolutePath(),
        tr("Text files (*.txt *.md *.csv *.json *.html *.xml *.log);;All files (*)"));
    if (!path.isEmpty()) setPath(path);
}

}  // namespace ps::ui
