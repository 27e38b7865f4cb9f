#include "library/app_library_model.h"

#include <QCollator>
#include <QDir>
#include <QFileInfo>

#include <algorithm>

#include "deck/deck_file.h"
#include "document/promptapp_reader.h"

namespace ps::ui {

AppLibraryModel::AppLibraryModel(QObject* parent) : QAbstractListModel(parent) {}

QString AppLibraryModel::defaultIcon() { return QStringLiteral("\U0001F4DD"); }  // 📝

void AppLibraryModel::setFolders(const QString& userFolder, const QString& sampleFolder) {
    userFolder_ = userFolder;
    sampleFolder_ = sampleFolder;
    reload();
}

QList<AppEntry> AppLibraryModel::readFolder(const QString& folder, bool sample) const {
    QList<AppEntry> entries;
    if (folder.isEmpty()) return entries;
    const QDir dir(folder);
    const QStringList files = dir.entryList({QStringLiteral("*") + kPromptAppSuffix}, QDir::Files);
    for (const QString& file : files) {
        AppEntry entry;
        entry.path = dir.absoluteFilePath(file);
        entry.sample = sample;
        const PromptAppLoadResult result = loadPromptApp(entry.path);
        if (result.loaded) {
            entry.name = result.app.name;
            entry.description = result.app.description;
            entry.icon = result.app.icon;
            entry.tags = result.app.tags;
            // Validation problems do not hide the app: the editor shows them.
            if (!result.errors.isEmpty()) entry.error = result.errors.first().toString();
        } else {
            entry.error = result.errors.isEmpty() ? tr("This file cannot be read.")
                                                  : result.errors.first().toString();
        }
        if (entry.name.isEmpty()) entry.name = QFileInfo(file).completeBaseName();
        entries.append(entry);
    }
    // The user's demo decks are listed with the apps they show.
    if (!sample) {
        for (const QString& file : dir.entryList({QStringLiteral("*") + kDeckSuffix}, QDir::Files)) {
            AppEntry entry;
            entry.path = dir.absoluteFilePath(file);
            entry.deck = true;
            entry.icon = QStringLiteral("\U0001F3AC");  // 🎬
            const DeckLoadResult result = loadDeck(entry.path);
            entry.name = result.deck.name.isEmpty() ? QFileInfo(file).completeBaseName() : result.deck.name;
            entry.description = tr("A demo deck of %n slide(s): present it with F11", nullptr,
                                   int(result.deck.slides.size()));
            if (!result.ok()) entry.error = result.errors.first().toString();
            entries.append(entry);
        }
    }
    QCollator collator;
    collator.setCaseSensitivity(Qt::CaseInsensitive);
    collator.setNumericMode(true);
    std::sort(entries.begin(), entries.end(), [&](const AppEntry& a, const AppEntry& b) {
        return collator.compare(a.name, b.name) < 0;
    });
    return entries;
}

void AppLibraryModel::reload() {
    beginResetModel();
    // The user's apps first: they are what people come back for.
    entries_ = readFolder(userFolder_, false);
    entries_ += readFolder(sampleFolder_, true);
    endResetModel();
}

int AppLibraryModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : int(entries_.size());
}

QVariant AppLibraryModel::data(const QModelIndex& index, int role) const {
    const AppEntry* entry = entryAt(index.row());
    if (!entry || index.parent().isValid()) return {};
    switch (role) {
    case Qt::DisplayRole:
    case NameRole:
        return entry->name;
    case Qt::ToolTipRole: {
        QString tip = entry->description.isEmpty() ? entry->name : entry->description;
        if (entry->sample) tip += QLatin1Char('\n') + tr("A sample app (read-only: editing makes your own copy).");
        if (!entry->error.isEmpty()) tip += QLatin1Char('\n') + tr("Problem: %1").arg(entry->error);
        return tip;
    }
    case Qt::AccessibleDescriptionRole:
    case DescriptionRole:
        return entry->description;
    case PathRole:
        return entry->path;
    case IconRole:
        return entry->icon.isEmpty() ? defaultIcon() : entry->icon;
    case TagsRole:
        return entry->tags;
    case SampleRole:
        return entry->sample;
    case ErrorRole:
        return entry->error;
    case SearchTextRole:
        return entry->name + QLatin1Char('\n') + entry->description + QLatin1Char('\n') +
               entry->tags.join(QLatin1Char(' '));
    default:
        return {};
    }
}

QHash<int, QByteArray> AppLibraryModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names[PathRole] = "path";
    names[NameRole] = "name";
    names[DescriptionRole] = "description";
    names[IconRole] = "icon";
    names[TagsRole] = "tags";
    names[SampleRole] = "sample";
    names[ErrorRole] = "error";
    return names;
}

const AppEntry* AppLibraryModel::entryAt(int row) const {
    return row >= 0 && row < entries_.size() ? &entries_[row] : nullptr;
}

int AppLibraryModel::rowOfPath(const QString& path) const {
    const QString wanted = QFileInfo(path).absoluteFilePath();
    for (int row = 0; row < entries_.size(); ++row)
        if (entries_[row].path == wanted) return row;
    return -1;
}

QStringList AppLibraryModel::allTags() const {
    QStringList tags;
    for (const AppEntry& entry : entries_) tags += entry.tags;
    tags.removeDuplicates();
    std::sort(tags.begin(), tags.end(), [](const QString& a, const QString& b) {
        return QString::compare(a, b, Qt::CaseInsensitive) < 0;
    });
    return tags;
}

}  // namespace ps::ui
