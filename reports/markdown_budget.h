// Markdown that fits one GitHub comment by design (65,536 characters; the budget defaults
// to disasm::kDefaultMarkdownBudget, 65,000, as `deferlab disasm --max-chars` does): the
// summary first, then sections in order of interest kept while they fit, and a closing
// line saying how many were cut, the first of them, and how to get everything.
//
//   const std::string md = fit_markdown(summary, sections, footer, 65000,
//                                       "The full report is index.html in the run directory.");
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace deferlab::reports {

struct MarkdownSection {
  std::string title;  // named in the closing line when the section is cut
  std::string body;
  // What closes `body` ("\n</details>\n"), kept when a table is shortened.
  std::string end;
  // `body` ends with a table that may lose rows, rather than be cut whole, when it does not
  // fit: it keeps the rows that do, and a line says how many were cut.
  bool table = false;
};

// The smallest budget fit_markdown keeps to: below it the closing lines alone could
// exceed it.
inline constexpr std::size_t kMinMarkdownBudget = 4096;

// head + the sections that fit + the closing line (when any was cut) + tail. Never longer
// than max(max_chars, kMinMarkdownBudget) when tail and how_to_get are under 1,000
// characters: a head over the budget is cut at a line too, with a line saying so. A
// section that does not fit is skipped and a later, shorter one may still be kept.
std::string fit_markdown(const std::string& head, const std::vector<MarkdownSection>& sections,
                         const std::string& tail, std::size_t max_chars,
                         const std::string& how_to_get);

// `text` cut to at most `max_bytes` bytes at a UTF-8 character boundary, with "..." when
// cut: for naming a cut part in a closing line of bounded length.
std::string shortened(const std::string& text, std::size_t max_bytes);

}  // namespace deferlab::reports
