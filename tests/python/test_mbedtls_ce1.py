"""libce1impl_mbedtls.so (tools/mbedtls_ce1/): a CE1 implementation on
mbedTLS 2.28 written from docs/spec.md alone, checked like any third-party
library: the conformance runner with --lib over every CE1 vector file and a
random differential pass against the reference, the standard primitive
vectors once the runner drives primitives through the C ABI, and a few
direct calls of the ABI (nothing written on failure, SM4's GB/T 32907
example, the description).

Environment (set by CTest): PYTHONPATH (build tree bindings),
CE_VECTORS_DIR, CE_BUILD_DIR. Skipped, with the reason, only when the
library was not built (mbedTLS absent at configure time).
"""

import ctypes
import json
import os
import subprocess
import sys

import pytest

from chanenc.conform import impls

BUILD = os.environ.get("CE_BUILD_DIR", "")
VECTORS = os.environ.get("CE_VECTORS_DIR", "")
LIB = os.path.join(BUILD, "tools", "libs", "libce1impl_mbedtls.so")
MODES = ["AES_128_XTS", "AES_128_ECB", "AES_256_XTS", "SM4_128_ECB",
         "AES_128_GCM", "AES_256_GCM", "AES_128_GCM2", "AES_256_GCM2"]

pytestmark = pytest.mark.skipif(
    not os.path.isfile(LIB),
    reason=f"{LIB} not built (mbedTLS 2.28 headers or libmbedcrypto absent "
           "at configure time; Debian: libmbedtls-dev)")


def conform(tmp_path, *args, timeout=1200):
    """Runs the conformance runner on the library; returns (exit status,
    output, JSON report)."""
    rep = tmp_path / "report.json"
    cmd = [sys.executable, "-m", "chanenc.conform", "--lib", LIB,
           "--no-progress", "--json", str(rep), *args]
    if VECTORS:
        cmd += ["--vectors", VECTORS]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    data = json.loads(rep.read_text()) if rep.exists() else None
    return p.returncode, p.stdout + p.stderr, data


def test_ce1_vectors_and_random_pass(tmp_path):
    rc, out, data = conform(tmp_path, "--file", "ce1/*", "--random", "400",
                            "--seed", "20240610")
    assert rc == 0, out[-4000:]
    s = data["summary"]
    assert s["failed"] == 0 and s["exit_status"] == 0, out[-4000:]
    files = [r for r in data["rows"] if r["file"].startswith("ce1/")]
    ce1_passed = sum(r["passed"] for r in files)
    # 9 files, about 1,170 cases; skips are only the optional derive
    # operation and salts of another length than 32 (not expressible in
    # the C ABI).
    assert ce1_passed >= 1100, out[-4000:]
    for mode in MODES:
        assert any(r["algorithm"] == mode and r["passed"] > 0
                   for r in files), f"no {mode} case passed"
    for r in files:
        for reason in r["skip_reasons"]:
            assert "derive" in reason or "salt" in reason, reason
    rnd = data["random"]
    assert rnd["cases_run"] == 400 and rnd["failed_cases"] == 0
    assert rnd["checks"]["failed"] == 0 and rnd["checks"]["passed"] >= 1000


def runner_has_primitives():
    return hasattr(impls, "PRIMITIVE_OPS")


@pytest.mark.skipif(not runner_has_primitives(),
                    reason="the runner does not drive primitive operations "
                           "through the C ABI yet")
def test_standard_primitive_vectors(tmp_path):
    rc, out, data = conform(tmp_path, "--no-diagnose")
    assert rc == 0, out[-4000:]
    s = data["summary"]
    assert s["failed"] == 0, out[-4000:]
    prim = [r for r in data["rows"]
            if r.get("layer", "primitive") == "primitive" and
            not r["file"].startswith("ce1/")]
    passed = sum(r["passed"] for r in prim)
    # About 39,800 cases with the standard vector packages installed.
    assert passed > 10000, out[-4000:]
    # Every primitive family was exercised, and none is skipped as
    # unimplemented (the library exports every symbol of ce1_prim.h).
    algos = " ".join(r["algorithm"] for r in prim if r["passed"]).upper()
    for name in ("AES-128-ECB", "SM4-ECB", "AES-128-XTS", "AES-256-XTS",
                 "AES-128-GCM", "AES-256-GCM", "HKDF-SHA256",
                 "PBKDF2-SHA256"):
        assert name in algos, (name, algos)
    for r in prim:
        for reason in r["skip_reasons"]:
            assert "not implemented" not in reason, (r["file"], reason)


# --------------------------------------------------------------------------
# Direct calls of the ABI
# --------------------------------------------------------------------------

u8p = ctypes.POINTER(ctypes.c_uint8)


@pytest.fixture(scope="module")
def lib():
    L = ctypes.CDLL(LIB)
    L.ce1_impl_describe.restype = ctypes.c_char_p
    L.ce1_impl_protect.argtypes = [
        ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
        ctypes.c_uint64, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_size_t)]
    L.ce1_impl_unprotect.argtypes = [
        ctypes.c_int, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
        ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_size_t)]
    cp, sz, vp = ctypes.c_char_p, ctypes.c_size_t, ctypes.c_void_p
    szp = ctypes.POINTER(ctypes.c_size_t)
    for f in (L.ce1_impl_aes_ecb, L.ce1_impl_sm4_ecb):
        f.argtypes = [ctypes.c_int, cp, sz, cp, sz, vp, szp]
    L.ce1_impl_aes_xts.argtypes = [ctypes.c_int, cp, sz, cp, cp, sz, vp, szp]
    L.ce1_impl_aes_gcm_seal.argtypes = [cp, sz, cp, sz, cp, sz, cp, sz, sz,
                                        vp, szp, vp]
    L.ce1_impl_aes_gcm_open.argtypes = [cp, sz, cp, sz, cp, sz, cp, sz, cp,
                                        sz, sz, vp, szp]
    L.ce1_impl_hkdf_sha256_extract.argtypes = [cp, sz, cp, sz, vp]
    L.ce1_impl_hkdf_sha256_expand.argtypes = [cp, sz, cp, sz, vp, sz]
    L.ce1_impl_hkdf_sha256.argtypes = [cp, sz, cp, sz, cp, sz, vp, sz]
    L.ce1_impl_pbkdf2_sha256.argtypes = [cp, sz, cp, sz, ctypes.c_uint32, vp,
                                         sz]
    return L


KEY = b"0123456789abcdef"
SALT = bytes(range(32))


def protect(L, mode, payload, cap, pn=0x3039, guard=0xA5):
    out = ctypes.create_string_buffer(bytes([guard]) * (cap + 8), cap + 8)
    n = ctypes.c_size_t(cap)
    st = L.ce1_impl_protect(mode, KEY, len(KEY), SALT, pn, payload,
                            len(payload), out, ctypes.byref(n))
    return st, out.raw, n.value


def unprotect(L, mode, frame, cap, guard=0xA5):
    out = ctypes.create_string_buffer(bytes([guard]) * (cap + 8), cap + 8)
    n = ctypes.c_size_t(cap)
    st = L.ce1_impl_unprotect(mode, KEY, len(KEY), SALT, frame, len(frame),
                              out, ctypes.byref(n))
    return st, out.raw, n.value


def test_describe(lib):
    d = lib.ce1_impl_describe().decode()
    assert d.startswith("CE1 on mbedTLS 2.28."), d


def test_spec_appendix_a_mode7(lib):
    st, out, n = protect(lib, 7, b"hello", 31)
    assert st == 0 and n == 31
    assert out[:31].hex() == ("17980000000000003039c344eacccf"
                              "6c9d067868ecb3766bf3838ea7c2d701")
    st, out, n = unprotect(lib, 7, out[:31], 31)
    assert st == 0 and out[:n] == b"hello"


@pytest.mark.parametrize("mode", range(1, 9))
def test_failures_write_nothing(lib, mode):
    guard = bytes([0xA5]) * 80
    payload = b"x" * 40
    # protect: one byte short of the frame is BUFFER_TOO_SMALL
    st, out, n = protect(lib, mode, payload, 80)
    assert st == 0
    frame = out[:n]
    st, out, n2 = protect(lib, mode, payload, n - 1)
    assert (st, out[:n - 1 + 8], n2) == (-9, guard[:n - 1 + 8], n - 1)
    # unprotect: capacity last; one short is BUFFER_TOO_SMALL
    st, out, n3 = unprotect(lib, mode, frame, len(payload) - 1)
    assert (st, n3) == (-9, len(payload) - 1)
    assert out == guard[:len(payload) - 1 + 8]
    # a wrong check byte is KEY_MISMATCH whatever the capacity
    bad = frame[:1] + bytes([frame[1] ^ 1]) + frame[2:]
    st, out, n4 = unprotect(lib, mode, bad, 0)
    assert (st, n4, out) == (-4, 0, guard[:8])
    # a damaged last byte: GCM AUTH_FAILED, ECB BAD_PADDING or garbage,
    # XTS (S = 0) garbage; a failure writes nothing
    bad = frame[:-1] + bytes([frame[-1] ^ 0x80])
    st, out, n5 = unprotect(lib, mode, bad, len(frame))
    if mode >= 5:
        assert st == -6
    if st != 0:
        assert (n5, out) == (len(frame), guard[:len(frame) + 8])


def test_argument_checks(lib):
    n = ctypes.c_size_t(64)
    out = ctypes.create_string_buffer(64)
    # NULL *out_len, NULL out, bad mode, empty key, GCM2 with a zero salt
    assert lib.ce1_impl_protect(5, KEY, len(KEY), SALT, 0, b"", 0, out,
                                None) == -7
    assert lib.ce1_impl_protect(5, KEY, len(KEY), SALT, 0, b"", 0, None,
                                ctypes.byref(n)) == -7
    assert lib.ce1_impl_protect(9, KEY, len(KEY), SALT, 0, b"", 0, out,
                                ctypes.byref(n)) == -7
    assert lib.ce1_impl_protect(5, b"", 0, SALT, 0, b"", 0, out,
                                ctypes.byref(n)) == -7
    assert lib.ce1_impl_unprotect(7, KEY, len(KEY), bytes(32), b"", 0, out,
                                  ctypes.byref(n)) == -7
    # configuration before size: TOO_LARGE only for a valid configuration
    big = bytes(65536)
    assert lib.ce1_impl_protect(8, KEY, len(KEY), bytes(32), 0, big,
                                len(big), out, ctypes.byref(n)) == -7
    assert lib.ce1_impl_protect(2, KEY, len(KEY), SALT, 0, big, len(big),
                                out, ctypes.byref(n)) == -10
    assert n.value == 64


def test_sm4_gbt32907_example1(lib):
    k = bytes.fromhex("0123456789abcdeffedcba9876543210")
    want = bytes.fromhex("681edf34d206965e86b3e94f536e4246")
    out = ctypes.create_string_buffer(16)
    n = ctypes.c_size_t(16)
    assert lib.ce1_impl_sm4_ecb(1, k, 16, k, 16, out, ctypes.byref(n)) == 0
    assert out.raw == want and n.value == 16
    assert lib.ce1_impl_sm4_ecb(0, k, 16, want, 16, out, ctypes.byref(n)) == 0
    assert out.raw == k


# --------------------------------------------------------------------------
# The primitive ABI's rules (docs/conformance.md 8.3) on edge cases
# --------------------------------------------------------------------------

def buf(n, fill=0xA5):
    return ctypes.create_string_buffer(bytes([fill]) * n, n)


def gcm_open(L, key, iv, ct, tag, tag_size, tag_len, cap):
    out = buf(cap + 4)
    n = ctypes.c_size_t(cap)
    st = L.ce1_impl_aes_gcm_open(key, len(key), iv, len(iv), None, 0, ct,
                                 len(ct), tag, tag_size, tag_len, out,
                                 ctypes.byref(n))
    return st, out.raw, n.value


def test_primitive_gcm_rules(lib):
    key, iv, pt = bytes(16), bytes(12), b"sixteen byte msg"
    out, tag = buf(16), buf(16)
    n = ctypes.c_size_t(16)
    assert lib.ce1_impl_aes_gcm_seal(key, 16, iv, 12, None, 0, pt, 16, 16,
                                     out, ctypes.byref(n), tag) == 0
    ct, full = out.raw, tag.raw
    guard = bytes([0xA5]) * 20
    # the right tag opens; cut to 4 bytes with tag_len 4 too
    assert gcm_open(lib, key, iv, ct, full, 16, 16, 16)[0] == 0
    st, o, m = gcm_open(lib, key, iv, ct, full[:4], 4, 4, 16)
    assert (st, o[:16], m) == (0, pt, 16)
    # a tag of another size than tag_len is a forgery, even its prefix
    assert gcm_open(lib, key, iv, ct, full, 16, 12, 16)[:2] == (-6, guard)
    assert gcm_open(lib, key, iv, ct, None, 0, 16, 16)[:2] == (-6, guard)
    # a forged tag is AUTH_FAILED whatever the capacity (capacity last)
    bad = bytes([full[0] ^ 1]) + full[1:]
    assert gcm_open(lib, key, iv, ct, bad, 16, 16, 0) == (-6, guard[:4], 0)
    # the right tag with a short capacity: BUFFER_TOO_SMALL, nothing written
    assert gcm_open(lib, key, iv, ct, full, 16, 16, 15) == (-9, guard[:19], 15)
    # domain: tag_len 0 or 17, empty IV, 17-byte key (before the tag size)
    assert gcm_open(lib, key, iv, ct, full, 16, 0, 16)[0] == -7
    assert gcm_open(lib, key, iv, ct, full, 16, 17, 16)[0] == -7
    assert gcm_open(lib, key, b"", ct, full, 16, 16, 16)[0] == -7
    assert gcm_open(lib, bytes(17), iv, ct, full, 8, 16, 16)[0] == -7
    # seal with a short capacity writes neither ciphertext nor tag
    out, tag = buf(16), buf(16)
    n = ctypes.c_size_t(15)
    assert lib.ce1_impl_aes_gcm_seal(key, 16, iv, 12, None, 0, pt, 16, 16,
                                     out, ctypes.byref(n), tag) == -9
    assert out.raw == tag.raw == guard[:16] and n.value == 15


def test_primitive_domains(lib):
    out = buf(64)
    n = ctypes.c_size_t(64)
    k32 = bytes(range(32))
    ecb = lib.ce1_impl_aes_ecb
    assert ecb(1, bytes(16), 16, bytes(15), 15, out, ctypes.byref(n)) == -7
    assert ecb(1, bytes(20), 20, bytes(16), 16, out, ctypes.byref(n)) == -7
    assert ecb(1, bytes(24), 24, bytes(16), 16, out, ctypes.byref(n)) == 0
    assert ecb(1, bytes(16), 16, None, 0, None, ctypes.byref(n)) == 0
    assert n.value == 0
    n.value = 64
    assert ecb(1, bytes(16), 16, bytes(16), 16, out, None) == -7
    assert ecb(1, None, 16, bytes(16), 16, out, ctypes.byref(n)) == -7
    assert lib.ce1_impl_sm4_ecb(1, bytes(32), 32, bytes(16), 16, out,
                                ctypes.byref(n)) == -7
    xts = lib.ce1_impl_aes_xts
    assert xts(1, k32, 32, bytes(16), bytes(15), 15, out,
               ctypes.byref(n)) == -7
    assert xts(1, bytes(48), 48, bytes(16), bytes(16), 16, out,
               ctypes.byref(n)) == -7
    assert xts(1, k32, 32, None, bytes(16), 16, out, ctypes.byref(n)) == -7
    assert xts(1, k32, 32, bytes(16), bytes(17), 17, out,
               ctypes.byref(n)) == 0 and n.value == 17
    okm = buf(8161)
    prk = bytes(32)
    assert lib.ce1_impl_hkdf_sha256_expand(prk, 32, None, 0, okm, 8161) == -7
    assert lib.ce1_impl_hkdf_sha256_expand(prk, 31, None, 0, okm, 8) == -7
    assert lib.ce1_impl_hkdf_sha256_expand(prk, 32, None, 0, okm, 0) == -7
    assert lib.ce1_impl_hkdf_sha256_expand(None, 0, None, 0, okm, 8) == -7
    assert lib.ce1_impl_hkdf_sha256_expand(prk, 32, None, 0, okm, 8160) == 0
    assert lib.ce1_impl_hkdf_sha256_extract(None, 0, None, 0, None) == -7
    assert lib.ce1_impl_hkdf_sha256(None, 0, None, 0, None, 0, okm, 0) == -7
    dk = buf(8)
    assert lib.ce1_impl_pbkdf2_sha256(None, 0, None, 0, 0, dk, 8) == -7
    assert lib.ce1_impl_pbkdf2_sha256(None, 0, None, 0, 1, dk, 0) == -7
    assert dk.raw == bytes([0xA5]) * 8
    assert lib.ce1_impl_pbkdf2_sha256(None, 0, None, 0, 1, dk, 8) == 0


def test_primitive_kdf_known_answers(lib):
    # RFC 5869 A.1 (HKDF-SHA256 test case 1) and RFC 7914 11 (PBKDF2,
    # first vector): also through the ABI's empty-salt rule.
    ikm = bytes([0x0b]) * 22
    salt = bytes(range(13))
    info = bytes(range(0xf0, 0xfa))
    okm = buf(42)
    assert lib.ce1_impl_hkdf_sha256(salt, 13, ikm, 22, info, 10, okm, 42) == 0
    assert okm.raw.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
        "34007208d5b887185865")
    prk0, prkz = buf(32), buf(32)
    assert lib.ce1_impl_hkdf_sha256_extract(None, 0, ikm, 22, prk0) == 0
    assert lib.ce1_impl_hkdf_sha256_extract(bytes(32), 32, ikm, 22, prkz) == 0
    assert prk0.raw == prkz.raw
    dk = buf(64)
    assert lib.ce1_impl_pbkdf2_sha256(b"passwd", 6, b"salt", 4, 1, dk,
                                      64) == 0
    assert dk.raw.hex() == (
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783")
