// The profile pass: every benchmark a filter selects, run under callgrind in `jobs`
// processes at once, analysed per iteration (harness/profile_analysis.h); the rows that
// got no exact figure are run again with a longer minimum time when that can help and
// stays under setup.max_min_time; an empty-loop benchmark calibrates the net figures.
//
//   ProfileOptions options;
//   options.binary = "build/my_bench";
//   options.filter = "BM_Vector/64$";
//   options.work_directory = scratch;   // callgrind's files go here
//   const Profile profile = profile_benchmarks(options);
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "harness/profile.h"

namespace deferlab::harness {

struct ProfileProgress {
  std::size_t done = 0;   // benchmarks finished, over both passes
  std::size_t total = 0;  // grows when a second pass is planned
  std::string_view name;  // the benchmark that just finished
  int pass = 1;
};

struct ProfileOptions {
  std::filesystem::path binary;
  std::string filter;  // Google Benchmark regex; empty selects everything
  // A Google Benchmark binary whose only benchmark is an empty timed loop
  // (`for (auto _ : state) {}`); empty: no calibration, no net figures.
  std::filesystem::path calibration_binary;
  std::filesystem::path work_directory;  // must exist; callgrind's files are written here
  ProfileSetup setup;
  // Wall-clock limit of the whole pass, seconds (0: none). Each callgrind process gets
  // what is left; past it, or on an interrupt, the pass stops its processes, starts no
  // more, and returns what finished (Profile::incomplete says why, the other rows have no
  // figures).
  double timeout_seconds = 0;
  // Called from worker threads, one call at a time.
  std::function<void(const ProfileProgress&)> on_progress;
};

// Throws Error when valgrind does not run, the filter selects nothing, or a binary fails
// under callgrind. A timeout or an interrupt is not an Error: see timeout_seconds.
Profile profile_benchmarks(const ProfileOptions& options);

}  // namespace deferlab::harness
