// promptstudio-cli validate / new / import: checking, starting and importing
// .promptapp documents.
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTextStream>

#include "cli/app_command_support.h"
#include "cli/app_commands.h"
#include "deck/deck_file.h"
#include "document/promptapp_reader.h"
#include "document/promptapp_writer.h"
#include "document/prompty.h"
#include "limits/terminal_text.h"

namespace ps::cli {

namespace {

int validateApps(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addPositionalArgument("APP", "The .promptapp (or .promptdeck) files to check.", "APP...");
    if (auto exit = parseCommandLine(parser, arguments, "validate APP...",
                                     "Checks .promptapp files (and .promptdeck decks) and prints every problem as "
                                     "file:line:column: message. Exit status 1 when any has a problem.")) {
        return *exit;
    }
    const QStringList paths = parser.positionalArguments();
    if (paths.isEmpty()) {
        printCommandError("validate", "give at least one .promptapp file");
        return kExitUsage;
    }
    bool allOk = true;
    QTextStream out(stdout);
    for (const QString& path : paths) {
        // A demo deck is checked as a deck (its format; its apps are checked when it is shown).
        if (path.endsWith(QLatin1String(kDeckSuffix))) {
            const DeckLoadResult deck = loadDeck(path);
            if (deck.ok()) {
                out << path << ": ok\n";
                continue;
            }
            allOk = false;
            printDocumentErrors(path, deck.errors);
            continue;
        }
        const PromptAppLoadResult loaded = loadPromptApp(path);
        for (const QString& notice : loaded.notices) QTextStream(stderr) << path << ": note: " << escapeForTerminal(notice) << "\n";
        if (loaded.ok()) {
            out << path << ": ok\n";
            continue;
        }
        allOk = false;
        printDocumentErrors(path, loaded.errors);
        if (loaded.errors.isEmpty()) QTextStream(stderr) << path << ": cannot be read\n";
    }
    return allOk ? kExitOk : kExitFailure;
}

// "Meeting notes!" -> "meeting-notes"
QString fileNameFor(const QString& name) {
    QString slug = name.toLower();
    slug.replace(QRegularExpression(QStringLiteral("[^a-z0-9]+")), QStringLiteral("-"));
    slug.remove(QRegularExpression(QStringLiteral("^-+|-+$")));
    return (slug.isEmpty() ? QStringLiteral("app") : slug) + QLatin1String(kPromptAppSuffix);
}

PromptApp starterApp(const QString& name) {
    PromptApp app;
    app.leadingComment = QStringLiteral(
        "# A prompt app: the settings below, then the template after the second '---'.\n"
        "# inputs: the fields of the form; each becomes a {{ name }} in the template.\n"
        "#   type: text, paragraph, number, choice, boolean or file.\n"
        "# instructions: what the model should do and how (the system prompt).\n"
        "# parameters: temperature (0 = always the same answer), max_tokens, ...\n"
        "# examples: sample inputs and what a good answer contains; 'promptstudio-cli test FILE'\n"
        "#   runs them after you change the app or the model.\n"
        "# Every key is described in docs/promptapp-format.md; the template language in\n"
        "# docs/templates.md. Check it with: promptstudio-cli validate FILE\n"
        "# Run it with: promptstudio-cli run FILE --model MODEL.gguf --input topic=...");
    app.name = name;
    app.description = QStringLiteral("What this app does, in one sentence.");
    app.icon = QStringLiteral("✨");
    app.kind = AppKind::Form;
    PromptInput topic;
    topic.name = QStringLiteral("topic");
    topic.label = QStringLiteral("Topic");
    topic.type = InputType::Text;
    topic.required = true;
    topic.placeholder = QStringLiteral("e.g. a lighthouse keeper");
    PromptInput tone;
    tone.name = QStringLiteral("tone");
    tone.label = QStringLiteral("Tone");
    tone.help = QStringLiteral("How the answer should sound.");
    tone.type = InputType::Choice;
    tone.options = {QStringLiteral("friendly"), QStringLiteral("formal")};
    tone.defaultValue = QStringLiteral("friendly");
    app.inputs = {topic, tone};
    app.instructions = QStringLiteral("You are a helpful writer. Answer in a few short paragraphs.");
    app.parameters.temperature = 0.7;
    app.parameters.maxTokens = 400;
    AppExample example;
    example.name = QStringLiteral("lighthouse");
    example.inputs = {{QStringLiteral("topic"), QStringLiteral("a lighthouse keeper")}};
    example.expect.contains = {QStringLiteral("lighthouse")};
    example.expect.maxWords = 400;
    app.examples = {example};
    app.templateText = QStringLiteral("Write about {{ topic }} in a {{ tone }} tone.\n");
    return app;
}

// Writes `app` to `path` unless it exists and --force was not given.
int writeApp(const QString& command, const PromptApp& app, const QString& path, bool force) {
    if (path == QLatin1String("-")) {
        writeStdout(serializePromptApp(app));
        return kExitOk;
    }
    if (const QString problem = outputPathProblem(path, force); !problem.isEmpty()) {
        printCommandError(command, problem);
        return kExitFailure;
    }
    QString error;
    if (!savePromptApp(app, path, &error, SaveOptions{.keepBackup = false})) {
        printCommandError(command, error);
        return kExitFailure;
    }
    QTextStream(stdout) << "wrote " << path << "\n";
    return kExitOk;
}

int newApp(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addPositionalArgument("NAME", "The app's name.");
    const QCommandLineOption outputOption("output", "Where to write it (default: NAME.promptapp; - for stdout).",
                                          "FILE");
    const QCommandLineOption forceOption("force", "Replace the file if it exists.");
    parser.addOptions({outputOption, forceOption});
    if (auto exit = parseCommandLine(parser, arguments, "new NAME [--output FILE]",
                                     "Writes a commented starter .promptapp file to edit.")) {
        return *exit;
    }
    if (parser.positionalArguments().size() != 1 || parser.positionalArguments().first().trimmed().isEmpty()) {
        printCommandError("new", "give the app's name (quote it if it has spaces)");
        return kExitUsage;
    }
    const QString name = parser.positionalArguments().first().trimmed();
    const QString path = parser.isSet(outputOption) ? parser.value(outputOption) : fileNameFor(name);
    return writeApp("new", starterApp(name), path, parser.isSet(forceOption));
}

int importApp(const QStringList& arguments) {
    QCommandLineParser parser;
    parser.addPositionalArgument("FILE", "The .prompty file to import.");
    const QCommandLineOption outputOption(
        "output", "Where to write the app (default: next to FILE, as .promptapp; - for stdout).", "FILE");
    const QCommandLineOption forceOption("force", "Replace the output file if it exists.");
    parser.addOptions({outputOption, forceOption});
    if (auto exit = parseCommandLine(parser, arguments, "import FILE.prompty [--output FILE]",
                                     "Turns a Microsoft Prompty file into a .promptapp.")) {
        return *exit;
    }
    if (parser.positionalArguments().size() != 1) {
        printCommandError("import", "give exactly one .prompty file");
        return kExitUsage;
    }
    const QString source = parser.positionalArguments().first();
    const PromptAppLoadResult imported = loadPrompty(source);
    if (!imported.loaded) {
        printDocumentErrors(source, imported.errors);
        if (imported.errors.isEmpty()) printCommandError("import", source + ": cannot be read");
        return kExitFailure;
    }
    for (const QString& notice : imported.notices) QTextStream(stderr) << source << ": note: " << escapeForTerminal(notice) << "\n";
    // Problems the editor can fix (e.g. a variable with no input) do not stop the import.
    for (const DocumentError& error : imported.errors) {
        QTextStream(stderr) << source << ": warning: " << escapeForTerminal(error.toString()) << "\n";
    }
    const QFileInfo info(source);
    const QString path = parser.isSet(outputOption)
                             ? parser.value(outputOption)
                             : info.dir().filePath(info.completeBaseName() + QLatin1String(kPromptAppSuffix));
    PromptApp app = imported.app;
    app.filePath.clear();
    return writeApp("import", app, path, parser.isSet(forceOption));
}

}  // namespace

CliCommand validateCommand() { return {"validate", "Check .promptapp files for problems", validateApps}; }
CliCommand newCommand() { return {"new", "Write a starter .promptapp file", newApp}; }
CliCommand importCommand() { return {"import", "Import a Microsoft Prompty file as a .promptapp", importApp}; }

}  // namespace ps::cli
