// The lexical pieces of the callgrind format and its name tables, for callgrind_parser.cc:
// tokens, numbers, and compressed names ("(12) main") resolved to stable indices.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "harness/callgrind_parser.h"

namespace deferlab::harness::callgrind_detail {

bool is_space(char c);
std::string_view trim(std::string_view s);
// Splits at spaces and tabs.
std::vector<std::string_view> tokens_of(std::string_view s);
// A decimal or 0x-hexadecimal number that fits 64 bits, or nullopt.
std::optional<std::uint64_t> parse_number(std::string_view s);
// "name'2" -> "name": callgrind marks recursion levels (--separate-recs) with a suffix.
std::string without_recursion_suffix(std::string_view name);

// A malformed line: the parser adds the file and the line number.
struct BadLine {
  std::string what;
};

// Compressed names and the indices of objects and functions in CallgrindNames, which
// outlive a parse (a combined dump defines a name once for every part).
class NameTables {
 public:
  enum class Kind { kObject, kFile, kFunction };

  explicit NameTables(CallgrindNames& names);

  // "(id) name", "(id)" or "name": the name, defining or looking up the id. Throws BadLine.
  std::string compressed(std::string_view value, Kind kind);
  std::uint32_t object_index(const std::string& path);
  std::uint32_t function_index(std::uint32_t object, const std::string& raw_name);

 private:
  CallgrindNames& names_;
  std::map<std::uint64_t, std::string> object_names_, file_names_, function_names_;
  std::map<std::string, std::uint32_t> object_ids_;
  std::map<std::pair<std::uint32_t, std::string>, std::uint32_t> function_ids_;
};

}  // namespace deferlab::harness::callgrind_detail
