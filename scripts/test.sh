#!/usr/bin/env bash
# scripts/test.sh - runs ALL of chanenc's tests. Installs the Debian
# packages it needs when they are missing, then:
#   1. release build (gcc): every CTest test - C unit tests, standard and
#      CE1 vectors, pytest suites (bindings, adapter, conformance runner),
#      fuzz corpus replay, benchmark smoke run;
#   2. ASan + UBSan build (gcc): C tests, corpus replay, pytest suites,
#      the benchmark smoke run;
#   3. OpenSSL-only build (-DCE_WITH_IPSECMB=OFF): every CTest test, as
#      on a machine without intel-ipsec-mb (OpenSSL is then the only GCM
#      backend, and CE_BACKEND_AUTO chooses it);
#   4. fault-injection build (ASan+UBSan, LeakSanitizer): every OpenSSL
#      call, allocation and lock initialisation of ref/ made to fail in
#      turn (tests/c/test_faults.c, label faults);
#   5. ThreadSanitizer build: the threading tests (label tsan);
#   6. libFuzzer build (clang): short bounded runs (CE1 differential vs.
#      libce1impl_mbedtls.so) and catching the broken library (fuzz-short);
#   7. coverage (gcc --coverage, scripts/coverage.sh): line and branch
#      coverage of ref/ from the C tests and fuzz corpora, at least 98% of
#      lines and 95% of branches.
# Usage: scripts/test.sh [--quick]   (--quick: stage 1 only)
# Build trees go to build-test/ (override with CE_TEST_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh

quick=0
case "${1:-}" in
--quick) quick=1 ;;
-h | --help)
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 0
  ;;
"") ;;
*)
  echo "usage: scripts/test.sh [--quick]" >&2
  exit 2
  ;;
esac

ce_need_packages "${CE_BUILD_PACKAGES[@]}" "${CE_TEST_PACKAGES[@]}"
# The Node.js adapter (tools/adapters/node_adapter.mjs) and its tests.
command -v node >/dev/null || ce_need_packages nodejs

root="${CE_TEST_BUILD_DIR:-build-test}"
jobs="$(nproc)"
common=(-G Ninja -DPython3_EXECUTABLE="$CE_PYTHON" -DCMAKE_BUILD_TYPE=RelWithDebInfo
  -DCE_REQUIRE_WYCHEPROOF=ON)
failed=()

stage() { # name, build dir, ctest args..., -- cmake args...
  local name="$1" dir="$2"
  shift 2
  local ctest_args=()
  while [ "$1" != "--" ]; do
    ctest_args+=("$1")
    shift
  done
  shift
  echo "=== $name ==="
  if cmake -S . -B "$dir" "${common[@]}" "$@" >"$dir.configure.log" 2>&1 &&
    cmake --build "$dir" -j "$jobs" >"$dir.build.log" 2>&1; then
    (cd "$dir" && ctest --output-on-failure --no-tests=error -j "$jobs" "${ctest_args[@]}") ||
      failed+=("$name")
  else
    echo "chanenc: $name: configure/build failed; log:" >&2
    tail -n 40 "$dir.configure.log" "$dir.build.log" >&2 || true
    failed+=("$name (build)")
  fi
}

mkdir -p "$root"
stage "release build: all tests" "$root/release" -- \
  -DCE_BUILD_FUZZ_REPLAY=ON -DCE_BUILD_BENCH=ON -DCE_BUILD_PYTHON=ON

if [ "$quick" = 0 ]; then
  stage "ASan+UBSan build: C tests, corpus replay, Python suites, bench smoke" \
    "$root/asan" -- -DCE_SANITIZE=ON -DCE_BUILD_PYTHON=ON -DCE_BUILD_BENCH=ON
  stage "OpenSSL-only build (-DCE_WITH_IPSECMB=OFF): all tests" \
    "$root/openssl-only" -- -DCE_WITH_IPSECMB=OFF -DCE_BUILD_FUZZ_REPLAY=ON \
    -DCE_BUILD_BENCH=ON -DCE_BUILD_PYTHON=ON
  stage "fault-injection build (ASan+UBSan+LSan): every failure path" \
    "$root/faults" -L faults -- -DCE_FAULT_INJECTION=ON -DCE_SANITIZE=ON \
    -DCE_BUILD_PYTHON=OFF -DCE_BUILD_BENCH=OFF -DCE_BUILD_FUZZ_REPLAY=OFF
  stage "ThreadSanitizer build: threading tests" "$root/tsan" -L tsan -- \
    -DCE_TSAN=ON -DCE_BUILD_PYTHON=OFF -DCE_BUILD_BENCH=OFF -DCE_BUILD_FUZZ_REPLAY=OFF
  stage "libFuzzer build (clang): short fuzz runs" "$root/fuzz" -L fuzz-short -- \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCE_BUILD_FUZZ=ON \
    -DCE_BUILD_FUZZ_REPLAY=OFF -DCE_BUILD_PYTHON=OFF -DCE_BUILD_BENCH=OFF -DCE_BUILD_TESTS=OFF
  echo "=== coverage of ref/ (scripts/coverage.sh) ==="
  CE_COVERAGE_BUILD_DIR="$root/coverage" scripts/coverage.sh ||
    failed+=("coverage")
fi

if [ ${#failed[@]} -ne 0 ]; then
  printf 'chanenc tests FAILED in: %s\n' "${failed[@]}" >&2
  exit 1
fi
echo "chanenc: all test stages passed"
