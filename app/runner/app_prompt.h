#pragma once
// From an app and its input values to the text that goes to the model: the
// inputs checked (input_values.h), the template rendered, and the pieces the
// Runner turns into a conversation or a completion prompt.
#include <QString>
#include <QVariantMap>

#include <stdexcept>
#include <string>
#include <vector>

#include "document/prompt_app.h"
#include "runner/generation_service.h"

namespace ps {

// The inputs do not fit the app, or the template cannot be rendered. The
// message names the input(s) or the template position.
class AppPromptError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct AppPrompt {
    enum class Kind { Chat, Completion };
    Kind kind = Kind::Chat;
    std::string instructions;  // the system message (chat); a preamble (completion)
    std::string userText;      // the rendered template

    // A completion app's prompt: the instructions, if any, then the template,
    // so that the fixed part comes first and is reused between runs.
    std::string completionText() const;
};

// Throws AppPromptError listing every problem with the inputs at once.
AppPrompt buildAppPrompt(const PromptApp& app, const QVariantMap& inputs);

// What goes to the GenerationService: a completion app's text as is; for a chat or
// form app the instructions as the system message, then `earlierTurns` (a chat
// app's conversation so far), then the rendered template as the user message.
GenerationInput generationInputFor(const AppPrompt& prompt,
                                   const std::vector<templating::ChatMessage>& earlierTurns = {});

// The app's `parameters` as GenerationParameters::apply reads them.
QVariantMap appParameterValues(const PromptApp& app);
// The name the history files a run under: the app's name, else its file's.
QString appDisplayName(const PromptApp& app, const QString& path);
// What version of the app ran: "format 1, sha256:3f2a9c01d4e5" (a hash of its
// saved form, so that any edit gives a new label).
QString appVersionLabel(const PromptApp& app);

}  // namespace ps
