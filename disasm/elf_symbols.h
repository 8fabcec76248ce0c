// ElfSymbols: an ELF file's symbol tables read in place. Every table and every symbol is
// checked when the file is opened, without copying a name; the sorted function and data
// index (views into the string tables) is built on first use only, and the list of
// functions with a std::string per name only when asked for, so looking one name up in a
// library of tens of thousands of symbols and naming its calls copies no other name.
//
//   const ElfSymbols symbols(image);                     // checks, throws Error
//   std::vector<Symbol> f = symbols.functions_named("_Znwm");  // no index built
//   std::optional<SymbolRef> s = symbols.symbol_containing(0x401000);  // builds the index
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
  // One std::string per symbol: the lookups below never build it.
  const std::vector<Symbol>& functions() const;

  // ObjectFile's address lookups (object_file.h), answered from an index of the symbol
  // tables that copies no name, built once on first use (thread-safe).
  std::optional<SymbolRef> function_in_section(std::size_t section, std::uint64_t address) const;
  std::optional<SymbolRef> function_by_address(std::uint64_t address) const;
  std::optional<SymbolRef> symbol_containing(std::uint64_t address) const;
  // The function starting exactly at `address` (the first of its aliases).
  std::optional<SymbolRef> function_starting_at(std::uint64_t address) const;

  // The symbol objdump -d names `address` after (ObjectFile::nearest_symbol), from its own
  // index of .symtab (or .dynsym), built on first use. `has_any` is false when that table
  // has no symbol objdump would sort: the caller then falls back to symbol_containing().
  std::optional<IndexedSymbol> nearest_symbol(std::uint64_t address, bool& has_any) const;

 private:
  enum class Kind { kSkip, kData, kFunction };
  // A symbol as the index needs it, without a copy of its name: 32 bytes, its name's
  // length found only when the name is asked for. A library has tens of thousands, and
  // building the index for one symbol's listing was mostly touching fresh memory.
  struct Entry {
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    const char* text = nullptr;  // the name, NUL-terminated in its string table (checked)
    std::uint32_t order = 0;     // position in reading order: ties keep it (a stable sort)
    std::uint16_t section = 0;   // below SHN_LORESERVE (kind_of skips the others)
    bool dynamic = false;
    std::string_view name() const { return text; }
  };

  void check_table(std::size_t index, bool dynamic);
  void check_symbol(const Table& table, std::size_t k) const;
  // What symbol `sym` is for the index. Requires: it passed check_symbol.
  // `named`: its name is not empty.
  Kind kind_of(const Elf64_Sym& sym, bool named) const;
  bool symtab_has_function_at(std::size_t section, std::uint64_t address) const;
  void build_index() const;
  void collect(std::vector<Entry>& functions, std::vector<Entry>& data) const;
  void sort_functions(std::vector<Entry>& functions) const;
  void sort_data(std::vector<Entry>& data) const;
  void resolve_sizeless(std::vector<Entry>& functions) const;
  const std::vector<Entry>& index() const;
  SymbolRef ref(std::size_t position) const;  // of fn_
  void build_nearest() const;

  const Image& image_;
  std::vector<Table> tables_;  // .symtab tables first, then .dynsym: the reading order
  bool has_symtab_ = false;

  // The index: views into the string tables, no copies.
  mutable std::once_flag indexed_;
  mutable std::vector<Entry> fn_;                  // functions() order
  mutable std::vector<Entry> data_;                // sized, defined data symbols, by address
  mutable std::vector<std::uint32_t> by_address_;  // fn_ positions by address, aliases in order

  mutable std::once_flag functions_built_;
  mutable std::vector<Symbol> functions_;

  // objdump's choice at each address of its table: (address, symbol k of nearest_table_).
  mutable std::once_flag nearest_built_;
  mutable const Table* nearest_table_ = nullptr;
  mutable std::vector<std::pair<std::uint64_t, std::uint32_t>> nearest_;
};

}  // namespace deferlab::disasm::elf
