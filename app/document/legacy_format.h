#pragma once
// Format 0: the shape prompt apps had before `promptapp: 1` (docs/promptapp-format.md,
// "Format 0 and migration"). It is read and migrated to the current format in memory;
// saving writes format 1.
//
//   promptapp: 0            (optional; a file with `prompt:` or `variables:` and no
//   title: Blog outline      `promptapp:` key is format 0 too)
//   system: You are ...     -> instructions
//   prompt: Write about {topic} for {audience}.   -> the template, `{x}` -> `{{ x }}`
//   variables:              -> inputs
//     - topic               (a bare name: a required text input)
//     - name: audience      (description -> label, default, choices -> a choice input)
//       default: beginners
//   temperature: 0.7        (top-level temperature, top_p, max_tokens, stop, seed)
//
// The front matter `---` lines are optional in format 0: a plain YAML file works too.
#include <QString>
#include <QStringList>

#include <yaml-cpp/yaml.h>

#include "document/prompt_app.h"
#include "document/yaml_fields.h"

namespace ps {

// A front matter without `promptapp:` that has the legacy keys `prompt` or `variables`.
bool isLegacyPromptApp(const YAML::Node& root);
// A whole file that is YAML (no `---` lines) in the legacy shape.
bool looksLikeBareLegacyYaml(const QString& text);
// Fills `app` from the legacy front matter (app.templateText holds the body, if any).
void migrateLegacyPromptApp(const YAML::Node& root, YamlFieldReader& fields, PromptApp& app,
                            QStringList* notices);
// `{name}` -> `{{ name }}`, `{{` / `}}` (literal braces in format 0) -> literal braces.
QString migrateLegacyTemplate(const QString& text);

}  // namespace ps
