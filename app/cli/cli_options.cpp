// Option parsing shared by the runtime commands.
#include "cli/cli_options.h"

#include <QRegularExpression>
#include <QTextStream>
#include <cstdio>

#include "cli/cli_command.h"
#include "limits/terminal_text.h"

namespace ps::cli {

void printRuntimeError(const QString& command, const QString& message) {
    QTextStream err(stderr);
    err << "promptstudio-cli: " << command << ": " << escapeForTerminal(message) << "\n";
}

std::optional<int> parseRuntimeArguments(QCommandLineParser& parser, const QStringList& arguments,
                                         const QString& command, const QString& description,
                                         int positionalAllowed) {
    parser.setApplicationDescription(description);
    const QCommandLineOption help = parser.addHelpOption();
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    // QCommandLineParser expects the program name first: drop the command name.
    QStringList forParser = arguments;
    if (forParser.size() >= 2) forParser.removeAt(1);
    if (!parser.parse(forParser)) {
        printRuntimeError(command, parser.errorText());
        QTextStream(stderr) << "'promptstudio-cli " << command << " --help' lists the options.\n";
        return kExitUsage;
    }
    if (parser.isSet(help)) {
        QString text = parser.helpText();
        // The generated usage line names the program only; name the command too.
        text.replace(QRegularExpression("^Usage: \\S+"),
                     QStringLiteral("Usage: promptstudio-cli ") + command);
        QTextStream(stdout) << text;
        return kExitOk;
    }
    if (parser.positionalArguments().size() > positionalAllowed) {
        printRuntimeError(command, QStringLiteral("unexpected argument '%1'")
                                       .arg(parser.positionalArguments().at(positionalAllowed)));
        return kExitUsage;
    }
    return std::nullopt;
}

QString requiredValue(const QCommandLineParser& parser, const QCommandLineOption& option) {
    const QString value = parser.value(option);
    if (!parser.isSet(option) || value.isEmpty()) {
        throw UsageError(QStringLiteral("--%1 is required").arg(option.names().first()));
    }
    return value;
}

int intValue(const QCommandLineParser& parser, const QCommandLineOption& option, int fallback,
             int minimum, int maximum) {
    if (!parser.isSet(option)) return fallback;
    bool ok = false;
    const qlonglong value = parser.value(option).trimmed().toLongLong(&ok);
    if (!ok || value < minimum || value > maximum) {
        throw UsageError(QStringLiteral("--%1 must be a whole number from %2 to %3, not '%4'")
                             .arg(option.names().first())
                             .arg(minimum)
                             .arg(maximum)
                             .arg(parser.value(option)));
    }
    return static_cast<int>(value);
}

double doubleValue(const QCommandLineParser& parser, const QCommandLineOption& option,
                   double fallback, double minimum, double maximum) {
    if (!parser.isSet(option)) return fallback;
    bool ok = false;
    const double value = parser.value(option).trimmed().toDouble(&ok);
    if (!ok || !(value >= minimum && value <= maximum)) {
        throw UsageError(QStringLiteral("--%1 must be a number from %2 to %3, not '%4'")
                             .arg(option.names().first())
                             .arg(minimum)
                             .arg(maximum)
                             .arg(parser.value(option)));
    }
    return value;
}

void BackendCommandOptions::addTo(QCommandLineParser& parser) const {
    parser.addOption(threads);
    parser.addOption(context);
    parser.addOption(backend);
    parser.addOption(device);
}

BackendOptions BackendCommandOptions::read(const QCommandLineParser& parser) const {
    BackendOptions options;
    options.threads = intValue(parser, threads, 0, 0, 1024);
    options.contextLength = intValue(parser, context, 0, 0, 1 << 20);
    options.cudaDevice = intValue(parser, device, 0, 0, 63);
    const QString choice = parser.value(backend).trimmed().toLower();
    if (choice == "auto") {
        options.choice = BackendOptions::Choice::Automatic;
    } else if (choice == "cpu") {
        options.choice = BackendOptions::Choice::Cpu;
    } else if (choice == "cuda") {
        options.choice = BackendOptions::Choice::Cuda;
    } else if (choice == "cuda-emulated") {
        // The kernels on the emulated device (a build tree's test device; docs/cuda-backend.md).
        options.choice = BackendOptions::Choice::CudaEmulated;
    } else {
        throw UsageError(QStringLiteral("--backend must be auto, cpu or cuda, not '%1'")
                             .arg(parser.value(backend)));
    }
    return options;
}

const char* backendKindName(BackendKind kind) {
    return kind == BackendKind::Cuda ? "cuda" : "cpu";
}

QString formatBytes(uint64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    return unit == 0 ? QStringLiteral("%1 B").arg(bytes)
                     : QStringLiteral("%1 %2").arg(value, 0, 'f', 2).arg(units[unit]);
}

}  // namespace ps::cli

namespace ps::cli {

int runGuarded(const QString& command, const std::function<int()>& body) {
    try {
        return body();
    } catch (const UsageError& error) {
        printRuntimeError(command, QString::fromStdString(error.what()));
        QTextStream(stderr) << "'promptstudio-cli " << command << " --help' lists the options.\n";
        return kExitUsage;
    } catch (const std::exception& error) {
        printRuntimeError(command, QString::fromStdString(error.what()));
        return kExitFailure;
    }
}

}  // namespace ps::cli
