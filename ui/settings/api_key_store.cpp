#include "settings/api_key_store.h"

#include <QEventLoop>
#include <QSettings>
#include <QTimer>

#include <qt6keychain/keychain.h>

namespace ps::ui {

namespace {

const QString kService = QStringLiteral("Prompt Studio");

QString fallbackKey(const QString& account) { return QStringLiteral("secrets/%1").arg(account); }

// Runs a QtKeychain job to its end (they report asynchronously); false on any
// error or after two seconds (a secret store that does not answer).
bool runJob(QKeychain::Job& job) {
    QEventLoop loop;
    bool ok = false;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, [&](QKeychain::Job* finished) {
        ok = finished->error() == QKeychain::NoError;
        loop.quit();
    });
    QTimer::singleShot(2000, &loop, &QEventLoop::quit);
    job.setAutoDelete(false);
    job.start();
    loop.exec();
    return ok;
}

}  // namespace

QString ApiKeyStore::read(const QString& account, Place* where) {
    QSettings settings;
    if (settings.contains(fallbackKey(account))) {
        if (where) *where = Place::SettingsFile;
        return settings.value(fallbackKey(account)).toString();
    }
    if (where) *where = Place::SecretStore;
    QKeychain::ReadPasswordJob job(kService);
    job.setKey(account);
    return runJob(job) ? job.textData() : QString();
}

ApiKeyStore::Place ApiKeyStore::write(const QString& account, const QString& key) {
    QSettings settings;
    if (key.isEmpty()) {
        settings.remove(fallbackKey(account));
        QKeychain::DeletePasswordJob job(kService);
        job.setKey(account);
        runJob(job);
        return Place::SecretStore;
    }
    QKeychain::WritePasswordJob job(kService);
    job.setKey(account);
    job.setTextData(key);
    if (runJob(job)) {
        settings.remove(fallbackKey(account));
        return Place::SecretStore;
    }
    settings.setValue(fallbackKey(account), key);
    return Place::SettingsFile;
}

QString ApiKeyStore::describe(Place place) {
    return place == Place::SecretStore
               ? QObject::tr("Keys are kept in the desktop's secret store.")
               : QObject::tr("No secret store answered (GNOME Keyring or KWallet): keys are kept in the settings "
                             "file, readable by your user account.");
}

}  // namespace ps::ui
