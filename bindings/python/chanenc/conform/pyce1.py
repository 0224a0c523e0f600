"""An independent CE1 implementation in pure Python (on python3-cryptography).

It is written from the wire-format specification alone and never calls the
chanenc C library, so it can serve as a second oracle: the conformance
runner's differential pass (``--random``) compares the reference against it
when the implementation under test is the reference itself.

It is also the base of test doubles: :class:`PyCE1` takes ``bugs``, a set of
named deliberate deviations from the spec, so that tests can build broken
implementations and check that the runner catches each of them:

``truncate2048``
    frames are cut to 2048 bytes on protect and on unprotect (as an SDK
    sample that copies packets into a 2048-byte buffer);
``no_tag_check``
    GCM frames are decrypted without verifying the tag;
``pn_little_endian``
    the packet number is written to (and read from) the header
    little-endian;
``ignore_salt``
    the GCM2 key schedule uses an all-zero salt instead of the config's;
``no_sm4``
    not a bug: the crypto library lacks SM4, so mode 4 is refused with
    NOT_SUPPORTED, after every INVALID_ARGUMENT condition of the
    configuration, as docs/spec.md section 10.1 orders them;
``no_sm4_first``
    as ``no_sm4``, but NOT_SUPPORTED comes first, before the
    configuration's INVALID_ARGUMENT conditions (an empty key, a salt that
    is not 32 bytes): the order spec 10.1 forbids.

Not meant for production use: it is slow and not constant-time.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import struct

try:
    from cryptography.hazmat.primitives.ciphers import (Cipher, algorithms,
                                                        modes)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
    AVAILABLE = True
except ImportError:  # pragma: no cover - python3-cryptography missing
    AVAILABLE = False

__all__ = ["PyCE1", "CE1Error", "AVAILABLE", "BUGS"]

#: Names of the deliberate deviations PyCE1 can emulate.
BUGS = frozenset({"truncate2048", "no_tag_check", "pn_little_endian",
                  "ignore_salt", "no_sm4", "no_sm4_first"})

# id: (name, mode string, family, key bytes)
_MODES = {
    1: ("AES_128_XTS", "aes-128-xts", "xts", 32),
    2: ("AES_128_ECB", "aes-128-ecb", "ecb", 16),
    3: ("AES_256_XTS", "aes-256-xts", "xts", 64),
    4: ("SM4_128_ECB", "sm4-128-ecb", "ecb", 16),
    5: ("AES_128_GCM", "aes-128-gcm", "gcm", 16),
    6: ("AES_256_GCM", "aes-256-gcm", "gcm", 32),
    7: ("AES_128_GCM2", "aes-128-gcm-2", "gcm", 16),
    8: ("AES_256_GCM2", "aes-256-gcm-2", "gcm", 32),
}
_HEADER = {"ecb": 2, "xts": 10, "gcm": 10}
_MAX_PAYLOAD = 65535
_MAX_FRAME = {"ecb": 2 + 65536, "xts": 10 + 65535, "gcm": 10 + 65535 + 16}


class CE1Error(Exception):
    """A CE1 failure; ``.status`` is the spec's status name."""

    def __init__(self, status: str, detail: str = "") -> None:
        super().__init__(f"{status}: {detail}" if detail else status)
        self.status = status


def _hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]),
                         hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


@functools.lru_cache(maxsize=256)
def _derive(mode: int, key: bytes, salt: bytes, ignore_salt: bool):
    if mode not in _MODES:
        raise CE1Error("INVALID_ARGUMENT", f"mode {mode} is not 1..8")
    if not key:
        raise CE1Error("INVALID_ARGUMENT", "empty key")
    if len(salt) != 32:
        raise CE1Error("INVALID_ARGUMENT", "salt is not 32 bytes")
    _, mstr, family, key_bytes = _MODES[mode]
    if mode in (7, 8):
        if salt == bytes(32):
            raise CE1Error("INVALID_ARGUMENT", "GCM2 with an all-zero salt")
        s = bytes(32) if ignore_salt else salt
        prk = hashlib.pbkdf2_hmac("sha256", key, s, 100000, 32)
    else:
        prk = hmac.new(bytes(32), key, hashlib.sha256).digest()
    m = mstr.encode()
    enc_key = _hkdf_expand(prk, b"ce1 key " + m, key_bytes)
    iv_base = _hkdf_expand(prk, b"ce1 iv " + m, 12) if family == "gcm" else None
    check = _hkdf_expand(prk, b"ce1 check " + m, 1)[0]
    return enc_key, iv_base, check


def _ecb(mode: int, key: bytes, data: bytes, encrypt: bool) -> bytes:
    try:
        alg = algorithms.SM4(key) if mode == 4 else algorithms.AES(key)
        c = Cipher(alg, modes.ECB())
        op = c.encryptor() if encrypt else c.decryptor()
    except (UnsupportedAlgorithm, AttributeError):
        raise CE1Error("NOT_SUPPORTED", "SM4 missing from this cryptography/OpenSSL") from None
    return op.update(data) + op.finalize()


def _xts(key: bytes, pn: int, data: bytes, encrypt: bool) -> bytes:
    tweak = struct.pack("<Q", pn) + bytes(8)
    c = Cipher(algorithms.AES(key), modes.XTS(tweak))
    op = c.encryptor() if encrypt else c.decryptor()
    return op.update(data) + op.finalize()


def _gcm_nonce(iv_base: bytes, pn: int) -> bytes:
    return bytes(a ^ b for a, b in zip(iv_base, bytes(4) + struct.pack(">Q", pn)))


def _ctr_decrypt_no_tag(key: bytes, nonce: bytes, ct: bytes) -> bytes:
    # GCM's keystream for the data starts at counter block nonce || 2.
    c = Cipher(algorithms.AES(key), modes.CTR(nonce + b"\x00\x00\x00\x02"))
    d = c.decryptor()
    return d.update(ct) + d.finalize()


class PyCE1:
    """CE1 in pure Python. ``bugs``: names from :data:`BUGS` to emulate."""

    def __init__(self, bugs=()) -> None:
        if not AVAILABLE:
            raise RuntimeError("python3-cryptography is not installed")
        unknown = set(bugs) - BUGS
        if unknown:
            raise ValueError(f"unknown bugs: {sorted(unknown)}")
        self.bugs = frozenset(bugs)

    # ---- key schedule -------------------------------------------------------

    def derive(self, mode: int, key: bytes, salt: bytes):
        """(enc_key, iv_base or None, check) or CE1Error."""
        if mode == 4 and "no_sm4_first" in self.bugs:
            raise CE1Error("NOT_SUPPORTED", "no SM4 (checked first)")
        out = _derive(mode, bytes(key), bytes(salt), "ignore_salt" in self.bugs)
        if mode == 4 and "no_sm4" in self.bugs:
            raise CE1Error("NOT_SUPPORTED", "no SM4")
        return out

    # ---- frames -------------------------------------------------------------

    def _header(self, mode: int, check: int, pn: int | None, s: bool) -> bytes:
        flags = (0x80 if s else 0) | 0x10 | mode
        if pn is None:
            return bytes([flags, check])
        fmt = "<Q" if "pn_little_endian" in self.bugs else ">Q"
        return bytes([flags, check]) + struct.pack(fmt, pn)

    def protect(self, mode: int, key: bytes, salt: bytes, pn: int,
                payload: bytes) -> bytes:
        enc_key, iv_base, check = self.derive(mode, key, salt)
        family = _MODES[mode][2]
        if len(payload) > _MAX_PAYLOAD:
            raise CE1Error("TOO_LARGE")
        if family == "ecb":
            pad = 16 - len(payload) % 16
            body = _ecb(mode, enc_key, payload + bytes([pad]) * pad, True)
            frame = self._header(mode, check, None, False) + body
        elif family == "xts":
            if len(payload) >= 16:
                frame = self._header(mode, check, pn, False) + \
                    _xts(enc_key, pn, payload, True)
            else:
                x = payload + bytes(15 - len(payload)) + bytes([len(payload)])
                frame = self._header(mode, check, pn, True) + \
                    _xts(enc_key, pn, x, True)
        else:
            header = self._header(mode, check, pn, False)
            frame = header + AESGCM(enc_key).encrypt(
                _gcm_nonce(iv_base, pn), payload, header)
        if "truncate2048" in self.bugs:
            frame = frame[:2048]
        return frame

    def unprotect(self, mode: int, key: bytes, salt: bytes,
                  frame: bytes) -> bytes:
        enc_key, iv_base, check = self.derive(mode, key, salt)
        family = _MODES[mode][2]
        if "truncate2048" in self.bugs:
            frame = frame[:2048]
        hl = _HEADER[family]
        if len(frame) < hl + 16 or len(frame) > _MAX_FRAME[family]:
            raise CE1Error("MALFORMED", "length")
        flags = frame[0]
        if (flags >> 4) & 7 != 1:
            raise CE1Error("BAD_VERSION")
        if flags & 0x0F != mode:
            raise CE1Error("MODE_MISMATCH")
        s = bool(flags & 0x80)
        if s and family != "xts":
            raise CE1Error("MALFORMED", "S flag outside XTS")
        if frame[1] != check:
            raise CE1Error("KEY_MISMATCH")
        body = frame[hl:]
        if family == "ecb":
            if len(body) % 16:
                raise CE1Error("MALFORMED", "ECB body length")
            plain = _ecb(mode, enc_key, body, False)
            pad = plain[-1]
            if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
                raise CE1Error("BAD_PADDING")
            return plain[:-pad]
        fmt = "<Q" if "pn_little_endian" in self.bugs else ">Q"
        pn = struct.unpack(fmt, frame[2:10])[0]
        if family == "xts":
            if s:
                if len(body) != 16:
                    raise CE1Error("BAD_PADDING", "S block length")
                x = _xts(enc_key, pn, body, False)
                n = x[15]
                if n > 15 or x[n:15] != bytes(15 - n):
                    raise CE1Error("BAD_PADDING", "S block padding")
                return x[:n]
            return _xts(enc_key, pn, body, False)
        nonce = _gcm_nonce(iv_base, pn)
        if "no_tag_check" in self.bugs:
            return _ctr_decrypt_no_tag(enc_key, nonce, body[:-16])
        try:
            return AESGCM(enc_key).decrypt(nonce, body, frame[:10])
        except InvalidTag:
            raise CE1Error("AUTH_FAILED") from None
