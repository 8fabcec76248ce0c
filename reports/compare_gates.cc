// The CI gates of compare (--fail-on): parsing a gate, and judging every BASE benchmark
// against each one, failing closed on a row a gate cannot judge.
#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "common/error.h"
#include "reports/compare_gates.h"
#include "reports/figures.h"
#include "reports/format.h"

namespace deferlab::reports {

Gate parse_gate(const std::string& text) {
  const auto fail = [&](const std::string& why) -> Error {
    return Error("not a gate: '" + text + "'" + (why.empty() ? "" : ": " + why), "--fail-on",
                 "write time:+5% (significantly slower by more than 5 %), allocs:+0 (any more "
                 "allocations), bytes:+N, instructions:+1% or cycles:+2% (per iteration, from "
                 "the runs' profile.json)");
  };
  const std::size_t colon = text.find(':');
  if (colon == std::string::npos) throw fail("");
  Gate gate;
  gate.text = text;
  const std::string kind = text.substr(0, colon);
  std::string amount = text.substr(colon + 1);
  if (kind == "time") {
    gate.kind = Gate::Kind::kTime;
    if (amount.empty() || amount.back() != '%') throw fail("a time threshold ends with %");
    amount.pop_back();
  } else if (kind == "instructions" || kind == "cycles") {
    gate.kind = kind == "cycles" ? Gate::Kind::kCycles : Gate::Kind::kInstructions;
    if (amount.empty() || amount.back() != '%') throw fail("a profile threshold ends with %");
    amount.pop_back();
  } else if (kind == "allocs") {
    gate.kind = Gate::Kind::kAllocs;
  } else if (kind == "bytes") {
    gate.kind = Gate::Kind::kBytes;
  } else {
    throw fail("");
  }
  if (!amount.empty() && amount.front() == '+') amount.erase(0, 1);
  double value = 0;
  const auto [end, ec] = std::from_chars(amount.data(), amount.data() + amount.size(), value);
  if (amount.empty() || ec != std::errc() || end != amount.data() + amount.size()) {
    throw fail("the threshold is not a number");
  }
  // from_chars reads "inf" and "nan": neither is a threshold.
  if (!std::isfinite(value) || value < 0) throw fail("the threshold must be finite and >= 0");
  const bool relative = gate.kind == Gate::Kind::kTime || gate.kind == Gate::Kind::kInstructions ||
                        gate.kind == Gate::Kind::kCycles;
  gate.threshold = relative ? value / 100 : value;
  if (relative && gate.threshold > kMaxTimeThreshold) {
    throw fail(fmt::format("above +{:g}% (a {:g}-fold value), not a threshold",
                           kMaxTimeThreshold * 100, kMaxTimeThreshold + 1));
  }
  if (!relative && gate.threshold > kMaxCount) {
    throw fail("above 2^40, no count is that large");
  }
  return gate;
}

namespace {

std::string change_text(const stats::Ratio& r) {
  return fmt::format("{} [{}, {}] ({} interval)", format_signed_percent(r.estimate - 1),
                     format_signed_percent(r.low - 1), format_signed_percent(r.high - 1),
                     confidence_label(r.confidence));
}

enum class Outcome { kPassed, kTripped, kUnverifiable };

struct Judgement {
  Outcome outcome = Outcome::kPassed;
  std::string message;  // tripped: what the row did; unverifiable: why it cannot be judged
  bool amortized = false;
};

Judgement judge_time(const CompareRow& row, const Gate& gate, double alpha) {
  if (!row.problem.empty()) return {Outcome::kUnverifiable, row.problem};
  if (!row.change || !row.test) return {Outcome::kUnverifiable, "no test"};
  if (row.test->p_value < alpha && row.change->estimate > 1 + gate.threshold) {
    return {Outcome::kTripped, fmt::format("{} slower (U test p = {:.4f} < alpha {:g})",
                                           change_text(*row.change), row.test->p_value, alpha)};
  }
  return {};
}

Judgement judge_counter(const CounterChange& c, const char* counter, const Gate& gate) {
  if (!c.problem.empty()) return {Outcome::kUnverifiable, c.problem};
  const double limit = counter_gate_limit(*c.base, gate.threshold, c.amortized);
  Judgement j;
  j.amortized = c.amortized;
  if (*c.head > limit) {
    j.outcome = Outcome::kTripped;
    j.message = fmt::format("{} per iteration {:g} -> {:g}", counter, *c.base, *c.head);
    if (c.amortized) {
      j.message += fmt::format(" (amortized: the limit is {:g} x base + {:g} = {:g})",
                               kAmortizedFactor, gate.threshold, limit);
    }
  }
  return j;
}

// A profile gate: HEAD's figure above BASE's by more than the threshold (relative), with
// the hot functions whose instructions changed.
Judgement judge_profile(const CompareRow& row, const ProfileChange& c, const char* what,
                        const Gate& gate) {
  if (!c.problem.empty()) return {Outcome::kUnverifiable, c.problem};
  Judgement j;
  if (*c.head > *c.base * (1 + gate.threshold)) {
    j.outcome = Outcome::kTripped;
    j.message = fmt::format("{} per iteration {:g} -> {:g}", what, *c.base, *c.head);
    if (*c.base > 0) j.message += " (" + format_signed_percent(*c.head / *c.base - 1) + ")";
    if (!row.changed_functions.empty()) {
      j.message += "; functions changed:";
      for (std::size_t k = 0; k < row.changed_functions.size(); ++k)
        j.message += (k ? "; " : " ") + row.changed_functions[k];
    }
  }
  return j;
}

}  // namespace

// Exit 2 rather than a gate that passes whatever happens: with m and n repetitions the U
// test cannot give a p-value below min_two_sided_p(m, n).
void require_time_gates_can_trip(const Comparison& c) {
  const Gate* time_gate = nullptr;
  for (const Gate& g : c.gates) {
    if (g.kind == Gate::Kind::kTime) time_gate = &g;
  }
  if (time_gate == nullptr) return;
  const CompareRow* first = nullptr;
  std::size_t stuck = 0;
  double p_min = 0;
  for (const CompareRow& row : c.rows) {
    if (!row.test) continue;
    const double p = min_two_sided_p(row.base.n, row.head.n);
    if (p < c.alpha) continue;
    if (first == nullptr) {
      first = &row;
      p_min = p;
    }
    ++stuck;
  }
  if (first == nullptr) return;
  const std::size_t needed = repetitions_needed(c.alpha);
  throw Error(
      fmt::format("--fail-on {} cannot trip: with {} and {} repetitions the smallest "
                  "two-sided U-test p-value is {:.3g}, not below alpha {:g} ({}{})",
                  time_gate->text, first->base.n, first->head.n, p_min, c.alpha, first->name,
                  stuck > 1 ? fmt::format(" and {} more", stuck - 1) : std::string()),
      c.base_source + " / " + c.head_source,
      fmt::format("run both sides with at least {} repetitions (deferlab run "
                  "--repetitions {})",
                  needed, needed));
}

// Applies every gate to every BASE benchmark, present in HEAD or not.
void apply_gates(Comparison& c) {
  for (const Gate& gate : c.gates) {
    GateRun run{gate};
    const auto record = [&](const std::string& name, const Judgement& j, CompareRow* row) {
      if (j.outcome == Outcome::kPassed) {
        ++run.checked;
        run.amortized += j.amortized;
        return;
      }
      if (j.outcome == Outcome::kTripped) {
        ++run.checked;
        ++run.tripped;
        run.amortized += j.amortized;
      } else {
        ++run.unverifiable;
      }
      if (row != nullptr) row->failed_gates.push_back(gate.text);
      c.failures.push_back(j.outcome == Outcome::kTripped
                               ? name + ": " + j.message + ", over " + gate.text
                               : name + ": " + gate.text + " cannot be checked: " + j.message);
    };
    for (CompareRow& row : c.rows) {
      ++run.rows;
      switch (gate.kind) {
        case Gate::Kind::kTime:
          record(row.name, judge_time(row, gate, c.alpha), &row);
          break;
        case Gate::Kind::kAllocs:
          record(row.name, judge_counter(row.allocs, "heap_allocs", gate), &row);
          break;
        case Gate::Kind::kBytes:
          record(row.name, judge_counter(row.bytes, "heap_bytes", gate), &row);
          break;
        case Gate::Kind::kInstructions:
          record(row.name, judge_profile(row, row.instructions, "instructions", gate), &row);
          break;
        case Gate::Kind::kCycles:
          record(row.name, judge_profile(row, row.cycles, "estimated cycles", gate), &row);
          break;
      }
    }
    std::string renamed;
    if (!c.only_in_head.empty()) {
      renamed = " (renamed? only in HEAD: " + c.only_in_head.front() +
                (c.only_in_head.size() > 1 ? fmt::format(" and {} more", c.only_in_head.size() - 1)
                                           : std::string()) +
                ")";
    }
    for (const std::string& name : c.only_in_base) {
      ++run.rows;
      record(name, {Outcome::kUnverifiable, "missing in HEAD" + renamed}, nullptr);
    }
    c.gate_runs.push_back(run);
  }
}

}  // namespace deferlab::reports
