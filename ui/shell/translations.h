#pragma once
// The interface's translations, built into the program from resources/translations.
#include <QString>

class QCoreApplication;

namespace ps::ui {

// Installs the translation for the user's languages, or the English one, which
// carries the plural forms of the %n strings ("1 token", "2 tokens"). Returns the
// translation's language ("en"), or an empty string when none could be loaded.
QString installTranslations(QCoreApplication& application);

}  // namespace ps::ui
