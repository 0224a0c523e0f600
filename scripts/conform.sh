#!/usr/bin/env bash
# scripts/conform.sh - the main job: checks an implementation against every
# vector file (vectors/, and the standard vectors where their Debian packages
# and Wycheproof are: vectors/README.md) and prints a table of results per
# mode and file. Installs missing Debian packages, builds chanenc (release,
# in build-conform/ or $CE_CONFORM_BUILD_DIR) and runs the conformance
# runner.
#
#   scripts/conform.sh                      the reference implementation
#   scripts/conform.sh --adapter "CMD ARGS" a JSON-lines process adapter
#   scripts/conform.sh --lib PATH.so        a library with the C ABI
#   scripts/conform.sh --help               all runner options
#
# Every argument goes to `python3 -m chanenc.conform`. Exit status 0 only
# when no case failed.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
ce_need_packages "${CE_BUILD_PACKAGES[@]}" "${CE_VECTOR_PACKAGES[@]}"

dir="${CE_CONFORM_BUILD_DIR:-build-conform}"
if ! { cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DPython3_EXECUTABLE="$CE_PYTHON" -DCE_BUILD_PYTHON=ON -DCE_BUILD_TESTS=OFF \
  -DCE_BUILD_BENCH=OFF -DCE_BUILD_FUZZ_REPLAY=OFF >"$dir.log" 2>&1 &&
  cmake --build "$dir" -j "$(nproc)" >>"$dir.log" 2>&1; }; then
  echo "chanenc: build failed; last lines of $dir.log:" >&2
  tail -n 30 "$dir.log" >&2
  exit 2
fi
case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac
export PYTHONPATH="$dir/bindings/python${PYTHONPATH:+:$PYTHONPATH}"
# The runner's usage and error lines name it as it was started.
export CE_CONFORM_PROG="$0"
exec "$CE_PYTHON" -m chanenc.conform --vectors "$PWD/vectors" "$@"
