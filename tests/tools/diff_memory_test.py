#!/usr/bin/python3
"""Tests that `deferlab diff` runs in linear memory: two 20,000-instruction functions with
nothing in common (the worst case of the diff: every instruction replaced) take less than
the stated peak resident memory, measured by wait4() on the child; and a side over the
stated size bound (50,000 instructions) is refused with one error line and exit 2.
Before the linear-space diff, 5,000 instructions a side took 798 MB and 20,000 ran out of
memory at 6 GB.

usage: diff_memory_test.py DEFERLAB SCRATCH PEAK_MB
"""
import json
import os
import shutil
import subprocess
import sys


def document(count, mnemonic, register):
    """A deferlab.disasm/1 document of one function with `count` distinct instructions."""
    instructions = [{"address": hex(0x1000 + 4 * i), "bytes": "90", "mnemonic": mnemonic,
                     "operands": f"{register}, {i}", "block": 0, "loop_depth": 0}
                    for i in range(count)]
    return {"schema": "deferlab.disasm/1", "binary": {"path": "synthetic", "arch": "x86-64"},
            "syntax": "intel",
            "functions": [{"symbol": "f", "demangled": "f", "section": ".text", "address": "0x1000",
                           "size": 4 * count, "summary": {"instructions": count},
                           "instructions": instructions}]}


def run(cli, args, scratch):
    """(exit code, stdout, stderr, peak resident KiB) of one child."""
    out_path = os.path.join(scratch, "stdout")
    err_path = os.path.join(scratch, "stderr")
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        child = subprocess.Popen([cli] + args, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return child.returncode, open(out_path, "rb").read(), open(err_path, "rb").read(), usage.ru_maxrss


def main():
    cli, scratch, peak_mb = sys.argv[1], sys.argv[2], float(sys.argv[3])
    shutil.rmtree(scratch, ignore_errors=True)
    os.makedirs(scratch)
    a = os.path.join(scratch, "a.json")
    b = os.path.join(scratch, "b.json")
    json.dump(document(20000, "add", "rax"), open(a, "w"))
    json.dump(document(20000, "sub", "rbx"), open(b, "w"))
    code, out, err, peak_kib = run(cli, ["diff", a, b], scratch)
    assert code == 0, f"exit {code}: {err[:300]!r}"
    summary = out.decode().splitlines()[2]
    assert summary.startswith("match 0.0% (0 equal, 20000 replaced, 0 inserted, 0 deleted"), summary
    peak = peak_kib / 1024
    print(f"20,000 vs 20,000 instructions, nothing in common: peak {peak:.1f} MB "
          f"(limit {peak_mb:.0f} MB)")
    assert peak < peak_mb, f"peak resident memory {peak:.1f} MB is over {peak_mb} MB"

    big = os.path.join(scratch, "big.json")
    json.dump(document(50001, "add", "rax"), open(big, "w"))
    code, _, err, _ = run(cli, ["diff", big, a], scratch)
    lines = err.decode().splitlines()
    assert code == 2, f"exit {code} for 50,001 instructions"
    assert len(lines) == 1 and lines[0].startswith(
        "deferlab: error: function too large to diff: 50001 instructions, the limit is 50000"), lines
    print("50,001 instructions: " + lines[0])
    shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
