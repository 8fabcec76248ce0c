// PC-relative operands: their addresses (x86-64 rip + disp, AArch64 adrp pages completed
// by add / ldr) and objdump's names for them.
#include "disasm/references.h"

#include "disasm/names.h"

namespace deferlab::disasm {

std::optional<RegisterValues::Value> RegisterValues::value_of(int reg) const {
  const auto it = regs_.find(reg);
  if (it == regs_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint64_t> RegisterValues::referenced_address(const Instruction& i) const {
  switch (i.reg_def) {
    case RegDef::kConst:  // adrp / adr: the operand is the address
      return static_cast<std::uint64_t>(i.immediate);
    case RegDef::kAddImm:
    case RegDef::kLoad: {
      const std::optional<Value> base = value_of(i.base_reg);
      if (!base || base->loaded) return std::nullopt;
      return base->address + static_cast<std::uint64_t>(i.immediate);
    }
    case RegDef::kNone:
      break;
  }
  // x86-64 [rip + disp] and AArch64 literal loads carry their address already.
  return i.memory_address;
}

std::optional<std::uint64_t> RegisterValues::loaded_from(int reg) const {
  const std::optional<Value> v = value_of(reg);
  if (!v || !v->loaded) return std::nullopt;
  return v->address;
}

void RegisterValues::update(const Instruction& i) {
  if (i.is_call()) {
    forget_all();
    return;
  }
  if (i.reg_def == RegDef::kNone) return;
  const std::optional<std::uint64_t> address = referenced_address(i);
  if (!address) {
    regs_.erase(i.def_reg);
    return;
  }
  regs_[i.def_reg] = {i.reg_def == RegDef::kLoad, *address};
}

std::optional<Reference> name_reference(const ObjectFile& file, std::uint64_t address) {
  if (const auto slot = file.got_slot_symbol(address)) {
    return Reference{address, *slot, 0, true};
  }
  const std::optional<IndexedSymbol> s = file.nearest_symbol(address);
  if (!s) return std::nullopt;
  return Reference{address, s->name, static_cast<std::int64_t>(address - s->address), false};
}

std::string reference_display(const Reference& r) {
  // Keep a version the linker wrote into the name ("_ZSt4cout@GLIBCXX_3.4") after the
  // demangled part, as objdump -C does.
  const std::string base = linkage_name(r.symbol);
  const std::string version = r.symbol.substr(base.size());
  const std::string name = demangle_cached(base) + (r.got ? "@GOT" : version);
  return with_offset(name, static_cast<std::uint64_t>(r.offset));
}

}  // namespace deferlab::disasm
