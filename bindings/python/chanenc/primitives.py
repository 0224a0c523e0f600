"""The primitive layer: raw block-cipher modes and KDFs.

These are one-shot calls, not on the packet path. They exist for standard
known-answer vectors (NIST CAVP, IEEE 1619, GB/T 32907, RFC 5869, RFC 8018)
and for experiments; the frame format itself is :class:`chanenc.Context`.
Wrong key or data sizes raise :class:`chanenc.InvalidArgument` (a
ValueError); GCM tag mismatches raise :class:`chanenc.AuthFailed`.
"""

from __future__ import annotations

from . import _core

__all__ = ["ecb_encrypt", "ecb_decrypt", "ecb_iterate", "xts_encrypt",
           "xts_decrypt", "gcm_encrypt", "gcm_decrypt", "hkdf_sha256",
           "hkdf_sha256_extract", "hkdf_sha256_expand", "pbkdf2_sha256"]

_CIPHERS = {"aes": _core.CE_BLOCK_AES, "sm4": _core.CE_BLOCK_SM4}


def _cipher(name: str) -> int:
    if not isinstance(name, str):
        raise TypeError("cipher must be 'aes' or 'sm4'")
    try:
        return _CIPHERS[name.lower()]
    except KeyError:
        raise ValueError(f"unknown block cipher {name!r} (use 'aes' or "
                         "'sm4')") from None


def _count(n, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{what} must be an int, not {type(n).__name__}")
    if n < 0:
        raise ValueError(f"{what} must be >= 0")
    return n


def ecb_encrypt(key, data, *, cipher: str = "aes") -> bytes:
    """ECB-encrypts ``data`` (a multiple of 16 bytes, no padding) with
    ``key`` (AES: 16, 24 or 32 bytes; SM4: 16 bytes)."""
    return _core.ecb_crypt(_cipher(cipher), 1, key, data)


def ecb_decrypt(key, data, *, cipher: str = "aes") -> bytes:
    """ECB-decrypts ``data`` (a multiple of 16 bytes, no padding)."""
    return _core.ecb_crypt(_cipher(cipher), 0, key, data)


def ecb_iterate(key, data, iterations: int, *, cipher: str = "aes",
                encrypt: bool = True) -> bytes:
    """Applies ECB ``iterations`` times to ``data`` (each output is the
    next input), looping in C through the primitive with in == out; the
    GB/T 32907 SM4 "1,000,000 times" examples use this."""
    return _core.ecb_iterate(_cipher(cipher), int(bool(encrypt)), key, data,
                             _count(iterations, "iterations"))


def xts_encrypt(key, tweak, data) -> bytes:
    """XTS-AES (IEEE 1619) encryption. ``key`` is Key1||Key2 (32 or 64
    bytes), ``tweak`` the 16-byte tweak, ``data`` at least 16 bytes
    (ciphertext stealing for a partial last block). Key1 == Key2 is
    refused (SP 800-38E)."""
    return _core.xts_crypt(1, key, tweak, data)


def xts_decrypt(key, tweak, data) -> bytes:
    """XTS-AES decryption; arguments as :func:`xts_encrypt`."""
    return _core.xts_crypt(0, key, tweak, data)


def gcm_encrypt(key, iv, data, aad=b"", *, tag_len: int = 16) -> tuple[bytes, bytes]:
    """AES-GCM encryption: returns ``(ciphertext, tag)``. ``key`` is 16, 24
    or 32 bytes, ``iv`` 1 byte or more, ``tag_len`` 1..16."""
    return _core.gcm_encrypt(key, iv, aad, data, _count(tag_len, "tag_len"))


def gcm_decrypt(key, iv, ciphertext, tag, aad=b"") -> bytes:
    """AES-GCM decryption: verifies ``tag`` first and raises
    :class:`chanenc.AuthFailed` when it does not match."""
    return _core.gcm_decrypt(key, iv, aad, ciphertext, tag)


def hkdf_sha256(ikm, salt=None, info=b"", length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869): extract with ``salt`` (None or empty: 32
    zero bytes) then expand ``info`` to ``length`` bytes (1..8160)."""
    return _core.hkdf_sha256(salt, ikm, info, _count(length, "length"))


def hkdf_sha256_extract(ikm, salt=None) -> bytes:
    """HKDF-Extract alone: the 32-byte PRK."""
    return _core.hkdf_sha256_extract(salt, ikm)


def hkdf_sha256_expand(prk, info=b"", length: int = 32) -> bytes:
    """HKDF-Expand alone: ``prk`` (32 bytes or more) to ``length`` bytes."""
    return _core.hkdf_sha256_expand(prk, info, _count(length, "length"))


def pbkdf2_sha256(password, salt, iterations: int, length: int = 32) -> bytes:
    """PBKDF2-HMAC-SHA256 (RFC 8018). ``password`` may be a str (UTF-8).
    The GIL is released while it runs."""
    if isinstance(password, str):
        password = password.encode("utf-8")
    if isinstance(salt, str):
        salt = salt.encode("utf-8")
    iterations = _count(iterations, "iterations")
    if iterations >= 1 << 32:
        raise ValueError("iterations must be below 2**32")
    return _core.pbkdf2_sha256(password, salt, iterations,
                               _count(length, "length"))
