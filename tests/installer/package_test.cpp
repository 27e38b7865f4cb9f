// Builds the .deb and .tar.gz with CPack, looks inside them, unpacks them into a
// temporary root and runs what was unpacked — what a user gets after installing.
#include <gtest/gtest.h>

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
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

// The value of one field of `dpkg-deb -I` output ("Depends", ...), or empty.
QString controlField(const QString& control, const QString& field) {
    for (const QString& line : control.split('\n')) {
        const QString trimmed = line.trimmed();
        if (trimmed.startsWith(field + ":")) return trimmed.mid(field.size() + 1).trimmed();
    }
    return {};
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
        // promptstudio_<version>_<arch>.deb and, in CUDA builds, promptstudio-cuda_....deb
        const QStringList debs = dir.entryList({"promptstudio_*.deb"}, QDir::Files);
        const QStringList cudaDebs = dir.entryList({"promptstudio-cuda_*.deb"}, QDir::Files);
        const QStringList tarballs = dir.entryList({"*.tar.gz"}, QDir::Files);
        if (!debs.isEmpty()) deb_ = new QString(dir.filePath(debs.first()));
        if (!cudaDebs.isEmpty()) cudaDeb_ = new QString(dir.filePath(cudaDebs.first()));
        if (!tarballs.isEmpty()) tarball_ = new QString(dir.filePath(tarballs.first()));
    }
    static void TearDownTestSuite() {
        delete workDir_;
        delete cpackLog_;
        delete deb_;
        delete cudaDeb_;
        delete tarball_;
        workDir_ = nullptr;
        cpackLog_ = deb_ = cudaDeb_ = tarball_ = nullptr;
    }

    void SetUp() override {
        ASSERT_NE(deb_, nullptr) << "cpack made no .deb:\n" << cpackLog_->toStdString();
        ASSERT_NE(tarball_, nullptr) << "cpack made no .tar.gz:\n" << cpackLog_->toStdString();
    }

    // Unpacks the .deb (or another one) into a fresh folder and returns its path.
    static QString unpackDeb(const QTemporaryDir& into, const QString* deb = deb_) {
        const ProcessResult unpack = runProcess("dpkg-deb", {"-x", *deb, into.path()});
        EXPECT_EQ(unpack.exitCode, 0) << unpack.err.toStdString();
        return into.path();
    }

    static QTemporaryDir* workDir_;
    static QString* cpackLog_;
    static QString* deb_;
    static QString* cudaDeb_;  // null in builds without CUDA
    static QString* tarball_;
};

QTemporaryDir* PackageTest::workDir_ = nullptr;
QString* PackageTest::cpackLog_ = nullptr;
QString* PackageTest::deb_ = nullptr;
QString* PackageTest::cudaDeb_ = nullptr;
QString* PackageTest::tarball_ = nullptr;

TEST_F(PackageTest, DebianControlNamesTheRuntimeLibraries) {
    const ProcessResult info = runProcess("dpkg-deb", {"-I", *deb_});
    ASSERT_EQ(info.exitCode, 0) << info.err.toStdString();
    const QString control = info.out;
    EXPECT_TRUE(control.contains("Package: promptstudio")) << control.toStdString();
    EXPECT_TRUE(control.contains(QString("Version: ") + PS_PROJECT_VERSION));
    for (const char* library : {"libqt6core6", "libqt6widgets6", "libqt6sql6-sqlite",
                                "libsentencepiece0", "libyaml-cpp0"}) {
        if (!PS_GUI_BUILD && QString(library) == "libqt6widgets6") continue;  // no desktop program built
        EXPECT_TRUE(control.contains(library))
            << "Depends lacks " << library << ":\n" << control.toStdString();
    }
    // The CUDA libraries come from NVIDIA's toolkit, not Debian: the main package
    // must not depend on them, so that it installs on a machine without a GPU.
    const QString depends = controlField(control, "Depends");
    EXPECT_FALSE(depends.isEmpty()) << control.toStdString();
    for (const char* gpuOnly : {"cuda", "cublas", "nvidia"}) {
        EXPECT_FALSE(depends.contains(gpuOnly, Qt::CaseInsensitive))
            << "the main package depends on " << gpuOnly << ": " << depends.toStdString();
    }
}

// No program or library of the main package loads a CUDA library: the plugin
// that does is in promptstudio-cuda.
TEST_F(PackageTest, MainPackageBinariesNeedNoCudaLibrary) {
    QTemporaryDir root;
    unpackDeb(root);
    QStringList binaries;
    for (const char* folder : {"usr/bin", "usr/lib/promptstudio"}) {
        const QDir dir(root.filePath(folder));
        for (const QString& name : dir.entryList(QDir::Files)) binaries << dir.filePath(name);
    }
    ASSERT_TRUE(binaries.contains(root.filePath("usr/lib/promptstudio/libpromptstudio-inference.so")))
        << binaries.join(", ").toStdString();
    EXPECT_FALSE(binaries.contains(root.filePath("usr/lib/promptstudio/libpromptstudio-cuda.so")))
        << "the CUDA plugin belongs in promptstudio-cuda";
    for (const QString& binary : binaries) {
        const ProcessResult dynamic = runProcess("readelf", {"--dynamic", binary});
        ASSERT_EQ(dynamic.exitCode, 0) << binary.toStdString() << ": " << dynamic.err.toStdString();
        for (const char* library : {"libcuda", "libcudart", "libcublas", "libnvidia"}) {
            EXPECT_FALSE(dynamic.out.contains(library))
                << binary.toStdString() << " needs " << library << ":\n" << dynamic.out.toStdString();
        }
    }
}

TEST_F(PackageTest, CudaPackageHoldsThePluginAndNamesCublas) {
    if (!cudaDeb_) {
        ASSERT_FALSE(PS_CUDA_BUILD) << "a CUDA build made no promptstudio-cuda package:\n"
                                    << cpackLog_->toStdString();
        GTEST_SKIP() << "this build has no CUDA backend";
    }
    const ProcessResult info = runProcess("dpkg-deb", {"-I", *cudaDeb_});
    ASSERT_EQ(info.exitCode, 0) << info.err.toStdString();
    EXPECT_TRUE(info.out.contains("Package: promptstudio-cuda")) << info.out.toStdString();
    const QString depends = controlField(info.out, "Depends");
    EXPECT_TRUE(depends.contains(QString("promptstudio (= ") + PS_PROJECT_VERSION + ")")) << depends.toStdString();
    EXPECT_TRUE(depends.contains("libcublas")) << depends.toStdString();

    const ProcessResult listing = runProcess("dpkg-deb", {"-c", *cudaDeb_});
    ASSERT_EQ(listing.exitCode, 0) << listing.err.toStdString();
    EXPECT_TRUE(listing.out.contains("./usr/lib/promptstudio/libpromptstudio-cuda.so")) << listing.out.toStdString();
    EXPECT_FALSE(listing.out.contains("./usr/bin/")) << "programs belong in the main package";
}

// What a machine without the plugin gets: the run goes on, on the CPU, and
// says why the GPU was not used.
TEST_F(PackageTest, MainPackageAloneRunsOnTheCpuAndSaysTheCudaBackendIsMissing) {
    PS_REQUIRE_SHARED_FILE(model, "models/stories260K.gguf");
    QTemporaryDir root;
    unpackDeb(root);
    const ProcessResult run = runProcess(root.filePath("usr/bin/promptstudio-cli"),
                                         {"generate", "--model", QString::fromStdString(model.string()), "--prompt",
                                          "Once upon a time", "--max-tokens", "8", "--temperature", "0",
                                          "--backend", "cuda"});
    EXPECT_EQ(run.exitCode, 0) << run.err.toStdString();
    const QString reason = PS_CUDA_BUILD ? "the CUDA backend is not installed"
                                         : "this build of Prompt Studio has no CUDA backend";
    EXPECT_TRUE(run.err.contains("running on the CPU: " + reason)) << run.err.toStdString();
    EXPECT_FALSE(run.out.trimmed().isEmpty()) << run.err.toStdString();

    // `info` tells the same before anything runs.
    const ProcessResult info = runProcess(root.filePath("usr/bin/promptstudio-cli"),
                                          {"info", "--model", QString::fromStdString(model.string())});
    EXPECT_EQ(info.exitCode, 0) << info.err.toStdString();
    const QRegularExpression backendRow("^backend\\s+(\\S+) \\((.*)\\)$", QRegularExpression::MultilineOption);
    const QRegularExpressionMatch row = backendRow.match(info.out);
    ASSERT_TRUE(row.hasMatch()) << info.out.toStdString();
    EXPECT_EQ(row.captured(1), "cpu") << info.out.toStdString();
    EXPECT_TRUE(row.captured(2).startsWith(PS_CUDA_BUILD ? "the CUDA backend is not installed"
                                                          : "this build has no CUDA backend"))
        << info.out.toStdString();
}

// Both packages unpacked: the plugin loads. Without an NVIDIA driver the run
// still ends on the CPU, now because of the driver; with a GPU it runs there.
TEST_F(PackageTest, WithTheCudaPackageTheReasonIsTheDriverOrTheGpuRuns) {
    PS_REQUIRE_SHARED_FILE(model, "models/stories260K.gguf");
    if (!cudaDeb_) GTEST_SKIP() << "this build has no CUDA backend";
    QTemporaryDir root;
    unpackDeb(root);
    unpackDeb(root, cudaDeb_);
    const ProcessResult run = runProcess(root.filePath("usr/bin/promptstudio-cli"),
                                         {"generate", "--model", QString::fromStdString(model.string()), "--prompt",
                                          "Once upon a time", "--max-tokens", "8", "--temperature", "0",
                                          "--backend", "cuda"});
    EXPECT_EQ(run.exitCode, 0) << run.err.toStdString();
    EXPECT_FALSE(run.err.contains("not installed")) << run.err.toStdString();
    if (run.err.contains("running on the CPU")) {
        EXPECT_TRUE(run.err.contains("running on the CPU: no NVIDIA GPU found (")) << run.err.toStdString();
    }
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
             "./usr/share/promptstudio/models/stories260K.gguf",
             "./usr/share/promptstudio/models/stories260K.LICENSE",
             "./usr/share/doc/promptstudio/copyright",
         }) {
        if (!PS_GUI_BUILD && QString(path) == "./usr/bin/promptstudio") continue;  // no desktop program built
        // Whole paths: "./usr/bin/promptstudio" must not match promptstudio-cli.
        const QRegularExpression whole(QRegularExpression::escape(path) + "$",
                                       QRegularExpression::MultilineOption);
        EXPECT_TRUE(listing.out.contains(whole)) << "package lacks " << path;
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

// The built-in demo model: with nothing configured the installed programs find it
// in the installed tree (not in the source tree the build came from), and the
// package's copyright file names its licence.
TEST_F(PackageTest, InstalledDemoModelRunsWithNothingConfigured) {
    QTemporaryDir root;
    unpackDeb(root);
    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove("PROMPTSTUDIO_MODEL");
    QTemporaryDir home;
    environment.insert("HOME", home.path());
    environment.insert("XDG_DATA_HOME", home.filePath("data"));
    process.setProcessEnvironment(environment);
    process.start(root.filePath("usr/bin/promptstudio-cli"),
                  {"generate", "--prompt", "Once upon a time", "--max-tokens", "16", "--temperature", "0",
                   "--backend", "cpu"});
    ASSERT_TRUE(process.waitForFinished(120000));
    const QString out = QString::fromUtf8(process.readAllStandardOutput());
    const QString err = QString::fromUtf8(process.readAllStandardError());
    EXPECT_EQ(process.exitCode(), 0) << err.toStdString();
    EXPECT_TRUE(err.contains("using the built-in demo model " +
                             root.filePath("usr/share/promptstudio/models/stories260K.gguf")))
        << err.toStdString();
    EXPECT_FALSE(out.trimmed().isEmpty()) << err.toStdString();

    QFile copyright(root.filePath("usr/share/doc/promptstudio/copyright"));
    ASSERT_TRUE(copyright.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(copyright.readAll());
    EXPECT_TRUE(text.contains("stories260K.gguf")) << text.toStdString();
    EXPECT_TRUE(text.contains("Andrej Karpathy")) << text.toStdString();
}

TEST_F(PackageTest, DesktopFileAndMetainfoValidate) {
    QTemporaryDir root;
    unpackDeb(root);
    // The metainfo's release is the project's version, like everything else.
    QFile metainfo(root.filePath("usr/share/metainfo/org.promptstudio.PromptStudio.metainfo.xml"));
    ASSERT_TRUE(metainfo.open(QIODevice::ReadOnly));
    const QString metainfoText = QString::fromUtf8(metainfo.readAll());
    EXPECT_TRUE(metainfoText.contains(QString("<release version=\"") + PS_PROJECT_VERSION + "\""))
        << metainfoText.toStdString();
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
    // Moved away from where it was unpacked: nothing may point at the old place.
    const QString moved = root.filePath("moved-" + top.first());
    ASSERT_TRUE(QDir(root.path()).rename(top.first(), "moved-" + top.first()));
    const QString cli = moved + "/bin/promptstudio-cli";
    const ProcessResult version = runProcess(cli, {"--version"});
    EXPECT_EQ(version.exitCode, 0) << version.err.toStdString();
    EXPECT_TRUE(version.out.contains(PS_PROJECT_VERSION));
    EXPECT_TRUE(QFileInfo::exists(moved + "/share/promptstudio/apps"));
    EXPECT_TRUE(QFileInfo::exists(moved + "/share/promptstudio/models/stories260K.gguf"));
    EXPECT_TRUE(QFileInfo::exists(moved + "/lib/promptstudio/libpromptstudio-inference.so"));
    // The archive holds everything, the CUDA plugin included (it stays unused without a GPU).
    EXPECT_EQ(QFileInfo::exists(moved + "/lib/promptstudio/libpromptstudio-cuda.so"), bool(PS_CUDA_BUILD));
}

}  // namespace
