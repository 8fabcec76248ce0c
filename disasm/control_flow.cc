// The control flow of one function: basic blocks, dominators (Cooper, Harvey and
// Kennedy), natural loops, irreducible cycles as loops, and their nesting.
#include "disasm/control_flow.h"

#include <algorithm>
#include <map>
#include <span>

namespace deferlab::disasm {
namespace {

// Working arrays of one function's analysis, kept per thread and reused: a whole-library
// listing analyses a hundred thousand functions, and a dozen fresh vectors for each cost
// more in allocation than the small ones' work.
struct Scratch {
  std::vector<std::uint64_t> addresses;
  std::vector<char> leader;
  std::vector<int> block_of;
  std::vector<int> order;
  std::vector<char> visited;
  std::vector<std::pair<int, std::size_t>> stack;
  std::vector<int> next;
  std::vector<int> depth;
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

// Predecessors of every block in one array (compressed rows): a function has a block
// for every few instructions, and a vector of its own for each costs an allocation each.
struct Predecessors {
  std::vector<int> start;  // block b's predecessors are list[start[b], start[b + 1])
  std::vector<int> list;
  explicit Predecessors(const std::vector<BasicBlock>& blocks) : start(blocks.size() + 1, 0) {
    for (const BasicBlock& b : blocks) {
      for (int s : b.successors) ++start[static_cast<std::size_t>(s) + 1];
    }
    for (std::size_t b = 0; b < blocks.size(); ++b) start[b + 1] += start[b];
    list.resize(static_cast<std::size_t>(start.back()));
    std::vector<int>& next = scratch().next;
    next.assign(start.begin(), start.end() - 1);
    for (const BasicBlock& b : blocks) {
      for (int s : b.successors)
        list[static_cast<std::size_t>(next[static_cast<std::size_t>(s)]++)] = b.id;
    }
  }
  std::span<const int> of(int b) const {
    const auto first = static_cast<std::size_t>(start[static_cast<std::size_t>(b)]);
    const auto last = static_cast<std::size_t>(start[static_cast<std::size_t>(b) + 1]);
    return {list.data() + first, last - first};
  }
};

// Dominators by the iterative algorithm of Cooper, Harvey and Kennedy over reverse post
// order. idom[b] == -1 for unreachable blocks.
std::vector<int> dominators(const std::vector<BasicBlock>& blocks, const Predecessors& preds,
                            std::vector<int>& rpo_index) {
  const int n = static_cast<int>(blocks.size());
  std::vector<int>& order = scratch().order;  // post order
  order.clear();
  std::vector<char>& visited = scratch().visited;
  visited.assign(static_cast<std::size_t>(n), 0);
  // Iterative DFS: (block, next successor index).
  std::vector<std::pair<int, std::size_t>>& stack = scratch().stack;
  stack.clear();
  if (n > 0) {
    stack.emplace_back(0, 0);
    visited[0] = 1;
  }
  while (!stack.empty()) {
    auto& [b, next] = stack.back();
    const auto& succ = blocks[static_cast<std::size_t>(b)].successors;
    if (next < succ.size()) {
      const int s = succ[next++];
      if (!visited[static_cast<std::size_t>(s)]) {
        visited[static_cast<std::size_t>(s)] = 1;
        stack.emplace_back(s, 0);
      }
    } else {
      order.push_back(b);
      stack.pop_back();
    }
  }
  std::reverse(order.begin(), order.end());
  rpo_index.assign(static_cast<std::size_t>(n), -1);
  for (std::size_t i = 0; i < order.size(); ++i)
    rpo_index[static_cast<std::size_t>(order[i])] = static_cast<int>(i);
  std::vector<int> idom(static_cast<std::size_t>(n), -1);
  if (n == 0) return idom;
  idom[0] = 0;
  auto intersect = [&](int a, int b) {
    while (a != b) {
      while (rpo_index[static_cast<std::size_t>(a)] > rpo_index[static_cast<std::size_t>(b)])
        a = idom[static_cast<std::size_t>(a)];
      while (rpo_index[static_cast<std::size_t>(b)] > rpo_index[static_cast<std::size_t>(a)])
        b = idom[static_cast<std::size_t>(b)];
    }
    return a;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 1; i < order.size(); ++i) {
      const int b = order[i];
      int new_idom = -1;
      for (int p : preds.of(b)) {
        if (idom[static_cast<std::size_t>(p)] == -1) continue;
        new_idom = new_idom == -1 ? p : intersect(p, new_idom);
      }
      if (new_idom != -1 && idom[static_cast<std::size_t>(b)] != new_idom) {
        idom[static_cast<std::size_t>(b)] = new_idom;
        changed = true;
      }
    }
  }
  return idom;
}

}  // namespace

bool dominates(const std::vector<int>& idom, int a, int b) {
  // Walk b's dominator chain up to the entry.
  for (int x = b;;) {
    if (x == a) return true;
    const int up = idom[static_cast<std::size_t>(x)];
    if (up == -1 || up == x) return false;
    x = up;
  }
}

namespace {

// Cycles with more than one entry have no dominating header, so the natural-loop search
// above misses them; GCC makes them, e.g. when a vector's growth path re-enters the middle
// of a rotated push_back loop. Each strongly connected component with a cycle that no
// natural loop covers becomes a loop, headed by its first block in reverse post order.
void add_irreducible_loops(AnnotatedFunction& f, const std::vector<int>& rpo,
                           const std::vector<int>& idom) {
  // A reducible graph (every retreating edge of the depth-first order goes to a block that
  // dominates its source) has only natural loops, and they cover every cycle: there is
  // nothing to add, and most functions need no component search.
  bool reducible = true;
  for (const BasicBlock& b : f.blocks) {
    if (!b.reachable) continue;
    for (int s : b.successors) {
      if (rpo[static_cast<std::size_t>(s)] <= rpo[static_cast<std::size_t>(b.id)] &&
          !dominates(idom, s, b.id)) {
        reducible = false;
      }
    }
  }
  if (reducible) return;
  const std::size_t n = f.blocks.size();
  // Tarjan's algorithm, iteratively: (block, next successor index).
  std::vector<int> index(n, -1), low(n, 0), component(n, -1);
  std::vector<char> on_stack(n, 0);
  std::vector<int> stack;
  std::vector<std::vector<int>> components;
  int counter = 0;
  for (std::size_t root = 0; root < n; ++root) {
    if (index[root] != -1 || !f.blocks[root].reachable) continue;
    std::vector<std::pair<int, std::size_t>> work{{static_cast<int>(root), 0}};
    index[root] = low[root] = counter++;
    stack.push_back(static_cast<int>(root));
    on_stack[root] = 1;
    while (!work.empty()) {
      auto& [b, next] = work.back();
      const auto ub = static_cast<std::size_t>(b);
      const Successors& succ = f.blocks[ub].successors;
      if (next < succ.size()) {
        const auto s = static_cast<std::size_t>(succ[next++]);
        if (index[s] == -1) {
          index[s] = low[s] = counter++;
          stack.push_back(static_cast<int>(s));
          on_stack[s] = 1;
          work.emplace_back(static_cast<int>(s), 0);
        } else if (on_stack[s]) {
          low[ub] = std::min(low[ub], index[s]);
        }
        continue;
      }
      if (low[ub] == index[ub]) {
        std::vector<int> members;
        for (int x = -1; x != b;) {
          x = stack.back();
          stack.pop_back();
          on_stack[static_cast<std::size_t>(x)] = 0;
          component[static_cast<std::size_t>(x)] = static_cast<int>(components.size());
          members.push_back(x);
        }
        components.push_back(std::move(members));
      }
      const int done = b;
      work.pop_back();
      if (!work.empty()) {
        const auto parent = static_cast<std::size_t>(work.back().first);
        low[parent] = std::min(low[parent], low[static_cast<std::size_t>(done)]);
      }
    }
  }
  for (std::vector<int>& members : components) {
    std::sort(members.begin(), members.end());
    const int only = members.front();
    const auto& only_succ = f.blocks[static_cast<std::size_t>(only)].successors;
    const bool cyclic = members.size() > 1 ||
                        std::find(only_succ.begin(), only_succ.end(), only) != only_succ.end();
    if (!cyclic) continue;
    const bool covered = std::any_of(f.loops.begin(), f.loops.end(), [&](const Loop& loop) {
      return std::includes(loop.blocks.begin(), loop.blocks.end(), members.begin(), members.end());
    });
    if (covered) continue;
    Loop loop;
    loop.id = static_cast<int>(f.loops.size());
    loop.header = *std::min_element(members.begin(), members.end(), [&](int a, int b) {
      return rpo[static_cast<std::size_t>(a)] < rpo[static_cast<std::size_t>(b)];
    });
    loop.blocks = members;
    // Retreating edges inside the component: the edges that close its cycles.
    for (int b : members) {
      for (int s : f.blocks[static_cast<std::size_t>(b)].successors) {
        if (std::binary_search(members.begin(), members.end(), s) &&
            rpo[static_cast<std::size_t>(s)] <= rpo[static_cast<std::size_t>(b)]) {
          loop.back_edges.emplace_back(b, s);
        }
      }
    }
    f.loops.push_back(std::move(loop));
  }
}

// Basic blocks: leaders at branch targets and after branches, returns, traps and calls
// that do not return; edges along known targets and fall-through.
void build_blocks(AnnotatedFunction& f, const std::set<std::string>& noreturn) {
  auto& insns = f.instructions;
  if (insns.empty()) return;
  // Instructions are in address order: an address's index by binary search, or npos. The
  // addresses in an array of their own: an instruction's record is hundreds of bytes, and
  // a search through them missed the cache at every step.
  std::vector<std::uint64_t>& addresses = scratch().addresses;
  addresses.resize(insns.size());
  for (std::size_t i = 0; i < insns.size(); ++i) addresses[i] = insns[i].insn.address;
  auto index_of = [&](std::uint64_t a) -> std::size_t {
    const auto it = std::lower_bound(addresses.begin(), addresses.end(), a);
    return it != addresses.end() && *it == a ? static_cast<std::size_t>(it - addresses.begin())
                                             : std::string::npos;
  };
  // The in-function index of a direct branch's target, or npos.
  auto target_index = [&](const Instruction& in) -> std::size_t {
    return in.target && in.is_branch() ? index_of(*in.target) : std::string::npos;
  };

  std::vector<char>& leader = scratch().leader;
  leader.assign(insns.size(), 0);
  leader[0] = 1;
  for (std::size_t i = 0; i < insns.size(); ++i) {
    const Instruction& in = insns[i].insn;
    const bool noreturn_call = in.is_call() && noreturn.contains(insns[i].call_symbol);
    if (const std::size_t t = target_index(in); t != std::string::npos) leader[t] = 1;
    if ((in.is_branch() || in.ends_flow() || noreturn_call) && i + 1 < insns.size()) {
      leader[i + 1] = 1;
    }
  }
  std::vector<int>& block_of = scratch().block_of;
  block_of.assign(insns.size(), 0);
  f.blocks.reserve(static_cast<std::size_t>(std::count(leader.begin(), leader.end(), 1)));
  for (std::size_t i = 0; i < insns.size(); ++i) {
    if (leader[i]) {
      BasicBlock b;
      b.id = static_cast<int>(f.blocks.size());
      b.first = i;
      f.blocks.push_back(b);
    }
    f.blocks.back().last = i;
    block_of[i] = f.blocks.back().id;
  }
  for (BasicBlock& b : f.blocks) {
    const AnnotatedInstruction& last = insns[b.last];
    const Instruction& in = last.insn;
    const bool noreturn_call = in.is_call() && noreturn.contains(last.call_symbol);
    if (const std::size_t t = target_index(in); t != std::string::npos) {
      b.successors.push_back(block_of[t]);
    }
    const bool falls_through = !in.ends_flow() && !noreturn_call;
    if (falls_through && b.last + 1 < insns.size()) {
      const int next = block_of[b.last + 1];
      if (std::find(b.successors.begin(), b.successors.end(), next) == b.successors.end()) {
        b.successors.push_back(next);
      }
    }
  }
  for (std::size_t i = 0; i < insns.size(); ++i) insns[i].block = block_of[i];
}

// Natural loops: a back edge u -> h where h dominates u; the body is h plus everything
// that reaches u without passing h. Back edges to one header make one loop.
void find_natural_loops(AnnotatedFunction& f, const Predecessors& preds,
                        const std::vector<int>& idom) {
  std::map<int, Loop> by_header;
  for (const BasicBlock& b : f.blocks) {
    if (!b.reachable) continue;
    for (int h : b.successors) {
      if (!dominates(idom, h, b.id)) continue;
      Loop& loop = by_header[h];
      loop.header = h;
      loop.back_edges.emplace_back(b.id, h);
      std::vector<char> in_body(f.blocks.size(), 0);
      for (int x : loop.blocks) in_body[static_cast<std::size_t>(x)] = 1;
      in_body[static_cast<std::size_t>(h)] = 1;
      std::vector<int> work;
      if (!in_body[static_cast<std::size_t>(b.id)]) {
        in_body[static_cast<std::size_t>(b.id)] = 1;
        work.push_back(b.id);
      }
      while (!work.empty()) {
        const int x = work.back();
        work.pop_back();
        for (int p : preds.of(x)) {
          if (!in_body[static_cast<std::size_t>(p)] &&
              f.blocks[static_cast<std::size_t>(p)].reachable) {
            in_body[static_cast<std::size_t>(p)] = 1;
            work.push_back(p);
          }
        }
      }
      loop.blocks.clear();
      for (std::size_t x = 0; x < in_body.size(); ++x) {
        if (in_body[x]) loop.blocks.push_back(static_cast<int>(x));
      }
    }
  }
  for (auto& [header, loop] : by_header) {
    loop.id = static_cast<int>(f.loops.size());
    f.loops.push_back(std::move(loop));
  }
}

// Loop nesting and depth, each block's innermost loop and the in-loop tags.
void nest_loops(AnnotatedFunction& f) {
  // Nesting: the parent is the smallest other, larger loop whose body holds the header.
  for (Loop& loop : f.loops) {
    std::size_t best = SIZE_MAX;
    for (const Loop& other : f.loops) {
      if (other.id == loop.id || other.blocks.size() <= loop.blocks.size() ||
          !std::binary_search(other.blocks.begin(), other.blocks.end(), loop.header)) {
        continue;
      }
      if (other.blocks.size() < best) {
        best = other.blocks.size();
        loop.parent = other.id;
      }
    }
  }
  for (Loop& loop : f.loops) {
    int depth = 1;
    for (int p = loop.parent; p != -1; p = f.loops[static_cast<std::size_t>(p)].parent) ++depth;
    loop.depth = depth;
  }
  // Each block's innermost loop: the deepest loop whose body holds it (of equally deep
  // ones, the first). Loop by loop over their bodies, not block by block over every loop:
  // a big function has hundreds of each.
  std::vector<int>& best_depth = scratch().depth;
  best_depth.assign(f.blocks.size(), 0);
  for (const Loop& loop : f.loops) {
    for (int b : loop.blocks) {
      const auto ub = static_cast<std::size_t>(b);
      if (loop.depth > best_depth[ub]) {
        best_depth[ub] = loop.depth;
        f.blocks[ub].loop = loop.id;
      }
    }
  }
  if (f.loops.empty()) return;  // instructions start outside any loop (-1, depth 0)
  for (AnnotatedInstruction& a : f.instructions) {
    const BasicBlock& b = f.blocks[static_cast<std::size_t>(a.block)];
    a.loop = b.loop;
    a.loop_depth = b.loop == -1 ? 0 : f.loops[static_cast<std::size_t>(b.loop)].depth;
    if (a.loop != -1) a.tags |= kTagInLoop;
  }
}

}  // namespace

void find_blocks_and_loops(AnnotatedFunction& f, const std::set<std::string>& noreturn) {
  if (f.instructions.empty()) return;
  build_blocks(f, noreturn);
  const Predecessors preds(f.blocks);
  std::vector<int> rpo;
  const std::vector<int> idom = dominators(f.blocks, preds, rpo);
  for (BasicBlock& b : f.blocks) b.reachable = idom[static_cast<std::size_t>(b.id)] != -1;

  find_natural_loops(f, preds, idom);
  add_irreducible_loops(f, rpo, idom);
  nest_loops(f);
  mark_unlikely_cold(f, idom);
}

}  // namespace deferlab::disasm
