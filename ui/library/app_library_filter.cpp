#include "library/app_library_filter.h"

#include "library/app_library_model.h"

namespace ps::ui {

AppLibraryFilter::AppLibraryFilter(QObject* parent) : QSortFilterProxyModel(parent) {}

void AppLibraryFilter::setSearchText(const QString& text) {
    words_ = text.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
    invalidateFilter();
}

void AppLibraryFilter::setTag(const QString& tag) {
    tag_ = tag;
    invalidateFilter();
}

bool AppLibraryFilter::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const {
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!tag_.isEmpty()) {
        const QStringList tags = index.data(AppLibraryModel::TagsRole).toStringList();
        if (!tags.contains(tag_, Qt::CaseInsensitive)) return false;
    }
    const QString text = index.data(AppLibraryModel::SearchTextRole).toString();
    for (const QString& word : words_)
        if (!text.contains(word, Qt::CaseInsensitive)) return false;
    return true;
}

}  // namespace ps::ui
