// `go test -bench` text output (the format benchstat reads) turned into a Google Benchmark
// JSON document, so Go results go through the same checks, tables, statistics and gates as
// every other bench.json:
//
//   goos: linux
//   goarch: amd64
//   BenchmarkParse/small/16   100   564.9 ns/op   16.00 allocs/iter   16 allocs/op
//
//   const nlohmann::json doc = go_bench_text_to_json(text, "go.txt", {});
//   const BenchResults results = parse_bench_json(doc, "go.txt");
//
// Each result line becomes one repetition of its benchmark (Go's -test.count repeats a
// line): real_time and cpu_time are ns/op (Go measures wall time only); `allocs/iter` and
// `B/iter`, the exact per-iteration counts the lab's Go benchmarks report from
// runtime.MemStats, become heap_allocs and heap_bytes. Without them Go's own allocs/op and
// B/op stand in, which are integer divisions (rounded down): the entry then says so in
// "deferlab_allocs_source". Every entry carries "language": "go" and GOOS/GOARCH from the
// header lines; the name loses its "-<GOMAXPROCS>" suffix (kept as "go_procs").
//
// The text is untrusted: it is bounded (kMaxGoTextBytes, kMaxGoLineBytes), every number is
// checked, and a result line that cannot be read is an Error naming the line.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace deferlab::reports {

inline constexpr std::size_t kMaxGoTextBytes = 256u << 20;  // as json::kMaxBytes
inline constexpr std::size_t kMaxGoLineBytes = 1u << 20;

struct GoTextOptions {
  // Removed from the front of every benchmark name when present, e.g. "BenchmarkDeferlab/"
  // for the lab's Go cases, whose sub-benchmarks are named as the C++ ones.
  std::string strip_prefix;
};

// True when `text` reads as `go test -bench` output rather than JSON: it does not start
// with '{' and has a line starting with "Benchmark" or a "goos:"/"pkg:" header.
bool looks_like_go_bench_text(std::string_view text);

// Throws Error naming `source` (and the line) for text over the bounds or a result line
// that cannot be read. A text without any result line gives an empty "benchmarks" array.
nlohmann::json go_bench_text_to_json(std::string_view text, const std::string& source,
                                     const GoTextOptions& options);

}  // namespace deferlab::reports
