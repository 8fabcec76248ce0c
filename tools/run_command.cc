// deferlab run: runs the lab's benchmark binary (or any Google Benchmark binary) with
// repetitions, writes the run directory, and prints a table per scenario.
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "disasm/hot_functions.h"
#include "harness/atomic_file.h"
#include "harness/error.h"
#include "harness/run_driver.h"
#include "reports/bench_results.h"
#include "reports/report_model.h"
#include "reports/run_directory.h"
#include "reports/text_renderer.h"
#include "tools/command.h"
#include "tools/console.h"

#ifndef DEFERLAB_LAB_BINARY
#define DEFERLAB_LAB_BINARY "deferlab_bench"
#endif
#ifndef DEFERLAB_SOURCE_DIR
#define DEFERLAB_SOURCE_DIR "."
#endif

namespace deferlab::tools {
namespace {

namespace fs = std::filesystem;

// Per-repetition minimum times. The default run fits in about three minutes on two
// cores, --quick in well under thirty seconds (measured: see README).
constexpr double kDefaultMinTime = 0.03;
constexpr double kQuickMinTime = 0.01;
constexpr int kDefaultRepetitions = 9;
constexpr int kQuickRepetitions = 3;

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
                    "A Google Benchmark binary to run instead of the lab's own; without the "
                    "lab's manifest its benchmarks are listed as they are");
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
    run->add_option("--baseline", baseline_,
                    "Strategy the ratios are relative to (default goto_cleanup)");
    run->footer(
        "Examples:\n"
        "  deferlab run --quick\n"
        "  deferlab run --filter 'loop_defer/.*/64' --repetitions 9\n"
        "  deferlab run --binary ./my_benchmarks --out out/mine\n"
        "Progress goes to stderr; the summary table to stdout. Exit code 2 when the binary\n"
        "is missing or crashes; what it wrote before a crash is kept.");
  }

  int execute() override {
    const bool is_default_binary = binary_.empty();
    const fs::path binary = is_default_binary ? fs::path(DEFERLAB_LAB_BINARY) : fs::path(binary_);
    require_executable(binary, is_default_binary);
    const bool is_lab_binary = binary.filename() == "deferlab_bench";

    harness::RunOptions options;
    options.binary = binary;
    options.filter = filter_;
    options.repetitions = repetitions_.value_or(quick_ ? kQuickRepetitions : kDefaultRepetitions);
    options.min_time = min_time_.value_or(quick_ ? kQuickMinTime : kDefaultMinTime);
    if (!no_interleave_)
      options.extra_args.push_back("--benchmark_enable_random_interleaving=true");

    // List first: a filter that selects nothing is a usage error, not an empty run.
    const std::vector<std::string> selected = harness::list_benchmarks(binary, filter_);
    if (selected.empty()) {
      throw Error("no benchmark matches --filter '" + filter_ + "'", binary.string(),
                  "list them with: " + binary.string() + " --benchmark_list_tests");
    }

    const std::string run_id = make_run_id();
    const fs::path dir = out_.empty() ? unique_run_dir(fs::path("out") / run_id) : fs::path(out_);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("cannot create the run directory: " + ec.message(), dir.string());

    std::optional<nlohmann::json> manifest;
    if (is_lab_binary) {
      manifest = harness::read_case_manifest(binary);
      write_file_atomically(dir / "cases.json", manifest->dump(2) + "\n");
    }

    std::fprintf(stderr, "deferlab: running %zu benchmarks x %d repetitions from %s\n",
                 selected.size(), options.repetitions, binary.c_str());
    const fs::path raw = dir / ".bench.raw.json";
    Progress progress("run");
    const auto started = std::chrono::steady_clock::now();
    const harness::BenchmarkRun run = harness::run_benchmarks(
        options, raw,
        [&](const harness::RunProgress& p) { progress.update(p.done, p.total, p.name); });
    progress.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    if (!run.status.succeeded()) throw crashed(run, binary, dir, raw);

    nlohmann::json bench = reports::load_json_file(raw);
    if (!bench.is_object() || !bench.contains("context") || !bench["context"].is_object()) {
      throw Error("the benchmark binary wrote no Google Benchmark JSON", binary.string());
    }
    nlohmann::json& context = bench["context"];
    const nlohmann::json environment = harness::describe_environment(DEFERLAB_SOURCE_DIR);
    for (const auto& [key, value] : environment.items()) context["deferlab_" + key] = value;
    context["deferlab_run_id"] = run_id;
    context["deferlab_binary"] = fs::absolute(binary).string();
    context["deferlab_repetitions"] = options.repetitions;
    context["deferlab_min_time"] = options.min_time;
    context["deferlab_filter"] = filter_;
    context["deferlab_interleaved"] = !no_interleave_;
    context["deferlab_wall_seconds"] = seconds;
    write_file_atomically(dir / "bench.json", bench.dump(2) + "\n");
    fs::remove(raw, ec);

    if (manifest) write_disassembly(*manifest, binary, dir);
    const reports::RunReport report = reports::load_run_directory(dir, baseline_);
    std::cout << reports::render_text(report, {use_color(stdout)});
    std::cout.flush();
    const std::vector<fs::path> written = reports::write_reports(dir, report);

    if (out_.empty()) replace_symlink(fs::path("out") / "latest", dir.filename());
    std::fprintf(stderr, "deferlab: %zu results in %.0f s; run directory: %s\n", run.completed,
                 seconds, dir.c_str());
    std::fprintf(stderr, "deferlab: report: %s\n", (dir / "index.html").c_str());
    return 0;
  }

 private:
  // disasm.json: the hot function of every case, for each architecture built.
  void write_disassembly(const nlohmann::json& manifest, const fs::path& binary,
                         const fs::path& dir) const {
    std::vector<std::string> symbols;
    for (const nlohmann::json& c : manifest.value("cases", nlohmann::json::array())) {
      const std::string mangled =
          c.value("hot_symbol", nlohmann::json::object()).value("mangled", "");
      if (!mangled.empty()) symbols.push_back(mangled);
    }
    // The lab binary is built for this machine; its architecture comes from the file.
    const std::string host = disasm::hot_functions_document(binary.string(), symbols);
    const nlohmann::json host_json = nlohmann::json::parse(host);
    std::string document = "{\"schema\":\"deferlab.disasm-set/1\",\"architectures\":{";
    document += "\"" + host_json["binary"].value("arch", "x86-64") + "\":" + host;
    std::error_code ec;
    if (!aarch64_binary_.empty()) {
      if (!fs::exists(aarch64_binary_, ec)) {
        std::fprintf(stderr,
                     "deferlab: warning: no AArch64 binary at %s; disasm.json has %s only\n",
                     aarch64_binary_.c_str(), host_json["binary"].value("arch", "").c_str());
      } else {
        document += ",\"aarch64\":" + disasm::hot_functions_document(aarch64_binary_, symbols);
      }
    }
    document += "}}";
    write_file_atomically(dir / "disasm.json", nlohmann::json::parse(document).dump(1) + "\n");
  }

  // Keeps what a crashed binary left, never under the final names, and says where.
  static Error crashed(const harness::BenchmarkRun& run, const fs::path& binary,
                       const fs::path& dir, const fs::path& raw) {
    std::vector<std::string> kept;
    std::error_code ec;
    if (fs::exists(raw, ec)) {
      std::ifstream in(raw, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      const nlohmann::json salvaged = reports::salvage_truncated_bench_json(text.str());
      const fs::path partial = dir / "bench.partial.json";
      if (!salvaged.is_null()) {
        write_file_atomically(partial, salvaged.dump(2) + "\n");
        fs::remove(raw, ec);
      } else {
        fs::rename(raw, partial, ec);
      }
      kept.push_back(partial.string());
    }
    if (!run.console.empty()) {
      std::string console;
      for (const std::string& line : run.console) console += line + "\n";
      write_file_atomically(dir / "console.partial.txt", console);
      kept.push_back((dir / "console.partial.txt").string());
    }
    // The binary's last words, skipping Google Benchmark's build-type banner.
    std::string last_words;
    for (auto it = run.stderr_tail.rbegin(); it != run.stderr_tail.rend(); ++it) {
      if (!it->empty() && it->rfind("***WARNING***", 0) != 0) {
        last_words = ": " + *it;
        break;
      }
    }
    std::string hint = "nothing was written";
    if (!kept.empty()) {
      hint = "what it wrote before is kept in ";
      for (std::size_t i = 0; i < kept.size(); ++i) hint += (i ? " and " : "") + kept[i];
    }
    return Error("the benchmark binary " + run.status.describe() + " after " +
                     std::to_string(run.completed) + " of " + std::to_string(run.expected) +
                     " results" + last_words,
                 binary.string(), hint);
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
  std::string baseline_ = "goto_cleanup";
  bool no_interleave_ = false;
};

}  // namespace

std::unique_ptr<Command> add_run_command(CLI::App& app) {
  return std::make_unique<RunCommand>(app);
}

}  // namespace deferlab::tools
