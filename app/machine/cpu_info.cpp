#include "machine/cpu_info.h"

#include <QDir>
#include <QFile>
#include <QStringList>

namespace ps {

namespace {

// /proc files report a size of 0, so they are read to the end (bounded) rather than
// through the input-file reader, which trusts the size.
QStringList linesOf(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(file.read(4 * 1024 * 1024)).split(QLatin1Char('\n'));
}

// "MemTotal:       65799080 kB" -> bytes.
uint64_t kilobytesField(const QString& line) {
    const QStringList parts = line.section(QLatin1Char(':'), 1).simplified().split(QLatin1Char(' '));
    return parts.isEmpty() ? 0 : parts.first().toULongLong() * 1024;
}

}  // namespace

CpuInfo readCpuInfo(const QString& procFolder) {
    const QDir proc(procFolder);
    CpuInfo info;
    for (const QString& line : linesOf(proc.filePath(QStringLiteral("cpuinfo")))) {
        const QString key = line.section(QLatin1Char(':'), 0, 0).trimmed();
        if (key == QLatin1String("processor")) ++info.logicalCores;
        else if (key == QLatin1String("model name") && info.name.isEmpty())
            info.name = line.section(QLatin1Char(':'), 1).simplified();
    }
    for (const QString& line : linesOf(proc.filePath(QStringLiteral("meminfo")))) {
        if (line.startsWith(QLatin1String("MemTotal:"))) info.memoryTotal = kilobytesField(line);
        else if (line.startsWith(QLatin1String("MemAvailable:"))) info.memoryAvailable = kilobytesField(line);
    }
    return info;
}

}  // namespace ps
