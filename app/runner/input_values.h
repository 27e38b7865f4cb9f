#pragma once
// The values a user gives an app's inputs, checked against the input types
// before anything runs, and turned into what the template sees:
//   text, paragraph, choice -> text (a choice must be one of its options)
//   number  -> a number within min/max (a whole number stays an integer)
//   boolean -> true/false (also "yes"/"no", "1"/"0", "on"/"off" from the command line)
//   file    -> the text of the file whose path is given (UTF-8, at most
//              kMaxInputFileBytes; a binary file is refused)
// A missing or blank value takes the input's default; a required input with
// neither is an error. Every error names the input.
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <stdexcept>

#include "document/prompt_app.h"

namespace ps {

inline constexpr qint64 kMaxInputFileBytes = 1024 * 1024;

struct CheckedInputs {
    QVariantMap values;  // every input of the app that has a value, typed
    QStringList errors;  // "input 'topic': a value is required", ...
    bool ok() const { return errors.isEmpty(); }
};

CheckedInputs checkInputs(const PromptApp& app, const QVariantMap& given);

class InputFileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// The text of a file chosen for a file input. Throws InputFileError naming the file.
QString readInputFile(const QString& path, qint64 maxBytes = kMaxInputFileBytes);

}  // namespace ps
