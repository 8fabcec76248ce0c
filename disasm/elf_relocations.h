// ElfRelocations: what an ELF file's relocations say about its code, read on first use:
// which symbol each GOT slot holds (dynamic relocations of executables and libraries), and
// which symbol each patched byte range of code refers to (relocatable objects). A lookup
// of one function's few references should not pay for this, so nothing is read until a
// question is asked; a bad relocation section is an Error then.
//
//   const ElfRelocations relocations(image, symbols);
//   if (const auto name = relocations.got_slot_symbol(0x4018)) ...  // reads them once
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "disasm/elf_image.h"
#include "disasm/elf_symbols.h"
#include "disasm/object_file.h"

namespace deferlab::disasm::elf {

class ElfRelocations {
 public:
  // Requires: `image` and `symbols` outlive this object.
  ElfRelocations(const Image& image, const ElfSymbols& symbols)
      : image_(image), symbols_(symbols) {}

  // The symbol whose address the GOT slot at `address` holds. Thread-safe.
  std::optional<std::string_view> got_slot_symbol(std::uint64_t address) const;
  // Whether any GOT slot is named (a file without any has no PLT names either).
  bool has_got_slots() const;
  // The relocation patching bytes [offset, offset + size) of `section` (.o files).
  const CodeRelocation* relocation_in(std::size_t section, std::uint64_t offset,
                                      std::uint64_t size) const;

 private:
  void read() const;
  void read_section(std::size_t index) const;
  std::string_view symbol_name(const ElfSymbols::Table& table, std::size_t sym) const;

  const Image& image_;
  const ElfSymbols& symbols_;
  mutable std::once_flag read_;
  // Views into the mapped string tables, the section names and the function index.
  mutable std::vector<std::pair<std::uint64_t, std::string_view>> got_slots_;  // by address
  mutable std::map<std::size_t, std::vector<CodeRelocation>> code_relocations_;
};

}  // namespace deferlab::disasm::elf
