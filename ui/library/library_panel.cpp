#include "library/library_panel.h"

#include <QComboBox>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QTimer>
#include <QEvent>
#include <QItemSelectionModel>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QVBoxLayout>

#include "library/app_library_delegate.h"
#include "library/app_library_filter.h"
#include "library/app_library_model.h"

namespace ps::ui {

LibraryPanel::LibraryPanel(QWidget* parent) : QWidget(parent) {
    model_ = new AppLibraryModel(this);
    filter_ = new AppLibraryFilter(this);
    filter_->setSourceModel(model_);

    search_ = new QLineEdit(this);
    search_->setPlaceholderText(tr("Search apps"));
    search_->setClearButtonEnabled(true);
    search_->setAccessibleName(tr("Search apps"));

    tags_ = new QComboBox(this);
    tags_->setAccessibleName(tr("Show apps with tag"));
    tags_->setToolTip(tr("Show only the apps with this tag"));

    view_ = new QListView(this);
    view_->setModel(filter_);
    view_->setItemDelegate(new AppLibraryDelegate(view_));
    view_->setUniformItemSizes(true);
    // The delegate elides names and descriptions to the width it gets: a narrow
    // sidebar (an 800-wide window) shortens them rather than scrolling sideways.
    view_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    view_->setSelectionMode(QAbstractItemView::SingleSelection);
    view_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view_->setAccessibleName(tr("Apps"));

    emptyState_ = new QLabel(this);
    emptyState_->setWordWrap(true);
    emptyState_->setAlignment(Qt::AlignCenter);
    emptyState_->hide();

    auto* layout = new QVBoxLayout(this);
    const int margin = fontMetrics().averageCharWidth();
    layout->setContentsMargins(margin, margin / 2, 0, 0);
    auto* heading = new QLabel(tr("<b>Library</b>"), this);
    layout->addWidget(heading);
    layout->addWidget(search_);
    layout->addWidget(tags_);
    layout->addWidget(view_, 1);
    layout->addWidget(emptyState_);

    // From the search box the keyboard goes on to the results: Down moves into the
    // list, Enter opens the first (or the selected) match.
    search_->installEventFilter(this);
    connect(search_, &QLineEdit::returnPressed, this, [this] {
        const QModelIndex index = firstVisibleOrCurrent();
        if (!index.isValid()) return;
        view_->setCurrentIndex(index);
        emit appActivated(index.data(AppLibraryModel::PathRole).toString());
    });
    connect(search_, &QLineEdit::textChanged, this,
            [this](const QString& text) { refilter([this, text] { filter_->setSearchText(text); }); });
    connect(tags_, &QComboBox::currentIndexChanged, this,
            [this] { refilter([this] { filter_->setTag(tags_->currentData().toString()); }); });
    connect(view_->selectionModel(), &QItemSelectionModel::currentChanged, this, [this] {
        if (filtering_) return;
        shownPath_ = currentPath();
        emit currentAppChanged(shownPath_);
    });
    connect(view_, &QListView::activated, this, [this](const QModelIndex& index) {
        emit appActivated(index.data(AppLibraryModel::PathRole).toString());
    });
    connect(model_, &QAbstractItemModel::modelReset, this, [this] {
        updateTags();
        updateEmptyState();
    });
    updateTags();

    // A file copied into the apps folder shows up at once, not at the next start.
    watcher_ = new QFileSystemWatcher(this);
    reloadDelay_ = new QTimer(this);
    reloadDelay_->setSingleShot(true);
    reloadDelay_->setInterval(300);  // a copy or a save touches the folder several times
    connect(watcher_, &QFileSystemWatcher::directoryChanged, reloadDelay_, qOverload<>(&QTimer::start));
    connect(reloadDelay_, &QTimer::timeout, this, &LibraryPanel::reload);
    connect(model_, &QAbstractItemModel::modelReset, this, &LibraryPanel::watchFolder);
}

void LibraryPanel::watchFolder() {
    const QString folder = model_->userFolder();
    if (!watcher_->directories().isEmpty()) watcher_->removePaths(watcher_->directories());
    if (!folder.isEmpty() && QFileInfo(folder).isDir()) watcher_->addPath(folder);
}

void LibraryPanel::refilter(const std::function<void()>& change) {
    filtering_ = true;
    change();
    // The app on the right stays; when the search shows it again, it is selected again.
    if (!shownPath_.isEmpty()) {
        const int row = model_->rowOfPath(shownPath_);
        const QModelIndex index = row < 0 ? QModelIndex() : filter_->mapFromSource(model_->index(row));
        if (index.isValid()) {
            view_->setCurrentIndex(index);
        } else {
            // Nothing current: Enter and clicks then pick a match and show it.
            view_->selectionModel()->clearCurrentIndex();
            view_->clearSelection();
        }
    }
    filtering_ = false;
    updateEmptyState();
}

QModelIndex LibraryPanel::firstVisibleOrCurrent() const {
    const QModelIndex current = view_->currentIndex();
    if (current.isValid()) return current;
    return filter_->rowCount() > 0 ? filter_->index(0, 0) : QModelIndex();
}

bool LibraryPanel::eventFilter(QObject* watched, QEvent* event) {
    if (watched == search_ && event->type() == QEvent::KeyPress &&
        static_cast<QKeyEvent*>(event)->key() == Qt::Key_Down) {
        const QModelIndex index = firstVisibleOrCurrent();
        if (index.isValid()) view_->setCurrentIndex(index);
        view_->setFocus(Qt::TabFocusReason);
        return true;
    }
    return QWidget::eventFilter(watched, event);
}

QString LibraryPanel::currentPath() const {
    return view_->currentIndex().data(AppLibraryModel::PathRole).toString();
}

bool LibraryPanel::selectPath(const QString& path) {
    const int row = model_->rowOfPath(path);
    if (row < 0) return false;
    QModelIndex index = filter_->mapFromSource(model_->index(row));
    if (!index.isValid()) {
        search_->clear();
        tags_->setCurrentIndex(0);
        index = filter_->mapFromSource(model_->index(row));
    }
    view_->setCurrentIndex(index);
    view_->scrollTo(index);
    return index.isValid();
}

void LibraryPanel::reload() {
    const QString current = currentPath();
    model_->reload();
    if (!current.isEmpty() && !selectPath(current)) emit currentAppChanged(QString());
}

void LibraryPanel::updateTags() {
    const QString current = tags_->currentData().toString();
    const QSignalBlocker blocker(tags_);
    tags_->clear();
    tags_->addItem(tr("All tags"), QString());
    for (const QString& tag : model_->allTags()) tags_->addItem(tag, tag);
    const int index = tags_->findData(current);
    tags_->setCurrentIndex(index < 0 ? 0 : index);
    filter_->setTag(tags_->currentData().toString());
}

void LibraryPanel::updateEmptyState() {
    if (filter_->rowCount() > 0) {
        emptyState_->hide();
        return;
    }
    emptyState_->setText(model_->rowCount() == 0
                             ? tr("No apps yet. Use New App (Ctrl+N) to write one, or Import (Ctrl+O) a .promptapp file.")
                             : tr("No app matches your search."));
    emptyState_->show();
}

}  // namespace ps::ui
