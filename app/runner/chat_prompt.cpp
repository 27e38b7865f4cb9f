#include "runner/chat_prompt.h"

#include <string_view>

namespace ps {
namespace {

constexpr std::string_view kOpen = "\xEF\xB7\x90";   // U+FDD0
constexpr std::string_view kClose = "\xEF\xB7\x91";  // U+FDD1

bool isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

// Leading whitespace, marker, content, marker, trailing whitespace: a template
// that trims the content trims the whitespace and keeps the markers.
std::string marked(const std::string& content) {
    const std::string clean = withoutMarkers(content);
    size_t begin = 0, end = clean.size();
    while (begin < end && isSpace(clean[begin])) ++begin;
    while (end > begin && isSpace(clean[end - 1])) --end;
    std::string out = clean.substr(0, begin);
    out += kOpen;
    out.append(clean, begin, end - begin);
    out += kClose;
    out.append(clean, end);
    return out;
}

// Cuts `rendered` at the markers; false when they do not pair up.
bool cutAtMarkers(const std::string& rendered, ChatPrompt& prompt) {
    prompt.text.clear();
    prompt.literal.clear();
    bool inside = false;
    size_t pos = 0;
    while (pos < rendered.size()) {
        const bool open = rendered.compare(pos, kOpen.size(), kOpen) == 0;
        const bool close = !open && rendered.compare(pos, kClose.size(), kClose) == 0;
        if (open || close) {
            if (open == inside) return false;  // two opens or a close without an open
            if (open) {
                prompt.literal.push_back({prompt.text.size(), prompt.text.size()});
            } else {
                prompt.literal.back().end = prompt.text.size();
                if (prompt.literal.back().begin == prompt.literal.back().end)
                    prompt.literal.pop_back();
            }
            inside = open;
            pos += kOpen.size();
            continue;
        }
        prompt.text.push_back(rendered[pos++]);
    }
    return !inside;
}

// The fallback: each content looked for in order (as written, or trimmed).
void placeContents(const std::vector<templating::ChatMessage>& messages, ChatPrompt& prompt) {
    prompt.literal.clear();
    prompt.unplaced.clear();
    size_t from = 0;
    for (const templating::ChatMessage& message : messages) {
        std::string content = withoutMarkers(message.content);
        size_t begin = 0, end = content.size();
        while (begin < end && isSpace(content[begin])) ++begin;
        while (end > begin && isSpace(content[end - 1])) --end;
        content = content.substr(begin, end - begin);
        if (content.empty()) continue;
        const size_t at = prompt.text.find(content, from);
        if (at == std::string::npos) {
            prompt.unplaced.push_back(content);
            continue;
        }
        prompt.literal.push_back({at, at + content.size()});
        from = at + content.size();
    }
}

}  // namespace

std::string withoutMarkers(const std::string& text) {
    if (text.find("\xEF\xB7") == std::string::npos) return text;
    std::string out;
    out.reserve(text.size());
    for (size_t pos = 0; pos < text.size();) {
        if (text.compare(pos, kOpen.size(), kOpen) == 0 ||
            text.compare(pos, kClose.size(), kClose) == 0) {
            pos += kOpen.size();
        } else {
            out.push_back(text[pos++]);
        }
    }
    return out;
}

ChatPrompt renderChatPrompt(const std::string& templateSource,
                            const std::vector<templating::ChatMessage>& messages,
                            const templating::ChatTemplateOptions& options) {
    std::vector<templating::ChatMessage> clean = messages;
    std::vector<templating::ChatMessage> wrapped = messages;
    for (size_t i = 0; i < messages.size(); ++i) {
        clean[i].content = withoutMarkers(messages[i].content);
        wrapped[i].content = marked(messages[i].content);
    }
    const std::string plain =
        templating::renderChatTemplateMergingSystem(templateSource, clean, options);
    ChatPrompt prompt;
    std::string rendered;
    try {
        rendered = templating::renderChatTemplateMergingSystem(templateSource, wrapped, options);
    } catch (const templating::TemplateError&) {
        rendered.clear();  // the markers upset the template: place the contents instead
    }
    if (!rendered.empty() && cutAtMarkers(rendered, prompt) && prompt.text == plain) return prompt;
    prompt.text = plain;
    prompt.marked = false;
    placeContents(clean, prompt);
    return prompt;
}

}  // namespace ps
