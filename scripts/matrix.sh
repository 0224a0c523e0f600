#!/usr/bin/env bash
# scripts/matrix.sh - the compatibility matrix: every implementation the
# project reaches (the reference in process, as a JSON-lines adapter and as
# a C ABI library; CE1 on mbedTLS; the primitive adapters over OpenSSL EVP,
# libgcrypt, Nettle, wolfSSL, Botan and libtomcrypt; pyca/cryptography and
# Node.js's crypto) run through the conformance runner over every vector
# file, printed as one table, implementations down and algorithms across,
# followed by the findings (the failing vectors of every failed cell).
#
#   scripts/matrix.sh                       print the matrix
#   scripts/matrix.sh --json m.json --markdown m.md
#   scripts/matrix.sh --only gcrypt --only nettle
#   scripts/matrix.sh -- --wycheproof DIR   runner options for every row
#   scripts/matrix.sh --help
#
# Installs the missing Debian packages (the libraries under test among
# them), builds chanenc in build-conform/ (or $CE_CONFORM_BUILD_DIR) and
# runs `python3 -m chanenc.conform.matrix`. Exit status 0 when the matrix
# was produced (failing cells are findings), 2 when something could not
# run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
ce_need_packages "${CE_BUILD_PACKAGES[@]}" "${CE_VECTOR_PACKAGES[@]}" \
  "${CE_OTHER_LIB_PACKAGES[@]}"
command -v node >/dev/null || ce_need_packages nodejs

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
exec "$CE_PYTHON" -m chanenc.conform.matrix --build "$dir" "$@"
