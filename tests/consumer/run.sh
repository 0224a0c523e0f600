#!/usr/bin/env bash
# tests/consumer/run.sh BUILD_DIR - proves that an installed chanenc is
# usable, as CTest test consumer_install does after every build:
#   1. cmake --install BUILD_DIR into a fresh temporary prefix, and check
#      what it installed: headers (no chanenc_testing.h), libraries, the
#      CMake package and pkg-config files, nothing referring to the source
#      or build tree, and libchanenc.so exporting only ce_ symbols (none
#      with protect_pn or testing in its name);
#   2. configure tests/consumer (find_package(chanenc 0.2 CONFIG REQUIRED))
#      against that prefix with CMAKE_PREFIX_PATH, build it with Ninja, and
#      run consumer_shared (chanenc::chanenc) and consumer_static
#      (chanenc::chanenc_static); a request for chanenc 1.0, or for the
#      previous 0.x minor, must fail, and the SONAME must be major.minor
#      while the version is 0.x;
#   3. build consumer.c with pkg-config (PKG_CONFIG_PATH=<prefix>/lib/
#      pkgconfig), shared and static (--static), and run both.
# Environment: CC (compiler, default cc), CFLAGS/LDFLAGS (e.g. sanitizer
# flags; used by both builds), CE_CONSUMER_KEEP=1 keeps the temporary
# directory (it is also kept when a step fails).
# Exit status 0 only when every step passed.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/../.." && pwd)"

if [ $# -ne 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  [ $# -eq 1 ] && exit 0
  exit 2
fi
[ -f "$1/CMakeCache.txt" ] || {
  echo "consumer_install: FAIL: $1 is not a CMake build directory" >&2
  exit 2
}
build="$(cd "$1" && pwd)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/chanenc-consumer.XXXXXX")"
prefix="$tmp/prefix"
step="start"
finish() {
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "consumer_install: FAILED at step: $step (exit status $rc)" >&2
    echo "consumer_install: files kept in $tmp" >&2
  elif [ "${CE_CONSUMER_KEEP:-0}" = 1 ]; then
    echo "consumer_install: files kept in $tmp"
  else
    rm -rf "$tmp"
  fi
  exit $rc
}
trap finish EXIT

say() { echo "consumer_install: $*"; }
words() { tr '\n' ' ' <<<"$1"; }
fail() {
  echo "consumer_install: FAIL: $*" >&2
  exit 1
}
# Runs a command with its output in $tmp/<log>; prints the log on failure.
logged() {
  local log="$tmp/$1"
  shift
  if ! "$@" >"$log" 2>&1; then
    cat "$log" >&2
    fail "command failed: $*"
  fi
}

cc="${CC:-cc}"
read -r -a cflags <<<"${CFLAGS:-}"
read -r -a ldflags <<<"${LDFLAGS:-}"

# ---- 1. install and inspect the prefix -----------------------------------
step="cmake --install"
say "installing $build into $prefix"
logged install.log cmake --install "$build" --prefix "$prefix"
say "ok: cmake --install"

step="installed files"
for f in include/chanenc.h include/chanenc_channel.h lib/libchanenc.a \
  lib/libchanenc.so lib/pkgconfig/chanenc.pc \
  lib/cmake/chanenc/chanencConfig.cmake \
  lib/cmake/chanenc/chanencConfigVersion.cmake \
  lib/cmake/chanenc/chanencTargets.cmake; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
found="$(find "$prefix" -name 'chanenc_testing*' -o -name 'testing.h' | head -n 5)"
[ -z "$found" ] || fail "the testing interface was installed: $found"
say "ok: headers, libraries, CMake package and pkg-config file installed; no chanenc_testing.h"

step="no build-tree references"
# The CMake package and the .pc file must be relocatable: no absolute path
# into the source tree or the build tree.
for f in "$prefix"/lib/cmake/chanenc/*.cmake "$prefix/lib/pkgconfig/chanenc.pc"; do
  if grep -n -F -e "$build" -e "$src/" "$f" >&2; then
    fail "$f refers to the build or source tree (lines above)"
  fi
done
say "ok: CMake package and chanenc.pc refer to neither $build nor $src"

step="exported symbols"
command -v nm >/dev/null || fail "nm not found (binutils)"
nm -D --defined-only "$prefix/lib/libchanenc.so" >"$tmp/nm.txt" ||
  fail "nm -D failed on $prefix/lib/libchanenc.so"
syms="$(awk 'NF >= 3 { print $3 }' "$tmp/nm.txt" | sed 's/@.*//' | sort -u)"
[ -n "$syms" ] || fail "libchanenc.so exports no symbols"
bad="$(grep -E 'protect_pn|testing' <<<"$syms" || true)"
[ -z "$bad" ] || fail "libchanenc.so exports testing symbols: $(words "$bad")"
bad="$(grep -v '^ce_' <<<"$syms" || true)"
[ -z "$bad" ] || fail "libchanenc.so exports symbols without the ce_ prefix: $(words "$bad")"
say "ok: libchanenc.so exports $(wc -l <<<"$syms") symbols, all ce_*, none testing/protect_pn"

# The static archive: the same public symbols and nothing else global (the
# internal ce__ functions, protect with a chosen packet number among them,
# are local to its one object; ref/CMakeLists.txt).
nm -g --defined-only "$prefix/lib/libchanenc.a" >"$tmp/nm_a.txt" 2>/dev/null ||
  fail "nm failed on $prefix/lib/libchanenc.a"
asyms="$(awk 'NF >= 3 { print $3 }' "$tmp/nm_a.txt" | sort -u)"
[ "$asyms" = "$syms" ] ||
  fail "libchanenc.a's global symbols differ from libchanenc.so's: $(words "$(comm -3 <(echo "$asyms") <(echo "$syms"))")"
say "ok: libchanenc.a defines the same $(wc -l <<<"$asyms") global symbols, nothing internal"

# The SONAME (README.md, "Versions and ABI"): major.minor while the
# version is 0.x, the major alone from 1.0 on.
step="SONAME"
version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")"
[ -n "$version" ] || fail "no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt"
major="${version%%.*}"
minor="${version#*.}"
minor="${minor%%.*}"
if [ "$major" = 0 ]; then want_soname="libchanenc.so.0.$minor"; else want_soname="libchanenc.so.$major"; fi
soname="$(readelf -d "$prefix/lib/libchanenc.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
[ "$soname" = "$want_soname" ] ||
  fail "libchanenc.so's SONAME is '$soname', not $want_soname (version $version)"
[ -e "$prefix/lib/$soname" ] || fail "$prefix/lib/$soname is not installed"
say "ok: SONAME $soname for version $version"

# ---- 2. find_package(chanenc CONFIG) -------------------------------------
step="CMake consumer: configure"
cbuild="$tmp/cmake-build"
say "configuring $here against $prefix (CMAKE_PREFIX_PATH)"
logged cmake-configure.log env CC="$cc" cmake -S "$here" -B "$cbuild" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo
cdir="$(sed -n 's/^chanenc_DIR:PATH=//p' "$cbuild/CMakeCache.txt")"
[ "$cdir" = "$prefix/lib/cmake/chanenc" ] ||
  fail "find_package found chanenc in '$cdir', not in $prefix/lib/cmake/chanenc"
say "ok: find_package(chanenc 0.2 CONFIG REQUIRED) found $cdir"

step="CMake consumer: build"
logged cmake-build.log cmake --build "$cbuild"
say "ok: built consumer_shared (chanenc::chanenc) and consumer_static (chanenc::chanenc_static)"

# $1 program, $2 "shared" or "static": checks what it links, then runs it.
run_consumer() {
  local exe="$1" kind="$2" needed
  needed="$(readelf -d "$exe" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')"
  if [ "$kind" = shared ]; then
    grep -q '^libchanenc\.so' <<<"$needed" ||
      fail "$exe does not link libchanenc.so (NEEDED: $(words "$needed"))"
    # Make sure the libchanenc.so it loads is the installed one.
    local env_ld=()
    if ! readelf -d "$exe" | grep -q -E '\((RUNPATH|RPATH)\).*'"$prefix/lib"; then
      env_ld=(LD_LIBRARY_PATH="$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
    fi
    local lib
    lib="$(env "${env_ld[@]}" ldd "$exe" | awk '$1 ~ /^libchanenc\.so/ { print $3 }')"
    [ "$(readlink -f "$lib")" = "$(readlink -f "$prefix/lib/libchanenc.so")" ] ||
      fail "$exe loads libchanenc from '$lib', not from $prefix/lib"
    env "${env_ld[@]}" "$exe" || fail "$exe failed"
  else
    if grep -q '^libchanenc' <<<"$needed"; then
      fail "$exe should link libchanenc.a but needs $(words "$needed")"
    fi
    "$exe" || fail "$exe failed"
  fi
}

step="CMake consumer: run consumer_shared"
run_consumer "$cbuild/consumer_shared" shared
say "ok: consumer_shared (chanenc::chanenc)"
step="CMake consumer: run consumer_static"
run_consumer "$cbuild/consumer_static" static
say "ok: consumer_static (chanenc::chanenc_static)"

step="CMake consumer: version check"
# README.md, "Versions and ABI": while the version is 0.x, each minor
# release may change the ABI, so the package accepts only its own minor
# (0.1 must not be satisfied by 0.2) and never 1.0.
refuse_version() {
  local want="$1" d="$tmp/version-check-$1"
  mkdir -p "$d"
  cat >"$d/CMakeLists.txt" <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(chanenc_version_check LANGUAGES NONE)
find_package(chanenc $want CONFIG QUIET)
if(chanenc_FOUND)
  message(FATAL_ERROR "chanenc \${chanenc_VERSION} accepted for a request of $want")
endif()
CMAKE
  logged "version-check-$want.log" cmake -S "$d" -B "$d/build" \
    -G Ninja -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  say "ok: find_package(chanenc $want) refuses chanenc $version"
}
refuse_version 1.0
if [ "$major" = 0 ] && [ "$minor" -gt 0 ]; then
  refuse_version "0.$((minor - 1))"
fi

# ---- 3. pkg-config ----------------------------------------------------------
step="pkg-config"
command -v pkg-config >/dev/null || fail "pkg-config not found"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pcdir="$(pkg-config --variable=pcfiledir chanenc)" ||
  fail "pkg-config does not find chanenc in $PKG_CONFIG_PATH"
[ "$(readlink -f "$pcdir")" = "$(readlink -f "$prefix/lib/pkgconfig")" ] ||
  fail "pkg-config found chanenc.pc in $pcdir, not in $prefix/lib/pkgconfig"
pc_cflags="$(pkg-config --cflags chanenc)"
pc_libs="$(pkg-config --libs chanenc)"
pc_static_cflags="$(pkg-config --static --cflags chanenc)"
pc_static_libs="$(pkg-config --static --libs chanenc)"
say "pkg-config --cflags --libs chanenc: $pc_cflags $pc_libs"
say "pkg-config --static --cflags --libs chanenc: $pc_static_cflags $pc_static_libs"

step="pkg-config: shared build"
pbuild="$tmp/pkgconfig-build"
mkdir -p "$pbuild"
# shellcheck disable=SC2086 # pkg-config output is meant to be split
logged pkgconfig-shared.log "$cc" -std=c11 -Wall -Wextra -Werror "${cflags[@]}" \
  "$here/consumer.c" -o "$pbuild/consumer_pc" $pc_cflags $pc_libs "${ldflags[@]}"
say "ok: $cc consumer.c \$(pkg-config --cflags --libs chanenc)"
step="pkg-config: run the shared build"
run_consumer "$pbuild/consumer_pc" shared
say "ok: consumer_pc (pkg-config, libchanenc.so)"

step="pkg-config: static build"
# With libchanenc.so beside libchanenc.a the linker takes the .so for
# -lchanenc; name the archive to link statically. Everything else (libcrypto
# through Requires.private, -lpthread) must come from the .pc file.
static_libs=()
for w in $pc_static_libs; do
  if [ "$w" = "-lchanenc" ]; then
    static_libs+=("$prefix/lib/libchanenc.a")
  else
    static_libs+=("$w")
  fi
done
# shellcheck disable=SC2086
logged pkgconfig-static.log "$cc" -std=c11 -Wall -Wextra -Werror "${cflags[@]}" \
  "$here/consumer.c" -o "$pbuild/consumer_pc_static" $pc_static_cflags \
  "${static_libs[@]}" "${ldflags[@]}"
say "ok: $cc consumer.c \$(pkg-config --static --cflags --libs chanenc) with libchanenc.a"
step="pkg-config: run the static build"
run_consumer "$pbuild/consumer_pc_static" static
say "ok: consumer_pc_static (pkg-config --static, libchanenc.a)"

step="done"
say "PASSED: install, find_package (shared and static), pkg-config (shared and static)"
