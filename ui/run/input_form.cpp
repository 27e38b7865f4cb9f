#include "run/input_form.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTextDocument>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

#include "run/file_input_field.h"
#include "runner/input_values.h"
#include "settings/theme.h"

namespace ps::ui {
namespace {

bool isWhole(double value) { return std::isfinite(value) && value == std::floor(value); }

// Whole-number inputs get a QSpinBox, others a QDoubleSpinBox with two decimals.
bool wantsIntegerSpinBox(const PromptInput& input) {
    const auto whole = [](const std::optional<double>& v) { return !v || isWhole(*v); };
    const bool defaultWhole = !input.defaultValue.isValid() || isWhole(input.defaultValue.toDouble());
    return whole(input.min) && whole(input.max) && defaultWhole;
}

QLabel* smallLabel(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    label->setFont(font);
    label->setTextFormat(Qt::PlainText);
    return label;
}

// "input 'topic': 12 is above the maximum 10" -> "12 is above the maximum 10".
QString withoutInputPrefix(const QString& message, const QString& name) {
    const QString prefix = QStringLiteral("input '%1': ").arg(name);
    return message.startsWith(prefix) ? message.mid(prefix.size()) : message;
}

}  // namespace

InputForm::InputForm(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    layout_ = new QFormLayout;
    layout_->setRowWrapPolicy(QFormLayout::WrapLongRows);
    layout_->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    outer->addLayout(layout_);
    requiredNote_ = smallLabel(tr("Fields marked * are required."), this);
    outer->addWidget(requiredNote_);
    outer->addStretch(1);  // extra height goes below the fields, not between them
    requiredNote_->hide();
}

QWidget* InputForm::createEditor(const PromptInput& input) {
    const QString tip = input.help;
    QWidget* editor = nullptr;
    switch (input.type) {
    case InputType::Text: {
        auto* line = new QLineEdit(this);
        line->setPlaceholderText(input.placeholder);
        connect(line, &QLineEdit::textChanged, this, &InputForm::valuesChanged);
        connect(line, &QLineEdit::returnPressed, this, &InputForm::submitted);
        editor = line;
        break;
    }
    case InputType::Paragraph: {
        auto* box = new QPlainTextEdit(this);
        box->setPlaceholderText(input.placeholder);
        box->setTabChangesFocus(true);
        // About five lines, measured in the font so it scales with the screen; longer
        // text scrolls inside the box.
        const QFontMetrics metrics(box->font());
        const int margins = int(box->document()->documentMargin() * 2) + box->frameWidth() * 2;
        box->setFixedHeight(metrics.lineSpacing() * 5 + margins);
        box->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        connect(box, &QPlainTextEdit::textChanged, this, &InputForm::valuesChanged);
        editor = box;
        break;
    }
    case InputType::Number: {
        const double low = input.min.value_or(-1e9);
        const double high = input.max.value_or(1e9);
        if (wantsIntegerSpinBox(input)) {
            auto* spin = new QSpinBox(this);
            spin->setRange(int(std::max(low, double(std::numeric_limits<int>::min()))),
                           int(std::min(high, double(std::numeric_limits<int>::max()))));
            connect(spin, &QSpinBox::valueChanged, this, &InputForm::valuesChanged);
            editor = spin;
        } else {
            auto* spin = new QDoubleSpinBox(this);
            spin->setDecimals(2);
            spin->setRange(low, high);
            connect(spin, &QDoubleSpinBox::valueChanged, this, &InputForm::valuesChanged);
            editor = spin;
        }
        break;
    }
    case InputType::Choice: {
        auto* combo = new QComboBox(this);
        if (!input.required && !input.defaultValue.isValid()) combo->addItem(tr("(none)"), QString());
        for (const QString& option : input.options) combo->addItem(option, option);
        connect(combo, &QComboBox::currentIndexChanged, this, &InputForm::valuesChanged);
        editor = combo;
        break;
    }
    case InputType::Boolean: {
        auto* check = new QCheckBox(input.placeholder.isEmpty() ? tr("Yes") : input.placeholder, this);
        connect(check, &QCheckBox::toggled, this, &InputForm::valuesChanged);
        editor = check;
        break;
    }
    case InputType::File: {
        auto* file = new FileInputField(this);
        connect(file, &FileInputField::pathChanged, this, &InputForm::valuesChanged);
        editor = file;
        break;
    }
    }
    editor->setObjectName(QStringLiteral("input_") + input.name);
    editor->setToolTip(tip);
    editor->setAccessibleName(input.displayLabel());
    editor->setAccessibleDescription(tip);
    return editor;
}

void InputForm::setApp(const PromptApp& app) {
    app_ = app;
    while (layout_->rowCount() > 0) layout_->removeRow(0);
    fields_.clear();
    bool anyRequired = false;
    for (const PromptInput& input : app.inputs) {
        Field field;
        field.input = input;
        field.editor = createEditor(input);
        auto* column = new QWidget(this);
        auto* columnLayout = new QVBoxLayout(column);
        columnLayout->setContentsMargins(0, 0, 0, 0);
        columnLayout->setSpacing(2);
        columnLayout->addWidget(field.editor);
        if (!input.help.isEmpty()) columnLayout->addWidget(smallLabel(input.help, column));
        field.message = smallLabel(QString(), column);
        field.message->setObjectName(QStringLiteral("message_") + input.name);
        field.message->setStyleSheet(QStringLiteral("color: %1;").arg(errorColor().name()));
        field.message->hide();
        columnLayout->addWidget(field.message);

        // "Topic:", but "Who is it about?" keeps its own punctuation; the required
        // mark comes last.
        QString labelText = input.displayLabel().trimmed();
        if (!labelText.isEmpty() && !QStringLiteral("?:!.").contains(labelText.back())) labelText += QLatin1Char(':');
        if (input.required) {
            labelText += QStringLiteral(" *");
            anyRequired = true;
        }
        auto* label = new QLabel(labelText, this);
        label->setBuddy(field.editor);
        label->setToolTip(input.help);
        layout_->addRow(label, column);
        fields_.append(field);
        setValueOf(field, input.defaultValue);
    }
    requiredNote_->setVisible(anyRequired);
    if (!fields_.isEmpty()) setFocusProxy(fields_.first().editor);
}

QVariant InputForm::valueOf(const Field& field) const {
    QWidget* editor = field.editor;
    if (auto* line = qobject_cast<QLineEdit*>(editor)) return line->text();
    if (auto* box = qobject_cast<QPlainTextEdit*>(editor)) return box->toPlainText();
    if (auto* spin = qobject_cast<QSpinBox*>(editor)) return spin->value();
    if (auto* spin = qobject_cast<QDoubleSpinBox*>(editor)) return spin->value();
    if (auto* combo = qobject_cast<QComboBox*>(editor)) return combo->currentData().toString();
    if (auto* check = qobject_cast<QCheckBox*>(editor)) return check->isChecked();
    if (auto* file = qobject_cast<FileInputField*>(editor)) return file->path();
    return {};
}

void InputForm::setValueOf(const Field& field, const QVariant& value) {
    QWidget* editor = field.editor;
    if (auto* line = qobject_cast<QLineEdit*>(editor)) line->setText(value.toString());
    else if (auto* box = qobject_cast<QPlainTextEdit*>(editor)) box->setPlainText(value.toString());
    else if (auto* spin = qobject_cast<QSpinBox*>(editor)) {
        spin->setValue(value.isValid() ? int(std::lround(value.toDouble()))
                                       : std::clamp(0, spin->minimum(), spin->maximum()));
    } else if (auto* spin = qobject_cast<QDoubleSpinBox*>(editor)) {
        spin->setValue(value.isValid() ? value.toDouble() : std::clamp(0.0, spin->minimum(), spin->maximum()));
    } else if (auto* combo = qobject_cast<QComboBox*>(editor)) {
        const int index = combo->findData(value.toString());
        combo->setCurrentIndex(index >= 0 ? index : 0);
    } else if (auto* check = qobject_cast<QCheckBox*>(editor)) {
        const QString text = value.toString().toLower();
        check->setChecked(value.typeId() == QMetaType::Bool ? value.toBool()
                                                           : (text == QLatin1String("true") || text == QLatin1String("yes") ||
                                                              text == QLatin1String("1")));
    } else if (auto* file = qobject_cast<FileInputField*>(editor)) {
        file->setPath(value.toString());
    }
}

QVariantMap InputForm::values() const {
    QVariantMap values;
    for (const Field& field : fields_) {
        const QVariant value = valueOf(field);
        // Leave blanks out: the runner then applies the input's default.
        if (value.typeId() == QMetaType::QString && value.toString().trimmed().isEmpty()) continue;
        values.insert(field.input.name, value);
    }
    return values;
}

void InputForm::setValues(const QVariantMap& values) {
    for (const Field& field : fields_)
        if (values.contains(field.input.name)) setValueOf(field, values.value(field.input.name));
}

void InputForm::clearTextFields() {
    for (const Field& field : fields_) {
        if (auto* line = qobject_cast<QLineEdit*>(field.editor)) line->clear();
        if (auto* box = qobject_cast<QPlainTextEdit*>(field.editor)) box->clear();
    }
}

bool InputForm::validate() {
    clearMessages();
    const QVariantMap given = values();
    bool ok = true;
    QWidget* firstWrong = nullptr;
    for (const Field& field : fields_) {
        const PromptInput& input = field.input;
        PromptApp single;
        single.inputs = {input};
        QVariantMap one;
        if (given.contains(input.name)) one.insert(input.name, given.value(input.name));
        const CheckedInputs checked = checkInputs(single, one);
        if (checked.ok()) continue;
        ok = false;
        const bool missing = !given.contains(input.name) && !input.defaultValue.isValid();
        setFieldMessage(input.name, missing ? tr("Please fill this in: the app needs it.")
                                            : withoutInputPrefix(checked.errors.first(), input.name));
        if (!firstWrong) firstWrong = field.editor;
    }
    if (firstWrong) firstWrong->setFocus(Qt::OtherFocusReason);
    return ok;
}

void InputForm::setFieldMessage(const QString& input, const QString& message) {
    for (const Field& field : fields_) {
        if (field.input.name != input) continue;
        field.message->setText(message);
        field.message->setVisible(!message.isEmpty());
    }
}

QString InputForm::fieldMessage(const QString& input) const {
    for (const Field& field : fields_)
        if (field.input.name == input && field.message->isVisibleTo(this)) return field.message->text();
    return {};
}

void InputForm::clearMessages() {
    for (const Field& field : fields_) {
        field.message->clear();
        field.message->hide();
    }
}

QWidget* InputForm::fieldWidget(const QString& input) const {
    for (const Field& field : fields_)
        if (field.input.name == input) return field.editor;
    return nullptr;
}

}  // namespace ps::ui
