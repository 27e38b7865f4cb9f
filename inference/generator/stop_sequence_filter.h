#pragma once
// Holds back generated text that could still turn into a stop sequence, so that
// what is handed out never contains a stop sequence nor the start of one that
// later completes. Text goes in as whole UTF-8 and comes out as whole UTF-8.
#include <string>
#include <vector>

namespace ps {

class StopSequenceFilter {
public:
    explicit StopSequenceFilter(std::vector<std::string> stopSequences);

    // Adds `text` and returns what can be handed out now. After a stop sequence
    // completes, returns the text before it and stopped() turns true; the rest
    // (the sequence and anything after it) is dropped.
    std::string push(const std::string& text);
    // The text still held back, for the end of the stream (nothing can complete now).
    std::string finish();
    bool stopped() const { return stopped_; }

private:
    std::vector<std::string> stops_;
    std::string pending_;
    bool stopped_ = false;
};

}  // namespace ps
