#include "runner/app_prompt.h"

#include <QCryptographicHash>
#include <QFileInfo>

#include "document/promptapp_writer.h"
#include "runner/input_values.h"
#include "templating/app_template.h"
#include "templating/template.h"

namespace ps {

std::string AppPrompt::completionText() const {
    if (instructions.empty()) return userText;
    return instructions + "\n\n" + userText;
}

namespace {

// What the templates see: the checked values, plus an empty value for each optional
// input left empty ("" for text, false for yes/no, none for a number), so that
// `{% if place %}` works; an unknown name still is an error naming it.
QVariantMap templateValues(const PromptApp& app, const QVariantMap& checked) {
    QVariantMap values = checked;
    for (const PromptInput& input : app.inputs) {
        if (input.name.isEmpty() || values.contains(input.name)) continue;
        switch (input.type) {
            case InputType::Boolean: values.insert(input.name, false); break;
            case InputType::Number: values.insert(input.name, QVariant()); break;
            default: values.insert(input.name, QString()); break;
        }
    }
    return values;
}

// Renders one of the app's templates (`what` is "template" or "instructions"); errors
// name the file line where the position is known.
std::string renderPart(const QString& source, const QVariantMap& values, const QStringList& required,
                       const QString& what, int firstLine) {
    try {
        return templating::renderAppTemplate(source, values, required).toStdString();
    } catch (const templating::TemplateError& error) {
        QString where;
        if (error.line() > 0) {
            // Positions are within the text; its first line is firstLine in the file.
            const int line = firstLine > 0 ? firstLine + static_cast<int>(error.line()) - 1
                                           : static_cast<int>(error.line());
            where = QStringLiteral("%1 line %2, column %3: ").arg(what).arg(line).arg(error.column());
        }
        throw AppPromptError((where + QString::fromStdString(error.message())).toStdString());
    }
}

bool usesTemplateSyntax(const QString& text) {
    return text.contains(QStringLiteral("{{")) || text.contains(QStringLiteral("{%")) ||
           text.contains(QStringLiteral("{#"));
}

}  // namespace

AppPrompt buildAppPrompt(const PromptApp& app, const QVariantMap& inputs) {
    const CheckedInputs checked = checkInputs(app, inputs);
    if (!checked.ok()) {
        throw AppPromptError(checked.errors.join(QStringLiteral("\n")).toStdString());
    }
    QStringList required;
    for (const PromptInput& input : app.inputs) {
        if (input.required) required << input.name;
    }
    const QVariantMap values = templateValues(app, checked.values);
    AppPrompt prompt;
    prompt.kind = app.kind == AppKind::Completion ? AppPrompt::Kind::Completion : AppPrompt::Kind::Chat;
    // Instructions may use the inputs too ("You are helping {{ name }}"); plain text
    // is left exactly as written.
    const QString instructions = app.instructions.trimmed();
    if (usesTemplateSyntax(instructions)) {
        // A required input's absence is reported once, by the template below.
        const int firstLine = app.source.positions.value(QStringLiteral("instructions#content")).line;
        const std::string rendered =
            renderPart(app.instructions, values, {}, QStringLiteral("instructions"), firstLine);
        prompt.instructions = QString::fromStdString(rendered).trimmed().toStdString();
    } else {
        prompt.instructions = instructions.toStdString();
    }
    prompt.userText = renderPart(app.templateText, values, required, QStringLiteral("template"),
                                 app.source.bodyFirstLine);
    return prompt;
}

GenerationInput generationInputFor(const AppPrompt& prompt,
                                   const std::vector<templating::ChatMessage>& earlierTurns) {
    GenerationInput input;
    if (prompt.kind == AppPrompt::Kind::Completion) {
        input.kind = GenerationInput::Kind::Completion;
        input.prompt = prompt.completionText();
        return input;
    }
    input.kind = GenerationInput::Kind::Chat;
    // The instructions come first and never change between runs, so their
    // tokens (and the chat template's preamble) stay in the KV cache.
    if (!prompt.instructions.empty()) input.messages.push_back({"system", prompt.instructions});
    input.messages.insert(input.messages.end(), earlierTurns.begin(), earlierTurns.end());
    input.messages.push_back({"user", prompt.userText});
    return input;
}

QVariantMap appParameterValues(const PromptApp& app) { return app.parameters.toVariantMap(); }

QString appDisplayName(const PromptApp& app, const QString& path) {
    if (!app.name.trimmed().isEmpty()) return app.name.trimmed();
    if (!path.isEmpty()) return QFileInfo(path).completeBaseName();
    return QStringLiteral("untitled");
}

QString appVersionLabel(const PromptApp& app) {
    const QByteArray hash =
        QCryptographicHash::hash(serializePromptApp(app).toUtf8(), QCryptographicHash::Sha256);
    return QStringLiteral("format %1, sha256:%2")
        .arg(app.formatVersion)
        .arg(QString::fromLatin1(hash.toHex().left(12)));
}

}  // namespace ps
