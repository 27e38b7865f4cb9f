#pragma once
// Recovery copies of apps with unsaved changes, so a crash or a power cut never
// loses more than the last autosave interval. Each copy is a normal .promptapp in
// `<XDG data>/recovery/` named after the app, with a small `.origin` file beside it
// that names the file the app was loaded from (empty for a new app). The editor
// writes and removes them; the main window lists leftovers at start.
#include <QDateTime>
#include <QList>
#include <QString>

#include "document/prompt_app.h"

namespace ps::ui {

struct RecoveryFile {
    QString path;          // the recovery copy
    QString appName;       // the app's name inside it (or the file name when unreadable)
    QString originalPath;  // the file it belongs to; empty for an app never saved
    QDateTime savedAt;     // when the copy was written

    // "Prompt Studio closed before you saved 'Email writer'. Restore it?"
    QString question() const;
};

class RecoveryStore {
public:
    // <AppDataLocation>/recovery
    static QString folder();
    // The copy's path for an app name ("Email writer" -> ".../recovery/Email writer.promptapp",
    // characters that are not allowed in file names replaced).
    static QString pathFor(const QString& appName);
    // Writes `app` as a recovery copy to `path` (atomically, no backup) and records
    // `originalPath` beside it.
    static bool write(const PromptApp& app, const QString& path, const QString& originalPath,
                      QString* error);
    // Removes a copy and its .origin file; true when nothing is left.
    static bool remove(const QString& path);
    // Leftover copies, newest first.
    static QList<RecoveryFile> list();
};

}  // namespace ps::ui
