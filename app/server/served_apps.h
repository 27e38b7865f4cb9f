#pragma once
// The user's prompt apps as HTTP APIs: the .promptapp files of one folder, each
// under an id (its file name without the suffix), described with its inputs as a
// JSON Schema (https://json-schema.org, draft 2020-12), and a request's inputs
// checked the way the Run page's form checks them before anything runs.
//
// A file input takes the file's text itself over HTTP, never a path: a client
// must not make the server read its own files.
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QVariantMap>

#include <optional>
#include <vector>

#include "document/prompt_app.h"
#include "runner/generation_service.h"

namespace ps::server {

struct ServedApp {
    QString id;
    QString path;
    PromptApp app;
};

class ServedApps {
public:
    // `folders` are read on every call (apps saved meanwhile show up); empty
    // entries are skipped. An id found in two folders is served from the first.
    explicit ServedApps(QStringList folders = {});

    std::vector<ServedApp> list() const;
    std::optional<ServedApp> find(const QString& id) const;
    bool isEmpty() const { return folders_.isEmpty(); }

private:
    QStringList folders_;
};

// {"id", "name", "description", "kind", "input_schema", "parameters"} for /v1/apps.
QJsonObject describeApp(const ServedApp& app);
QJsonObject inputSchema(const PromptApp& app);

// The request's `inputs` object as the form's values, JSON types checked against
// the schema; throws ApiErrorException (400, param "inputs.NAME") on the first
// wrong one.
QVariantMap inputsFromJson(const PromptApp& app, const QJsonValue& inputs);

// The app's prompt for these inputs, checked like the form does (every error a
// 400 naming the input). File inputs are given as text.
GenerationInput appGenerationInput(const PromptApp& app, const QVariantMap& inputs);

}  // namespace ps::server
