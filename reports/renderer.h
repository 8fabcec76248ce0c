// One renderer per format behind one interface (after google/benchmark's reporters): every
// document deferlab writes — a run's report, a comparison of two runs, a diff of two
// functions, an annotated listing — as console text, JSON, Markdown for a pull request or
// a self-contained HTML page. A new format is one class; a new document, one method.
//
//   const std::unique_ptr<Renderer> html = make_renderer("html", {});
//   write_file_atomically(dir / html->file_name(), html->render(report));
//   std::cout << make_renderer("md", {})->render(comparison);
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "disasm/decoder.h"
#include "disasm/diff.h"
#include "disasm/diff_render.h"
#include "disasm/listing.h"
#include "reports/compare.h"
#include "reports/report_model.h"

namespace deferlab::reports {

struct RenderOptions {
  bool color = false;  // text only: ANSI colours
  // Markdown only: the most characters a document may have (one GitHub comment).
  std::size_t max_chars = disasm::kDefaultMarkdownBudget;
};

// Two functions aligned by disasm::diff_functions, with what names each side.
struct DiffDocument {
  disasm::DiffSide a;
  disasm::DiffSide b;
  const disasm::FunctionDiff* diff = nullptr;
  disasm::DiffOptions options;  // as the diff was made (the JSON records them)
};

// Annotated functions of one binary (deferlab disasm).
struct ListingDocument {
  std::string binary_json;  // disasm::describe_binary of the binary
  disasm::Syntax syntax = disasm::Syntax::kIntel;
  const std::vector<disasm::AnnotatedFunction>* functions = nullptr;
  std::vector<std::string> heat_notes;     // empty, or one per function
  disasm::SourceCache* sources = nullptr;  // interleave source lines when set
  std::string how_to_get;                  // Markdown: how to get a listing the budget cut
  bool raw_bytes = true;                   // text, Markdown, HTML: the column of bytes
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual std::string render(const RunReport& report) const = 0;
  virtual std::string render(const Comparison& comparison) const = 0;
  virtual std::string render(const DiffDocument& diff) const = 0;
  virtual std::string render(const ListingDocument& listing) const = 0;
  // The file a run directory keeps this format's report in ("report.json", "index.html", ...).
  virtual std::string file_name() const = 0;
};

// "text", "json", "md" or "html"; null for anything else.
std::unique_ptr<Renderer> make_renderer(std::string_view format, const RenderOptions& options);

// Per-format entry points, also used directly by tests. (A comparison's are in compare.h.)
std::string render_report_json(const RunReport& report);
// review.md, at most max_chars characters (markdown_budget.h).
std::string render_review_markdown(const RunReport& report,
                                   std::size_t max_chars = disasm::kDefaultMarkdownBudget);
std::string render_report_html(const RunReport& report);

std::string render_diff_html(const DiffDocument& diff);
std::string render_listing_text(const ListingDocument& listing);
std::string render_listing_json(const ListingDocument& listing);
std::string render_listing_html(const ListingDocument& listing);

// GitHub's limit for one comment; every Markdown document stays under it by default.
inline constexpr std::size_t kReviewLimit = 65536;
static_assert(disasm::kDefaultMarkdownBudget < kReviewLimit);

}  // namespace deferlab::reports
