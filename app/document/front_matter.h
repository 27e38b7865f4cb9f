#pragma once
// Splitting a file into its YAML front matter (between two `---` lines) and the body
// after it, keeping track of line numbers so that errors point into the whole file.
// Shared by .promptapp and .prompty files.
#include <QString>

#include "document/document_error.h"

namespace ps {

struct FrontMatterSplit {
    bool ok = false;
    DocumentError error;      // when !ok
    QString leadingComment;   // '#' and blank lines before the first YAML line, verbatim
    QString yaml;             // the front matter, comment block included
    int yamlFirstLine = 0;    // the file line of yaml's first line (1-based)
    QString body;             // everything after the closing `---` line, exactly
    int bodyFirstLine = 0;    // the file line the body starts on
};

// Normalizes a file's text: drops a UTF-8 BOM and turns CRLF / CR line ends into LF.
QString normalizeLineEnds(QString text);

// `what` names the kind of file in messages (".promptapp").
FrontMatterSplit splitFrontMatter(const QString& normalizedText, const QString& what);

}  // namespace ps
