// libFuzzer: the GGUF reader (header, metadata, tensor table, data bounds). Any input
// either opens or throws GgufError; everything an opened file offers is then read.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gguf/gguf_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        const auto file = ps::GgufFile::fromBytes(std::vector<uint8_t>(data, data + size), "fuzz.gguf");
        for (const auto& [key, value] : file->metadata()) {
            (void)key;
            (void)value;
            try {
                (void)file->getString(key);
                (void)file->getInteger(key);
                (void)file->getFloat(key);
                (void)file->getStringArray(key);
                (void)file->getIntegerArray(key);
            } catch (const ps::GgufError&) {
            }
        }
        uint64_t checksum = 0;
        for (const auto& tensor : file->tensors()) {
            (void)tensor.elementCount();
            // The bytes the reader vouched for must be readable.
            const uint8_t* bytes = tensor.data;
            if (tensor.bytes > 0) checksum += bytes[0] + bytes[tensor.bytes - 1];
        }
        (void)checksum;
    } catch (const ps::GgufError&) {
    }
    return 0;
}
