#!/usr/bin/python3
"""Tests that every JSON document deferlab writes validates against its schema in
docs/schemas, and that the schemas are not vacuous (a broken document is rejected).

usage: schema_test.py DEFERLAB LAB_BINARY FIXTURE SCHEMA_DIR [RUN_DIR]
(DEFERLAB_DECLARED_BENCH: a user's binary that declares a manifest, also validated)
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import jsonschema


def load_schemas(directory):
    schemas = {}
    for path in sorted(pathlib.Path(directory).glob("*.schema.json")):
        schema = json.loads(path.read_text())
        jsonschema.Draft202012Validator.check_schema(schema)
        schemas[schema["$id"]] = schema
    return schemas


class Validator:
    def __init__(self, directory):
        self.schemas = load_schemas(directory)
        self.by_name = {pathlib.Path(s).name.replace(".schema.json", ""): s for s in self.schemas}

    def validate(self, document, name):
        schema_id = self.by_name[name]
        schema = self.schemas[schema_id]
        resolver = jsonschema.RefResolver.from_schema(schema, store=self.schemas)
        jsonschema.Draft202012Validator(schema, resolver=resolver).validate(document)

    def rejects(self, document, name):
        try:
            self.validate(document, name)
        except jsonschema.ValidationError:
            return True
        return False


def run(*args):
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(args)}\n{result.stderr}")
    return result.stdout


def main():
    deferlab, lab, fixture, schema_dir = sys.argv[1:5]
    run_dir = sys.argv[5] if len(sys.argv) > 5 else None
    v = Validator(schema_dir)
    checked = []

    cases = json.loads(run(lab, "--deferlab_cases"))
    v.validate(cases, "deferlab.cases-1")
    checked.append("cases")

    disasm = json.loads(run(deferlab, "disasm", lab, "-s",
                            "deferlab::cases::hot::loop_defer<deferlab::HeapDeferStrategy>", "-f", "json", "--source"))
    v.validate(disasm, "deferlab.disasm-1")
    checked.append("disasm json")

    for line in run(deferlab, "disasm", fixture, "--all").splitlines():
        v.validate(json.loads(line), "deferlab.disasm-1")
    checked.append("disasm ndjson (--all)")

    diff = json.loads(run(deferlab, "diff", f"{lab}:fixed_defers<deferlab::ScopeGuardStrategy, 4u>",
                          f"{lab}:fixed_defers<deferlab::HeapDeferStrategy, 4u>", "-f", "json"))
    v.validate(diff, "deferlab.diff-1")
    checked.append("diff")

    if run_dir:
        directory = pathlib.Path(run_dir)
        v.validate(json.loads((directory / "cases.json").read_text()), "deferlab.cases-1")
        v.validate(json.loads((directory / "disasm.json").read_text()), "deferlab.disasm-set-1")
        v.validate(json.loads((directory / "report.json").read_text()), "deferlab.report-1")
        if (directory / "profile.json").exists():  # not in a sanitized build's run
            v.validate(json.loads((directory / "profile.json").read_text()), "deferlab.profile-1")
        checked.append("run directory (cases, disasm set, report)")
        compare = json.loads(run(deferlab, "compare", run_dir, run_dir, "-f", "json"))
        v.validate(compare, "deferlab.compare-1")
        checked.append("compare")

    # A user's binary that declares its manifest (harness/benchmark_manifest.h).
    declared_bench = os.environ.get("DEFERLAB_DECLARED_BENCH")
    if declared_bench:
        declared = json.loads(run(declared_bench, "--deferlab_cases"))
        v.validate(declared, "deferlab.cases-1")
        checked.append("a user's declared manifest")
        # Its relaxed fields are for declared manifests only.
        undeclared = {k: val for k, val in declared.items() if k != "declared_by"}
        assert v.rejects(undeclared, "deferlab.cases-1"), "cases schema accepts a lab manifest without its fields"

    # The schemas have teeth: each rejects a document with one thing wrong.
    broken = dict(cases, schema="deferlab.cases/2")
    assert v.rejects(broken, "deferlab.cases-1"), "cases schema accepts a wrong version"
    broken = json.loads(json.dumps(disasm))
    broken["functions"][0]["instructions"][0]["address"] = "4096"
    assert v.rejects(broken, "deferlab.disasm-1"), "disasm schema accepts a non-hex address"
    broken = json.loads(json.dumps(diff))
    broken["match_percent"] = 101
    assert v.rejects(broken, "deferlab.diff-1"), "diff schema accepts 101 %"

    print("validated:", ", ".join(checked))


if __name__ == "__main__":
    main()
