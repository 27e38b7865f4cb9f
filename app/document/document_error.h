#pragma once
// A problem found in a .promptapp (or .prompty) file, with where it is. Lines and
// columns are 1-based positions in the whole file (front matter and body alike);
// 0 means "no position" (e.g. the file could not be read at all).
#include <QList>
#include <QString>

namespace ps {

struct DocumentError {
    int line = 0;
    int column = 0;
    QString message;  // says what is wrong and what is expected, without the position

    // "line 7, column 9: 'type' must be one of text, paragraph, ..." (or just the
    // message when there is no position).
    QString toString() const;
    bool operator==(const DocumentError&) const = default;
};

// "path: line 7, column 9: message", one error per line, for the CLI and logs.
QString formatDocumentErrors(const QList<DocumentError>& errors, const QString& path = {});

}  // namespace ps
