// NameFilter: the identifiers a query requires of a mangled name (name_filter.h).
#include "disasm/name_filter.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace deferlab::disasm {
namespace {

// Words abi::__cxa_demangle writes that a mangled name spells as a code, not as text:
// builtin types, std:: abbreviations (St, Sa, Sb, Ss, Si, So, Sd), operators, casts,
// literals, and the phrases of special names, closures and clones.
constexpr std::array<std::string_view, 99> kMadeUpWords = {
    "void", "wchar_t", "bool", "char", "signed", "unsigned", "short", "int", "long",
    "__int128", "float", "double", "__float128", "char8_t", "char16_t", "char32_t",
    "decimal32", "decimal64", "decimal128", "half", "__bf16", "_Sat", "_Accum", "_Fract",
    "_Complex", "_Imaginary", "__vector", "__pixel", "decltype", "nullptr", "auto", "std",
    "allocator", "basic_string", "char_traits", "basic_istream", "basic_ostream",
    "basic_iostream", "string", "istream", "ostream", "iostream", "operator", "new",
    "delete", "const", "volatile", "restrict", "__restrict", "transaction_safe", "noexcept",
    "throw", "typeid", "sizeof", "alignof", "__alignof__", "this", "true", "false",
    "const_cast", "static_cast", "dynamic_cast", "reinterpret_cast", "co_await", "template",
    "typename", "requires", "anonymous", "namespace", "lambda", "unnamed", "type", "default",
    "arg", "parm", "literal", "clone", "abi", "non", "virtual", "thunk", "to", "covariant",
    "return", "construction", "vtable", "typeinfo", "for", "guard", "variable", "TLS", "init",
    "function", "wrapper", "reference", "temporary", "transaction", "initializer", "module"};

bool is_identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
}

bool is_made_up(std::string_view word) {
  if (word.rfind("_Float", 0) == 0) return true;
  return std::find(kMadeUpWords.begin(), kMadeUpWords.end(), word) != kMadeUpWords.end();
}

// A piece of a word (next to * or ?) that could also be a piece of a made-up word, or of
// a literal's suffix ("4ul"), proves nothing.
bool could_be_made_up(std::string_view piece) {
  if (piece.find_first_not_of("uUlL") == std::string_view::npos) return true;
  if (piece.rfind("Float", 0) == 0 || piece.rfind("_Float", 0) == 0) return true;
  return std::any_of(kMadeUpWords.begin(), kMadeUpWords.end(), [&](std::string_view word) {
    return word.find(piece) != std::string_view::npos;
  });
}

}  // namespace

NameFilter::NameFilter(std::string_view query, bool glob) {
  if (glob && query.find_first_of("[\\") != std::string_view::npos) return;
  for (std::size_t i = 0; i < query.size();) {
    if (!is_identifier_char(query[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < query.size() && is_identifier_char(query[end])) ++end;
    const std::string_view word = query.substr(i, end - i);
    const auto wildcard = [&](std::size_t at) {
      return glob && at < query.size() && (query[at] == '*' || query[at] == '?');
    };
    const bool piece = (i > 0 && wildcard(i - 1)) || wildcard(end);
    i = end;
    // Numbers (and their suffixes) may be made up: lambda and clone counters, literals.
    if (std::isdigit(static_cast<unsigned char>(word[0])) != 0) continue;
    if (piece ? could_be_made_up(word) : is_made_up(word)) continue;
    required_.emplace_back(word);
  }
}

bool NameFilter::may_match(std::string_view linkage) const {
  if (linkage.size() < 2 || linkage[0] != '_' || linkage[1] != 'Z') return true;
  return std::all_of(required_.begin(), required_.end(), [&](const std::string& word) {
    return linkage.find(word) != std::string_view::npos;
  });
}

}  // namespace deferlab::disasm
