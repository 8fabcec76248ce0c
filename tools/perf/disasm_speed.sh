#!/usr/bin/env bash
# Times deferlab disasm against objdump and llvm-objdump on one large library, in one run,
# and prints a Markdown table of medians and ratios (docs/performance.md pastes it).
#
#   tools/perf/disasm_speed.sh [LIBRARY] [SYMBOL]
#
# Defaults: Debian's libLLVM-14.so.1 (package llvm-14, ~48 MB of .text) and
# llvm::AADepGraph::print(). Jobs, each run RUNS times (default 3), the commands of a job
# alternating so that a drift of the shared machine's speed hits both sides alike, output
# to /dev/null:
#   - whole .text: `deferlab disasm --all` (NDJSON) vs `objdump -d` and `llvm-objdump-14 -d`
#     (both show the bytes, as the NDJSON does);
#   - the same pinned to one core (`taskset -c 0`) vs `objdump -d`;
#   - one symbol: `deferlab disasm -s SYMBOL -f json` vs
#     `llvm-objdump-14 -d --disassemble-symbols=SYMBOL`.
# Each figure is the median of its runs: wall seconds, CPU seconds (user + system) and peak
# RSS, all from GNU time (/usr/bin/time, package time), i.e. the kernel's wait4 rusage.
# Ratios are deferlab / reference. Times on a shared machine are noisy: the load average
# is printed with the table; compare ratios, not seconds.
set -euo pipefail
lib=${1:-/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1}
symbol=${2:-_ZN4llvm10AADepGraph5printEv}
runs=${RUNS:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
deferlab=${DEFERLAB:-$root/build/tools/deferlab}
llvm_objdump=$(command -v llvm-objdump-14 || command -v llvm-objdump || true)
gnu_time=/usr/bin/time
[ -f "$lib" ] || { echo "no $lib (Debian: apt-get install llvm-14)" >&2; exit 2; }
[ -x "$deferlab" ] || { echo "no $deferlab: build first (tools/lab run)" >&2; exit 2; }
[ -n "$llvm_objdump" ] || { echo "no llvm-objdump (Debian: llvm-14)" >&2; exit 2; }
[ -x "$gnu_time" ] || { echo "no $gnu_time (Debian: apt-get install time)" >&2; exit 2; }
command -v objdump > /dev/null || { echo "no objdump (Debian: binutils)" >&2; exit 2; }
command -v taskset > /dev/null || { echo "no taskset (Debian: util-linux)" >&2; exit 2; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Runs a command once, output discarded; appends "wall cpu peak_kib" to $scratch/NAME.
measure() {
  local name=$1
  shift
  "$gnu_time" -f '%e %U %S %M' -o "$scratch/one" "$@" > /dev/null 2> "$scratch/stderr" || {
    echo "failed: $*" >&2
    cat "$scratch/stderr" >&2
    exit 3
  }
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$scratch/one" >> "$scratch/$name"
}

# median of column N of $scratch/NAME
median() {
  awk -v c="$2" '{ print $c }' "$scratch/$1" | sort -g |
    awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}

one_core="taskset -c 0"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 0; r < runs; r++)); do
  measure dl_all "$deferlab" disasm "$lib" --all -o /dev/null
  measure objdump_all objdump -d "$lib"
  measure llvm_all "$llvm_objdump" -d "$lib"
  measure dl_all_1 $one_core "$deferlab" disasm "$lib" --all -o /dev/null
  measure objdump_all_1 $one_core objdump -d "$lib"
  measure dl_sym "$deferlab" disasm "$lib" -s "$symbol" -f json
  measure llvm_sym "$llvm_objdump" -d --disassemble-symbols="$symbol" "$lib"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

row() {  # job, deferlab series, reference name, reference series
  local a=$2 b=$4
  local aw ac am bw bc bm
  aw=$(median "$a" 1) ac=$(median "$a" 2) am=$(median "$a" 3)
  bw=$(median "$b" 1) bc=$(median "$b" 2) bm=$(median "$b" 3)
  awk -v job="$1" -v ref="$3" -v aw="$aw" -v ac="$ac" -v am="$am" -v bw="$bw" -v bc="$bc" \
    -v bm="$bm" 'BEGIN {
      printf "| %s | %.2f s wall, %.2f s CPU, %.0f MiB | %s: %.2f s, %.2f s CPU, %.0f MiB | %.2f | %.2f | %.2f |\n",
        job, aw, ac, am / 1024, ref, bw, bc, bm / 1024, aw / bw, (bc > 0 ? ac / bc : 0), am / bm }'
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
echo "File: \`$lib\` ($(du -h "$(readlink -f "$lib")" | cut -f1)), $(nproc) cores ($cpu)," \
  "$runs runs each, medians; load average (1, 5, 15 min) $load_before before, $load_after after."
echo
echo "| job | deferlab | reference | wall ratio | CPU ratio | peak RSS ratio |"
echo "|---|---|---|---:|---:|---:|"
row 'whole `.text`, NDJSON (`--all`)' dl_all 'objdump -d' objdump_all
row 'whole `.text`, NDJSON (`--all`)' dl_all 'llvm-objdump-14 -d' llvm_all
row 'whole `.text`, one core (`taskset -c 0`)' dl_all_1 'objdump -d' objdump_all_1
row "one symbol (\`$symbol\`, \`-f json\`)" dl_sym 'llvm-objdump-14 --disassemble-symbols' llvm_sym
