#!/usr/bin/env bash
# `cmake --install` gives a deferlab that works with no build tree: the command, the lab
# binary and the schemas are installed, the prefix can be moved, and `run` finds the lab
# binary beside itself (not through a path compiled in). Also: the lab is recognised by
# the section it carries, so a renamed copy still gets the lab's report.
#
#   install_test.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$1 scratch=$2
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -rf "$scratch"; mkdir -p "$scratch/work"
cmake --install "$build" --prefix "$scratch/prefix" >"$scratch/install.log"
# Moved after installing: nothing may point back into the build tree or the first prefix.
mv "$scratch/prefix" "$scratch/moved"
p=$scratch/moved
for f in bin/deferlab lib/deferlab/deferlab_bench lib/deferlab/deferlab_empty_loop \
         share/deferlab/schemas/deferlab.report-1.schema.json; do
  [ -f "$p/$f" ] || fail "$f was not installed (install log: $scratch/install.log)"
done

cd "$scratch/work"
env -i PATH=/usr/bin:/bin HOME="$scratch" "$p/bin/deferlab" run --quick \
  --filter 'fixed_defers/(goto_cleanup|scope_guard)/1$' --out run1 >run1.out 2>run1.err ||
  { cat run1.err >&2; fail "installed deferlab run exited $?"; }
grep -q "from $p/lib/deferlab/deferlab_bench" run1.err ||
  { cat run1.err >&2; fail "run did not use the installed lab binary"; }
[ -f run1/cases.json ] || fail "the installed lab's manifest was not read"
grep -q goto_cleanup run1/review.md || fail "review.md has no lab rows"
if grep -q '"git_commit"' run1/bench.json; then
  fail "an installed deferlab reported a git commit of a source tree it does not have"
fi

# A renamed lab binary is still the lab: its manifest section says so.
cp "$p/lib/deferlab/deferlab_bench" ./renamed_lab
env -i PATH=/usr/bin:/bin HOME="$scratch" "$p/bin/deferlab" run --quick --binary ./renamed_lab \
  --filter 'fixed_defers/(goto_cleanup|scope_guard)/1$' --out run2 >run2.out 2>run2.err ||
  { cat run2.err >&2; fail "run --binary on the renamed lab exited $?"; }
[ -f run2/cases.json ] || fail "a renamed lab binary lost the lab's treatment"
echo "ok: installed to $p, moved, ran the lab and a renamed copy from $scratch/work"
