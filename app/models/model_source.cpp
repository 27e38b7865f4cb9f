#include "models/model_source.h"

#include <QObject>
#include <QStringList>

namespace ps {

namespace {

// Path segments as they go into a URL: "Q4 K/x.gguf" -> "Q4%20K/x.gguf".
QString encodedPath(const QString& path) {
    QStringList segments = path.split('/');
    for (QString& segment : segments) {
        segment = QString::fromLatin1(QUrl::toPercentEncoding(segment));
    }
    return segments.join('/');
}

bool isSafePath(const QStringList& segments) {
    for (const QString& segment : segments) {
        if (segment.isEmpty() || segment == "." || segment == ".." || segment.contains('\\')) {
            return false;
        }
    }
    return true;
}

QString withoutTrailingSlash(QString text) {
    while (text.endsWith('/')) text.chop(1);
    return text;
}

}  // namespace

QUrl huggingFaceEndpoint() {
    const QString configured = withoutTrailingSlash(qEnvironmentVariable("HF_ENDPOINT").trimmed());
    const QUrl url(configured, QUrl::StrictMode);
    if (!configured.isEmpty() && url.isValid() && !url.host().isEmpty()) return url;
    return QUrl(QStringLiteral("https://huggingface.co"));
}

QByteArray huggingFaceToken() {
    return qEnvironmentVariable("HF_TOKEN").trimmed().toUtf8();
}

QUrl huggingFaceResolveUrl(const QUrl& endpoint, const QString& repo, const QString& pathInRepo,
                           const QString& revision) {
    const QString base = withoutTrailingSlash(endpoint.toString(QUrl::FullyEncoded));
    return QUrl(QStringLiteral("%1/%2/resolve/%3/%4")
                    .arg(base, encodedPath(repo), QString::fromLatin1(QUrl::toPercentEncoding(revision)),
                         encodedPath(pathInRepo)),
                QUrl::StrictMode);
}

bool isSafeFileName(const QString& name) {
    return !name.isEmpty() && !name.startsWith('.') && !name.contains('/') &&
           !name.contains('\\') && !name.contains(QChar(0)) && name.size() <= 255;
}

std::optional<ModelSource> parseModelSource(const QString& input, const QUrl& endpoint,
                                            QString* error) {
    auto fail = [error](const QString& message) -> std::optional<ModelSource> {
        if (error) *error = message;
        return std::nullopt;
    };
    const QString text = input.trimmed();
    if (text.startsWith(QStringLiteral("hf:"), Qt::CaseInsensitive)) {
        const QStringList parts = text.mid(3).split('/');
        if (parts.size() < 3 || !isSafePath(parts)) {
            return fail(QObject::tr("'%1' is not a Hugging Face address: write "
                                    "hf:OWNER/REPO/FILE.gguf")
                            .arg(text));
        }
        ModelSource source;
        source.repo = parts[0] + '/' + parts[1];
        source.pathInRepo = parts.mid(2).join('/');
        source.fileName = parts.last();
        source.url = huggingFaceResolveUrl(endpoint, source.repo, source.pathInRepo);
        return source;
    }

    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || (url.scheme() != "http" && url.scheme() != "https") ||
        url.host().isEmpty()) {
        return fail(QObject::tr("'%1' is neither a web address (https://…) nor a Hugging Face "
                                "address (hf:OWNER/REPO/FILE.gguf)")
                        .arg(text));
    }
    ModelSource source;
    source.url = url;
    const QStringList segments = url.path(QUrl::FullyDecoded).split('/', Qt::SkipEmptyParts);
    source.fileName = segments.isEmpty() ? QString() : segments.last();

    // A file on the hub itself: OWNER/REPO/(resolve|blob)/REVISION/PATH below the
    // endpoint's own path (a mirror may live below a path).
    const QStringList base = endpoint.path().split('/', Qt::SkipEmptyParts);
    const bool onHub = url.host().compare(endpoint.host(), Qt::CaseInsensitive) == 0 &&
                       segments.mid(0, base.size()) == base;
    const QStringList rest = segments.mid(base.size());
    if (onHub && rest.size() >= 5 && (rest[2] == "resolve" || rest[2] == "blob") &&
        isSafePath(rest)) {
        source.repo = rest[0] + '/' + rest[1];
        source.pathInRepo = rest.mid(4).join('/');
        source.url = huggingFaceResolveUrl(endpoint, source.repo, source.pathInRepo, rest[3]);
    }
    if (!isSafeFileName(source.fileName)) {
        return fail(QObject::tr("'%1' does not end in a file name to save the model under")
                        .arg(text));
    }
    return source;
}

}  // namespace ps
