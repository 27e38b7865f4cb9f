#include "editor/parameters_editor.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QVBoxLayout>
#include <limits>

namespace ps::ui {

namespace {

// A spin box whose lowest value means "not set" and reads "Default".
QDoubleSpinBox* optionalDoubleBox(double unsetValue, double max, double step, QWidget* parent) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(unsetValue, max);
    box->setSingleStep(step);
    box->setDecimals(2);
    box->setSpecialValueText(ParametersEditor::tr("Default"));
    box->setValue(unsetValue);
    return box;
}

// The setting's label: the plain name with the real one small beside it.
QLabel* settingLabel(const QString& plain, const char* realName, QWidget* buddy, QWidget* parent) {
    auto* label = new QLabel(QStringLiteral("%1 <small style='color:gray'>(%2)</small>")
                                 .arg(plain, QLatin1String(realName)),
                             parent);
    label->setBuddy(buddy);
    return label;
}

QWidget* withExplanation(QWidget* field, const QString& explanation, QWidget* parent) {
    auto* box = new QWidget(parent);
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(field);
    auto* text =
        new QLabel(QStringLiteral("<small>%1</small>").arg(explanation.toHtmlEscaped()), box);
    text->setWordWrap(true);
    text->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(text);
    return box;
}

// Stop sequences are typed on one line, separated by commas; "\n" stands for a new line.
QString stopToText(const QStringList& stop) {
    QStringList shown;
    for (QString sequence : stop)
        shown << sequence.replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return shown.join(QStringLiteral(", "));
}
QStringList stopFromText(const QString& text) {
    QStringList stop;
    for (QString part : text.split(QLatin1Char(','))) {
        part = part.trimmed();
        if (part.isEmpty()) continue;
        stop << part.replace(QStringLiteral("\\n"), QStringLiteral("\n"));
    }
    return stop;
}

}  // namespace

ParametersEditor::ParametersEditor(QWidget* parent) : QWidget(parent) {
    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    temperature_ = optionalDoubleBox(-0.1, 2.0, 0.1, this);
    temperature_->setObjectName(QStringLiteral("temperature"));
    form->addRow(settingLabel(tr("&Creativity"), "temperature", temperature_, this),
                 withExplanation(temperature_,
                                 tr("Higher gives more varied, surprising answers; lower gives "
                                    "more predictable ones. 0 always picks the likeliest word."),
                                 this));

    maxTokens_ = new QSpinBox(this);
    maxTokens_->setObjectName(QStringLiteral("maxTokens"));
    maxTokens_->setRange(-1, 1 << 24);
    maxTokens_->setSingleStep(64);
    maxTokens_->setSpecialValueText(tr("Default"));
    maxTokens_->setValue(-1);
    form->addRow(settingLabel(tr("&Longest answer"), "max_tokens", maxTokens_, this),
                 withExplanation(maxTokens_,
                                 tr("The most tokens (word pieces, about ¾ of a word each) the "
                                    "answer may have. 0 = no limit."),
                                 this));

    topP_ = optionalDoubleBox(-0.05, 1.0, 0.05, this);
    topP_->setObjectName(QStringLiteral("topP"));
    form->addRow(settingLabel(tr("&Focus"), "top_p", topP_, this),
                 withExplanation(topP_,
                                 tr("Lower keeps the answer to the most likely words; 1 considers "
                                    "them all."),
                                 this));

    repeatPenalty_ = optionalDoubleBox(0.0, 10.0, 0.05, this);
    repeatPenalty_->setObjectName(QStringLiteral("repeatPenalty"));
    form->addRow(
        settingLabel(tr("&Avoid repeating"), "repeat_penalty", repeatPenalty_, this),
        withExplanation(repeatPenalty_,
                        tr("Above 1 discourages repeating the same words; 1 is off."), this));

    auto* seedRow = new QWidget(this);
    auto* seedLayout = new QHBoxLayout(seedRow);
    seedLayout->setContentsMargins(0, 0, 0, 0);
    fixedSeed_ = new QCheckBox(tr("On, with the number"), seedRow);
    fixedSeed_->setObjectName(QStringLiteral("fixedSeed"));
    seed_ = new QSpinBox(seedRow);
    seed_->setObjectName(QStringLiteral("seed"));
    seed_->setRange(0, std::numeric_limits<int>::max());
    seed_->setPrefix(tr("seed "));
    seed_->setEnabled(false);
    seedLayout->addWidget(fixedSeed_);
    seedLayout->addWidget(seed_, 1);
    QLabel* seedLabel = settingLabel(tr("&Same answer every time"), "seed", fixedSeed_, this);
    form->addRow(seedLabel,
                 withExplanation(seedRow,
                                 tr("The same inputs then give the same answer, which helps when "
                                    "testing an app."),
                                 this));

    stop_ = new QLineEdit(this);
    stop_->setObjectName(QStringLiteral("stop"));
    stop_->setPlaceholderText(tr("e.g. THE END, \\n\\n"));
    form->addRow(settingLabel(tr("S&top at"), "stop", stop_, this),
                 withExplanation(stop_,
                                 tr("The answer ends when it would write one of these texts. "
                                    "Separate them with commas; \\n means a new line."),
                                 this));

    connect(temperature_, &QDoubleSpinBox::valueChanged, this, [this] { emitEdited(Temperature); });
    connect(maxTokens_, &QSpinBox::valueChanged, this, [this] { emitEdited(MaxTokens); });
    connect(topP_, &QDoubleSpinBox::valueChanged, this, [this] { emitEdited(TopP); });
    connect(repeatPenalty_, &QDoubleSpinBox::valueChanged, this,
            [this] { emitEdited(RepeatPenalty); });
    connect(fixedSeed_, &QCheckBox::toggled, this, [this](bool on) {
        seed_->setEnabled(on);
        emitEdited(Seed);
    });
    connect(seed_, &QSpinBox::valueChanged, this, [this] { emitEdited(Seed); });
    connect(stop_, &QLineEdit::textEdited, this, [this] { emitEdited(Stop); });
}

void ParametersEditor::setParameters(const AppParameters& parameters) {
    shown_ = parameters;
    updating_ = true;
    temperature_->setValue(parameters.temperature.value_or(temperature_->minimum()));
    maxTokens_->setValue(parameters.maxTokens.value_or(maxTokens_->minimum()));
    topP_->setValue(parameters.topP.value_or(topP_->minimum()));
    repeatPenalty_->setValue(parameters.repeatPenalty.value_or(repeatPenalty_->minimum()));
    fixedSeed_->setChecked(parameters.seed.has_value());
    seed_->setEnabled(parameters.seed.has_value());
    if (parameters.seed)
        seed_->setValue(static_cast<int>(qMin<qint64>(*parameters.seed, seed_->maximum())));
    const QString stopText = stopToText(parameters.stop.value_or(QStringList()));
    // Re-parsing the shown text must give the same list, else leave the user's typing alone.
    if (stopFromText(stop_->text()) != parameters.stop.value_or(QStringList()))
        stop_->setText(stopText);
    updating_ = false;
}

AppParameters ParametersEditor::parameters() const {
    AppParameters p = shown_;
    auto optionalDouble = [](const QDoubleSpinBox* box) -> std::optional<double> {
        if (box->value() <= box->minimum()) return std::nullopt;
        return box->value();
    };
    p.temperature = optionalDouble(temperature_);
    p.topP = optionalDouble(topP_);
    p.repeatPenalty = optionalDouble(repeatPenalty_);
    if (maxTokens_->value() < 0)
        p.maxTokens.reset();
    else
        p.maxTokens = maxTokens_->value();
    if (fixedSeed_->isChecked())
        p.seed = seed_->value();
    else
        p.seed.reset();
    const QStringList stop = stopFromText(stop_->text());
    if (stop.isEmpty())
        p.stop.reset();
    else
        p.stop = stop;
    return p;
}

void ParametersEditor::emitEdited(Setting setting) {
    if (updating_) return;
    const AppParameters p = parameters();
    shown_ = p;
    emit parametersEdited(p, setting);
}

}  // namespace ps::ui
