// The profile pass (see profile_pass.h): shards, a second pass for rows that need longer
// runs, calibration.
#include "harness/profile_pass.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "common/error.h"
#include "harness/callgrind_runner.h"
#include "harness/interrupt.h"
#include "harness/profile_analysis.h"
#include "harness/run_driver.h"

namespace deferlab::harness {
namespace {

// Second-pass minimum times are the first pass's times a power of this factor, so rows
// with similar needs share one process (each process costs about a second to start).
constexpr double kBucketFactor = 2;
// The calibration binary's one benchmark.
constexpr const char* kCalibration = "calibration/empty_loop";

struct Task {
  std::filesystem::path binary;
  std::vector<std::string> names;
  double min_time = 0;
  int pass = 1;
  CallgrindRun result;
};

// Serialises progress reports from the worker threads.
class ProgressSink {
 public:
  explicit ProgressSink(const ProfileOptions& options) : options_(options) {}
  void add_total(std::size_t n) {
    const std::lock_guard lock(mutex_);
    total_ += n;
  }
  void done(const std::string& name, int pass) {
    const std::lock_guard lock(mutex_);
    ++done_;
    if (options_.on_progress) options_.on_progress({done_, total_, name, pass});
  }

 private:
  const ProfileOptions& options_;
  std::mutex mutex_;
  std::size_t done_ = 0, total_ = 0;
};

using Clock = std::chrono::steady_clock;

// The pass's deadline, when it has a timeout.
std::optional<Clock::time_point> deadline_of(const ProfileOptions& options,
                                             Clock::time_point start) {
  if (options.timeout_seconds <= 0) return std::nullopt;
  return start + std::chrono::duration_cast<Clock::duration>(
                     std::chrono::duration<double>(options.timeout_seconds));
}

// A task that did not run, or was stopped, for the reason in `status`.
ExitStatus stopped_status(bool timed_out, int signal) {
  ExitStatus status;
  status.timed_out = timed_out;
  status.interrupted_by = signal;
  return status;
}

// Runs the tasks, `jobs` at a time. After a task is stopped (timeout, interrupt) no other
// starts: those left get `stopped` too, and the caller keeps what finished.
void run_tasks(std::vector<Task>& tasks, const ProfileOptions& options, ProgressSink& progress,
               std::optional<Clock::time_point> deadline) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::exception_ptr failure;
  const auto worker = [&] {
    for (std::size_t i; (i = next++) < tasks.size();) {
      {
        const std::lock_guard lock(mutex);
        if (failure) return;
      }
      Task& task = tasks[i];
      const int signal = interrupt_signal();
      const double left =
          deadline ? std::chrono::duration<double>(*deadline - Clock::now()).count() : 0;
      if (stopping || signal != 0 || (deadline && left <= 0)) {
        task.result.stopped = stopped_status(signal == 0, signal);
        stopping = true;
        continue;
      }
      CallgrindRunOptions run;
      run.binary = task.binary;
      run.benchmarks = task.names;
      run.min_time = task.min_time;
      run.cache_simulation = options.setup.cache_simulation;
      run.branch_simulation = options.setup.branch_simulation;
      run.i1 = options.setup.i1;
      run.d1 = options.setup.d1;
      run.ll = options.setup.ll;
      run.output = options.work_directory /
                   ("pass" + std::to_string(task.pass) + "-" + std::to_string(i) + ".callgrind");
      run.on_benchmark_done = [&](const std::string& name) { progress.done(name, task.pass); };
      // At least a millisecond: 0 would mean no limit.
      if (deadline) run.timeout_seconds = std::max(left, 1e-3);
      try {
        task.result = run_callgrind(run);
        if (task.result.stopped) stopping = true;
      } catch (const Interrupted& e) {  // pending before the process started
        task.result.stopped = stopped_status(false, e.signal());
        stopping = true;
      } catch (...) {
        const std::lock_guard lock(mutex);
        if (!failure) failure = std::current_exception();
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  const int jobs = std::max(1, std::min<int>(options.setup.jobs, static_cast<int>(tasks.size())));
  for (int j = 0; j < jobs; ++j) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

// Records in `profile` why the pass stopped, from the first stopped task; true if any was.
bool note_stopped(const std::vector<Task>& tasks, Profile& profile, double timeout_seconds) {
  for (const Task& task : tasks) {
    if (!task.result.stopped) continue;
    if (!profile.incomplete.empty()) return true;
    const ExitStatus& s = *task.result.stopped;
    if (s.interrupted_by != 0) {
      profile.interrupted_by = s.interrupted_by;
      profile.incomplete = "the profile pass was interrupted by " + signal_name(s.interrupted_by);
    } else {
      profile.timed_out = true;
      char text[96];
      std::snprintf(text, sizeof text, "the profile pass ran past its timeout of %.0f s",
                    timeout_seconds);
      profile.incomplete = text;
    }
    return true;
  }
  return false;
}

// A row the pass could not profile: no figures, and why.
BenchmarkProfile not_profiled(const std::string& name, const std::string& why) {
  BenchmarkProfile row;
  row.name = name;
  row.reasons.push_back("not profiled: " + why);
  row.method = "not measured";
  return row;
}

// `names` dealt round-robin into at most `jobs` tasks.
void add_shards(std::vector<Task>& tasks, const std::filesystem::path& binary,
                const std::vector<std::string>& names, int jobs, double min_time, int pass) {
  const std::size_t shards = std::min<std::size_t>(std::max(jobs, 1), names.size());
  const std::size_t first = tasks.size();
  for (std::size_t s = 0; s < shards; ++s) tasks.push_back({binary, {}, min_time, pass, {}});
  for (std::size_t i = 0; i < names.size(); ++i)
    tasks[first + i % shards].names.push_back(names[i]);
}

using RecordsByName = std::map<std::string, std::vector<CallRecord>>;

void collect(std::vector<Task>& tasks, RecordsByName& records, EventMask& counted,
             std::set<std::string>* unprofiled = nullptr) {
  for (Task& task : tasks) {
    if (task.result.stopped && unprofiled != nullptr)
      unprofiled->insert(task.names.begin(), task.names.end());
    for (std::size_t e = 0; e < kEventCount; ++e) counted[e] = counted[e] || task.result.counted[e];
    for (CallRecord& r : task.result.records) records[r.benchmark].push_back(std::move(r));
  }
}

// Rows a longer run can make exact, grouped by the minimum time they need.
std::map<double, std::vector<std::string>> plan_second_pass(std::vector<BenchmarkProfile>& rows,
                                                            const RecordsByName& records,
                                                            const ProfileSetup& setup) {
  std::map<double, std::vector<std::string>> buckets;
  for (BenchmarkProfile& row : rows) {
    const auto it = records.find(row.name);
    if (it == records.end()) continue;
    const std::optional<double> needed = min_time_for_more_calls(row, it->second, setup.min_time);
    if (!needed) continue;
    if (*needed > setup.max_min_time) {
      char text[160];
      std::snprintf(text, sizeof text,
                    "a longer run would need --benchmark_min_time=%.3g s under callgrind, over "
                    "the limit of %.3g s",
                    *needed, setup.max_min_time);
      row.reasons.emplace_back(text);
      continue;
    }
    const double steps = std::ceil(std::log(*needed / setup.min_time) / std::log(kBucketFactor));
    const double bucket = std::min(setup.max_min_time,
                                   setup.min_time * std::pow(kBucketFactor, std::max(steps, 1.0)));
    buckets[bucket].push_back(row.name);
  }
  return buckets;
}

// Keeps the second pass's row when it is exact or reached larger calls; else says that
// the second run did not help.
void take_better(BenchmarkProfile& row, BenchmarkProfile&& again) {
  if (again.exact || again.high > row.high) {
    row = std::move(again);
    return;
  }
  std::string calls;
  for (const std::uint64_t n : again.call_iterations) {
    calls += (calls.empty() ? "" : ", ") + (n == 0 ? std::string("memory run") : std::to_string(n));
  }
  char text[96];
  std::snprintf(text, sizeof text, "a second run with --benchmark_min_time=%.3g s did not help",
                again.min_time);
  row.reasons.push_back(std::string(text) + " (calls: " + calls + ")");
}

// Splits a second-pass bucket over workers only when its work outweighs the second or
// so each callgrind process takes to start (reading the binary's debug information).
int shards_for(std::size_t rows, double min_time, int jobs) {
  constexpr double kStartSeconds = 1.0;
  // A row runs about 2.5 minimum times: calls of n/10 and n, then a last one of 1.4.
  const double work = 2.5 * min_time * static_cast<double>(rows);
  return std::max(1, std::min(jobs, static_cast<int>(work / (2 * kStartSeconds))));
}

// Runs the rows plan_second_pass picked again and keeps the better analysis of each.
void run_second_pass(Profile& profile, const RecordsByName& records, const ProfileOptions& options,
                     ProgressSink& progress, std::optional<Clock::time_point> deadline) {
  const auto buckets = plan_second_pass(profile.benchmarks, records, options.setup);
  if (buckets.empty()) return;
  std::vector<Task> second;
  std::map<std::string, double> min_time_of;
  for (const auto& [min_time, bucket] : buckets) {
    progress.add_total(bucket.size());
    add_shards(second, options.binary, bucket,
               shards_for(bucket.size(), min_time, options.setup.jobs), min_time, 2);
    for (const std::string& name : bucket) min_time_of[name] = min_time;
  }
  run_tasks(second, options, progress, deadline);
  note_stopped(second, profile, options.timeout_seconds);
  RecordsByName again;
  EventMask counted{};
  std::set<std::string> stopped;
  collect(second, again, counted, &stopped);
  for (BenchmarkProfile& row : profile.benchmarks) {
    if (stopped.contains(row.name))
      row.reasons.push_back("a second run was stopped: " + profile.incomplete);
  }
  for (BenchmarkProfile& row : profile.benchmarks) {
    const auto it = again.find(row.name);
    if (it == again.end()) continue;
    BenchmarkProfile redone = analyse_benchmark(row.name, it->second, profile.counted);
    redone.pass = 2;
    redone.min_time = min_time_of.at(row.name);
    take_better(row, std::move(redone));
  }
}

}  // namespace

Profile profile_benchmarks(const ProfileOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  Profile profile;
  profile.binary = options.binary.string();
  profile.setup = options.setup;
  profile.setup.valgrind_version = valgrind_version();
  const std::vector<std::string> names = list_benchmarks(options.binary, options.filter);
  if (names.empty()) {
    throw Error("the filter selects no benchmark",
                options.filter.empty() ? "(all)" : options.filter,
                "see the names with BINARY --benchmark_list_tests");
  }
  CallgrindRunOptions shown;
  shown.binary = options.binary;
  shown.benchmarks = {"<the benchmarks of one process>"};
  shown.min_time = options.setup.min_time;
  shown.output = "<file>";
  profile.setup.command = callgrind_command(shown);

  ProgressSink progress(options);
  const bool calibrate = !options.calibration_binary.empty();
  progress.add_total(names.size() + (calibrate ? 1 : 0));
  std::vector<Task> first;
  add_shards(first, options.binary, names, options.setup.jobs, options.setup.min_time, 1);
  if (calibrate) {
    first.push_back({options.calibration_binary, {kCalibration}, options.setup.min_time, 1, {}});
  }
  const std::optional<Clock::time_point> deadline = deadline_of(options, started);
  run_tasks(first, options, progress, deadline);
  const bool stopped = note_stopped(first, profile, options.timeout_seconds);
  std::optional<Task> calibration;
  if (calibrate) {
    calibration = std::move(first.back());
    first.pop_back();
    if (calibration->result.stopped) calibration.reset();
  }
  RecordsByName records;
  std::set<std::string> unprofiled;
  collect(first, records, profile.counted, &unprofiled);
  for (const std::string& name : names) {
    if (unprofiled.contains(name)) {
      profile.benchmarks.push_back(not_profiled(name, profile.incomplete));
      profile.benchmarks.back().min_time = options.setup.min_time;
      continue;
    }
    profile.benchmarks.push_back(analyse_benchmark(name, records[name], profile.counted));
    profile.benchmarks.back().min_time = options.setup.min_time;
  }
  // A stopped pass starts nothing more: what finished is kept as it is.
  if (!stopped) run_second_pass(profile, records, options, progress, deadline);
  if (calibration) {
    profile.calibration =
        analyse_benchmark(kCalibration, calibration->result.records, profile.counted);
    profile.calibration->min_time = options.setup.min_time;
    for (BenchmarkProfile& row : profile.benchmarks) {
      apply_calibration(row, *profile.calibration, profile.counted);
    }
  }
  profile.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return profile;
}

}  // namespace deferlab::harness
