// Fitting Markdown sections to a character budget (markdown_budget.h).
#include "reports/markdown_budget.h"

#include <algorithm>

#include "common/text_escape.h"

namespace deferlab::reports {
namespace {

// Room kept for the closing lines: a count, a shortened escaped title (at most 4 x 200
// characters), fixed words, plus the caller's how_to_get and tail.
constexpr std::size_t kClosingReserve = 1200;
constexpr std::size_t kTitleBytes = 200;

// `head` cut after its last whole line that fits `room`, and a line saying so.
std::string cut_head(const std::string& head, std::size_t room, const std::string& how_to_get) {
  const std::string note_words = "\n> The summary above was cut after line  to fit the budget. ";
  const std::size_t keep = room > note_words.size() + how_to_get.size() + 24
                               ? room - note_words.size() - how_to_get.size() - 24
                               : 0;
  std::size_t end = head.rfind('\n', keep);
  end = end == std::string::npos ? 0 : end + 1;
  const std::size_t lines = static_cast<std::size_t>(
      std::count(head.begin(), head.begin() + static_cast<long>(end), '\n'));
  return head.substr(0, end) + "\n> The summary above was cut after line " + std::to_string(lines) +
         " to fit the budget. " + how_to_get + "\n";
}

// A table section's body cut after the rows that fit `room` (with its end and a note);
// "" when not even a few rows would fit.
std::string shortened_table(const MarkdownSection& s, std::size_t room,
                            const std::string& how_to_get) {
  // "\n> N rows of this table were cut to fit. " + how_to_get + "\n"
  const std::size_t note = 80 + how_to_get.size();
  if (room < s.end.size() + note + 1000) return "";
  const std::size_t keep = s.body.rfind('\n', room - s.end.size() - note);
  if (keep == std::string::npos) return "";
  const std::size_t rows = static_cast<std::size_t>(
      std::count(s.body.begin() + static_cast<long>(keep) + 1, s.body.end(), '\n'));
  return s.body.substr(0, keep + 1) + "\n> " + std::to_string(rows) +
         " rows of this table were cut to fit. " + how_to_get + "\n" + s.end;
}

}  // namespace

std::string shortened(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  // Back to the first byte of a UTF-8 character (continuation bytes are 10xxxxxx).
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end) + "...";
}

std::string fit_markdown(const std::string& head, const std::vector<MarkdownSection>& sections,
                         const std::string& tail, std::size_t max_chars,
                         const std::string& how_to_get) {
  const std::size_t budget = std::max(max_chars, kMinMarkdownBudget);
  const std::size_t reserve = kClosingReserve + how_to_get.size() + tail.size();
  const std::size_t room = budget > reserve ? budget - reserve : 0;
  std::string out = head.size() > room ? cut_head(head, room, how_to_get) : head;
  std::vector<const MarkdownSection*> cut;
  for (const MarkdownSection& s : sections) {
    if (out.size() + s.body.size() + s.end.size() <= room) {
      out += s.body + s.end;
      continue;
    }
    const std::string part = s.table ? shortened_table(s, room - out.size(), how_to_get) : "";
    if (part.empty()) cut.push_back(&s);
    out += part;
  }
  if (!cut.empty()) {
    out += "\n> " + std::to_string(cut.size()) + " of " + std::to_string(sections.size()) +
           " sections were cut to stay under " + std::to_string(budget) +
           " characters (the first: " + markdown_text(shortened(cut.front()->title, kTitleBytes)) +
           "). " + how_to_get + "\n";
  }
  return out + tail;
}

}  // namespace deferlab::reports
