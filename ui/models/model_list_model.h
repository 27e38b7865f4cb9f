#pragma once
// The models found on this computer, as a table for the Models page.
#include <QAbstractTableModel>
#include <QList>

#include "models/model_summary.h"

namespace ps::ui {

class ModelListModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Name, Runs, Parameters, Type, Size, Context, Fits, Source, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1, RunnableRole };

    explicit ModelListModel(QObject* parent = nullptr);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

    // Adds a model, or refreshes it when the same file is already listed.
    void addModel(const ModelSummary& model);
    void clear();
    const ModelSummary* modelAt(int row) const;
    int rowOfPath(const QString& path) const;

    // GPU memory the "Fits on GPU" column compares against; 0 = no GPU.
    void setGpu(const QString& name, quint64 freeBytes, int contextLength);
    QString fitDescription(const ModelSummary& model) const;
    // True for the built-in demo model (stories260K shipped with the program).
    bool isDemo(const ModelSummary& model) const;
    // The model in use: its row is bold and says so.
    void setActivePath(const QString& path);
    // "4-bit (Q4_K)", "16-bit (F16)": the stored precision in words first.
    static QString precisionText(const QString& tensorType);

private:
    QString demoPath_;
    QString activePath_;
    QList<ModelSummary> models_;
    QString gpuName_;
    quint64 gpuFreeBytes_ = 0;
    int contextLength_ = 4096;
};

}  // namespace ps::ui
