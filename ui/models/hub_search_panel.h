#pragma once
// The "Search Hugging Face" tab of the Get a Model dialog: a search box, the
// GGUF repositories found (most downloaded first), and the .gguf files of the
// chosen one with their sizes and whether this program can likely run them.
#include <QWidget>

#include "models/hugging_face_search.h"

class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QTableWidget;

namespace ps::ui {

class HubSearchPanel : public QWidget {
    Q_OBJECT
public:
    explicit HubSearchPanel(QWidget* parent = nullptr);

    HuggingFaceSearch* search() const { return search_; }
    QLineEdit* queryBox() const { return query_; }
    QListWidget* repositoryList() const { return repositories_; }
    QTableWidget* fileTable() const { return files_; }
    QString statusText() const;
    // Download buttons are off while another download runs.
    void setDownloadAllowed(bool allowed);

public slots:
    void runSearch();

signals:
    // "hf:OWNER/REPO/PATH" and the SHA-256 the file list gives.
    void downloadRequested(const QString& address, const QString& sha256);

private:
    void showRepositories(const QList<HubRepository>& repositories);
    void showFiles(const QString& repo, const QList<HubFile>& files);
    void updateDownloadButton();

    HuggingFaceSearch* search_ = nullptr;
    QLineEdit* query_ = nullptr;
    QPushButton* searchButton_ = nullptr;
    QListWidget* repositories_ = nullptr;
    QTableWidget* files_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton* downloadButton_ = nullptr;
    QString shownRepo_;
    bool downloadAllowed_ = true;
};

}  // namespace ps::ui
