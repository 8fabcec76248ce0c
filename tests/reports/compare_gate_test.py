#!/usr/bin/python3
"""deferlab compare on real runs: a second run of the same build and filter passes --fail-on
allocs:+0 (allocation counts are exact), a HEAD whose heap_allocs went up fails it, exit
code 1, naming the benchmark, and so does a HEAD that lacks benchmarks of BASE.

usage: compare_gate_test.py DEFERLAB RUN_DIR SCRATCH_DIR
"""
import json
import pathlib
import shutil
import subprocess
import sys


def main():
    deferlab, run_dir, scratch = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
    shutil.rmtree(scratch, ignore_errors=True)
    second = scratch / "second"
    # The filter of the reports.MakeRun fixture: every BASE benchmark is in HEAD.
    filter_ = "loop_defer|fixed_defers/.*/4$|capture_size/.*/24$"
    subprocess.run([deferlab, "run", "--filter", filter_, "--repetitions", "3", "--min-time", "0.001",
                    "--out", str(second)], check=True, capture_output=True)
    same = subprocess.run([deferlab, "compare", str(run_dir), str(second), "--fail-on", "allocs:+0"],
                          capture_output=True, text=True)
    assert same.returncode == 0, f"same build tripped allocs:+0:\n{same.stdout}\n{same.stderr}"
    assert "gate allocs:+0: checked" in same.stderr and " 0 tripped, 0 could not" in same.stderr, \
        same.stderr

    # HEAD without some of BASE's benchmarks: the gate cannot judge them, so it fails.
    narrow = scratch / "narrow"
    subprocess.run([deferlab, "run", "--filter", "fixed_defers/.*/4$", "--repetitions", "3",
                    "--min-time", "0.001", "--out", str(narrow)], check=True, capture_output=True)
    missing = subprocess.run([deferlab, "compare", str(run_dir), str(narrow), "--fail-on",
                              "allocs:+0"], capture_output=True, text=True)
    assert missing.returncode == 1, f"expected exit 1, got {missing.returncode}:\n{missing.stderr}"
    assert "loop_defer/heap_defer/64: allocs:+0 cannot be checked: missing in HEAD" in missing.stderr

    # HEAD: the second run with one benchmark allocating once more per iteration.
    worse = scratch / "worse.json"
    bench = json.loads((second / "bench.json").read_text())
    target = "loop_defer/pooled_chain/64"
    for entry in bench["benchmarks"]:
        if entry.get("run_name") == target and "heap_allocs" in entry and entry["heap_allocs"] is not None:
            entry["heap_allocs"] += 1
    worse.write_text(json.dumps(bench))
    gated = subprocess.run([deferlab, "compare", str(second / "bench.json"), str(worse), "--fail-on", "allocs:+0"],
                           capture_output=True, text=True)
    assert gated.returncode == 1, f"expected exit 1, got {gated.returncode}:\n{gated.stderr}"
    assert target in gated.stderr, f"the failing benchmark is not named:\n{gated.stderr}"
    print("ok:", gated.stderr.strip().splitlines()[0])


if __name__ == "__main__":
    main()
