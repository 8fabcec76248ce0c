// NameFilter: which mangled names could demangle to what a user typed, decided without
// demangling them. Every source identifier of a C++ name appears verbatim in its Itanium
// mangling ("llvm::AADepGraph::print()" in _ZN4llvm10AADepGraph5printEv); the words the
// demangler makes up ("unsigned", "std", "operator", "(anonymous namespace)", ...) do not,
// so they are never required. A lookup by demangled name or glob then demangles only the
// few names that hold every identifier of the query, not the tens of thousands of a big
// library's symbol table.
//
//   const NameFilter filter("llvm::AADepGraph::print()", false);
//   if (filter.may_match(symbol.name) && symbol.demangled() == query) ...
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "disasm/object_file.h"

namespace deferlab::disasm {

class NameFilter {
 public:
  // `glob`: the query is an fnmatch pattern, so an identifier next to * or ? may be a piece
  // of a longer one, and a bracket expression or an escape turns the filter off.
  NameFilter(std::string_view query, bool glob);

  // False only when `linkage` cannot demangle to a name the query matches: a mangled C++
  // name (_Z...) lacking one of the query's identifiers. Other names demangle to
  // themselves, so they always pass.
  bool may_match(std::string_view linkage) const;

  const std::vector<std::string>& required() const { return required_; }

 private:
  std::vector<std::string> required_;
};

// "ns::f(int)" -> "ns::f" (parameters dropped outside template arguments): what people type.
std::string base_name(const std::string& demangled);

// Up to three names of `file`'s functions closest to `query`, quoted for a one-line hint:
// names containing it first (shortest first), else the nearest by edit distance. Demangles
// every name: only for a query that matched nothing.
std::string closest_names(const ObjectFile& file, const std::string& query);

}  // namespace deferlab::disasm
