// The template engine's errors and limits, app templates (strict variables, required
// inputs, the variables an editor asks for) and chat templates (the fallback for
// models without one, the system message merged for templates that refuse it).
#include <gtest/gtest.h>

#include "templating/app_template.h"
#include "templating/chat_template.h"
#include "templating/template.h"

namespace {

using namespace ps::templating;

// The TemplateError `body` throws; fails the test when it throws nothing.
template <typename Body>
TemplateError errorOf(Body&& body) {
    try {
        body();
    } catch (const TemplateError& error) {
        return error;
    }
    ADD_FAILURE() << "no TemplateError was thrown";
    return TemplateError("none", 0, 0);
}

std::string render(const std::string& source, const Value& context = Value(ValueMap{}),
                   TemplateOptions options = {}) {
    return Template::parse(source, options).render(context);
}

TEST(TemplateErrors, SyntaxErrorsNameTheirLineAndColumn) {
    const TemplateError unclosed = errorOf([] { render("line one\n{% if x %}\nno end"); });
    // Found at the end, naming what was expected and where the block opened.
    EXPECT_EQ(unclosed.line(), 3u) << unclosed.what();
    EXPECT_NE(unclosed.message().find("endif"), std::string::npos) << unclosed.what();
    EXPECT_NE(unclosed.message().find("opened at line 2"), std::string::npos) << unclosed.what();

    const TemplateError badExpression = errorOf([] { render("a\nb {{ 1 + }}"); });
    EXPECT_EQ(badExpression.line(), 2u) << badExpression.what();
    EXPECT_GT(badExpression.column(), 3u) << badExpression.what();

    const TemplateError unknownTag = errorOf([] { render("{% frobnicate %}"); });
    EXPECT_NE(std::string(unknownTag.what()).find("frobnicate"), std::string::npos)
        << unknownTag.what();
}

TEST(TemplateErrors, NoFileAccess) {
    for (const char* source : {"{% include 'secret.txt' %}", "{% extends 'base.html' %}",
                               "{% import 'macros.j2' as m %}"}) {
        const TemplateError error = errorOf([source] { render(source); });
        EXPECT_EQ(error.line(), 1u) << source;
    }
}

TEST(TemplateErrors, StrictUndefinedNamesTheVariable) {
    TemplateOptions strict;
    strict.strictUndefined = true;
    const TemplateError error =
        errorOf([&] { render("Hello\n  {{ naem }}!", Value(ValueMap{}), strict); });
    EXPECT_NE(error.message().find("naem"), std::string::npos) << error.what();
    EXPECT_EQ(error.line(), 2u);
    EXPECT_EQ(error.column(), 6u);  // the name itself
    // Asking whether it is defined, or giving a default, is fine.
    EXPECT_EQ(render("{{ naem is defined }}|{{ naem | default('x') }}", Value(ValueMap{}), strict),
              "False|x");
    // Lenient (Jinja's default, used for chat templates): prints nothing, is false.
    EXPECT_EQ(render("[{{ naem }}]{% if naem %}yes{% endif %}"), "[]");
}

TEST(TemplateLimits, LoopsAreBounded) {
    TemplateOptions options;
    options.maxLoopIterations = 1000;
    EXPECT_EQ(render("{% for i in range(1000) %}{% endfor %}done", Value(ValueMap{}), options),
              "done");
    const TemplateError error = errorOf([&] {
        render("{% for i in range(10) %}{% for j in range(200) %}{% endfor %}{% endfor %}",
               Value(ValueMap{}), options);
    });
    EXPECT_NE(error.message().find("loop"), std::string::npos) << error.what();
}

TEST(TemplateLimits, OutputIsBounded) {
    TemplateOptions options;
    options.maxOutputBytes = 1000;
    EXPECT_EQ(render("{{ 'x' * 1000 }}", Value(ValueMap{}), options).size(), 1000u);
    const TemplateError error = errorOf([&] {
        render("{% for i in range(100) %}0123456789abcdef{% endfor %}", Value(ValueMap{}), options);
    });
    EXPECT_NE(error.message().find("output"), std::string::npos) << error.what();
}

TEST(TemplateLimits, RecursionIsBounded) {
    const TemplateError error =
        errorOf([] { render("{% macro down(n) %}{{ down(n + 1) }}{% endmacro %}{{ down(0) }}"); });
    EXPECT_FALSE(error.message().empty());
}

TEST(TemplateErrors, RaiseExceptionIsTheTemplatesOwnMessage) {
    const TemplateError error =
        errorOf([] { render("{{ raise_exception('Roles must alternate') }}"); });
    EXPECT_TRUE(error.raisedByTemplate());
    EXPECT_EQ(error.message(), "Roles must alternate");
    const TemplateError other = errorOf([] { render("{{ 1 // 0 }}"); });
    EXPECT_FALSE(other.raisedByTemplate());
}

TEST(AppTemplate, UnknownVariableIsAnErrorNamingIt) {
    const TemplateError error = errorOf([] {
        renderAppTemplate(
            "Write about {{ topic }}\nfor {{ audeince }}.",
            std::map<std::string, std::string>{{"topic", "bees"}, {"audience", "kids"}});
    });
    EXPECT_NE(error.message().find("audeince"), std::string::npos) << error.what();
    EXPECT_EQ(error.line(), 2u);
    EXPECT_EQ(error.column(), 8u);
}

TEST(AppTemplate, MissingRequiredInputIsNamed) {
    AppTemplateOptions options;
    options.requiredInputs = {"topic"};
    const TemplateError blank = errorOf([&] {
        renderAppTemplate("About {{ topic }}.",
                          std::map<std::string, std::string>{{"topic", "   "}}, options);
    });
    EXPECT_NE(blank.message().find("missing required input 'topic'"), std::string::npos)
        << blank.what();
    EXPECT_EQ(blank.line(), 1u);
    const TemplateError absent = errorOf([&] {
        renderAppTemplate("About {{ topic }}.", std::map<std::string, std::string>{}, options);
    });
    EXPECT_NE(absent.message().find("'topic'"), std::string::npos) << absent.what();
    EXPECT_EQ(renderAppTemplate("About {{ topic }}.",
                                std::map<std::string, std::string>{{"topic", "owls"}}, options),
              "About owls.");
}

TEST(AppTemplate, BlockLinesLeaveNoBlankLines) {
    const std::string source =
        "Notes:\n"
        "{% if tone %}\n"
        "Tone: {{ tone | upper }}\n"
        "{% endif %}\n"
        "{% for item in items.split(',') %}\n"
        "- {{ item | trim }}\n"
        "{% endfor %}\n";
    EXPECT_EQ(renderAppTemplate(
                  source, std::map<std::string, std::string>{{"tone", "warm"}, {"items", "a, b"}}),
              "Notes:\nTone: WARM\n- a\n- b\n");
}

TEST(AppTemplate, QtInputsKeepTheirTypes) {
    const QString out = renderAppTemplate(
        "{{ count + 1 }} {{ 'yes' if flag else 'no' }} {{ tags | join(', ') }} "
        "{{ name | default('anon', true) }}",
        QVariantMap{
            {"count", 2}, {"flag", true}, {"tags", QStringList{"a", "b"}}, {"name", QString()}});
    EXPECT_EQ(out, "3 yes a, b anon");
}

TEST(AppTemplate, EditorsLearnTheVariablesAndTheirPositions) {
    const AppTemplateCheck check = checkAppTemplate(
        "{% set greeting = 'Hi' %}{{ greeting }} {{ name }}\n"
        "{% for t in topics %}{{ t }} {{ loop.index }}{% endfor %}{{ range(3) | list | length }}");
    ASSERT_TRUE(check.ok) << check.error;
    EXPECT_EQ(check.variables, (std::set<std::string>{"name", "topics"}));
    ASSERT_TRUE(check.firstUse.count("topics"));
    EXPECT_EQ(check.firstUse.at("topics").line, 2u);
    EXPECT_EQ(check.firstUse.at("topics").column, 13u);

    const AppTemplateCheck broken = checkAppTemplate("ok\n{% for x in %}");
    EXPECT_FALSE(broken.ok);
    EXPECT_EQ(broken.errorPosition.line, 2u);
    EXPECT_FALSE(broken.error.empty());
}

const std::vector<ChatMessage> kConversation{{"system", "Be brief."},
                                             {"user", "Hi"},
                                             {"assistant", " Hello! "},
                                             {"user", "Tell me a joke."}};

TEST(ChatTemplate, ModelsWithoutATemplateGetTheLlama2Fallback) {
    ChatTemplateOptions options;
    options.bosToken = "<s>";
    options.eosToken = "</s>";
    EXPECT_EQ(renderChatTemplate("", kConversation, options),
              "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello! </s><s>[INST] Tell me a "
              "joke. [/INST]");
    EXPECT_EQ(renderChatTemplate("  \n", {{"user", "Hi"}}, options), "<s>[INST] Hi [/INST]");
    EXPECT_EQ(renderChatTemplate(fallbackChatTemplate(), {{"user", "Hi"}}, options),
              "<s>[INST] Hi [/INST]");
    // Roles that do not alternate are refused with the template's message.
    const TemplateError error = errorOf([&] {
        renderChatTemplate("", {{"user", "a"}, {"user", "b"}}, options);
    });
    EXPECT_TRUE(error.raisedByTemplate()) << error.what();
}

// A template in the style of Mistral v0.2 and Gemma: no system role.
const char* kNoSystemTemplate =
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% "
    "endif %}"
    "{% if message['role'] == 'user' %}[U]{{ message['content'] }}{% else %}[A]{{ "
    "message['content'] }}{% endif %}"
    "{% endfor %}{% if add_generation_prompt %}[A]{% endif %}";

TEST(ChatTemplate, SystemMessageIsMergedWhenTheTemplateRefusesIt) {
    ChatTemplateOptions options;
    options.bosToken = "<s>";
    const std::vector<ChatMessage> messages{{"system", "Be brief."}, {"user", "Hi"}};
    const TemplateError refused =
        errorOf([&] { renderChatTemplate(kNoSystemTemplate, messages, options); });
    EXPECT_EQ(refused.message(), "System role not supported");
    EXPECT_EQ(renderChatTemplateMergingSystem(kNoSystemTemplate, messages, options),
              "<s>[U]Be brief.\n\nHi[A]");
    // Templates that take the system message are left alone.
    EXPECT_EQ(
        renderChatTemplateMergingSystem(
            "{% for m in messages %}{{ m.role }}:{{ m.content }};{% endfor %}", messages, options),
        "system:Be brief.;user:Hi;");
    // Other errors are not papered over.
    EXPECT_THROW(
        renderChatTemplateMergingSystem("{{ raise_exception('no') }}", {{"user", "Hi"}}, options),
        TemplateError);
}

TEST(ChatTemplate, MergeHelper) {
    const auto merged = mergeSystemIntoFirstUser(kConversation);
    ASSERT_EQ(merged.size(), 3u);
    EXPECT_EQ(merged[0].role, "user");
    EXPECT_EQ(merged[0].content, "Be brief.\n\nHi");
    const auto alone = mergeSystemIntoFirstUser({{"system", "Only this."}});
    ASSERT_EQ(alone.size(), 1u);
    EXPECT_EQ(alone[0].role, "user");
    EXPECT_EQ(alone[0].content, "Only this.");
}

TEST(ChatTemplate, RenderLimitsApply) {
    ChatTemplateOptions options;
    options.maxOutputBytes = 64;
    const std::vector<ChatMessage> longMessage{{"user", std::string(200, 'x')}};
    EXPECT_THROW(renderChatTemplate("{% for m in messages %}{{ m.content }}{% endfor %}",
                                    longMessage, options),
                 TemplateError);
}

}  // namespace
