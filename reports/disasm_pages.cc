// The documents of deferlab disasm and deferlab diff in the formats disasm/ does not
// write itself: a listing as text and JSON, and both as a self-contained HTML page (the
// text listing or diff, escaped, in <pre>; nothing fetched, no script).
#include <nlohmann/json.hpp>

#include "common/text_escape.h"
#include "disasm/disasm_json.h"
#include "reports/renderer.h"
#include "reports/resources.h"

namespace deferlab::reports {
namespace {

std::string page(const std::string& title, const std::string& body) {
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
         html_escape(title) + "</title><style>" + std::string(resources::listing_css) +
         "</style></head><body><h1>" + html_escape(title) + "</h1>" + body + "</body></html>\n";
}

std::string preformatted(const std::string& text) {
  return "<pre>" + html_escape(text) + "</pre>";
}

}  // namespace

std::string render_listing_text(const ListingDocument& listing) {
  disasm::ListingOptions options;
  options.sources = listing.sources;
  options.bytes = listing.raw_bytes;
  std::string text;
  for (std::size_t k = 0; k < listing.functions->size(); ++k) {
    if (k > 0) text += "\n";
    options.heat_note = k < listing.heat_notes.size() ? listing.heat_notes[k] : "";
    text += disasm::render_function_text((*listing.functions)[k], options);
  }
  return text;
}

std::string render_listing_json(const ListingDocument& listing) {
  std::string text;
  disasm::write_disasm_document(text, listing.binary_json, listing.syntax, *listing.functions,
                                listing.sources);
  return nlohmann::json::parse(text).dump(2) + "\n";
}

std::string render_listing_html(const ListingDocument& listing) {
  disasm::ListingOptions options;
  options.sources = listing.sources;
  options.bytes = listing.raw_bytes;
  std::string body;
  for (std::size_t k = 0; k < listing.functions->size(); ++k) {
    const disasm::AnnotatedFunction& f = (*listing.functions)[k];
    options.heat_note = k < listing.heat_notes.size() ? listing.heat_notes[k] : "";
    body += "<h2>" + html_escape(f.range.demangled) + "</h2>" +
            preformatted(disasm::render_function_text(f, options));
  }
  return page("deferlab disasm", body);
}

std::string render_diff_html(const DiffDocument& d) {
  return page("deferlab diff", preformatted(disasm::render_diff_text(d.a, d.b, *d.diff)));
}

}  // namespace deferlab::reports
