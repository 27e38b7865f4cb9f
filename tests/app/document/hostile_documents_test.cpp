// Hostile .promptapp and .prompty files: YAML that nests without end, aliases that
// contain themselves or expand to billions of values, special files in place of a
// document, templates with syntax errors, apps with many inputs. Each is refused with
// a message, quickly, before anything walks an unbounded tree.
#include <gtest/gtest.h>

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

#include <sys/stat.h>

#include <chrono>

#include "document/bounded_yaml.h"
#include "document/promptapp.h"
#include "document/prompty.h"
#include "limits/input_file.h"
#include "limits/resource_limits.h"

namespace ps {
namespace {

using Clock = std::chrono::steady_clock;

// The time limits below catch quadratic or exponential work (minutes, not seconds);
// sanitizer builds run several times slower, so they get ten times the time.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kSlowdown = 10;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kSlowdown = 10;
#else
constexpr double kSlowdown = 1;
#endif
#else
constexpr double kSlowdown = 1;
#endif

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count() / kSlowdown;
}

QString app(const QString& yaml, const QString& body = QStringLiteral("Hello {{ name }}\n")) {
    return QStringLiteral("---\npromptapp: 1\nname: Test\n") + yaml + QStringLiteral("---\n") + body;
}

std::string errorsOf(const PromptAppLoadResult& result) { return result.errorText().toStdString(); }

bool refusedWith(const PromptAppLoadResult& result, const char* part) {
    return !result.errors.isEmpty() && result.errorText().contains(QString::fromUtf8(part));
}

// ---- YAML limits ---------------------------------------------------------------------------

TEST(HostileYaml, AnAliasInsideItsOwnAnchorIsRefused) {
    for (const QString& yaml : {QStringLiteral("x: &a [1, *a]\n"), QStringLiteral("x: &a {k: *a}\n"),
                                QStringLiteral("x: &a\n  - 1\n  - *a\n")}) {
        const auto loaded = parsePromptApp(app(yaml));
        EXPECT_TRUE(refusedWith(loaded, "alias refers to a value that contains it")) << errorsOf(loaded);
        const auto prompty = parsePrompty(QStringLiteral("---\nname: t\n") + yaml + "---\nhi\n");
        EXPECT_TRUE(refusedWith(prompty, "alias refers to a value that contains it")) << errorsOf(prompty);
    }
}

TEST(HostileYaml, BillionLaughsIsRefusedWithoutExpanding) {
    QString yaml = QStringLiteral("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 10; ++i) {
        yaml += QStringLiteral("a%1: &a%1 [").arg(i);
        for (int k = 0; k < 10; ++k) yaml += QStringLiteral("%1*a%2").arg(k ? ", " : "").arg(i - 1);
        yaml += "]\n";
    }
    const auto start = Clock::now();
    const auto loaded = parsePromptApp(app(yaml));
    EXPECT_TRUE(refusedWith(loaded, "once aliases are expanded")) << errorsOf(loaded);
    EXPECT_LT(secondsSince(start), 5.0);
}

TEST(HostileYaml, DeepNestingIsRefusedBeforeYamlCppRecurses) {
    const auto start = Clock::now();
    for (const QString& yaml : {QStringLiteral("x: ") + QString(200000, '[') + "\n",
                                QStringLiteral("x: ") + QString(200000, '{') + "\n",
                                QStringLiteral("x:\n") + QStringLiteral("- ").repeated(100000) + "1\n"}) {
        const auto loaded = parsePromptApp(app(yaml));
        EXPECT_TRUE(refusedWith(loaded, "nested deeper than the limit")) << errorsOf(loaded).substr(0, 300);
    }
    // Nested within the text limit but past the document's depth limit.
    const auto deep = parsePromptApp(app(QStringLiteral("x: ") + QString(100, '[') + QString(100, ']') + "\n"));
    EXPECT_TRUE(refusedWith(deep, "nested deeper than the limit")) << errorsOf(deep);
    EXPECT_LT(secondsSince(start), 10.0);
}

TEST(HostileYaml, TheNestingEstimateIgnoresTextAndCommentsAndKeepsRealFilesValid) {
    // Brackets in quotes, comments and block scalars do not nest.
    const std::string text = "a: '[[[[[[['\nb: \"{{{{{{\"\n# [[[[[[[[[[\nc: |\n  [[[[[[[[[[[[\n"
                             "  - - - - - - - -\nd: text with [ and { in it\n";
    EXPECT_LE(yaml::estimateYamlNesting(text), 3);
    EXPECT_GE(yaml::estimateYamlNesting("x: [[[[1]]]]\n"), 5);
    EXPECT_GE(yaml::estimateYamlNesting("- - - - x\n"), 4);
    // Aliases used the normal way still load.
    const auto loaded = parsePromptApp(app(QStringLiteral("x-shared: &s {a: 1}\nx-other: *s\n")));
    EXPECT_TRUE(loaded.loaded) << errorsOf(loaded);
}

// ---- files -------------------------------------------------------------------------------

TEST(HostileFiles, SpecialFilesAreRefusedWithoutBlocking) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString fifo = dir.filePath("pipe.promptapp");
    ASSERT_EQ(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
    const auto start = Clock::now();
    // No writer ever opens the pipe: a blocking open would wait forever.
    EXPECT_TRUE(refusedWith(loadPromptApp(fifo), "not a regular file (a named pipe)"));
    EXPECT_TRUE(refusedWith(loadPrompty(fifo), "not a regular file (a named pipe)"));
    EXPECT_TRUE(refusedWith(loadPromptApp("/dev/zero"), "not a regular file (a character device)"));
    EXPECT_TRUE(refusedWith(loadPromptApp(dir.path()), "not a regular file (a directory)"));
    EXPECT_LT(secondsSince(start), 5.0);

    QString error;
    EXPECT_FALSE(readInputFileBytes(fifo, &error).has_value());
    EXPECT_TRUE(error.contains("named pipe")) << error.toStdString();
}

TEST(HostileFiles, OversizedDocumentsAreRefusedBeforeReading) {
    QTemporaryDir dir;
    ASSERT_TRUE(dir.isValid());
    const QString path = dir.filePath("big.promptapp");
    QFile file(path);
    ASSERT_TRUE(file.open(QIODevice::WriteOnly));
    ASSERT_TRUE(file.resize(static_cast<qint64>(limits::kMaxDocumentFileBytes) + 1));  // sparse
    file.close();
    const auto loaded = loadPromptApp(path);
    EXPECT_TRUE(refusedWith(loaded, "over the limit")) << errorsOf(loaded);
}

// ---- templates and inputs ------------------------------------------------------------------

TEST(HostileApps, ValidationParsesTheTemplate) {
    const char* broken[] = {"{% if name %}unclosed", "{% raw %}unclosed", "{{ name | nosuchfilter }}",
                            "{% endif %}", "{% include 'x' %}"};
    for (const char* body : broken) {
        const auto loaded = parsePromptApp(app(QStringLiteral("inputs:\n  - name: name\n"), body));
        EXPECT_FALSE(loaded.errors.isEmpty()) << body;
    }
    // Macros the template defines are not inputs.
    const auto macros = parsePromptApp(
        app(QStringLiteral("inputs:\n  - name: name\n"),
            "{% macro greet(who) %}Hi {{ who }}{% endmacro %}{{ greet(name) }}\n"));
    EXPECT_TRUE(macros.errors.isEmpty()) << errorsOf(macros);
}

TEST(HostileApps, ManyInputsLoadInReasonableTime) {
    QString yaml = QStringLiteral("inputs:\n");
    for (int i = 0; i < 50000; ++i) yaml += QStringLiteral("  - name: n%1\n").arg(i);
    const auto start = Clock::now();
    const auto loaded = parsePromptApp(app(yaml, QStringLiteral("{{ n1 }} {{ missing }}\n")));
    EXPECT_TRUE(loaded.loaded);
    EXPECT_TRUE(refusedWith(loaded, "no input named 'missing'")) << errorsOf(loaded).substr(0, 300);
    EXPECT_LT(secondsSince(start), 15.0);

    // Past the value limit: refused from the text, before yaml-cpp builds 300k nodes.
    QString tooMany = QStringLiteral("inputs:\n");
    for (int i = 0; i < 110000; ++i) tooMany += QStringLiteral("  - name: n%1\n").arg(i);
    const auto quick = Clock::now();
    const auto refused = parsePromptApp(app(tooMany));
    EXPECT_TRUE(refusedWith(refused, "values once aliases are expanded")) << errorsOf(refused);
    EXPECT_LT(secondsSince(quick), 1.0);
}

}  // namespace
}  // namespace ps
