#include "runner/input_values.h"

#include <QFile>
#include <QStringDecoder>

#include <algorithm>
#include <cmath>

#include "limits/input_file.h"

namespace ps {

namespace {

bool isBlank(const QVariant& value) {
    return !value.isValid() || value.isNull() ||
           (value.typeId() == QMetaType::QString && value.toString().trimmed().isEmpty());
}

QString quoted(const PromptInput& input) { return QStringLiteral("input '%1'").arg(input.name); }

// The typed value of one input, or an error message.
QVariant convert(const PromptInput& input, const QVariant& value, QString* error) {
    switch (input.type) {
        case InputType::Text:
        case InputType::Paragraph:
            return value.toString();
        case InputType::Choice: {
            const QString text = value.toString();
            if (!input.options.contains(text)) {
                *error = QStringLiteral("%1: '%2' is not one of %3")
                             .arg(quoted(input), text, input.options.join(QStringLiteral(", ")));
            }
            return text;
        }
        case InputType::Number: {
            bool ok = false;
            const double number = value.typeId() == QMetaType::Bool ? 0 : value.toDouble(&ok);
            if (!ok || !std::isfinite(number)) {
                *error = QStringLiteral("%1: '%2' is not a number").arg(quoted(input), value.toString());
                return {};
            }
            if (input.min && number < *input.min) {
                *error = QStringLiteral("%1: %2 is below the minimum %3").arg(quoted(input)).arg(number).arg(*input.min);
            } else if (input.max && number > *input.max) {
                *error = QStringLiteral("%1: %2 is above the maximum %3").arg(quoted(input)).arg(number).arg(*input.max);
            }
            // "3" renders as 3, not 3.0.
            if (number == std::floor(number) && std::fabs(number) < 9.0e15) {
                return QVariant::fromValue(static_cast<qint64>(number));
            }
            return number;
        }
        case InputType::Boolean: {
            if (value.typeId() == QMetaType::Bool) return value.toBool();
            const QString text = value.toString().trimmed().toLower();
            if (QStringList{"true", "yes", "1", "on"}.contains(text)) return true;
            if (QStringList{"false", "no", "0", "off"}.contains(text)) return false;
            *error = QStringLiteral("%1: '%2' is not yes or no (true/false)").arg(quoted(input), value.toString());
            return {};
        }
        case InputType::File:
            try {
                return readInputFile(value.toString());
            } catch (const InputFileError& fileError) {
                *error = QStringLiteral("%1: %2").arg(quoted(input), QString::fromUtf8(fileError.what()));
                return {};
            }
    }
    return value;
}

}  // namespace

CheckedInputs checkInputs(const PromptApp& app, const QVariantMap& given) {
    CheckedInputs checked;
    for (auto it = given.constBegin(); it != given.constEnd(); ++it) {
        if (!app.findInput(it.key())) {
            QStringList names;
            for (const PromptInput& input : app.inputs) names << input.name;
            checked.errors << QStringLiteral("input '%1': the app has no such input (it has: %2)")
                                  .arg(it.key(), names.isEmpty() ? QStringLiteral("none")
                                                                 : names.join(QStringLiteral(", ")));
        }
    }
    for (const PromptInput& input : app.inputs) {
        QVariant value = given.value(input.name);
        if (isBlank(value)) value = input.defaultValue;
        if (isBlank(value)) {
            if (input.required) {
                checked.errors << QStringLiteral("%1 (%2) is required")
                                      .arg(quoted(input), input.displayLabel());
            }
            continue;
        }
        QString error;
        const QVariant typed = convert(input, value, &error);
        if (!error.isEmpty()) {
            checked.errors << error;
            continue;
        }
        checked.values.insert(input.name, typed);
    }
    return checked;
}

QString readInputFile(const QString& path, qint64 maxBytes) {
    QString error;
    const std::optional<QByteArray> read =
        readInputFileBytes(path, &error, static_cast<uint64_t>(std::max<qint64>(0, maxBytes)));
    if (!read) throw InputFileError(error.toStdString());
    const QByteArray& bytes = *read;
    if (bytes.contains('\0')) {
        throw InputFileError(QStringLiteral("%1: not a text file").arg(path).toStdString());
    }
    QStringDecoder decoder(QStringDecoder::Utf8);
    const QString text = decoder(bytes);
    if (decoder.hasError()) {
        throw InputFileError(QStringLiteral("%1: not UTF-8 text").arg(path).toStdString());
    }
    return text;
}

}  // namespace ps
