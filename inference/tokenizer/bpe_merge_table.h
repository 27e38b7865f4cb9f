#pragma once
// The merges of a byte-level BPE vocabulary as a hash table from a pair of
// token ids to the merge's rank and the id of the merged piece. Open
// addressing with linear probing: the table is built once and read in the
// innermost loop of the encoder.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ps {

class BpeMergeTable {
public:
    struct Merge {
        int32_t rank = -1;    // -1: the pair does not merge
        int32_t result = -1;  // id of the merged piece
    };

    void reserve(size_t merges);
    // Keeps the first (lowest-rank) merge of a pair that is listed twice.
    void add(int32_t left, int32_t right, int32_t rank, int32_t result);
    Merge find(int32_t left, int32_t right) const {
        if (slots_.empty()) return {};
        const uint64_t key = keyOf(left, right);
        for (size_t i = indexOf(key);; i = (i + 1) & mask_) {
            const Slot& slot = slots_[i];
            if (slot.key == key) return slot.merge;
            if (slot.key == kEmpty) return {};
        }
    }
    size_t size() const { return count_; }

private:
    // (-1, -1) never merges (-1 is "no id"), so its key marks an empty slot.
    static constexpr uint64_t kEmpty = ~uint64_t{0};
    struct Slot {
        uint64_t key = kEmpty;
        Merge merge;
    };
    static uint64_t keyOf(int32_t left, int32_t right) {
        return (uint64_t{static_cast<uint32_t>(left)} << 32) | static_cast<uint32_t>(right);
    }
    size_t indexOf(uint64_t key) const {
        return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
    }
    void grow();

    std::vector<Slot> slots_;
    size_t mask_ = 0;
    int shift_ = 64;
    size_t count_ = 0;
};

}  // namespace ps
