// The YAML writer: quoting only where needed, literal blocks that read back exactly.
#include <gtest/gtest.h>

#include <yaml-cpp/yaml.h>

#include "document/yaml_value.h"

namespace ps::yaml {
namespace {

// Writes `text` as a value and reads it back with yaml-cpp.
std::string roundTrip(const QString& text) {
    YamlValue map = YamlValue::map();
    map.insert("key", YamlValue::string(text));
    map.insert("after", YamlValue::string("x"));
    const QString written = emitMapBody(map);
    const YAML::Node node = YAML::Load(written.toStdString());
    EXPECT_EQ(node["after"].as<std::string>(), "x") << written.toStdString();
    EXPECT_EQ(node["key"].Tag() == "!" || resolvePlainScalar(QString::fromStdString(node["key"].Scalar())).typeId() == QMetaType::QString, true)
        << written.toStdString();
    return node["key"].Scalar();
}

TEST(YamlValue, StringsReadBackExactly) {
    const QStringList cases{
        "plain",       "true",         "yes",          "No",         "null",     "~",
        "42",          "-3.5e2",       "0x1F",         ".inf",       "",         " lead",
        "trail ",      "a: b",         "a #b",         "#x",         "- x",      "-x",
        "[x]",         "{x}",          "'q'",          "\"q\"",      "a\tb",     "ctrl\x01",
        "one\ntwo",    "one\ntwo\n",   "one\n\n\n",    "\nlead nl",  "  indented\nx", "x\n  \ny",
        "emoji 🦊",    "ü: ö",         "---",          "...",        "@at",      "`tick",
        "%pct",        "a,b",          "!bang",        "&amp",       "*star",    "|pipe",
        ">gt",         "?q",           "?",            ":",          "back\\slash", "\r\n",
    };
    for (const QString& text : cases) {
        EXPECT_EQ(roundTrip(text), text.toStdString()) << "case: " << text.toStdString();
    }
}

TEST(YamlValue, PlainWhereSafeAndLiteralBlocksForLines) {
    YamlValue map = YamlValue::map();
    map.insert("a", YamlValue::string("hello world"));
    map.insert("b", YamlValue::string("two\nlines\n"));
    map.insert("c", YamlValue::string("no final\nnewline"));
    map.insert("d", YamlValue::number(0.1));
    map.insert("e", YamlValue::string("0.1"));
    YamlValue list = YamlValue::list();
    list.append(YamlValue::string("x, y"));
    list.append(YamlValue::string("z"));
    map.insert("f", list);
    EXPECT_EQ(emitMapBody(map).toStdString(),
              "a: hello world\n"
              "b: |\n  two\n  lines\n"
              "c: |-\n  no final\n  newline\n"
              "d: 0.1\n"
              "e: \"0.1\"\n"
              "f: [\"x, y\", z]\n");
}

TEST(YamlValue, NodesKeepOrderAndPlainScalars) {
    const YamlValue value = YamlValue::fromYamlText("zeta: 1\nalpha: '2'\nlist:\n  - 0x10\n  - {b: yes}\n");
    EXPECT_EQ(emitDocument(value).toStdString(),
              "zeta: 1\nalpha: \"2\"\nlist:\n  - 0x10\n  - b: yes\n");
}

}  // namespace
}  // namespace ps::yaml
