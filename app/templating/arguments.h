#pragma once
// Binding call arguments to named parameters, Python style: `indent(4, first=true)`.
// Internal to the filters, tests and methods.
#include <initializer_list>
#include <string>
#include <vector>

#include "templating/runtime.h"

namespace ps::templating::detail {

class Arguments {
public:
    // Fails when there are more positional arguments than `names`, or an unknown or
    // repeated keyword.
    Arguments(std::string function, const ValueList& args, const KwArgs& kwargs,
              std::initializer_list<const char*> names)
        : function_(std::move(function)), names_(names), values_(names.size(), nullptr) {
        if (args.size() > names_.size()) {
            throw RenderFailure("too many arguments to '" + function_ + "' (takes at most " +
                                std::to_string(names_.size()) + ")");
        }
        for (size_t i = 0; i < args.size(); ++i) values_[i] = &args[i];
        for (const auto& [key, value] : kwargs) {
            size_t index = 0;
            while (index < names_.size() && key != names_[index]) ++index;
            if (index == names_.size()) {
                throw RenderFailure("'" + function_ + "' has no argument named '" + key + "'");
            }
            if (values_[index]) {
                throw RenderFailure("argument '" + key + "' of '" + function_ + "' given twice");
            }
            values_[index] = &value;
        }
    }

    bool has(size_t i) const { return values_[i] && !values_[i]->isUndefined(); }
    const Value& get(size_t i) const {
        if (!has(i)) {
            throw RenderFailure("'" + function_ + "' needs the argument '" + names_[i] + "'");
        }
        return *values_[i];
    }
    Value getOr(size_t i, Value fallback) const { return has(i) ? *values_[i] : fallback; }

    std::string string(size_t i) const {
        const Value& v = get(i);
        if (!v.isString()) fail(i, "a string", v);
        return v.asString();
    }
    std::string stringOr(size_t i, std::string fallback) const {
        return has(i) && !values_[i]->isNone() ? string(i) : fallback;
    }
    int64_t integer(size_t i) const {
        const Value& v = get(i);
        if (v.isBool()) return v.asBool() ? 1 : 0;
        if (!v.isInt()) fail(i, "an integer", v);
        return v.asInt();
    }
    int64_t integerOr(size_t i, int64_t fallback) const {
        return has(i) && !values_[i]->isNone() ? integer(i) : fallback;
    }
    bool flagOr(size_t i, bool fallback) const { return has(i) ? values_[i]->truthy() : fallback; }

private:
    [[noreturn]] void fail(size_t i, const char* wanted, const Value& got) const {
        throw RenderFailure("argument '" + std::string(names_[i]) + "' of '" + function_ +
                            "' must be " + wanted + ", not " + got.kindName());
    }

    std::string function_;
    std::vector<const char*> names_;
    std::vector<const Value*> values_;
};

}  // namespace ps::templating::detail
