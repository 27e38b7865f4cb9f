#include "settings/theme.h"

#include <QApplication>
#include <QFile>
#include <QFont>
#include <QPainter>
#include <QPalette>
#include <QPixmap>
#include <QStyle>
#include <QStyleFactory>
#include <QStyleHints>
#include <QSvgRenderer>

namespace ps::ui {

namespace {

// The two palettes: calm neutral surfaces, one indigo accent, and text that
// keeps a contrast of at least 4.5:1 (WCAG AA) on its background, selected rows
// included (white on the accent).
struct Colours {
    QColor window, surface, alternate, text, dimText, border, accent, accentText, selection, disabled, error;
};

Colours lightColours() {
    return {QColor(0xf4, 0xf5, 0xf8), QColor(0xff, 0xff, 0xff), QColor(0xf7, 0xf8, 0xfa),
            QColor(0x1d, 0x20, 0x27), QColor(0x5b, 0x61, 0x6e), QColor(0xc9, 0xcd, 0xd6),
            QColor(0x4f, 0x46, 0xe5), QColor(0xff, 0xff, 0xff), QColor(0x4f, 0x46, 0xe5),
            QColor(0x9a, 0x9f, 0xab), QColor(0xc0, 0x39, 0x2b)};
}

Colours darkColours() {
    return {QColor(0x1c, 0x1e, 0x24), QColor(0x26, 0x29, 0x31), QColor(0x2b, 0x2e, 0x37),
            QColor(0xe7, 0xe8, 0xee), QColor(0xa3, 0xa8, 0xb4), QColor(0x4a, 0x4e, 0x5a),
            QColor(0x8b, 0x85, 0xff), QColor(0xff, 0xff, 0xff), QColor(0x4b, 0x44, 0xc8),
            QColor(0x6e, 0x72, 0x7d), QColor(0xff, 0x7b, 0x6b)};
}

Colours& current() {
    static Colours colours = lightColours();
    return colours;
}

QPalette paletteOf(const Colours& c) {
    QPalette p;
    p.setColor(QPalette::Window, c.window);
    p.setColor(QPalette::WindowText, c.text);
    p.setColor(QPalette::Base, c.surface);
    p.setColor(QPalette::AlternateBase, c.alternate);
    p.setColor(QPalette::ToolTipBase, c.surface);
    p.setColor(QPalette::ToolTipText, c.text);
    p.setColor(QPalette::PlaceholderText, c.dimText);
    p.setColor(QPalette::Text, c.text);
    p.setColor(QPalette::Button, c.surface);
    p.setColor(QPalette::ButtonText, c.text);
    p.setColor(QPalette::BrightText, Qt::white);
    p.setColor(QPalette::Highlight, c.selection);
    p.setColor(QPalette::HighlightedText, c.accentText);
    p.setColor(QPalette::Link, c.accent);
    p.setColor(QPalette::LinkVisited, c.accent);
    // Fusion draws frames and bevels from these.
    p.setColor(QPalette::Light, c.surface.lighter(110));
    p.setColor(QPalette::Midlight, c.alternate);
    p.setColor(QPalette::Mid, c.border);
    p.setColor(QPalette::Dark, c.border.darker(130));
    p.setColor(QPalette::Shadow, QColor(0, 0, 0, 80));
    for (auto role : {QPalette::Text, QPalette::ButtonText, QPalette::WindowText})
        p.setColor(QPalette::Disabled, role, c.disabled);
    p.setColor(QPalette::Disabled, QPalette::Base, c.window);
    p.setColor(QPalette::Disabled, QPalette::Button, c.window);
    // A selected row keeps its colour when the list loses the focus.
    p.setColor(QPalette::Inactive, QPalette::Highlight, c.selection);
    p.setColor(QPalette::Inactive, QPalette::HighlightedText, c.accentText);
    return p;
}

// Borders, corners and spacing: a field shows its edge in both themes and the
// accent when it has the focus; buttons and lists have the same rounded corners.
QString styleSheetOf(const Colours& c) {
    const auto hex = [](const QColor& colour) { return colour.name(QColor::HexRgb); };
    QColor hover = c.accent;
    hover.setAlpha(36);
    const QString hoverRgba = QStringLiteral("rgba(%1,%2,%3,%4)")
                                  .arg(hover.red()).arg(hover.green()).arg(hover.blue()).arg(hover.alpha());
    QString sheet = QStringLiteral(R"(
QLineEdit, QPlainTextEdit, QTextEdit, QTextBrowser, QSpinBox, QDoubleSpinBox, QComboBox {
    border: 1px solid @border; border-radius: 6px; background: @surface; padding: 3px 6px;
    selection-background-color: @selection; selection-color: @accentText;
}
QPlainTextEdit, QTextEdit, QTextBrowser { padding: 2px; }
QLineEdit:focus, QPlainTextEdit:focus, QTextEdit:focus, QTextBrowser:focus, QSpinBox:focus,
QDoubleSpinBox:focus, QComboBox:focus { border: 1px solid @accent; }
QLineEdit:disabled, QSpinBox:disabled, QDoubleSpinBox:disabled, QComboBox:disabled { background: @window; color: @disabled; }
QComboBox { padding-right: 22px; }
QComboBox::drop-down { border: none; width: 20px; subcontrol-origin: padding; subcontrol-position: center right; }
QComboBox::down-arrow { image: url(:/icons/ui/chevron-@mode.svg); width: 12px; height: 12px; }
QComboBox QAbstractItemView { border: 1px solid @border; background: @surface; selection-background-color: @selection; selection-color: @accentText; }
QSpinBox, QDoubleSpinBox { padding-right: 18px; }
QSpinBox::up-button, QDoubleSpinBox::up-button { subcontrol-origin: border; subcontrol-position: top right; width: 16px; border: none; }
QSpinBox::down-button, QDoubleSpinBox::down-button { subcontrol-origin: border; subcontrol-position: bottom right; width: 16px; border: none; }
QSpinBox::up-arrow, QDoubleSpinBox::up-arrow { image: url(:/icons/ui/chevron-up-@mode.svg); width: 10px; height: 10px; }
QSpinBox::down-arrow, QDoubleSpinBox::down-arrow { image: url(:/icons/ui/chevron-@mode.svg); width: 10px; height: 10px; }
QPushButton {
    border: 1px solid @border; border-radius: 6px; background: @surface; color: @text;
    padding: 5px 14px; min-height: 18px;
}
QPushButton:hover { border-color: @accent; }
QPushButton:focus { border-color: @accent; }
QPushButton:pressed { background: @hover; }
QPushButton:default { background: @accent; border-color: @accent; color: @accentText; }
QPushButton:default:disabled { background: @border; border-color: @border; color: @window; }
QPushButton:disabled { color: @disabled; background: @window; }
QToolButton { border: 1px solid transparent; border-radius: 6px; padding: 4px 8px; color: @text; }
QToolButton:hover { background: @hover; }
QToolButton:focus { border-color: @accent; }
QToolButton:checked { background: @hover; border-color: @accent; }
QToolButton:disabled { color: @disabled; }
QToolButton[popupMode="2"] { padding-right: 22px; }
QToolButton::menu-indicator { image: url(:/icons/ui/chevron-@mode.svg); width: 10px; height: 10px;
    subcontrol-origin: padding; subcontrol-position: center right; right: 6px; }
QToolBar { background: @window; border: none; border-bottom: 1px solid @border; spacing: 4px; padding: 4px 8px; }
QToolBar::separator { background: @border; width: 1px; margin: 6px 6px; }
QListView, QTableView, QTreeView {
    border: 1px solid @border; border-radius: 6px; background: @surface;
    alternate-background-color: @alternate; outline: none;
}
QListView:focus, QTableView:focus, QTreeView:focus { border-color: @accent; }
QListView::item:selected, QTableView::item:selected, QTreeView::item:selected { background: @selection; color: @accentText; }
QHeaderView::section { background: @alternate; border: none; border-bottom: 1px solid @border; padding: 4px 6px; color: @dimText; }
QTabWidget::pane { border: none; }
QTabBar::tab { padding: 6px 14px; border: none; border-bottom: 2px solid transparent; color: @dimText; background: transparent; }
QTabBar::tab:selected { color: @text; border-bottom: 2px solid @accent; }
QTabBar::tab:hover { color: @text; }
QTabBar::tab:focus { color: @text; }
QGroupBox { border: 1px solid @border; border-radius: 8px; margin-top: 14px; padding-top: 6px; }
QGroupBox::title { subcontrol-origin: margin; left: 10px; padding: 0 4px; color: @dimText; }
QStatusBar { border-top: 1px solid @border; }
QStatusBar QLabel { padding: 0 6px; }
QStatusBar QLabel#modelStatus { border-left: 1px solid @border; padding-left: 10px; margin-left: 12px; }
QSplitter::handle { background: @window; }
QSplitter::handle:horizontal { width: 6px; }
QSplitter::handle:vertical { height: 6px; }
QMenu { border: 1px solid @border; background: @surface; padding: 4px; }
QMenu::item { padding: 5px 22px 5px 22px; border-radius: 4px; }
QMenu::item:selected { background: @selection; color: @accentText; }
QMenu::separator { height: 1px; background: @border; margin: 4px 8px; }
QScrollArea { border: none; }
QFrame#demoModelBanner, QFrame#runNotice, QLabel#sampleBanner, QFrame#baseModelWarning {
    background: @hover; border: 1px solid @accent; border-radius: 8px;
}
QFrame#emptyState { background: @surface; border: 1px solid @border; border-radius: 10px; }
)");
    sheet.replace(QStringLiteral("@border"), hex(c.border));
    sheet.replace(QStringLiteral("@surface"), hex(c.surface));
    sheet.replace(QStringLiteral("@window"), hex(c.window));
    sheet.replace(QStringLiteral("@alternate"), hex(c.alternate));
    sheet.replace(QStringLiteral("@selection"), hex(c.selection));
    sheet.replace(QStringLiteral("@accentText"), hex(c.accentText));
    sheet.replace(QStringLiteral("@accent"), hex(c.accent));
    sheet.replace(QStringLiteral("@dimText"), hex(c.dimText));
    sheet.replace(QStringLiteral("@disabled"), hex(c.disabled));
    sheet.replace(QStringLiteral("@text"), hex(c.text));
    sheet.replace(QStringLiteral("@hover"), hoverRgba);
    sheet.replace(QStringLiteral("@mode"), c.window.lightness() < 128 ? QStringLiteral("dark") : QStringLiteral("light"));
    return sheet;
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

QPixmap drawIcon(const QByteArray& svg, const QColor& colour, int size, qreal ratio) {
    QByteArray coloured = svg;
    coloured.replace("#COLOR#", colour.name(QColor::HexRgb).toLatin1());
    QSvgRenderer renderer(coloured);
    QPixmap pixmap(QSize(size, size) * ratio);
    pixmap.setDevicePixelRatio(ratio);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    renderer.render(&painter, QRectF(0, 0, size, size));
    return pixmap;
}

}  // namespace

void applyTheme(QApplication& application, ThemePreference theme, int fontPointSize) {
    // Fusion draws the same on every desktop, so both palettes look as designed.
    application.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    const bool systemDark = systemPrefersDark();  // before the palette changes
    const bool dark = theme == ThemePreference::Dark ||
                      (theme == ThemePreference::FollowSystem && systemDark);
    current() = dark ? darkColours() : lightColours();
    application.setPalette(paletteOf(current()));
    static const QFont systemFont = QApplication::font();
    QFont font = systemFont;
    if (fontPointSize > 0) font.setPointSize(fontPointSize);
    application.setFont(font);
    application.setStyleSheet(styleSheetOf(current()));
}

bool isDarkPalette() { return QApplication::palette().color(QPalette::Window).lightness() < 128; }

QColor errorColor() { return current().error; }
QColor borderColor() { return current().border; }
QColor accentColor() { return current().accent; }

QIcon themedIcon(const QString& name) {
    QFile file(QStringLiteral(":/icons/ui/%1.svg").arg(name));
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QByteArray svg = file.readAll();
    const QPalette palette = QApplication::palette();
    QIcon icon;
    for (int size : {16, 20, 24, 32}) {
        for (qreal ratio : {1.0, 2.0}) {
            icon.addPixmap(drawIcon(svg, palette.color(QPalette::Active, QPalette::WindowText), size, ratio),
                           QIcon::Normal);
            icon.addPixmap(drawIcon(svg, palette.color(QPalette::Disabled, QPalette::WindowText), size, ratio),
                           QIcon::Disabled);
        }
    }
    return icon;
}

}  // namespace ps::ui
