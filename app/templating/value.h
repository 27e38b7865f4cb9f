#pragma once
// The value a template computes with: Jinja's data model reduced to what prompt
// templates and Hugging Face chat templates use. Plain C++20, UTF-8 strings.
//
// Kinds: undefined (a name that was never set; see TemplateOptions::strictUndefined),
// none, bool, int (int64), double, string, list, map (string keys, insertion-ordered,
// as Python dicts are), and two internal kinds: callable (macros, `range`,
// `raise_exception`, bound methods) and namespace (the mutable object `namespace()`
// returns, so that `{% set ns.x = ... %}` inside a loop is seen after it).
//
// Lists and maps are immutable once built and shared by reference, so copying a
// Value is cheap.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace ps::templating {

class Value;

// A list or map nested deeper than limits::kMaxValueDepth; the renderer reports it with
// the position of the expression that built it.
class ValueLimitError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// A map that keeps its keys in insertion order (Python dicts do, and `tojson` and
// `items()` must match Python's output byte for byte).
class ValueMap {
public:
    using Entry = std::pair<std::string, Value>;

    ValueMap() = default;
    ValueMap(std::initializer_list<Entry> entries);

    // nullptr when the key is absent.
    const Value* find(const std::string& key) const;
    bool contains(const std::string& key) const { return find(key) != nullptr; }
    // Replaces the value of an existing key in place (keeps its position).
    void set(const std::string& key, Value value);

    const std::vector<Entry>& entries() const { return entries_; }
    size_t size() const;  // defined below, where Value is complete (clang needs it)
    bool empty() const;

private:
    std::vector<Entry> entries_;
    // Key -> position, built once a map grows past a handful of keys, so that a map
    // of n keys is built in O(n), not O(n^2) (a 200k-key dict literal).
    std::unordered_map<std::string, size_t> index_;
};

using ValueList = std::vector<Value>;

// Keyword arguments keep their order too (`namespace(a=1, b=2)`).
using KwArgs = std::vector<std::pair<std::string, Value>>;
using Callable = std::function<Value(const ValueList& args, const KwArgs& kwargs)>;

class Value {
public:
    enum class Kind { Undefined, None, Bool, Int, Double, String, List, Map, Callable, Namespace };

    Value();  // none
    Value(std::nullptr_t);
    Value(bool b);
    Value(int i);
    Value(int64_t i);
    Value(double d);
    Value(const char* s);
    Value(std::string s);
    Value(ValueList list);
    Value(ValueMap map);

    // An undefined value; `name` is what the template called it (for error messages).
    static Value undefined(std::string name);
    static Value callable(Callable fn);
    // A mutable attribute bag (Jinja's `namespace(...)`); copies share the same bag.
    static Value makeNamespace(ValueMap initial);

    Kind kind() const { return kind_; }
    bool isUndefined() const { return kind_ == Kind::Undefined; }
    bool isNone() const { return kind_ == Kind::None; }
    bool isBool() const { return kind_ == Kind::Bool; }
    bool isInt() const { return kind_ == Kind::Int; }
    bool isDouble() const { return kind_ == Kind::Double; }
    bool isNumber() const { return kind_ == Kind::Int || kind_ == Kind::Double; }
    bool isString() const { return kind_ == Kind::String; }
    bool isList() const { return kind_ == Kind::List; }
    bool isMap() const { return kind_ == Kind::Map; }
    bool isCallable() const { return kind_ == Kind::Callable; }
    bool isNamespace() const { return kind_ == Kind::Namespace; }

    // Accessors; each requires the matching kind (checked, throws std::logic_error).
    bool asBool() const;
    int64_t asInt() const;
    double asDouble() const;  // int or double
    const std::string& asString() const;
    const ValueList& asList() const;
    const ValueMap& asMap() const;  // a map, or a namespace's current attributes
    const Callable& asCallable() const;
    // The mutable attributes of a namespace (shared by all copies).
    ValueMap& namespaceAttributes() const;
    // The name an undefined value was looked up by.
    const std::string& undefinedName() const;

    // Python truthiness: none/undefined/false/0/""/[]/{} are false.
    bool truthy() const;
    // Python's == between template values (1 == 1.0, lists and maps deep).
    bool equals(const Value& other) const;
    // A short name of the kind for error messages ("string", "list", ...).
    std::string kindName() const;
    // Lists/maps inside lists/maps: 0 for scalars, 1 for a flat list. Bounded by
    // limits::kMaxValueDepth (constructing a deeper one throws ValueLimitError), so that
    // printing, comparing and destroying a value cannot exhaust the stack.
    int depth() const;
    // True for a namespace or function, or a list/map holding one. A namespace may not
    // hold such a value: that is what keeps values free of cycles.
    bool holdsSharedState() const { return holdsSharedState_; }

private:
    Kind kind_ = Kind::None;
    bool bool_ = false;
    bool holdsSharedState_ = false;
    int depth_ = 0;
    int64_t int_ = 0;
    double double_ = 0.0;
    std::shared_ptr<const std::string> string_;
    std::shared_ptr<const ValueList> list_;
    std::shared_ptr<const ValueMap> map_;
    std::shared_ptr<const Callable> callable_;
    std::shared_ptr<ValueMap> namespace_;
};

inline size_t ValueMap::size() const { return entries_.size(); }
inline bool ValueMap::empty() const { return entries_.empty(); }

}  // namespace ps::templating
