#!/usr/bin/python3
"""Broken primitive adapter: tools/adapters/pyca_adapter.py with an HKDF
expand (RFC 5869 2.3) whose block counter never advances: every T(i) is
HMAC(PRK, T(i-1) | info | 0x01). T(1) is right, so outputs of up to 32
bytes are right and everything past byte 32 is wrong, in hkdf_sha256 and
hkdf_sha256_expand alike."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3]
                       / "tools" / "adapters"))
import pyca_adapter  # noqa: E402
from cryptography.hazmat.primitives import hashes, hmac  # noqa: E402


def _hmac(key, data):
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(data)
    return h.finalize()


def hkdf_expand(prk, info, length):
    okm, t = b"", b""
    while len(okm) < length:
        t = _hmac(prk, t + info + b"\x01")  # the bug: the counter stays 1
        okm += t
    return okm[:length]


def hkdf(salt, ikm, info, length):
    return hkdf_expand(_hmac(salt, ikm), info, length)  # HMAC pads salt


pyca_adapter.hkdf_expand = hkdf_expand
pyca_adapter.hkdf = hkdf

if __name__ == "__main__":
    sys.exit(pyca_adapter.main())
