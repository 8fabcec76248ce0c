// objdump's names for the addresses code refers to: every symbol of a file, of any type
// and size, by address, so that an address is named after the nearest symbol at or below
// it the way objdump -d names a PC-relative operand ("# 40cf <_IO_stdin_used+0xcf>").
//
//   const SymbolIndex index = SymbolIndex::read("build/cases/deferlab_bench");
//   if (const IndexedSymbol* s = index.at_or_below(0x1025c0)) ... s->name, 0x1025c0 - s->address
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deferlab::disasm {

struct IndexedSymbol {
  std::string name;  // as in the file: mangled, with any @VERSION the linker wrote
  std::uint64_t address = 0;
};

class SymbolIndex {
 public:
  // The symbols objdump -d sorts (binutils 2.40, objdump.c): those of .symtab, or of
  // .dynsym when there is no .symtab; named, defined, not section or file symbols, not
  // AArch64 mapping symbols ($x, $d). Among symbols at one address the first is the one
  // objdump prints: in .text, then functions, objects, non-local, global, larger, not
  // starting with '.', then by name. Empty when the file cannot be read as ELF (the
  // caller opened and checked it already; this is a second, read-only pass).
  static SymbolIndex read(const std::string& path);

  // The symbol objdump names `address` after, or null when no symbol lies at or below it.
  const IndexedSymbol* at_or_below(std::uint64_t address) const;

  bool empty() const { return symbols_.empty(); }

 private:
  std::vector<IndexedSymbol> symbols_;  // by address, objdump's preferred first at each
};

}  // namespace deferlab::disasm
