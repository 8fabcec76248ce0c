#!/usr/bin/python3
"""Tests that deferlab survives hostile inputs: 300 JSON mutants of a real run directory
and of a real disasm JSON, and 300 ELF mutants of the disasm fixture, each run through
report, compare, diff, disasm or check. Every invocation must exit 0, 1 or 2 (never a
crash, an internal error or a sanitizer report), say exactly one `deferlab: error:` line
when it exits 2, pass no ESC byte to stdout or stderr, and finish in under 10 s.

The mutants are made here from a fixed seed (the same ones every run): type swaps, nulls,
negative, zero, huge and non-finite numbers, deleted keys, truncation, 100,000-level
nesting, control bytes, newlines, backticks and bytes that are not UTF-8 in names, huge
strings, zero times; bit flips, truncations and header, section and symbol field changes.

usage: mutant_test.py DEFERLAB RUN_DIR DISASM_FIXTURE SCRATCH [--json N] [--elf N]
"""
import argparse
import concurrent.futures
import json
import os
import random
import shutil
import struct
import subprocess
import sys
import time

SEED = 8
TIME_LIMIT = 10.0  # seconds an invocation may take
HOT = "fixture_alloc_in_loop"

# Where a raw token goes in the dumped text: "__RAW3__" (with its quotes) becomes raw[3].
RAW_MARK = "__RAW{}__"


class Mutator:
    """Mutates one parsed JSON document into text (bytes)."""

    def __init__(self, rng):
        self.rng = rng
        self.raw = []

    def raw_token(self, data):
        self.raw.append(data)
        return RAW_MARK.format(len(self.raw) - 1)

    def render(self, document):
        text = json.dumps(document, indent=1, ensure_ascii=False).encode()
        for k, data in enumerate(self.raw):
            text = text.replace(b'"' + RAW_MARK.format(k).encode() + b'"', data)
        return text

    def nodes(self, value, path=()):
        """Every (path, value) in the document."""
        yield path, value
        if isinstance(value, dict):
            for k, v in value.items():
                yield from self.nodes(v, path + (k,))
        elif isinstance(value, list):
            for i, v in enumerate(value):
                yield from self.nodes(v, path + (i,))

    def pick(self, document, want=lambda p, v: True):
        candidates = [(p, v) for p, v in self.nodes(document) if p and want(p, v)]
        if not candidates:
            candidates = [(p, v) for p, v in self.nodes(document) if p]
        # Favour the leaves a reader looks at: sample more than once, prefer deeper paths.
        return max((self.rng.choice(candidates) for _ in range(3)), key=lambda pv: len(pv[0]))

    @staticmethod
    def set_at(document, path, value):
        target = document
        for k in path[:-1]:
            target = target[k]
        target[path[-1]] = value

    def hostile_name(self):
        """A name with control bytes, newlines, markup and bytes that are not UTF-8: as raw
        bytes (what Google Benchmark 1.7.1 writes) or escaped (what a JSON writer does)."""
        pieces = [b"\x1b[31m", b"\n", b"\r\n", b"|", b"`", b"``` x", b"<script>alert(1)</script>",
                  b"\x00", b"\x07", b"\xff\xfe", b"\xc2\x9b2J", b"\t", b"\\", b"*_[x](y)"]
        name = b"name" + b"".join(self.rng.choice(pieces) for _ in range(self.rng.randint(1, 4)))
        if self.rng.random() < 0.5:
            return name.decode("latin-1")
        return self.raw_token(b'"' + name.replace(b'"', b"").replace(b"\\", b"") + b'"')

    # The mutations. Each returns bytes.
    def type_swap(self, doc):
        path, value = self.pick(doc)
        pool = ["yes", None, True, -1, 0, 1.5, 1e308, 2 ** 64, [], {}, "", [1, "x"], {"a": None}]
        pool = [v for v in pool if type(v) is not type(value)]
        self.set_at(doc, path, self.rng.choice(pool))
        return self.render(doc)

    def null(self, doc):
        self.set_at(doc, self.pick(doc)[0], None)
        return self.render(doc)

    def number(self, doc):
        path, _ = self.pick(doc, lambda p, v: isinstance(v, (int, float)) and not isinstance(v, bool))
        choice = self.rng.choice([0, -1, -0.5, 1e308, -1e308, 2 ** 63, 2 ** 64 + 1, -(2 ** 63) - 1,
                                  1e-320, b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e400"])
        self.set_at(doc, path, self.raw_token(choice) if isinstance(choice, bytes) else choice)
        return self.render(doc)

    def delete_key(self, doc):
        path, value = self.pick(doc, lambda p, v: isinstance(v, dict) and v)
        if isinstance(value, dict) and value:
            del value[self.rng.choice(sorted(value))]
        return self.render(doc)

    def truncate(self, doc):
        text = self.render(doc)
        return text[: self.rng.randrange(len(text))]

    def deep(self, doc):
        path, _ = self.pick(doc)
        depth = 100000
        self.set_at(doc, path, self.raw_token(b"[" * depth + b"]" * depth))
        return self.render(doc)

    def names(self, doc):
        keys = {"name", "run_name", "strategy", "benchmark", "symbol", "demangled", "mnemonic",
                "operands", "label", "scenario", "param", "call_target", "file", "text",
                "time_unit", "error_message", "branch_target", "reference"}
        for _ in range(self.rng.randint(1, 3)):
            path, _ = self.pick(doc, lambda p, v: isinstance(v, str) and p[-1] in keys)
            self.set_at(doc, path, self.hostile_name())
        return self.render(doc)

    def huge_string(self, doc):
        path, _ = self.pick(doc, lambda p, v: isinstance(v, str))
        self.set_at(doc, path, "x" * self.rng.choice([1 << 16, 1 << 20, 3 << 20]))
        return self.render(doc)

    def byte_flips(self, doc):
        text = bytearray(self.render(doc))
        for _ in range(self.rng.randint(1, 8)):
            text[self.rng.randrange(len(text))] = self.rng.randrange(256)
        return bytes(text)

    def zero_time(self, doc):
        # Every time of one benchmark, or of every row, set to 0 (or a negative number).
        rows = doc.get("benchmarks") if isinstance(doc, dict) else None
        if not isinstance(rows, list) or not rows:
            return self.number(doc)
        value = self.rng.choice([0, 0.0, -1.0])
        victim = self.rng.choice(rows).get("run_name")
        for row in rows:
            if self.rng.random() < 0.2 or row.get("run_name") == victim or "goto_cleanup" in str(row.get("name")):
                row["real_time"] = value
                row["cpu_time"] = value
        return self.render(doc)

    def not_a_document(self, doc):
        return self.rng.choice([b"", b"[]", b"null", b"\xff\xfe\x00", b'{"benchmarks": 1}',
                                b'{"schema": "deferlab.disasm/1", "functions": [[]]}',
                                b'{"architectures": {"x86-64": {"functions": {}}}}'])

    KINDS = ["type_swap", "null", "number", "delete_key", "truncate", "deep", "names",
             "huge_string", "byte_flips", "zero_time", "not_a_document"]


# Inputs ////////////////////////////////////////////////////////////////////////////////

def small_run(run_dir, out):
    """A real run cut down to the fixed_defers/4 cases: quick to report, still complete."""
    os.makedirs(out)
    cases = json.load(open(os.path.join(run_dir, "cases.json")))
    keep = [c for c in cases["cases"] if c["scenario"] == "fixed_defers" and c["param"] == "4"]
    assert keep, "the run has no fixed_defers/4 cases"
    names = {c["benchmark"] for c in keep}
    symbols = {c["hot_symbol"]["mangled"] for c in keep}
    cases["cases"] = keep
    cases["scenarios"] = [dict(s, params=["4"]) for s in cases["scenarios"] if s["name"] == "fixed_defers"]
    json.dump(cases, open(os.path.join(out, "cases.json"), "w"))
    bench = json.load(open(os.path.join(run_dir, "bench.json")))
    bench["benchmarks"] = [b for b in bench["benchmarks"] if b.get("run_name", b["name"]) in names]
    json.dump(bench, open(os.path.join(out, "bench.json"), "w"))
    disasm = json.load(open(os.path.join(run_dir, "disasm.json")))
    # The Go section too (about half of a full disasm.json): under ASan each mutant's cost
    # is mostly parsing what the cut-down run no longer reports.
    for section in [disasm["architectures"], disasm.get("go", {})]:
        for arch in section.values():
            arch["functions"] = [f for f in arch["functions"] if f["symbol"] in symbols]
    json.dump(disasm, open(os.path.join(out, "disasm.json"), "w"))
    return out


def run(cli, args, env):
    started = time.monotonic()
    try:
        r = subprocess.run([cli] + args, capture_output=True, timeout=TIME_LIMIT * 3, env=env)
        code, out, err = r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        code, out, err = "timeout", b"", b""
    return code, out, err, time.monotonic() - started


def check(label, args, result):
    """The problems with one invocation's result; [] when it behaved."""
    code, out, err, seconds = result
    problems = []
    if code not in (0, 1, 2):
        problems.append(f"exit {code}")
    if seconds > TIME_LIMIT:
        problems.append(f"took {seconds:.1f} s")
    text = err.decode(errors="replace")
    if "Sanitizer" in text or "runtime error:" in text:
        problems.append("sanitizer report")
    lines = text.splitlines()
    if code == 2 and (len(lines) != 1 or not lines[0].startswith("deferlab: error: ")):
        problems.append(f"exit 2 with {len(lines)} stderr lines, not one 'deferlab: error:' line")
    if b"\x1b" in out or b"\x1b" in err:
        problems.append("an ESC byte on stdout or stderr")
    if problems:
        return [f"{label}: deferlab {' '.join(args)}: {', '.join(problems)}\n    stderr: {text[:400]!r}"]
    return []


def json_jobs(rng, count, run_dir, disasm_doc, scratch):
    """(label, args) for `count` JSON mutants."""
    jobs = []
    for i in range(count):
        m = Mutator(rng)
        kind = Mutator.KINDS[i % len(Mutator.KINDS)]
        target = rng.choice(["bench.json", "bench.json", "cases.json", "disasm.json", "diff"])
        label = f"json #{i} {kind} {target}"
        if target == "diff":
            source = disasm_doc
        else:
            source = os.path.join(run_dir, target)
        document = json.load(open(source))
        data = getattr(m, kind)(document)
        if target == "diff":
            path = os.path.join(scratch, f"json{i}.json")
            open(path, "wb").write(data)
            fmt = rng.choice(["text", "md", "json"])
            if rng.random() < 0.5:
                args = ["diff", path, disasm_doc, "-f", fmt]
            else:
                args = ["diff", disasm_doc, f"{path}:{HOT}", "-f", fmt, "--ignore-registers"]
        else:
            mutant = os.path.join(scratch, f"run{i}")
            shutil.copytree(run_dir, mutant)
            open(os.path.join(mutant, target), "wb").write(data)
            choice = rng.randrange(4)
            if choice == 0:
                args = ["report", mutant, "-f", rng.choice(["text", "md", "html", "json"])]
            elif choice == 1:
                args = ["report", mutant]  # rewrites the three reports in place
            elif choice == 2:
                args = ["compare", run_dir, mutant, "--fail-on", "allocs:+0", "-f",
                        rng.choice(["text", "md", "json", "html"])]
            else:
                args = ["compare", mutant, run_dir, "--fail-on", "time:+5%"]
        jobs.append((label, args))
    return jobs


def elf_sections(data):
    """(offset of the section header table, entry size, count) of an ELF64 file, and the
    headers as (offset in file, sh_type, sh_offset, sh_size, sh_link, sh_entsize)."""
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    headers = []
    for k in range(shnum):
        at = shoff + k * shentsize
        _, sh_type, _, _, offset, size, link, _, _, entsize = struct.unpack_from("<IIQQQQIIQQ", data, at)
        headers.append((at, sh_type, offset, size, link, entsize))
    return headers


def mutate_elf(rng, base, kind):
    data = bytearray(base)
    headers = elf_sections(base)
    weird = lambda width: rng.choice([0, 1, 0x7F, 0xFF, 0xFFFF, 0xFFFFFFFF, 2 ** (8 * width) - 1,
                                      len(base), len(base) - 1, len(base) + 1,
                                      rng.randrange(2 ** (8 * width))]) % (2 ** (8 * width))
    if kind == "bit_flips":
        for _ in range(rng.randint(1, 16)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif kind == "truncate":
        cut = rng.choice([rng.randrange(64), rng.randrange(len(data)),
                          rng.choice(headers)[2] if headers else 0])
        data = data[:cut]
    elif kind == "header":
        # e_ident class/data, e_type, e_machine, e_phoff, e_shoff, e_phnum, e_shentsize,
        # e_shnum, e_shstrndx
        offset, width = rng.choice([(4, 1), (5, 1), (0x10, 2), (0x12, 2), (0x20, 8), (0x28, 8),
                                    (0x38, 2), (0x3A, 2), (0x3C, 2), (0x3E, 2)])
        data[offset:offset + width] = weird(width).to_bytes(width, "little")
    elif kind == "section":
        at = rng.choice(headers)[0]
        # sh_name, sh_type, sh_addr, sh_offset, sh_size, sh_link, sh_info, sh_entsize
        field, width = rng.choice([(0, 4), (4, 4), (0x10, 8), (0x18, 8), (0x20, 8), (0x28, 4),
                                   (0x2C, 4), (0x38, 8)])
        data[at + field:at + field + width] = weird(width).to_bytes(width, "little")
    elif kind == "symbol":
        symtabs = [h for h in headers if h[1] in (2, 11) and h[5] == 24 and h[3] >= 24]  # SYMTAB, DYNSYM
        if symtabs:
            _, _, offset, size, _, _ = rng.choice(symtabs)
            for _ in range(rng.randint(1, 4)):
                at = offset + 24 * rng.randrange(size // 24)
                # st_name, st_info, st_shndx, st_value, st_size
                field, width = rng.choice([(0, 4), (4, 1), (6, 2), (8, 8), (16, 8)])
                if at + field + width <= len(data):
                    data[at + field:at + field + width] = weird(width).to_bytes(width, "little")
    elif kind == "code":
        text = [h for h in headers if h[1] == 1 and h[3] > 0]  # PROGBITS
        _, _, offset, size, _, _ = rng.choice(text)
        for _ in range(rng.randint(1, 32)):
            at = offset + rng.randrange(size)
            if at < len(data):
                data[at] = rng.randrange(256)
    return bytes(data)


def elf_jobs(rng, count, fixture, scratch):
    base = open(fixture, "rb").read()
    kinds = ["bit_flips", "truncate", "header", "section", "symbol", "code"]
    jobs = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        path = os.path.join(scratch, f"elf{i}")
        open(path, "wb").write(mutate_elf(rng, base, kind))
        choice = rng.randrange(6)
        if choice == 0:
            args = ["disasm", path, "--symbol", HOT, "-f", rng.choice(["text", "json", "md"])]
        elif choice == 1:
            args = ["disasm", path, "--symbol", "fixture_*", "--source", "-f", "json"]
        elif choice == 2:
            args = ["disasm", path, "--all", "--format", "ndjson"]
        elif choice == 3:
            args = ["diff", f"{path}:{HOT}", f"{fixture}:{HOT}", "-f", rng.choice(["text", "md", "json"])]
        elif choice == 4:
            args = ["check", path, "--symbol", "fixture_leaf", "--no-alloc"]
        else:
            args = ["check", path, "--symbol", HOT, "--no-alloc-in-loop"]
        jobs.append((f"elf #{i} {kind}", args))
    return jobs


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("deferlab")
    parser.add_argument("run_dir")
    parser.add_argument("fixture")
    parser.add_argument("scratch")
    parser.add_argument("--json", type=int, default=300)
    parser.add_argument("--elf", type=int, default=300)
    options = parser.parse_args()
    shutil.rmtree(options.scratch, ignore_errors=True)
    os.makedirs(options.scratch)
    env = dict(os.environ, NO_COLOR="1")
    # Sanitizer builds: a report must not pass for a gate's exit code 1.
    env["ASAN_OPTIONS"] = "exitcode=86:" + env.get("ASAN_OPTIONS", "")
    env["UBSAN_OPTIONS"] = "halt_on_error=1:exitcode=87:print_stacktrace=1:" + env.get("UBSAN_OPTIONS", "")

    run_dir = small_run(options.run_dir, os.path.join(options.scratch, "good"))
    disasm_doc = os.path.join(options.scratch, "good.json")
    code, out, err, _ = run(options.deferlab, ["disasm", options.fixture, "--symbol", HOT, "-f", "json"], env)
    assert code == 0, err
    open(disasm_doc, "wb").write(out)
    # The unmutated inputs work: a mutant's exit 2 is then the mutation's doing.
    for args in (["report", run_dir, "-f", "md"], ["compare", run_dir, run_dir],
                 ["diff", disasm_doc, disasm_doc]):
        code, _, err, _ = run(options.deferlab, args, env)
        assert code == 0, f"deferlab {' '.join(args)}: exit {code}: {err[:300]!r}"

    rng = random.Random(SEED)
    jobs = json_jobs(rng, options.json, run_dir, disasm_doc, options.scratch)
    jobs += elf_jobs(rng, options.elf, options.fixture, options.scratch)
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: run(options.deferlab, job[1], env), jobs))
    problems = []
    exits = {}
    slowest = max(r[3] for r in results)
    for (label, args), result in zip(jobs, results):
        problems += check(label, args, result)
        side = label.split()[0]
        exits.setdefault(side, {}).setdefault(result[0], 0)
        exits[side][result[0]] += 1
    for side, counts in sorted(exits.items()):
        print(f"{side} mutants: " + ", ".join(f"exit {k}: {v}" for k, v in sorted(counts.items(), key=str)))
    print(f"{len(jobs)} invocations in {time.monotonic() - started:.1f} s; slowest {slowest:.1f} s")
    for p in problems:
        print(p)
    if problems:
        print(f"FAILED: {len(problems)} of {len(jobs)} invocations misbehaved")
        return 1
    shutil.rmtree(options.scratch, ignore_errors=True)
    print("ok: every invocation exited 0, 1 or 2, with one error line, no ESC byte, in time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
