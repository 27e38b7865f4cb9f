#pragma once
// Microsoft Prompty files (.prompty): YAML front matter (name, description, authors,
// model: {api, configuration, parameters}, inputs, sample) and a Jinja body split into
// `system:`, `user:` and `assistant:` sections. Import maps them onto a PromptApp;
// export writes a .prompty that Prompty tools read back.
#include <QList>
#include <QString>

#include "document/document_error.h"
#include "document/prompt_app.h"
#include "document/promptapp_reader.h"

namespace ps {

// system -> instructions, the first user section -> template (a chat history with
// assistant turns becomes a chat app keeping the later turns in the template),
// inputs/sample -> inputs and one example, model.parameters -> parameters,
// model.configuration (deployment/name) -> model hint, authors -> author.
// The result is validated like a .promptapp; `notices` lists what could not be mapped.
PromptAppLoadResult parsePrompty(const QString& text);
PromptAppLoadResult loadPrompty(const QString& path);

// The app as a .prompty file (model.api: chat, or completion for completion apps).
QString exportPrompty(const PromptApp& app);
bool savePrompty(const PromptApp& app, const QString& path, QString* error);

inline constexpr const char* kPromptySuffix = ".prompty";

}  // namespace ps
