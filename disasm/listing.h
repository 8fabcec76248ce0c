// Human listings of annotated functions: a terminal/text form (like objdump -d, with call
// targets named, branch targets as labels, a loop gutter and the annotations as trailing
// comments) and a Markdown form for code reviews (a ```asm block).
#pragma once

#include <string>

#include "disasm/annotate.h"
#include "disasm/source_cache.h"

namespace deferlab::disasm {

struct ListingOptions {
  bool bytes = true;               // show the encoding column
  SourceCache* sources = nullptr;  // interleave source lines when set
  // What the heat column counts ("executions per iteration of BM_x"), shown under the
  // summary; the column itself appears when any instruction has Heat.
  std::string heat_note;
};

// The heat column's text for one instruction: executions per iteration when known (a
// whole number, or two decimals), else executions; "-" when it has no count.
std::string heat_text(const AnnotatedInstruction& a);

// The operands as a reader wants them: a branch target as its label, a direct call's
// target as the callee's name.
std::string display_operands(const AnnotatedInstruction& a);

// "alloc, in loop 0 (depth 1)", "call operator new(unsigned long)@plt", ...: what the
// trailing comment says.
std::string annotation_text(const AnnotatedInstruction& a);

// The function's summary line: "45 instructions, 4 calls, 1 alloc call (1 in loops), ...".
std::string summary_text(const Summary& s);

std::string render_function_text(const AnnotatedFunction& f, const ListingOptions& options);
std::string render_function_markdown(const AnnotatedFunction& f, const ListingOptions& options);

}  // namespace deferlab::disasm
