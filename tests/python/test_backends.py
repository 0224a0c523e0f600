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


def test_names():
    assert BACKENDS == ("auto", "openssl", "ipsec-mb")
    for i, name in enumerate(BACKENDS):
        assert backend_id(name) == i and backend_id(i) == i
    for bad in ("", "AUTO", "ipsec_mb", "nss", -1, 3):
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


def test_backend_for_every_mode():
    usable = ipsecmb_usable()
    for m in Mode:
        gcm = m in GCM
        assert backend_for(m) == ("ipsec-mb" if gcm and usable else "openssl")
        assert backend_for(m.name, "openssl") == "openssl"
        if gcm and usable:
            assert backend_for(int(m), "ipsec-mb") == "ipsec-mb"
        else:
            with pytest.raises(chanenc.NotSupported,
                               match=f"ipsec-mb cannot serve {m.name}"):
                backend_for(m, "ipsec-mb")
    with pytest.raises(chanenc.InvalidArgument):
        backend_for(9)
    with pytest.raises(ValueError):
        backend_for("AES_512_GCM")


def test_context_backend():
    for m in (Mode.AES_128_ECB, Mode.AES_256_XTS, Mode.AES_128_GCM,
              Mode.AES_256_GCM):
        ctx = Context(Config(m, key=KEY))
        assert ctx.backend == backend_for(m)
        assert f"backend={ctx.backend}" in repr(ctx)
        assert Context(Config(m, key=KEY, backend="openssl")).backend == \
            "openssl"
    ctx.close()
    with pytest.raises(ValueError, match="closed"):
        ctx.backend


def test_refusals():
    cfg = Config(Mode.AES_128_XTS, key=KEY, backend="ipsec-mb")
    for call in (cfg.check, lambda: Context(cfg),
                 lambda: chanenc.derive(cfg)):
        with pytest.raises(chanenc.NotSupported, match="ipsec-mb"):
            call()
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


def test_version_lists_backends():
    v = chanenc.version()
    assert "backends: openssl" in v
    if ipsecmb_usable():
        assert ", ipsec-mb " in v


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
    gcm = "AES_128_GCM, AES_256_GCM, AES_128_GCM2, AES_256_GCM2"
    others = "AES_128_XTS, AES_128_ECB, AES_256_XTS, SM4_128_ECB"
    if ipsecmb_usable():
        assert f"openssl ({others}), ipsec-mb ({gcm})" in first
    else:
        assert f"openssl ({others}, {gcm})" in first
