#include "disasm/annotate.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <span>
#include <unordered_map>

#include "disasm/checked.h"
#include "harness/error.h"

namespace deferlab::disasm {
namespace {

// demangle(), remembered per thread: a hot function calls the same few names again and
// again, and --all annotates a hundred thousand functions on every core. Bounded: emptied
// when full, so a thread's memory does not grow with the binary (a few MB at most).
const std::string& demangle_cached(const std::string& name) {
  constexpr std::size_t kMaxEntries = 16 * 1024;
  thread_local std::unordered_map<std::string, std::string> cache;
  auto it = cache.find(name);
  if (it == cache.end() && cache.size() >= kMaxEntries) cache.clear();
  if (it == cache.end()) it = cache.emplace(name, demangle(name)).first;
  return it->second;
}

// "malloc@plt" -> "malloc", "memcpy@GLIBC_2.14" -> "memcpy"
std::string linkage_name(std::string name) {
  const std::size_t at = name.find('@');
  if (at != std::string::npos) name.resize(at);
  return name;
}

std::string hex(std::uint64_t value) {
  char text[32];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

std::string with_offset(const std::string& name, std::uint64_t offset) {
  return offset == 0 ? name : name + "+" + hex(offset);
}

struct Callee {
  std::string display;  // demangled, with @plt / @GOT / +offset
  std::string symbol;   // linkage name for tag matching
};

// Names a direct target address: PLT stub, a function of the file, or the bare address.
Callee name_address(const ObjectFile& file, std::size_t section, std::uint64_t target) {
  if (const auto plt = file.plt_name(target)) {
    const std::string name = linkage_name(*plt);
    return {demangle_cached(name) + "@plt", name};
  }
  const std::vector<Symbol>& functions = file.functions();
  auto it = std::upper_bound(functions.begin(), functions.end(), std::make_pair(section, target),
                             [](const std::pair<std::size_t, std::uint64_t>& key, const Symbol& s) {
                               return key < std::make_pair(s.section, s.address);
                             });
  // Outside relocatable objects a target can be in another section: search by address.
  if (it == functions.begin() || std::prev(it)->section != section ||
      target >= std::prev(it)->address + std::prev(it)->size) {
    if (const Symbol* s = file.symbol_containing(target)) {
      return {with_offset(demangle_cached(s->name), target - s->address), s->name};
    }
    return {hex(target), ""};
  }
  const Symbol& s = *std::prev(it);
  // Not s.demangled(): its cache is not thread-safe, and --all annotates on every core.
  return {with_offset(demangle_cached(s.name), target - s.address),
          target == s.address ? s.name : ""};
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
    std::vector<int> next(start.begin(), start.end() - 1);
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
  std::vector<int> order;  // post order
  std::vector<char> visited(static_cast<std::size_t>(n), 0);
  // Iterative DFS: (block, next successor index).
  std::vector<std::pair<int, std::size_t>> stack;
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

bool dominates(const std::vector<int>& idom, int a, int b) {
  // Walk b's dominator chain up to the entry.
  for (int x = b;;) {
    if (x == a) return true;
    const int up = idom[static_cast<std::size_t>(x)];
    if (up == -1 || up == x) return false;
    x = up;
  }
}

// Cycles with more than one entry have no dominating header, so the natural-loop search
// above misses them; GCC makes them, e.g. when a vector's growth path re-enters the middle
// of a rotated push_back loop. Each strongly connected component with a cycle that no
// natural loop covers becomes a loop, headed by its first block in reverse post order.
void add_irreducible_loops(AnnotatedFunction& f, const std::vector<int>& rpo) {
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
      const std::vector<int>& succ = f.blocks[ub].successors;
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

void find_blocks_and_loops(AnnotatedFunction& f, const std::set<std::string>& noreturn) {
  auto& insns = f.instructions;
  if (insns.empty()) return;
  // Instructions are in address order: an address's index by binary search, or npos.
  auto index_of = [&](std::uint64_t a) -> std::size_t {
    const auto it = std::lower_bound(
        insns.begin(), insns.end(), a,
        [](const AnnotatedInstruction& x, std::uint64_t v) { return x.insn.address < v; });
    return it != insns.end() && it->insn.address == a ? static_cast<std::size_t>(it - insns.begin())
                                                      : std::string::npos;
  };
  auto inside = [&](std::uint64_t a) { return index_of(a) != std::string::npos; };

  std::vector<char> leader(insns.size(), 0);
  leader[0] = 1;
  for (std::size_t i = 0; i < insns.size(); ++i) {
    const Instruction& in = insns[i].insn;
    const bool noreturn_call = in.is_call() && noreturn.contains(insns[i].call_symbol);
    if (in.target && in.is_branch() && inside(*in.target)) leader[index_of(*in.target)] = 1;
    if ((in.is_branch() || in.ends_flow() || noreturn_call) && i + 1 < insns.size()) {
      leader[i + 1] = 1;
    }
  }
  std::vector<int> block_of(insns.size(), 0);
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
    if (in.target && in.is_branch() && inside(*in.target)) {
      b.successors.push_back(block_of[index_of(*in.target)]);
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

  const Predecessors preds(f.blocks);
  std::vector<int> rpo;
  const std::vector<int> idom = dominators(f.blocks, preds, rpo);
  for (BasicBlock& b : f.blocks) b.reachable = idom[static_cast<std::size_t>(b.id)] != -1;

  // Natural loops: a back edge u -> h where h dominates u; the body is h plus everything
  // that reaches u without passing h. Back edges to one header make one loop.
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
  add_irreducible_loops(f, rpo);
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
  // Each block's innermost loop: the deepest loop whose body holds it.
  for (BasicBlock& b : f.blocks) {
    int best_depth = 0;
    for (const Loop& loop : f.loops) {
      if (loop.depth > best_depth &&
          std::binary_search(loop.blocks.begin(), loop.blocks.end(), b.id)) {
        best_depth = loop.depth;
        b.loop = loop.id;
      }
    }
  }
  for (AnnotatedInstruction& a : insns) {
    const BasicBlock& b = f.blocks[static_cast<std::size_t>(a.block)];
    a.loop = b.loop;
    a.loop_depth = b.loop == -1 ? 0 : f.loops[static_cast<std::size_t>(b.loop)].depth;
    if (a.loop != -1) a.tags |= kTagInLoop;
  }
}

// Whether a linkage name is in `names`, directly or as the last identifier of a Rust v0
// mangled path ("_RNvCs..._7___rustc12___rust_alloc" ends in "12" "_" "__rust_alloc").
bool names_contain(const std::set<std::string>& names, const std::string& symbol) {
  if (symbol.empty()) return false;
  if (names.contains(symbol)) return true;
  if (symbol.rfind("_R", 0) != 0) return false;
  for (const std::string& name : names) {
    const std::string length = std::to_string(name.size());
    for (const std::string& tail : {length + "_" + name, length + name}) {
      if (symbol.size() > tail.size() &&
          symbol.compare(symbol.size() - tail.size(), tail.size(), tail) == 0 &&
          !std::isdigit(static_cast<unsigned char>(symbol[symbol.size() - tail.size() - 1]))) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

AllocNames AllocNames::defaults() {
  AllocNames n;
  n.alloc = {// C
             "malloc", "calloc", "realloc", "reallocarray", "aligned_alloc", "posix_memalign",
             "memalign", "valloc", "pvalloc", "strdup", "strndup",
             // C++ operator new, every form (64-bit size_t: m)
             "_Znwm", "_Znam", "_ZnwmRKSt9nothrow_t", "_ZnamRKSt9nothrow_t", "_ZnwmSt11align_val_t",
             "_ZnamSt11align_val_t", "_ZnwmSt11align_val_tRKSt9nothrow_t",
             "_ZnamSt11align_val_tRKSt9nothrow_t",
             // Rust
             "__rust_alloc", "__rust_alloc_zeroed", "__rust_realloc", "__rdl_alloc",
             "__rdl_alloc_zeroed", "__rdl_realloc",
             // Go
             "runtime.newobject", "runtime.mallocgc", "runtime.deferproc", "runtime.growslice",
             "runtime.makeslice", "runtime.makemap", "runtime.newproc"};
  // What the C, C++, Go and Rust runtimes never return from; a binary adds its own
  // (deferlab run takes the manifest's noreturn_symbols).
  n.noreturn = {"__cxa_throw",
                "__cxa_rethrow",
                "_Unwind_Resume",
                "__stack_chk_fail",
                "abort",
                "exit",
                "_exit",
                "_ZSt9terminatev",
                "__cxa_bad_cast",
                "__cxa_bad_typeid",
                "_ZSt17__throw_bad_allocv",
                "_ZSt25__throw_bad_function_callv",
                "runtime.gopanic",
                "runtime.throw",
                "core::panicking::panic"};
  n.free = {"free", "cfree",
            // C++ operator delete, every form
            "_ZdlPv", "_ZdaPv", "_ZdlPvm", "_ZdaPvm", "_ZdlPvSt11align_val_t",
            "_ZdaPvSt11align_val_t", "_ZdlPvmSt11align_val_t", "_ZdaPvmSt11align_val_t",
            "_ZdlPvRKSt9nothrow_t", "_ZdaPvRKSt9nothrow_t", "_ZdlPvSt11align_val_tRKSt9nothrow_t",
            "_ZdaPvSt11align_val_tRKSt9nothrow_t",
            // Rust
            "__rust_dealloc", "__rdl_dealloc"};
  return n;
}

std::vector<std::string> tag_names(std::uint32_t tags) {
  std::vector<std::string> names;
  for (std::uint32_t bit = 0; bit < kTagCount; ++bit) {
    if (tags & (1u << bit)) names.emplace_back(kTagNames[bit]);
  }
  return names;
}

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
  const bool relocatable = file.kind() == "relocatable";
  const std::uint64_t end = range.address + range.size;

  // AArch64: what each register holds, from adrp / add / ldr, to name blr targets.
  struct RegValue {
    bool known = false;
    bool loaded = false;  // the register holds the contents of `address`
    std::uint64_t address = 0;
  };
  std::map<int, RegValue> regs;

  for (Instruction& in : code) {
    AnnotatedInstruction& a = f.instructions.emplace_back();
    a.insn = std::move(in);
    Instruction& i = a.insn;
    if (i.kind == InsnKind::kInvalid) a.tags |= kTagInvalid;
    if (i.kind == InsnKind::kReturn) a.tags |= kTagReturn;
    if (i.is_branch()) a.tags |= kTagBranch;
    if (i.reads_stack_guard) a.tags |= kTagStackCheck;

    // Register tracking (AArch64).
    if (i.reg_def == RegDef::kConst) {
      regs[i.def_reg] = {true, false, static_cast<std::uint64_t>(i.immediate)};
    } else if (i.reg_def == RegDef::kAddImm) {
      const RegValue base = regs[i.base_reg];
      regs[i.def_reg] =
          base.known && !base.loaded
              ? RegValue{true, false, base.address + static_cast<std::uint64_t>(i.immediate)}
              : RegValue{};
    } else if (i.reg_def == RegDef::kLoad) {
      const RegValue base = regs[i.base_reg];
      regs[i.def_reg] =
          base.known && !base.loaded
              ? RegValue{true, true, base.address + static_cast<std::uint64_t>(i.immediate)}
              : RegValue{};
    }

    // A relocatable object's branch and call bytes are placeholders (their target reads as
    // the next instruction); the relocation names the real destination.
    const CodeRelocation* reloc = relocatable && (i.is_call() || i.is_branch())
                                      ? file.relocation_in(range.section, i.address, i.size)
                                      : nullptr;
    if (reloc != nullptr && i.is_branch()) i.target.reset();
    const bool leaves_function =
        reloc != nullptr || (i.target && (*i.target < range.address || *i.target >= end));
    const bool is_tail_call =
        (i.kind == InsnKind::kJump || (reloc != nullptr && i.is_branch())) && leaves_function;
    if (i.is_call() || is_tail_call || i.kind == InsnKind::kIndirectJump) {
      Callee callee;
      if (reloc != nullptr) {
        const std::string base = linkage_name(reloc->symbol);
        callee = {demangle_cached(base) + (reloc->via_got ? "@GOT" : ""), base};
      } else if (i.target) {
        callee = name_address(file, range.section, *i.target);
      } else if (i.memory_address) {
        if (const auto slot = file.got_slot_symbol(*i.memory_address)) {
          const std::string base = linkage_name(*slot);
          callee = {demangle_cached(base) + "@GOT", base};
        }
      } else if (i.call_reg >= 0 && regs[i.call_reg].known && regs[i.call_reg].loaded) {
        if (const auto slot = file.got_slot_symbol(regs[i.call_reg].address)) {
          const std::string base = linkage_name(*slot);
          callee = {demangle_cached(base) + "@GOT", base};
        }
      }
      if (i.kind == InsnKind::kIndirectJump && callee.display.empty()) {
        // A jump through a register or table with nothing to name: a switch, not a call.
      } else {
        a.call_target = callee.display;
        a.call_symbol = callee.symbol;
        if (i.is_call() || is_tail_call || !callee.display.empty()) a.tags |= kTagCall;
        if (is_tail_call || i.kind == InsnKind::kIndirectJump) a.tags |= kTagTailCall;
      }
      if (i.kind == InsnKind::kIndirectCall) a.tags |= kTagIndirectCall;
      if (i.kind == InsnKind::kIndirectJump) a.tags |= kTagIndirectJump;
      const std::string& sym = a.call_symbol;
      if (names_contain(names.alloc, sym)) a.tags |= kTagAlloc;
      if (names_contain(names.free, sym)) a.tags |= kTagFree;
      if (sym == "__cxa_throw" || sym == "__cxa_rethrow") a.tags |= kTagThrow;
      if (sym == "_Unwind_Resume") a.tags |= kTagUnwind;
      // The stack protector's failure path, and Go's stack growth check.
      if (sym == "__stack_chk_fail" || sym == "runtime.morestack_noctxt" ||
          sym == "runtime.morestack" || sym == "__morestack") {
        a.tags |= kTagStackCheck;
      }
    } else if (i.memory_address && !relocatable && i.reg_def == RegDef::kNone) {
      if (const Symbol* s = file.symbol_containing(*i.memory_address)) {
        a.reference = with_offset(demangle_cached(s->name), *i.memory_address - s->address);
      } else if (const auto slot = file.got_slot_symbol(*i.memory_address)) {
        a.reference = demangle_cached(linkage_name(*slot)) + "@GOT";
      }
    } else if (relocatable && !i.is_branch()) {
      if (const CodeRelocation* data = file.relocation_in(range.section, i.address, i.size)) {
        a.reference = demangle_cached(linkage_name(data->symbol)) + (data->via_got ? "@GOT" : "");
      }
    }
    if (lines != nullptr) a.source = lines->lookup(i.address);
  }

  // Local labels, numbered in address order: the in-function branch targets, sorted.
  std::vector<std::uint64_t> targets;
  for (const AnnotatedInstruction& a : f.instructions) {
    if (a.insn.is_branch() && a.insn.target && *a.insn.target >= range.address &&
        *a.insn.target < end) {
      targets.push_back(*a.insn.target);
    }
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  auto label_of = [&](std::uint64_t address) -> std::string {
    const auto it = std::lower_bound(targets.begin(), targets.end(), address);
    if (it == targets.end() || *it != address) return {};
    return ".L" + std::to_string(it - targets.begin());
  };
  if (!targets.empty()) {
    for (AnnotatedInstruction& a : f.instructions) {
      a.label = label_of(a.insn.address);
      if (a.insn.is_branch() && a.insn.target) a.branch_label = label_of(*a.insn.target);
    }
  }

  find_blocks_and_loops(f, names.noreturn);

  Summary& s = f.summary;
  s.instructions = f.instructions.size();
  s.bytes = range.size;
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
  return f;
}

}  // namespace deferlab::disasm
