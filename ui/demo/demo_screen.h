#pragma once
// The display demo mode goes full screen on. The presenter chooses it on a deck's
// page (remembered in the settings, "demo/screen") or for one start with
// `promptstudio --demo DECK --screen N|NAME`; no choice means the screen the main
// window is on. A chosen display that is not connected (the projector was
// unplugged) falls back to the primary screen, with a calm line on the stage.
#include <QString>
#include <QStringList>

class QScreen;

namespace ps::ui {

// The remembered choice: a screen's name ("HDMI-1"), or empty for the window's screen.
QString chosenDemoScreen();
void setChosenDemoScreen(const QString& name);

// `--screen` for this start only: wins over the remembered choice, saved nowhere.
void overrideDemoScreen(const QString& choice);
// The override, else the remembered choice.
QString demoScreenChoice();

// Finds `choice`: a screen's name, or its number counted from 1 in
// QGuiApplication::screens(). Empty `choice`: `windowScreen` (or the primary one).
// When the choice is not connected, the primary screen and, in `notice`, why.
QScreen* resolveDemoScreen(const QString& choice, QScreen* windowScreen, QString* notice);

// How a screen is offered in a picker: "2: HDMI-1 (1920×1080)".
QString describeScreen(const QScreen* screen, int number);

}  // namespace ps::ui
