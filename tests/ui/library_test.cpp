// The Library: lists the samples and the user's apps, search and tags filter it,
// and the file actions (new, duplicate, rename, delete to the trash and undo,
// import, export) do what they say on real files.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLineEdit>
#include <QStandardPaths>

#include <gtest/gtest.h>

#include "document/promptapp_reader.h"
#include "document/prompty.h"
#include "library/app_files.h"
#include "library/app_library_filter.h"
#include "library/app_library_model.h"
#include "library/library_panel.h"
#include "settings/preferences.h"
#include "shell/main_window.h"
#include "ui_test_support.h"

namespace ps::ui {
namespace {

using test::CleanSettings;

int sampleCount() {
    return int(QDir(test::samplesDir()).entryList({QStringLiteral("*.promptapp")}, QDir::Files).size());
}

TEST(AppLibraryModel, ListsTheUsersAppsFirstThenTheSamples) {
    CleanSettings settings;
    ASSERT_GT(sampleCount(), 0) << "no sample apps in " << test::samplesDir().toStdString();
    QString error;
    const QString mine = saveAsNewApp(newAppTemplate(QStringLiteral("Zebra facts")), settings.appsFolder(), &error);
    ASSERT_FALSE(mine.isEmpty()) << error.toStdString();

    AppLibraryModel model;
    model.setFolders(settings.appsFolder(), test::samplesDir());
    ASSERT_EQ(model.rowCount(), sampleCount() + 1);
    // The user's app comes first even though "Zebra" sorts last.
    const AppEntry* first = model.entryAt(0);
    EXPECT_EQ(first->name, QStringLiteral("Zebra facts"));
    EXPECT_FALSE(first->sample);
    EXPECT_EQ(first->path, QFileInfo(mine).absoluteFilePath());
    const int bedtime = model.rowOfPath(test::samplePath(QStringLiteral("bedtime-story.promptapp")));
    ASSERT_GT(bedtime, 0);
    EXPECT_TRUE(model.entryAt(bedtime)->sample);
    EXPECT_EQ(model.data(model.index(bedtime), AppLibraryModel::IconRole).toString(), QStringLiteral("🌙"));
    EXPECT_TRUE(model.entryAt(bedtime)->error.isEmpty()) << model.entryAt(bedtime)->error.toStdString();
    EXPECT_TRUE(model.allTags().contains(QStringLiteral("stories")));
}

TEST(AppLibraryModel, ListsAnUnreadableFileWithItsProblem) {
    CleanSettings settings;
    ASSERT_TRUE(QFile::copy(test::testDataPath(QStringLiteral("broken.promptapp")),
                            QDir(settings.appsFolder()).filePath(QStringLiteral("broken.promptapp"))));
    AppLibraryModel model;
    model.setFolders(settings.appsFolder(), QString());
    ASSERT_EQ(model.rowCount(), 1);
    EXPECT_FALSE(model.entryAt(0)->error.isEmpty());
    EXPECT_TRUE(model.entryAt(0)->error.contains(QStringLiteral("line 7"))) << model.entryAt(0)->error.toStdString();
}

TEST(LibraryPanel, SearchAndTagsFilterTheList) {
    CleanSettings settings;
    LibraryPanel panel;
    panel.model()->setFolders(settings.appsFolder(), test::samplesDir());
    const int all = panel.filter()->rowCount();
    ASSERT_EQ(all, sampleCount());

    panel.searchBox()->setText(QStringLiteral("bedtime"));
    ASSERT_EQ(panel.filter()->rowCount(), 1);
    EXPECT_EQ(panel.filter()->index(0, 0).data(AppLibraryModel::NameRole).toString(),
              QStringLiteral("Bedtime story starter"));
    // Words match anywhere (name, description, tags), in any order and case.
    panel.searchBox()->setText(QStringLiteral("KIDS story"));
    EXPECT_EQ(panel.filter()->rowCount(), 1);
    panel.searchBox()->setText(QStringLiteral("no app is called like this"));
    EXPECT_EQ(panel.filter()->rowCount(), 0);
    panel.searchBox()->clear();
    EXPECT_EQ(panel.filter()->rowCount(), all);

    panel.filter()->setTag(QStringLiteral("chat"));
    EXPECT_GE(panel.filter()->rowCount(), 1);
    EXPECT_LT(panel.filter()->rowCount(), all);
    for (int row = 0; row < panel.filter()->rowCount(); ++row)
        EXPECT_TRUE(panel.filter()->index(row, 0).data(AppLibraryModel::TagsRole).toStringList().contains("chat"));

    // Selecting an app hidden by the search clears the search.
    panel.filter()->setTag(QString());
    panel.searchBox()->setText(QStringLiteral("bedtime"));
    ASSERT_TRUE(panel.selectPath(test::samplePath(QStringLiteral("translate.promptapp"))));
    EXPECT_TRUE(panel.searchBox()->text().isEmpty());
    EXPECT_EQ(panel.currentPath(), QFileInfo(test::samplePath(QStringLiteral("translate.promptapp"))).absoluteFilePath());
}

TEST(AppFiles, DuplicateRenameImportExport) {
    CleanSettings settings;
    QString error;
    const QString copy = duplicateApp(test::samplePath(QStringLiteral("translate.promptapp")),
                                      settings.appsFolder(), &error);
    ASSERT_FALSE(copy.isEmpty()) << error.toStdString();
    const PromptAppLoadResult copied = loadPromptApp(copy);
    ASSERT_TRUE(copied.ok()) << copied.errorText().toStdString();
    EXPECT_TRUE(copied.app.name.endsWith(QStringLiteral("(copy)")));

    const QString renamed = renameApp(copy, QStringLiteral("My translator"), &error);
    ASSERT_FALSE(renamed.isEmpty()) << error.toStdString();
    EXPECT_FALSE(QFileInfo::exists(copy));
    EXPECT_EQ(QFileInfo(renamed).fileName(), QStringLiteral("My translator.promptapp"));
    EXPECT_EQ(loadPromptApp(renamed).app.name, QStringLiteral("My translator"));
    // A name that is taken gets a number instead of overwriting.
    EXPECT_EQ(QFileInfo(uniqueAppPath(settings.appsFolder(), QStringLiteral("My translator"))).fileName(),
              QStringLiteral("My translator 2.promptapp"));
    EXPECT_TRUE(renameApp(renamed, QStringLiteral("   "), &error).isEmpty());

    const QString imported = importApp(test::testDataPath(QStringLiteral("hello.prompty")), settings.appsFolder(), &error);
    ASSERT_FALSE(imported.isEmpty()) << error.toStdString();
    const PromptAppLoadResult fromPrompty = loadPromptApp(imported);
    ASSERT_TRUE(fromPrompty.ok()) << fromPrompty.errorText().toStdString();
    EXPECT_EQ(fromPrompty.app.name, QStringLiteral("Hello Prompty"));
    EXPECT_TRUE(fromPrompty.app.findInput(QStringLiteral("language")));

    // A broken file is refused with its problem and line.
    EXPECT_TRUE(importApp(test::testDataPath(QStringLiteral("broken.promptapp")), settings.appsFolder(), &error).isEmpty());
    EXPECT_TRUE(error.contains(QStringLiteral("line 7"))) << error.toStdString();

    const QString exported = settings.path(QStringLiteral("shared.prompty"));
    ASSERT_TRUE(exportApp(renamed, exported, &error)) << error.toStdString();
    EXPECT_EQ(loadPrompty(exported).app.name, QStringLiteral("My translator"));
    const QString exportedApp = settings.path(QStringLiteral("shared.promptapp"));
    ASSERT_TRUE(exportApp(renamed, exportedApp, &error)) << error.toStdString();
    EXPECT_TRUE(loadPromptApp(exportedApp).app.sameContent(loadPromptApp(renamed).app));
}

TEST(MainWindowLibrary, DeleteMovesToTheTrashAndCanBeUndone) {
    CleanSettings settings;
    Preferences preferences;
    MainWindow window(preferences, test::windowOptions(settings));

    const QString path = window.createApp(QStringLiteral("Packing list"));
    ASSERT_FALSE(path.isEmpty());
    ASSERT_EQ(window.currentAppPath(), path);
    EXPECT_EQ(window.library()->currentPath(), path);
    EXPECT_FALSE(window.undoDeleteAction()->isEnabled());

    ASSERT_TRUE(window.deleteCurrentApp());
    EXPECT_FALSE(QFileInfo::exists(path));
    EXPECT_EQ(window.library()->model()->rowOfPath(path), -1);
    // It is in the desktop's trash, not gone.
    const QString trash = QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
                              .filePath(QStringLiteral("Trash/files/Packing list.promptapp"));
    EXPECT_TRUE(QFileInfo::exists(trash)) << trash.toStdString();
    EXPECT_TRUE(window.undoDeleteAction()->isEnabled());

    ASSERT_TRUE(window.undoDelete());
    EXPECT_TRUE(QFileInfo::exists(path));
    EXPECT_FALSE(QFileInfo::exists(trash));
    EXPECT_GE(window.library()->model()->rowOfPath(path), 0);
    EXPECT_EQ(window.currentAppPath(), path);
    EXPECT_EQ(loadPromptApp(path).app.name, QStringLiteral("Packing list"));

    // Samples cannot be deleted.
    ASSERT_TRUE(window.openFile(test::samplePath(QStringLiteral("translate.promptapp"))));
    EXPECT_FALSE(window.deleteCurrentApp());
    EXPECT_TRUE(QFileInfo::exists(test::samplePath(QStringLiteral("translate.promptapp"))));
}

}  // namespace
}  // namespace ps::ui
