// The English plural forms: "1 token", "2 tokens", never "token(s)". The program
// loads them from its resources; every tr() string with %n in ui/ must have them,
// under the context (class) that really asks for it.
#include <QCoreApplication>
#include <QDirIterator>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QXmlStreamReader>

#include <gtest/gtest.h>

#include <utility>

namespace {

struct TsMessage {
    QString context;
    QString source;
};

QList<TsMessage> readPluralMessages(const QString& tsPath) {
    QList<TsMessage> messages;
    QFile file(tsPath);
    if (!file.open(QIODevice::ReadOnly)) return messages;
    QXmlStreamReader xml(&file);
    QString context;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        if (xml.name() == QLatin1String("name")) context = xml.readElementText();
        if (xml.name() == QLatin1String("source")) messages.append({context, xml.readElementText()});
    }
    EXPECT_FALSE(xml.hasError()) << xml.errorString().toStdString();
    return messages;
}

// tr("... %n ...") in the sources under `folder`.
QSet<QString> pluralStringsInSources(const QString& folder) {
    static const QRegularExpression trCall(QString::fromLatin1(R"re(\btr\("((?:[^"\\]|\\.)*%n(?:[^"\\]|\\.)*)")re"));
    QSet<QString> strings;
    QDirIterator it(folder, {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        QFile file(it.next());
        if (!file.open(QIODevice::ReadOnly)) continue;
        const QString text = QString::fromUtf8(file.readAll());
        for (const auto& match : trCall.globalMatch(text)) strings.insert(match.captured(1));
    }
    return strings;
}

const QString kTsFile = QStringLiteral(PS_TEST_SOURCE_DIR "/resources/translations/promptstudio_en.ts");

TEST(Translations, CountsReadAsEnglish) {
    const char* context = "ps::ui::RunView";
    EXPECT_EQ(QCoreApplication::translate(context, "%n token(s)", nullptr, 1), QStringLiteral("1 token"));
    EXPECT_EQ(QCoreApplication::translate(context, "%n token(s)", nullptr, 2), QStringLiteral("2 tokens"));
    EXPECT_EQ(QCoreApplication::translate(context, "%n token(s)", nullptr, 0), QStringLiteral("0 tokens"));
    EXPECT_EQ(QCoreApplication::translate(context, "Stopped after %n token(s).", nullptr, 1),
              QStringLiteral("Stopped after 1 token."));
}

TEST(Translations, EveryPluralInTheSourcesHasItsEnglishForms) {
    const QList<TsMessage> messages = readPluralMessages(kTsFile);
    ASSERT_FALSE(messages.isEmpty()) << kTsFile.toStdString();
    QSet<QString> translated;
    for (const TsMessage& message : messages) {
        translated.insert(message.source);
        // The context must be the class whose tr() asks, or the entry is never used.
        const QByteArray context = message.context.toUtf8();
        const QByteArray source = message.source.toUtf8();
        const QString many = QCoreApplication::translate(context.constData(), source.constData(), nullptr, 2);
        EXPECT_FALSE(many.contains(QStringLiteral("(s)")))
            << message.context.toStdString() << ": " << message.source.toStdString();
    }
    const QSet<QString> used = pluralStringsInSources(QStringLiteral(PS_TEST_SOURCE_DIR "/ui"));
    EXPECT_GE(used.size(), 4);
    for (const QString& source : used)
        EXPECT_TRUE(translated.contains(source)) << "no English plural forms in " << kTsFile.toStdString()
                                                 << " for tr(\"" << source.toStdString() << "\")";
}

}  // namespace
