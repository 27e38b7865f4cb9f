#pragma once
// Where a model file comes from: an `hf:OWNER/REPO/FILE.gguf` address or a URL,
// resolved to the URL to download the way Hugging Face's own tools do
// (HF_ENDPOINT for a mirror or a private hub, HF_TOKEN for gated repositories).
#include <QByteArray>
#include <QString>
#include <QUrl>

#include <optional>

namespace ps {

struct ModelSource {
    QUrl url;            // what to GET
    QString fileName;    // the name it is saved under ("Llama-3.2-1B-Instruct-Q4_K_M.gguf")
    QString repo;        // "OWNER/REPO" when it is a Hugging Face file, else empty
    QString pathInRepo;  // "FILE.gguf" or "folder/FILE.gguf" inside the repository
};

// $HF_ENDPOINT without a trailing slash, else https://huggingface.co.
QUrl huggingFaceEndpoint();
// $HF_TOKEN, empty when unset. Sent only to the endpoint's host, never to the
// download servers it redirects to.
QByteArray huggingFaceToken();

// {endpoint}/{OWNER/REPO}/resolve/{revision}/{path}, each segment percent-encoded.
QUrl huggingFaceResolveUrl(const QUrl& endpoint, const QString& repo, const QString& pathInRepo,
                           const QString& revision = QStringLiteral("main"));

// Parses what a person types or pastes:
//   hf:OWNER/REPO/FILE.gguf            (FILE may sit in folders: hf:o/r/q4/x.gguf)
//   {endpoint}/OWNER/REPO/resolve/main/FILE.gguf
//   {endpoint}/OWNER/REPO/blob/main/FILE.gguf   (the page of the file: downloads it)
//   any other http:// or https:// URL  (saved under its last path segment)
// Returns nullopt with `error` set to a sentence for anything else.
std::optional<ModelSource> parseModelSource(const QString& text, const QUrl& endpoint,
                                            QString* error = nullptr);

// A file name from a server is used as a name in a folder: no folders, no
// hidden files, no "..": true when `name` is safe to save under.
bool isSafeFileName(const QString& name);

}  // namespace ps
