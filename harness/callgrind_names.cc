// The callgrind format's tokens, numbers and name tables (callgrind_names.h).
#include "harness/callgrind_names.h"

#include <limits>

namespace deferlab::harness::callgrind_detail {
namespace {

// Compressed name ids are small integers; this bounds the tables a file can make us build.
constexpr std::uint64_t kMaxNameId = std::numeric_limits<std::uint32_t>::max();

}  // namespace

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> tokens_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<std::uint64_t> parse_number(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : s) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (base == 16 && c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (base == 16 && c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit < 0) return std::nullopt;
    if (__builtin_mul_overflow(value, static_cast<std::uint64_t>(base), &value) ||
        __builtin_add_overflow(value, static_cast<std::uint64_t>(digit), &value)) {
      return std::nullopt;
    }
  }
  return value;
}

std::string without_recursion_suffix(std::string_view name) {
  const std::size_t quote = name.rfind('\'');
  if (quote != std::string_view::npos && quote + 1 < name.size() && quote > 0) {
    bool digits = true;
    for (std::size_t i = quote + 1; i < name.size(); ++i) {
      digits = digits && name[i] >= '0' && name[i] <= '9';
    }
    if (digits) return std::string(name.substr(0, quote));
  }
  return std::string(name);
}

NameTables::NameTables(CallgrindNames& names) : names_(names) {
  if (names_.objects.empty()) names_.objects.emplace_back();  // 0: unknown object
  for (std::uint32_t i = 0; i < names_.objects.size(); ++i) object_ids_[names_.objects[i]] = i;
  for (std::uint32_t i = 0; i < names_.functions.size(); ++i) {
    function_ids_[{names_.functions[i].object, names_.functions[i].name}] = i;
  }
}

std::string NameTables::compressed(std::string_view value, Kind kind) {
  std::map<std::uint64_t, std::string>& table = kind == Kind::kObject ? object_names_
                                                : kind == Kind::kFile ? file_names_
                                                                      : function_names_;
  value = trim(value);
  if (value.size() < 2 || value[0] != '(' || value[1] < '0' || value[1] > '9') {
    return std::string(value);
  }
  const std::size_t close = value.find(')');
  if (close == std::string_view::npos) throw BadLine{"compressed name without ')'"};
  const std::optional<std::uint64_t> id = parse_number(value.substr(1, close - 1));
  if (!id || *id > kMaxNameId) throw BadLine{"bad compressed name id"};
  const std::string_view name = trim(value.substr(close + 1));
  const auto found = table.find(*id);
  if (name.empty()) {
    if (found == table.end())
      throw BadLine{"compressed name (" + std::to_string(*id) + ") is undefined"};
    return found->second;
  }
  if (found != table.end() && found->second != name) {
    throw BadLine{"compressed name (" + std::to_string(*id) + ") is redefined"};
  }
  table[*id] = std::string(name);
  return std::string(name);
}

std::uint32_t NameTables::object_index(const std::string& path) {
  const auto [it, added] =
      object_ids_.try_emplace(path, static_cast<std::uint32_t>(names_.objects.size()));
  if (added) names_.objects.push_back(path);
  return it->second;
}

std::uint32_t NameTables::function_index(std::uint32_t object, const std::string& raw_name) {
  std::string name = without_recursion_suffix(raw_name);
  const auto key = std::make_pair(object, name);
  const auto found = function_ids_.find(key);
  if (found != function_ids_.end()) return found->second;
  const auto index = static_cast<std::uint32_t>(names_.functions.size());
  names_.functions.push_back({object, std::move(name)});
  function_ids_.emplace(key, index);
  return index;
}

}  // namespace deferlab::harness::callgrind_detail
