#include "remote/server_sent_events.h"

namespace ps {

bool ServerSentEventReader::endLine(const std::function<bool(const std::string&)>& onEvent) {
    if (line_.empty()) {  // a blank line dispatches the event
        bool goOn = true;
        if (hasData_) goOn = onEvent(data_);
        data_.clear();
        hasData_ = false;
        return goOn;
    }
    if (line_.rfind("data:", 0) == 0) {
        std::string_view value(line_);
        value.remove_prefix(5);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        if (data_.size() + value.size() + 1 > kMaxEventBytes) {
            tooLarge_ = true;
            return false;
        }
        if (hasData_) data_ += '\n';
        data_ += value;
        hasData_ = true;
    }
    line_.clear();
    return true;
}

bool ServerSentEventReader::feed(std::string_view bytes, const std::function<bool(const std::string&)>& onEvent) {
    for (const char c : bytes) {
        if (c == '\n' && lastWasCarriageReturn_) {  // the \n of a \r\n
            lastWasCarriageReturn_ = false;
            continue;
        }
        lastWasCarriageReturn_ = c == '\r';
        if (c == '\n' || c == '\r') {
            if (!endLine(onEvent)) return false;
        } else if (line_.size() < kMaxEventBytes) {
            line_ += c;
        } else {
            tooLarge_ = true;
            return false;
        }
    }
    return true;
}

}  // namespace ps
