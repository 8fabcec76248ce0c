// deferlab run: runs the lab's benchmark binary (or any Google Benchmark binary) with
// repetitions, writes the run directory, and prints a table per scenario.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "disasm/go_defer.h"
#include "disasm/hot_functions.h"
#include "harness/atomic_file.h"
#include "harness/callgrind_runner.h"  // valgrind_version
#include "harness/go_runner.h"
#include "harness/interrupt.h"
#include "harness/profile_json.h"
#include "harness/profile_pass.h"
#include "harness/run_driver.h"
#include "harness/subprocess.h"
#include "reports/bench_results.h"
#include "reports/disasm_set.h"
#include "reports/go_bench_text.h"
#include "reports/profile_figures.h"
#include "reports/profile_heat.h"
#include "reports/renderer.h"
#include "reports/report_model.h"
#include "reports/run_directory.h"
#include "tools/command.h"
#include "tools/companions.h"
#include "tools/console.h"
#include "tools/output.h"
#include "tools/signals.h"

namespace deferlab::tools {
namespace {

namespace fs = std::filesystem;

// Per-repetition minimum times. The default run fits in about three minutes on two
// cores, --quick in well under thirty seconds (measured: see README).
constexpr double kDefaultMinTime = 0.03;
constexpr double kQuickMinTime = 0.01;
constexpr int kDefaultRepetitions = 9;
constexpr int kQuickRepetitions = 3;

// The default --timeout: generous, never a cause of a failed ordinary run. A repetition
// takes about min-time plus Google Benchmark's iteration estimate and the MemoryManager
// pass; the lab's default run takes about 3.3x its summed min-times (200 benchmarks x 9 x
// 0.03 s = 54 s of min-time, about 180 s measured). 20x and a two-minute floor leave room
// for a loaded machine and a sanitizer build.
constexpr double kTimeoutFloorSeconds = 120;
constexpr double kTimeoutFactor = 20;
constexpr double kGoBinaryTimeoutSeconds = 1200;

double default_timeout(std::size_t benchmarks, int repetitions, double min_time) {
  return std::ceil(kTimeoutFloorSeconds +
                   kTimeoutFactor * static_cast<double>(benchmarks) * repetitions * min_time);
}

// The profile pass's default limit: the whole lab (200 benchmarks) takes about 25 s on two
// cores (docs/performance.md); a benchmark that needs a second, longer run may take up to
// ProfileSetup::max_min_time (1 s) under callgrind, about 25x slower than native. Five
// seconds a benchmark and the same floor leave room for a loaded machine.
constexpr double kProfileSecondsPerBenchmark = 5;

double default_profile_timeout(std::size_t benchmarks) {
  return kTimeoutFloorSeconds + kProfileSecondsPerBenchmark * static_cast<double>(benchmarks);
}

// Where callgrind's files go while the profile pass runs: a hidden directory inside the
// run directory, removed on every way out (a signal's included: the handler runs no
// destructors, but the next run of the same --out clears it).
class CallgrindDirectory {
 public:
  explicit CallgrindDirectory(fs::path path) : path_(std::move(path)) {
    std::error_code ec;
    fs::remove_all(path_, ec);
    fs::create_directories(path_, ec);
    if (ec) throw Error("cannot create a directory for callgrind: " + ec.message(), path_.string());
  }
  ~CallgrindDirectory() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  CallgrindDirectory(const CallgrindDirectory&) = delete;
  CallgrindDirectory& operator=(const CallgrindDirectory&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The profile pass's outcome, for the run directory.
struct ProfileOutcome {
  std::optional<harness::Profile> profile;
  std::string failure;  // why there is no profile, when it was wanted and failed
  // The binary cannot run under valgrind at all (a sanitizer runtime: its shadow memory
  // takes the address space valgrind needs). Not a failure of the run; the reports say so.
  bool impossible = false;
};

// True when a failure under callgrind is a sanitizer runtime refusing valgrind, from the
// binary's last words ("ASan runtime does not come first ...", "AddressSanitizer ...").
bool is_sanitizer_refusal(const Error& e) {
  for (const char* word : {"Sanitizer", "ASan runtime", "TSan", "MSan"}) {
    if (e.hint().find(word) != std::string::npos) return true;
  }
  return false;
}

// Results in a Google Benchmark document: its non-aggregate entries, errored ones included.
// Counted from the JSON, not from console lines, which a name with a newline would split.
std::size_t count_results(const nlohmann::json& bench) {
  std::size_t n = 0;
  const auto it = bench.find("benchmarks");
  if (it == bench.end() || !it->is_array()) return 0;
  for (const nlohmann::json& entry : *it) {
    if (!entry.is_object()) continue;
    const auto type = entry.find("run_type");
    n += type == entry.end() || !type->is_string() || *type != "aggregate";
  }
  return n;
}

// "NAME: MESSAGE" of each benchmark that reported an error (SkipWithError), once per name.
std::vector<std::string> failed_benchmarks(const nlohmann::json& bench) {
  std::vector<std::string> failed;
  std::set<std::string> seen;
  for (const nlohmann::json& entry : bench.value("benchmarks", nlohmann::json::array())) {
    if (!entry.is_object()) continue;
    const auto error = entry.find("error_occurred");
    if (error == entry.end() || !error->is_boolean() || !error->get<bool>()) continue;
    const auto text = [&](const char* key) {
      const auto it = entry.find(key);
      return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string name = text("run_name");
    if (name.empty()) name = text("name");
    if (seen.insert(name).second) failed.push_back(name + ": " + text("error_message"));
  }
  return failed;
}

std::string read_file_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a stopped run's --benchmark_out file still says, as a valid Google Benchmark
// document: the context and every complete entry. Cut inside the first entry, the context
// alone; cut inside the context, or never written, an empty document.
nlohmann::json salvage_bench_json(const fs::path& raw) {
  const std::string text = read_file_text(raw);
  nlohmann::json doc =
      text.empty() ? nlohmann::json() : reports::salvage_truncated_bench_json(text);
  const auto is_document = [](const nlohmann::json& d) {
    return d.is_object() && d.contains("context") && d["context"].is_object() &&
           d.contains("benchmarks") && d["benchmarks"].is_array();
  };
  // The context alone: cut before the "benchmarks" key (tried at each occurrence, since
  // the word may also appear in a context value).
  for (std::size_t at = text.find("\"benchmarks\""); !is_document(doc) && at != std::string::npos;
       at = text.find("\"benchmarks\"", at + 1)) {
    doc = nlohmann::json::parse(text.substr(0, at) + "\"benchmarks\": []}", nullptr, false);
  }
  if (!is_document(doc))
    doc = {{"context", nlohmann::json::object()}, {"benchmarks", nlohmann::json::array()}};
  return doc;
}

std::string make_run_id() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", &local);
  return text;
}

void require_executable(const fs::path& binary, bool is_default) {
  std::error_code ec;
  const std::string hint = is_default ? "build it first with tools/lab run"
                                      : "pass a Google Benchmark binary with --binary";
  if (!fs::exists(binary, ec)) throw Error("benchmark binary not found", binary.string(), hint);
  if (!fs::is_regular_file(binary, ec)) {
    throw Error("not a regular file", binary.string(), hint);
  }
  if (::access(binary.c_str(), X_OK) != 0) {
    throw Error("benchmark binary is not executable", binary.string(), hint);
  }
}

class RunCommand final : public Command {
 public:
  explicit RunCommand(CLI::App& app) {
    CLI::App* run = app.add_subcommand(
        "run",
        "Run the lab's benchmarks (or any Google Benchmark binary) with repetitions and "
        "write a run directory: bench.json, cases.json, and the reports.");
    run->add_flag("--quick", quick_,
                  "A fast pass: 3 repetitions with a short minimum time (under 30 s for the "
                  "whole lab on 2 cores). Times are rougher; allocation counts are still exact.");
    run->add_option("--filter", filter_,
                    "Only benchmarks whose name matches this regular expression, e.g. "
                    "'loop_defer/.*/64' or 'capture_size'");
    run->add_option("--repetitions", repetitions_,
                    "Repetitions of each benchmark (default 9, 3 with --quick); medians, "
                    "dispersion and the ratio intervals come from them")
        ->check(CLI::Range(1, 1000));
    run->add_option("--min-time", min_time_,
                    "Seconds each repetition runs for at least (default 0.03, 0.01 with "
                    "--quick)")
        ->check(CLI::Range(0.0001, 60.0));
    run->add_option("--binary", binary_,
                    "A Google Benchmark binary, or a Go test binary built with go test -c, to "
                    "run instead of the lab's own; without the lab's manifest its benchmarks "
                    "are listed as they are. For a Go binary --filter is Go's -test.bench "
                    "pattern and --min-time its -test.benchtime");
    run->add_option("--aarch64-binary", aarch64_binary_,
                    "The lab binary cross-built for AArch64 (tools/lab passes it when the "
                    "aarch64 preset is built); its hot functions go into disasm.json");
    run->add_option("--out", out_,
                    "Run directory to write (default out/<run-id>, and out/latest points to "
                    "it)");
    run->add_flag("--no-interleave", no_interleave_,
                  "Run each benchmark's repetitions back to back instead of in random order "
                  "across benchmarks. Interleaving (the default) spreads the machine's drift "
                  "over every benchmark: measured here, without it strategies that compile to "
                  "the same instructions came out up to 2x apart");
    run->add_flag("--no-go", no_go_,
                  "Leave out the lab's Go cases (cases/go), which otherwise run after the C++ "
                  "ones and join their tables as go_* rows");
    run->add_option("--baseline", baseline_,
                    "Strategy (or benchmark family) the ratios are relative to (default: the "
                    "manifest's baseline, goto_cleanup for the lab; none for other binaries)");
    run->add_option("--timeout", timeout_,
                    "Seconds the whole benchmark run may take before its process group is "
                    "killed (default: 120 + 20 x benchmarks x repetitions x min-time, printed "
                    "at the start; 1200 for a Go test binary, whose benchmarks cannot be counted "
                    "before they run); the lab's Go cases and the profile pass get the same "
                    "limit of their own (the profile's default: 120 + 5 x benchmarks)")
        ->check(CLI::Range(1.0, 1e6));
    run->add_flag("--no-profile", no_profile_,
                  "Skip the profile pass: by default every benchmark also runs under "
                  "valgrind's callgrind for exact instructions, estimated cycles and "
                  "allocation calls per iteration (profile.json), and the heat column on the "
                  "assembly");
    run->footer(
        "Examples:\n"
        "  deferlab run --quick\n"
        "  deferlab run --filter 'loop_defer/.*/64' --repetitions 9\n"
        "  deferlab run --binary ./my_benchmarks --out out/mine\n"
        "Progress goes to stderr; the summary table to stdout, after every file is written.\n"
        "The profile pass runs after the timed run (never beside it) and writes profile.json;\n"
        "if it fails or runs past --timeout, the run directory is still written, its rows\n"
        "without profile figures say why, and deferlab exits 2.\n"
        "Exit codes: 0 every benchmark ran; 1 the run completed and is written, but a\n"
        "benchmark reported an error (SkipWithError: a failed row in every report, one\n"
        "'benchmark failed' line each on stderr); 2 the binary is missing, is not a Google\n"
        "Benchmark binary, crashes or runs past --timeout (what it measured is kept in\n"
        "bench.partial.json and console.partial.txt). SIGINT/SIGTERM stop the benchmark's\n"
        "process group, keep what it measured the same way, leave out/latest as it was, and\n"
        "end deferlab by the same signal (status 130/143).");
  }

  int execute() override {
    // From here the first SIGINT/SIGTERM stops the benchmark and lets us salvage.
    defer_interrupts();
    const bool is_default_binary = binary_.empty();
    // The file validated is the file run: an absolute path, never a PATH search for a name
    // without a slash.
    const fs::path binary =
        fs::absolute(is_default_binary ? companion("deferlab_bench", "cases") : fs::path(binary_))
            .lexically_normal();
    require_executable(binary, is_default_binary);
    // A Go test binary of the user's (go test -c): its benchmarks alone, read from its text.
    const bool is_user_go = !is_default_binary && disasm::is_go_test_binary(binary.string());
    const bool is_lab_binary = !is_user_go && carries_case_manifest(binary);

    harness::RunOptions options;
    options.binary = binary;
    options.filter = filter_;
    options.repetitions = repetitions_.value_or(quick_ ? kQuickRepetitions : kDefaultRepetitions);
    options.min_time = min_time_.value_or(quick_ ? kQuickMinTime : kDefaultMinTime);
    if (!no_interleave_)
      options.extra_args.push_back("--benchmark_enable_random_interleaving=true");

    // The lab's Go cases run beside the C++ ones, when they were built (cases/go).
    std::optional<GoLeg> go;
    if (is_user_go) {
      go = GoLeg{binary, "", false, {}, {}};
    } else if (is_default_binary && !no_go_ && lab_go_binary_exists()) {
      // Found beside deferlab as deferlab_bench is (tools/companions.h).
      go = GoLeg{companion("deferlab_go.test", "cases/go"),
                 companion("deferlab_go_arm64.test", "cases/go"),
                 true,
                 {},
                 {}};
      go->selected = list_go_cases(go->binary, filter_);
    }

    // List first: a filter that selects nothing is a usage error, not an empty run.
    std::vector<std::string> selected;
    if (!is_user_go) selected = harness::list_benchmarks(binary, filter_);
    if (selected.empty() && (!go || (go->is_lab && go->selected.empty()))) {
      throw Error("no benchmark matches --filter '" + filter_ + "'", binary.string(),
                  "list them with: " + binary.string() + " --benchmark_list_tests");
    }
    options.listed = selected;
    options.timeout_seconds =
        timeout_.value_or(default_timeout(selected.size(), options.repetitions, options.min_time));

    // Everything that runs another program but the benchmark comes first: after the run,
    // nothing stands between the results and the disk (but the profile pass, which fails
    // soft).
    if (!no_profile_) harness::valgrind_version();  // Error with an install hint
    std::optional<nlohmann::json> manifest;
    if (is_lab_binary) manifest = harness::read_case_manifest(binary);
    if (go && go->is_lab) {
      go->manifest = harness::read_case_manifest(go->binary, "-deferlab.cases");
      if (manifest) merge_manifests(*manifest, go->manifest);
    }
    const nlohmann::json environment = harness::describe_environment(source_tree());

    const std::string run_id = make_run_id();
    const fs::path dir = out_.empty() ? unique_run_dir(fs::path("out") / run_id) : fs::path(out_);
    prepare_run_directory(dir);
    if (manifest) write_file_atomically(dir / "cases.json", manifest->dump(2) + "\n");

    nlohmann::json run_context = {{"deferlab_run_id", run_id},
                                  {"deferlab_binary", binary.string()},
                                  {"deferlab_binary_build_id", binary_build_id(binary)},
                                  {"deferlab_repetitions", options.repetitions},
                                  {"deferlab_min_time", options.min_time},
                                  {"deferlab_filter", filter_},
                                  {"deferlab_interleaved", !no_interleave_},
                                  {"deferlab_timeout_seconds", options.timeout_seconds}};
    for (const auto& [key, value] : environment.items()) run_context["deferlab_" + key] = value;
    const auto started = std::chrono::steady_clock::now();
    const auto wall_seconds = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };

    nlohmann::json bench = {{"context", nlohmann::json::object()},
                            {"benchmarks", nlohmann::json::array()}};
    if (!selected.empty()) {
      std::fprintf(stderr,
                   "deferlab: running %zu benchmarks x %d repetitions from %s (timeout %.0f s; "
                   "--timeout to change)\n",
                   selected.size(), options.repetitions, binary.c_str(), options.timeout_seconds);
      // The binary writes here; removed on every way out, a signal's included.
      const ScratchFile raw(dir / ".bench.raw.json");
      Progress progress("run");
      const harness::BenchmarkRun run = harness::run_benchmarks(
          options, raw.path(),
          [&](const harness::RunProgress& p) { progress.update(p.done, p.total, p.name); });
      progress.finish();
      run_context["deferlab_wall_seconds"] = wall_seconds();
      if (!run.status.succeeded()) {
        stopped(run, binary, dir, salvage_bench_json(raw.path()), run_context);
      }
      bench = read_bench_output(raw.path(), binary);
    }
    if (go) run_go(*go, options, bench, dir, run_context);
    run_context["deferlab_wall_seconds"] = wall_seconds();
    for (const auto& [key, value] : run_context.items()) bench["context"][key] = value;
    ProfileOutcome profiled;
    if (no_profile_) {
      bench["context"]["deferlab_profile"] = "off: --no-profile";
    } else if (selected.empty()) {
      // callgrind runs Google Benchmark binaries; Go's runtime is not profiled here.
      bench["context"]["deferlab_profile"] =
          "not possible: no Google Benchmark rows in this run (the profile pass does not run "
          "Go test binaries)";
    } else {
      stop_if_interrupted(bench, dir);
      profiled = profile(binary, dir, selected);
      bench["context"]["deferlab_profile"] = profiled.profile ? std::string("on")
                                             : profiled.impossible
                                                 ? "not possible: " + profiled.failure
                                                 : "failed: " + profiled.failure;
      if (profiled.profile && profiled.profile->interrupted_by != 0)
        profile_interrupted(bench, *profiled.profile, dir);
    }
    reports::order_benchmarks(bench, options.listed);  // the Go rows stay after the C++ ones
    std::optional<nlohmann::json> profile_doc;
    if (profiled.profile) profile_doc = harness::profile_document(*profiled.profile);
    const reports::RunReport report =
        write_run_directory(bench, manifest, binary, go ? &*go : nullptr, dir, profile_doc);
    // A run whose profile failed or stopped is written but not the latest complete run.
    const bool profile_complete = no_profile_ || selected.empty() || profiled.impossible ||
                                  (profiled.profile && profiled.profile->incomplete.empty());
    if (out_.empty() && profile_complete)
      replace_symlink(fs::path("out") / "latest", dir.filename());

    // The table last: a reader that goes away (| head) finds every file already written.
    // It is the text renderer's report, as `deferlab report RUN_DIR -f text` prints it.
    Output table("");
    table.write(reports::make_renderer("text", {use_color(stdout)})->render(report));
    table.commit();
    const double seconds = run_context["deferlab_wall_seconds"].get<double>();
    std::fprintf(stderr, "deferlab: %zu results in %.0f s; run directory: %s\n",
                 count_results(bench), seconds, dir.c_str());
    std::fprintf(stderr, "deferlab: report: %s\n", (dir / "index.html").c_str());
    const std::vector<std::string> failed = failed_benchmarks(bench);
    for (const std::string& f : failed) {
      std::fprintf(stderr, "deferlab: benchmark failed: %s\n", f.c_str());
    }
    if (!profile_complete) {
      const std::string why =
          profiled.profile ? profiled.profile->incomplete + " (--timeout)" : profiled.failure;
      const Error e("the profile pass did not complete: " + why +
                        "; the run directory is written, its rows without profile figures say "
                        "why; out/latest is unchanged",
                    dir.string(),
                    profiled.profile ? "pass --timeout S if it needs longer"
                                     : "pass --no-profile to skip the profile pass");
      std::fprintf(stderr, "deferlab: error: %s\n", e.what());
      return 2;
    }
    return failed.empty() ? 0 : 1;
  }

 private:
  // The Go side of a run: the lab's Go cases (cases/go) or a user's `go test -c` binary.
  struct GoLeg {
    fs::path binary;
    fs::path arm64_binary;  // the lab's arm64 build, disassembled only; may not exist
    bool is_lab = false;
    std::vector<std::string> selected;  // the lab's cases the filter selects
    nlohmann::json manifest;            // the lab's Go manifest
  };

  // The lab's sub-benchmarks are BenchmarkDeferlab/<scenario>/<strategy>/<param>; the
  // prefix goes, so a Go row is named as the C++ rows of its table.
  static constexpr const char* kLabGoPrefix = "BenchmarkDeferlab/";

  // The lab's Go cases are built unless DEFERLAB_NO_GO=1 (cases/CMakeLists.txt).
  static bool lab_go_binary_exists() {
    const fs::path path = companion("deferlab_go.test", "cases/go");
    std::error_code ec;
    return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
  }

  // The lab's Go cases the filter selects, by the Go binary itself (Go's regexp syntax;
  // the usual filters mean the same in both).
  static std::vector<std::string> list_go_cases(const fs::path& go_binary,
                                                const std::string& filter) {
    std::vector<std::string> names;
    std::string error;
    ProcessOptions process;
    process.timeout_seconds = harness::kListTimeoutSeconds;
    const ExitStatus status = run_process(
        {go_binary.string(), "-deferlab.list", "-deferlab.filter=" + filter},
        [&](std::string_view line) {
          if (!line.empty()) names.emplace_back(line);
        },
        [&](std::string_view line) { error = line; }, process);
    if (!status.succeeded()) {
      throw Error("cannot list the Go cases: the binary " + status.describe() +
                      (error.empty() ? "" : ": " + error),
                  go_binary.string(), "rebuild it (tools/lab run) or pass --no-go");
    }
    return names;
  }

  // Adds the Go manifest's strategies, scenarios (their params merged), cases and omitted
  // cells to the lab's, so one cases.json describes every row of the run.
  static void merge_manifests(nlohmann::json& into, const nlohmann::json& go) {
    auto& strategies = into["strategies"];
    for (const nlohmann::json& s : go.value("strategies", nlohmann::json::array())) {
      const bool known = std::any_of(strategies.begin(), strategies.end(), [&](const auto& t) {
        return t.value("name", "") == s.value("name", "");
      });
      if (!known) strategies.push_back(s);
    }
    auto& scenarios = into["scenarios"];
    for (const nlohmann::json& s : go.value("scenarios", nlohmann::json::array())) {
      auto same = std::find_if(scenarios.begin(), scenarios.end(), [&](const auto& t) {
        return t.value("name", "") == s.value("name", "");
      });
      if (same == scenarios.end()) {
        scenarios.push_back(s);
        continue;
      }
      auto& params = (*same)["params"];
      for (const nlohmann::json& p : s.value("params", nlohmann::json::array())) {
        if (std::find(params.begin(), params.end(), p) == params.end()) params.push_back(p);
      }
    }
    for (const char* key : {"cases", "omitted"}) {
      for (const nlohmann::json& c : go.value(key, nlohmann::json::array())) into[key].push_back(c);
    }
    into["go_compiler"] = go.value("compiler", "");
    // The Go rows are measured against the Go manifest's own baseline, not the C++ one.
    const std::string go_baseline = go.value("baseline_strategy", "");
    if (!go_baseline.empty()) into["language_baselines"]["go"] = go_baseline;
  }

  // Runs the Go benchmarks and appends their rows to `bench`. A crash, timeout or signal
  // keeps every complete row, C++ and Go, in bench.partial.json, as the C++ run does.
  void run_go(const GoLeg& go, const harness::RunOptions& cxx, nlohmann::json& bench,
              const fs::path& dir, nlohmann::json& run_context) const {
    harness::GoRunOptions options;
    options.binary = go.binary;
    options.count = cxx.repetitions;
    options.benchtime = cxx.min_time;
    if (go.is_lab) {
      // One top-level benchmark; the cases are its sub-benchmarks, selected by the binary.
      options.bench = "^BenchmarkDeferlab$";
      options.extra_args = {"-test.cpu=1", "-deferlab.filter=" + filter_};
      options.expected = go.selected.size() * static_cast<std::size_t>(cxx.repetitions);
    } else {
      options.bench = filter_.empty() ? "." : filter_;
    }
    // A user's Go binary cannot say how many (sub-)benchmarks its filter selects before
    // they run: a fixed, generous limit instead of one per benchmark.
    options.timeout_seconds = timeout_.value_or(
        go.is_lab ? default_timeout(go.selected.size(), options.count, options.benchtime)
                  : kGoBinaryTimeoutSeconds);
    const std::string what =
        go.is_lab ? std::to_string(go.selected.size()) + " Go benchmarks" : "the Go benchmarks";
    std::fprintf(stderr, "deferlab: running %s x %d repetitions from %s (timeout %.0f s)\n",
                 what.c_str(), options.count, go.binary.c_str(), options.timeout_seconds);
    Progress progress("go");
    const harness::BenchmarkRun run = harness::run_go_benchmarks(
        options, [&](const harness::RunProgress& p) { progress.update(p.done, p.total, p.name); });
    progress.finish();
    std::string text;
    for (const std::string& line : run.console) text += line + "\n";
    const reports::GoTextOptions text_options{go.is_lab ? kLabGoPrefix : ""};
    nlohmann::json rows;
    try {
      rows = reports::go_bench_text_to_json(text, go.binary.string(), text_options);
    } catch (const Error&) {
      if (run.status.succeeded()) throw;
      rows = {{"context", nlohmann::json::object()}, {"benchmarks", nlohmann::json::array()}};
    }
    const std::string version = harness::go_version_of(go.binary);
    run_context["deferlab_go_binary"] = go.binary.string();
    run_context["deferlab_go_version"] = version.empty() ? "unknown" : version;
    for (const auto& [key, value] : rows["context"].items()) {
      if (key.rfind("go_", 0) == 0) run_context["deferlab_" + key] = value;
    }
    const std::size_t results = count_results(rows);
    const std::size_t earlier = count_results(bench);  // the C++ results before them
    for (nlohmann::json& entry : rows["benchmarks"]) {
      if (!version.empty()) entry["go_version"] = version;
      bench["benchmarks"].push_back(std::move(entry));
    }
    if (!run.status.succeeded()) {
      // The partial document holds the C++ results too: count them in the expected ones.
      harness::BenchmarkRun counted = run;
      if (counted.expected > 0) counted.expected += earlier;
      stopped(counted, go.binary, dir, bench, run_context);
    }
    if (results == 0) {
      throw Error(
          "the Go test binary printed no benchmark result" +
              (filter_.empty() ? std::string() : " for -test.bench '" + options.bench + "'"),
          go.binary.string(),
          "is it built with go test -c, and does the filter (Go's -test.bench syntax) "
          "select a benchmark?");
    }
  }

  // Creates the run directory and proves it writable before the benchmarks run, so a
  // read-only or full --out fails in a second, not after the run.
  static void prepare_run_directory(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("cannot create the run directory: " + ec.message(), dir.string());
    try {
      TemporaryFile probe(dir / "bench.json");
      probe.write("{}\n");
      probe.finish();
    } catch (const Error& e) {
      throw Error(std::string("the run directory is not writable: ") + e.what(), dir.string(),
                  "pass a writable --out DIR");
    }
  }

  // The binary's --benchmark_out document, or an Error saying it wrote none.
  static nlohmann::json read_bench_output(const fs::path& raw, const fs::path& binary) {
    const std::string hint =
        "is it a Google Benchmark binary? deferlab passes --benchmark_out=FILE "
        "--benchmark_out_format=json and reads FILE";
    std::error_code ec;
    if (!fs::exists(raw, ec)) {
      throw Error("the benchmark binary exited with code 0 but wrote no JSON results",
                  binary.string(), hint);
    }
    nlohmann::json bench = reports::salvage_truncated_bench_json(read_file_text(raw));
    if (!bench.is_object() || !bench.contains("context") || !bench["context"].is_object() ||
        !bench.contains("benchmarks") || !bench["benchmarks"].is_array()) {
      throw Error("the benchmark binary wrote no Google Benchmark JSON", binary.string(), hint);
    }
    if (count_results(bench) == 0) {
      throw Error("the benchmark binary wrote no results (its JSON lists no benchmark)",
                  binary.string(), hint);
    }
    return bench;
  }

  // bench.json, disasm.json and the reports, as one set: built in memory, written and
  // fsynced, and only then renamed, so a full disk or a signal never leaves a new
  // bench.json beside old reports (an --out reused).
  reports::RunReport write_run_directory(const nlohmann::json& bench,
                                         const std::optional<nlohmann::json>& manifest,
                                         const fs::path& binary, const GoLeg* go,
                                         const fs::path& dir,
                                         const std::optional<nlohmann::json>& profile_doc) const {
    stop_if_interrupted(bench, dir);
    // The same reader `deferlab report` uses on profile.json: one definition of each figure.
    std::optional<reports::ProfileData> profile;
    if (profile_doc)
      profile = reports::read_profile_document(*profile_doc, (dir / "profile.json").string());
    std::optional<nlohmann::json> disassembly;
    if (manifest) {
      disassembly = disassemble(*manifest, binary, profile);
    } else if (profile) {
      disassembly = disassemble_profiled(binary, *profile);
    }
    if (disassembly && go != nullptr && go->is_lab) add_go_disassembly(*disassembly, *go);
    reports::RunReport report =
        reports::build_run_report(reports::parse_bench_json(bench, (dir / "bench.json").string()),
                                  manifest ? &*manifest : nullptr, baseline_);
    // The profile first: it names the hot functions of rows the manifest does not.
    if (profile) {
      reports::attach_profile(report, *profile);
    } else {
      report.profile_absent = reports::profile_absent_reason(bench["context"]);
    }
    if (disassembly) reports::attach_disasm(report, *disassembly);
    std::vector<std::pair<fs::path, std::string>> files = {
        {dir / "bench.json", bench.dump(2) + "\n"}};
    if (profile_doc) files.emplace_back(dir / "profile.json", profile_doc->dump(1) + "\n");
    if (disassembly) files.emplace_back(dir / "disasm.json", disassembly->dump(1) + "\n");
    for (auto& file : reports::render_reports(dir, report)) files.push_back(std::move(file));
    stop_if_interrupted(bench, dir);
    write_files_atomically(files);
    return report;
  }

  // A SIGINT/SIGTERM that came after the benchmarks finished: their complete results go to
  // bench.partial.json, nothing else is written, out/latest stays, and the run ends.
  static void stop_if_interrupted(nlohmann::json bench, const fs::path& dir) {
    const int signal = interrupt_signal();
    if (signal == 0) return;
    const std::string name = signal_name(signal);
    bench["context"]["deferlab_partial"] =
        "interrupted by " + name + " after the benchmark binary finished";
    const fs::path partial = dir / "bench.partial.json";
    std::string where =
        "all " + std::to_string(count_results(bench)) + " results are kept in " + partial.string();
    try {
      write_file_atomically(partial, bench.dump(2) + "\n");
    } catch (const Error& e) {
      where = std::string("could not keep the results: ") + e.what();
    }
    throw Interrupted(signal, "interrupted by " + name + " after the benchmarks finished (" +
                                  dir.string() + "); " + where + "; out/latest is unchanged");
  }

  // The profile pass over the benchmarks the timed run ran. An Error (valgrind or the
  // binary failing under it) does not lose the timed results: the outcome says why.
  ProfileOutcome profile(const fs::path& binary, const fs::path& dir,
                         const std::vector<std::string>& selected) const {
    harness::ProfileOptions options;
    options.binary = binary;
    options.filter = filter_;  // selects what the timed run ran
    options.calibration_binary = companion("deferlab_empty_loop", "harness");
    std::error_code ec;
    if (!fs::exists(options.calibration_binary, ec))
      options.calibration_binary.clear();  // no net figures without it
    options.timeout_seconds = timeout_.value_or(default_profile_timeout(selected.size()));
    const CallgrindDirectory scratch(dir / ".callgrind");
    options.work_directory = scratch.path();
    std::fprintf(stderr,
                 "deferlab: profiling %zu benchmarks under callgrind (timeout %.0f s; "
                 "--no-profile to skip)\n",
                 selected.size(), options.timeout_seconds);
    Progress progress("profile");
    options.on_progress = [&](const harness::ProfileProgress& p) {
      progress.update(p.done, p.total, p.name);
    };
    ProfileOutcome outcome;
    try {
      outcome.profile = harness::profile_benchmarks(options);
    } catch (const Interrupted& e) {
      // Stopped before its callgrind processes started (listing the benchmarks): nothing
      // was profiled, and the profile says so row by row.
      progress.finish();
      harness::Profile nothing;
      nothing.binary = binary.string();
      nothing.setup = options.setup;
      nothing.interrupted_by = e.signal();
      nothing.incomplete = "the profile pass was interrupted by " + signal_name(e.signal());
      for (const std::string& name : selected) {
        harness::BenchmarkProfile row;
        row.name = name;
        row.reasons.push_back("not profiled: " + nothing.incomplete);
        row.method = "not measured";
        row.min_time = options.setup.min_time;
        nothing.benchmarks.push_back(std::move(row));
      }
      outcome.profile = std::move(nothing);
      return outcome;
    } catch (const Error& e) {
      progress.finish();
      outcome.impossible = is_sanitizer_refusal(e);
      // The binary's last line says which runtime refused.
      std::string last = e.hint();
      if (const std::size_t bar = last.rfind(" | "); bar != std::string::npos)
        last = last.substr(bar + 3);
      outcome.failure =
          outcome.impossible
              ? "the binary is built with a sanitizer, which valgrind cannot run (" + last + ")"
              : e.what();
      std::fprintf(stderr, "deferlab: warning: no profile: %s\n", outcome.failure.c_str());
      return outcome;
    }
    progress.finish();
    std::size_t exact = 0;
    for (const harness::BenchmarkProfile& row : outcome.profile->benchmarks) exact += row.exact;
    std::fprintf(
        stderr, "deferlab: profiled %zu benchmarks (%zu exact) in %.1f s%s\n",
        outcome.profile->benchmarks.size(), exact, outcome.profile->wall_seconds,
        outcome.profile->incomplete.empty() ? "" : ("; " + outcome.profile->incomplete).c_str());
    return outcome;
  }

  // A SIGINT/SIGTERM during the profile pass: the timed results go to bench.partial.json
  // and what the profile finished to profile.partial.json, nothing else is written,
  // out/latest stays, and the run ends by the signal.
  [[noreturn]] static void profile_interrupted(nlohmann::json bench,
                                               const harness::Profile& profile,
                                               const fs::path& dir) {
    const std::string name = signal_name(profile.interrupted_by);
    bench["context"]["deferlab_partial"] = "interrupted by " + name + " during the profile pass";
    std::string where = "the timed results are kept in " + (dir / "bench.partial.json").string() +
                        " and the profile's finished rows in " +
                        (dir / "profile.partial.json").string();
    try {
      write_files_atomically(
          {{dir / "bench.partial.json", bench.dump(2) + "\n"},
           {dir / "profile.partial.json", harness::profile_document(profile).dump(1) + "\n"}});
    } catch (const Error& e) {
      where = std::string("could not keep the results: ") + e.what();
    }
    throw Interrupted(profile.interrupted_by, "interrupted by " + name +
                                                  " during the profile pass (" + dir.string() +
                                                  "); " + where + "; out/latest is unchanged");
  }

  // disasm.json for a binary without a manifest: its own functions among each benchmark's
  // hot functions (those covering 95 % of its instructions, at most 8), with their heat.
  static nlohmann::json disassemble_profiled(const fs::path& binary,
                                             const reports::ProfileData& profile) {
    std::set<std::string> symbols;
    std::error_code ec;
    for (const auto& [name, figures] : profile.benchmarks) {
      for (const reports::ProfiledFunction& f : figures.hot_functions) {
        if (fs::equivalent(f.object, binary, ec)) symbols.insert(f.symbol);
      }
    }
    nlohmann::json host = nlohmann::json::parse(disasm::hot_functions_document(
        binary.string(), std::vector<std::string>(symbols.begin(), symbols.end())));
    reports::add_profiles_to_disasm(host, profile);
    const std::string arch = host["binary"].value("arch", "x86-64");
    return reports::disasm_set_document({{arch, std::move(host)}});
  }

  // disasm.json: the hot function of every case, for each architecture built.
  nlohmann::json disassemble(const nlohmann::json& manifest, const fs::path& binary,
                             const std::optional<reports::ProfileData>& profile) const {
    std::vector<std::string> symbols;
    for (const nlohmann::json& c : manifest.value("cases", nlohmann::json::array())) {
      if (c.value("language", "c++") != "c++") continue;  // in the Go binary
      const std::string mangled =
          c.value("hot_symbol", nlohmann::json::object()).value("mangled", "");
      if (!mangled.empty()) symbols.push_back(mangled);
    }
    std::vector<std::string> noreturn;
    for (const nlohmann::json& n : manifest.value("noreturn_symbols", nlohmann::json::array())) {
      if (n.is_string()) noreturn.push_back(n.get<std::string>());
    }
    // The lab binary is built for this machine; its architecture comes from the file.
    std::map<std::string, nlohmann::json> by_arch;
    nlohmann::json host_json =
        nlohmann::json::parse(disasm::hot_functions_document(binary.string(), symbols, noreturn));
    const std::string host_arch = host_json["binary"].value("arch", "x86-64");
    std::error_code ec;
    if (!aarch64_binary_.empty()) {
      if (!fs::exists(aarch64_binary_, ec)) {
        std::fprintf(stderr,
                     "deferlab: warning: no AArch64 binary at %s; disasm.json has %s only\n",
                     aarch64_binary_.c_str(), host_json["binary"].value("arch", "").c_str());
      } else {
        by_arch["aarch64"] = nlohmann::json::parse(
            disasm::hot_functions_document(aarch64_binary_, symbols, noreturn));
      }
    }
    by_arch[host_arch] = std::move(host_json);
    nlohmann::json set = reports::disasm_set_document(std::move(by_arch));
    // The heat is the host's: the profile runs there only (AArch64 stays static).
    if (profile) reports::add_profiles_to_disasm(set["architectures"][host_arch], *profile);
    return set;
  }

  // The Go hot functions (and the function literals inside them) for each architecture
  // the Go cases were built for, under disasm.json's "go" key.
  static void add_go_disassembly(nlohmann::json& disassembly, const GoLeg& go) {
    std::vector<std::string> hot;
    for (const nlohmann::json& c : go.manifest.value("cases", nlohmann::json::array())) {
      const std::string symbol =
          c.value("hot_symbol", nlohmann::json::object()).value("mangled", "");
      if (!symbol.empty() && std::find(hot.begin(), hot.end(), symbol) == hot.end())
        hot.push_back(symbol);
    }
    nlohmann::json documents = nlohmann::json::object();
    for (const fs::path& binary : {go.binary, go.arm64_binary}) {
      std::error_code ec;
      if (binary.empty() || !fs::is_regular_file(binary, ec)) continue;
      const std::vector<std::string> symbols =
          disasm::with_go_function_literals(binary.string(), hot);
      const nlohmann::json document =
          nlohmann::json::parse(disasm::hot_functions_document(binary.string(), symbols));
      documents[document["binary"].value("arch", "x86-64")] = document;
    }
    if (!documents.empty()) disassembly["go"] = documents;
  }

  // A run that did not finish (crash, timeout, signal): what the binary measured goes into
  // a valid bench.partial.json (context + complete entries) and what it printed into
  // console.partial.txt, never under the final names; then one line says what happened.
  [[noreturn]] static void stopped(const harness::BenchmarkRun& run, const fs::path& binary,
                                   const fs::path& dir, nlohmann::json partial,
                                   const nlohmann::json& run_context) {
    for (const auto& [key, value] : run_context.items()) partial["context"][key] = value;
    partial["context"]["deferlab_partial"] = "the benchmark binary " + run.status.describe();
    const std::size_t results = count_results(partial);
    std::vector<std::string> kept;
    std::string not_kept;
    auto keep = [&](const fs::path& path, const std::string& content) {
      try {
        write_file_atomically(path, content);
        kept.push_back(path.string());
      } catch (const Error& e) {  // a full disk must not hide why the run stopped
        not_kept = std::string("; could not keep ") + path.filename().string() + ": " + e.what();
      }
    };
    keep(dir / "bench.partial.json", partial.dump(2) + "\n");
    if (!run.console.empty()) {
      std::string console;
      for (const std::string& line : run.console) console += line + "\n";
      keep(dir / "console.partial.txt", console);
    }
    std::string where = "nothing was kept";
    if (!kept.empty()) {
      where = "what it measured is kept in ";
      for (std::size_t i = 0; i < kept.size(); ++i) where += (i ? " and " : "") + kept[i];
    }
    where += not_kept;
    // A user's Go binary cannot say beforehand how many results to expect.
    const std::string progress =
        " after " + std::to_string(results) +
        (run.expected > 0 ? " of " + std::to_string(run.expected) + " expected results"
                          : " results");
    if (run.status.interrupted_by != 0) {
      throw Interrupted(run.status.interrupted_by, "interrupted by " +
                                                       signal_name(run.status.interrupted_by) +
                                                       progress + " (" + binary.string() +
                                                       "); the benchmark's process group was "
                                                       "stopped; " +
                                                       where + "; out/latest is unchanged");
    }
    if (run.status.timed_out) {
      throw Error("the benchmark binary " + run.status.describe() + " (--timeout)" + progress +
                      "; its process group was killed",
                  binary.string(), where + "; pass --timeout S if it needs longer");
    }
    // The binary's last words, skipping Google Benchmark's build-type banner.
    std::string last_words;
    for (auto it = run.stderr_tail.rbegin(); it != run.stderr_tail.rend(); ++it) {
      if (!it->empty() && it->rfind("***WARNING***", 0) != 0) {
        last_words = ": " + *it;
        break;
      }
    }
    throw Error("the benchmark binary " + run.status.describe() + progress + last_words,
                binary.string(), where);
  }

  // out/<run-id>, or out/<run-id>-2 ... when two runs start in the same second.
  static fs::path unique_run_dir(const fs::path& wanted) {
    fs::path dir = wanted;
    for (int n = 2; fs::exists(dir); ++n) dir = wanted.string() + "-" + std::to_string(n);
    return dir;
  }

  bool quick_ = false;
  std::string filter_;
  std::optional<int> repetitions_;
  std::optional<double> min_time_;
  std::string binary_;
  std::string aarch64_binary_;
  std::string out_;
  std::string baseline_;  // "": the manifest's baseline_strategy
  bool no_interleave_ = false;
  bool no_go_ = false;
  std::optional<double> timeout_;
  bool no_profile_ = false;
};

}  // namespace

std::unique_ptr<Command> add_run_command(CLI::App& app) {
  return std::make_unique<RunCommand>(app);
}

}  // namespace deferlab::tools
