#!/bin/bash
# The signal and timeout rows of docs/faults.md, on the lab's own run: SIGINT and SIGTERM
# 2 s into `deferlab run --quick`, then a hanging binary stopped by --timeout. Prints the
# exit status, what bench.partial.json holds, the benchmark processes still alive (ps) and
# where out/latest points. Usage: tests/tools/run_signals_demo.sh [BUILD_DIR]
# Not run by ctest; tests/tools/run_faults_test.cc checks the same with a fixture binary.
set -u
BUILD=$(realpath "${1:-build}")
D=$BUILD/tools/deferlab
W=$(mktemp -d /tmp/deferlab-signals.XXXXXX)
trap 'rm -rf "$W"' EXIT
cd "$W"
mkdir -p out/previous && ln -s previous out/latest
set -m  # background jobs keep SIGINT (a non-interactive shell would make them ignore it)
summary() {  # DIR
  python3 - "$1/bench.partial.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [b for b in d["benchmarks"] if b.get("run_type") != "aggregate"]
print(f"  bench.partial.json: valid JSON, {len(rows)} complete results, "
      f"{len({b['run_name'] for b in rows})} benchmarks; "
      f"deferlab_partial: {d['context']['deferlab_partial']!r}")
PY
}
# Interleaved (the default), Google Benchmark 1.7.1 reports a benchmark only once all its
# repetitions are done, which in a shuffled order is late: 2 s in, nothing is complete yet.
# In order (--no-interleave), results are complete from the first benchmark on.
for mode in "" --no-interleave; do
for sig in INT TERM; do
  $D run --quick $mode > /dev/null 2> err.$sig & pid=$!
  sleep 2
  kill -$sig $pid
  wait $pid; status=$?
  echo "SIG$sig 2 s into 'deferlab run --quick $mode': exit status $status"
  echo "  stderr: $(tail -1 err.$sig | cut -c1-160)..."
  dir=$(ls -td out/2* | head -1)
  summary "$dir"
  echo "  benchmark processes left: $(ps -eo stat=,comm= | grep -v '^Z' | grep -c deferlab_bench)"
  echo "  out/latest -> $(readlink out/latest)"
done
done
H=$BUILD/tests/tools/hostile_bench
$D run --binary "$H" --filter 'finishes|hangs' --no-interleave --repetitions 1 \
  --min-time 0.01 --timeout 3 --out hang > /dev/null 2> err.hang; status=$?
echo "hanging binary with --timeout 3: exit status $status"
echo "  stderr: $(tail -1 err.hang | cut -c1-200)..."
summary hang
echo "  hostile_bench processes left: $(ps -eo stat=,comm= | grep -v '^Z' | grep -c hostile_bench)"
