#pragma once
// A prompt app as a value: what a .promptapp file holds (see docs/promptapp-format.md).
// Plain data with no behaviour beyond small conveniences; reading, validating and
// writing live in promptapp_reader.h, promptapp_validation.h and promptapp_writer.h.
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>

#include <optional>

namespace ps {

// The format version this build reads and writes (`promptapp: 1`).
inline constexpr int kPromptAppFormatVersion = 1;

enum class InputType { Text, Paragraph, Number, Choice, Boolean, File };
enum class AppKind { Form, Chat, Completion };
enum class OutputFormat { Markdown, Text, Json };

// The spelling in files ("text", "paragraph", ...; "form", "chat", "completion";
// "markdown", "text", "json") and back. The parsers return nullopt for an unknown name.
QString inputTypeName(InputType type);
std::optional<InputType> inputTypeFromName(const QString& name);
QStringList inputTypeNames();
QString appKindName(AppKind kind);
std::optional<AppKind> appKindFromName(const QString& name);
QStringList appKindNames();
QString outputFormatName(OutputFormat format);
std::optional<OutputFormat> outputFormatFromName(const QString& name);
QStringList outputFormatNames();

// A key the reader does not know, kept so that it survives a load/save round trip.
// `yaml` is the value as a YAML document (a scalar, a list or a mapping); the writer
// emits it back under `key`, in the order the keys were read.
struct UnknownKey {
    QString key;
    QString yaml;
    bool operator==(const UnknownKey&) const = default;
};

// Where things were in the file, for validation messages. Keys are paths such as
// "name", "inputs", "inputs[2]", "inputs[2].type", "parameters.temperature",
// "examples[0].inputs.topic"; the position is that of the value (or of the list item
// for "inputs[2]"). Empty for an app built in code; errors then carry no position.
struct DocumentPosition {
    int line = 0;  // 1-based, in the whole file
    int column = 0;
    bool operator==(const DocumentPosition&) const = default;
};
struct SourceMap {
    QHash<QString, DocumentPosition> positions;
    int bodyFirstLine = 0;  // the file line the template body starts on (1-based)
    // The position of `path`, or of its nearest recorded parent ("inputs[2].type" ->
    // "inputs[2]" -> "inputs"), or {0, 0}.
    DocumentPosition find(const QString& path) const;
    bool operator==(const SourceMap&) const = default;
};

// One field of the app's form; its value is the template variable `name`.
struct PromptInput {
    QString name;         // an identifier: letter or _, then letters, digits, _
    QString label;        // shown to the user; empty = derived from the name
    InputType type = InputType::Text;
    bool required = false;
    QVariant defaultValue;  // `default`; invalid when absent (string, number or bool)
    QString placeholder;
    QString help;
    QStringList options;         // for choice
    std::optional<double> min;   // for number
    std::optional<double> max;   // for number
    QList<UnknownKey> unknownKeys;

    // The label, or the name made readable ("due_date" -> "Due date").
    QString displayLabel() const;
    bool operator==(const PromptInput&) const = default;
};

// The app's generation settings as written in `parameters`. Every field is optional:
// absent means "use the runner's default". Spelled snake_case in files.
struct AppParameters {
    std::optional<double> temperature;    // 0..2
    std::optional<double> topP;           // top_p, 0..1
    std::optional<int> topK;              // top_k, >= 0 (0 = off)
    std::optional<double> minP;           // min_p, 0..1
    std::optional<double> repeatPenalty;  // repeat_penalty, > 0 and <= 10 (1 = off)
    std::optional<int> maxTokens;         // max_tokens, >= 1
    std::optional<qint64> seed;           // >= 0
    std::optional<QStringList> stop;      // stop sequences
    QList<UnknownKey> unknownKeys;        // e.g. `mirostat: 2`, kept as written

    // The set fields as snake_case keys (what GenerationParameters::apply reads).
    QVariantMap toVariantMap() const;
    bool isEmpty() const;
    bool operator==(const AppParameters&) const = default;
};

// Simple checks of an answer, so an app can be re-tested after a model change.
// Absent/empty fields check nothing.
struct AppExpectations {
    QStringList contains;         // each must appear (case-insensitive)
    QStringList notContains;      // none may appear (case-insensitive); `not_contains`
    QString matches;              // a regular expression the answer must match
    std::optional<int> minWords;  // min_words
    std::optional<int> maxWords;  // max_words
    bool validJson = false;       // valid_json: the answer parses as JSON
    QList<UnknownKey> unknownKeys;

    bool isEmpty() const;
    bool operator==(const AppExpectations&) const = default;
};

// A sample run: input values and what a good answer looks like.
struct AppExample {
    QString name;             // optional, e.g. "short notes"
    QVariantMap inputs;       // input name -> value (string, number, bool)
    QStringList inputOrder;   // the order the inputs were written in (QVariantMap sorts)
    AppExpectations expect;
    QList<UnknownKey> unknownKeys;
    // The input names in written order: inputOrder first, then any others by name.
    QStringList orderedInputNames() const;
    // Equal content: the order counts as orderedInputNames(), so an example built in
    // code (no inputOrder) equals the same example read back from a file.
    bool operator==(const AppExample& other) const;
};

// What check() found: empty failures = the answer passed.
struct ExpectationResult {
    QStringList failures;  // "expected the answer to contain 'Dear'", ...
    bool passed() const { return failures.isEmpty(); }
};
ExpectationResult checkExpectations(const AppExpectations& expect, const QString& answer);
// Words as max_words/min_words count them: runs of non-space characters.
int countWords(const QString& text);

class PromptApp {
public:
    int formatVersion = kPromptAppFormatVersion;  // the version written on save
    QString name;
    QString description;
    QString icon;  // an emoji
    QString author;
    QStringList tags;
    AppKind kind = AppKind::Form;
    QList<PromptInput> inputs;
    QString instructions;  // the system prompt; empty for completion apps
    AppParameters parameters;
    QString model;  // a preferred model name or path (a hint)
    OutputFormat output = OutputFormat::Markdown;
    QList<AppExample> examples;
    QString templateText;  // the body after the front matter

    QList<UnknownKey> unknownKeys;  // top-level keys this version does not know
    QString leadingComment;         // `#` lines at the top of the front matter, kept verbatim
    QString filePath;               // where it was loaded from / saved to; empty if new
    int migratedFromVersion = -1;   // 0 when it was read from the legacy format, else -1
    SourceMap source;               // positions in the file it was read from

    const PromptInput* findInput(const QString& inputName) const;
    // The default values of all inputs that have one (name -> value).
    QVariantMap defaultInputValues() const;

    // Equality of the document's content (ignores filePath, source and migration).
    bool sameContent(const PromptApp& other) const;
};

}  // namespace ps
