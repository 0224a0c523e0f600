#!/bin/sh
# usage: fuzz/coverage.sh [BUILD_DIR]
#
# Which lines and functions of ref/ the committed corpora reach:
#   1. configures and builds the replay binaries with clang source-based
#      coverage (CE_BUILD_COVERAGE=ON: -fprofile-instr-generate
#      -fcoverage-mapping on a copy of the library) in build-fuzz-cov/;
#   2. replays every harness's corpus fuzz/corpus/<harness>/;
#   3. merges the profiles and prints llvm-cov's report for ref/src and
#      ref/include, the per-function list, and the functions never reached
#      (the line to watch: "unreached functions: 0"). The tools helpers'
#      summary follows for information.
# An HTML report is written to BUILD_DIR/cov/html.
set -eu
fuzz=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$fuzz")
build=${1:-$root/build-fuzz-cov}
harnesses="unprotect roundtrip channel config primitive json vecfile adapter differential"
profdata=$(command -v llvm-profdata || command -v llvm-profdata-14)
llvmcov=$(command -v llvm-cov || command -v llvm-cov-14)

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang \
    -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    -DCE_BUILD_COVERAGE=ON -DCE_BUILD_FUZZ_REPLAY=ON -DCE_BUILD_TESTS=OFF \
    -DCE_BUILD_PYTHON=OFF -DCE_BUILD_BENCH=OFF >/dev/null
fi
targets=""
for h in $harnesses; do
  [ -f "$fuzz/${h}_fuzzer.c" ] && targets="$targets ${h}_replay"
done
# shellcheck disable=SC2086
cmake --build "$build" --target $targets ce1impl_ref >/dev/null

cov=$build/cov
rm -rf "$cov"
mkdir -p "$cov"
objects=""
for h in $harnesses; do
  b=$build/fuzz/${h}_replay
  [ -x "$b" ] || continue
  if LLVM_PROFILE_FILE="$cov/$h-%p.profraw" \
    CE1_DIFF_LIB="$build/tools/libce1impl_ref.so" \
    "$b" "$fuzz/corpus/$h" >"$cov/$h.log" 2>&1; then
    echo "replayed $h: $(tail -1 "$cov/$h.log")"
  else
    # An input that fails its checks aborts the process before the profile
    # is written: replay file by file instead, so the report still counts
    # every other input, and name the failures (they are bugs to fix).
    rm -f "$cov/$h"-*.profraw
    failed=0
    for f in "$fuzz/corpus/$h"/*; do
      LLVM_PROFILE_FILE="$cov/$h-%p.profraw" \
        CE1_DIFF_LIB="$build/tools/libce1impl_ref.so" \
        "$b" "$f" >>"$cov/$h.log" 2>&1 ||
        { failed=$((failed + 1)); echo "  FAILS: $f"; }
    done
    echo "replayed $h file by file: $failed input(s) fail, see $cov/$h.log"
  fi
  if [ -z "$objects" ]; then objects=$b; else objects="$objects -object $b"; fi
done
"$profdata" merge -sparse "$cov"/*.profraw -o "$cov/all.profdata"

src="$root/ref/src $root/ref/include"
echo
echo "== coverage of ref/ by the corpora (llvm-cov report)"
# shellcheck disable=SC2086
"$llvmcov" report -instr-profile="$cov/all.profdata" $objects $src
echo
echo "== functions of ref/ (execution count, name)"
# shellcheck disable=SC2086
"$llvmcov" report -show-functions -instr-profile="$cov/all.profdata" \
  $objects $src >"$cov/functions.txt"
# Columns: Name Regions Miss Cover Lines Miss Cover Branches Miss Cover.
# A function none of whose regions ran was never entered. A static inline
# function of a header is listed once per file that includes it
# ("ctx.c:ce__fits_int"): it counts as reached when any copy is.
awk '$1 == "File" { file = $2; gsub(/[\047:]/, "", file); sub(".*/", "", file) }
     NF >= 10 && $2 ~ /^[0-9]+$/ && $1 != "TOTAL" {
       name = $1; sub(/^[^:]*:/, "", name); k = file " " name
       if (!(k in seen)) { seen[k] = 1; order[++n] = k; cover[k] = $7 }
       if ($3 < $2) hit[k] = 1
       if ($7 + 0 > cover[k] + 0) cover[k] = $7
     }
     END {
       for (i = 1; i <= n; i++) {
         k = order[i]; split(k, p, " ")
         printf "  %-12s %-36s lines %7s  %s\n", p[1], p[2], cover[k],
                (k in hit) ? "reached" : "NOT REACHED"
       }
     }' "$cov/functions.txt" | tee "$cov/functions.list"
unreached=$(grep -c 'NOT REACHED' "$cov/functions.list" || true)
total=$(wc -l <"$cov/functions.list")
echo
echo "functions of ref/: $total, unreached functions: $unreached"

echo
echo "== for information: tools/common (JSON, hex, vector files, cache)"
# shellcheck disable=SC2086
"$llvmcov" report -instr-profile="$cov/all.profdata" $objects \
  "$root/tools/common" | tail -n +1
# shellcheck disable=SC2086
"$llvmcov" show -format=html -output-dir="$cov/html" \
  -instr-profile="$cov/all.profdata" $objects $src "$root/tools/common" \
  >/dev/null 2>&1 || true
echo "HTML report: $cov/html/index.html"
