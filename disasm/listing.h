// Human listings of annotated functions: a terminal/text form (like objdump -d, with call
// targets named, branch targets as labels, a loop gutter and the annotations as trailing
// comments) and a Markdown form for code reviews (a ```asm block).
#pragma once

#include <string>
#include <vector>

#include "disasm/annotate.h"
#include "disasm/source_cache.h"

namespace deferlab::disasm {

struct ListingOptions {
  bool bytes = true;               // show the encoding column, every byte of it
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

// GitHub refuses a comment over 65,536 characters; 65,000 leaves room for a line of prose.
inline constexpr std::size_t kDefaultMarkdownBudget = 65000;

// A Markdown document for a pull request that fits `max_chars` by design: a summary table
// (function, instructions, alloc calls, calls reaching one, loops), each listing folded in
// <details>, and, when the listings do not all fit, the longest ones cut first with a
// closing line naming them and `how_to_get` (e.g. "deferlab disasm BIN -s NAME"). The
// result is never longer than max_chars when max_chars >= 4096 (table rows are cut too).
// `heat_notes` is empty or one per function.
std::string render_markdown_document(const std::vector<AnnotatedFunction>& functions,
                                     const std::vector<std::string>& heat_notes,
                                     const ListingOptions& options, std::size_t max_chars,
                                     const std::string& how_to_get);

}  // namespace deferlab::disasm
