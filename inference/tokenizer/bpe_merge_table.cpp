#include "tokenizer/bpe_merge_table.h"

namespace ps {

void BpeMergeTable::reserve(size_t merges) {
    size_t capacity = 16;
    int bits = 4;
    while (capacity < merges * 2) {  // at most half full: short probe sequences
        capacity *= 2;
        ++bits;
    }
    if (capacity <= slots_.size()) return;
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{});
    mask_ = capacity - 1;
    shift_ = 64 - bits;
    count_ = 0;
    for (const Slot& slot : old) {
        if (slot.key != kEmpty) {
            add(static_cast<int32_t>(slot.key >> 32), static_cast<int32_t>(slot.key & 0xFFFFFFFFu),
                slot.merge.rank, slot.merge.result);
        }
    }
}

void BpeMergeTable::grow() {
    reserve(count_ + 1 > 8 ? count_ + 1 : 8);
}

void BpeMergeTable::add(int32_t left, int32_t right, int32_t rank, int32_t result) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    const uint64_t key = keyOf(left, right);
    if (key == kEmpty) return;
    for (size_t i = indexOf(key);; i = (i + 1) & mask_) {
        Slot& slot = slots_[i];
        if (slot.key == key) return;  // listed before with a lower rank
        if (slot.key == kEmpty) {
            slot.key = key;
            slot.merge = {rank, result};
            ++count_;
            return;
        }
    }
}

}  // namespace ps
