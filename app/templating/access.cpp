// Attribute, item and slice access with Jinja's lookup order: `a.b` tries Python
// attributes (methods) before keys, `a['b']` keys before attributes; a missing key is
// undefined, not an error, so that `message.tool_calls is defined` works.
#include <algorithm>
#include <optional>

#include "templating/methods.h"
#include "templating/runtime.h"
#include "templating/text.h"

namespace ps::templating::detail {

Value getAttribute(const Value& object, const std::string& name, const EvalSettings& settings) {
    if (object.isUndefined()) failUndefined(object);
    if (auto method = findMethod(object, name, settings)) return *method;
    if (object.isMap() || object.isNamespace()) {
        if (const Value* found = object.asMap().find(name)) return *found;
    }
    return Value::undefined(name);
}

namespace {

// Python index normalization: -1 is the last item; nullopt when out of range.
std::optional<size_t> normalizeIndex(int64_t index, size_t size) {
    if (index < 0) index += static_cast<int64_t>(size);
    if (index < 0 || index >= static_cast<int64_t>(size)) return std::nullopt;
    return static_cast<size_t>(index);
}

}  // namespace

Value getItem(const Value& object, const Value& key, const EvalSettings& settings) {
    if (object.isUndefined()) failUndefined(object);
    requireDefined(key, settings);
    if (key.isInt() || key.isBool()) {
        const int64_t index = key.isBool() ? (key.asBool() ? 1 : 0) : key.asInt();
        if (object.isList()) {
            const ValueList& items = object.asList();
            if (auto i = normalizeIndex(index, items.size())) return items[*i];
            return Value::undefined("[" + std::to_string(index) + "]");
        }
        if (object.isString()) {
            const auto chars = splitCodePoints(object.asString());
            if (auto i = normalizeIndex(index, chars.size())) return Value(chars[*i]);
            return Value::undefined("[" + std::to_string(index) + "]");
        }
    }
    if (key.isString()) {
        if (object.isMap() || object.isNamespace()) {
            if (const Value* found = object.asMap().find(key.asString())) return *found;
        }
        return getAttribute(object, key.asString(), settings);
    }
    if (object.isMap()) return Value::undefined(toText(key));
    throw RenderFailure("cannot index " + object.kindName() + " with " + key.kindName());
}

Value sliceValue(const Value& object, std::optional<int64_t> start, std::optional<int64_t> stop,
                 std::optional<int64_t> step, const EvalSettings& settings) {
    if (object.isUndefined()) failUndefined(object);
    (void)settings;
    const int64_t stride = step.value_or(1);
    if (stride == 0) throw RenderFailure("slice step cannot be zero");

    std::vector<std::string> chars;
    const ValueList* items = nullptr;
    if (object.isString()) {
        chars = splitCodePoints(object.asString());
    } else if (object.isList()) {
        items = &object.asList();
    } else {
        throw RenderFailure("cannot slice " + object.kindName());
    }
    const int64_t size = static_cast<int64_t>(items ? items->size() : chars.size());

    // Python's slice.indices().
    const auto clamp = [&](std::optional<int64_t> value, int64_t fallback) {
        if (!value) return fallback;
        int64_t v = *value;
        if (v < 0) v += size;
        if (stride > 0) return std::clamp<int64_t>(v, 0, size);
        return std::clamp<int64_t>(v, -1, size - 1);
    };
    const int64_t first = clamp(start, stride > 0 ? 0 : size - 1);
    const int64_t last = clamp(stop, stride > 0 ? size : -1);

    ValueList listOut;
    std::string textOut;
    for (int64_t i = first; stride > 0 ? i < last : i > last; i += stride) {
        if (items) listOut.push_back((*items)[static_cast<size_t>(i)]);
        else textOut += chars[static_cast<size_t>(i)];
    }
    if (items) return Value(std::move(listOut));
    return Value(std::move(textOut));
}

}  // namespace ps::templating::detail
