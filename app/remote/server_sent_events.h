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
    // A line or an event's data longer than this is not an OpenAI chunk: the stream
    // is refused rather than kept growing (a server that never sends the blank line).
    static constexpr size_t kMaxEventBytes = size_t{16} << 20;

    // Feeds received bytes; `onEvent` gets each complete event's data. Returns
    // false as soon as `onEvent` does, or when an event passes kMaxEventBytes
    // (then tooLarge() is true); the rest of the bytes are dropped.
    bool feed(std::string_view bytes, const std::function<bool(const std::string& data)>& onEvent);
    bool tooLarge() const { return tooLarge_; }

private:
    bool endLine(const std::function<bool(const std::string&)>& onEvent);

    std::string line_;
    std::string data_;
    bool hasData_ = false;
    bool lastWasCarriageReturn_ = false;
    bool tooLarge_ = false;
};

}  // namespace ps
