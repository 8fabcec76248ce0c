// The table of architectures (arch.h).
#include "disasm/arch.h"

#include <elf.h>

#include <array>

namespace deferlab::disasm {
namespace {

constexpr std::array<ArchInfo, 2> kArchs = {{
    {Arch::kX86_64, "x86-64", CS_ARCH_X86, CS_MODE_64, EM_X86_64, "AMD64 / Intel 64", 1, ".byte",
     true, X86_REG_ENDING, "rip", false, &classify_x86_64},
    {Arch::kAArch64, "aarch64", CS_ARCH_ARM64, CS_MODE_ARM, EM_AARCH64,
     "ARMv8-A, 64-bit (little-endian)", 4, ".inst", false, ARM64_REG_ENDING, "", true,
     &classify_aarch64},
}};

}  // namespace

std::span<const ArchInfo> all_archs() {
  return kArchs;
}

const ArchInfo& arch_info(Arch arch) {
  for (const ArchInfo& info : kArchs) {
    if (info.arch == arch) return info;
  }
  return kArchs[0];  // unreachable: every Arch has an entry
}

const ArchInfo* arch_by_name(std::string_view name) {
  for (const ArchInfo& info : kArchs) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

const ArchInfo* arch_by_elf_machine(std::uint16_t machine) {
  for (const ArchInfo& info : kArchs) {
    if (info.elf_machine == machine) return &info;
  }
  return nullptr;
}

}  // namespace deferlab::disasm
