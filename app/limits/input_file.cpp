#include "limits/input_file.h"

#include <QFile>

#include "io/regular_file.h"

namespace ps {

std::optional<QByteArray> readInputFileBytes(const QString& path, QString* error, uint64_t maxBytes) {
    try {
        const std::string bytes = io::readRegularFile(QFile::encodeName(path).toStdString(), maxBytes);
        return QByteArray(bytes.data(), static_cast<qsizetype>(bytes.size()));
    } catch (const io::InputFileError& e) {
        if (error) *error = QString::fromStdString(e.what());
        return std::nullopt;
    }
}

}  // namespace ps
