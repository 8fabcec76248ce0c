// The one PLT decoder (plt_stubs.h).
#include "disasm/plt_stubs.h"

#include <vector>

#include "disasm/decoder.h"
#include "disasm/got_tracker.h"

namespace deferlab::disasm {

bool is_plt_section(std::string_view name) {
  return name == ".plt" || name == ".plt.sec" || name == ".plt.got" || name == ".iplt";
}

std::unordered_map<std::uint64_t, std::string> plt_stub_names(const ObjectFile& file) {
  std::unordered_map<std::uint64_t, std::string> names;
  const Decoder decoder(file.arch(), Syntax::kIntel);
  std::vector<Instruction> code;
  for (const Section& section : file.sections()) {
    if (!is_plt_section(section.name)) continue;
    code.clear();
    decoder.decode(file.section_bytes(section), section.address, code);
    GotTracker got;
    std::uint64_t entry = section.address;  // where the current stub starts
    for (std::size_t k = 0; k < code.size(); ++k) {
      const Instruction& in = code[k];
      got.step(in);
      if (file.arch() == Arch::kX86_64) {
        // endbr64; bnd jmp [rip + slot] (.plt.sec) or jmp [rip + slot] (.plt): the stub
        // starts at the endbr64 when there is one.
        entry = k > 0 && code[k - 1].mnemonic == "endbr64" ? code[k - 1].address : in.address;
      } else if (in.reg_def == RegDef::kConst) {
        entry = in.address;  // adrp x16, page; ldr x17, [x16, #off]; add ...; br x17
      }
      if (in.kind != InsnKind::kIndirectJump) continue;
      const std::optional<std::uint64_t> slot = got.slot_called(in);
      if (!slot) continue;
      if (const auto name = file.got_slot_symbol(*slot)) names.emplace(entry, *name + "@plt");
    }
  }
  return names;
}

}  // namespace deferlab::disasm
