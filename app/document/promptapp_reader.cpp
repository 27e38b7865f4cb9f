#include "document/promptapp_reader.h"

#include <QFile>
#include <QHash>

#include <algorithm>
#include <climits>

#include "document/front_matter.h"
#include "document/legacy_format.h"
#include "document/promptapp_validation.h"
#include "document/yaml_fields.h"
#include "limits/input_file.h"

namespace ps {

namespace {

// The type people often write for each input type (the names of HTML forms,
// spreadsheets and programming languages), for a "did you mean" hint.
QString nearestInputTypeName(const QString& written) {
    static const QList<QPair<QStringList, QString>> synonyms = {
        {{"dropdown", "drop-down", "select", "enum", "option", "options", "radio", "combo", "combobox", "menu"}, "choice"},
        {{"textarea", "multiline", "longtext", "long_text", "long text", "paragraphs"}, "paragraph"},
        {{"string", "str", "line", "short text", "shorttext", "input"}, "text"},
        {{"int", "integer", "float", "double", "numeric", "num", "decimal"}, "number"},
        {{"bool", "checkbox", "check", "yesno", "yes/no", "toggle", "switch", "flag"}, "boolean"},
        {{"path", "upload", "attachment", "document"}, "file"},
    };
    const QString key = written.trimmed().toLower();
    for (const auto& [names, type] : synonyms)
        if (names.contains(key)) return type;
    return {};
}

QString indexPath(const QString& list, int index) { return QStringLiteral("%1[%2]").arg(list).arg(index); }

// Reads the format-1 front matter into an app, collecting every shape error.
class AppFieldsReader {
public:
    AppFieldsReader(YamlFieldReader& fields, PromptApp& app) : fields_(fields), app_(app) {}

    void readTopLevel(const YAML::Node& root) {
        QHash<QString, DocumentPosition> seen;
        for (const auto& entry : root) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const YAML::Node& value = entry.second;
            const DocumentPosition at = fields_.positionOf(entry.first, value);
            if (seen.contains(key)) {
                fields_.addError(fields_.positionOf(entry.first),
                                 QStringLiteral("'%1' is given twice (first on line %2); keep one")
                                     .arg(key)
                                     .arg(seen.value(key).line));
                continue;
            }
            seen.insert(key, fields_.positionOf(entry.first));
            fields_.record(key, at);
            readTopLevelKey(key, value, at);
        }
    }

private:
    void readTopLevelKey(const QString& key, const YAML::Node& value, DocumentPosition at) {
        if (key == "promptapp") {
            return;  // checked before, by the version dispatch
        } else if (key == "name") {
            if (auto text = fields_.text(value, key, at)) app_.name = *text;
        } else if (key == "description") {
            if (auto text = fields_.text(value, key, at)) app_.description = *text;
        } else if (key == "icon") {
            if (auto text = fields_.text(value, key, at)) app_.icon = *text;
        } else if (key == "author") {
            if (auto text = fields_.text(value, key, at)) app_.author = *text;
        } else if (key == "tags") {
            if (auto list = fields_.textList(value, key, at)) app_.tags = *list;
        } else if (key == "kind") {
            readKind(value, at);
        } else if (key == "output") {
            readOutput(value, at);
        } else if (key == "model") {
            if (auto text = fields_.text(value, key, at)) app_.model = *text;
        } else if (key == "instructions") {
            if (auto text = fields_.text(value, key, at)) app_.instructions = *text;
            fields_.record("instructions#content", fields_.contentStart(value));
        } else if (key == "inputs") {
            readInputs(value, at);
        } else if (key == "parameters") {
            readParameters(value, at);
        } else if (key == "examples") {
            readExamples(value, at);
        } else {
            app_.unknownKeys.append(YamlFieldReader::unknownKey(key, value));
        }
    }

    void readKind(const YAML::Node& value, DocumentPosition at) {
        const auto name = value.IsScalar() ? appKindFromName(QString::fromStdString(value.Scalar()))
                                           : std::nullopt;
        if (name) {
            app_.kind = *name;
        } else {
            fields_.addError(at, QStringLiteral("'kind' must be one of %1").arg(appKindNames().join(", ")));
        }
    }

    void readOutput(const YAML::Node& value, DocumentPosition at) {
        const auto name = value.IsScalar()
                              ? outputFormatFromName(QString::fromStdString(value.Scalar()))
                              : std::nullopt;
        if (name) {
            app_.output = *name;
        } else {
            fields_.addError(at, QStringLiteral("'output' must be one of %1")
                                     .arg(outputFormatNames().join(", ")));
        }
    }

    void readInputs(const YAML::Node& value, DocumentPosition at) {
        if (!value.IsDefined() || value.IsNull()) return;
        if (!value.IsSequence()) {
            fields_.addError(at, QStringLiteral("'inputs' must be a list, one item per input, "
                                                "each starting with '- name: ...'"));
            return;
        }
        int index = 0;
        for (const YAML::Node& item : value) {
            const QString path = indexPath("inputs", index++);
            const DocumentPosition itemAt = fields_.positionOf(item);
            fields_.record(path, itemAt);
            PromptInput input;
            if (item.IsScalar()) {  // "- topic" is short for "- name: topic"
                input.name = QString::fromStdString(item.Scalar());
                fields_.record(path + ".name", itemAt);
            } else if (item.IsMap()) {
                readInput(item, path, input);
            } else {
                fields_.addError(itemAt, QStringLiteral("each input must be a group of keys "
                                                        "starting with '- name: ...'"));
            }
            app_.inputs.append(input);
        }
    }

    void readInput(const YAML::Node& item, const QString& path, PromptInput& input) {
        for (const auto& entry : item) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const YAML::Node& value = entry.second;
            const DocumentPosition at = fields_.positionOf(entry.first, value);
            const QString fieldPath = path + "." + key;
            fields_.record(fieldPath, at);
            if (key == "name") {
                if (auto text = fields_.text(value, key, at)) input.name = *text;
            } else if (key == "label") {
                if (auto text = fields_.text(value, key, at)) input.label = *text;
            } else if (key == "type") {
                const auto type = value.IsScalar()
                                      ? inputTypeFromName(QString::fromStdString(value.Scalar()))
                                      : std::nullopt;
                if (type) {
                    input.type = *type;
                } else {
                    QString message = QStringLiteral("'type' must be one of %1").arg(inputTypeNames().join(", "));
                    if (value.IsScalar()) {
                        const QString near = nearestInputTypeName(QString::fromStdString(value.Scalar()));
                        if (!near.isEmpty()) message += QStringLiteral(" (did you mean %1?)").arg(near);
                    }
                    fields_.addError(at, message);
                    fields_.record(path + ".type#invalid", at);  // type-specific checks skip it
                }
            } else if (key == "required") {
                if (auto flag = fields_.boolean(value, key, at)) input.required = *flag;
            } else if (key == "default") {
                if (auto scalar = fields_.scalarValue(value, key, at)) input.defaultValue = *scalar;
            } else if (key == "placeholder") {
                if (auto text = fields_.text(value, key, at)) input.placeholder = *text;
            } else if (key == "help") {
                if (auto text = fields_.text(value, key, at)) input.help = *text;
            } else if (key == "options") {
                if (auto list = fields_.textList(value, key, at)) input.options = *list;
                recordItems(value, fieldPath);
            } else if (key == "min") {
                if (auto number = fields_.number(value, key, at)) input.min = *number;
            } else if (key == "max") {
                if (auto number = fields_.number(value, key, at)) input.max = *number;
            } else {
                input.unknownKeys.append(YamlFieldReader::unknownKey(key, value));
            }
        }
    }

    void recordItems(const YAML::Node& list, const QString& path) {
        if (!list.IsSequence()) return;
        int index = 0;
        for (const YAML::Node& item : list) fields_.record(indexPath(path, index++), fields_.positionOf(item));
    }

    void readParameters(const YAML::Node& value, DocumentPosition at) {
        if (!value.IsDefined() || value.IsNull()) return;
        if (!value.IsMap()) {
            fields_.addError(at, QStringLiteral("'parameters' must be a group of keys such as "
                                                "'temperature: 0.7' on their own lines"));
            return;
        }
        AppParameters& parameters = app_.parameters;
        for (const auto& entry : value) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const YAML::Node& item = entry.second;
            const DocumentPosition itemAt = fields_.positionOf(entry.first, item);
            fields_.record("parameters." + key, itemAt);
            if (key == "temperature") {
                parameters.temperature = fields_.number(item, key, itemAt);
            } else if (key == "top_p") {
                parameters.topP = fields_.number(item, key, itemAt);
            } else if (key == "top_k") {
                if (auto number = fields_.integer(item, key, itemAt)) parameters.topK = static_cast<int>(std::clamp<qint64>(*number, INT_MIN, INT_MAX));
            } else if (key == "min_p") {
                parameters.minP = fields_.number(item, key, itemAt);
            } else if (key == "repeat_penalty") {
                parameters.repeatPenalty = fields_.number(item, key, itemAt);
            } else if (key == "max_tokens") {
                if (auto number = fields_.integer(item, key, itemAt)) parameters.maxTokens = static_cast<int>(std::clamp<qint64>(*number, INT_MIN, INT_MAX));
            } else if (key == "seed") {
                parameters.seed = fields_.integer(item, key, itemAt);
            } else if (key == "stop") {
                parameters.stop = fields_.textList(item, key, itemAt);
            } else {
                parameters.unknownKeys.append(YamlFieldReader::unknownKey(key, item));
            }
        }
    }

    void readExamples(const YAML::Node& value, DocumentPosition at) {
        if (!value.IsDefined() || value.IsNull()) return;
        if (!value.IsSequence()) {
            fields_.addError(at, QStringLiteral("'examples' must be a list, each item starting "
                                                "with '- inputs:'"));
            return;
        }
        int index = 0;
        for (const YAML::Node& item : value) {
            const QString path = indexPath("examples", index++);
            fields_.record(path, fields_.positionOf(item));
            AppExample example;
            if (!item.IsMap()) {
                fields_.addError(fields_.positionOf(item),
                                 QStringLiteral("each example must be a group of keys: 'inputs' "
                                                "(the values) and 'expect' (checks of the answer)"));
                continue;
            }
            for (const auto& entry : item) {
                const QString key = QString::fromStdString(entry.first.Scalar());
                const DocumentPosition entryAt = fields_.positionOf(entry.first, entry.second);
                fields_.record(path + "." + key, entryAt);
                if (key == "name") {
                    if (auto text = fields_.text(entry.second, key, entryAt)) example.name = *text;
                } else if (key == "inputs") {
                    readExampleInputs(entry.second, path + ".inputs", entryAt, example);
                } else if (key == "expect") {
                    readExpectations(entry.second, path + ".expect", entryAt, example.expect);
                } else {
                    example.unknownKeys.append(YamlFieldReader::unknownKey(key, entry.second));
                }
            }
            app_.examples.append(example);
        }
    }

    void readExampleInputs(const YAML::Node& value, const QString& path, DocumentPosition at,
                           AppExample& example) {
        if (!value.IsDefined() || value.IsNull()) return;
        if (!value.IsMap()) {
            fields_.addError(at, QStringLiteral("an example's 'inputs' must be 'name: value' lines"));
            return;
        }
        for (const auto& entry : value) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const DocumentPosition entryAt = fields_.positionOf(entry.first, entry.second);
            fields_.record(path + "." + key, entryAt);
            if (auto scalar = fields_.scalarValue(entry.second, key, entryAt)) {
                example.inputs.insert(key, scalar->isValid() ? *scalar : QVariant(QString()));
                example.inputOrder << key;
            }
        }
    }

    void readExpectations(const YAML::Node& value, const QString& path, DocumentPosition at,
                          AppExpectations& expect) {
        if (!value.IsDefined() || value.IsNull()) return;
        if (!value.IsMap()) {
            fields_.addError(at, QStringLiteral("'expect' must be checks such as 'contains: [word]' "
                                                "or 'max_words: 100', one per line"));
            return;
        }
        for (const auto& entry : value) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const YAML::Node& item = entry.second;
            const DocumentPosition itemAt = fields_.positionOf(entry.first, item);
            fields_.record(path + "." + key, itemAt);
            if (key == "contains") {
                if (auto list = fields_.textList(item, key, itemAt)) expect.contains = *list;
            } else if (key == "not_contains") {
                if (auto list = fields_.textList(item, key, itemAt)) expect.notContains = *list;
            } else if (key == "matches") {
                if (auto text = fields_.text(item, key, itemAt)) expect.matches = *text;
            } else if (key == "min_words") {
                if (auto number = fields_.integer(item, key, itemAt)) expect.minWords = static_cast<int>(*number);
            } else if (key == "max_words") {
                if (auto number = fields_.integer(item, key, itemAt)) expect.maxWords = static_cast<int>(*number);
            } else if (key == "valid_json") {
                if (auto flag = fields_.boolean(item, key, itemAt)) expect.validJson = *flag;
            } else {
                expect.unknownKeys.append(YamlFieldReader::unknownKey(key, item));
            }
        }
    }

    YamlFieldReader& fields_;
    PromptApp& app_;
};

// The format version the front matter declares: `promptapp: N`, or 0 for a legacy
// file without it, or 1 when it is simply missing.
struct VersionCheck {
    int version = kPromptAppFormatVersion;
    bool ok = true;
};

VersionCheck checkVersion(const YAML::Node& root, YamlFieldReader& fields) {
    VersionCheck check;
    const YAML::Node value = root["promptapp"];
    if (!value.IsDefined()) {
        if (isLegacyPromptApp(root)) check.version = 0;
        return check;
    }
    const DocumentPosition at = fields.positionOf(value);
    const auto number = fields.integer(value, "promptapp", at);
    if (!number || *number < 0) {
        if (number) fields.addError(at, QStringLiteral("'promptapp' must be the format version, 1"));
        check.ok = false;
        return check;
    }
    if (*number > kPromptAppFormatVersion) {
        fields.addError(at, QStringLiteral("this app was made with a newer Prompt Studio (format "
                                           "%1); this version reads format %2")
                                .arg(*number)
                                .arg(kPromptAppFormatVersion));
        check.ok = false;
        return check;
    }
    check.version = static_cast<int>(*number);
    return check;
}

PromptAppLoadResult failed(QList<DocumentError> errors) {
    PromptAppLoadResult result;
    result.errors = std::move(errors);
    return result;
}

}  // namespace

QString PromptAppLoadResult::errorText(const QString& path) const {
    return formatDocumentErrors(errors, path);
}

PromptAppLoadResult parsePromptApp(const QString& fileText) {
    const QString text = normalizeLineEnds(fileText);
    FrontMatterSplit split = splitFrontMatter(text, ".promptapp");
    if (!split.ok) {
        // A legacy (format 0) file may be plain YAML without '---' lines.
        if (!looksLikeBareLegacyYaml(text)) return failed({split.error});
        split = {};
        split.ok = true;
        split.yaml = text;
        split.yamlFirstLine = 1;
    }

    PromptAppLoadResult result;
    PromptApp& app = result.app;
    app.leadingComment = split.leadingComment;
    app.templateText = split.body;
    app.source.bodyFirstLine = split.bodyFirstLine;
    app.source.positions.insert(QString(), {split.yamlFirstLine, 1});

    YamlFieldReader fields(split.yamlFirstLine, split.yaml, &app.source);
    const std::optional<YAML::Node> root = fields.load();
    if (!root) return failed(fields.errors());
    if (!root->IsNull() && !root->IsMap()) {
        return failed({{split.yamlFirstLine, 1,
                        QStringLiteral("the settings between the '---' lines must be 'key: value' "
                                       "lines, e.g. 'name: Email writer'")}});
    }

    const VersionCheck version = checkVersion(*root, fields);
    if (!version.ok) return failed(fields.errors());
    if (root->IsMap()) {
        if (version.version == 0) {
            migrateLegacyPromptApp(*root, fields, app, &result.notices);
        } else {
            AppFieldsReader(fields, app).readTopLevel(*root);
        }
    }
    app.formatVersion = kPromptAppFormatVersion;

    result.loaded = true;
    result.errors = fields.errors();
    result.errors += validatePromptApp(app);
    sortByPosition(result.errors);
    return result;
}

PromptAppLoadResult loadPromptApp(const QString& path) {
    QString error;
    const std::optional<QByteArray> bytes = readInputFileBytes(path, &error);
    if (!bytes) return failed({{0, 0, QStringLiteral("cannot open %1").arg(error)}});
    PromptAppLoadResult result = parsePromptApp(QString::fromUtf8(*bytes));
    if (result.loaded) result.app.filePath = path;
    return result;
}

}  // namespace ps
