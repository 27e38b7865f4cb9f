// templateVariables: the names a template reads, for validation.
//
// A small scan of `{{ ... }}` and `{% ... %}` tags, written while the templating
// engine (app/templating) was being built alongside; it finds the free names of
// the expressions prompt apps use (names, a.b, filters, if/for/set), not every
// corner of the language.
#include <QRegularExpression>
#include <QSet>

#include "document/promptapp_validation.h"

namespace ps {

namespace {

struct Scan {
    const QString& text;
    TemplateVariables result;
    QSet<QString> bound;  // set by the template or loop variables
    QSet<QString> seen;

    DocumentPosition positionAt(int offset) const {
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < offset && i < text.size(); ++i) {
            if (text.at(i) == '\n') {
                ++line;
                lineStart = i + 1;
            }
        }
        return {line, offset - lineStart + 1};
    }

    void use(const QString& name, int offset) {
        static const QSet<QString> known{"and", "or", "not", "in", "is", "if", "else", "true",
                                         "false", "none", "True", "False", "None", "loop",
                                         "range", "namespace", "raise_exception", "strftime_now",
                                         "recursive"};
        if (known.contains(name) || bound.contains(name) || seen.contains(name)) return;
        seen.insert(name);
        result.names << name;
        result.firstUse << positionAt(offset);
    }

    // Free names of an expression starting at `offset` in the text.
    void expression(const QString& expr, int offset) {
        static const QRegularExpression token(
            R"('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[A-Za-z_][A-Za-z0-9_]*|\S)");
        QString previous;
        auto it = token.globalMatch(expr);
        QList<QRegularExpressionMatch> tokens;
        while (it.hasNext()) tokens << it.next();
        for (int i = 0; i < tokens.size(); ++i) {
            const QString word = tokens.at(i).captured(0);
            const bool identifier = word.front().isLetter() || word.front() == '_';
            const QString next = i + 1 < tokens.size() ? tokens.at(i + 1).captured(0) : QString();
            const QString afterNext = i + 2 < tokens.size() ? tokens.at(i + 2).captured(0) : QString();
            const bool keywordArgument = next == "=" && afterNext != "=";
            if (identifier && previous != "." && previous != "|" && previous != "is" && !keywordArgument) {
                use(word, offset + static_cast<int>(tokens.at(i).capturedStart(0)));
            }
            previous = word;
        }
    }

    void statement(const QString& body, int offset) {
        static const QRegularExpression forLoop(R"(^\s*for\s+([A-Za-z_][\w\s,]*?)\s+in\s+(.*)$)",
                                                QRegularExpression::DotMatchesEverythingOption);
        static const QRegularExpression setVar(R"(^\s*set\s+([A-Za-z_]\w*)\s*(=\s*(.*))?$)",
                                               QRegularExpression::DotMatchesEverythingOption);
        static const QRegularExpression withExpr(R"(^\s*(if|elif)\s+(.*)$)",
                                                 QRegularExpression::DotMatchesEverythingOption);
        if (auto m = forLoop.match(body); m.hasMatch()) {
            expression(m.captured(2), offset + static_cast<int>(m.capturedStart(2)));
            for (const QString& name : m.captured(1).split(',')) bound.insert(name.trimmed());
        } else if (auto s = setVar.match(body); s.hasMatch()) {
            if (s.hasCaptured(3)) expression(s.captured(3), offset + static_cast<int>(s.capturedStart(3)));
            bound.insert(s.captured(1));
        } else if (auto w = withExpr.match(body); w.hasMatch()) {
            expression(w.captured(2), offset + static_cast<int>(w.capturedStart(2)));
        }
    }

    void run() {
        int i = 0;
        while (i < text.size()) {
            const int open = text.indexOf('{', i);
            if (open < 0 || open + 1 >= text.size()) break;
            const QChar kind = text.at(open + 1);
            const QString close = kind == '{' ? "}}" : kind == '%' ? "%}" : kind == '#' ? "#}" : QString();
            if (close.isEmpty()) {
                i = open + 1;
                continue;
            }
            const int end = text.indexOf(close, open + 2);
            if (end < 0) {
                result.error = QStringLiteral("'{%1' is never closed with '%2'").arg(kind).arg(close);
                result.errorPosition = positionAt(open);
                result.names.clear();
                result.firstUse.clear();
                return;
            }
            int bodyStart = open + 2;
            int bodyEnd = end;
            if (bodyStart < bodyEnd && (text.at(bodyStart) == '-' || text.at(bodyStart) == '+')) ++bodyStart;
            if (bodyEnd > bodyStart && (text.at(bodyEnd - 1) == '-' || text.at(bodyEnd - 1) == '+')) --bodyEnd;
            const QString body = text.mid(bodyStart, bodyEnd - bodyStart);
            if (kind == '{') {
                expression(body, bodyStart);
            } else if (kind == '%') {
                if (body.trimmed() == "raw") {
                    static const QRegularExpression endRaw(R"(\{%-?\s*endraw\s*-?%\})");
                    const auto m = endRaw.match(text, end + 2);
                    i = m.hasMatch() ? static_cast<int>(m.capturedEnd(0)) : static_cast<int>(text.size());
                    continue;
                }
                statement(body, bodyStart);
            }
            i = end + 2;
        }
    }
};

}  // namespace

TemplateVariables templateVariables(const QString& templateText) {
    Scan scan{templateText, {}, {}, {}};
    scan.run();
    return scan.result;
}

}  // namespace ps
