// Fitting Markdown sections to a character budget (markdown_budget.h).
#include "reports/markdown_budget.h"

#include "harness/text_escape.h"

namespace deferlab::reports {

std::string fit_markdown(const std::string& head, const std::vector<MarkdownSection>& sections,
                         const std::string& tail, std::size_t max_chars,
                         const std::string& how_to_get) {
  std::string out = head;
  std::vector<const MarkdownSection*> cut;
  // Room for the closing line about what was cut (a section title is one name).
  const std::size_t reserve = 600 + tail.size();
  for (const MarkdownSection& s : sections) {
    if (out.size() + s.body.size() + reserve > max_chars) {
      cut.push_back(&s);
      continue;
    }
    out += s.body;
  }
  if (!cut.empty()) {
    out += "\n> " + std::to_string(cut.size()) + " of " + std::to_string(sections.size()) +
           " sections were cut to stay under GitHub's 65,536-character comment limit (the first: " +
           markdown_text(cut.front()->title) + "). " + how_to_get + "\n";
  }
  return out + tail;
}

}  // namespace deferlab::reports
