#pragma once
// Writing .promptapp files: clean, stable block-style YAML (keys in a canonical order,
// then unknown keys in the order they were read; multi-line text as `|` literal
// blocks), then the template. Saving is atomic and keeps the previous version as a
// backup, `<file>.bak` (docs/promptapp-format.md, "Saving").
#include <QString>

#include "document/prompt_app.h"

namespace ps {

// The whole file text. Loading it gives back an app with the same content.
QString serializePromptApp(const PromptApp& app);

struct SaveOptions {
    bool keepBackup = true;  // copy the file being replaced to `<path>.bak` first
};

// Writes `app` to `path` atomically (a temporary file renamed over the old one): on
// any failure the old file is untouched, `error` says what failed and where, and
// the result is false. Does not change app.filePath (the caller owns the app).
bool savePromptApp(const PromptApp& app, const QString& path, QString* error,
                   const SaveOptions& options = {});

// The backup file of `path` ("/x/email.promptapp" -> "/x/email.promptapp.bak").
QString promptAppBackupPath(const QString& path);

}  // namespace ps
