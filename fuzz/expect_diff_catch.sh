#!/bin/sh
# expect_diff_catch.sh BIN BROKEN_LIB FUZZ_DIR WORK_DIR SECONDS [HARNESS]
#
# HARNESS (default differential) names the harness whose options to use:
# differential (CE1 frames) or sframe_differential (SFrame).
# Shows that the differential harness finds the planted bug of
# libce1impl_broken.so (fuzz/broken/ce1impl_broken.c): runs it against
# that library from an EMPTY corpus (so no vector seed hands it the
# answer) for at most SECONDS, and passes only when libFuzzer stopped on a
# crash whose report is a DIFFERENCE with both outputs printed. Prints the
# time it took and the report.
set -u
bin=$1
broken=$2
fuzz=$3
work=$4
secs=$5
harness=${6:-differential}
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
opts=$(sh "$fuzz/options.sh" "$fuzz" "$harness")
start=$(date +%s.%N)
# shellcheck disable=SC2086
CE1_DIFF_LIB=$broken "$bin" $opts -max_total_time="$secs" -timeout=30 \
  -rss_limit_mb=2560 -artifact_prefix="$work/artifacts/" "$work/corpus" \
  >"$work/log" 2>&1
rc=$?
end=$(date +%s.%N)
elapsed=$(echo "$start $end" | awk '{ printf "%.1f", $2 - $1 }')
if [ "$rc" -eq 0 ]; then
  echo "FAIL: no difference found against $broken in ${secs}s"
  tail -5 "$work/log"
  exit 1
fi
if ! grep -q '^DIFFERENCE' "$work/log" ||
   ! grep -q '^reference out' "$work/log" ||
   ! grep -q '^other out' "$work/log"; then
  echo "FAIL: libFuzzer stopped (rc $rc) but not on a DIFFERENCE report"
  tail -40 "$work/log"
  exit 1
fi
execs=$(grep -o '^#[0-9]*' "$work/log" | tail -1)
echo "PASS: difference found after ${elapsed}s (last status line ${execs:-#?})"
sed -n '/^DIFFERENCE/,/^other out/p' "$work/log"
ls "$work/artifacts"
exit 0
