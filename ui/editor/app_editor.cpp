#include "editor/app_editor.h"

#include <QAction>
#include <QComboBox>
#include <QEvent>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QGridLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTabWidget>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

#include "document/promptapp_validation.h"
#include "editor/app_editor_private.h"
#include "editor/emoji_picker.h"
#include "editor/examples_editor.h"
#include "editor/input_details_editor.h"
#include "editor/inputs_table_model.h"
#include "editor/parameters_editor.h"
#include "editor/problems_panel.h"
#include "editor/template_highlighter.h"
#include "editor/unknown_variables_panel.h"
#include "runner/generation_service.h"

// The Try-it panel embeds the run view (ui/run) when this build has it.
#if __has_include("run/run_view.h")
#include "run/run_view.h"
#define PS_EDITOR_HAS_RUN_VIEW 1
#endif

namespace ps::ui {

namespace {

constexpr int kDefaultAutosaveMs = 30'000;
constexpr int kTryItDelayMs = 600;

QLabel* explanation(const QString& text, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    return label;
}

QLabel* buddyLabel(const QString& text, QWidget* buddy, QWidget* parent) {
    auto* label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

QString kindExplanationText(AppKind kind) {
    switch (kind) {
        case AppKind::Form:
            return AppEditor::tr("People fill in a form and get one answer.");
        case AppKind::Chat:
            return AppEditor::tr(
                "A conversation: after the first answer, people keep talking "
                "with the model.");
        case AppKind::Completion:
            return AppEditor::tr(
                "The model simply continues the template's text (no "
                "instructions); good for stories and lists.");
    }
    return {};
}

void setTextKeepingCursor(QPlainTextEdit* edit, const QString& text) {
    if (edit->toPlainText() == text) return;
    const int position = edit->textCursor().position();
    edit->setPlainText(text);
    QTextCursor cursor = edit->textCursor();
    cursor.setPosition(qMin(position, static_cast<int>(edit->document()->characterCount()) - 1));
    edit->setTextCursor(cursor);
}

void setTextIfDifferent(QLineEdit* edit, const QString& text) {
    if (edit->text() == text) return;
    edit->setText(text);
    // A long text shown from its start, not scrolled to its end, unless being typed in.
    if (!edit->hasFocus()) edit->setCursorPosition(0);
}

}  // namespace

AppEditor::AppEditor(QWidget* parent) : QWidget(parent), d(std::make_unique<Private>()) {
    d->autosave.setInterval(kDefaultAutosaveMs);
    d->tryItDelay.setSingleShot(true);
    d->tryItDelay.setInterval(kTryItDelayMs);
    buildPages();
    connectEdits();
    newApp();
    d->autosave.start();
}

AppEditor::~AppEditor() {
    // QUndoStack::clear() in its destructor emits cleanChanged; nobody may hear about a
    // half-destroyed editor.
    d->document.undoStack()->blockSignals(true);
    d->document.blockSignals(true);
}

void AppEditor::buildPages() {
    auto* layout = new QVBoxLayout(this);

    // Actions first: the toolbar, the main window's menus and the shortcuts share them.
    d->saveAction = new QAction(tr("&Save"), this);
    d->saveAction->setShortcut(QKeySequence::Save);
    d->saveAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    d->saveAction->setToolTip(tr("Save the app (Ctrl+S)"));
    d->undoAction = d->document.undoStack()->createUndoAction(this, tr("&Undo"));
    d->undoAction->setShortcut(QKeySequence::Undo);
    d->undoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    d->redoAction = d->document.undoStack()->createRedoAction(this, tr("&Redo"));
    QList<QKeySequence> redoKeys = QKeySequence::keyBindings(QKeySequence::Redo);
    const QKeySequence ctrlShiftZ(Qt::CTRL | Qt::SHIFT | Qt::Key_Z);
    if (!redoKeys.contains(ctrlShiftZ)) redoKeys.prepend(ctrlShiftZ);
    d->redoAction->setShortcuts(redoKeys);
    d->redoAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(d->saveAction);
    addAction(d->undoAction);
    addAction(d->redoAction);

    auto* toolbar = new QToolBar(this);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextOnly);
    toolbar->addAction(d->saveAction);
    toolbar->addSeparator();
    toolbar->addAction(d->undoAction);
    toolbar->addAction(d->redoAction);
    layout->addWidget(toolbar);

    d->sampleBanner = new QLabel(
        tr("This is a sample app. You can change it freely: saving makes your own copy in "
           "your apps folder."),
        this);
    d->sampleBanner->setObjectName(QStringLiteral("sampleBanner"));
    d->sampleBanner->setWordWrap(true);
    // A soft note colour that follows the theme, so it is seen but not alarming.
    d->sampleBanner->setFrameShape(QFrame::StyledPanel);
    d->sampleBanner->setBackgroundRole(QPalette::ToolTipBase);
    d->sampleBanner->setForegroundRole(QPalette::ToolTipText);
    d->sampleBanner->setAutoFillBackground(true);
    d->sampleBanner->setMargin(d->sampleBanner->fontMetrics().height() / 3);
    d->sampleBanner->setVisible(false);
    layout->addWidget(d->sampleBanner);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setChildrenCollapsible(false);
    layout->addWidget(splitter, 1);

    auto* left = new QWidget(splitter);
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    d->pages = new QTabWidget(left);
    leftLayout->addWidget(d->pages, 1);
    d->problems = new ProblemsPanel(left);
    d->problems->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);
    leftLayout->addWidget(d->problems);

    // --- About -------------------------------------------------------------------
    auto* about = new QWidget(d->pages);
    auto* aboutForm = new QFormLayout(about);
    aboutForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    d->name = new QLineEdit(about);
    d->name->setObjectName(QStringLiteral("name"));
    d->name->setPlaceholderText(tr("e.g. Email writer"));
    aboutForm->addRow(buddyLabel(tr("&Name"), d->name, about), d->name);

    auto* iconRow = new QWidget(about);
    auto* iconLayout = new QHBoxLayout(iconRow);
    iconLayout->setContentsMargins(0, 0, 0, 0);
    d->icon = new QLineEdit(iconRow);
    d->icon->setObjectName(QStringLiteral("icon"));
    d->icon->setPlaceholderText(tr("an emoji, e.g. 📧"));
    d->icon->setMaxLength(16);
    d->emojiPicker = new EmojiPicker(iconRow);
    iconLayout->addWidget(d->icon);
    iconLayout->addWidget(d->emojiPicker);
    iconLayout->addStretch(1);  // an emoji needs no full-width field
    aboutForm->addRow(buddyLabel(tr("&Icon"), d->icon, about), iconRow);

    d->description = new QLineEdit(about);
    d->description->setObjectName(QStringLiteral("description"));
    d->description->setPlaceholderText(tr("One sentence: what the app does for people"));
    aboutForm->addRow(buddyLabel(tr("&Description"), d->description, about), d->description);

    auto* kindBox = new QWidget(about);
    auto* kindLayout = new QVBoxLayout(kindBox);
    kindLayout->setContentsMargins(0, 0, 0, 0);
    d->kind = new QComboBox(kindBox);
    d->kind->setObjectName(QStringLiteral("kind"));
    d->kind->addItem(tr("Form"), appKindName(AppKind::Form));
    d->kind->addItem(tr("Chat"), appKindName(AppKind::Chat));
    d->kind->addItem(tr("Completion"), appKindName(AppKind::Completion));
    d->kindExplanation = explanation({}, kindBox);
    kindLayout->addWidget(d->kind);
    kindLayout->addWidget(d->kindExplanation);
    aboutForm->addRow(buddyLabel(tr("&Kind"), d->kind, about), kindBox);

    d->output = new QComboBox(about);
    d->output->setObjectName(QStringLiteral("output"));
    d->output->addItem(tr("Formatted text (Markdown)"), outputFormatName(OutputFormat::Markdown));
    d->output->addItem(tr("Plain text"), outputFormatName(OutputFormat::Text));
    d->output->addItem(tr("Data (JSON)"), outputFormatName(OutputFormat::Json));
    aboutForm->addRow(buddyLabel(tr("Ans&wer format"), d->output, about), d->output);
    d->pages->addTab(about, tr("&About"));

    // --- Form (inputs) -------------------------------------------------------------
    // A list of the inputs on the left; the selected one's settings as ordinary
    // labelled fields on the right (typing in them is editing: no hidden mode).
    auto* form = new QWidget(d->pages);
    auto* formLayout = new QVBoxLayout(form);
    formLayout->addWidget(explanation(
        tr("The form people fill in before running the app. Each input's name can be used "
           "in the template as {{ name }}."),
        form));
    d->inputsModel = new InputsTableModel(&d->document, this);
    auto* formColumns = new QBoxLayout(QBoxLayout::LeftToRight);
    d->formPage = form;
    d->formColumns = formColumns;
    form->installEventFilter(this);  // side by side, or the list above when narrow
    auto* listColumn = new QVBoxLayout;
    d->inputsList = new QListView(form);
    d->inputsList->setObjectName(QStringLiteral("inputsList"));
    d->inputsList->setModel(d->inputsModel);
    // The label people see, which the name's words make when it is empty.
    d->inputsList->setModelColumn(InputsTableModel::LabelColumn);
    d->inputsList->setSelectionMode(QAbstractItemView::SingleSelection);
    d->inputsList->setEditTriggers(QAbstractItemView::NoEditTriggers);
    d->inputsList->setAccessibleName(tr("Inputs"));
    d->inputsList->setSpacing(2);  // rows that read as separate entries
    d->inputsList->setMinimumWidth(fontMetrics().averageCharWidth() * 18);
    listColumn->addWidget(d->inputsList, 1);
    auto* inputButtons = new QGridLayout;
    d->addInput = new QPushButton(tr("A&dd input"), form);
    d->removeInput = new QPushButton(tr("&Remove"), form);
    d->moveUp = new QPushButton(tr("Move &up"), form);
    d->moveDown = new QPushButton(tr("Move do&wn"), form);
    d->addInput->setObjectName(QStringLiteral("addInput"));
    d->removeInput->setObjectName(QStringLiteral("removeInput"));
    d->moveUp->setObjectName(QStringLiteral("moveInputUp"));
    d->moveDown->setObjectName(QStringLiteral("moveInputDown"));
    inputButtons->addWidget(d->addInput, 0, 0);
    inputButtons->addWidget(d->removeInput, 0, 1);
    inputButtons->addWidget(d->moveUp, 1, 0);
    inputButtons->addWidget(d->moveDown, 1, 1);
    listColumn->addLayout(inputButtons);
    formColumns->addLayout(listColumn, 2);
    d->inputDetails = new InputDetailsEditor(d->inputsModel, form);
    d->inputDetails->setObjectName(QStringLiteral("inputDetails"));
    formColumns->addWidget(d->inputDetails, 3);
    formLayout->addLayout(formColumns, 1);
    d->pages->addTab(form, tr("&Form"));

    // --- Prompt (instructions and template) ----------------------------------------
    auto* prompt = new QWidget(d->pages);
    auto* promptLayout = new QVBoxLayout(prompt);
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    d->instructions = new QPlainTextEdit(prompt);
    d->instructions->setObjectName(QStringLiteral("instructions"));
    d->instructions->setUndoRedoEnabled(false);  // the editor's undo stack covers it
    d->instructions->setTabChangesFocus(true);
    d->instructions->setPlaceholderText(
        tr("e.g. You are a friendly assistant who writes short, clear emails."));
    promptLayout->addWidget(buddyLabel(tr("I&nstructions"), d->instructions, prompt));
    promptLayout->addWidget(explanation(
        tr("What the model should always keep in mind: its role, tone and rules. Completion "
           "apps do not use them."),
        prompt));
    promptLayout->addWidget(d->instructions, 1);

    d->templateEdit = new QPlainTextEdit(prompt);
    d->templateEdit->setObjectName(QStringLiteral("template"));
    d->templateEdit->setUndoRedoEnabled(false);
    d->templateEdit->setTabChangesFocus(true);
    d->templateEdit->setFont(fixed);
    d->templateEdit->setPlaceholderText(
        tr("e.g. Write an email to {{ recipient }} about {{ topic }}."));
    d->highlighter = new TemplateHighlighter(d->templateEdit->document());
    promptLayout->addWidget(buddyLabel(tr("&Template"), d->templateEdit, prompt));
    promptLayout->addWidget(explanation(
        tr("The message sent to the model each time the app runs. Write {{ name }} where the "
           "value of an input goes."),
        prompt));
    promptLayout->addWidget(d->templateEdit, 2);
    d->unknownVariables = new UnknownVariablesPanel(prompt);
    d->unknownVariables->setObjectName(QStringLiteral("unknownVariables"));
    promptLayout->addWidget(d->unknownVariables);
    d->pages->addTab(prompt, tr("&Prompt"));

    // --- Settings (parameters) -----------------------------------------------------
    auto* settingsScroll = new QScrollArea(d->pages);
    settingsScroll->setWidgetResizable(true);
    settingsScroll->setFrameShape(QFrame::NoFrame);
    // The settings wrap to the panel's width; a sideways scroll bar would hide their ends.
    settingsScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    d->parameters = new ParametersEditor(settingsScroll);
    settingsScroll->setWidget(d->parameters);
    d->pages->addTab(settingsScroll, tr("&Settings"));

    // --- Examples ------------------------------------------------------------------
    d->examples = new ExamplesEditor(d->pages);
    d->pages->addTab(d->examples, tr("E&xamples"));

    // --- Try it --------------------------------------------------------------------
    auto* tryItBox = new QGroupBox(tr("Try it"), splitter);
    auto* tryItLayout = new QVBoxLayout(tryItBox);
#ifdef PS_EDITOR_HAS_RUN_VIEW
    d->runView = new RunView(tryItBox);
    d->runView->setCompact(true);  // a narrow panel: the answer's buttons as icons
    d->tryIt = d->runView;
    connect(d->runView, &RunView::modelsPageRequested, this, &AppEditor::modelsPageRequested);
    connect(d->runView, &RunView::runEnded, this, &AppEditor::tryItRunEnded);
    connect(d->examples, &ExamplesEditor::tryExampleRequested, this, [this](const QVariantMap& inputs) {
        d->tryItDelay.stop();
        d->runView->setApp(currentApp(), d->filePath);  // the app as it is now, not as last tried
        d->tryItApp = currentApp();
        d->runView->setInputs(inputs);
        d->runView->runNow();
    });
#else
    auto* placeholder = new QLabel(tr("Running the app from the editor is not available in this "
                                      "build yet."),
                                   tryItBox);
    placeholder->setWordWrap(true);
    placeholder->setAlignment(Qt::AlignCenter);
    d->tryIt = placeholder;
#endif
    d->tryIt->setObjectName(QStringLiteral("tryIt"));
    tryItLayout->addWidget(d->tryIt);
    splitter->addWidget(left);
    splitter->addWidget(tryItBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
}

void AppEditor::connectEdits() {
    EditedApp* document = &d->document;
    // A text field: each change is an edit of that field (typing merges per burst).
    auto textField = [this, document](auto* widget, auto signal, EditedField field,
                                      const QString& what, auto assign) {
        connect(widget, signal, this, [this, document, widget, field, what, assign] {
            if (d->showing) return;
            PromptApp after = document->app();
            assign(after, widget);
            document->edit(after, what, field);
        });
        widget->installEventFilter(this);
    };
    textField(d->name, &QLineEdit::textEdited, EditedField::Name, tr("Edit name"),
              [](PromptApp& app, QLineEdit* w) { app.name = w->text(); });
    textField(d->icon, &QLineEdit::textEdited, EditedField::Icon, tr("Edit icon"),
              [](PromptApp& app, QLineEdit* w) { app.icon = w->text().trimmed(); });
    textField(d->description, &QLineEdit::textEdited, EditedField::Description,
              tr("Edit description"),
              [](PromptApp& app, QLineEdit* w) { app.description = w->text(); });
    textField(d->instructions, &QPlainTextEdit::textChanged, EditedField::Instructions,
              tr("Edit instructions"),
              [](PromptApp& app, QPlainTextEdit* w) { app.instructions = w->toPlainText(); });
    textField(d->templateEdit, &QPlainTextEdit::textChanged, EditedField::Template,
              tr("Edit template"),
              [](PromptApp& app, QPlainTextEdit* w) { app.templateText = w->toPlainText(); });

    connect(d->emojiPicker, &EmojiPicker::emojiChosen, this, [this, document](const QString& e) {
        PromptApp after = document->app();
        after.icon = e;
        document->edit(after, tr("Choose icon"));
    });
    connect(d->kind, &QComboBox::activated, this, [this, document] {
        PromptApp after = document->app();
        after.kind = appKindFromName(d->kind->currentData().toString()).value_or(AppKind::Form);
        document->edit(after, tr("Change kind"));
    });
    connect(d->output, &QComboBox::activated, this, [this, document] {
        PromptApp after = document->app();
        after.output = outputFormatFromName(d->output->currentData().toString())
                           .value_or(OutputFormat::Markdown);
        document->edit(after, tr("Change answer format"));
    });
    connect(d->parameters, &ParametersEditor::parametersEdited, this,
            [this, document](const AppParameters& parameters, int setting) {
                if (d->showing) return;
                PromptApp after = document->app();
                after.parameters = parameters;
                document->edit(after, tr("Change settings"), EditedField::Parameter, setting);
            });
    connect(d->examples, &ExamplesEditor::examplesEdited, this,
            [this, document](const QList<AppExample>& examples, int detail) {
                if (d->showing) return;
                PromptApp after = document->app();
                after.examples = examples;
                document->edit(after, tr("Edit examples"),
                               detail == 0 ? EditedField::None : EditedField::Example, detail);
            });

    // Inputs.
    auto selectedRow = [this] { return d->inputsList->currentIndex().row(); };
    auto selectRow = [this](int row) {
        if (row < 0 || row >= d->inputsModel->rowCount()) return;
        d->inputsList->setCurrentIndex(d->inputsModel->index(row, InputsTableModel::LabelColumn));
    };
    for (QWidget* field : d->inputDetails->typingFields()) field->installEventFilter(this);
    connect(d->addInput, &QPushButton::clicked, this, [this, selectRow] {
        selectRow(d->inputsModel->addInput());
        d->inputDetails->focusName();  // the new input's name is typed at once
    });
    connect(d->removeInput, &QPushButton::clicked, this, [this, selectedRow, selectRow] {
        const int row = selectedRow();
        if (d->inputsModel->removeInput(row)) selectRow(qMin(row, d->inputsModel->rowCount() - 1));
    });
    connect(d->moveUp, &QPushButton::clicked, this, [this, selectedRow, selectRow] {
        selectRow(d->inputsModel->moveInput(selectedRow(), -1));
    });
    connect(d->moveDown, &QPushButton::clicked, this, [this, selectedRow, selectRow] {
        selectRow(d->inputsModel->moveInput(selectedRow(), +1));
    });
    connect(d->inputsList->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& current) {
                d->inputDetails->setRow(current.isValid() ? current.row() : -1);
                analyse();
            });
    // Rows added or taken away (an undo, another app) reset the list: an input stays
    // selected, the one that was or the nearest, so its fields stay in view.
    connect(d->inputsModel, &QAbstractItemModel::modelReset, this, [this, selectRow] {
        const int count = d->inputsModel->rowCount();
        const int keep = qBound(0, d->inputDetails->row(), count - 1);
        d->inputDetails->setRow(-1);
        if (count > 0) selectRow(keep);
        analyse();
    });
    connect(d->unknownVariables, &UnknownVariablesPanel::addRequested, this,
            [this](const QString& name) { d->inputsModel->addInput(name); });

    connect(document, &EditedApp::changed, this, [this] {
        showApp();
        emit appChanged();
    });
    connect(document, &EditedApp::modifiedChanged, this, &AppEditor::modifiedChanged);
    connect(d->saveAction, &QAction::triggered, this, [this] {
        QString error;
        if (!save(&error) && !error.isEmpty())
            QMessageBox::warning(this, tr("Could not save"), error);
    });
    connect(&d->autosave, &QTimer::timeout, this, [this] { writeRecoveryCopy(); });
    connect(&d->tryItDelay, &QTimer::timeout, this, &AppEditor::syncTryIt);
}

void AppEditor::syncTryIt() {
#ifdef PS_EDITOR_HAS_RUN_VIEW
    d->tryItDelay.stop();
    if (d->runView->isRunning()) {
        d->tryItDelay.start();  // never pull the app from under a running Try
        return;
    }
    const PromptApp app = currentApp();
    if (app.sameContent(d->tryItApp)) return;
    d->tryItApp = app;
    const QVariantMap typed = d->runView->inputs();
    d->runView->setApp(app, d->filePath);
    d->runView->setInputs(typed);
#endif
}

void AppEditor::showApp() {
    const PromptApp& app = d->document.app();
    d->showing = true;
    setTextIfDifferent(d->name, app.name);
    setTextIfDifferent(d->icon, app.icon);
    setTextIfDifferent(d->description, app.description);
    d->kind->setCurrentIndex(d->kind->findData(appKindName(app.kind)));
    d->kindExplanation->setText(kindExplanationText(app.kind));
    d->output->setCurrentIndex(d->output->findData(outputFormatName(app.output)));
    setTextKeepingCursor(d->instructions, app.instructions);
    setTextKeepingCursor(d->templateEdit, app.templateText);
    d->parameters->setParameters(app.parameters);
    d->examples->setApp(app);
    d->sampleBanner->setVisible(d->readOnlySample);
    d->showing = false;
    analyse();
    scheduleTryIt();
}

void AppEditor::analyse() {
    const PromptApp app = currentApp();
    QSet<QString> known;
    for (const PromptInput& input : app.inputs) known.insert(input.name);
    const TemplateVariables variables = templateVariables(app.templateText);
    QStringList unknown;
    for (const QString& name : variables.names) {
        if (!known.contains(name)) unknown << name;
    }
    // Re-highlighting sends the template's textChanged: not an edit (and the widget may
    // not show the document yet when a new one is being set).
    const bool wasShowing = d->showing;
    d->showing = true;
    d->highlighter->setVariables(known, QSet<QString>(unknown.begin(), unknown.end()));
    d->showing = wasShowing;
    d->unknownVariables->setUnknownVariables(unknown);
    d->problems->setProblems(d->fileProblems + validatePromptApp(app));
#ifdef PS_EDITOR_HAS_RUN_VIEW
    // The file as it is cannot run (the Run page says so too); fixing it here and
    // saving runs it.
    d->runView->setEnabled(d->fileProblems.isEmpty());
#endif

    const int row = d->inputsList->currentIndex().row();
    const int count = d->inputsModel->rowCount();
    d->removeInput->setEnabled(row >= 0 && row < count);
    d->moveUp->setEnabled(row > 0 && row < count);
    d->moveDown->setEnabled(row >= 0 && row + 1 < count);
}

void AppEditor::scheduleTryIt() {
    d->tryItDelay.start();
}

bool AppEditor::eventFilter(QObject* watched, QEvent* event) {
    if (watched == d->formPage) {
        if (event->type() == QEvent::Resize) {
            // A narrow Form tab (a small window) puts the list of inputs above their
            // fields, so neither is squeezed to nothing.
            const bool narrow = d->formPage->width() < fontMetrics().averageCharWidth() * 70;
            d->formColumns->setDirection(narrow ? QBoxLayout::TopToBottom : QBoxLayout::LeftToRight);
            d->inputsList->setMaximumHeight(narrow ? fontMetrics().lineSpacing() * 5 : QWIDGETSIZE_MAX);
        }
        return QWidget::eventFilter(watched, event);
    }
    switch (event->type()) {
        case QEvent::FocusOut:
            // Leaving a field ends its typing burst: the next typing is a new undo step.
            d->document.closeBurst();
            break;
        case QEvent::ShortcutOverride: {
            // Text fields claim Ctrl+Z for their own undo; let the editor's actions have
            // it instead, so undo covers every change in one history.
            auto* key = static_cast<QKeyEvent*>(event);
            if (key->matches(QKeySequence::Undo) || key->matches(QKeySequence::Redo) ||
                key->keyCombination() == QKeyCombination(Qt::CTRL | Qt::SHIFT, Qt::Key_Z)) {
                event->ignore();
                return true;
            }
            break;
        }
        case QEvent::KeyPress: {
            auto* key = static_cast<QKeyEvent*>(event);
            if (key->matches(QKeySequence::Undo)) {
                d->undoAction->trigger();
                return true;
            }
            if (key->matches(QKeySequence::Redo) ||
                key->keyCombination() == QKeyCombination(Qt::CTRL | Qt::SHIFT, Qt::Key_Z)) {
                d->redoAction->trigger();
                return true;
            }
            break;
        }
        default:
            break;
    }
    return QWidget::eventFilter(watched, event);
}

PromptApp AppEditor::currentApp() const {
    PromptApp app = d->document.app();
    app.filePath = d->filePath;
    return app;
}

QString AppEditor::filePath() const {
    return d->filePath;
}
bool AppEditor::isModified() const {
    return d->document.isModified();
}
bool AppEditor::isReadOnlySample() const {
    return d->readOnlySample;
}

void AppEditor::setReadOnlySample(bool readOnly) {
    d->readOnlySample = readOnly;
    d->sampleBanner->setVisible(readOnly);
}

void AppEditor::setFileProblems(const QList<DocumentError>& problems) {
    d->fileProblems = problems;
    analyse();
}

void AppEditor::setService(std::shared_ptr<GenerationService> service) {
#ifdef PS_EDITOR_HAS_RUN_VIEW
    d->runView->setService(std::move(service));
#else
    Q_UNUSED(service);
#endif
}

void AppEditor::setHistory(RunHistory* history) {
#ifdef PS_EDITOR_HAS_RUN_VIEW
    d->runView->setHistory(history);
#else
    Q_UNUSED(history);
#endif
}

QWidget* AppEditor::tryItPanel() const {
    return d->tryIt;
}
QUndoStack* AppEditor::undoStack() const {
    return d->document.undoStack();
}
QAction* AppEditor::saveAction() const {
    return d->saveAction;
}
QAction* AppEditor::undoAction() const {
    return d->undoAction;
}
QAction* AppEditor::redoAction() const {
    return d->redoAction;
}

void AppEditor::setSaveQuestion(SaveQuestion question) {
    d->saveQuestion = std::move(question);
}
void AppEditor::setCopyNameQuestion(CopyNameQuestion question) {
    d->copyNameQuestion = std::move(question);
}

}  // namespace ps::ui
