#!/bin/bash
# run.sh - build ce_bench in Release, run it pinned to one core with
# repetitions, and print the results table (bench/table.py).
#
# Usage: bench/run.sh [--quick] [--json FILE] [--filter REGEX]
#                     [--reps N] [--min-time SECONDS] [--cpu N]
#                     [--build-dir DIR] [--no-build] [--help]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build="$root/build-bench"
json=""
filter=""
reps=5
min_time=0.05
quick=0
do_build=1
cpu=""

usage() {
  cat <<'EOF'
Usage: bench/run.sh [options]

Builds the ce_bench target in Release (in build-bench/ by default), runs it
pinned to one core (taskset, when available) and prints one table: mode,
payload size, direction, ns per packet (median of the repetitions), ratio
to the baseline of the row's backend (OpenSSL EVP or intel-ipsec-mb by
hand), to the raw ipsec-mb GCM call and to chanenc on OpenSSL, ratio to
libsrtp AEAD GCM where it applies, then the channel pipeline, key setup,
and the targets (PASS/FAIL).

Options:
  --quick            fast run: 3 repetitions of 0.01 s (about 30 s in all);
                     figures are rougher
  --json FILE        keep Google Benchmark's JSON output in FILE
  --filter REGEX     only benchmarks whose name matches (Google Benchmark
                     --benchmark_filter), e.g. '/1200$' or '^(ce|base)/'
  --reps N           repetitions per benchmark (default 5)
  --min-time S       minimum seconds per repetition (default 0.05; the full
                     run then takes about 3 to 4 minutes)
  --cpu N            core to pin to (default: the last one)
  --build-dir DIR    build directory (default: build-bench)
  --no-build         use the existing binary
  --help             this text

Benchmark names: ce/, ce-openssl/, base/, base-imb/, imb/, srtp/, gcry/
(protect, unprotect), chan/ (send, receive), sm4raw/, setup/, meta/ring/.
See bench/README.md for the method.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
  --quick) quick=1 ;;
  --json) json="$2"; shift ;;
  --json=*) json="${1#--json=}" ;;
  --filter) filter="$2"; shift ;;
  --filter=*) filter="${1#--filter=}" ;;
  --reps) reps="$2"; shift ;;
  --min-time) min_time="$2"; shift ;;
  --cpu) cpu="$2"; shift ;;
  --build-dir) build="$2"; shift ;;
  --no-build) do_build=0 ;;
  -h | --help) usage; exit 0 ;;
  *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  reps=3
  min_time=0.01
fi

if [ "$do_build" = 1 ]; then
  gen=()
  if command -v ninja >/dev/null && [ ! -f "$build/Makefile" ]; then
    gen=(-G Ninja)
  fi
  cmake -S "$root" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCE_BUILD_BENCH=ON -DCE_BUILD_PYTHON=OFF -DCE_BUILD_FUZZ=OFF \
    -DCE_BUILD_FUZZ_REPLAY=OFF >/dev/null
  cmake --build "$build" --target ce_bench >/dev/null
fi
bin="$build/bench/ce_bench"
[ -x "$bin" ] || { echo "run.sh: $bin not built" >&2; exit 1; }

# Conditions, printed with the table.
ncpu=$(nproc)
[ -n "$cpu" ] || cpu=$((ncpu - 1))
pin=()
if command -v taskset >/dev/null && taskset -c "$cpu" true 2>/dev/null; then
  pin=(taskset -c "$cpu")
  pinned="pinned to cpu $cpu (taskset)"
else
  pinned="not pinned (taskset unavailable)"
fi
gov=/sys/devices/system/cpu/cpu$cpu/cpufreq/scaling_governor
if [ -r "$gov" ]; then
  scaling="cpufreq governor $(cat "$gov")"
else
  scaling="cpufreq not exposed (no $gov; a VM or fixed frequency)"
fi
if [ -r /sys/devices/system/cpu/intel_pstate/no_turbo ]; then
  scaling="$scaling, intel_pstate no_turbo=$(cat /sys/devices/system/cpu/intel_pstate/no_turbo)"
fi
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

tmp=""
if [ -z "$json" ]; then
  tmp=$(mktemp /tmp/ce_bench.XXXXXX.json)
  json="$tmp"
fi
trap '[ -n "$tmp" ] && rm -f "$tmp"' EXIT

args=(--benchmark_repetitions="$reps" --benchmark_min_time="$min_time"
  --benchmark_out="$json" --benchmark_out_format=json)
if [ "$reps" -gt 1 ]; then
  # Interleaving the repetitions of all benchmarks spreads slow drifts in
  # the machine's load evenly over chanenc, baseline and libsrtp.
  args+=(--benchmark_report_aggregates_only=true
    --benchmark_enable_random_interleaving=true)
fi
[ -z "$filter" ] || args+=(--benchmark_filter="$filter")

log="$build/bench/last_run.txt"
echo "ce_bench: $reps repetitions x ${min_time}s, $pinned; console log in $log" >&2
start=$(date +%s)
"${pin[@]}" "$bin" "${args[@]}" >"$log" 2>&1 || {
  echo "run.sh: ce_bench failed; see $log" >&2
  tail -20 "$log" >&2
  exit 1
}
end=$(date +%s)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

echo "Conditions: $ncpu cpus, $pinned; $scaling; load average" \
  "$load_before before, $load_after after; $((end - start)) s;" \
  "$reps repetitions x ${min_time}s"
/usr/bin/python3 "$here/table.py" "$json"
