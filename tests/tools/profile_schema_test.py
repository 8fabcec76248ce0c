#!/usr/bin/python3
"""Tests that the documents of the profile pass validate against docs/schemas: the
deferlab.profile/1 document of `deferlab profile` (exact rows and a labelled one) and the
deferlab.disasm/1 document of `deferlab disasm --counts`; and that the profile schema has
teeth. Exit code 77 (skipped) without valgrind, 1 when CI=true (tests/skip.h: in CI every
tool the tests use is installed, so a skip is a failure).

usage: profile_schema_test.py DEFERLAB FIXTURE_BENCH SCHEMA_DIR
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

from schema_test import Validator, run


def main():
    deferlab, fixture, schema_dir = sys.argv[1:4]
    if shutil.which("valgrind") is None:
        if os.environ.get("CI") in ("true", "1"):
            raise SystemExit("FAILED: valgrind is not installed, and a skip fails when CI=true")
        print("skipped: valgrind is not installed")
        sys.exit(77)
    v = Validator(schema_dir)
    with tempfile.TemporaryDirectory() as scratch:
        path = f"{scratch}/profile.json"
        run(deferlab, "profile", fixture, "--filter", "BM_Nops<16>|BM_Paused", "-f", "json",
            "-o", path)
        profile = json.load(open(path))
        v.validate(profile, "deferlab.profile-1")
        rows = {r["name"]: r for r in profile["benchmarks"]}
        assert rows["BM_Nops<16>/1048576"]["exact"], rows["BM_Nops<16>/1048576"]["reasons"]
        assert rows["BM_Paused"]["per_iteration"] is None, "a labelled row has no figures"

        disasm = json.loads(run(deferlab, "disasm", fixture, "-s", "*BM_Nops<16>*", "-f", "json",
                                "--counts", path))
        v.validate(disasm, "deferlab.disasm-1")
        heat = [i for f in disasm["functions"] for i in f["instructions"]
                if "executions_per_iteration" in i]
        assert heat, "no instruction has executions_per_iteration"

    # The schema has teeth: each document below has one thing wrong.
    broken = json.loads(json.dumps(profile))
    broken["benchmarks"][0]["exact"] = "yes"
    assert v.rejects(broken, "deferlab.profile-1"), "accepts exact: \"yes\""
    broken = json.loads(json.dumps(profile))
    del broken["benchmarks"][0]["per_iteration"]["estimated_cycles"]
    assert v.rejects(broken, "deferlab.profile-1"), "accepts figures without cycles"
    broken = json.loads(json.dumps(profile))
    broken["benchmarks"][0]["hot_functions"][0]["instructions"][0]["address"] = "4096"
    assert v.rejects(broken, "deferlab.profile-1"), "accepts a non-hex address"
    print("validated: profile, disasm --counts")


if __name__ == "__main__":
    main()
