// ObjectFile's address lookups for a file without an index of its own: searches of
// functions() with the same answers ElfFile's index gives.
#include "disasm/object_file.h"

#include "disasm/address_sort.h"

#include <algorithm>
#include <utility>

namespace deferlab::disasm {

std::optional<SymbolRef> ObjectFile::function_in_section(std::size_t section,
                                                         std::uint64_t address) const {
  const std::vector<Symbol>& all = functions();
  const auto found = in_section_containing(all, section, address);
  if (found == all.end()) return std::nullopt;
  return SymbolRef::of(*found);
}

std::optional<SymbolRef> ObjectFile::function_by_address(std::uint64_t address) const {
  const Symbol* best = nullptr;
  for (const Symbol& s : functions()) {
    if (s.address <= address && (best == nullptr || s.address > best->address)) best = &s;
  }
  if (best == nullptr || address - best->address >= best->size) return std::nullopt;
  return SymbolRef::of(*best);
}

std::optional<IndexedSymbol> ObjectFile::nearest_symbol(std::uint64_t address) const {
  const std::optional<SymbolRef> s = symbol_containing(address);
  if (!s) return std::nullopt;
  return IndexedSymbol{std::string(s->name), s->address};
}

}  // namespace deferlab::disasm
