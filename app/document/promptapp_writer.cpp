#include "document/promptapp_writer.h"

#include "document/atomic_save.h"
#include "document/yaml_value.h"

namespace ps {

using yaml::YamlValue;

namespace {

// Whether the file this app was read from spelled out `path` (so a value equal to the
// default is written back rather than dropped: load -> save changes little).
bool wasWritten(const PromptApp& app, const QString& path) {
    return app.source.positions.contains(path);
}

void insertText(YamlValue& map, const QString& key, const QString& text) {
    if (!text.isEmpty()) map.insert(key, YamlValue::string(text));
}

void insertUnknown(YamlValue& map, const QList<UnknownKey>& keys) {
    for (const UnknownKey& key : keys) map.insert(key.key, YamlValue::fromYamlText(key.yaml));
}

YamlValue textList(const QStringList& texts) {
    YamlValue list = YamlValue::list();
    for (const QString& text : texts) list.append(YamlValue::string(text));
    return list;
}

YamlValue inputValue(const PromptApp& app, int index) {
    const PromptInput& input = app.inputs.at(index);
    const QString path = QStringLiteral("inputs[%1]").arg(index);
    YamlValue map = YamlValue::map();
    map.insert("name", YamlValue::string(input.name));
    insertText(map, "label", input.label);
    if (input.type != InputType::Text || wasWritten(app, path + ".type")) {
        map.insert("type", YamlValue::string(inputTypeName(input.type)));
    }
    if (input.required || wasWritten(app, path + ".required")) {
        map.insert("required", YamlValue::boolean(input.required));
    }
    if (input.defaultValue.isValid()) map.insert("default", YamlValue::fromVariant(input.defaultValue));
    insertText(map, "placeholder", input.placeholder);
    insertText(map, "help", input.help);
    if (!input.options.isEmpty()) map.insert("options", textList(input.options));
    if (input.min) map.insert("min", YamlValue::number(*input.min));
    if (input.max) map.insert("max", YamlValue::number(*input.max));
    insertUnknown(map, input.unknownKeys);
    return map;
}

YamlValue parametersValue(const AppParameters& p) {
    YamlValue map = YamlValue::map();
    if (p.temperature) map.insert("temperature", YamlValue::number(*p.temperature));
    if (p.topP) map.insert("top_p", YamlValue::number(*p.topP));
    if (p.topK) map.insert("top_k", YamlValue::integer(*p.topK));
    if (p.minP) map.insert("min_p", YamlValue::number(*p.minP));
    if (p.repeatPenalty) map.insert("repeat_penalty", YamlValue::number(*p.repeatPenalty));
    if (p.maxTokens) map.insert("max_tokens", YamlValue::integer(*p.maxTokens));
    if (p.seed) map.insert("seed", YamlValue::integer(*p.seed));
    if (p.stop) map.insert("stop", textList(*p.stop));
    insertUnknown(map, p.unknownKeys);
    return map;
}

YamlValue expectationsValue(const AppExpectations& e) {
    YamlValue map = YamlValue::map();
    if (!e.contains.isEmpty()) map.insert("contains", textList(e.contains));
    if (!e.notContains.isEmpty()) map.insert("not_contains", textList(e.notContains));
    insertText(map, "matches", e.matches);
    if (e.minWords) map.insert("min_words", YamlValue::integer(*e.minWords));
    if (e.maxWords) map.insert("max_words", YamlValue::integer(*e.maxWords));
    if (e.validJson) map.insert("valid_json", YamlValue::boolean(true));
    insertUnknown(map, e.unknownKeys);
    return map;
}

YamlValue exampleValue(const AppExample& example) {
    YamlValue map = YamlValue::map();
    insertText(map, "name", example.name);
    YamlValue inputs = YamlValue::map();
    // The order they were written in, then any others (QVariantMap sorts by key).
    for (const QString& key : example.orderedInputNames()) {
        inputs.insert(key, YamlValue::fromVariant(example.inputs.value(key)));
    }
    map.insert("inputs", inputs);
    if (!example.expect.isEmpty()) map.insert("expect", expectationsValue(example.expect));
    insertUnknown(map, example.unknownKeys);
    return map;
}

YamlValue frontMatter(const PromptApp& app) {
    YamlValue root = YamlValue::map();
    root.insert("promptapp", YamlValue::integer(kPromptAppFormatVersion));
    root.insert("name", YamlValue::string(app.name));
    insertText(root, "description", app.description);
    insertText(root, "icon", app.icon);
    insertText(root, "author", app.author);
    if (!app.tags.isEmpty()) root.insert("tags", textList(app.tags));
    if (app.kind != AppKind::Form || wasWritten(app, "kind")) {
        root.insert("kind", YamlValue::string(appKindName(app.kind)));
    }
    insertText(root, "model", app.model);
    if (app.output != OutputFormat::Markdown || wasWritten(app, "output")) {
        root.insert("output", YamlValue::string(outputFormatName(app.output)));
    }
    if (!app.inputs.isEmpty()) {
        YamlValue inputs = YamlValue::list();
        for (int i = 0; i < app.inputs.size(); ++i) inputs.append(inputValue(app, i));
        root.insert("inputs", inputs);
    }
    insertText(root, "instructions", app.instructions);
    if (!app.parameters.isEmpty()) root.insert("parameters", parametersValue(app.parameters));
    if (!app.examples.isEmpty()) {
        YamlValue examples = YamlValue::list();
        for (const AppExample& example : app.examples) examples.append(exampleValue(example));
        root.insert("examples", examples);
    }
    insertUnknown(root, app.unknownKeys);
    return root;
}

}  // namespace

QString serializePromptApp(const PromptApp& app) {
    QString comment = app.leadingComment;
    if (!comment.isEmpty() && !comment.endsWith('\n')) comment += '\n';
    return "---\n" + comment + yaml::emitMapBody(frontMatter(app)) + "---\n" + app.templateText;
}

QString promptAppBackupPath(const QString& path) { return backupPathOf(path); }

bool savePromptApp(const PromptApp& app, const QString& path, QString* error,
                   const SaveOptions& options) {
    return saveFileAtomically(path, serializePromptApp(app).toUtf8(), error, options.keepBackup);
}

}  // namespace ps
