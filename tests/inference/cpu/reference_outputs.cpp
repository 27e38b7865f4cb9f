#include "reference_outputs.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace ps::test {

std::vector<int32_t> readJsonIntArray(const std::filesystem::path& json, const std::string& key) {
    std::ifstream in(json);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t keyPos = text.find("\"" + key + "\"");
    if (keyPos == std::string::npos) throw std::runtime_error(json.string() + ": no key " + key);
    const size_t open = text.find('[', keyPos), close = text.find(']', open);
    std::string body = text.substr(open + 1, close - open - 1);
    std::replace(body.begin(), body.end(), ',', ' ');
    std::istringstream values(body);
    std::vector<int32_t> out;
    for (int32_t v; values >> v;) out.push_back(v);
    return out;
}

std::vector<float> readFloats(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<float> out(bytes.size() / sizeof(float));
    std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
    return out;
}

double relativeL2(const std::vector<float>& a, const std::vector<float>& b) {
    double diff = 0, norm = 0;
    for (size_t i = 0; i < b.size(); ++i) {
        diff += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
        norm += double(b[i]) * b[i];
    }
    return std::sqrt(diff / norm);
}

int argmax(const std::vector<float>& v) {
    return static_cast<int>(std::max_element(v.begin(), v.end()) - v.begin());
}

float topTwoMargin(const std::vector<float>& v) {
    std::vector<float> sorted = v;
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
    return sorted[0] - sorted[1];
}

float rms(const std::vector<float>& v) {
    double sum = 0;
    for (float x : v) sum += double(x) * x;
    return static_cast<float>(std::sqrt(sum / static_cast<double>(v.size())));
}

}  // namespace ps::test
