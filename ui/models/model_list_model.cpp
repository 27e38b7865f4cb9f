#include "models/model_list_model.h"

#include <QFileInfo>

#include <QFont>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>

#include "models/demo_model.h"

namespace ps::ui {

ModelListModel::ModelListModel(QObject* parent)
    : QAbstractTableModel(parent), demoPath_(demoModelPath().isEmpty() ? QString()
                                                                       : QFileInfo(demoModelPath()).absoluteFilePath()) {}

QString ModelListModel::precisionText(const QString& type) {
    if (type.isEmpty()) return {};
    const QString upper = type.toUpper();
    int bits = 0;
    if (upper == QLatin1String("F32")) bits = 32;
    else if (upper == QLatin1String("F16") || upper == QLatin1String("BF16")) bits = 16;
    else if (upper.startsWith(QLatin1Char('Q')) && upper.size() > 1 && upper[1].isDigit()) bits = upper[1].digitValue();
    else if (upper.startsWith(QLatin1String("IQ")) && upper.size() > 2 && upper[2].isDigit()) bits = upper[2].digitValue();
    return bits > 0 ? tr("%1-bit (%2)").arg(bits).arg(type) : type;
}

void ModelListModel::setActivePath(const QString& path) {
    activePath_ = path;
    if (!models_.isEmpty()) emit dataChanged(index(0, 0), index(models_.size() - 1, ColumnCount - 1));
}

bool ModelListModel::isDemo(const ModelSummary& model) const {
    return !demoPath_.isEmpty() && model.path == demoPath_;
}

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
    const bool active = !activePath_.isEmpty() && model.path == activePath_;
    if (role == Qt::FontRole && active) {
        QFont font;
        font.setBold(true);
        return font;
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
            // The file's name, which people chose or downloaded; the name inside the
            // file ("synthetic-llama-d256-l4") is in the details.
            QString name = isDemo(model) ? tr("%1 (stories260K)").arg(demoModelTitle())
                                         : QFileInfo(model.path).completeBaseName();
            if (active) name = tr("%1 — in use").arg(name);
            return name;
        }
        case Runs: return model.supportLine();  // "Runs" or "Cannot run: <why>", before anyone loads it
        case Parameters: return model.parameterCount ? formatParameterCount(model.parameterCount) : QString();
        case Type: return precisionText(model.mainTensorType);
        case Size: return formatBytes(model.fileBytes);
        case Context: return model.contextLength ? QString::number(model.contextLength) : QString();
        case Fits: return fitDescription(model);
        case Source: return model.sourceLabel;
        default: return {};
    }
}

QVariant ModelListModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation == Qt::Horizontal && role == Qt::ToolTipRole) {
        switch (section) {
            case Parameters: return tr("How big the model is: more parameters, better answers, slower");
            case Type: return tr("How precisely the weights are stored: fewer bits make a smaller, faster "
                                 "file and slightly weaker answers");
            case Context: return tr("How much text the model reads at once, in tokens (about ¾ of a word each)");
            case Fits: return tr("Whether the model fits in the GPU's free memory (else it runs on the CPU)");
            default: return {};
        }
    }
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
