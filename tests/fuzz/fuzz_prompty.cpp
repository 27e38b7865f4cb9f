// libFuzzer: the Prompty importer (front matter, bounded YAML, model and sample
// sections, the template) and, for what imports, the Prompty exporter.
#include <cstddef>
#include <cstdint>

#include "document/prompty.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const ps::PromptAppLoadResult result = ps::parsePrompty(text);
    (void)result.errorText();
    return 0;
}
