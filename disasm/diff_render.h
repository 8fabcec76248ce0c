// Renders a FunctionDiff: text (a unified-diff-like listing), Markdown for code reviews (a
// summary table and a ```diff block) and the deferlab.diff/1 JSON document.
#pragma once

#include <string>

#include "disasm/diff.h"

namespace deferlab::disasm {

struct DiffSide {
  const AnnotatedFunction* function = nullptr;
  std::string source;  // binary or JSON file
  std::string arch;
};

std::string render_diff_text(const DiffSide& a, const DiffSide& b, const FunctionDiff& d);
// At most `max_chars` characters (for max_chars >= 4096): a diff too long is cut at a line,
// with a closing line saying how many lines were cut and that the text form has them all.
std::string render_diff_markdown(const DiffSide& a, const DiffSide& b, const FunctionDiff& d,
                                 std::size_t max_chars = 65000);
// Compact JSON text of the deferlab.diff/1 document.
std::string render_diff_json(const DiffSide& a, const DiffSide& b, const FunctionDiff& d,
                             const DiffOptions& options);

// "instructions +2, alloc calls 0, alloc calls in loops 0, ..."
std::string describe_delta(const SummaryDelta& delta);

}  // namespace deferlab::disasm
