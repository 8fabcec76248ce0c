// Reading go test -bench text output as Google Benchmark results (go_bench_text.h).
#include "reports/go_bench_text.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

#include "common/error.h"
#include "reports/figures.h"

namespace deferlab::reports {
namespace {

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

std::optional<double> parse_number(std::string_view text) {
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::int64_t> whole_number(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "goos: linux" -> ("goos", "linux"): a lowercase key without spaces, as benchstat's
// configuration lines.
std::optional<std::pair<std::string, std::string>> config_line(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  for (char c : line.substr(0, colon)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
      return std::nullopt;
    }
  }
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  return std::make_pair(std::string(line.substr(0, colon)), std::string(value));
}

// A benchmark name as benchstat reads it: "Benchmark" then nothing or a character that is
// not a lowercase letter (BenchmarkFoo, Benchmark/x; not Benchmarking).
bool is_benchmark_name(std::string_view name) {
  constexpr std::string_view kPrefix = "Benchmark";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  return name.size() == kPrefix.size() ||
         !(name[kPrefix.size()] >= 'a' && name[kPrefix.size()] <= 'z');
}

// Splits "Name-8" into ("Name", 8); a name without a numeric suffix has no procs.
std::pair<std::string, std::optional<std::int64_t>> split_procs(std::string_view name) {
  const std::size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash + 1 >= name.size()) return {std::string(name), {}};
  const auto procs = whole_number(name.substr(dash + 1));
  if (!procs || *procs < 1) return {std::string(name), {}};
  return {std::string(name.substr(0, dash)), procs};
}

struct Line {
  std::size_t number = 0;
  std::string name;
  std::optional<std::int64_t> procs;
  std::int64_t iterations = 0;
  std::map<std::string, double> metrics;  // unit -> value
};

}  // namespace

bool looks_like_go_bench_text(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
    ++i;
  if (i < text.size() && (text[i] == '{' || text[i] == '[')) return false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    if (line.rfind("Benchmark", 0) == 0 || line.rfind("goos:", 0) == 0 ||
        line.rfind("pkg:", 0) == 0) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

namespace {

// What the text holds: its configuration lines, result lines and "--- FAIL" lines.
struct ParsedText {
  std::map<std::string, std::string> config;
  std::vector<Line> lines;
  std::vector<std::pair<std::string, std::size_t>> failed;  // name, line number
};

std::string without_prefix(std::string name, const GoTextOptions& options) {
  if (!options.strip_prefix.empty() && name.rfind(options.strip_prefix, 0) == 0 &&
      name.size() > options.strip_prefix.size()) {
    name.erase(0, options.strip_prefix.size());
  }
  return name;
}

// A result line: "BenchmarkX-8  1000  12.5 ns/op  0 B/op ...". Throws on a malformed one.
Line result_line(const std::vector<std::string_view>& fields, std::size_t number,
                 const std::string& source, const std::string& hint, const GoTextOptions& options) {
  const auto fail = [&](const std::string& what) {
    return Error(fmt::format("line {}: {}", number, what), source, hint);
  };
  Line result;
  result.number = number;
  std::tie(result.name, result.procs) = split_procs(fields[0]);
  result.iterations = *whole_number(fields[1]);
  if (result.iterations < 1 || static_cast<double>(result.iterations) > kMaxCount) {
    throw fail(fmt::format("the iteration count {} is outside [1, 2^40]", result.iterations));
  }
  if (fields.size() % 2 != 0) throw fail("a value without its unit");
  for (std::size_t i = 2; i + 1 < fields.size(); i += 2) {
    const auto value = parse_number(fields[i]);
    if (!value) throw fail(fmt::format("'{}' is not a number (unit {})", fields[i], fields[i + 1]));
    if (*value < 0) throw fail(fmt::format("{} {} is negative", fields[i], fields[i + 1]));
    if (!result.metrics.emplace(std::string(fields[i + 1]), *value).second) {
      throw fail(fmt::format("the unit {} appears twice", fields[i + 1]));
    }
  }
  result.name = without_prefix(std::move(result.name), options);
  return result;
}

ParsedText parse_text(std::string_view text, const std::string& source, const std::string& hint,
                      const GoTextOptions& options) {
  ParsedText parsed;
  std::size_t start = 0;
  for (std::size_t number = 1; start < text.size(); ++number) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > kMaxGoLineBytes) {
      throw Error(fmt::format("line {} is over {} bytes", number, kMaxGoLineBytes), source, hint);
    }
    // "--- FAIL: BenchmarkX/y", indented under its parent's for a sub-benchmark.
    const std::size_t indent = line.find_first_not_of(" \t");
    if (indent != std::string_view::npos && line.compare(indent, 10, "--- FAIL: ") == 0) {
      const auto fields = fields_of(line.substr(indent + 10));
      if (!fields.empty() && is_benchmark_name(fields[0])) {
        parsed.failed.emplace_back(split_procs(fields[0]).first, number);
      }
      continue;
    }
    const std::vector<std::string_view> fields = fields_of(line);
    if (fields.empty()) continue;
    if (!is_benchmark_name(fields[0]) || line.front() == ' ' || line.front() == '\t') {
      if (parsed.lines.empty() && fields.size() >= 2) {
        if (const auto kv = config_line(line)) parsed.config.insert(*kv);
      }
      continue;
    }
    // A name alone, or a name followed by something other than an iteration count, is
    // not a result (go test prints a name before its benchmark's log lines).
    if (fields.size() < 2 || !whole_number(fields[1])) continue;
    parsed.lines.push_back(result_line(fields, number, source, hint, options));
  }
  return parsed;
}

// The heap figures of a result: the exact allocs/iter and B/iter when the benchmark
// reports them, else Go's rounded allocs/op and B/op, saying which.
void add_heap_figures(const Line& l, nlohmann::json& entry) {
  const auto metric = [&](const char* unit) -> std::optional<double> {
    const auto it = l.metrics.find(unit);
    return it == l.metrics.end() ? std::nullopt : std::optional<double>(it->second);
  };
  if (const auto v = metric("allocs/op")) entry["go_allocs_per_op"] = *v;
  if (const auto v = metric("B/op")) entry["go_bytes_per_op"] = *v;
  if (const auto v = metric("MB/s")) entry["go_mb_per_s"] = *v;
  const auto exact_allocs = metric("allocs/iter");
  const auto exact_bytes = metric("B/iter");
  if (exact_allocs) entry["heap_allocs"] = *exact_allocs;
  if (exact_bytes) entry["heap_bytes"] = *exact_bytes;
  if (exact_allocs && exact_bytes) {
    entry["deferlab_allocs_source"] =
        "allocs/iter and B/iter: runtime.MemStats deltas over the timed loop / b.N";
  } else if (const auto rounded = metric("allocs/op"); rounded && !exact_allocs) {
    entry["heap_allocs"] = *rounded;
    if (const auto bytes = metric("B/op"); bytes && !exact_bytes) entry["heap_bytes"] = *bytes;
    entry["deferlab_allocs_source"] =
        "Go's allocs/op and B/op: integer divisions by b.N, rounded down";
  }
}

// The Google Benchmark entries of the results, with repetition indices per name and each
// name's total, as Google Benchmark writes them.
nlohmann::json result_entries(const ParsedText& parsed) {
  std::map<std::string, std::int64_t> totals;
  for (const Line& l : parsed.lines) ++totals[l.name];
  std::map<std::string, std::int64_t> seen;
  nlohmann::json benchmarks = nlohmann::json::array();
  for (const Line& l : parsed.lines) {
    nlohmann::json entry = {{"name", l.name},
                            {"run_name", l.name},
                            {"run_type", "iteration"},
                            {"repetitions", totals[l.name]},
                            {"repetition_index", seen[l.name]++},
                            {"threads", 1},
                            {"iterations", l.iterations},
                            {"time_unit", "ns"},
                            {"language", "go"}};
    if (l.procs) entry["go_procs"] = *l.procs;
    for (const char* key : {"goarch", "goos"}) {
      if (const auto it = parsed.config.find(key); it != parsed.config.end())
        entry[key] = it->second;
    }
    // Without ns/op the entry has no time: bench_results marks it invalid, naming the field.
    if (const auto ns = l.metrics.find("ns/op"); ns != l.metrics.end()) {
      entry["real_time"] = ns->second;
      entry["cpu_time"] = ns->second;  // Go measures wall time only
    }
    add_heap_figures(l, entry);
    benchmarks.push_back(std::move(entry));
  }
  return benchmarks;
}

}  // namespace

nlohmann::json go_bench_text_to_json(std::string_view text, const std::string& source,
                                     const GoTextOptions& options) {
  const std::string hint = "expected the output of go test -bench (the format benchstat reads)";
  if (text.size() > kMaxGoTextBytes) {
    throw Error(fmt::format("go test output of {} bytes is over the {} deferlab reads", text.size(),
                            kMaxGoTextBytes),
                source, hint);
  }
  const ParsedText parsed = parse_text(text, source, hint, options);
  nlohmann::json context = {{"library", "go test -bench"},
                            {"deferlab_source_format", "go test -bench text"}};
  for (const auto& [key, value] : parsed.config) context["go_" + key] = value;
  nlohmann::json benchmarks = result_entries(parsed);
  for (const auto& [name, number] : parsed.failed) {
    const std::string stripped = without_prefix(name, options);
    benchmarks.push_back(
        {{"name", stripped},
         {"run_name", stripped},
         {"run_type", "iteration"},
         {"error_occurred", true},
         {"error_message", fmt::format("go test reported --- FAIL (line {})", number)},
         {"language", "go"}});
  }
  return {{"context", context}, {"benchmarks", benchmarks}};
}

}  // namespace deferlab::reports
