// ElfSymbols: symbol tables checked and searched in place, their sorted index built on
// first use (see elf_symbols.h).
#include "disasm/elf_symbols.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <functional>

#include "disasm/quick_hash.h"

namespace deferlab::disasm::elf {

// The tables are read with memcpy: the file is little-endian (checked when it was opened).
static_assert(std::endian::native == std::endian::little, "ELF symbols are read in place");

struct ElfSymbols::Entry {
  std::uint64_t address = 0;
  std::uint64_t size = 0;
  std::size_t section = 0;
  std::uint32_t order = 0;  // position in reading order: ties keep it (a stable sort)
  bool dynamic = false;
  std::string_view name;
};

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
  const std::string_view name = this->name(t, sym);
  if (sym.st_shndx >= image_.section_count()) {
    image_.fail("symbol " + (name.empty() ? std::to_string(k) : std::string(name)) + " of " +
                image_.section_name(t.index) + ": section index " + std::to_string(sym.st_shndx) +
                " is out of range (" + std::to_string(image_.section_count()) + " sections)");
  }
  const unsigned type = ELF64_ST_TYPE(sym.st_info);
  if (type == STT_SECTION || type == STT_FILE || type == STT_TLS || name.empty()) return;
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

ElfSymbols::Kind ElfSymbols::kind_of(const Elf64_Sym& sym, std::string_view name) const {
  if (sym.st_shndx == SHN_UNDEF || sym.st_shndx >= SHN_LORESERVE) return Kind::kSkip;
  const unsigned type = ELF64_ST_TYPE(sym.st_info);
  if (type == STT_SECTION || type == STT_FILE || type == STT_TLS || name.empty()) {
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
          kind_of(sym, name(t, sym)) == Kind::kFunction) {
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
          kind_of(sym, wanted) != Kind::kFunction) {
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

// The index ////////////////////////////////////////////////////////////////////////////

namespace {

// The names seen so far, in an open-addressed table of views: a set that allocates once,
// where std::unordered_set allocates a node per name.
class NameSet {
 public:
  explicit NameSet(std::size_t capacity) {
    std::size_t size = 16;
    while (size < 2 * capacity) size *= 2;
    slots_.assign(size, std::string_view());
  }
  // Requires: fewer insertions than the capacity given; `name` not empty.
  bool insert(std::string_view name) {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = quick_hash(name) & mask;; i = (i + 1) & mask) {
      if (slots_[i].empty()) {
        slots_[i] = name;
        return true;
      }
      if (slots_[i] == name) return false;
    }
  }

 private:
  std::vector<std::string_view> slots_;
};

}  // namespace

void ElfSymbols::collect(std::vector<Entry>& functions, std::vector<Entry>& data) const {
  std::vector<std::pair<std::size_t, std::uint64_t>> named_by_symtab;  // sorted after .symtab
  std::size_t symbols = 0;
  for (const Table& t : tables_) symbols += t.count;
  NameSet data_names(symbols);
  functions.reserve(symbols);
  std::uint32_t order = 0;
  for (const Table& t : tables_) {
    if (t.dynamic && has_symtab_) std::sort(named_by_symtab.begin(), named_by_symtab.end());
    for (std::size_t k = 0; k < t.count; ++k) {
      const Elf64_Sym sym = symbol(t, k);
      const std::string_view name = this->name(t, sym);
      const Kind kind = kind_of(sym, name);
      if (kind == Kind::kSkip) continue;
      const Entry entry{sym.st_value, sym.st_size, sym.st_shndx, order++, t.dynamic, name};
      if (kind == Kind::kData) {
        // Data: kept only to name PC-relative operands, once per name.
        if (!image_.relocatable && sym.st_size > 0 && data_names.insert(name)) {
          data.push_back(entry);
        }
        continue;
      }
      const std::pair<std::size_t, std::uint64_t> key{sym.st_shndx, sym.st_value};
      if (!t.dynamic) {
        named_by_symtab.push_back(key);
      } else if (has_symtab_ &&
                 std::binary_search(named_by_symtab.begin(), named_by_symtab.end(), key)) {
        continue;  // named by .symtab
      }
      functions.push_back(entry);
    }
  }
}

// Sizeless functions (hand-written assembly) run to the next symbol or the section's end;
// those still empty are dropped. Requires: `functions` sorted by section then address.
void ElfSymbols::resolve_sizeless(std::vector<Entry>& functions) const {
  for (std::size_t k = 0; k < functions.size(); ++k) {
    Entry& f = functions[k];
    if (f.size != 0) continue;
    const GElf_Shdr& home = image_.shdr(f.section);
    std::uint64_t end = (image_.relocatable ? 0 : home.sh_addr) + home.sh_size;
    for (std::size_t j = k + 1; j < functions.size(); ++j) {
      if (functions[j].section != f.section) break;
      if (functions[j].address > f.address) {
        end = functions[j].address;
        break;
      }
    }
    f.size = end > f.address ? end - f.address : 0;
  }
  std::erase_if(functions, [](const Entry& f) { return f.size == 0; });
}

// Functions by section, then address, then reading order (a stable sort); data by address
// alone, unstable on purpose: the same comparisons on the same sequence as when the index
// was built eagerly, so aliases at one address resolve as they always did. Sorted as
// 16-byte keys, names not copied yet: moving strings through a sort costs more than the
// rest of opening a library with tens of thousands of symbols.
void ElfSymbols::sort_entries(std::vector<Entry>& functions, std::vector<Entry>& data) const {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> keys(functions.size());
  for (std::uint32_t k = 0; k < keys.size(); ++k) keys[k] = {functions[k].address, k};
  // Entries are in reading order, so (address, index) orders one section's run stably.
  const auto by_section = [&](const auto& a, const auto& b) {
    return functions[a.second].section < functions[b.second].section;
  };
  if (!std::is_sorted(keys.begin(), keys.end(), by_section)) {
    std::stable_sort(keys.begin(), keys.end(), by_section);
  }
  for (std::size_t first = 0; first < keys.size();) {
    std::size_t last = first;
    const std::size_t section = functions[keys[first].second].section;
    while (last < keys.size() && functions[keys[last].second].section == section) ++last;
    std::sort(keys.begin() + static_cast<std::ptrdiff_t>(first),
              keys.begin() + static_cast<std::ptrdiff_t>(last));
    first = last;
  }
  std::vector<Entry> sorted;
  sorted.reserve(functions.size());
  for (const auto& key : keys) sorted.push_back(functions[key.second]);
  functions = std::move(sorted);

  keys.resize(data.size());
  for (std::uint32_t k = 0; k < keys.size(); ++k) keys[k] = {data[k].address, k};
  std::sort(keys.begin(), keys.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  sorted.clear();
  for (const auto& key : keys) sorted.push_back(data[key.second]);
  data = std::move(sorted);
}

void ElfSymbols::build() const {
  std::vector<Entry> functions;
  std::vector<Entry> data;
  collect(functions, data);
  sort_entries(functions, data);
  resolve_sizeless(functions);
  auto to_symbol = [](const Entry& e) {
    Symbol s;
    s.name = std::string(e.name);
    s.address = e.address;
    s.size = e.size;
    s.section = e.section;
    s.dynamic = e.dynamic;
    return s;
  };
  functions_.reserve(functions.size());
  for (const Entry& e : functions) functions_.push_back(to_symbol(e));
  data_.reserve(data.size());
  for (const Entry& e : data) data_.push_back(to_symbol(e));
  if (!image_.relocatable) {
    by_address_.reserve(functions_.size());
    for (const Symbol& f : functions_) by_address_.push_back(&f);
    std::sort(by_address_.begin(), by_address_.end(),
              [](const Symbol* a, const Symbol* b) { return a->address < b->address; });
  }
}

const std::vector<Symbol>& ElfSymbols::functions() const {
  std::call_once(built_, [this] { build(); });
  return functions_;
}

const Symbol* ElfSymbols::symbol_containing(std::uint64_t address) const {
  (void)functions();
  // Functions (by address) first, then data objects.
  auto f = std::upper_bound(by_address_.begin(), by_address_.end(), address,
                            [](std::uint64_t a, const Symbol* s) { return a < s->address; });
  if (f != by_address_.begin() && address < (*std::prev(f))->address + (*std::prev(f))->size) {
    return *std::prev(f);
  }
  auto it = std::upper_bound(data_.begin(), data_.end(), address,
                             [](std::uint64_t a, const Symbol& s) { return a < s.address; });
  if (it == data_.begin()) return nullptr;
  --it;
  return address < it->address + it->size ? &*it : nullptr;
}

const Symbol* ElfSymbols::function_starting_at(std::uint64_t address) const {
  (void)functions();
  const auto it = std::lower_bound(by_address_.begin(), by_address_.end(), address,
                                   [](const Symbol* s, std::uint64_t a) { return s->address < a; });
  return it != by_address_.end() && (*it)->address == address ? *it : nullptr;
}

}  // namespace deferlab::disasm::elf
