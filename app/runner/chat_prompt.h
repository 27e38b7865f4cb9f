#pragma once
// A chat prompt that knows which of its bytes people wrote. The model's chat
// template writes control tokens ("<|im_start|>user\n ... <|im_end|>") around
// the message contents; those must become control-token ids, while the contents
// (instructions, form inputs, chat history) must stay text, even when they hold
// "<|im_end|>". Neither the template nor the rendered string says where a
// content landed, so each content goes into the template wrapped in a pair of
// Unicode noncharacters (U+FDD0 ... U+FDD1, which never occur in text people
// exchange; they are removed from the contents first). The markers pass through
// concatenation, filters like `trim` (a content's outer whitespace is put
// outside them) and the system-into-user merge; the rendering is then cut at
// them into the text and the ranges of the contents, markers dropped.
//
// The marked rendering is checked: its markers must pair up, and without them
// it must equal the plain rendering. Where a template cuts or inspects the
// contents so that this fails, each content is looked for, in order, in the
// plain rendering instead; a content that cannot be found and holds a
// control-token text leaves the prompt all text (PromptTokenizer::encodeChat).
#include <string>
#include <vector>

#include "templating/chat_template.h"
#include "tokenizer/tokenizer.h"

namespace ps {

struct ChatPrompt {
    std::string text;                // the rendering, as renderChatTemplateMergingSystem gives it
    std::vector<TextRange> literal;  // byte ranges of message contents, sorted
    std::vector<std::string> unplaced;  // contents whose place in `text` is not known
    bool marked = true;                 // the markers survived the template
};

// The model's template applied to `messages` (the fallback template when it is
// empty). Throws templating::TemplateError as renderChatTemplateMergingSystem.
ChatPrompt renderChatPrompt(const std::string& templateSource,
                            const std::vector<templating::ChatMessage>& messages,
                            const templating::ChatTemplateOptions& options);

// `text` without U+FDD0 and U+FDD1 (the markers).
std::string withoutMarkers(const std::string& text);

}  // namespace ps
