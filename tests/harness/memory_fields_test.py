#!/usr/bin/python3
"""Tests the MemoryManager fields a Google Benchmark binary linked with
deferlab::benchmark_support writes (harness/memory_manager.cc, repairing_reporter.cc,
benchmark_main.cc): run with repetitions interleaved at random, every iteration row of
bench.json must carry allocs_per_iter, max_bytes_used, total_allocated_bytes and
net_heap_growth, sane, and equal to the exact HeapCounters counters of the same row
(docs/figures.md): allocs_per_iter == heap_allocs and total_allocated_bytes ==
heap_bytes * min(16, iterations) for every counter that is not amortized.

usage: memory_fields_test.py BINARY OUT_JSON [FILTER] [REPETITIONS]
       memory_fields_test.py --check BENCH_JSON REPETITIONS   (e.g. a deferlab run's bench.json)
"""
import json
import subprocess
import sys

MAX_COUNT = 2 ** 40
FIELDS = ("allocs_per_iter", "max_bytes_used", "total_allocated_bytes", "net_heap_growth")


def is_amortized(values):
    """docs/figures.md: not a whole number, or not the same in every repetition."""
    return any(v != int(v) or v != values[0] for v in values)


def check_row(row, amortized):
    """The reasons this row's MemoryManager fields are wrong; empty when they are right."""
    problems = [f"{f} missing" for f in FIELDS if f not in row]
    if problems:
        return problems
    m = min(16, row["iterations"] // row.get("threads", 1))
    per_iter, peak, total, growth = (row[f] for f in FIELDS)
    for name, value in (("max_bytes_used", peak), ("total_allocated_bytes", total)):
        if not (isinstance(value, int) and 0 <= value <= MAX_COUNT):
            problems.append(f"{name} {value} is not a count")
    if not (isinstance(growth, int) and abs(growth) <= MAX_COUNT and growth <= peak):
        problems.append(f"net_heap_growth {growth} is not within [-2^40, max_bytes_used {peak}]")
    if per_iter * m != round(per_iter * m):
        problems.append(f"allocs_per_iter {per_iter} is not a whole number of allocations over {m}")
    if per_iter == 0 and (peak or total):
        problems.append("bytes without an allocation")
    if not amortized["heap_allocs"] and per_iter != row["heap_allocs"]:
        problems.append(f"allocs_per_iter {per_iter} != heap_allocs {row['heap_allocs']}")
    if not amortized["heap_bytes"] and total != row["heap_bytes"] * m:
        problems.append(f"total_allocated_bytes {total} != heap_bytes {row['heap_bytes']} x {m}")
    return problems


def main():
    if sys.argv[1] == "--check":
        binary, out, repetitions = sys.argv[2], sys.argv[2], int(sys.argv[3])
    else:
        binary, out = sys.argv[1], sys.argv[2]
        filter_ = sys.argv[3] if len(sys.argv) > 3 else "."
        repetitions = int(sys.argv[4]) if len(sys.argv) > 4 else 5
        subprocess.run([binary, f"--benchmark_repetitions={repetitions}",
                        "--benchmark_enable_random_interleaving=true",
                        "--benchmark_min_time=0.001", f"--benchmark_filter={filter_}",
                        f"--benchmark_out={out}"],
                       check=True, stdout=subprocess.DEVNULL, timeout=120)
    document = json.load(open(out))
    rows = [b for b in document["benchmarks"] if b.get("run_type") == "iteration"]
    by_name = {}
    for row in rows:
        by_name.setdefault(row["run_name"], []).append(row)
    bad = []
    exact = amortized_rows = 0
    for name, reps in by_name.items():
        if len(reps) != repetitions:
            bad.append(f"{name}: {len(reps)} repetitions, expected {repetitions}")
        amortized = {c: is_amortized([r[c] for r in reps]) for c in ("heap_allocs", "heap_bytes")}
        for row in reps:
            problems = check_row(row, amortized)
            if problems:
                bad.append(f"{name} repetition {row['repetition_index']}: {'; '.join(problems)}")
            elif any(amortized.values()):
                amortized_rows += 1
            else:
                exact += 1
    print(f"{binary}: {len(rows)} iteration rows of {len(by_name)} benchmarks x {repetitions} "
          f"repetitions (interleaved): {exact} equal to the exact counters, {amortized_rows} "
          f"amortized and sane, {len(bad)} wrong")
    if not rows or bad:
        print("\n".join(bad[:40]) or "no iteration rows", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
