#!/bin/sh
# expect_replay_difference.sh REPLAY_BIN WHAT CORPUS...
#
# Runs a differential replay binary (fuzz/replay_main.c over a
# *_differential_fuzzer.c harness; CE1_DIFF_LIB in the environment names
# the library under test) over CORPUS and passes only when the harness
# stopped on a report "DIFFERENCE (WHAT)": the library under test has a
# planted bug of that kind, and the harness must see it. Prints the report.
set -u
bin=$1
what=$2
shift 2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$bin" "$@" >"$log" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then
  echo "FAIL: the replay of $* against ${CE1_DIFF_LIB:-?} passed;" \
       "expected a DIFFERENCE ($what)"
  tail -5 "$log"
  exit 1
fi
if ! grep -qF "DIFFERENCE ($what)" "$log"; then
  echo "FAIL: the replay stopped (rc $rc), but not on a DIFFERENCE ($what)"
  tail -40 "$log"
  exit 1
fi
echo "PASS: the replay reported DIFFERENCE ($what) (rc $rc)"
grep -m1 -A30 "^DIFFERENCE ($what)" "$log" | sed -n '1,30p'
exit 0
