// The Models page: the first time it is shown it finds the models in the usual
// places (here a model in ~/Downloads of the test's own home folder) and asks
// whether there is a GPU; it describes the chosen one, says whether it fits on
// the GPU, and "Use This Model" hands its path on.
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>

#include <gtest/gtest.h>

#include "models/model_list_model.h"
#include "models/models_page.h"
#include "settings/preferences.h"
#include "support/shared_data.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

QPushButton* buttonNamed(QWidget& parent, const QString& text) {
    for (QPushButton* button : parent.findChildren<QPushButton*>())
        if (button->text() == text) return button;
    return nullptr;
}

QString detailsText(QWidget& page) {
    QString text;
    for (QLabel* label : page.findChildren<QLabel*>())
        if (label->text().contains(QStringLiteral("Fits on the GPU")) ||
            label->text().contains(QStringLiteral("Cannot run")))
            text = label->text();
    return text;
}

class ModelsPageTest : public ::testing::Test {
protected:
    test::CleanSettings settings_;
    Preferences preferences_;
};

TEST_F(ModelsPageTest, FindsTheModelInDownloadsWhenFirstShownAndHandsItOn) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    const QString downloads = QDir::homePath() + QStringLiteral("/Downloads");
    ASSERT_TRUE(QDir().mkpath(downloads));
    const QString copy = downloads + QStringLiteral("/my story model.gguf");
    QFile::remove(copy);
    ASSERT_TRUE(QFile::copy(QString::fromStdString(stories.string()), copy));

    ModelsPage page(preferences_);
    QSignalSpy scanned(&page, &ModelsPage::scanFinished);
    QSignalSpy gpu(&page, &ModelsPage::gpuDetected);
    EXPECT_EQ(page.models()->rowCount(), 0) << "nothing is scanned before the page is shown";
    page.resize(1000, 600);
    page.show();
    ASSERT_TRUE(test::waitUntil([&] { return !scanned.isEmpty() && !gpu.isEmpty(); }, 20000));
    // The model found, and the built-in demo model, listed as what it is.
    ASSERT_EQ(page.models()->rowCount(), 2);
    const int row = page.models()->rowOfPath(QFileInfo(copy).absoluteFilePath());
    ASSERT_GE(row, 0);
    const ModelSummary* model = page.models()->modelAt(row);
    const int demoRow = 1 - row;
    EXPECT_TRUE(page.models()->isDemo(*page.models()->modelAt(demoRow)));
    EXPECT_EQ(page.models()->index(demoRow, ModelListModel::Name).data().toString(),
              QStringLiteral("Tiny demo model (stories260K)"));
    EXPECT_EQ(page.models()->modelAt(demoRow)->sourceLabel, QStringLiteral("Built in"));
    EXPECT_EQ(model->sourceLabel, QStringLiteral("Downloads"));
    // Without a GPU the page says so, and why, instead of leaving the column blank.
    if (page.gpuStatus().contains(QStringLiteral("no NVIDIA GPU")) ||
        page.gpuStatus().contains(QStringLiteral("not installed"))) {
        EXPECT_EQ(page.models()->index(row, ModelListModel::Fits).data().toString(),
                  QStringLiteral("No GPU (runs on CPU)"));
    }
    EXPECT_FALSE(page.gpuStatus().isEmpty());

    auto* table = page.findChild<QTableView*>();
    ASSERT_TRUE(table);
    table->selectRow(table->model()->index(0, 0).data(ModelListModel::PathRole).toString() == model->path ? 0 : 1);
    const QString details = detailsText(page);
    EXPECT_TRUE(details.contains(QStringLiteral("architecture llama"))) << details.toStdString();
    EXPECT_TRUE(details.contains(QStringLiteral("vocabulary 512"))) << details.toStdString();

    QSignalSpy chosen(&page, &ModelsPage::modelChosen);
    QPushButton* use = buttonNamed(page, QStringLiteral("Use This Model"));
    ASSERT_TRUE(use);
    ASSERT_TRUE(use->isEnabled());
    use->click();
    ASSERT_EQ(chosen.count(), 1);
    EXPECT_EQ(chosen.first().first().toString(), model->path);
    // The model in use cannot be chosen again.
    page.setActiveModel(model->path, QStringLiteral("Ready"));
    EXPECT_FALSE(use->isEnabled());
    QFile::remove(copy);
}

TEST_F(ModelsPageTest, SaysWhetherAModelFitsInTheGpusFreeMemory) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    ModelsPage page(preferences_);
    ASSERT_TRUE(page.addModelFile(QString::fromStdString(stories.string())));
    EXPECT_EQ(page.models()->index(0, ModelListModel::Runs).data().toString(), QStringLiteral("Runs"));
    const QModelIndex fits = page.models()->index(0, ModelListModel::Fits);
    page.setGpu(QStringLiteral("NVIDIA Test GPU"), 8ull << 30, 4096);
    EXPECT_EQ(fits.data().toString(), QStringLiteral("Yes"));
    page.setGpu(QStringLiteral("NVIDIA Test GPU"), 1ull << 20, 4096);
    EXPECT_EQ(fits.data().toString(), QStringLiteral("No (runs on CPU)"));
    page.setGpu(QString(), 0, 4096);
    EXPECT_EQ(fits.data().toString(), QStringLiteral("No GPU (runs on CPU)"));
}

TEST_F(ModelsPageTest, AFileThatCannotRunIsListedWithTheReasonAndCannotBeChosen) {
    PS_REQUIRE_SHARED_FILE(vocab, "models/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    ModelsPage page(preferences_);
    QString error;
    EXPECT_FALSE(page.addModelFile(QString::fromStdString(vocab.string()), &error));
    EXPECT_TRUE(error.contains(QStringLiteral("vocabulary"))) << error.toStdString();
    ASSERT_EQ(page.models()->rowCount(), 1);
    EXPECT_EQ(page.models()->index(0, ModelListModel::Fits).data().toString(), QStringLiteral("Cannot run"));
    // The list itself says why, in one line, before anyone tries to load it.
    EXPECT_EQ(page.models()->index(0, ModelListModel::Runs).data().toString(),
              QStringLiteral("Cannot run: this file is only a vocabulary, it has no weights"));
    EXPECT_TRUE(detailsText(page).contains(QStringLiteral("Cannot run")));
    QPushButton* use = buttonNamed(page, QStringLiteral("Use This Model"));
    ASSERT_TRUE(use);
    EXPECT_FALSE(use->isEnabled());

    // Not a GGUF at all: refused with a sentence, nothing listed.
    const QString junk = settings_.path(QStringLiteral("notes.gguf"));
    QFile file(junk);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("these are my notes, not a model");
    file.close();
    EXPECT_FALSE(page.addModelFile(junk, &error));
    EXPECT_FALSE(error.isEmpty());
    EXPECT_EQ(page.models()->rowCount(), 1);
}

}  // namespace
}  // namespace ps::ui
