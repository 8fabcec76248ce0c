// DwarfLineTable: the LineTable of an ELF file, over libdw (one per thread: libdw's
// lookups are not thread-safe), holding its own Elf handle.
#pragma once

#include <dwarf.h>
#include <elfutils/libdw.h>

#include <filesystem>
#include <optional>
#include <string>

#include "disasm/elf_handles.h"
#include "disasm/object_file.h"

namespace deferlab::disasm::elf {

class DwarfLineTable final : public LineTable {
 public:
  DwarfLineTable(UniqueElf elf, UniqueDwarf dwarf)
      : elf_(std::move(elf)), dwarf_(std::move(dwarf)) {}

  std::optional<SourceLocation> lookup(std::uint64_t address) override {
    Dwarf_Die cu;
    if (dwarf_addrdie(dwarf_.get(), address, &cu) == nullptr) return std::nullopt;
    Dwarf_Line* line = dwarf_getsrc_die(&cu, address);
    if (line == nullptr) return std::nullopt;
    int number = 0;
    if (dwarf_lineno(line, &number) != 0 || number <= 0) return std::nullopt;
    const char* file = dwarf_linesrc(line, nullptr, nullptr);
    if (file == nullptr) return std::nullopt;
    return SourceLocation{resolved(cu, file), number};
  }

 private:
  // A relative file name (a build run from another directory, ccache's base_dir,
  // -fdebug-prefix-map=...=.) is relative to the unit's compilation directory, not to
  // wherever deferlab runs: join the two, as gdb and addr2line do.
  static std::string resolved(Dwarf_Die& cu, const char* file) {
    const std::filesystem::path path(file);
    if (path.is_absolute()) return file;
    Dwarf_Attribute attr;
    const char* dir = dwarf_formstring(dwarf_attr(&cu, DW_AT_comp_dir, &attr));
    if (dir == nullptr || *dir == '\0') return file;
    return (std::filesystem::path(dir) / path).lexically_normal().string();
  }

  UniqueElf elf_;  // kept alive for dwarf_
  UniqueDwarf dwarf_;
};

}  // namespace deferlab::disasm::elf
