// libFuzzer: the .promptapp reader (front matter, bounded YAML, fields, validation
// including parsing the template) and, for what loads, the writer.
#include <cstddef>
#include <cstdint>

#include "document/promptapp.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const ps::PromptAppLoadResult result = ps::parsePromptApp(text);
    (void)result.errorText();
    if (result.loaded) (void)ps::serializePromptApp(result.app);
    return 0;
}
