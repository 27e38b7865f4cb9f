#pragma once
// Reads a text/event-stream (https://html.spec.whatwg.org/multipage/server-sent-events.html)
// as it arrives in arbitrary pieces: lines end with \n, \r\n or \r; `data:` lines
// of one event are joined with \n; a blank line ends the event; comments (`:`)
// and other fields are ignored. Only the data matters to OpenAI streams.
#include <functional>
#include <string>
#include <string_view>

namespace ps {

class ServerSentEventReader {
public:
    // Feeds received bytes; `onEvent` gets each complete event's data. Returns
    // false as soon as `onEvent` does (the rest of the bytes are dropped).
    bool feed(std::string_view bytes, const std::function<bool(const std::string& data)>& onEvent);

private:
    bool endLine(const std::function<bool(const std::string&)>& onEvent);

    std::string line_;
    std::string data_;
    bool hasData_ = false;
    bool lastWasCarriageReturn_ = false;
};

}  // namespace ps
