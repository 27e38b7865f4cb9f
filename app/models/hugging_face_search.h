#pragma once
// Searching Hugging Face for GGUF models through its public API (honouring
// HF_ENDPOINT like Hugging Face's own tools):
//   GET {endpoint}/api/models?search=Q&filter=gguf&sort=downloads&direction=-1&limit=N
//   GET {endpoint}/api/models/OWNER/REPO/tree/main?recursive=true   (files, sizes, SHA-256)
// Replies arrive as signals; one search and one file listing run at a time (a
// new one replaces the old).
#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace ps {

struct HubRepository {
    QString id;  // "OWNER/REPO"
    qint64 downloads = 0;
    int likes = 0;
    QDateTime lastModified;  // invalid when the reply does not say
    bool gated = false;      // needs a login and accepted terms (HF_TOKEN)
};

struct HubFile {
    QString path;    // inside the repository
    qint64 size = 0;
    QString sha256;  // from the LFS pointer; empty for small files kept in git
};

// The JSON of the two calls; an error (with `error` set) for anything else.
QList<HubRepository> parseRepositoryList(const QByteArray& json, QString* error = nullptr);
// Keeps the .gguf files only.
QList<HubFile> parseFileTree(const QByteArray& json, QString* error = nullptr);

// "Llama-3.2-1B-Instruct-Q4_K_M.gguf" -> "Q4_K_M"; empty when the name does not say.
QString quantizationFromFileName(const QString& fileName);
// Whether files of this quantization usually hold only tensor types this program
// runs (F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K). A hint from the name: the file
// itself decides once downloaded (Phi-3's Q4_K_M, for one, has a Q5_K tensor).
bool quantizationLikelyRunnable(const QString& quantization);
// "model-00001-of-00003.gguf": one part of a model split into several files.
bool isSplitModelPart(const QString& fileName);

class HuggingFaceSearch : public QObject {
    Q_OBJECT
public:
    explicit HuggingFaceSearch(QObject* parent = nullptr);
    ~HuggingFaceSearch() override;

    QUrl endpoint() const { return endpoint_; }
    void setEndpoint(const QUrl& endpoint) { endpoint_ = endpoint; }

    void search(const QString& query, int limit = 30);
    void listFiles(const QString& repo);

signals:
    void repositoriesFound(const QString& query, const QList<ps::HubRepository>& repositories);
    void filesListed(const QString& repo, const QList<ps::HubFile>& files);
    // `what` is "search" or "files".
    void failed(const QString& what, const QString& message);

private:
    QNetworkReply* get(const QUrl& url);
    void readFilePage(QNetworkReply* reply, const QString& repo, QList<HubFile> sofar, int page);

    QNetworkAccessManager* network_ = nullptr;
    QUrl endpoint_;
    QByteArray token_;
    QPointer<QNetworkReply> searchReply_;
    QPointer<QNetworkReply> filesReply_;
};

}  // namespace ps

Q_DECLARE_METATYPE(ps::HubRepository)
Q_DECLARE_METATYPE(ps::HubFile)
