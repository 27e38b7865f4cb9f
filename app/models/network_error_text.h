#pragma once
// What went wrong with a request, in a sentence a person can act on: no
// connection, a name that does not resolve, a refused connection, a file that
// is not there, a repository that needs a Hugging Face token.
#include <QNetworkReply>
#include <QString>
#include <QUrl>

namespace ps {

// `error` and `httpStatus` (0 when no response came) of a finished reply to `url`;
// `details` is Qt's own error string, kept at the end for the curious.
QString describeNetworkFailure(QNetworkReply::NetworkError error, int httpStatus, const QUrl& url,
                               const QString& details);

// True for failures after which the same request may well work (a broken
// connection, a timeout, a busy server), so a download keeps its partial file.
bool isTransientNetworkFailure(QNetworkReply::NetworkError error, int httpStatus);

}  // namespace ps
