// RepairingReporter: each Run's MemoryManager fields from its own repetition.
#include "harness/repairing_reporter.h"

#include <algorithm>
#include <optional>

namespace deferlab::harness {
namespace {

using Run = benchmark::BenchmarkReporter::Run;

// Google Benchmark 1.7.1's memory run: min(16, iterations per thread) iterations.
constexpr std::int64_t kMemoryIterations = 16;

// The allocs_per_iter the library computed from `record` for `run`, as it computes it.
bool agrees_with(const Run& run, const MemoryManager::Record& record) {
  const std::int64_t threads = std::max<std::int64_t>(run.threads, 1);
  const std::int64_t per_thread = static_cast<std::int64_t>(run.iterations) / threads;
  const std::int64_t memory_iterations = std::min(kMemoryIterations, per_thread);
  if (memory_iterations <= 0) return false;
  return static_cast<double>(record.values.num_allocs) / static_cast<double>(memory_iterations) ==
         run.allocs_per_iter;
}

}  // namespace

std::vector<Run> repair_memory_results(const std::vector<Run>& runs, const MemoryManager& manager) {
  std::vector<Run> repaired = runs;
  const MemoryManager::Record* latest = manager.latest();
  std::vector<std::size_t> iteration_runs;
  for (std::size_t i = 0; i < repaired.size(); ++i) {
    if (repaired[i].run_type == Run::RT_Iteration) iteration_runs.push_back(i);
  }
  if (latest == nullptr || iteration_runs.empty()) return repaired;
  // Walk back from the last repetition; `next_stop` is the sequence of the Stop of the
  // repetition after the one at hand, when known.
  std::optional<std::uint64_t> next_stop;
  for (std::size_t k = iteration_runs.size(); k-- > 0;) {
    Run& run = repaired[iteration_runs[k]];
    const bool is_last = k + 1 == iteration_runs.size();
    const MemoryManager::Record* record = nullptr;
    if (run.memory_result != nullptr) {
      if (is_last) {
        record = run.memory_result == latest->address ? latest : nullptr;
      } else if (next_stop) {
        record = manager.newest_at(run.memory_result, *next_stop);
      }
      if (record != nullptr && !agrees_with(run, *record)) record = nullptr;
      run.memory_result = record != nullptr ? &record->values : nullptr;
    }
    const bool had_pointer = runs[iteration_runs[k]].memory_result != nullptr;
    if (record != nullptr) {
      next_stop = record->sequence;
    } else if (is_last && !had_pointer) {
      next_stop = latest->sequence;  // an errored last repetition: its Stop was the latest
    } else {
      next_stop.reset();  // unknown or contradicted: nothing before it can be told apart
    }
  }
  return repaired;
}

RepairingReporter::RepairingReporter(benchmark::BenchmarkReporter& inner,
                                     const MemoryManager& manager)
    : inner_(inner), manager_(manager) {
  SetOutputStream(&inner.GetOutputStream());
  SetErrorStream(&inner.GetErrorStream());
}

void RepairingReporter::pass_streams() {
  inner_.SetOutputStream(&GetOutputStream());
  inner_.SetErrorStream(&GetErrorStream());
}

bool RepairingReporter::ReportContext(const Context& context) {
  pass_streams();
  return inner_.ReportContext(context);
}

void RepairingReporter::ReportRuns(const std::vector<Run>& runs) {
  pass_streams();
  inner_.ReportRuns(repair_memory_results(runs, manager_));
}

void RepairingReporter::Finalize() {
  pass_streams();
  inner_.Finalize();
}

}  // namespace deferlab::harness
