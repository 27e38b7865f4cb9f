#pragma once
// The download under way in the "Get a Model" dialog: what, how far and how
// fast, with Pause/Resume and Cancel, and Use This Model once it is done.
// One download at a time.
#include <QElapsedTimer>
#include <QWidget>

#include "models/model_source.h"

class QLabel;
class QProgressBar;
class QPushButton;

namespace ps {
class ModelDownload;
}

namespace ps::ui {

class DownloadPanel : public QWidget {
    Q_OBJECT
public:
    explicit DownloadPanel(QWidget* parent = nullptr);

    // Starts getting `source` into `folder`; false (with the reason in the panel)
    // while another download runs.
    bool start(const ModelSource& source, const QString& folder,
               const QString& expectedSha256 = QString());
    // True while a download runs or is paused.
    bool isBusy() const;
    ModelDownload* download() const { return download_; }
    QString statusText() const;

signals:
    void busyChanged(bool busy);
    void downloaded(const QString& path);
    void useRequested(const QString& path);

private:
    void onStateChanged();
    void onProgress(qint64 received, qint64 total);

    ModelDownload* download_ = nullptr;
    QLabel* title_ = nullptr;
    QLabel* status_ = nullptr;
    QProgressBar* bar_ = nullptr;
    QPushButton* pauseButton_ = nullptr;
    QPushButton* cancelButton_ = nullptr;
    QPushButton* useButton_ = nullptr;
    QElapsedTimer clock_;   // since this run (start or resume) began
    qint64 startBytes_ = 0;  // bytes there when it began
};

}  // namespace ps::ui
