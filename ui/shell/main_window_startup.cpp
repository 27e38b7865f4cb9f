// Which model a start of the program loads (MainWindow::loadStartupModel).
#include <QDir>
#include <QFileInfo>
#include <QStatusBar>

#include "editor/app_editor.h"
#include "models/demo_model.h"
#include "models/model_list_model.h"
#include "models/models_page.h"
#include "run/run_view.h"
#include "settings/preferences.h"
#include "shell/main_window.h"

namespace ps::ui {

void MainWindow::loadStartupModel(const QString& requested, bool openDemoApp) {
    QString configured = requested;
    if (configured.isEmpty()) configured = preferences_.lastModel();
    if (configured.isEmpty()) configured = qEnvironmentVariable("PROMPTSTUDIO_MODEL");  // as promptstudio-cli
    if (!configured.isEmpty()) {
        if (QFileInfo(configured).isFile()) {
            loadModel(QFileInfo(configured).absoluteFilePath());
            return;
        }
        statusBar()->showMessage(
            tr("The model %1 is no longer there. Choose one on the Models page.").arg(configured), 15000);
    }
    // Nothing chosen: a model already on this computer (Ollama, LM Studio, the
    // Downloads folder...) wins over the demo model. The scan is quick where
    // there is little to search, and the Models page shows its results anyway.
    runView_->setModelStatus(tr("Looking for a language model on this computer…"));
    connect(modelsPage_, &ModelsPage::scanFinished, this,
            [this, openDemoApp] { startOnFoundOrDemoModel(openDemoApp); }, Qt::SingleShotConnection);
    modelsPage_->rescan();
}

void MainWindow::startOnFoundOrDemoModel(bool openDemoApp) {
    runView_->setModelStatus(QString());
    // The newest runnable model found: most likely the one just downloaded.
    const ModelListModel* found = modelsPage_->models();
    const ModelSummary* newest = nullptr;
    for (int row = 0; row < found->rowCount(); ++row) {
        const ModelSummary* model = found->modelAt(row);
        if (!model->runnable || found->isDemo(*model)) continue;
        if (!newest || model->modified > newest->modified) newest = model;
    }
    if (newest) {
        loadModel(newest->path);
        statusBar()->showMessage(tr("Using %1, found in %2.")
                                     .arg(QFileInfo(newest->path).fileName(), newest->sourceLabel), 10000);
        return;
    }
    const QString demo = demoModelPath();
    if (demo.isEmpty()) return;  // the Run page says how to get a model
    loadModel(demo, /*remember=*/false);
    // The demo model's one good use, open and ready: Run answers at once.
    const QString story = QDir(options_.samplesFolder).filePath(QStringLiteral("bedtime-story.promptapp"));
    if (openDemoApp && QFileInfo(story).isFile() && !editor_->isModified()) openFile(story);
}

}  // namespace ps::ui
