#include "document/bounded_yaml.h"

#include <algorithm>
#include <string_view>
#include <vector>

#include "limits/resource_limits.h"

namespace ps::yaml {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t'; }

YAML::Mark markAt(int line) {
    YAML::Mark mark;
    mark.line = line;
    mark.column = 0;
    return mark;
}

struct GraphCheck {
    size_t nodes = 0;
    std::vector<YAML::Node> path;  // the nodes from the root to the current one

    void visit(const YAML::Node& node) {
        if (++nodes > limits::kMaxYamlNodes) {
            throw YamlLimitError(node.Mark(), "more than " + std::to_string(limits::kMaxYamlNodes) +
                                                  " values once aliases are expanded");
        }
        if (!node.IsSequence() && !node.IsMap()) return;
        for (const YAML::Node& ancestor : path) {
            if (ancestor.is(node)) {
                throw YamlLimitError(node.Mark(), "an alias refers to a value that contains it");
            }
        }
        if (static_cast<int>(path.size()) >= limits::kMaxYamlDepth) {
            throw YamlLimitError(node.Mark(), "values nested deeper than the limit of " +
                                                  std::to_string(limits::kMaxYamlDepth));
        }
        path.push_back(node);
        if (node.IsSequence()) {
            for (const YAML::Node& item : node) visit(item);
        } else {
            for (const auto& entry : node) {
                visit(entry.first);
                visit(entry.second);
            }
        }
        path.pop_back();
    }
};

}  // namespace

int estimateYamlNesting(const std::string& text, int* worstLine, size_t* indicators) {
    size_t indicatorCount = 0;
    std::vector<size_t> indents;  // open block levels
    int flowDepth = 0;            // open [ and {, across lines
    int worst = 0;
    int lineNumber = 0;
    long blockScalarIndent = -1;  // >= 0 while inside a `|` or `>` block scalar
    const auto note = [&](int levels) {
        if (levels > worst) {
            worst = levels;
            if (worstLine) *worstLine = lineNumber;
        }
    };
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + start, end - start);
        size_t indent = 0;
        while (indent < line.size() && line[indent] == ' ') ++indent;
        const bool blank = indent == line.size() || line[indent] == '#';
        const bool inBlockScalar =
            blockScalarIndent >= 0 && (blank || static_cast<long>(indent) > blockScalarIndent);
        if (!inBlockScalar && !blank) {
            blockScalarIndent = -1;
            if (flowDepth == 0) {
                while (!indents.empty() && indents.back() >= indent) indents.pop_back();
                indents.push_back(indent);
            }
            const int base = static_cast<int>(indents.size());
            int inlineLevels = 0;  // `- - x`, `? `, `a: b: ...` on this line
            char quote = '\0';
            bool valueStart = true;  // where a scalar, a flow collection or an indicator may start
            char last = '\0';       // the last character outside quotes and spaces
            for (size_t i = indent; i < line.size(); ++i) {
                const char c = line[i];
                if (quote) {
                    if (c == quote) quote = '\0';
                    else if (c == '\\' && quote == '"') ++i;
                    continue;
                }
                if (isSpace(c)) continue;
                if (c == '#' && isSpace(line[i - 1])) break;  // a comment
                last = c;
                const bool spaceAfter = i + 1 >= line.size() || isSpace(line[i + 1]);
                if (((c == '-' || c == '?') && valueStart && spaceAfter) || (c == ':' && spaceAfter)) {
                    ++indicatorCount;
                    note(base + ++inlineLevels + flowDepth);
                    valueStart = true;
                } else if ((c == '\'' || c == '"') && valueStart) {
                    quote = c;
                    valueStart = false;
                } else if ((c == '[' || c == '{') && (valueStart || flowDepth > 0)) {
                    ++indicatorCount;
                    note(base + inlineLevels + ++flowDepth);
                    valueStart = true;
                } else if ((c == ']' || c == '}') && flowDepth > 0) {
                    --flowDepth;
                    valueStart = false;
                } else if (c == ',' && flowDepth > 0) {
                    ++indicatorCount;
                    valueStart = true;
                } else {
                    valueStart = false;  // inside a plain scalar
                }
            }
            note(base + inlineLevels + flowDepth);
            // `key: |`, `- >-`, `text: |2`: the more indented lines below are text.
            if (!quote && (last == '|' || last == '>' || last == '-' || last == '+' ||
                           (last >= '0' && last <= '9'))) {
                size_t p = line.size();
                while (p > indent && isSpace(line[p - 1])) --p;
                while (p > indent && (line[p - 1] == '-' || line[p - 1] == '+' ||
                                      (line[p - 1] >= '0' && line[p - 1] <= '9'))) {
                    --p;
                }
                if (p > indent && (line[p - 1] == '|' || line[p - 1] == '>') &&
                    (p - 1 == indent || isSpace(line[p - 2]))) {
                    blockScalarIndent = static_cast<long>(indent);
                }
            }
        }
        ++lineNumber;
        if (end == text.size()) break;
        start = end + 1;
    }
    if (indicators) *indicators = indicatorCount;
    return worst;
}

YAML::Node loadBounded(const std::string& text) {
    int line = 0;
    size_t indicators = 0;
    const int nesting = estimateYamlNesting(text, &line, &indicators);
    if (nesting > limits::kMaxYamlTextNesting) {
        throw YamlLimitError(markAt(line), "nested deeper than the limit of " +
                                               std::to_string(limits::kMaxYamlTextNesting) +
                                               " levels");
    }
    // Each indicator ('- ', ': ', '? ', '[', '{', ',' in a flow) starts at least one
    // value, so this refuses only what the count below would refuse, but before
    // yaml-cpp spends seconds and hundreds of MB building it.
    if (indicators > limits::kMaxYamlNodes) {
        throw YamlLimitError(markAt(0), "more than " + std::to_string(limits::kMaxYamlNodes) +
                                            " values once aliases are expanded");
    }
    YAML::Node root = YAML::Load(text);
    GraphCheck check;
    check.visit(root);
    return root;
}

}  // namespace ps::yaml
