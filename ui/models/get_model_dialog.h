#pragma once
// "Get a Model": recommended models with whether each fits this computer, a
// search of Hugging Face, and the download itself (progress, pause, resume,
// cancel, Use This Model). Downloads go to the folder the Models page scans
// (modelDownloadFolder), so a finished one is listed there.
//
// The dialog is not modal: closing it lets a download go on in the background.
#include <QDialog>

class QLabel;
class QTableWidget;
class QTabWidget;
class QThread;

namespace ps::ui {

class DownloadPanel;
class HubSearchPanel;

class GetModelDialog : public QDialog {
    Q_OBJECT
public:
    explicit GetModelDialog(QWidget* parent = nullptr);
    ~GetModelDialog() override;

    QString downloadFolder() const { return folder_; }
    void setDownloadFolder(const QString& folder);
    // The GPU's name and free memory (0 = none) and the memory programs can use,
    // for the fit badges. Without a call the dialog asks the CUDA backend and
    // /proc/meminfo itself when first shown.
    void setMachine(const QString& gpuName, quint64 gpuFreeBytes, quint64 memoryBytes);

    QTableWidget* recommendedTable() const { return recommended_; }
    HubSearchPanel* searchPanel() const { return searchPanel_; }
    DownloadPanel* downloadPanel() const { return downloadPanel_; }
    QTabWidget* tabs() const { return tabs_; }

    // A recommended model's size in words a newcomer reads ("about 0.8 GB").
    static QString approximateSize(quint64 bytes);

    // Starts downloading "hf:…" or a URL; false with the reason shown when it cannot.
    bool startDownload(const QString& address, const QString& sha256 = QString());

signals:
    void modelDownloaded(const QString& path);
    void modelChosen(const QString& path);

protected:
    void showEvent(QShowEvent* event) override;

private:
    QWidget* createRecommendedTab();
    void updateFitBadges();
    void detectMachine();

    QTabWidget* tabs_ = nullptr;
    QTableWidget* recommended_ = nullptr;
    QLabel* machine_ = nullptr;
    QLabel* folderLabel_ = nullptr;
    HubSearchPanel* searchPanel_ = nullptr;
    DownloadPanel* downloadPanel_ = nullptr;
    QString folder_;
    QString gpuName_;
    quint64 gpuFreeBytes_ = 0;
    quint64 memoryBytes_ = 0;
    bool machineKnown_ = false;
    QThread* gpuThread_ = nullptr;
};

}  // namespace ps::ui
