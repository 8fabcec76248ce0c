#!/usr/bin/env python3
"""Seed corpora of the tests/fuzz targets, made from real files (nothing downloaded).

  make_seeds.py OUT_DIR RUN_DIR [--build DIR]... [--deferlab PATH]

OUT_DIR/<target>/ receives the seeds of each target (elf, bench_json, disasm_json, compare):
- elf: tests/disasm/fixture.cc compiled here by g++ and, when installed,
  aarch64-linux-gnu-g++ (object, PIE, non-PIE, shared library, stripped), and the lab's
  own case objects (cases/scenarios/loop_defer.cc.o, ...) of each --build directory, without their
  debug sections (the linked lab binaries are 18 MB: too slow an input to mutate).
- bench_json: benchmarks of RUN_DIR/bench.json (a real run), a few at a time so that a
  seed is a few KB, a cut copy (what salvage reads) and one with its cases.json part.
- disasm_json: hot functions of RUN_DIR/disasm.json per architecture, as deferlab.disasm/1
  documents and as a run's disasm set, and `deferlab disasm --format json` of the fixture.
- compare: BASE and HEAD bench.json parts (the same run; HEAD also with its times and
  counters changed), with and without the run's cases.json and disasm.json parts.

Exit 2 with one line when RUN_DIR has no bench.json, cases.json and disasm.json.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

SEPARATOR = "\n--8<-- deferlab-fuzz --8<--\n"  # tests/fuzz/fuzz_input.h kSeparator
# A JSON seed larger than this is cut down to fewer benchmarks or functions (a compare
# seed, of up to four documents, to twice this): libFuzzer's speed falls with input size.
MAX_SEED = 32 * 1024
HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "..", "disasm", "fixture.cc")


def die(message):
    print(f"make_seeds: error: {message}", file=sys.stderr)
    sys.exit(2)


def write(directory, name, text):
    os.makedirs(directory, exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(os.path.join(directory, name), mode) as f:
        f.write(text)


def dumps(document):
    return json.dumps(document, separators=(",", ":"), allow_nan=True)


# ELF ///////////////////////////////////////////////////////////////////////////////////

def compile_fixture(compiler, out_dir, prefix):
    """The fixture in the shapes a user's binary comes in; each variant that builds."""
    if shutil.which(compiler) is None:
        return 0
    variants = {
        "object.o": ["-c"],
        "pie": ["-pie", "-fPIE"],
        "no-pie": ["-no-pie", "-fno-pie"],
        "shared.so": ["-shared", "-fPIC"],
        "stripped": ["-s"],
    }
    made = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, flags in variants.items():
            target = os.path.join(tmp, name)
            r = subprocess.run([compiler, "-O2", "-g", *flags, FIXTURE, "-o", target],
                               capture_output=True)
            if r.returncode == 0:
                shutil.copy(target, os.path.join(out_dir, f"{prefix}-fixture-{name}"))
                made += 1
    return made


def lab_objects(build_dir, out_dir, prefix):
    made = 0
    objects = os.path.join(build_dir, "cases", "CMakeFiles", "deferlab_cases.dir")
    for name in ("scenarios/loop_defer.cc.o", "scenarios/fixed_defers.cc.o", "ledger.cc.o",
                 "case_registry.cc.o"):
        source = os.path.join(objects, name)
        if not os.path.exists(source):
            continue
        target = os.path.join(out_dir, f"{prefix}-lab-{os.path.basename(name)}")
        for objcopy in ("objcopy", "aarch64-linux-gnu-objcopy"):
            r = subprocess.run([objcopy, "--strip-debug", source, target], capture_output=True)
            if r.returncode == 0:
                break
        if r.returncode == 0 and os.path.getsize(target) <= 256 * 1024:
            made += 1
        elif os.path.exists(target):
            os.remove(target)
    return made


# JSON //////////////////////////////////////////////////////////////////////////////////

def bench_subset(bench, names):
    return {"context": bench["context"],
            "benchmarks": [b for b in bench["benchmarks"] if b.get("run_name") in names]}


def cases_subset(cases, names):
    subset = dict(cases)
    subset["cases"] = [c for c in cases["cases"] if c["benchmark"] in names]
    return subset


def disasm_subset(disasm_set, symbols):
    out = {"schema": disasm_set["schema"], "architectures": {}}
    for arch, document in disasm_set["architectures"].items():
        d = dict(document)
        d["functions"] = [f for f in document["functions"] if f["symbol"] in symbols]
        out["architectures"][arch] = d
    return out


def changed(bench, factor):
    """HEAD: the same benchmarks, slower by `factor`, with one more allocation."""
    out = json.loads(json.dumps(bench))
    for b in out["benchmarks"]:
        for key in ("real_time", "cpu_time"):
            if isinstance(b.get(key), (int, float)):
                b[key] *= factor
        if isinstance(b.get("heap_allocs"), (int, float)):
            b["heap_allocs"] += 1
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("run")
    parser.add_argument("--build", action="append", default=[],
                        help="a build directory whose lab case objects become ELF seeds")
    parser.add_argument("--deferlab", help="the deferlab binary, to disassemble the fixture")
    args = parser.parse_args()

    try:
        with open(os.path.join(args.run, "bench.json")) as f:
            bench = json.load(f)
        with open(os.path.join(args.run, "cases.json")) as f:
            cases = json.load(f)
        with open(os.path.join(args.run, "disasm.json")) as f:
            disasm_set = json.load(f)
    except (OSError, ValueError) as e:
        die(f"{args.run} is not a complete run directory: {e}")

    counts = {}

    # elf
    elf = os.path.join(args.out, "elf")
    os.makedirs(elf, exist_ok=True)
    counts["elf"] = compile_fixture("g++", elf, "x86-64")
    counts["elf"] += compile_fixture("aarch64-linux-gnu-g++", elf, "aarch64")
    for build in args.build:
        counts["elf"] += lab_objects(build, elf, os.path.basename(os.path.normpath(build)))

    # Groups of benchmarks, in run order: each scenario/parameter with every strategy, and
    # each benchmark alone, cut down until the seed is small.
    names = []
    for b in bench["benchmarks"]:
        if b.get("run_name") not in names:
            names.append(b["run_name"])
    groups = {}
    for name in names:
        parts = name.split("/")
        key = parts[0] + "/" + parts[-1] if len(parts) >= 3 else name
        groups.setdefault(key, []).append(name)
    selections = []
    for members in groups.values():
        # The baseline first: a group without it has no ratios.
        members = sorted(members, key=lambda n: "goto_cleanup" not in n)
        for size in (len(members), 3, 2):
            if len(dumps(bench_subset(bench, members[:size]))) <= MAX_SEED:
                selections.append(members[:size])
                break
    selections += [[n] for n in names[:: max(1, len(names) // 12)]]

    symbols_of = {c["benchmark"]: c["hot_symbol"]["mangled"] for c in cases["cases"]}

    # bench_json
    out = os.path.join(args.out, "bench_json")
    n = 0
    for sel in selections:
        text = dumps(bench_subset(bench, sel))
        write(out, f"bench-{n}.json", text)
        # A run killed while writing: the text cut inside an entry, for salvage.
        write(out, f"bench-{n}-cut.json", text[: len(text) * 2 // 3])
        write(out, f"bench-{n}-with-cases.json",
              text + SEPARATOR + dumps(cases_subset(cases, set(sel))))
        n += 1
    counts["bench_json"] = 3 * n

    # disasm_json
    out = os.path.join(args.out, "disasm_json")
    n = 0
    for sel in selections:
        subset = disasm_subset(disasm_set, {symbols_of[s] for s in sel if s in symbols_of})
        for arch, document in subset["architectures"].items():
            while document["functions"] and len(dumps(document)) > MAX_SEED:
                document["functions"].pop()
            if document["functions"]:
                write(out, f"disasm-{n}-{arch}.json", dumps(document))
        if len(dumps(subset)) <= 2 * MAX_SEED:
            write(out, f"disasm-{n}-set.json", dumps(subset))
        n += 1
    if args.deferlab:
        with tempfile.TemporaryDirectory() as tmp:
            exe = os.path.join(tmp, "fixture")
            if subprocess.run(["g++", "-O2", "-g", FIXTURE, "-o", exe]).returncode == 0:
                r = subprocess.run([args.deferlab, "disasm", exe, "-s", "fixture_*",
                                    "--format", "json"], capture_output=True, text=True)
                if r.returncode == 0:
                    write(out, "disasm-fixture.json", r.stdout)
    counts["disasm_json"] = len(os.listdir(out))

    # compare
    out = os.path.join(args.out, "compare")
    n = 0
    for sel in selections:
        if len(dumps(bench_subset(bench, sel))) > MAX_SEED // 2:
            continue
        base = bench_subset(bench, sel)
        head = changed(base, 1.5)
        run_parts = [dumps(cases_subset(cases, set(sel))),
                     dumps(disasm_subset(disasm_set,
                                         {symbols_of[s] for s in sel if s in symbols_of}))]
        write(out, f"compare-{n}-same.txt", dumps(base) + SEPARATOR + dumps(base))
        write(out, f"compare-{n}-changed.txt", dumps(base) + SEPARATOR + dumps(head))
        text = SEPARATOR.join([dumps(base), dumps(head), *run_parts])
        if len(text) <= 2 * MAX_SEED:
            write(out, f"compare-{n}-runs.txt", text)
        n += 1
    counts["compare"] = len(os.listdir(out))

    for target, count in counts.items():
        if count == 0:
            die(f"no seed made for {target}")
    print(" ".join(f"{t}: {c}" for t, c in counts.items()))


if __name__ == "__main__":
    main()
