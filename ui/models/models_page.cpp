#include "models/models_page.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QFrame>
#include <QLabel>
#include <QMetaMethod>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QThread>
#include <QVBoxLayout>

#include "backend/backend_factory.h"
#include "models/demo_model.h"
#include "models/model_list_model.h"
#include "models/model_scanner.h"
#include "settings/preferences.h"

namespace ps::ui {

ModelsPage::ModelsPage(Preferences& preferences, QWidget* parent)
    : QWidget(parent), preferences_(preferences) {
    scanner_ = new ModelScanner(this);
    models_ = new ModelListModel(this);
    sorted_ = new QSortFilterProxyModel(this);
    sorted_->setSourceModel(models_);

    auto* title = new QLabel(tr("Models"));
    QFont titleFont = title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.5);
    titleFont.setBold(true);
    title->setFont(titleFont);
    auto* intro = new QLabel(
        tr("A model is the language model your apps run on: one .gguf file on this computer. "
           "Models of Ollama, LM Studio and GPT4All, and those in Downloads, are found by themselves."));
    intro->setWordWrap(true);
    intro->setForegroundRole(QPalette::PlaceholderText);

    activeModel_ = new QLabel;
    activeModel_->setObjectName(QStringLiteral("activeModel"));
    activeModel_->setWordWrap(true);
    activeModel_->setTextFormat(Qt::RichText);

    // "Get a Model…" opens the download dialog (MainWindow connects it); it shows
    // while something listens to getModelRequested.
    getModelButton_ = new QPushButton(tr("Get a Model…"));
    getModelButton_->setObjectName(QStringLiteral("getModelButton"));
    getModelButton_->setDefault(true);
    getModelButton_->setToolTip(tr("Download a recommended model, or search Hugging Face"));
    auto* openButton = new QPushButton(tr("Open a Model File…"));
    openButton->setToolTip(tr("Use a .gguf file you already have"));
    rescanButton_ = new QPushButton(tr("Look Again"));
    rescanButton_->setToolTip(tr("Search the usual places for models again"));
    scanStatus_ = new QLabel;
    scanStatus_->setForegroundRole(QPalette::PlaceholderText);
    auto* buttons = new QHBoxLayout;
    buttons->setSpacing(8);
    buttons->addWidget(getModelButton_);
    buttons->addWidget(openButton);
    buttons->addWidget(rescanButton_);
    buttons->addWidget(scanStatus_, 1);

    table_ = new QTableView;
    table_->setModel(sorted_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setSortingEnabled(true);
    table_->verticalHeader()->hide();
    table_->setShowGrid(false);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(ModelListModel::Name, QHeaderView::Stretch);
    table_->horizontalHeader()->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    table_->setAlternatingRowColors(true);
    table_->setAccessibleName(tr("Models found on this computer"));

    // With no model of one's own (the demo model alone): what to do next, said once,
    // above the list.
    emptyState_ = new QFrame;
    emptyState_->setObjectName(QStringLiteral("emptyState"));
    emptyText_ = new QLabel(
        tr("<p><b>No model of your own yet.</b> The built-in demo model only writes short children's "
           "stories. For your own apps, get a chat model: a small one (1 to 4 billion parameters) "
           "runs well on most laptops.</p>"
           "<p><b>Get a Model…</b> downloads a recommended one. Already have one? Click <b>Open a "
           "Model File…</b>, or put it in your Downloads folder and click <b>Look Again</b>.</p>"),
        emptyState_);
    emptyText_->setWordWrap(true);
    emptyText_->setTextFormat(Qt::RichText);
    auto* emptyLayout = new QVBoxLayout(emptyState_);
    emptyLayout->setContentsMargins(14, 10, 14, 10);
    emptyLayout->addWidget(emptyText_);

    details_ = new QLabel;
    details_->setObjectName(QStringLiteral("modelDetails"));
    details_->setWordWrap(true);
    details_->setTextFormat(Qt::RichText);
    details_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    details_->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    useButton_ = new QPushButton(tr("Use This Model"));
    useButton_->setEnabled(false);
    auto* detailsRow = new QHBoxLayout;
    detailsRow->addWidget(details_, 1);
    detailsRow->addWidget(useButton_, 0, Qt::AlignTop);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(18, 14, 18, 14);
    layout->setSpacing(10);
    layout->addWidget(title);
    layout->addWidget(intro);
    layout->addWidget(activeModel_);
    layout->addLayout(buttons);
    layout->addWidget(emptyState_);
    layout->addWidget(table_, 1);
    layout->addLayout(detailsRow);

    connect(getModelButton_, &QPushButton::clicked, this, &ModelsPage::getModelRequested);
    connect(openButton, &QPushButton::clicked, this, &ModelsPage::openModelFile);
    connect(rescanButton_, &QPushButton::clicked, this, &ModelsPage::rescan);
    connect(scanner_, &ModelScanner::modelFound, this, [this](const ModelSummary& model) {
        models_->addModel(model);
        updateEmptyState();
    });
    connect(scanner_, &ModelScanner::finished, this, [this](int found) {
        rescanButton_->setEnabled(true);
        scanStatus_->setText(found == 0 ? tr("No models in the usual places.")
                                        : tr("Found %n model(s).", nullptr, found));
        updateEmptyState();
        emit scanFinished(found);
    });
    connect(table_->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &ModelsPage::updateDetails);
    connect(table_, &QTableView::doubleClicked, this, [this] {
        if (const ModelSummary* model = selectedModel(); model && model->runnable) {
            emit modelChosen(model->path);
        }
    });
    connect(useButton_, &QPushButton::clicked, this, [this] {
        if (const ModelSummary* model = selectedModel()) emit modelChosen(model->path);
    });
    updateEmptyState();
    updateDetails();
}

ModelsPage::~ModelsPage() {
    if (gpuThread_) gpuThread_->wait();  // its result is posted to this page
    delete gpuThread_;
}

void ModelsPage::showEvent(QShowEvent* event) {
    QWidget::showEvent(event);
    getModelButton_->setVisible(isSignalConnected(QMetaMethod::fromSignal(&ModelsPage::getModelRequested)));
    if (shownBefore_) return;
    shownBefore_ = true;
    rescan();
    detectGpu();
}

void ModelsPage::detectGpu() {
    if (gpuThread_ && gpuThread_->isRunning()) return;
    delete gpuThread_;
    const int wanted = preferences_.gpuDevice();
    // Loading the CUDA plugin and cuBLAS takes a second where they are installed:
    // never on the GUI thread.
    gpuThread_ = QThread::create([this, wanted] {
        const GpuListing listing = listCudaGpus();
        QMetaObject::invokeMethod(this, [this, listing, wanted] {
            const GpuInfo* gpu = nullptr;
            for (const GpuInfo& candidate : listing.gpus)
                if (candidate.index == wanted) gpu = &candidate;
            if (!gpu && !listing.gpus.empty()) gpu = &listing.gpus.front();
            const int context = preferences_.contextLength() > 0 ? preferences_.contextLength() : 4096;
            if (gpu) {
                const QString name = QString::fromStdString(gpu->name);
                gpuStatus_ = tr("%1, %2 free").arg(name, formatBytes(gpu->freeBytes));
                setGpu(name, gpu->freeBytes, context);
            } else {
                gpuStatus_ = QString::fromStdString(listing.whyNone);
                setGpu(QString(), 0, context);
            }
            emit gpuDetected(gpuStatus_);
        }, Qt::QueuedConnection);
    });
    gpuThread_->start(QThread::LowPriority);
}

void ModelsPage::addDemoModel() {
    const QString demo = demoModelPath();
    if (demo.isEmpty()) return;
    if (auto summary = readModelSummary(demo)) {
        summary->sourceLabel = tr("Built in");
        models_->addModel(*summary);
        updateEmptyState();
    }
}

void ModelsPage::rescan() {
    addDemoModel();
    rescanButton_->setEnabled(false);
    scanStatus_->setText(tr("Looking for models…"));
    scanner_->start(ModelScanner::defaultLocations(QDir::homePath(), preferences_.modelFolders()));
}

bool ModelsPage::addModelFile(const QString& path, QString* error) {
    QString reason;
    auto summary = readModelSummary(path, &reason);
    if (!summary) {
        // The reader's words ("magic bytes", offsets) are for the command line.
        if (error)
            *error = looksLikeGguf(path) ? reason
                                         : tr("%1 is not a language model. A model is a .gguf file, "
                                              "such as the ones Hugging Face, LM Studio or Ollama download.")
                                               .arg(QFileInfo(path).fileName());
        return false;
    }
    summary->sourceLabel = tr("Opened");
    models_->addModel(*summary);
    updateEmptyState();
    const int row = models_->rowOfPath(summary->path);
    table_->selectRow(sorted_->mapFromSource(models_->index(row, 0)).row());
    if (!summary->runnable) {
        if (error) *error = summary->problem;
        return false;
    }
    return true;
}

void ModelsPage::openModelFile() {
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open a Model File"), QDir::homePath() + "/Downloads",
        tr("Language models (*.gguf);;All files (*)"));
    if (path.isEmpty()) return;
    QString error;
    if (addModelFile(path, &error)) {
        emit modelChosen(QFileInfo(path).absoluteFilePath());
    } else {
        details_->setText(tr("<b>This file cannot be used:</b> %1").arg(error.toHtmlEscaped()));
    }
}

const ModelSummary* ModelsPage::selectedModel() const {
    const QModelIndexList rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty()) return nullptr;
    return models_->modelAt(sorted_->mapToSource(rows.first()).row());
}

void ModelsPage::updateDetails() {
    const ModelSummary* model = selectedModel();
    useButton_->setEnabled(model && model->runnable && model->path != activePath_);
    useButton_->setVisible(model != nullptr);
    if (!model) {
        details_->setText(models_->rowCount() > 0 ? tr("Click a model to see what it is.") : QString());
        return;
    }
    const int row = models_->rowOfPath(model->path);
    const QString title = models_->index(row, ModelListModel::Name).data().toString();
    QString html = QString("<b>%1</b><br>").arg(title.toHtmlEscaped());
    if (models_->isDemo(*model)) html += demoModelDescription().toHtmlEscaped() + "<br>";
    if (!model->runnable) {
        html += tr("Cannot run: %1").arg(model->problem.toHtmlEscaped());
    } else {
        html += tr("%1 parameters · %2 · %3 · architecture %4 · context %5 tokens · "
                   "vocabulary %6 · %7")
                    .arg(formatParameterCount(model->parameterCount),
                         ModelListModel::precisionText(model->mainTensorType),
                         formatBytes(model->fileBytes), model->architecture.toHtmlEscaped())
                    .arg(model->contextLength)
                    .arg(model->vocabSize)
                    .arg(model->hasChatTemplate ? tr("a chat model: follows instructions")
                                                : tr("a base model: only continues text"));
        if (!model->name.isEmpty() && model->name != QFileInfo(model->path).completeBaseName() &&
            model->name.compare(model->architecture, Qt::CaseInsensitive) != 0)
            html += "<br>" + tr("Its own name: %1").arg(model->name.toHtmlEscaped());
        html += "<br><small>" +
                tr("Context: how much text the model reads at once, in tokens (a token is about ¾ of a "
                   "word). Precision: fewer bits make a smaller, faster file and slightly weaker answers.") +
                "</small>";
        html += "<br>" + tr("Fits on the GPU: %1").arg(models_->fitDescription(*model));
        if (!gpuStatus_.isEmpty()) html += QString(" <small>— %1</small>").arg(gpuStatus_.toHtmlEscaped());
    }
    html += QString("<br><small>%1</small>").arg(model->path.toHtmlEscaped());
    details_->setText(html);
}

void ModelsPage::updateEmptyState() {
    // The demo model alone does not count: the user has no model of their own.
    bool ownModel = false;
    for (int row = 0; row < models_->rowCount(); ++row)
        if (!models_->isDemo(*models_->modelAt(row))) ownModel = true;
    emptyState_->setVisible(!ownModel);
    table_->setVisible(models_->rowCount() > 0);
}

void ModelsPage::setActiveModel(const QString& path, const QString& status) {
    activePath_ = path;
    models_->setActivePath(path);
    const QString name = isDemoModel(path) ? tr("%1 (stories260K)").arg(demoModelTitle())
                                           : QFileInfo(path).fileName();
    activeModel_->setText(path.isEmpty() ? tr("<b>No model in use.</b> Choose one below.")
                                         : tr("<b>In use:</b> %1 — %2")
                                               .arg(name.toHtmlEscaped(), status.toHtmlEscaped()));
    updateDetails();
}

void ModelsPage::setGpu(const QString& name, quint64 freeBytes, int contextLength) {
    gpuName_ = name;
    models_->setGpu(name, freeBytes, contextLength);
    updateDetails();
}

}  // namespace ps::ui
