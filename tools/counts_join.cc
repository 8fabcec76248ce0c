// Joins profile counts to listings (see counts_join.h).
#include "tools/counts_join.h"

#include "harness/instruction_counts.h"

namespace deferlab::tools {

std::vector<std::string> join_counts(std::vector<disasm::AnnotatedFunction>& functions,
                                     const std::filesystem::path& binary,
                                     const std::filesystem::path& counts,
                                     const std::string& benchmark) {
  const std::vector<harness::InstructionCounts> sets =
      harness::read_instruction_counts(counts, binary);
  std::vector<std::string> notes;
  for (disasm::AnnotatedFunction& f : functions) {
    const harness::InstructionCounts* c = harness::counts_for_range(
        sets, f.range.address, f.range.address + f.range.size, benchmark, f.range.demangled);
    if (c == nullptr) {
      notes.emplace_back();
      continue;
    }
    for (disasm::AnnotatedInstruction& a : f.instructions) {
      const auto it = c->by_address.find(a.insn.address);
      if (it != c->by_address.end()) {
        a.heat = disasm::Heat{it->second.executions, it->second.per_iteration};
      }
    }
    notes.push_back(c->benchmark.empty() ? "executions in " + counts.filename().string()
                                         : "executions per iteration of " + c->benchmark + " (" +
                                               counts.filename().string() + ")");
  }
  return notes;
}

}  // namespace deferlab::tools
