#include "shell/translations.h"

#include <QCoreApplication>
#include <QLocale>
#include <QTranslator>

namespace ps::ui {

QString installTranslations(QCoreApplication& application) {
    auto* translator = new QTranslator(&application);
    // The user's languages in order of preference, then English, whose file
    // exists for its plural forms.
    const bool loaded = translator->load(QLocale(), QStringLiteral("promptstudio"), QStringLiteral("_"),
                                         QStringLiteral(":/i18n")) ||
                        translator->load(QStringLiteral("promptstudio_en"), QStringLiteral(":/i18n"));
    if (!loaded) {
        delete translator;
        return {};
    }
    QCoreApplication::installTranslator(translator);
    return translator->language();
}

}  // namespace ps::ui
