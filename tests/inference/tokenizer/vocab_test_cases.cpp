#include "vocab_test_cases.h"

#include <fstream>
#include <sstream>

namespace ps::test {

std::string readWholeFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::vector<std::string> splitVocabTestCases(const std::string& text) {
    const std::string separator = "\n__ggml_vocab_test__\n";
    std::vector<std::string> cases;
    size_t start = 0;
    while (true) {
        const size_t at = text.find(separator, start);
        if (at == std::string::npos) break;
        cases.push_back(text.substr(start, at - start));
        start = at + separator.size();
    }
    return cases;
}

std::vector<std::vector<int32_t>> readExpectedIds(const std::string& text) {
    std::vector<std::vector<int32_t>> lines;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream numbers(line);
        std::vector<int32_t> ids;
        int32_t id = 0;
        while (numbers >> id) ids.push_back(id);
        lines.push_back(std::move(ids));
    }
    return lines;
}

}  // namespace ps::test
