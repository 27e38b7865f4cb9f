// GgufWriter -> GgufFile round trips (every value type, nested arrays, every
// tensor type, alignments, memory and disk), typed getters, and real files.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <numeric>

#include "gguf/gguf_file.h"
#include "gguf/gguf_writer.h"
#include "support/shared_data.h"

namespace ps {
namespace {

GgufValue scalar(GgufValueType type) {
    GgufValue v;
    v.type = type;
    return v;
}

GgufValue unsignedValue(GgufValueType type, uint64_t x) {
    GgufValue v = scalar(type);
    v.asUnsigned = x;
    return v;
}

GgufValue signedValue(GgufValueType type, int64_t x) {
    GgufValue v = scalar(type);
    v.asSigned = x;
    return v;
}

GgufValue floatValue(GgufValueType type, double x) {
    GgufValue v = scalar(type);
    v.asFloat = x;
    return v;
}

GgufValue stringValue(const std::string& s) {
    GgufValue v = scalar(GgufValueType::String);
    v.asString = s;
    return v;
}

GgufValue arrayOf(GgufValueType elementType, std::vector<GgufValue> elements) {
    GgufValue v = scalar(GgufValueType::Array);
    v.elementType = elementType;
    v.elements = std::move(elements);
    return v;
}

void expectSameValue(const GgufValue& a, const GgufValue& b, const std::string& key) {
    ASSERT_EQ(a.type, b.type) << key;
    ASSERT_EQ(a.asUnsigned, b.asUnsigned) << key;
    ASSERT_EQ(a.asSigned, b.asSigned) << key;
    ASSERT_EQ(a.asString, b.asString) << key;
    if (std::isnan(a.asFloat)) {
        ASSERT_TRUE(std::isnan(b.asFloat)) << key;
    } else {
        ASSERT_EQ(a.asFloat, b.asFloat) << key;
    }
    if (a.type != GgufValueType::Array) return;
    ASSERT_EQ(a.elementType, b.elementType) << key;
    ASSERT_EQ(a.elements.size(), b.elements.size()) << key;
    for (size_t i = 0; i < a.elements.size(); ++i) {
        expectSameValue(a.elements[i], b.elements[i], key + "[" + std::to_string(i) + "]");
    }
}

// Every value type at its extremes, and arrays nested three deep.
std::vector<std::pair<std::string, GgufValue>> everyValueType() {
    using T = GgufValueType;
    std::vector<std::pair<std::string, GgufValue>> values = {
        {"t.u8", unsignedValue(T::U8, 255)},
        {"t.i8", signedValue(T::I8, -128)},
        {"t.u16", unsignedValue(T::U16, 65535)},
        {"t.i16", signedValue(T::I16, -32768)},
        {"t.u32", unsignedValue(T::U32, 4294967295u)},
        {"t.i32", signedValue(T::I32, INT32_MIN)},
        {"t.u64", unsignedValue(T::U64, UINT64_MAX)},
        {"t.i64", signedValue(T::I64, INT64_MIN)},
        {"t.f32", floatValue(T::F32, -0.15625)},  // exact in float
        {"t.f64", floatValue(T::F64, 3.141592653589793)},
        {"t.true", unsignedValue(T::Bool, 1)},
        {"t.false", unsignedValue(T::Bool, 0)},
        {"t.string", stringValue("caf\xc3\xa9 \"quoted\"\n\t")},
        {"t.empty_string", stringValue("")},
        {"t.empty_array", arrayOf(T::U32, {})},
        {"t.f64_array", arrayOf(T::F64, {floatValue(T::F64, 1e300), floatValue(T::F64, -2.5)})},
        {"t.bool_array", arrayOf(T::Bool, {unsignedValue(T::Bool, 1), unsignedValue(T::Bool, 0)})},
        {"t.string_array", arrayOf(T::String, {stringValue("a"), stringValue(""), stringValue("\xe2\x96\x81the")})},
    };
    GgufValue inner1 = arrayOf(T::I16, {signedValue(T::I16, 1), signedValue(T::I16, -2)});
    GgufValue inner2 = arrayOf(T::I16, {});
    GgufValue middle = arrayOf(T::Array, {inner1, inner2});
    values.emplace_back("t.nested", arrayOf(T::Array, {middle, arrayOf(T::Array, {})}));
    values.emplace_back("t.nested_strings",
                        arrayOf(T::Array, {arrayOf(T::String, {stringValue("x"), stringValue("yz")})}));
    return values;
}

TEST(GgufRoundTrip, EveryValueTypeIncludingNestedArraysSurvives) {
    GgufWriter writer;
    const auto values = everyValueType();
    for (const auto& [key, value] : values) writer.set(key, value);
    const std::vector<uint8_t> bytes = writer.toBytes();
    EXPECT_EQ(bytes.size(), writer.byteSize());

    const auto file = GgufFile::fromBytes(bytes, "values.gguf");
    EXPECT_EQ(file->version(), 3u);
    EXPECT_EQ(file->metadata().size(), values.size());
    EXPECT_TRUE(file->tensors().empty());
    for (const auto& [key, value] : values) {
        const GgufValue* read = file->find(key);
        ASSERT_NE(read, nullptr) << key;
        expectSameValue(value, *read, key);
    }
}

TEST(GgufRoundTrip, TypedSettersAndGetters) {
    GgufWriter w;
    w.setString("s", "hello");
    w.setU32("u32", 7);
    w.setI32("i32", -7);
    w.setU64("u64", uint64_t{1} << 40);
    w.setF32("f32", 0.5f);
    w.setBool("b", true);
    w.setStringArray("sa", {"x", "y"});
    w.setFloatArray("fa", {1.5f, -2.0f});
    w.setI32Array("ia", {3, -4, 5});
    w.setU32("u32", 8);  // replaces, keeps one entry
    const auto f = GgufFile::fromBytes(w.toBytes(), "typed.gguf");
    EXPECT_EQ(f->metadata().size(), 9u);
    EXPECT_EQ(f->getString("s"), "hello");
    EXPECT_EQ(f->getInteger("u32"), 8);
    EXPECT_EQ(f->getInteger("i32"), -7);
    EXPECT_EQ(f->getInteger("u64"), int64_t{1} << 40);
    EXPECT_EQ(f->getFloat("f32"), 0.5);
    EXPECT_EQ(f->getFloat("u32"), 8.0);  // any number reads as a float
    EXPECT_EQ(f->getBool("b"), true);
    EXPECT_EQ(f->getStringArray("sa"), (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(f->getFloatArray("fa"), (std::vector<float>{1.5f, -2.0f}));
    EXPECT_EQ(f->getIntegerArray("ia"), (std::vector<int64_t>{3, -4, 5}));
    EXPECT_EQ(f->getFloatArray("ia"), (std::vector<float>{3.0f, -4.0f, 5.0f}));
    EXPECT_FALSE(f->getString("absent").has_value());
    EXPECT_FALSE(f->has("absent"));

    // Present with the wrong type: an error naming the file and the key.
    auto expectTypeError = [](auto&& call, const std::string& phrase) {
        try {
            call();
            ADD_FAILURE() << "no error for " << phrase;
        } catch (const GgufError& e) {
            EXPECT_NE(std::string(e.what()).find("typed.gguf"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
        }
    };
    expectTypeError([&] { f->getString("u32"); }, "'u32' is u32, expected a string");
    expectTypeError([&] { f->getInteger("s"); }, "'s' is string, expected an integer");
    expectTypeError([&] { f->getInteger("f32"); }, "expected an integer");
    expectTypeError([&] { f->getBool("u32"); }, "expected a bool");
    expectTypeError([&] { f->getStringArray("fa"); }, "'fa' is array of f32, expected an array of string");
    expectTypeError([&] { f->getIntegerArray("fa"); }, "expected an array of integers");
    expectTypeError([&] { f->getFloatArray("sa"); }, "expected an array of numbers");
    expectTypeError([&] { f->tensor("nope"); }, "no tensor named 'nope'");

    GgufWriter big;
    big.setU64("big", UINT64_MAX);
    const auto g = GgufFile::fromBytes(big.toBytes(), "typed.gguf");
    expectTypeError([&] { g->getInteger("big"); }, "too large");
}

std::vector<uint8_t> patternBytes(size_t n, uint8_t seed) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
    return v;
}

struct TensorCase {
    std::string name;
    TensorType type;
    std::vector<int64_t> dims;
};

const std::vector<TensorCase>& everyTensorType() {
    static const std::vector<TensorCase> cases = {
        {"f32.vector", TensorType::F32, {5}},
        {"f16.matrix", TensorType::F16, {3, 7}},
        {"bf16.cube", TensorType::BF16, {2, 3, 4}},
        {"q8_0", TensorType::Q8_0, {64, 3}},
        {"q4_0", TensorType::Q4_0, {32, 2, 1, 3}},
        {"q4_k", TensorType::Q4_K, {256, 2}},
        {"q6_k", TensorType::Q6_K, {512, 1}},
    };
    return cases;
}

void expectTensorsRoundTrip(const GgufFile& file, uint32_t alignment) {
    EXPECT_EQ(file.alignment(), alignment);
    EXPECT_EQ(file.dataOffset() % alignment, 0u);
    ASSERT_EQ(file.tensors().size(), everyTensorType().size());
    uint8_t seed = 1;
    for (const TensorCase& c : everyTensorType()) {
        const GgufTensorInfo& t = file.tensor(c.name);
        EXPECT_EQ(t.type, c.type) << c.name;
        EXPECT_EQ(t.dims, c.dims) << c.name;
        EXPECT_EQ(t.offset % alignment, 0u) << c.name;
        const int64_t elements = std::accumulate(c.dims.begin(), c.dims.end(), int64_t{1},
                                                 std::multiplies<>());
        EXPECT_EQ(t.elementCount(), elements) << c.name;
        const size_t bytes = rowBytes(c.type, c.dims[0]) * static_cast<size_t>(elements / c.dims[0]);
        ASSERT_EQ(t.bytes, bytes) << c.name;
        const std::vector<uint8_t> expected = patternBytes(bytes, seed++);
        EXPECT_EQ(std::memcmp(t.data, expected.data(), bytes), 0) << c.name;
    }
}

GgufWriter writerWithEveryTensorType(uint32_t alignment) {
    GgufWriter w;
    w.setString("general.architecture", "test");
    if (alignment != 32) w.setAlignment(alignment);
    uint8_t seed = 1;
    for (const TensorCase& c : everyTensorType()) {
        const size_t elements = static_cast<size_t>(std::accumulate(
            c.dims.begin(), c.dims.end(), int64_t{1}, std::multiplies<>()));
        const size_t bytes = rowBytes(c.type, c.dims[0]) * (elements / static_cast<size_t>(c.dims[0]));
        w.addTensor(c.name, c.type, c.dims, patternBytes(bytes, seed++));
    }
    return w;
}

TEST(GgufRoundTrip, EveryTensorTypeAtSeveralAlignments) {
    for (uint32_t alignment : {1u, 8u, 32u, 64u, 4096u}) {
        SCOPED_TRACE("alignment " + std::to_string(alignment));
        const GgufWriter w = writerWithEveryTensorType(alignment);
        const std::vector<uint8_t> bytes = w.toBytes();
        EXPECT_EQ(bytes.size(), w.byteSize());
        expectTensorsRoundTrip(*GgufFile::fromBytes(bytes, "tensors.gguf"), alignment);
    }
}

TEST(GgufRoundTrip, WriteFileMatchesToBytesAndOpensMapped) {
    const GgufWriter w = writerWithEveryTensorType(64);
    const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                       ("ps-gguf-roundtrip-" + std::to_string(::getpid()) + ".gguf");
    w.writeFile(path);
    const std::vector<uint8_t> bytes = w.toBytes();
    EXPECT_EQ(std::filesystem::file_size(path), bytes.size());
    {
        const auto file = GgufFile::open(path);
        EXPECT_EQ(file->name(), path.string());
        EXPECT_EQ(file->fileSize(), bytes.size());
        expectTensorsRoundTrip(*file, 64);
        EXPECT_EQ(file->getString("general.architecture"), "test");
    }
    std::filesystem::remove(path);
}

TEST(GgufWriter, RefusesWhatItCouldNotWriteValidly) {
    GgufWriter w;
    EXPECT_THROW(w.addTensor("x", TensorType::F32, {4}, std::vector<uint8_t>(15)), GgufError);
    EXPECT_THROW(w.addTensor("x", TensorType::Q8_0, {16}, std::vector<uint8_t>(17)), GgufError);
    EXPECT_THROW(w.addTensor("x", TensorType::F32, {}, {}), GgufError);
    EXPECT_THROW(w.addTensor("x", TensorType::F32, {1, 1, 1, 1, 1}, std::vector<uint8_t>(4)), GgufError);
    EXPECT_THROW(w.addTensor("x", TensorType::F32, {0}, {}), GgufError);
    EXPECT_THROW(w.addTensor("", TensorType::F32, {1}, std::vector<uint8_t>(4)), GgufError);
    w.addTensor("x", TensorType::F32, {1}, std::vector<uint8_t>(4));
    EXPECT_THROW(w.addTensor("x", TensorType::F32, {1}, std::vector<uint8_t>(4)), GgufError);
    EXPECT_THROW(w.setAlignment(0), GgufError);
    EXPECT_THROW(w.setAlignment(48), GgufError);
    EXPECT_THROW(w.set("", stringValue("x")), GgufError);
    EXPECT_THROW(w.set("mixed", arrayOf(GgufValueType::U8, {stringValue("x")})), GgufError);
    EXPECT_TRUE(w.remove("general.alignment") == false);
    w.setAlignment(16);
    EXPECT_EQ(w.alignment(), 16u);
    EXPECT_TRUE(w.remove("general.alignment"));
    EXPECT_EQ(w.alignment(), 32u);
    EXPECT_THROW(w.writeFile("/nonexistent-dir/x.gguf"), GgufError);
}

TEST(GgufValueDisplay, ShortRenderings) {
    EXPECT_EQ(stringValue("hi").toDisplayString(), "\"hi\"");
    EXPECT_EQ(signedValue(GgufValueType::I32, -3).toDisplayString(), "-3");
    EXPECT_EQ(unsignedValue(GgufValueType::Bool, 1).toDisplayString(), "true");
    EXPECT_EQ(floatValue(GgufValueType::F32, 0.5).toDisplayString(), "0.5");
    std::vector<GgufValue> many;
    for (int i = 0; i < 20; ++i) many.push_back(signedValue(GgufValueType::I32, i));
    EXPECT_EQ(arrayOf(GgufValueType::I32, many).toDisplayString(3), "[0, 1, 2, ... (20 i32 elements)]");
    EXPECT_STREQ(ggufValueTypeName(GgufValueType::F64), "f64");
}

TEST(GgufRealFiles, Stories260KOpensWithItsTensorTable) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const auto file = GgufFile::open(path);
    EXPECT_TRUE(file->version() == 2 || file->version() == 3);
    EXPECT_EQ(file->getString("general.architecture"), "llama");
    EXPECT_EQ(file->getInteger("llama.embedding_length"), 64);
    EXPECT_EQ(file->getInteger("llama.block_count"), 5);
    EXPECT_EQ(file->getStringArray("tokenizer.ggml.tokens")->size(), 512u);
    // 5 layers x 9 tensors + token_embd, output_norm, output.
    EXPECT_EQ(file->tensors().size(), 48u);
    const GgufTensorInfo& embd = file->tensor("token_embd.weight");
    EXPECT_EQ(embd.dims, (std::vector<int64_t>{64, 512}));
    for (const GgufTensorInfo& t : file->tensors()) {
        EXPECT_NE(t.data, nullptr) << t.name;
        EXPECT_EQ(t.offset % file->alignment(), 0u) << t.name;
        EXPECT_LE(file->dataOffset() + t.offset + t.bytes, file->fileSize()) << t.name;
    }
}

TEST(GgufRealFiles, VocabularyOnlyFileOpensWithNoTensors) {
    PS_REQUIRE_SHARED_FILE(path, "models/tokenizer-vectors/ggml-vocab-llama-spm.gguf");
    const auto file = GgufFile::open(path);
    EXPECT_TRUE(file->tensors().empty());
    EXPECT_EQ(file->getStringArray("tokenizer.ggml.tokens")->size(), 32000u);
    EXPECT_EQ(file->getFloatArray("tokenizer.ggml.scores")->size(), 32000u);
    EXPECT_EQ(file->getIntegerArray("tokenizer.ggml.token_type")->size(), 32000u);
}

TEST(GgufRealFiles, RewritingARealFileReproducesItsContents) {
    PS_REQUIRE_SHARED_FILE(path, "models/stories260K.gguf");
    const auto original = GgufFile::open(path);
    GgufWriter w;
    w.copyMetadata(*original);
    for (const GgufTensorInfo& t : original->tensors()) {
        w.addTensor(t.name, t.type, t.dims, std::vector<uint8_t>(t.data, t.data + t.bytes));
    }
    const auto copy = GgufFile::fromBytes(w.toBytes(), "copy.gguf");
    ASSERT_EQ(copy->metadata().size(), original->metadata().size());
    for (const auto& [key, value] : original->metadata()) {
        ASSERT_NE(copy->find(key), nullptr) << key;
        expectSameValue(value, *copy->find(key), key);
    }
    ASSERT_EQ(copy->tensors().size(), original->tensors().size());
    for (const GgufTensorInfo& t : original->tensors()) {
        const GgufTensorInfo& c = copy->tensor(t.name);
        EXPECT_EQ(c.dims, t.dims);
        EXPECT_EQ(c.type, t.type);
        ASSERT_EQ(c.bytes, t.bytes);
        EXPECT_EQ(std::memcmp(c.data, t.data, t.bytes), 0) << t.name;
    }
}

}  // namespace
}  // namespace ps
