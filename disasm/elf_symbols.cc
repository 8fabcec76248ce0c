// ElfSymbols: symbol tables checked and searched in place, their sorted index built on
// first use (see elf_symbols.h).
#include "disasm/elf_symbols.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

namespace deferlab::disasm::elf {

// The tables are read with memcpy: the file is little-endian (checked when it was opened).
static_assert(std::endian::native == std::endian::little, "ELF symbols are read in place");

namespace {

bool is_function_type(unsigned type) {
  return type == STT_FUNC || type == STT_GNU_IFUNC;
}

std::string hex(std::uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof text, "%llx", static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

ElfSymbols::ElfSymbols(const Image& image) : image_(image) {
  // .symtab first: when both exist, .dynsym only repeats part of it.
  for (const unsigned wanted : {SHT_SYMTAB, SHT_DYNSYM}) {
    for (std::size_t i = 1; i < image_.section_count(); ++i) {
      if (image_.shdr(i).sh_type == wanted) check_table(i, wanted == SHT_DYNSYM);
    }
  }
}

void ElfSymbols::check_table(std::size_t index, bool dynamic) {
  const GElf_Shdr& s = image_.shdr(index);
  const std::string table = image_.section_name(index);
  if (s.sh_entsize != sizeof(Elf64_Sym)) {
    image_.fail("symbol table " + table + " has entry size " + std::to_string(s.sh_entsize) +
                ", expected " + std::to_string(sizeof(Elf64_Sym)));
  }
  if (s.sh_size % sizeof(Elf64_Sym) != 0) {
    image_.fail("symbol table " + table + "'s size " + std::to_string(s.sh_size) +
                " is not a multiple of its entry size");
  }
  if (s.sh_link == 0 || s.sh_link >= image_.section_count() ||
      image_.shdr(s.sh_link).sh_type != SHT_STRTAB) {
    image_.fail("symbol table " + table + " links to section " + std::to_string(s.sh_link) +
                ", which is not a string table");
  }
  Table t;
  t.index = index;
  t.dynamic = dynamic;
  t.strings = image_.raw_section(s.sh_link);
  t.entries = image_.raw_section(index);  // the table itself lies within the file
  t.count = s.sh_size / sizeof(Elf64_Sym);
  if (!dynamic) has_symtab_ = true;
  for (std::size_t k = 0; k < t.count; ++k) check_symbol(t, k);
  tables_.push_back(t);
}

void ElfSymbols::check_symbol(const Table& t, std::size_t k) const {
  const Elf64_Sym sym = symbol(t, k);
  // A string table that ends in a NUL ends every name that starts inside it.
  const bool terminated = !t.strings.empty() && t.strings.back() == '\0';
  if (sym.st_name >= t.strings.size() ||
      (!terminated && std::memchr(t.strings.data() + sym.st_name, '\0',
                                  t.strings.size() - sym.st_name) == nullptr)) {
    image_.fail("symbol " + std::to_string(k) + " of " + image_.section_name(t.index) +
                ": its name lies past the end of the string table " +
                image_.section_name(image_.shdr(t.index).sh_link));
  }
  if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) return;
  // The name as a C string: only an error message needs its length.
  const char* name = reinterpret_cast<const char*>(t.strings.data() + sym.st_name);
  if (sym.st_shndx >= image_.section_count()) {
    image_.fail("symbol " + (name[0] == '\0' ? std::to_string(k) : std::string(name)) + " of " +
                image_.section_name(t.index) + ": section index " + std::to_string(sym.st_shndx) +
                " is out of range (" + std::to_string(image_.section_count()) + " sections)");
  }
  const unsigned type = ELF64_ST_TYPE(sym.st_info);
  if (type == STT_SECTION || type == STT_FILE || type == STT_TLS || name[0] == '\0') return;
  const GElf_Shdr& home = image_.shdr(sym.st_shndx);
  const std::uint64_t start = image_.relocatable ? 0 : home.sh_addr;
  const bool inside =
      sym.st_value >= start && fits_within(sym.st_value - start, sym.st_size, home.sh_size);
  if (!inside && (is_function_type(type) || sym.st_size > 0)) {
    image_.fail("symbol " + std::string(name) + " (" + std::to_string(sym.st_size) +
                " bytes at 0x" + hex(sym.st_value) + ") extends past the end of its section " +
                image_.section_name(sym.st_shndx));
  }
}

const ElfSymbols::Table* ElfSymbols::table_at(std::size_t index) const {
  for (const Table& t : tables_) {
    if (t.index == index) return &t;
  }
  return nullptr;
}

Elf64_Sym ElfSymbols::symbol(const Table& table, std::size_t k) const {
  Elf64_Sym sym;
  std::memcpy(&sym, table.entries.data() + k * sizeof(Elf64_Sym), sizeof sym);
  return sym;
}

std::string_view ElfSymbols::name(const Table& table, const Elf64_Sym& sym) const {
  // Checked when the table was read: the name starts inside the table and ends in a NUL.
  return reinterpret_cast<const char*>(table.strings.data() + sym.st_name);
}

ElfSymbols::Kind ElfSymbols::kind_of(const Elf64_Sym& sym, bool named) const {
  if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) return Kind::kSkip;
  const unsigned type = ELF64_ST_TYPE(sym.st_info);
  if (type == STT_SECTION || type == STT_FILE || type == STT_TLS || !named) {
    return Kind::kSkip;
  }
  const GElf_Shdr& home = image_.shdr(sym.st_shndx);
  const std::uint64_t start = image_.relocatable ? 0 : home.sh_addr;
  if (sym.st_value < start || !fits_within(sym.st_value - start, sym.st_size, home.sh_size)) {
    return Kind::kSkip;  // sizeless data just past its section (checked otherwise)
  }
  const bool in_code = (home.sh_flags & SHF_EXECINSTR) != 0;
  return is_function_type(type) && in_code ? Kind::kFunction : Kind::kData;
}

bool ElfSymbols::symtab_has_function_at(std::size_t section, std::uint64_t address) const {
  for (const Table& t : tables_) {
    if (t.dynamic) continue;
    for (std::size_t k = 0; k < t.count; ++k) {
      const Elf64_Sym sym = symbol(t, k);
      if (sym.st_shndx == section && sym.st_value == address &&
          kind_of(sym, t.strings[sym.st_name] != '\0') == Kind::kFunction) {
        return true;
      }
    }
  }
  return false;
}

std::vector<Symbol> ElfSymbols::functions_named(std::string_view wanted) const {
  std::vector<Symbol> found;
  for (const Table& t : tables_) {
    for (std::size_t k = 0; k < t.count; ++k) {
      const Elf64_Sym sym = symbol(t, k);
      // Compare in place: the first byte, then the rest with its terminating NUL.
      const std::size_t room = t.strings.size() - sym.st_name;
      const char* text = reinterpret_cast<const char*>(t.strings.data() + sym.st_name);
      if (wanted.empty() || text[0] != wanted[0] || room <= wanted.size() ||
          text[wanted.size()] != '\0' || std::memcmp(text, wanted.data(), wanted.size()) != 0 ||
          kind_of(sym, true) != Kind::kFunction) {
        continue;
      }
      if (t.dynamic && has_symtab_ && symtab_has_function_at(sym.st_shndx, sym.st_value)) {
        continue;  // named by .symtab
      }
      if (sym.st_size == 0) {
        // Its end is where the next symbol starts: that takes the whole index.
        found.clear();
        for (const Symbol& f : functions()) {
          if (f.name == wanted) found.push_back(f);
        }
        return found;
      }
      Symbol& f = found.emplace_back();
      f.name = std::string(wanted);
      f.address = sym.st_value;
      f.size = sym.st_size;
      f.section = sym.st_shndx;
      f.dynamic = t.dynamic;
    }
  }
  // The index's order: by section then address, table order among equals.
  std::stable_sort(found.begin(), found.end(), [](const Symbol& a, const Symbol& b) {
    return std::tie(a.section, a.address) < std::tie(b.section, b.address);
  });
  return found;
}

}  // namespace deferlab::disasm::elf
