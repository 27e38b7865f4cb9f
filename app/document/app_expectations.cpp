// checkExpectations: the simple answer checks of an app's examples.
#include <QJsonDocument>
#include <QJsonParseError>
#include <QRegularExpression>

#include "document/prompt_app.h"

namespace ps {

int countWords(const QString& text) {
    static const QRegularExpression spaces("\\s+");
    return static_cast<int>(text.split(spaces, Qt::SkipEmptyParts).size());
}

namespace {

// Models often wrap JSON in a ```json fence; the check looks inside it.
QString withoutCodeFence(const QString& answer) {
    static const QRegularExpression fence(R"(^\s*```[A-Za-z]*\s*\n(.*)\n\s*```\s*$)",
                                          QRegularExpression::DotMatchesEverythingOption);
    const auto match = fence.match(answer);
    return match.hasMatch() ? match.captured(1) : answer;
}

}  // namespace

ExpectationResult checkExpectations(const AppExpectations& expect, const QString& answer) {
    ExpectationResult result;
    for (const QString& needle : expect.contains) {
        if (!answer.contains(needle, Qt::CaseInsensitive)) {
            result.failures << QStringLiteral("expected the answer to contain '%1'").arg(needle);
        }
    }
    for (const QString& needle : expect.notContains) {
        if (answer.contains(needle, Qt::CaseInsensitive)) {
            result.failures << QStringLiteral("expected the answer not to contain '%1'").arg(needle);
        }
    }
    if (!expect.matches.isEmpty()) {
        const QRegularExpression pattern(expect.matches);
        if (!pattern.isValid()) {
            result.failures << QStringLiteral("'matches' is not a valid regular expression: %1")
                                   .arg(pattern.errorString());
        } else if (!pattern.match(answer).hasMatch()) {
            result.failures << QStringLiteral("expected the answer to match /%1/").arg(expect.matches);
        }
    }
    const int words = countWords(answer);
    if (expect.minWords && words < *expect.minWords) {
        result.failures << QStringLiteral("expected at least %1 words, got %2").arg(*expect.minWords).arg(words);
    }
    if (expect.maxWords && words > *expect.maxWords) {
        result.failures << QStringLiteral("expected at most %1 words, got %2").arg(*expect.maxWords).arg(words);
    }
    if (expect.validJson) {
        QJsonParseError error;
        QJsonDocument::fromJson(withoutCodeFence(answer).trimmed().toUtf8(), &error);
        if (error.error != QJsonParseError::NoError) {
            result.failures << QStringLiteral("expected valid JSON: %1 at character %2")
                                   .arg(error.errorString())
                                   .arg(error.offset);
        }
    }
    return result;
}

}  // namespace ps
