#pragma once
// What the Library's search box and tag chooser leave visible: apps whose name,
// description or tags contain every word typed (in any order, any case), and
// that carry the chosen tag.
#include <QSortFilterProxyModel>

namespace ps::ui {

class AppLibraryFilter : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit AppLibraryFilter(QObject* parent = nullptr);

    void setSearchText(const QString& text);
    // Empty = every tag.
    void setTag(const QString& tag);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QStringList words_;
    QString tag_;
};

}  // namespace ps::ui
