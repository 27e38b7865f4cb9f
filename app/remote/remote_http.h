#pragma once
// What the remote backend's calls share: an httplib client set up for an
// endpoint, and HTTP failures turned into sentences for people.
#include <httplib.h>

#include <QString>

#include <memory>
#include <string>

#include "remote/remote_endpoint.h"

namespace ps::remote_http {

std::unique_ptr<httplib::Client> makeClient(const RemoteEndpoint& endpoint);
httplib::Headers authorizationHeaders(const RemoteEndpoint& endpoint);

// A request that got no HTTP answer (refused, timed out, TLS), in words.
QString transportFailure(const RemoteEndpoint& endpoint, httplib::Error error, bool answerStarted);
// An HTTP answer other than 200, in words. `body` is the answer's text (an
// OpenAI error object, usually); `retryAfter` its Retry-After header.
QString statusFailure(const RemoteEndpoint& endpoint, int status, const std::string& body,
                      const std::string& retryAfter);
// The "message" of an OpenAI error object, or the text itself (shortened).
QString errorMessageOf(const std::string& body);

}  // namespace ps::remote_http
