#include "document/yaml_value.h"

#include <yaml-cpp/yaml.h>

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

#include "document/bounded_yaml.h"

namespace ps::yaml {

namespace {

// Flow lists longer than this are written one item per line.
constexpr int kMaxFlowListWidth = 60;

bool isNullScalar(const QString& text) {
    return text.isEmpty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

// YAML 1.1 booleans other tools (and older yaml-cpp users) still read as bools.
bool isYaml11Bool(const QString& text) {
    static const QStringList words{"y", "n", "yes", "no", "on", "off"};
    return words.contains(text.toLower());
}

// Characters a double-quoted scalar must escape; a literal block cannot hold them.
bool needsEscape(QChar c) {
    const char16_t u = c.unicode();
    return (u < 0x20 && u != '\n' && u != '\t') || u == 0x7f || u == 0x85 || u == 0x2028 ||
           u == 0x2029 || u == 0xfeff;
}

QString doubleQuoted(const QString& text) {
    QString out = "\"";
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        switch (u) {
            case '\\': out += "\\\\"; break;
            case '"': out += "\\\""; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            case 0x85: out += "\\N"; break;
            case 0x2028: out += "\\L"; break;
            case 0x2029: out += "\\P"; break;
            default:
                if (u < 0x20 || u == 0x7f) {
                    out += QStringLiteral("\\x%1").arg(u, 2, 16, QLatin1Char('0'));
                } else if (u == 0xfeff) {
                    out += "\\uFEFF";
                } else {
                    out += c;
                }
        }
    }
    return out + "\"";
}

bool isBlankLine(const QString& line) {
    for (const QChar c : line) {
        if (c != ' ' && c != '\t') return false;
    }
    return true;
}

// Whether multi-line `text` can be a `|` literal block that reads back byte for byte.
bool fitsLiteralBlock(const QString& text) {
    if (!text.contains('\n') || text.trimmed().isEmpty()) return false;
    for (const QChar c : text) {
        if (needsEscape(c)) return false;
    }
    QString content = text;
    while (content.endsWith('\n')) content.chop(1);
    const QStringList lines = content.split('\n');
    // A first line that starts with a space would need an indentation indicator;
    // whitespace-only lines confuse the indentation detection of some readers.
    if (lines.first().startsWith(' ')) return false;
    for (const QString& line : lines) {
        if (!line.isEmpty() && isBlankLine(line)) return false;
    }
    return true;
}

QString scalarText(const YamlValue& value, bool inFlow) {
    const QString& text = value.text();
    switch (value.style()) {
        case YamlValue::ScalarStyle::Raw:
            if (text.isEmpty()) return QStringLiteral("null");
            // A block plain scalar may hold characters that end a flow scalar.
            if (inFlow && std::any_of(text.begin(), text.end(), [](QChar c) {
                    return QStringLiteral(",[]{}").contains(c);
                })) {
                return doubleQuoted(text);
            }
            return text;
        case YamlValue::ScalarStyle::String:
            return needsQuotes(text, inFlow) ? doubleQuoted(text) : text;
    }
    return text;
}

bool isLiteral(const YamlValue& value) {
    return value.kind() == YamlValue::Kind::Scalar && value.style() != YamlValue::ScalarStyle::Raw &&
           fitsLiteralBlock(value.text());
}

// "|", "|-" or "|+" and the content lines indented by `indent`.
QString literalBlock(const QString& text, int indent) {
    int trailing = 0;
    while (trailing < text.size() && text.at(text.size() - 1 - trailing) == '\n') ++trailing;
    const char* chomp = trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
    QString out = QString::fromLatin1(chomp) + "\n";
    const QString pad(indent, ' ');
    const QStringList lines = text.left(text.size() - trailing).split('\n');
    for (const QString& line : lines) out += line.isEmpty() ? "\n" : pad + line + "\n";
    for (int i = 1; i < trailing; ++i) out += "\n";
    return out;
}

QString flowList(const YamlValue& list) {
    QStringList parts;
    for (const YamlValue& item : list.items()) parts << scalarText(item, true);
    return "[" + parts.join(", ") + "]";
}

bool fitsFlowList(const YamlValue& list) {
    if (list.items().isEmpty()) return true;
    int width = 0;
    for (const YamlValue& item : list.items()) {
        if (item.kind() != YamlValue::Kind::Scalar) return false;
        width += scalarText(item, true).size() + 2;
    }
    return width <= kMaxFlowListWidth;
}

QString keyText(const QString& key) { return needsQuotes(key) ? doubleQuoted(key) : key; }

void emitMap(QString& out, const YamlValue& map, int indent);
void emitList(QString& out, const YamlValue& list, int indent);

// Writes what follows "key:" or "-" (a space and a scalar, or a nested block) for a
// node whose own line is indented by `indent`.
void emitAfterIndicator(QString& out, const YamlValue& value, int indent) {
    switch (value.kind()) {
        case YamlValue::Kind::Scalar:
            if (isLiteral(value)) {
                out += " " + literalBlock(value.text(), indent + 2);
            } else if (value.style() == YamlValue::ScalarStyle::Raw && value.text().isEmpty()) {
                out += "\n";  // a null written as nothing stays nothing
            } else {
                out += " " + scalarText(value, false) + "\n";
            }
            return;
        case YamlValue::Kind::List:
            if (fitsFlowList(value)) {
                out += " " + flowList(value) + "\n";
            } else {
                out += "\n";
                emitList(out, value, indent + 2);
            }
            return;
        case YamlValue::Kind::Map:
            if (value.entries().isEmpty()) {
                out += " {}\n";
            } else {
                out += "\n";
                emitMap(out, value, indent + 2);
            }
            return;
    }
}

void emitMap(QString& out, const YamlValue& map, int indent) {
    const QString pad(indent, ' ');
    for (const auto& [key, value] : map.entries()) {
        out += pad + keyText(key) + ":";
        emitAfterIndicator(out, value, indent);
    }
}

void emitList(QString& out, const YamlValue& list, int indent) {
    const QString pad(indent, ' ');
    for (const YamlValue& item : list.items()) {
        if (item.kind() == YamlValue::Kind::Map && !item.entries().isEmpty()) {
            // "- first: value", the other keys aligned under "first".
            bool first = true;
            for (const auto& [key, value] : item.entries()) {
                out += (first ? pad + "- " : pad + "  ") + keyText(key) + ":";
                emitAfterIndicator(out, value, indent + 2);
                first = false;
            }
        } else {
            out += pad + "-";
            emitAfterIndicator(out, item, indent);
        }
    }
}

}  // namespace

YamlValue YamlValue::string(const QString& text) {
    YamlValue value;
    value.kind_ = Kind::Scalar;
    value.text_ = text;
    return value;
}

YamlValue YamlValue::raw(const QString& text) {
    YamlValue value = string(text);
    value.style_ = ScalarStyle::Raw;
    return value;
}

YamlValue YamlValue::number(double number) {
    if (std::isnan(number)) return raw(".nan");
    if (std::isinf(number)) return raw(number > 0 ? ".inf" : "-.inf");
    if (number == std::floor(number) && std::fabs(number) < 1e15) {
        return raw(QString::number(static_cast<qint64>(number)));
    }
    return raw(QString::number(number, 'g', 15));
}

YamlValue YamlValue::integer(qint64 number) { return raw(QString::number(number)); }

YamlValue YamlValue::boolean(bool flag) { return raw(flag ? "true" : "false"); }

YamlValue YamlValue::fromVariant(const QVariant& variant) {
    if (!variant.isValid() || variant.isNull()) return raw(QString());
    switch (variant.typeId()) {
        case QMetaType::Bool: return boolean(variant.toBool());
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::UInt:
        case QMetaType::ULongLong: return integer(variant.toLongLong());
        case QMetaType::Double:
        case QMetaType::Float: return number(variant.toDouble());
        case QMetaType::QVariantList:
        case QMetaType::QStringList: {
            YamlValue out = list();
            for (const QVariant& item : variant.toList()) out.append(fromVariant(item));
            return out;
        }
        case QMetaType::QVariantMap: {
            YamlValue out = map();
            const QVariantMap entries = variant.toMap();
            for (auto it = entries.begin(); it != entries.end(); ++it) {
                out.insert(it.key(), fromVariant(it.value()));
            }
            return out;
        }
        default: return string(variant.toString());
    }
}

YamlValue YamlValue::list() {
    YamlValue value;
    value.kind_ = Kind::List;
    return value;
}

YamlValue YamlValue::map() { return YamlValue(); }

YamlValue YamlValue::fromNode(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Scalar: {
            const QString text = QString::fromStdString(node.Scalar());
            if (node.Tag() == "!") return string(text);  // quoted or a block: text
            return raw(text);  // plain in the source: written back exactly as it was
        }
        case YAML::NodeType::Sequence: {
            YamlValue out = list();
            for (const auto& item : node) out.append(fromNode(item));
            return out;
        }
        case YAML::NodeType::Map: {
            YamlValue out = map();
            for (const auto& entry : node) {
                const QString key = entry.first.IsScalar()
                                        ? QString::fromStdString(entry.first.Scalar())
                                        : QString::fromStdString(YAML::Dump(entry.first));
                out.insert(key, fromNode(entry.second));
            }
            return out;
        }
        default: return raw(QString());
    }
}

YamlValue YamlValue::fromYamlText(const QString& text) {
    try {
        return fromNode(loadBounded(text.toStdString()));
    } catch (const YAML::Exception&) {
        return raw(QString());
    }
}

bool YamlValue::isEmpty() const {
    return kind_ == Kind::List ? items_.isEmpty() : kind_ == Kind::Map ? entries_.isEmpty() : false;
}

YamlValue& YamlValue::append(YamlValue value) {
    items_.append(std::move(value));
    return *this;
}

YamlValue& YamlValue::insert(const QString& key, YamlValue value) {
    entries_.append({key, std::move(value)});
    return *this;
}

QString emitMapBody(const YamlValue& map) {
    QString out;
    emitMap(out, map, 0);
    return out;
}

QString emitDocument(const YamlValue& value) {
    QString out;
    switch (value.kind()) {
        case YamlValue::Kind::Map:
            if (value.entries().isEmpty()) return "{}\n";
            emitMap(out, value, 0);
            return out;
        case YamlValue::Kind::List:
            if (value.items().isEmpty()) return "[]\n";
            emitList(out, value, 0);
            return out;
        case YamlValue::Kind::Scalar:
            if (isLiteral(value)) return literalBlock(value.text(), 2);
            return scalarText(value, false) + "\n";
    }
    return out;
}

bool needsQuotes(const QString& text, bool inFlow) {
    if (text.isEmpty()) return true;
    if (resolvePlainScalar(text).typeId() != QMetaType::QString || isYaml11Bool(text)) return true;
    const QChar first = text.front();
    static const QString indicators = ",[]{}#&*!|>'\"%@`";
    if (indicators.contains(first)) return true;
    if ((first == '-' || first == '?' || first == ':') && (text.size() == 1 || text.at(1) == ' ')) {
        return true;
    }
    if (text.startsWith("---") || text.startsWith("...")) return true;
    if (first.isSpace() || text.back().isSpace()) return true;
    if (text.contains(": ") || text.contains(" #") || text.endsWith(':')) return true;
    for (const QChar c : text) {
        if (needsEscape(c) || c == '\n' || c == '\t') return true;
        if (inFlow && QStringLiteral(",[]{}").contains(c)) return true;
    }
    return false;
}

QVariant resolvePlainScalar(const QString& text) {
    if (isNullScalar(text)) return QVariant();
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    static const QRegularExpression decimalInt("^[-+]?[0-9]+$");
    static const QRegularExpression octalInt("^0o[0-7]+$");
    static const QRegularExpression hexInt("^0x[0-9a-fA-F]+$");
    static const QRegularExpression decimalFloat(
        R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
    static const QRegularExpression special(R"(^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$)");
    bool ok = false;
    if (decimalInt.match(text).hasMatch()) {
        const qint64 value = text.toLongLong(&ok);
        if (ok) return value;
        return text.toDouble();
    }
    if (octalInt.match(text).hasMatch()) {
        const qint64 value = text.mid(2).toLongLong(&ok, 8);
        if (ok) return value;
    }
    if (hexInt.match(text).hasMatch()) {
        const qint64 value = text.mid(2).toLongLong(&ok, 16);
        if (ok) return value;
    }
    if (decimalFloat.match(text).hasMatch()) return text.toDouble();
    if (special.match(text).hasMatch()) {
        if (text.contains("nan", Qt::CaseInsensitive)) return std::nan("");
        return text.startsWith('-') ? -INFINITY : INFINITY;
    }
    return text;
}

}  // namespace ps::yaml
