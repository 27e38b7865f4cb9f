#pragma once
// Light and dark looks, and the user's font size, applied to the whole program.
#include "settings/preferences.h"

class QApplication;

namespace ps::ui {

void applyTheme(QApplication& application, ThemePreference theme, int fontPointSize);

// True when the current palette is dark (for colours that must stay readable).
bool isDarkPalette();

}  // namespace ps::ui
