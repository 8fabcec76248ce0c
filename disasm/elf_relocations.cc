// ElfRelocations: GOT slots and code relocations, read on first use (elf_relocations.h).
#include "disasm/elf_relocations.h"

#include <elf.h>

#include <algorithm>
#include <cstring>

#include "disasm/address_sort.h"

namespace deferlab::disasm::elf {

void ElfRelocations::read() const {
  std::call_once(read_, [this] {
    for (std::size_t i = 1; i < image_.section_count(); ++i) {
      if (image_.shdr(i).sh_type == SHT_RELA) read_section(i);
    }
    // The last relocation of a slot names it, as when they were assigned one by one
    // (sort_by_address keeps the reading order among equal addresses).
    std::vector<AddressKey> keys(got_slots_.size());
    for (std::uint32_t k = 0; k < keys.size(); ++k) keys[k] = {got_slots_[k].first, k};
    sort_by_address(keys);
    std::vector<std::pair<std::uint64_t, std::string_view>> last;
    last.reserve(got_slots_.size());
    for (const AddressKey& key : keys) {
      const auto& slot = got_slots_[key.second];
      if (!last.empty() && last.back().first == slot.first) {
        last.back() = slot;
      } else {
        last.push_back(slot);
      }
    }
    got_slots_ = std::move(last);
    for (auto& [section, relocs] : code_relocations_) {
      std::sort(relocs.begin(), relocs.end(), [](const CodeRelocation& a, const CodeRelocation& b) {
        return a.offset < b.offset;
      });
    }
  });
}

std::string_view ElfRelocations::symbol_name(const ElfSymbols::Table& table,
                                             std::size_t sym) const {
  const Elf64_Sym s = symbols_.symbol(table, sym);
  if (ELF64_ST_TYPE(s.st_info) != STT_SECTION) return symbols_.name(table, s);
  // A section symbol: the section's name (a view of the stored name, not a temporary).
  const std::size_t target = s.st_shndx;
  return target != 0 && target < image_.names.size() ? std::string_view(image_.names[target])
                                                     : std::string_view();
}

void ElfRelocations::read_section(std::size_t index) const {
  const bool x86 = image_.arch == Arch::kX86_64;
  const std::uint32_t jump_slot = x86 ? R_X86_64_JUMP_SLOT : R_AARCH64_JUMP_SLOT;
  const std::uint32_t glob_dat = x86 ? R_X86_64_GLOB_DAT : R_AARCH64_GLOB_DAT;
  const std::uint32_t abs64 = x86 ? R_X86_64_64 : R_AARCH64_ABS64;
  const std::uint32_t relative = x86 ? R_X86_64_RELATIVE : R_AARCH64_RELATIVE;
  const GElf_Shdr& s = image_.shdr(index);
  const std::string table = image_.section_name(index);
  if (s.sh_entsize != sizeof(Elf64_Rela) || s.sh_size % sizeof(Elf64_Rela) != 0) {
    image_.fail("relocation section " + table + " has entry size " + std::to_string(s.sh_entsize) +
                ", expected " + std::to_string(sizeof(Elf64_Rela)));
  }
  const std::span<const std::uint8_t> entries = image_.raw_section(index);
  // sh_link 0 is allowed for relocations without symbols (e.g. only R_*_RELATIVE).
  const ElfSymbols::Table* symbols = s.sh_link != 0 ? symbols_.table_at(s.sh_link) : nullptr;
  if (s.sh_link != 0 && (s.sh_link >= image_.section_count() || symbols == nullptr)) {
    image_.fail("relocation section " + table + " links to section " + std::to_string(s.sh_link) +
                ", which is not a symbol table");
  }
  const bool targets_code = image_.relocatable && s.sh_info > 0 &&
                            s.sh_info < image_.section_count() &&
                            (image_.shdr(s.sh_info).sh_flags & SHF_EXECINSTR) != 0;
  const std::size_t count = s.sh_size / sizeof(Elf64_Rela);
  // Locals, not members, in the loop: a library has hundreds of thousands of relocations.
  const bool relocatable = image_.relocatable;
  const auto [got_start, got_end] = image_.got;
  const std::uint8_t* const data = entries.data();
  // Most of a library's relocations (hundreds of thousands in libLLVM): RELATIVE ones
  // outside .got, which name nothing; skipped on their first two words.
  const std::uint64_t bare_relative = relocatable ? ~std::uint64_t{0} : ELF64_R_INFO(0, relative);
  for (std::size_t k = 0; k < count; ++k) {
    std::uint64_t head[2];  // r_offset, r_info
    std::memcpy(head, data + k * sizeof(Elf64_Rela), sizeof head);
    if (head[1] == bare_relative && head[0] - got_start >= got_end - got_start) continue;
    Elf64_Rela rela;
    std::memcpy(&rela, data + k * sizeof rela, sizeof rela);
    const std::size_t sym = ELF64_R_SYM(rela.r_info);
    const std::uint32_t type = ELF64_R_TYPE(rela.r_info);
    std::string_view name;
    if (sym != 0) {
      if (symbols == nullptr || sym >= symbols->count) {
        image_.fail("relocation " + std::to_string(k) + " of " + table + " refers to symbol " +
                    std::to_string(sym) + ", past the end of its symbol table");
      }
      name = symbol_name(*symbols, sym);
    }
    if (!relocatable) {
      if ((type == jump_slot || type == glob_dat || type == abs64) && !name.empty()) {
        got_slots_.emplace_back(rela.r_offset, name);
      } else if (type == relative && rela.r_offset >= got_start && rela.r_offset < got_end) {
        // A PIE's slots for its own functions carry no symbol, only the address as addend;
        // only slots of .got are called through, so vtables and other data are not named.
        if (const std::optional<SymbolRef> entry =
                symbols_.function_starting_at(static_cast<std::uint64_t>(rela.r_addend))) {
          got_slots_.emplace_back(rela.r_offset, entry->name);
        }
      }
      continue;
    }
    if (!targets_code || name.empty()) continue;
    CodeRelocation reloc;
    reloc.offset = rela.r_offset;
    reloc.type = type;
    reloc.symbol = std::string(name);
    reloc.addend = rela.r_addend;
    reloc.via_got = x86 ? (type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
                           type == R_X86_64_REX_GOTPCRELX)
                        : (type == R_AARCH64_ADR_GOT_PAGE || type == R_AARCH64_LD64_GOT_LO12_NC);
    code_relocations_[s.sh_info].push_back(std::move(reloc));
  }
}

std::optional<std::string_view> ElfRelocations::got_slot_symbol(std::uint64_t address) const {
  read();
  const auto it = std::lower_bound(got_slots_.begin(), got_slots_.end(), address,
                                   [](const std::pair<std::uint64_t, std::string_view>& s,
                                      std::uint64_t a) { return s.first < a; });
  if (it == got_slots_.end() || it->first != address) return std::nullopt;
  return it->second;
}

bool ElfRelocations::has_got_slots() const {
  read();
  return !got_slots_.empty();
}

const CodeRelocation* ElfRelocations::relocation_in(std::size_t section, std::uint64_t offset,
                                                    std::uint64_t size) const {
  read();
  const auto it = code_relocations_.find(section);
  if (it == code_relocations_.end()) return nullptr;
  const std::vector<CodeRelocation>& relocs = it->second;
  auto r = std::lower_bound(relocs.begin(), relocs.end(), offset,
                            [](const CodeRelocation& c, std::uint64_t o) { return c.offset < o; });
  if (r != relocs.end() && r->offset < offset + size) return &*r;
  return nullptr;
}

}  // namespace deferlab::disasm::elf
