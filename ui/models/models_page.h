#pragma once
// The Models page: the GGUF models found on this computer (scanned in the
// background), a file picker for others, what each one is, and whether it fits
// on the GPU. Choosing one emits modelChosen; loading happens elsewhere.
#include <QWidget>

class QFrame;
class QLabel;
class QPushButton;
class QThread;
class QTableView;
class QSortFilterProxyModel;

namespace ps {
class ModelScanner;
struct ModelSummary;
}

namespace ps::ui {

class ModelListModel;
class Preferences;

class ModelsPage : public QWidget {
    Q_OBJECT
public:
    explicit ModelsPage(Preferences& preferences, QWidget* parent = nullptr);
    ~ModelsPage() override;

    ModelListModel* models() const { return models_; }
    // Starts a background scan of the usual places and the user's folders.
    void rescan();
    // Adds a file the user picked (or the last-used model) to the list.
    bool addModelFile(const QString& path, QString* error = nullptr);
    // Shows which model is loaded (or loading) now.
    void setActiveModel(const QString& path, const QString& status);
    void setGpu(const QString& name, quint64 freeBytes, int contextLength);
    // Asks the CUDA backend, on a background thread, which GPU there is and how much
    // memory it has free, for the "Fits on GPU" column; gpuDetected() follows.
    void detectGpu();
    QString gpuStatus() const { return gpuStatus_; }

    // The "Get a Model…" button (named "getModelButton"); it is shown while
    // something is connected to getModelRequested.
    QPushButton* getModelButton() const { return getModelButton_; }

signals:
    void modelChosen(const QString& path);
    // The "Get a Model…" button: the main window opens its download dialog.
    void getModelRequested();
    void scanFinished(int modelsFound);
    void gpuDetected(const QString& status);

protected:
    // The first time the page is shown it looks for models and the GPU: nothing
    // is scanned for people who never open it.
    void showEvent(QShowEvent* event) override;

private:
    void openModelFile();
    // Lists the built-in demo model (first, labelled "Built in").
    void addDemoModel();
    void updateDetails();
    void updateEmptyState();
    const ModelSummary* selectedModel() const;

    Preferences& preferences_;
    ModelScanner* scanner_ = nullptr;
    ModelListModel* models_ = nullptr;
    QSortFilterProxyModel* sorted_ = nullptr;
    QTableView* table_ = nullptr;
    QLabel* scanStatus_ = nullptr;
    QLabel* details_ = nullptr;
    QFrame* emptyState_ = nullptr;
    QLabel* emptyText_ = nullptr;
    QPushButton* getModelButton_ = nullptr;
    QLabel* activeModel_ = nullptr;
    QPushButton* useButton_ = nullptr;
    QPushButton* rescanButton_ = nullptr;
    QString gpuName_;
    QString gpuStatus_;  // "NVIDIA RTX 4090, 22.1 GiB free" or why there is no GPU
    QString activePath_;
    QThread* gpuThread_ = nullptr;
    bool shownBefore_ = false;
};

}  // namespace ps::ui
