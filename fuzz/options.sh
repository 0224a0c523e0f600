#!/bin/sh
# options.sh FUZZ_DIR HARNESS - prints the libFuzzer flags of
# FUZZ_DIR/HARNESS.options ("key = value" lines of its [libfuzzer] section,
# the OSS-Fuzz format), with a dict path made absolute. Shared by run.sh,
# short_run.sh and expect_diff_catch.sh so the three runs use the same
# -max_len and -dict.
set -eu
fuzz=$1
h=$2
f=$fuzz/$h.options
[ -f "$f" ] || exit 0
awk -v dir="$fuzz" '
  /^\[/ { in_lf = ($0 == "[libfuzzer]"); next }
  in_lf && /=/ {
    split($0, kv, "=")
    k = kv[1]; v = substr($0, index($0, "=") + 1)
    gsub(/[ \t]/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
    if (k == "dict") v = dir "/" v
    printf "-%s=%s ", k, v
  }' "$f"
