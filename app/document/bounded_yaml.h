#pragma once
// yaml-cpp with limits (limits/resource_limits.h): every YAML text Prompt Studio reads
// (.promptapp, .prompty, a kept unknown key) goes through here. yaml-cpp's parser
// recurses once per nesting level and its node graph shares aliased nodes, so a hostile
// file could overflow the stack ("[[[[..."), make a cycle (`x: &a [1, *a]`) or expand
// to billions of nodes ("billion laughs") in any code that walks the tree. This checks
// the text before yaml-cpp sees it and the graph before anyone walks it, without ever
// building the expansion.
#include <yaml-cpp/yaml.h>

#include <string>

namespace ps::yaml {

// A YAML text over a limit; a ParserException, so its mark gives the line.
class YamlLimitError : public YAML::ParserException {
public:
    using YAML::ParserException::ParserException;
};

// YAML::Load, after checking the text's nesting and before returning checking the
// loaded graph: depth after aliases, no alias inside the node it names, nodes counted
// as if aliases were expanded. Throws YamlLimitError past a limit, YAML::Exception
// for invalid YAML.
YAML::Node loadBounded(const std::string& text);

// An upper bound of the nesting yaml-cpp's parser will recurse through for `text`
// (block indentation levels, '- ' / '? ' / ': ' indicators on a line, open flow
// brackets); exposed for tests. `line` receives the 0-based line where it is largest,
// `indicators` the number of indicators seen (each starts at least one value).
int estimateYamlNesting(const std::string& text, int* line = nullptr, size_t* indicators = nullptr);

}  // namespace ps::yaml
