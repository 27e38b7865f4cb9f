#include "models/hub_search_panel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include "models/model_summary.h"

namespace ps::ui {

namespace {

enum FileColumn { FileName, FileType, FileSize, FileRuns, FileColumnCount };
constexpr int kShaRole = Qt::UserRole + 1;

}  // namespace

HubSearchPanel::HubSearchPanel(QWidget* parent) : QWidget(parent) {
    search_ = new HuggingFaceSearch(this);
    query_ = new QLineEdit;
    query_->setPlaceholderText(tr("Search Hugging Face for GGUF models, e.g. “qwen 2.5 3b”"));
    query_->setClearButtonEnabled(true);
    query_->setAccessibleName(tr("Search Hugging Face"));
    searchButton_ = new QPushButton(tr("Search"));
    auto* searchRow = new QHBoxLayout;
    searchRow->addWidget(query_, 1);
    searchRow->addWidget(searchButton_);

    repositories_ = new QListWidget;
    repositories_->setAccessibleName(tr("Repositories found"));
    repositories_->setWordWrap(true);
    repositories_->setSpacing(3);
    repositories_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    files_ = new QTableWidget(0, FileColumnCount);
    files_->setHorizontalHeaderLabels({tr("File"), tr("Type"), tr("Size"), tr("Runs here")});
    files_->setAccessibleName(tr("Model files in the repository"));
    files_->setSelectionBehavior(QAbstractItemView::SelectRows);
    files_->setSelectionMode(QAbstractItemView::SingleSelection);
    files_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    files_->verticalHeader()->hide();
    files_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    files_->horizontalHeader()->setSectionResizeMode(FileName, QHeaderView::Stretch);
    auto* splitter = new QSplitter(Qt::Horizontal);
    splitter->addWidget(repositories_);
    splitter->addWidget(files_);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    status_ = new QLabel(tr("Searches huggingface.co (or HF_ENDPOINT) for repositories with GGUF "
                            "files; the most downloaded come first."));
    status_->setWordWrap(true);
    status_->setForegroundRole(QPalette::PlaceholderText);
    status_->setText(status_->text().replace("huggingface.co", search_->endpoint().host()));
    downloadButton_ = new QPushButton(tr("Download"));
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(status_, 1);
    bottom->addWidget(downloadButton_);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(searchRow);
    layout->addWidget(splitter, 1);
    layout->addLayout(bottom);

    connect(query_, &QLineEdit::returnPressed, this, &HubSearchPanel::runSearch);
    connect(searchButton_, &QPushButton::clicked, this, &HubSearchPanel::runSearch);
    connect(search_, &HuggingFaceSearch::repositoriesFound, this,
            [this](const QString&, const QList<HubRepository>& found) { showRepositories(found); });
    connect(search_, &HuggingFaceSearch::filesListed, this, &HubSearchPanel::showFiles);
    connect(search_, &HuggingFaceSearch::failed, this,
            [this](const QString&, const QString& message) { status_->setText(message); });
    connect(repositories_, &QListWidget::currentItemChanged, this, [this](QListWidgetItem* item) {
        files_->setRowCount(0);
        updateDownloadButton();
        if (!item) return;
        status_->setText(tr("Listing the files of %1…").arg(item->data(Qt::UserRole).toString()));
        search_->listFiles(item->data(Qt::UserRole).toString());
    });
    connect(files_, &QTableWidget::itemSelectionChanged, this, &HubSearchPanel::updateDownloadButton);
    connect(files_, &QTableWidget::cellDoubleClicked, downloadButton_, &QPushButton::click);
    connect(downloadButton_, &QPushButton::clicked, this, [this] {
        const int row = files_->currentRow();
        if (row < 0 || shownRepo_.isEmpty()) return;
        const QTableWidgetItem* item = files_->item(row, FileName);
        emit downloadRequested(QStringLiteral("hf:%1/%2").arg(shownRepo_, item->text()),
                               item->data(kShaRole).toString());
    });
    updateDownloadButton();
}

QString HubSearchPanel::statusText() const { return status_->text(); }

void HubSearchPanel::setDownloadAllowed(bool allowed) {
    downloadAllowed_ = allowed;
    updateDownloadButton();
}

void HubSearchPanel::updateDownloadButton() {
    downloadButton_->setEnabled(downloadAllowed_ && files_->currentRow() >= 0 &&
                                !files_->selectedItems().isEmpty());
}

void HubSearchPanel::runSearch() {
    const QString query = query_->text().trimmed();
    if (query.isEmpty()) return;
    repositories_->clear();
    files_->setRowCount(0);
    status_->setText(tr("Searching for “%1”…").arg(query));
    search_->search(query);
}

void HubSearchPanel::showRepositories(const QList<HubRepository>& found) {
    repositories_->clear();
    const QLocale locale;
    for (const HubRepository& repository : found) {
        QString text = repository.id + "\n" +
                       tr("%1 downloads · %2 likes")
                           .arg(locale.toString(repository.downloads), locale.toString(repository.likes));
        if (repository.gated) text += " · " + tr("needs a login (HF_TOKEN)");
        auto* item = new QListWidgetItem(text, repositories_);
        item->setData(Qt::UserRole, repository.id);
    }
    status_->setText(found.isEmpty() ? tr("No GGUF models found; try fewer or other words.")
                                     : tr("Repositories found: %1. Choose one to see its files.")
                                           .arg(found.size()));
}

void HubSearchPanel::showFiles(const QString& repo, const QList<HubFile>& found) {
    shownRepo_ = repo;
    files_->setRowCount(0);
    for (const HubFile& file : found) {
        const QString type = quantizationFromFileName(file.path);
        const bool split = isSplitModelPart(file.path);
        QString runs = tr("Likely");
        if (split) {
            runs = tr("No (split in parts)");
        } else if (type.isEmpty()) {
            runs = tr("Unknown");
        } else if (!quantizationLikelyRunnable(type)) {
            runs = tr("No (%1 is not supported yet)").arg(type);
        }
        const int row = files_->rowCount();
        files_->insertRow(row);
        auto* name = new QTableWidgetItem(file.path);
        name->setData(kShaRole, file.sha256);
        files_->setItem(row, FileName, name);
        files_->setItem(row, FileType, new QTableWidgetItem(type));
        auto* size = new QTableWidgetItem(formatBytes(static_cast<uint64_t>(file.size)));
        size->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        files_->setItem(row, FileSize, size);
        files_->setItem(row, FileRuns, new QTableWidgetItem(runs));
    }
    status_->setText(found.isEmpty() ? tr("%1 has no .gguf files.").arg(repo)
                                     : tr("Q4_K_M is a good balance of size and quality; Q8_0 is "
                                          "larger and closer to the original."));
    updateDownloadButton();
}

}  // namespace ps::ui
