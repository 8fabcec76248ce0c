// What the disassembler needs from a binary, whatever its format: architecture, code
// sections and their bytes, function symbols, and names for the addresses code refers to
// (PLT stubs, GOT slots, relocations). To support a new file type, implement this
// interface (ELF is elf_file.cc).
//
//   std::unique_ptr<ObjectFile> file = open_object_file("build/my_bench");
//   for (const Symbol& f : file->functions()) ...
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "disasm/arch.h"

namespace deferlab::disasm {

// abi::__cxa_demangle, or the name itself when it is not a mangled C++ name.
std::string demangle(const std::string& name);

struct Section {
  std::size_t index = 0;
  std::string name;
  std::uint64_t address = 0;  // for relocatable objects, 0: addresses are section offsets
  std::uint64_t size = 0;
  bool executable = false;
};

struct Symbol {
  std::string name;  // as in the file (mangled)
  std::uint64_t address = 0;
  std::uint64_t size = 0;  // never 0: sizeless symbols extend to the next one
  std::size_t section = 0;
  bool dynamic = false;  // from .dynsym only

  // abi::__cxa_demangle's form, or the name itself. Computed on first use, because a big
  // library has tens of thousands of symbols and one lookup needs none of them demangled;
  // not thread-safe: call it once on every symbol before sharing them across threads.
  const std::string& demangled() const {
    if (!demangled_ready_) {
      demangled_ = demangle(name);
      demangled_ready_ = true;
    }
    return demangled_;
  }

 private:
  mutable std::string demangled_;
  mutable bool demangled_ready_ = false;
};

// A symbol as an address lookup returns it, without a copy of its name: `name` views the
// file's string table (or a Symbol of functions()), valid as long as the ObjectFile.
struct SymbolRef {
  std::string_view name;
  std::uint64_t address = 0;
  std::uint64_t size = 0;
  std::size_t section = 0;
  bool dynamic = false;

  static SymbolRef of(const Symbol& s) { return {s.name, s.address, s.size, s.section, s.dynamic}; }
  Symbol to_symbol() const {
    Symbol s;
    s.name = std::string(name);
    s.address = address;
    s.size = size;
    s.section = section;
    s.dynamic = dynamic;
    return s;
  }
};

// What objdump -d names an address after ("# 40cf <_IO_stdin_used+0xcf>").
struct IndexedSymbol {
  std::string name;  // as in the file: mangled, with any @VERSION the linker wrote
  std::uint64_t address = 0;
};

// A relocation applied to code (relocatable objects): what the bytes at `offset` refer to.
struct CodeRelocation {
  std::uint64_t offset = 0;
  std::uint32_t type = 0;
  std::string symbol;
  std::int64_t addend = 0;
  bool via_got = false;  // the reference is to the symbol's GOT slot
};

struct SourceLocation {
  std::string file;  // a relative name in the table joined to its unit's comp_dir
  int line = 0;
};

// Address -> source line, from DWARF. Not thread-safe: one per thread.
class LineTable {
 public:
  virtual ~LineTable() = default;
  virtual std::optional<SourceLocation> lookup(std::uint64_t address) = 0;
};

class ObjectFile {
 public:
  virtual ~ObjectFile() = default;

  virtual const std::string& path() const = 0;
  virtual Arch arch() const = 0;
  // "executable", "pie-executable", "shared-library" or "relocatable"
  virtual std::string kind() const = 0;
  virtual std::string build_id() const = 0;   // hex, or "" when the file has none
  virtual bool has_symbol_table() const = 0;  // a .symtab (not only .dynsym)

  virtual const std::vector<Section>& sections() const = 0;
  // Whether the file has a section of this name, executable or not (e.g. a marker a
  // binary carries to say what it supports).
  virtual bool has_section(std::string_view name) const = 0;
  // Function symbols of executable sections, sorted by section then address.
  virtual const std::vector<Symbol>& functions() const = 0;
  // The function symbols whose linkage name is `name`, as functions() lists them. A file
  // may answer without building functions() (ElfFile compares names in place).
  virtual std::vector<Symbol> functions_named(std::string_view name) const {
    std::vector<Symbol> found;
    for (const Symbol& f : functions()) {
      if (f.name == name) found.push_back(f);
    }
    return found;
  }
  // The bytes of an executable section (checked against the file when it was opened).
  virtual std::span<const std::uint8_t> section_bytes(const Section& section) const = 0;

  // A hint that the code at [address, address + size) of `section` will not be read again
  // soon: a file that maps itself may drop those pages from memory (they are read back from
  // the file if they are). Whole-binary listings call it behind them, so the resident
  // part of a 50 MB .text stays small. The default does nothing.
  virtual void release_code(const Section& section, std::uint64_t address,
                            std::uint64_t size) const {
    (void)section, (void)address, (void)size;
  }

  // The synthetic name of a PLT stub at `address` ("malloc@plt").
  virtual std::optional<std::string> plt_name(std::uint64_t address) const = 0;
  // The symbol whose address a GOT slot at `address` holds ("malloc").
  virtual std::optional<std::string> got_slot_symbol(std::uint64_t address) const = 0;
  // The relocation that patches bytes [offset, offset + size) of a section, if any.
  virtual const CodeRelocation* relocation_in(std::size_t section, std::uint64_t offset,
                                              std::uint64_t size) const = 0;
  // Address lookups. A file may answer them from an index that copies no name (ElfFile
  // does: naming one function's call targets in a big library must not build functions());
  // the defaults search functions().
  //
  // The function of `section` containing `address`; of aliases, the last in functions()
  // order.
  virtual std::optional<SymbolRef> function_in_section(std::size_t section,
                                                       std::uint64_t address) const;
  // The function containing `address`, by address alone (sections ignored); of aliases at
  // one address, the first in functions() order, whose size decides.
  virtual std::optional<SymbolRef> function_by_address(std::uint64_t address) const;
  // A function (the last of its aliases) or sized data symbol containing `address`, for
  // PC-relative operands; none in relocatable objects.
  virtual std::optional<SymbolRef> symbol_containing(std::uint64_t address) const = 0;

  // The symbol objdump -d names `address` after: the nearest at or below it, of any type
  // or size, objdump's choice among several at one address (binutils 2.40, objdump.c:
  // .symtab, or .dynsym when there is none; in .text first, then functions, objects,
  // non-local, global, larger, not starting with '.', then by name). Thread-safe. The
  // default: the symbol containing the address.
  virtual std::optional<IndexedSymbol> nearest_symbol(std::uint64_t address) const;

  // A fresh line table (one per thread), or null when the file has no DWARF lines.
  virtual std::unique_ptr<LineTable> open_line_table() const = 0;
};

// Opens and validates `path`. Throws Error (with the path) for anything that is not a
// readable ELF64 little-endian x86-64 or AArch64 file, or whose headers, section table,
// symbol tables or relocations point outside the file.
std::unique_ptr<ObjectFile> open_object_file(const std::string& path);

}  // namespace deferlab::disasm
