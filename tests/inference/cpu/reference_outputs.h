#pragma once
// Reading the shared reference outputs (models/reference/M.pN.*): the prompt's
// token ids from the .json and raw float32 logits.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ps::test {

// The integers of the JSON array under `key` (e.g. "prompt_tokens", "greedy_16").
std::vector<int32_t> readJsonIntArray(const std::filesystem::path& json, const std::string& key);
std::vector<float> readFloats(const std::filesystem::path& path);

// ||a - b|| / ||b||
double relativeL2(const std::vector<float>& a, const std::vector<float>& b);
int argmax(const std::vector<float>& v);
// Largest minus second largest value.
float topTwoMargin(const std::vector<float>& v);
float rms(const std::vector<float>& v);

}  // namespace ps::test
