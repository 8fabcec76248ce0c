// ElfSymbols: an ELF file's symbol tables read in place. Every table and every symbol is
// checked when the file is opened, without copying a name; the sorted function and data
// lists (one std::string per symbol) are built on first use only, so looking one name up
// in a library of tens of thousands of symbols reads their bytes and builds nothing else.
//
//   const ElfSymbols symbols(image);                     // checks, throws Error
//   std::vector<Symbol> f = symbols.functions_named("_Znwm");  // no index built
//   const Symbol* s = symbols.symbol_containing(0x401000);     // builds the index once
#pragma once

#include <elf.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "disasm/elf_image.h"
#include "disasm/object_file.h"

namespace deferlab::disasm::elf {

class ElfSymbols {
 public:
  // One SHT_SYMTAB or SHT_DYNSYM section, checked against the file.
  struct Table {
    std::size_t index = 0;  // section index
    bool dynamic = false;
    std::span<const std::uint8_t> entries;  // count Elf64_Sym
    std::span<const std::uint8_t> strings;  // its string table
    std::size_t count = 0;
  };

  // Checks every symbol table (.symtab first) and every symbol's name, section and extent;
  // throws Error naming the first bad one. Requires: `image` outlives this object.
  explicit ElfSymbols(const Image& image);

  bool has_symtab() const { return has_symtab_; }

  // The symbol table in section `index`, or null when that section is not one.
  const Table* table_at(std::size_t index) const;
  // Symbol `k` of `table` and its name (a view into the mapped string table).
  // Requires: k < table.count.
  Elf64_Sym symbol(const Table& table, std::size_t k) const;
  std::string_view name(const Table& table, const Elf64_Sym& sym) const;

  // Function symbols whose linkage name is `name`, as functions() lists them (same order,
  // same sizes), found by comparing names in place: no index is built unless one of them
  // has no size (its end is the next symbol's start).
  std::vector<Symbol> functions_named(std::string_view name) const;

  // Built on first use (thread-safe). Function symbols of executable sections sorted by
  // section then address, aliases in table order; sizeless ones run to the next symbol.
  const std::vector<Symbol>& functions() const;
  // A function (first) or sized data symbol containing `address`; not in .o files.
  const Symbol* symbol_containing(std::uint64_t address) const;
  // The function starting exactly at `address` (the first of its aliases), or null.
  const Symbol* function_starting_at(std::uint64_t address) const;

 private:
  enum class Kind { kSkip, kData, kFunction };
  struct Entry;  // a symbol as the index needs it, without a copy of its name

  void check_table(std::size_t index, bool dynamic);
  void check_symbol(const Table& table, std::size_t k) const;
  // What symbol `sym` is for the index. Requires: it passed check_symbol.
  Kind kind_of(const Elf64_Sym& sym, std::string_view name) const;
  bool symtab_has_function_at(std::size_t section, std::uint64_t address) const;
  void build() const;
  void collect(std::vector<Entry>& functions, std::vector<Entry>& data) const;
  void sort_entries(std::vector<Entry>& functions, std::vector<Entry>& data) const;
  void resolve_sizeless(std::vector<Entry>& functions) const;

  const Image& image_;
  std::vector<Table> tables_;  // .symtab tables first, then .dynsym: the reading order
  bool has_symtab_ = false;

  mutable std::once_flag built_;
  mutable std::vector<Symbol> functions_;
  mutable std::vector<Symbol> data_;               // sized, defined data symbols, by address
  mutable std::vector<const Symbol*> by_address_;  // functions, not in relocatable objects
};

}  // namespace deferlab::disasm::elf
