#include "editor/input_details_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QScrollArea>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "document/promptapp_validation.h"
#include "editor/inputs_table_model.h"

namespace ps::ui {

namespace {

QLabel* hint(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

// A field with its explanation under it, as one row of the form.
QWidget* withHint(QWidget* field, const QString& text, QWidget* parent) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    field->setParent(box);
    layout->addWidget(field);
    layout->addWidget(hint(text, box));
    return box;
}

void setTextIfDifferent(QLineEdit* edit, const QString& text) {
    if (edit->text() == text) return;
    edit->setText(text);
    if (!edit->hasFocus()) edit->setCursorPosition(0);  // a long text shown from its start
}

}  // namespace

InputDetailsEditor::InputDetailsEditor(InputsTableModel* model, QWidget* parent)
    : QWidget(parent), model_(model) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    pages_ = new QStackedWidget(this);
    layout->addWidget(pages_);

    auto* empty = hint(tr("This app has no form yet. Click Add input: each input becomes a "
                          "field people fill in, and its name can be used in the template."),
                       pages_);
    empty->setObjectName(QStringLiteral("noInputSelected"));
    empty->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    pages_->addWidget(empty);

    // The fields scroll up and down when the window is short, never sideways.
    auto* scroll = new QScrollArea(pages_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    auto* fields = new QWidget(scroll);
    form_ = new QFormLayout(fields);
    form_->setContentsMargins(0, 0, 0, 0);
    form_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form_->setRowWrapPolicy(QFormLayout::WrapLongRows);
    scroll->setWidget(fields);
    pages_->addWidget(scroll);

    auto lineEdit = [fields](const char* name, const QString& placeholder) {
        auto* edit = new QLineEdit(fields);
        edit->setObjectName(QString::fromLatin1(name));
        edit->setPlaceholderText(placeholder);
        return edit;
    };
    auto addRow = [this, fields](const QString& text, QWidget* buddy, QWidget* field) {
        auto* label = new QLabel(text, fields);
        label->setBuddy(buddy);
        form_->addRow(label, field);
    };

    name_ = lineEdit("inputName", tr("e.g. topic"));
    auto* nameBox = new QWidget(fields);
    auto* nameLayout = new QVBoxLayout(nameBox);
    nameLayout->setContentsMargins(0, 0, 0, 0);
    nameLayout->setSpacing(2);
    name_->setParent(nameBox);
    nameLayout->addWidget(name_);
    nameProblem_ = new QLabel(nameBox);
    nameProblem_->setObjectName(QStringLiteral("inputNameProblem"));
    nameProblem_->setWordWrap(true);
    nameProblem_->hide();
    nameLayout->addWidget(nameProblem_);
    nameLayout->addWidget(hint(tr("Write {{ name }} in the template where the value goes."), nameBox));
    addRow(tr("Na&me"), name_, nameBox);

    label_ = lineEdit("inputLabel", {});
    addRow(tr("&Label"), label_, withHint(label_, tr("What the form shows next to the field."), fields));

    type_ = new QComboBox(fields);
    type_->setObjectName(QStringLiteral("inputType"));
    for (const QString& typeName : inputTypeNames())
        type_->addItem(InputsTableModel::typeDisplayName(*inputTypeFromName(typeName)), typeName);
    addRow(tr("T&ype"), type_, type_);

    required_ = new QCheckBox(tr("Must be filled in to run"), fields);
    required_->setObjectName(QStringLiteral("inputRequired"));
    addRow(tr("Re&quired"), required_, required_);

    options_ = lineEdit("inputOptions", tr("e.g. formal, friendly, funny"));
    addRow(tr("&Choices"), options_,
           withHint(options_, tr("The choices people pick from, separated by commas."), fields));

    min_ = lineEdit("inputMin", tr("no limit"));
    addRow(tr("S&mallest"), min_, min_);
    max_ = lineEdit("inputMax", tr("no limit"));
    addRow(tr("Lar&gest"), max_, max_);

    default_ = lineEdit("inputDefault", {});
    addRow(tr("&Default"), default_,
           withHint(default_, tr("The value the field starts with (may stay empty)."), fields));

    placeholder_ = lineEdit("inputPlaceholder", tr("e.g. the moon landing"));
    addRow(tr("&Placeholder"), placeholder_,
           withHint(placeholder_, tr("Grey example text shown while the field is empty."), fields));

    help_ = lineEdit("inputHelp", {});
    addRow(tr("&Help"), help_, withHint(help_, tr("A short explanation shown under the field."), fields));

    connect(name_, &QLineEdit::textEdited, this, &InputDetailsEditor::nameEdited);
    connect(name_, &QLineEdit::editingFinished, this, [this] {
        // A name that could not be used goes back to the one the app has.
        nameProblem_->hide();
        refresh();
    });
    const std::pair<QLineEdit*, int> texts[] = {
        {label_, InputsTableModel::LabelColumn},       {default_, InputsTableModel::DefaultColumn},
        {options_, InputsTableModel::OptionsColumn},   {min_, InputsTableModel::MinColumn},
        {max_, InputsTableModel::MaxColumn},           {placeholder_, InputsTableModel::PlaceholderColumn},
        {help_, InputsTableModel::HelpColumn},
    };
    for (const auto& [edit, column] : texts) {
        connect(edit, &QLineEdit::textEdited, this,
                [this, column = column](const QString& text) { commitText(column, text); });
    }
    // Choices are split at commas only when the field is left, so "a, b" can be typed.
    connect(options_, &QLineEdit::editingFinished, this, [this] { refresh(); });
    connect(type_, &QComboBox::activated, this, [this] {
        if (showing_ || row_ < 0) return;
        model_->editCell(row_, InputsTableModel::TypeColumn, type_->currentData(), Qt::EditRole,
                         EditedField::None);
    });
    connect(required_, &QCheckBox::clicked, this, [this](bool checked) {
        if (showing_ || row_ < 0) return;
        model_->editCell(row_, InputsTableModel::RequiredColumn, checked ? Qt::Checked : Qt::Unchecked,
                         Qt::CheckStateRole, EditedField::None);
    });

    connect(model_, &QAbstractItemModel::dataChanged, this, [this] { refresh(); });
    connect(model_, &QAbstractItemModel::modelReset, this, [this] { refresh(); });
    refresh();
}

QList<QWidget*> InputDetailsEditor::typingFields() const {
    return {name_, label_, default_, options_, min_, max_, placeholder_, help_};
}

void InputDetailsEditor::setRow(int row) {
    if (row_ == row) return;
    row_ = row;
    nameProblem_->hide();
    refresh();
}

void InputDetailsEditor::focusName() {
    name_->setFocus();
    name_->selectAll();
}

void InputDetailsEditor::refresh() {
    const bool has = row_ >= 0 && row_ < model_->rowCount();
    pages_->setCurrentIndex(has ? 1 : 0);
    if (!has) return;
    showing_ = true;
    auto text = [this](int column) { return model_->index(row_, column).data(Qt::EditRole).toString(); };
    // While a name that cannot be used yet is being typed, the field keeps it.
    if (!(name_->hasFocus() && nameProblem_->isVisible())) setTextIfDifferent(name_, text(InputsTableModel::NameColumn));
    setTextIfDifferent(label_, text(InputsTableModel::LabelColumn));
    label_->setPlaceholderText(model_->index(row_, InputsTableModel::LabelColumn).data(Qt::DisplayRole).toString());
    const QString typeName = text(InputsTableModel::TypeColumn);
    type_->setCurrentIndex(type_->findData(typeName));
    required_->setChecked(model_->index(row_, InputsTableModel::RequiredColumn).data(Qt::CheckStateRole).toInt() ==
                          Qt::Checked);
    setTextIfDifferent(default_, text(InputsTableModel::DefaultColumn));
    // Choices are shown as stored only when not being typed (the model drops empty ones).
    if (!options_->hasFocus()) setTextIfDifferent(options_, text(InputsTableModel::OptionsColumn));
    if (!min_->hasFocus()) setTextIfDifferent(min_, text(InputsTableModel::MinColumn));
    if (!max_->hasFocus()) setTextIfDifferent(max_, text(InputsTableModel::MaxColumn));
    setTextIfDifferent(placeholder_, text(InputsTableModel::PlaceholderColumn));
    setTextIfDifferent(help_, text(InputsTableModel::HelpColumn));

    // Only the settings the type has are shown.
    const auto type = inputTypeFromName(typeName).value_or(InputType::Text);
    form_->setRowVisible(options_->parentWidget(), type == InputType::Choice);
    form_->setRowVisible(min_, type == InputType::Number);
    form_->setRowVisible(max_, type == InputType::Number);
    form_->setRowVisible(placeholder_->parentWidget(),
                         type == InputType::Text || type == InputType::Paragraph || type == InputType::Number);
    switch (type) {
        case InputType::Boolean:
            default_->setPlaceholderText(tr("yes or no"));
            break;
        case InputType::Choice:
            default_->setPlaceholderText(tr("one of the choices"));
            break;
        case InputType::Number:
            default_->setPlaceholderText(tr("a number"));
            break;
        default:
            default_->setPlaceholderText({});
            break;
    }
    showing_ = false;
}

void InputDetailsEditor::commitText(int column, const QString& text) {
    if (showing_ || row_ < 0) return;
    model_->editCell(row_, column, text, Qt::EditRole, EditedField::InputCell);
}

QString InputDetailsEditor::nameProblem(const QString& name) const {
    if (name.isEmpty()) return tr("⚠ An input needs a name.");
    if (!isValidInputName(name))
        return tr("⚠ Use letters, digits and _ only, starting with a letter; some words "
                  "(if, for, and…) are taken by the template language.");
    for (int row = 0; row < model_->rowCount(); ++row) {
        if (row != row_ && model_->index(row, InputsTableModel::NameColumn).data(Qt::EditRole).toString() == name)
            return tr("⚠ Another input is already called %1.").arg(name);
    }
    return {};
}

void InputDetailsEditor::nameEdited(const QString& text) {
    if (showing_ || row_ < 0) return;
    // Only a name the template can use is taken over: the template's {{ name }} follows
    // each one, and would lose track through an empty or invalid name.
    const QString name = text.trimmed();
    const QString problem = nameProblem(name);
    nameProblem_->setText(problem);
    nameProblem_->setVisible(!problem.isEmpty());
    if (problem.isEmpty())
        model_->editCell(row_, InputsTableModel::NameColumn, name, Qt::EditRole, EditedField::InputCell);
}

}  // namespace ps::ui
