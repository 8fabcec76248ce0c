// Writes deferlab.profile/1 (see profile_json.h).
#include "harness/profile_json.h"

#include <cmath>
#include <cstdio>

#include "harness/profile_analysis.h"

namespace deferlab::harness {
namespace {

using nlohmann::json;

constexpr const char* kMethod =
    "Each benchmark runs under valgrind's callgrind (ASLR off, LD_BIND_NOW=1, fixed cache "
    "geometry). Callgrind zeroes its counters on entry to benchmark::State::StartKeepRunning() "
    "and writes a record on return from FinishKeepRunning(), so each call of the benchmark "
    "function gives one record of its timed loop and nothing of its setup. Google Benchmark's "
    "--v=2 log gives each call's iteration count; a warm-up call comes first. Per iteration = "
    "(the call of 100 iterations - the call of 10) / 90: counts that do not depend on timing, "
    "the same pair in every run; per call = the call of 100 minus its iterations; calls of "
    "1000, 10000, ... iterations, when there are, are shown as checks. A row is exact when "
    "instructions and allocation calls per iteration are whole numbers and no threads, paused "
    "timer or fixed iteration count mix other work into the records. Cache and branch figures "
    "are the same difference of simulated events: they depend a little on how warm each call "
    "starts (estimated cycles within 1 % across runs of the whole lab) and can be slightly "
    "negative when the call of 10 started colder (the row's notes say so). Allocation calls "
    "are calls of allocation functions from code that is not itself an allocator, read from "
    "callgrind's call graph (PLT stubs looked through). Net = per iteration minus the "
    "calibration's empty loop.";

std::string hex(std::uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

json cache_json(const CacheLevel& c) {
  return {{"size", c.size}, {"associativity", c.associativity}, {"line", c.line}};
}

json figures_json(const std::optional<EventFigures>& f, const EventMask& counted) {
  if (!f) return nullptr;
  json out = json::object();
  for (std::size_t e = 0; e < kEventCount; ++e) {
    const bool known = counted[e] && !std::isnan(f->events[e]);
    out[kProfileEvents[e].key] = known ? count_json(f->events[e]) : json(nullptr);
  }
  out["estimated_cycles"] = f->cycles ? count_json(*f->cycles) : json(nullptr);
  return out;
}

json hot_function_json(const HotFunction& h) {
  json instructions = json::array();
  for (const HotInstruction& i : h.instructions) {
    instructions.push_back({{"address", hex(i.address)},
                            {"executions", i.executions},
                            {"per_iteration", count_json(i.per_iteration)}});
  }
  return {{"symbol", h.function.symbol},
          {"demangled", h.demangled},
          {"object", h.function.object},
          {"instructions_per_iteration", count_json(h.instructions_per_iteration)},
          {"share", h.share},
          {"instructions", std::move(instructions)}};
}

json row_json(const BenchmarkProfile& row, const EventMask& counted) {
  json calls = json::array();
  for (const std::uint64_t n : row.call_iterations) calls.push_back(n);
  json allocations = nullptr;
  if (row.allocations_total) {
    json by_function = json::object();
    for (const auto& [fn, n] : row.allocations_per_iteration) by_function[fn] = count_json(n);
    allocations = {{"total", count_json(*row.allocations_total)}, {"by_function", by_function}};
  }
  json hot = json::array();
  for (const HotFunction& h : row.hot_functions) hot.push_back(hot_function_json(h));
  json checks = json::array();
  for (const PairCheck& c : row.checks) {
    checks.push_back({{"low", c.low},
                      {"high", c.high},
                      {"per_iteration", figures_json(c.per_iteration, counted)}});
  }
  return {{"name", row.name},
          {"exact", row.exact},
          {"reasons", row.reasons},
          {"notes", row.notes},
          {"method", row.method},
          {"calls", std::move(calls)},
          {"pair", row.per_iteration ? json{{"low", row.low}, {"high", row.high}} : json(nullptr)},
          {"pass", row.pass},
          {"min_time", row.min_time},
          {"per_iteration", figures_json(row.per_iteration, counted)},
          {"per_call", figures_json(row.per_call, counted)},
          {"net_per_iteration", figures_json(row.net_per_iteration, counted)},
          {"allocations_per_iteration", std::move(allocations)},
          {"hot_functions", std::move(hot)},
          {"checks", std::move(checks)}};
}

}  // namespace

json count_json(double value) {
  // Whole numbers well inside a double's exact range print as integers.
  if (std::isfinite(value) && std::fabs(value) < 9.0e15 && value == std::floor(value)) {
    return static_cast<std::int64_t>(value);
  }
  return value;
}

json profile_document(const Profile& profile) {
  const ProfileSetup& s = profile.setup;
  json events = json::array();
  for (std::size_t e = 0; e < kEventCount; ++e) {
    if (profile.counted[e])
      events.push_back(
          {{"key", kProfileEvents[e].key}, {"callgrind", kProfileEvents[e].callgrind}});
  }
  json rows = json::array();
  for (const BenchmarkProfile& row : profile.benchmarks)
    rows.push_back(row_json(row, profile.counted));
  return {
      {"schema", "deferlab.profile/1"},
      {"binary", profile.binary},
      {"tool",
       {{"valgrind", s.valgrind_version},
        {"command", s.command},
        {"cache_simulation", s.cache_simulation},
        {"branch_simulation", s.branch_simulation},
        {"cache", {{"I1", cache_json(s.i1)}, {"D1", cache_json(s.d1)}, {"LL", cache_json(s.ll)}}},
        {"min_time", s.min_time},
        {"max_min_time", s.max_min_time},
        {"jobs", s.jobs}}},
      {"events", std::move(events)},
      {"cycles_formula", kCyclesFormula},
      {"method", kMethod},
      {"wall_seconds", profile.wall_seconds},
      {"incomplete", profile.incomplete.empty() ? json(nullptr) : json(profile.incomplete)},
      {"calibration",
       profile.calibration ? row_json(*profile.calibration, profile.counted) : json(nullptr)},
      {"benchmarks", std::move(rows)}};
}

}  // namespace deferlab::harness
