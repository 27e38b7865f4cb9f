#pragma once
// Reading .promptapp files: YAML front matter between `---` lines, then the template.
// Collects every problem it finds (with line and column) instead of stopping at the
// first; a file written by a newer Prompt Studio is refused with a clear message; the
// legacy format 0 is migrated (docs/promptapp-format.md, "Format 0").
#include <QList>
#include <QString>

#include "document/document_error.h"
#include "document/prompt_app.h"

namespace ps {

struct PromptAppLoadResult {
    // True when `app` holds the document. It may still have `errors` (validation
    // problems an editor shows next to the fields); false when the file could not be
    // read, is not YAML, or is from a newer format (then `app` is empty).
    bool loaded = false;
    PromptApp app;
    QList<DocumentError> errors;  // reading + validation errors, in file order
    QStringList notices;          // e.g. "migrated from format 0; saving writes format 1"

    bool ok() const { return loaded && errors.isEmpty(); }
    // All errors as text, each prefixed with `path` when given.
    QString errorText(const QString& path = {}) const;
};

// Parses `text` (the whole file) and validates it (see validatePromptApp).
PromptAppLoadResult parsePromptApp(const QString& text);
// Reads the file (UTF-8; a BOM and CRLF line ends are accepted), parses and validates
// it; sets app.filePath. A file that cannot be opened gives one error without position.
PromptAppLoadResult loadPromptApp(const QString& path);

// The file suffix, with its dot.
inline constexpr const char* kPromptAppSuffix = ".promptapp";

}  // namespace ps
