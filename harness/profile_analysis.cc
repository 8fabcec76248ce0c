// Per-iteration figures by difference of two calls (see profile_analysis.h).
#include "harness/profile_analysis.h"

#include <cxxabi.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <set>

namespace deferlab::harness {
namespace {

// Hot functions cover this share of a benchmark's instructions per iteration, at most
// kMaxHotFunctions of them.
constexpr double kHotShare = 0.95;
constexpr std::size_t kMaxHotFunctions = 8;
// The pair of calls every figure comes from (see profile_analysis.h).
constexpr std::uint64_t kLow = 10;
constexpr std::uint64_t kHigh = 100;

bool is_power_of_ten(std::uint64_t n) {
  if (n < 10) return false;
  while (n % 10 == 0) n /= 10;
  return n == 1;
}

// The calls whose iteration count does not depend on timing (10, 100, 1000, ...), by
// count; the last call of each count (warm-up calls come first).
std::map<std::uint64_t, const CallRecord*> timing_free_calls(const std::vector<CallRecord>& calls) {
  std::map<std::uint64_t, const CallRecord*> out;
  for (const CallRecord& c : calls) {
    if (!c.memory_run && is_power_of_ten(c.iterations)) out[c.iterations] = &c;
  }
  return out;
}

std::string join_iterations(const std::vector<std::uint64_t>& counts) {
  std::string text;
  for (const std::uint64_t n : counts) {
    text += (text.empty() ? "" : ", ") + (n == 0 ? std::string("memory run") : std::to_string(n));
  }
  return text;
}

std::string demangle(const std::string& symbol) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> text(
      abi::__cxa_demangle(symbol.c_str(), nullptr, nullptr, &status), &std::free);
  return status == 0 && text ? std::string(text.get()) : symbol;
}

// What mixes other work into a call's record, whatever the iteration counts.
std::vector<std::string> structural_reasons(const std::string& name,
                                            const std::vector<CallRecord>& calls) {
  std::vector<std::string> reasons;
  const int threads = threads_in_name(name);
  if (threads > 1) {
    reasons.push_back("runs its loop on " + std::to_string(threads) +
                      " threads at once, and callgrind's records mix the threads");
  }
  if (name.find("/iterations:") != std::string::npos) {
    reasons.push_back(
        "has a fixed iteration count (Iterations()), so no two calls differ in iterations");
  }
  const bool pauses = std::any_of(calls.begin(), calls.end(),
                                  [](const CallRecord& c) { return c.timer_calls > 0; });
  if (pauses) {
    reasons.push_back(
        "pauses the timer inside its loop (PauseTiming/ResumeTiming), and the paused work is "
        "counted too");
  }
  return reasons;
}

// The per-iteration and per-call figures and the allocation calls of the pair.
void add_figures(BenchmarkProfile& row, const CallRecord& low, const CallRecord& high,
                 const EventMask& counted) {
  const auto dn = static_cast<double>(high.iterations - low.iterations);
  const auto n = static_cast<double>(high.iterations);
  EventFigures per_iteration, per_call;
  for (std::size_t e = 0; e < kEventCount; ++e) {
    const double delta = static_cast<double>(high.events[e]) - static_cast<double>(low.events[e]);
    per_iteration.events[e] = delta / dn;
    per_call.events[e] = static_cast<double>(high.events[e]) - n * per_iteration.events[e];
  }
  for (std::size_t e = 0; e < kEventCount; ++e) {
    // A simulated cache or predictor that missed less in the larger call: the smaller call
    // started colder. The difference is kept (it is what was measured, and the cycles
    // need it) and said.
    if (e != kIr && per_iteration.events[e] < 0) {
      row.notes.push_back(std::string(kProfileEvents[e].key) +
                          " per iteration is negative: the call of 10 iterations started colder "
                          "than the call of 100");
    }
  }
  per_iteration.cycles = estimated_cycles(per_iteration.events, counted);
  per_call.cycles = estimated_cycles(per_call.events, counted);
  row.per_iteration = per_iteration;
  row.per_call = per_call;

  const std::uint64_t iterations = high.iterations - low.iterations;
  if (high.events[kIr] < low.events[kIr]) {
    row.reasons.push_back("the call with more iterations counted fewer instructions");
  } else if ((high.events[kIr] - low.events[kIr]) % iterations != 0) {
    row.reasons.push_back(
        "instructions per iteration is not a whole number (" +
        std::to_string(high.events[kIr] - low.events[kIr]) + " over " + std::to_string(iterations) +
        " iterations): the calls differ by more than their iterations (state kept from call "
        "to call or from iteration to iteration)");
  }
  std::set<std::string> names;
  for (const auto& [fn, count] : low.allocations) names.insert(fn);
  for (const auto& [fn, count] : high.allocations) names.insert(fn);
  double total = 0;
  for (const std::string& fn : names) {
    const auto get = [&](const CallRecord& c) {
      const auto it = c.allocations.find(fn);
      return it == c.allocations.end() ? std::uint64_t{0} : it->second;
    };
    const std::uint64_t a = get(low), b = get(high);
    if (b < a || (b - a) % iterations != 0) {
      row.reasons.push_back("calls to " + fn + " per iteration are not a whole number (" +
                            std::to_string(a) + " and " + std::to_string(b) + " calls)");
    }
    const double value = (static_cast<double>(b) - static_cast<double>(a)) / dn;
    row.allocations_per_iteration[fn] = value;
    total += value;
  }
  row.allocations_total = total;
}

std::uint64_t sum_of(const std::map<std::uint64_t, std::uint64_t>& m) {
  std::uint64_t s = 0;
  for (const auto& [address, count] : m) s += count;
  return s;
}

// The functions that cover kHotShare of the instructions per iteration, with the
// executions of each of their instructions per iteration.
void add_hot_functions(BenchmarkProfile& row, const CallRecord& low, const CallRecord& high) {
  const auto dn = static_cast<double>(high.iterations - low.iterations);
  const double total = static_cast<double>(high.events[kIr]) - static_cast<double>(low.events[kIr]);
  if (total <= 0) return;
  static const std::map<std::uint64_t, std::uint64_t> kNone;
  std::vector<std::pair<double, const FunctionKey*>> ranked;
  for (const auto& [fn, executions] : high.executions) {
    if (fn.symbol.ends_with("[PLT]")) continue;  // a PLT stub, not a function of the binary
    const auto lower = low.executions.find(fn);
    const double delta =
        static_cast<double>(sum_of(executions)) -
        static_cast<double>(sum_of(lower == low.executions.end() ? kNone : lower->second));
    if (delta > 0) ranked.emplace_back(delta, &fn);
  }
  std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : *a.second < *b.second;
  });
  double covered = 0;
  for (const auto& [delta, fn] : ranked) {
    if (covered >= kHotShare * total || row.hot_functions.size() >= kMaxHotFunctions) break;
    covered += delta;
    HotFunction hot{*fn, demangle(fn->symbol), delta / dn, delta / total, {}};
    const auto& hi = high.executions.at(*fn);
    const auto lower = low.executions.find(*fn);
    const auto& lo = lower == low.executions.end() ? kNone : lower->second;
    std::map<std::uint64_t, std::int64_t> deltas;
    for (const auto& [address, count] : hi) deltas[address] += static_cast<std::int64_t>(count);
    for (const auto& [address, count] : lo) deltas[address] -= static_cast<std::int64_t>(count);
    for (const auto& [address, d] : deltas) {
      hot.instructions.push_back({address, d, static_cast<double>(d) / dn});
    }
    row.hot_functions.push_back(std::move(hot));
  }
}

}  // namespace

std::string_view without_symbol_version(std::string_view symbol) {
  const std::size_t at = symbol.find('@');
  return at == std::string_view::npos ? symbol : symbol.substr(0, at);
}

bool is_allocation_function(std::string_view symbol) {
  static const std::set<std::string_view> kNames = {"malloc",
                                                    "calloc",
                                                    "realloc",
                                                    "reallocarray",
                                                    "aligned_alloc",
                                                    "posix_memalign",
                                                    "memalign",
                                                    "valloc",
                                                    "pvalloc",
                                                    "__libc_malloc",
                                                    "__libc_calloc",
                                                    "__libc_realloc",
                                                    "__libc_memalign",
                                                    "__libc_valloc",
                                                    "__libc_pvalloc",
                                                    "__posix_memalign",
                                                    "__cxa_allocate_exception",
                                                    "__cxa_allocate_dependent_exception"};
  symbol = without_symbol_version(symbol);
  // _Znw*: operator new, _Zna*: operator new[], in every form (sized, aligned, nothrow).
  return symbol.starts_with("_Znw") || symbol.starts_with("_Zna") || kNames.contains(symbol);
}

int threads_in_name(std::string_view benchmark) {
  std::size_t at = 0;
  while ((at = benchmark.find("/threads:", at)) != std::string_view::npos) {
    at += 9;
    int threads = 0;
    std::size_t i = at;
    while (i < benchmark.size() && benchmark[i] >= '0' && benchmark[i] <= '9' &&
           threads < 1 << 20) {
      threads = threads * 10 + (benchmark[i++] - '0');
    }
    if (i > at && (i == benchmark.size() || benchmark[i] == '/')) return std::max(threads, 1);
  }
  return 1;
}

std::optional<double> estimated_cycles(const std::array<double, kEventCount>& e,
                                       const EventMask& counted) {
  for (const ProfileEvent needed : {kIr, kDr, kDw, kI1mr, kD1mr, kD1mw, kILmr, kDLmr, kDLmw}) {
    if (!counted[needed] || std::isnan(e[needed])) return std::nullopt;
  }
  const double ram_hits = e[kILmr] + e[kDLmr] + e[kDLmw];
  const double l1_misses = e[kI1mr] + e[kD1mr] + e[kD1mw];
  const double ll_hits = l1_misses - ram_hits;
  const double l1_hits = e[kIr] + e[kDr] + e[kDw] - l1_misses;
  return l1_hits + 5 * ll_hits + 35 * ram_hits;
}

BenchmarkProfile analyse_benchmark(const std::string& name, const std::vector<CallRecord>& calls,
                                   const EventMask& counted) {
  BenchmarkProfile row;
  row.name = name;
  for (const CallRecord& c : calls) row.call_iterations.push_back(c.memory_run ? 0 : c.iterations);
  row.reasons = structural_reasons(name, calls);
  if (!row.reasons.empty()) {
    row.method = "not measured: the records of its calls hold other work than its iterations";
    return row;
  }
  const std::map<std::uint64_t, const CallRecord*> usable = timing_free_calls(calls);
  if (!usable.contains(kLow) || !usable.contains(kHigh)) {
    row.reasons.push_back(
        "no calls with both 10 and 100 iterations (calls: " + join_iterations(row.call_iterations) +
        "): the benchmark is too slow under callgrind for the minimum time");
    row.method = "not measured: no two calls with iteration counts that do not depend on timing";
    return row;
  }
  const CallRecord& low = *usable.at(kLow);
  const CallRecord& high = *usable.at(kHigh);
  row.low = low.iterations;
  row.high = high.iterations;
  add_figures(row, low, high, counted);
  add_hot_functions(row, low, high);
  for (auto it = usable.begin(); std::next(it) != usable.end(); ++it) {
    const CallRecord& a = *it->second;
    const CallRecord& b = *std::next(it)->second;
    if (&a == &low && &b == &high) continue;
    PairCheck check{a.iterations, b.iterations, {}};
    for (std::size_t e = 0; e < kEventCount; ++e) {
      check.per_iteration.events[e] =
          (static_cast<double>(b.events[e]) - static_cast<double>(a.events[e])) /
          static_cast<double>(b.iterations - a.iterations);
    }
    check.per_iteration.cycles = estimated_cycles(check.per_iteration.events, counted);
    row.checks.push_back(check);
  }
  row.method = "difference of the calls with " + std::to_string(low.iterations) + " and " +
               std::to_string(high.iterations) + " iterations (per call: the larger call minus " +
               "its iterations)";
  row.exact = row.reasons.empty();
  return row;
}

void apply_calibration(BenchmarkProfile& row, const BenchmarkProfile& calibration,
                       const EventMask& counted) {
  if (!row.per_iteration || !calibration.per_iteration) return;
  EventFigures net;
  for (std::size_t e = 0; e < kEventCount; ++e) {
    net.events[e] = row.per_iteration->events[e] - calibration.per_iteration->events[e];
  }
  net.cycles = estimated_cycles(net.events, counted);
  row.net_per_iteration = net;
}

std::optional<double> min_time_for_more_calls(const BenchmarkProfile& row,
                                              const std::vector<CallRecord>& calls,
                                              double min_time) {
  if (row.exact || !structural_reasons(row.name, calls).empty()) return std::nullopt;
  const CallRecord* longest = nullptr;
  for (const CallRecord& c : calls) {
    if (!c.memory_run && c.cpu_seconds > 0 && (!longest || c.iterations > longest->iterations)) {
      longest = &c;
    }
  }
  if (longest == nullptr) return std::nullopt;
  const double seconds_per_iteration =
      longest->cpu_seconds / static_cast<double>(longest->iterations);
  // The call of 10 iterations must take under a tenth of the minimum time, for Google
  // Benchmark to go on to 100; twice that, because CPU time under callgrind on a busy
  // machine varies by tens of percent from call to call. (More margin costs more: the
  // last call Google Benchmark makes lasts 1.4 minimum times, and is not used.)
  double needed = 2 * 10 * static_cast<double>(kLow) * seconds_per_iteration;
  // The call of 10 itself, when there was one: its iterations can cost more than a longer
  // call's (measured: exception_path's first throws pay for the unwinder's caches, and an
  // estimate from the call of 38 alone gave 94 iterations after the 10, not 100).
  for (const CallRecord& c : calls) {
    if (!c.memory_run && c.iterations == kLow && c.cpu_seconds > 0)
      needed = std::max(needed, 2 * 10 * c.cpu_seconds);
  }
  return std::max(needed, 2 * min_time);
}

}  // namespace deferlab::harness
