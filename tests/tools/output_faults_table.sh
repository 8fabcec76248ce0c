#!/bin/bash
# The output-fault table of docs/faults.md: (stdout to /dev/full, | head -1, full tmpfs,
# read-only file system, -o onto a device node, a FIFO and a symlink) x (disasm --all,
# report, compare, run), with exit code, last stderr line, temporaries left and whether any
# device, FIFO or link was replaced. Needs root (it mounts small tmpfs file systems and
# makes device nodes) and a built tree: tests/tools/output_faults_table.sh [BUILD_DIR]
# Not run by ctest; tests/tools/output_faults_test.cc checks the rows that need no root.
set -u
BUILD=$(realpath "${1:-build}")
D=$BUILD/tools/deferlab
L=$BUILD/cases/deferlab_bench
S=$BUILD/tests/tools/sample_bench
W=$(mktemp -d /tmp/deferlab-faults.XXXXXX)
cd "$W"
cleanup() { cd /; umount "$W"/full "$W"/full2 "$W"/ro "$W"/rocopy 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
$D run --binary "$S" --repetitions 3 --min-time 0.001 --out base >/dev/null 2>&1
mkdir -p full ro; mount -t tmpfs -o size=64k tmpfs full; mount -t tmpfs -o ro,size=64k tmpfs ro
dd if=/dev/zero of=full/filler bs=1k count=200 2>/dev/null
cp -r base rocopy; mount --bind rocopy rocopy && mount -o remount,bind,ro rocopy
mkfifo fifo; echo old > target; ln -s target link
mknod fulldev c 1 7; mknod nulldev c 1 3
declare -A CMD
CMD[disasm]="$D disasm $L --all"
CMD[report]="$D report base -f md"
CMD[compare]="$D compare base base"
CMD[run]="$D run --binary $S --repetitions 2 --min-time 0.001 --out"
row() {  # NAME FAULT COMMAND...
  local name=$1 fault=$2; shift 2
  "$@" > out.txt 2> err.txt; local rc=$?
  local last=$(grep -v '^run: \|^deferlab: running\|^deferlab: [0-9]* \(results\|functions\)\|^deferlab: report:' err.txt | tail -1 | cut -c1-110)
  local tmps=$(find . -name '.*tmp*' -o -name '.bench.raw.json' 2>/dev/null | wc -l)
  local dev=ok
  [ -c fulldev ] && [ -c nulldev ] && [ -p fifo ] && [ -L link ] && [ -c /dev/full ] && [ -c /dev/null ] || dev=REPLACED
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$fault" "$rc" "${last:-(none)}" "$tmps" "$dev"
}
pipe() { "$@" | head -1 > /dev/null; return ${PIPESTATUS[0]}; }
echo '| command | fault | exit | stderr (last line) | temporaries left | devices/links intact |'
echo '|---|---|---|---|---|---|'
for c in disasm report compare; do
  row $c "stdout > /dev/full" bash -c "${CMD[$c]} > /dev/full"
  row $c "stdout \| head -1" pipe ${CMD[$c]}
  row $c "-o full tmpfs" ${CMD[$c]} -o full/x
  row $c "-o read-only fs" ${CMD[$c]} -o ro/x
  row $c "-o device node (full)" ${CMD[$c]} -o fulldev
  row $c "-o device node (null)" ${CMD[$c]} -o nulldev
  (cat fifo > fifo.out &); row $c "-o FIFO" ${CMD[$c]} -o fifo; sleep 0.2
  row $c "-o symlink" ${CMD[$c]} -o link
done
row "report (set)" "run dir on read-only fs" $D report rocopy
mkdir -p full2; mount -t tmpfs -o size=256k tmpfs full2; cp -r base full2/
dd if=/dev/zero of=full2/filler bs=4k 2>/dev/null; truncate -s -8K full2/filler  # room for report.json only
before=$(cat full2/base/*.json full2/base/*.html full2/base/*.md | md5sum)
row "report (set)" "run dir on full tmpfs" $D report full2/base
after=$(cat full2/base/*.json full2/base/*.html full2/base/*.md | md5sum)
[ "$before" = "$after" ] && echo "(the old report set is unchanged on the full tmpfs)" || echo "(REPORT SET CHANGED)"
row run "stdout > /dev/full" bash -c "${CMD[run]} r1 > /dev/full"
row run "stdout \| head -1" pipe ${CMD[run]} r2
row run "--out on full tmpfs" ${CMD[run]} full/r3
row run "--out on read-only fs" ${CMD[run]} ro/r4
