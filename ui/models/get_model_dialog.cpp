#include "models/get_model_dialog.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScreen>
#include <QTabWidget>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

#include "backend/backend_factory.h"
#include "models/download_panel.h"
#include "models/hub_search_panel.h"
#include "models/model_catalog.h"
#include "models/model_source.h"
#include "models/model_scanner.h"
#include "models/model_summary.h"

namespace ps::ui {

namespace {

// The model's name, quantization and what it is good at share the first column:
// two lines that read as one entry.
enum Column { Name, Size, Fits, Licence, ColumnCount };

}  // namespace

namespace {
QString gigabytes(quint64 bytes) {
    return GetModelDialog::tr("%1 GB").arg(QLocale().toString(bytes / 1e9, 'f', 1));
}
}  // namespace

QString GetModelDialog::approximateSize(quint64 bytes) {
    // Decimal gigabytes with one digit, the unit shops and disks use: "about 0.8 GB".
    if (bytes >= 100'000'000ull) return tr("about %1").arg(gigabytes(bytes));
    return tr("about %1 MB").arg(QLocale().toString(qRound64(bytes / 1e6)));
}

GetModelDialog::GetModelDialog(QWidget* parent)
    : QDialog(parent), folder_(modelDownloadFolder(QDir::homePath())) {
    setWindowTitle(tr("Get a Model"));
    setObjectName(QStringLiteral("getModelDialog"));
    tabs_ = new QTabWidget;
    tabs_->addTab(createRecommendedTab(), tr("Recommended"));
    searchPanel_ = new HubSearchPanel;
    tabs_->addTab(searchPanel_, tr("Search Hugging Face"));
    downloadPanel_ = new DownloadPanel;
    folderLabel_ = new QLabel;
    folderLabel_->setForegroundRole(QPalette::PlaceholderText);
    folderLabel_->setWordWrap(true);
    auto* close = new QDialogButtonBox(QDialogButtonBox::Close);
    // The style's dark cross does not read on the dark theme; the word says it all.
    close->button(QDialogButtonBox::Close)->setIcon(QIcon());

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(tabs_, 1);
    layout->addWidget(downloadPanel_);
    layout->addWidget(folderLabel_);
    layout->addWidget(close);

    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(searchPanel_, &HubSearchPanel::downloadRequested, this,
            [this](const QString& address, const QString& sha) { startDownload(address, sha); });
    connect(downloadPanel_, &DownloadPanel::busyChanged, this, [this](bool busy) {
        searchPanel_->setDownloadAllowed(!busy);
        if (auto* button = findChild<QPushButton*>(QStringLiteral("downloadRecommended"))) {
            button->setEnabled(!busy);
        }
    });
    connect(downloadPanel_, &DownloadPanel::downloaded, this, &GetModelDialog::modelDownloaded);
    connect(downloadPanel_, &DownloadPanel::useRequested, this, [this](const QString& path) {
        emit modelChosen(path);
        accept();
    });
    setDownloadFolder(folder_);
    // Room for the tables without scrolling sideways, within the screen.
    const int em = fontMetrics().averageCharWidth();
    QSize size(em * 170, em * 110);
    if (const QScreen* screen = this->screen()) {
        size = size.boundedTo(screen->availableGeometry().size() * 9 / 10);
    }
    resize(size);
}

GetModelDialog::~GetModelDialog() {
    if (gpuThread_) gpuThread_->wait();  // its result is posted to this dialog
    delete gpuThread_;
}

QWidget* GetModelDialog::createRecommendedTab() {
    auto* page = new QWidget;
    auto* intro = new QLabel(tr("Good first models, smallest first. Each is one file from Hugging "
                                "Face; “Fits” compares what it needs at a 4,096-token context "
                                "with this computer."));
    intro->setWordWrap(true);
    machine_ = new QLabel;
    machine_->setForegroundRole(QPalette::PlaceholderText);
    machine_->setWordWrap(true);
    recommended_ = new QTableWidget(0, ColumnCount);
    recommended_->setHorizontalHeaderLabels({tr("Model"), tr("Size"), tr("Fits"), tr("Licence")});
    recommended_->setAccessibleName(tr("Recommended models"));
    recommended_->setSelectionBehavior(QAbstractItemView::SelectRows);
    recommended_->setSelectionMode(QAbstractItemView::SingleSelection);
    recommended_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    recommended_->setWordWrap(true);
    recommended_->verticalHeader()->hide();
    // Rows grow with the wrapped text as the dialog is resized.
    recommended_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    recommended_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    recommended_->horizontalHeader()->setSectionResizeMode(Name, QHeaderView::Stretch);
    for (const RecommendedModel& model : recommendedModels()) {
        const int row = recommended_->rowCount();
        recommended_->insertRow(row);
        auto* name = new QTableWidgetItem(
            QStringLiteral("%1 · %2\n%3").arg(model.name, model.quantization, model.goodAt));
        name->setData(Qt::UserRole, model.address);
        name->setToolTip(model.address);
        recommended_->setItem(row, Name, name);
        auto* size = new QTableWidgetItem(approximateSize(model.approximateBytes));
        size->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        recommended_->setItem(row, Size, size);
        recommended_->setItem(row, Fits, new QTableWidgetItem(tr("…")));
        recommended_->setItem(row, Licence, new QTableWidgetItem(model.licence));
    }
    recommended_->selectRow(0);

    auto* download = new QPushButton(tr("Download"));
    download->setObjectName(QStringLiteral("downloadRecommended"));
    auto* bottom = new QHBoxLayout;
    bottom->addWidget(machine_, 1);
    bottom->addWidget(download);
    auto* layout = new QVBoxLayout(page);
    layout->addWidget(intro);
    layout->addWidget(recommended_, 1);
    layout->addLayout(bottom);

    auto downloadSelected = [this] {
        const int row = recommended_->currentRow();
        if (row >= 0) startDownload(recommended_->item(row, Name)->data(Qt::UserRole).toString());
    };
    connect(download, &QPushButton::clicked, this, downloadSelected);
    connect(recommended_, &QTableWidget::cellDoubleClicked, this, downloadSelected);
    return page;
}

void GetModelDialog::setDownloadFolder(const QString& folder) {
    folder_ = folder;
    folderLabel_->setText(tr("Models are saved in %1, where the Models page finds them.")
                              .arg(QDir::toNativeSeparators(folder_)));
}

void GetModelDialog::setMachine(const QString& gpuName, quint64 gpuFreeBytes, quint64 memoryBytes) {
    gpuName_ = gpuName;
    gpuFreeBytes_ = gpuFreeBytes;
    memoryBytes_ = memoryBytes;
    machineKnown_ = true;
    updateFitBadges();
}

void GetModelDialog::updateFitBadges() {
    const QList<RecommendedModel>& models = recommendedModels();
    const QPalette palette = recommended_->palette();
    for (int row = 0; row < recommended_->rowCount() && row < models.size(); ++row) {
        const FitEstimate fit = estimateFit(models[row].shape(), gpuFreeBytes_, memoryBytes_);
        QTableWidgetItem* item = recommended_->item(row, Fits);
        item->setText(fit.fit == ModelFit::OnGpu      ? tr("✓ On your GPU")
                      : fit.fit == ModelFit::InMemory ? tr("✓ In memory (CPU)")
                                                      : tr("✗ Too big"));
        item->setToolTip(tr("%1: needs about %2 on a GPU, %3 on the CPU")
                             .arg(describeFit(fit), gigabytes(fit.gpuBytes), gigabytes(fit.cpuBytes)));
        item->setForeground(fit.fit == ModelFit::TooBig
                                ? palette.brush(QPalette::Disabled, QPalette::Text)
                                : palette.brush(QPalette::Active, QPalette::Text));
    }
    const QString memory = memoryBytes_ > 0 ? tr("%1 of memory free").arg(gigabytes(memoryBytes_))
                                            : tr("free memory unknown");
    machine_->setText(gpuName_.isEmpty()
                          ? tr("This computer: no GPU for models, %1.").arg(memory)
                          : tr("This computer: %1 with %2 free, %3.")
                                .arg(gpuName_, gigabytes(gpuFreeBytes_), memory));
}

void GetModelDialog::showEvent(QShowEvent* event) {
    QDialog::showEvent(event);
    if (!machineKnown_) detectMachine();
}

void GetModelDialog::detectMachine() {
    if (gpuThread_) return;
    machineKnown_ = true;
    memoryBytes_ = availableMemoryBytes();
    updateFitBadges();
    // Loading the CUDA plugin takes a second where it is installed: never on the GUI thread.
    gpuThread_ = QThread::create([this] {
        const GpuListing listing = listCudaGpus();
        QMetaObject::invokeMethod(
            this,
            [this, listing] {
                if (listing.gpus.empty()) return;
                gpuName_ = QString::fromStdString(listing.gpus.front().name);
                gpuFreeBytes_ = listing.gpus.front().freeBytes;
                updateFitBadges();
            },
            Qt::QueuedConnection);
    });
    gpuThread_->start(QThread::LowPriority);
}

bool GetModelDialog::startDownload(const QString& address, const QString& sha256) {
    QString error;
    const auto source = parseModelSource(address, searchPanel_->search()->endpoint(), &error);
    if (!source) return false;
    return downloadPanel_->start(*source, folder_, sha256);
}

}  // namespace ps::ui
