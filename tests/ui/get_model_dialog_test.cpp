// The Get a Model dialog against a local server that answers like Hugging Face:
// fit badges, search, file list, download with pause/resume/cancel, Use This
// Model; and its entry points in the main window and on the Models page.
#include <gtest/gtest.h>

#include <QAction>
#include <QFile>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>
#include <QMenuBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include "models/download_panel.h"
#include "models/get_model_dialog.h"
#include "models/hub_search_panel.h"
#include "models/model_catalog.h"
#include "models/model_download.h"
#include "models/model_list_model.h"
#include "models/models_page.h"
#include "settings/preferences.h"
#include "shell/main_window.h"
#include "support/fake_hugging_face.h"
#include "support/shared_data.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

using test::FakeHuggingFace;
using test::waitUntil;

constexpr quint64 GiB = 1ull << 30;

QByteArray modelBytes(int size) {
    QByteArray data("GGUF");
    while (data.size() < size) data.append(static_cast<char>(data.size() * 37 % 253));
    return data;
}

QPushButton* buttonNamed(QWidget* parent, const QString& text) {
    for (QPushButton* button : parent->findChildren<QPushButton*>()) {
        if (button->text() == text) return button;
    }
    return nullptr;
}

class GetModelDialogTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(folder_.isValid());
        dialog_.setDownloadFolder(folder_.path());
        dialog_.searchPanel()->search()->setEndpoint(hub_.endpoint());
        dialog_.setMachine(QString(), 0, 64 * GiB);
    }

    FakeHuggingFace hub_;
    QTemporaryDir folder_;
    GetModelDialog dialog_;
};

TEST_F(GetModelDialogTest, RecommendedModelsShowWhetherTheyFitThisComputer) {
    QTableWidget* table = dialog_.recommendedTable();
    ASSERT_EQ(table->rowCount(), recommendedModels().size());
    const int fits = 2;
    dialog_.setMachine("NVIDIA H100", 70 * GiB, 64 * GiB);
    for (int row = 0; row < table->rowCount(); ++row) {
        EXPECT_TRUE(table->item(row, fits)->text().contains("GPU")) << row;
        EXPECT_FALSE(table->item(row, 3)->text().isEmpty()) << "a licence";
        EXPECT_TRUE(table->item(row, 1)->text().startsWith("about")) << "sizes are approximate";
        EXPECT_TRUE(table->item(row, 1)->text().endsWith(" GB")) << "in the unit shops use, not GiB";
        EXPECT_TRUE(table->item(row, 0)->text().contains(recommendedModels()[row].goodAt));
    }
    EXPECT_EQ(GetModelDialog::approximateSize(810ull << 20), QLocale().toString(0.8, 'f', 1).prepend("about ") + " GB");
    dialog_.setMachine(QString(), 0, 2 * GiB);
    EXPECT_TRUE(table->item(0, fits)->text().contains("memory"))
        << table->item(0, fits)->text().toStdString();
    EXPECT_TRUE(table->item(table->rowCount() - 1, fits)->text().contains("Too big"));
}

TEST_F(GetModelDialogTest, SearchListsRepositoriesThenFilesThenDownloadsAndUsesTheModel) {
    const QByteArray content = modelBytes(200000);
    hub_.setSearchReply(R"([{"id":"owner/tiny-GGUF","downloads":1234,"likes":5}])");
    hub_.addFile("owner/tiny-GGUF", "tiny-Q4_K_M.gguf", {content});
    hub_.addFile("owner/tiny-GGUF", "tiny-Q5_K_M.gguf", {modelBytes(1000)});
    dialog_.show();
    HubSearchPanel* search = dialog_.searchPanel();
    dialog_.tabs()->setCurrentWidget(search);
    search->queryBox()->setText("tiny");
    QTest::keyClick(search->queryBox(), Qt::Key_Return);
    ASSERT_TRUE(waitUntil([&] { return search->repositoryList()->count() == 1; }, 5000))
        << search->statusText().toStdString();
    EXPECT_TRUE(search->repositoryList()->item(0)->text().contains("owner/tiny-GGUF"));

    search->repositoryList()->setCurrentRow(0);
    ASSERT_TRUE(waitUntil([&] { return search->fileTable()->rowCount() == 2; }, 5000))
        << search->statusText().toStdString();
    QTableWidget* files = search->fileTable();
    int q4 = files->item(0, 0)->text() == "tiny-Q4_K_M.gguf" ? 0 : 1;
    EXPECT_EQ(files->item(q4, 1)->text(), "Q4_K_M");
    EXPECT_EQ(files->item(q4, 3)->text(), "Likely");
    EXPECT_TRUE(files->item(1 - q4, 3)->text().startsWith("No")) << "Q5_K is not supported";

    QSignalSpy downloaded(&dialog_, &GetModelDialog::modelDownloaded);
    QSignalSpy chosen(&dialog_, &GetModelDialog::modelChosen);
    files->selectRow(q4);
    QPushButton* download = buttonNamed(search, "Download");
    ASSERT_TRUE(download);
    ASSERT_TRUE(download->isEnabled());
    download->click();
    ASSERT_TRUE(waitUntil([&] { return !downloaded.isEmpty(); }, 10000))
        << dialog_.downloadPanel()->statusText().toStdString();
    const QString path = folder_.filePath("tiny-Q4_K_M.gguf");
    EXPECT_EQ(downloaded.first().at(0).toString(), path);
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::ReadOnly));
    EXPECT_EQ(file.readAll(), content);

    QPushButton* use = buttonNamed(dialog_.downloadPanel(), "Use This Model");
    ASSERT_TRUE(use && use->isVisible());
    use->click();
    ASSERT_EQ(chosen.size(), 1);
    EXPECT_EQ(chosen.first().at(0).toString(), path);
}

TEST_F(GetModelDialogTest, PauseResumeAndCancelFromTheButtons) {
    FakeHuggingFace::File slow{modelBytes(2000000)};
    slow.bytesPerTick = 8192;
    hub_.addFile("o/r", "m.gguf", slow);
    DownloadPanel* panel = dialog_.downloadPanel();
    ASSERT_TRUE(dialog_.startDownload("hf:o/r/m.gguf"));
    ModelDownload* download = panel->download();
    ASSERT_TRUE(waitUntil([&] { return download->receivedBytes() > 20000; }, 5000));
    QPushButton* pause = buttonNamed(panel, "Pause");
    ASSERT_TRUE(pause);
    pause->click();
    EXPECT_EQ(download->state(), ModelDownload::State::Paused);
    EXPECT_TRUE(panel->statusText().contains("Paused")) << panel->statusText().toStdString();
    EXPECT_EQ(pause->text(), "Resume");
    EXPECT_FALSE(dialog_.startDownload("hf:o/r/m.gguf")) << "one download at a time";

    pause->click();  // Resume
    ASSERT_TRUE(waitUntil([&] { return download->receivedBytes() > 60000; }, 5000));
    EXPECT_TRUE(hub_.requests().last().contains("Range=bytes="));
    buttonNamed(panel, "Cancel Download")->click();
    EXPECT_EQ(download->state(), ModelDownload::State::Cancelled);
    EXPECT_FALSE(QFile::exists(download->partPath()));
    EXPECT_TRUE(panel->statusText().contains("Cancelled"));
}

TEST_F(GetModelDialogTest, AFailedDownloadSaysWhy) {
    ASSERT_TRUE(dialog_.startDownload("hf:o/r/missing.gguf"));
    ASSERT_TRUE(waitUntil([&] {
        return dialog_.downloadPanel()->download()->state() == ModelDownload::State::Failed;
    }, 5000));
    EXPECT_TRUE(dialog_.downloadPanel()->statusText().contains("404"))
        << dialog_.downloadPanel()->statusText().toStdString();
}

class GetModelEntryPoints : public ::testing::Test {
protected:
    test::CleanSettings settings_;
    Preferences preferences_;
};

TEST_F(GetModelEntryPoints, TheFileMenuAndTheModelsPageOpenTheDialog) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    QAction* action = window.getModelAction();
    ASSERT_TRUE(action);
    bool inFileMenu = false;
    for (QAction* menu : window.menuBar()->actions()) {
        if (menu->menu() && menu->menu()->actions().contains(action)) inFileMenu = true;
    }
    EXPECT_TRUE(inFileMenu);
    action->trigger();
    EXPECT_TRUE(window.getModelDialog()->isVisible());
    window.getModelDialog()->close();

    auto* button = window.modelsPage()->findChild<QPushButton*>("getModelButton");
    ASSERT_TRUE(button);
    button->click();
    EXPECT_TRUE(window.getModelDialog()->isVisible());
    window.getModelDialog()->close();
}

TEST_F(GetModelEntryPoints, AFinishedDownloadIsListedOnTheModelsPageAtOnce) {
    PS_REQUIRE_SHARED_FILE(model, "models/stories260K.gguf");
    QTemporaryDir folder;
    const QString path = folder.filePath("stories260K.gguf");
    ASSERT_TRUE(QFile::copy(QString::fromStdString(model.string()), path));
    MainWindow window(preferences_, test::windowOptions(settings_));
    GetModelDialog* dialog = window.getModelDialog();
    emit dialog->modelDownloaded(path);
    EXPECT_GE(window.modelsPage()->models()->rowOfPath(path), 0);
}

}  // namespace
}  // namespace ps::ui
