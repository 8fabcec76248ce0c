#!/usr/bin/python3
"""Tests compare's profile gates on two builds of tests/tools/gate_bench.cc that differ by
exactly one instruction per iteration of BM_Loop: `deferlab run --binary` (profile on by
default) on each, then `compare --fail-on instructions:+1% --fail-on cycles:+2%` trips on
BM_Loop and names its function, does not trip on two runs of the same build, and fails
closed (exit 1) when a side has no profile (--no-profile).

Also: a profile pass that runs past --timeout leaves a written run directory whose rows say
they were not profiled, and exits 2; a SIGINT during the profile pass keeps the timed
results and the profile's finished rows under .partial names and ends by the signal.

usage: profile_gate_test.py DEFERLAB GATE_BENCH GATE_BENCH_PLUS_ONE WORK_DIR
"""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys

GATES = ["--fail-on", "instructions:+1%", "--fail-on", "cycles:+2%"]


# What makes gate_bench wait 3 s under valgrind (gate_bench.cc): a profile pass that runs
# past 1 s, or is still running when interrupted, whatever the machine's speed.
SLOW_PROFILE = {**os.environ, "GATE_BENCH_SLOW_UNDER_VALGRIND": "1"}


def deferlab(*args, expect=None, env=None):
    result = subprocess.run([DEFERLAB, *args], capture_output=True, text=True, env=env)
    if expect is not None and result.returncode != expect:
        raise SystemExit(f"FAILED: deferlab {' '.join(args)} exited {result.returncode}, "
                         f"expected {expect}\n{result.stdout}\n{result.stderr}")
    return result


def run(binary, out, *extra):
    deferlab("run", "--binary", binary, "--repetitions", "2", "--min-time", "0.001",
             "--out", str(out), *extra, expect=0)
    return out


def check(condition, what):
    if not condition:
        raise SystemExit("FAILED: " + what)


def check_timeout(binary, work):
    out = work / "timeout"
    # The timed run of two tiny benchmarks takes a fraction of a second; under valgrind
    # gate_bench first waits 3 s, so the profile pass runs past 1 s.
    r = deferlab("run", "--binary", binary, "--repetitions", "1", "--min-time", "0.001",
                 "--timeout", "1", "--out", str(out), expect=2, env=SLOW_PROFILE)
    check("the profile pass did not complete: the profile pass ran past its timeout of 1 s"
          in r.stderr, r.stderr)
    profile = json.loads((out / "profile.json").read_text())
    check(profile["incomplete"] == "the profile pass ran past its timeout of 1 s",
          f"incomplete: {profile['incomplete']}")
    report = json.loads((out / "report.json").read_text())
    for row in report["other"]:
        # Fail closed: no figure, the reason instead.
        check(row["profile"]["instructions_per_iter"] is None and
              row["profile"]["missing"].startswith("not profiled: the profile pass ran past"),
              f"{row['benchmark']}: {row['profile']}")


def check_interrupt(binary, work):
    out = work / "interrupted"
    process = subprocess.Popen(
        [DEFERLAB, "run", "--binary", binary, "--repetitions", "1", "--min-time", "0.001",
         "--out", str(out)], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
        env=SLOW_PROFILE)
    stderr = []
    for line in process.stderr:
        stderr.append(line)
        if line.startswith("deferlab: profiling"):
            process.send_signal(signal.SIGINT)
            break
    stderr += process.stderr.readlines()
    process.wait(timeout=60)
    text = "".join(stderr)
    check(process.returncode == -signal.SIGINT, f"exit {process.returncode}\n{text}")
    check("interrupted by SIGINT during the profile pass" in text, text)
    check((out / "bench.partial.json").exists() and (out / "profile.partial.json").exists(),
          "the partial files are missing:\n" + text)
    check(not (out / "report.json").exists() and not (out / ".callgrind").exists(),
          "an interrupted run wrote its reports or left callgrind's files")
    partial = json.loads((out / "profile.partial.json").read_text())
    check(partial["incomplete"] == "the profile pass was interrupted by SIGINT", str(partial))


def main():
    global DEFERLAB
    DEFERLAB, base_bin, head_bin, work = sys.argv[1:5]
    work = pathlib.Path(work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    base = run(base_bin, work / "base")
    again = run(base_bin, work / "again")
    head = run(head_bin, work / "head")

    # The profile counts one more instruction per iteration in BM_Loop, none in BM_Same.
    instr = {}
    for name, d in (("base", base), ("head", head)):
        doc = json.loads((d / "profile.json").read_text())
        instr[name] = {r["name"]: r["per_iteration"]["instructions"] for r in doc["benchmarks"]}
    check(instr["head"]["BM_Loop"] == instr["base"]["BM_Loop"] + 1,
          f"BM_Loop: expected exactly +1 instruction per iteration, got {instr}")
    check(instr["head"]["BM_Same"] == instr["base"]["BM_Same"], f"BM_Same changed: {instr}")
    # The --binary run disassembled the hot function with its heat.
    disasm = json.loads((head / "disasm.json").read_text())["architectures"]["x86-64"]
    loop = [f for f in disasm["functions"] if "BM_Loop" in f["demangled"]]
    check(len(loop) == 1 and loop[0]["profiles"][0]["benchmark"] == "BM_Loop",
          "disasm.json lacks BM_Loop's function with its profile")
    nops = [e for i, e in zip(loop[0]["instructions"], loop[0]["profiles"][0]["executions_per_iteration"])
            if i["mnemonic"] == "nop" and e == 1]
    check(len(nops) == 1, "the added nop does not run once per iteration in the heat")

    # Identical builds: both gates pass.
    same = deferlab("compare", str(base), str(again), *GATES, expect=0)
    check("0 tripped" in same.stderr, same.stderr)

    # +1 instruction: both gates trip on BM_Loop only, naming the function that changed.
    tripped = deferlab("compare", str(base), str(head), *GATES, "--format", "json", expect=1)
    doc = json.loads(tripped.stdout)
    rows = {r["name"]: r for r in doc["rows"]}
    check(rows["BM_Loop"]["failed_gates"] == ["instructions:+1%", "cycles:+2%"],
          f"BM_Loop gates: {rows['BM_Loop']['failed_gates']}")
    check(rows["BM_Same"]["failed_gates"] == [], f"BM_Same gates: {rows['BM_Same']['failed_gates']}")
    check(any("BM_Loop" in f for f in rows["BM_Loop"]["changed_functions"]),
          f"changed functions: {rows['BM_Loop']['changed_functions']}")
    check("functions changed:" in tripped.stderr and "BM_Loop(benchmark::State&)" in tripped.stderr,
          "the gate message does not name the function:\n" + tripped.stderr)

    # Strict: a side without a profile fails the gate, never passes it.
    bare = run(base_bin, work / "bare", "--no-profile")
    missing = deferlab("compare", str(bare), str(base), "--fail-on", "instructions:+1%", expect=1)
    check("no profile in BASE (off: --no-profile)" in missing.stderr, missing.stderr)
    check_timeout(base_bin, work)
    check_interrupt(base_bin, work)
    print("profile gates: +1 instruction trips instructions:+1% and cycles:+2% and names "
          "the function; identical builds pass; a missing profile fails")


if __name__ == "__main__":
    main()
