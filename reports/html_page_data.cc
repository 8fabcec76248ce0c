// The data index.html's script draws the listings and diffs from: every hot function's
// instructions by architecture, and each group's rows with their heat. Embedded as JSON in
// which no '<', '>' or '&' can end the script element.
#include <string>
#include <vector>

#include "disasm/diff.h"
#include "disasm/disasm_json.h"
#include "disasm/listing.h"
#include "reports/html_parts.h"
#include "reports/profile_heat.h"

namespace deferlab::reports::html {
namespace {

using nlohmann::json;

// "file.cc:12": a source position without its directories.
std::string short_position(const std::string& path, int line) {
  std::string file = path;
  if (const std::size_t slash = file.rfind('/'); slash != std::string::npos)
    file = file.substr(slash + 1);
  return file + ":" + std::to_string(line);
}

// One instruction as the script draws it: address, text, annotation, classes, loop depth,
// label, source position and the normalised form the diff aligns.
json instruction_data(const disasm::AnnotatedInstruction& a, const disasm::DiffOptions& options) {
  std::string classes;
  if (a.tags & disasm::kTagAlloc) classes += " alloc";
  if (a.tags & disasm::kTagFree) classes += " free";
  if (a.tags & disasm::kTagIndirectCall) classes += " indirect";
  if (a.tags & (disasm::kTagThrow | disasm::kTagUnwind)) classes += " throw";
  const std::string where = a.source ? short_position(a.source->file, a.source->line) : "";
  const std::string operands = disasm::display_operands(a);
  return {disasm::hex_address(a.insn.address),
          operands.empty() ? a.insn.mnemonic : a.insn.mnemonic + " " + operands,
          disasm::annotation_text(a),
          classes,
          a.loop_depth,
          a.label,
          where,
          disasm::normalize(a, options)};
}

json functions_data(const RunReport& report) {
  json functions = json::object();
  for (const auto& [arch, by_symbol] : report.functions) {
    json out = json::object();
    for (const auto& [symbol, f] : by_symbol) {
      const disasm::DiffOptions options = report_diff_options(arch);
      json insns = json::array();
      for (const disasm::AnnotatedInstruction& a : f.instructions)
        insns.push_back(instruction_data(a, options));
      // Source text per "file:line", from the listings that carry it.
      json source = json::object();
      for (const auto& [where, text] : f.source_text)
        source[short_position(where.first, where.second)] = text;
      out[symbol] = {{"name", f.range.demangled},
                     {"summary", disasm::summary_text(f.summary)},
                     {"insns", insns},
                     {"source", source}};
    }
    functions[arch] = out;
  }
  return functions;
}

// The heat column of a row's x86-64 listing: executions per iteration of each instruction
// (the profile runs on the host only); null without one.
json row_heat(const RunReport& report, const StrategyRow& r) {
  const auto x86 = report.functions.find("x86-64");
  if (x86 == report.functions.end()) return nullptr;
  const auto f = x86->second.find(r.hot_symbol);
  if (f == x86->second.end()) return nullptr;
  const auto heated = with_heat(f->second, r);
  if (heated.second.empty()) return nullptr;
  json heat = json::array();
  for (const disasm::AnnotatedInstruction& a : heated.first.instructions)
    heat.push_back(disasm::heat_text(a));
  return heat;
}

json page_data(const RunReport& report) {
  json groups = json::array();
  std::vector<const CaseGroup*> all;
  for (const CaseGroup& g : report.groups) all.push_back(&g);
  const std::optional<CaseGroup> other = other_group(report);
  if (other) all.push_back(&*other);
  for (const CaseGroup* g : all) {
    json rows = json::array();
    for (const StrategyRow& r : g->rows) {
      rows.push_back(
          {{"strategy", r.strategy}, {"symbol", r.hot_symbol}, {"heat", row_heat(report, r)}});
    }
    groups.push_back({{"title", g->title()}, {"rows", rows}});
  }
  return {{"baseline", report.baseline_strategy},
          {"functions", functions_data(report)},
          {"groups", groups}};
}

// JSON inside <script>: no '<', '>' or '&' may appear, or a name could end the element or
// open a comment the HTML parser honours. In JSON strings they become \u003c, \u003e and
// \u0026 (the same string to JSON.parse); outside strings JSON has none of them.
std::string script_safe(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::optional<CaseGroup> other_group(const RunReport& report) {
  CaseGroup group;
  group.scenario = "other";
  group.param = "benchmarks";
  for (const StrategyRow& r : report.other) {
    if (r.hot_symbol.empty()) continue;
    group.rows.push_back(r);
    group.rows.back().strategy = r.benchmark;
  }
  if (group.rows.empty()) return std::nullopt;
  return group;
}

std::string page_data_script(const RunReport& report) {
  return script_safe(
      page_data(report).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace deferlab::reports::html
