#!/bin/sh
# short_run.sh BIN HARNESS FUZZ_DIR WORK_DIR SECONDS
#
# The CTest "fuzz-short" run of one harness: a bounded libFuzzer run
# (time and runs) over a fresh copy of fuzz/corpus/HARNESS in WORK_DIR, so
# the repository is never modified. Exits non-zero when libFuzzer finds a
# crash, leak or timeout; the reproducer is in WORK_DIR/artifacts.
set -eu
bin=$1
h=$2
fuzz=$3
work=$4
secs=$5
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
if [ -d "$fuzz/corpus/$h" ]; then
  find "$fuzz/corpus/$h" -maxdepth 1 -type f -exec cp {} "$work/corpus/" \;
fi
opts=$(sh "$fuzz/options.sh" "$fuzz" "$h")
cd "$work"
# -runs bounds the run on a fast machine as -max_total_time does on a slow
# one; -timeout flags a single input that hangs.
# shellcheck disable=SC2086
exec "$bin" $opts -max_total_time="$secs" -runs=2000000 -timeout=30 \
  -rss_limit_mb=2560 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$work/corpus"
