#include "editor/template_rename.h"

#include <QRegularExpression>

namespace ps::ui {

QString renameTemplateVariable(const QString& templateText, const QString& from, const QString& to,
                               int* renamed) {
    // The same tag and word patterns as the highlighter, over the whole text (tags may
    // span lines here).
    static const QRegularExpression tag(QStringLiteral(R"(\{\{.*?\}\}|\{%.*?%\})"),
                                        QRegularExpression::DotMatchesEverythingOption);
    static const QRegularExpression word(
        QStringLiteral(R"('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*)"));
    int count = 0;
    QString result;
    qsizetype copied = 0;
    auto tags = tag.globalMatch(templateText);
    while (tags.hasNext()) {
        const auto t = tags.next();
        const QString body = t.captured();
        QString renamedBody;
        qsizetype bodyCopied = 0;
        auto words = word.globalMatch(body, 2);
        while (words.hasNext()) {
            const auto w = words.next();
            if (w.captured() != from) continue;
            qsizetype before = w.capturedStart() - 1;
            while (before >= 0 && body.at(before).isSpace()) --before;
            if (before >= 0 && (body.at(before) == '.' || body.at(before) == '|')) continue;
            renamedBody += body.mid(bodyCopied, w.capturedStart() - bodyCopied) + to;
            bodyCopied = w.capturedEnd();
            ++count;
        }
        if (bodyCopied == 0) continue;
        renamedBody += body.mid(bodyCopied);
        result += templateText.mid(copied, t.capturedStart() - copied) + renamedBody;
        copied = t.capturedEnd();
    }
    result += templateText.mid(copied);
    if (renamed) *renamed = count;
    return result;
}

}  // namespace ps::ui
