#pragma once
// What the Library does to app files: create, duplicate, rename, move to the
// trash and back, import and export. Each returns false with `error` in plain
// words (naming the file) when it cannot; none of them touches the samples.
#include <QString>

#include "document/prompt_app.h"

namespace ps::ui {

// A file name for an app called `name` in `folder` that does not exist yet
// ("Email helper.promptapp", then "Email helper 2.promptapp", ...).
QString uniqueAppPath(const QString& folder, const QString& name);

// A new, valid app with one input, ready for the editor.
PromptApp newAppTemplate(const QString& name);

// Saves `app` under a new file in `folder`; returns its path or empty.
QString saveAsNewApp(const PromptApp& app, const QString& folder, QString* error);

// A copy of the app at `path` in `folder`, named "<name> (copy)" unless `newName`
// is given; returns the new file's path or empty.
QString duplicateApp(const QString& path, const QString& folder, QString* error,
                     const QString& newName = {});

// Gives the app a new name, inside the file and as the file name; returns the
// new path or empty.
QString renameApp(const QString& path, const QString& newName, QString* error);

// Moves the file to the desktop's trash; `trashedPath` is where it went (for undo).
bool trashApp(const QString& path, QString* trashedPath, QString* error);
// Puts a trashed file back where it was.
bool restoreTrashedApp(const QString& trashedPath, const QString& originalPath, QString* error);

// Reads a .promptapp or .prompty file and saves it as a new app in `folder`;
// returns its path or empty, with `error` listing the file's problems (with
// their lines).
// Copies a .promptapp with problems into `folder` as it is (no rewriting, so the
// problems keep their lines), for fixing in the editor. Returns the copy's path.
QString importAppAsIs(const QString& sourcePath, const QString& folder, QString* error);
QString importApp(const QString& sourcePath, const QString& folder, QString* error);

// Writes the app at `path` to `destination`: a .prompty file when the
// destination ends with .prompty, else a .promptapp.
bool exportApp(const QString& path, const QString& destination, QString* error);

}  // namespace ps::ui
