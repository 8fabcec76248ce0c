// Annotation of one function: decode, name calls and references, tag, find blocks and
// loops, summarise (annotate.h).
#include "disasm/annotate.h"

#include <algorithm>
#include <span>

#include "common/error.h"
#include "disasm/checked.h"
#include "disasm/control_flow.h"
#include "disasm/names.h"
#include "disasm/references.h"

namespace deferlab::disasm {
namespace {

// What annotating one function needs at every instruction.
struct Context {
  const ObjectFile& file;
  const FunctionRange& range;
  const AllocNames& names;
  bool relocatable = false;
  std::uint64_t end = 0;  // range.address + range.size
};

// Tags that follow from the callee's linkage name.
std::uint32_t callee_tags(const AllocNames& names, const std::string& sym) {
  std::uint32_t tags = 0;
  if (names_contain(names.alloc, sym)) tags |= kTagAlloc;
  if (names_contain(names.free, sym)) tags |= kTagFree;
  if (sym == "__cxa_throw" || sym == "__cxa_rethrow") tags |= kTagThrow;
  if (sym == "_Unwind_Resume") tags |= kTagUnwind;
  // The stack protector's failure path, and Go's stack growth check.
  if (sym == "__stack_chk_fail" || sym == "runtime.morestack_noctxt" ||
      sym == "runtime.morestack" || sym == "__morestack") {
    tags |= kTagStackCheck;
  }
  return tags;
}

Callee got_callee(const std::string& slot_symbol) {
  const std::string base = linkage_name(slot_symbol);
  return {demangle_cached(base) + "@GOT", base};
}

// Names a call, tail call or jump through a register or table, and tags it. Returns
// false when the instruction is none of these.
bool annotate_call(const Context& c, const RegisterValues& regs, AnnotatedInstruction& a) {
  Instruction& i = a.insn;
  // A relocatable object's branch and call bytes are placeholders (their target reads as
  // the next instruction); the relocation names the real destination.
  const CodeRelocation* reloc = c.relocatable && (i.is_call() || i.is_branch())
                                    ? c.file.relocation_in(c.range.section, i.address, i.size)
                                    : nullptr;
  if (reloc != nullptr && i.is_branch()) i.target.reset();
  const bool leaves_function =
      reloc != nullptr || (i.target && (*i.target < c.range.address || *i.target >= c.end));
  const bool is_tail_call =
      (i.kind == InsnKind::kJump || (reloc != nullptr && i.is_branch())) && leaves_function;
  if (!i.is_call() && !is_tail_call && i.kind != InsnKind::kIndirectJump) return false;
  Callee callee;
  if (reloc != nullptr) {
    const std::string base = linkage_name(reloc->symbol);
    callee = {demangle_cached(base) + (reloc->via_got ? "@GOT" : ""), base};
  } else if (i.target) {
    callee = name_address(c.file, c.range.section, *i.target);
  } else if (i.memory_address) {
    if (const auto slot = c.file.got_slot_symbol(*i.memory_address)) callee = got_callee(*slot);
  } else if (const auto from = i.call_reg >= 0 ? regs.loaded_from(i.call_reg) : std::nullopt) {
    if (const auto slot = c.file.got_slot_symbol(*from)) callee = got_callee(*slot);
  }
  // A jump through a register or table with nothing to name is a switch, not a call.
  if (i.kind != InsnKind::kIndirectJump || !callee.display.empty()) {
    a.call_target = callee.display;
    a.call_symbol = callee.symbol;
    if (i.is_call() || is_tail_call || !callee.display.empty()) a.tags |= kTagCall;
    if (is_tail_call || i.kind == InsnKind::kIndirectJump) a.tags |= kTagTailCall;
  }
  if (i.kind == InsnKind::kIndirectCall) a.tags |= kTagIndirectCall;
  if (i.kind == InsnKind::kIndirectJump) a.tags |= kTagIndirectJump;
  a.tags |= callee_tags(c.names, a.call_symbol);
  return true;
}

// Names what a data operand refers to: a PC-relative address by objdump's rule, or in a
// relocatable object the relocation on the instruction's bytes.
void annotate_reference(const Context& c, const RegisterValues& regs, AnnotatedInstruction& a) {
  const Instruction& i = a.insn;
  if (c.relocatable) {
    if (i.is_branch()) return;
    if (const CodeRelocation* data = c.file.relocation_in(c.range.section, i.address, i.size)) {
      a.reference = demangle_cached(linkage_name(data->symbol)) + (data->via_got ? "@GOT" : "");
    }
    return;
  }
  const std::optional<std::uint64_t> address = regs.referenced_address(i);
  if (!address) return;
  a.reference_target = name_reference(c.file, *address);
  if (a.reference_target) a.reference = reference_display(*a.reference_target);
}

// The in-function targets of direct branches, sorted, without duplicates.
template <class Instructions, class Get>
std::vector<std::uint64_t> branch_targets(const Instructions& code, const FunctionRange& range,
                                          Get insn_of) {
  std::vector<std::uint64_t> targets;
  for (const auto& item : code) {
    const Instruction& i = insn_of(item);
    if (i.is_branch() && i.target && *i.target >= range.address &&
        *i.target < range.address + range.size) {
      targets.push_back(*i.target);
    }
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  return targets;
}

// Local labels, numbered in address order: ".L0" for the lowest branch target. Both lists
// are in address order, so one walk finds every label; a branch's own label by search.
void assign_labels(AnnotatedFunction& f, const std::vector<std::uint64_t>& targets) {
  if (targets.empty()) return;
  auto label = [](std::size_t n) { return ".L" + std::to_string(n); };
  std::size_t next = 0;  // the first target not below the instruction
  for (AnnotatedInstruction& a : f.instructions) {
    while (next < targets.size() && targets[next] < a.insn.address) ++next;
    if (next < targets.size() && targets[next] == a.insn.address) a.label = label(next);
    if (a.insn.is_branch() && a.insn.target) {
      const auto it = std::lower_bound(targets.begin(), targets.end(), *a.insn.target);
      if (it != targets.end() && *it == *a.insn.target) {
        a.branch_label = label(static_cast<std::size_t>(it - targets.begin()));
      }
    }
  }
}

void summarize(AnnotatedFunction& f) {
  Summary& s = f.summary;
  s.instructions = f.instructions.size();
  s.bytes = f.range.size;
  s.loops = f.loops.size();
  for (const Loop& loop : f.loops) s.max_loop_depth = std::max(s.max_loop_depth, loop.depth);
  for (const AnnotatedInstruction& a : f.instructions) {
    if (a.tags & kTagCall) ++s.calls;
    if (a.tags & kTagAlloc) {
      ++s.alloc_calls;
      if (a.loop != -1) ++s.alloc_calls_in_loops;
    }
    if (a.tags & kTagFree) ++s.free_calls;
    if (a.tags & kTagIndirectCall) ++s.indirect_calls;
    if (a.tags & kTagInvalid) ++s.invalid;
    if (a.block == 0) s.stack_frame_size += a.insn.frame_bytes;
  }
}

}  // namespace

FunctionRange range_of(const ObjectFile& file, const Symbol& symbol) {
  FunctionRange r;
  r.name = symbol.name;
  r.demangled = symbol.demangled().empty() ? symbol.name : symbol.demangled();
  r.section = symbol.section;
  r.address = symbol.address;
  r.size = symbol.size;
  for (const Section& s : file.sections()) {
    if (s.index == symbol.section) r.section_name = s.name;
  }
  return r;
}

AnnotatedFunction annotate(const ObjectFile& file, const Decoder& decoder,
                           const FunctionRange& range, const AllocNames& names, LineTable* lines) {
  const Section* section = nullptr;
  for (const Section& s : file.sections()) {
    if (s.index == range.section) section = &s;
  }
  if (section == nullptr) throw Error("not in an executable section", range.name);
  const std::span<const std::uint8_t> bytes = file.section_bytes(*section);
  if (range.address < section->address ||
      !fits_within(range.address - section->address, range.size, bytes.size())) {
    throw Error("the range lies outside its section " + section->name, range.name);
  }
  std::vector<Instruction> code;
  code.reserve(range.size / 4 + 1);  // x86-64 code averages about 4 bytes an instruction
  decoder.decode(bytes.subspan(range.address - section->address, range.size), range.address, code);
  return annotate_decoded(file, range, std::move(code), names, lines);
}

AnnotatedFunction annotate_decoded(const ObjectFile& file, const FunctionRange& range,
                                   std::vector<Instruction> code, const AllocNames& names,
                                   LineTable* lines) {
  AnnotatedFunction f;
  f.range = range;
  f.instructions.reserve(code.size());
  const Context c{file, range, names, file.kind() == "relocatable", range.address + range.size};
  // Register values hold along straight-line code only: forgotten where paths join.
  const std::vector<std::uint64_t> joins =
      branch_targets(code, range, [](const Instruction& i) -> const Instruction& { return i; });
  RegisterValues regs;
  auto next_join = joins.begin();  // the first join not below the instruction
  for (Instruction& in : code) {
    AnnotatedInstruction& a = f.instructions.emplace_back(std::move(in));
    const Instruction& i = a.insn;
    while (next_join != joins.end() && *next_join < i.address) ++next_join;
    if (next_join != joins.end() && *next_join == i.address) regs.forget_all();
    if (i.kind == InsnKind::kInvalid) a.tags |= kTagInvalid;
    if (i.kind == InsnKind::kReturn) a.tags |= kTagReturn;
    if (i.is_branch()) a.tags |= kTagBranch;
    if (i.reads_stack_guard) a.tags |= kTagStackCheck;
    if (!annotate_call(c, regs, a)) annotate_reference(c, regs, a);
    regs.update(i);
    if (lines != nullptr) a.source = lines->lookup(i.address);
  }
  // Again after annotate_call when it may have dropped a relocatable object's placeholder
  // targets; otherwise the targets are the same.
  assign_labels(f, c.relocatable
                       ? branch_targets(f.instructions, range,
                                        [](const AnnotatedInstruction& a) -> const Instruction& {
                                          return a.insn;
                                        })
                       : joins);
  find_blocks_and_loops(f, names.noreturn);
  summarize(f);
  return f;
}

}  // namespace deferlab::disasm
