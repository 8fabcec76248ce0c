#include "reports/bench_results.h"

#include <fstream>
#include <set>
#include <sstream>

#include "harness/error.h"
#include "harness/statistics.h"

namespace deferlab::reports {
namespace {

// Fields of a Google Benchmark run that are not user counters.
const std::set<std::string>& standard_fields() {
  static const std::set<std::string> fields = {"name",
                                               "family_index",
                                               "per_family_instance_index",
                                               "run_name",
                                               "run_type",
                                               "repetitions",
                                               "repetition_index",
                                               "threads",
                                               "iterations",
                                               "real_time",
                                               "cpu_time",
                                               "time_unit",
                                               "aggregate_name",
                                               "aggregate_unit",
                                               "error_occurred",
                                               "error_message",
                                               "label",
                                               "allocs_per_iter",
                                               "max_bytes_used",
                                               "total_allocated_bytes",
                                               "net_heap_growth",
                                               "big_o",
                                               "rms",
                                               "complexity"};
  return fields;
}

double to_ns(double value, const std::string& unit, const std::string& where) {
  if (unit == "ns") return value;
  if (unit == "us") return value * 1e3;
  if (unit == "ms") return value * 1e6;
  if (unit == "s") return value * 1e9;
  throw Error("unknown time_unit '" + unit + "' at " + where);
}

class Reader {
 public:
  explicit Reader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw Error("not a valid Google Benchmark JSON file: " + what, source_,
                "expected the output of --benchmark_out=FILE --benchmark_out_format=json");
  }

  double number(const nlohmann::json& object, const char* key, const std::string& where) const {
    const auto it = object.find(key);
    if (it == object.end() || !it->is_number()) fail(where + "." + key + " is not a number");
    return it->get<double>();
  }

  std::string string(const nlohmann::json& object, const char* key, const std::string& where,
                     const std::string& fallback = {}) const {
    const auto it = object.find(key);
    if (it == object.end()) return fallback;
    if (!it->is_string()) fail(where + "." + key + " is not a string");
    return it->get<std::string>();
  }

 private:
  std::string source_;
};

// Google Benchmark writes NaN and Infinity for some aggregates (the CV of a counter that is
// always 0 is 0/0), which strict JSON forbids; Python's json and compare.py accept them.
// Replaces those bare tokens outside strings with null so the document parses.
std::string replace_non_finite_tokens(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out += c;
      if (c == '\\' && i + 1 < text.size()) {
        out += text[++i];  // the escaped character
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (std::string_view token : {"-Infinity", "Infinity", "NaN"}) {
      if (text.compare(i, token.size(), token) == 0) {
        out += "null";
        i += token.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += c;
  }
  return out;
}

}  // namespace

std::optional<double> BenchmarkResult::counter_median(const std::string& counter) const {
  const auto it = counters.find(counter);
  if (it == counters.end() || it->second.empty()) return std::nullopt;
  return stats::median(it->second);
}

const BenchmarkResult* BenchResults::find(const std::string& name) const {
  for (const BenchmarkResult& b : benchmarks) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

BenchResults parse_bench_json(const nlohmann::json& document, const std::string& source) {
  const Reader reader(source);
  if (!document.is_object()) reader.fail("the top level is not an object");
  const auto benchmarks = document.find("benchmarks");
  if (benchmarks == document.end() || !benchmarks->is_array()) {
    reader.fail("no \"benchmarks\" array");
  }
  BenchResults results;
  if (const auto context = document.find("context"); context != document.end()) {
    if (!context->is_object()) reader.fail("\"context\" is not an object");
    results.context = *context;
  }
  std::map<std::string, std::size_t> index;  // run name -> position in results
  std::map<std::string, const nlohmann::json*> median_aggregates;
  for (std::size_t i = 0; i < benchmarks->size(); ++i) {
    const nlohmann::json& run = (*benchmarks)[i];
    const std::string where = "benchmarks[" + std::to_string(i) + "]";
    if (!run.is_object()) reader.fail(where + " is not an object");
    const std::string name = reader.string(run, "name", where);
    if (name.empty()) reader.fail(where + ".name is missing");
    const std::string run_name = reader.string(run, "run_name", where, name);
    const std::string run_type = reader.string(run, "run_type", where, "iteration");
    if (run_type == "aggregate") {
      if (reader.string(run, "aggregate_name", where) == "median") {
        median_aggregates[run_name] = &run;
      }
      continue;
    }
    auto [slot, inserted] = index.emplace(run_name, results.benchmarks.size());
    if (inserted) {
      results.benchmarks.emplace_back();
      results.benchmarks.back().name = run_name;
    }
    BenchmarkResult& b = results.benchmarks[slot->second];
    if (run.value("error_occurred", false)) {
      b.error = true;
      b.error_message = reader.string(run, "error_message", where);
      continue;
    }
    const std::string unit = reader.string(run, "time_unit", where, "ns");
    b.real_ns.push_back(to_ns(reader.number(run, "real_time", where), unit, where));
    b.cpu_ns.push_back(to_ns(reader.number(run, "cpu_time", where), unit, where));
    b.iterations.push_back(static_cast<std::int64_t>(reader.number(run, "iterations", where)));
    for (const auto& [key, value] : run.items()) {
      if (standard_fields().contains(key) || !value.is_number()) continue;
      b.counters[key].push_back(value.get<double>());
    }
    if (!b.allocs_per_iter && run.contains("allocs_per_iter")) {
      b.allocs_per_iter = reader.number(run, "allocs_per_iter", where);
    }
    if (!b.max_bytes_used && run.contains("max_bytes_used")) {
      b.max_bytes_used = reader.number(run, "max_bytes_used", where);
    }
  }
  // Files written with aggregates only: the median aggregate stands for the samples.
  for (const auto& [name, run] : median_aggregates) {
    if (index.contains(name)) continue;
    const std::string where = "median aggregate of " + name;
    BenchmarkResult b;
    b.name = name;
    b.aggregates_only = true;
    const std::string unit = reader.string(*run, "time_unit", where, "ns");
    b.real_ns.push_back(to_ns(reader.number(*run, "real_time", where), unit, where));
    b.cpu_ns.push_back(to_ns(reader.number(*run, "cpu_time", where), unit, where));
    for (const auto& [key, value] : run->items()) {
      if (standard_fields().contains(key) || !value.is_number()) continue;
      b.counters[key].push_back(value.get<double>());
    }
    results.benchmarks.push_back(std::move(b));
  }
  return results;
}

nlohmann::json salvage_truncated_bench_json(const std::string& raw) {
  const std::string text = replace_non_finite_tokens(raw);
  nlohmann::json whole = nlohmann::json::parse(text, nullptr, false);
  if (!whole.is_discarded()) return whole;
  // Depth 1 is the document, 2 the "benchmarks" array, 3 one entry: remember where each
  // entry closes, and cut after the last one.
  int depth = 0;
  bool in_string = false;
  std::size_t last_entry_end = std::string::npos;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (c == '}' && depth == 2) last_entry_end = i + 1;
    }
  }
  if (last_entry_end == std::string::npos) return nullptr;
  nlohmann::json cut =
      nlohmann::json::parse(text.substr(0, last_entry_end) + "\n  ]\n}\n", nullptr, false);
  if (cut.is_discarded() || !cut.is_object() || !cut.contains("benchmarks")) return nullptr;
  return cut;
}

nlohmann::json load_json_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw Error("no such file", path.string());
  if (std::filesystem::is_directory(path, ec)) {
    throw Error("is a directory, not a JSON file", path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot read file", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  nlohmann::json document =
      nlohmann::json::parse(replace_non_finite_tokens(text.str()), nullptr, false);
  if (document.is_discarded()) throw Error("not a JSON file", path.string());
  return document;
}

BenchResults load_bench_file(const std::filesystem::path& path) {
  return parse_bench_json(load_json_file(path), path.string());
}

}  // namespace deferlab::reports
