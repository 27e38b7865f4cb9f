// The Settings window shows the stored preferences, OK stores what was changed,
// and the main window follows: theme, model folders (scanned again), defaults.
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QListWidget>
#include <QPalette>
#include <QSignalSpy>
#include <QSpinBox>

#include <gtest/gtest.h>

#include "models/model_list_model.h"
#include "models/models_page.h"
#include "settings/preferences.h"
#include "settings/settings_dialog.h"
#include "shell/main_window.h"
#include "support/shared_data.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

template <typename Widget>
Widget* field(QWidget& dialog, const char* name) {
    auto* widget = dialog.findChild<Widget*>(QLatin1String(name));
    EXPECT_TRUE(widget) << name;
    return widget;
}

class SettingsTest : public ::testing::Test {
protected:
    void TearDown() override {
        // Leave the application's looks as the other tests expect them.
        Preferences().setTheme(ThemePreference::FollowSystem);
    }
    test::CleanSettings settings_;
    Preferences preferences_;
};

TEST_F(SettingsTest, ShowsTheStoredPreferencesAndStoresTheChanges) {
    preferences_.setBackend(BackendPreference::Cpu);
    preferences_.setThreads(3);
    preferences_.setContextLength(8192);
    preferences_.setDefaultTemperature(0.3);
    preferences_.setModelFolders({QStringLiteral("/data/models")});

    SettingsDialog dialog(preferences_);
    EXPECT_EQ(field<QComboBox>(dialog, "backend")->currentIndex(), static_cast<int>(BackendPreference::Cpu));
    EXPECT_EQ(field<QSpinBox>(dialog, "threads")->value(), 3);
    EXPECT_EQ(field<QComboBox>(dialog, "context")->currentData().toInt(), 8192);
    EXPECT_DOUBLE_EQ(field<QDoubleSpinBox>(dialog, "temperature")->value(), 0.3);
    ASSERT_EQ(field<QListWidget>(dialog, "modelFolders")->count(), 1);

    field<QComboBox>(dialog, "backend")->setCurrentIndex(static_cast<int>(BackendPreference::Gpu));
    field<QSpinBox>(dialog, "gpuDevice")->setValue(1);
    field<QSpinBox>(dialog, "threads")->setValue(0);
    auto* context = field<QComboBox>(dialog, "context");
    context->setCurrentIndex(context->findData(2048));
    field<QSpinBox>(dialog, "maxTokens")->setValue(640);
    field<QComboBox>(dialog, "theme")->setCurrentIndex(static_cast<int>(ThemePreference::Dark));
    field<QSpinBox>(dialog, "fontSize")->setValue(14);
    dialog.apply();

    const Preferences stored;  // read back through QSettings
    EXPECT_EQ(stored.backend(), BackendPreference::Gpu);
    EXPECT_EQ(stored.gpuDevice(), 1);
    EXPECT_EQ(stored.threads(), 0);
    EXPECT_EQ(stored.contextLength(), 2048);
    EXPECT_EQ(stored.defaultMaxTokens(), 640);
    EXPECT_EQ(stored.theme(), ThemePreference::Dark);
    EXPECT_EQ(stored.fontPointSize(), 14);
    EXPECT_EQ(stored.modelFolders(), QStringList{QStringLiteral("/data/models")});
}

TEST_F(SettingsTest, TheWindowFollowsTheThemeAndBackAgain) {
    MainWindow window(preferences_, test::windowOptions(settings_));
    const int systemLightness = QApplication::palette().color(QPalette::Window).lightness();

    window.applySettings([&] { preferences_.setTheme(ThemePreference::Dark); });
    EXPECT_LT(QApplication::palette().color(QPalette::Window).lightness(), 100);
    window.applySettings([&] { preferences_.setTheme(ThemePreference::Light); });
    EXPECT_GT(QApplication::palette().color(QPalette::Window).lightness(), 150);
    // "Follow the system" after "Dark" is the system's looks again, not the last theme.
    window.applySettings([&] { preferences_.setTheme(ThemePreference::Dark); });
    window.applySettings([&] { preferences_.setTheme(ThemePreference::FollowSystem); });
    EXPECT_EQ(QApplication::palette().color(QPalette::Window).lightness() < 128, systemLightness < 128);
}

TEST_F(SettingsTest, AnAddedModelFolderIsSearchedAtOnce) {
    PS_REQUIRE_SHARED_FILE(stories, "models/stories260K.gguf");
    const QString folder = settings_.path(QStringLiteral("my models"));
    ASSERT_TRUE(QDir().mkpath(folder));
    ASSERT_TRUE(QFile::copy(QString::fromStdString(stories.string()), folder + QStringLiteral("/tiny.gguf")));

    MainWindow window(preferences_, test::windowOptions(settings_));
    ModelsPage* models = window.modelsPage();
    QSignalSpy scanned(models, &ModelsPage::scanFinished);
    window.applySettings([&] { preferences_.setModelFolders({folder}); });
    ASSERT_TRUE(test::waitUntil([&] { return !scanned.isEmpty(); }, 20000));
    // The folder's model, and the built-in demo model.
    ASSERT_EQ(models->models()->rowCount(), 2);
    const int row = models->models()->rowOfPath(QFileInfo(folder + QStringLiteral("/tiny.gguf")).absoluteFilePath());
    ASSERT_GE(row, 0);
    EXPECT_EQ(models->models()->modelAt(row)->sourceLabel, QStringLiteral("Added folder"));
}

}  // namespace
}  // namespace ps::ui
