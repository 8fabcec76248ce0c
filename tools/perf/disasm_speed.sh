#!/usr/bin/env bash
# Times deferlab disasm against llvm-objdump and objdump on one large file, in one run,
# and prints a Markdown table of medians and ratios (docs/performance.md pastes it).
#
#   tools/perf/disasm_speed.sh [LIBRARY] [SYMBOL]
#
# Defaults: Debian's libLLVM-14.so.1 (package llvm-14, ~48 MB of .text) and
# llvm::raw_ostream::write(char const*, unsigned long). Each command runs RUNS times
# (default 3), alternating, output to /dev/null; the medians are compared.
set -euo pipefail
lib=${1:-/usr/lib/x86_64-linux-gnu/libLLVM-14.so.1}
symbol=${2:-_ZN4llvm11raw_ostream5writeEPKcm}
runs=${RUNS:-3}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
deferlab=${DEFERLAB:-$root/build/tools/deferlab}
llvm_objdump=$(command -v llvm-objdump-14 || command -v llvm-objdump || true)
[ -f "$lib" ] || { echo "no $lib (Debian: apt-get install llvm-14)" >&2; exit 2; }
[ -x "$deferlab" ] || { echo "no $deferlab: build first (tools/lab run)" >&2; exit 2; }
[ -n "$llvm_objdump" ] || { echo "no llvm-objdump (Debian: llvm-14)" >&2; exit 2; }

# seconds of wall time of one command, output discarded
wall() {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null 2>&1
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.4f\n", b - a }'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A samples
names=(deferlab_symbol llvm_objdump_symbol deferlab_all objdump_all)
for ((r = 0; r < runs; r++)); do
  samples[deferlab_symbol]+="$(wall "$deferlab" disasm "$lib" -s "$symbol" -f json) "
  samples[llvm_objdump_symbol]+="$(wall "$llvm_objdump" -d --disassemble-symbols="$symbol" "$lib") "
  samples[deferlab_all]+="$(wall "$deferlab" disasm "$lib" --all) "
  samples[objdump_all]+="$(wall objdump -d "$lib") "
done
declare -A med
for n in "${names[@]}"; do
  med[$n]=$(tr ' ' '\n' <<< "${samples[$n]}" | grep -v '^$' | median)
done
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')
echo "File: \`$lib\` ($(du -h "$lib" | cut -f1)), $(nproc) cores ($cpu), $runs runs each, medians of wall time."
echo
echo "| task | deferlab | reference | ratio (deferlab / reference) |"
echo "|---|---:|---:|---:|"
printf '| one symbol (`%s`) | %.3f s | %.3f s (llvm-objdump --disassemble-symbols) | %.2f |\n' \
  "$symbol" "${med[deferlab_symbol]}" "${med[llvm_objdump_symbol]}" \
  "$(awk -v a="${med[deferlab_symbol]}" -v b="${med[llvm_objdump_symbol]}" 'BEGIN { print a / b }')"
printf '| whole .text, NDJSON (`--all`) | %.2f s | %.2f s (objdump -d) | %.2f |\n' \
  "${med[deferlab_all]}" "${med[objdump_all]}" \
  "$(awk -v a="${med[deferlab_all]}" -v b="${med[objdump_all]}" 'BEGIN { print a / b }')"
