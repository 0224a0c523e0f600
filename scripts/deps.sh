# scripts/deps.sh - sourced by the other scripts: installs the Debian
# packages chanenc needs when they are missing. `ce_need_packages PKG...`
# checks each with dpkg and runs apt-get (as root, or through sudo) only
# for the missing ones.

ce_need_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "chanenc: installing missing Debian packages: ${missing[*]}" >&2
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || {
      echo "chanenc: need root or sudo to install: ${missing[*]}" >&2
      return 1
    }
    sudo="sudo"
  fi
  $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# What a build of the library, tests, bindings and tools needs.
CE_BUILD_PACKAGES=(build-essential cmake ninja-build pkg-config libssl-dev
  swig python3 python3-dev python3-pytest python3-cryptography)
# Extra for the full test run: libFuzzer (clang), benchmarks, libsrtp peer,
# valgrind (test_sm4_ct_valgrind), and intel-ipsec-mb (the GCM modes' fast
# backend, optional for a build: without it the library has the OpenSSL
# backend only).
CE_TEST_PACKAGES=(clang llvm libclang-rt-14-dev libbenchmark-dev libsrtp2-dev
  valgrind libipsec-mb-dev)
# The standard known-answer vectors, read where these packages install
# them (vectors/README.md): the C vector test and the conformance runner.
CE_VECTOR_PACKAGES=(python3-cryptography-vectors libcrypto++-utils)
CE_TEST_PACKAGES+=("${CE_VECTOR_PACKAGES[@]}")
# The other crypto libraries the compatibility matrix measures
# (tools/libs/, scripts/matrix.sh); the tests run their adapters too.
CE_OTHER_LIB_PACKAGES=(libgcrypt20-dev nettle-dev libmbedtls-dev libwolfssl-dev
  libbotan-2-dev libtomcrypt-dev)
CE_TEST_PACKAGES+=("${CE_OTHER_LIB_PACKAGES[@]}")
# Line and branch coverage of ref/ (scripts/coverage.sh).
CE_COVERAGE_PACKAGES=(gcovr)
CE_TEST_PACKAGES+=("${CE_COVERAGE_PACKAGES[@]}")

# Debian's interpreter, which has pytest and cryptography (the python3
# first on PATH may be another one).
CE_PYTHON=/usr/bin/python3
