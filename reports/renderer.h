// One renderer per format behind one interface (after google/benchmark's reporters): the
// same RunReport as console text, deferlab.report/1 JSON, review Markdown or a
// self-contained HTML page.
//
//   const std::unique_ptr<Renderer> html = make_renderer("html", {});
//   write_file_atomically(dir / html->file_name(), html->render(report));
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "reports/report_model.h"

namespace deferlab::reports {

struct RenderOptions {
  bool color = false;  // text only: ANSI colours
};

class Renderer {
 public:
  virtual ~Renderer() = default;
  virtual std::string render(const RunReport& report) const = 0;
  // The file a run directory keeps this format in ("report.json", "index.html", ...).
  virtual std::string file_name() const = 0;
};

// "text", "json", "md" or "html"; null for anything else.
std::unique_ptr<Renderer> make_renderer(std::string_view format, const RenderOptions& options);

// Per-format entry points, also used directly by tests.
std::string render_report_json(const RunReport& report);
std::string render_review_markdown(const RunReport& report);
std::string render_report_html(const RunReport& report);

// GitHub's limit for one comment; review.md stays under it.
inline constexpr std::size_t kReviewLimit = 65536;

}  // namespace deferlab::reports
