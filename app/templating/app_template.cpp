#include "templating/app_template.h"

#include "templating/qt_value.h"
#include "templating/text.h"

namespace ps::templating {

TemplateOptions appTemplateOptions(const AppTemplateOptions& options) {
    TemplateOptions templateOptions;
    templateOptions.trimBlocks = true;
    templateOptions.lstripBlocks = true;
    templateOptions.strictUndefined = true;
    templateOptions.maxOutputBytes = options.maxOutputBytes;
    templateOptions.maxLoopIterations = options.maxLoopIterations;
    templateOptions.name = options.name;
    return templateOptions;
}

std::string renderAppTemplate(const std::string& source, const Value& inputs,
                              const AppTemplateOptions& options) {
    const Template compiled = Template::parse(source, appTemplateOptions(options));
    if (!inputs.isMap() && !inputs.isNone()) {
        throw TemplateError("template inputs must be a map, not " + inputs.kindName(), 0, 0,
                            options.name);
    }
    const auto positions = compiled.variablePositions();
    for (const std::string& name : options.requiredInputs) {
        const Value* value = inputs.isMap() ? inputs.asMap().find(name) : nullptr;
        const bool missing = !value || value->isNone() || value->isUndefined() ||
                             (value->isString() && detail::stripText(value->asString(), true, true).empty());
        if (!missing) continue;
        const auto used = positions.find(name);
        const SourcePosition at = used == positions.end() ? SourcePosition{} : used->second;
        throw TemplateError("missing required input '" + name + "'", at.line, at.column,
                            options.name);
    }
    return compiled.render(inputs.isMap() ? inputs : Value(ValueMap{}));
}

std::string renderAppTemplate(const std::string& source,
                              const std::map<std::string, std::string>& inputs,
                              const AppTemplateOptions& options) {
    ValueMap map;
    for (const auto& [name, value] : inputs) map.set(name, Value(value));
    return renderAppTemplate(source, Value(std::move(map)), options);
}

QString renderAppTemplate(const QString& source, const QVariantMap& inputs,
                          const QStringList& requiredInputs) {
    AppTemplateOptions options;
    for (const QString& name : requiredInputs) options.requiredInputs.push_back(name.toStdString());
    return QString::fromStdString(renderAppTemplate(
        source.toStdString(), valueFromQVariant(QVariant(inputs)), options));
}

AppTemplateCheck checkAppTemplate(const std::string& source) {
    AppTemplateCheck check;
    try {
        const Template compiled = Template::parse(source, appTemplateOptions());
        check.firstUse = compiled.variablePositions();
        check.variables = compiled.variables();
    } catch (const TemplateError& error) {
        check.ok = false;
        check.error = error.message();
        check.errorPosition = SourcePosition{error.line(), error.column()};
    }
    return check;
}

}  // namespace ps::templating
