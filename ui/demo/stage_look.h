#pragma once
// The stage's own look: dark whatever the window's theme (a projector washes out a
// light page), and type sized from the screen's height so that the answer is read
// from the back of a room: 28 pt at 1080 lines, in proportion elsewhere.
#include <QColor>
#include <QPalette>

#include <algorithm>

#include <QFont>
#include <QWidget>

namespace ps::ui::stage {

inline QColor background() { return QColor(0x0f, 0x11, 0x16); }
inline QColor surface() { return QColor(0x1a, 0x1d, 0x25); }
inline QColor text() { return QColor(0xee, 0xf0, 0xf5); }
inline QColor dimText() { return QColor(0x9a, 0xa0, 0xad); }
inline QColor accent() { return QColor(0x8b, 0x85, 0xff); }  // the dark theme's accent
inline QColor winner() { return QColor(0x4a, 0xde, 0x80); }
inline QColor calmWarning() { return QColor(0xff, 0xc8, 0x7a); }

// The answer's point size on a stage `height` pixels tall: 28 pt at 1080, never
// below 20 pt (a 768-line laptop gives 20).
inline double answerPointSize(int height) { return std::max(20.0, 28.0 * height / 1080.0); }

inline QFont scaled(const QFont& base, double pointSize, bool bold = false) {
    QFont font = base;
    font.setPointSizeF(pointSize);
    font.setBold(bold);
    return font;
}

// A dark palette for a widget tree on the stage (text browsers, labels).
inline void applyStagePalette(QWidget* widget) {
    QPalette palette = widget->palette();
    for (QPalette::ColorRole role : {QPalette::Window, QPalette::Base, QPalette::AlternateBase})
        palette.setColor(role, background());
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(role, text());
    palette.setColor(QPalette::PlaceholderText, dimText());
    palette.setColor(QPalette::Highlight, accent());
    widget->setPalette(palette);
    widget->setAutoFillBackground(true);
}

}  // namespace ps::ui::stage
