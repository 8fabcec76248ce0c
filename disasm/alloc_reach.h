// Allocation reachability over a binary's call graph: which allocation functions a call
// can reach, and through which callees. Edges are direct calls, PLT stubs and GOT slots
// (followed into the binary when it defines the function), tail calls, and branches into
// split-off parts ("f [clone .cold]"); an indirect call, a function the binary does not
// define, or a chain deeper than the limit is something the search could not see into,
// and is reported as such rather than as "does not allocate".
//
//   AllocReachability reach(*file, decoder, AllocNames::defaults(), {}, 4);
//   AnnotatedFunction f = annotate(*file, decoder, range, AllocNames::defaults(), nullptr);
//   const ReachSummary s = reach.mark(f);  // tags kTagAllocReachable, fills alloc_path
//   if (s.unseen_in_loops > 0) ...
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "disasm/annotate.h"
#include "disasm/decoder.h"
#include "disasm/object_file.h"

namespace deferlab::disasm {

// The path length disasm and check search by default: deep enough for a wrapper around a
// factory around a container's growth function, shallow enough to stay fast on big binaries.
inline constexpr int kDefaultReachDepth = 4;

// Whether a linkage name is one of libstdc++'s container and string growth or creation
// internals (vector::_M_realloc_insert, basic_string::_M_create / _M_append / _M_mutate,
// _Hashtable::_M_rehash ...): they allocate whenever they run, and a binary usually shows
// only their PLT stub, so their bodies cannot be searched.
bool is_library_allocator(const std::string& linkage_name);

// What a call can reach.
struct Reach {
  enum class Kind { kNone, kAllocates, kUnknown };
  Kind kind = Kind::kNone;
  std::vector<std::string> path;  // kAllocates: demangled callee ... allocator
  bool cold = false;              // kAllocates: the path goes through a split-off cold part
  std::string unknown;            // kUnknown: the first thing not seen into
};

struct ReachSummary {
  std::size_t reachable_calls = 0;  // calls tagged kTagAllocReachable
  std::size_t reachable_calls_in_loops = 0;
  std::size_t unseen_in_loops = 0;           // calls in loops whose reach is kUnknown
  std::vector<std::string> unseen_examples;  // what was not seen into, first few
};

class AllocReachability {
 public:
  // `allowed`: linkage names the search neither counts nor enters. `max_depth`: the most
  // calls on a path, the call itself included (1: only direct calls of an allocator).
  // Requires: `file` and `decoder` outlive this object.
  AllocReachability(const ObjectFile& file, const Decoder& decoder, AllocNames names,
                    std::set<std::string> allowed, int max_depth);
  ~AllocReachability();

  // The reach of one annotated call (or tail call, or branch leaving `f`).
  Reach reach_of(const AnnotatedFunction& f, const AnnotatedInstruction& call);

  // Tags every call of `f` that can reach an allocator (kTagAllocReachable, with its
  // path; kTagCold when the path goes through cold code), calls already tagged kTagAlloc
  // excepted, and counts the calls in loops it could not see into.
  ReachSummary mark(AnnotatedFunction& f);

 private:
  struct Node;
  struct Edge;
  const std::vector<Edge>& edges_of(const Symbol& symbol);
  std::vector<Edge> edges_in(const AnnotatedFunction& f, const AnnotatedInstruction& a);
  const Symbol* function_at(std::uint64_t address) const;
  const Symbol* function_named(const std::string& linkage) const;
  const Symbol* keep(const SymbolRef& found) const;

  const ObjectFile& file_;
  const Decoder& decoder_;
  AllocNames names_;
  std::set<std::string> allowed_;
  int max_depth_;
  mutable std::map<std::pair<std::uint64_t, std::string>, Symbol> kept_;  // edges' targets
  mutable std::map<std::string, const Symbol*> by_name_;  // function_named's answers
  std::map<std::uint64_t, std::vector<Edge>> edges_;      // by function address
};

// Every name a call in `file` can have: its function symbols and PLT stubs (linkage
// names), for resolving --alloc / --allow arguments.
std::vector<std::string> callable_names(const ObjectFile& file);

// The linkage names among `candidates` that `pattern` selects: equal to the linkage or
// demangled name, equal to the demangled name without its parameters, or matching it as a
// glob (fnmatch) on either. Empty when nothing matches.
std::vector<std::string> match_names(const std::vector<std::string>& candidates,
                                     const std::string& pattern);

}  // namespace deferlab::disasm
