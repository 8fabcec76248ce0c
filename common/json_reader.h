// Untrusted JSON documents (bench.json, cases.json, disasm.json, any file a user passes):
// read with bounds on size and nesting depth, then accessed through checked views that turn
// a missing field or a wrong type into an Error naming the file and the JSON path, so that
// no nlohmann exception (an internal error) can escape a reader.
//
//   const nlohmann::json document = json::load_file(path);  // Error: too big, too deep, not JSON
//   const json::Source source{path.string(), "regenerate it with deferlab run"};
//   const json::Node root(document, source);
//   for (const json::Node& f : root["functions"].elements())
//     f["instructions"][7]["loop_depth"].integer(0, 255);
//   // Error: "functions[3].instructions[7].loop_depth: expected an integer in [0, 255], got -1"
//
// A Node points into the document and at its Source: both must outlive it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deferlab::json {

// Deeper nesting than this is refused before a value is built: nlohmann's copy and
// destructor recurse once per level, and 100,000 levels overflow the stack. deferlab's own
// documents nest at most 7 levels; Google Benchmark's context is flat.
inline constexpr std::size_t kMaxDepth = 256;
// Larger files are refused before they are read: a parsed document takes about ten times
// its text in memory. A lab run's disasm.json is about 1 MiB; `disasm --all` is NDJSON.
inline constexpr std::uint64_t kMaxBytes = 256ull << 20;  // 256 MiB

struct Limits {
  std::size_t max_depth = kMaxDepth;
  std::uint64_t max_bytes = kMaxBytes;
};

// Makes text Google Benchmark 1.7.1 wrote parseable as strict JSON: its bare NaN, Infinity
// and -Infinity (the CV of a counter that is always 0) become null; raw control bytes inside
// strings, which its writer leaves unescaped in benchmark names, become \u00XX; bytes that
// are not UTF-8 become U+FFFD. Throws Error naming `source` when the nesting is deeper than
// `max_depth`. The result is JSON only when the input was, up to those repairs.
std::string sanitize(std::string_view text, const std::string& source,
                     std::size_t max_depth = kMaxDepth);

// sanitize() then parse; Error naming `source` when the text is too large, too deep or not
// JSON.
nlohmann::json parse(std::string_view text, const std::string& source, const Limits& limits = {});

// Reads a file and parse()s it; Error naming the file when it is missing, a directory,
// unreadable, larger than limits.max_bytes, too deep or not JSON.
nlohmann::json load_file(const std::filesystem::path& path, const Limits& limits = {});

// What a Node's errors name: the file (the Error's subject) and the advice (its hint).
struct Source {
  std::string name;
  std::string hint;
};

// A checked view of one value in a document, with its path from the root.
class Node {
 public:
  Node(const nlohmann::json& value, const Source& source) : value_(&value), source_(&source) {}

  // "architectures.x86-64.functions[3].loop_depth"; "" at the root.
  const std::string& path() const { return path_; }
  const nlohmann::json& raw() const { return *value_; }
  const Source& source() const { return *source_; }

  // Error("<path>: <what>", source.name, source.hint).
  [[noreturn]] void fail(std::string_view what) const;

  bool is_null() const { return value_->is_null(); }
  bool is_object() const { return value_->is_object(); }
  bool is_array() const { return value_->is_array(); }
  bool is_string() const { return value_->is_string(); }

  // Objects. operator[]: the member, Error when it is missing or this is not an object.
  // find: the member or nullopt when absent (Error when this is not an object).
  Node operator[](std::string_view key) const;
  std::optional<Node> find(std::string_view key) const;
  bool contains(std::string_view key) const;
  // Every member in document order, keys as the document spells them.
  std::vector<std::pair<std::string, Node>> members() const;

  // Arrays: Error when this is not one, or the index is out of range.
  Node operator[](std::size_t index) const;
  std::size_t size() const;
  std::vector<Node> elements() const;

  // Scalars: Error naming what was expected and what was there.
  std::string string() const;
  bool boolean() const;
  double number() const;  // finite; integers are read exactly up to 2^53
  std::int64_t integer(std::int64_t min, std::int64_t max) const;
  std::uint64_t unsigned_integer(std::uint64_t max = UINT64_MAX) const;

  // Optional members of an object: the fallback when absent; Error when present with
  // another type (null included: a writer that meant "absent" leaves the key out).
  std::string string_or(std::string_view key, std::string fallback) const;
  bool boolean_or(std::string_view key, bool fallback) const;
  std::int64_t integer_or(std::string_view key, std::int64_t fallback, std::int64_t min,
                          std::int64_t max) const;
  std::uint64_t unsigned_or(std::string_view key, std::uint64_t fallback,
                            std::uint64_t max = UINT64_MAX) const;

 private:
  Node(const nlohmann::json& value, const Source& source, std::string path)
      : value_(&value), source_(&source), path_(std::move(path)) {}

  void require(bool ok, const char* expected) const;
  std::string child_path(std::string_view key) const;

  const nlohmann::json* value_;
  const Source* source_;
  std::string path_;
};

// A short description of a JSON value's type for messages: "a string", "null", "-1".
std::string describe(const nlohmann::json& value);

// A string node holding a hex address ("0x1125" or "1125"); anything else fails the node
// ("expected a hex address").
std::uint64_t hex_address(const Node& value);

}  // namespace deferlab::json
