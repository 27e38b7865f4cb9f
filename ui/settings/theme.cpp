#include "settings/theme.h"

#include <QApplication>
#include <QFont>
#include <QPalette>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleHints>

#include <memory>

namespace ps::ui {

namespace {

QPalette darkPalette() {
    QPalette p;
    const QColor window(0x2b, 0x2d, 0x33), base(0x1f, 0x21, 0x26), text(0xe8, 0xe9, 0xee);
    const QColor accent(0x7b, 0x7f, 0xff);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, base);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(0x8a, 0x8d, 0x96));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, window);
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, accent);
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, accent.lighter(130));
    p.setColor(QPalette::Disabled, QPalette::Text, QColor(0x70, 0x72, 0x7a));
    p.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x70, 0x72, 0x7a));
    p.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x70, 0x72, 0x7a));
    return p;
}

QPalette lightPalette() {
    const std::unique_ptr<QStyle> fusion(QStyleFactory::create(QStringLiteral("Fusion")));
    QPalette p = fusion->standardPalette();
    p.setColor(QPalette::Highlight, QColor(0x4b, 0x4f, 0xe0));
    p.setColor(QPalette::Link, QColor(0x3b, 0x3f, 0xd0));
    return p;
}

bool systemPrefersDark() {
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    return QGuiApplication::styleHints()->colorScheme() == Qt::ColorScheme::Dark;
#else
    // Qt 6.4 has no colour-scheme hint: judge by the palette the desktop gave, read
    // before applyTheme() first replaces it (afterwards it is our own palette, and
    // "follow the system" after "dark" would stay dark).
    static const bool dark = QGuiApplication::palette().color(QPalette::Window).lightness() < 128;
    return dark;
#endif
}

}  // namespace

void applyTheme(QApplication& application, ThemePreference theme, int fontPointSize) {
    // Fusion draws the same on every desktop, so both palettes look as designed.
    application.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    const bool systemDark = systemPrefersDark();  // before the palette changes
    const bool dark = theme == ThemePreference::Dark ||
                      (theme == ThemePreference::FollowSystem && systemDark);
    application.setPalette(dark ? darkPalette() : lightPalette());
    static const QFont systemFont = QApplication::font();
    QFont font = systemFont;
    if (fontPointSize > 0) font.setPointSize(fontPointSize);
    application.setFont(font);
}

bool isDarkPalette() { return QApplication::palette().color(QPalette::Window).lightness() < 128; }

}  // namespace ps::ui
