#pragma once
// Test cases in llama.cpp's tokenizer-test format (tests/test-tokenizer-0
// there): a `.inp` file of texts separated by lines "__ggml_vocab_test__" and
// a `.out` file with one line of expected ids per text (no BOS).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ps::test {

std::string readWholeFile(const std::filesystem::path& path);

// The texts of a `.inp` file: the lines between two separators, joined by newlines.
std::vector<std::string> splitVocabTestCases(const std::string& text);

// One vector of ids per line of a `.out` file.
std::vector<std::vector<int32_t>> readExpectedIds(const std::string& text);

}  // namespace ps::test
