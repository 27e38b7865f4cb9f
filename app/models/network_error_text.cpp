#include "models/network_error_text.h"

#include <QObject>

namespace ps {

QString describeNetworkFailure(QNetworkReply::NetworkError error, int httpStatus, const QUrl& url,
                               const QString& details) {
    const QString host = url.host();
    QString text;
    switch (error) {
        case QNetworkReply::HostNotFoundError:
            text = QObject::tr("Cannot reach %1: the name was not found. Check that this "
                               "computer is online (or set HF_ENDPOINT to a mirror you can reach).")
                       .arg(host);
            break;
        case QNetworkReply::ConnectionRefusedError:
            text = QObject::tr("%1 refused the connection.").arg(host);
            break;
        case QNetworkReply::TimeoutError:
        case QNetworkReply::OperationCanceledError:
            text = QObject::tr("%1 stopped answering (timed out).").arg(host);
            break;
        case QNetworkReply::RemoteHostClosedError:
            text = QObject::tr("%1 closed the connection before the end.").arg(host);
            break;
        case QNetworkReply::NetworkSessionFailedError:
        case QNetworkReply::TemporaryNetworkFailureError:
        case QNetworkReply::UnknownNetworkError:
            text = QObject::tr("No network connection: this computer seems to be offline.");
            break;
        case QNetworkReply::SslHandshakeFailedError:
            text = QObject::tr("The secure connection to %1 failed.").arg(host);
            break;
        case QNetworkReply::ProxyConnectionRefusedError:
        case QNetworkReply::ProxyConnectionClosedError:
        case QNetworkReply::ProxyNotFoundError:
        case QNetworkReply::ProxyTimeoutError:
        case QNetworkReply::ProxyAuthenticationRequiredError:
            text = QObject::tr("The proxy server failed.");
            break;
        default:
            break;
    }
    if (text.isEmpty()) {
        if (httpStatus == 401 || httpStatus == 403) {
            text = QObject::tr("%1 refused access (HTTP %2). Gated models need you to accept their "
                               "licence on the model's page and a Hugging Face access token in "
                               "the HF_TOKEN environment variable.")
                       .arg(host)
                       .arg(httpStatus);
        } else if (httpStatus == 404) {
            text = QObject::tr("Not found on %1 (HTTP 404): check the owner, repository and file "
                               "names.")
                       .arg(host);
        } else if (httpStatus == 429) {
            text = QObject::tr("%1 asks to slow down (HTTP 429): try again in a minute.").arg(host);
        } else if (httpStatus >= 500) {
            text = QObject::tr("%1 has a problem of its own (HTTP %2): try again later.")
                       .arg(host)
                       .arg(httpStatus);
        } else if (httpStatus >= 400) {
            text = QObject::tr("%1 refused the request (HTTP %2).").arg(host).arg(httpStatus);
        } else {
            text = QObject::tr("The request to %1 failed.").arg(host);
            if (!details.isEmpty()) text += QStringLiteral(" (%1)").arg(details);
        }
    }
    return text;
}

bool isTransientNetworkFailure(QNetworkReply::NetworkError error, int httpStatus) {
    if (httpStatus == 429 || httpStatus >= 500) return true;
    switch (error) {
        case QNetworkReply::RemoteHostClosedError:
        case QNetworkReply::TimeoutError:
        case QNetworkReply::OperationCanceledError:
        case QNetworkReply::TemporaryNetworkFailureError:
        case QNetworkReply::NetworkSessionFailedError:
        case QNetworkReply::UnknownNetworkError:
        case QNetworkReply::ProxyConnectionClosedError:
        case QNetworkReply::ProxyTimeoutError:
            return true;
        default:
            return false;
    }
}

}  // namespace ps
