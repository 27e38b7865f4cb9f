#pragma once
// The apps the Library lists: the user's own (.promptapp files in their apps
// folder) and the sample gallery (read-only). One row per file; a file that
// cannot be read is still listed, with its error, so the user can see it and
// delete it instead of wondering where it went.
#include <QAbstractListModel>
#include <QList>
#include <QStringList>

namespace ps::ui {

struct AppEntry {
    QString path;
    QString name;
    QString description;
    QString icon;  // an emoji; empty = the default one
    QStringList tags;
    bool sample = false;  // from the gallery: read-only
    bool deck = false;    // a demo-mode deck (.promptdeck), not an app
    QString error;        // why the file could not be read, or empty
};

class AppLibraryModel : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        PathRole = Qt::UserRole + 1,
        NameRole,
        DescriptionRole,
        IconRole,
        TagsRole,
        SampleRole,
        ErrorRole,
        SearchTextRole,  // name, description and tags, for the search box
    };

    explicit AppLibraryModel(QObject* parent = nullptr);

    // Where the user's apps and the samples are; reloads both.
    void setFolders(const QString& userFolder, const QString& sampleFolder);
    const QString& userFolder() const { return userFolder_; }
    const QString& sampleFolder() const { return sampleFolder_; }
    // Reads both folders again (after a file was added, renamed or removed).
    void reload();

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    const AppEntry* entryAt(int row) const;
    int rowOfPath(const QString& path) const;
    // Every tag used by any app, sorted, without duplicates.
    QStringList allTags() const;

    // The default icon of an app without one.
    static QString defaultIcon();

private:
    QList<AppEntry> readFolder(const QString& folder, bool sample) const;

    QString userFolder_;
    QString sampleFolder_;
    QList<AppEntry> entries_;
};

}  // namespace ps::ui
