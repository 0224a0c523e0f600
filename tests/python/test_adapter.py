"""Tests of ce1-adapter, the JSON-lines process adapter (conformance.md 3).

Drives every CE1 vector file (CE_VECTORS_DIR/ce1/*.json) through the
adapter's protect / unprotect / derive requests, then checks malformed
requests, size limits, the context cache and end-of-input behaviour.

The adapter is found through CE1_ADAPTER (set by CTest), else CE_BUILD_DIR,
else the newest build*/tools/ce1-adapter in the repository. Needs only
Debian's python3 with pytest (and python3-cryptography for the independent
cross-check); not the project's Python bindings.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import select
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS_DIR = Path(os.environ.get("CE_VECTORS_DIR", REPO / "vectors")) / "ce1"
TIMEOUT = 120.0  # seconds for one answer; generous for sanitizer builds

MAX_PAYLOAD = 65535
# mode id -> (family, key bytes, header length); docs/spec.md sections 2, 5
# and 6.
MODES = {
    1: ("xts", 32, 10),
    2: ("ecb", 16, 2),
    3: ("xts", 64, 10),
    4: ("ecb", 16, 2),
    5: ("gcm", 16, 10),
    6: ("gcm", 32, 10),
    7: ("gcm", 16, 10),
    8: ("gcm", 32, 10),
}
SALT = bytes(range(1, 33)).hex()
KEY = b"0123456789abcdef0123456789abcdef".hex()


def overhead(mode: int, n: int) -> int:
    """Bytes a frame adds to an n-byte payload (spec section 8)."""
    family = MODES[mode][0]
    if family == "ecb":
        return 2 + 16 - n % 16
    if family == "xts":
        return 10 + (16 - n if n < 16 else 0)
    return 26


def find_adapter() -> str:
    env = os.environ.get("CE1_ADAPTER")
    if env:
        if not os.access(env, os.X_OK):
            pytest.fail(f"CE1_ADAPTER={env} is not an executable")
        return env
    candidates = []
    if os.environ.get("CE_BUILD_DIR"):
        candidates.append(Path(os.environ["CE_BUILD_DIR"]) / "tools" / "ce1-adapter")
    candidates += sorted(
        REPO.glob("build*/tools/ce1-adapter"),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return str(c)
    pytest.fail("ce1-adapter not found: set CE1_ADAPTER or build the tools")


class Adapter:
    """One adapter process, driven line by line with a timeout on every
    answer, so a hung or dead adapter fails the test instead of hanging."""

    def __init__(self, path: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [path, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        self.buf = b""

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def read_line(self, timeout: float = TIMEOUT) -> bytes:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                pytest.fail(f"no answer from the adapter within {timeout} s")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    code = self.proc.poll()
                    pytest.fail(f"adapter closed its output (exit code {code})")
                self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def answer(self) -> dict:
        line = self.read_line()
        try:
            obj = json.loads(line)
        except ValueError:
            pytest.fail(f"adapter answered non-JSON: {line[:200]!r}")
        assert isinstance(obj, dict), f"answer is not an object: {line[:200]!r}"
        return obj

    def request(self, obj: dict) -> dict:
        self.send_raw(json.dumps(obj).encode() + b"\n")
        return self.answer()

    def close(self, timeout: float = 30.0) -> int:
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if self.proc.stdout:
                self.proc.stdout.close()


@pytest.fixture(scope="module")
def adapter_path() -> str:
    return find_adapter()


@pytest.fixture(scope="module")
def adapter(adapter_path):
    a = Adapter(adapter_path)
    yield a
    assert a.close() == 0


def vector_files() -> list[Path]:
    return sorted(VECTORS_DIR.glob("*.json"))


# ---------------------------------------------------------------------------
# Every vector through the adapter
# ---------------------------------------------------------------------------


def test_vector_files_present():
    files = vector_files()
    assert files, f"no vector files in {VECTORS_DIR}"
    n = 0
    for f in files:
        doc = json.loads(f.read_text())
        assert doc["format"] == "ce1-vectors/1", f.name
        for g in doc["groups"]:
            n += len(g.get("tests") or []) + (1 if "config_status" in g else 0)
    assert n > 0, "vector files hold no tests"


def base_request(op: str, g: dict) -> dict:
    return {"op": op, "mode": g["mode"], "key": g["key"], "salt": g["salt"]}


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.name)
def test_vectors(adapter, path):
    doc = json.loads(path.read_text())
    failures: list[str] = []
    checked = 0

    def expect(what: str, got: dict, want: dict) -> None:
        if got != want:
            failures.append(f"{path.name}: {what}: got {got}, want {want}")

    for gi, g in enumerate(doc["groups"]):
        where = f"group {gi} (mode {g['mode']})"
        if "config_status" in g:
            want = {"error": g["config_status"]}
            expect(f"{where} derive", adapter.request(base_request("derive", g)), want)
            req = base_request("protect", g)
            req.update(pn="0000000000000001", payload="00")
            expect(f"{where} protect", adapter.request(req), want)
            req = base_request("unprotect", g)
            req.update(frame="00" * 42)
            expect(f"{where} unprotect", adapter.request(req), want)
            checked += 1
            continue

        d = g["derived"]
        got = adapter.request(base_request("derive", g))
        if got == {"error": "NOT_SUPPORTED"}:
            # A build whose OpenSSL lacks the cipher (e.g. SM4) refuses
            # every request of the group alike.
            for t in g["tests"]:
                req = base_request("unprotect", g)
                req["frame"] = t["frame"]
                expect(f"{where} id {t['id']}", adapter.request(req), got)
            continue
        expect(
            f"{where} derive",
            got,
            {"enc_key": d["enc_key"], "iv_base": d["iv_base"], "check": d["check"]},
        )
        ecb = MODES.get(g["mode"], ("",))[0] == "ecb"
        for t in g["tests"]:
            tid = f"{where} id {t['id']} ({t['comment'][:60]})"
            if t["result"] == "valid":
                req = base_request("protect", g)
                req.update(pn=t["pn"], payload=t["payload"])
                expect(f"{tid} protect", adapter.request(req), {"frame": t["frame"]})
                if ecb:
                    # ECB ignores the packet number: absent or any value.
                    del req["pn"]
                    expect(f"{tid} protect, no pn", adapter.request(req),
                           {"frame": t["frame"]})
                    req["pn"] = "fedcba9876543210"
                    expect(f"{tid} protect, other pn", adapter.request(req),
                           {"frame": t["frame"]})
                req = base_request("unprotect", g)
                req["frame"] = t["frame"]
                expect(f"{tid} unprotect", adapter.request(req),
                       {"payload": t["payload"]})
            else:
                req = base_request("unprotect", g)
                req["frame"] = t["frame"]
                expect(f"{tid} unprotect", adapter.request(req),
                       {"error": t["status"]})
            checked += 1

    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:30])
    assert checked > 0, f"{path.name}: nothing checked"


# ---------------------------------------------------------------------------
# Malformed requests
# ---------------------------------------------------------------------------

INVALID = {"error": "INVALID_ARGUMENT"}


def good(op: str, mode: int = 5) -> dict:
    req = {"op": op, "mode": mode, "key": KEY, "salt": SALT}
    if op == "protect":
        req.update(pn="0000000000003039", payload="68656c6c6f")
    elif op == "unprotect":
        req["frame"] = "00" * 30
    return req


@pytest.mark.parametrize(
    "line",
    [
        b"this is not json",
        b"{",
        b'{"op": "derive"',
        b"",
        b"   ",
        b"[]",
        b"42",
        b'"protect"',
        b"null",
        b"{}",
        b'{"op": 7}',
        b'{"op": null}',
        b'{"op": "derive", "mode": 5, "key": "00", "salt": "' + SALT.encode() + b'",}',
        b'{"op": "derive", \'mode\': 5}',
        b'{"op": "derive"} {"op": "derive"}',
        b'{"op": "der\x00ive"}',
        b'{"op": "derive", "key": "\xff\xfe"}',
        b"x" * 1_000_000,
    ],
    ids=lambda b: repr(b[:40]),
)
def test_garbage_lines(adapter, line):
    adapter.send_raw(line + b"\n")
    assert adapter.answer() == INVALID
    # ... and the adapter keeps serving.
    assert "check" in adapter.request(good("derive"))


def test_unknown_op(adapter):
    for op in ["frobnicate", "PROTECT", "protect ", ""]:
        req = good("protect")
        req["op"] = op
        assert adapter.request(req) == {"error": "UNSUPPORTED_OP"}, op
    # An unknown op is reported as such even without the other fields.
    assert adapter.request({"op": "encrypt"}) == {"error": "UNSUPPORTED_OP"}


@pytest.mark.parametrize("op", ["protect", "unprotect", "derive"])
def test_missing_fields(adapter, op):
    req = good(op)
    for field in req:
        r = dict(req)
        del r[field]
        assert adapter.request(r) == INVALID, f"{op} without {field}"


@pytest.mark.parametrize(
    "field,value",
    [
        ("key", "zz"),
        ("key", "abc"),
        ("key", "0x3031"),
        ("key", " 3031"),
        ("key", 3031),
        ("key", None),
        ("salt", "g" * 64),
        ("salt", SALT[:-1]),
        ("payload", "0"),
        ("payload", "hello"),
        ("payload", ["00"]),
        ("frame", "00 11"),
        ("frame", {"hex": "00"}),
    ],
)
def test_bad_hex(adapter, field, value):
    op = "unprotect" if field == "frame" else "protect"
    req = good(op)
    req[field] = value
    assert adapter.request(req) == INVALID


@pytest.mark.parametrize("nbytes", [0, 1, 16, 31, 33, 64])
@pytest.mark.parametrize("op", ["protect", "unprotect", "derive"])
def test_wrong_salt_length(adapter, op, nbytes):
    # The salt is uint8_t[32] for every mode, used or not (spec section 3.1).
    for mode in (5, 7):
        req = good(op, mode)
        req["salt"] = "ab" * nbytes
        assert adapter.request(req) == INVALID, (mode, nbytes)


@pytest.mark.parametrize(
    "pn", ["", "0", "000000000000303", "00000000000030390", "000000000000303g",
           12345, True, ["0000000000003039"]]
)
def test_bad_pn(adapter, pn):
    req = good("protect")
    req["pn"] = pn
    assert adapter.request(req) == INVALID


def test_pn_required_outside_ecb(adapter):
    for mode in (1, 3, 5, 6, 7, 8):
        req = good("protect", mode)
        req["pn"] = None
        assert adapter.request(req) == INVALID, mode
    for mode in (2, 4):
        req = good("protect", mode)
        req["pn"] = None
        assert "frame" in adapter.request(req), mode


@pytest.mark.parametrize("mode", [0, 9, -1, 255, 2**31, 2**63, 7.0, 7.5, "7",
                                  "AES_128_GCM2", None, True])
def test_bad_mode(adapter, mode):
    for op in ("protect", "unprotect", "derive"):
        req = good(op)
        req["mode"] = mode
        assert adapter.request(req) == INVALID, (op, mode)


def test_config_refusals(adapter):
    for op in ("protect", "unprotect", "derive"):
        req = good(op)
        req["key"] = ""
        assert adapter.request(req) == INVALID, f"{op}: empty key"
        for mode in (7, 8):
            req = good(op, mode)
            req["salt"] = "00" * 32
            assert adapter.request(req) == INVALID, f"{op}: GCM2 zero salt"


def test_upper_case_hex_and_crlf(adapter):
    # Input hex may be upper case; output is always lower case.
    lower = adapter.request(good("protect"))
    req = good("protect")
    req = {k: v.upper() if k in ("key", "salt", "payload") else v
           for k, v in req.items()}
    assert adapter.request(req) == lower
    assert lower["frame"] == lower["frame"].lower()
    # A CRLF line end is JSON whitespace.
    adapter.send_raw(json.dumps(good("protect")).encode() + b"\r\n")
    assert adapter.answer() == lower


# ---------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", sorted(MODES))
def test_largest_payload(adapter, mode):
    payload = bytes(random.Random(mode).getrandbits(8) for _ in range(MAX_PAYLOAD))
    req = good("protect", mode)
    req["payload"] = payload.hex()
    got = adapter.request(req)
    assert "frame" in got, got
    frame = bytes.fromhex(got["frame"])
    assert len(frame) == MAX_PAYLOAD + overhead(mode, MAX_PAYLOAD)
    req = good("unprotect", mode)
    req["frame"] = frame.hex()
    assert adapter.request(req) == {"payload": payload.hex()}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_payload_too_large(adapter, mode):
    for n in (MAX_PAYLOAD + 1, 2 * MAX_PAYLOAD):
        req = good("protect", mode)
        req["payload"] = "00" * n
        assert adapter.request(req) == {"error": "TOO_LARGE"}, (mode, n)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_frame_too_long(adapter, mode):
    # One byte more than the frame of a 65,535-byte payload (spec section 9,
    # step 1).
    n = MAX_PAYLOAD + overhead(mode, MAX_PAYLOAD) + 1  # 65,539 / 65,546 / 65,562
    req = good("unprotect", mode)
    req["frame"] = "00" * n
    assert adapter.request(req) == {"error": "MALFORMED"}


# ---------------------------------------------------------------------------
# Round trips, cache, independent cross-check
# ---------------------------------------------------------------------------


def test_random_round_trips(adapter):
    rng = random.Random(1)
    for _ in range(200):
        mode = rng.choice(sorted(MODES))
        n = rng.choice([0, 1, 15, 16, 17, rng.randrange(0, 3000)])
        payload = rng.randbytes(n).hex()
        req = good("protect", mode)
        req.update(pn=rng.randbytes(8).hex(), payload=payload)
        got = adapter.request(req)
        assert "frame" in got, (mode, n, got)
        assert len(got["frame"]) // 2 == n + overhead(mode, n)
        back = good("unprotect", mode)
        back["frame"] = got["frame"]
        assert adapter.request(back) == {"payload": payload}, (mode, n)


def test_cache_eviction_keeps_answers(adapter):
    # More configurations than the LRU holds, visited twice: answers after
    # an eviction must equal the first ones.
    configs = [(m, (b"key-%d" % i).hex()) for i in range(12) for m in (1, 5)]
    first = {}
    for rnd in range(2):
        for mode, key in configs:
            req = good("protect", mode)
            req["key"] = key
            got = adapter.request(req)
            assert "frame" in got
            if rnd == 0:
                first[(mode, key)] = got
            else:
                assert got == first[(mode, key)], (mode, key)


def test_gcm2_contexts_are_cached(adapter):
    # PBKDF2 with 100,000 iterations costs tens of milliseconds; repeated
    # requests for one GCM2 config must not pay it again.
    req = good("protect", 7)
    req["key"] = b"cache-timing-key".hex()
    t0 = time.monotonic()
    first = adapter.request(req)
    t_first = time.monotonic() - t0
    assert "frame" in first
    t0 = time.monotonic()
    for _ in range(20):
        assert adapter.request(req) == first
    t_rest = time.monotonic() - t0
    assert t_rest < 5 * t_first, (
        f"20 cached requests took {t_rest:.3f} s, the first {t_first:.3f} s"
    )


def test_independent_gcm_cross_check(adapter):
    """Checks derive and GCM frames against pyca/cryptography and hashlib,
    from docs/spec.md alone (sections 4, 6.3)."""
    crypto = pytest.importorskip("cryptography.hazmat.primitives.ciphers.aead")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

    strings = {5: "aes-128-gcm", 6: "aes-256-gcm", 7: "aes-128-gcm-2",
               8: "aes-256-gcm-2"}
    key = b"independent check key"
    salt = bytes(range(100, 132))
    for mode, mstr in strings.items():
        if mode in (7, 8):
            prk = hashlib.pbkdf2_hmac("sha256", key, salt, 100000, 32)
        else:
            import hmac
            prk = hmac.new(bytes(32), key, hashlib.sha256).digest()

        def expand(label: str, n: int) -> bytes:
            return HKDFExpand(hashes.SHA256(), n, (label + mstr).encode()).derive(prk)

        kb = MODES[mode][1]
        want = {"enc_key": expand("ce1 key ", kb).hex(),
                "iv_base": expand("ce1 iv ", 12).hex(),
                "check": expand("ce1 check ", 1).hex()}
        base = {"mode": mode, "key": key.hex(), "salt": salt.hex()}
        assert adapter.request({"op": "derive", **base}) == want, mode

        pn = 0x0102030405060708
        payload = b"cross-check payload"
        got = adapter.request({"op": "protect", **base, "pn": f"{pn:016x}",
                               "payload": payload.hex()})
        frame = bytes.fromhex(got["frame"])
        header = bytes([0x10 | mode, int(want["check"], 16)]) + pn.to_bytes(8, "big")
        assert frame[:10] == header
        nonce = bytes(a ^ b for a, b in zip(bytes.fromhex(want["iv_base"]),
                                            bytes(4) + pn.to_bytes(8, "big")))
        plain = crypto.AESGCM(bytes.fromhex(want["enc_key"])).decrypt(
            nonce, frame[10:], header)
        assert plain == payload


# ---------------------------------------------------------------------------
# Process behaviour
# ---------------------------------------------------------------------------


def test_exits_on_eof(adapter_path):
    a = Adapter(adapter_path)
    assert a.close() == 0
    assert a.buf == b""


def test_answers_everything_before_eof(adapter_path):
    # All requests written before stdin closes are answered, in order,
    # including a last line without a newline.
    a = Adapter(adapter_path)
    reqs = [good("derive", m) for m in (1, 2, 5)] + [{"op": "nope"}]
    data = b"".join(json.dumps(r).encode() + b"\n" for r in reqs)
    data += json.dumps(good("derive", 6)).encode()  # no final newline
    assert a.proc.stdin is not None
    a.proc.stdin.write(data)
    a.proc.stdin.close()
    answers = [a.answer() for _ in range(5)]
    assert [("check" in x) for x in answers] == [True, True, True, False, True]
    assert answers[3] == {"error": "UNSUPPORTED_OP"}
    assert a.close() == 0


def test_help(adapter_path):
    r = subprocess.run([adapter_path, "--help"], capture_output=True,
                       timeout=30, check=False)
    assert r.returncode == 0
    text = r.stdout.decode()
    for word in ("protect", "unprotect", "derive", "INVALID_ARGUMENT",
                 "UNSUPPORTED_OP"):
        assert word in text
    r = subprocess.run([adapter_path, "--bogus"], capture_output=True,
                       timeout=30, check=False, stdin=subprocess.DEVNULL)
    assert r.returncode == 2
