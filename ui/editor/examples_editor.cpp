#include "editor/examples_editor.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ps::ui {

namespace {

QString exampleTitle(const AppExample& example, int index) {
    return example.name.trimmed().isEmpty() ? ExamplesEditor::tr("Example %1").arg(index + 1)
                                            : example.name;
}

QString valueText(const QVariant& value) {
    if (value.typeId() == QMetaType::Bool)
        return value.toBool() ? ExamplesEditor::tr("yes") : ExamplesEditor::tr("no");
    return value.toString();
}

// A value typed for `input` as the document stores it (numbers and yes/no typed).
QVariant valueFromText(const PromptInput* input, const QString& text) {
    if (input && input->type == InputType::Number) {
        bool ok = false;
        const double number = text.trimmed().toDouble(&ok);
        if (ok) return number;
    }
    if (input && input->type == InputType::Boolean) {
        const QString lower = text.trimmed().toLower();
        if (lower == QLatin1String("yes") || lower == QLatin1String("true")) return true;
        if (lower == QLatin1String("no") || lower == QLatin1String("false")) return false;
    }
    return text;
}

}  // namespace

ExamplesEditor::ExamplesEditor(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(tr("Examples are optional: sample values for the form that show how "
                                "the app is meant to be used. They can be re-run to check the app "
                                "after changing the model."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    auto* columns = new QHBoxLayout;
    auto* left = new QVBoxLayout;
    list_ = new QListWidget(this);
    list_->setObjectName(QStringLiteral("examplesList"));
    left->addWidget(list_, 1);
    // The buttons under each other keep the list narrow: the values need the room.
    add_ = new QPushButton(tr("Add e&xample"), this);
    remove_ = new QPushButton(tr("Remove example"), this);
    left->addWidget(add_);
    left->addWidget(remove_);
    list_->setMaximumWidth(remove_->sizeHint().width() * 3 / 2);
    columns->addLayout(left, 1);

    auto* right = new QVBoxLayout;
    auto* nameForm = new QFormLayout;
    name_ = new QLineEdit(this);
    name_->setObjectName(QStringLiteral("exampleName"));
    name_->setPlaceholderText(tr("e.g. short notes"));
    auto* nameLabel = new QLabel(tr("Example na&me"), this);
    nameLabel->setBuddy(name_);
    nameForm->addRow(nameLabel, name_);
    right->addLayout(nameForm);
    values_ = new QTableWidget(0, 2, this);
    values_->setObjectName(QStringLiteral("exampleValues"));
    values_->setHorizontalHeaderLabels({tr("Input"), tr("Value")});
    values_->horizontalHeader()->setStretchLastSection(true);
    values_->verticalHeader()->hide();
    // Long values wrap in their row instead of being cut.
    values_->setWordWrap(true);
    values_->verticalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    values_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    values_->setEditTriggers(QAbstractItemView::AllEditTriggers);  // one click edits
    right->addWidget(values_, 1);
    try_ = new QPushButton(tr("&Try This Example"), this);
    try_->setObjectName(QStringLiteral("tryExample"));
    try_->setToolTip(tr("Run the app with these values in Try it"));
    right->addWidget(try_, 0, Qt::AlignRight);
    columns->addLayout(right, 3);
    layout->addLayout(columns, 1);

    connect(list_, &QListWidget::currentRowChanged, this, [this] { showSelected(); });
    connect(try_, &QPushButton::clicked, this, [this] {
        const int row = list_->currentRow();
        if (row >= 0 && row < app_.examples.size()) emit tryExampleRequested(app_.examples.at(row).inputs);
    });
    connect(add_, &QPushButton::clicked, this, [this] {
        QList<AppExample> examples = app_.examples;
        AppExample example;
        // Start from the inputs' defaults so the example is runnable at once.
        for (const PromptInput& input : app_.inputs) {
            if (input.defaultValue.isValid()) {
                example.inputs.insert(input.name, input.defaultValue);
                example.inputOrder << input.name;
            }
        }
        examples.append(example);
        emit examplesEdited(examples, 0);
        list_->setCurrentRow(static_cast<int>(examples.size()) - 1);
    });
    connect(remove_, &QPushButton::clicked, this, [this] {
        const int row = list_->currentRow();
        if (row < 0 || row >= app_.examples.size()) return;
        QList<AppExample> examples = app_.examples;
        examples.removeAt(row);
        emit examplesEdited(examples, 0);
    });
    connect(name_, &QLineEdit::textEdited, this, [this](const QString& text) {
        editSelected([&](AppExample& example) { example.name = text; }, 1);
    });
    connect(values_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (updating_ || item->column() != 1) return;
        const QString inputName = item->data(Qt::UserRole).toString();
        const QString text = item->text();
        editSelected(
            [&](AppExample& example) {
                if (text.isEmpty()) {
                    example.inputs.remove(inputName);
                    example.inputOrder.removeAll(inputName);
                    return;
                }
                example.inputs.insert(inputName, valueFromText(app_.findInput(inputName), text));
                if (!example.inputOrder.contains(inputName)) example.inputOrder << inputName;
            },
            2 + item->row());
    });
}

void ExamplesEditor::setApp(const PromptApp& app) {
    app_ = app;
    updating_ = true;
    const int keep = list_->currentRow();
    list_->clear();
    for (int i = 0; i < app.examples.size(); ++i)
        list_->addItem(exampleTitle(app.examples.at(i), i));
    if (!app.examples.isEmpty())
        list_->setCurrentRow(qBound(0, keep, static_cast<int>(app.examples.size()) - 1));
    updating_ = false;
    showSelected();
}

void ExamplesEditor::showSelected() {
    if (updating_) return;
    updating_ = true;
    const int row = list_->currentRow();
    const bool has = row >= 0 && row < app_.examples.size();
    remove_->setEnabled(has);
    try_->setEnabled(has);
    name_->setEnabled(has);
    values_->setEnabled(has);
    const AppExample example = has ? app_.examples.at(row) : AppExample();
    if (name_->text() != example.name) name_->setText(example.name);
    values_->setRowCount(static_cast<int>(app_.inputs.size()));
    for (int i = 0; i < app_.inputs.size(); ++i) {
        const PromptInput& input = app_.inputs.at(i);
        auto* label = new QTableWidgetItem(input.displayLabel());
        label->setFlags(Qt::ItemIsEnabled);
        values_->setItem(i, 0, label);
        auto* value = new QTableWidgetItem(valueText(example.inputs.value(input.name)));
        value->setData(Qt::UserRole, input.name);
        values_->setItem(i, 1, value);
    }
    updating_ = false;
}

void ExamplesEditor::editSelected(const std::function<void(AppExample&)>& change, int detail) {
    if (updating_) return;
    const int row = list_->currentRow();
    if (row < 0 || row >= app_.examples.size()) return;
    QList<AppExample> examples = app_.examples;
    change(examples[row]);
    emit examplesEdited(examples, detail);
}

}  // namespace ps::ui
