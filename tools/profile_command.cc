// deferlab profile: the deterministic pass alone. Runs any Google Benchmark binary under
// valgrind's callgrind and prints, per benchmark and per iteration of its timed loop,
// instructions, estimated cycles, cache misses, branch mispredicts and allocation calls,
// or writes the deferlab.profile/1 document.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "common/error.h"
#include "harness/profile_analysis.h"
#include "harness/profile_json.h"
#include "harness/profile_pass.h"
#include "reports/format.h"
#include "tools/command.h"
#include "tools/companions.h"
#include "tools/console.h"
#include "tools/output.h"

namespace deferlab::tools {
namespace {

namespace fs = std::filesystem;
using harness::BenchmarkProfile;
using harness::Profile;

// Where callgrind's files go: a scratch directory removed with everything in it, or the
// directory the user named, kept.
class ScratchDirectory {
 public:
  explicit ScratchDirectory(const std::string& keep) {
    if (!keep.empty()) {
      std::error_code ec;
      fs::create_directories(keep, ec);
      if (ec) throw Error("cannot create the directory: " + ec.message(), keep);
      path_ = keep;
      keep_ = true;
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "deferlab-profile-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw Error("cannot create a temporary directory", pattern, "check TMPDIR");
    }
    path_ = pattern;
  }
  ~ScratchDirectory() {
    std::error_code ec;
    if (!keep_) fs::remove_all(path_, ec);
  }
  ScratchDirectory(const ScratchDirectory&) = delete;
  ScratchDirectory& operator=(const ScratchDirectory&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
  bool keep_ = false;
};

std::string figure(const std::optional<harness::EventFigures>& f, std::size_t event) {
  if (!f || std::isnan(f->events[event])) return "-";
  return reports::format_count(f->events[event]);
}

// The sum of two events, "-" when either is missing.
std::string sum_of(const std::optional<harness::EventFigures>& f, std::size_t a, std::size_t b) {
  if (!f || std::isnan(f->events[a]) || std::isnan(f->events[b])) return "-";
  return reports::format_count(f->events[a] + f->events[b]);
}

std::string cycles(const std::optional<harness::EventFigures>& f) {
  if (!f || !f->cycles) return "-";
  return reports::format_count(*f->cycles);
}

std::string pad_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string row_text(const BenchmarkProfile& row, std::size_t name_width) {
  const auto& p = row.per_iteration;
  const std::string misses = sum_of(p, harness::kD1mr, harness::kD1mw);
  const std::string mispredicts = sum_of(p, harness::kBcm, harness::kBim);
  std::string text = row.name + std::string(name_width - row.name.size(), ' ');
  text += pad_left(figure(p, harness::kIr), 12) +
          pad_left(figure(row.net_per_iteration, harness::kIr), 10);
  text += pad_left(cycles(p), 12) + pad_left(misses, 9) + pad_left(figure(p, harness::kDLmr), 9);
  text += pad_left(mispredicts, 9);
  text += pad_left(row.allocations_total ? reports::format_count(*row.allocations_total) : "-", 8);
  text += row.exact ? "  yes" : "  no *";
  return text + "\n";
}

// "caches: I1 32 KiB 8-way, D1 32 KiB 8-way, LL 8 MiB 16-way, 64-byte lines (...)"
std::string caches_text(const harness::ProfileSetup& setup) {
  if (!setup.cache_simulation)
    return "caches: not simulated (--no-cache-sim): no misses, no cycles\n";
  const auto level = [](const char* name, const harness::CacheLevel& c) {
    const std::uint64_t kib = c.size / 1024;
    const std::string size =
        kib % 1024 == 0 ? std::to_string(kib / 1024) + " MiB" : std::to_string(kib) + " KiB";
    return std::string(name) + " " + size + " " + std::to_string(c.associativity) + "-way, " +
           std::to_string(c.line) + "-byte lines";
  };
  return "caches (simulated, not this host's): " + level("I1", setup.i1) + "; " +
         level("D1", setup.d1) + "; " + level("LL", setup.ll) +
         "\nmisses and mispredicts are differences too; a small negative value means the call "
         "of 10 iterations started colder\n";
}

std::string render_table(const Profile& profile) {
  std::size_t width = 9;
  for (const BenchmarkProfile& row : profile.benchmarks) width = std::max(width, row.name.size());
  width += 2;
  std::string out = "benchmark" + std::string(width - 9, ' ');
  out += pad_left("instr/iter", 12) + pad_left("net", 10) + pad_left("cycles", 12) +
         pad_left("D1 miss", 9) + pad_left("LL miss", 9) + pad_left("mispred", 9) +
         pad_left("allocs", 8) + "  exact\n";
  for (const BenchmarkProfile& row : profile.benchmarks) out += row_text(row, width);
  out += "\nper iteration of the timed loop, counted by callgrind (" +
         profile.setup.valgrind_version + "); net = minus the empty loop";
  if (profile.calibration && profile.calibration->per_iteration) {
    const auto& c = *profile.calibration;
    out += " (" + figure(c.per_iteration, harness::kIr) + " instructions per iteration, " +
           figure(c.per_call, harness::kIr) + " per call)";
  }
  out += "\ncycles = estimated: " + std::string(harness::kCyclesFormula) + "\n";
  out += caches_text(profile.setup);
  out +=
      "allocs = calls to operator new / malloc / calloc / realloc / aligned_alloc / "
      "posix_memalign / __cxa_allocate_exception ... from outside the allocator\n";
  for (const BenchmarkProfile& row : profile.benchmarks) {
    if (row.exact) continue;
    out += "* " + row.name + ": ";
    for (std::size_t k = 0; k < row.reasons.size(); ++k) out += (k ? "; " : "") + row.reasons[k];
    out += "\n";
  }
  return out;
}

class ProfileCommand final : public Command {
 public:
  explicit ProfileCommand(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "profile",
        "Count, exactly, what each benchmark of a Google Benchmark binary executes per "
        "iteration of its timed loop: instructions, estimated cycles, cache misses, branch "
        "mispredicts and allocation calls (valgrind's callgrind; any binary, no hook needed).");
    cmd->add_option("binary", binary_, "The Google Benchmark binary (1.7)")->required();
    cmd->add_option("--filter", filter_, "Google Benchmark regex of the benchmarks to profile");
    cmd->add_option("--format,-f", format_, "text (default) or json (deferlab.profile/1)")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_option("--out,-o", out_, "Write to FILE (atomically) instead of stdout");
    cmd->add_option("--min-time", min_time_,
                    "--benchmark_min_time of the first pass, seconds under callgrind (default "
                    "0.01)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--max-min-time", max_min_time_,
                    "The longest minimum time a second pass may use for rows that need larger "
                    "calls (default 1)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--jobs,-j", jobs_, "callgrind processes at once (default 2)")
        ->check(CLI::Range(1, 64));
    cmd->add_flag("--no-cache-sim", no_cache_sim_,
                  "Skip the cache simulation (faster; no misses, no estimated cycles)");
    cmd->add_flag("--no-branch-sim", no_branch_sim_, "Skip the branch predictor simulation");
    cmd->add_option("--callgrind-dir", callgrind_dir_,
                    "Keep callgrind's output files in DIR (for `deferlab disasm --counts` or "
                    "KCachegrind); by default they go to a temporary directory");
    cmd->footer(
        "Examples:\n"
        "  deferlab profile build/cases/deferlab_bench --filter 'fixed_defers/.*/4$'\n"
        "  deferlab profile ./my_benchmarks -f json -o profile.json\n"
        "  deferlab disasm ./my_benchmarks -s BM_x --counts profile.json\n"
        "Progress goes to stderr. Rows that cannot be measured exactly (threads, a paused "
        "timer, fixed iterations, calls too slow under callgrind) are marked and say why.");
  }

  int execute() override {
    std::error_code ec;
    if (!fs::is_regular_file(binary_, ec) || ::access(binary_.c_str(), X_OK) != 0) {
      throw Error("not an executable file", binary_, "pass a Google Benchmark binary");
    }
    const ScratchDirectory scratch(callgrind_dir_);
    harness::ProfileOptions options;
    options.binary = binary_;
    options.filter = filter_;
    options.calibration_binary = companion("deferlab_empty_loop", "harness");
    options.work_directory = scratch.path();
    options.setup.min_time = min_time_.value_or(options.setup.min_time);
    options.setup.max_min_time = max_min_time_.value_or(options.setup.max_min_time);
    options.setup.jobs = jobs_.value_or(options.setup.jobs);
    options.setup.cache_simulation = !no_cache_sim_;
    options.setup.branch_simulation = !no_branch_sim_;
    Progress progress("profile");
    options.on_progress = [&](const harness::ProfileProgress& p) {
      progress.update(p.done, p.total, p.name);
    };
    const Profile profile = harness::profile_benchmarks(options);
    progress.finish();

    Output output(out_);
    output.write(format_ == "json" ? harness::profile_document(profile).dump(2) + "\n"
                                   : render_table(profile));
    output.commit();
    std::size_t exact = 0, second = 0;
    for (const BenchmarkProfile& row : profile.benchmarks) {
      exact += row.exact ? 1 : 0;
      second += row.pass == 2 ? 1 : 0;
    }
    std::fprintf(stderr,
                 "deferlab: profiled %zu benchmarks (%zu exact, %zu run a second time) in %.1f s "
                 "with %d callgrind processes at once\n",
                 profile.benchmarks.size(), exact, second, profile.wall_seconds,
                 options.setup.jobs);
    return 0;
  }

 private:
  std::string binary_;
  std::string filter_;
  std::string format_ = "text";
  std::string out_;
  std::optional<double> min_time_;
  std::optional<double> max_min_time_;
  std::optional<int> jobs_;
  bool no_cache_sim_ = false;
  bool no_branch_sim_ = false;
  std::string callgrind_dir_;
};

}  // namespace

std::unique_ptr<Command> add_profile_command(CLI::App& app) {
  return std::make_unique<ProfileCommand>(app);
}

}  // namespace deferlab::tools
