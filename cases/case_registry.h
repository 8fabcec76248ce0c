// The lab's cases: every (scenario, strategy, parameter) cell, registered by the file that
// implements it, turned into Google Benchmark benchmarks and a `deferlab.cases/1` manifest.
//
// A scenario file (cases/scenarios/) defines its hot function once, as a template over the
// strategy (cases/strategy.h), and registers one case per strategy and parameter from a
// static initialiser; there is no central list of scenarios to edit:
//
//   DEFERLAB_SOURCE(loop_defer)
//   template <class S>
//   DEFERLAB_NOIPA void loop_defer(Ledger& ledger, int n) { ... }
//
//   const bool registered = [] {
//     for_each_strategy(kScenario, []<class S>() {
//       add_case(make_case<&loop_defer<S>>(CaseHeader{...}, expected, n));
//     });
//     return true;
//   }();
//
// Benchmark names are `<scenario>/<strategy>/<param>`, e.g. `loop_defer/heap_defer/64`.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cases/ledger.h"
#include "harness/heap_counters.h"

// A hot function must stay a real, separately compiled function: not inlined into the
// benchmark, and not cloned by interprocedural constant propagation (GCC would otherwise
// emit `f.constprop.0` for a call with a constant argument and run that instead of `f`).
#if defined(__clang__)
#define DEFERLAB_NOIPA [[gnu::noinline]]
#else
#define DEFERLAB_NOIPA [[gnu::noipa]]
#endif

// Records where hot function `name` is defined. Place it on the line right above the
// function (or above its `template` line).
#define DEFERLAB_SOURCE(name) \
  constexpr ::deferlab::cases::SourceLine name##_source{__FILE__, __LINE__ + 1};

namespace deferlab::cases {

struct SourceLine {
  const char* file;  // relative to the source tree (the build maps the prefix away)
  int line;
};

// Whether a cell expresses the scenario as written, or the closest form the strategy has.
enum class Fidelity { kFaithful, kClosestForm };

struct StrategyInfo {
  std::string_view name;
  int rank = 0;  // table order
  std::string_view summary;
  std::string_view header;
  bool baseline = false;  // the manifest's baseline_strategy

  template <class Strategy>
  static constexpr StrategyInfo of() {
    bool baseline = false;
    if constexpr (requires { Strategy::kBaseline; }) baseline = Strategy::kBaseline;
    return {Strategy::kName, Strategy::kRank, Strategy::kSummary, Strategy::kHeader, baseline};
  }
};

struct ScenarioInfo {
  std::string_view name;
  int rank = 0;
  std::string_view summary;
  std::string_view highlight = "";      // the param a reviewer reads first ("" for none)
  std::string_view chart_x_label = "";  // charted across its params when not ""
};

// What one call of a hot function leaves in a fresh ledger.
struct Outcome {
  std::vector<std::uint32_t> released;  // in release order
  std::uint64_t acquired = 0;
  std::uint64_t committed = 0;
  int result = 0;  // the hot function's return value (0 for void functions)
  bool threw = false;
  bool operator==(const Outcome&) const = default;
};

// Everything about a case except how to call it.
struct CaseHeader {
  ScenarioInfo scenario;
  StrategyInfo strategy;
  std::string param;    // the last part of the benchmark name
  int param_index = 0;  // order of `param` within the scenario
  nlohmann::json parameters = nlohmann::json::object();
  SourceLine source{"", 0};
  Fidelity fidelity = Fidelity::kFaithful;
  std::string notes;  // semantics a reader must know, especially for closest forms
};

struct Case {
  CaseHeader header;
  Outcome expected;
  const void* hot_function = nullptr;
  // One call of the hot function on `ledger` with the case's arguments; returns its result.
  // A Failure thrown by the exception scenarios escapes.
  std::function<int(Ledger&)> call;
  // The Google Benchmark body: the call in a timed loop, with exact heap counters.
  std::function<void(benchmark::State&)> run;

  std::string benchmark_name() const;
};

// A (scenario, strategy) cell the lab leaves out on purpose, with the reason.
struct OmittedCell {
  std::string scenario;
  std::string strategy;
  std::string reason;
};

void add_case(Case c);
void add_omitted(OmittedCell cell);

// Every registered case, ordered by scenario, strategy, then parameter.
std::vector<const Case*> all_cases();
std::vector<OmittedCell> omitted_cells();

// Registers every case with Google Benchmark (call once, before RunSpecifiedBenchmarks).
void register_benchmarks();

// The `deferlab.cases/1` manifest. Hot symbols are looked up in the running binary, which
// must export them (link with -rdynamic / ENABLE_EXPORTS).
nlohmann::json manifest();

// Runs `c` once on a fresh ledger and reports what it did.
Outcome run_once(const Case& c);

// The ledger every benchmark loop works on (one per thread).
Ledger& benchmark_ledger();

// Binds a hot function to a case. `Fn` is a template argument so the benchmark loop calls
// it directly; `args` are passed after the ledger on every call. With `kThrows` the loop
// catches the Failure each call ends with.
template <auto Fn, bool kThrows = false, class... Args>
Case make_case(CaseHeader header, Outcome expected, Args... args) {
  Case c;
  c.header = std::move(header);
  c.expected = std::move(expected);
  c.hot_function = reinterpret_cast<const void*>(Fn);
  c.call = [args...](Ledger& ledger) -> int {
    if constexpr (std::is_void_v<decltype(Fn(ledger, args...))>) {
      Fn(ledger, args...);
      return 0;
    } else {
      return Fn(ledger, args...);
    }
  };
  c.run = [args...](benchmark::State& state) {
    Ledger& ledger = benchmark_ledger();
    harness::HeapCounters heap(state);
    for (auto _ : state) {
      if constexpr (kThrows) {
        try {
          Fn(ledger, args...);
        } catch (const Failure&) {
        }
      } else if constexpr (std::is_void_v<decltype(Fn(ledger, args...))>) {
        Fn(ledger, args...);
      } else {
        benchmark::DoNotOptimize(Fn(ledger, args...));
      }
    }
    heap.report();
  };
  return c;
}

// Expected outcome of acquiring 0..acquired-1 and releasing them all in reverse.
Outcome lifo_outcome(std::uint32_t acquired);

// Registers one case per count K in `counts`, with hot function Fn<K> (a template
// instantiated per K: `Fns` in the order of `counts`), expecting K resources released in
// reverse, and a Failure escaping when kThrows.
template <class Strategy, bool kThrows, auto... Fns>
void add_per_count(const ScenarioInfo& scenario, std::span<const std::uint32_t> counts,
                   SourceLine source, Fidelity fidelity, const std::string& notes) {
  static_assert(sizeof...(Fns) > 0, "one hot function per count");
  int index = 0;
  auto add_one = [&](auto fn) {
    const std::uint32_t k = counts[static_cast<std::size_t>(index)];
    CaseHeader header{scenario,          StrategyInfo::of<Strategy>(),
                      std::to_string(k), index,
                      {{"K", k}},        source,
                      fidelity,          notes};
    Outcome expected = lifo_outcome(k);
    expected.threw = kThrows;
    add_case(make_case<decltype(fn)::value, kThrows>(std::move(header), std::move(expected)));
    ++index;
  };
  (add_one(std::integral_constant<decltype(Fns), Fns>{}), ...);
}

}  // namespace deferlab::cases
