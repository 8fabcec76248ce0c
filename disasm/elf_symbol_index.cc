// ElfSymbols' index: the functions and data of the symbol tables sorted for address
// lookups, built on first use from views of the mapped string tables (elf_symbols.h).
#include <algorithm>
#include <cstring>
#include <numeric>
#include <tuple>

#include "disasm/address_sort.h"
#include "disasm/elf_symbols.h"
#include "disasm/quick_hash.h"

namespace deferlab::disasm::elf {
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

// Puts entries[keys[j].second] at position j, in place, cycle by cycle: a sorted copy
// would touch as much fresh memory again as the entries themselves.
template <class Entry>
void apply_order(std::vector<Entry>& entries, std::vector<AddressKey>& keys) {
  for (std::size_t j = 0; j < keys.size(); ++j) {
    if (keys[j].second == j) continue;
    // Entry j leaves; each place on the cycle takes its wanted entry until j's comes round.
    const Entry first = entries[j];
    std::size_t at = j;
    while (keys[at].second != j) {
      const std::size_t from = keys[at].second;
      entries[at] = entries[from];
      keys[at].second = static_cast<std::uint32_t>(at);  // done
      at = from;
    }
    entries[at] = first;
    keys[at].second = static_cast<std::uint32_t>(at);
  }
}

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
      // Checked when the table was read: the name starts inside the table and ends in a NUL.
      const char* text = reinterpret_cast<const char*>(t.strings.data() + sym.st_name);
      const Kind kind = kind_of(sym, text[0] != '\0');
      if (kind == Kind::kSkip) continue;
      const Entry entry{
          sym.st_value, sym.st_size, text, order++, static_cast<std::uint16_t>(sym.st_shndx),
          t.dynamic};
      if (kind == Kind::kData) {
        // Data: kept only to name PC-relative operands, once per name.
        if (!image_.relocatable && sym.st_size > 0 && data_names.insert(text)) {
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

// Functions by section, then address, then reading order. Sorted as (address, k) keys by
// address first: in a linked file the sections follow each other in address order, so
// that is already the section order, and a library's .dynsym (in hash order) is sorted in
// one pass; the stable sort by section is for files where it is not (and for .o files,
// whose sections all start at 0).
void ElfSymbols::sort_functions(std::vector<Entry>& functions) const {
  std::vector<AddressKey> keys(functions.size());
  for (std::uint32_t k = 0; k < keys.size(); ++k) keys[k] = {functions[k].address, k};
  sort_by_address(keys);  // entries are in reading order: ties stay in it
  const auto by_section = [&](const auto& a, const auto& b) {
    return functions[a.second].section < functions[b.second].section;
  };
  if (!std::is_sorted(keys.begin(), keys.end(), by_section)) {
    std::stable_sort(keys.begin(), keys.end(), by_section);
  }
  apply_order(functions, keys);
}

// Data by address, aliases at one address in reading order.
void ElfSymbols::sort_data(std::vector<Entry>& data) const {
  std::vector<AddressKey> keys(data.size());
  for (std::uint32_t k = 0; k < keys.size(); ++k) keys[k] = {data[k].address, k};
  sort_by_address(keys);
  apply_order(data, keys);
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

void ElfSymbols::build_index() const {
  collect(fn_, data_);
  sort_functions(fn_);
  sort_data(data_);
  resolve_sizeless(fn_);
  // Positions by address; a stable sort keeps aliases in functions() order. Empty when
  // functions() order is address order already (every linked file seen so far).
  const auto earlier = [this](std::uint32_t a, std::uint32_t b) {
    return fn_[a].address < fn_[b].address;
  };
  const bool in_order = std::is_sorted(
      fn_.begin(), fn_.end(), [](const Entry& a, const Entry& b) { return a.address < b.address; });
  if (!in_order) {
    by_address_.resize(fn_.size());
    std::iota(by_address_.begin(), by_address_.end(), 0u);
    std::stable_sort(by_address_.begin(), by_address_.end(), earlier);
  }
}

const std::vector<ElfSymbols::Entry>& ElfSymbols::index() const {
  std::call_once(indexed_, [this] { build_index(); });
  return fn_;
}

SymbolRef ElfSymbols::ref(std::size_t position) const {
  const Entry& e = fn_[position];
  return {e.name(), e.address, e.size, e.section, e.dynamic};
}

const std::vector<Symbol>& ElfSymbols::functions() const {
  std::call_once(functions_built_, [this] {
    functions_.reserve(index().size());
    for (std::size_t k = 0; k < fn_.size(); ++k) functions_.push_back(ref(k).to_symbol());
  });
  return functions_;
}

// Lookups ////////////////////////////////////////////////////////////////////////////////

namespace {

// A view of the function index in address order: fn_ itself, or through by_address_.
template <class Entries>
struct ByAddress {
  const Entries& fn;
  const std::vector<std::uint32_t>& order;
  std::size_t size() const { return fn.size(); }
  std::size_t position(std::size_t k) const { return order.empty() ? k : order[k]; }
  std::uint64_t address(std::size_t k) const { return fn[position(k)].address; }
  // The number of functions starting at or below `a` (upper_bound).
  std::size_t count_at_or_below(std::uint64_t a) const {
    std::size_t lo = 0, hi = size();
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      if (address(mid) <= a) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
};

}  // namespace

std::optional<SymbolRef> ElfSymbols::function_in_section(std::size_t section,
                                                         std::uint64_t address) const {
  const std::vector<Entry>& fn = index();
  const auto found = in_section_containing(fn, section, address);
  if (found == fn.end()) return std::nullopt;
  return ref(static_cast<std::size_t>(found - fn.begin()));
}

std::optional<SymbolRef> ElfSymbols::function_by_address(std::uint64_t address) const {
  const ByAddress<std::vector<Entry>> all{index(), by_address_};
  std::size_t k = all.count_at_or_below(address);
  if (k == 0) return std::nullopt;
  const std::uint64_t start = all.address(--k);
  while (k > 0 && all.address(k - 1) == start) --k;  // the first of its aliases
  const Entry& e = fn_[all.position(k)];
  if (address - e.address >= e.size) return std::nullopt;
  return ref(all.position(k));
}

std::optional<SymbolRef> ElfSymbols::symbol_containing(std::uint64_t address) const {
  if (image_.relocatable) return std::nullopt;
  const ByAddress<std::vector<Entry>> all{index(), by_address_};
  // Functions (by address) first, then data objects.
  if (const std::size_t k = all.count_at_or_below(address); k > 0) {
    const Entry& e = fn_[all.position(k - 1)];
    if (address - e.address < e.size) return ref(all.position(k - 1));
  }
  auto it = std::upper_bound(data_.begin(), data_.end(), address,
                             [](std::uint64_t a, const Entry& e) { return a < e.address; });
  if (it == data_.begin()) return std::nullopt;
  --it;
  if (address - it->address >= it->size) return std::nullopt;
  return SymbolRef{it->name(), it->address, it->size, it->section, it->dynamic};
}

std::optional<SymbolRef> ElfSymbols::function_starting_at(std::uint64_t address) const {
  const ByAddress<std::vector<Entry>> all{index(), by_address_};
  std::size_t k = all.count_at_or_below(address);
  if (k == 0 || all.address(k - 1) != address) return std::nullopt;
  while (k > 1 && all.address(k - 2) == address) --k;
  return ref(all.position(k - 1));
}

// objdump's names ////////////////////////////////////////////////////////////////////////

namespace {

// AArch64 mapping symbols ($x, $d, $x.12) mark code and data; objdump never names by them.
// `name` ends in a NUL, so each test stops at its end.
bool mapping_symbol(const char* name) {
  return name[0] == '$' && (name[1] == 'x' || name[1] == 'd') &&
         (name[2] == '\0' || name[2] == '.');
}

// "crt1.o": objdump sorts names ending .o / .a last.
bool file_like(std::string_view name) {
  const std::size_t n = name.size();
  return n > 2 && name[n - 2] == '.' && (name[n - 1] == 'o' || name[n - 1] == 'a');
}

}  // namespace

// Every symbol objdump sorts, as (address, k) keys; at each address only objdump's choice
// is kept, found by its compare_symbols rules among the few symbols sharing an address.
void ElfSymbols::build_nearest() const {
  // objdump reads .symtab, or the .dynsym when there is none (the last, were there several).
  for (const Table& t : tables_) {
    if (!t.dynamic) {
      nearest_table_ = &t;
      break;
    }
    nearest_table_ = &t;
  }
  if (nearest_table_ == nullptr) return;
  const Table& t = *nearest_table_;
  std::vector<AddressKey> keys;
  keys.reserve(t.count);
  for (std::size_t k = 1; k < t.count; ++k) {
    const Elf64_Sym sym = symbol(t, k);
    const unsigned type = ELF64_ST_TYPE(sym.st_info);
    if (type == STT_SECTION || type == STT_FILE || sym.st_shndx == SHN_UNDEF ||
        sym.st_shndx == SHN_COMMON) {
      continue;
    }
    const char* name = reinterpret_cast<const char*>(t.strings.data() + sym.st_name);
    if (name[0] == '\0' || mapping_symbol(name)) continue;
    keys.emplace_back(sym.st_value, static_cast<std::uint32_t>(k));
  }
  sort_by_address(keys);  // made in k order: ties stay in it
  // A sort key in which smaller sorts first, one field per rule of compare_symbols.
  const auto rank = [&](std::uint32_t k) {
    const Elf64_Sym sym = symbol(t, k);
    const unsigned type = ELF64_ST_TYPE(sym.st_info);
    const unsigned bind = ELF64_ST_BIND(sym.st_info);
    const std::string_view name = this->name(t, sym);
    // objdump prefers symbols of a section named .text.
    const bool in_text =
        sym.st_shndx < image_.names.size() && image_.names[sym.st_shndx] == ".text";
    return std::make_tuple(!in_text, file_like(name), !(type == STT_FUNC || type == STT_GNU_IFUNC),
                           !(type == STT_OBJECT || type == STT_COMMON), bind == STB_LOCAL,
                           bind != STB_GLOBAL, ~sym.st_size, name[0] == '.', name);
  };
  for (std::size_t first = 0; first < keys.size();) {
    std::size_t last = first + 1;
    std::uint32_t best = keys[first].second;
    for (; last < keys.size() && keys[last].first == keys[first].first; ++last) {
      if (rank(keys[last].second) < rank(best)) best = keys[last].second;
    }
    nearest_.emplace_back(keys[first].first, best);
    first = last;
  }
}

std::optional<IndexedSymbol> ElfSymbols::nearest_symbol(std::uint64_t address,
                                                        bool& has_any) const {
  std::call_once(nearest_built_, [this] { build_nearest(); });
  has_any = !nearest_.empty();
  auto it = std::upper_bound(nearest_.begin(), nearest_.end(), address,
                             [](std::uint64_t a, const auto& n) { return a < n.first; });
  if (it == nearest_.begin()) return std::nullopt;
  --it;
  const Elf64_Sym sym = symbol(*nearest_table_, it->second);
  return IndexedSymbol{std::string(name(*nearest_table_, sym)), it->first};
}

}  // namespace deferlab::disasm::elf
