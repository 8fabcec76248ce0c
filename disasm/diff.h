// Instruction-level diff of two annotated functions that survives address shifts: both
// sides are normalised first (branch targets become labels, call targets and PC-relative
// operands become symbols, any other address-like immediate becomes ADDR, and optionally
// every register becomes REG), then aligned by a shortest edit script (Myers' O(ND) diff,
// in linear space).
//
//   const FunctionDiff d = diff_functions(a, b, {.ignore_registers = false});
//   d.match_percent   // 100 * 2 * equal / (|A| + |B|), in normalised instructions
#pragma once

#include <set>
#include <string>
#include <vector>

#include "disasm/annotate.h"

namespace deferlab::disasm {

// The most instructions a side diff_functions aligns. Memory grows linearly (`deferlab diff`
// of two JSON files peaks at 48 MB for 20,000 instructions a side, about 1.2 KB an
// instruction all told), time as (|A| + |B|) x D: two functions with nothing in common
// take 3.5 s at 20,000 instructions a side and 23 s at 50,000.
inline constexpr std::size_t kMaxDiffInstructions = 50000;

struct DiffOptions {
  bool ignore_registers = false;
  // Register names of the architecture (for ignore_registers); see register_names().
  const std::set<std::string>* registers = nullptr;
  // Larger sides are refused (see kMaxDiffInstructions).
  std::size_t max_instructions = kMaxDiffInstructions;
};

enum class DiffOpKind { kEqual, kReplace, kInsert, kDelete };

struct DiffOp {
  DiffOpKind kind = DiffOpKind::kEqual;
  int a = -1;  // instruction index in A, or -1 (insert)
  int b = -1;  // instruction index in B, or -1 (delete)
};

struct SummaryDelta {
  long long instructions = 0;
  long long bytes = 0;
  long long calls = 0;
  long long alloc_calls = 0;
  long long alloc_calls_in_loops = 0;
  long long free_calls = 0;
  long long indirect_calls = 0;
  long long loops = 0;
  long long max_loop_depth = 0;
  long long stack_frame_size = 0;
};

struct FunctionDiff {
  std::vector<DiffOp> ops;
  std::vector<std::string> normalized_a;
  std::vector<std::string> normalized_b;
  std::size_t equal = 0;
  std::size_t replaced = 0;
  std::size_t inserted = 0;
  std::size_t deleted = 0;
  double match_percent = 100;
  SummaryDelta delta;  // B minus A
};

inline constexpr const char* kMatchDefinition =
    "2 x equal instructions / (instructions in A + instructions in B) x 100, after "
    "normalising addresses to labels and symbols (objdiff-style Dice score)";

// The normalised text of one instruction, as the diff compares it.
std::string normalize(const AnnotatedInstruction& a, const DiffOptions& options);

// Whether diff_functions accepts the pair: neither side over options.max_instructions.
bool within_diff_limit(const AnnotatedFunction& a, const AnnotatedFunction& b,
                       const DiffOptions& options);

// Throws Error (naming the function) when a side is over options.max_instructions.
FunctionDiff diff_functions(const AnnotatedFunction& a, const AnnotatedFunction& b,
                            const DiffOptions& options);

// Every register name Capstone knows for `arch` ("rax", "eax", "x0", "w0", ...).
std::set<std::string> register_names(Arch arch);

}  // namespace deferlab::disasm
