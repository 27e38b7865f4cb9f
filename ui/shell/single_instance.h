#pragma once
// One Prompt Studio per user session. Double-clicking a .promptapp while the
// program runs starts a second process; it hands its files to the running one
// over a local socket and quits, so an app is never open in two windows where
// one's unsaved changes would overwrite the other's.
#include <QObject>
#include <QString>
#include <QStringList>

class QLocalServer;

namespace ps::ui {

class SingleInstance : public QObject {
    Q_OBJECT
public:
    // `name` identifies the session's socket; tests pass their own.
    explicit SingleInstance(const QString& name = defaultName(), QObject* parent = nullptr);
    ~SingleInstance() override;

    // "promptstudio-<user>": one per user, so two people on one machine each get theirs.
    static QString defaultName();

    // Sends `files` (absolute paths; empty just brings the window forward) to a
    // running instance. True when one took them: this process should quit.
    bool forwardToRunning(const QStringList& files, int timeoutMs = 2000);

    // Starts answering later starts. A socket left behind by a crashed instance
    // is removed first. False, with `error`, when it cannot listen (the program
    // still works, just without forwarding).
    bool listen(QString* error = nullptr);

signals:
    // A later start asked to open these files (possibly none: just show the window).
    void filesReceived(const QStringList& files);

private:
    void readRequest();

    QString name_;
    QLocalServer* server_ = nullptr;
};

}  // namespace ps::ui
