#pragma once
// The app's inputs as a table (one row per form field, one column per setting), for
// the editor's list of inputs and its InputDetailsEditor. Reads from and writes to an EditedApp, so every change is
// an undo step; cells that do not apply to a row's type (options of a number, min of
// a text) are shown empty and cannot be edited.
#include <QAbstractTableModel>

#include "editor/edited_app.h"

namespace ps::ui {

class InputsTableModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        LabelColumn,
        TypeColumn,
        RequiredColumn,
        DefaultColumn,
        PlaceholderColumn,
        HelpColumn,
        OptionsColumn,
        MinColumn,
        MaxColumn,
        ColumnCount
    };

    explicit InputsTableModel(EditedApp* app, QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    bool setData(const QModelIndex& index, const QVariant& value, int role = Qt::EditRole) override;
    Qt::ItemFlags flags(const QModelIndex& index) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // One cell's change, as setData() but with the typing burst it belongs to:
    // EditedField::InputCell merges keystrokes in the same cell into one undo step
    // (the form-like editor types into fields; setData() is one step per call).
    bool editCell(int row, int column, const QVariant& value, int role, EditedField field);

    // Structural edits, each one undo step. addInput returns the new row; an empty
    // `name` picks an unused one ("input_1", ...).
    int addInput(const QString& name = {});
    bool removeInput(int row);
    // Moves a row up (-1) or down (+1); returns the row it ended on.
    int moveInput(int row, int delta);

    // The words shown for an input type ("Short text", "Yes / no", ...).
    static QString typeDisplayName(InputType type);

private:
    void refresh();
    int shownRows_ = 0;
    EditedApp* app_;
};

}  // namespace ps::ui
