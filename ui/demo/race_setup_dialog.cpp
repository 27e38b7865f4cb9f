#include "demo/race_setup_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace ps::ui {

RaceSetupDialog::RaceSetupDialog(const QString& deckFolder, QWidget* parent)
    : QDialog(parent), deckFolder_(deckFolder) {
    setWindowTitle(tr("What This Slide Races"));
    custom_ = new QCheckBox(tr("&Choose the two engines"), this);
    auto* help = new QLabel(tr("Otherwise the race is the GPU against the CPU where there is a GPU, and every "
                               "core against one where there is none, on the model loaded in the window. "
                               "Two models (or two quantizations of one), two thread counts, or a device "
                               "each: the same app and inputs run on both sides at once."),
                            this);
    help->setWordWrap(true);
    auto* sides = new QHBoxLayout;
    boxes_[0] = sideBox(tr("Left (expected to win)"), sides_[0]);
    boxes_[1] = sideBox(tr("Right"), sides_[1]);
    sides->addWidget(boxes_[0]);
    sides->addWidget(boxes_[1]);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(custom_);
    layout->addWidget(help);
    layout->addLayout(sides);
    layout->addWidget(buttons);
    connect(custom_, &QCheckBox::toggled, this, &RaceSetupDialog::updateEnabled);
    // A sensible start when the presenter ticks the box: every core against one.
    sides_[1].device->setCurrentIndex(2);
    sides_[1].threads->setValue(1);
    updateEnabled();
}

QWidget* RaceSetupDialog::sideBox(const QString& title, SideFields& fields) {
    auto* box = new QGroupBox(title, this);
    fields.model = new QLineEdit(box);
    fields.model->setPlaceholderText(tr("The model loaded in the window"));
    fields.model->setAccessibleName(tr("Model file"));
    auto* browse = new QPushButton(tr("Browse…"), box);
    connect(browse, &QPushButton::clicked, this, [this, model = fields.model] { this->browse(model); });
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(fields.model, 1);
    modelRow->addWidget(browse);
    fields.device = new QComboBox(box);
    fields.device->addItem(tr("Automatic (the GPU when it takes the model)"), int(RaceDevice::Automatic));
    fields.device->addItem(tr("GPU"), int(RaceDevice::Gpu));
    fields.device->addItem(tr("CPU"), int(RaceDevice::Cpu));
    fields.threads = new QSpinBox(box);
    fields.threads->setRange(0, 1024);
    fields.threads->setSpecialValueText(tr("Every core"));
    auto* form = new QFormLayout(box);
    form->addRow(tr("&Model:"), modelRow);
    form->addRow(tr("&Device:"), fields.device);
    form->addRow(tr("CPU &threads:"), fields.threads);
    return box;
}

void RaceSetupDialog::browse(QLineEdit* model) {
    const QString start = model->text().isEmpty() ? deckFolder_ : QDir(deckFolder_).absoluteFilePath(model->text());
    const QString file = QFileDialog::getOpenFileName(this, tr("Choose a Model"), start, tr("Models (*.gguf)"));
    if (file.isEmpty()) return;
    // A model inside the deck's folder is kept relative, so the folder can move.
    const QString relative = QDir(deckFolder_).relativeFilePath(file);
    model->setText(!deckFolder_.isEmpty() && !relative.startsWith(QLatin1String("..")) ? relative : file);
}

void RaceSetupDialog::updateEnabled() {
    for (QWidget* box : boxes_) box->setEnabled(custom_->isChecked());
}

void RaceSetupDialog::setRace(const std::optional<DeckRace>& race) {
    custom_->setChecked(race.has_value());
    if (race) {
        const DeckRaceEngine* engines[2] = {&race->left, &race->right};
        for (int i = 0; i < 2; ++i) {
            sides_[i].model->setText(engines[i]->model);
            sides_[i].device->setCurrentIndex(sides_[i].device->findData(int(engines[i]->device)));
            sides_[i].threads->setValue(engines[i]->threads);
        }
    }
    updateEnabled();
}

std::optional<DeckRace> RaceSetupDialog::race() const {
    if (!custom_->isChecked()) return std::nullopt;
    DeckRace race;
    DeckRaceEngine* engines[2] = {&race.left, &race.right};
    for (int i = 0; i < 2; ++i) {
        engines[i]->model = sides_[i].model->text().trimmed();
        engines[i]->device = RaceDevice(sides_[i].device->currentData().toInt());
        engines[i]->threads = sides_[i].threads->value();
    }
    return race;
}

}  // namespace ps::ui
