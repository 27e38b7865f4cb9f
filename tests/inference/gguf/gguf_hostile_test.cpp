// Hostile and damaged GGUF input: every case must end in a GgufError that
// names the file and says what is wrong, never a crash or a huge allocation
// (run these under AddressSanitizer to see the "never").
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "raw_gguf.h"
#include "support/shared_data.h"

namespace ps {
namespace {

using test::RawGguf;

constexpr const char* kName = "hostile.gguf";
constexpr uint32_t kF32 = 0, kQ8_0 = 8;

// Opens `bytes` and expects a GgufError mentioning the file and `phrase`.
void expectRejected(std::vector<uint8_t> bytes, const std::string& phrase) {
    try {
        GgufFile::fromBytes(std::move(bytes), kName);
        ADD_FAILURE() << "accepted; expected an error containing: " << phrase;
    } catch (const GgufError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find(kName), std::string::npos) << message;
        EXPECT_NE(message.find(phrase), std::string::npos) << "expected '" << phrase << "' in: " << message;
    }
}

std::vector<uint8_t> readFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A valid file with one F32 tensor of 4 values, to check the builder itself.
TEST(GgufHostile, TheRawBuilderMakesValidFiles) {
    RawGguf g;
    g.header(1, 1).str("general.name").u32(8).str("n").tensor("t", {4}, kF32, 0).data(16);
    const auto file = GgufFile::fromBytes(g.out, kName);
    EXPECT_EQ(file->tensor("t").bytes, 16u);
    EXPECT_EQ(file->getString("general.name"), "n");
}

TEST(GgufHostile, TooSmallOrWrongMagic) {
    expectRejected({}, "not a GGUF file");
    expectRejected({'G', 'G', 'U'}, "not a GGUF file");
    RawGguf g;
    g.header(0, 0);
    g.out[3] = 'X';
    expectRejected(g.out, "not a GGUF file");
}

TEST(GgufHostile, VersionsOtherThanTwoAndThree) {
    expectRejected(RawGguf().header(0, 0, 1).out, "version 1 is obsolete");
    expectRejected(RawGguf().header(0, 0, 4).out, "unsupported GGUF version 4");
    expectRejected(RawGguf().header(0, 0, 0).out, "unsupported GGUF version 0");
    expectRejected(RawGguf().header(0, 0, 0x03000000u).out, "big-endian");
    // Version 2 has the same layout as 3.
    EXPECT_EQ(GgufFile::fromBytes(RawGguf().header(0, 0, 2).out, kName)->version(), 2u);
}

TEST(GgufHostile, AbsurdCountsInTheHeader) {
    expectRejected(RawGguf().header(0, UINT64_MAX).out, "metadata entries");
    expectRejected(RawGguf().header(0, uint64_t{1} << 40).out, "cannot hold that many");
    expectRejected(RawGguf().header(UINT64_MAX, 0).out, "tensors, but the");
    // Plausible counts with nothing behind them.
    expectRejected(RawGguf().header(0, 1).out, "cannot hold that many");
    expectRejected(RawGguf().header(1, 0).out, "cannot hold that many");
}

TEST(GgufHostile, AbsurdStringLengths) {
    RawGguf key;
    key.header(0, 1).u64(UINT64_MAX).bytes("abcdefghijklmnop", 16);
    expectRejected(key.out, "claims a length of 18446744073709551615 bytes");
    RawGguf value;
    value.header(0, 1).str("k").u32(8).u64(uint64_t{1} << 62).bytes("abcdefgh", 8);
    expectRejected(value.out, "claims a length");
    RawGguf empty;
    empty.header(0, 1).str("").u32(0).u8(1).bytes("pad", 3);
    expectRejected(empty.out, "empty key");
}

TEST(GgufHostile, AbsurdArrayLengthsAndNesting) {
    for (uint32_t type : {0u, 4u, 8u, 9u, 12u}) {
        RawGguf g;
        g.header(0, 1).str("a").u32(9).u32(type).u64(uint64_t{1} << 61).u64(0).u64(0);
        expectRejected(g.out, "claims an array of 2305843009213693952");
    }
    RawGguf max;
    max.header(0, 1).str("a").u32(9).u32(0).u64(UINT64_MAX).u64(0);
    expectRejected(max.out, "claims an array");

    // Arrays within arrays, deeper than the reader allows.
    RawGguf deep;
    deep.header(0, 1).str("deep").u32(9);
    for (int i = 0; i < 100; ++i) deep.u32(9).u64(1);
    deep.u32(0).u64(0);
    expectRejected(deep.out, "nests arrays deeper than");
}

TEST(GgufHostile, UnknownValueTypesAndBadBools) {
    expectRejected(RawGguf().header(0, 1).str("k").u32(13).u64(0).out, "unknown value type 13");
    expectRejected(RawGguf().header(0, 1).str("k").u32(9).u32(99).u64(0).out,
                   "array of unknown value type 99");
    expectRejected(RawGguf().header(0, 1).str("flag").u32(7).u8(2).bytes("pad", 3).out,
                   "bool value of 2");
}

TEST(GgufHostile, DuplicateKeysAndTensorNames) {
    RawGguf keys;
    keys.header(0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(2);
    expectRejected(keys.out, "duplicate metadata key 'k'");
    RawGguf tensors;
    tensors.header(2, 0).tensor("w", {4}, kF32, 0).tensor("w", {4}, kF32, 32).data(64);
    expectRejected(tensors.out, "duplicate tensor name 'w'");
}

TEST(GgufHostile, AlignmentMustBeAPowerOfTwo) {
    for (uint32_t alignment : {0u, 3u, 48u, 0x80000000u}) {
        RawGguf g;
        g.header(0, 1).str("general.alignment").u32(4).u32(alignment);
        expectRejected(g.out, "'general.alignment' is " + std::to_string(alignment) +
                                  "; it must be a nonzero power of two");
    }
    RawGguf text;
    text.header(0, 1).str("general.alignment").u32(8).str("32");
    expectRejected(text.out, "must be a nonzero power of two");
    RawGguf negative;
    negative.header(0, 1).str("general.alignment").u32(5).u32(static_cast<uint32_t>(-32));
    expectRejected(negative.out, "must be a nonzero power of two");
}

TEST(GgufHostile, BadDimensionCountsAndSizes) {
    expectRejected(RawGguf().header(1, 0).tensor("t", {}, kF32, 0).data(64).out,
                   "tensor 't' has 0 dimensions (1 to 4 are allowed)");
    expectRejected(RawGguf().header(1, 0).tensor("t", {1, 1, 1, 1, 1}, kF32, 0).data(64).out,
                   "tensor 't' has 5 dimensions");
    RawGguf manyDims;
    manyDims.header(1, 0).str("t").u32(UINT32_MAX).u64(1).u32(0).u64(0).data(64);
    expectRejected(manyDims.out, "dimensions (1 to 4");
    expectRejected(RawGguf().header(1, 0).tensor("t", {4, 0}, kF32, 0).data(64).out,
                   "tensor 't' has a dimension of size 0");
    // 2^32 * 2^32 elements overflow int64.
    expectRejected(RawGguf().header(1, 0).tensor("t", {uint64_t{1} << 32, uint64_t{1} << 32}, kF32, 0).data(64).out,
                   "element count overflows");
    expectRejected(RawGguf().header(1, 0).tensor("t", {UINT64_MAX}, kF32, 0).data(64).out,
                   "element count overflows");
    // 2^62 elements fit int64, but 2^62 * 4 bytes do not fit uint64.
    expectRejected(RawGguf().header(1, 0).tensor("t", {uint64_t{1} << 31, uint64_t{1} << 31}, kF32, 0).data(64).out,
                   "byte size that overflows");
    // Huge but representable: caught by the data section check, not by allocating.
    expectRejected(RawGguf().header(1, 0).tensor("t", {uint64_t{1} << 20, uint64_t{1} << 20}, kF32, 0).data(64).out,
                   "extends past the end of the file");
}

TEST(GgufHostile, TensorTypesWeCannotComputeWith) {
    expectRejected(RawGguf().header(1, 0).tensor("blk.0.attn_q.weight", {256}, 13, 0).data(256).out,
                   "tensor 'blk.0.attn_q.weight' has type Q5_K, which Prompt Studio cannot compute with");
    expectRejected(RawGguf().header(1, 0).tensor("t", {32}, 1000, 0).data(256).out,
                   "has type unknown type 1000");
    expectRejected(RawGguf().header(1, 0).tensor("t", {33}, kQ8_0, 0).data(256).out,
                   "first dimension of 33, not a multiple of the Q8_0 block size 32");
}

TEST(GgufHostile, MisalignedAndOutOfRangeOffsets) {
    expectRejected(RawGguf().header(1, 0).tensor("t", {4}, kF32, 16).data(64).out,
                   "tensor 't' has data offset 16, not a multiple of the alignment 32");
    expectRejected(RawGguf().header(1, 0).tensor("t", {4}, kF32, 64).data(64).out,
                   "tensor 't' (F32 [4], 16 bytes at data offset 64) extends past the end");
    expectRejected(RawGguf().header(1, 0).tensor("t", {4}, kF32, uint64_t{1} << 63).data(64).out,
                   "extends past the end of the file");
    expectRejected(RawGguf().header(1, 0).tensor("t", {4}, kF32, 0xffffffffffffffe0ull).data(64).out,
                   "extends past the end of the file");
    // A table that ends where the data section would begin, with no data at all.
    expectRejected(RawGguf().header(1, 0).tensor("t", {4}, kF32, 0).out, "past the end of the file");
    // With alignment 64 an offset of 32 is misaligned.
    RawGguf aligned;
    aligned.header(1, 1).str("general.alignment").u32(4).u32(64).tensor("t", {4}, kF32, 32).data(128, 64);
    expectRejected(aligned.out, "not a multiple of the alignment 64");
}

// The header and both tables of a real file, cut at every byte, and its data
// section cut at spread-out points: every prefix is an error, never a crash.
TEST(GgufHostile, EveryTruncationOfARealFileIsAnError) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const std::vector<uint8_t> whole = readFile(path);
    const auto file = GgufFile::fromBytes(whole, kName);
    uint64_t dataEnd = 0;
    for (const GgufTensorInfo& t : file->tensors()) {
        dataEnd = std::max(dataEnd, file->dataOffset() + t.offset + t.bytes);
    }
    ASSERT_GT(file->dataOffset(), 1000u);  // the vocabulary makes the tables several KB

    std::vector<uint64_t> cuts;
    for (uint64_t cut = 0; cut < file->dataOffset(); ++cut) cuts.push_back(cut);
    const uint64_t step = std::max<uint64_t>(1, (dataEnd - file->dataOffset()) / 200);
    for (uint64_t cut = file->dataOffset(); cut < dataEnd; cut += step) cuts.push_back(cut);
    cuts.push_back(dataEnd - 1);
    for (const uint64_t cut : cuts) {
        std::vector<uint8_t> prefix(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(cut));
        try {
            GgufFile::fromBytes(std::move(prefix), kName);
            FAIL() << "a file cut at byte " << cut << " was accepted";
        } catch (const GgufError& e) {
            const std::string message = e.what();
            ASSERT_NE(message.find(kName), std::string::npos) << message;
            const bool meaningful = message.find("not a GGUF file") != std::string::npos ||
                                    message.find("file ends while reading") != std::string::npos ||
                                    message.find("cannot hold that many") != std::string::npos ||
                                    message.find("claims") != std::string::npos ||
                                    message.find("past the end of the file") != std::string::npos;
            ASSERT_TRUE(meaningful) << "cut at " << cut << ": " << message;
        }
    }
    // The whole file is fine.
    EXPECT_EQ(GgufFile::fromBytes(whole, kName)->tensors().size(), file->tensors().size());
}

// Single-byte corruptions at every byte of the header and tables (of a real
// file's metadata with two small tensors, to keep each copy small): the file
// either still parses (the byte was inside a string, say) or gives a GgufError.
TEST(GgufHostile, ByteFlipsInTheTablesNeverCrash) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const auto real = GgufFile::open(path);
    GgufWriter writer;
    writer.copyMetadata(*real);
    for (const char* name : {"output_norm.weight", "blk.0.attn_norm.weight"}) {
        const GgufTensorInfo& t = real->tensor(name);
        writer.addTensor(t.name, t.type, t.dims, std::vector<uint8_t>(t.data, t.data + t.bytes));
    }
    const std::vector<uint8_t> whole = writer.toBytes();
    const uint64_t tablesEnd = GgufFile::fromBytes(whole, kName)->dataOffset();
    int rejected = 0;
    for (uint64_t at = 0; at < tablesEnd; ++at) {
        for (uint8_t value : {uint8_t{0x00}, uint8_t{0xff}}) {
            std::vector<uint8_t> damaged = whole;
            damaged[at] = value;
            try {
                GgufFile::fromBytes(std::move(damaged), kName);
            } catch (const GgufError& e) {
                ++rejected;
                ASSERT_NE(std::string(e.what()).find(kName), std::string::npos);
            }
        }
    }
    EXPECT_GT(rejected, 0);
}

TEST(GgufHostile, OpenReportsFileSystemProblems) {
    const std::filesystem::path dir = std::filesystem::temp_directory_path();
    const std::filesystem::path missing = dir / "ps-gguf-does-not-exist.gguf";
    try {
        GgufFile::open(missing);
        ADD_FAILURE();
    } catch (const GgufError& e) {
        EXPECT_NE(std::string(e.what()).find(missing.string() + ": cannot open"), std::string::npos) << e.what();
    }
    try {
        GgufFile::open(dir);
        ADD_FAILURE();
    } catch (const GgufError& e) {
        EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
    }
    const std::filesystem::path empty = dir / ("ps-gguf-empty-" + std::to_string(::getpid()) + ".gguf");
    std::ofstream(empty).close();
    try {
        GgufFile::open(empty);
        ADD_FAILURE();
    } catch (const GgufError& e) {
        EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
    }
    // A truncated file on disk goes through the same checks as in memory.
    const std::filesystem::path truncated = dir / ("ps-gguf-truncated-" + std::to_string(::getpid()) + ".gguf");
    {
        std::ofstream out(truncated, std::ios::binary);
        const std::vector<uint8_t> g = RawGguf().header(1, 0).tensor("t", {4}, kF32, 0).out;
        out.write(reinterpret_cast<const char*>(g.data()), static_cast<std::streamsize>(g.size()));
    }
    try {
        GgufFile::open(truncated);
        ADD_FAILURE();
    } catch (const GgufError& e) {
        EXPECT_NE(std::string(e.what()).find(truncated.string()), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("past the end of the file"), std::string::npos) << e.what();
    }
    std::filesystem::remove(empty);
    std::filesystem::remove(truncated);
}

// Tensors that share bytes: the second starts inside the first, or a tensor's type
// claims more bytes (F32: 4 per value) than the writer left before the next one
// (written for F16: 2 per value). Both were accepted and computed garbage.
TEST(GgufHostile, OverlappingTensorsAreRefused) {
    const std::vector<uint8_t> overlap =
        RawGguf().header(2, 0).tensor("a", {64}, kF32, 0).tensor("b", {64}, kF32, 128).data(512).out;
    try {
        GgufFile::fromBytes(overlap, kName);
        ADD_FAILURE() << "overlapping tensors accepted";
    } catch (const GgufError& e) {
        EXPECT_NE(std::string(e.what()).find("overlaps tensor 'b'"), std::string::npos) << e.what();
    }
    // Written as F16 (64 values in 128 bytes) but typed F32.
    const std::vector<uint8_t> wrongType =
        RawGguf().header(2, 0).tensor("a", {64}, kF32, 0).tensor("b", {64}, kF32, 128).data(256).out;
    EXPECT_THROW(GgufFile::fromBytes(wrongType, kName), GgufError);
    // Adjacent tensors, and empty ones at the same offset, are fine.
    const std::vector<uint8_t> adjacent =
        RawGguf().header(2, 0).tensor("a", {64}, kF32, 0).tensor("b", {64}, kF32, 256).data(512).out;
    EXPECT_EQ(GgufFile::fromBytes(adjacent, kName)->tensors().size(), 2u);
}

// A named pipe is refused at once: opening it for reading must not wait for a writer.
TEST(GgufHostile, NamedPipesAreRefusedWithoutBlocking) {
    const std::filesystem::path fifo = std::filesystem::temp_directory_path() /
                                       ("ps-gguf-fifo-" + std::to_string(::getpid()) + ".gguf");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    try {
        GgufFile::open(fifo);
        ADD_FAILURE();
    } catch (const GgufError& e) {
        EXPECT_NE(std::string(e.what()).find("not a regular file (a named pipe)"), std::string::npos)
            << e.what();
    }
    std::filesystem::remove(fifo);
}

}  // namespace
}  // namespace ps
