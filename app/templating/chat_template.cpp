#include "templating/chat_template.h"

#include "templating/text.h"

namespace ps::templating {

const std::string& fallbackChatTemplate() {
    // Llama 2 chat (Meta's reference format, as Hugging Face's LlamaTokenizer rendered it).
    static const std::string source = R"({%- if messages and messages[0]['role'] == 'system' -%}
    {%- set system_message = messages[0]['content'] -%}
    {%- set loop_messages = messages[1:] -%}
    {%- if not loop_messages -%}
        {{- raise_exception('A system message needs a user message after it.') -}}
    {%- endif -%}
{%- else -%}
    {%- set loop_messages = messages -%}
{%- endif -%}
{%- for message in loop_messages -%}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) -%}
        {{- raise_exception('After an optional system message, roles must alternate user/assistant/user/...') -}}
    {%- endif -%}
    {%- if message['role'] == 'user' -%}
        {{- bos_token + '[INST] ' -}}
        {%- if loop.first and system_message is defined -%}
            {{- '<<SYS>>\n' + system_message + '\n<</SYS>>\n\n' -}}
        {%- endif -%}
        {{- message['content'] | trim + ' [/INST]' -}}
    {%- else -%}
        {{- ' ' + message['content'] | trim + ' ' + eos_token -}}
    {%- endif -%}
{%- endfor -%}
)";
    return source;
}

namespace {

bool isBlank(const std::string& text) { return detail::stripText(text, true, true).empty(); }

Value messagesValue(const std::vector<ChatMessage>& messages) {
    ValueList list;
    list.reserve(messages.size());
    for (const ChatMessage& message : messages) {
        list.emplace_back(ValueMap{{"role", Value(message.role)}, {"content", Value(message.content)}});
    }
    return Value(std::move(list));
}

}  // namespace

std::string renderChatTemplate(const std::string& templateSource,
                               const std::vector<ChatMessage>& messages,
                               const ChatTemplateOptions& options) {
    const bool useFallback = isBlank(templateSource);
    TemplateOptions templateOptions;
    templateOptions.trimBlocks = true;  // as Hugging Face renders chat templates
    templateOptions.lstripBlocks = true;
    templateOptions.strictUndefined = false;
    templateOptions.maxOutputBytes = options.maxOutputBytes;
    templateOptions.maxLoopIterations = options.maxLoopIterations;
    templateOptions.name = useFallback ? "fallback chat template" : "chat template";
    const Template compiled =
        Template::parse(useFallback ? fallbackChatTemplate() : templateSource, templateOptions);
    const ValueMap context{{"messages", messagesValue(messages)},
                           {"bos_token", Value(options.bosToken)},
                           {"eos_token", Value(options.eosToken)},
                           {"add_generation_prompt", Value(options.addGenerationPrompt)}};
    return compiled.render(Value(context));
}

std::vector<ChatMessage> mergeSystemIntoFirstUser(const std::vector<ChatMessage>& messages) {
    if (messages.empty() || messages[0].role != "system") return messages;
    std::vector<ChatMessage> merged(messages.begin() + 1, messages.end());
    const std::string& system = messages[0].content;
    for (ChatMessage& message : merged) {
        if (message.role == "user") {
            message.content = system + "\n\n" + message.content;
            return merged;
        }
    }
    merged.insert(merged.begin(), ChatMessage{"user", system});
    return merged;
}

std::string renderChatTemplateMergingSystem(const std::string& templateSource,
                                            const std::vector<ChatMessage>& messages,
                                            const ChatTemplateOptions& options) {
    try {
        return renderChatTemplate(templateSource, messages, options);
    } catch (const TemplateError& error) {
        if (!error.raisedByTemplate() || messages.empty() || messages[0].role != "system") throw;
        try {
            return renderChatTemplate(templateSource, mergeSystemIntoFirstUser(messages), options);
        } catch (const TemplateError&) {
            throw error;
        }
    }
}

}  // namespace ps::templating
