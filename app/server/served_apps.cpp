#include "server/served_apps.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>

#include "document/promptapp_reader.h"
#include "runner/app_prompt.h"
#include "runner/input_values.h"
#include "server/openai_protocol.h"

namespace ps::server {

namespace {

// A file input's text arrives in the request; the server reads no files.
PromptApp withFileInputsAsText(PromptApp app) {
    for (PromptInput& input : app.inputs) {
        if (input.type == InputType::File) input.type = InputType::Paragraph;
    }
    return app;
}

QString inputsParam(const QString& name) { return QStringLiteral("inputs.%1").arg(name); }

}  // namespace

ServedApps::ServedApps(QStringList folders) {
    for (const QString& folder : folders) {
        if (!folder.trimmed().isEmpty()) folders_ << folder;
    }
}

std::vector<ServedApp> ServedApps::list() const {
    std::vector<ServedApp> apps;
    QStringList seen;
    for (const QString& folder : folders_) {
        const QFileInfoList files = QDir(folder).entryInfoList(
            {QStringLiteral("*") + QLatin1String(kPromptAppSuffix)}, QDir::Files | QDir::Readable, QDir::Name);
        for (const QFileInfo& file : files) {
            const QString id = file.completeBaseName();
            if (seen.contains(id)) continue;
            const PromptAppLoadResult loaded = loadPromptApp(file.absoluteFilePath());
            // An app with errors would fail every run; it is not served.
            if (!loaded.ok()) continue;
            seen << id;
            apps.push_back({id, file.absoluteFilePath(), loaded.app});
        }
    }
    return apps;
}

std::optional<ServedApp> ServedApps::find(const QString& id) const {
    for (ServedApp& app : list()) {
        if (app.id == id) return std::move(app);
    }
    return std::nullopt;
}

QJsonObject inputSchema(const PromptApp& app) {
    QJsonObject properties;
    QJsonArray required;
    for (const PromptInput& input : app.inputs) {
        QJsonObject property{{"title", input.displayLabel()}};
        if (!input.help.isEmpty()) property.insert("description", input.help);
        switch (input.type) {
            case InputType::Text:
            case InputType::Paragraph: property.insert("type", "string"); break;
            case InputType::Choice:
                property.insert("type", "string");
                property.insert("enum", QJsonArray::fromStringList(input.options));
                break;
            case InputType::Number:
                property.insert("type", "number");
                if (input.min) property.insert("minimum", *input.min);
                if (input.max) property.insert("maximum", *input.max);
                break;
            case InputType::Boolean: property.insert("type", "boolean"); break;
            case InputType::File:
                property.insert("type", "string");
                property.insert("maxLength", static_cast<qint64>(kMaxInputFileBytes));
                property.insert("description",
                                QStringLiteral("The text of the file. %1").arg(input.help).trimmed());
                break;
        }
        if (input.defaultValue.isValid() && !input.defaultValue.isNull()) {
            property.insert("default", QJsonValue::fromVariant(input.defaultValue));
        }
        properties.insert(input.name, property);
        // The form fills a default in; only an input with none must be given.
        const bool hasDefault = input.defaultValue.isValid() && !input.defaultValue.toString().trimmed().isEmpty();
        if (input.required && !hasDefault) required.append(input.name);
    }
    return QJsonObject{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
                       {"type", "object"},
                       {"properties", properties},
                       {"required", required},
                       {"additionalProperties", false}};
}

QJsonObject describeApp(const ServedApp& served) {
    const PromptApp& app = served.app;
    return QJsonObject{{"id", served.id},
                       {"object", "app"},
                       {"name", appDisplayName(app, served.path)},
                       {"description", app.description},
                       {"kind", appKindName(app.kind)},
                       {"input_schema", inputSchema(app)},
                       {"parameters", QJsonObject::fromVariantMap(appParameterValues(app))}};
}

QVariantMap inputsFromJson(const PromptApp& app, const QJsonValue& inputs) {
    if (inputs.isUndefined() || inputs.isNull()) return {};
    if (!inputs.isObject()) throwBadRequest("inputs", "'inputs' must be an object of input name -> value");
    QVariantMap values;
    const QJsonObject object = inputs.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const PromptInput* input = app.findInput(it.key());
        const QJsonValue value = it.value();
        if (!input) {
            QStringList names;
            for (const PromptInput& known : app.inputs) names << known.name;
            throwBadRequest(inputsParam(it.key()).toStdString(),
                            QStringLiteral("input '%1': the app has no such input (it has: %2)")
                                .arg(it.key(), names.isEmpty() ? QStringLiteral("none") : names.join(", "))
                                .toStdString());
        }
        if (value.isNull()) continue;  // as if left empty
        const char* expected = nullptr;
        switch (input->type) {
            case InputType::Number:
                if (!value.isDouble()) expected = "a number";
                break;
            case InputType::Boolean:
                if (!value.isBool()) expected = "true or false";
                break;
            default:
                if (!value.isString()) expected = "a string";
                break;
        }
        if (expected) {
            throwBadRequest(inputsParam(it.key()).toStdString(),
                            QStringLiteral("input '%1': must be %2").arg(it.key(), QString::fromLatin1(expected))
                                .toStdString());
        }
        if (input->type == InputType::File && value.toString().toUtf8().size() > kMaxInputFileBytes) {
            throwBadRequest(inputsParam(it.key()).toStdString(),
                            QStringLiteral("input '%1': the text is longer than the %2 bytes a file input may have")
                                .arg(it.key())
                                .arg(kMaxInputFileBytes)
                                .toStdString());
        }
        values.insert(it.key(), value.toVariant());
    }
    return values;
}

GenerationInput appGenerationInput(const PromptApp& app, const QVariantMap& inputs) {
    const PromptApp served = withFileInputsAsText(app);
    const CheckedInputs checked = checkInputs(served, inputs);
    if (!checked.ok()) {
        // "input 'topic' (Topic) is required" -> param inputs.topic
        static const QRegularExpression name(QStringLiteral("^input '([^']*)'"));
        const QRegularExpressionMatch match = name.match(checked.errors.first());
        throwBadRequest(match.hasMatch() ? inputsParam(match.captured(1)).toStdString() : std::string("inputs"),
                        checked.errors.join(QStringLiteral("; ")).toStdString());
    }
    try {
        return generationInputFor(buildAppPrompt(served, inputs));
    } catch (const AppPromptError& error) {
        throwBadRequest("inputs", error.what());
    }
}

}  // namespace ps::server
