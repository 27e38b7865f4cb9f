#include "templating/qt_value.h"

#include <QVariantList>
#include <QVariantMap>

namespace ps::templating {

Value valueFromQVariant(const QVariant& variant) {
    if (!variant.isValid() || variant.isNull()) return Value();
    switch (variant.typeId()) {
        case QMetaType::Bool: return Value(variant.toBool());
        case QMetaType::Int:
        case QMetaType::UInt:
        case QMetaType::Long:
        case QMetaType::LongLong:
        case QMetaType::Short:
        case QMetaType::UShort: return Value(static_cast<int64_t>(variant.toLongLong()));
        case QMetaType::ULong:
        case QMetaType::ULongLong: return Value(static_cast<int64_t>(variant.toULongLong()));
        case QMetaType::Double:
        case QMetaType::Float: return Value(variant.toDouble());
        case QMetaType::QVariantList:
        case QMetaType::QStringList: {
            ValueList list;
            for (const QVariant& item : variant.toList()) list.push_back(valueFromQVariant(item));
            return Value(std::move(list));
        }
        case QMetaType::QVariantMap: {
            ValueMap map;
            const QVariantMap source = variant.toMap();
            for (auto it = source.begin(); it != source.end(); ++it) {
                map.set(it.key().toStdString(), valueFromQVariant(it.value()));
            }
            return Value(std::move(map));
        }
        default: return Value(variant.toString().toStdString());
    }
}

QVariant qvariantFromValue(const Value& value) {
    switch (value.kind()) {
        case Value::Kind::Bool: return value.asBool();
        case Value::Kind::Int: return QVariant::fromValue(static_cast<qlonglong>(value.asInt()));
        case Value::Kind::Double: return value.asDouble();
        case Value::Kind::String: return QString::fromStdString(value.asString());
        case Value::Kind::List: {
            QVariantList list;
            for (const Value& item : value.asList()) list.push_back(qvariantFromValue(item));
            return list;
        }
        case Value::Kind::Map:
        case Value::Kind::Namespace: {
            QVariantMap map;
            for (const auto& [key, item] : value.asMap().entries()) {
                map.insert(QString::fromStdString(key), qvariantFromValue(item));
            }
            return map;
        }
        default: return QVariant();
    }
}

}  // namespace ps::templating
