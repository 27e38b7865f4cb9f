#include "document/yaml_fields.h"

#include <algorithm>
#include <cmath>

#include "document/bounded_yaml.h"
#include "document/yaml_value.h"

namespace ps {

YamlFieldReader::YamlFieldReader(int firstLine, const QString& yamlText, SourceMap* source)
    : firstLine_(firstLine), lines_(yamlText.split('\n')), source_(source) {}

std::optional<YAML::Node> YamlFieldReader::load() {
    try {
        return yaml::loadBounded(lines_.join('\n').toStdString());
    } catch (const yaml::YamlLimitError& e) {
        const int line = e.mark.line >= 0 ? e.mark.line : 0;
        errors_.append({firstLine_ + line, e.mark.column + 1,
                        QStringLiteral("this YAML is refused: %1").arg(QString::fromStdString(e.msg))});
    } catch (const YAML::ParserException& e) {
        const int line = e.mark.line >= 0 ? e.mark.line : 0;
        QString message = QStringLiteral("this is not valid YAML (%1)")
                              .arg(QString::fromStdString(e.msg));
        const QString source = line < lines_.size() ? lines_.at(line) : QString();
        if (source.contains('\t')) {
            message += QStringLiteral("; YAML does not allow tabs for indentation, use spaces");
        } else if (e.msg.find("map value") != std::string::npos) {
            message += QStringLiteral("; a value that contains ': ' must be put in quotes");
        }
        errors_.append({firstLine_ + line, e.mark.column + 1, message});
    } catch (const YAML::Exception& e) {
        errors_.append({firstLine_, 1, QStringLiteral("this is not valid YAML (%1)")
                                           .arg(QString::fromStdString(e.msg))});
    }
    return std::nullopt;
}

DocumentPosition YamlFieldReader::positionOf(const YAML::Node& node) const {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) return {};
    return {firstLine_ + mark.line, mark.column + 1};
}

DocumentPosition YamlFieldReader::positionOf(const YAML::Node& key, const YAML::Node& value) const {
    if (!value.IsDefined() || value.IsNull()) return positionOf(key);
    return positionOf(value);
}

void YamlFieldReader::record(const QString& path, DocumentPosition position) {
    if (source_ && position.line > 0) source_->positions.insert(path, position);
}

void YamlFieldReader::addError(DocumentPosition position, const QString& message) {
    errors_.append({position.line, position.column, message});
}

std::optional<QString> YamlFieldReader::text(const YAML::Node& value, const QString& key,
                                             DocumentPosition at) {
    if (!value.IsDefined() || value.IsNull()) return QString();
    if (value.IsScalar()) return QString::fromStdString(value.Scalar());
    addError(at, QStringLiteral("'%1' must be text, not a %2").arg(key, value.IsSequence() ? "list" : "group of keys"));
    return std::nullopt;
}

std::optional<bool> YamlFieldReader::boolean(const YAML::Node& value, const QString& key,
                                             DocumentPosition at) {
    if (value.IsScalar() && value.Tag() != "!") {
        const QVariant resolved = yaml::resolvePlainScalar(QString::fromStdString(value.Scalar()));
        if (resolved.typeId() == QMetaType::Bool) return resolved.toBool();
    }
    addError(at, QStringLiteral("'%1' must be true or false").arg(key));
    return std::nullopt;
}

std::optional<double> YamlFieldReader::number(const YAML::Node& value, const QString& key,
                                              DocumentPosition at) {
    if (value.IsScalar() && value.Tag() != "!") {
        const QVariant resolved = yaml::resolvePlainScalar(QString::fromStdString(value.Scalar()));
        if (resolved.typeId() == QMetaType::LongLong || resolved.typeId() == QMetaType::Double) {
            const double number = resolved.toDouble();
            if (std::isfinite(number)) return number;
        }
    }
    addError(at, QStringLiteral("'%1' must be a number").arg(key));
    return std::nullopt;
}

std::optional<qint64> YamlFieldReader::integer(const YAML::Node& value, const QString& key,
                                               DocumentPosition at) {
    if (value.IsScalar() && value.Tag() != "!") {
        const QVariant resolved = yaml::resolvePlainScalar(QString::fromStdString(value.Scalar()));
        if (resolved.typeId() == QMetaType::LongLong) return resolved.toLongLong();
        if (resolved.typeId() == QMetaType::Double) {
            const double number = resolved.toDouble();
            if (std::isfinite(number) && number == std::floor(number) && std::fabs(number) < 9e15) {
                return static_cast<qint64>(number);
            }
        }
    }
    addError(at, QStringLiteral("'%1' must be a whole number").arg(key));
    return std::nullopt;
}

std::optional<QStringList> YamlFieldReader::textList(const YAML::Node& value, const QString& key,
                                                     DocumentPosition at) {
    if (!value.IsDefined() || value.IsNull()) return QStringList();
    if (value.IsScalar()) return QStringList{QString::fromStdString(value.Scalar())};
    if (value.IsSequence()) {
        QStringList items;
        bool ok = true;
        for (const YAML::Node& item : value) {
            if (item.IsScalar()) {
                items << QString::fromStdString(item.Scalar());
            } else {
                addError(positionOf(item),
                         QStringLiteral("each item of '%1' must be a single text").arg(key));
                ok = false;
            }
        }
        if (ok) return items;
        return std::nullopt;
    }
    addError(at, QStringLiteral("'%1' must be a list of texts, e.g. [one, two]").arg(key));
    return std::nullopt;
}

std::optional<QVariant> YamlFieldReader::scalarValue(const YAML::Node& value, const QString& key,
                                                     DocumentPosition at) {
    if (!value.IsDefined() || value.IsNull()) return QVariant();
    if (!value.IsScalar()) {
        addError(at, QStringLiteral("'%1' must be a single value (text, number, true or false)").arg(key));
        return std::nullopt;
    }
    const QString scalar = QString::fromStdString(value.Scalar());
    if (value.Tag() == "!") return QVariant(scalar);
    return yaml::resolvePlainScalar(scalar);
}

UnknownKey YamlFieldReader::unknownKey(const QString& key, const YAML::Node& value) {
    return {key, yaml::emitDocument(yaml::YamlValue::fromNode(value))};
}

DocumentPosition YamlFieldReader::contentStart(const YAML::Node& value) const {
    const DocumentPosition at = positionOf(value);
    const YAML::Mark mark = value.Mark();
    if (mark.line < 0 || mark.line >= lines_.size()) return at;
    const QString line = lines_.at(mark.line);
    if (mark.column >= line.size() || (line.at(mark.column) != '|' && line.at(mark.column) != '>')) {
        return at;
    }
    // The text's first line is the line after the indicator; its indentation is that
    // of the first line that is not empty.
    for (int i = mark.line + 1; i < lines_.size(); ++i) {
        const QString& content = lines_.at(i);
        if (content.trimmed().isEmpty()) continue;
        int indent = 0;
        while (indent < content.size() && content.at(indent) == ' ') ++indent;
        return {firstLine_ + mark.line + 1, indent + 1};
    }
    return at;
}

void sortByPosition(QList<DocumentError>& errors) {
    std::stable_sort(errors.begin(), errors.end(), [](const DocumentError& a, const DocumentError& b) {
        const bool aPlaced = a.line > 0;
        const bool bPlaced = b.line > 0;
        if (aPlaced != bPlaced) return aPlaced;
        if (a.line != b.line) return a.line < b.line;
        return a.column < b.column;
    });
}

}  // namespace ps
