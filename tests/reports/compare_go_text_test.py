#!/usr/bin/python3
"""deferlab compare on plain `go test -bench` text (the format benchstat reads), from real
runs of the lab's Go test binary: each row gets its U test and verdict; --fail-on allocs:+0
passes a text against a rerun of the same code and fails (exit 1, naming the row) against
a version that allocates more. Two versions of one benchmark are two cases of the binary,
renamed to one name: go_defer_static (no closure) as BASE, go_defer_closure (one closure
per iteration) as HEAD.

usage: compare_go_text_test.py DEFERLAB GO_TEST_BINARY SCRATCH_DIR
"""
import pathlib
import re
import shutil
import subprocess
import sys

ROW = "BenchmarkLoop/16"


def go_bench(binary, case, count=9):
    """Plain go test output of one lab case, renamed to ROW, with -N suffix as users have."""
    out = subprocess.run([binary, "-test.run=^$", "-test.bench=^BenchmarkDeferlab$", "-test.benchmem",
                          f"-test.count={count}", "-test.benchtime=200x", "-test.cpu=2",
                          f"-deferlab.filter=^{re.escape(case)}$"],
                         check=True, capture_output=True, text=True).stdout
    # Plain go test output: drop the lab's exact metrics, keep Go's allocs/op and B/op.
    lines = []
    for line in out.splitlines():
        if line.startswith("BenchmarkDeferlab/"):
            line = re.sub(r"^BenchmarkDeferlab/\S+?-2\b", ROW + "-2", line)
            line = re.sub(r"\s+[0-9.]+ (B|allocs)/iter", "", line)
        lines.append(line)
    assert sum(line.startswith(ROW) for line in lines) == count, out
    return "\n".join(lines) + "\n"


def main():
    deferlab, binary, scratch = sys.argv[1], sys.argv[2], pathlib.Path(sys.argv[3])
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    base, rerun, head = scratch / "base.txt", scratch / "rerun.txt", scratch / "head.txt"
    base.write_text(go_bench(binary, "loop_defer/go_defer_static/16"))
    rerun.write_text(go_bench(binary, "loop_defer/go_defer_static/16"))
    head.write_text(go_bench(binary, "loop_defer/go_defer_closure/16"))

    same = subprocess.run([deferlab, "compare", str(base), str(rerun), "--fail-on", "allocs:+0",
                           "--format", "json"], capture_output=True, text=True)
    assert same.returncode == 0, f"a rerun tripped allocs:+0:\n{same.stdout}\n{same.stderr}"
    assert "gate allocs:+0: checked 1 of 1 rows, 0 tripped" in same.stderr, same.stderr
    assert '"p_value"' in same.stdout, same.stdout  # a U test per row
    assert "rounded down" in same.stdout, "Go's allocs/op is not said to be rounded"

    worse = subprocess.run([deferlab, "compare", str(base), str(head), "--fail-on", "allocs:+0"],
                           capture_output=True, text=True)
    assert worse.returncode == 1, f"expected exit 1, got {worse.returncode}:\n{worse.stderr}"
    assert f"{ROW}: heap_allocs per iteration 0 -> 16" in worse.stderr, worse.stderr
    # Nine repetitions a side: the U test can reach significance, and the closure is slower.
    assert "slower" in worse.stdout, worse.stdout
    print("ok:", worse.stderr.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
