#include "editor/inputs_table_model.h"

#include <QCoreApplication>
#include <QLocale>
#include <QRegularExpression>

#include "document/promptapp_validation.h"
#include "editor/template_rename.h"

namespace ps::ui {

namespace {

QString numberText(const std::optional<double>& value) {
    return value ? QString::number(*value) : QString();
}

// Empty text = not set; anything else must be a number (invalid -> false).
bool parseOptionalNumber(const QString& text, std::optional<double>* out) {
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) {
        out->reset();
        return true;
    }
    bool ok = false;
    const double value = QLocale().toDouble(trimmed, &ok);
    const double plain = ok ? value : trimmed.toDouble(&ok);
    if (!ok) return false;
    *out = plain;
    return true;
}

// A default as the document stores it: a number for number inputs, a bool for
// yes/no inputs, otherwise text; empty = no default.
QVariant defaultFromText(InputType type, const QString& text) {
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty()) return {};
    if (type == InputType::Number) {
        bool ok = false;
        const double value = trimmed.toDouble(&ok);
        return ok ? QVariant(value) : QVariant(text);
    }
    if (type == InputType::Boolean) {
        const QString lower = trimmed.toLower();
        if (lower == QLatin1String("true") || lower == QLatin1String("yes")) return true;
        if (lower == QLatin1String("false") || lower == QLatin1String("no")) return false;
    }
    return text;
}

QString defaultToText(const PromptInput& input) {
    if (!input.defaultValue.isValid()) return {};
    if (input.defaultValue.typeId() == QMetaType::Bool)
        return input.defaultValue.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    return input.defaultValue.toString();
}

}  // namespace

InputsTableModel::InputsTableModel(EditedApp* app, QObject* parent)
    : QAbstractTableModel(parent), app_(app) {
    shownRows_ = static_cast<int>(app_->app().inputs.size());
    connect(app_, &EditedApp::changed, this, &InputsTableModel::refresh);
    connect(app_, &EditedApp::documentReset, this, [this] {
        beginResetModel();
        shownRows_ = static_cast<int>(app_->app().inputs.size());
        endResetModel();
    });
}

QString InputsTableModel::typeDisplayName(InputType type) {
    switch (type) {
        case InputType::Text:
            return tr("Short text");
        case InputType::Paragraph:
            return tr("Paragraph");
        case InputType::Number:
            return tr("Number");
        case InputType::Choice:
            return tr("Choice");
        case InputType::Boolean:
            return tr("Yes / no");
        case InputType::File:
            return tr("File");
    }
    return {};
}

void InputsTableModel::refresh() {
    const int rows = static_cast<int>(app_->app().inputs.size());
    if (rows == shownRows_) {
        if (rows > 0) emit dataChanged(index(0, 0), index(rows - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    shownRows_ = rows;
    endResetModel();
}

int InputsTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : shownRows_;
}

int InputsTableModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant InputsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Vertical) {
        return role == Qt::DisplayRole ? QVariant(section + 1) : QVariant();
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
            case NameColumn:
                return tr("The name the template uses, as in {{ name }}: letters, digits and _");
            case LabelColumn:
                return tr("What the form shows next to the field");
            case TypeColumn:
                return tr("What kind of field the form shows");
            case RequiredColumn:
                return tr("The app cannot run until this is filled in");
            case DefaultColumn:
                return tr("The value the field starts with");
            case PlaceholderColumn:
                return tr("Grey example text shown in an empty field");
            case HelpColumn:
                return tr("A short explanation shown under the field");
            case OptionsColumn:
                return tr("For a choice: the options, separated by commas");
            case MinColumn:
                return tr("For a number: the smallest allowed value");
            case MaxColumn:
                return tr("For a number: the largest allowed value");
        }
        return {};
    }
    if (role != Qt::DisplayRole) return {};
    switch (section) {
        case NameColumn:
            return tr("Name");
        case LabelColumn:
            return tr("Label");
        case TypeColumn:
            return tr("Type");
        case RequiredColumn:
            return tr("Required");
        case DefaultColumn:
            return tr("Default");
        case PlaceholderColumn:
            return tr("Placeholder");
        case HelpColumn:
            return tr("Help");
        case OptionsColumn:
            return tr("Options");
        case MinColumn:
            return tr("Min");
        case MaxColumn:
            return tr("Max");
    }
    return {};
}

Qt::ItemFlags InputsTableModel::flags(const QModelIndex& index) const {
    if (!index.isValid() || index.row() >= shownRows_) return Qt::NoItemFlags;
    const PromptInput& input = app_->app().inputs.at(index.row());
    Qt::ItemFlags flags = Qt::ItemIsSelectable | Qt::ItemIsEnabled;
    switch (index.column()) {
        case RequiredColumn:
            return flags | Qt::ItemIsUserCheckable;
        case OptionsColumn:
            return input.type == InputType::Choice ? flags | Qt::ItemIsEditable
                                                   : Qt::ItemIsSelectable;
        case MinColumn:
        case MaxColumn:
            return input.type == InputType::Number ? flags | Qt::ItemIsEditable
                                                   : Qt::ItemIsSelectable;
        default:
            return flags | Qt::ItemIsEditable;
    }
}

QVariant InputsTableModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= shownRows_) return {};
    const PromptInput& input = app_->app().inputs.at(index.row());
    const int column = index.column();
    if (role == Qt::CheckStateRole && column == RequiredColumn)
        return input.required ? Qt::Checked : Qt::Unchecked;
    if (role == Qt::ToolTipRole) {
        if (column == OptionsColumn && input.type != InputType::Choice)
            return tr("Only choice inputs have options");
        if ((column == MinColumn || column == MaxColumn) && input.type != InputType::Number)
            return tr("Only number inputs have a smallest and largest value");
        return headerData(column, Qt::Horizontal, Qt::ToolTipRole);
    }
    if (role != Qt::DisplayRole && role != Qt::EditRole) return {};
    switch (column) {
        case NameColumn:
            return input.name;
        case LabelColumn:
            // Show the label the form will use, so an empty label is not a mystery.
            return role == Qt::DisplayRole ? input.displayLabel() : input.label;
        case TypeColumn:
            return role == Qt::DisplayRole ? typeDisplayName(input.type)
                                           : inputTypeName(input.type);
        case RequiredColumn:
            return {};
        case DefaultColumn:
            return defaultToText(input);
        case PlaceholderColumn:
            return input.placeholder;
        case HelpColumn:
            return input.help;
        case OptionsColumn:
            return input.options.join(QStringLiteral(", "));
        case MinColumn:
            return numberText(input.min);
        case MaxColumn:
            return numberText(input.max);
    }
    return {};
}

bool InputsTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
    if (!index.isValid()) return false;
    return editCell(index.row(), index.column(), value, role, EditedField::None);
}

bool InputsTableModel::editCell(int row, int column, const QVariant& value, int role,
                                EditedField field) {
    if (row < 0 || row >= shownRows_ || column < 0 || column >= ColumnCount) return false;
    const QModelIndex index = this->index(row, column);
    PromptApp after = app_->app();
    PromptInput& input = after.inputs[index.row()];
    const QString text = value.toString();
    QString what;
    if (role == Qt::CheckStateRole && index.column() == RequiredColumn) {
        input.required = value.toInt() == Qt::Checked;
        what = tr("Change required of '%1'");
    } else if (role == Qt::EditRole) {
        switch (index.column()) {
            case NameColumn: {
                const QString from = input.name;
                input.name = text.trimmed();
                // Keep the template working: its uses of the old name follow the input,
                // unless another input already has the new name.
                bool taken = false;
                for (int i = 0; i < after.inputs.size(); ++i)
                    taken = taken || (i != index.row() && after.inputs.at(i).name == input.name);
                if (!from.isEmpty() && !taken && isValidInputName(input.name)) {
                    after.templateText =
                        renameTemplateVariable(after.templateText, from, input.name);
                    for (AppExample& example : after.examples) {
                        if (!example.inputs.contains(from)) continue;
                        example.inputs.insert(input.name, example.inputs.take(from));
                        example.inputOrder.replaceInStrings(
                            QRegularExpression(QStringLiteral("^%1$").arg(from)), input.name);
                    }
                }
                what = tr("Rename input '%1'");
                break;
            }
            case LabelColumn:
                input.label = text;
                break;
            case TypeColumn: {
                const auto type = inputTypeFromName(text);
                if (!type) return false;
                input.type = *type;
                // Settings of the old type would only become validation errors.
                if (input.type != InputType::Choice) input.options.clear();
                if (input.type != InputType::Number) {
                    input.min.reset();
                    input.max.reset();
                }
                input.defaultValue = defaultFromText(input.type, defaultToText(input));
                what = tr("Change type of '%1'");
                break;
            }
            case DefaultColumn:
                input.defaultValue = defaultFromText(input.type, text);
                break;
            case PlaceholderColumn:
                input.placeholder = text;
                break;
            case HelpColumn:
                input.help = text;
                break;
            case OptionsColumn: {
                QStringList options;
                for (const QString& option : text.split(QLatin1Char(','))) {
                    if (!option.trimmed().isEmpty()) options << option.trimmed();
                }
                input.options = options;
                break;
            }
            case MinColumn:
                if (!parseOptionalNumber(text, &input.min)) return false;
                break;
            case MaxColumn:
                if (!parseOptionalNumber(text, &input.max)) return false;
                break;
            default:
                return false;
        }
    } else {
        return false;
    }
    if (what.isEmpty()) what = tr("Edit input '%1'");
    app_->edit(after, what.arg(app_->app().inputs.at(index.row()).name), field,
               field == EditedField::None ? 0 : row * ColumnCount + column);
    return true;
}

int InputsTableModel::addInput(const QString& name) {
    PromptApp after = app_->app();
    QString chosen = name;
    if (chosen.isEmpty()) {
        for (int n = after.inputs.size() + 1;; ++n) {
            chosen = QStringLiteral("input_%1").arg(n);
            if (!after.findInput(chosen)) break;
        }
    }
    PromptInput input;
    input.name = chosen;
    after.inputs.append(input);
    app_->edit(after, tr("Add input '%1'").arg(chosen));
    return static_cast<int>(after.inputs.size()) - 1;
}

bool InputsTableModel::removeInput(int row) {
    if (row < 0 || row >= app_->app().inputs.size()) return false;
    PromptApp after = app_->app();
    const QString name = after.inputs.at(row).name;
    after.inputs.removeAt(row);
    app_->edit(after, tr("Remove input '%1'").arg(name));
    return true;
}

int InputsTableModel::moveInput(int row, int delta) {
    const int count = static_cast<int>(app_->app().inputs.size());
    const int target = row + delta;
    if (row < 0 || row >= count || target < 0 || target >= count) return row;
    PromptApp after = app_->app();
    after.inputs.move(row, target);
    app_->edit(after, tr("Move input '%1'").arg(after.inputs.at(target).name));
    return target;
}

}  // namespace ps::ui
