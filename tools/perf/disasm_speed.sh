#!/usr/bin/env bash
# Runs the disasm speed benchmark (tools/perf/disasm_speed_bench.cc): deferlab disasm
# against objdump and llvm-objdump on one large library, in one run, and prints the
# Markdown table of medians and ratios that docs/performance.md pastes.
#
#   tools/perf/disasm_speed.sh [LIBRARY] [SYMBOL]
#
# Defaults: Debian's libLLVM-14.so.1 (package llvm-14) and llvm::AADepGraph::print().
# RUNS (default 3) repetitions of every job, interleaved at random so a drift of a shared
# machine's speed hits every job alike. DEFERLAB=path times another build of deferlab
# (e.g. the one before a change); BENCH=path another build of the benchmark.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=${BENCH:-$root/build/tools/perf/disasm_speed_bench}
lib=${1:-/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1}
symbol=${2:-_ZN4llvm10AADepGraph5printEv}
[ -x "$bench" ] || { echo "no $bench: build it (cmake --build build --target disasm_speed_bench)" >&2; exit 2; }
[ -f "$lib" ] || { echo "no $lib (Debian: apt-get install llvm-14)" >&2; exit 2; }
for tool in objdump llvm-objdump-14; do
  command -v "$tool" > /dev/null || { echo "no $tool (Debian: binutils, llvm-14)" >&2; exit 2; }
done
args=(--library="$lib" --symbol="$symbol" --benchmark_repetitions="${RUNS:-3}"
      --benchmark_enable_random_interleaving=true)
[ -n "${DEFERLAB:-}" ] && args+=(--deferlab="$DEFERLAB")
exec "$bench" "${args[@]}"
