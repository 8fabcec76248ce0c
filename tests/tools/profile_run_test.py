#!/usr/bin/python3
"""Tests the profile pass inside `deferlab run` on a subset of the lab, and that the
profile's instructions per iteration do not move with --min-time.

- run: report.json carries the exact figures beside the hook's allocations: the templated
  guards and goto_cleanup execute the same instructions per iteration in fixed_defers/4
  (ratio exactly 1); loop_defer/64: heap_defer > pooled_chain > goto_cleanup, heap_defer's
  profile counts 64 operator new calls per iteration, equal to the hook; exception_path
  shows the __cxa_allocate_exception call the hook cannot see. review.md's listing shows
  `call operator new` with a heat of 64 per iteration. profile.json is deferlab.profile/1.
- min-time: two `deferlab profile` passes with --min-time 0.01 and 0.04 (calls of other
  iteration counts, other warm-ups) give identical instructions and allocation calls per
  iteration in every row.

usage: profile_run_test.py DEFERLAB LAB_BINARY SCHEMA_DIR WORK_DIR
"""
import json
import pathlib
import re
import shutil
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from schema_test import Validator  # noqa: E402

GUARDS = ["scope_guard", "absl_cleanup", "gsl_finally", "boost_scope_exit"]
FILTER = ("fixed_defers/(scope_guard|goto_cleanup|absl_cleanup|gsl_finally|boost_scope_exit)/4$"
          "|loop_defer/(heap_defer|pooled_chain|goto_cleanup)/64$|exception_path/goto_cleanup/1$")


def deferlab(*args):
    result = subprocess.run([DEFERLAB, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"FAILED: deferlab {' '.join(args)} exited {result.returncode}\n"
                         f"{result.stderr}")
    return result


def check(condition, what):
    if not condition:
        raise SystemExit("FAILED: " + what)


def rows_of(report):
    rows = {}
    for scenario in report["scenarios"]:
        for group in scenario["groups"]:
            for row in group["rows"]:
                rows[row["benchmark"]] = row
    return rows


def check_run(lab, schemas, work):
    out = work / "run"
    result = deferlab("run", "--filter", FILTER, "--repetitions", "2", "--min-time", "0.001",
                      "--out", str(out))
    # Off a terminal, progress stays short: a few lines a pass, never one per benchmark.
    check(len([l for l in result.stderr.splitlines() if l.startswith("profile:")]) <= 6,
          "too many profile progress lines:\n" + result.stderr)
    v = Validator(schemas)
    v.validate(json.loads((out / "profile.json").read_text()), "deferlab.profile-1")
    v.validate(json.loads((out / "report.json").read_text()), "deferlab.report-1")
    v.validate(json.loads((out / "disasm.json").read_text()), "deferlab.disasm-set-1")
    rows = rows_of(json.loads((out / "report.json").read_text()))
    p = {name: row["profile"] for name, row in rows.items()}

    goto4 = p["fixed_defers/goto_cleanup/4"]["instructions_per_iter"]
    for guard in GUARDS:
        # A templated guard inlines to the same work as manual cleanup.
        figures = p[f"fixed_defers/{guard}/4"]
        check(figures["instructions_per_iter"] == goto4,
              f"fixed_defers/{guard}/4: {figures['instructions_per_iter']} != goto {goto4}")
        check(figures["instructions_ratio_to_baseline"] == 1.0, f"{guard}: ratio is not 1")
    heap, pooled, goto = (p[f"loop_defer/{s}/64"]["instructions_per_iter"]
                          for s in ("heap_defer", "pooled_chain", "goto_cleanup"))
    check(heap > pooled > goto, f"loop_defer/64: expected heap > pooled > goto, got {heap}, "
          f"{pooled}, {goto}")
    heap_row = rows["loop_defer/heap_defer/64"]
    check(heap_row["profile"]["alloc_calls_by_function"] == {"_Znwm": 64},
          f"heap_defer/64 allocation calls: {heap_row['profile']['alloc_calls_by_function']}")
    # The profile and the hook count the same 64 operator new calls.
    check(heap_row["heap"]["allocs_per_iter"] == heap_row["profile"]["alloc_calls_per_iter"] == 64,
          f"hook {heap_row['heap']['allocs_per_iter']} vs profile "
          f"{heap_row['profile']['alloc_calls_per_iter']}")
    throw = rows["exception_path/goto_cleanup/1"]
    check(throw["profile"]["alloc_calls_by_function"].get("__cxa_allocate_exception") == 1,
          f"exception_path: {throw['profile']['alloc_calls_by_function']}")
    check(throw["heap"]["allocs_per_iter"] == 0,
          "the hook was expected to miss __cxa_allocate_exception (it calls malloc)")
    # The heat column: operator new's call ran 64 times per iteration.
    review = (out / "review.md").read_text()
    check(re.search(r"^\s+64 \|\s+0x[0-9a-f]+\s+call\s+operator new", review, re.M),
          "review.md: no `call operator new` with a heat of 64")
    return goto4


def check_min_time(lab, work):
    passes = []
    for min_time in ("0.01", "0.04"):
        out = work / f"profile-{min_time}.json"
        # No cache or branch simulation: the instruction counts are the point, and faster.
        deferlab("profile", lab, "--filter", FILTER, "--min-time", min_time, "--no-cache-sim",
                 "--no-branch-sim", "-f", "json", "-o", str(out))
        doc = json.loads(out.read_text())
        passes.append({r["name"]: (r["exact"], r["per_iteration"]["instructions"],
                                   r["allocations_per_iteration"]) for r in doc["benchmarks"]})
    check(set(passes[0]) == set(passes[1]) and len(passes[0]) == 9, "different rows")
    for name, first in passes[0].items():
        check(first[0], f"{name}: not exact")
        check(first == passes[1][name], f"{name}: {first} with --min-time 0.01, "
              f"{passes[1][name]} with 0.04")


def main():
    global DEFERLAB
    DEFERLAB, lab, schemas, work = sys.argv[1:5]
    work = pathlib.Path(work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    goto4 = check_run(lab, schemas, work)
    check_min_time(lab, work)
    print(f"profile in run: fixed_defers/4 guards = goto_cleanup = {goto4} instructions/iter; "
          "heap_defer/64 64 operator new calls = hook; min-time 0.01 vs 0.04 identical")


if __name__ == "__main__":
    main()
