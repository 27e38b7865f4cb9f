#include "history/run_history.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QThread>
#include <QUuid>

#include <atomic>
#include <cerrno>

#ifdef Q_OS_UNIX
#include <signal.h>
#include <unistd.h>
#endif

#include "history/history_schema.h"

namespace ps {

namespace {

constexpr const char* kColumns =
    "id, app_name, app_path, app_version, inputs, output, model, parameters, statistics,"
    " started_at_ms, ended_at_ms, outcome, error_message";

// Identifies this process in the rows it owns, so that a row of a dead process
// with a reused pid is not taken for ours.
const QString& processSession() {
    static const QString session = QUuid::createUuid().toString(QUuid::WithoutBraces);
    return session;
}

qint64 processId() {
#ifdef Q_OS_UNIX
    return static_cast<qint64>(::getpid());
#else
    return QCoreApplication::applicationPid();
#endif
}

bool processAlive(qint64 pid) {
    if (pid <= 0) return false;
#ifdef Q_OS_UNIX
    // Signal 0 checks existence only; EPERM means it exists but is not ours.
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
#else
    return false;
#endif
}

QString toJsonText(const QJsonObject& object) {
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject fromJsonText(const QVariant& value) {
    return QJsonDocument::fromJson(value.toString().toUtf8()).object();
}

QDateTime fromMs(const QVariant& value) {
    if (value.isNull()) return {};
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

RunRecord recordFromQuery(const QSqlQuery& query) {
    RunRecord record;
    record.id = query.value(0).toLongLong();
    record.appName = query.value(1).toString();
    record.appPath = query.value(2).toString();
    record.appVersion = query.value(3).toString();
    record.inputs = fromJsonText(query.value(4));
    record.output = query.value(5).toString();
    record.model = query.value(6).toString();
    record.parameters = fromJsonText(query.value(7));
    record.statistics = fromJsonText(query.value(8));
    record.startedAt = fromMs(query.value(9));
    record.endedAt = fromMs(query.value(10));
    record.outcome = runOutcomeFromName(query.value(11).toString()).value_or(RunOutcome::Failed);
    record.errorMessage = query.value(12).toString();
    return record;
}

// LIKE pattern matching `text` literally anywhere (with ESCAPE '\').
QString containsPattern(const QString& text) {
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    escaped.replace(QLatin1Char('%'), QLatin1String("\\%"));
    escaped.replace(QLatin1Char('_'), QLatin1String("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

// Qt binds a null QString as SQL NULL; the text columns are NOT NULL.
QString nonNull(const QString& value) { return value.isNull() ? QStringLiteral("") : value; }

QString nextConnectionName() {
    static std::atomic<int> counter{0};
    return QStringLiteral("ps-history-%1").arg(counter.fetch_add(1));
}

}  // namespace

QString RunHistory::defaultPath() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("history.sqlite"));
}

RunHistory::RunHistory(const QString& path)
    : path_(path), connectionName_(nextConnectionName()), thread_(QThread::currentThread()) {
    // Removes the connection again if opening fails half-way (no destructor runs then).
    struct ConnectionGuard {
        QString name;
        bool keep = false;
        ~ConnectionGuard() {
            if (!keep) QSqlDatabase::removeDatabase(name);
        }
    } guard{connectionName_};

    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE"))) {
        throw HistoryError("the Qt SQLite driver (QSQLITE, package libqt6sql6-sqlite) is missing");
    }
    const QString folder = QFileInfo(path_).absolutePath();
    if (!QDir().mkpath(folder)) {
        throw HistoryError(QStringLiteral("%1: cannot create the folder %2").arg(path_, folder).toStdString());
    }
    {
        QSqlDatabase database = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName_);
        database.setDatabaseName(path_);
        // Another process may hold the write lock for a moment; wait instead of failing.
        database.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!database.open()) {
            throw HistoryError(QStringLiteral("%1: cannot open the history: %2")
                                   .arg(path_, database.lastError().text())
                                   .toStdString());
        }
        QSqlQuery query(database);
        if (!query.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !query.next()) {
            throw HistoryError(QStringLiteral("%1: not a usable history database: %2")
                                   .arg(path_, query.lastError().text())
                                   .toStdString());
        }
        query.finish();  // an open statement would block the migration's commit
        migrateHistorySchema(database, path_, kSchemaVersion);
    }
    guard.keep = true;
    recoverInterruptedRuns();
}

RunHistory::~RunHistory() {
    {
        QSqlDatabase database = QSqlDatabase::database(connectionName_, false);
        database.close();
    }
    QSqlDatabase::removeDatabase(connectionName_);
}

void RunHistory::checkThread() const {
    if (QThread::currentThread() != thread_) {
        throw HistoryError(QStringLiteral("%1: RunHistory used from a thread other than the one "
                                          "that opened it (open one RunHistory per thread)")
                               .arg(path_)
                               .toStdString());
    }
}

int RunHistory::schemaVersion() const {
    checkThread();
    QSqlDatabase database = QSqlDatabase::database(connectionName_, false);
    return historySchemaVersion(database);
}

void RunHistory::recoverInterruptedRuns() {
    QSqlDatabase database = QSqlDatabase::database(connectionName_, false);
    QSqlQuery select(database);
    select.prepare(QStringLiteral(
        "SELECT id, owner_pid, owner_session FROM runs WHERE outcome = 'running'"));
    if (!select.exec()) {
        throw HistoryError(QStringLiteral("%1: cannot look for interrupted runs: %2")
                               .arg(path_, select.lastError().text())
                               .toStdString());
    }
    std::vector<qint64> orphans;
    while (select.next()) {
        // Both must match: a forked child shares the session, a reused pid does not.
        const bool ours = select.value(1).toLongLong() == processId() &&
                          select.value(2).toString() == processSession();
        if (!ours && !processAlive(select.value(1).toLongLong())) {
            orphans.push_back(select.value(0).toLongLong());
        }
    }
    QSqlQuery update(database);
    update.prepare(QStringLiteral(
        "UPDATE runs SET outcome = 'interrupted', error_message = :message"
        " WHERE id = :id AND outcome = 'running'"));
    for (qint64 id : orphans) {
        update.bindValue(QStringLiteral(":message"),
                         QStringLiteral("the program ended before the run finished"));
        update.bindValue(QStringLiteral(":id"), id);
        if (!update.exec()) {
            throw HistoryError(QStringLiteral("%1: cannot mark run %2 interrupted: %3")
                                   .arg(path_)
                                   .arg(id)
                                   .arg(update.lastError().text())
                                   .toStdString());
        }
        recovered_ += update.numRowsAffected() > 0 ? 1 : 0;
    }
}

qint64 RunHistory::startRun(const RunRecord& record) {
    checkThread();
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral(
        "INSERT INTO runs (app_name, app_path, app_version, inputs, output, model, parameters,"
        " statistics, started_at_ms, outcome, owner_pid, owner_session)"
        " VALUES (:app, :path, :version, :inputs, '', :model, :parameters, '{}', :started,"
        " 'running', :pid, :session)"));
    const QDateTime started =
        record.startedAt.isValid() ? record.startedAt : QDateTime::currentDateTimeUtc();
    query.bindValue(QStringLiteral(":app"), nonNull(record.appName));
    query.bindValue(QStringLiteral(":path"), nonNull(record.appPath));
    query.bindValue(QStringLiteral(":version"), nonNull(record.appVersion));
    query.bindValue(QStringLiteral(":inputs"), toJsonText(record.inputs));
    query.bindValue(QStringLiteral(":model"), nonNull(record.model));
    query.bindValue(QStringLiteral(":parameters"), toJsonText(record.parameters));
    query.bindValue(QStringLiteral(":started"), started.toMSecsSinceEpoch());
    query.bindValue(QStringLiteral(":pid"), processId());
    query.bindValue(QStringLiteral(":session"), processSession());
    if (!query.exec()) {
        throw HistoryError(QStringLiteral("%1: cannot record the start of a run of '%2': %3")
                               .arg(path_, record.appName, query.lastError().text())
                               .toStdString());
    }
    return query.lastInsertId().toLongLong();
}

void RunHistory::finishRun(qint64 id, RunOutcome outcome, const QString& output,
                           const QJsonObject& statistics, const QString& errorMessage) {
    checkThread();
    if (outcome == RunOutcome::Running) {
        throw HistoryError("finishRun needs an outcome other than running");
    }
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral(
        "UPDATE runs SET outcome = :outcome, output = :output, statistics = :statistics,"
        " error_message = :error, ended_at_ms = :ended WHERE id = :id"));
    query.bindValue(QStringLiteral(":outcome"), runOutcomeName(outcome));
    query.bindValue(QStringLiteral(":output"), nonNull(output));
    query.bindValue(QStringLiteral(":statistics"), toJsonText(statistics));
    query.bindValue(QStringLiteral(":error"), nonNull(errorMessage));
    query.bindValue(QStringLiteral(":ended"), QDateTime::currentMSecsSinceEpoch());
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec()) {
        throw HistoryError(QStringLiteral("%1: cannot record the end of run %2: %3")
                               .arg(path_)
                               .arg(id)
                               .arg(query.lastError().text())
                               .toStdString());
    }
    if (query.numRowsAffected() != 1) {
        throw HistoryError(
            QStringLiteral("%1: there is no run %2 to finish").arg(path_).arg(id).toStdString());
    }
}

std::optional<RunRecord> RunHistory::run(qint64 id) const {
    checkThread();
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("SELECT %1 FROM runs WHERE id = :id").arg(QLatin1String(kColumns)));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec()) {
        throw HistoryError(QStringLiteral("%1: cannot read run %2: %3")
                               .arg(path_)
                               .arg(id)
                               .arg(query.lastError().text())
                               .toStdString());
    }
    if (!query.next()) return std::nullopt;
    return recordFromQuery(query);
}

std::vector<RunRecord> RunHistory::recent(int limit) const {
    return search(HistoryQuery{.appName = {}, .text = {}, .limit = limit});
}

std::vector<RunRecord> RunHistory::search(const HistoryQuery& filter) const {
    checkThread();
    QStringList conditions;
    if (!filter.appName.isEmpty()) conditions << QStringLiteral("app_name = :app");
    if (!filter.text.isEmpty()) {
        conditions << QStringLiteral(
            "(inputs LIKE :text ESCAPE '\\' OR output LIKE :text ESCAPE '\\')");
    }
    QString sql = QStringLiteral("SELECT %1 FROM runs").arg(QLatin1String(kColumns));
    if (!conditions.isEmpty()) sql += QStringLiteral(" WHERE ") + conditions.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY started_at_ms DESC, id DESC");
    if (filter.limit > 0) sql += QStringLiteral(" LIMIT %1").arg(filter.limit);

    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(sql);
    if (!filter.appName.isEmpty()) query.bindValue(QStringLiteral(":app"), filter.appName);
    if (!filter.text.isEmpty()) query.bindValue(QStringLiteral(":text"), containsPattern(filter.text));
    if (!query.exec()) {
        throw HistoryError(QStringLiteral("%1: cannot search the history: %2")
                               .arg(path_, query.lastError().text())
                               .toStdString());
    }
    std::vector<RunRecord> records;
    while (query.next()) records.push_back(recordFromQuery(query));
    return records;
}

bool RunHistory::remove(qint64 id) {
    checkThread();
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("DELETE FROM runs WHERE id = :id"));
    query.bindValue(QStringLiteral(":id"), id);
    if (!query.exec()) {
        throw HistoryError(QStringLiteral("%1: cannot delete run %2: %3")
                               .arg(path_)
                               .arg(id)
                               .arg(query.lastError().text())
                               .toStdString());
    }
    return query.numRowsAffected() > 0;
}

int RunHistory::removeApp(const QString& appName) {
    checkThread();
    QSqlQuery query(QSqlDatabase::database(connectionName_, false));
    query.prepare(QStringLiteral("DELETE FROM runs WHERE app_name = :app"));
    query.bindValue(QStringLiteral(":app"), appName);
    if (!query.exec()) {
        throw HistoryError(QStringLiteral("%1: cannot delete the runs of '%2': %3")
                               .arg(path_, appName, query.lastError().text())
                               .toStdString());
    }
    return query.numRowsAffected();
}

}  // namespace ps
