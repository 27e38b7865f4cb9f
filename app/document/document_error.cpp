#include "document/document_error.h"

#include <QStringList>

namespace ps {

QString DocumentError::toString() const {
    if (line <= 0) return message;
    if (column <= 0) return QStringLiteral("line %1: %2").arg(line).arg(message);
    return QStringLiteral("line %1, column %2: %3").arg(line).arg(column).arg(message);
}

QString formatDocumentErrors(const QList<DocumentError>& errors, const QString& path) {
    QStringList lines;
    for (const DocumentError& error : errors) {
        lines << (path.isEmpty() ? error.toString() : path + ": " + error.toString());
    }
    return lines.join('\n');
}

}  // namespace ps
