// Markdown that fits one GitHub comment by design: sections in order of interest are kept
// while they fit the budget, the others are cut, and a closing line says how many were cut,
// the first of them, and where the full text is.
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
};

// head + the sections that fit + the closing line (when any was cut) + tail, in at most
// `max_chars` characters whenever head and tail fit with 600 to spare. A section that does
// not fit is skipped and a later, shorter one may still be kept.
std::string fit_markdown(const std::string& head, const std::vector<MarkdownSection>& sections,
                         const std::string& tail, std::size_t max_chars,
                         const std::string& how_to_get);

}  // namespace deferlab::reports
