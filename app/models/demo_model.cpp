#include "models/demo_model.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

namespace ps {

namespace {
const char kDemoModelFile[] = "stories260K.gguf";
}  // namespace

QString demoModelPath() {
    // An installed program finds it next to itself first: the copy in the source
    // tree (compiled in below) would otherwise hide a broken package.
    if (QCoreApplication::instance()) {
        const QString installed = QDir(QCoreApplication::applicationDirPath())
                                      .absoluteFilePath(QStringLiteral("../share/promptstudio/models/") +
                                                        QLatin1String(kDemoModelFile));
        if (QFileInfo(installed).isFile()) return QDir::cleanPath(installed);
    }
#ifdef PROMPTSTUDIO_SOURCE_MODELS_DIR
    const QString source = QDir(QStringLiteral(PROMPTSTUDIO_SOURCE_MODELS_DIR)).filePath(QLatin1String(kDemoModelFile));
    if (QFileInfo(source).isFile()) return source;
#endif
    return {};
}

bool isDemoModel(const QString& path) {
    if (path.isEmpty()) return false;
    const QString demo = demoModelPath();
    if (demo.isEmpty()) return false;
    const QFileInfo a(path), b(demo);
    return a.canonicalFilePath().isEmpty() ? a.absoluteFilePath() == b.absoluteFilePath()
                                           : a.canonicalFilePath() == b.canonicalFilePath();
}

QString demoModelTitle() { return QCoreApplication::translate("DemoModel", "Tiny demo model"); }

QString demoModelDescription() {
    return QCoreApplication::translate(
        "DemoModel", "Tiny demo model: writes short children's stories; get a real model for your own apps");
}

QString demoModelCredit() {
    return QCoreApplication::translate(
        "DemoModel",
        "The built-in demo model, stories260K, was trained on TinyStories by Andrej Karpathy "
        "(llama2.c) and is used under the MIT licence, copyright (c) 2023 Andrej Karpathy.");
}

}  // namespace ps
