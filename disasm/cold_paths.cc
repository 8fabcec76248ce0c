// Calls on paths the compiler laid out as unlikely (control_flow.h states the rule).
#include <algorithm>

#include "disasm/control_flow.h"

namespace deferlab::disasm {
namespace {

bool leaves_function(const AnnotatedInstruction& a) {
  return a.insn.kind == InsnKind::kReturn || (a.tags & kTagTailCall);
}

// Whether the edge from block p into block e is the taken side of a conditional branch
// placed before e.
bool forward_taken_edge(const AnnotatedFunction& f, const BasicBlock& p, const BasicBlock& e) {
  const Instruction& last = f.instructions[p.last].insn;
  return last.kind == InsnKind::kCondJump && last.target &&
         *last.target == f.instructions[e.first].insn.address && p.last < e.first;
}

// The blocks `entry` dominates, or empty when they hold a loop header or leave the
// function (a return or tail call): such a stretch is not an out-of-line unlikely path.
std::vector<int> cold_candidate_region(const AnnotatedFunction& f, const std::vector<int>& idom,
                                       int entry, bool& only_noreturn_exits) {
  std::vector<int> region;
  for (const BasicBlock& b : f.blocks) {
    if (b.reachable && dominates(idom, entry, b.id)) region.push_back(b.id);
  }
  only_noreturn_exits = true;
  for (int id : region) {
    const BasicBlock& b = f.blocks[static_cast<std::size_t>(id)];
    for (const Loop& loop : f.loops) {
      if (loop.header == id) return {};
    }
    for (std::size_t i = b.first; i <= b.last; ++i) {
      if (leaves_function(f.instructions[i])) return {};
    }
    // A jump through a table leaves for places unknown: not a path that provably ends.
    if (b.successors.empty() && f.instructions[b.last].insn.kind == InsnKind::kIndirectJump) {
      return {};
    }
    for (int s : b.successors) {
      if (!std::binary_search(region.begin(), region.end(), s)) only_noreturn_exits = false;
    }
  }
  return region;
}

}  // namespace

void mark_unlikely_cold(AnnotatedFunction& f, const std::vector<int>& idom) {
  std::vector<std::vector<int>> preds(f.blocks.size());
  for (const BasicBlock& b : f.blocks) {
    for (int s : b.successors) preds[static_cast<std::size_t>(s)].push_back(b.id);
  }
  for (const BasicBlock& e : f.blocks) {
    if (e.id == 0 || !e.reachable) continue;
    std::size_t last_branch = 0;
    bool forward_only = !preds[static_cast<std::size_t>(e.id)].empty();
    for (int p : preds[static_cast<std::size_t>(e.id)]) {
      const BasicBlock& pb = f.blocks[static_cast<std::size_t>(p)];
      if (!pb.reachable) continue;  // alignment padding after a ret "falls through" into e
      forward_only = forward_only && forward_taken_edge(f, pb, e);
      last_branch = std::max(last_branch, pb.last);
    }
    if (!forward_only) continue;
    bool only_noreturn_exits = false;
    const std::vector<int> region = cold_candidate_region(f, idom, e.id, only_noreturn_exits);
    if (region.empty()) continue;
    bool after_exit = false;  // a return between the branch and the block: moved out of line
    for (std::size_t i = last_branch + 1; i < e.first && !after_exit; ++i) {
      after_exit = leaves_function(f.instructions[i]);
    }
    if (!after_exit && !only_noreturn_exits) continue;
    for (int id : region) {
      const BasicBlock& b = f.blocks[static_cast<std::size_t>(id)];
      for (std::size_t i = b.first; i <= b.last; ++i) {
        if (f.instructions[i].tags & (kTagCall | kTagAlloc)) f.instructions[i].tags |= kTagCold;
      }
    }
  }
}

}  // namespace deferlab::disasm
