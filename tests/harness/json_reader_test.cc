// Tests common/json_reader.cc: the pre-pass repairs what Google Benchmark writes (NaN,
// raw control bytes) and nothing else, nesting and size are bounded before a value is
// built, and every typed read of a wrong value is an Error naming the file and the path.
#include <unistd.h>

#include "common/json_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/error.h"

namespace deferlab::json {
namespace {

// The message of the Error `f` throws, or "" when it throws none.
template <class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    return std::string(e.what()) + " (" + e.subject() + "); " + e.hint();
  }
  return "";
}

TEST(JsonSanitizeTest, NonFiniteTokensOutsideStringsBecomeNull) {
  EXPECT_EQ(sanitize(R"({"a": NaN, "b": [Infinity, -Infinity], "c": "NaN"})", "f"),
            R"({"a": null, "b": [null, null], "c": "NaN"})");
}

TEST(JsonSanitizeTest, RawControlBytesInStringsBecomeEscapes) {
  // Google Benchmark 1.7.1 writes a name with ESC or a newline as raw bytes.
  const nlohmann::json doc = parse("{\"name\": \"a\x1b[31mb\nc\"}", "f");
  EXPECT_EQ(doc["name"], "a\x1b[31mb\nc");
}

TEST(JsonSanitizeTest, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  const nlohmann::json doc = parse("[\"a\xff\xc0\x80 \xe2\x82\xac \xed\xa0\x80\"]", "f");
  // 0xff, an overlong NUL and a surrogate are not UTF-8; the euro sign is.
  EXPECT_EQ(doc[0],
            "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xe2\x82\xac "
            "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

TEST(JsonSanitizeTest, EscapesInStringsAreKept) {
  const std::string text = R"(["a\"[{NaN", "\\", "\u0041"])";
  EXPECT_EQ(sanitize(text, "f"), text);
}

TEST(JsonParseTest, NestingIsBoundedBeforeAnyValueIsBuilt) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  const std::string message = error_of([&] { parse(deep, "deep.json"); });
  EXPECT_NE(message.find("JSON nested deeper than 256 levels"), std::string::npos) << message;
  EXPECT_NE(message.find("(deep.json)"), std::string::npos) << message;
  // 256 levels are read; 257 are not.
  EXPECT_NO_THROW(parse(std::string(256, '[') + std::string(256, ']'), "f"));
  EXPECT_THROW(parse(std::string(257, '{') + std::string(257, '}'), "f"), Error);
  // Brackets inside strings are text.
  EXPECT_NO_THROW(parse("[\"" + std::string(1000, '[') + "\"]", "f"));
}

TEST(JsonParseTest, SizeIsBounded) {
  Limits limits;
  limits.max_bytes = 16;
  EXPECT_NO_THROW(parse("[1, 2, 3]", "f", limits));
  const std::string message = error_of([&] { parse("[1, 2, 3, 4, 5, 6, 7, 8, 9]", "f", limits); });
  EXPECT_NE(message.find("larger than"), std::string::npos) << message;
}

TEST(JsonParseTest, NotJsonIsAnError) {
  EXPECT_EQ(error_of([] { parse("{\"a\": ", "t.json"); }), "not a JSON file (t.json); ");
  EXPECT_EQ(error_of([] { parse("", "t.json"); }), "not a JSON file (t.json); ");
}

TEST(JsonLoadFileTest, MissingDirectoryAndEndlessFilesAreErrors) {
  EXPECT_NE(error_of([] { load_file("/nonexistent/x.json"); }).find("no such file"),
            std::string::npos);
  EXPECT_NE(error_of([] { load_file("/tmp"); }).find("is a directory"), std::string::npos);
  // /dev/zero has no end: reading stops one byte past the limit.
  Limits limits;
  limits.max_bytes = 1 << 20;
  EXPECT_NE(error_of([&] { load_file("/dev/zero", limits); }).find("larger than 1 MiB"),
            std::string::npos);
}

TEST(JsonLoadFileTest, ReadsAFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("deferlab_json_reader_test." + std::to_string(::getpid()) + ".json");
  std::ofstream(path) << R"({"x": [1, NaN]})";
  const nlohmann::json doc = load_file(path);
  std::filesystem::remove(path);
  EXPECT_EQ(doc["x"][0], 1);
  EXPECT_TRUE(doc["x"][1].is_null());
}

class JsonNodeTest : public testing::Test {
 protected:
  const Source source_{"doc.json", "fix it"};
  const nlohmann::json document_ = nlohmann::json::parse(
      R"({"a": {"b": [1, "x", -1, 1.5, 1e3, null, true]}, "arch": {"x86-64": 7}, "s": "t"})");
  const Node root_{document_, source_};
};

TEST_F(JsonNodeTest, TypedReadsReturnValues) {
  EXPECT_EQ(root_["a"]["b"][0].integer(0, 10), 1);
  EXPECT_EQ(root_["a"]["b"][4].unsigned_integer(), 1000u);  // 1e3 is an integral number
  EXPECT_EQ(root_["a"]["b"][2].integer(-5, 5), -1);
  EXPECT_DOUBLE_EQ(root_["a"]["b"][3].number(), 1.5);
  EXPECT_TRUE(root_["a"]["b"][6].boolean());
  EXPECT_EQ(root_["s"].string(), "t");
  EXPECT_EQ(root_.string_or("absent", "fallback"), "fallback");
  EXPECT_EQ(root_.unsigned_or("absent", 9), 9u);
  EXPECT_EQ(root_["a"]["b"].size(), 7u);
  EXPECT_EQ(root_["arch"].members().front().first, "x86-64");
}

TEST_F(JsonNodeTest, WrongTypesNameThePathAndTheFile) {
  EXPECT_EQ(error_of([&] { root_["a"]["b"][1].integer(0, 10); }),
            "a.b[1]: expected an integer in [0, 10], got a string (doc.json); fix it");
  EXPECT_EQ(error_of([&] { root_["a"]["b"][2].unsigned_integer(); }),
            "a.b[2]: expected a non-negative integer, got -1 (doc.json); fix it");
  EXPECT_EQ(error_of([&] { root_["a"]["b"][3].unsigned_integer(); }),
            "a.b[3]: expected a non-negative integer, got 1.5 (doc.json); fix it");
  EXPECT_EQ(error_of([&] { root_["a"]["b"][5].number(); }),
            "a.b[5]: expected a number, got null (doc.json); fix it");
  EXPECT_EQ(error_of([&] { root_["a"]["b"][0].integer(2, 3); }),
            "a.b[0]: expected an integer in [2, 3], got 1 (doc.json); fix it");
  EXPECT_EQ(error_of([&] { root_["a"]["c"]; }), "a.c: missing (doc.json); fix it");
  EXPECT_EQ(error_of([&] { root_["a"]["b"][7]; }), "a.b: no element 7 (doc.json); fix it");
  EXPECT_EQ(error_of([&] { root_["s"]["t"]; }),
            "s: expected an object, got a string (doc.json); fix it");
  EXPECT_EQ(error_of([&] { root_["arch"]["x86-64"].string(); }),
            "arch.x86-64: expected a string, got 7 (doc.json); fix it");
  // A member that is present with another type is an error, null included.
  EXPECT_EQ(error_of([&] { root_["a"].string_or("b", ""); }),
            "a.b: expected a string, got an array (doc.json); fix it");
  EXPECT_EQ(error_of([] {
              const nlohmann::json doc = {{"k", nullptr}};
              const Source source{"n.json", ""};
              Node(doc, source).boolean_or("k", false);
            }),
            "k: expected true or false, got null (n.json); ");
}

TEST_F(JsonNodeTest, HostileKeysStayOneLineInPaths) {
  const nlohmann::json doc = {{"a\nb\x1b", {{std::string(100, 'k'), 1}}}};
  const Node root(doc, source_);
  const std::string message = error_of([&] {
    for (const auto& [key, node] : root.members()) node.string();
  });
  EXPECT_EQ(message, "[\"a\\x0ab\\x1b\"]: expected a string, got an object (doc.json); fix it");
  const std::string long_key =
      error_of([&] { root.members().front().second.members().front().second.string(); });
  EXPECT_NE(long_key.find("[\"" + std::string(40, 'k') + "...\"]"), std::string::npos) << long_key;
}

}  // namespace
}  // namespace deferlab::json
