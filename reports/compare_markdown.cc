// A Comparison as Markdown for a pull request: the table of every benchmark first, then
// the notes (one side only, warnings, problems) and the failed gates. It fits the budget
// by design (--max-chars, 65,000 by default): over it, the rows least worth reading are
// cut first (no significant change, then not compared, then errored), then the notes,
// each cut named in a closing line with the command that prints everything.
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "reports/compare.h"
#include "reports/compare_cells.h"
#include "reports/format.h"
#include "reports/markdown_budget.h"

namespace deferlab::reports {
namespace {

using namespace compare_cells;

std::string table_head(const Comparison& c) {
  return "### deferlab compare\n\nbase " + markdown_code(c.base_source, false) + ", head " +
         markdown_code(c.head_source, false) + "\n\n" + "| benchmark | base | head | " +
         change_header(c) + " | p | verdict | heap_allocs | heap_bytes | code |\n" +
         "|---|---:|---:|---:|---:|---|---:|---:|---|\n";
}

std::string table_row(const CompareRow& r) {
  std::string verdict = r.verdict;
  if (!r.failed_gates.empty()) verdict = "**" + verdict + " (gate)**";
  return "| " + markdown_code(r.name) + " | " + (r.base.n ? format_time(r.base.median) : "-") +
         " | " + (r.head.n ? format_time(r.head.median) : "-") + " | " + change_text(r) + " | " +
         p_text(r) + " | " + verdict + " | " + counts_text(r.allocs) + " | " +
         counts_text(r.bytes) + " | " + markdown_cell(code_text(r)) + " |\n";
}

// The geomean row and the definition under the table.
std::string table_foot(const Comparison& c) {
  std::string out;
  if (c.geomean_ratio)
    out += "| **geomean** | | | " + format_signed_percent(*c.geomean_ratio - 1) + " | | | | | |\n";
  return out + "\n" + markdown_cell(definition_text(c)) + "\n";
}

// The notes under the table, one entry each: benchmarks on one side only (a gate fails on
// them, so every format names them), warnings, rows that could not be compared.
std::vector<std::string> notes(const Comparison& c) {
  std::vector<std::string> out;
  for (const std::string& name : c.only_in_base)
    out.push_back("\nonly in base: " + markdown_code(name, false) + "\n");
  for (const std::string& name : c.only_in_head)
    out.push_back("\nonly in head: " + markdown_code(name, false) + "\n");
  for (const std::string& w : c.warnings) out.push_back("\n> ⚠ " + markdown_cell(w) + "\n");
  for (const CompareRow& r : c.rows) {
    if (!r.problem.empty())
      out.push_back("\n> ⚠ `" + markdown_cell(r.name) + "`: " + markdown_cell(r.problem) + "\n");
  }
  return out;
}

// The failed gates, a line each, the first under the heading.
std::vector<std::string> failures(const Comparison& c) {
  std::vector<std::string> out;
  for (const std::string& f : c.failures)
    out.push_back((out.empty() ? "\n**Gates failed:**\n\n- " : "- ") + markdown_cell(f) + "\n");
  return out;
}

// How much a row is worth reading: a tripped gate first, then a significant change, an
// error, no comparison, and no significant change last.
int interest(const CompareRow& r) {
  if (!r.failed_gates.empty()) return 0;
  if (r.verdict == "slower" || r.verdict == "faster") return 1;
  if (r.verdict == "errored" || r.verdict == "invalid") return 2;
  if (r.verdict == "not compared") return 3;
  return 4;
}

// The rows to keep within `room` characters: the most interesting first, each level in
// table order; returned in table order.
std::vector<std::size_t> rows_to_keep(const std::vector<std::string>& rows, const Comparison& c,
                                      std::size_t room) {
  std::vector<std::size_t> order(rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return interest(c.rows[a]) < interest(c.rows[b]);
  });
  std::vector<std::size_t> kept;
  std::size_t used = 0;
  for (const std::size_t k : order) {
    if (used + rows[k].size() > room) break;
    used += rows[k].size();
    kept.push_back(k);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

// Over the budget: the table keeps the rows that fit most interesting first, then the
// notes and failed gates fill what is left, and a closing line says what was cut.
std::string fit_comparison(const Comparison& c, const std::vector<std::string>& rows,
                           const std::vector<std::string>& all_notes, std::size_t budget) {
  const std::string how = markdown_code("deferlab compare " + shortened(c.base_source, 200) + " " +
                                            shortened(c.head_source, 200) + " -f text",
                                        false) +
                          " (or `-f json`) has every row";
  const std::string head = table_head(c);
  const std::string foot = table_foot(c);
  const std::size_t reserve = 600 + 2 * how.size();
  const std::size_t fixed = head.size() + foot.size() + reserve;
  const std::size_t room = budget > fixed ? budget - fixed : 0;
  // The failed gates before the other notes: they say why the exit code is 1.
  std::vector<std::string> rest = failures(c);
  rest.insert(rest.end(), all_notes.begin(), all_notes.end());
  // The table first: at most three quarters of the room when notes compete for it.
  const std::vector<std::size_t> kept = rows_to_keep(rows, c, rest.empty() ? room : room / 4 * 3);
  std::string out = head;
  std::size_t used = 0;
  for (const std::size_t k : kept) {
    out += rows[k];
    used += rows[k].size();
  }
  out += foot;
  std::size_t notes_kept = 0;
  for (const std::string& note : rest) {
    if (used + note.size() > room) break;
    out += note;
    used += note.size();
    ++notes_kept;
  }
  out += "\n> " + std::to_string(rows.size() - kept.size()) + " of " + std::to_string(rows.size()) +
         " rows (no significant change first) and " + std::to_string(rest.size() - notes_kept) +
         " of " + std::to_string(rest.size()) + " notes were cut to stay under " +
         std::to_string(budget) + " characters; " + how + ".\n";
  return out;
}

}  // namespace

std::string render_comparison_markdown(const Comparison& c, std::size_t max_chars) {
  std::vector<std::string> rows;
  for (const CompareRow& r : c.rows) rows.push_back(table_row(r));
  const std::vector<std::string> all_notes = notes(c);
  std::string out = table_head(c);
  for (const std::string& row : rows) out += row;
  out += table_foot(c);
  for (const std::string& note : all_notes) out += note;
  for (const std::string& line : failures(c)) out += line;
  const std::size_t budget = std::max(max_chars, kMinMarkdownBudget);
  return out.size() <= budget ? out : fit_comparison(c, rows, all_notes, budget);
}

}  // namespace deferlab::reports
