"""Tests of the cipher backend choice in the Python bindings
(chanenc.backends, Config.backend, Context.backend) and of the conformance
runner's header naming the backend of each mode.

    PYTHONPATH=build/bindings/python /usr/bin/python3 -m pytest -q tests/python/test_backends.py
"""

import os
import random
import subprocess
import sys

import pytest

import chanenc
import chanenc.testing
from chanenc import Config, Context, Channel, Mode, BACKENDS, backend_for
from chanenc.backends import backend_id

KEY = "backend test key"
SALT = bytes(range(1, 33))
GCM = [Mode.AES_128_GCM, Mode.AES_256_GCM, Mode.AES_128_GCM2,
       Mode.AES_256_GCM2]


def ipsecmb_usable() -> bool:
    try:
        return backend_for(Mode.AES_128_GCM, "ipsec-mb") == "ipsec-mb"
    except chanenc.NotSupported:
        return False


needs_ipsecmb = pytest.mark.skipif(
    not ipsecmb_usable(),
    reason="ipsec-mb not built in or not usable on this CPU")


def sm4simd_usable() -> bool:
    try:
        return backend_for(Mode.SM4_128_ECB, "sm4-simd") == "sm4-simd"
    except chanenc.NotSupported:
        return False


needs_sm4simd = pytest.mark.skipif(
    not sm4simd_usable(),
    reason="sm4-simd not usable on this CPU (no GFNI, no AES-NI with AVX2)")


def fastest(m) -> str:
    if m in GCM and ipsecmb_usable():
        return "ipsec-mb"
    if m == Mode.SM4_128_ECB and sm4simd_usable():
        return "sm4-simd"
    return "openssl"


def test_names():
    assert BACKENDS == ("auto", "openssl", "ipsec-mb", "sm4-simd")
    for i, name in enumerate(BACKENDS):
        assert backend_id(name) == i and backend_id(i) == i
    for bad in ("", "AUTO", "ipsec_mb", "sm4simd", "nss", -1, 4):
        with pytest.raises(chanenc.InvalidArgument, match="not a backend"):
            backend_id(bad)
    for bad in (True, None, 1.0, b"openssl"):
        with pytest.raises(TypeError):
            backend_id(bad)


def test_config_backend():
    cfg = Config(Mode.AES_128_GCM, key=KEY)
    assert cfg.backend == "auto"
    cfg.backend = "openssl"
    assert cfg.backend == "openssl" and "backend=openssl" in repr(cfg)
    cfg.backend = 2
    assert cfg.backend == "ipsec-mb"
    with pytest.raises(chanenc.InvalidArgument):
        cfg.backend = "fastest"
    assert cfg.backend == "ipsec-mb"  # unchanged by the refusal
    assert cfg.copy() == cfg and cfg.copy().backend == "ipsec-mb"
    other = cfg.copy()
    other.backend = "openssl"
    assert other != cfg
    assert Config(key=KEY, salt=SALT, backend="openssl").backend == "openssl"
    cfg.backend = 3
    assert cfg.backend == "sm4-simd" and "backend=sm4-simd" in repr(cfg)


def test_backend_for_every_mode():
    usable = ipsecmb_usable()
    sm4 = sm4simd_usable()
    for m in Mode:
        gcm = m in GCM
        assert backend_for(m) == fastest(m)
        assert backend_for(m.name, "openssl") == "openssl"
        if gcm and usable:
            assert backend_for(int(m), "ipsec-mb") == "ipsec-mb"
        else:
            with pytest.raises(chanenc.NotSupported,
                               match=f"ipsec-mb cannot serve {m.name}"):
                backend_for(m, "ipsec-mb")
        if m == Mode.SM4_128_ECB and sm4:
            assert backend_for(int(m), "sm4-simd") == "sm4-simd"
        else:
            with pytest.raises(chanenc.NotSupported,
                               match=f"sm4-simd cannot serve {m.name}"):
                backend_for(m, "sm4-simd")
    with pytest.raises(chanenc.InvalidArgument):
        backend_for(9)
    with pytest.raises(ValueError):
        backend_for("AES_512_GCM")


def test_context_backend():
    for m in (Mode.AES_128_ECB, Mode.AES_256_XTS, Mode.SM4_128_ECB,
              Mode.AES_128_GCM, Mode.AES_256_GCM):
        ctx = Context(Config(m, key=KEY))
        assert ctx.backend == backend_for(m) == fastest(m)
        assert f"backend={ctx.backend}" in repr(ctx)
        assert Context(Config(m, key=KEY, backend="openssl")).backend == \
            "openssl"
    ctx.close()
    with pytest.raises(ValueError, match="closed"):
        ctx.backend


def test_sm4_backend_choice():
    """SM4_128_ECB: "openssl" runs OpenSSL's SM4, auto the fast one."""
    ossl = Context(Config(Mode.SM4_128_ECB, key=KEY, backend="openssl"))
    assert ossl.backend == "openssl"
    auto = Context(Config(Mode.SM4_128_ECB, key=KEY))
    assert auto.backend == ("sm4-simd" if sm4simd_usable() else "openssl")
    payload = bytes(range(200))
    assert auto.unprotect(ossl.protect(payload)) == payload
    assert ossl.unprotect(auto.protect(payload)) == payload


def test_refusals():
    for m, b in ((Mode.AES_128_XTS, "ipsec-mb"), (Mode.AES_128_XTS, "sm4-simd"),
                 (Mode.AES_128_ECB, "sm4-simd"),
                 (Mode.AES_128_GCM, "sm4-simd")):
        cfg = Config(m, key=KEY, backend=b)
        for call in (cfg.check, lambda: Context(cfg),
                     lambda: chanenc.derive(cfg)):
            with pytest.raises(chanenc.NotSupported, match=b):
                call()
    cfg = Config(Mode.AES_128_XTS, key=KEY, backend="ipsec-mb")
    ch = Channel()
    with pytest.raises(chanenc.NotSupported):
        ch.enable_encryption(True, cfg)
    # INVALID_ARGUMENT comes first (spec 10.1)
    cfg.key = b""
    with pytest.raises(chanenc.InvalidArgument):
        cfg.check()


@needs_ipsecmb
def test_backends_make_the_same_frames():
    rng = random.Random(11)
    for m in GCM:
        cfg = Config(m, key=KEY, salt=SALT, backend="openssl")
        ossl = Context(cfg)
        cfg.backend = "ipsec-mb"
        imb = Context(cfg)
        assert (ossl.backend, imb.backend) == ("openssl", "ipsec-mb")
        for n in (0, 1, 15, 16, 17, 160, 1200, 65535):
            payload = rng.randbytes(n)
            pn = rng.getrandbits(64)
            a = chanenc.testing.protect_with_pn(ossl, payload, pn)
            b = chanenc.testing.protect_with_pn(imb, payload, pn)
            assert a == b
            assert imb.unprotect(a) == payload and ossl.unprotect(b) == payload
            bad = bytearray(b)
            bad[-1] ^= 0x80
            for ctx in (ossl, imb):
                with pytest.raises(chanenc.AuthFailed):
                    ctx.unprotect(bytes(bad))
            assert ossl.unprotect(imb.protect(payload)) == payload


@needs_ipsecmb
def test_channel_with_ipsecmb():
    cfg = Config(Mode.AES_256_GCM, key=KEY, backend="ipsec-mb")
    a, b = Channel(), Channel()
    for ch in (a, b):
        ch.join()
    a.enable_encryption(True, cfg)
    cfg.backend = "openssl"
    b.enable_encryption(True, cfg)
    frame = a.send(chanenc.PacketKind.VIDEO, b"hello, backends")
    assert b.receive(chanenc.PacketKind.VIDEO, frame) == b"hello, backends"


@needs_sm4simd
def test_sm4_backends_make_the_same_frames():
    rng = random.Random(12)
    cfg = Config(Mode.SM4_128_ECB, key=KEY, backend="openssl")
    ossl = Context(cfg)
    cfg.backend = "sm4-simd"
    fast = Context(cfg)
    assert (ossl.backend, fast.backend) == ("openssl", "sm4-simd")
    for n in (0, 1, 15, 16, 17, 160, 1200, 65535):
        payload = rng.randbytes(n)
        a, b = ossl.protect(payload), fast.protect(payload)
        assert a == b  # ECB: no packet number, deterministic
        assert fast.unprotect(a) == payload and ossl.unprotect(b) == payload
        bad = bytearray(b)
        bad[-1] ^= 0x80  # the last padding byte: no longer 1..16 equal bytes
        for ctx in (ossl, fast):
            with pytest.raises(chanenc.BadPadding):
                ctx.unprotect(bytes(bad))


def test_version_lists_backends():
    v = chanenc.version()
    assert "backends: openssl" in v
    if ipsecmb_usable():
        assert ", ipsec-mb " in v
    if sm4simd_usable():
        assert v.endswith(", sm4-simd)")


@pytest.mark.skipif(not os.environ.get("CE_VECTORS_DIR"),
                    reason="CE_VECTORS_DIR not set")
def test_runner_header_names_the_backend_of_each_mode():
    r = subprocess.run(
        [sys.executable, "-m", "chanenc.conform", "--file", "ce1/*",
         "--mode", "AES_128_GCM", "--no-progress"],
        capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr
    first = r.stdout.splitlines()[0]
    assert first.startswith("chanenc-conform: implementation: reference")
    # Modes in id order, grouped by the backend that serves them, in the
    # order each backend first appears.
    by = {}
    for m in sorted(Mode, key=int):
        by.setdefault(fastest(m), []).append(m.name)
    want = ", ".join(f"{b} ({', '.join(ms)})" for b, ms in by.items())
    assert first.endswith("; modes served by " + want)
    if sm4simd_usable():
        assert "sm4-simd (SM4_128_ECB)" in first
