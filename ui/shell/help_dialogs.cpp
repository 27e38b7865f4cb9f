#include "shell/help_dialogs.h"

#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QSettings>
#include <QTextBrowser>
#include <QVBoxLayout>

#include "editor/recovery_store.h"
#include "models/demo_model.h"
#include "settings/preferences.h"

namespace ps::ui {

namespace {
QString pathRow(const QString& what, const QString& path) {
    return QStringLiteral("<tr><td style='padding-right:16px'><b>%1</b></td><td><code>%2</code></td></tr>")
        .arg(what.toHtmlEscaped(), QDir::toNativeSeparators(path).toHtmlEscaped());
}
}  // namespace

QString gettingStartedHtml() {
    return QObject::tr(
        "<h2>Getting started</h2>"
        "<h3>1. Get a model</h3>"
        "<p>Apps run on a <i>language model</i>: one <code>.gguf</code> file on this computer. "
        "Prompt Studio starts on a tiny built-in demo model that only writes short children's "
        "stories. For your own apps, open the <b>Models</b> page (Ctrl+2): models you already have "
        "for Ollama, LM Studio or GPT4All, or in your Downloads folder, are listed there; "
        "<b>Get a Model…</b> downloads a recommended one, and <b>Open a Model File…</b> takes any "
        "<code>.gguf</code> file. A small chat model (1 to 4 billion parameters, Q4_K_M) runs well "
        "on most laptops.</p>"
        "<h3>2. Run an app</h3>"
        "<p>Pick an app in the Library on the left: the samples show what apps can do. Fill in its "
        "form and press <b>Run</b> (Ctrl+Enter). The answer streams in as the model writes it; "
        "<b>Stop</b> (Esc) ends it early, <b>Regenerate</b> asks for another one.</p>"
        "<h3>3. Make your own app</h3>"
        "<p><b>New App…</b> (Ctrl+N) starts one, and the <b>Edit</b> page shapes it: a name, the "
        "<b>Form</b> people fill in (each input has a name), the <b>Prompt</b> with "
        "<code>{{ name }}</code> where an input's value goes, and a few <b>Settings</b>. "
        "<b>Try it</b> on the right runs it as you type. Editing a sample saves your own copy.</p>"
        "<h3>4. Share it</h3>"
        "<p>An app is one small <code>.promptapp</code> file. <b>Export…</b> (Ctrl+E) saves a copy "
        "to send to anyone; they open it with <b>Import…</b> (Ctrl+O) or by dropping it on the "
        "window. The <b>History</b> page keeps every run of an app, to read again or run again.</p>");
}

QString shortcutsHtml(const QList<QAction*>& actions) {
    QString rows;
    for (const QAction* action : actions) {
        if (!action || action->shortcut().isEmpty()) continue;
        QString name = action->text();
        name.remove(QLatin1Char('&'));
        name.remove(QStringLiteral("…"));
        QStringList keys;
        for (const QKeySequence& key : action->shortcuts()) keys << key.toString(QKeySequence::NativeText);
        rows += QStringLiteral("<tr><td style='padding-right:24px'>%1</td><td><b>%2</b></td></tr>")
                    .arg(name.toHtmlEscaped(), keys.join(QStringLiteral(", ")).toHtmlEscaped());
    }
    return QObject::tr("<h2>Keyboard shortcuts</h2><table>%1</table>"
                       "<p>In the Library, type to search, Down goes to the list and Enter opens an app. "
                       "In a form, Tab moves from field to field and on to Run.</p>")
        .arg(rows);
}

QString fileLocationsHtml(const Preferences& preferences, const QString& samplesFolder,
                          const QString& historyPath) {
    QString rows;
    rows += pathRow(QObject::tr("Your apps"), preferences.appsFolder());
    rows += pathRow(QObject::tr("Sample apps (read-only)"), samplesFolder);
    rows += pathRow(QObject::tr("Run history"), historyPath);
    rows += pathRow(QObject::tr("Settings"), QSettings().fileName());
    rows += pathRow(QObject::tr("Unsaved changes after a crash"), RecoveryStore::folder());
    if (!preferences.lastModel().isEmpty()) rows += pathRow(QObject::tr("Model in use"), preferences.lastModel());
    for (const QString& folder : preferences.modelFolders())
        rows += pathRow(QObject::tr("Model folder you added"), folder);
    if (!demoModelPath().isEmpty()) rows += pathRow(QObject::tr("Built-in demo model"), demoModelPath());
    return QObject::tr("<h2>Where files live</h2><table>%1</table>"
                       "<p>Models are never copied: Prompt Studio reads them where they are (Ollama, "
                       "LM Studio, GPT4All, the Hugging Face cache, Downloads, and folders added in "
                       "Settings).</p>")
        .arg(rows);
}

void showHelpPage(QWidget* parent, const QString& title, const QString& html) {
    auto* dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(title);
    auto* text = new QTextBrowser(dialog);
    text->setObjectName(QStringLiteral("helpText"));
    text->setOpenExternalLinks(true);
    text->setHtml(html);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    auto* layout = new QVBoxLayout(dialog);
    layout->addWidget(text, 1);
    layout->addWidget(buttons);
    const int em = dialog->fontMetrics().averageCharWidth();
    dialog->resize(em * 90, dialog->fontMetrics().height() * 32);
    dialog->show();
}

}  // namespace ps::ui
