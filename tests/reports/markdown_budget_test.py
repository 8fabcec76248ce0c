#!/usr/bin/python3
"""Markdown for a pull request fits one GitHub comment by design, however large the input:
`deferlab compare -f md` and `deferlab report -f md` (review.md) on synthetic runs of
thousands of benchmarks stay under --max-chars (65,000 by default), keep the summary table
first, say what they cut and how to get it, and render with cmark-gfm (GitHub's library).

usage: markdown_budget_test.py DEFERLAB WORK_DIR
"""
import json
import pathlib
import shutil
import subprocess
import sys

BENCHMARKS = 3000
REPETITIONS = 9


def bench_json(slow_every):
    """A Google Benchmark document: BM_Family<k>/1024 x REPETITIONS, one allocation per
    iteration; every slow_every-th benchmark 50 % slower (0: none)."""
    entries = []
    for k in range(BENCHMARKS):
        for rep in range(REPETITIONS):
            time = 100.0 + rep + (50.0 if slow_every and k % slow_every == 0 else 0.0)
            name = f"BM_Family{k}/1024"
            entries.append({"name": name, "run_name": name, "run_type": "iteration",
                            "repetitions": REPETITIONS, "repetition_index": rep, "threads": 1,
                            "iterations": 1000, "real_time": time, "cpu_time": time,
                            "time_unit": "ns", "heap_allocs": 1, "heap_bytes": 32,
                            "heap_frees": 1})
    return {"context": {"date": "2026-01-01T00:00:00", "num_cpus": 2}, "benchmarks": entries}


def render_gfm(path):
    result = subprocess.run(["cmark-gfm", "--extension", "table", "--unsafe", str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def deferlab(*args):
    result = subprocess.run([sys.argv[1], *args], capture_output=True, text=True)
    assert result.returncode in (0, 1), f"{args}: exit {result.returncode}: {result.stderr}"
    return result.stdout


def check(markdown, path, limit, cut_phrase):
    assert len(markdown) <= limit, f"{path.name}: {len(markdown)} characters, over {limit}"
    assert cut_phrase in markdown, f"{path.name}: no line saying what was cut"
    path.write_text(markdown)
    html = render_gfm(path)
    assert "<table>" in html, f"{path.name}: no table"
    return html


def main():
    work = pathlib.Path(sys.argv[2])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    base = work / "base.json"
    head = work / "head.json"
    base.write_text(json.dumps(bench_json(0)))
    head.write_text(json.dumps(bench_json(100)))

    md = deferlab("compare", str(base), str(head), "-f", "md")
    check(md, work / "compare.md", 65000, "rows (no significant change first)")
    assert md.startswith("### deferlab compare\n"), md[:200]
    # The significant changes are the rows worth reading: every one of them is kept.
    for k in range(0, BENCHMARKS, 100):
        assert f"`BM_Family{k}/1024`" in md, f"BM_Family{k}/1024 (slower) was cut"
    small = deferlab("compare", str(base), str(head), "-f", "md", "--max-chars", "20000")
    check(small, work / "compare-small.md", 20000, "rows (no significant change first)")

    run = work / "run"
    run.mkdir()
    shutil.copy(head, run / "bench.json")
    review = deferlab("report", str(run), "-f", "md")
    check(review, work / "review.md", 65000, " rows of this table were cut to fit.")
    assert "| `BM_Family0` |" in review, review[:2000]
    print(f"ok: compare {len(md)} and review {len(review)} characters for {BENCHMARKS} "
          f"benchmarks, both render with cmark-gfm")


if __name__ == "__main__":
    main()
