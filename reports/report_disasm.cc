// The report model's hot paths (report_model.h attach_disasm): each row's hot function by
// architecture from disasm.json, its diff against the row it is compared with, the Go
// rows' defer mechanism, and the warnings about identical code measured apart.
#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "common/json_reader.h"
#include "disasm/disasm_json.h"
#include "disasm/go_defer.h"
#include "reports/figures.h"
#include "reports/format.h"
#include "reports/report_model.h"

namespace deferlab::reports {
namespace {

using Functions = std::map<std::string, disasm::AnnotatedFunction>;

// The defer mechanism of a Go hot function: its own, or, when it has no defer, that of
// the function literals it defines (pkg.f.func1: the usual fix moves the defer there).
std::string go_defer_mechanism(const Functions& functions, const disasm::AnnotatedFunction& hot) {
  const disasm::GoDefers own = disasm::classify_go_defers(hot);
  if (own.has_defers()) return own.mechanisms();
  const std::string prefix = hot.range.name + ".func";
  std::set<std::string> found;
  for (auto it = functions.lower_bound(prefix);
       it != functions.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    const disasm::GoDefers d = disasm::classify_go_defers(it->second);
    if (d.has_defers()) found.insert(d.mechanisms());
  }
  if (found.empty()) return "none";
  std::string out;
  for (const std::string& m : found) out += (out.empty() ? "" : " + ") + m;
  return out + " in a function literal";
}

// One deferlab.disasm/1 document's functions into report.functions[arch]; its binary is
// recorded under `binary_key`.
void read_document(RunReport& report, const std::string& arch, const std::string& binary_key,
                   const json::Node& document) {
  if (std::find(report.architectures.begin(), report.architectures.end(), arch) ==
      report.architectures.end())
    report.architectures.push_back(arch);
  if (const auto binary = document.find("binary")) {
    report.binaries[binary_key] = binary->string_or("path", "");
  }
  for (disasm::AnnotatedFunction& f : disasm::read_disasm_document(document)) {
    const std::string name = f.range.name;
    report.functions[arch].emplace(name, std::move(f));
  }
}

// A row's hot path on one architecture, diffed against `base` (null: no diff).
HotPath hot_path_of(const Functions& functions, const disasm::AnnotatedFunction& f,
                    const StrategyRow& row, const StrategyRow* base, const std::string& arch) {
  HotPath path;
  path.summary = f.summary;
  if (row.language == "go") path.go_defer = go_defer_mechanism(functions, f);
  if (base == nullptr) return path;
  const auto b = functions.find(base->hot_symbol);
  if (b == functions.end() || !disasm::within_diff_limit(b->second, f, report_diff_options(arch)))
    return path;
  auto d = std::make_shared<disasm::FunctionDiff>(
      disasm::diff_functions(b->second, f, report_diff_options(arch)));
  path.has_diff = true;
  path.match_percent = d->match_percent;
  path.delta = d->delta;
  path.instructions_added = d->inserted + d->replaced;
  path.instructions_removed = d->deleted + d->replaced;
  path.compared_with = base->strategy;
  path.diff = std::move(d);
  return path;
}

// Every row's hot paths, each diffed against the row it is compared with.
void add_hot_paths(RunReport& report, CaseGroup& group) {
  for (StrategyRow& row : group.rows) {
    const StrategyRow* base = group.compared_with(report.language_baseline(row.language));
    for (const std::string& arch : report.architectures) {
      const Functions& functions = report.functions[arch];
      const auto f = functions.find(row.hot_symbol);
      if (f == functions.end()) continue;
      if (base != nullptr) {
        const auto b = functions.find(base->hot_symbol);
        if (b != functions.end() &&
            !disasm::within_diff_limit(b->second, f->second, report_diff_options(arch))) {
          row.warnings.push_back(arch + " hot path not diffed against the baseline: over " +
                                 std::to_string(kMaxReportDiffInstructions) + " instructions");
        }
      }
      row.hot_paths[arch] = hot_path_of(functions, f->second, row, base, arch);
    }
    // The same instructions as the baseline but a different time: not the strategy.
    // (Pairs of other strategies are checked in same_code_warnings.)
    const auto x86 = row.hot_paths.find("x86-64");
    if (!row.is_baseline && report.language_baseline(row.language).empty() &&
        x86 != row.hot_paths.end() && x86->second.has_diff && x86->second.match_percent == 100.0 &&
        row.vs_baseline && (row.vs_baseline->low > 1.0 || row.vs_baseline->high < 1.0)) {
      row.warnings.push_back(
          "same instructions as the baseline, yet the time differs: code placement or "
          "measurement, not the strategy");
    }
  }
}

// The rows of `group` in sets of identical x86-64 hot functions: set_of[i] is row i's set,
// -1 for rows without a function or samples.
std::vector<int> identical_code_sets(const Functions& x86, const CaseGroup& group, int& sets) {
  const auto usable = [&](const StrategyRow& row) {
    return !row.failed && !row.samples_ns.empty() && x86.contains(row.hot_symbol);
  };
  std::vector<int> set_of(group.rows.size(), -1);
  for (std::size_t i = 0; i < group.rows.size(); ++i) {
    if (set_of[i] != -1 || !usable(group.rows[i])) continue;
    const disasm::AnnotatedFunction& fi = x86.at(group.rows[i].hot_symbol);
    set_of[i] = sets++;
    for (std::size_t j = i + 1; j < group.rows.size(); ++j) {
      if (set_of[j] != -1 || !usable(group.rows[j])) continue;
      const disasm::AnnotatedFunction& fj = x86.at(group.rows[j].hot_symbol);
      if (!disasm::within_diff_limit(fi, fj, report_diff_options("x86-64"))) continue;
      if (disasm::diff_functions(fi, fj, report_diff_options("x86-64")).match_percent == 100.0)
        set_of[j] = set_of[i];
    }
  }
  return set_of;
}

// Strategies that compile to the same instructions yet measure apart: the gap is code
// placement or measurement, and a reader should credit no strategy with it. One note per
// set of identical functions.
void same_code_warnings(const Functions& x86, CaseGroup& group) {
  int sets = 0;
  const std::vector<int> set_of = identical_code_sets(x86, group, sets);
  for (int set = 0; set < sets; ++set) {
    const StrategyRow* fastest = nullptr;
    const StrategyRow* slowest = nullptr;
    std::string names;
    int members = 0;
    for (std::size_t i = 0; i < group.rows.size(); ++i) {
      if (set_of[i] != set) continue;
      const StrategyRow& row = group.rows[i];
      names += (names.empty() ? "" : ", ") + row.strategy;
      ++members;
      if (fastest == nullptr || row.time.median < fastest->time.median) fastest = &row;
      if (slowest == nullptr || row.time.median > slowest->time.median) slowest = &row;
    }
    if (members < 2) continue;
    const stats::Ratio r = time_ratio(slowest->samples_ns, fastest->samples_ns, kRunConfidence);
    if (r.low <= 1.0) continue;  // within the noise
    group.warnings.push_back(names + " run the same x86-64 instructions, yet " + slowest->strategy +
                             " measures " + format_ratio(r.estimate) + " of " + fastest->strategy +
                             ": code placement or measurement, not the strategy");
  }
}

}  // namespace

disasm::DiffOptions report_diff_options(const std::string& arch) {
  static const std::set<std::string> x86 = disasm::register_names(disasm::Arch::kX86_64);
  static const std::set<std::string> arm = disasm::register_names(disasm::Arch::kAArch64);
  disasm::DiffOptions options;
  options.registers = arch == "aarch64" ? &arm : &x86;
  options.max_instructions = kMaxReportDiffInstructions;
  return options;
}

void attach_disasm(RunReport& report, const nlohmann::json& disasm_set,
                   const std::string& source_name) {
  const json::Source source{source_name, "regenerate it with deferlab run"};
  const json::Node root(disasm_set, source);
  for (const auto& [arch, document] : root["architectures"].members())
    read_document(report, arch, arch, document);
  // The Go cases' functions, from their own binaries: Go symbols ("pkg.name") never
  // collide with C++ ones, so they share each architecture's map.
  if (const auto go = root.find("go")) {
    for (const auto& [arch, document] : go->members())
      read_document(report, arch, "go " + arch, document);
  }
  // The host's architecture first, then the others, as every table lists them.
  std::stable_sort(
      report.architectures.begin(), report.architectures.end(),
      [](const std::string& a, const std::string& b) { return (a == "x86-64") > (b == "x86-64"); });
  assign_profiled_hot_symbols(report);
  for (CaseGroup& group : report.groups) {
    add_hot_paths(report, group);
    const auto x86 = report.functions.find("x86-64");
    if (x86 != report.functions.end()) same_code_warnings(x86->second, group);
  }
}

void assign_profiled_hot_symbols(RunReport& report) {
  const auto x86 = report.functions.find("x86-64");
  if (x86 == report.functions.end()) return;
  const auto assign = [&](StrategyRow& row) {
    if (!row.hot_symbol.empty() || !row.profile) return;
    for (const ProfiledFunction& f : row.profile->hot_functions) {
      if (!x86->second.contains(f.symbol)) continue;
      row.hot_symbol = f.symbol;
      row.hot_symbol_demangled = f.demangled;
      return;
    }
  };
  for (CaseGroup& group : report.groups) {
    for (StrategyRow& row : group.rows) assign(row);
  }
  for (StrategyRow& row : report.other) assign(row);
}

std::string go_defer_text(const StrategyRow& row) {
  if (row.language != "go") return "";
  std::string host;
  std::string others;
  for (const auto& [arch, path] : row.hot_paths) {
    if (path.go_defer.empty()) continue;
    if (arch == "x86-64") host = path.go_defer;
  }
  for (const auto& [arch, path] : row.hot_paths) {
    if (arch != "x86-64" && !path.go_defer.empty() && path.go_defer != host)
      others += "; " + arch + ": " + path.go_defer;
  }
  if (host.empty() && others.empty()) return "-";
  return host.empty() ? others.substr(2) : host + others;
}

}  // namespace deferlab::reports
