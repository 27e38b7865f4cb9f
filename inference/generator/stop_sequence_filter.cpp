// Stop sequences are few and short, so plain searches over the held text are enough.
#include "generator/stop_sequence_filter.h"

#include <algorithm>
#include <utility>

namespace ps {
namespace {

bool isUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

StopSequenceFilter::StopSequenceFilter(std::vector<std::string> stopSequences) {
    for (auto& stop : stopSequences) {
        if (!stop.empty()) stops_.push_back(std::move(stop));
    }
}

std::string StopSequenceFilter::push(const std::string& text) {
    if (stopped_) return {};
    pending_ += text;
    if (stops_.empty()) return std::exchange(pending_, {});

    // The earliest complete stop sequence ends the stream.
    size_t earliest = std::string::npos;
    for (const auto& stop : stops_) earliest = std::min(earliest, pending_.find(stop));
    if (earliest != std::string::npos) {
        stopped_ = true;
        std::string out = pending_.substr(0, earliest);
        pending_.clear();
        return out;
    }

    // Hold the longest tail that is the start of some stop sequence.
    size_t hold = pending_.size();
    for (size_t start = 0; start < pending_.size(); ++start) {
        const size_t tail = pending_.size() - start;
        const bool couldStartAStop = std::any_of(stops_.begin(), stops_.end(), [&](const auto& stop) {
            return stop.size() > tail && stop.compare(0, tail, pending_, start, tail) == 0;
        });
        if (couldStartAStop) {
            hold = start;
            break;
        }
    }
    // Never split a UTF-8 sequence (only possible with a malformed stop sequence).
    while (hold > 0 && hold < pending_.size() && isUtf8Continuation(pending_[hold])) --hold;
    std::string out = pending_.substr(0, hold);
    pending_.erase(0, hold);
    return out;
}

std::string StopSequenceFilter::finish() {
    if (stopped_) return {};
    return std::exchange(pending_, {});
}

}  // namespace ps
