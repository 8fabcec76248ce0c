// NameFilter: the identifiers a query requires of a mangled name; base_name and
// closest_names: the names a user meant (name_filter.h).
#include "disasm/name_filter.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include "disasm/selection.h"

namespace deferlab::disasm {
namespace {

// Words abi::__cxa_demangle writes that a mangled name spells as a code, not as text:
// builtin types, std:: abbreviations (St, Sa, Sb, Ss, Si, So, Sd), operators, casts,
// literals, and the phrases of special names, closures and clones.
constexpr std::array<std::string_view, 99> kMadeUpWords = {"void",
                                                           "wchar_t",
                                                           "bool",
                                                           "char",
                                                           "signed",
                                                           "unsigned",
                                                           "short",
                                                           "int",
                                                           "long",
                                                           "__int128",
                                                           "float",
                                                           "double",
                                                           "__float128",
                                                           "char8_t",
                                                           "char16_t",
                                                           "char32_t",
                                                           "decimal32",
                                                           "decimal64",
                                                           "decimal128",
                                                           "half",
                                                           "__bf16",
                                                           "_Sat",
                                                           "_Accum",
                                                           "_Fract",
                                                           "_Complex",
                                                           "_Imaginary",
                                                           "__vector",
                                                           "__pixel",
                                                           "decltype",
                                                           "nullptr",
                                                           "auto",
                                                           "std",
                                                           "allocator",
                                                           "basic_string",
                                                           "char_traits",
                                                           "basic_istream",
                                                           "basic_ostream",
                                                           "basic_iostream",
                                                           "string",
                                                           "istream",
                                                           "ostream",
                                                           "iostream",
                                                           "operator",
                                                           "new",
                                                           "delete",
                                                           "const",
                                                           "volatile",
                                                           "restrict",
                                                           "__restrict",
                                                           "transaction_safe",
                                                           "noexcept",
                                                           "throw",
                                                           "typeid",
                                                           "sizeof",
                                                           "alignof",
                                                           "__alignof__",
                                                           "this",
                                                           "true",
                                                           "false",
                                                           "const_cast",
                                                           "static_cast",
                                                           "dynamic_cast",
                                                           "reinterpret_cast",
                                                           "co_await",
                                                           "template",
                                                           "typename",
                                                           "requires",
                                                           "anonymous",
                                                           "namespace",
                                                           "lambda",
                                                           "unnamed",
                                                           "type",
                                                           "default",
                                                           "arg",
                                                           "parm",
                                                           "literal",
                                                           "clone",
                                                           "abi",
                                                           "non",
                                                           "virtual",
                                                           "thunk",
                                                           "to",
                                                           "covariant",
                                                           "return",
                                                           "construction",
                                                           "vtable",
                                                           "typeinfo",
                                                           "for",
                                                           "guard",
                                                           "variable",
                                                           "TLS",
                                                           "init",
                                                           "function",
                                                           "wrapper",
                                                           "reference",
                                                           "temporary",
                                                           "transaction",
                                                           "initializer",
                                                           "module"};

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

// Edit distance, with an early exit once every entry of a row exceeds `limit`.
std::size_t edit_distance(const std::string& a, const std::string& b, std::size_t limit) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    std::size_t best = row[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
      best = std::min(best, row[j]);
    }
    if (best > limit) return limit + 1;
  }
  return row[b.size()];
}

}  // namespace

// "ns::f(int)" -> "ns::f"; what people type.
std::string base_name(const std::string& demangled) {
  int depth = 0;
  for (std::size_t i = 0; i < demangled.size(); ++i) {
    const char c = demangled[i];
    if (c == '<') ++depth;
    if (c == '>') --depth;
    if (c == '(' && depth == 0 && i > 0) return demangled.substr(0, i);
  }
  return demangled;
}

std::string closest_names(const ObjectFile& file, const std::string& query) {
  std::vector<std::string> found;
  std::set<std::string> seen;
  // Names that contain what was typed come first, shortest first.
  std::vector<const Symbol*> containing;
  for (const Symbol& f : file.functions()) {
    if (f.demangled().find(query) != std::string::npos || f.name.find(query) != std::string::npos) {
      containing.push_back(&f);
    }
  }
  std::sort(containing.begin(), containing.end(), [](const Symbol* a, const Symbol* b) {
    return a->demangled().size() < b->demangled().size();
  });
  for (const Symbol* f : containing) {
    if (found.size() == 3) break;
    if (seen.insert(f->demangled()).second) found.push_back(f->demangled());
  }
  if (found.empty()) {
    std::vector<std::pair<std::size_t, std::string>> scored;
    const std::size_t limit = std::max<std::size_t>(3, query.size() / 3);
    for (const Symbol& f : file.functions()) {
      const std::size_t d = std::min(edit_distance(query, base_name(f.demangled()), limit),
                                     edit_distance(query, f.name, limit));
      if (d <= limit)
        scored.emplace_back(d,
                            f.demangled() == f.name ? f.name : f.demangled() + " [" + f.name + "]");
    }
    std::sort(scored.begin(), scored.end());
    for (const auto& [d, name] : scored) {
      if (found.size() == 3) break;
      if (seen.insert(name).second) found.push_back(name);
    }
  }
  return quoted_list(found, 3);
}

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
