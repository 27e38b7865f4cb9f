// libFuzzer: the chat-template path a model's own template takes (renderChatTemplate
// with messages, BOS/EOS and the generation prompt, and the variant that merges the
// system message for templates that refuse one).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "templating/chat_template.h"
#include "templating/template.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ps::templating;
    const std::string source(reinterpret_cast<const char*>(data), size);
    const std::vector<ChatMessage> messages = {
        {"system", "Be brief."}, {"user", "Hello <|im_end|> {{ x }}"}, {"assistant", "Hi."},
        {"user", "Tell me a story."}};
    ChatTemplateOptions options;
    options.bosToken = "<s>";
    options.eosToken = "</s>";
    try {
        (void)renderChatTemplate(source, messages, options);
    } catch (const TemplateError&) {
    } catch (const ValueLimitError&) {
    }
    try {
        (void)renderChatTemplateMergingSystem(source, messages, options);
    } catch (const TemplateError&) {
    } catch (const ValueLimitError&) {
    }
    return 0;
}
