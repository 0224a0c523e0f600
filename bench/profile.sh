#!/bin/bash
# profile.sh - instructions per packet of one operation, by function, with
# callgrind over ce_prof (bench/ce_prof.c). Compare chanenc with the
# baseline:
#
#   bench/profile.sh ce   unprotect AES_128_ECB 64
#   bench/profile.sh base unprotect AES_128_ECB 64
#   bench/profile.sh chan receive   AES_128_GCM 1200
#
# Usage: bench/profile.sh WHO OP MODE SIZE [COUNT] [--perf]
#   WHO ce|ce-openssl|base|base-imb|chan (ce: the default backend, ipsec-mb
#   for GCM where built in; under valgrind ipsec-mb runs its AVX2 code),
#   OP protect|unprotect|send|receive, COUNT packets
#   (default 20000). --perf: also `perf stat` 1,000,000 packets natively.
# Uses build-bench/bench/ce_prof (built by bench/run.sh, or
# `cmake --build build-bench --target ce_prof`); BUILD_DIR overrides.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD_DIR:-$here/../build-bench}
prof="$build/bench/ce_prof"
if [ $# -lt 4 ] || [ "$1" = --help ]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
who=$1 op=$2 mode=$3 size=$4
count=${5:-20000}
[ "$count" = --perf ] && count=20000
[ -x "$prof" ] || cmake --build "$build" --target ce_prof >/dev/null

out=$(mktemp /tmp/ce_prof.XXXXXX.cg)
trap 'rm -f "$out"' EXIT
valgrind --tool=callgrind --toggle-collect=prof_op --callgrind-out-file="$out" \
  "$prof" "$who" "$op" "$mode" "$size" "$count" >/dev/null 2>&1
echo "$who $op $mode $size: instructions per packet (inclusive), $count packets"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null |
  sed -n '/file:function/,/^$/p' | grep -v -e 'file:function' -e '^-' |
  awk -v n="$count" '
    /prof_op/ { seen = 1 }
    seen && NF >= 3 {
      ir = $1; gsub(",", "", ir)
      fn = $0; sub(/^ *[0-9,]+ *\([ 0-9.%]+\) */, "", fn)
      sub(/ \[.*\]$/, "", fn); sub(/^.*:/, "", fn)
      if (ir / n >= 1) printf "%10.1f  %s\n", ir / n, fn
    }'
if [ "${*: -1}" = --perf ] && command -v perf >/dev/null; then
  perf stat -e task-clock "$prof" "$who" "$op" "$mode" \
    "$size" 1000000 2>&1 | grep -E "task-clock|elapsed"
fi
