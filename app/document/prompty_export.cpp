// Export of a prompt app as a Microsoft Prompty file (.prompty). What Prompty has no
// place for (icon, output format, examples beyond the first, expectations, top_k,
// min_p, repeat_penalty) is left out; docs/promptapp-format.md lists it.
#include <QSaveFile>

#include "document/prompty.h"
#include "document/yaml_value.h"

namespace ps {

using yaml::YamlValue;

namespace {

QString promptyType(InputType type) {
    switch (type) {
        case InputType::Number: return "number";
        case InputType::Boolean: return "boolean";
        default: return "string";
    }
}

YamlValue modelValue(const PromptApp& app) {
    YamlValue model = YamlValue::map();
    model.insert("api", YamlValue::string(app.kind == AppKind::Completion ? "completion" : "chat"));
    if (!app.model.isEmpty()) {
        YamlValue configuration = YamlValue::map();
        configuration.insert("name", YamlValue::string(app.model));
        model.insert("configuration", configuration);
    }
    // The OpenAI-style parameters Prompty runtimes pass on, plus any kept unknown ones.
    const AppParameters& p = app.parameters;
    YamlValue parameters = YamlValue::map();
    if (p.temperature) parameters.insert("temperature", YamlValue::number(*p.temperature));
    if (p.topP) parameters.insert("top_p", YamlValue::number(*p.topP));
    if (p.maxTokens) parameters.insert("max_tokens", YamlValue::integer(*p.maxTokens));
    if (p.seed) parameters.insert("seed", YamlValue::integer(*p.seed));
    if (p.stop) {
        YamlValue stop = YamlValue::list();
        for (const QString& sequence : *p.stop) stop.append(YamlValue::string(sequence));
        parameters.insert("stop", stop);
    }
    for (const UnknownKey& key : p.unknownKeys) {
        parameters.insert(key.key, YamlValue::fromYamlText(key.yaml));
    }
    if (!parameters.isEmpty()) model.insert("parameters", parameters);
    return model;
}

YamlValue inputsValue(const PromptApp& app) {
    YamlValue inputs = YamlValue::map();
    for (const PromptInput& input : app.inputs) {
        YamlValue spec = YamlValue::map();
        spec.insert("type", YamlValue::string(promptyType(input.type)));
        const QString description = input.help.isEmpty() ? input.label : input.help;
        if (!description.isEmpty()) spec.insert("description", YamlValue::string(description));
        if (input.defaultValue.isValid()) spec.insert("default", YamlValue::fromVariant(input.defaultValue));
        if (input.required) spec.insert("required", YamlValue::boolean(true));
        inputs.insert(input.name, spec);
    }
    return inputs;
}

}  // namespace

QString exportPrompty(const PromptApp& app) {
    YamlValue root = YamlValue::map();
    root.insert("name", YamlValue::string(app.name));
    if (!app.description.isEmpty()) root.insert("description", YamlValue::string(app.description));
    if (!app.author.isEmpty()) {
        YamlValue authors = YamlValue::list();
        for (const QString& author : app.author.split(',', Qt::SkipEmptyParts)) {
            authors.append(YamlValue::string(author.trimmed()));
        }
        root.insert("authors", authors);
    }
    if (!app.tags.isEmpty()) {
        YamlValue tags = YamlValue::list();
        for (const QString& tag : app.tags) tags.append(YamlValue::string(tag));
        root.insert("tags", tags);
    }
    root.insert("model", modelValue(app));
    if (!app.inputs.isEmpty()) root.insert("inputs", inputsValue(app));
    if (!app.examples.isEmpty() && !app.examples.first().inputs.isEmpty()) {
        const AppExample& example = app.examples.first();
        YamlValue sample = YamlValue::map();
        for (const QString& key : example.orderedInputNames()) {
            sample.insert(key, YamlValue::fromVariant(example.inputs.value(key)));
        }
        root.insert("sample", sample);
    }
    // Keys kept from an imported .prompty (tools, metadata, ...) go back as they came.
    for (const UnknownKey& key : app.unknownKeys) root.insert(key.key, YamlValue::fromYamlText(key.yaml));

    QString body;
    if (app.kind == AppKind::Completion) {
        body = app.templateText;
    } else {
        if (!app.instructions.trimmed().isEmpty()) body += "system:\n" + app.instructions.trimmed() + "\n\n";
        if (!app.templateText.trimmed().isEmpty() || app.kind != AppKind::Chat) {
            body += "user:\n" + app.templateText;
        }
        if (!body.endsWith('\n')) body += '\n';
    }
    return "---\n" + yaml::emitMapBody(root) + "---\n" + body;
}

bool savePrompty(const PromptApp& app, const QString& path, QString* error) {
    const QByteArray bytes = exportPrompty(app).toUtf8();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error) *error = QStringLiteral("cannot save %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

}  // namespace ps
