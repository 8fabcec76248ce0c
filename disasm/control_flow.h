// The control flow of one annotated function: basic blocks, natural loops (and cycles
// with several entries, as loops), their nesting, and the calls on paths the compiler
// laid out as unlikely. annotate() calls it; it needs instructions with kinds, targets
// and call symbols already set.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "disasm/annotate.h"

namespace deferlab::disasm {

// Fills f.blocks, f.loops and each instruction's block, loop, loop_depth and kTagInLoop,
// then tags kTagCold the calls on statically unlikely paths. A block E starts such a path
// when
//   1. every edge into E is the taken side of a conditional branch placed before E;
//   2. the blocks E dominates (its region) hold no loop header, no return and no tail
//      call, and no jump through a table: the path rejoins code outside it, or ends in a
//      call that does not return (`noreturn`) or a trap;
//   3. a return or tail call lies between the last of those branches and E (the compiler
//      moved E past the hot path's exit, as GCC does with __builtin_expect(c, 0) and
//      [[unlikely]]), or every way out of the region is a call that does not return.
// A loop's growth or error path laid out after the function's `ret` and jumping back, and
// a bounds check's throw, qualify; an if/else whose else block precedes the return, and an
// early return's main body (which holds the return), do not.
void find_blocks_and_loops(AnnotatedFunction& f, const std::set<std::string>& noreturn);

// The cold marking above, alone (cold_paths.cc): needs blocks, loops and the immediate
// dominators (idom[b] == -1 for unreachable blocks).
void mark_unlikely_cold(AnnotatedFunction& f, const std::vector<int>& idom);

// Whether block a dominates block b, along idom.
bool dominates(const std::vector<int>& idom, int a, int b);

}  // namespace deferlab::disasm
