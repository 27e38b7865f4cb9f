#pragma once
// The Library pane: a search box, a tag chooser and the list of apps (the
// user's own first, then the samples). Selecting an app tells the window to
// show it; the file actions themselves live in the window's menus.
#include <QModelIndex>
#include <QWidget>

#include <functional>

class QComboBox;
class QFileSystemWatcher;
class QTimer;
class QLabel;
class QLineEdit;
class QListView;

namespace ps::ui {

class AppLibraryFilter;
class AppLibraryModel;

class LibraryPanel : public QWidget {
    Q_OBJECT
public:
    explicit LibraryPanel(QWidget* parent = nullptr);

    AppLibraryModel* model() const { return model_; }
    AppLibraryFilter* filter() const { return filter_; }
    QListView* view() const { return view_; }
    QLineEdit* searchBox() const { return search_; }

    // The selected app's file, or empty.
    QString currentPath() const;
    // Selects the app of `path` (clearing the search when it hides it).
    bool selectPath(const QString& path);
    // Reloads the folders and keeps the selection where it can.
    void reload();

signals:
    void currentAppChanged(const QString& path);
    void appActivated(const QString& path);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    // The selected app, else the first one the search shows.
    QModelIndex firstVisibleOrCurrent() const;
    void updateTags();
    void updateEmptyState();
    // Applies a search or tag change without losing the app being shown: a hidden
    // app stays on the right, and is selected again when it shows up again.
    void refilter(const std::function<void()>& change);
    void watchFolder();

    AppLibraryModel* model_ = nullptr;
    AppLibraryFilter* filter_ = nullptr;
    QLineEdit* search_ = nullptr;
    QComboBox* tags_ = nullptr;
    QListView* view_ = nullptr;
    QLabel* emptyState_ = nullptr;
    QFileSystemWatcher* watcher_ = nullptr;
    QTimer* reloadDelay_ = nullptr;
    QString shownPath_;     // the app last reported by currentAppChanged
    bool filtering_ = false;
};

}  // namespace ps::ui
