#pragma once
// A small ordered YAML tree and the emitter the .promptapp and .prompty writers share.
// yaml-cpp reads; this writes, because the files must read well by hand: block style,
// `|` literal blocks for multi-line text (with the right chomping so text round-trips
// exactly), quotes only where a plain scalar would read back differently.
#include <QList>
#include <QString>
#include <QVariant>

#include <memory>
#include <utility>

namespace YAML {
class Node;
}

namespace ps::yaml {

class YamlValue {
public:
    enum class Kind { Scalar, List, Map };
    // How a scalar is written: `String` is quoted only where plain text would read
    // back as something else ("42", "true", "a: b"); `Raw` is written as is (numbers,
    // booleans, null, as the user wrote them).
    enum class ScalarStyle { String, Raw };

    YamlValue() = default;  // an empty map
    static YamlValue string(const QString& text);
    static YamlValue raw(const QString& text);
    static YamlValue number(double value);
    static YamlValue integer(qint64 value);
    static YamlValue boolean(bool value);
    // Strings, numbers, bools as such; lists and maps recursively; invalid -> null.
    static YamlValue fromVariant(const QVariant& value);
    static YamlValue list();
    static YamlValue map();
    // The node as read by yaml-cpp (plain scalars keep their text; quoted ones stay text).
    static YamlValue fromNode(const YAML::Node& node);
    // Parses a YAML text (as UnknownKey::yaml holds); a null scalar when it is not YAML.
    static YamlValue fromYamlText(const QString& text);

    Kind kind() const { return kind_; }
    const QString& text() const { return text_; }
    ScalarStyle style() const { return style_; }
    bool isEmpty() const;  // a list or map without entries

    // Lists: append. Maps: insert (appends a key; keys are not checked for duplicates).
    YamlValue& append(YamlValue value);
    YamlValue& insert(const QString& key, YamlValue value);
    const QList<YamlValue>& items() const { return items_; }
    const QList<std::pair<QString, YamlValue>>& entries() const { return entries_; }

private:
    Kind kind_ = Kind::Map;
    ScalarStyle style_ = ScalarStyle::String;
    QString text_;
    QList<YamlValue> items_;
    QList<std::pair<QString, YamlValue>> entries_;
};

// The map's entries as YAML block text, each line ending in '\n' ("" for an empty map).
QString emitMapBody(const YamlValue& map);
// Any value as a standalone YAML document (what UnknownKey::yaml stores).
QString emitDocument(const YamlValue& value);

// True when `text` as a plain scalar would read back as something else than this
// string (a number, a bool, null, or broken YAML). `inFlow`: inside [ ] or { }.
bool needsQuotes(const QString& text, bool inFlow = false);
// The YAML 1.2 core schema reading of a plain scalar: bool, qint64, double, an
// invalid QVariant for null, else the string itself.
QVariant resolvePlainScalar(const QString& text);

}  // namespace ps::yaml
