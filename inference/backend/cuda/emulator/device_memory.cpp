#include "backend/cuda/emulator/device_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "backend/cuda/emulator/access_tracker.h"

#if defined(__SANITIZE_ADDRESS__)
#define PS_EMU_HEAP_MEMORY 1
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PS_EMU_HEAP_MEMORY 1
#endif
#endif

namespace ps::emu {

namespace {

constexpr uint64_t kReservedBytes = uint64_t{1} << 38;  // address space only (256 GiB)
constexpr uint64_t kDefaultCapacity = uint64_t{80} << 30;

uint64_t pageSize() { return static_cast<uint64_t>(sysconf(_SC_PAGESIZE)); }

// "512M", "2G", "1073741824".
uint64_t parseBytes(const char* text, uint64_t fallback) {
    if (!text || !*text) return fallback;
    char* end = nullptr;
    const double value = std::strtod(text, &end);
    if (end == text || value < 0) return fallback;
    uint64_t scale = 1;
    if (*end == 'K' || *end == 'k') scale = uint64_t{1} << 10;
    if (*end == 'M' || *end == 'm') scale = uint64_t{1} << 20;
    if (*end == 'G' || *end == 'g') scale = uint64_t{1} << 30;
    return static_cast<uint64_t>(value * static_cast<double>(scale));
}

}  // namespace

DeviceMemory::DeviceMemory() {
#if !defined(PS_EMU_HEAP_MEMORY)
    void* range = mmap(nullptr, kReservedBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (range != MAP_FAILED) {
        base_ = static_cast<char*>(range);
        reserved_ = kReservedBytes;
        tracker::setDeviceRange(base_, reserved_);
    }
#endif
}

uint64_t DeviceMemory::capacity() const {
    return parseBytes(std::getenv("PROMPTSTUDIO_CUDA_EMULATOR_MEMORY"), kDefaultCapacity);
}

void* DeviceMemory::allocate(size_t bytes) {
    if (bytes == 0) bytes = 1;
    // Reported free memory stays capacity - used; PROMPTSTUDIO_CUDA_EMULATOR_ALLOCATION_LIMIT
    // lets allocations fail earlier, like a GPU that another program fills
    // between the backend's check and its allocations.
    const uint64_t limit = parseBytes(std::getenv("PROMPTSTUDIO_CUDA_EMULATOR_ALLOCATION_LIMIT"), capacity());
    if (used_ + bytes > capacity() || used_ + bytes > limit) return nullptr;
    void* pointer = nullptr;
    if (!base_) {
        pointer = std::aligned_alloc(256, (bytes + 255) / 256 * 256);
        if (!pointer) return nullptr;
    } else {
        const uint64_t page = pageSize();
        const uint64_t span = (bytes + page - 1) / page * page + page;  // + an unmapped guard page
        uint64_t offset = UINT64_MAX;
        for (auto it = free_.begin(); it != free_.end(); ++it) {
            if (it->second < span) continue;
            offset = it->first;
            if (it->second > span) free_.emplace(it->first + span, it->second - span);
            free_.erase(it);
            break;
        }
        if (offset == UINT64_MAX) {
            if (top_ + span > reserved_) return nullptr;
            offset = top_;
            top_ += span;
        }
        pointer = base_ + offset;
        if (mprotect(pointer, span - page, PROT_READ | PROT_WRITE) != 0) return nullptr;
    }
    allocations_.emplace(reinterpret_cast<uintptr_t>(pointer), bytes);
    used_ += bytes;
    return pointer;
}

bool DeviceMemory::release(void* pointer) {
    const auto it = allocations_.find(reinterpret_cast<uintptr_t>(pointer));
    if (it == allocations_.end()) return false;
    const size_t bytes = it->second;
    allocations_.erase(it);
    used_ -= bytes;
    if (!base_) {
        std::free(pointer);
        return true;
    }
    const uint64_t page = pageSize();
    const uint64_t span = (bytes + page - 1) / page * page + page;
    // Give the pages back and make them fault again (use after free).
    mmap(pointer, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    uint64_t offset = static_cast<uint64_t>(static_cast<char*>(pointer) - base_);
    uint64_t length = span;
    auto next = free_.lower_bound(offset);
    if (next != free_.end() && next->first == offset + length) {
        length += next->second;
        free_.erase(next);
    }
    auto previous = free_.lower_bound(offset);
    if (previous != free_.begin()) {
        --previous;
        if (previous->first + previous->second == offset) {
            offset = previous->first;
            length += previous->second;
            free_.erase(previous);
        }
    }
    if (offset + length == top_) {
        top_ = offset;
    } else {
        free_.emplace(offset, length);
    }
    return true;
}

bool DeviceMemory::contains(const void* pointer, size_t bytes) const {
    const auto address = reinterpret_cast<uintptr_t>(pointer);
    auto it = allocations_.upper_bound(address);
    if (it == allocations_.begin()) return false;
    --it;
    return address >= it->first && address + bytes <= it->first + it->second;
}

}  // namespace ps::emu
