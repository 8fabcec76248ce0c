// The files of reports/resources/, embedded at build time (cmake/embed_resources.cmake
// writes their definitions), so the pages stay self-contained with no C++ string of CSS
// or JavaScript in the sources.
#pragma once

#include <string_view>

namespace deferlab::reports::resources {

extern const std::string_view report_css;   // index.html's style
extern const std::string_view report_js;    // index.html's script (listings and diffs)
extern const std::string_view compare_css;  // compare's page style, one line
extern const std::string_view listing_css;  // the disasm and diff pages' style, one line

}  // namespace deferlab::reports::resources
