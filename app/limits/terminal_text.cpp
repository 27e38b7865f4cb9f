#include "limits/terminal_text.h"

#include <QList>

namespace ps {

namespace {

bool isUnsafe(char32_t cp) {
    if (cp == '\n' || cp == '\t') return false;
    if (cp < 0x20 || cp == 0x7F) return true;
    if (cp >= 0x80 && cp <= 0x9F) return true;
    // LRE, RLE, PDF, LRO, RLO and LRI, RLI, FSI, PDI: they reorder what follows.
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

}  // namespace

QString escapeForTerminal(const QString& text) {
    QString out;
    out.reserve(text.size());
    const QList<uint> codePoints = text.toUcs4();
    for (const uint value : codePoints) {
        const char32_t cp = value;
        if (!isUnsafe(cp)) {
            out += QString::fromUcs4(&cp, 1);
        } else if (cp < 0x100) {
            out += QStringLiteral("\\x%1").arg(static_cast<uint>(cp), 2, 16, QLatin1Char('0'));
        } else {
            out += QStringLiteral("\\u{%1}").arg(static_cast<uint>(cp), 4, 16, QLatin1Char('0'));
        }
    }
    return out;
}

std::string escapeForTerminal(const std::string& utf8) {
    return escapeForTerminal(QString::fromUtf8(utf8.data(), static_cast<qsizetype>(utf8.size())))
        .toStdString();
}

}  // namespace ps
