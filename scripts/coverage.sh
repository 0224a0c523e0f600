#!/usr/bin/env bash
# scripts/coverage.sh - line and branch coverage of ref/ (ref/src and
# ref/testing) from the C test suite plus the fuzz corpora, in one command.
#
#   1. configures a gcc --coverage build (-O0, Debug) in build-coverage/
#      (override with CE_COVERAGE_BUILD_DIR) with CE_FAULT_INJECTION=ON (the
#      fault sites, so tests/c/test_faults.c takes every failure branch) and
#      CE_BUILD_FUZZ_REPLAY=ON (every corpus in fuzz/corpus/ replayed), and
#      builds it;
#   2. zeroes the counters (deletes every .gcda of the build);
#   3. runs the CTest tests of that build: the C tests (test_faults
#      included), the fuzz corpus replays and the examples; the pytest
#      suites too with --python. Not consumer_install: it checks that the
#      installed libchanenc.so exports only ce_ symbols, and a --coverage
#      library also exports libgcov's;
#   4. runs gcovr over ref/src and ref/testing and prints a per-file table
#      of lines and branches, the uncovered line numbers, and the totals.
# Exits 1 when a total is under its threshold (98% lines, 95% branches
# unless overridden), 3 when a CTest test failed (the figures are printed
# anyway), 2 on a usage error.
#
# Usage: scripts/coverage.sh [--html DIR] [--min-lines PCT]
#                            [--min-branches PCT] [--python] [-j N]
#   --html DIR          also write a detailed HTML report to DIR/index.html
#   --min-lines PCT     line threshold in percent (default 98)
#   --min-branches PCT  branch threshold in percent (default 95)
#   --python            also build the SWIG module and run the pytest suites
#                       (4 times slower; they exercise the same C through
#                       the bindings and added nothing to ref/'s figures
#                       when last measured)
#   -j N                parallel build and test jobs (default: nproc)
#
# The build adds -fprofile-update=atomic (threaded tests) and
# -fno-builtin-fork (so that fork() children keep their counters); see
# the comments where they are set.
#
# Branch counting: gcovr's --exclude-unreachable-branches (branches the
# compiler emits on lines without code, e.g. a closing brace) and
# --exclude-throw-branches (C++ exception edges; none in C) only. Nothing
# in ref/ is excluded: --no-markers makes gcovr ignore any GCOVR_EXCL
# marker in the sources. In this build every CE__FAULT(site) is a call
# whose result is ||-ed with the real call (internal.h), so each site adds
# a branch pair; test_faults takes both sides of every one.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

min_lines=98
min_branches=95
html=""
python=OFF
jobs="$(nproc)"

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
need_arg() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then
    echo "coverage.sh: $1 needs a value (see --help)" >&2
    exit 2
  fi
}
is_pct() { [[ "$1" =~ ^[0-9]+(\.[0-9]+)?$ ]] && awk -v p="$1" 'BEGIN{exit !(p <= 100)}'; }

while [ $# -gt 0 ]; do
  case "$1" in
  -h | --help)
    usage
    exit 0
    ;;
  --html)
    need_arg "$@"
    html="$2"
    shift 2
    ;;
  --min-lines)
    need_arg "$@"
    is_pct "$2" || { echo "coverage.sh: --min-lines: not a percentage: $2" >&2; exit 2; }
    min_lines="$2"
    shift 2
    ;;
  --min-branches)
    need_arg "$@"
    is_pct "$2" || { echo "coverage.sh: --min-branches: not a percentage: $2" >&2; exit 2; }
    min_branches="$2"
    shift 2
    ;;
  --python)
    python=ON
    shift
    ;;
  -j)
    need_arg "$@"
    [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "coverage.sh: -j: not a count: $2" >&2; exit 2; }
    jobs="$2"
    shift 2
    ;;
  *)
    echo "coverage.sh: unknown argument: $1 (see --help)" >&2
    exit 2
    ;;
  esac
done

. scripts/deps.sh
ce_need_packages "${CE_BUILD_PACKAGES[@]}" "${CE_COVERAGE_PACKAGES[@]}"

build="${CE_COVERAGE_BUILD_DIR:-build-coverage}"
mkdir -p "$build"
build="$(cd "$build" && pwd)"
start=$(date +%s)

echo "=== coverage: configure and build ($build) ==="
# -fprofile-update=atomic: the threading tests update the same counters
# from several threads; plain updates race and gcov then reads negative
# branch counts.
# -fno-builtin-fork: otherwise gcc turns each fork() call into
# __gcov_fork(), which zeroes the child's counters after fork() returns,
# i.e. after the atfork child handler (fork.c) ran: the handler, which
# does run, would be reported as never run. (A child's counters then
# include its parent's counts up to the fork: counts, not coverage.)
cov_flags="--coverage -fprofile-update=atomic"
cov_cflags="$cov_flags -fno-builtin-fork"
if ! cmake -S "$root" -B "$build" -G Ninja \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_FLAGS="$cov_cflags" -DCMAKE_CXX_FLAGS="$cov_cflags" \
  -DCMAKE_EXE_LINKER_FLAGS="$cov_flags" \
  -DCMAKE_SHARED_LINKER_FLAGS="$cov_flags" \
  -DCMAKE_MODULE_LINKER_FLAGS="$cov_flags" \
  -DPython3_EXECUTABLE="$CE_PYTHON" \
  -DCE_FAULT_INJECTION=ON -DCE_BUILD_FUZZ_REPLAY=ON \
  -DCE_BUILD_PYTHON="$python" -DCE_BUILD_BENCH=OFF \
  -DCE_SANITIZE=OFF -DCE_TSAN=OFF -DCE_BUILD_FUZZ=OFF \
  -DCE_BUILD_COVERAGE=OFF >"$build.configure.log" 2>&1; then
  tail -n 40 "$build.configure.log" >&2
  echo "coverage.sh: configure failed (log: $build.configure.log)" >&2
  exit 3
fi
if ! cmake --build "$build" -j "$jobs" >"$build.build.log" 2>&1; then
  tail -n 40 "$build.build.log" >&2
  echo "coverage.sh: build failed (log: $build.build.log)" >&2
  exit 3
fi

echo "=== coverage: zero counters, run the CTest tests ==="
find "$build" -name '*.gcda' -delete
tests_ok=1
# Not run here, and why:
#  - consumer_install checks that the installed libchanenc.so exports only
#    ce_ symbols; a --coverage library also exports libgcov's __gcov_*, so
#    it fails by construction. It tests packaging, and the little of ref/
#    its consumer program runs is run by every other test.
#  - without --python, the pytest suites (py_*): CTest registers them even
#    when the SWIG module is not built, and those that import it then fail.
skip='^consumer_install$'
[ "$python" = ON ] || skip='^(consumer_install|py_.*)$'
(cd "$build" && ctest --output-on-failure --no-tests=error -j "$jobs" \
  -E "$skip") || tests_ok=0

echo "=== coverage: gcovr over ref/src and ref/testing ==="
out="$build/coverage"
rm -rf "$out"
mkdir -p "$out"
# Data: every .gcda of this build directory (and no other: without a
# search path gcovr would also read other build trees under --root), except
# CMake's compiler checks in $build/CMakeFiles, which are not the project's
# code. The filter keeps ref/src and ref/testing (ref/include has
# declarations only). gcovr runs in the build directory, so no gcov file
# lands in the source tree, and single-threaded: with -j, gcovr 5.2 hangs
# instead of exiting when gcov's output cannot be parsed.
(cd "$build" && gcovr --root "$root" --object-directory "$build" \
  --exclude-directories "$build/CMakeFiles/" \
  --filter "$root/ref/src/" --filter "$root/ref/testing/" \
  --exclude-unreachable-branches --exclude-throw-branches --no-markers \
  --json "$out/coverage.json" "$build") >"$out/gcovr.log" 2>&1 || {
  cat "$out/gcovr.log" >&2
  echo "coverage.sh: gcovr failed" >&2
  exit 3
}
report=(--root "$root" --add-tracefile "$out/coverage.json")
echo "--- lines (Missing: line numbers never executed) ---"
gcovr "${report[@]}" --txt
echo "--- branches (Missing: lines with a branch never taken) ---"
gcovr "${report[@]}" --txt --branches
gcovr "${report[@]}" --json-summary "$out/summary.json"
if [ -n "$html" ]; then
  mkdir -p "$html"
  gcovr "${report[@]}" --html-details "$html/index.html" \
    --html-title "chanenc: coverage of ref/ (tests + fuzz corpora)"
  echo "HTML report: $html/index.html"
fi

elapsed=$(($(date +%s) - start))
"$CE_PYTHON" - "$out/summary.json" "$min_lines" "$min_branches" "$elapsed" \
  "$tests_ok" <<'EOF'
import json, sys
summary, min_lines, min_branches, elapsed, tests_ok = sys.argv[1:]
min_lines, min_branches = float(min_lines), float(min_branches)
d = json.load(open(summary))

def pct(c, t):
    return 100.0 * c / t if t else 100.0

print("--- per file ---")
print(f"{'file':<28} {'lines':>16} {'branches':>16}")
for f in sorted(d["files"], key=lambda f: f["filename"]):
    lc, lt = f["line_covered"], f["line_total"]
    bc, bt = f["branch_covered"], f["branch_total"]
    print(f"{f['filename']:<28} {lc:>5}/{lt:<5}{pct(lc, lt):5.1f}% "
          f"{bc:>5}/{bt:<5}{pct(bc, bt):5.1f}%")
lc, lt = d["line_covered"], d["line_total"]
bc, bt = d["branch_covered"], d["branch_total"]
lp, bp = pct(lc, lt), pct(bc, bt)
print(f"{'TOTAL':<28} {lc:>5}/{lt:<5}{lp:5.1f}% {bc:>5}/{bt:<5}{bp:5.1f}%")
print(f"coverage of ref/: lines {lp:.2f}% ({lc}/{lt}), "
      f"branches {bp:.2f}% ({bc}/{bt}); {elapsed} s")
rc = 0
if lp < min_lines:
    print(f"coverage.sh: FAIL: line coverage {lp:.2f}% is under the "
          f"threshold {min_lines:g}% (--min-lines)", file=sys.stderr)
    rc = 1
if bp < min_branches:
    print(f"coverage.sh: FAIL: branch coverage {bp:.2f}% is under the "
          f"threshold {min_branches:g}% (--min-branches)", file=sys.stderr)
    rc = 1
if rc == 0:
    print(f"coverage.sh: OK: lines >= {min_lines:g}%, "
          f"branches >= {min_branches:g}%")
if tests_ok != "1":
    print("coverage.sh: FAIL: some CTest tests failed (see above); the "
          "figures count what the tests reached", file=sys.stderr)
    rc = 3
sys.exit(rc)
EOF
