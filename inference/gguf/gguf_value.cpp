// GgufValue: the typed accessors and the short rendering used by `info`.
#include <cstdio>

#include "gguf/gguf_file.h"

namespace ps {

const char* ggufValueTypeName(GgufValueType type) {
    switch (type) {
        case GgufValueType::U8: return "u8";
        case GgufValueType::I8: return "i8";
        case GgufValueType::U16: return "u16";
        case GgufValueType::I16: return "i16";
        case GgufValueType::U32: return "u32";
        case GgufValueType::I32: return "i32";
        case GgufValueType::F32: return "f32";
        case GgufValueType::Bool: return "bool";
        case GgufValueType::String: return "string";
        case GgufValueType::Array: return "array";
        case GgufValueType::U64: return "u64";
        case GgufValueType::I64: return "i64";
        case GgufValueType::F64: return "f64";
    }
    return "unknown";
}

namespace {

bool isUnsignedType(GgufValueType t) {
    return t == GgufValueType::U8 || t == GgufValueType::U16 || t == GgufValueType::U32 ||
           t == GgufValueType::U64;
}

bool isSignedType(GgufValueType t) {
    return t == GgufValueType::I8 || t == GgufValueType::I16 || t == GgufValueType::I32 ||
           t == GgufValueType::I64;
}

std::string formatFloat(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return buffer;
}

}  // namespace

bool GgufValue::isInteger() const { return isUnsignedType(type) || isSignedType(type); }

bool GgufValue::isFloat() const { return type == GgufValueType::F32 || type == GgufValueType::F64; }

double GgufValue::toDouble() const {
    if (isUnsignedType(type) || type == GgufValueType::Bool) return static_cast<double>(asUnsigned);
    if (isSignedType(type)) return static_cast<double>(asSigned);
    if (isFloat()) return asFloat;
    return 0.0;
}

std::optional<int64_t> GgufValue::toInteger() const {
    if (isSignedType(type)) return asSigned;
    if (isUnsignedType(type)) {
        // A u64 above INT64_MAX has no int64 value.
        if (asUnsigned > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
        return static_cast<int64_t>(asUnsigned);
    }
    return std::nullopt;
}

std::string GgufValue::toDisplayString(size_t maxElements) const {
    switch (type) {
        case GgufValueType::Bool: return asUnsigned ? "true" : "false";
        case GgufValueType::String: {
            constexpr size_t kMaxShown = 80;
            if (asString.size() <= kMaxShown) return "\"" + asString + "\"";
            return "\"" + asString.substr(0, kMaxShown) + "...\" (" +
                   std::to_string(asString.size()) + " bytes)";
        }
        case GgufValueType::Array: {
            std::string s = "[";
            const size_t shown = elements.size() < maxElements ? elements.size() : maxElements;
            for (size_t i = 0; i < shown; ++i) {
                if (i) s += ", ";
                s += elements[i].toDisplayString(maxElements);
            }
            if (shown < elements.size()) {
                s += ", ... (" + std::to_string(elements.size()) + " " +
                     ggufValueTypeName(elementType) + " elements)";
            }
            return s + "]";
        }
        case GgufValueType::F32:
        case GgufValueType::F64: return formatFloat(asFloat);
        default:
            if (isSignedType(type)) return std::to_string(asSigned);
            return std::to_string(asUnsigned);
    }
}

}  // namespace ps
