#include "document/promptapp_validation.h"

#include <QRegularExpression>
#include <QSet>

#include "document/yaml_fields.h"

namespace ps {

namespace {

// The allowed ranges of `parameters` (docs/promptapp-format.md, "parameters").
constexpr double kMaxTemperature = 2.0;
constexpr double kMaxRepeatPenalty = 10.0;
constexpr int kMaxMaxTokens = 1 << 24;
constexpr int kMaxIconLength = 16;  // UTF-16 units: an emoji with modifiers and joiners

QString numberText(double value) { return QString::number(value, 'g', 15); }

class AppValidator {
public:
    explicit AppValidator(const PromptApp& app) : app_(app) {}

    QList<DocumentError> run() {
        checkIdentity();
        checkInputs();
        checkParameters();
        checkTemplate(app_.templateText, templateStart(), "the template");
        if (app_.instructions.contains("{{") || app_.instructions.contains("{%")) {
            checkTemplate(app_.instructions, app_.source.find("instructions#content"), "'instructions'");
        }
        checkExamples();
        sortByPosition(errors_);
        return errors_;
    }

private:
    void add(const QString& path, const QString& message) {
        const DocumentPosition at = app_.source.find(path);
        errors_.append({at.line, at.column, message});
    }

    void checkIdentity() {
        if (app_.name.trimmed().isEmpty()) {
            add("name", QStringLiteral("missing 'name': give the app a name, e.g. 'name: Email writer'"));
        }
        const QString icon = app_.icon.trimmed();
        static const QRegularExpression plainText("[A-Za-z0-9\\s]");
        if (!icon.isEmpty() && (icon.size() > kMaxIconLength || plainText.match(icon).hasMatch())) {
            add("icon", QStringLiteral("'icon' must be a single emoji, e.g. 'icon: 📧'"));
        }
        if (app_.kind == AppKind::Completion && !app_.instructions.trimmed().isEmpty()) {
            add("instructions", QStringLiteral("completion apps continue the template as raw text and "
                                               "do not use 'instructions'; remove them or use "
                                               "'kind: form'"));
        }
        if (app_.kind != AppKind::Chat && app_.templateText.trimmed().isEmpty()) {
            const DocumentPosition at = templateStart();
            errors_.append({at.line, at.column,
                            QStringLiteral("the template (the text after the second '---') is empty: "
                                           "write what to ask the model, e.g. 'Summarize: {{ text }}'")});
        }
    }

    void checkInputs() {
        QHash<QString, int> firstIndex;
        for (int i = 0; i < app_.inputs.size(); ++i) {
            const PromptInput& input = app_.inputs.at(i);
            const QString path = QStringLiteral("inputs[%1]").arg(i);
            if (input.name.isEmpty()) {
                add(path, QStringLiteral("input %1 has no 'name'").arg(i + 1));
            } else if (!isValidInputName(input.name)) {
                add(path + ".name", QStringLiteral("'%1' is not a valid input name: use letters, digits "
                                                   "and _, starting with a letter (e.g. %2)")
                                        .arg(input.name, suggestedName(input.name)));
            } else if (firstIndex.contains(input.name)) {
                const int first = firstIndex.value(input.name);
                add(path + ".name",
                    QStringLiteral("input name '%1' is used twice (first by input %2%3); names must "
                                   "be unique")
                        .arg(input.name)
                        .arg(first + 1)
                        .arg(lineNote(QStringLiteral("inputs[%1].name").arg(first))));
            } else {
                firstIndex.insert(input.name, i);
            }
            if (!app_.source.positions.contains(path + ".type#invalid")) checkInputType(input, path);
        }
    }

    void checkInputType(const PromptInput& input, const QString& path) {
        const QString shown = input.name.isEmpty() ? QStringLiteral("this input") : QStringLiteral("'%1'").arg(input.name);
        if (input.type == InputType::Choice) {
            if (input.options.isEmpty()) {
                add(path + ".type", QStringLiteral("choice input %1 needs 'options', e.g. "
                                                   "'options: [short, long]'").arg(shown));
            }
            QSet<QString> seen;
            for (int j = 0; j < input.options.size(); ++j) {
                const QString& option = input.options.at(j);
                const QString optionPath = QStringLiteral("%1.options[%2]").arg(path).arg(j);
                if (option.trimmed().isEmpty()) add(optionPath, QStringLiteral("an option cannot be empty"));
                if (seen.contains(option)) add(optionPath, QStringLiteral("option '%1' is listed twice").arg(option));
                seen.insert(option);
            }
            if (input.defaultValue.isValid() && !input.options.isEmpty() &&
                !input.options.contains(input.defaultValue.toString())) {
                add(path + ".default", QStringLiteral("default '%1' is not one of the options (%2)")
                                           .arg(input.defaultValue.toString(), input.options.join(", ")));
            }
        } else if (!input.options.isEmpty()) {
            add(path + ".options", QStringLiteral("'options' only apply to choice inputs (%1 is %2); "
                                                  "add 'type: choice' or remove them")
                                       .arg(shown, inputTypeName(input.type)));
        }
        if (input.type == InputType::Number) {
            if (input.min && input.max && *input.min > *input.max) {
                add(path + ".min", QStringLiteral("'min' (%1) is greater than 'max' (%2)")
                                       .arg(numberText(*input.min), numberText(*input.max)));
            }
            if (input.defaultValue.isValid()) {
                bool ok = false;
                const double value = input.defaultValue.typeId() == QMetaType::Bool
                                         ? 0.0
                                         : input.defaultValue.toDouble(&ok);
                if (!ok) {
                    add(path + ".default", QStringLiteral("the default of number input %1 must be a "
                                                          "number").arg(shown));
                } else if ((input.min && value < *input.min) || (input.max && value > *input.max)) {
                    add(path + ".default", QStringLiteral("default %1 is outside the allowed range "
                                                          "(%2 to %3)")
                                               .arg(numberText(value),
                                                    input.min ? numberText(*input.min) : "any",
                                                    input.max ? numberText(*input.max) : "any"));
                }
            }
        } else if (input.min || input.max) {
            add(path + (input.min ? ".min" : ".max"),
                QStringLiteral("'min' and 'max' only apply to number inputs (%1 is %2)")
                    .arg(shown, inputTypeName(input.type)));
        }
        if (input.type == InputType::Boolean && input.defaultValue.isValid() &&
            input.defaultValue.typeId() != QMetaType::Bool) {
            add(path + ".default", QStringLiteral("the default of yes/no input %1 must be true or false")
                                       .arg(shown));
        }
    }

    void checkRange(const std::optional<double>& value, const char* key, double min, double max,
                    const QString& meaning) {
        if (!value || (*value >= min && *value <= max)) return;
        add(QStringLiteral("parameters.%1").arg(key),
            QStringLiteral("'%1' must be between %2 and %3%4 (it is %5)")
                .arg(key, numberText(min), numberText(max), meaning, numberText(*value)));
    }

    void checkParameters() {
        const AppParameters& p = app_.parameters;
        checkRange(p.temperature, "temperature", 0, kMaxTemperature, "; 0 = always the likeliest word");
        checkRange(p.topP, "top_p", 0, 1, QString());
        checkRange(p.minP, "min_p", 0, 1, QString());
        if (p.topK && *p.topK < 0) {
            add("parameters.top_k", QStringLiteral("'top_k' must be 0 (off) or more (it is %1)").arg(*p.topK));
        }
        if (p.repeatPenalty && (*p.repeatPenalty <= 0 || *p.repeatPenalty > kMaxRepeatPenalty)) {
            add("parameters.repeat_penalty",
                QStringLiteral("'repeat_penalty' must be above 0 and at most %1; 1 = off (it is %2)")
                    .arg(numberText(kMaxRepeatPenalty), numberText(*p.repeatPenalty)));
        }
        if (p.maxTokens && (*p.maxTokens < 0 || *p.maxTokens > kMaxMaxTokens)) {
            add("parameters.max_tokens",
                QStringLiteral("'max_tokens' must be between 0 (no limit) and %1 (it is %2)")
                    .arg(kMaxMaxTokens)
                    .arg(*p.maxTokens));
        }
        if (p.seed && *p.seed < 0) {
            add("parameters.seed", QStringLiteral("'seed' must be 0 or more (it is %1)").arg(*p.seed));
        }
        if (p.stop) {
            for (const QString& sequence : *p.stop) {
                if (sequence.isEmpty()) add("parameters.stop", QStringLiteral("a 'stop' text cannot be empty"));
            }
        }
    }

    DocumentPosition templateStart() const {
        const auto found = app_.source.positions.constFind("template#content");
        if (found != app_.source.positions.constEnd()) return *found;
        return {app_.source.bodyFirstLine, app_.source.bodyFirstLine > 0 ? 1 : 0};
    }

    // Template positions (1-based within `text`) as file positions, given where the
    // text's first line starts in the file.
    static DocumentPosition inFile(DocumentPosition start, DocumentPosition inText) {
        if (start.line <= 0 || inText.line <= 0) return {};
        return {start.line + inText.line - 1, start.column - 1 + inText.column};
    }

    void checkTemplate(const QString& text, DocumentPosition start, const QString& where) {
        const TemplateVariables variables = templateVariables(text);
        if (!variables.error.isEmpty()) {
            const DocumentPosition at = inFile(start, variables.errorPosition);
            errors_.append({at.line, at.column, QStringLiteral("%1: %2").arg(where, variables.error)});
            return;
        }
        QStringList inputNames;
        QSet<QString> known;  // a set: an app may have many inputs
        for (const PromptInput& input : app_.inputs) {
            // nameless ones have their own error
            if (!input.name.isEmpty() && !known.contains(input.name)) {
                known.insert(input.name);
                inputNames << input.name;
            }
        }
        // The message lists a few names, not thousands.
        constexpr int kNamesShown = 12;
        QString shownNames = inputNames.mid(0, kNamesShown).join(", ");
        if (inputNames.size() > kNamesShown) shownNames += QStringLiteral(", ...");
        for (int i = 0; i < variables.names.size(); ++i) {
            const QString& name = variables.names.at(i);
            if (known.contains(name)) continue;
            const DocumentPosition at = inFile(start, variables.firstUse.value(i));
            errors_.append({at.line, at.column,
                            QStringLiteral("%1 uses '{{ %2 }}' but there is no input named '%2'%3")
                                .arg(where, name,
                                     inputNames.isEmpty()
                                         ? QStringLiteral("; add it under 'inputs'")
                                         : QStringLiteral(" (inputs: %1)").arg(shownNames))});
        }
    }

    void checkExamples() {
        for (int i = 0; i < app_.examples.size(); ++i) {
            const AppExample& example = app_.examples.at(i);
            const QString path = QStringLiteral("examples[%1]").arg(i);
            for (auto it = example.inputs.begin(); it != example.inputs.end(); ++it) {
                const QString valuePath = path + ".inputs." + it.key();
                const PromptInput* input = app_.findInput(it.key());
                if (!input) {
                    add(valuePath, QStringLiteral("example %1 sets '%2', which is not an input")
                                       .arg(i + 1)
                                       .arg(it.key()));
                } else if (input->type == InputType::Choice && !input->options.isEmpty() &&
                           !input->options.contains(it.value().toString())) {
                    add(valuePath, QStringLiteral("example %1: '%2' is not one of the options of '%3' (%4)")
                                       .arg(i + 1)
                                       .arg(it.value().toString(), it.key(), input->options.join(", ")));
                } else if (input->type == InputType::Number) {
                    bool ok = false;
                    it.value().toDouble(&ok);
                    if (!ok || it.value().typeId() == QMetaType::Bool) {
                        add(valuePath, QStringLiteral("example %1: '%2' must be a number").arg(i + 1).arg(it.key()));
                    }
                } else if (input->type == InputType::Boolean && it.value().typeId() != QMetaType::Bool) {
                    add(valuePath, QStringLiteral("example %1: '%2' must be true or false").arg(i + 1).arg(it.key()));
                }
            }
            for (const PromptInput& input : app_.inputs) {
                if (input.required && !input.defaultValue.isValid() &&
                    example.inputs.value(input.name).toString().trimmed().isEmpty()) {
                    add(path + ".inputs", QStringLiteral("example %1 has no value for the required input '%2'")
                                              .arg(i + 1)
                                              .arg(input.name));
                }
            }
            checkExpectations(example.expect, path + ".expect", i);
        }
    }

    void checkExpectations(const AppExpectations& expect, const QString& path, int index) {
        if (!expect.matches.isEmpty()) {
            const QRegularExpression pattern(expect.matches);
            if (!pattern.isValid()) {
                add(path + ".matches", QStringLiteral("example %1: 'matches' is not a valid regular "
                                                      "expression (%2)")
                                           .arg(index + 1)
                                           .arg(pattern.errorString()));
            }
        }
        if (expect.minWords && *expect.minWords < 0) {
            add(path + ".min_words", QStringLiteral("'min_words' must be 0 or more"));
        }
        if (expect.maxWords && *expect.maxWords < 1) {
            add(path + ".max_words", QStringLiteral("'max_words' must be 1 or more"));
        }
        if (expect.minWords && expect.maxWords && *expect.minWords > *expect.maxWords) {
            add(path + ".min_words", QStringLiteral("'min_words' (%1) is greater than 'max_words' (%2)")
                                         .arg(*expect.minWords)
                                         .arg(*expect.maxWords));
        }
        for (const QString& needle : expect.contains + expect.notContains) {
            if (needle.isEmpty()) add(path, QStringLiteral("'contains' and 'not_contains' cannot hold an empty text"));
        }
    }

    QString lineNote(const QString& path) const {
        const DocumentPosition at = app_.source.find(path);
        return at.line > 0 ? QStringLiteral(", line %1").arg(at.line) : QString();
    }

    static QString suggestedName(const QString& name) {
        QString out;
        for (const QChar c : name.trimmed().toLower()) {
            if (c.isLetterOrNumber() && c.unicode() < 128) {
                out += c;
            } else if (!out.endsWith('_')) {
                out += '_';
            }
        }
        while (out.endsWith('_')) out.chop(1);
        while (out.startsWith('_')) out.remove(0, 1);
        if (out.isEmpty() || out.front().isDigit()) out.prepend("input_");
        return out;
    }

    const PromptApp& app_;
    QList<DocumentError> errors_;
};

}  // namespace

bool isValidInputName(const QString& name) {
    static const QRegularExpression identifier("^[A-Za-z_][A-Za-z0-9_]*$");
    // Words the template language gives a meaning; an input cannot be named so.
    static const QSet<QString> reserved{"and",  "or",    "not",   "in",    "is",    "if",
                                        "else", "elif",  "for",   "endfor", "endif", "set",
                                        "true", "false", "none",  "True",  "False", "None",
                                        "loop", "range", "namespace", "macro", "call", "filter",
                                        "raw", "endraw", "block", "with"};
    return identifier.match(name).hasMatch() && !reserved.contains(name);
}

QList<DocumentError> validatePromptApp(const PromptApp& app) { return AppValidator(app).run(); }

}  // namespace ps
