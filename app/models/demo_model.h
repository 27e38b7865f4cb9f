#pragma once
// The built-in demo model: stories260K (a 1.1 MB Llama trained on children's
// stories, MIT), shipped in resources/models and installed next to the sample
// apps, so that a first start answers even offline and with nothing configured.
// It writes short stories and nothing else; everything that names it says so.
#include <QString>

namespace ps {

// The demo model's file: share/promptstudio/models/stories260K.gguf next to the
// program when installed (the .deb, the tarball), else the source tree's
// resources/models (the build tree). Empty when neither is there.
QString demoModelPath();

// True when `path` is the demo model's file (same file, any spelling of the path).
bool isDemoModel(const QString& path);

// What the Models page, the banner and the CLI call it.
QString demoModelTitle();        // "Tiny demo model"
QString demoModelDescription();  // "Tiny demo model: writes short children's stories; get a real model ..."
// One line for the About box: where it comes from and its licence.
QString demoModelCredit();

}  // namespace ps
