// SymbolIndex: objdump's symbol order, read from an ELF file's .symtab or .dynsym.
#include "disasm/symbol_index.h"

#include "disasm/object_file.h"

#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <tuple>

namespace deferlab::disasm {
namespace {

// What objdump's compare_symbols looks at, besides the address.
struct Candidate {
  IndexedSymbol symbol;
  bool in_text = false;
  bool file_like = false;  // "crt1.o": objdump sorts names ending .o / .a last
  bool function = false;
  bool object = false;
  bool local = false;
  bool global = false;
  std::uint64_t size = 0;
};

// A sort key in which smaller sorts first, one field per rule of compare_symbols.
auto rank(const Candidate& c) {
  return std::make_tuple(c.symbol.address, !c.in_text, c.file_like, !c.function, !c.object, c.local,
                         !c.global, ~c.size, c.symbol.name[0] == '.');
}

bool file_like(const std::string& name) {
  const std::size_t n = name.size();
  return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'o' || name[n - 1] == 'a');
}

// AArch64 mapping symbols ($x, $d, $x.12) mark code and data; objdump never names by them.
bool mapping_symbol(const std::string& name) {
  return name.size() >= 2 && name[0] == '$' && (name[1] == 'x' || name[1] == 'd') &&
         (name.size() == 2 || name[2] == '.');
}

struct ElfCloser {
  void operator()(Elf* e) const { elf_end(e); }
};
struct FdCloser {
  int fd;
  ~FdCloser() {
    if (fd >= 0) close(fd);
  }
};

// The .symtab, or .dynsym when the file has none, as objdump -d takes them.
Elf_Scn* symbol_table(Elf* elf) {
  Elf_Scn* dynsym = nullptr;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr shdr{};
    if (gelf_getshdr(scn, &shdr) == nullptr) continue;
    if (shdr.sh_type == SHT_SYMTAB) return scn;
    if (shdr.sh_type == SHT_DYNSYM) dynsym = scn;
  }
  return dynsym;
}

std::vector<Candidate> candidates(Elf* elf, Elf_Scn* table) {
  std::vector<Candidate> out;
  GElf_Shdr shdr{};
  Elf_Data* data = elf_getdata(table, nullptr);
  std::size_t shstrndx = 0;
  if (gelf_getshdr(table, &shdr) == nullptr || data == nullptr || shdr.sh_entsize == 0 ||
      elf_getshdrstrndx(elf, &shstrndx) != 0) {
    return out;
  }
  const std::size_t count = shdr.sh_size / shdr.sh_entsize;
  for (std::size_t k = 1; k < count; ++k) {
    GElf_Sym sym{};
    if (gelf_getsym(data, static_cast<int>(k), &sym) == nullptr) continue;
    const unsigned type = GELF_ST_TYPE(sym.st_info);
    const unsigned bind = GELF_ST_BIND(sym.st_info);
    if (type == STT_SECTION || type == STT_FILE || sym.st_shndx == SHN_UNDEF ||
        sym.st_shndx == SHN_COMMON) {
      continue;
    }
    const char* name = elf_strptr(elf, shdr.sh_link, sym.st_name);  // null when out of range
    if (name == nullptr || name[0] == '\0') continue;
    Candidate c;
    c.symbol = {name, sym.st_value};
    if (mapping_symbol(c.symbol.name)) continue;
    if (sym.st_shndx < SHN_LORESERVE) {
      GElf_Shdr home{};
      Elf_Scn* scn = elf_getscn(elf, sym.st_shndx);
      const char* section = scn != nullptr && gelf_getshdr(scn, &home) != nullptr
                                ? elf_strptr(elf, shstrndx, home.sh_name)
                                : nullptr;
      c.in_text = section != nullptr && std::strcmp(section, ".text") == 0;
    }
    c.file_like = file_like(c.symbol.name);
    c.function = type == STT_FUNC || type == STT_GNU_IFUNC;
    c.object = type == STT_OBJECT || type == STT_COMMON;
    c.local = bind == STB_LOCAL;
    c.global = bind == STB_GLOBAL;
    c.size = sym.st_size;
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

SymbolIndex SymbolIndex::read(const std::string& path) {
  SymbolIndex index;
  if (elf_version(EV_CURRENT) == EV_NONE) return index;
  const FdCloser fd{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0) return index;
  const std::unique_ptr<Elf, ElfCloser> elf(elf_begin(fd.fd, ELF_C_READ_MMAP, nullptr));
  if (!elf || elf_kind(elf.get()) != ELF_K_ELF) return index;
  Elf_Scn* table = symbol_table(elf.get());
  if (table == nullptr) return index;
  std::vector<Candidate> found = candidates(elf.get(), table);
  std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    const auto ra = rank(a);
    const auto rb = rank(b);
    return ra != rb ? ra < rb : a.symbol.name < b.symbol.name;
  });
  index.symbols_.reserve(found.size());
  for (Candidate& c : found) index.symbols_.push_back(std::move(c.symbol));
  return index;
}

const IndexedSymbol* SymbolIndex::at_or_below(std::uint64_t address) const {
  auto it = std::upper_bound(symbols_.begin(), symbols_.end(), address,
                             [](std::uint64_t a, const IndexedSymbol& s) { return a < s.address; });
  if (it == symbols_.begin()) return nullptr;
  // The first of the symbols at that address is objdump's choice.
  const std::uint64_t at = std::prev(it)->address;
  it = std::lower_bound(symbols_.begin(), it, at,
                        [](const IndexedSymbol& s, std::uint64_t a) { return s.address < a; });
  return &*it;
}

std::optional<IndexedSymbol> ObjectFile::nearest_symbol(std::uint64_t address) const {
  std::call_once(symbol_index_.once, [&] {
    symbol_index_.index = std::make_shared<const SymbolIndex>(SymbolIndex::read(path()));
  });
  const SymbolIndex& index = *symbol_index_.index;
  if (const IndexedSymbol* s = index.at_or_below(address)) return *s;
  if (!index.empty()) return std::nullopt;
  if (const Symbol* s = symbol_containing(address)) return IndexedSymbol{s->name, s->address};
  return std::nullopt;
}

}  // namespace deferlab::disasm
