#include "document/prompt_app.h"

#include <QRegularExpression>

namespace ps {

namespace {

template <typename Enum>
struct NamedValue {
    Enum value;
    const char* name;
};

constexpr NamedValue<InputType> kInputTypes[] = {
    {InputType::Text, "text"},       {InputType::Paragraph, "paragraph"},
    {InputType::Number, "number"},   {InputType::Choice, "choice"},
    {InputType::Boolean, "boolean"}, {InputType::File, "file"},
};
constexpr NamedValue<AppKind> kAppKinds[] = {
    {AppKind::Form, "form"}, {AppKind::Chat, "chat"}, {AppKind::Completion, "completion"}};
constexpr NamedValue<OutputFormat> kOutputFormats[] = {
    {OutputFormat::Markdown, "markdown"}, {OutputFormat::Text, "text"}, {OutputFormat::Json, "json"}};

template <typename Enum, size_t N>
QString nameOf(const NamedValue<Enum> (&table)[N], Enum value) {
    for (const auto& entry : table) {
        if (entry.value == value) return QString::fromLatin1(entry.name);
    }
    return {};
}

template <typename Enum, size_t N>
std::optional<Enum> valueOf(const NamedValue<Enum> (&table)[N], const QString& name) {
    for (const auto& entry : table) {
        if (name == QLatin1String(entry.name)) return entry.value;
    }
    return std::nullopt;
}

template <typename Enum, size_t N>
QStringList namesOf(const NamedValue<Enum> (&table)[N]) {
    QStringList names;
    for (const auto& entry : table) names << QString::fromLatin1(entry.name);
    return names;
}

}  // namespace

QString inputTypeName(InputType type) { return nameOf(kInputTypes, type); }
std::optional<InputType> inputTypeFromName(const QString& name) { return valueOf(kInputTypes, name); }
QStringList inputTypeNames() { return namesOf(kInputTypes); }
QString appKindName(AppKind kind) { return nameOf(kAppKinds, kind); }
std::optional<AppKind> appKindFromName(const QString& name) { return valueOf(kAppKinds, name); }
QStringList appKindNames() { return namesOf(kAppKinds); }
QString outputFormatName(OutputFormat format) { return nameOf(kOutputFormats, format); }
std::optional<OutputFormat> outputFormatFromName(const QString& name) {
    return valueOf(kOutputFormats, name);
}
QStringList outputFormatNames() { return namesOf(kOutputFormats); }

DocumentPosition SourceMap::find(const QString& path) const {
    QString key = path;
    while (!key.isEmpty()) {
        const auto found = positions.constFind(key);
        if (found != positions.constEnd()) return *found;
        // "inputs[2].type" -> "inputs[2]" -> "inputs"
        const int dot = key.lastIndexOf('.');
        const int bracket = key.lastIndexOf('[');
        const int cut = std::max(dot, bracket);
        if (cut <= 0) break;
        key.truncate(cut);
    }
    return positions.value(QString());  // the front matter itself, when known
}

QString PromptInput::displayLabel() const {
    if (!label.trimmed().isEmpty()) return label;
    QString words = name;
    words.replace('_', ' ');
    // camelCase -> camel case
    static const QRegularExpression camel("([a-z0-9])([A-Z])");
    words.replace(camel, "\\1 \\2");
    words = words.simplified().toLower();
    if (!words.isEmpty()) words[0] = words[0].toUpper();
    return words;
}

QVariantMap AppParameters::toVariantMap() const {
    QVariantMap values;
    if (temperature) values.insert("temperature", *temperature);
    if (topP) values.insert("top_p", *topP);
    if (topK) values.insert("top_k", *topK);
    if (minP) values.insert("min_p", *minP);
    if (repeatPenalty) values.insert("repeat_penalty", *repeatPenalty);
    if (maxTokens) values.insert("max_tokens", *maxTokens);
    if (seed) values.insert("seed", *seed);
    if (stop) values.insert("stop", *stop);
    return values;
}

bool AppParameters::isEmpty() const {
    return !temperature && !topP && !topK && !minP && !repeatPenalty && !maxTokens && !seed &&
           !stop && unknownKeys.isEmpty();
}

bool AppExpectations::isEmpty() const {
    return contains.isEmpty() && notContains.isEmpty() && matches.isEmpty() && !minWords &&
           !maxWords && !validJson && unknownKeys.isEmpty();
}

const PromptInput* PromptApp::findInput(const QString& inputName) const {
    for (const PromptInput& input : inputs) {
        if (input.name == inputName) return &input;
    }
    return nullptr;
}

QVariantMap PromptApp::defaultInputValues() const {
    QVariantMap values;
    for (const PromptInput& input : inputs) {
        if (input.defaultValue.isValid()) values.insert(input.name, input.defaultValue);
    }
    return values;
}

QStringList AppExample::orderedInputNames() const {
    QStringList order;
    for (const QString& key : inputOrder) {
        if (inputs.contains(key) && !order.contains(key)) order << key;
    }
    for (auto it = inputs.begin(); it != inputs.end(); ++it) {
        if (!order.contains(it.key())) order << it.key();
    }
    return order;
}

bool AppExample::operator==(const AppExample& other) const {
    return name == other.name && inputs == other.inputs &&
           orderedInputNames() == other.orderedInputNames() && expect == other.expect &&
           unknownKeys == other.unknownKeys;
}

bool PromptApp::sameContent(const PromptApp& other) const {
    return formatVersion == other.formatVersion && name == other.name &&
           description == other.description && icon == other.icon && author == other.author &&
           tags == other.tags && kind == other.kind && inputs == other.inputs &&
           instructions == other.instructions && parameters == other.parameters &&
           model == other.model && output == other.output && examples == other.examples &&
           templateText == other.templateText && unknownKeys == other.unknownKeys &&
           leadingComment == other.leadingComment;
}

}  // namespace ps
