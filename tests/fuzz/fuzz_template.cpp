// libFuzzer: the template engine (lexer, parser, free-variable finder, renderer,
// filters, values) on any source, with and without Hugging Face's whitespace options
// and strict undefined, rendered against a context with strings, lists and maps.
#include <cstddef>
#include <cstdint>
#include <string>

#include "templating/template.h"

namespace {

ps::templating::Value context() {
    using namespace ps::templating;
    ValueMap message{{"role", Value("user")}, {"content", Value("Hi {{ there }}")}};
    ValueMap root{{"name", Value("world")},
                  {"n", Value(int64_t{3})},
                  {"items", Value(ValueList{Value(1), Value("two"), Value(3.5), Value()})},
                  {"messages", Value(ValueList{Value(message), Value(message)})},
                  {"tools", Value(ValueList{Value(ValueMap{{"name", Value("f")}})})}};
    return Value(std::move(root));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace ps::templating;
    if (size == 0) return 0;
    // The first byte picks the options; the rest is the template.
    TemplateOptions options;
    options.trimBlocks = data[0] & 1;
    options.lstripBlocks = data[0] & 2;
    options.strictUndefined = data[0] & 4;
    // Smaller budgets keep each run fast; the limits themselves are what is tested.
    options.maxOutputBytes = 1 << 20;
    options.maxLoopIterations = 10000;
    const std::string source(reinterpret_cast<const char*>(data) + 1, size - 1);
    try {
        const Template compiled = Template::parse(source, options);
        (void)compiled.variables();
        (void)compiled.render(context());
    } catch (const TemplateError&) {
    } catch (const ValueLimitError&) {
    }
    return 0;
}
