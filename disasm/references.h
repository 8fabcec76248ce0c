// What PC-relative operands refer to, named the way objdump -d names them: x86-64
// [rip + disp]; AArch64 adrp, adr and literal ldr, and the add or ldr that completes an
// adrp's page with its low bits (adrp x0, page; add x0, x0, #0x123 -> page + 0x123).
//
//   RegisterValues regs;
//   for (const Instruction& i : code) {
//     if (auto address = regs.referenced_address(i)) ... name_reference(file, *address)
//     regs.update(i);
//   }
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "disasm/annotate.h"

namespace deferlab::disasm {

// AArch64: the addresses registers hold after adrp / adr / add / ldr, in address order
// within one function. Knowledge ends where paths join (a branch target: forget_all) and
// at calls, which may change any register the callee need not preserve.
class RegisterValues {
 public:
  // The address `i`'s operand refers to, from its own operands or a register an adrp set.
  // Call before update(i).
  std::optional<std::uint64_t> referenced_address(const Instruction& i) const;
  // The address a register was loaded from (a GOT slot: blr x17 after ldr x17, [x16, #off]).
  std::optional<std::uint64_t> loaded_from(int reg) const;
  void update(const Instruction& i);
  void forget_all() { regs_.clear(); }

 private:
  struct Value {
    bool loaded = false;  // the register holds the contents of `address`
    std::uint64_t address = 0;
  };
  std::optional<Value> value_of(int reg) const;
  std::map<int, Value> regs_;
};

// objdump's name for an address code refers to: a GOT slot after the symbol whose address
// it holds (reference.got), anything else after the nearest symbol at or below it.
// Null when no symbol lies below it.
std::optional<Reference> name_reference(const ObjectFile& file, std::uint64_t address);

// "std::cout@GLIBCXX_3.4+0x8", "operator delete(void*)@GOT": demangled, as a listing shows it.
std::string reference_display(const Reference& r);

}  // namespace deferlab::disasm
