// The parts of an ELF file that its readers share (elf_file.cc, elf_symbols.cc,
// elf_relocations.cc): the mapped bytes, every section header already checked against
// the file, the section names, and one way to fail that names the file.
#pragma once

#include <gelf.h>

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"
#include "disasm/arch.h"
#include "disasm/checked.h"

namespace deferlab::disasm::elf {

struct Image {
  std::string path;
  std::span<const std::uint8_t> bytes;  // the whole file, mapped
  Arch arch = Arch::kX86_64;
  bool relocatable = false;                           // ET_REL: addresses are section offsets
  std::vector<GElf_Shdr> headers;                     // every section header, index 0 included
  std::vector<std::string> names;                     // section names ("" for index 0)
  std::pair<std::uint64_t, std::uint64_t> got{0, 0};  // .got, [start, end)

  [[noreturn]] void fail(const std::string& what, const std::string& hint = {}) const {
    throw Error(what, path, hint);
  }

  std::size_t section_count() const { return headers.size(); }

  const GElf_Shdr& shdr(std::size_t index) const {
    if (index >= headers.size()) fail("cannot read section header " + std::to_string(index));
    return headers[index];
  }

  std::string section_name(std::size_t index) const {
    if (index == 0 || index >= names.size()) return "#" + std::to_string(index);
    return names[index];
  }

  // The bytes of a section, checked against the file (empty for SHT_NOBITS).
  std::span<const std::uint8_t> raw_section(std::size_t index) const {
    const GElf_Shdr& s = shdr(index);
    if (s.sh_type == SHT_NOBITS) return {};
    return checked_slice(bytes, s.sh_offset, s.sh_size, path, "section " + section_name(index));
  }
};

}  // namespace deferlab::disasm::elf
