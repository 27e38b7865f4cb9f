#pragma once
// Edits the Type column of the inputs table with a combo box of the input types in
// plain words, storing the file spelling ("text", "choice", ...).
#include <QStyledItemDelegate>

namespace ps::ui {

class InputTypeDelegate : public QStyledItemDelegate {
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;

    QWidget* createEditor(QWidget* parent, const QStyleOptionViewItem& option,
                          const QModelIndex& index) const override;
    void setEditorData(QWidget* editor, const QModelIndex& index) const override;
    void setModelData(QWidget* editor, QAbstractItemModel* model,
                      const QModelIndex& index) const override;
};

}  // namespace ps::ui
