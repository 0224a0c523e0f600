"""Tests of chanenc.sframe (SFrame, RFC 9605) and its chanenc.Channel observer.

The RFC 9605 vectors are read in place from $CE_SFRAME_VECTORS_DIR, or by
default <repo>/../shared/vectors/sframe (../shared/vectors/sframe/README.md).
Run under CTest (py_test_sframe) or by hand:

    PYTHONPATH=build/bindings/python /usr/bin/python3 -m pytest -q tests/python/test_sframe.py
"""

import gc
import inspect
import json
import os
import pathlib
import pydoc
import threading

import pytest

import chanenc
import chanenc.testing
from chanenc import sframe
from chanenc.sframe import SFrameContext, SFrameObserver, Suite
from chanenc.testing import (sframe_protect_with_ctr,
                             sframe_protect_into_with_ctr,
                             sframe_protect_inplace_with_ctr,
                             sframe_set_next_ctr)

U64_MAX = (1 << 64) - 1
REPO = pathlib.Path(__file__).resolve().parents[2]
VECTORS_ENV = "CE_SFRAME_VECTORS_DIR"


# --------------------------------------------------------------------------
# The vector files, read in place
# --------------------------------------------------------------------------

def _vectors_dir() -> pathlib.Path:
    env = os.environ.get(VECTORS_ENV)
    d = pathlib.Path(env) if env else REPO.parent / "shared" / "vectors" / "sframe"
    return d


@pytest.fixture(scope="module")
def vectors():
    d = _vectors_dir()
    main = d / "test-vectors.json"
    aes256 = d / "test-vectors-aes256.json"
    if not main.is_file() or not aes256.is_file():
        pytest.fail(
            f"the RFC 9605 SFrame vectors are missing: {main} and {aes256} "
            f"must exist. Set {VECTORS_ENV} to the directory holding "
            f"test-vectors.json and test-vectors-aes256.json (default: "
            f"<repo>/../shared/vectors/sframe)", pytrace=False)
    # Python's json parses integers exactly: KIDs and CTRs up to 2**64 - 1
    # stay exact.
    with open(main, encoding="utf-8") as f:
        v = json.load(f)
    with open(aes256, encoding="utf-8") as f:
        v.update(json.load(f))
    return v


def _frame_vectors(v):
    return v["sframe"] + v["sframe_aes_256_ctr_hmac"]


def test_vector_files_have_the_documented_contents(vectors):
    assert len(vectors["header"]) == 289
    assert sorted(t["cipher_suite"] for t in vectors["sframe"]) == [1, 2, 3, 4, 5]
    assert sorted(t["cipher_suite"]
                  for t in vectors["sframe_aes_256_ctr_hmac"]) == [6, 7, 8]
    kids = {t["kid"] for t in vectors["header"]}
    assert U64_MAX in kids and 0 in kids
    assert all(isinstance(t["kid"], int) and isinstance(t["ctr"], int)
               for t in vectors["header"])


def test_header_vectors(vectors):
    n = 0
    for t in vectors["header"]:
        kid, ctr, enc = t["kid"], t["ctr"], bytes.fromhex(t["encoded"])
        assert sframe.header_encode(kid, ctr) == enc, (kid, ctr)
        assert sframe.header_len(kid, ctr) == len(enc)
        assert sframe.header_decode(enc) == (kid, ctr, len(enc))
        h = sframe.header_decode(enc + b"\xff\x00payload")
        assert (h.kid, h.ctr, h.header_len) == (kid, ctr, len(enc))
        assert sframe.header_decode(bytearray(enc)) == (kid, ctr, len(enc))
        assert sframe.header_decode(memoryview(enc)) == (kid, ctr, len(enc))
        for cut in range(len(enc)):
            with pytest.raises(chanenc.Malformed):
                sframe.header_decode(enc[:cut])
        n += 1
    assert n == 289


def test_header_not_shortest_form_is_malformed():
    # KID 5 in an extended 1-byte field (must be in the config byte), and
    # KID 0x100 with a leading zero byte.
    with pytest.raises(chanenc.Malformed):
        sframe.header_decode(bytes([0x80, 0x05]))
    with pytest.raises(chanenc.Malformed):
        sframe.header_decode(bytes([0x82, 0x00, 0x01, 0x00]))


@pytest.mark.parametrize("index", range(8))
def test_sframe_vectors(vectors, index):
    t = _frame_vectors(vectors)[index]
    suite = t["cipher_suite"]
    kid, ctr = t["kid"], t["ctr"]
    hx = bytes.fromhex
    base_key, metadata, pt, ct = (hx(t["base_key"]), hx(t["metadata"]),
                                  hx(t["pt"]), hx(t["ct"]))

    # Key schedule, step by step (RFC 9605 4.4.2).
    d = sframe.derive(suite, kid, base_key)
    assert d.secret == hx(t["sframe_secret"])
    assert d.key == hx(t["sframe_key"])
    assert d.salt == hx(t["sframe_salt"])
    assert d.key_label == hx(t["sframe_key_label"])
    assert d.salt_label == hx(t["sframe_salt_label"])
    assert sframe.nonce(d.salt, ctr) == hx(t["nonce"])

    # The one-shot AEAD over the vector's aad.
    hdr = sframe.header_encode(kid, ctr)
    assert hx(t["aad"]) == hdr + metadata
    body = sframe.aead_encrypt(suite, d.key, hx(t["nonce"]), pt, hx(t["aad"]))
    assert hdr + body == ct
    assert sframe.aead_decrypt(suite, d.key, hx(t["nonce"]), body,
                               hx(t["aad"])) == pt

    # Encrypt with the explicit-CTR testing function, three forms.
    tx = SFrameContext(suite)
    tx.add_key(kid, base_key, usage="send")
    assert sframe_protect_with_ctr(tx, kid, ctr, pt, metadata) == ct
    out = bytearray(len(pt) + sframe.MAX_OVERHEAD)
    n = sframe_protect_into_with_ctr(tx, kid, ctr, pt, out, metadata)
    assert bytes(out[:n]) == ct
    buf = bytearray(pt) + bytearray(sframe.MAX_OVERHEAD)
    n = sframe_protect_inplace_with_ctr(tx, kid, ctr, buf, len(pt), metadata)
    assert bytes(buf[:n]) == ct
    assert tx.next_ctr(kid) == 0  # the key's own counter is untouched
    assert len(ct) - len(pt) == sframe.overhead(suite, kid, ctr) == \
        tx.overhead(kid, ctr)

    # Decrypt with a context, three forms.
    rx = SFrameContext(Suite(suite))
    rx.add_key(kid, base_key, usage="receive")
    r = rx.unprotect(ct, metadata)
    assert r == (pt, kid, ctr)
    assert (r.payload, r.kid, r.ctr) == (pt, kid, ctr)
    out = bytearray(len(ct))
    ri = rx.unprotect_into(ct, out, metadata=metadata)
    assert (bytes(out[:ri.length]), ri.kid, ri.ctr) == (pt, kid, ctr)
    buf = bytearray(ct)
    ri = rx.unprotect_inplace(buf, metadata=metadata)
    assert (bytes(buf[:ri.length]), ri.kid, ri.ctr) == (pt, kid, ctr)
    # Wrong metadata, each flipped byte.
    with pytest.raises(chanenc.AuthFailed):
        rx.unprotect(ct, metadata + b"x")
    for i in range(len(hdr), len(ct)):
        bad = bytearray(ct)
        bad[i] ^= 0x01
        with pytest.raises(chanenc.AuthFailed):
            rx.unprotect(bytes(bad), metadata)


@pytest.mark.parametrize("array", ["aes_ctr_hmac", "aes_256_ctr_hmac"])
def test_ctr_hmac_aead_vectors(vectors, array):
    assert len(vectors[array]) == 3
    for t in vectors[array]:
        hx = bytes.fromhex
        key, nonce, aad, pt, ct = (hx(t["key"]), hx(t["nonce"]), hx(t["aad"]),
                                   hx(t["pt"]), hx(t["ct"]))
        info = sframe.suite_info(t["cipher_suite"])
        assert key == hx(t["enc_key"]) + hx(t["auth_key"])
        assert len(hx(t["enc_key"])) == info.nka
        assert sframe.aead_encrypt(t["cipher_suite"], key, nonce, pt, aad) == ct
        assert sframe.aead_decrypt(t["cipher_suite"], key, nonce, ct, aad) == pt
        bad = bytearray(ct)
        bad[-1] ^= 0x80
        with pytest.raises(chanenc.AuthFailed):
            sframe.aead_decrypt(t["cipher_suite"], key, nonce, bytes(bad), aad)
    with pytest.raises(chanenc.Malformed):
        sframe.aead_decrypt(1, bytes(48), bytes(12), b"short", b"")


# --------------------------------------------------------------------------
# Exceptions
# --------------------------------------------------------------------------

def test_sframe_exception_classes():
    expected = {"UnknownKid": ("UNKNOWN_KID", -13),
                "Replayed": ("REPLAYED", -14),
                "CounterExhausted": ("COUNTER_EXHAUSTED", -15)}
    for name, (status, code) in expected.items():
        cls = getattr(chanenc, name)
        assert name in chanenc.__all__
        assert cls is getattr(chanenc.errors, name)
        assert issubclass(cls, chanenc.Error)
        assert not issubclass(cls, ValueError)
        assert (cls.status, cls.code) == (status, code)
        assert chanenc.error_class(code) is cls
        assert chanenc.error_class(status) is cls
        assert chanenc.status_code(status) == code
        assert chanenc.status_name(code) == status
        assert "SFrame" in chanenc.status_description(code)
        assert cls.__doc__


def test_exceptions_per_status():
    tx = SFrameContext(Suite.AES_128_GCM_SHA256_128)
    rx = SFrameContext(Suite.AES_128_GCM_SHA256_128, replay_window=16)
    tx.add_key(9, b"base key 9", "send")
    rx.add_key(9, b"base key 9", "receive")
    f = tx.protect(9, b"x")
    f2 = tx.protect(9, b"y")          # not yet seen: the tag is checked
    rx.unprotect(f)
    cases = [
        (chanenc.UnknownKid, lambda: tx.protect(10, b"x")),
        (chanenc.UnknownKid, lambda: rx.unprotect(
            sframe_protect_with_ctr(_sender(4, 11, b"k"), 11, 0, b"x"))),
        (chanenc.Replayed, lambda: rx.unprotect(f)),
        (chanenc.AuthFailed, lambda: rx.unprotect(f2[:-1] + bytes([f2[-1] ^ 1]))),
        (chanenc.Malformed, lambda: rx.unprotect(b"")),
        (chanenc.Malformed, lambda: rx.unprotect(f[:5])),
        (chanenc.BufferTooSmall, lambda: tx.protect_into(9, b"abc", bytearray(3))),
        (chanenc.TooLarge, lambda: tx.protect(9, bytes(sframe.MAX_PAYLOAD + 1))),
    ]
    for cls, fn in cases:
        with pytest.raises(cls) as ei:
            fn()
        assert f"[{cls.status}]" in str(ei.value)
        assert ei.value.code == cls.code


def _sender(suite, kid, key):
    c = SFrameContext(suite)
    c.add_key(kid, key, "send")
    return c


# --------------------------------------------------------------------------
# Context behaviour
# --------------------------------------------------------------------------

@pytest.mark.parametrize("suite", list(Suite))
def test_roundtrip_every_suite_and_counter_sequence(suite):
    tx, rx = SFrameContext(suite), SFrameContext(suite.name.lower())
    kid = 0x1000c
    tx.add_key(kid, b"a base key", usage=sframe.Usage.SEND)
    rx.add_key(kid, b"a base key", usage="RECEIVE")
    assert tx.suite is suite and rx.suite is suite
    for i, payload in enumerate([b"", b"a", bytes(range(256)) * 5, b"z" * 1000]):
        assert tx.next_ctr(kid) == i
        frame = tx.protect(kid, payload, metadata=b"md")
        h = sframe.header_decode(frame)
        assert (h.kid, h.ctr) == (kid, i)
        assert len(frame) == len(payload) + tx.overhead(kid, i)
        assert rx.unprotect(frame, b"md") == (payload, kid, i)
    # into / in place continue the same counter
    out = bytearray(100)
    n = tx.protect_into(kid, b"into", out)
    assert rx.unprotect(bytes(out[:n])) == (b"into", kid, 4)
    buf = bytearray(b"inplace") + bytearray(sframe.MAX_OVERHEAD)
    n = tx.protect_inplace(kid, memoryview(buf), 7)
    assert rx.unprotect_inplace(buf, n) == (7, kid, 5)
    assert bytes(buf[:7]) == b"inplace"
    assert tx.next_ctr(kid) == 6


def test_protect_into_may_overlap():
    tx, rx = _sender(4, 1, b"k"), SFrameContext(4)
    rx.add_key(1, b"k", "receive")
    buf = bytearray(b"payload" + bytes(40))
    n = tx.protect_into(1, memoryview(buf)[:7], buf)
    assert rx.unprotect(bytes(buf[:n])).payload == b"payload"


def test_replay_window():
    tx, rx = _sender(1, 3, b"key"), SFrameContext(1)
    rx.add_key(3, b"key", "receive")
    assert rx.replay_window == 0
    frames = [tx.protect(3, b"%d" % i) for i in range(40)]
    # Off: a frame may be accepted twice.
    assert rx.unprotect(frames[0]).ctr == 0
    assert rx.unprotect(frames[0]).ctr == 0
    rx.replay_window = 8
    assert rx.replay_window == 8
    # Seen while off: remembered.
    with pytest.raises(chanenc.Replayed) as ei:
        rx.unprotect(frames[0])
    assert "KID 3, CTR 0" in str(ei.value)
    assert rx.unprotect(frames[20]).ctr == 20
    with pytest.raises(chanenc.Replayed):
        rx.unprotect(frames[20])                 # duplicate
    assert rx.unprotect(frames[13]).ctr == 13    # within 8 - 1 of 20
    with pytest.raises(chanenc.Replayed):
        rx.unprotect(frames[12])                 # older than the window
    assert rx.unprotect(frames[39]).ctr == 39   # newer is always fine
    # A failed authentication records nothing.
    bad = bytearray(frames[38])
    bad[-1] ^= 1
    with pytest.raises(chanenc.AuthFailed):
        rx.unprotect(bytes(bad))
    assert rx.unprotect(frames[38]).ctr == 38
    # unprotect_into refused for capacity does not record the CTR either.
    with pytest.raises(chanenc.BufferTooSmall):
        rx.unprotect_into(frames[37], bytearray(0))
    out = bytearray(10)
    assert rx.unprotect_into(frames[37], out).ctr == 37
    rx.replay_window = sframe.MAX_REPLAY_WINDOW
    with pytest.raises(chanenc.InvalidArgument, match="replay_window"):
        rx.replay_window = sframe.MAX_REPLAY_WINDOW + 1
    with pytest.raises(chanenc.InvalidArgument, match="replay_window"):
        rx.replay_window = -1
    with pytest.raises(TypeError):
        rx.replay_window = "8"
    assert rx.replay_window == sframe.MAX_REPLAY_WINDOW
    assert SFrameContext(4, replay_window=5).replay_window == 5


def test_unknown_kid_and_usage():
    ctx = SFrameContext(Suite.AES_256_GCM_SHA512_128)
    ctx.add_key(1, b"send key", "send")
    ctx.add_key(2, b"recv key", "receive")
    with pytest.raises(chanenc.UnknownKid, match=r"protect \(KID 7\)"):
        ctx.protect(7, b"x")
    with pytest.raises(chanenc.UnknownKid):
        ctx.protect(2, b"x")                      # a receive key
    with pytest.raises(chanenc.UnknownKid):
        ctx.next_ctr(2)
    frame = ctx.protect(1, b"x")
    with pytest.raises(chanenc.UnknownKid, match=r"KID 1, CTR 0"):
        ctx.unprotect(frame)                      # a send key
    with pytest.raises(chanenc.UnknownKid, match=r"remove_key \(KID 5\)"):
        ctx.remove_key(5)
    other = _sender(5, U64_MAX, b"k")
    with pytest.raises(chanenc.UnknownKid):
        ctx.unprotect(other.protect(U64_MAX, b"x"))
    # The retryable case: the key arrives, the same frame opens.
    f = other.protect(U64_MAX, b"late key")
    with pytest.raises(chanenc.UnknownKid):
        ctx.unprotect(f)
    ctx.add_key(U64_MAX, b"k", "receive")
    assert ctx.unprotect(f) == (b"late key", U64_MAX, 1)
    ctx.remove_key(U64_MAX)
    with pytest.raises(chanenc.UnknownKid):
        ctx.unprotect(f)


def test_wrong_metadata_and_tampering():
    tx, rx = _sender(2, 0x42, b"k" * 16), SFrameContext(2)
    rx.add_key(0x42, b"k" * 16, "receive")
    frame = tx.protect(0x42, b"some media payload", metadata=b"stream A")
    for md in (b"", b"stream B", b"stream A\x00"):
        with pytest.raises(chanenc.AuthFailed):
            rx.unprotect(frame, md)
    hlen = sframe.header_decode(frame).header_len
    for i in range(len(frame)):
        for bit in (0x01, 0x80):
            bad = bytearray(frame)
            bad[i] ^= bit
            buf = bytearray(bad)
            with pytest.raises(chanenc.Error) as ei:
                rx.unprotect_inplace(buf, metadata=b"stream A")
            assert buf == bad                    # unchanged on failure
            if i >= hlen:
                assert type(ei.value) is chanenc.AuthFailed
    assert rx.unprotect(frame, metadata=b"stream A").payload == \
        b"some media payload"
    for cut in range(len(frame)):
        with pytest.raises((chanenc.Malformed, chanenc.AuthFailed)):
            rx.unprotect(frame[:cut], b"stream A")


def test_key_replacement_keeps_or_resets_state():
    ctx = _sender(4, 1, b"first")
    ctx.protect(1, b"a")
    ctx.protect(1, b"b")
    ctx.add_key(1, b"first", "send")           # same base key: counter kept
    assert ctx.next_ctr(1) == 2
    ctx.add_key(1, b"second", "send")          # another key: afresh
    assert ctx.next_ctr(1) == 0
    ctx.remove_key(1)
    with pytest.raises(chanenc.UnknownKid):
        ctx.next_ctr(1)


def test_counter_exhausted():
    tx, rx = _sender(3, 8, b"k"), SFrameContext(3)
    rx.add_key(8, b"k", "receive")
    sframe_set_next_ctr(tx, 8, U64_MAX - 1)
    assert tx.next_ctr(8) == U64_MAX - 1
    assert rx.unprotect(tx.protect(8, b"1")).ctr == U64_MAX - 1
    f = tx.protect(8, b"2")
    assert sframe.header_decode(f)[:2] == (8, U64_MAX)
    assert rx.unprotect(f).ctr == U64_MAX
    with pytest.raises(chanenc.CounterExhausted, match=r"KID 8"):
        tx.protect(8, b"3")
    with pytest.raises(chanenc.CounterExhausted):
        tx.protect_into(8, b"3", bytearray(64))
    with pytest.raises(chanenc.CounterExhausted):
        tx.protect_inplace(8, bytearray(64), 1)
    with pytest.raises(chanenc.CounterExhausted):
        tx.next_ctr(8)
    # the testing interface ignores exhaustion; a new key goes on
    assert sframe_protect_with_ctr(tx, 8, 5, b"x")
    tx.add_key(8, b"new key", "send")
    assert tx.next_ctr(8) == 0
    with pytest.raises(chanenc.UnknownKid):
        sframe_set_next_ctr(tx, 99, 0)


def test_buffers_and_sizes():
    tx, rx = _sender(4, 300, b"k"), SFrameContext(4)
    rx.add_key(300, b"k", "receive")
    need = 5 + tx.overhead(300, 0)
    assert need == 5 + 3 + 16                       # KID 300: 2 extra bytes
    out = bytearray(need - 1)
    with pytest.raises(chanenc.BufferTooSmall):
        tx.protect_into(300, b"hello", out)
    assert out == bytearray(need - 1)
    buf = bytearray(b"hello" + bytes(need - 6))
    with pytest.raises(chanenc.BufferTooSmall):
        tx.protect_inplace(300, buf, 5)
    assert buf == bytearray(b"hello" + bytes(need - 6))
    assert tx.next_ctr(300) == 0                    # refused before the CTR
    with pytest.raises(ValueError, match="exceeds the buffer"):
        tx.protect_inplace(300, bytearray(4), 5)
    with pytest.raises(TypeError, match="writable"):
        tx.protect_inplace(300, b"immutable" + bytes(40), 9)
    with pytest.raises(TypeError):
        tx.protect_into(300, b"x", b"read-only bytes" * 4)
    big = bytes(sframe.MAX_PAYLOAD)
    f = tx.protect(300, big)
    assert rx.unprotect(f).payload == big
    with pytest.raises(chanenc.TooLarge, match="1 MiB"):
        tx.protect(300, big + b"x")
    # unprotect: a frame whose payload would be over the limit (KID 300 is
    # known; the check comes before the tag's)
    hdr = sframe.header_encode(300, 0)
    with pytest.raises(chanenc.TooLarge, match="1 MiB"):
        rx.unprotect(hdr + bytes(sframe.MAX_PAYLOAD + 1 + 16))
    # the order of the checks: UNKNOWN_KID before TOO_LARGE
    with pytest.raises(chanenc.UnknownKid):
        tx.protect(301, big + b"x")


def test_argument_errors_name_the_argument():
    ctx = SFrameContext(4)
    for kid in (-1, 1 << 64):
        with pytest.raises(chanenc.InvalidArgument,
                           match=r"add_key: kid must be in 0 \.\. 2\*\*64 - 1"):
            ctx.add_key(kid, b"k")
        with pytest.raises(chanenc.InvalidArgument, match=r"protect: kid"):
            ctx.protect(kid, b"x")
        with pytest.raises(chanenc.InvalidArgument, match=r"header_encode: kid"):
            sframe.header_encode(kid, 0)
        with pytest.raises(chanenc.InvalidArgument, match=r"header_encode: ctr"):
            sframe.header_encode(0, kid)
        with pytest.raises(chanenc.InvalidArgument,
                           match=r"sframe_protect_with_ctr: ctr"):
            sframe_protect_with_ctr(ctx, 0, kid, b"x")
    for kid in (True, 1.0, "1", None):
        with pytest.raises(TypeError, match="kid must be an int"):
            ctx.add_key(kid, b"k")
    with pytest.raises(chanenc.InvalidArgument,
                       match=r"usage must be 'send' or 'receive', got 'both'"):
        ctx.add_key(1, b"k", usage="both")
    with pytest.raises(chanenc.InvalidArgument, match="usage must be"):
        ctx.add_key(1, b"k", usage=1)
    with pytest.raises(chanenc.InvalidArgument, match="base_key must not be empty"):
        ctx.add_key(1, b"")
    with pytest.raises(TypeError, match="base_key must be bytes-like, not 'str'"):
        ctx.add_key(1, "text key")
    for bad in ("AES_128_GCM", 0, 9, -1):
        with pytest.raises(chanenc.InvalidArgument) as ei:
            SFrameContext(bad)
        msg = str(ei.value)
        assert "unknown suite" in msg and "AES_128_GCM_SHA256_128 (4)" in msg
        assert "AES_256_CTR_HMAC_SHA512_32 (8)" in msg
    for bad in (None, 4.0, True):
        with pytest.raises(TypeError, match="suite must be"):
            SFrameContext(bad)
    with pytest.raises(TypeError, match="protect: expected a bytes-like"):
        ctx.add_key(1, b"k") or ctx.protect(1, "text")
    with pytest.raises(TypeError, match="unprotect: expected a bytes-like"):
        ctx.unprotect("frame")
    with pytest.raises(TypeError, match="unprotect: expected a bytes-like"):
        ctx.unprotect(b"\x00" * 20, metadata="md")
    with pytest.raises(chanenc.InvalidArgument, match="derive: base_key"):
        sframe.derive(1, 0, b"")
    with pytest.raises(ValueError, match="nonce must be 12 bytes"):
        sframe.aead_encrypt(4, bytes(16), bytes(11), b"")
    with pytest.raises(chanenc.InvalidArgument):
        sframe.aead_encrypt(4, bytes(15), bytes(12), b"")
    with pytest.raises(ValueError, match="salt must be 12 bytes"):
        sframe.nonce(bytes(11), 0)
    with pytest.raises(TypeError, match="ctx must be a chanenc.sframe.SFrameContext"):
        sframe_protect_with_ctr(object(), 0, 0, b"")
    with pytest.raises(TypeError, match="context must be"):
        SFrameObserver(object(), 1)
    with pytest.raises(chanenc.InvalidArgument, match="SFrameObserver: send_kid"):
        SFrameObserver(ctx, -1)


def test_no_ctr_argument_outside_testing():
    # The production API never takes a CTR for protect.
    for name in ("protect", "protect_into", "protect_inplace"):
        params = inspect.signature(getattr(SFrameContext, name)).parameters
        assert "ctr" not in params
    assert not [n for n in dir(SFrameContext) if "ctr" in n and n != "next_ctr"]
    assert not [n for n in dir(sframe) if "with_ctr" in n or "set_next" in n]


def test_suites_and_info():
    assert [int(s) for s in Suite] == list(range(1, 9))
    assert Suite.AES_128_GCM_SHA256_128 == 4
    for s in Suite:
        info = sframe.suite_info(s)
        assert info.suite is s and info.name == s.name
        assert sframe.suite_info(s.name) == info == sframe.SUITES[s]
        assert info.nn == 12
        assert info.gcm == (s in (4, 5))
        assert SFrameContext(s).suite_info == info
    assert (sframe.MAX_HEADER, sframe.MAX_TAG, sframe.MAX_OVERHEAD) == (17, 16, 33)
    assert sframe.MAX_PAYLOAD == 1 << 20 and sframe.MAX_REPLAY_WINDOW == 1024
    assert sframe.header_len(U64_MAX, U64_MAX) == 17
    assert sframe.header_len(0, 7) == 1


def test_close_and_repr():
    ctx = SFrameContext(4)
    assert "AES_128_GCM_SHA256_128" in repr(ctx)
    with ctx:
        ctx.add_key(1, b"k")
    assert "closed" in repr(ctx)
    with pytest.raises(ValueError, match="closed"):
        ctx.protect(1, b"x")


def test_threads_share_a_context():
    tx, rx = _sender(4, 1, b"k"), SFrameContext(4, replay_window=1024)
    rx.add_key(1, b"k", "receive")
    frames, errors = [], []

    def sender():
        try:
            for i in range(300):
                frames.append(tx.protect(1, b"%d" % i))
        except Exception as e:  # pragma: no cover
            errors.append(e)

    def keys():
        try:
            for i in range(300):
                tx.add_key(1000 + i, b"other", "send")
                tx.remove_key(1000 + i)
        except Exception as e:  # pragma: no cover
            errors.append(e)

    ts = [threading.Thread(target=sender), threading.Thread(target=keys)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    assert sorted(rx.unprotect(f).ctr for f in frames) == list(range(300))


# --------------------------------------------------------------------------
# The observer on chanenc.Channel: a three-participant conference
# --------------------------------------------------------------------------

CE1_KEY = "the channel's CE1 key (the server has it)"
A, V = chanenc.PacketKind.AUDIO, chanenc.PacketKind.VIDEO


class Participant:
    def __init__(self, name, kid, *, ce1=True):
        self.name, self.kid = name, kid
        self.key = bytes((kid * 31 + i) & 0xff for i in range(16))
        self.ch = chanenc.Channel()
        if ce1:
            self.ch.enable_encryption(True, chanenc.Config("AES_128_GCM",
                                                           key=CE1_KEY))
        self.ch.join()
        self.sf = SFrameContext(Suite.AES_128_GCM_SHA256_128, replay_window=128)
        self.sf.add_key(kid, self.key, "send")
        self.obs = SFrameObserver(self.sf, kid)
        self.ch.register_packet_observer(self.obs)
        self.errors = []
        self.ch.set_error_callback(lambda t, s: self.errors.append((t, s)))


def deliver(frm, to, kind, payload):
    wire = frm.ch.send(kind, payload)
    assert wire is not None and payload not in wire
    return wire, to.ch.receive(kind, wire)


def _observer_failure(ch, kind, wire):
    with pytest.raises(chanenc.ObserverError) as ei:
        ch.receive(kind, wire)
    return ei.value


def test_conference_with_the_sframe_observer():
    alice, bob = Participant("Alice", 0x0a), Participant("Bob", 0x0b)
    carol = Participant("Carol", 0x1000c)   # a KID of three header bytes
    everyone = [alice, bob, carol]
    for p in everyone:
        assert p.ch.packet_observer is p.obs
        for q in everyone:
            if p is not q:
                q.sf.add_key(p.kid, p.key, "receive")

    # 1. Everyone reads everyone, audio and video.
    for p in everyone:
        for q in everyone:
            if p is not q:
                for kind in (A, V):
                    payload = f"{p.name} -> {q.name} {kind.name}".encode()
                    wire, got = deliver(p, q, kind, payload)
                    assert got == payload
                    assert sframe.header_decode(wire).kid == p.kid
    assert alice.obs.last_status(True) == "OK"
    assert alice.obs.last_status(sending=False) == "OK"
    assert alice.obs.last_error(False) is None

    # 2. The server has the CE1 key but not the SFrame keys: nothing opens.
    wire, _ = deliver(alice, bob, V, b"for participants only")
    server = chanenc.Context(chanenc.Config("AES_128_GCM", key=CE1_KEY))
    with pytest.raises(chanenc.Error):
        server.unprotect(wire)
    assert b"participants" not in wire

    # Replayed by the server: refused by Bob's replay window.
    again, got = deliver(alice, bob, A, b"once")
    assert got == b"once"
    err = _observer_failure(bob.ch, A, again)
    assert isinstance(err.observer_exception, chanenc.Replayed)
    assert isinstance(err.__cause__, chanenc.Replayed)
    assert "REPLAYED" in str(err)
    assert bob.obs.last_status(False) == "REPLAYED"
    assert bob.obs.last_error(False) is chanenc.Replayed
    # The channel reports an observer failure as INTERNAL_FAILURE (spec 11).
    assert bob.errors[-1] == (chanenc.EncryptionErrorType.INTERNAL_FAILURE,
                              chanenc.ObserverError.code)
    assert bob.ch.counters()["AUDIO"]["receive_failed"] == {"OBSERVER": 1}

    # An audio packet presented as video fails: the kind is authenticated.
    wire = alice.ch.send(A, b"audio only")
    err = _observer_failure(bob.ch, V, wire)
    assert isinstance(err.observer_exception, chanenc.AuthFailed)
    assert bob.ch.receive(A, wire) == b"audio only"

    # 3. Carol is removed: the others drop her receive key.
    alice.sf.remove_key(carol.kid)
    bob.sf.remove_key(carol.kid)
    wire = carol.ch.send(A, b"still here?")
    for p in (alice, bob):
        err = _observer_failure(p.ch, A, wire)
        assert isinstance(err.observer_exception, chanenc.UnknownKid)
        assert p.obs.last_status(False) == "UNKNOWN_KID"
    assert deliver(alice, bob, A, b"just us")[1] == b"just us"
    assert bob.obs.last_status(False) == "OK"

    # 4. Alice rotates: new KID and base key; Bob follows, then both drop
    # the old key; an old-KID packet held back by the server then fails.
    stale = alice.ch.send(A, b"stale")
    new_kid, new_key = 0x1a, bytes(b ^ 0xff for b in alice.key)
    alice.sf.add_key(new_kid, new_key, "send")
    alice.obs.set_send_kid(new_kid)
    assert alice.obs.send_kid == new_kid
    bob.sf.add_key(new_kid, new_key, "receive")
    wire, got = deliver(alice, bob, V, b"after rotation")
    assert got == b"after rotation"
    assert sframe.header_decode(wire).kid == new_kid
    bob.sf.remove_key(alice.kid)
    alice.sf.remove_key(alice.kid)
    err = _observer_failure(bob.ch, A, stale)
    assert isinstance(err.observer_exception, chanenc.UnknownKid)

    # A send under a KID without a send key fails on the send side.
    alice.obs.set_send_kid(0x77)
    with pytest.raises(chanenc.ObserverError) as ei:
        alice.ch.send(A, b"no key")
    assert isinstance(ei.value.__cause__, chanenc.UnknownKid)
    assert alice.obs.last_status(True) == "UNKNOWN_KID"
    assert alice.obs.last_error(True) is chanenc.UnknownKid
    assert alice.errors[-1] == (chanenc.EncryptionErrorType.INTERNAL_FAILURE,
                                chanenc.ObserverError.code)
    alice.obs.set_send_kid(new_kid)
    assert deliver(alice, bob, A, b"back")[1] == b"back"

    # Counter exhaustion through the observer.
    sframe_set_next_ctr(alice.sf, new_kid, U64_MAX)
    assert deliver(alice, bob, A, b"last one")[1] == b"last one"
    with pytest.raises(chanenc.ObserverError) as ei:
        alice.ch.send(V, b"one too many")
    assert isinstance(ei.value.observer_exception, chanenc.CounterExhausted)

    # The data stream bypasses the observer (and SFrame).
    assert bob.ch.receive(chanenc.PacketKind.DATA,
                          alice.ch.send(chanenc.PacketKind.DATA, b"d")) == b"d"


def test_observer_without_ce1_and_replacement():
    alice = Participant("Alice", 1, ce1=False)
    bob = Participant("Bob", 2, ce1=False)
    bob.sf.add_key(1, alice.key, "receive")
    wire, got = deliver(alice, bob, A, b"plain channel")
    assert got == b"plain channel"
    assert wire[:1] == sframe.header_encode(1, 0)    # SFrame is the wire format
    # Replace by a Python observer and back.
    seen = []

    class Tap(chanenc.PacketObserver):
        def on_send_audio(self, packet):
            seen.append(packet)
            return True

    alice.ch.register_packet_observer(Tap())
    assert alice.ch.send(A, b"clear") == b"clear" and seen == [b"clear"]
    alice.ch.register_packet_observer(alice.obs)
    assert deliver(alice, bob, A, b"again")[1] == b"again"
    alice.ch.register_packet_observer(None)
    assert alice.ch.packet_observer is None
    assert alice.ch.send(A, b"clear") == b"clear"


def test_observer_lifetime_and_one_channel_each():
    alice = Participant("Alice", 1, ce1=False)
    rx = SFrameContext(4)
    rx.add_key(1, alice.key, "receive")
    ch, obs, ctx = alice.ch, alice.obs, alice.sf
    alice.obs = alice.sf = None
    del obs, ctx
    ctx_close = ch.packet_observer.context
    ctx_close.close()      # the observer keeps the C context alive
    del ctx_close
    gc.collect()
    for i in range(3):
        # The observer binds the packet kind as metadata: b"a" or b"v".
        assert rx.unprotect(ch.send(A, b"%d" % i), b"a").payload == b"%d" % i
    # One observer per channel.
    other = chanenc.Channel()
    with pytest.raises(chanenc.InvalidArgument, match="another Channel"):
        other.register_packet_observer(ch.packet_observer)
    obs = ch.packet_observer
    ch.register_packet_observer(obs)          # again on the same: fine
    ch.register_packet_observer(None)
    other.register_packet_observer(obs)       # free again
    other.join()
    assert rx.unprotect(other.send(V, b"moved"), b"v").payload == b"moved"
    other.close()
    ch.register_packet_observer(obs)          # the closed channel let go
    del obs
    ch.close()
    gc.collect()


def test_observer_with_concurrent_key_changes():
    alice = Participant("Alice", 1, ce1=False)
    bob = Participant("Bob", 2, ce1=False)
    bob.sf.add_key(1, alice.key, "receive")
    errors = []
    stop = threading.Event()

    def churn():
        try:
            i = 0
            while not stop.is_set():
                bob.sf.add_key(5000 + i % 50, b"x", "receive")
                bob.sf.remove_key(5000 + i % 50)
                alice.obs.set_send_kid(1)
                i += 1
        except Exception as e:  # pragma: no cover
            errors.append(e)

    t = threading.Thread(target=churn)
    t.start()
    try:
        for i in range(300):
            kind = A if i % 2 else V
            assert deliver(alice, bob, kind, b"%d" % i)[1] == b"%d" % i
    finally:
        stop.set()
        t.join()
    assert not errors


# --------------------------------------------------------------------------
# Documentation
# --------------------------------------------------------------------------

def test_help_text():
    text = pydoc.render_doc(sframe, renderer=pydoc.plaintext)
    for word in ("RFC 9605", "SFrameContext", "SFrameObserver", "add_key",
                 "replay_window", "header_decode", "UnknownKid",
                 "chanenc.testing.sframe_protect_with_ctr"):
        assert word in text, word
    for obj in (SFrameContext, SFrameObserver, Suite, sframe.Usage,
                sframe.Unprotected, sframe.Derived):
        assert obj.__doc__ and len(obj.__doc__) > 40, obj
    for name in sframe.__all__:
        obj = getattr(sframe, name)
        if callable(obj):
            assert obj.__doc__, name
    for cls in (SFrameContext, SFrameObserver):
        for name, member in vars(cls).items():
            if not name.startswith("_") and (callable(member) or
                                             isinstance(member, property)):
                assert member.__doc__, f"{cls.__name__}.{name}"
    for name in ("sframe_protect_with_ctr", "sframe_protect_into_with_ctr",
                 "sframe_protect_inplace_with_ctr", "sframe_set_next_ctr"):
        doc = getattr(chanenc.testing, name).__doc__
        assert doc and ("ONLY" in doc)
    assert "SFrame" in chanenc.testing.__doc__
    assert "sframe" in chanenc.__doc__
    assert "SFrameObserver" in chanenc.Channel.register_packet_observer.__doc__
    assert "SFrame" in chanenc.ObserverError.__doc__
