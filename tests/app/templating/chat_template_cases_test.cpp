// The 87 real chat-template cases in shared/chat-templates/cases.json (29 templates from
// popular models x 3 conversations), rendered as Hugging Face renders them. Every case
// must match byte for byte, or raise the expected error.
#include <gtest/gtest.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <set>

#include "support/shared_data.h"
#include "templating/chat_template.h"

namespace {

using ps::templating::ChatMessage;
using ps::templating::ChatTemplateOptions;
using ps::templating::TemplateError;

constexpr const char* kCasesFile = "chat-templates/cases.json";

struct ChatCase {
    std::string testName;  // template name + conversation, as a valid test name
    std::string templateName;
    std::string templateSource;
    std::vector<ChatMessage> messages;
    ChatTemplateOptions options;
    bool expectError = false;
    std::string expected;  // the output, or the error message
};

std::string sanitize(const std::string& text) {
    std::string out;
    for (char c : text) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (keep) out += c;
        else if (!out.empty() && out.back() != '_') out += '_';
    }
    while (!out.empty() && out.back() == '_') out.pop_back();
    return out;
}

// Read at test registration; an empty list makes the MissingFile test below report.
std::vector<ChatCase> loadCases() {
    QFile file(QString::fromStdString((ps::test::sharedDir() / kCasesFile).string()));
    if (!file.open(QIODevice::ReadOnly)) return {};
    const QJsonArray array = QJsonDocument::fromJson(file.readAll()).array();
    std::vector<ChatCase> cases;
    std::set<std::string> names;
    for (const QJsonValue& entry : array) {
        const QJsonObject object = entry.toObject();
        ChatCase c;
        c.templateName = object["name"].toString().toStdString();
        c.testName = sanitize(c.templateName + "_" + object["conversation"].toString().toStdString());
        while (!names.insert(c.testName).second) c.testName += "_";
        c.templateSource = object["template"].toString().toStdString();
        for (const QJsonValue& m : object["messages"].toArray()) {
            c.messages.push_back(ChatMessage{m["role"].toString().toStdString(),
                                             m["content"].toString().toStdString()});
        }
        c.options.bosToken = object["bos_token"].toString().toStdString();
        c.options.eosToken = object["eos_token"].toString().toStdString();
        c.options.addGenerationPrompt = object["add_generation_prompt"].toBool();
        c.expectError = object.contains("expected_error");
        c.expected = object[c.expectError ? "expected_error" : "expected"].toString().toStdString();
        cases.push_back(std::move(c));
    }
    return cases;
}

const std::vector<ChatCase>& allCases() {
    static const std::vector<ChatCase> cases = loadCases();
    return cases;
}

TEST(ChatTemplateCasesFile, IsPresentAndHoldsAllCases) {
    PS_REQUIRE_SHARED_FILE(path, kCasesFile);
    EXPECT_EQ(allCases().size(), 87u) << path;
}

class ChatTemplateCase : public ::testing::TestWithParam<ChatCase> {};

TEST_P(ChatTemplateCase, RendersLikeHuggingFace) {
    const ChatCase& c = GetParam();
    SCOPED_TRACE(c.templateName);
    if (c.expectError) {
        try {
            const std::string output = renderChatTemplate(c.templateSource, c.messages, c.options);
            FAIL() << "expected the error '" << c.expected << "', got output:\n" << output;
        } catch (const TemplateError& error) {
            EXPECT_TRUE(error.raisedByTemplate()) << error.what();
            EXPECT_EQ(error.message(), c.expected);
        }
        return;
    }
    try {
        EXPECT_EQ(renderChatTemplate(c.templateSource, c.messages, c.options), c.expected);
    } catch (const TemplateError& error) {
        FAIL() << "unexpected error: " << error.what();
    }
}

INSTANTIATE_TEST_SUITE_P(RealTemplates, ChatTemplateCase, ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<ChatCase>& info) {
                             return info.param.testName;
                         });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(ChatTemplateCase);

}  // namespace
