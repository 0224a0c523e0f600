"""Tests of the primitive operations of both reference adapters
(docs/conformance.md section 8, tools/ce1_prim.h): the JSON-lines adapter
tools/ce1-adapter, and libserve.py serving libce1impl_ref.so (the C ABI)
over the same protocol, plus LibImpl's in-process methods and the C ABI's
capacity rule called directly with ctypes.

Known answers come from the published standards, quoted here with their
source: FIPS-197 appendix C, GB/T 32907-2016 appendix A (SM4), IEEE
1619-2007 appendix B (XTS-AES), the GCM test cases of McGrew and Viega's
GCM specification (the ones NIST's SP 800-38D validation uses), RFC 5869
appendix A (HKDF-SHA256) and RFC 7914 section 11 (PBKDF2-HMAC-SHA256).

Environment (set by CTest): CE1_ADAPTER (the adapter), CE_BUILD_DIR (for
tools/libce1impl_ref.so and the built bindings' libserve.py). Needs only
Debian's python3 with pytest: libserve.py is loaded from its file, not
through the chanenc package.
"""

from __future__ import annotations

import ctypes
import importlib.util
import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = os.environ.get("CE_BUILD_DIR", "")
TIMEOUT = 120.0  # seconds for one answer; generous for sanitizer builds
MAX_BYTES = 1 << 20  # conformance.md 8.2

PRIMITIVE_OPS = [
    "aes_ecb_encrypt", "aes_ecb_decrypt", "sm4_ecb_encrypt", "sm4_ecb_decrypt",
    "aes_xts_encrypt", "aes_xts_decrypt", "aes_gcm_seal", "aes_gcm_open",
    "hkdf_sha256_extract", "hkdf_sha256_expand", "hkdf_sha256", "pbkdf2_sha256",
]
# Request members in order (conformance.md 8.2); the integers are marked.
MEMBERS = {
    "aes_ecb_encrypt": ["key", "data"],
    "aes_ecb_decrypt": ["key", "data"],
    "sm4_ecb_encrypt": ["key", "data"],
    "sm4_ecb_decrypt": ["key", "data"],
    "aes_xts_encrypt": ["key", "tweak", "data"],
    "aes_xts_decrypt": ["key", "tweak", "data"],
    "aes_gcm_seal": ["key", "iv", "aad", "plaintext", "tag_len"],
    "aes_gcm_open": ["key", "iv", "aad", "ciphertext", "tag", "tag_len"],
    "hkdf_sha256_extract": ["salt", "ikm"],
    "hkdf_sha256_expand": ["prk", "info", "length"],
    "hkdf_sha256": ["salt", "ikm", "info", "length"],
    "pbkdf2_sha256": ["password", "salt", "iterations", "length"],
}
INTS = {"tag_len", "length", "iterations"}
INT_MAX = {"tag_len": MAX_BYTES, "length": MAX_BYTES, "iterations": 2**32 - 1}


# --------------------------------------------------------------------------
# Known answers from the standards
# --------------------------------------------------------------------------

# FIPS-197 appendix C: C.1 AES-128, C.2 AES-192, C.3 AES-256, one block.
FIPS197_PT = "00112233445566778899aabbccddeeff"
FIPS197 = [
    ("000102030405060708090a0b0c0d0e0f", "69c4e0d86a7b0430d8cdb78070b4c55a"),
    ("000102030405060708090a0b0c0d0e0f1011121314151617",
     "dda97ca4864cdfe06eaf70a0ec0d7191"),
    ("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
     "8ea2b7ca516745bfeafc49904b496089"),
]
# GB/T 32907-2016 appendix A, example 1 (draft-ribose-cfrg-sm4-10 A.1.1).
SM4_KEY = "0123456789abcdeffedcba9876543210"
SM4_PT = "0123456789abcdeffedcba9876543210"
SM4_CT = "681edf34d206965e86b3e94f536e4246"
# IEEE 1619-2007 appendix B. The tweak is the data unit sequence number as
# IEEE 1619 encodes it (little-endian), as ce1_prim.h takes it.
XTS_V1 = ("00" * 32, "00" * 16, "00" * 32,
          "917cf69ebd68b2ec9b9fe9a3eadda692cd43d2f59598ed858c02c2652fbf922e")
XTS_V2 = ("11" * 16 + "22" * 16, "33333333330000000000000000000000", "44" * 32,
          "c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0")
XTS_V15 = ("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0",
           "9a785634120000000000000000000000",
           "000102030405060708090a0b0c0d0e0f10",
           "6c1625db4671522d3d7599601de7ca09ed")
# McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 2, 4
# (96-bit IV) and 6 (a 60-byte IV, through GHASH).
GCM_K = "feffe9928665731c6d6a8f9467308308"
GCM_P = ("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
         "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
GCM_A = "feedfacedeadbeeffeedfacedeadbeefabaddad2"
GCM_TC2 = ("00" * 16, "00" * 12, "", "00" * 16,
           "0388dace60b6a392f328c2b971b2fe78", "ab6e47d42cec13bdf53a67b21257bddf")
GCM_TC4 = (GCM_K, "cafebabefacedbaddecaf888", GCM_A, GCM_P,
           "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
           "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
           "5bc94fbc3221a5db94fae95ae7121a47")
GCM_TC6 = (GCM_K,
           "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
           "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b",
           GCM_A, GCM_P,
           "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7"
           "01e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5",
           "619cc5aefffe0bfa462af43c1699d050")
# RFC 5869 appendix A.1 (test case 1) and A.3 (test case 3: no salt, no
# info).
HKDF1 = dict(ikm="0b" * 22, salt="000102030405060708090a0b0c",
             info="f0f1f2f3f4f5f6f7f8f9", length=42,
             prk="077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
             okm="3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                 "34007208d5b887185865")
HKDF3 = dict(ikm="0b" * 22, salt="", info="", length=42,
             prk="19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
             okm="8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                 "9d201395faa4b61a96c8")
# RFC 7914 section 11: PBKDF2-HMAC-SHA256, dkLen 64.
PBKDF2 = [
    ("passwd", "salt", 1,
     "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
     "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"),
    ("Password", "NaCl", 80000,
     "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
     "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d"),
]


def kat_cases():
    """(id, request, expected answer) for every known answer."""
    cases = []
    for key, ct in FIPS197:
        n = len(key) * 4
        cases.append((f"fips197-aes{n}-enc",
                      {"op": "aes_ecb_encrypt", "key": key, "data": FIPS197_PT},
                      {"data": ct}))
        cases.append((f"fips197-aes{n}-dec",
                      {"op": "aes_ecb_decrypt", "key": key, "data": ct},
                      {"data": FIPS197_PT}))
    # Two blocks, upper-case input hex (accepted, conformance.md 3.2).
    cases.append(("fips197-aes128-2blocks-upper",
                  {"op": "aes_ecb_encrypt", "key": FIPS197[0][0].upper(),
                   "data": (FIPS197_PT * 2).upper()},
                  {"data": FIPS197[0][1] * 2}))
    cases.append(("aes-ecb-empty",
                  {"op": "aes_ecb_encrypt", "key": FIPS197[0][0], "data": ""},
                  {"data": ""}))
    cases.append(("gbt32907-sm4-enc",
                  {"op": "sm4_ecb_encrypt", "key": SM4_KEY, "data": SM4_PT},
                  {"data": SM4_CT}))
    cases.append(("gbt32907-sm4-dec",
                  {"op": "sm4_ecb_decrypt", "key": SM4_KEY, "data": SM4_CT},
                  {"data": SM4_PT}))
    for name, (key, tweak, pt, ct) in (("ieee1619-v2", XTS_V2),
                                       ("ieee1619-v15-cts", XTS_V15)):
        cases.append((f"{name}-enc", {"op": "aes_xts_encrypt", "key": key,
                                      "tweak": tweak, "data": pt}, {"data": ct}))
        cases.append((f"{name}-dec", {"op": "aes_xts_decrypt", "key": key,
                                      "tweak": tweak, "data": ct}, {"data": pt}))
    for name, (key, iv, aad, pt, ct, tag) in (("gcm-tc2", GCM_TC2),
                                              ("gcm-tc4", GCM_TC4),
                                              ("gcm-tc6-60-byte-iv", GCM_TC6)):
        cases.append((f"{name}-seal",
                      {"op": "aes_gcm_seal", "key": key, "iv": iv, "aad": aad,
                       "plaintext": pt, "tag_len": 16},
                      {"ciphertext": ct, "tag": tag}))
        cases.append((f"{name}-open",
                      {"op": "aes_gcm_open", "key": key, "iv": iv, "aad": aad,
                       "ciphertext": ct, "tag": tag, "tag_len": 16},
                      {"plaintext": pt}))
    # A truncated tag is the leftmost bytes of the full one (SP 800-38D 7.1).
    key, iv, aad, pt, ct, tag = GCM_TC4
    for tag_len in (12, 4, 1):
        t = tag[:2 * tag_len]
        cases.append((f"gcm-tc4-seal-tag{tag_len}",
                      {"op": "aes_gcm_seal", "key": key, "iv": iv, "aad": aad,
                       "plaintext": pt, "tag_len": tag_len},
                      {"ciphertext": ct, "tag": t}))
        cases.append((f"gcm-tc4-open-tag{tag_len}",
                      {"op": "aes_gcm_open", "key": key, "iv": iv, "aad": aad,
                       "ciphertext": ct, "tag": t, "tag_len": tag_len},
                      {"plaintext": pt}))
    for name, h in (("rfc5869-case1", HKDF1), ("rfc5869-case3", HKDF3)):
        cases.append((f"{name}-extract",
                      {"op": "hkdf_sha256_extract", "salt": h["salt"],
                       "ikm": h["ikm"]}, {"prk": h["prk"]}))
        cases.append((f"{name}-expand",
                      {"op": "hkdf_sha256_expand", "prk": h["prk"],
                       "info": h["info"], "length": h["length"]},
                      {"okm": h["okm"]}))
        cases.append((f"{name}-oneshot",
                      {"op": "hkdf_sha256", "salt": h["salt"], "ikm": h["ikm"],
                       "info": h["info"], "length": h["length"]},
                      {"okm": h["okm"]}))
        # L shorter than a block: the prefix of the same OKM.
        cases.append((f"{name}-oneshot-l10",
                      {"op": "hkdf_sha256", "salt": h["salt"], "ikm": h["ikm"],
                       "info": h["info"], "length": 10},
                      {"okm": h["okm"][:20]}))
    for i, (pw, salt, c, dk) in enumerate(PBKDF2):
        cases.append((f"rfc7914-pbkdf2-{i}",
                      {"op": "pbkdf2_sha256", "password": pw.encode().hex(),
                       "salt": salt.encode().hex(), "iterations": c,
                       "length": 64},
                      {"dk": dk}))
        cases.append((f"rfc7914-pbkdf2-{i}-dklen20",
                      {"op": "pbkdf2_sha256", "password": pw.encode().hex(),
                       "salt": salt.encode().hex(), "iterations": c,
                       "length": 20},
                      {"dk": dk[:40]}))
    return cases


KATS = kat_cases()


def good(op: str) -> dict:
    """A request of op that succeeds (a known answer's)."""
    for _, req, _ in KATS:
        if req["op"] == op:
            return dict(req)
    raise KeyError(op)


# --------------------------------------------------------------------------
# The implementations
# --------------------------------------------------------------------------

def find_adapter() -> str:
    env = os.environ.get("CE1_ADAPTER")
    cands = [Path(env)] if env else []
    if BUILD:
        cands.append(Path(BUILD) / "tools" / "ce1-adapter")
    cands += sorted(REPO.glob("build*/tools/ce1-adapter"),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for c in cands:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    pytest.fail("ce1-adapter not found: set CE1_ADAPTER or CE_BUILD_DIR")


def find_lib() -> str:
    cands = [Path(BUILD) / "tools" / "libce1impl_ref.so"] if BUILD else []
    cands += sorted(REPO.glob("build*/tools/libce1impl_ref.so"),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for c in cands:
        if c.is_file():
            return str(c)
    pytest.fail("libce1impl_ref.so not found: set CE_BUILD_DIR")


def find_libserve() -> str:
    """The built package's copy (what the runner runs), else the source."""
    rel = Path("chanenc") / "conform" / "libserve.py"
    cands = [Path(BUILD) / "bindings" / "python" / rel] if BUILD else []
    cands.append(REPO / "bindings" / "python" / rel)
    for c in cands:
        if c.is_file():
            return str(c)
    pytest.fail("libserve.py not found")


def load_libserve():
    spec = importlib.util.spec_from_file_location("ce_test_libserve",
                                                  find_libserve())
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Proc:
    """One JSON-lines process, with a timeout on every answer."""

    def __init__(self, argv: list) -> None:
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE)
        self.buf = b""

    def send_raw(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def answer(self) -> dict:
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + TIMEOUT
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"no answer within {TIMEOUT} s")
            if select.select([fd], [], [], left)[0]:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    pytest.fail(f"the process closed its output "
                                f"(exit code {self.proc.poll()})")
                self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        obj = json.loads(line)
        assert isinstance(obj, dict), line[:200]
        return obj

    def request(self, req) -> dict:
        line = req if isinstance(req, (bytes, str)) else json.dumps(req)
        if isinstance(line, str):
            line = line.encode()
        self.send_raw(line + b"\n")
        return self.answer()

    def close(self) -> int:
        self.proc.stdin.close()
        rc = self.proc.wait(timeout=TIMEOUT)
        self.proc.stdout.close()
        return rc


@pytest.fixture(scope="module", params=["ce1-adapter", "libserve"])
def impl(request):
    if request.param == "ce1-adapter":
        p = Proc([find_adapter()])
    else:
        p = Proc([sys.executable, find_libserve(), find_lib()])
    p.kind = request.param
    yield p
    assert p.close() == 0


def error(st: str) -> dict:
    return {"error": st}


# --------------------------------------------------------------------------
# Known answers
# --------------------------------------------------------------------------

@pytest.mark.parametrize("case", KATS, ids=[c[0] for c in KATS])
def test_known_answer(impl, case):
    _, req, want = case
    got = impl.request(req)
    if req["op"].startswith("sm4") and got == error("NOT_SUPPORTED"):
        pytest.skip("this OpenSSL has no SM4 (NOT_SUPPORTED, conformance.md 8.2)")
    assert got == want


def test_answers_are_lower_case_hex(impl):
    got = impl.request({"op": "aes_ecb_encrypt", "key": FIPS197[0][0].upper(),
                        "data": FIPS197_PT.upper()})
    assert got["data"] == got["data"].lower() == FIPS197[0][1]


def test_roundtrip_long_data(impl):
    # Across the KATs' lengths: 1 MiB of data through each cipher and back.
    data = bytes(range(256)) * (MAX_BYTES // 256)
    key = FIPS197[2][0]
    for enc, dec, extra in (
            ("aes_ecb_encrypt", "aes_ecb_decrypt", {}),
            ("aes_xts_encrypt", "aes_xts_decrypt",
             {"tweak": XTS_V2[1], "key": XTS_V2[0]})):
        req = {"op": enc, "key": key, "data": data.hex(), **extra}
        ct = impl.request(req)["data"]
        assert len(ct) == 2 * len(data) and ct != data.hex()
        back = impl.request({**req, "op": dec, "data": ct})
        assert back == {"data": data.hex()}
    sealed = impl.request({"op": "aes_gcm_seal", "key": GCM_K, "iv": "00" * 12,
                           "aad": "", "plaintext": data.hex(), "tag_len": 16})
    opened = impl.request({"op": "aes_gcm_open", "key": GCM_K, "iv": "00" * 12,
                           "aad": "", "ciphertext": sealed["ciphertext"],
                           "tag": sealed["tag"], "tag_len": 16})
    assert opened == {"plaintext": data.hex()}


# --------------------------------------------------------------------------
# capabilities (conformance.md 8.1)
# --------------------------------------------------------------------------

def test_capabilities(impl):
    ans = impl.request({"op": "capabilities"})
    assert set(ans) == {"ops"}
    ops = ans["ops"]
    assert len(ops) == len(set(ops))
    frame = {"protect", "unprotect", "sframe_protect", "sframe_unprotect"}
    if impl.kind == "ce1-adapter":
        frame.add("derive")  # the C ABI has no derive
    assert set(ops) == frame | set(PRIMITIVE_OPS)
    # Every listed op is answered (here: refused for its missing members),
    # never UNSUPPORTED_OP; an unlisted one is UNSUPPORTED_OP.
    for op in ops:
        assert impl.request({"op": op}) == error("INVALID_ARGUMENT"), op
    if impl.kind == "libserve":
        assert impl.request({"op": "derive"}) == error("UNSUPPORTED_OP")
    # Other members are ignored.
    assert impl.request({"op": "capabilities", "mode": "x", "key": 1}) == ans


# --------------------------------------------------------------------------
# Refusals (conformance.md 8.2), each with its documented status
# --------------------------------------------------------------------------

@pytest.mark.parametrize("op", PRIMITIVE_OPS)
def test_missing_member(impl, op):
    for name in MEMBERS[op]:
        req = good(op)
        del req[name]
        assert impl.request(req) == error("INVALID_ARGUMENT"), name


@pytest.mark.parametrize("op", PRIMITIVE_OPS)
def test_mistyped_member(impl, op):
    for name in MEMBERS[op]:
        if name in INTS:
            wrong = [str(good(op)[name]), float(good(op)[name]), True, None,
                     [1], {"n": 1}]
        else:
            wrong = [16, None, True, ["00"], {"hex": "00"}, "0", "zz",
                     "00 11", "0x00", " 00"]
        for w in wrong:
            req = good(op)
            req[name] = w
            assert impl.request(req) == error("INVALID_ARGUMENT"), (name, w)


def test_integer_written_with_fraction_or_exponent(impl):
    # Python's json would write 16.0; the line is written by hand.
    base = json.dumps(good("aes_gcm_seal"))[:-1]
    for text in ("16.0", "1.6e1", "16e0"):
        line = base.replace('"tag_len": 16', f'"tag_len": {text}') + "}"
        assert f'"tag_len": {text}' in line
        assert impl.request(line) == error("INVALID_ARGUMENT"), text


@pytest.mark.parametrize("name", sorted(INTS))
def test_integer_outside_the_protocol(impl, name):
    op = {"tag_len": "aes_gcm_seal", "length": "hkdf_sha256",
          "iterations": "pbkdf2_sha256"}[name]
    for v in (-1, INT_MAX[name] + 1, 2**64 + 16, -2**63 - 1):
        req = good(op)
        req[name] = v
        assert impl.request(req) == error("INVALID_ARGUMENT"), v


def test_pbkdf2_length_bound(impl):
    req = good("pbkdf2_sha256")
    req.update(iterations=1, length=MAX_BYTES + 1)
    assert impl.request(req) == error("INVALID_ARGUMENT")


@pytest.mark.parametrize("op", PRIMITIVE_OPS)
def test_byte_member_too_large(impl, op):
    # One byte over the limit: TOO_LARGE, whatever the member (also a key,
    # which would be refused as INVALID_ARGUMENT at any length: sizes are
    # checked before the algorithm's domain). The tweak has one length,
    # part of its form: INVALID_ARGUMENT.
    for name in MEMBERS[op]:
        if name in INTS:
            continue
        req = good(op)
        req[name] = "00" * (MAX_BYTES + 1)
        want = "INVALID_ARGUMENT" if name == "tweak" else "TOO_LARGE"
        assert impl.request(req) == error(want), name
    # A malformed member decides before the size.
    req = good(op)
    big = next(n for n in MEMBERS[op] if n not in INTS)
    req[big] = "00" * (MAX_BYTES + 1)
    del req[MEMBERS[op][-1]]
    assert impl.request(req) == error("INVALID_ARGUMENT")


DOMAIN = [
    ("aes-ecb-key-15", "aes_ecb_encrypt", {"key": "00" * 15}),
    ("aes-ecb-key-33", "aes_ecb_decrypt", {"key": "00" * 33}),
    ("aes-ecb-key-empty", "aes_ecb_encrypt", {"key": ""}),
    ("aes-ecb-data-17", "aes_ecb_encrypt", {"data": "00" * 17}),
    ("aes-ecb-data-15", "aes_ecb_decrypt", {"data": "00" * 15}),
    ("sm4-ecb-key-32", "sm4_ecb_encrypt", {"key": "00" * 32}),
    ("sm4-ecb-data-8", "sm4_ecb_decrypt", {"data": "00" * 8}),
    ("xts-key-16", "aes_xts_encrypt", {"key": "01" * 8 + "02" * 8}),
    ("xts-key-48", "aes_xts_encrypt", {"key": "01" * 24 + "02" * 24}),
    ("xts-data-15", "aes_xts_encrypt", {"data": "00" * 15}),
    ("xts-data-empty", "aes_xts_decrypt", {"data": ""}),
    ("xts-tweak-15", "aes_xts_encrypt", {"tweak": "00" * 15}),
    ("xts-tweak-17", "aes_xts_decrypt", {"tweak": "00" * 17}),
    ("gcm-key-17", "aes_gcm_seal", {"key": "00" * 17}),
    ("gcm-iv-empty", "aes_gcm_seal", {"iv": ""}),
    ("gcm-open-iv-empty", "aes_gcm_open", {"iv": ""}),
    ("gcm-tag-len-0", "aes_gcm_seal", {"tag_len": 0}),
    ("gcm-tag-len-17", "aes_gcm_seal", {"tag_len": 17}),
    ("gcm-open-tag-len-17", "aes_gcm_open",
     {"tag_len": 17, "tag": GCM_TC4[5] + "00"}),
    # The arguments come before the tag's size.
    ("gcm-open-key-17-short-tag", "aes_gcm_open", {"key": "00" * 17,
                                                   "tag": "00"}),
    ("hkdf-expand-prk-31", "hkdf_sha256_expand", {"prk": "00" * 31}),
    ("hkdf-expand-length-0", "hkdf_sha256_expand", {"length": 0}),
    ("hkdf-expand-length-8161", "hkdf_sha256_expand", {"length": 8161}),
    ("hkdf-length-8161", "hkdf_sha256", {"length": 8161}),
    ("pbkdf2-iterations-0", "pbkdf2_sha256", {"iterations": 0}),
    ("pbkdf2-length-0", "pbkdf2_sha256", {"length": 0}),
]


@pytest.mark.parametrize("case", DOMAIN, ids=[c[0] for c in DOMAIN])
def test_outside_the_domain(impl, case):
    _, op, change = case
    req = {**good(op), **change}
    assert impl.request(req) == error("INVALID_ARGUMENT")


def test_domain_edges_accepted(impl):
    # The other side of the edges above: they are the domain's, not a
    # blanket refusal.
    assert len(impl.request({**good("hkdf_sha256"), "length": 8160})["okm"]) \
        == 2 * 8160
    assert len(impl.request({**good("hkdf_sha256_expand"), "length": 1})["okm"]) \
        == 2
    assert len(impl.request({**good("hkdf_sha256_expand"),
                             "prk": HKDF1["prk"] + "00"})["okm"]) == 84
    assert "tag" in impl.request({**good("aes_gcm_seal"), "iv": "00"})
    assert "tag" in impl.request({**good("aes_gcm_seal"), "iv": "00" * 128})
    req = {"op": "pbkdf2_sha256", "password": "", "salt": "", "iterations": 1,
           "length": 1}
    assert len(impl.request(req)["dk"]) == 2


NOT_SUPPORTED = [
    # IEEE 1619-2007 vector 1: Key1 == Key2 is valid XTS; the reference
    # does not take it (ce1_prim.h: NOT_SUPPORTED).
    ("xts-key1-eq-key2-v1", {"op": "aes_xts_encrypt", "key": XTS_V1[0],
                             "tweak": XTS_V1[1], "data": XTS_V1[2]}),
    ("xts-key1-eq-key2-decrypt", {"op": "aes_xts_decrypt", "key": "5a" * 64,
                                  "tweak": "00" * 16, "data": XTS_V1[3]}),
    ("gcm-iv-129", {**good("aes_gcm_seal"), "iv": "00" * 129}),
    ("gcm-open-iv-129", {**good("aes_gcm_open"), "iv": "00" * 129}),
    # Also when the tag's size is wrong: the arguments decide first.
    ("gcm-open-iv-129-short-tag", {**good("aes_gcm_open"), "iv": "00" * 129,
                                   "tag": "00"}),
    # Over OpenSSL's int: valid PBKDF2, not taken (checked before any
    # iteration runs).
    ("pbkdf2-iterations-2^31", {"op": "pbkdf2_sha256", "password": "",
                                "salt": "", "iterations": 2**31, "length": 1}),
    ("pbkdf2-iterations-2^32-1", {"op": "pbkdf2_sha256", "password": "",
                                  "salt": "", "iterations": 2**32 - 1,
                                  "length": 1}),
]


@pytest.mark.parametrize("case", NOT_SUPPORTED, ids=[c[0] for c in NOT_SUPPORTED])
def test_not_supported(impl, case):
    assert impl.request(case[1]) == error("NOT_SUPPORTED")


def test_xts_key_length_before_equal_halves(impl):
    # Equal halves of a key of the wrong length: INVALID_ARGUMENT first.
    req = {"op": "aes_xts_encrypt", "key": "00" * 48, "tweak": "00" * 16,
           "data": "00" * 32}
    assert impl.request(req) == error("INVALID_ARGUMENT")
    req.update(key="00" * 32, data="00" * 15)
    assert impl.request(req) == error("INVALID_ARGUMENT")


def forged_tags():
    key, iv, aad, pt, ct, tag = GCM_TC4
    base = {"op": "aes_gcm_open", "key": key, "iv": iv, "aad": aad,
            "ciphertext": ct, "tag": tag, "tag_len": 16}
    flipped = tag[:-1] + ("0" if tag[-1] != "0" else "1")
    return [
        # The right tag's first 12 bytes, the receiver expecting 16: an
        # implementation comparing only the bytes it got would accept it.
        ("truncated-to-12", {**base, "tag": tag[:24]}),
        ("truncated-to-15", {**base, "tag": tag[:30]}),
        ("truncated-to-1", {**base, "tag": tag[:2]}),
        ("empty", {**base, "tag": ""}),
        # The full tag to a receiver of 12-byte tags: its first 12 bytes are
        # right, but it is not a 12-byte tag.
        ("longer-than-tag-len", {**base, "tag_len": 12}),
        ("appended-byte", {**base, "tag": tag + "00"}),
        ("last-bit-flipped", {**base, "tag": flipped}),
        ("other-aad", {**base, "aad": ""}),
        ("other-iv", {**base, "iv": "00" * 12}),
        ("ciphertext-bit-flipped", {**base, "ciphertext": "43" + ct[2:]}),
        ("ciphertext-truncated", {**base, "ciphertext": ct[:-2]}),
    ]


FORGED = forged_tags()


@pytest.mark.parametrize("case", FORGED, ids=[c[0] for c in FORGED])
def test_forged_tag_auth_failed(impl, case):
    assert impl.request(case[1]) == error("AUTH_FAILED")


def test_unknown_ops(impl):
    for op in ("aes_ecb", "AES_ECB_ENCRYPT", "aes_ecb_encrypt ", "hkdf",
               "pbkdf2_sha512", "aes_gcm_encrypt", "capabilities2",
               "pbkdf2_sha256\u0000"):
        assert impl.request({"op": op}) == error("UNSUPPORTED_OP"), op
    # Before any other member is examined.
    assert impl.request({"op": "sha256", "data": 5}) == error("UNSUPPORTED_OP")


def test_malformed_lines(impl):
    for line in (b"[]", b"not json", b'{"op": 5}', b"{}",
                 b'{"op":"hkdf_sha256","op":"hkdf_sha256"}'):
        assert impl.request(line) == error("INVALID_ARGUMENT"), line
    # ... and the process goes on serving.
    assert impl.request(good("hkdf_sha256"))["okm"] == HKDF1["okm"]


def test_no_output_written_on_failure(impl):
    # libserve reports a library that wrote to its buffers although it
    # failed ("out_modified"); the reference never does.
    for _, req in FORGED + NOT_SUPPORTED:
        assert "out_modified" not in impl.request(req)


def test_documented_session():
    # docs/conformance.md 8.4 shows the reference adapter's real answers.
    text = (REPO / "docs" / "conformance.md").read_text(encoding="utf-8")
    section = text.split("### 8.4 Example session", 1)[1]
    block = section.split("```", 2)[1]
    lines = [ln for ln in block.splitlines() if ln[:2] in ("> ", "< ")]
    assert len(lines) >= 20 and len(lines) % 2 == 0
    adapter = Proc([find_adapter()])
    for req, ans in zip(lines[::2], lines[1::2]):
        assert req.startswith("> ") and ans.startswith("< ")
        assert adapter.request(req[2:]) == json.loads(ans[2:]), req
    assert adapter.close() == 0


# --------------------------------------------------------------------------
# LibImpl in process (the runner's in-process mode)
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def libimpl():
    return load_libserve().LibImpl(find_lib())


def fields_of(req: dict) -> dict:
    return {k: (v if k in INTS else bytes.fromhex(v))
            for k, v in req.items() if k != "op"}


def test_libimpl_capabilities_and_describe(libimpl):
    caps = libimpl.capabilities()
    assert isinstance(caps, list) and all(isinstance(c, str) for c in caps)
    assert set(caps) == {"protect", "unprotect", "sframe_protect",
                         "sframe_unprotect", *PRIMITIVE_OPS}
    what = libimpl.describe()
    assert isinstance(what, str) and what.startswith("chanenc reference: chanenc ")
    assert "OpenSSL" in what


@pytest.mark.parametrize("case", KATS, ids=[c[0] for c in KATS])
def test_libimpl_primitive_known_answer(libimpl, case):
    _, req, want = case
    st, ans, mod = libimpl.primitive(req["op"], fields_of(req))
    if st == "NOT_SUPPORTED" and req["op"].startswith("sm4"):
        pytest.skip("this OpenSSL has no SM4")
    assert (st, mod) == (None, False)
    assert ans == {k: bytes.fromhex(v) for k, v in want.items()}
    assert all(type(v) is bytes for v in ans.values())


def test_libimpl_primitive_failures(libimpl):
    req = fields_of(FORGED[0][1])
    assert libimpl.primitive("aes_gcm_open", req) == ("AUTH_FAILED", {}, False)
    assert libimpl.primitive("aes_gcm_open", {**req, "tag_len": 16.0}) == \
        ("INVALID_ARGUMENT", {}, False)
    assert libimpl.primitive("aes_gcm_open", {**req, "key": GCM_K}) == \
        ("INVALID_ARGUMENT", {}, False)  # a str, not bytes
    del req["aad"]
    assert libimpl.primitive("aes_gcm_open", req) == \
        ("INVALID_ARGUMENT", {}, False)
    big = fields_of(good("aes_ecb_encrypt"))
    big["data"] = bytes(MAX_BYTES + 16)
    assert libimpl.primitive("aes_ecb_encrypt", big) == ("TOO_LARGE", {}, False)
    assert libimpl.primitive("derive", {}) == ("UNSUPPORTED_OP", {}, False)
    assert libimpl.primitive("capabilities", {}) == ("UNSUPPORTED_OP", {}, False)
    # bytearray and memoryview are bytes too.
    ecb = fields_of(good("aes_ecb_encrypt"))
    st, ans, _ = libimpl.primitive("aes_ecb_encrypt",
                                   {"key": bytearray(ecb["key"]),
                                    "data": memoryview(ecb["data"])})
    assert st is None and ans["data"].hex() == FIPS197[0][1]


# --------------------------------------------------------------------------
# The C ABI called directly: capacity and the order of failures
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cabi():
    return ctypes.CDLL(find_lib())


def cbuf(hexstr: str):
    b = bytes.fromhex(hexstr)
    return (ctypes.c_uint8 * max(1, len(b))).from_buffer_copy(b.ljust(1, b"\0")), len(b)


def sentinel(n: int):
    return (ctypes.c_uint8 * n).from_buffer_copy(b"\xa5" * n)


def test_c_abi_capacity(cabi):
    f = cabi.ce1_impl_aes_ecb
    f.restype = ctypes.c_int
    key, kn = cbuf(FIPS197[0][0])
    data, dn = cbuf(FIPS197_PT * 2)
    for cap, want_rc in ((32, 0), (40, 0), (31, -9), (16, -9), (0, -9)):
        out = sentinel(40)
        n = ctypes.c_size_t(cap)
        rc = f(1, key, ctypes.c_size_t(kn), data, ctypes.c_size_t(dn), out,
               ctypes.byref(n))
        assert rc == want_rc, cap
        if rc == 0:
            assert n.value == 32 and bytes(out[:32]).hex() == FIPS197[0][1] * 2
            assert bytes(out[32:]) == b"\xa5" * 8
        else:
            assert n.value == cap and bytes(out) == b"\xa5" * 40
    # A bad key with a short capacity: the key decides (BUFFER_TOO_SMALL
    # comes last).
    out = sentinel(16)
    n = ctypes.c_size_t(1)
    assert f(1, key, ctypes.c_size_t(15), data, ctypes.c_size_t(dn), out,
             ctypes.byref(n)) == -7
    assert f(1, key, ctypes.c_size_t(kn), data, ctypes.c_size_t(dn), out,
             None) == -7
    assert bytes(out) == b"\xa5" * 16


def test_c_abi_gcm_capacity_and_tag(cabi):
    key, iv, aad, pt, ct, tag = GCM_TC4
    seal = cabi.ce1_impl_aes_gcm_seal
    seal.restype = ctypes.c_int
    k, kn = cbuf(key)
    i, ivn = cbuf(iv)
    a, an = cbuf(aad)
    p, pn = cbuf(pt)
    args = (k, ctypes.c_size_t(kn), i, ctypes.c_size_t(ivn), a,
            ctypes.c_size_t(an), p, ctypes.c_size_t(pn), ctypes.c_size_t(16))
    out, t = sentinel(pn), sentinel(16)
    n = ctypes.c_size_t(pn - 1)
    assert seal(*args, out, ctypes.byref(n), t) == -9
    assert bytes(out) == b"\xa5" * pn and bytes(t) == b"\xa5" * 16  # no tag
    n = ctypes.c_size_t(pn)
    assert seal(*args, out, ctypes.byref(n), t) == 0
    assert (bytes(out).hex(), bytes(t).hex(), n.value) == (ct, tag, pn)

    opn = cabi.ce1_impl_aes_gcm_open
    opn.restype = ctypes.c_int
    c, cn = cbuf(ct)
    tg, tn = cbuf(tag)

    def call(tag_size, tag_len, cap, tagbuf=tg):
        o = sentinel(max(cn, 1))
        m = ctypes.c_size_t(cap)
        rc = opn(k, ctypes.c_size_t(kn), i, ctypes.c_size_t(ivn), a,
                 ctypes.c_size_t(an), c, ctypes.c_size_t(cn), tagbuf,
                 ctypes.c_size_t(tag_size), ctypes.c_size_t(tag_len), o,
                 ctypes.byref(m))
        return rc, bytes(o), m.value

    rc, o, m = call(16, 16, cn)
    assert (rc, o.hex(), m) == (0, pt, cn)
    # A forged (truncated) tag with a short capacity: AUTH_FAILED first.
    for size, tag_len, cap in ((12, 16, cn), (12, 16, 1), (16, 12, cn)):
        rc, o, m = call(size, tag_len, cap)
        assert (rc, o, m) == (-6, b"\xa5" * cn, cap), (size, tag_len, cap)
    rc, o, m = call(16, 16, cn - 1)
    assert (rc, o, m) == (-9, b"\xa5" * cn, cn - 1)
    # NULL tag of size 0 for a 16-byte receiver: a forgery, not a crash.
    assert call(0, 16, cn, tagbuf=None)[0] == -6
    # NULL tag with a nonzero size: an argument error.
    assert call(16, 16, cn, tagbuf=None)[0] == -7


def test_c_abi_kdfs_and_describe(cabi):
    d = cabi.ce1_impl_describe
    d.restype = ctypes.c_char_p
    assert d().decode().startswith("chanenc reference: chanenc ")
    ext = cabi.ce1_impl_hkdf_sha256_extract
    ext.restype = ctypes.c_int
    s, sn = cbuf(HKDF1["salt"])
    ikm, ikn = cbuf(HKDF1["ikm"])
    prk = sentinel(32)
    assert ext(s, ctypes.c_size_t(sn), ikm, ctypes.c_size_t(ikn), prk) == 0
    assert bytes(prk).hex() == HKDF1["prk"]
    # Empty salt as NULL: 32 zero bytes (RFC 5869 2.2), case 3.
    assert ext(None, ctypes.c_size_t(0), ikm, ctypes.c_size_t(ikn), prk) == 0
    assert bytes(prk).hex() == HKDF3["prk"]
    assert ext(None, ctypes.c_size_t(1), ikm, ctypes.c_size_t(ikn), prk) == -7
    pb = cabi.ce1_impl_pbkdf2_sha256
    pb.restype = ctypes.c_int
    pb.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                   ctypes.c_size_t, ctypes.c_uint32, ctypes.c_void_p,
                   ctypes.c_size_t]
    dk = sentinel(64)
    assert pb(b"passwd", 6, b"salt", 4, 1, dk, 64) == 0
    assert bytes(dk).hex() == PBKDF2[0][3]
    dk = sentinel(8)
    assert pb(b"", 0, b"", 0, 0, dk, 8) == -7
    assert pb(b"", 0, b"", 0, 2**31, dk, 8) == -8
    assert bytes(dk) == b"\xa5" * 8
