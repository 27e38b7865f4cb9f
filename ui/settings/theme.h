#pragma once
// Light and dark looks, and the user's font size, applied to the whole program:
// a designed palette (ui/settings/theme.cpp), one style sheet for borders,
// corners and spacing built from it, and toolbar icons drawn in its text colour.
#include <QColor>
#include <QIcon>

#include "settings/preferences.h"

class QApplication;

namespace ps::ui {

void applyTheme(QApplication& application, ThemePreference theme, int fontPointSize);

// True when the current palette is dark (for colours that must stay readable).
bool isDarkPalette();

// Colours the palette has no role for.
QColor errorColor();    // messages that say something is wrong
QColor borderColor();   // field and panel borders
QColor accentColor();   // the default button, the focused field, the current page

// One of the program's own icons (resources/icons/ui/NAME.svg), drawn in the
// palette's text colour (and a dimmer one when disabled), so it suits both themes.
// Call again after a theme change.
QIcon themedIcon(const QString& name);

}  // namespace ps::ui
