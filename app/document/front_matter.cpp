#include "document/front_matter.h"

namespace ps {

namespace {

bool isDelimiter(const QString& line) {
    // `---` with optional trailing spaces, as Jekyll and Prompty accept.
    if (!line.startsWith("---")) return false;
    for (int i = 3; i < line.size(); ++i) {
        if (line.at(i) != ' ' && line.at(i) != '\t') return false;
    }
    return true;
}

}  // namespace

QString normalizeLineEnds(QString text) {
    if (text.startsWith(QChar(0xfeff))) text.remove(0, 1);
    text.replace("\r\n", "\n");
    text.replace('\r', '\n');
    return text;
}

FrontMatterSplit splitFrontMatter(const QString& text, const QString& what) {
    FrontMatterSplit split;
    const int firstEnd = text.indexOf('\n');
    const QString firstLine = firstEnd < 0 ? text : text.left(firstEnd);
    if (!isDelimiter(firstLine)) {
        split.error = {1, 1,
                       QStringLiteral("expected '---' on the first line: a %1 file starts with "
                                      "'---', then its settings (YAML), then '---' and the template")
                           .arg(what)};
        return split;
    }
    if (firstEnd < 0) {
        split.error = {1, 4, QStringLiteral("the settings that start on line 1 are never closed: "
                                            "expected a line with only '---' before the template")};
        return split;
    }
    int lineStart = firstEnd + 1;
    int lineNumber = 2;
    while (lineStart <= text.size()) {
        int lineEnd = text.indexOf('\n', lineStart);
        const bool last = lineEnd < 0;
        if (last) lineEnd = text.size();
        const QString line = text.mid(lineStart, lineEnd - lineStart);
        if (isDelimiter(line)) {
            split.ok = true;
            split.yaml = text.mid(firstEnd + 1, lineStart - firstEnd - 1);
            split.yamlFirstLine = 2;
            split.body = last ? QString() : text.mid(lineEnd + 1);
            split.bodyFirstLine = lineNumber + 1;
            break;
        }
        if (last) break;
        lineStart = lineEnd + 1;
        ++lineNumber;
    }
    if (!split.ok) {
        split.error = {1, 4, QStringLiteral("the settings that start on line 1 are never closed: "
                                            "expected a line with only '---' before the template")};
        return split;
    }
    // The comment block at the top: '#' lines (and blank lines between them) before
    // the first line of YAML. yaml-cpp drops comments; this one block is kept.
    const QStringList lines = split.yaml.split('\n');
    int lastCommentLine = -1;
    for (int i = 0; i < lines.size(); ++i) {
        const QString trimmed = lines.at(i).trimmed();
        if (trimmed.startsWith('#')) {
            lastCommentLine = i;
        } else if (!trimmed.isEmpty()) {
            break;
        }
    }
    if (lastCommentLine >= 0) {
        split.leadingComment = lines.mid(0, lastCommentLine + 1).join('\n') + '\n';
    }
    return split;
}

}  // namespace ps
