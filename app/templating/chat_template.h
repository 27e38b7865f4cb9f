#pragma once
// Chat templates: turning a conversation into the exact prompt text a model was
// trained on, by running the model's own Jinja template (GGUF key
// `tokenizer.chat_template`) the way Hugging Face transformers does: trim_blocks and
// lstrip_blocks on, lenient undefined, variables `messages` (list of {role, content}),
// `bos_token`, `eos_token`, `add_generation_prompt`, and `raise_exception(msg)`.
//
// The rendered text contains the BOS/EOS token *text* where the template writes it
// (most templates start with `{{ bos_token }}`); whoever tokenizes it must parse
// special tokens and must not add a second BOS.
#include <string>
#include <vector>

#include "templating/template.h"

namespace ps::templating {

struct ChatMessage {
    std::string role;  // "system", "user", "assistant" (templates may accept others)
    std::string content;
};

struct ChatTemplateOptions {
    std::string bosToken;
    std::string eosToken;
    bool addGenerationPrompt = true;  // end with the cue for the assistant's turn
    size_t maxOutputBytes = 16u * 1024 * 1024;
    size_t maxLoopIterations = 1'000'000;
};

// The template used when a model has none (empty `templateSource`): the Llama 2 chat
// format, since our Llama-family models without a template are most likely Llama 2:
//
//   {bos}[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user 1} [/INST] {assistant 1} {eos}
//   {bos}[INST] {user 2} [/INST]
//
// (no line breaks between the turns; the <<SYS>> block only when there is a system
// message, and it goes inside the first [INST]; assistant content is stripped; with
// addGenerationPrompt false and a final user turn the output ends at "[/INST]" all the
// same, since that is this format's generation cue.) Roles must alternate
// user/assistant after an optional system message, else TemplateError.
const std::string& fallbackChatTemplate();

// Renders `templateSource` (or fallbackChatTemplate() when it is empty or only
// whitespace). Throws TemplateError for syntax errors, render errors and the
// template's own raise_exception (message = the template's text).
std::string renderChatTemplate(const std::string& templateSource,
                               const std::vector<ChatMessage>& messages,
                               const ChatTemplateOptions& options = {});

// As renderChatTemplate, but when the template raises (raise_exception) and the
// conversation starts with a system message, retries once with the system text merged
// into the first user message as "system\n\nuser" (many templates, e.g. Mistral v0.2
// and Gemma, reject the system role). Throws the original error if the retry fails too.
std::string renderChatTemplateMergingSystem(const std::string& templateSource,
                                            const std::vector<ChatMessage>& messages,
                                            const ChatTemplateOptions& options = {});

// The conversation with a leading system message folded into the first user message
// ("system\n\nuser"); unchanged when there is no leading system message. When no user
// message follows, the system message becomes a user message.
std::vector<ChatMessage> mergeSystemIntoFirstUser(const std::vector<ChatMessage>& messages);

}  // namespace ps::templating
