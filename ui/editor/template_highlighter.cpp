#include "editor/template_highlighter.h"

#include <QGuiApplication>
#include <QPalette>
#include <QRegularExpression>

namespace ps::ui {

namespace {
// Tag bodies may not span lines in this highlighter: a block is one line, and an
// unclosed tag is left uncoloured (the validation panel reports it).
const QRegularExpression& tagPattern() {
    static const QRegularExpression pattern(QStringLiteral(R"(\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\})"));
    return pattern;
}
const QRegularExpression& namePattern() {
    static const QRegularExpression pattern(
        QStringLiteral(R"('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*)"));
    return pattern;
}
}  // namespace

TemplateHighlighter::TemplateHighlighter(QTextDocument* document) : QSyntaxHighlighter(document) {
    const QPalette palette = QGuiApplication::palette();
    // Tints that read on light and dark themes: the link colour for tags.
    tagFormat_.setForeground(palette.color(QPalette::Link));
    knownFormat_ = tagFormat_;
    knownFormat_.setFontWeight(QFont::Bold);
    unknownFormat_ = tagFormat_;
    unknownFormat_.setUnderlineStyle(QTextCharFormat::WaveUnderline);
    unknownFormat_.setUnderlineColor(QColor(Qt::red));
    unknownFormat_.setFontWeight(QFont::Bold);
}

void TemplateHighlighter::setVariables(const QSet<QString>& known, const QSet<QString>& unknown) {
    if (known == known_ && unknown == unknown_) return;
    known_ = known;
    unknown_ = unknown;
    rehighlight();
}

void TemplateHighlighter::highlightBlock(const QString& text) {
    auto tags = tagPattern().globalMatch(text);
    while (tags.hasNext()) {
        const auto tag = tags.next();
        setFormat(tag.capturedStart(), tag.capturedLength(), tagFormat_);
        if (tag.captured().startsWith(QLatin1String("{#"))) continue;  // a comment
        // Skip the two-character delimiters; look at names inside.
        const QString body = tag.captured().mid(2, tag.capturedLength() - 4);
        auto names = namePattern().globalMatch(body);
        while (names.hasNext()) {
            const auto name = names.next();
            const QString word = name.captured();
            // `a.b` and `x | upper`: the word after a dot is an attribute and the one
            // after a bar a filter, not variables.
            int before = name.capturedStart() - 1;
            while (before >= 0 && body.at(before).isSpace()) --before;
            if (before >= 0 && (body.at(before) == '.' || body.at(before) == '|')) continue;
            const int start = tag.capturedStart() + 2 + name.capturedStart();
            if (unknown_.contains(word))
                setFormat(start, word.size(), unknownFormat_);
            else if (known_.contains(word))
                setFormat(start, word.size(), knownFormat_);
        }
    }
}

}  // namespace ps::ui
