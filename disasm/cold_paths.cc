// Calls on paths the compiler laid out as unlikely (control_flow.h states the rule).
#include <algorithm>
#include <span>
#include <utility>
#include <vector>

#include "disasm/control_flow.h"

namespace deferlab::disasm {
namespace {

// Lists per block in one array (compressed rows): a vector per block costs an allocation
// each, for every function of a whole-binary listing.
class Rows {
 public:
  // `pairs`: (row, value), in the order each row's values are to be listed.
  Rows(std::size_t rows, const std::vector<std::pair<int, int>>& pairs) : start_(rows + 1, 0) {
    for (const auto& [row, value] : pairs) ++start_[static_cast<std::size_t>(row) + 1];
    for (std::size_t r = 0; r < rows; ++r) start_[r + 1] += start_[r];
    list_.resize(pairs.size());
    std::vector<std::size_t> next(start_.begin(), start_.end() - 1);
    for (const auto& [row, value] : pairs) list_[next[static_cast<std::size_t>(row)]++] = value;
  }
  std::span<const int> of(int row) const {
    const std::size_t first = start_[static_cast<std::size_t>(row)];
    return {list_.data() + first, start_[static_cast<std::size_t>(row) + 1] - first};
  }

 private:
  std::vector<std::size_t> start_;
  std::vector<int> list_;
};

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

// Blocks a cold region may not hold: a loop header, a block that leaves the function (a
// return or tail call), or one that jumps through a table to places unknown (not a path
// that provably ends). Such a stretch is not an out-of-line unlikely path.
std::vector<char> region_barriers(const AnnotatedFunction& f) {
  std::vector<char> barrier(f.blocks.size(), 0);
  for (const Loop& loop : f.loops) barrier[static_cast<std::size_t>(loop.header)] = 1;
  for (const BasicBlock& b : f.blocks) {
    for (std::size_t i = b.first; i <= b.last; ++i) {
      if (leaves_function(f.instructions[i])) barrier[static_cast<std::size_t>(b.id)] = 1;
    }
    if (b.successors.empty() && f.instructions[b.last].insn.kind == InsnKind::kIndirectJump) {
      barrier[static_cast<std::size_t>(b.id)] = 1;
    }
  }
  return barrier;
}

// The blocks `entry` dominates (its subtree of the dominator tree, reachable blocks only)
// into `region`, or false when one of them is a barrier. `in_region` is all zero before
// and after. `only_noreturn_exits`: no edge leaves the region.
bool dominated_region(const AnnotatedFunction& f, const Rows& children,
                      const std::vector<char>& barrier, int entry, std::vector<int>& region,
                      std::vector<char>& in_region, bool& only_noreturn_exits) {
  region.assign(1, entry);
  bool clean = true;
  for (std::size_t k = 0; k < region.size() && clean; ++k) {
    const std::size_t id = static_cast<std::size_t>(region[k]);
    clean = !barrier[id];
    in_region[id] = 1;
    for (int c : children.of(static_cast<int>(id))) region.push_back(c);
  }
  only_noreturn_exits = true;
  for (int id : region) {
    for (int s : f.blocks[static_cast<std::size_t>(id)].successors) {
      if (!in_region[static_cast<std::size_t>(s)]) only_noreturn_exits = false;
    }
  }
  for (int id : region) in_region[static_cast<std::size_t>(id)] = 0;
  return clean;
}

}  // namespace

void mark_unlikely_cold(AnnotatedFunction& f, const std::vector<int>& idom) {
  const std::size_t n = f.blocks.size();
  std::vector<std::pair<int, int>> edges;  // (successor, block), then (idom, block)
  for (const BasicBlock& b : f.blocks) {
    for (int s : b.successors) edges.emplace_back(s, b.id);
  }
  const Rows preds(n, edges);
  edges.clear();
  for (const BasicBlock& b : f.blocks) {
    const int up = idom[static_cast<std::size_t>(b.id)];
    if (b.reachable && up >= 0 && up != b.id) edges.emplace_back(up, b.id);
  }
  const Rows children(n, edges);  // the dominator tree, reachable blocks
  const std::vector<char> barrier = region_barriers(f);
  std::vector<char> in_region(n, 0);
  std::vector<int> region;
  for (const BasicBlock& e : f.blocks) {
    if (e.id == 0 || !e.reachable) continue;
    std::size_t last_branch = 0;
    bool forward_only = !preds.of(e.id).empty();
    for (int p : preds.of(e.id)) {
      const BasicBlock& pb = f.blocks[static_cast<std::size_t>(p)];
      if (!pb.reachable) continue;  // alignment padding after a ret "falls through" into e
      forward_only = forward_only && forward_taken_edge(f, pb, e);
      last_branch = std::max(last_branch, pb.last);
    }
    if (!forward_only) continue;
    bool only_noreturn_exits = false;
    if (!dominated_region(f, children, barrier, e.id, region, in_region, only_noreturn_exits)) {
      continue;
    }
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
