#include "tokenizer/tokenizer.h"
#include "tokenizer/utf8.h"

namespace ps {
namespace {

// Moves the whole characters at the front of `pending` to the result; an
// unfinished sequence at the end stays unless `final`. A byte that cannot
// start a valid character becomes U+FFFD, one per byte, as SentencePiece's
// decoder does, so a stream and a whole-sequence decode give the same text.
std::string takeComplete(std::string& pending, bool final) {
    std::string out;
    size_t pos = 0;
    while (pos < pending.size()) {
        const utf8::Sequence s = utf8::inspect(pending, pos);
        if (s.status == utf8::SequenceStatus::Complete) {
            out.append(pending, pos, s.length);
            pos += s.length;
        } else if (s.status == utf8::SequenceStatus::Incomplete && !final) {
            break;
        } else {
            out.append(utf8::kReplacement);
            pos += 1;
        }
    }
    pending.erase(0, pos);
    return out;
}

}  // namespace

TokenTextStream::TokenTextStream(const Tokenizer& tokenizer, int32_t previous)
    : tokenizer_(tokenizer), previous_(previous) {}

std::string TokenTextStream::push(int32_t id) {
    pending_ += tokenizer_.tokenBytes(id, previous_);
    previous_ = id;
    return takeComplete(pending_, false);
}

std::string TokenTextStream::flush() { return takeComplete(pending_, true); }

}  // namespace ps
