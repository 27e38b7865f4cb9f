#pragma once
// Reads a file the user named as input (an app, a Prompty file, a template, messages,
// an input value): a regular file only, opened without blocking, at most `maxBytes`
// (io/regular_file.h). Every reader in app/ goes through here, so a named pipe,
// /dev/zero or a directory is refused the same way everywhere.
#include <QByteArray>
#include <QString>

#include <optional>

#include "limits/resource_limits.h"

namespace ps {

// The bytes, or nullopt with `error` saying why ("<path>: not a regular file (a named
// pipe)").
std::optional<QByteArray> readInputFileBytes(const QString& path, QString* error,
                                             uint64_t maxBytes = limits::kMaxDocumentFileBytes);

}  // namespace ps
