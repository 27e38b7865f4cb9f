#pragma once
// A file input's field: the chosen file's name and a "Choose…" button. Its
// value is the file's path; the runner reads the text when the app runs.
#include <QWidget>

class QLabel;
class QPushButton;

namespace ps::ui {

class FileInputField : public QWidget {
    Q_OBJECT
public:
    explicit FileInputField(QWidget* parent = nullptr);

    QString path() const { return path_; }
    void setPath(const QString& path);

signals:
    void pathChanged(const QString& path);

private:
    void choose();

    QString path_;
    QLabel* name_ = nullptr;
    QPushButton* choose_ = nullptr;
    QPushButton* clear_ = nullptr;
};

}  // namespace ps::ui
