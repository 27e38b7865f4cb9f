#pragma once
// Draws one app of the Library: its icon (an emoji, large), its name in bold,
// its description below (elided), and a "Sample" or "Problem" badge.
#include <QStyledItemDelegate>

namespace ps::ui {

class AppLibraryDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter* painter, const QStyleOptionViewItem& option,
               const QModelIndex& index) const override;
    QSize sizeHint(const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace ps::ui
