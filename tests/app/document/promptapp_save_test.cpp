// Saving is atomic and keeps the previous version as <file>.bak.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QFileDevice>
#include <QTemporaryDir>

#include <unistd.h>

#include "document/promptapp.h"

namespace ps {
namespace {

QByteArray readAll(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return file.readAll();
}

PromptApp sampleApp(const QString& name) {
    PromptApp app;
    app.name = name;
    app.templateText = "Say hello.\n";
    return app;
}

TEST(PromptAppSave, WritesLoadsAndKeepsABackup) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath("hello.promptapp");
    QString error;
    ASSERT_TRUE(savePromptApp(sampleApp("First"), path, &error)) << error.toStdString();
    EXPECT_FALSE(QFile::exists(promptAppBackupPath(path)));  // nothing to back up yet
    const QByteArray first = readAll(path);

    ASSERT_TRUE(savePromptApp(sampleApp("Second"), path, &error)) << error.toStdString();
    EXPECT_EQ(promptAppBackupPath(path), path + ".bak");
    EXPECT_EQ(readAll(path + ".bak"), first);
    const PromptAppLoadResult loaded = loadPromptApp(path);
    ASSERT_TRUE(loaded.ok()) << loaded.errorText().toStdString();
    EXPECT_EQ(loaded.app.name, "Second");
    EXPECT_EQ(loaded.app.filePath, path);

    // The backup is always the version before the latest save.
    const QByteArray second = readAll(path);
    ASSERT_TRUE(savePromptApp(sampleApp("Third"), path, &error));
    EXPECT_EQ(readAll(path + ".bak"), second);
    EXPECT_FALSE(QFile::exists(path + ".bak.tmp"));

    ASSERT_TRUE(savePromptApp(sampleApp("Fourth"), path, &error, SaveOptions{false}));
    EXPECT_EQ(readAll(path + ".bak"), second);
}

TEST(PromptAppSave, ParentIsAFileFailsAndReports) {
    QTemporaryDir dir;
    const QString blocker = dir.filePath("not-a-dir");
    QFile file(blocker);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    file.write("x");
    file.close();
    QString error;
    EXPECT_FALSE(savePromptApp(sampleApp("X"), blocker + "/app.promptapp", &error));
    EXPECT_TRUE(error.contains(blocker + "/app.promptapp")) << error.toStdString();
    EXPECT_EQ(readAll(blocker), "x");
}

TEST(PromptAppSave, ReadOnlyDirectoryKeepsTheOriginalIntact) {
    if (geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
    QTemporaryDir dir;
    const QString path = dir.filePath("keep.promptapp");
    QString error;
    ASSERT_TRUE(savePromptApp(sampleApp("Original"), path, &error));
    const QByteArray original = readAll(path);
    QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::ExeOwner);
    const bool saved = savePromptApp(sampleApp("Changed"), path, &error);
    QFile::setPermissions(dir.path(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    EXPECT_FALSE(saved);
    EXPECT_FALSE(error.isEmpty());
    EXPECT_EQ(readAll(path), original);
}

TEST(PromptAppSave, FailedBackupLeavesTheOriginalIntact) {
    // A directory where the backup should go makes the backup fail (also as root):
    // the save is abandoned and the original is untouched.
    QTemporaryDir dir;
    const QString path = dir.filePath("keep.promptapp");
    QString error;
    ASSERT_TRUE(savePromptApp(sampleApp("Original"), path, &error));
    const QByteArray original = readAll(path);
    ASSERT_TRUE(QDir(dir.path()).mkdir("keep.promptapp.bak"));
    ASSERT_TRUE(QDir(dir.path()).mkdir("keep.promptapp.bak/occupied"));
    EXPECT_FALSE(savePromptApp(sampleApp("Changed"), path, &error));
    EXPECT_TRUE(error.contains("backup")) << error.toStdString();
    EXPECT_EQ(readAll(path), original);
    // No temporary files are left behind.
    const QStringList left = QDir(dir.path()).entryList(QDir::Files);
    EXPECT_EQ(left, QStringList({"keep.promptapp"}));
}

}  // namespace
}  // namespace ps
