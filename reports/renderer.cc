#include "reports/renderer.h"

#include "reports/text_renderer.h"

namespace deferlab::reports {
namespace {

class TextRenderer final : public Renderer {
 public:
  explicit TextRenderer(const RenderOptions& options) : options_(options) {}
  std::string render(const RunReport& report) const override {
    return render_text(report, {options_.color});
  }
  std::string file_name() const override { return "summary.txt"; }

 private:
  RenderOptions options_;
};

class JsonRenderer final : public Renderer {
 public:
  std::string render(const RunReport& report) const override { return render_report_json(report); }
  std::string file_name() const override { return "report.json"; }
};

class MarkdownRenderer final : public Renderer {
 public:
  std::string render(const RunReport& report) const override {
    return render_review_markdown(report);
  }
  std::string file_name() const override { return "review.md"; }
};

class HtmlRenderer final : public Renderer {
 public:
  std::string render(const RunReport& report) const override { return render_report_html(report); }
  std::string file_name() const override { return "index.html"; }
};

}  // namespace

std::unique_ptr<Renderer> make_renderer(std::string_view format, const RenderOptions& options) {
  if (format == "text") return std::make_unique<TextRenderer>(options);
  if (format == "json") return std::make_unique<JsonRenderer>();
  if (format == "md") return std::make_unique<MarkdownRenderer>();
  if (format == "html") return std::make_unique<HtmlRenderer>();
  return nullptr;
}

}  // namespace deferlab::reports
