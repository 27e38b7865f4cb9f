#include "editor/input_type_delegate.h"

#include <QComboBox>

#include "document/prompt_app.h"
#include "editor/inputs_table_model.h"

namespace ps::ui {

QWidget* InputTypeDelegate::createEditor(QWidget* parent, const QStyleOptionViewItem&,
                                         const QModelIndex&) const {
    auto* combo = new QComboBox(parent);
    for (const QString& name : inputTypeNames()) {
        combo->addItem(InputsTableModel::typeDisplayName(*inputTypeFromName(name)), name);
    }
    // Choosing an item is the whole edit: commit at once instead of on focus loss.
    connect(combo, &QComboBox::activated, this,
            [this, combo] { emit const_cast<InputTypeDelegate*>(this)->commitData(combo); });
    return combo;
}

void InputTypeDelegate::setEditorData(QWidget* editor, const QModelIndex& index) const {
    auto* combo = static_cast<QComboBox*>(editor);
    combo->setCurrentIndex(combo->findData(index.data(Qt::EditRole)));
}

void InputTypeDelegate::setModelData(QWidget* editor, QAbstractItemModel* model,
                                     const QModelIndex& index) const {
    auto* combo = static_cast<QComboBox*>(editor);
    if (combo->currentData() != index.data(Qt::EditRole))
        model->setData(index, combo->currentData(), Qt::EditRole);
}

}  // namespace ps::ui
