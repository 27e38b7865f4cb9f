#include "document/legacy_format.h"

#include <QRegularExpression>

#include "document/bounded_yaml.h"

namespace ps {

namespace {

const QString kLiteralOpen = QStringLiteral("{{ '{' }}");
const QString kLiteralClose = QStringLiteral("{{ '}' }}");

std::optional<InputType> legacyType(const QString& name) {
    if (name == "string" || name == "text") return InputType::Text;
    if (name == "multiline" || name == "paragraph") return InputType::Paragraph;
    if (name == "number" || name == "integer") return InputType::Number;
    if (name == "boolean" || name == "bool") return InputType::Boolean;
    return std::nullopt;
}

void readVariable(const YAML::Node& item, const QString& path, YamlFieldReader& fields,
                  PromptInput& input) {
    const DocumentPosition itemAt = fields.positionOf(item);
    input.required = true;  // format 0 had no optional variables
    if (item.IsScalar()) {
        input.name = QString::fromStdString(item.Scalar());
        fields.record(path + ".name", itemAt);
        return;
    }
    if (!item.IsMap()) {
        fields.addError(itemAt, QStringLiteral("each of 'variables' must be a name or 'name: ...' keys"));
        return;
    }
    for (const auto& entry : item) {
        const QString key = QString::fromStdString(entry.first.Scalar());
        const DocumentPosition at = fields.positionOf(entry.first, entry.second);
        if (key == "name") {
            fields.record(path + ".name", at);
            if (auto text = fields.text(entry.second, key, at)) input.name = *text;
        } else if (key == "description") {
            fields.record(path + ".label", at);
            if (auto text = fields.text(entry.second, key, at)) input.label = *text;
        } else if (key == "default") {
            fields.record(path + ".default", at);
            if (auto value = fields.scalarValue(entry.second, key, at)) input.defaultValue = *value;
            input.required = false;
        } else if (key == "choices") {
            fields.record(path + ".options", at);
            if (auto list = fields.textList(entry.second, key, at)) input.options = *list;
            input.type = InputType::Choice;
        } else if (key == "type") {
            fields.record(path + ".type", at);
            const auto type = entry.second.IsScalar()
                                  ? legacyType(QString::fromStdString(entry.second.Scalar()))
                                  : std::nullopt;
            if (type) {
                if (input.type != InputType::Choice) input.type = *type;
            } else {
                fields.addError(at, QStringLiteral("format 0 'type' must be one of string, "
                                                   "multiline, number, boolean"));
            }
        } else {
            input.unknownKeys.append(YamlFieldReader::unknownKey(key, entry.second));
        }
    }
}

}  // namespace

bool isLegacyPromptApp(const YAML::Node& root) {
    return root.IsMap() && (root["prompt"].IsDefined() || root["variables"].IsDefined());
}

bool looksLikeBareLegacyYaml(const QString& text) {
    try {
        const YAML::Node root = yaml::loadBounded(text.toStdString());
        if (!root.IsMap()) return false;
        const YAML::Node version = root["promptapp"];
        if (version.IsDefined()) return version.IsScalar() && version.Scalar() == "0";
        return isLegacyPromptApp(root);
    } catch (const YAML::Exception&) {
        return false;
    }
}

QString migrateLegacyTemplate(const QString& text) {
    static const QRegularExpression placeholder(R"(^\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\})");
    QString out;
    for (int i = 0; i < text.size();) {
        const QChar c = text.at(i);
        const QChar next = i + 1 < text.size() ? text.at(i + 1) : QChar();
        if (c == '{' && next == '{') {
            out += kLiteralOpen;
            i += 2;
        } else if (c == '}' && next == '}') {
            out += kLiteralClose;
            i += 2;
        } else if (c == '{') {
            const auto match = placeholder.match(QStringView(text).mid(i));
            if (match.hasMatch()) {
                out += "{{ " + match.captured(1) + " }}";
                i += static_cast<int>(match.capturedLength(0));
            } else {
                // A lone brace stays text; before % or # it would start a template tag.
                out += (next == '%' || next == '#') ? kLiteralOpen : QString(c);
                ++i;
            }
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

void migrateLegacyPromptApp(const YAML::Node& root, YamlFieldReader& fields, PromptApp& app,
                            QStringList* notices) {
    bool hadPrompt = false;
    for (const auto& entry : root) {
        const QString key = QString::fromStdString(entry.first.Scalar());
        const YAML::Node& value = entry.second;
        const DocumentPosition at = fields.positionOf(entry.first, value);
        if (key == "promptapp") continue;
        if (key == "title" || key == "name") {
            fields.record("name", at);
            if (auto text = fields.text(value, key, at)) app.name = *text;
        } else if (key == "description") {
            fields.record("description", at);
            if (auto text = fields.text(value, key, at)) app.description = *text;
        } else if (key == "icon" || key == "author" || key == "model") {
            fields.record(key, at);
            if (auto text = fields.text(value, key, at)) {
                (key == "icon" ? app.icon : key == "author" ? app.author : app.model) = *text;
            }
        } else if (key == "tags") {
            fields.record("tags", at);
            if (auto list = fields.textList(value, key, at)) app.tags = *list;
        } else if (key == "system") {
            fields.record("instructions", at);
            fields.record("instructions#content", fields.contentStart(value));
            if (auto text = fields.text(value, key, at)) app.instructions = migrateLegacyTemplate(*text);
        } else if (key == "prompt") {
            hadPrompt = true;
            fields.record("template#content", fields.contentStart(value));
            if (!app.templateText.trimmed().isEmpty()) {
                fields.addError(at, QStringLiteral("this format 0 file has both 'prompt' and a "
                                                   "template after '---'; keep only one"));
            } else if (auto text = fields.text(value, key, at)) {
                app.templateText = *text;
            }
        } else if (key == "variables") {
            fields.record("inputs", at);
            if (!value.IsSequence()) {
                fields.addError(at, QStringLiteral("'variables' must be a list of names"));
                continue;
            }
            int index = 0;
            for (const YAML::Node& item : value) {
                const QString path = QStringLiteral("inputs[%1]").arg(index++);
                fields.record(path, fields.positionOf(item));
                PromptInput input;
                readVariable(item, path, fields, input);
                app.inputs.append(input);
            }
        } else if (key == "temperature" || key == "top_p") {
            fields.record("parameters." + key, at);
            (key == "temperature" ? app.parameters.temperature : app.parameters.topP) =
                fields.number(value, key, at);
        } else if (key == "max_tokens" || key == "seed") {
            fields.record("parameters." + key, at);
            if (auto number = fields.integer(value, key, at)) {
                if (key == "seed") {
                    app.parameters.seed = *number;
                } else {
                    app.parameters.maxTokens = static_cast<int>(*number);
                }
            }
        } else if (key == "stop") {
            fields.record("parameters.stop", at);
            app.parameters.stop = fields.textList(value, key, at);
        } else {
            app.unknownKeys.append(YamlFieldReader::unknownKey(key, value));
        }
    }
    app.templateText = migrateLegacyTemplate(app.templateText);
    app.migratedFromVersion = 0;
    if (notices) {
        *notices << QStringLiteral(
                        "migrated from format 0: %1'variables' became inputs and {name} "
                        "placeholders became {{ name }}; saving writes format %2")
                        .arg(hadPrompt ? QStringLiteral("'prompt' became the template, ") : QString())
                        .arg(kPromptAppFormatVersion);
    }
}

}  // namespace ps
