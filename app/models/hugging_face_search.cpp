#include "models/hugging_face_search.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QUrlQuery>

#include "models/model_source.h"
#include "models/network_error_text.h"
#include "version.h"

namespace ps {

namespace {

constexpr int kRequestTimeoutMs = 30000;
// A repository with thousands of files is listed in pages; a GGUF repository
// has a few dozen, so a few pages are plenty.
constexpr int kMaximumFilePages = 10;

QJsonArray parseArray(const QByteArray& json, QString* error) {
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isArray()) {
        if (error) {
            *error = parseError.error != QJsonParseError::NoError
                         ? QObject::tr("The answer from Hugging Face is not valid JSON: %1")
                               .arg(parseError.errorString())
                         : QObject::tr("The answer from Hugging Face is not a list.");
        }
        return {};
    }
    if (error) error->clear();
    return document.array();
}

}  // namespace

QList<HubRepository> parseRepositoryList(const QByteArray& json, QString* error) {
    QList<HubRepository> repositories;
    for (const QJsonValue& value : parseArray(json, error)) {
        const QJsonObject object = value.toObject();
        HubRepository repository;
        repository.id = object.value("id").toString(object.value("modelId").toString());
        if (repository.id.isEmpty()) continue;
        repository.downloads = static_cast<qint64>(object.value("downloads").toDouble());
        repository.likes = object.value("likes").toInt();
        repository.lastModified =
            QDateTime::fromString(object.value("lastModified").toString(), Qt::ISODateWithMs);
        // "gated" is false, "auto" or "manual".
        const QJsonValue gated = object.value("gated");
        repository.gated = gated.isString() ? !gated.toString().isEmpty() : gated.toBool();
        repositories.append(repository);
    }
    return repositories;
}

QList<HubFile> parseFileTree(const QByteArray& json, QString* error) {
    QList<HubFile> files;
    for (const QJsonValue& value : parseArray(json, error)) {
        const QJsonObject object = value.toObject();
        if (object.value("type").toString() != "file") continue;
        HubFile file;
        file.path = object.value("path").toString();
        if (!file.path.endsWith(QStringLiteral(".gguf"), Qt::CaseInsensitive)) continue;
        file.size = static_cast<qint64>(object.value("size").toDouble());
        const QJsonObject lfs = object.value("lfs").toObject();
        file.sha256 = lfs.value("oid").toString().toLower();
        if (lfs.contains("size")) file.size = static_cast<qint64>(lfs.value("size").toDouble());
        files.append(file);
    }
    return files;
}

QString quantizationFromFileName(const QString& fileName) {
    static const QRegularExpression pattern(
        QStringLiteral("(?:^|[-_.])((?:I?Q\\d+_[A-Z0-9]+(?:_[A-Z]+)?)|BF16|F16|F32)(?=[-_.])"),
        QRegularExpression::CaseInsensitiveOption);
    QString found;
    auto matches = pattern.globalMatch(fileName);
    while (matches.hasNext()) found = matches.next().captured(1);  // the last one names the file
    return found.toUpper();
}

bool quantizationLikelyRunnable(const QString& quantization) {
    static const QStringList runnable = {"F32",    "F16",    "BF16", "Q8_0",  "Q4_0",
                                         "Q4_K_M", "Q4_K_L", "Q6_K", "Q6_K_L"};
    return runnable.contains(quantization.toUpper());
}

bool isSplitModelPart(const QString& fileName) {
    static const QRegularExpression pattern(QStringLiteral("-\\d{5}-of-\\d{5}\\.gguf$"),
                                            QRegularExpression::CaseInsensitiveOption);
    return pattern.match(fileName).hasMatch();
}

HuggingFaceSearch::HuggingFaceSearch(QObject* parent)
    : QObject(parent),
      network_(new QNetworkAccessManager(this)),
      endpoint_(huggingFaceEndpoint()),
      token_(huggingFaceToken()) {
    qRegisterMetaType<ps::HubRepository>();
    qRegisterMetaType<ps::HubFile>();
}

HuggingFaceSearch::~HuggingFaceSearch() {
    if (searchReply_) searchReply_->abort();
    if (filesReply_) filesReply_->abort();
}

QNetworkReply* HuggingFaceSearch::get(const QUrl& url) {
    QNetworkRequest request(url);
    request.setRawHeader("User-Agent", "promptstudio/" PROMPTSTUDIO_VERSION);
    request.setRawHeader("Accept", "application/json");
    if (!token_.isEmpty() && url.host() == endpoint_.host()) {
        request.setRawHeader("Authorization", "Bearer " + token_);
    }
    request.setTransferTimeout(kRequestTimeoutMs);
    return network_->get(request);
}

void HuggingFaceSearch::search(const QString& query, int limit) {
    if (searchReply_) {
        searchReply_->disconnect(this);
        searchReply_->abort();
        searchReply_->deleteLater();
    }
    QUrl url = endpoint_;
    url.setPath(url.path() + QStringLiteral("/api/models"));
    QUrlQuery parameters;
    parameters.addQueryItem("search", query.trimmed());
    parameters.addQueryItem("filter", "gguf");
    parameters.addQueryItem("sort", "downloads");
    parameters.addQueryItem("direction", "-1");
    parameters.addQueryItem("limit", QString::number(limit));
    url.setQuery(parameters);
    QNetworkReply* reply = get(url);
    searchReply_ = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply, query] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError) {
            emit failed("search", describeNetworkFailure(reply->error(), status, reply->url(),
                                                         reply->errorString()));
            return;
        }
        QString error;
        const QList<HubRepository> repositories = parseRepositoryList(reply->readAll(), &error);
        if (!error.isEmpty()) {
            emit failed("search", error);
            return;
        }
        emit repositoriesFound(query, repositories);
    });
}

void HuggingFaceSearch::listFiles(const QString& repo) {
    if (filesReply_) {
        filesReply_->disconnect(this);
        filesReply_->abort();
        filesReply_->deleteLater();
    }
    QUrl url = endpoint_;
    QString path = url.path() + QStringLiteral("/api/models/");
    for (const QString& segment : repo.split('/')) {
        path += QString::fromLatin1(QUrl::toPercentEncoding(segment)) + '/';
    }
    url.setPath(path + QStringLiteral("tree/main"), QUrl::TolerantMode);
    url.setQuery(QStringLiteral("recursive=true"));
    readFilePage(get(url), repo, {}, 1);
}

void HuggingFaceSearch::readFilePage(QNetworkReply* reply, const QString& repo,
                                     QList<HubFile> sofar, int page) {
    filesReply_ = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply, repo, sofar, page]() mutable {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (reply->error() != QNetworkReply::NoError) {
            emit failed("files", describeNetworkFailure(reply->error(), status, reply->url(),
                                                        reply->errorString()));
            return;
        }
        QString error;
        sofar += parseFileTree(reply->readAll(), &error);
        if (!error.isEmpty()) {
            emit failed("files", error);
            return;
        }
        // More files: Link: <URL>; rel="next"
        static const QRegularExpression next(QStringLiteral("<([^>]+)>\\s*;\\s*rel=\"next\""));
        const auto match = next.match(QString::fromLatin1(reply->rawHeader("Link")));
        if (match.hasMatch() && page < kMaximumFilePages) {
            readFilePage(get(reply->url().resolved(QUrl(match.captured(1)))), repo, sofar, page + 1);
            return;
        }
        emit filesListed(repo, sofar);
    });
}

}  // namespace ps
