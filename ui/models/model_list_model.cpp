#include "models/model_list_model.h"

#include <QFileInfo>

#include <QGuiApplication>
#include <QPalette>

#include <algorithm>

namespace ps::ui {

ModelListModel::ModelListModel(QObject* parent) : QAbstractTableModel(parent) {}

int ModelListModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(models_.size());
}

int ModelListModel::columnCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QString ModelListModel::fitDescription(const ModelSummary& model) const {
    if (!model.runnable) return tr("Cannot run");
    if (gpuFreeBytes_ == 0) return tr("No GPU (runs on CPU)");
    const int context = model.contextLength > 0 ? std::min(model.contextLength, contextLength_)
                                                : contextLength_;
    return model.gpuBytesNeeded(context) <= gpuFreeBytes_ ? tr("Yes") : tr("No (runs on CPU)");
}

QVariant ModelListModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid() || index.row() >= models_.size()) return {};
    const ModelSummary& model = models_[index.row()];
    if (role == PathRole) return model.path;
    if (role == RunnableRole) return model.runnable;
    if (role == Qt::ToolTipRole) {
        return model.runnable ? model.path : tr("%1\nCannot run: %2").arg(model.path, model.problem);
    }
    if (role == Qt::ForegroundRole && !model.runnable) {
        return QGuiApplication::palette().brush(QPalette::Disabled, QPalette::Text);
    }
    if (role == Qt::TextAlignmentRole) {
        switch (index.column()) {
            case Parameters: case Size: case Context:
                return QVariant(Qt::AlignRight | Qt::AlignVCenter);
            default: return {};
        }
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
        case Name: {
            // A name that only repeats the architecture ("llama") says less than the file's.
            const QString file = QFileInfo(model.path).fileName();
            if (model.name.isEmpty() || model.name.compare(model.architecture, Qt::CaseInsensitive) == 0)
                return file;
            return model.name;
        }
        case Runs: return model.supportLine();  // "Runs" or "Cannot run: <why>", before anyone loads it
        case Parameters: return model.parameterCount ? formatParameterCount(model.parameterCount) : QString();
        case Type: return model.mainTensorType;
        case Size: return formatBytes(model.fileBytes);
        case Context: return model.contextLength ? QString::number(model.contextLength) : QString();
        case Fits: return fitDescription(model);
        case Source: return model.sourceLabel;
        default: return {};
    }
}

QVariant ModelListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
        case Name: return tr("Model");
        case Runs: return tr("Runs here");
        case Parameters: return tr("Size (parameters)");
        case Type: return tr("Precision");
        case Size: return tr("File size");
        case Context: return tr("Context");
        case Fits: return tr("Fits on GPU");
        case Source: return tr("Found in");
        default: return {};
    }
}

int ModelListModel::rowOfPath(const QString& path) const {
    for (int row = 0; row < models_.size(); ++row) {
        if (models_[row].path == path) return row;
    }
    return -1;
}

void ModelListModel::addModel(const ModelSummary& model) {
    const int existing = rowOfPath(model.path);
    if (existing >= 0) {
        ModelSummary updated = model;
        if (updated.sourceLabel.isEmpty()) updated.sourceLabel = models_[existing].sourceLabel;
        models_[existing] = updated;
        emit dataChanged(index(existing, 0), index(existing, ColumnCount - 1));
        return;
    }
    beginInsertRows({}, models_.size(), models_.size());
    models_.append(model);
    endInsertRows();
}

void ModelListModel::clear() {
    beginResetModel();
    models_.clear();
    endResetModel();
}

const ModelSummary* ModelListModel::modelAt(int row) const {
    return row >= 0 && row < models_.size() ? &models_[row] : nullptr;
}

void ModelListModel::setGpu(const QString& name, quint64 freeBytes, int contextLength) {
    gpuName_ = name;
    gpuFreeBytes_ = freeBytes;
    contextLength_ = contextLength > 0 ? contextLength : 4096;
    if (!models_.isEmpty()) emit dataChanged(index(0, Fits), index(models_.size() - 1, Fits));
}

}  // namespace ps::ui
