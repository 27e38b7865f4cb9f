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

AppPrompt buildAppPrompt(const PromptApp& app, const QVariantMap& inputs) {
    const CheckedInputs checked = checkInputs(app, inputs);
    if (!checked.ok()) {
        throw AppPromptError(checked.errors.join(QStringLiteral("\n")).toStdString());
    }
    QStringList required;
    for (const PromptInput& input : app.inputs) {
        if (input.required) required << input.name;
    }
    AppPrompt prompt;
    prompt.kind = app.kind == AppKind::Completion ? AppPrompt::Kind::Completion : AppPrompt::Kind::Chat;
    prompt.instructions = app.instructions.trimmed().toStdString();
    try {
        prompt.userText =
            templating::renderAppTemplate(app.templateText, checked.values, required).toStdString();
    } catch (const templating::TemplateError& error) {
        // Positions are within the template; the file's line is bodyFirstLine + line - 1.
        QString where;
        if (error.line() > 0) {
            const int line = app.source.bodyFirstLine > 0
                                 ? app.source.bodyFirstLine + static_cast<int>(error.line()) - 1
                                 : static_cast<int>(error.line());
            where = QStringLiteral("template line %1, column %2: ").arg(line).arg(error.column());
        }
        throw AppPromptError((where + QString::fromStdString(error.message())).toStdString());
    }
    return prompt;
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
