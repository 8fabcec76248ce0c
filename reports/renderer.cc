// The four renderers (text, JSON, Markdown, HTML), each rendering every document kind
// through the per-format functions of its files.
#include "reports/renderer.h"

#include <nlohmann/json.hpp>

#include "reports/text_renderer.h"

namespace deferlab::reports {
namespace {

class TextRenderer final : public Renderer {
 public:
  explicit TextRenderer(const RenderOptions& options) : options_(options) {}
  std::string render(const RunReport& report) const override {
    return render_text(report, {options_.color});
  }
  std::string render(const Comparison& c) const override {
    return render_comparison_text(c, options_.color);
  }
  std::string render(const DiffDocument& d) const override {
    return disasm::render_diff_text(d.a, d.b, *d.diff);
  }
  std::string render(const ListingDocument& listing) const override {
    return render_listing_text(listing);
  }
  std::string file_name() const override { return "summary.txt"; }

 private:
  RenderOptions options_;
};

class JsonRenderer final : public Renderer {
 public:
  std::string render(const RunReport& report) const override { return render_report_json(report); }
  std::string render(const Comparison& c) const override { return render_comparison_json(c); }
  std::string render(const DiffDocument& d) const override {
    // deferlab.diff/1, indented like every other document the command line prints.
    return nlohmann::json::parse(disasm::render_diff_json(d.a, d.b, *d.diff, d.options)).dump(2) +
           "\n";
  }
  std::string render(const ListingDocument& listing) const override {
    return render_listing_json(listing);
  }
  std::string file_name() const override { return "report.json"; }
};

class MarkdownRenderer final : public Renderer {
 public:
  explicit MarkdownRenderer(const RenderOptions& options) : options_(options) {}
  std::string render(const RunReport& report) const override {
    return render_review_markdown(report, options_.max_chars);
  }
  std::string render(const Comparison& c) const override {
    return render_comparison_markdown(c, options_.max_chars);
  }
  std::string render(const DiffDocument& d) const override {
    return disasm::render_diff_markdown(d.a, d.b, *d.diff, options_.max_chars);
  }
  std::string render(const ListingDocument& listing) const override {
    disasm::ListingOptions options;
    options.sources = listing.sources;
    options.bytes = listing.raw_bytes;
    return disasm::render_markdown_document(*listing.functions, listing.heat_notes, options,
                                            options_.max_chars, listing.how_to_get);
  }
  std::string file_name() const override { return "review.md"; }

 private:
  RenderOptions options_;
};

class HtmlRenderer final : public Renderer {
 public:
  std::string render(const RunReport& report) const override { return render_report_html(report); }
  std::string render(const Comparison& c) const override { return render_comparison_html(c); }
  std::string render(const DiffDocument& d) const override { return render_diff_html(d); }
  std::string render(const ListingDocument& listing) const override {
    return render_listing_html(listing);
  }
  std::string file_name() const override { return "index.html"; }
};

}  // namespace

std::unique_ptr<Renderer> make_renderer(std::string_view format, const RenderOptions& options) {
  if (format == "text") return std::make_unique<TextRenderer>(options);
  if (format == "json") return std::make_unique<JsonRenderer>();
  if (format == "md") return std::make_unique<MarkdownRenderer>(options);
  if (format == "html") return std::make_unique<HtmlRenderer>();
  return nullptr;
}

}  // namespace deferlab::reports
