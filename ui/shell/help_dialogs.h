#pragma once
// The Help menu's pages: a short getting-started guide (get a model, make an app,
// share it), the keyboard shortcuts (read from the window's own actions, so they
// never go stale) and where Prompt Studio keeps its files.
#include <QList>
#include <QString>

class QAction;
class QWidget;

namespace ps::ui {

class Preferences;

// The texts, as HTML, for the dialogs and the tests.
QString gettingStartedHtml();
QString shortcutsHtml(const QList<QAction*>& actions);
QString fileLocationsHtml(const Preferences& preferences, const QString& samplesFolder,
                          const QString& historyPath);

// Shows `html` in a dialog titled `title` (modeless, deleted on close).
void showHelpPage(QWidget* parent, const QString& title, const QString& html);

}  // namespace ps::ui
