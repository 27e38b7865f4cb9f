// The first start: in a fresh home with nothing configured the built-in demo model
// loads, the bedtime story opens ready to run and a banner says what the demo model
// can and cannot do; a model the user chose, or one found on disk, wins.
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>

#include <gtest/gtest.h>

#include "models/demo_model.h"
#include "models/model_list_model.h"
#include "models/models_page.h"
#include "run/input_form.h"
#include "run/run_view.h"
#include "settings/preferences.h"
#include "shell/demo_model_banner.h"
#include "shell/main_window.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

class FirstStartTest : public ::testing::Test {
protected:
    void SetUp() override {
        qunsetenv("PROMPTSTUDIO_MODEL");
        ASSERT_FALSE(demoModelPath().isEmpty()) << "resources/models/stories260K.gguf is missing";
    }
    // Waits for the window's model to finish loading.
    static bool waitForModel(MainWindow& window) {
        return test::waitUntil([&] { return !window.modelPath().isEmpty(); }, 30000);
    }
    // A copy of the demo model under another name: a model of the user's own.
    QString ownModel(const QString& folder, const QString& name) const {
        QDir().mkpath(folder);
        const QString path = QDir(folder).filePath(name);
        QFile::remove(path);
        EXPECT_TRUE(QFile::copy(demoModelPath(), path));
        return path;
    }
    test::CleanSettings settings_;
    Preferences preferences_;
};

TEST_F(FirstStartTest, AFreshHomeStartsOnTheDemoModelWithTheBedtimeStoryReady) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.show();
    window.loadStartupModel(QString(), /*openDemoApp=*/true);
    ASSERT_TRUE(waitForModel(window));
    EXPECT_TRUE(isDemoModel(window.modelPath())) << window.modelPath().toStdString();
    EXPECT_TRUE(window.currentAppPath().endsWith(QStringLiteral("bedtime-story.promptapp")))
        << window.currentAppPath().toStdString();
    EXPECT_EQ(window.currentPage(), MainWindow::Page::Run);
    // Ready to run: the hero has its default and Run is enabled.
    EXPECT_EQ(window.runView()->inputs().value(QStringLiteral("hero")).toString(), QStringLiteral("a little fox"));
    EXPECT_TRUE(window.runView()->runAction()->isEnabled());
    // The banner says what the demo model is for and leads to a real one.
    ASSERT_TRUE(window.demoBanner()->isVisible());
    EXPECT_TRUE(window.demoBanner()->text().contains(QStringLiteral("children's stories")));
    EXPECT_TRUE(window.demoBanner()->text().contains(QStringLiteral("real model")));
    auto* getModel = window.demoBanner()->findChild<QPushButton*>(QStringLiteral("demoBannerGetModel"));
    ASSERT_TRUE(getModel);
    getModel->click();
    EXPECT_EQ(window.currentPage(), MainWindow::Page::Models);
    // The Models page lists it as what it is.
    const ModelListModel* models = window.modelsPage()->models();
    bool listed = false;
    for (int row = 0; row < models->rowCount(); ++row)
        if (models->isDemo(*models->modelAt(row)))
            listed = models->index(row, ModelListModel::Name).data().toString().startsWith(
                QStringLiteral("Tiny demo model"));
    EXPECT_TRUE(listed);
    // Not remembered: a model found later still wins at the next start.
    EXPECT_TRUE(preferences_.lastModel().isEmpty());

    // The demo model really answers the bedtime story.
    window.showPage(MainWindow::Page::Run);
    QSignalSpy ended(window.runView(), &RunView::runEnded);
    window.runView()->runNow();
    ASSERT_TRUE(test::waitUntil([&] { return !ended.isEmpty(); }, 30000));
    EXPECT_TRUE(window.runView()->errorText().isEmpty()) << window.runView()->errorText().toStdString();
}

TEST_F(FirstStartTest, AConfiguredModelWinsOverTheDemoModel) {
    const QString mine = ownModel(settings_.path(QStringLiteral("models")), QStringLiteral("my-model.gguf"));
    preferences_.setLastModel(mine);
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.show();
    window.loadStartupModel(QString(), true);
    ASSERT_TRUE(waitForModel(window));
    EXPECT_EQ(window.modelPath(), QFileInfo(mine).absoluteFilePath());
    EXPECT_FALSE(window.demoBanner()->isVisible());
    EXPECT_TRUE(preferences_.lastModel() == mine);
}

TEST_F(FirstStartTest, AModelFoundOnDiskWinsOverTheDemoModel) {
    const QString downloads = QDir::homePath() + QStringLiteral("/Downloads");
    const QString found = ownModel(downloads, QStringLiteral("downloaded-model.gguf"));
    MainWindow window(preferences_, test::windowOptions(settings_));
    window.show();
    window.loadStartupModel(QString(), true);
    const bool loaded = waitForModel(window);
    QFile::remove(found);
    ASSERT_TRUE(loaded);
    EXPECT_EQ(window.modelPath(), QFileInfo(found).absoluteFilePath());
    EXPECT_FALSE(window.demoBanner()->isVisible());
}

}  // namespace
}  // namespace ps::ui
