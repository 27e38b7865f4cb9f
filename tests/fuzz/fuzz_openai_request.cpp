// libFuzzer: a request body of the OpenAI-compatible server, as a stranger on the
// network may send it. The first byte picks /v1/chat/completions or
// /v1/completions; the rest is the body. A bad body must end as an ApiError (a 400
// naming the field), never a crash; a good one must come out within the caps.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/openai_protocol.h"

namespace {

constexpr int kMaxTokensCap = 64;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const bool chat = data[0] % 2 == 0;
    const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        const QJsonObject json = ps::server::parseJsonObject(body);
        const ps::server::CompletionRequest request = chat ? ps::server::parseChatRequest(json, kMaxTokensCap)
                                                           : ps::server::parseCompletionRequest(json, kMaxTokensCap);
        if (request.parameters.maxTokens < 1 || request.parameters.maxTokens > kMaxTokensCap) {
            std::fprintf(stderr, "max_tokens %d escaped the cap %d\n", request.parameters.maxTokens, kMaxTokensCap);
            std::abort();
        }
    } catch (const ps::server::ApiErrorException& error) {
        if (error.error().message.empty()) {
            std::fprintf(stderr, "a refused request without a message\n");
            std::abort();
        }
    }
    return 0;
}
