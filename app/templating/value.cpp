#include "templating/value.h"

#include <algorithm>
#include <stdexcept>

#include "limits/resource_limits.h"

namespace ps::templating {

ValueMap::ValueMap(std::initializer_list<Entry> entries) {
    for (const auto& entry : entries) set(entry.first, entry.second);
}

namespace {
// Below this many keys a linear search is faster than hashing (messages, tool specs).
constexpr size_t kIndexedMapSize = 16;
}  // namespace

const Value* ValueMap::find(const std::string& key) const {
    if (!index_.empty()) {
        const auto it = index_.find(key);
        return it == index_.end() ? nullptr : &entries_[it->second].second;
    }
    for (const auto& entry : entries_) {
        if (entry.first == key) return &entry.second;
    }
    return nullptr;
}

void ValueMap::set(const std::string& key, Value value) {
    if (const Value* existing = find(key)) {
        const_cast<Value&>(*existing) = std::move(value);
        return;
    }
    entries_.emplace_back(key, std::move(value));
    if (!index_.empty()) {
        index_.emplace(key, entries_.size() - 1);
    } else if (entries_.size() > kIndexedMapSize) {
        for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].first, i);
    }
}

Value::Value() = default;
Value::Value(std::nullptr_t) {}
Value::Value(bool b) : kind_(Kind::Bool), bool_(b) {}
Value::Value(int i) : kind_(Kind::Int), int_(i) {}
Value::Value(int64_t i) : kind_(Kind::Int), int_(i) {}
Value::Value(double d) : kind_(Kind::Double), double_(d) {}
Value::Value(const char* s)
    : kind_(Kind::String), string_(std::make_shared<const std::string>(s)) {}
Value::Value(std::string s)
    : kind_(Kind::String), string_(std::make_shared<const std::string>(std::move(s))) {}
namespace {
// Depth and shared state of a container from its items; throws past the limit.
template <typename Items, typename Get>
void measureContainer(const Items& items, Get get, int& depth, bool& holdsSharedState) {
    int deepest = 0;
    bool shared = false;
    for (const auto& item : items) {
        const Value& value = get(item);
        deepest = std::max(deepest, value.depth());
        shared = shared || value.holdsSharedState();
    }
    if (deepest + 1 > limits::kMaxValueDepth) {
        throw ValueLimitError("lists and maps nested deeper than the limit of " +
                              std::to_string(limits::kMaxValueDepth));
    }
    depth = deepest + 1;
    holdsSharedState = shared;
}
}  // namespace

Value::Value(ValueList list) : kind_(Kind::List) {
    measureContainer(list, [](const Value& v) -> const Value& { return v; }, depth_,
                     holdsSharedState_);
    list_ = std::make_shared<const ValueList>(std::move(list));
}
Value::Value(ValueMap map) : kind_(Kind::Map) {
    measureContainer(map.entries(), [](const ValueMap::Entry& e) -> const Value& { return e.second; },
                     depth_, holdsSharedState_);
    map_ = std::make_shared<const ValueMap>(std::move(map));
}

int Value::depth() const {
    if (kind_ != Kind::Namespace) return depth_;
    // A namespace holds no namespace (see holdsSharedState), so this is one level.
    int deepest = 0;
    for (const auto& entry : namespace_->entries()) deepest = std::max(deepest, entry.second.depth());
    return deepest + 1;
}

Value Value::undefined(std::string name) {
    Value v;
    v.kind_ = Kind::Undefined;
    v.string_ = std::make_shared<const std::string>(std::move(name));
    return v;
}

Value Value::callable(Callable fn) {
    Value v;
    v.kind_ = Kind::Callable;
    v.holdsSharedState_ = true;
    v.callable_ = std::make_shared<const Callable>(std::move(fn));
    return v;
}

Value Value::makeNamespace(ValueMap initial) {
    Value v;
    v.kind_ = Kind::Namespace;
    v.holdsSharedState_ = true;
    v.namespace_ = std::make_shared<ValueMap>(std::move(initial));
    return v;
}

namespace {
[[noreturn]] void wrongKind(const char* wanted, const Value& v) {
    throw std::logic_error(std::string("template value is ") + v.kindName() + ", not " + wanted);
}
}  // namespace

bool Value::asBool() const {
    if (kind_ != Kind::Bool) wrongKind("bool", *this);
    return bool_;
}

int64_t Value::asInt() const {
    if (kind_ != Kind::Int) wrongKind("int", *this);
    return int_;
}

double Value::asDouble() const {
    if (kind_ == Kind::Int) return static_cast<double>(int_);
    if (kind_ != Kind::Double) wrongKind("number", *this);
    return double_;
}

const std::string& Value::asString() const {
    if (kind_ != Kind::String) wrongKind("string", *this);
    return *string_;
}

const ValueList& Value::asList() const {
    if (kind_ != Kind::List) wrongKind("list", *this);
    return *list_;
}

const ValueMap& Value::asMap() const {
    if (kind_ == Kind::Namespace) return *namespace_;
    if (kind_ != Kind::Map) wrongKind("map", *this);
    return *map_;
}

const Callable& Value::asCallable() const {
    if (kind_ != Kind::Callable) wrongKind("callable", *this);
    return *callable_;
}

ValueMap& Value::namespaceAttributes() const {
    if (kind_ != Kind::Namespace) wrongKind("namespace", *this);
    return *namespace_;
}

const std::string& Value::undefinedName() const {
    if (kind_ != Kind::Undefined) wrongKind("undefined", *this);
    return *string_;
}

bool Value::truthy() const {
    switch (kind_) {
        case Kind::Undefined:
        case Kind::None: return false;
        case Kind::Bool: return bool_;
        case Kind::Int: return int_ != 0;
        case Kind::Double: return double_ != 0.0;
        case Kind::String: return !string_->empty();
        case Kind::List: return !list_->empty();
        case Kind::Map: return !map_->empty();
        case Kind::Callable:
        case Kind::Namespace: return true;
    }
    return false;
}

bool Value::equals(const Value& other) const {
    // Python: True == 1 and 1 == 1.0; bools are ints there.
    auto numeric = [](const Value& v) { return v.isNumber() || v.isBool(); };
    if (numeric(*this) && numeric(other)) {
        if (isDouble() || other.isDouble()) {
            auto d = [](const Value& v) {
                return v.isBool() ? (v.bool_ ? 1.0 : 0.0) : v.asDouble();
            };
            return d(*this) == d(other);
        }
        auto i = [](const Value& v) { return v.isBool() ? int64_t(v.bool_) : v.int_; };
        return i(*this) == i(other);
    }
    if (kind_ != other.kind_) return false;
    switch (kind_) {
        case Kind::Undefined:
        case Kind::None: return true;
        case Kind::String: return *string_ == *other.string_;
        case Kind::List: {
            const auto& a = *list_;
            const auto& b = *other.list_;
            if (a.size() != b.size()) return false;
            for (size_t k = 0; k < a.size(); ++k) {
                if (!a[k].equals(b[k])) return false;
            }
            return true;
        }
        case Kind::Map: {
            const auto& a = *map_;
            const auto& b = *other.map_;
            if (a.size() != b.size()) return false;
            for (const auto& [key, value] : a.entries()) {
                const Value* mine = b.find(key);
                if (!mine || !mine->equals(value)) return false;
            }
            return true;
        }
        case Kind::Callable: return callable_ == other.callable_;
        case Kind::Namespace: return namespace_ == other.namespace_;
        default: return false;
    }
}

std::string Value::kindName() const {
    switch (kind_) {
        case Kind::Undefined: return "undefined";
        case Kind::None: return "none";
        case Kind::Bool: return "boolean";
        case Kind::Int: return "integer";
        case Kind::Double: return "float";
        case Kind::String: return "string";
        case Kind::List: return "list";
        case Kind::Map: return "mapping";
        case Kind::Callable: return "function";
        case Kind::Namespace: return "namespace";
    }
    return "value";
}

}  // namespace ps::templating
