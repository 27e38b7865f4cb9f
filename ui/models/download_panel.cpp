#include "models/download_panel.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

#include "models/model_download.h"
#include "models/model_summary.h"

namespace ps::ui {

namespace {

// "about 3 min left", "about 40 s left"
QString timeLeftText(double seconds) {
    // Abbreviated units need no plural forms.
    if (seconds >= 90) return DownloadPanel::tr("about %1 min left").arg(qRound(seconds / 60));
    return DownloadPanel::tr("about %1 s left").arg(std::max(1, qRound(seconds)));
}

}  // namespace

DownloadPanel::DownloadPanel(QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(tr("Choose a model above and click Download."));
    title_->setWordWrap(true);
    QFont bold = title_->font();
    bold.setBold(true);
    title_->setFont(bold);
    bar_ = new QProgressBar;
    bar_->setRange(0, 1000);
    bar_->setValue(0);
    bar_->setTextVisible(false);
    bar_->setAccessibleName(tr("Download progress"));
    status_ = new QLabel;
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    pauseButton_ = new QPushButton(tr("Pause"));
    cancelButton_ = new QPushButton(tr("Cancel Download"));
    useButton_ = new QPushButton(tr("Use This Model"));
    useButton_->setDefault(true);

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(status_, 1);
    buttons->addWidget(pauseButton_);
    buttons->addWidget(cancelButton_);
    buttons->addWidget(useButton_);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(title_);
    layout->addWidget(bar_);
    layout->addLayout(buttons);

    connect(pauseButton_, &QPushButton::clicked, this, [this] {
        if (!download_) return;
        if (download_->state() == ModelDownload::State::Checking ||
            download_->state() == ModelDownload::State::Downloading) {
            download_->pause();
        } else {
            clock_.start();
            startBytes_ = download_->receivedBytes();
            download_->start();
        }
    });
    connect(cancelButton_, &QPushButton::clicked, this, [this] {
        if (download_) download_->cancel();
    });
    connect(useButton_, &QPushButton::clicked, this, [this] {
        if (download_ && download_->state() == ModelDownload::State::Finished) {
            emit useRequested(download_->targetPath());
        }
    });
    onStateChanged();
}

bool DownloadPanel::isBusy() const {
    if (!download_) return false;
    const auto state = download_->state();
    return state == ModelDownload::State::Checking || state == ModelDownload::State::Downloading ||
           state == ModelDownload::State::Paused;
}

QString DownloadPanel::statusText() const { return status_->text(); }

bool DownloadPanel::start(const ModelSource& source, const QString& folder,
                          const QString& expectedSha256) {
    if (isBusy()) {
        status_->setText(tr("Finish or cancel the download of %1 first.")
                             .arg(download_->source().fileName));
        return false;
    }
    if (download_) download_->deleteLater();
    download_ = new ModelDownload(source, folder, this);
    if (!expectedSha256.isEmpty()) download_->setExpectedSha256(expectedSha256);
    connect(download_, &ModelDownload::stateChanged, this, &DownloadPanel::onStateChanged);
    connect(download_, &ModelDownload::progress, this, &DownloadPanel::onProgress);
    connect(download_, &ModelDownload::note, this, [this](const QString& text) { status_->setText(text); });
    connect(download_, &ModelDownload::failed, this, [this](const QString& message) {
        status_->setText(message);
    });
    connect(download_, &ModelDownload::finished, this, [this](const QString& path) {
        bar_->setRange(0, 1000);
        bar_->setValue(1000);
        status_->setText(tr("Downloaded to %1").arg(path));
        onStateChanged();
        emit downloaded(path);
    });
    title_->setText(source.repo.isEmpty() ? source.fileName
                                          : tr("%1 from %2").arg(source.fileName, source.repo));
    status_->setText(tr("Connecting to %1…").arg(source.url.host()));
    bar_->setRange(0, 1000);
    bar_->setValue(0);
    clock_.start();
    startBytes_ = 0;
    download_->start();
    return true;
}

void DownloadPanel::onProgress(qint64 received, qint64 total) {
    if (total <= 0) {
        bar_->setRange(0, 0);  // size unknown: a busy bar
        status_->setText(formatBytes(received));
        return;
    }
    bar_->setRange(0, 1000);
    bar_->setValue(static_cast<int>(1000 * received / total));
    QString text = tr("%1 of %2").arg(formatBytes(received), formatBytes(total));
    const double seconds = clock_.isValid() ? clock_.elapsed() / 1000.0 : 0;
    const double rate = seconds > 1 ? (received - startBytes_) / seconds : 0;
    if (rate > 0 && received < total) {
        text += QStringLiteral(" · %1/s · %2")
                    .arg(formatBytes(static_cast<uint64_t>(rate)), timeLeftText((total - received) / rate));
    }
    status_->setText(text);
}

void DownloadPanel::onStateChanged() {
    using State = ModelDownload::State;
    const State state = download_ ? download_->state() : State::Idle;
    const bool running = state == State::Checking || state == State::Downloading;
    pauseButton_->setVisible(running || state == State::Paused ||
                             (state == State::Failed && download_->canResume()));
    pauseButton_->setText(running ? tr("Pause") : tr("Resume"));
    cancelButton_->setVisible(running || state == State::Paused || state == State::Failed);
    useButton_->setVisible(state == State::Finished);
    bar_->setVisible(state != State::Idle);
    if (state == State::Paused) {
        status_->setText(tr("Paused at %1. Resume continues from there, also after a restart.")
                             .arg(formatBytes(download_->receivedBytes())));
    } else if (state == State::Cancelled) {
        status_->setText(tr("Cancelled; the partial file was deleted."));
        bar_->setValue(0);
    }
    emit busyChanged(isBusy());
}

}  // namespace ps::ui
