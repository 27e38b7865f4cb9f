// The global functions every template can call. Hugging Face adds raise_exception and
// strftime_now to Jinja's range, namespace and dict.
#include <ctime>

#include "templating/arguments.h"
#include "templating/runtime.h"

namespace ps::templating::detail {

namespace {

Value makeRange(const ValueList& a, const KwArgs& k, const EvalSettings& settings) {
    if (!k.empty()) throw RenderFailure("range() takes no keyword arguments");
    if (a.empty() || a.size() > 3) throw RenderFailure("range() takes 1 to 3 arguments");
    int64_t bounds[3] = {0, 0, 1};
    for (size_t i = 0; i < a.size(); ++i) {
        if (!a[i].isInt() && !a[i].isBool()) {
            requireDefined(a[i], settings);
            throw RenderFailure("range() needs integers, not " + a[i].kindName());
        }
        bounds[i] = a[i].isBool() ? (a[i].asBool() ? 1 : 0) : a[i].asInt();
    }
    int64_t start = 0, stop = 0, step = 1;
    if (a.size() == 1) {
        stop = bounds[0];
    } else {
        start = bounds[0];
        stop = bounds[1];
        step = bounds[2];
    }
    if (step == 0) throw RenderFailure("range() step must not be zero");
    // Estimate first, so that range(10**12) fails before allocating anything.
    const double estimate = (static_cast<double>(stop) - static_cast<double>(start)) /
                            static_cast<double>(step);
    if (settings.maxLoopIterations &&
        estimate > static_cast<double>(settings.maxLoopIterations)) {
        throw RenderFailure("range() of " + std::to_string(static_cast<long long>(estimate)) +
                            " items is over the limit of " +
                            std::to_string(settings.maxLoopIterations));
    }
    ValueList items;
    for (int64_t v = start; step > 0 ? v < stop : v > stop;) {
        items.emplace_back(v);
        if (__builtin_add_overflow(v, step, &v)) break;
    }
    return Value(std::move(items));
}

Value makeMap(const ValueList& a, const KwArgs& k, const char* function) {
    if (!a.empty()) {
        throw RenderFailure(std::string(function) + "() takes keyword arguments only");
    }
    ValueMap map;
    for (const auto& [key, value] : k) map.set(key, value);
    return Value(std::move(map));
}

std::string formatTimeNow(const std::string& format) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char buffer[256];
    const size_t length = std::strftime(buffer, sizeof buffer, format.c_str(), &local);
    return std::string(buffer, length);
}

}  // namespace

bool isGlobalName(const std::string& name) {
    return name == "range" || name == "namespace" || name == "dict" ||
           name == "raise_exception" || name == "strftime_now";
}

Value globalValue(const std::string& name, const EvalSettings& settings) {
    if (name == "range") {
        return Value::callable(
            [settings](const ValueList& a, const KwArgs& k) { return makeRange(a, k, settings); });
    }
    if (name == "namespace") {
        return Value::callable([](const ValueList& a, const KwArgs& k) {
            for (const auto& [key, value] : k) checkNamespaceValue(value);
            return Value::makeNamespace(makeMap(a, k, "namespace").asMap());
        });
    }
    if (name == "dict") {
        return Value::callable(
            [](const ValueList& a, const KwArgs& k) { return makeMap(a, k, "dict"); });
    }
    if (name == "raise_exception") {
        return Value::callable([](const ValueList& a, const KwArgs& k) -> Value {
            Arguments args("raise_exception", a, k, {"message"});
            throw RenderFailure(toText(args.getOr(0, Value(""))), /*raised=*/true);
        });
    }
    if (name == "strftime_now") {
        return Value::callable([](const ValueList& a, const KwArgs& k) {
            Arguments args("strftime_now", a, k, {"format"});
            return Value(formatTimeNow(args.string(0)));
        });
    }
    return Value::undefined(name);
}

}  // namespace ps::templating::detail
