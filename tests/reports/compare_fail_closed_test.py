#!/usr/bin/python3
"""Tests deferlab compare's gates fail closed (reports/compare.cc, tools/compare_command.cc):
every case that used to pass a gate silently is built here as Google Benchmark JSON files and
must exit 1 naming the row (a gate that cannot judge a row fails) or exit 2 with one error
line (a bad gate, or a time gate that cannot trip with the repetitions given); an unchanged
amortized counter passes bytes:+0 while a real increase of an exact one trips it; and the
change figure is one number in the table, the gate message, Markdown, HTML and JSON.

usage: compare_fail_closed_test.py DEFERLAB SCRATCH_DIR
"""
import json
import pathlib
import re
import shutil
import subprocess
import sys

DEFERLAB = None
SCRATCH = None
TIMES = [100, 101, 99, 100.5, 100.2, 99.8, 100.1, 100.7, 99.6]
failures = []


def entry(name, time, rep, allocs=1.0, nbytes=40.0, iterations=1000, **extra):
    e = {"name": name, "run_name": name, "run_type": "iteration", "repetitions": len(TIMES),
         "repetition_index": rep, "threads": 1, "iterations": iterations, "real_time": time,
         "cpu_time": time, "time_unit": "ns", "heap_allocs": allocs, "heap_bytes": nbytes}
    e.update(extra)
    return e


def runs(name, scale=1.0, times=TIMES, **extra):
    return [entry(name, t * scale, i, **extra) for i, t in enumerate(times)]


def write(filename, entries, raw=None):
    path = SCRATCH / filename
    path.write_text(raw if raw is not None else json.dumps({"context": {}, "benchmarks": entries}))
    return str(path)


def compare(base, head, *args):
    r = subprocess.run([DEFERLAB, "compare", base, head, *args], capture_output=True, text=True,
                       timeout=60)
    return r


def expect(label, r, code, *fragments):
    problems = []
    if r.returncode != code:
        problems.append(f"exit {r.returncode}, expected {code}")
    for fragment in fragments:
        if fragment not in r.stderr:
            problems.append(f"stderr lacks {fragment!r}")
    if code == 2:
        errors = [l for l in r.stderr.splitlines() if l.startswith("deferlab: error:")]
        if len(errors) != 1:
            problems.append(f"{len(errors)} error lines, expected 1")
    status = "ok  " if not problems else "FAIL"
    first = next((l for l in r.stderr.splitlines() if "gate failed" in l or "error:" in l), "")
    print(f"{status} exit {r.returncode}  {label}: {first}")
    if problems:
        failures.append(f"{label}: {'; '.join(problems)}\n--- stdout\n{r.stdout}--- stderr\n{r.stderr}")


def gate_cases(base):
    gates = ["--fail-on", "allocs:+0", "--fail-on", "time:+5%"]
    head = write("errored_once.json", runs("a")[:4] + [entry("a", 0, 4, error_occurred=True,
                 error_message="ran out of luck")] + runs("a")[5:] + runs("b"))
    expect("HEAD errored on one repetition", compare(base, head, *gates), 1,
           "a: allocs:+0 cannot be checked: errored in 1 of 9 repetitions in HEAD: ran out of luck",
           "a: time:+5% cannot be checked")
    head = write("errored_all.json", [entry("a", 0, i, error_occurred=True, error_message="boom")
                                      for i in range(9)] + runs("b"))
    expect("HEAD errored on every repetition", compare(base, head, *gates), 1,
           "a: allocs:+0 cannot be checked: errored in 9 of 9 repetitions in HEAD: boom")
    stripped = [{k: v for k, v in e.items() if k not in ("heap_allocs", "heap_bytes")}
                for e in runs("a")] + runs("b")
    expect("counters removed in HEAD", compare(base, write("no_counters.json", stripped), *gates),
           1, "a: allocs:+0 cannot be checked: no heap_allocs counter in HEAD")
    expect("benchmark missing in HEAD", compare(base, write("missing.json", runs("b")), *gates), 1,
           "a: allocs:+0 cannot be checked: missing in HEAD",
           "a: time:+5% cannot be checked: missing in HEAD")
    renamed = write("renamed.json", runs("a_v2") + runs("b"))
    expect("benchmark renamed in HEAD", compare(base, renamed, *gates), 1,
           "a: allocs:+0 cannot be checked: missing in HEAD (renamed? only in HEAD: a_v2)")
    nan_text = json.dumps({"context": {}, "benchmarks": runs("a", allocs=12345.0) + runs("b")})
    nan_text = nan_text.replace('"heap_allocs": 12345.0', '"heap_allocs": NaN', 1)
    expect("heap_allocs NaN in HEAD", compare(base, write("nan.json", None, nan_text), *gates), 1,
           "a: allocs:+0 cannot be checked: heap_allocs invalid in HEAD: benchmarks[0].heap_allocs "
           "is null (NaN or infinite)")
    text = runs("a")
    text[2]["heap_allocs"] = "1"
    expect("heap_allocs a string in HEAD", compare(base, write("string.json", text + runs("b")),
                                                  *gates), 1,
           "heap_allocs invalid in HEAD: benchmarks[2].heap_allocs is a string")
    text = runs("a")
    text[1]["error_occurred"] = "yes"
    expect("error_occurred a string in HEAD", compare(base, write("yes.json", text + runs("b")),
                                                     *gates), 1,
           "a: time:+5% cannot be checked: invalid in HEAD: benchmarks[1].error_occurred is a "
           "string, not a boolean")
    for time, label in ((0, "zero"), (-5, "negative")):
        bad = runs("a")
        bad[3]["real_time"] = time
        expect(f"{label} time in HEAD", compare(base, write(f"{label}.json", bad + runs("b")),
                                                *gates), 1,
               f"a: time:+5% cannot be checked: invalid in HEAD: benchmarks[3].real_time is {time}; "
               "a time must be finite and > 0")


def aggregates(name, scale, n=9):
    out = []
    for agg, t in (("mean", 100.0), ("median", 100.0), ("stddev", 0.5), ("cv", 0.005)):
        out.append({"name": f"{name}_{agg}", "run_name": name, "run_type": "aggregate",
                    "aggregate_name": agg, "repetitions": n, "threads": 1, "iterations": n,
                    "real_time": t * scale, "cpu_time": t * scale, "time_unit": "ns",
                    "heap_allocs": 1.0})
    return out


def repetition_cases(base):
    slow = write("aggregates_slow.json", aggregates("a", 10) + aggregates("b", 1))
    fast = write("aggregates_base.json", aggregates("a", 1) + aggregates("b", 1))
    expect("aggregates only, 10x slower", compare(fast, slow, "--fail-on", "time:+5%"), 1,
           "a: time:+5% cannot be checked: only aggregates in BASE")
    three = write("three.json", runs("a", times=TIMES[:3]) + runs("b", times=TIMES[:3]))
    three_slow = write("three_slow.json", runs("a", 2, TIMES[:3]) + runs("b", 1, TIMES[:3]))
    expect("3 vs 3 repetitions, time gate", compare(three, three_slow, "--fail-on", "time:+5%"), 2,
           "cannot trip: with 3 and 3 repetitions the smallest two-sided U-test p-value is 0.1, "
           "not below alpha 0.05", "at least 4 repetitions")
    expect("3 vs 3 repetitions, allocation gate only", compare(three, three_slow, "--fail-on",
                                                               "allocs:+0"), 0,
           "gate allocs:+0: checked 2 of 2 rows, 0 tripped")
    for spec in ("time:+inf%", "time:+nan%", "allocs:inf", "allocs:1e308", "allocs:-1",
                 "time:-5%", "bytes:+nan", "time:+20000%"):
        expect(f"gate spec {spec}", compare(base, base, "--fail-on", spec), 2, f"'{spec}'")


def amortized_cases(base):
    grow_base = write("grow_base.json", runs("v", allocs=0.0011, nbytes=8.34) + runs("b"))
    grow_head = write("grow_head.json", runs("v", allocs=0.0007, nbytes=14.5) + runs("b"))
    expect("amortized bytes, unchanged code, bytes:+0", compare(grow_base, grow_head, "--fail-on",
                                                                "bytes:+0"), 0,
           "gate bytes:+0: checked 2 of 2 rows, 0 tripped, 0 could not be checked (1 amortized")
    worse = write("more_bytes.json", runs("a", nbytes=48.0) + runs("b"))
    expect("exact bytes +8, bytes:+0", compare(base, worse, "--fail-on", "bytes:+0"), 1,
           "a: heap_bytes per iteration 40 -> 48, over bytes:+0")


def one_change_figure(base):
    slow = write("slow.json", runs("a", 1.377) + runs("b"))
    text = compare(base, slow, "--fail-on", "time:+5%")
    expect("a 37.7 % slowdown trips time:+5%", text, 1, "a: +37.7% [")
    row = next(l for l in text.stdout.splitlines() if l.startswith("a "))
    shown = re.search(r"[+-]\d+\.\d% \[[+-]\d+\.\d%, [+-]\d+\.\d%\]", row).group(0)
    gate = next(l for l in text.stderr.splitlines() if "gate failed: a:" in l)
    level = re.search(r"change \[(\d+%) CI\]", text.stdout).group(1)
    checks = {
        "gate message": shown in gate and f"({level} interval)" in gate,
        "footer level": f"the intervals cover {level}" in text.stdout,
        "markdown": shown in compare(base, slow, "-f", "md").stdout,
        "html": shown in compare(base, slow, "-f", "html").stdout,
    }
    doc = json.loads(compare(base, slow, "-f", "json").stdout)
    change = next(r for r in doc["rows"] if r["name"] == "a")["change"]
    checks["json"] = f"{(change['estimate'] - 1) * 100:+.1f}%" == shown.split(" ")[0]
    checks["json gate_runs"] = doc["gate_runs"] == [] and "Hodges-Lehmann" in doc["change_definition"]
    gated = json.loads(compare(base, slow, "-f", "json", "--fail-on", "time:+5%").stdout)
    checks["json records the gate"] = gated["gate_runs"] == [
        {"gate": "time:+5%", "rows": 2, "checked": 2, "tripped": 1, "unverifiable": 0,
         "amortized": 0}]
    print(f"one change figure: {shown} at {level}")
    for what, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'} one change figure: {what}")
        if not ok:
            failures.append(f"one change figure: {what}\n{text.stdout}\n{text.stderr}")


def main():
    global DEFERLAB, SCRATCH
    DEFERLAB, SCRATCH = sys.argv[1], pathlib.Path(sys.argv[2])
    shutil.rmtree(SCRATCH, ignore_errors=True)
    SCRATCH.mkdir(parents=True)
    base = write("base.json", runs("a") + runs("b"))
    same = write("same.json", runs("a", 1.001) + runs("b", 1.001))
    expect("unchanged HEAD passes both gates", compare(base, same, "--fail-on", "allocs:+0",
                                                       "--fail-on", "time:+5%"), 0,
           "gate allocs:+0: checked 2 of 2 rows, 0 tripped, 0 could not be checked",
           "gate time:+5%: checked 2 of 2 rows, 0 tripped, 0 could not be checked")
    gate_cases(base)
    repetition_cases(base)
    amortized_cases(base)
    one_change_figure(base)
    if failures:
        print("\n\n".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
