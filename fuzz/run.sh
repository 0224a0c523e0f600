#!/bin/sh
# usage: fuzz/run.sh HARNESS SECONDS [libFuzzer flags...]
#        fuzz/run.sh HARNESS 0     (no campaign: only re-minimise the
#                                   committed corpus, step 3)
#
# A fuzzing campaign for one harness (unprotect, roundtrip, channel,
# config, primitive, json, vecfile, adapter, differential,
# sframe_unprotect, sframe_header):
#   1. configures and builds the libFuzzer binary in build-fuzz/ with clang
#      when needed (CE_BUILD_FUZZ=ON; override the directory with
#      CE_FUZZ_BUILD);
#   2. runs it for SECONDS with CE_FUZZ_JOBS (default 2: this machine's
#      cores) parallel jobs over a working corpus in
#      build-fuzz/fuzz-work/HARNESS/corpus, seeded from fuzz/corpus/HARNESS,
#      with the -max_len and -dict of fuzz/HARNESS.options;
#   3. merges the inputs that add edge coverage back into
#      fuzz/corpus/HARNESS (-merge=1 -use_counters=0), so the committed
#      corpus grows only by new edges and stays small (the working corpus
#      keeps every feature for the next campaign);
#   4. prints executions, coverage and any crash artifacts.
# The differential harness compares with CE1_DIFF_LIB, by default the
# reference adapter library libce1impl_ref.so of the same build.
# Exit status: 0 when no job found anything, 1 otherwise.
set -eu
if [ $# -lt 2 ]; then
  sed -n '2,20p' "$0"
  exit 2
fi
h=$1
secs=$2
shift 2
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
build=${CE_FUZZ_BUILD:-$root/build-fuzz}
jobs=${CE_FUZZ_JOBS:-2}
bin=$build/fuzz/${h}_fuzzer

if [ ! -f "$fuzz/${h}_fuzzer.c" ]; then
  echo "run.sh: no harness fuzz/${h}_fuzzer.c" >&2
  exit 2
fi
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCE_BUILD_FUZZ=ON -DCE_BUILD_TESTS=OFF -DCE_BUILD_PYTHON=OFF \
    -DCE_BUILD_BENCH=OFF >/dev/null
fi
# Campaigns for several harnesses may start together (one per core):
# serialise their builds of the shared directory.
build_target() {
  if command -v flock >/dev/null 2>&1; then
    flock "$build/.run-sh-build.lock" cmake --build "$build" --target "$1" >/dev/null
  else
    cmake --build "$build" --target "$1" >/dev/null
  fi
}
build_target "${h}_fuzzer"
if [ "$h" = differential ]; then
  build_target ce1impl_ref
  CE1_DIFF_LIB=${CE1_DIFF_LIB:-$build/tools/libce1impl_ref.so}
  export CE1_DIFF_LIB
fi

work=$build/fuzz-work/$h
mkdir -p "$work/corpus" "$work/artifacts" "$work/logs"
# Seed the working corpus (existing inputs there are kept: campaigns add up).
find "$fuzz/corpus/$h" -maxdepth 1 -type f -exec cp -n {} "$work/corpus/" \;
opts=$(sh "$fuzz/options.sh" "$fuzz" "$h")
rm -f "$work/logs"/fuzz-*.log

cd "$work/logs"
rc=0
if [ "$secs" -gt 0 ]; then
  set +e
  # shellcheck disable=SC2086
  "$bin" $opts -jobs="$jobs" -workers="$jobs" -max_total_time="$secs" \
    -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" \
    >"$work/logs/run.log" 2>&1
  rc=$?
  set -e
fi

# Merge back into the committed corpus, minimised: the generated seeds
# (seed-*) and regression inputs (regress-*) always stay; the inputs of
# earlier merges are pooled with this campaign's corpus and only those
# that add edges beyond the seeds and regressions return, smallest first
# (libFuzzer's -merge=1; -use_counters=0 counts edges, not hit counts), so
# the corpus grows by coverage, not by campaigns.
prev=$work/merge-prev
rm -rf "$prev"
mkdir -p "$prev"
find "$fuzz/corpus/$h" -maxdepth 1 -type f ! -name 'seed-*' \
  ! -name 'regress-*' -exec mv {} "$prev/" \;
# shellcheck disable=SC2086
if ! "$bin" $opts -merge=1 -use_counters=0 "$fuzz/corpus/$h" "$prev" \
  "$work/corpus" \
  >"$work/logs/merge.log" 2>&1; then
  echo "run.sh: merge failed, see $work/logs/merge.log; corpus restored"
  find "$prev" -maxdepth 1 -type f -exec cp -n {} "$fuzz/corpus/$h/" \;
fi

echo "== $h: $secs s, $jobs jobs"
for log in "$work/logs"/fuzz-*.log; do
  [ -f "$log" ] || continue
  execs=$(grep '^stat::number_of_executed_units' "$log" | awk '{ print $2 }')
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  echo "$(basename "$log"): execs ${execs:-?}; last: $last"
  grep -E 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error|FUZZ CHECK FAILED|DIFFERENCE' "$log" | head -3 || true
done
grep -E 'MERGE-OUTER: [0-9]+ new files' "$work/logs/merge.log" || true
found=$(find "$work/artifacts" -type f | wc -l)
echo "artifacts: $found in $work/artifacts"
if [ "$rc" -ne 0 ] || [ "$found" -ne 0 ]; then
  exit 1
fi
exit 0
