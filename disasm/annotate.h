// Annotation of one function's instructions: call targets named (direct, PLT, GOT,
// relocations), branch targets as local labels, tags (alloc, free, indirect-call, throw,
// unwind, stack-check), source lines, basic blocks, natural loops with their nesting, and
// a summary: the facts a reviewer asks of a hot path.
//
//   const Decoder decoder(file->arch(), Syntax::kIntel);
//   const AnnotatedFunction f = annotate(*file, decoder, range_of(symbol), AllocNames::defaults(),
//                                        lines.get());
//   if (f.summary.alloc_calls_in_loops > 0) ...
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "disasm/decoder.h"
#include "disasm/object_file.h"

namespace deferlab::disasm {

// The functions whose calls are tagged alloc / free, and those after whose call control
// never comes back (a block ends there), by linkage name (mangled).
struct AllocNames {
  std::set<std::string> alloc;
  std::set<std::string> free;
  std::set<std::string> noreturn;

  // The C malloc family, every C++ operator new / delete form, Rust's __rust_alloc
  // family, and Go's runtime.newobject / mallocgc / deferproc / growslice.
  static AllocNames defaults();
};

// Instruction tags, as a bit set.
enum Tag : std::uint32_t {
  kTagCall = 1u << 0,
  kTagAlloc = 1u << 1,
  kTagFree = 1u << 2,
  kTagIndirectCall = 1u << 3,
  kTagIndirectJump = 1u << 4,
  kTagThrow = 1u << 5,
  kTagUnwind = 1u << 6,
  kTagStackCheck = 1u << 7,
  kTagReturn = 1u << 8,
  kTagBranch = 1u << 9,
  kTagTailCall = 1u << 10,
  kTagInLoop = 1u << 11,
  kTagInvalid = 1u << 12,
  kTagAllocReachable = 1u << 13,  // a call whose callee can reach an allocator (alloc_reach.h)
  kTagCold = 1u << 14,            // a call or branch into code the compiler placed as cold
};

// Tag names in bit order, as the JSON spells them.
inline constexpr std::uint32_t kTagCount = 15;
inline constexpr const char* kTagNames[kTagCount] = {
    "call",      "alloc",   "free",        "indirect-call",   "indirect-jump",
    "throw",     "unwind",  "stack-check", "return",          "branch",
    "tail-call", "in-loop", "invalid",     "alloc-reachable", "cold"};
std::vector<std::string> tag_names(std::uint32_t tags);

// How often an instruction ran, from a profile (deferlab disasm --counts): in total, and
// per iteration of a benchmark's timed loop when the profile knows the iterations.
struct Heat {
  std::optional<std::uint64_t> executions;
  std::optional<double> per_iteration;
};

// What a PC-relative operand refers to, named as objdump -d names it (references.h).
struct Reference {
  std::uint64_t address = 0;  // rip + disp; an adrp page, completed by add / ldr
  std::string symbol;         // named after this symbol, as the file spells it
  std::int64_t offset = 0;    // address - the symbol's address
  bool got = false;           // a GOT slot, holding `symbol`'s address (offset 0)
};

struct AnnotatedInstruction {
  AnnotatedInstruction() = default;
  // Constructed around its instruction: `emplace_back()` would zero the whole record (a
  // defaulted constructor value-initializes) before setting each member again.
  explicit AnnotatedInstruction(Instruction&& decoded) : insn(std::move(decoded)) {}

  Instruction insn;
  std::uint32_t tags = 0;
  std::string label;         // ".L3" when something in the function branches here
  std::string branch_label;  // the label of a direct branch's target inside the function
  std::string call_target;   // "operator new(unsigned long)@plt", "foo+0x10", ...
  std::string call_symbol;   // the callee's linkage name, without @plt / @GOT
  std::string reference;     // a PC-relative operand's symbol ("counter+0x8"), demangled
  std::optional<Reference> reference_target;  // its address and objdump's name for it
  int block = -1;
  int loop = -1;       // innermost loop, or -1
  int loop_depth = 0;  // 0 outside loops
  std::optional<SourceLocation> source;
  std::optional<Heat> heat;  // set only when counts were joined
  // With kTagAllocReachable: the demangled names from the callee to the allocator it
  // reaches ("make_node(int)", "operator new(unsigned long)").
  std::vector<std::string> alloc_path;
};

// A block's successors: a direct branch's target and the fall-through, so at most two
// (a jump through a table has none known). In the block itself: a vector each cost an
// allocation for every few instructions of a whole-library listing.
class Successors {
 public:
  Successors() = default;
  Successors(std::initializer_list<int> ids) {
    for (int id : ids) push_back(id);
  }
  // A third is dropped (no block has one; see above).
  void push_back(int id) {
    if (size_ < ids_.size()) ids_[size_++] = id;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const int* begin() const { return ids_.data(); }
  const int* end() const { return ids_.data() + size_; }
  int operator[](std::size_t k) const { return ids_[k]; }
  friend bool operator==(const Successors& a, const Successors& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  std::array<int, 2> ids_{};
  std::uint8_t size_ = 0;
};

struct BasicBlock {
  int id = 0;
  std::size_t first = 0;  // instruction indices, inclusive
  std::size_t last = 0;
  Successors successors;
  bool reachable = false;  // from the entry, along known edges
  int loop = -1;           // innermost loop
};

struct Loop {
  int id = 0;
  int header = 0;                               // block id
  std::vector<int> blocks;                      // sorted block ids, header included
  std::vector<std::pair<int, int>> back_edges;  // (from block, to header)
  int parent = -1;
  int depth = 1;  // 1 for an outermost loop
};

struct Summary {
  std::size_t instructions = 0;
  std::uint64_t bytes = 0;
  std::size_t calls = 0;  // direct and indirect calls, and tail calls
  std::size_t alloc_calls = 0;
  std::size_t alloc_calls_in_loops = 0;
  std::size_t free_calls = 0;
  std::size_t indirect_calls = 0;
  std::size_t loops = 0;
  int max_loop_depth = 0;
  std::uint64_t stack_frame_size = 0;  // pushes and explicit allocation in the entry block
  std::size_t invalid = 0;             // undecodable placeholders
};

// What to disassemble: a function symbol or an address range.
struct FunctionRange {
  std::string name;  // linkage name, or "<section>+0x..." for a bare range
  std::string demangled;
  std::size_t section = 0;  // ObjectFile section index
  std::string section_name;
  std::uint64_t address = 0;
  std::uint64_t size = 0;
};

struct AnnotatedFunction {
  FunctionRange range;
  std::vector<AnnotatedInstruction> instructions;
  std::vector<BasicBlock> blocks;
  std::vector<Loop> loops;
  Summary summary;
  // Text of the source lines, when read back from a document that carried it.
  std::map<std::pair<std::string, int>, std::string> source_text;
};

// `lines` may be null (no DWARF, or not wanted). Requires: range lies in its section.
AnnotatedFunction annotate(const ObjectFile& file, const Decoder& decoder,
                           const FunctionRange& range, const AllocNames& names, LineTable* lines);

// The same, for a range whose instructions were already decoded (split_unnamed does).
AnnotatedFunction annotate_decoded(const ObjectFile& file, const FunctionRange& range,
                                   std::vector<Instruction> code, const AllocNames& names,
                                   LineTable* lines);

// The range of a function symbol.
FunctionRange range_of(const ObjectFile& file, const Symbol& symbol);

}  // namespace deferlab::disasm
