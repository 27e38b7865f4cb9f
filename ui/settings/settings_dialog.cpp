#include "settings/settings_dialog.h"

#include <algorithm>

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QThread>
#include <QVBoxLayout>

#include "settings/preferences.h"
#include "settings/sharing_page.h"
#include "settings/sharing_preferences.h"

#include <utility>

namespace ps::ui {

namespace {

QLabel* explanation(const QString& text) {
    auto* label = new QLabel(text);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

}  // namespace

SettingsDialog::SettingsDialog(Preferences& preferences, QWidget* parent)
    : QDialog(parent), preferences_(preferences) {
    setWindowTitle(tr("Settings"));
    auto* tabs = new QTabWidget;
    tabs->addTab(createRuntimePage(), tr("Model runtime"));
    tabs->addTab(createGenerationPage(), tr("Answers"));
    tabs->addTab(createFoldersPage(), tr("Folders"));
    tabs->addTab(createAppearancePage(), tr("Appearance"));
    sharing_ = new SharingPage;
    tabs->addTab(sharing_, tr("Sharing"));

    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        apply();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(tabs);
    layout->addWidget(buttons);
    // Names for accessibility tools and for the tests that drive the dialog.
    const std::pair<QWidget*, const char*> names[] = {
        {backend_, "backend"},   {gpuDevice_, "gpuDevice"}, {threads_, "threads"},
        {context_, "context"},   {temperature_, "temperature"}, {maxTokens_, "maxTokens"},
        {appsFolder_, "appsFolder"}, {modelFolders_, "modelFolders"}, {theme_, "theme"},
        {fontSize_, "fontSize"}};
    for (const auto& [widget, name] : names) widget->setObjectName(QLatin1String(name));
    // Choices show their whole text ("Automatic (GPU when there is one)"), and the
    // fields take the width the dialog has.
    for (QComboBox* box : findChildren<QComboBox*>()) box->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    for (QFormLayout* form : findChildren<QFormLayout*>()) form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    load();
    resize(std::max(620, sizeHint().width()), 480);
}

QWidget* SettingsDialog::createRuntimePage() {
    auto* page = new QWidget;
    auto* form = new QFormLayout(page);
    backend_ = new QComboBox;
    backend_->addItem(tr("Automatic (GPU when there is one)"));
    backend_->addItem(tr("GPU (NVIDIA CUDA)"));
    backend_->addItem(tr("CPU only"));
    form->addRow(tr("Run models on:"), backend_);
    gpuDevice_ = new QSpinBox;
    gpuDevice_->setRange(0, 15);
    form->addRow(tr("GPU number:"), gpuDevice_);
    threads_ = new QSpinBox;
    threads_->setRange(0, 256);
    threads_->setSpecialValueText(tr("Automatic (%1)").arg(QThread::idealThreadCount()));
    form->addRow(tr("CPU threads:"), threads_);
    context_ = new QComboBox;
    context_->addItem(tr("The model's own (up to 4096)"), 0);
    for (int size : {1024, 2048, 4096, 8192, 16384, 32768}) {
        context_->addItem(tr("%1 tokens").arg(size), size);
    }
    form->addRow(tr("Memory for the conversation:"), context_);
    form->addRow(explanation(
        tr("A longer memory lets apps work on longer texts, but needs more GPU memory. "
           "When the GPU cannot hold the model, Prompt Studio uses the CPU and says why.")));
    return page;
}

QWidget* SettingsDialog::createGenerationPage() {
    auto* page = new QWidget;
    auto* form = new QFormLayout(page);
    temperature_ = new QDoubleSpinBox;
    temperature_->setRange(0.0, 2.0);
    temperature_->setSingleStep(0.1);
    temperature_->setDecimals(2);
    form->addRow(tr("Creativity (temperature):"), temperature_);
    form->addRow(explanation(tr("0 always gives the same, most likely answer; higher values "
                                "give more varied and surprising answers.")));
    maxTokens_ = new QSpinBox;
    maxTokens_->setRange(16, 32768);
    maxTokens_->setSingleStep(64);
    form->addRow(tr("Longest answer (tokens):"), maxTokens_);
    form->addRow(explanation(tr("A token is about three quarters of a word. Apps can set "
                                "their own values; these are used when they do not.")));
    return page;
}

QWidget* SettingsDialog::createFoldersPage() {
    auto* page = new QWidget;
    auto* layout = new QVBoxLayout(page);
    auto* appsRow = new QHBoxLayout;
    appsFolder_ = new QLineEdit;
    auto* browseApps = new QPushButton(tr("Choose…"));
    connect(browseApps, &QPushButton::clicked, this, [this] {
        const QString folder =
            QFileDialog::getExistingDirectory(this, tr("Folder for your apps"), appsFolder_->text());
        if (!folder.isEmpty()) appsFolder_->setText(folder);
    });
    appsRow->addWidget(appsFolder_);
    appsRow->addWidget(browseApps);
    layout->addWidget(new QLabel(tr("Your apps are kept in:")));
    layout->addLayout(appsRow);

    layout->addSpacing(12);
    layout->addWidget(new QLabel(tr("Also look for models in these folders:")));
    modelFolders_ = new QListWidget;
    layout->addWidget(modelFolders_);
    auto* folderButtons = new QHBoxLayout;
    auto* add = new QPushButton(tr("Add folder…"));
    auto* remove = new QPushButton(tr("Remove"));
    connect(add, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder with models"));
        if (!folder.isEmpty() && modelFolders_->findItems(folder, Qt::MatchExactly).isEmpty()) {
            modelFolders_->addItem(folder);
        }
    });
    connect(remove, &QPushButton::clicked, this, [this] { delete modelFolders_->currentItem(); });
    folderButtons->addWidget(add);
    folderButtons->addWidget(remove);
    folderButtons->addStretch();
    layout->addLayout(folderButtons);
    return page;
}

QWidget* SettingsDialog::createAppearancePage() {
    auto* page = new QWidget;
    auto* form = new QFormLayout(page);
    theme_ = new QComboBox;
    theme_->addItems({tr("Follow the system"), tr("Light"), tr("Dark")});
    form->addRow(tr("Theme:"), theme_);
    fontSize_ = new QSpinBox;
    fontSize_->setRange(0, 32);
    fontSize_->setSpecialValueText(tr("System size"));
    form->addRow(tr("Text size (points):"), fontSize_);
    return page;
}

void SettingsDialog::load() {
    backend_->setCurrentIndex(static_cast<int>(preferences_.backend()));
    gpuDevice_->setValue(preferences_.gpuDevice());
    threads_->setValue(preferences_.threads());
    const int contextIndex = context_->findData(preferences_.contextLength());
    context_->setCurrentIndex(contextIndex >= 0 ? contextIndex : 0);
    temperature_->setValue(preferences_.defaultTemperature());
    maxTokens_->setValue(preferences_.defaultMaxTokens());
    appsFolder_->setText(preferences_.appsFolder());
    modelFolders_->clear();
    modelFolders_->addItems(preferences_.modelFolders());
    theme_->setCurrentIndex(static_cast<int>(preferences_.theme()));
    fontSize_->setValue(preferences_.fontPointSize());
    sharing_->load(SharingPreferences());
}

void SettingsDialog::apply() {
    preferences_.setBackend(static_cast<BackendPreference>(backend_->currentIndex()));
    preferences_.setGpuDevice(gpuDevice_->value());
    preferences_.setThreads(threads_->value());
    preferences_.setContextLength(context_->currentData().toInt());
    preferences_.setDefaultTemperature(temperature_->value());
    preferences_.setDefaultMaxTokens(maxTokens_->value());
    preferences_.setAppsFolder(appsFolder_->text());
    QStringList folders;
    for (int i = 0; i < modelFolders_->count(); ++i) folders << modelFolders_->item(i)->text();
    preferences_.setModelFolders(folders);
    preferences_.setTheme(static_cast<ThemePreference>(theme_->currentIndex()));
    preferences_.setFontPointSize(fontSize_->value());
    SharingPreferences sharing;
    sharing_->apply(sharing);
}

}  // namespace ps::ui
