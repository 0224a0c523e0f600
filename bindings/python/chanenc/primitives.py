"""The primitive layer: raw block-cipher modes and KDFs.

These are one-shot calls, not on the packet path. They exist for standard
known-answer vectors (NIST CAVP, IEEE 1619, GB/T 32907, RFC 5869, RFC 8018)
and for experiments; the frame format itself is :class:`chanenc.Context`.
Wrong key or data sizes raise :class:`chanenc.InvalidArgument` (a
ValueError) whose message names the function, the argument, the allowed
values and what was given, e.g. ``"xts_encrypt: key must be 32 or 64
bytes (Key1||Key2), got 48"``; wrong types raise TypeError. These checks
run in Python before the C call, which still has the last word: anything C
refuses on top raises with C's status. GCM tag mismatches raise
:class:`chanenc.AuthFailed`.
"""

from __future__ import annotations

import hmac

from . import _core
from .errors import InvalidArgument, NotSupported, TooLarge, _argument_error

__all__ = ["ecb_encrypt", "ecb_decrypt", "ecb_iterate", "xts_encrypt",
           "xts_decrypt", "gcm_encrypt", "gcm_decrypt", "hkdf_sha256",
           "hkdf_sha256_extract", "hkdf_sha256_expand", "pbkdf2_sha256"]

_CIPHERS = {"aes": _core.CE_BLOCK_AES, "sm4": _core.CE_BLOCK_SM4}
#: Key lengths of the block ciphers (ECB).
_ECB_KEYS = {"aes": (16, 24, 32), "sm4": (16,)}
#: HKDF-SHA256 output limit: 255 blocks of 32 bytes (RFC 5869).
_HKDF_MAX = 255 * 32
#: Short GCM tags below this many bytes must be asked for explicitly.
_GCM_MIN_SAFE_TAG = 12
#: OpenSSL's GCM IV limit (bytes).
_GCM_MAX_IV = 128
#: OpenSSL processes at most 2**20 blocks per XTS data unit.
_XTS_MAX_DATA = 1 << 24


def _invalid(fn: str, msg: str) -> InvalidArgument:
    return _argument_error(InvalidArgument, fn, msg)


def _nbytes(obj, fn: str, what: str) -> int:
    """Length in bytes of a bytes-like argument (TypeError otherwise)."""
    if isinstance(obj, str):
        raise TypeError(f"{fn}: {what} must be a bytes-like object, not str "
                        "(encode text first, e.g. s.encode())")
    try:
        with memoryview(obj) as m:
            return m.nbytes
    except TypeError:
        raise TypeError(f"{fn}: {what} must be a bytes-like object, not "
                        f"{type(obj).__name__}") from None


def _int(n, fn: str, what: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"{fn}: {what} must be an int, not {type(n).__name__}")
    return n


def _cipher(name, fn: str) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{fn}: cipher must be 'aes' or 'sm4', not "
                        f"{type(name).__name__}")
    c = name.lower()
    if c not in _CIPHERS:
        raise _invalid(fn, f"cipher must be 'aes' or 'sm4', got {name!r}")
    return c


def _or_list(values) -> str:
    v = [str(x) for x in values]
    return v[0] if len(v) == 1 else ", ".join(v[:-1]) + " or " + v[-1]


def _ecb_args(fn: str, cipher, key, data) -> int:
    c = _cipher(cipher, fn)
    klen = _nbytes(key, fn, "key")
    if klen not in _ECB_KEYS[c]:
        raise _invalid(fn, f"key must be {_or_list(_ECB_KEYS[c])} bytes for "
                           f"{c.upper()}, got {klen}")
    dlen = _nbytes(data, fn, "data")
    if dlen % 16:
        raise _invalid(fn, f"data length {dlen} is not a multiple of 16 "
                           "(no padding at this layer)")
    return _CIPHERS[c]


def ecb_encrypt(key, data, *, cipher: str = "aes") -> bytes:
    """ECB-encrypts ``data`` (a multiple of 16 bytes, no padding) with
    ``key`` (AES: 16, 24 or 32 bytes; SM4: 16 bytes)."""
    return _core.ecb_crypt(_ecb_args("ecb_encrypt", cipher, key, data), 1,
                           key, data)


def ecb_decrypt(key, data, *, cipher: str = "aes") -> bytes:
    """ECB-decrypts ``data`` (a multiple of 16 bytes, no padding)."""
    return _core.ecb_crypt(_ecb_args("ecb_decrypt", cipher, key, data), 0,
                           key, data)


def ecb_iterate(key, data, iterations: int, *, cipher: str = "aes",
                encrypt: bool = True) -> bytes:
    """Applies ECB ``iterations`` times (>= 0) to ``data`` (each output is
    the next input), looping in C through the primitive with in == out; the
    GB/T 32907 SM4 "1,000,000 times" examples use this."""
    fn = "ecb_iterate"
    bc = _ecb_args(fn, cipher, key, data)
    if _int(iterations, fn, "iterations") < 0:
        raise _invalid(fn, f"iterations must be >= 0, got {iterations}")
    return _core.ecb_iterate(bc, int(bool(encrypt)), key, data, iterations)


def _xts_args(fn: str, key, tweak, data) -> None:
    klen = _nbytes(key, fn, "key")
    if klen not in (32, 64):
        raise _invalid(fn, f"key must be 32 or 64 bytes (Key1||Key2), got "
                           f"{klen}")
    with memoryview(key) as m:
        k = m.tobytes()
    if hmac.compare_digest(k[:klen // 2], k[klen // 2:]):
        raise _invalid(fn, "Key1 == Key2 is refused (SP 800-38E)")
    tlen = _nbytes(tweak, fn, "tweak")
    if tlen != 16:
        raise _invalid(fn, f"tweak must be 16 bytes, got {tlen}")
    dlen = _nbytes(data, fn, "data")
    if dlen < 16:
        raise _invalid(fn, f"data must be at least 16 bytes (one block), "
                           f"got {dlen}")
    if dlen > _XTS_MAX_DATA:
        raise _argument_error(TooLarge, fn,
                              f"data of {dlen} bytes is over {_XTS_MAX_DATA} "
                              "bytes (2**20 blocks, OpenSSL's limit for one "
                              "XTS data unit)")


def xts_encrypt(key, tweak, data) -> bytes:
    """XTS-AES (IEEE 1619) encryption. ``key`` is Key1||Key2 (32 or 64
    bytes), ``tweak`` the 16-byte tweak, ``data`` 16 bytes to 16 MiB
    (ciphertext stealing for a partial last block). Key1 == Key2 is
    refused (SP 800-38E)."""
    _xts_args("xts_encrypt", key, tweak, data)
    return _core.xts_crypt(1, key, tweak, data)


def xts_decrypt(key, tweak, data) -> bytes:
    """XTS-AES decryption; arguments as :func:`xts_encrypt`."""
    _xts_args("xts_decrypt", key, tweak, data)
    return _core.xts_crypt(0, key, tweak, data)


def _gcm_args(fn: str, key, iv, tag_len) -> None:
    klen = _nbytes(key, fn, "key")
    if klen not in (16, 24, 32):
        raise _invalid(fn, f"key must be 16, 24 or 32 bytes (AES-128/192/256),"
                           f" got {klen}")
    ivlen = _nbytes(iv, fn, "iv")
    if ivlen == 0:
        raise _invalid(fn, f"iv must not be empty (1..{_GCM_MAX_IV} bytes; "
                           "12 is the standard length)")
    if ivlen > _GCM_MAX_IV:
        raise _argument_error(NotSupported, fn,
                              f"an iv of {ivlen} bytes is not supported "
                              f"(OpenSSL takes 1..{_GCM_MAX_IV} bytes)")
    if not 1 <= _int(tag_len, fn, "tag_len") <= 16:
        raise _invalid(fn, f"tag_len must be 1..16, got {tag_len}")


def _gcm_short_tag(fn: str, tag_len: int, allow_short_tag) -> None:
    # A bool only: a truthy "false" or 1 must not open the door to
    # forgeable tags.
    if not isinstance(allow_short_tag, bool):
        raise TypeError(f"{fn}: allow_short_tag must be a bool (True or "
                        f"False), not {type(allow_short_tag).__name__}")
    if tag_len < _GCM_MIN_SAFE_TAG and not allow_short_tag:
        raise _invalid(fn, f"tags under {_GCM_MIN_SAFE_TAG} bytes are "
                           "forgeable; pass allow_short_tag=True to accept a "
                           f"{tag_len}-byte tag")


def gcm_encrypt(key, iv, data, aad=b"", *, tag_len: int = 16,
                allow_short_tag: bool = False) -> tuple[bytes, bytes]:
    """AES-GCM encryption: returns ``(ciphertext, tag)``.

    Args:
        key: 16, 24 or 32 bytes (AES-128/192/256).
        iv: 1..128 bytes; 12 is the standard length (others go through
            GHASH). An empty iv raises InvalidArgument; one over 128 bytes
            (OpenSSL's limit) raises NotSupported.
        data, aad: any length (aad may be empty).
        tag_len: tag length in bytes, 1..16 (the tag is the leftmost bytes
            of the full tag, SP 800-38D). Under 12 bytes a tag can be forged
            with real probability (a 1-byte tag: 1 in 256), so a short
            tag_len is refused with InvalidArgument unless
            ``allow_short_tag=True`` (for standard vectors that cover them).
    """
    fn = "gcm_encrypt"
    _gcm_args(fn, key, iv, tag_len)
    _nbytes(data, fn, "data")
    _nbytes(aad, fn, "aad")
    _gcm_short_tag(fn, tag_len, allow_short_tag)
    return _core.gcm_encrypt(key, iv, aad, data, tag_len)


def gcm_decrypt(key, iv, ciphertext, tag, aad=b"", *, tag_len: int = 16,
                allow_short_tag: bool = False) -> bytes:
    """AES-GCM decryption: verifies ``tag`` first and raises
    :class:`chanenc.AuthFailed` when it does not match.

    The tag length is never taken from the tag: ``len(tag)`` must equal
    ``tag_len`` (default 16), else InvalidArgument, so that a truncated or
    attacker-chosen short tag cannot slip through. ``tag_len`` under 12
    bytes (forgeable: a 1-byte tag verifies by chance 1 time in 256) is
    refused unless ``allow_short_tag=True``. ``key`` and ``iv`` as
    :func:`gcm_encrypt` (iv 1..128 bytes; empty: InvalidArgument, over 128:
    NotSupported).
    """
    fn = "gcm_decrypt"
    _gcm_args(fn, key, iv, tag_len)
    _nbytes(ciphertext, fn, "ciphertext")
    _nbytes(aad, fn, "aad")
    got = _nbytes(tag, fn, "tag")
    if got != tag_len:
        raise _invalid(fn, f"len(tag) is {got} but tag_len is {tag_len} "
                           "(the tag length is never taken from the tag; "
                           "pass tag_len=)")
    _gcm_short_tag(fn, tag_len, allow_short_tag)
    return _core.gcm_decrypt(key, iv, aad, ciphertext, tag)


def _kdf_bytes(fn: str, **args) -> None:
    """Type checks of the KDFs' bytes arguments (None allowed for salt),
    so that a wrong type names the argument."""
    for what, obj in args.items():
        if not (what == "salt" and obj is None):
            _nbytes(obj, fn, what)


def _hkdf_length(fn: str, length) -> int:
    if not 1 <= _int(length, fn, "length") <= _HKDF_MAX:
        raise _invalid(fn, f"length must be 1..{_HKDF_MAX}, got {length}")
    return length


def hkdf_sha256(ikm, salt=None, info=b"", length: int = 32) -> bytes:
    """HKDF-SHA256 (RFC 5869): extract with ``salt`` (None or empty: 32
    zero bytes) then expand ``info`` to ``length`` bytes (1..8160)."""
    fn = "hkdf_sha256"
    _kdf_bytes(fn, ikm=ikm, salt=salt, info=info)
    return _core.hkdf_sha256(salt, ikm, info, _hkdf_length(fn, length))


def hkdf_sha256_extract(ikm, salt=None) -> bytes:
    """HKDF-Extract alone: the 32-byte PRK."""
    _kdf_bytes("hkdf_sha256_extract", ikm=ikm, salt=salt)
    return _core.hkdf_sha256_extract(salt, ikm)


def hkdf_sha256_expand(prk, info=b"", length: int = 32) -> bytes:
    """HKDF-Expand alone: ``prk`` (32 bytes or more) to ``length`` bytes
    (1..8160)."""
    fn = "hkdf_sha256_expand"
    plen = _nbytes(prk, fn, "prk")
    if plen < 32:
        raise _invalid(fn, f"prk must be at least 32 bytes, got {plen}")
    _kdf_bytes(fn, info=info)
    return _core.hkdf_sha256_expand(prk, info, _hkdf_length(fn, length))


def pbkdf2_sha256(password, salt, iterations: int, length: int = 32) -> bytes:
    """PBKDF2-HMAC-SHA256 (RFC 8018): ``iterations`` 1 .. 2**32 - 1,
    ``length`` >= 1 bytes. ``password`` and ``salt`` may be str (UTF-8).
    The GIL is released while it runs."""
    fn = "pbkdf2_sha256"
    if isinstance(password, str):
        password = password.encode("utf-8")
    if isinstance(salt, str):
        salt = salt.encode("utf-8")
    _kdf_bytes(fn, password=password, salt=salt)
    if _int(iterations, fn, "iterations") < 1:
        raise _invalid(fn, f"iterations must be >= 1, got {iterations}")
    if iterations >= 1 << 32:
        raise _invalid(fn, f"iterations must be below 2**32, got {iterations}")
    if _int(length, fn, "length") < 1:
        raise _invalid(fn, f"length must be >= 1, got {length}")
    return _core.pbkdf2_sha256(password, salt, iterations, length)
