// Allocation reachability: the call graph walk behind disasm/alloc_reach.h.
#include "disasm/alloc_reach.h"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <deque>
#include <optional>

#include "common/error.h"

namespace deferlab::disasm {

struct AllocReachability::Edge {
  enum class Kind { kFunction, kAllocator, kAllowed, kExternal, kIndirect };
  Kind kind = Kind::kIndirect;
  const Symbol* target = nullptr;  // kFunction
  std::string display;             // demangled name of what is called
  bool cold = false;               // into a split-off cold part
};

namespace {

// libstdc++ members that allocate each time they run (growth, creation, node insertion).
// Matched as <length><identifier> inside a mangled std:: name, the way the Itanium ABI
// spells a member's name, so "_M_create" does not match "_M_create_nodes" by accident.
constexpr const char* kGrowthMembers[] = {"_M_realloc_insert",
                                          "_M_realloc_append",
                                          "_M_create",
                                          "_M_append",
                                          "_M_mutate",
                                          "_M_replace",
                                          "_M_construct",
                                          "_M_default_append",
                                          "_M_fill_insert",
                                          "_M_range_insert",
                                          "_M_insert_aux",
                                          "_M_push_back_aux",
                                          "_M_push_front_aux",
                                          "_M_reallocate_map",
                                          "_M_initialize_map",
                                          "_M_rehash",
                                          "_M_insert_unique_node",
                                          "_M_insert_multi_node",
                                          "_M_allocate_node",
                                          "_M_allocate_buckets",
                                          "_M_emplace",
                                          "_M_insert",
                                          "_M_assign",
                                          "_M_replace_aux",
                                          "_M_create_node",
                                          "_M_get_node"};

// C library functions that never allocate: calls a reader would not want counted as
// "not seen into" though their bodies are in libc.
const std::set<std::string>& non_allocating_libc() {
  static const std::set<std::string> names = {
      "memcpy",  "memmove",      "memset",        "memcmp",       "memchr",
      "strlen",  "strnlen",      "strcmp",        "strncmp",      "strchr",
      "strrchr", "strcpy",       "strncpy",       "strcat",       "strncat",
      "bcmp",    "__memcpy_chk", "__memmove_chk", "__memset_chk", "__stack_chk_fail"};
  return names;
}

// std::__throw_length_error and its siblings: libstdc++'s out-of-line throws.
bool is_std_throw(const std::string& linkage) {
  return linkage.rfind("_ZSt", 0) == 0 && linkage.find("__throw_") != std::string::npos;
}

bool is_cold_part(const std::string& linkage) {
  return linkage.find(".cold") != std::string::npos;
}

std::string strip_version(std::string name) {
  const std::size_t at = name.find('@');
  if (at != std::string::npos) name.resize(at);
  return name;
}

// "make_node(int)" -> "make_node"; names without parameters stay as they are.
std::string without_parameters(const std::string& demangled) {
  const std::size_t paren = demangled.find('(');
  return paren == std::string::npos ? demangled : demangled.substr(0, paren);
}

}  // namespace

bool is_library_allocator(const std::string& linkage_name) {
  // _ZNSt (std::), _ZNKSt (const member), _ZNSt7__cxx11 (new-ABI string); not _ZSt
  // free functions.
  if (linkage_name.rfind("_ZNSt", 0) != 0 && linkage_name.rfind("_ZNKSt", 0) != 0) return false;
  for (const char* member : kGrowthMembers) {
    const std::string spelled = std::to_string(std::char_traits<char>::length(member)) + member;
    const std::size_t at = linkage_name.find(spelled);
    // The length must not be the tail of a longer number ("117_M_create" is not 17...).
    if (at != std::string::npos &&
        (at == 0 || !std::isdigit(static_cast<unsigned char>(linkage_name[at - 1])))) {
      return true;
    }
  }
  return false;
}

AllocReachability::AllocReachability(const ObjectFile& file, const Decoder& decoder,
                                     AllocNames names, std::set<std::string> allowed, int max_depth)
    : file_(file),
      decoder_(decoder),
      names_(std::move(names)),
      allowed_(std::move(allowed)),
      max_depth_(std::max(1, max_depth)) {}

AllocReachability::~AllocReachability() = default;

// The file answers both lookups from its own index (no copy of every name); a function
// found is copied once, here, so that edges can point at it.
const Symbol* AllocReachability::keep(const SymbolRef& found) const {
  auto [it, fresh] = kept_.try_emplace({found.address, std::string(found.name)});
  if (fresh) it->second = found.to_symbol();
  return &it->second;
}

const Symbol* AllocReachability::function_at(std::uint64_t address) const {
  const std::optional<SymbolRef> f = file_.function_by_address(address);
  return f ? keep(*f) : nullptr;
}

const Symbol* AllocReachability::function_named(const std::string& linkage) const {
  // The first of several symbols of one name, in functions() order, wins.
  const auto [it, fresh] = by_name_.try_emplace(linkage, nullptr);
  if (fresh) {
    const std::vector<Symbol> found = file_.functions_named(linkage);
    if (!found.empty()) it->second = keep(SymbolRef::of(found.front()));
  }
  return it->second;
}

std::vector<AllocReachability::Edge> AllocReachability::edges_in(const AnnotatedFunction& f,
                                                                 const AnnotatedInstruction& a) {
  const Instruction& in = a.insn;
  const std::uint64_t end = f.range.address + f.range.size;
  const bool leaves = in.target && (*in.target < f.range.address || *in.target >= end);
  // A branch into another symbol that is not a tail call: a jump into a split-off part.
  const bool branch_out = in.is_branch() && leaves && !(a.tags & kTagCall);
  if (!(a.tags & kTagCall) && !(a.tags & kTagIndirectCall) && !branch_out) return {};
  Edge e;
  const std::string& sym = a.call_symbol;
  // Allowed, a free, a function that never returns (an error path: throw, abort), or a
  // C function known not to allocate: neither an allocation nor something unseen.
  if (!sym.empty() &&
      (allowed_.contains(sym) || (a.tags & kTagFree) || names_.noreturn.contains(sym) ||
       is_std_throw(sym) || non_allocating_libc().contains(sym))) {
    e.kind = Edge::Kind::kAllowed;
    return {e};
  }
  if ((a.tags & kTagAlloc) || (!sym.empty() && is_library_allocator(sym))) {
    e.kind = Edge::Kind::kAllocator;
    e.display = demangle(sym);
    return {e};
  }
  const Symbol* target = nullptr;
  if (in.target && !file_.plt_name(*in.target)) target = function_at(*in.target);
  if (target == nullptr && !sym.empty()) target = function_named(sym);
  if (target != nullptr) {
    if (allowed_.contains(target->name)) {
      e.kind = Edge::Kind::kAllowed;
      return {e};
    }
    e.kind = Edge::Kind::kFunction;
    e.target = target;
    e.display = target->demangled();
    e.cold = is_cold_part(target->name);
    return {e};
  }
  if (!sym.empty()) {
    e.kind = Edge::Kind::kExternal;
    e.display = demangle(sym);
    return {e};
  }
  if (in.kind == InsnKind::kIndirectJump && !(a.tags & kTagCall)) return {};  // a switch
  e.kind = Edge::Kind::kIndirect;
  e.display = "an indirect call in " + f.range.demangled;
  return {e};
}

const std::vector<AllocReachability::Edge>& AllocReachability::edges_of(const Symbol& symbol) {
  if (const auto it = edges_.find(symbol.address); it != edges_.end()) return it->second;
  std::vector<Edge> edges;
  try {
    const AnnotatedFunction f = annotate(file_, decoder_, range_of(file_, symbol), names_, nullptr);
    for (const AnnotatedInstruction& a : f.instructions) {
      for (Edge& e : edges_in(f, a)) edges.push_back(std::move(e));
    }
  } catch (const Error&) {
    // A body that cannot be decoded is one the search cannot see into.
    Edge e;
    e.display = "undecodable " + symbol.demangled();
    edges.push_back(e);
  }
  return edges_.emplace(symbol.address, std::move(edges)).first->second;
}

Reach AllocReachability::reach_of(const AnnotatedFunction& f, const AnnotatedInstruction& call) {
  // Breadth first, so the path reported is a shortest one.
  struct Item {
    Edge edge;
    int depth = 1;
    int parent = -1;
  };
  std::vector<Item> items;
  std::deque<std::size_t> queue;
  std::set<std::uint64_t> visited;
  for (Edge& e : edges_in(f, call)) {
    items.push_back({std::move(e), 1, -1});
    queue.push_back(items.size() - 1);
  }
  Reach reach;
  while (!queue.empty()) {
    const std::size_t i = queue.front();
    queue.pop_front();
    const Edge edge = items[i].edge;  // a copy: items grows below
    const int depth = items[i].depth;
    switch (edge.kind) {
      case Edge::Kind::kAllocator: {
        reach.kind = Reach::Kind::kAllocates;
        reach.path.clear();
        for (int k = static_cast<int>(i); k != -1; k = items[static_cast<std::size_t>(k)].parent) {
          const Edge& step = items[static_cast<std::size_t>(k)].edge;
          reach.path.push_back(step.display);
          reach.cold = reach.cold || step.cold;
        }
        std::reverse(reach.path.begin(), reach.path.end());
        reach.unknown.clear();
        return reach;
      }
      case Edge::Kind::kAllowed:
        break;
      case Edge::Kind::kExternal:
        if (reach.unknown.empty()) reach.unknown = edge.display + " (outside this binary)";
        break;
      case Edge::Kind::kIndirect:
        if (reach.unknown.empty()) reach.unknown = edge.display;
        break;
      case Edge::Kind::kFunction: {
        if (!visited.insert(edge.target->address).second) break;
        if (depth >= max_depth_) {
          // Its own direct allocator calls are one step further: beyond the limit too.
          if (reach.unknown.empty()) {
            reach.unknown =
                edge.display + " (more than " + std::to_string(max_depth_) + " calls deep)";
          }
          break;
        }
        for (const Edge& next : edges_of(*edge.target)) {
          items.push_back({next, depth + 1, static_cast<int>(i)});
          queue.push_back(items.size() - 1);
        }
        break;
      }
    }
  }
  reach.kind = reach.unknown.empty() ? Reach::Kind::kNone : Reach::Kind::kUnknown;
  return reach;
}

ReachSummary AllocReachability::mark(AnnotatedFunction& f) {
  ReachSummary s;
  const bool whole_function_cold = is_cold_part(f.range.name);
  for (AnnotatedInstruction& a : f.instructions) {
    if (whole_function_cold && (a.tags & (kTagAlloc | kTagCall))) a.tags |= kTagCold;
    if (a.tags & kTagAlloc) continue;
    const std::vector<Edge> direct = edges_in(f, a);
    if (direct.empty()) continue;
    if (direct.front().cold) a.tags |= kTagCold;
    const Reach r = reach_of(f, a);
    if (r.kind == Reach::Kind::kAllocates) {
      a.tags |= kTagAllocReachable;
      if (r.cold) a.tags |= kTagCold;
      a.alloc_path = r.path;
      ++s.reachable_calls;
      if (a.loop >= 0) ++s.reachable_calls_in_loops;
    } else if (r.kind == Reach::Kind::kUnknown && a.loop >= 0) {
      ++s.unseen_in_loops;
      if (s.unseen_examples.size() < 3) s.unseen_examples.push_back(r.unknown);
    }
  }
  return s;
}

std::vector<std::string> callable_names(const ObjectFile& file) {
  std::set<std::string> names;
  for (const Symbol& s : file.functions()) names.insert(s.name);
  // PLT stubs have no symbols: ask for a name at each address of the PLT sections (a few
  // kilobytes; the lookup is a hash probe).
  for (const Section& section : file.sections()) {
    if (section.name != ".plt" && section.name != ".plt.sec" && section.name != ".plt.got" &&
        section.name != ".iplt") {
      continue;
    }
    for (std::uint64_t a = section.address; a < section.address + section.size; ++a) {
      if (const auto name = file.plt_name(a)) names.insert(strip_version(*name));
    }
  }
  return {names.begin(), names.end()};
}

std::vector<std::string> match_names(const std::vector<std::string>& candidates,
                                     const std::string& pattern) {
  std::vector<std::string> matched;
  const bool glob = pattern.find_first_of("*?[") != std::string::npos;
  for (const std::string& c : candidates) {
    if (c == pattern) return {c};  // an exact linkage name is that function alone
  }
  for (const std::string& c : candidates) {
    const std::string d = demangle(c);
    if (d == pattern || without_parameters(d) == pattern ||
        (glob && (fnmatch(pattern.c_str(), d.c_str(), 0) == 0 ||
                  fnmatch(pattern.c_str(), c.c_str(), 0) == 0))) {
      matched.push_back(c);
    }
  }
  return matched;
}

}  // namespace deferlab::disasm
