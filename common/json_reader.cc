// Bounded reading and checked access of untrusted JSON documents (see json_reader.h).
#include "common/json_reader.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>

#include "common/error.h"
#include "common/text_escape.h"

namespace deferlab::json {
namespace {

// Sanitizing ////////////////////////////////////////////////////////////////////////////

// Copies one string body starting after its opening quote at text[i]; returns the index
// of the closing quote (or text.size() when the text ends inside the string).
std::size_t copy_string(std::string_view text, std::size_t i, std::string& out) {
  std::size_t run = i;  // start of bytes not yet copied
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"') break;
    if (c == '\\') {
      i += 2;  // the escaped character goes through as it is; the parser checks it
      continue;
    }
    if (c >= 0x20 && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (const std::size_t length = utf8_sequence_length(text, i); length > 0) {
        i += length;
        continue;
      }
    }
    out.append(text.data() + run, i - run);
    if (c < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += "\\ufffd";  // not UTF-8
    }
    run = ++i;
  }
  i = std::min(i, text.size());
  out.append(text.data() + run, i - run);
  return i;
}

}  // namespace

std::string sanitize(std::string_view text, const std::string& source, std::size_t max_depth) {
  std::string out;
  out.reserve(text.size() + 16);
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      out += c;
      i = copy_string(text, i + 1, out);
      if (i < text.size()) out += '"';
      continue;
    }
    if (c == '{' || c == '[') {
      if (++depth > max_depth) {
        throw Error("JSON nested deeper than " + std::to_string(max_depth) + " levels (at byte " +
                        std::to_string(i) + ")",
                    source, "no deferlab or Google Benchmark document nests that deep");
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    } else if (c == 'N' || c == 'I' || c == '-') {
      bool replaced = false;
      for (std::string_view token : {"-Infinity", "Infinity", "NaN"}) {
        if (text.substr(i, token.size()) == token) {
          out += "null";
          i += token.size() - 1;
          replaced = true;
          break;
        }
      }
      if (replaced) continue;
    }
    out += c;
  }
  return out;
}

nlohmann::json parse(std::string_view text, const std::string& source, const Limits& limits) {
  if (text.size() > limits.max_bytes) {
    throw Error("JSON document larger than " + std::to_string(limits.max_bytes >> 20) + " MiB",
                source, "deferlab reads documents up to that size");
  }
  nlohmann::json document = nlohmann::json::parse(sanitize(text, source, limits.max_depth), nullptr,
                                                  /*allow_exceptions=*/false);
  if (document.is_discarded()) throw Error("not a JSON file", source);
  return document;
}

nlohmann::json load_file(const std::filesystem::path& path, const Limits& limits) {
  std::error_code ec;
  const std::string name = path.string();
  if (!std::filesystem::exists(path, ec)) throw Error("no such file", name);
  if (std::filesystem::is_directory(path, ec)) throw Error("is a directory, not a JSON file", name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read file", name);
  // Read at most one byte past the limit: a FIFO or /dev/zero has no size to ask for.
  std::string text;
  char buffer[1 << 16];
  while (in && text.size() <= limits.max_bytes) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw Error("cannot read file", name);
  return parse(text, name, limits);
}

// Node ///////////////////////////////////////////////////////////////////////////////////

std::string describe(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return value.dump();
    default:
      return "a value of another kind";
  }
}

void Node::fail(std::string_view what) const {
  throw Error((path_.empty() ? std::string("top level") : path_) + ": " + std::string(what),
              source_->name, source_->hint);
}

void Node::require(bool ok, const char* expected) const {
  if (!ok) fail(std::string("expected ") + expected + ", got " + describe(*value_));
}

// Keys come from the document: plain ones are joined with '.', anything else is quoted
// with its control bytes escaped and cut to 40 bytes, so a message stays one line.
std::string Node::child_path(std::string_view key) const {
  bool plain = !key.empty() && key.size() <= 40;
  for (const char c : key) {
    const unsigned char u = static_cast<unsigned char>(c);
    plain = plain && (std::isalnum(u) || c == '_' || c == '-');
  }
  if (plain) return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  std::string quoted = path_ + "[\"";
  for (std::size_t i = 0; i < key.size() && i < 40; ++i) {
    const unsigned char u = static_cast<unsigned char>(key[i]);
    if (u < 0x20 || u == 0x7f || u == '"' || u == '\\') {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", u);
      quoted += escaped;
    } else {
      quoted += key[i];
    }
  }
  return quoted + (key.size() > 40 ? "...\"]" : "\"]");
}

Node Node::operator[](std::string_view key) const {
  if (std::optional<Node> member = find(key)) return *std::move(member);
  Node(*value_, *source_, child_path(key)).fail("missing");
}

std::optional<Node> Node::find(std::string_view key) const {
  require(value_->is_object(), "an object");
  const auto it = value_->find(key);
  if (it == value_->end()) return std::nullopt;
  return Node(*it, *source_, child_path(key));
}

bool Node::contains(std::string_view key) const {
  return find(key).has_value();
}

std::vector<std::pair<std::string, Node>> Node::members() const {
  require(value_->is_object(), "an object");
  std::vector<std::pair<std::string, Node>> out;
  out.reserve(value_->size());
  for (const auto& [key, value] : value_->items()) {
    out.emplace_back(key, Node(value, *source_, child_path(key)));
  }
  return out;
}

Node Node::operator[](std::size_t index) const {
  require(value_->is_array(), "an array");
  if (index >= value_->size()) fail("no element " + std::to_string(index));
  return Node((*value_)[index], *source_, path_ + "[" + std::to_string(index) + "]");
}

std::size_t Node::size() const {
  require(value_->is_array(), "an array");
  return value_->size();
}

std::vector<Node> Node::elements() const {
  require(value_->is_array(), "an array");
  std::vector<Node> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    out.push_back(Node((*value_)[i], *source_, path_ + "[" + std::to_string(i) + "]"));
  }
  return out;
}

std::string Node::string() const {
  require(value_->is_string(), "a string");
  return value_->get_ref<const std::string&>();
}

bool Node::boolean() const {
  require(value_->is_boolean(), "true or false");
  return value_->get<bool>();
}

double Node::number() const {
  require(value_->is_number(), "a number");
  const double value = value_->get<double>();
  require(std::isfinite(value), "a finite number");
  return value;
}

std::int64_t Node::integer(std::int64_t min, std::int64_t max) const {
  const std::string expected =
      "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  std::optional<std::int64_t> value;
  if (value_->is_number_unsigned()) {
    const std::uint64_t u = value_->get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      value = static_cast<std::int64_t>(u);
    }
  } else if (value_->is_number_integer()) {
    value = value_->get<std::int64_t>();
  } else if (value_->is_number_float()) {
    // 2^63 is exact as a double; anything in (-2^63, 2^63) converts without overflow.
    const double d = value_->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9223372036854775808.0) {
      value = static_cast<std::int64_t>(d);
    }
  }
  if (!value || *value < min || *value > max) require(false, expected.c_str());
  return *value;
}

std::uint64_t Node::unsigned_integer(std::uint64_t max) const {
  const std::string expected = max == UINT64_MAX ? std::string("a non-negative integer")
                                                 : "an integer in [0, " + std::to_string(max) + "]";
  std::optional<std::uint64_t> value;
  if (value_->is_number_unsigned()) {
    value = value_->get<std::uint64_t>();
  } else if (value_->is_number_integer()) {
    const std::int64_t i = value_->get<std::int64_t>();
    if (i >= 0) value = static_cast<std::uint64_t>(i);
  } else if (value_->is_number_float()) {
    const double d = value_->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && d >= 0 && d < 18446744073709551616.0) {
      value = static_cast<std::uint64_t>(d);
    }
  }
  if (!value || *value > max) require(false, expected.c_str());
  return *value;
}

std::string Node::string_or(std::string_view key, std::string fallback) const {
  const std::optional<Node> member = find(key);
  return member ? member->string() : std::move(fallback);
}

bool Node::boolean_or(std::string_view key, bool fallback) const {
  const std::optional<Node> member = find(key);
  return member ? member->boolean() : fallback;
}

std::int64_t Node::integer_or(std::string_view key, std::int64_t fallback, std::int64_t min,
                              std::int64_t max) const {
  const std::optional<Node> member = find(key);
  return member ? member->integer(min, max) : fallback;
}

std::uint64_t Node::unsigned_or(std::string_view key, std::uint64_t fallback,
                                std::uint64_t max) const {
  const std::optional<Node> member = find(key);
  return member ? member->unsigned_integer(max) : fallback;
}

std::uint64_t hex_address(const Node& value) {
  const std::string text = value.string();
  std::uint64_t result = 0;
  const char* begin = text.data() + (text.rfind("0x", 0) == 0 ? 2 : 0);
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(begin, end, result, 16);
  if (begin == end || ec != std::errc() || stop != end) value.fail("expected a hex address");
  return result;
}

}  // namespace deferlab::json
