// Builds the .deb and .tar.gz with CPack, looks inside them, unpacks them into a
// temporary root and runs what was unpacked — what a user gets after installing.
#include <gtest/gtest.h>

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include "support/shared_data.h"

namespace {

struct ProcessResult {
    int exitCode = -1;
    QString out;
    QString err;
};

ProcessResult runProcess(const QString& program, const QStringList& arguments,
                         const QString& workingDirectory = {}, int timeoutMs = 300000) {
    QProcess process;
    if (!workingDirectory.isEmpty()) process.setWorkingDirectory(workingDirectory);
    process.start(program, arguments);
    ProcessResult result;
    if (!process.waitForStarted(10000)) {
        result.err = "could not start " + program;
        return result;
    }
    process.waitForFinished(timeoutMs);
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

// One CPack run shared by all tests of the suite: packaging takes a while.
class PackageTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        workDir_ = new QTemporaryDir();
        const ProcessResult cpack = runProcess(
            PS_CPACK_COMMAND,
            {"--config", PS_CPACK_CONFIG, "-G", "DEB;TGZ", "-B", workDir_->path()});
        cpackLog_ = new QString(cpack.out + cpack.err);
        const QDir dir(workDir_->path());
        const QStringList debs = dir.entryList({"*.deb"}, QDir::Files);
        const QStringList tarballs = dir.entryList({"*.tar.gz"}, QDir::Files);
        if (!debs.isEmpty()) deb_ = new QString(dir.filePath(debs.first()));
        if (!tarballs.isEmpty()) tarball_ = new QString(dir.filePath(tarballs.first()));
    }
    static void TearDownTestSuite() {
        delete workDir_;
        delete cpackLog_;
        delete deb_;
        delete tarball_;
        workDir_ = nullptr;
        cpackLog_ = deb_ = tarball_ = nullptr;
    }

    void SetUp() override {
        ASSERT_NE(deb_, nullptr) << "cpack made no .deb:\n" << cpackLog_->toStdString();
        ASSERT_NE(tarball_, nullptr) << "cpack made no .tar.gz:\n" << cpackLog_->toStdString();
    }

    // Unpacks the .deb into a fresh folder and returns its path.
    static QString unpackDeb(const QTemporaryDir& into) {
        const ProcessResult unpack = runProcess("dpkg-deb", {"-x", *deb_, into.path()});
        EXPECT_EQ(unpack.exitCode, 0) << unpack.err.toStdString();
        return into.path();
    }

    static QTemporaryDir* workDir_;
    static QString* cpackLog_;
    static QString* deb_;
    static QString* tarball_;
};

QTemporaryDir* PackageTest::workDir_ = nullptr;
QString* PackageTest::cpackLog_ = nullptr;
QString* PackageTest::deb_ = nullptr;
QString* PackageTest::tarball_ = nullptr;

TEST_F(PackageTest, DebianControlNamesTheRuntimeLibraries) {
    const ProcessResult info = runProcess("dpkg-deb", {"-I", *deb_});
    ASSERT_EQ(info.exitCode, 0) << info.err.toStdString();
    const QString control = info.out;
    EXPECT_TRUE(control.contains("Package: promptstudio")) << control.toStdString();
    EXPECT_TRUE(control.contains(QString("Version: ") + PS_PROJECT_VERSION));
    for (const char* library : {"libqt6core6", "libqt6widgets6", "libqt6sql6-sqlite",
                                "libsentencepiece0", "libyaml-cpp0"}) {
        EXPECT_TRUE(control.contains(library))
            << "Depends lacks " << library << ":\n" << control.toStdString();
    }
    // The CUDA libraries come from NVIDIA's toolkit, not Debian: the main package
    // must not depend on them, so that it installs on a machine without a GPU.
    EXPECT_FALSE(control.contains("cuda")) << control.toStdString();
}

TEST_F(PackageTest, DebianPackageHoldsProgramsAndDesktopIntegration) {
    const ProcessResult listing = runProcess("dpkg-deb", {"-c", *deb_});
    ASSERT_EQ(listing.exitCode, 0) << listing.err.toStdString();
    for (const char* path : {
             "./usr/bin/promptstudio-cli",
             "./usr/bin/promptstudio",
             "./usr/share/applications/org.promptstudio.PromptStudio.desktop",
             "./usr/share/mime/packages/promptstudio.xml",
             "./usr/share/metainfo/org.promptstudio.PromptStudio.metainfo.xml",
             "./usr/share/icons/hicolor/scalable/apps/promptstudio.svg",
             "./usr/share/icons/hicolor/48x48/apps/promptstudio.png",
             "./usr/share/icons/hicolor/256x256/mimetypes/application-x-promptapp.png",
             "./usr/share/man/man1/promptstudio.1.gz",
             "./usr/share/man/man1/promptstudio-cli.1.gz",
             "./usr/share/promptstudio/apps/",
         }) {
        EXPECT_TRUE(listing.out.contains(path)) << "package lacks " << path;
    }
    EXPECT_GE(listing.out.count(".promptapp"), 12) << "sample apps missing";
}

TEST_F(PackageTest, UnpackedCliReportsTheProjectVersion) {
    QTemporaryDir root;
    unpackDeb(root);
    const ProcessResult version = runProcess(root.filePath("usr/bin/promptstudio-cli"), {"--version"});
    EXPECT_EQ(version.exitCode, 0) << version.err.toStdString();
    EXPECT_TRUE(version.out.contains(PS_PROJECT_VERSION)) << version.out.toStdString();
}

TEST_F(PackageTest, UnpackedCliRunsASampleAppOnTheStoriesModel) {
    PS_REQUIRE_SHARED_FILE(model, "models/stories260K.gguf");
    QTemporaryDir root;
    unpackDeb(root);
    const QString app = root.filePath("usr/share/promptstudio/apps/bedtime-story.promptapp");
    ASSERT_TRUE(QFileInfo::exists(app)) << "the packaged bedtime story sample is missing";
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    QTemporaryDir home;
    environment.insert("HOME", home.path());
    environment.insert("XDG_DATA_HOME", home.filePath("data"));
    process.setProcessEnvironment(environment);
    process.start(root.filePath("usr/bin/promptstudio-cli"),
                  {"run", app, "--model", QString::fromStdString(model.string()), "--input",
                   "hero=a little fox", "--max-tokens", "40", "--temperature", "0",
                   "--no-history"});
    ASSERT_TRUE(process.waitForFinished(120000));
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    EXPECT_EQ(process.exitCode(), 0) << process.readAllStandardError().toStdString();
    EXPECT_GE(out.split(' ', Qt::SkipEmptyParts).size(), 5) << out.toStdString();
}

TEST_F(PackageTest, DesktopFileAndMetainfoValidate) {
    QTemporaryDir root;
    unpackDeb(root);
    const QString desktopValidate = QStandardPaths::findExecutable("desktop-file-validate");
    const QString appstream = QStandardPaths::findExecutable("appstreamcli");
    if (desktopValidate.isEmpty() && appstream.isEmpty()) {
        GTEST_SKIP() << "neither desktop-file-validate nor appstreamcli is installed";
    }
    if (!desktopValidate.isEmpty()) {
        const ProcessResult result = runProcess(
            desktopValidate,
            {root.filePath("usr/share/applications/org.promptstudio.PromptStudio.desktop")});
        EXPECT_EQ(result.exitCode, 0) << result.out.toStdString() << result.err.toStdString();
    }
    if (!appstream.isEmpty()) {
        const ProcessResult result = runProcess(
            appstream,
            {"validate", "--no-net",
             root.filePath("usr/share/metainfo/org.promptstudio.PromptStudio.metainfo.xml")});
        EXPECT_EQ(result.exitCode, 0) << result.out.toStdString() << result.err.toStdString();
    }
}

TEST_F(PackageTest, TarballIsRelocatable) {
    QTemporaryDir root;
    const ProcessResult untar = runProcess("tar", {"-xzf", *tarball_, "-C", root.path()});
    ASSERT_EQ(untar.exitCode, 0) << untar.err.toStdString();
    const QStringList top = QDir(root.path()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    ASSERT_EQ(top.size(), 1) << "the archive should have one top folder";
    const QString cli = root.filePath(top.first() + "/bin/promptstudio-cli");
    const ProcessResult version = runProcess(cli, {"--version"});
    EXPECT_EQ(version.exitCode, 0) << version.err.toStdString();
    EXPECT_TRUE(version.out.contains(PS_PROJECT_VERSION));
    EXPECT_TRUE(QFileInfo::exists(root.filePath(top.first() + "/share/promptstudio/apps")));
}

}  // namespace
