#!/usr/bin/env python3
"""Per-cell machine code of two builds of the lab binary, side by side.

  tools/perf/codegen_table.py build/tools/deferlab OLD/deferlab_bench NEW/deferlab_bench [--md]

For every benchmark both manifests (--deferlab_cases) list, diffs the two hot symbols with
`deferlab diff -f json` and classifies the cell:
  identical   every instruction equal, once names that say only where a function was
              written are identified: the hot function itself (loop_defer_heap_defer and
              loop_defer<HeapDeferStrategy>), the lambda a std::function handler or a
              pooled record wraps, and a constant-pool load named after whatever symbol
              precedes it (compared by the 16 bytes it loads, or by its relocation)
  cold        the same, except that the unwind path moved between f.cold and f
  registers   equal with --ignore-registers
  different   anything else
Counts are the hot symbol's instructions, "(+n .cold)" its split-off part. Prints one row
per cell, then the totals. docs/adding-a-case.md shows a run.
"""
import json
import re
import subprocess
import sys


def manifest(binary):
    out = subprocess.run([binary, "--deferlab_cases"], check=True, capture_output=True, text=True)
    return {c["benchmark"]: c["hot_symbol"] for c in json.loads(out.stdout)["cases"]}


def unqualified_return(demangled):
    # A template's demangled name starts with its return type; names inside operands do not.
    i = demangled.find("deferlab::")
    return demangled[i:] if i >= 0 else demangled


def diff(deferlab, a, b, ignore_registers=False):
    cmd = [deferlab, "diff", a, b, "-f", "json"] + (["--ignore-registers"] if ignore_registers else [])
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def summary(deferlab, binary, symbol):
    r = subprocess.run([deferlab, "disasm", binary, "-s", symbol, "-f", "json"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)["functions"][0]["summary"]["instructions"]


def relocations(binary):
    """Address -> 'TYPE symbol' of each dynamic relocation (GOT slots hold no bytes yet)."""
    out = subprocess.run(["readelf", "-rW", binary], check=True, capture_output=True,
                         text=True).stdout
    relocs = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and re.fullmatch(r"[0-9a-f]{8,16}", parts[0]):
            relocs[int(parts[0], 16)] = " ".join([parts[2]] + parts[4:5])
    return relocs


def loaded_bytes(binary, start):
    """16 bytes at virtual address `start` (the first, allocated, section that holds it)."""
    dump = subprocess.run(["objdump", "-s", f"--start-address={start}",
                           f"--stop-address={start + 16}", binary],
                          capture_output=True, text=True).stdout
    blocks = dump.split("Contents of section ")
    if len(blocks) < 2:
        return None
    return "".join("".join(l.split()[1:5]) for l in blocks[1].splitlines()[1:])


def references(deferlab, binary, symbol, relocs):
    """Address -> (reference name, what it loads) of each PC-relative data operand: a
    constant-pool load is named after whatever symbol precedes it, which differs between
    the builds, so such operands compare by the bytes (or the relocation) they load."""
    out = subprocess.run([deferlab, "disasm", binary, "-s", symbol, "-f", "json"],
                         check=True, capture_output=True, text=True).stdout
    refs = {}
    for insn in json.loads(out)["functions"][0]["instructions"]:
        target = insn.get("reference_target")
        if not target or insn["mnemonic"].startswith(("call", "j")):
            continue
        start = int(target["address"], 16)
        loaded = relocs.get(start) or loaded_bytes(binary, start)
        if loaded:
            refs[insn["address"]] = (insn["reference"], loaded)
    return refs


# Wrappers whose template argument is a lambda of the hot function: the lambda's name
# says where it was written (loop_defer_heap_defer(...)::{lambda()#1} before, a lambda
# inside a scenario template after), not what the code does.
LAMBDA_WRAPPERS = ("std::_Function_handler<", "std::_Mofunc_base::_S_manage<",
                   "std::move_only_function<void ()>::_S_invoke<",
                   "deferlab::detail::run_inline_callable<")


def erase_lambda_arguments(text):
    for prefix in LAMBDA_WRAPPERS:
        start = 0
        while (i := text.find(prefix, start)) >= 0:
            j, depth = i + len(prefix), 1
            while j < len(text) and depth:
                depth += {"<": 1, ">": -1}.get(text[j], 0)
                j += 1
            text = text[:i + len(prefix)] + "LAMBDA" + text[j - 1:]
            start = i + len(prefix)
    return text


def rename(text, renames):
    for old, new in renames:
        text = text.replace(old, new)
    return erase_lambda_arguments(text)


def classify(doc, renames, refs=({}, {})):
    """Counts ops that stay unequal once old names are renamed to new ones."""
    unequal, cold_only = 0, True
    for op in doc["ops"]:
        if op["op"] == "equal":
            continue
        if op["op"] == "replace":
            a, b = op["a"]["normalized"], op["b"]["normalized"]
            ra, rb = refs[0].get(op["a"]["address"]), refs[1].get(op["b"]["address"])
            if ra and rb and rename(ra[0], renames) != rb[0] and ra[1] == rb[1]:
                a, b = a.replace(ra[0], "DATA"), b.replace(rb[0], "DATA")
            a, b = rename(a, renames), erase_lambda_arguments(b)
            if a == b:
                continue
            if "[clone .cold]" not in op["a"]["normalized"]:
                cold_only = False
        elif op["op"] == "delete":
            cold_only = False
        unequal += 1
    return unequal, cold_only


def main():
    if len(sys.argv) < 4:
        print("usage: codegen_table.py DEFERLAB OLD_BENCH NEW_BENCH [--md]", file=sys.stderr)
        sys.exit(2)
    deferlab, old_bin, new_bin = sys.argv[1:4]
    old, new = manifest(old_bin), manifest(new_bin)
    renames = sorted({(unqualified_return(old[b]["demangled"]).split("(")[0],
                       unqualified_return(new[b]["demangled"]).split("(")[0])
                      for b in old if b in new}, key=lambda p: -len(p[0]))
    rows, cache, totals = [], {}, [0, 0, 0, 0]
    old_relocs, new_relocs = relocations(old_bin), relocations(new_bin)
    for bench in old:
        if bench not in new:
            rows.append((bench, old[bench]["demangled"], "-", "-", "removed", ""))
            continue
        a_sym, b_sym = old[bench]["mangled"], new[bench]["mangled"]
        key = (a_sym, b_sym)
        if key not in cache:
            doc = diff(deferlab, f"{old_bin}:{a_sym}", f"{new_bin}:{b_sym}")
            n_a, n_b = doc["a"]["summary"]["instructions"], doc["b"]["summary"]["instructions"]
            cold_a = summary(deferlab, old_bin, a_sym + ".cold")
            cold_b = summary(deferlab, new_bin, b_sym + ".cold")
            refs = (references(deferlab, old_bin, a_sym, old_relocs),
                    references(deferlab, new_bin, b_sym, new_relocs))
            unequal, cold_only = classify(doc, renames, refs)
            if unequal == 0:
                kind = "identical"
            elif cold_only and cold_a and not cold_b:
                kind = "cold"
            else:
                regs = diff(deferlab, f"{old_bin}:{a_sym}", f"{new_bin}:{b_sym}", True)
                kind = "registers" if classify(regs, renames, refs)[0] == 0 else "different"
            cache[key] = (n_a, n_b, kind, cold_a, cold_b)
        n_a, n_b, kind, cold_a, cold_b = cache[key]
        for i, n in enumerate((n_a, cold_a or 0, n_b, cold_b or 0)):
            totals[i] += n
        fmt = lambda n, c: f"{n}" + (f" (+{c} .cold)" if c else "")
        rows.append((bench, unqualified_return(new[bench]["demangled"]).split("(")[0]
                     .replace("deferlab::cases::hot::", "").replace("deferlab::", ""),
                     fmt(n_a, cold_a), fmt(n_b, cold_b), kind,
                     f"{n_b - n_a:+d}" if n_a != n_b else ""))
    for bench in new:
        if bench not in old:
            rows.append((bench, new[bench]["demangled"], "-", "-", "added", ""))
    md = "--md" in sys.argv
    if md:
        print("| benchmark | hot symbol (after) | instructions before | after | Δ | same? |")
        print("|---|---|---|---|---|---|")
    for r in rows:
        if md:
            print(f"| `{r[0]}` | `{r[1]}` | {r[2]} | {r[3]} | {r[5]} | {r[4]} |")
        else:
            print(f"{r[0]:45} {r[2]:>16} {r[3]:>16} {r[5]:>5} {r[4]:10} {r[1]}")
    # Totals by cell and by distinct hot function.
    kinds = {}
    for r in rows:
        kinds[r[4]] = kinds.get(r[4], 0) + 1
    fkinds = {}
    for v in cache.values():
        fkinds[v[2]] = fkinds.get(v[2], 0) + 1
    print(f"\ncells: {len(rows)}  " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    print(f"instructions over the cells both have: before {totals[0]} (+{totals[1]} .cold), "
          f"after {totals[2]} (+{totals[3]} .cold)")
    print(f"distinct (before, after) hot-function pairs: {len(cache)}  " +
          ", ".join(f"{k} {v}" for k, v in sorted(fkinds.items())))


if __name__ == "__main__":
    main()
