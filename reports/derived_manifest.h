// A case manifest for a binary that brings none: Google Benchmark names its benchmarks
// `family/arg...`, so a family is a strategy and its arguments are a parameter, and the
// same scenario x strategy tables, ratios and charts the lab's manifest feeds work for
// any binary.
//
//   BM_Vector/8, BM_Vector/64, BM_List/8   ->  scenario "mybench", params "8", "64",
//                                              strategies BM_Vector, BM_List
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reports/bench_results.h"

namespace deferlab::reports {

// A deferlab.cases/1-shaped manifest over every benchmark of `bench`, in file order (which
// deferlab run makes registration order): one scenario named `scenario`, its params and
// strategies in order of first appearance, a chart across the params when at least two
// are numbers. `baseline` ("" for none) becomes its baseline_strategy.
nlohmann::json derive_manifest(const BenchResults& bench, const std::string& scenario,
                               const std::string& baseline);

// The family and the argument part of a Google Benchmark name: "BM_X/8/2" -> {"BM_X",
// "8/2"}; "BM_X" -> {"BM_X", ""}.
std::pair<std::string, std::string> split_benchmark_name(const std::string& name);

}  // namespace deferlab::reports
