"""Tests of the chanenc Python bindings (SWIG module + Pythonic layer).

Run under CTest (PYTHONPATH = the build tree's bindings/python) or by hand:

    PYTHONPATH=build/bindings/python /usr/bin/python3 -m pytest -q tests/python/test_bindings.py
"""

import gc
import struct
import sys
import threading
import time

import pytest

import chanenc
import chanenc.testing
from chanenc import Config, Context, Channel, PacketKind
from chanenc.testing import (protect_with_pn, protect_into_with_pn,
                             protect_inplace_with_pn)

# spec appendix A / docs/conformance.md 2.6 and 3.5
KEY = "0123456789abcdef"
SALT = bytes(range(32))
SALT_B64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
FRAME_HELLO = bytes.fromhex(
    "17980000000000003039c344eacccf6c9d067868ecb3766bf3838ea7c2d701")
PN = 12345


@pytest.fixture(scope="module")
def gcm2_cfg():
    return Config("AES_128_GCM2", key=KEY, salt=SALT)


@pytest.fixture(scope="module")
def gcm2(gcm2_cfg):
    return Context(gcm2_cfg)


def gcm():
    return Context(Config("AES_128_GCM", key="k"))


# --------------------------------------------------------------------------
# Module surface
# --------------------------------------------------------------------------

def test_public_names_exist():
    for name in chanenc.__all__:
        assert hasattr(chanenc, name), name


def test_version():
    v = chanenc.version()
    assert v.startswith("chanenc ") and "OpenSSL" in v
    assert chanenc.__version__ in v


def test_docstrings_are_useful():
    for obj in (chanenc, Config, Context, Channel, chanenc.derive,
                chanenc.PacketObserver, chanenc.Error, chanenc.gcm_encrypt):
        assert obj.__doc__ and len(obj.__doc__) > 40, obj
    for meth in ("protect", "unprotect", "protect_into", "unprotect_into",
                 "protect_inplace", "unprotect_inplace"):
        assert getattr(Context, meth).__doc__, meth
    import pydoc
    text = pydoc.render_doc(Context)
    assert "protect_inplace" in text and "BufferTooSmall" in text


def test_private_layer_is_private():
    assert chanenc._core.__name__ == "chanenc._core"
    assert "Private" in chanenc._core.__doc__


# --------------------------------------------------------------------------
# Modes
# --------------------------------------------------------------------------

def test_mode_table():
    assert sorted(chanenc.MODES) == list(range(1, 9))
    i = chanenc.MODES[7]
    assert (i.name, i.string, i.family, i.key_bytes, i.header_len, i.salted) == \
        ("AES_128_GCM2", "aes-128-gcm-2", chanenc.Family.GCM, 16, 10, True)
    assert chanenc.MODES[3].key_bytes == 64
    assert chanenc.MODES[2].header_len == 2
    assert chanenc.Mode.AES_256_GCM2 == 8


@pytest.mark.parametrize("spec", [7, chanenc.Mode.AES_128_GCM2, "AES_128_GCM2",
                                  "aes-128-gcm-2", "7"])
def test_mode_id_forms(spec):
    assert chanenc.mode_id(spec) == 7
    assert chanenc.mode_info(spec).id == 7


def test_mode_id_errors():
    with pytest.raises(ValueError, match="unknown mode"):
        chanenc.mode_id("AES_512_FOO")
    with pytest.raises(TypeError):
        chanenc.mode_id(7.0)
    with pytest.raises(TypeError):
        chanenc.mode_id(True)
    with pytest.raises(ValueError):
        chanenc.mode_info(9)
    assert chanenc.mode_id(9) == 9  # ints pass; refused when used


def test_overhead():
    assert chanenc.overhead("AES_128_ECB", 0) == 18
    assert chanenc.overhead("AES_128_ECB", 5) == 13
    assert chanenc.overhead("AES_128_ECB", 16) == 18
    assert chanenc.overhead(1, 0) == 26
    assert chanenc.overhead(1, 15) == 11
    assert chanenc.overhead(1, 16) == 10
    assert chanenc.overhead(5, 1000) == 26
    assert chanenc.MAX_OVERHEAD == 26 and chanenc.MAX_PAYLOAD == 65535
    with pytest.raises(ValueError):
        chanenc.overhead(5, -1)
    with pytest.raises(TypeError):
        chanenc.overhead(5, "3")


def test_mode_supported():
    assert all(chanenc.mode_supported(m) for m in (1, 2, 3, 5, 6, 7, 8))
    assert isinstance(chanenc.mode_supported(4), bool)


# --------------------------------------------------------------------------
# Config and derive
# --------------------------------------------------------------------------

def test_config_defaults():
    c = Config()
    assert c.mode == chanenc.Mode.AES_128_GCM2
    assert c.key == b"" and c.salt == bytes(32) and c.datastream is False
    with pytest.raises(chanenc.InvalidArgument):
        c.check()


def test_config_key_forms():
    assert Config(key="é").key == "é".encode("utf-8")
    assert Config(key=b"\x00ab").key == b"\x00ab"
    assert Config(key=bytearray(b"xy")).key == b"xy"
    assert Config(key=memoryview(b"xyz")).key == b"xyz"
    with pytest.raises(TypeError, match="key"):
        Config(key=5)


def test_config_salt_forms():
    assert Config(salt=SALT_B64).salt == SALT
    assert Config(salt=SALT).salt == SALT
    assert Config(salt=bytearray(SALT)).salt == SALT
    with pytest.raises(ValueError):
        Config(salt=b"x" * 31)
    with pytest.raises(chanenc.InvalidArgument):
        Config(salt=b"x" * 33)
    with pytest.raises(ValueError):
        Config(salt="not base64!")
    with pytest.raises(ValueError):
        Config(salt="AAAA")  # valid base64, 3 bytes
    with pytest.raises(TypeError):
        Config(salt=1.5)


def test_config_mode_and_repr():
    c = Config("aes-256-xts", key="secret", salt=SALT, datastream=1)
    assert c.mode == 3 and c.datastream is True
    assert c.datastream_encryption_enabled is True
    r = repr(c)
    assert "AES_256_XTS" in r and "secret" not in r
    assert c == c.copy() and c != Config("aes-256-xts", key="other")
    with pytest.raises(ValueError):
        Config("nonsense")


def test_config_check_refusals():
    with pytest.raises(chanenc.InvalidArgument):
        Config(9, key="k").check()
    with pytest.raises(chanenc.InvalidArgument):
        Config(0, key="k").check()
    with pytest.raises(chanenc.InvalidArgument):
        Config(7, key="k").check()  # GCM2, zero salt
    Config(5, key="k").check()      # salt ignored outside GCM2
    Config(7, key="k", salt=SALT).check()


def test_derive_known_answers(gcm2_cfg):
    d = chanenc.derive(gcm2_cfg)
    assert d.enc_key.hex() == "dd3ce73c772a47be57329e109041da7f"
    assert d.iv_base.hex() == "ba1855fe6bfc8fb7225dc58f"
    assert d.check == 0x98
    e = chanenc.derive(Config(2, key=KEY, salt=SALT))
    assert (e.enc_key.hex(), e.iv_base, e.check) == \
        ("058fdeaabd61d6972a98b906bcd3355f", None, 0xD3)
    with pytest.raises(TypeError):
        chanenc.derive("cfg")
    with pytest.raises(chanenc.InvalidArgument):
        chanenc.derive(Config(5))


# --------------------------------------------------------------------------
# Context: copying paths
# --------------------------------------------------------------------------

def test_protect_known_frame(gcm2):
    assert protect_with_pn(gcm2, b"hello", PN) == FRAME_HELLO
    assert gcm2.unprotect(FRAME_HELLO) == b"hello"
    assert protect_with_pn(gcm2, bytearray(b"hello"), PN) == FRAME_HELLO
    assert gcm2.unprotect(memoryview(FRAME_HELLO)) == b"hello"


def test_context_properties(gcm2):
    assert gcm2.mode == chanenc.Mode.AES_128_GCM2
    assert gcm2.check == 0x98
    assert gcm2.overhead(5) == 26
    assert "AES_128_GCM2" in repr(gcm2)


def test_next_pn_advances_and_is_used():
    ctx = gcm()
    pn = ctx.next_pn
    f = ctx.protect(b"x")
    assert struct.unpack(">Q", f[2:10])[0] == pn
    assert ctx.next_pn == (pn + 1) % (1 << 64)
    protect_with_pn(ctx, b"y", 5)      # explicit PN: counter untouched
    assert ctx.next_pn == (pn + 1) % (1 << 64)


def test_two_contexts_interoperate():
    cfg = Config("AES_256_XTS", key="shared")
    tx, rx = Context(cfg), Context(cfg)
    for n in (0, 1, 15, 16, 17, 1000, 65535):
        data = bytes(range(256)) * (n // 256) + bytes(range(n % 256))
        assert rx.unprotect(tx.protect(data)) == data


@pytest.mark.parametrize("mode", range(1, 9))
def test_every_mode_roundtrip(mode):
    if not chanenc.mode_supported(mode):
        pytest.skip("cipher not in this OpenSSL")
    ctx = Context(Config(mode, key="key", salt=SALT))
    for n in (0, 1, 15, 16, 17, 33, 2000):
        data = bytes([n & 0xFF]) * n
        f = protect_with_pn(ctx, data, 7)
        assert len(f) == n + chanenc.overhead(mode, n)
        assert ctx.unprotect(f) == data


def test_close_and_context_manager():
    with gcm() as ctx:
        ctx.protect(b"x")
    with pytest.raises(ValueError, match="closed"):
        ctx.protect(b"x")
    assert "closed" in repr(ctx)


# --------------------------------------------------------------------------
# Context: in place and into a buffer
# --------------------------------------------------------------------------

def test_protect_inplace_no_copy():
    ctx = gcm()
    base = bytearray(200)
    view = memoryview(base)[50:150]           # a window of a larger buffer
    view[:5] = b"hello"
    n = protect_inplace_with_pn(ctx, view, 5, 1)
    assert n == 31
    assert bytes(base[50:50 + n]) == protect_with_pn(ctx, b"hello", 1)  # in base
    m = ctx.unprotect_inplace(view, n)
    assert m == 5 and bytes(base[50:55]) == b"hello"


def test_inplace_bytearray_and_default_length():
    ctx = gcm()
    frame = protect_with_pn(ctx, b"abc", 3)
    buf = bytearray(frame)
    assert ctx.unprotect_inplace(buf) == 3 and buf[:3] == b"abc"


def test_inplace_buffer_too_small_leaves_buffer():
    ctx = gcm()
    buf = bytearray(b"hello" + b"\xaa" * 20)  # needs 31
    before = bytes(buf)
    with pytest.raises(chanenc.BufferTooSmall) as ei:
        ctx.protect_inplace(buf, 5)
    assert bytes(buf) == before
    assert isinstance(ei.value, ValueError)


def test_inplace_failure_leaves_buffer():
    ctx = gcm()
    buf = bytearray(ctx.protect(b"payload"))
    buf[-1] ^= 1
    before = bytes(buf)
    with pytest.raises(chanenc.AuthFailed):
        ctx.unprotect_inplace(buf)
    assert bytes(buf) == before


def test_inplace_argument_errors():
    ctx = gcm()
    with pytest.raises(TypeError, match="writable"):
        ctx.protect_inplace(b"read-only bytes" + bytes(40), 5)
    with pytest.raises(TypeError):
        ctx.unprotect_inplace(memoryview(bytes(40)))
    with pytest.raises(ValueError, match="exceeds"):
        ctx.protect_inplace(bytearray(10), 11)
    with pytest.raises(ValueError):
        ctx.protect_inplace(bytearray(10), -1)
    with pytest.raises(TypeError):
        ctx.protect_inplace(bytearray(10), "5")
    strided = memoryview(bytearray(100))[::2]
    with pytest.raises((TypeError, ValueError)):
        ctx.unprotect_inplace(strided)


def test_protect_into_and_unprotect_into():
    ctx = gcm()
    out = bytearray(100)
    n = protect_into_with_pn(ctx, b"hello", out, 9)
    assert bytes(out[:n]) == protect_with_pn(ctx, b"hello", 9)
    back = bytearray(5)
    assert ctx.unprotect_into(out[:n], back) == 5 and back == b"hello"
    with pytest.raises(chanenc.BufferTooSmall):
        ctx.protect_into(b"hello", bytearray(30))
    small = bytearray(b"\x11" * 4)
    with pytest.raises(chanenc.BufferTooSmall):
        ctx.unprotect_into(out[:n], small)
    assert small == b"\x11" * 4
    with pytest.raises(TypeError):
        ctx.protect_into(b"x", b"immutable output")


def test_into_same_buffer_and_partial_overlap():
    ctx = gcm()
    buf = bytearray(64)
    buf[:5] = b"hello"
    mv = memoryview(buf)
    # same start: allowed (in == out)
    n = protect_into_with_pn(ctx, mv[:5], mv, 2)
    assert bytes(buf[:n]) == protect_with_pn(ctx, b"hello", 2)
    # partial overlap, either way round: all of the payload is read before
    # the frame is written (chanenc.h: "in and out may ... overlap in any
    # way")
    for src, dst in ((1, 3), (3, 1)):
        buf[:] = bytes(64)
        buf[src:src + 5] = b"world"
        n = protect_into_with_pn(ctx, mv[src:src + 5], mv[dst:], 4)
        assert bytes(buf[dst:dst + n]) == protect_with_pn(ctx, b"world", 4)
        buf[:] = bytes(64)
        buf[src:src + 5] = b"world"
        n = ctx.protect_into(mv[src:src + 5], mv[dst:])
        assert ctx.unprotect(bytes(buf[dst:dst + n])) == b"world"


# --------------------------------------------------------------------------
# Statuses -> exceptions
# --------------------------------------------------------------------------

def _ecb_frame(mode_cfg, body_plain):
    """An ECB frame with a chosen decrypted body (to build padding errors)."""
    d = chanenc.derive(mode_cfg)
    return bytes([0x10 | mode_cfg.mode, d.check]) + chanenc.ecb_encrypt(
        d.enc_key, body_plain)


def test_every_status_through_the_api():
    ctx = gcm()
    good = protect_with_pn(ctx, b"hello world", 1)
    cases = {
        chanenc.Malformed: lambda: ctx.unprotect(good[:20]),
        chanenc.BadVersion: lambda: ctx.unprotect(bytes([0x25]) + good[1:]),
        chanenc.ModeMismatch: lambda: ctx.unprotect(bytes([0x16]) + good[1:]),
        chanenc.KeyMismatch: lambda: ctx.unprotect(
            good[:1] + bytes([good[1] ^ 1]) + good[2:]),
        chanenc.AuthFailed: lambda: ctx.unprotect(good[:-1] + bytes([good[-1] ^ 1])),
        chanenc.InvalidArgument: lambda: Context(Config(9, key="k")),
        chanenc.BufferTooSmall: lambda: ctx.protect_into(b"x", bytearray(5)),
        chanenc.TooLarge: lambda: ctx.protect(bytes(65536)),
    }
    ecb = Config("AES_128_ECB", key="k")
    cases[chanenc.BadPadding] = lambda: Context(ecb).unprotect(
        _ecb_frame(ecb, bytes(15) + b"\x11"))
    for cls, fn in cases.items():
        with pytest.raises(cls) as ei:
            fn()
        e = ei.value
        assert isinstance(e, chanenc.Error)
        assert e.status == cls.status and e.code == cls.code
        assert chanenc.status_name(e.code) == e.status
        assert e.status in str(e)


def test_xts_short_block_bad_padding():
    cfg = Config("AES_128_XTS", key="k")
    d = chanenc.derive(cfg)
    pn = 77
    x = b"abc" + b"\x01" + bytes(11) + b"\x03"   # nonzero pad byte
    tweak = struct.pack("<Q", pn) + bytes(8)
    frame = bytes([0x80 | 0x10 | 1, d.check]) + struct.pack(">Q", pn) + \
        chanenc.xts_encrypt(d.enc_key, tweak, x)
    with pytest.raises(chanenc.BadPadding):
        Context(cfg).unprotect(frame)


def test_exception_classes():
    expected = {
        "Malformed": ("MALFORMED", -1), "BadVersion": ("BAD_VERSION", -2),
        "ModeMismatch": ("MODE_MISMATCH", -3), "KeyMismatch": ("KEY_MISMATCH", -4),
        "BadPadding": ("BAD_PADDING", -5), "AuthFailed": ("AUTH_FAILED", -6),
        "InvalidArgument": ("INVALID_ARGUMENT", -7),
        "NotSupported": ("NOT_SUPPORTED", -8),
        "BufferTooSmall": ("BUFFER_TOO_SMALL", -9), "TooLarge": ("TOO_LARGE", -10),
        "Internal": ("INTERNAL", -11), "ObserverError": ("OBSERVER", -12),
        "UnknownKid": ("UNKNOWN_KID", -13), "Replayed": ("REPLAYED", -14),
        "CounterExhausted": ("COUNTER_EXHAUSTED", -15),
    }
    for name, (status, code) in expected.items():
        cls = getattr(chanenc, name)
        assert issubclass(cls, chanenc.Error)
        assert (cls.status, cls.code) == (status, code)
        assert chanenc.error_class(code) is cls
        assert chanenc.error_class(status) is cls
        assert chanenc.status_code(status) == code
        assert chanenc.status_name(code) == status
        assert chanenc.status_description(code)
    for cls in (chanenc.InvalidArgument, chanenc.BufferTooSmall, chanenc.TooLarge):
        assert issubclass(cls, ValueError)
    assert chanenc.status_name(0) == "OK" and chanenc.status_name(1) == "DROPPED"
    with pytest.raises(ValueError):
        chanenc.error_class(0)
    with pytest.raises(ValueError):
        chanenc.status_code("NOPE")
    with pytest.raises(ValueError):
        chanenc.error_class("OK")


def test_not_supported_reporting():
    # SM4 is present in Debian's OpenSSL 3; when it is missing the same
    # path raises NotSupported.
    cfg = Config("SM4_128_ECB", key="k")
    if chanenc.mode_supported(4):
        Context(cfg)
    else:  # pragma: no cover
        with pytest.raises(chanenc.NotSupported):
            Context(cfg)


# --------------------------------------------------------------------------
# Bad types and sizes: exceptions, never crashes
# --------------------------------------------------------------------------

@pytest.mark.parametrize("bad", ["text", 5, None, 3.5, [1, 2], object()])
def test_bad_payload_types(bad):
    ctx = gcm()
    with pytest.raises(TypeError):
        ctx.protect(bad)
    with pytest.raises(TypeError):
        ctx.unprotect(bad)


@pytest.mark.parametrize("pn,exc", [("1", TypeError), (1.0, TypeError),
                                    (True, TypeError), (-1, ValueError),
                                    (1 << 64, ValueError)])
def test_bad_pn(pn, exc):
    ctx = gcm()
    with pytest.raises(exc, match="pn"):
        protect_with_pn(ctx, b"x", pn)
    with pytest.raises(exc, match="pn"):
        protect_into_with_pn(ctx, b"x", bytearray(64), pn)
    with pytest.raises(exc, match="pn"):
        protect_inplace_with_pn(ctx, bytearray(64), 1, pn)
    with pytest.raises(exc, match="pn"):        # the C layer checks too
        chanenc._core.testing_protect_pn(ctx._handle(), pn, b"x")


def test_pn_extremes():
    ctx = gcm()
    f = protect_with_pn(ctx, b"x", (1 << 64) - 1)
    assert f[2:10] == b"\xff" * 8 and ctx.unprotect(f) == b"x"


# --------------------------------------------------------------------------
# No public packet-number setter; chanenc.testing for vectors
# --------------------------------------------------------------------------

def _public_callables():
    import inspect
    for name in chanenc.__all__:
        obj = getattr(chanenc, name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if not attr.startswith("_") and callable(member):
                    yield f"{name}.{attr}", member
        elif callable(obj):
            yield name, obj


def test_context_protect_has_no_pn_parameter():
    import inspect
    for meth in ("protect", "protect_into", "protect_inplace"):
        params = inspect.signature(getattr(Context, meth)).parameters
        assert "pn" not in params, meth
    with pytest.raises(TypeError):
        gcm().protect(b"x", pn=1)  # pylint: disable=unexpected-keyword-arg


def test_no_public_callable_takes_a_packet_number():
    import inspect
    checked = 0
    for name, fn in _public_callables():
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins
            continue
        checked += 1
        assert not any(p == "pn" or p.endswith("_pn") for p in params), name
    assert checked > 20
    assert "testing" not in chanenc.__all__


def test_testing_module_says_not_for_live_traffic():
    doc = chanenc.testing.__doc__
    assert "NEVER USE THIS MODULE ON LIVE TRAFFIC" in doc
    assert "VECTORS" in doc.upper() and "CONFORMANCE" in doc.upper()
    for fn in (protect_with_pn, protect_into_with_pn, protect_inplace_with_pn):
        assert "ONLY" in fn.__doc__, fn
    # plus the SFrame chosen-CTR functions (tests/python/test_sframe.py)
    assert sorted(chanenc.testing.__all__) == sorted(
        ["protect_with_pn", "protect_into_with_pn", "protect_inplace_with_pn",
         "sframe_protect_with_ctr", "sframe_protect_into_with_ctr",
         "sframe_protect_inplace_with_ctr", "sframe_set_next_ctr"])


@pytest.mark.parametrize("mode", [1, 3, 5, 6, 7, 8])
def test_testing_protect_with_pn_puts_the_pn_in_the_frame(mode):
    ctx = Context(Config(mode, key="vector key", salt=SALT))
    before = ctx.next_pn
    for pn in (0, 1, 0x0123456789ABCDEF, (1 << 64) - 1):
        for n in (0, 5, 16, 33):
            payload = bytes(range(n))
            frame = protect_with_pn(ctx, payload, pn)
            assert int.from_bytes(frame[2:10], "big") == pn
            assert frame[2:10] == pn.to_bytes(8, "big")
            assert ctx.unprotect(frame) == payload
            out = bytearray(n + chanenc.MAX_OVERHEAD)
            k = protect_into_with_pn(ctx, payload, out, pn)
            assert bytes(out[:k]) == frame
            buf = bytearray(payload) + bytearray(chanenc.MAX_OVERHEAD)
            k = protect_inplace_with_pn(ctx, buf, n, pn)
            assert bytes(buf[:k]) == frame
    # a chosen PN neither uses nor advances the context's own counter
    assert ctx.next_pn == before
    f = ctx.protect(b"x")
    assert int.from_bytes(f[2:10], "big") == before


@pytest.mark.parametrize("mode", [2, 4])
def test_testing_protect_with_pn_ecb_ignores_pn(mode):
    if not chanenc.mode_supported(mode):
        pytest.skip("cipher not in this OpenSSL")
    ctx = Context(Config(mode, key="vector key"))
    frame = ctx.protect(b"hello")
    assert protect_with_pn(ctx, b"hello", 0) == frame
    assert protect_with_pn(ctx, b"hello", (1 << 64) - 1) == frame


def test_testing_errors_leave_buffers():
    ctx = gcm()
    with pytest.raises(chanenc.BufferTooSmall):
        protect_into_with_pn(ctx, b"hello", bytearray(30), 1)
    buf = bytearray(b"hello" + bytes(20))
    before = bytes(buf)
    with pytest.raises(chanenc.BufferTooSmall):
        protect_inplace_with_pn(ctx, buf, 5, 1)
    assert bytes(buf) == before
    with pytest.raises(chanenc.TooLarge):
        protect_with_pn(ctx, bytes(65536), 1)
    with pytest.raises(ValueError, match="exceeds"):
        protect_inplace_with_pn(ctx, bytearray(10), 11, 1)
    with pytest.raises(TypeError):
        protect_with_pn(ctx, "text", 1)
    ctx.close()
    with pytest.raises(ValueError, match="closed"):
        protect_with_pn(ctx, b"x", 1)


def test_bad_types_elsewhere():
    with pytest.raises(TypeError):
        Context("not a config")
    with pytest.raises(TypeError):
        Context(None)
    with pytest.raises(TypeError):
        chanenc.ecb_encrypt("key", b"x" * 16)
    with pytest.raises(TypeError):
        chanenc._core.ctx_protect(object(), b"x")  # not a handle
    with pytest.raises(TypeError):
        protect_with_pn("not a context", b"x", 1)


# --------------------------------------------------------------------------
# Primitives
# --------------------------------------------------------------------------

def test_ecb_aes_and_sm4():
    k = bytes(range(16))
    pt = bytes.fromhex("00112233445566778899aabbccddeeff")
    ct = chanenc.ecb_encrypt(k, pt)
    assert ct.hex() == "69c4e0d86a7b0430d8cdb78070b4c55a"   # FIPS-197 C.1
    assert chanenc.ecb_decrypt(k, ct) == pt
    sk = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert chanenc.ecb_encrypt(sk, sk, cipher="sm4").hex() == \
        "681edf34d206965e86b3e94f536e4246"                    # GB/T 32907 ex. 1
    assert chanenc.ecb_iterate(sk, sk, 2, cipher="SM4") == chanenc.ecb_encrypt(
        sk, chanenc.ecb_encrypt(sk, sk, cipher="sm4"), cipher="sm4")
    assert chanenc.ecb_iterate(sk, sk, 0, cipher="sm4") == sk
    assert chanenc.ecb_iterate(k, ct, 1, encrypt=False) == pt
    with pytest.raises(chanenc.InvalidArgument):
        chanenc.ecb_encrypt(k, b"x" * 15)
    with pytest.raises(chanenc.InvalidArgument):
        chanenc.ecb_encrypt(b"short", pt)
    with pytest.raises(ValueError):
        chanenc.ecb_encrypt(k, pt, cipher="des")
    with pytest.raises(ValueError):
        chanenc.ecb_iterate(k, pt, -1)


def test_xts_ieee1619_vector2():
    key = bytes.fromhex("11" * 16 + "22" * 16)
    tweak = bytes.fromhex("3333333333" + "00" * 11)
    pt = bytes.fromhex("44" * 32)
    ct = bytes.fromhex("c454185e6a16936e39334038acef838bfb186fff7480adc4289382ecd6d394f0")
    assert chanenc.xts_encrypt(key, tweak, pt) == ct
    assert chanenc.xts_decrypt(key, tweak, ct) == pt
    with pytest.raises(ValueError, match="tweak"):
        chanenc.xts_encrypt(key, b"short", pt)
    with pytest.raises(chanenc.InvalidArgument):
        chanenc.xts_encrypt(bytes(32), bytes(16), pt)   # Key1 == Key2
    with pytest.raises(chanenc.InvalidArgument):
        chanenc.xts_encrypt(key, tweak, b"x" * 15)      # below one block


def test_gcm_primitive():
    key, iv = bytes(16), bytes(12)
    ct, tag = chanenc.gcm_encrypt(key, iv, bytes(16))
    assert ct.hex() == "0388dace60b6a392f328c2b971b2fe78"  # GCM spec test case 2
    assert tag.hex() == "ab6e47d42cec13bdf53a67b21257bddf"
    assert chanenc.gcm_decrypt(key, iv, ct, tag) == bytes(16)
    ct2, tag2 = chanenc.gcm_encrypt(key, iv, b"data", aad=b"hdr", tag_len=12)
    assert len(tag2) == 12
    assert chanenc.gcm_decrypt(key, iv, ct2, tag2, aad=b"hdr",
                               tag_len=12) == b"data"
    with pytest.raises(chanenc.AuthFailed):
        chanenc.gcm_decrypt(key, iv, ct2, tag2, aad=b"HDR", tag_len=12)
    with pytest.raises(ValueError):
        chanenc.gcm_encrypt(key, iv, b"x", tag_len=0)
    with pytest.raises(ValueError):
        chanenc.gcm_encrypt(key, iv, b"x", tag_len=17)
    with pytest.raises(chanenc.InvalidArgument):
        chanenc.gcm_encrypt(bytes(15), iv, b"x")
    with pytest.raises(TypeError):
        chanenc.gcm_encrypt(key, iv, b"x", tag_len="16")


def test_gcm_short_tags_need_opt_in():
    key, iv = bytes(16), bytes(12)
    ct, tag = chanenc.gcm_encrypt(key, iv, b"data")
    # The tag length comes from tag_len (default 16), never from len(tag):
    # a 1-byte tag is refused, not checked as a 1-in-256 guess.
    for short in (tag[:1], tag[:4], tag[:8], tag[:15], b""):
        with pytest.raises(chanenc.InvalidArgument) as ei:
            chanenc.gcm_decrypt(key, iv, ct, short)
        assert f"len(tag) is {len(short)}" in str(ei.value)
        assert "tag_len is 16" in str(ei.value)
    # tag_len under 12 without the opt-in: refused, both directions.
    for n in (1, 4, 8, 11):
        with pytest.raises(chanenc.InvalidArgument, match="forgeable"):
            chanenc.gcm_decrypt(key, iv, ct, tag[:n], tag_len=n)
        with pytest.raises(chanenc.InvalidArgument, match="forgeable"):
            chanenc.gcm_encrypt(key, iv, b"data", tag_len=n)
    # With the opt-in: a truncated tag is the leftmost bytes of the full one.
    for n in (1, 4, 8, 11, 12, 16):
        ct_n, tag_n = chanenc.gcm_encrypt(key, iv, b"data", tag_len=n,
                                          allow_short_tag=True)
        assert (ct_n, tag_n) == (ct, tag[:n])
        assert chanenc.gcm_decrypt(key, iv, ct, tag[:n], tag_len=n,
                                   allow_short_tag=True) == b"data"
        with pytest.raises(chanenc.AuthFailed):
            chanenc.gcm_decrypt(key, iv, ct, bytes([tag[0] ^ 1]) + tag[1:n],
                                tag_len=n, allow_short_tag=True)
    # len(tag) must still match an explicit tag_len.
    with pytest.raises(chanenc.InvalidArgument, match="len.tag. is 16 but tag_len is 8"):
        chanenc.gcm_decrypt(key, iv, ct, tag, tag_len=8, allow_short_tag=True)
    # 12..16 need no opt-in.
    assert chanenc.gcm_decrypt(key, iv, ct, tag[:12], tag_len=12) == b"data"


@pytest.mark.parametrize("iv_len", [1, 12, 128])
def test_gcm_iv_lengths_accepted(iv_len):
    key, iv = bytes(range(16)), bytes(range(iv_len))
    ct, tag = chanenc.gcm_encrypt(key, iv, b"payload", b"aad")
    assert chanenc.gcm_decrypt(key, iv, ct, tag, b"aad") == b"payload"
    with pytest.raises(chanenc.AuthFailed):
        chanenc.gcm_decrypt(key, iv[:-1] + bytes([iv[-1] ^ 1]), ct, tag, b"aad")
    if iv_len >= 8:  # python3-cryptography takes 8..128-byte GCM IVs
        ciphers = pytest.importorskip("cryptography.hazmat.primitives.ciphers")
        enc = ciphers.Cipher(ciphers.algorithms.AES(key),
                             ciphers.modes.GCM(iv)).encryptor()
        enc.authenticate_additional_data(b"aad")
        assert enc.update(b"payload") + enc.finalize() == ct
        assert enc.tag == tag


def test_gcm_iv_empty_is_invalid_argument():
    for fn in (lambda: chanenc.gcm_encrypt(bytes(16), b"", b"x"),
               lambda: chanenc.gcm_decrypt(bytes(16), b"", b"x", bytes(16))):
        with pytest.raises(chanenc.InvalidArgument, match="iv must not be empty"):
            fn()


def test_gcm_iv_over_128_is_not_supported():
    for fn in (lambda: chanenc.gcm_encrypt(bytes(16), bytes(129), b"x"),
               lambda: chanenc.gcm_decrypt(bytes(16), bytes(129), b"x",
                                           bytes(16))):
        with pytest.raises(chanenc.NotSupported, match="iv of 129 bytes") as ei:
            fn()
        assert ei.value.status == "NOT_SUPPORTED"


def test_c_gcm_iv_empty_status():
    """The C primitive itself refuses an empty IV with INVALID_ARGUMENT."""
    with pytest.raises(chanenc.InvalidArgument):
        chanenc._core.gcm_encrypt(bytes(16), b"", b"", b"x", 16)


def test_c_gcm_iv_over_128_status():
    """The C primitive itself answers NOT_SUPPORTED for a 129-byte IV (a
    valid SP 800-38D input that OpenSSL cannot take), not INVALID_ARGUMENT."""
    with pytest.raises(chanenc.NotSupported):
        chanenc._core.gcm_encrypt(bytes(16), bytes(129), b"", b"x", 16)


def test_hkdf_rfc5869_case1():
    ikm = bytes.fromhex("0b" * 22)
    salt = bytes.fromhex("000102030405060708090a0b0c")
    info = bytes.fromhex("f0f1f2f3f4f5f6f7f8f9")
    prk = chanenc.hkdf_sha256_extract(ikm, salt)
    assert prk.hex() == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"
    okm = ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
           "34007208d5b887185865")
    assert chanenc.hkdf_sha256(ikm, salt, info, 42).hex() == okm
    assert chanenc.hkdf_sha256_expand(prk, info, 42).hex() == okm
    assert chanenc.hkdf_sha256(ikm, None, b"", 32) == chanenc.hkdf_sha256(ikm, b"", b"", 32)
    with pytest.raises(chanenc.InvalidArgument):
        chanenc.hkdf_sha256(ikm, salt, info, 0)
    with pytest.raises(chanenc.InvalidArgument):
        chanenc.hkdf_sha256_expand(b"short", info, 10)
    with pytest.raises(ValueError):
        chanenc.hkdf_sha256(ikm, salt, info, -5)


def test_pbkdf2_rfc7914():
    out = chanenc.pbkdf2_sha256("passwd", "salt", 1, 64)
    assert out.hex().startswith("55ac046e56e3089fec1691c22544b605")
    assert chanenc.pbkdf2_sha256(b"passwd", b"salt", 1, 64) == out
    with pytest.raises(chanenc.InvalidArgument):
        chanenc.pbkdf2_sha256(b"p", b"s", 0, 32)
    with pytest.raises(ValueError):
        chanenc.pbkdf2_sha256(b"p", b"s", 1 << 32, 32)
    with pytest.raises(TypeError):
        chanenc.pbkdf2_sha256(b"p", b"s", "1", 32)


# --------------------------------------------------------------------------
# Error messages name the argument and what it may be
# --------------------------------------------------------------------------

_K16, _PT16 = bytes(range(16)), bytes(16)
_XTS_KEY = bytes(range(32))
_MESSAGE_CASES = [
    # (id, call, exception class, substrings the message must contain)
    ("gcm2-no-salt", lambda: Context(Config("AES_128_GCM2", key=b"k")),
     chanenc.InvalidArgument,
     ["AES_128_GCM2 needs a salt: 32 bytes, not all zero (set Config.salt)"]),
    ("gcm2-256-no-salt-derive", lambda: chanenc.derive(Config(8, key="k")),
     chanenc.InvalidArgument, ["derive", "AES_256_GCM2 needs a salt"]),
    ("gcm2-no-salt-check", lambda: Config(7, key="k").check(),
     chanenc.InvalidArgument, ["AES_128_GCM2 needs a salt"]),
    ("gcm2-no-salt-channel",
     lambda: Channel().enable_encryption(True, Config(7, key="k")),
     chanenc.InvalidArgument, ["SDK code -2", "AES_128_GCM2 needs a salt"]),
    ("empty-key", lambda: Context(Config("AES_128_GCM")),
     chanenc.InvalidArgument, ["key must not be empty"]),
    ("empty-key-derive", lambda: chanenc.derive(Config(5, key=b"")),
     chanenc.InvalidArgument, ["key must not be empty"]),
    ("mode-9", lambda: Context(Config(9, key="k")), chanenc.InvalidArgument,
     ["mode 9 is not a CE1 mode", "1 AES_128_XTS", "8 AES_256_GCM2"]),
    ("mode-0-check", lambda: Config(0, key="k").check(),
     chanenc.InvalidArgument, ["mode 0", "valid:"]),
    ("salt-31", lambda: Config(salt=b"x" * 31), chanenc.InvalidArgument,
     ["salt", "32 bytes", "got 31"]),
    ("salt-b64-3-bytes", lambda: Config(salt="AAAA"), chanenc.InvalidArgument,
     ["salt", "decodes to 3 bytes", "32"]),
    ("salt-not-b64", lambda: Config(salt="not base64!"),
     chanenc.InvalidArgument, ["salt", "base64"]),
    ("ecb-data-17", lambda: chanenc.ecb_encrypt(_K16, bytes(17)),
     chanenc.InvalidArgument,
     ["ecb_encrypt: data length 17 is not a multiple of 16"]),
    ("ecb-key-5", lambda: chanenc.ecb_decrypt(bytes(5), _PT16),
     chanenc.InvalidArgument,
     ["ecb_decrypt: key must be 16, 24 or 32 bytes for AES, got 5"]),
    ("ecb-sm4-key-24",
     lambda: chanenc.ecb_encrypt(bytes(24), _PT16, cipher="sm4"),
     chanenc.InvalidArgument, ["key must be 16 bytes for SM4, got 24"]),
    ("ecb-cipher", lambda: chanenc.ecb_encrypt(_K16, _PT16, cipher="des"),
     chanenc.InvalidArgument, ["cipher must be 'aes' or 'sm4'", "'des'"]),
    ("ecb-iterations", lambda: chanenc.ecb_iterate(_K16, _PT16, -1),
     chanenc.InvalidArgument, ["ecb_iterate: iterations must be >= 0, got -1"]),
    ("xts-key-48", lambda: chanenc.xts_encrypt(bytes(48), _PT16, _PT16),
     chanenc.InvalidArgument,
     ["xts_encrypt: key must be 32 or 64 bytes (Key1||Key2), got 48"]),
    ("xts-equal-halves", lambda: chanenc.xts_decrypt(bytes(64), _PT16, _PT16),
     chanenc.InvalidArgument, ["Key1 == Key2 is refused (SP 800-38E)"]),
    ("xts-tweak", lambda: chanenc.xts_encrypt(_XTS_KEY, b"short", _PT16),
     chanenc.InvalidArgument, ["tweak must be 16 bytes, got 5"]),
    ("xts-data-15", lambda: chanenc.xts_encrypt(_XTS_KEY, _PT16, bytes(15)),
     chanenc.InvalidArgument, ["data must be at least 16 bytes", "got 15"]),
    ("gcm-key-15", lambda: chanenc.gcm_encrypt(bytes(15), bytes(12), b"x"),
     chanenc.InvalidArgument,
     ["gcm_encrypt: key must be 16, 24 or 32 bytes", "got 15"]),
    ("gcm-tag-len-17",
     lambda: chanenc.gcm_encrypt(_K16, bytes(12), b"x", tag_len=17),
     chanenc.InvalidArgument, ["tag_len must be 1..16, got 17"]),
    ("gcm-short-tag",
     lambda: chanenc.gcm_encrypt(_K16, bytes(12), b"x", tag_len=8),
     chanenc.InvalidArgument,
     ["tags under 12 bytes are forgeable; pass allow_short_tag=True to "
      "accept a 8-byte tag"]),
    ("gcm-decrypt-1-byte-tag",
     lambda: chanenc.gcm_decrypt(_K16, bytes(12), b"x", b"\x00"),
     chanenc.InvalidArgument, ["gcm_decrypt", "len(tag) is 1", "tag_len is 16"]),
    ("gcm-decrypt-short-tag-len",
     lambda: chanenc.gcm_decrypt(_K16, bytes(12), b"x", b"\x00", tag_len=1),
     chanenc.InvalidArgument,
     ["pass allow_short_tag=True to accept a 1-byte tag"]),
    ("gcm-iv-empty", lambda: chanenc.gcm_encrypt(_K16, b"", b"x"),
     chanenc.InvalidArgument, ["iv must not be empty", "1..128"]),
    ("gcm-iv-129", lambda: chanenc.gcm_decrypt(_K16, bytes(129), b"", _PT16),
     chanenc.NotSupported, ["iv of 129 bytes", "1..128"]),
    ("hkdf-length-0", lambda: chanenc.hkdf_sha256(b"ikm", None, b"", 0),
     chanenc.InvalidArgument, ["hkdf_sha256: length must be 1..8160, got 0"]),
    ("hkdf-length-8161", lambda: chanenc.hkdf_sha256(b"ikm", length=8161),
     chanenc.InvalidArgument, ["length must be 1..8160", "got 8161"]),
    ("hkdf-expand-prk",
     lambda: chanenc.hkdf_sha256_expand(bytes(16), b"", 10),
     chanenc.InvalidArgument,
     ["hkdf_sha256_expand: prk must be at least 32 bytes, got 16"]),
    ("hkdf-expand-length",
     lambda: chanenc.hkdf_sha256_expand(bytes(32), b"", 9000),
     chanenc.InvalidArgument, ["hkdf_sha256_expand: length must be 1..8160"]),
    ("pbkdf2-iterations-0", lambda: chanenc.pbkdf2_sha256(b"p", b"s", 0),
     chanenc.InvalidArgument, ["pbkdf2_sha256: iterations must be >= 1"]),
    ("pbkdf2-iterations-2**32",
     lambda: chanenc.pbkdf2_sha256(b"p", b"s", 1 << 32),
     chanenc.InvalidArgument, ["iterations must be below 2**32"]),
    ("pbkdf2-length-0", lambda: chanenc.pbkdf2_sha256(b"p", b"s", 1, 0),
     chanenc.InvalidArgument, ["pbkdf2_sha256: length must be >= 1, got 0"]),
]


@pytest.mark.parametrize("call,cls,parts", [c[1:] for c in _MESSAGE_CASES],
                         ids=[c[0] for c in _MESSAGE_CASES])
def test_error_messages_name_the_problem(call, cls, parts):
    with pytest.raises(cls) as ei:
        call()
    e = ei.value
    assert type(e) is cls and isinstance(e, chanenc.Error)
    assert e.status == cls.status and e.status in str(e)
    for part in parts:
        assert part in str(e), (part, str(e))
    # never the C layer's generic text
    assert "NULL pointer" not in str(e)


def test_config_refusal_order_matches_c():
    """Python names the first problem C's ce_config_check would find."""
    with pytest.raises(chanenc.InvalidArgument, match="mode 9"):
        Context(Config(9))                       # bad mode and empty key
    with pytest.raises(chanenc.InvalidArgument, match="key must not be empty"):
        Context(Config(7))                       # empty key and zero salt
    Context(Config(5, key="k"))                  # salt ignored outside GCM2
    Config(7, key="k", salt=SALT).check()


# Every bytes argument of every primitive: a wrong type names the function
# and the argument (not only "expected a bytes-like object").
_TYPE_CASES = [
    ("gcm_encrypt", "data", lambda: chanenc.gcm_encrypt(_K16, bytes(12), None)),
    ("gcm_encrypt", "data", lambda: chanenc.gcm_encrypt(_K16, bytes(12), "x")),
    ("gcm_encrypt", "aad",
     lambda: chanenc.gcm_encrypt(_K16, bytes(12), b"x", aad=None)),
    ("gcm_decrypt", "ciphertext",
     lambda: chanenc.gcm_decrypt(_K16, bytes(12), None, _PT16)),
    ("gcm_decrypt", "aad",
     lambda: chanenc.gcm_decrypt(_K16, bytes(12), b"x", _PT16, aad="h")),
    ("hkdf_sha256", "ikm", lambda: chanenc.hkdf_sha256("ikm")),
    ("hkdf_sha256", "salt", lambda: chanenc.hkdf_sha256(b"ikm", salt=5)),
    ("hkdf_sha256", "info", lambda: chanenc.hkdf_sha256(b"ikm", info=None)),
    ("hkdf_sha256_extract", "ikm", lambda: chanenc.hkdf_sha256_extract(3)),
    ("hkdf_sha256_extract", "salt",
     lambda: chanenc.hkdf_sha256_extract(b"ikm", "s")),
    ("hkdf_sha256_expand", "info",
     lambda: chanenc.hkdf_sha256_expand(bytes(32), 3)),
    ("pbkdf2_sha256", "password", lambda: chanenc.pbkdf2_sha256(None, b"s", 1)),
    ("pbkdf2_sha256", "salt", lambda: chanenc.pbkdf2_sha256(b"p", 3, 1)),
]


@pytest.mark.parametrize("fn,arg,call", _TYPE_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in _TYPE_CASES])
def test_type_errors_name_the_argument(fn, arg, call):
    with pytest.raises(TypeError) as ei:
        call()
    assert str(ei.value).startswith(f"{fn}: {arg} must be "), str(ei.value)


def test_gcm_allow_short_tag_must_be_a_bool():
    """A truthy non-bool ("false", 1) must not open the door to forgeable
    tags: allow_short_tag is True or False."""
    key, iv = bytes(16), bytes(12)
    ct, tag = chanenc.gcm_encrypt(key, iv, b"data")
    for value in ("false", "no", 1, [0]):
        with pytest.raises(TypeError, match="allow_short_tag must be a bool"):
            chanenc.gcm_decrypt(key, iv, ct, tag[:4], tag_len=4,
                                allow_short_tag=value)
        with pytest.raises(TypeError, match="allow_short_tag must be a bool"):
            chanenc.gcm_encrypt(key, iv, b"data", tag_len=4,
                                allow_short_tag=value)
    assert chanenc.gcm_decrypt(key, iv, ct, tag[:4], tag_len=4,
                               allow_short_tag=True) == b"data"


def test_c_still_has_the_last_word(monkeypatch):
    """With the Python checks out of the way, C still refuses, with the
    same exception classes (its own, generic, text)."""
    import chanenc.primitives as P
    monkeypatch.setattr(Config, "_validate", lambda self, what: None)
    monkeypatch.setattr(P, "_xts_args", lambda *a: None)
    monkeypatch.setattr(P, "_gcm_args", lambda *a: None)
    monkeypatch.setattr(P, "_hkdf_length", lambda fn, n: n)
    cases = [
        (lambda: Context(Config("AES_128_GCM2", key=b"k")), "context"),
        (lambda: Context(Config(9, key=b"k")), "context"),
        (lambda: chanenc.derive(Config(5)), "derive"),
        (lambda: chanenc.xts_encrypt(bytes(48), bytes(16), bytes(16)),
         "xts_encrypt"),
        (lambda: chanenc.xts_encrypt(bytes(32), bytes(16), bytes(16)),
         "xts_encrypt"),
        (lambda: chanenc.gcm_encrypt(bytes(15), bytes(12), b"x"),
         "gcm_encrypt"),
        (lambda: chanenc.gcm_encrypt(bytes(16), b"", b"x"), "gcm_encrypt"),
        (lambda: chanenc.hkdf_sha256(b"ikm", length=8161), "hkdf_sha256"),
    ]
    for call, what in cases:
        with pytest.raises(chanenc.InvalidArgument) as ei:
            call()
        assert str(ei.value).startswith(what + ": ")
        assert "[INVALID_ARGUMENT]" in str(ei.value)


def test_gil_released_during_long_calls():
    """A thread in a long C call (PBKDF2) must not stall other threads."""
    gaps, stop = [], threading.Event()

    def busy():
        chanenc.pbkdf2_sha256(b"p", b"s", 3_000_000, 32)
        stop.set()
    t = threading.Thread(target=busy)
    last = time.monotonic()
    t0 = last
    t.start()
    while not stop.is_set():
        now = time.monotonic()
        gaps.append(now - last)
        last = now
    t.join()
    total = time.monotonic() - t0
    assert total > 0.2, "PBKDF2 too fast to measure"
    assert max(gaps) < total / 2, (max(gaps), total)


def test_context_shared_between_threads():
    cfg = Config("AES_128_GCM", key="threads")
    tx, rx = Context(cfg), Context(cfg)
    errors = []

    def worker(i):
        try:
            for j in range(300):
                data = bytes([i, j & 0xFF]) * 50
                assert rx.unprotect(tx.protect(data)) == data
        except Exception as e:  # pragma: no cover
            errors.append(e)
    ts = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors


# --------------------------------------------------------------------------
# Channel and observers
# --------------------------------------------------------------------------

def channel_pair(cfg=None, join=True):
    cfg = cfg or Config("AES_128_GCM", key="channel")
    a, b = Channel(), Channel()
    for ch in (a, b):
        ch.enable_encryption(True, cfg)
        if join:
            ch.join()
    return a, b


class Prefix:
    """Adds a 2-byte marker on send, checks and strips it on receive."""

    def on_send_audio(self, pkt):
        return b"PX" + pkt

    def on_receive_audio(self, pkt):
        if not pkt.startswith(b"PX"):
            raise ValueError("missing marker")
        return pkt[2:]


def test_channel_roundtrip_without_observer():
    a, b = channel_pair()
    for kind in PacketKind:
        wire = a.send(kind, b"payload")
        assert b.receive(kind, wire) == b"payload"
    wire = a.send(PacketKind.DATA, b"data")       # datastream flag off
    assert wire == b"data"
    c = a.counters()
    assert c["AUDIO"]["sent"] == 1 and c["DATA"]["sent"] == 2
    assert b.counters()["VIDEO"]["received"] == 1


def test_datastream_flag():
    a, b = channel_pair(Config("AES_128_GCM", key="k", datastream=True))
    wire = a.send(PacketKind.DATA, b"data")
    assert wire != b"data" and len(wire) == 4 + 26
    assert b.receive("data", wire) == b"data"


def test_observer_replace_keep_drop():
    a, b = channel_pair()
    a.register_packet_observer(Prefix())
    b.register_packet_observer(Prefix())
    wire = a.send(PacketKind.AUDIO, b"hi")
    assert wire[:2] == b"PX" and len(wire) == 2 + 2 + 26
    assert b.receive(PacketKind.AUDIO, wire) == b"hi"
    # video has no method on Prefix: passes unchanged
    assert b.receive(PacketKind.VIDEO, a.send(PacketKind.VIDEO, b"v")) == b"v"

    class Policy(chanenc.PacketObserver):
        def on_send_audio(self, pkt):
            return None          # drop

        def on_send_video(self, pkt):
            return False         # drop

        def on_receive_audio(self, pkt):
            return True          # keep

        def on_receive_video(self, pkt):
            return bytearray(pkt)  # replace with an equal bytearray
    a.register_packet_observer(Policy())
    b.register_packet_observer(Policy())
    assert a.packet_observer.__class__ is Policy
    assert a.send(PacketKind.AUDIO, b"x") is None
    assert a.send(PacketKind.VIDEO, b"x") is None
    cnt = a.counters()
    assert cnt["AUDIO"]["send_dropped"] == 1 and cnt["VIDEO"]["send_dropped"] == 1
    a.register_packet_observer(None)
    w = a.send(PacketKind.AUDIO, b"ok")
    assert b.receive(PacketKind.AUDIO, w) == b"ok"
    assert b.receive(PacketKind.VIDEO, a.send(PacketKind.VIDEO, b"vv")) == b"vv"


def test_observer_drop_on_receive():
    a, b = channel_pair()

    class DropAll:
        def on_receive_video(self, pkt):
            return False
    b.register_packet_observer(DropAll())
    assert b.receive(PacketKind.VIDEO, a.send(PacketKind.VIDEO, b"v")) is None
    assert b.counters()["VIDEO"]["receive_dropped"] == 1


def test_observer_exception_becomes_observer_error():
    a, b = channel_pair()
    seen = []
    a.set_error_callback(lambda t, s: seen.append((t, s)))

    class Boom:
        def on_send_audio(self, pkt):
            raise RuntimeError("boom in observer")
    a.register_packet_observer(Boom())
    with pytest.raises(chanenc.ObserverError) as ei:
        a.send(PacketKind.AUDIO, b"x")
    e = ei.value
    assert isinstance(e.__cause__, RuntimeError) and "boom" in str(e.__cause__)
    assert e.observer_exception is e.__cause__
    assert "boom in observer" in str(e) and e.status == "OBSERVER"
    assert seen == [(chanenc.EncryptionErrorType.INTERNAL_FAILURE,
                     chanenc.ObserverError.code)]
    assert a.counters()["AUDIO"]["send_failed"] == {"OBSERVER": 1}
    # the channel keeps working for the next packet
    a.register_packet_observer(None)
    assert b.receive(PacketKind.AUDIO, a.send(PacketKind.AUDIO, b"y")) == b"y"


@pytest.mark.parametrize("ret", [5, "text", 1.0, [b"x"]])
def test_observer_bad_return_type(ret):
    a, _ = channel_pair()

    class Odd:
        def on_send_video(self, pkt):
            return ret
    a.register_packet_observer(Odd())
    with pytest.raises(chanenc.ObserverError) as ei:
        a.send(PacketKind.VIDEO, b"x")
    assert isinstance(ei.value.__cause__, TypeError)


def test_observer_keyboard_interrupt_propagates():
    a, _ = channel_pair()

    class Stop:
        def on_send_audio(self, pkt):
            raise KeyboardInterrupt
    a.register_packet_observer(Stop())
    with pytest.raises(KeyboardInterrupt):
        a.send(PacketKind.AUDIO, b"x")


def test_observer_registration_errors():
    ch = Channel()
    with pytest.raises(TypeError, match="at least one"):
        ch.register_packet_observer(object())

    class NotCallable:
        on_send_audio = 5
    with pytest.raises(TypeError, match="not callable"):
        ch.register_packet_observer(NotCallable())
    with pytest.raises(TypeError):
        ch.set_error_callback(42)


def test_observer_reentry_is_refused():
    a, _ = channel_pair()
    other_a, other_b = channel_pair()

    class Reenter:
        def on_send_audio(self, pkt):
            a.register_packet_observer(None)   # same channel: refused

        def on_send_video(self, pkt):
            return other_a.send(PacketKind.AUDIO, pkt)  # other channel: fine
    a.register_packet_observer(Reenter())
    with pytest.raises(chanenc.ObserverError) as ei:
        a.send(PacketKind.AUDIO, b"x")
    assert isinstance(ei.value.__cause__, chanenc.InvalidArgument)
    wire = a.send(PacketKind.VIDEO, b"nested")
    inner = a.counters()  # outer channel still usable
    assert inner["VIDEO"]["sent"] == 1 and len(wire) > 26


def test_error_callback_and_unraisable(monkeypatch):
    a, b = channel_pair()
    seen = []
    b.set_error_callback(lambda t, s: seen.append((t, s)))
    wire = bytearray(a.send(PacketKind.AUDIO, b"x"))
    wire[-1] ^= 1
    with pytest.raises(chanenc.AuthFailed):
        b.receive(PacketKind.AUDIO, wire)
    assert seen == [(1, chanenc.AuthFailed.code)]
    assert b.counters()["AUDIO"]["receive_failed"] == {"AUTH_FAILED": 1}

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: unraisable.append(u))

    def bad_cb(t, s):
        raise ValueError("callback failed")
    b.set_error_callback(bad_cb)
    with pytest.raises(chanenc.AuthFailed):
        b.receive(PacketKind.AUDIO, wire)
    assert unraisable and isinstance(unraisable[0].exc_value, ValueError)
    b.set_error_callback(None)
    with pytest.raises(chanenc.AuthFailed):
        b.receive(PacketKind.AUDIO, wire)


def test_channel_state_errors():
    ch = Channel()
    with pytest.raises(chanenc.InvalidArgument):
        ch.send(PacketKind.AUDIO, b"x")          # not joined
    ch.join()
    assert ch.send(PacketKind.AUDIO, b"x") == b"x"  # no encryption: as is
    with pytest.raises(chanenc.InvalidArgument):
        ch.enable_encryption(True, Config(9, key="k"))
    with pytest.raises(chanenc.InvalidArgument):
        ch.enable_encryption(True, Config(7, key="k"))  # zero salt
    with pytest.raises(TypeError):
        ch.enable_encryption(True, "cfg")
    ch.enable_encryption(True, Config(5, key="k"))
    ch.disable_encryption()
    ch.set_max_wire_size(10)
    with pytest.raises(chanenc.TooLarge):
        ch.send(PacketKind.AUDIO, b"x" * 11)
    ch.set_max_wire_size(0)
    with pytest.raises(chanenc.TooLarge):
        ch.send(PacketKind.AUDIO, bytes(65536))
    with pytest.raises(ValueError):
        ch.set_max_wire_size(-1)
    with pytest.raises(ValueError):
        ch.send(7, b"x")
    with pytest.raises(ValueError):
        ch.send("smell", b"x")
    with pytest.raises(TypeError):
        ch.send(PacketKind.AUDIO, "text")
    ch.leave()
    with pytest.raises(chanenc.InvalidArgument):
        ch.send(PacketKind.AUDIO, b"x")
    ch.close()
    with pytest.raises(ValueError, match="closed"):
        ch.join()


def test_observer_growth_limit():
    a = Channel(observer_headroom=10)
    a.join()

    class Grow:
        def on_send_audio(self, pkt):
            return pkt + bytes(100)
    a.register_packet_observer(Grow())
    with pytest.raises(chanenc.BufferTooSmall):
        a.send(PacketKind.AUDIO, b"x")
    with pytest.raises(ValueError):
        Channel(observer_headroom=-1)


def test_channel_threads_with_python_observers():
    a, b = channel_pair()
    a.register_packet_observer(Prefix())
    b.register_packet_observer(Prefix())
    errors = []

    def sender(i):
        try:
            for j in range(200):
                data = bytes([i, j & 0xFF]) * 20
                assert b.receive(PacketKind.AUDIO, a.send(PacketKind.AUDIO, data)) == data
        except Exception as e:  # pragma: no cover
            errors.append(e)

    def swapper():
        for _ in range(50):
            a.register_packet_observer(Prefix())
    ts = [threading.Thread(target=sender, args=(i,)) for i in range(4)]
    ts.append(threading.Thread(target=swapper))
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors
    assert a.counters()["AUDIO"]["sent"] == 800


def test_observer_lifetime():
    """The channel keeps the observer alive; dropping the channel frees it."""
    import weakref
    ch = Channel()
    ch.join()
    obs = Prefix()
    ref = weakref.ref(obs)
    ch.register_packet_observer(obs)
    del obs
    gc.collect()
    assert ref() is not None
    assert ch.send(PacketKind.AUDIO, b"a") == b"PXa"
    del ch
    gc.collect()
    assert ref() is None


def test_packet_observer_base_class_keeps():
    a, b = channel_pair()
    a.register_packet_observer(chanenc.PacketObserver())
    b.register_packet_observer(chanenc.PacketObserver())
    for kind in (PacketKind.AUDIO, PacketKind.VIDEO):
        assert b.receive(kind, a.send(kind, b"same")) == b"same"
