#pragma once
// Reading typed fields out of yaml-cpp nodes while collecting every error with its
// file position, and recording where each field was (SourceMap) for validation.
// Shared by the .promptapp reader (both formats) and the Prompty importer.
#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>

#include <optional>

#include <yaml-cpp/yaml.h>

#include "document/document_error.h"
#include "document/prompt_app.h"

namespace ps {

class YamlFieldReader {
public:
    // `firstLine`: the file line of the YAML text's first line; `yamlText`: that text
    // (used to find where block scalars' content starts).
    YamlFieldReader(int firstLine, const QString& yamlText, SourceMap* source);

    // Parses the YAML text; on a syntax error adds it (with position and a hint) and
    // returns nullopt.
    std::optional<YAML::Node> load();

    DocumentPosition positionOf(const YAML::Node& node) const;
    // The value's position, or the key's when the value is empty (yaml-cpp gives an
    // empty value the position of whatever follows).
    DocumentPosition positionOf(const YAML::Node& key, const YAML::Node& value) const;
    void record(const QString& path, DocumentPosition position);
    void addError(DocumentPosition position, const QString& message);
    const QList<DocumentError>& errors() const { return errors_; }

    // Typed reads of `value` (at `path`, named `key` in messages). Each adds an error
    // and returns nullopt when the value has the wrong shape.
    std::optional<QString> text(const YAML::Node& value, const QString& key, DocumentPosition at);
    std::optional<bool> boolean(const YAML::Node& value, const QString& key, DocumentPosition at);
    std::optional<double> number(const YAML::Node& value, const QString& key, DocumentPosition at);
    std::optional<qint64> integer(const YAML::Node& value, const QString& key, DocumentPosition at);
    // A list of texts; a single text is taken as a one-item list.
    std::optional<QStringList> textList(const YAML::Node& value, const QString& key,
                                        DocumentPosition at);
    // A scalar as a typed value: quoted -> string, plain -> bool/number/string, empty -> invalid.
    std::optional<QVariant> scalarValue(const YAML::Node& value, const QString& key,
                                        DocumentPosition at);
    // A key this version does not know, kept as YAML text.
    static UnknownKey unknownKey(const QString& key, const YAML::Node& value);

    // Where a block scalar's (`|` / `>`) content starts: the line after the indicator
    // and its indentation; for other scalars the value's own position.
    DocumentPosition contentStart(const YAML::Node& value) const;

private:
    int firstLine_;
    QStringList lines_;
    SourceMap* source_;
    QList<DocumentError> errors_;
};

// Stable-sorts errors by line and column; errors without a position go last.
void sortByPosition(QList<DocumentError>& errors);

}  // namespace ps
