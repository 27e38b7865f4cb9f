// The server against the conventions OpenAI clients rely on: SSE framing
// (`data: {json}\n\n` per chunk, `data: [DONE]` last), whole answers with usage,
// JSON error objects, the API key, CORS preflight, and apps as APIs (JSON Schema
// of the inputs, inputs checked like the form). A scripted service stands in for
// the model, so these need no model file.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QFile>

#include <gtest/gtest.h>

#include "runner_test_support.h"
#include "server_test_support.h"

namespace ps {
namespace {

using test::bodyOf;
using test::headerOf;
using test::postRequest;
using test::rawRequest;
using test::statusOf;

QJsonObject jsonOf(const std::string& body) { return QJsonDocument::fromJson(QByteArray::fromStdString(body)).object(); }

// error.param or error.code of an OpenAI error answer.
std::string errorField(const std::string& answer, const char* field) {
    return jsonOf(bodyOf(answer)).value("error").toObject().value(QLatin1String(field)).toString().toStdString();
}

// The data of each event, checking that every event is exactly "data: ...\n\n".
std::vector<std::string> eventsOf(const std::string& stream) {
    std::vector<std::string> events;
    size_t at = 0;
    while (at < stream.size()) {
        EXPECT_EQ(stream.compare(at, 6, "data: "), 0) << "event at byte " << at << " of " << stream;
        const size_t end = stream.find("\n\n", at);
        if (end == std::string::npos) {
            ADD_FAILURE() << "unterminated event: " << stream.substr(at);
            break;
        }
        const std::string data = stream.substr(at + 6, end - at - 6);
        EXPECT_EQ(data.find('\n'), std::string::npos) << "one line per event: " << data;
        events.push_back(data);
        at = end + 2;
    }
    return events;
}

void expectErrorObject(const std::string& answer, int status, const char* type) {
    EXPECT_EQ(statusOf(answer), status) << answer;
    EXPECT_NE(headerOf(answer, "Content-Type").find("application/json"), std::string::npos) << answer;
    const QJsonObject error = jsonOf(bodyOf(answer)).value("error").toObject();
    EXPECT_FALSE(error.value("message").toString().isEmpty()) << answer;
    EXPECT_EQ(error.value("type").toString().toStdString(), type) << answer;
    EXPECT_TRUE(error.contains("param") && error.contains("code")) << answer;
}

class ServerConventionsTest : public ::testing::Test {
protected:
    void SetUp() override {
        service_ = std::make_shared<test::ScriptedService>(std::vector<std::string>{"Once", " upon", " a", " time"});
        ASSERT_TRUE(apps_.isValid());
        writeApp("story", R"(---
promptapp: 1
name: Story
kind: form
inputs:
  - name: hero
    label: Hero
    required: true
  - name: mood
    type: choice
    options: [happy, sad]
    default: happy
  - name: length
    type: number
    min: 1
    max: 10
  - name: rhymes
    type: boolean
parameters:
  max_tokens: 40
---
A {{ mood }} story about {{ hero }}.
)");
        server::ServerOptions options;
        options.appFolders = {apps_.path()};
        options.maxTokensCap = 100;
        server_ = test::startServer(service_, options);
        port_ = server_->port();
    }

    void writeApp(const QString& id, const char* text) {
        QFile file(apps_.filePath(id + ".promptapp"));
        ASSERT_TRUE(file.open(QIODevice::WriteOnly));
        file.write(text);
    }

    std::shared_ptr<test::ScriptedService> service_;
    QTemporaryDir apps_;
    std::unique_ptr<server::OpenAiServer> server_;
    int port_ = 0;
};

TEST_F(ServerConventionsTest, ListsTheModelAsOpenAiDoes) {
    const std::string answer = rawRequest(port_, "GET /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(statusOf(answer), 200) << answer;
    const QJsonObject list = jsonOf(bodyOf(answer));
    EXPECT_EQ(list.value("object").toString(), "list");
    const QJsonObject model = list.value("data").toArray().first().toObject();
    EXPECT_EQ(model.value("id").toString(), "scripted-model");
    EXPECT_EQ(model.value("object").toString(), "model");
}

TEST_F(ServerConventionsTest, StreamsChatAsServerSentEventsEndingWithDone) {
    const std::string answer = rawRequest(
        port_, postRequest("/v1/chat/completions",
                           R"({"model":"scripted-model","stream":true,"stream_options":{"include_usage":true},)"
                           R"("messages":[{"role":"user","content":"hi"}]})"));
    ASSERT_EQ(statusOf(answer), 200) << answer;
    EXPECT_EQ(headerOf(answer, "Content-Type"), "text/event-stream");
    const std::vector<std::string> events = eventsOf(bodyOf(answer));
    ASSERT_GE(events.size(), 4u);
    EXPECT_EQ(events.back(), "[DONE]");
    // First the role, then one chunk per piece, then finish_reason, then usage.
    const QJsonObject first = jsonOf(events.front());
    EXPECT_EQ(first.value("object").toString(), "chat.completion.chunk");
    EXPECT_EQ(first["choices"][0]["delta"]["role"].toString(), "assistant");
    QString text;
    QString finish;
    QJsonObject usage;
    for (size_t i = 0; i + 1 < events.size(); ++i) {
        const QJsonObject chunk = jsonOf(events[i]);
        EXPECT_EQ(chunk.value("id"), first.value("id")) << "one id for the whole answer";
        if (chunk.contains("usage")) usage = chunk.value("usage").toObject();
        const QJsonArray choices = chunk.value("choices").toArray();
        if (choices.isEmpty()) continue;
        text += choices[0]["delta"]["content"].toString();
        if (!choices[0]["finish_reason"].isNull()) finish = choices[0]["finish_reason"].toString();
    }
    EXPECT_EQ(text, "Once upon a time");
    EXPECT_EQ(finish, "stop");
    EXPECT_EQ(usage.value("completion_tokens").toInt(), 4);
}

TEST_F(ServerConventionsTest, AnswersWholeWhenNotStreamed) {
    const std::string answer =
        rawRequest(port_, postRequest("/v1/completions", R"({"prompt":"Once","max_tokens":5000,"temperature":0})"));
    ASSERT_EQ(statusOf(answer), 200) << answer;
    const QJsonObject completion = jsonOf(bodyOf(answer));
    EXPECT_EQ(completion.value("object").toString(), "text_completion");
    EXPECT_EQ(completion["choices"][0]["text"].toString(), "Once upon a time");
    EXPECT_EQ(completion["usage"]["completion_tokens"].toInt(), 4);
    // max_tokens above the cap is held to the cap; the prompt went as it was.
    ASSERT_EQ(service_->parameters().size(), 1u);
    EXPECT_EQ(service_->parameters()[0].maxTokens, 100);
    EXPECT_EQ(service_->parameters()[0].sampling.temperature, 0.0f);
    EXPECT_EQ(service_->inputs()[0].prompt, "Once");
}

TEST_F(ServerConventionsTest, RefusesBadRequestsWithJsonErrorObjectsNamingTheField) {
    expectErrorObject(rawRequest(port_, postRequest("/v1/chat/completions", "{\"messages\": [")), 400,
                      "invalid_request_error");
    const std::string wrongType = rawRequest(
        port_, postRequest("/v1/chat/completions", R"({"messages":[{"role":"user","content":"hi"}],"temperature":"hot"})"));
    expectErrorObject(wrongType, 400, "invalid_request_error");
    EXPECT_EQ(errorField(wrongType, "param"), "temperature");
    const std::string noMessages = rawRequest(port_, postRequest("/v1/chat/completions", R"({"model":"x"})"));
    EXPECT_EQ(errorField(noMessages, "param"), "messages");
    const std::string badRole = rawRequest(
        port_, postRequest("/v1/chat/completions", R"({"messages":[{"role":"wizard","content":"hi"}]})"));
    EXPECT_EQ(errorField(badRole, "param"), "messages[0].role");
    const std::string unknownModel = rawRequest(
        port_, postRequest("/v1/chat/completions", R"({"model":"gpt-9","messages":[{"role":"user","content":"hi"}]})"));
    expectErrorObject(unknownModel, 404, "invalid_request_error");
    EXPECT_EQ(errorField(unknownModel, "code"), "model_not_found");
    expectErrorObject(rawRequest(port_, "GET /v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 404,
                      "not_found_error");
    EXPECT_TRUE(service_->inputs().empty()) << "nothing bad reached the model";
}

TEST_F(ServerConventionsTest, AnswersCorsPreflightForLocalPagesOnly) {
    const std::string preflight = rawRequest(
        port_, "OPTIONS /v1/chat/completions HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: http://localhost:3000\r\n"
               "Access-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, content-type\r\n\r\n");
    EXPECT_EQ(statusOf(preflight), 204) << preflight;
    EXPECT_EQ(headerOf(preflight, "Access-Control-Allow-Origin"), "http://localhost:3000");
    EXPECT_NE(headerOf(preflight, "Access-Control-Allow-Methods").find("POST"), std::string::npos);
    EXPECT_NE(headerOf(preflight, "Access-Control-Allow-Headers").find("Authorization"), std::string::npos);
    // Without a key, a page from elsewhere must not read the answers.
    const std::string foreign = rawRequest(
        port_, "OPTIONS /v1/models HTTP/1.1\r\nHost: x\r\nConnection: close\r\nOrigin: https://evil.example\r\n\r\n");
    EXPECT_EQ(headerOf(foreign, "Access-Control-Allow-Origin"), "");
}

TEST_F(ServerConventionsTest, ListsAppsWithTheirInputsAsJsonSchema) {
    const std::string answer = rawRequest(port_, "GET /v1/apps HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    ASSERT_EQ(statusOf(answer), 200) << answer;
    const QJsonObject app = jsonOf(bodyOf(answer))["data"][0].toObject();
    EXPECT_EQ(app.value("id").toString(), "story");
    const QJsonObject schema = app.value("input_schema").toObject();
    EXPECT_EQ(schema["type"].toString(), "object");
    EXPECT_EQ(schema["required"].toArray(), QJsonArray{"hero"});
    EXPECT_EQ(schema["properties"]["mood"]["enum"].toArray(), (QJsonArray{"happy", "sad"}));
    EXPECT_EQ(schema["properties"]["length"]["type"].toString(), "number");
    EXPECT_EQ(schema["properties"]["length"]["maximum"].toDouble(), 10);
    EXPECT_EQ(schema["properties"]["rhymes"]["type"].toString(), "boolean");
    EXPECT_FALSE(schema["additionalProperties"].toBool(true));
}

TEST_F(ServerConventionsTest, RunsAnAppAndChecksItsInputsLikeTheForm) {
    const std::string answer =
        rawRequest(port_, postRequest("/v1/apps/story/run", R"({"inputs":{"hero":"a fox","length":3}})"));
    ASSERT_EQ(statusOf(answer), 200) << answer;
    EXPECT_EQ(jsonOf(bodyOf(answer))["choices"][0]["message"]["content"].toString(), "Once upon a time");
    ASSERT_EQ(service_->inputs().size(), 1u);
    EXPECT_EQ(service_->inputs()[0].messages.back().content, "A happy story about a fox.");
    EXPECT_EQ(service_->parameters()[0].maxTokens, 40) << "the app's own max_tokens";

    const auto paramOf = [&](const std::string& body) {
        const std::string refused = rawRequest(port_, postRequest("/v1/apps/story/run", body));
        EXPECT_EQ(statusOf(refused), 400) << refused;
        return errorField(refused, "param");
    };
    EXPECT_EQ(paramOf(R"({"inputs":{}})"), "inputs.hero");                               // required
    EXPECT_EQ(paramOf(R"({"inputs":{"hero":"x","mood":"angry"}})"), "inputs.mood");      // not an option
    EXPECT_EQ(paramOf(R"({"inputs":{"hero":"x","length":11}})"), "inputs.length");       // above max
    EXPECT_EQ(paramOf(R"({"inputs":{"hero":"x","length":"three"}})"), "inputs.length");  // wrong type
    EXPECT_EQ(paramOf(R"({"inputs":{"hero":"x","color":"red"}})"), "inputs.color");      // unknown
    EXPECT_EQ(paramOf(R"({"inputs":{"hero":["x"]}})"), "inputs.hero");
    EXPECT_EQ(service_->inputs().size(), 1u) << "refused runs never reach the model";
    expectErrorObject(rawRequest(port_, postRequest("/v1/apps/nope/run", "{}")), 404, "not_found_error");
}

TEST(ServerKeyTest, RequiresTheKeyButNotForPreflightAndRefusesToListenBeyondLoopbackWithout) {
    auto service = std::make_shared<test::ScriptedService>(std::vector<std::string>{"ok"});
    server::ServerOptions options;
    options.apiKey = "sesame";
    auto server = test::startServer(service, options);
    const std::string chat = R"({"messages":[{"role":"user","content":"hi"}]})";
    expectErrorObject(rawRequest(server->port(), postRequest("/v1/chat/completions", chat)), 401,
                      "authentication_error");
    expectErrorObject(rawRequest(server->port(), postRequest("/v1/chat/completions", chat,
                                                             "Authorization: Bearer sesamf\r\n")),
                      401, "authentication_error");
    EXPECT_EQ(statusOf(rawRequest(server->port(),
                                  postRequest("/v1/chat/completions", chat, "Authorization: Bearer sesame\r\n"))),
              200);
    EXPECT_EQ(statusOf(rawRequest(server->port(), "OPTIONS /v1/models HTTP/1.1\r\nHost: x\r\nConnection: "
                                                  "close\r\nOrigin: https://app.example\r\n\r\n")),
              204);

    server::ServerOptions open;
    open.host = "0.0.0.0";
    open.port = 0;
    server::OpenAiServer exposed(service, open);
    EXPECT_THROW(exposed.start(), server::ServerError);
}

}  // namespace
}  // namespace ps
