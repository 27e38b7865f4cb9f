#pragma once
// Conversion between Qt's variants and template values, for the app layer's Qt-facing
// callers. QVariantMap -> map (QVariantMap is sorted by key; that order is kept),
// QVariantList/QStringList -> list, QString -> UTF-8 string, numbers and bools as such,
// an invalid or null QVariant -> none.
#include <QVariant>

#include "templating/value.h"

namespace ps::templating {

Value valueFromQVariant(const QVariant& variant);
QVariant qvariantFromValue(const Value& value);

}  // namespace ps::templating
