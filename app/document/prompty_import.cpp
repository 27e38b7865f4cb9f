// Import of Microsoft Prompty files (.prompty) as prompt apps. The format is read as
// its runtimes read it (github.com/microsoft/prompty): front matter with name,
// description, authors (or metadata.authors), model {api, configuration, parameters},
// inputs (a map of name -> spec or -> sample value; or a list of {name, kind, ...}),
// sample; then a Jinja body whose `system:` / `user:` / `assistant:` lines start the
// messages of a chat.
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include "document/front_matter.h"
#include "document/prompty.h"
#include "document/promptapp_validation.h"
#include "document/yaml_fields.h"
#include "document/yaml_value.h"
#include "limits/input_file.h"

namespace ps {

namespace {

struct RoleSection {
    QString role;  // system, user, assistant (developer counts as system)
    QString text;
    int firstLine = 0;  // the file line the text starts on
    bool markerLine = false;
};

QString trimBlankLines(const QString& text) {
    QStringList lines = text.split('\n');
    while (!lines.isEmpty() && lines.first().trimmed().isEmpty()) lines.removeFirst();
    while (!lines.isEmpty() && lines.last().trimmed().isEmpty()) lines.removeLast();
    return lines.join('\n');
}

// Splits the body at role lines ("system:", "user:", "# assistant:" on a line alone).
QList<RoleSection> splitRoles(const QString& body, int bodyFirstLine) {
    static const QRegularExpression roleLine(
        R"(^\s*#?\s*(system|user|assistant|developer)\s*:\s*$)",
        QRegularExpression::CaseInsensitiveOption);
    QList<RoleSection> sections;
    RoleSection current{"system", QString(), bodyFirstLine, false};
    const QStringList lines = body.split('\n');
    for (int i = 0; i < lines.size(); ++i) {
        const auto match = roleLine.match(lines.at(i));
        if (match.hasMatch()) {
            if (current.markerLine || !current.text.trimmed().isEmpty()) sections << current;
            QString role = match.captured(1).toLower();
            if (role == "developer") role = "system";
            current = {role, QString(), bodyFirstLine + i + 1, true};
        } else {
            current.text += lines.at(i) + '\n';
        }
    }
    if (current.markerLine || !current.text.trimmed().isEmpty()) sections << current;
    return sections;
}

class PromptyImporter {
public:
    PromptyImporter(YamlFieldReader& fields, PromptApp& app, QStringList& notices)
        : fields_(fields), app_(app), notices_(notices) {}

    void readFrontMatter(const YAML::Node& root) {
        for (const auto& entry : root) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const YAML::Node& value = entry.second;
            const DocumentPosition at = fields_.positionOf(entry.first, value);
            if (key == "name") {
                fields_.record("name", at);
                if (auto text = fields_.text(value, key, at)) app_.name = *text;
            } else if (key == "description") {
                fields_.record("description", at);
                if (auto text = fields_.text(value, key, at)) app_.description = *text;
            } else if (key == "authors") {
                if (auto list = fields_.textList(value, key, at)) app_.author = list->join(", ");
            } else if (key == "tags") {
                if (auto list = fields_.textList(value, key, at)) app_.tags = *list;
            } else if (key == "metadata" && value.IsMap()) {
                readMetadata(value);
            } else if (key == "model") {
                readModel(value, at);
            } else if (key == "inputs") {
                fields_.record("inputs", at);
                readInputs(value, at);
            } else if (key == "sample") {
                readSample(value, at);
            } else if (key == "template" && isJinja(value)) {
                // jinja2 is what Prompt Studio templates are; nothing to keep.
            } else {
                app_.unknownKeys.append(YamlFieldReader::unknownKey(key, value));
                notices_ << QStringLiteral("'%1' has no Prompt Studio equivalent; it is kept as is").arg(key);
            }
        }
    }

    void finishInputs() {
        for (const QString& name : sampleOrder_) {
            if (app_.findInput(name)) continue;
            PromptInput input;
            input.name = name;
            input.type = typeForValue(sample_.value(name));
            app_.inputs.append(input);
        }
        if (!sample_.isEmpty()) {
            AppExample example;
            example.name = "sample";
            example.inputs = sample_;
            example.inputOrder = sampleOrder_;
            app_.examples.append(example);
        }
    }

private:
    static bool isJinja(const YAML::Node& value) {
        if (value.IsScalar()) return value.Scalar() == "jinja2" || value.Scalar() == "jinja";
        // A missing key gives an invalid node, which throws when asked its type.
        const YAML::Node format = value.IsMap() ? value["format"] : YAML::Node();
        const std::string formatName = format.IsDefined() && format.IsScalar() ? format.Scalar() : std::string();
        return formatName == "jinja2" || formatName == "jinja";
    }

    void readMetadata(const YAML::Node& metadata) {
        YAML::Node rest(YAML::NodeType::Map);
        for (const auto& entry : metadata) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const DocumentPosition at = fields_.positionOf(entry.first, entry.second);
            if (key == "authors") {
                if (auto list = fields_.textList(entry.second, key, at)) app_.author = list->join(", ");
            } else if (key == "tags") {
                if (auto list = fields_.textList(entry.second, key, at)) app_.tags = *list;
            } else {
                rest[entry.first] = entry.second;
            }
        }
        if (rest.size() > 0) app_.unknownKeys.append(YamlFieldReader::unknownKey("metadata", rest));
    }

    void readModel(const YAML::Node& model, DocumentPosition at) {
        if (model.IsScalar()) {  // "model: gpt-4o" shorthand
            fields_.record("model", at);
            app_.model = QString::fromStdString(model.Scalar());
            return;
        }
        if (!model.IsMap()) return;
        for (const auto& entry : model) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const YAML::Node& value = entry.second;
            const DocumentPosition valueAt = fields_.positionOf(entry.first, value);
            if (key == "api") {
                const QString api = value.IsScalar() ? QString::fromStdString(value.Scalar()) : QString();
                if (api == "completion") {
                    app_.kind = AppKind::Completion;
                } else if (api != "chat") {
                    notices_ << QStringLiteral("model api '%1' is imported as a form app").arg(api);
                }
            } else if (key == "configuration" || key == "connection") {
                readConfiguration(value);
            } else if (key == "id" || key == "name") {
                if (auto text = fields_.text(value, key, valueAt)) app_.model = *text;
            } else if (key == "parameters" || key == "options") {
                readParameters(value);
            } else {
                notices_ << QStringLiteral("model.%1 is not used by Prompt Studio").arg(key);
            }
        }
    }

    void readConfiguration(const YAML::Node& configuration) {
        if (!configuration.IsMap()) return;
        for (const char* key : {"azure_deployment", "deployment", "model", "name"}) {
            const YAML::Node value = configuration[key];  // invalid (not defined) when absent
            if (value.IsDefined() && value.IsScalar() && app_.model.isEmpty()) {
                app_.model = QString::fromStdString(value.Scalar());
            }
        }
        notices_ << QStringLiteral("the model connection (endpoint, keys) is not imported: Prompt "
                                   "Studio runs local models; the deployment name is kept as a hint");
    }

    void readParameters(const YAML::Node& parameters) {
        if (!parameters.IsMap()) return;
        AppParameters& p = app_.parameters;
        for (const auto& entry : parameters) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const YAML::Node& value = entry.second;
            const DocumentPosition at = fields_.positionOf(entry.first, value);
            if (key == "temperature") {
                fields_.record("parameters.temperature", at);
                p.temperature = fields_.number(value, key, at);
            } else if (key == "top_p" || key == "topP") {
                fields_.record("parameters.top_p", at);
                p.topP = fields_.number(value, key, at);
            } else if (key == "top_k" || key == "topK") {
                fields_.record("parameters.top_k", at);
                if (auto n = fields_.integer(value, key, at)) p.topK = static_cast<int>(*n);
            } else if (key == "max_tokens" || key == "maxOutputTokens" || key == "max_completion_tokens") {
                fields_.record("parameters.max_tokens", at);
                if (auto n = fields_.integer(value, key, at)) p.maxTokens = static_cast<int>(*n);
            } else if (key == "seed") {
                fields_.record("parameters.seed", at);
                p.seed = fields_.integer(value, key, at);
            } else if (key == "stop" || key == "stopSequences") {
                fields_.record("parameters.stop", at);
                p.stop = fields_.textList(value, key, at);
            } else {
                p.unknownKeys.append(YamlFieldReader::unknownKey(key, value));
                notices_ << QStringLiteral("parameter '%1' is not used by the local runtime; it is kept").arg(key);
            }
        }
    }

    static InputType typeFromName(const QString& type) {
        if (type == "number" || type == "integer" || type == "float" || type == "int") return InputType::Number;
        if (type == "boolean" || type == "bool") return InputType::Boolean;
        return InputType::Text;
    }

    static InputType typeForValue(const QVariant& value) {
        switch (value.typeId()) {
            case QMetaType::Bool: return InputType::Boolean;
            case QMetaType::LongLong:
            case QMetaType::Double: return InputType::Number;
            default: {
                const QString text = value.toString();
                return text.contains('\n') || text.size() > 80 ? InputType::Paragraph : InputType::Text;
            }
        }
    }

    // A sample value as an example input: scalars typed, lists and maps as JSON-ish text.
    QVariant sampleValue(const YAML::Node& value, const QString& name) {
        if (value.IsScalar() || value.IsNull()) {
            const auto scalar = fields_.scalarValue(value, name, fields_.positionOf(value));
            return scalar && scalar->isValid() ? *scalar : QVariant(QString());
        }
        notices_ << QStringLiteral("the sample value of '%1' is a list or group; it became text").arg(name);
        return QString::fromStdString(YAML::Dump(value));
    }

    void addSample(const QString& name, const QVariant& value) {
        if (!sampleOrder_.contains(name)) sampleOrder_ << name;
        sample_.insert(name, value);
    }

    void readInputs(const YAML::Node& inputs, DocumentPosition at) {
        if (inputs.IsMap()) {
            int index = 0;
            for (const auto& entry : inputs) {
                readInput(QString::fromStdString(entry.first.Scalar()), entry.second,
                          fields_.positionOf(entry.first), index++);
            }
        } else if (inputs.IsSequence()) {  // Prompty 2: a list of {name, kind, ...}
            int index = 0;
            for (const YAML::Node& item : inputs) {
                const YAML::Node name = item.IsMap() ? item["name"] : YAML::Node();
                if (!name.IsDefined() || !name.IsScalar()) {
                    fields_.addError(fields_.positionOf(item), QStringLiteral("each input needs a 'name'"));
                    continue;
                }
                readInput(QString::fromStdString(name.Scalar()), item, fields_.positionOf(item), index++);
            }
        } else if (!inputs.IsNull()) {
            fields_.addError(at, QStringLiteral("'inputs' must be a map of input names"));
        }
    }

    void readInput(const QString& name, const YAML::Node& spec, DocumentPosition at, int index) {
        const QString path = QStringLiteral("inputs[%1]").arg(index);
        fields_.record(path, at);
        fields_.record(path + ".name", at);
        PromptInput input;
        input.name = name;
        if (!spec.IsMap()) {  // "firstName: Jane": the value is a sample/default
            const QVariant value = sampleValue(spec, name);
            input.type = typeForValue(value);
            if (spec.IsScalar()) input.defaultValue = value;
            addSample(name, value);
            app_.inputs.append(input);
            return;
        }
        bool typed = false;
        for (const auto& entry : spec) {
            const QString key = QString::fromStdString(entry.first.Scalar());
            const YAML::Node& value = entry.second;
            const DocumentPosition valueAt = fields_.positionOf(entry.first, value);
            if (key == "type" || key == "kind") {
                const QString type = value.IsScalar() ? QString::fromStdString(value.Scalar()) : QString();
                input.type = typeFromName(type);
                typed = true;
                if (type == "array" || type == "object" || type == "list") {
                    notices_ << QStringLiteral("input '%1' is a %2; it became a text input").arg(name, type);
                }
            } else if (key == "description") {
                if (auto text = fields_.text(value, key, valueAt)) input.help = *text;
            } else if (key == "default") {
                if (value.IsScalar()) {
                    fields_.record(path + ".default", valueAt);
                    input.defaultValue = sampleValue(value, name);
                }
            } else if (key == "sample" || key == "example") {
                addSample(name, sampleValue(value, name));
            } else if (key == "required") {
                if (auto flag = fields_.boolean(value, key, valueAt)) input.required = *flag;
            } else if (key != "name") {
                input.unknownKeys.append(YamlFieldReader::unknownKey(key, value));
            }
        }
        if (!typed && input.defaultValue.isValid()) input.type = typeForValue(input.defaultValue);
        if (input.type == InputType::Text && sample_.contains(name)) {
            input.type = typeForValue(sample_.value(name)) == InputType::Paragraph ? InputType::Paragraph
                                                                                   : InputType::Text;
        }
        app_.inputs.append(input);
    }

    void readSample(const YAML::Node& sample, DocumentPosition at) {
        if (sample.IsMap()) {
            for (const auto& entry : sample) {
                const QString name = QString::fromStdString(entry.first.Scalar());
                if (!sample_.contains(name)) addSample(name, sampleValue(entry.second, name));
            }
        } else if (sample.IsScalar()) {
            notices_ << QStringLiteral("the sample file '%1' is not read; add an example by hand")
                            .arg(QString::fromStdString(sample.Scalar()));
        } else {
            fields_.addError(at, QStringLiteral("'sample' must be 'name: value' lines"));
        }
    }

    YamlFieldReader& fields_;
    PromptApp& app_;
    QStringList& notices_;
    QVariantMap sample_;
    QStringList sampleOrder_;
};

void importBody(const QString& body, int bodyFirstLine, PromptApp& app, QStringList& notices) {
    if (app.kind == AppKind::Completion) {
        app.templateText = body;
        app.source.positions.insert("template#content", {bodyFirstLine, 1});
        return;
    }
    const QList<RoleSection> sections = splitRoles(body, bodyFirstLine);
    QStringList instructions;
    int firstUser = -1;
    for (int i = 0; i < sections.size(); ++i) {
        if (sections.at(i).role == "user") {
            firstUser = i;
            break;
        }
        if (sections.at(i).role == "system") {
            instructions << trimBlankLines(sections.at(i).text);
        } else {
            notices << QStringLiteral("an assistant message before the first user message was dropped");
        }
    }
    app.instructions = instructions.join("\n\n");
    if (!sections.isEmpty() && sections.first().role == "system") {
        // Positions of template variables in the instructions, for validation.
        const RoleSection& system = sections.first();
        int skipped = 0;
        for (const QString& line : system.text.split('\n')) {
            if (!line.trimmed().isEmpty()) break;
            ++skipped;
        }
        app.source.positions.insert("instructions#content", {system.firstLine + skipped, 1});
    }
    if (firstUser < 0) {
        if (app.kind == AppKind::Form) app.kind = AppKind::Chat;
        notices << QStringLiteral("there is no 'user:' section: imported as a chat app");
        return;
    }
    const RoleSection& user = sections.at(firstUser);
    QString templateText = trimBlankLines(user.text);
    int skipped = 0;
    for (const QString& line : user.text.split('\n')) {
        if (!line.trimmed().isEmpty()) break;
        ++skipped;
    }
    app.source.positions.insert("template#content", {user.firstLine + skipped, 1});
    if (firstUser + 1 < sections.size()) {
        // Later turns stay in the template as written, role lines included.
        for (int i = firstUser + 1; i < sections.size(); ++i) {
            templateText += "\n\n" + sections.at(i).role + ":\n" + trimBlankLines(sections.at(i).text);
        }
        notices << QStringLiteral("the messages after the first user message are kept in the template as text");
    }
    app.templateText = templateText + "\n";
}

}  // namespace

PromptAppLoadResult parsePrompty(const QString& fileText) {
    PromptAppLoadResult result;
    PromptApp& app = result.app;
    const QString text = normalizeLineEnds(fileText);
    FrontMatterSplit split = splitFrontMatter(text, ".prompty");
    if (!split.ok) {
        if (split.error.line == 1 && split.error.column == 1) {
            // A body without front matter is a valid (minimal) Prompty file.
            split = {};
            split.ok = true;
            split.body = text;
            split.bodyFirstLine = 1;
        } else {
            result.errors << split.error;
            return result;
        }
    }
    app.source.positions.insert(QString(), {split.yamlFirstLine, 1});
    app.source.bodyFirstLine = split.bodyFirstLine;
    YamlFieldReader fields(split.yamlFirstLine, split.yaml, &app.source);
    if (!split.yaml.trimmed().isEmpty()) {
        const std::optional<YAML::Node> root = fields.load();
        if (!root) {
            result.errors = fields.errors();
            return result;
        }
        if (root->IsMap()) {
            PromptyImporter importer(fields, app, result.notices);
            importer.readFrontMatter(*root);
            importBody(split.body, split.bodyFirstLine, app, result.notices);
            importer.finishInputs();
        } else if (!root->IsNull()) {
            result.errors << DocumentError{split.yamlFirstLine, 1,
                                           QStringLiteral("the front matter must be 'key: value' lines")};
            return result;
        } else {
            importBody(split.body, split.bodyFirstLine, app, result.notices);
        }
    } else {
        importBody(split.body, split.bodyFirstLine, app, result.notices);
    }
    result.loaded = true;
    result.errors = fields.errors() + validatePromptApp(app);
    sortByPosition(result.errors);
    return result;
}

PromptAppLoadResult loadPrompty(const QString& path) {
    QString error;
    const std::optional<QByteArray> bytes = readInputFileBytes(path, &error);
    if (!bytes) {
        PromptAppLoadResult result;
        result.errors << DocumentError{0, 0, QStringLiteral("cannot open %1").arg(error)};
        return result;
    }
    PromptAppLoadResult result = parsePrompty(QString::fromUtf8(*bytes));
    if (result.loaded && result.app.name.isEmpty()) {
        // Prompty names a nameless prompt after its file.
        result.app.name = QFileInfo(path).completeBaseName();
        result.errors.removeIf([](const DocumentError& e) { return e.message.startsWith("missing 'name'"); });
    }
    return result;
}

}  // namespace ps
