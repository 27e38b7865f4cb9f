#include "demo/demo_screen.h"

#include <QCoreApplication>
#include <QGuiApplication>
#include <QScreen>
#include <QSettings>

namespace ps::ui {

namespace {
constexpr const char* kScreenKey = "demo/screen";

QString& sessionOverride() {
    static QString choice;
    return choice;
}
}  // namespace

void overrideDemoScreen(const QString& choice) { sessionOverride() = choice.trimmed(); }

QString demoScreenChoice() { return sessionOverride().isEmpty() ? chosenDemoScreen() : sessionOverride(); }

QString chosenDemoScreen() { return QSettings().value(kScreenKey).toString(); }

void setChosenDemoScreen(const QString& name) {
    if (name.isEmpty()) QSettings().remove(kScreenKey);
    else QSettings().setValue(kScreenKey, name);
}

QScreen* resolveDemoScreen(const QString& choice, QScreen* windowScreen, QString* notice) {
    if (notice) notice->clear();
    const QList<QScreen*> screens = QGuiApplication::screens();
    QScreen* primary = QGuiApplication::primaryScreen();
    if (choice.trimmed().isEmpty()) return windowScreen ? windowScreen : primary;
    for (QScreen* screen : screens)
        if (screen->name() == choice.trimmed()) return screen;
    bool isNumber = false;
    const int number = choice.trimmed().toInt(&isNumber);
    if (isNumber && number >= 1 && number <= screens.size()) return screens.at(number - 1);
    if (notice) {
        *notice = QCoreApplication::translate("DemoScreen",
                                              "The display “%1” is not connected: demo mode is on the main display.")
                      .arg(choice.trimmed());
    }
    return primary;
}

QString describeScreen(const QScreen* screen, int number) {
    const QSize size = screen->size();
    const QString name = screen->name().isEmpty() ? screen->model() : screen->name();
    return QStringLiteral("%1: %2 (%3×%4)").arg(number).arg(name).arg(size.width()).arg(size.height());
}

}  // namespace ps::ui
