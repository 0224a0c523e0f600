#!/usr/bin/python3
"""Generate the CE1 frame known-answer vectors (format ``ce1-vectors/1``).

INDEPENDENT IMPLEMENTATION. This program implements CE1 from the wire-format
specification alone (docs/spec.md: section 3 configuration, section 4 key
schedule, sections 5 and 6 frame layout, section 9 validation order) in
Python, using only the standard library and pyca/cryptography (Debian's
python3-cryptography, OpenSSL backend) for the block ciphers. It never
imports, loads or runs any C code of the chanenc project, so the vectors it
writes can be used to test the C reference implementation rather than merely
echo it.

Section numbers here and in the vectors' comments are those of docs/spec.md,
the project's specification; the checks of its section 9 are called steps
("[first failing check: docs/spec.md section 9, step 3]").

Usage (from the repository root, with Debian's interpreter):

    /usr/bin/python3 vectors/gen/gen_ce1_vectors.py            # (re)write vectors/ce1/
    /usr/bin/python3 vectors/gen/gen_ce1_vectors.py --check    # compare, write nothing
    /usr/bin/python3 vectors/gen/gen_ce1_vectors.py --out DIR  # write elsewhere

Output is deterministic: every key, salt, payload and packet number comes from
fixed constants or from ``random.Random`` with a fixed integer seed, and the
JSON text is produced with a fixed layout, so two runs give identical bytes.
``--check`` regenerates everything in memory and compares it byte for byte
with the files on disk; it exits 1 and names the differing files otherwise.

Every run (including ``--check``) also checks itself:

* known-answer tests of the primitives (RFC 5869 HKDF, RFC 7914 PBKDF2,
  FIPS-197 AES, GB/T 32907 SM4, IEEE 1619 XTS, GCM);
* the hand-written HKDF is compared with cryptography's HKDF/HKDFExpand for
  every derivation;
* every XTS body is compared with a second XTS written by hand on top of
  AES-ECB (IEEE 1619 with ciphertext stealing), every GCM result with
  cryptography's ``AESGCM``;
* every valid frame is unprotected again and must give its payload back;
* every invalid frame goes through :func:`unprotect`, a validator that applies
  the checks of docs/spec.md section 9 in order, and must fail with the
  declared status at the declared step of that section;
* every refused configuration must be refused by :func:`derive`.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import random
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

FORMAT = "ce1-vectors/1"
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "ce1"

# --------------------------------------------------------------------------
# Spec section 2: modes
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Mode:
    """One row of the mode table of docs/spec.md section 2."""

    ident: int
    name: str  # SDK enum name
    string: str  # mode string used in the key schedule labels
    family: str  # "xts", "ecb" or "gcm"
    key_bytes: int  # length of enc_key
    cipher: str  # "aes" or "sm4"

    @property
    def salted(self) -> bool:
        """True for the GCM2 modes, whose PRK comes from salted PBKDF2."""
        return self.ident in (7, 8)


MODES = {
    1: Mode(1, "AES_128_XTS", "aes-128-xts", "xts", 32, "aes"),
    2: Mode(2, "AES_128_ECB", "aes-128-ecb", "ecb", 16, "aes"),
    3: Mode(3, "AES_256_XTS", "aes-256-xts", "xts", 64, "aes"),
    4: Mode(4, "SM4_128_ECB", "sm4-128-ecb", "ecb", 16, "sm4"),
    5: Mode(5, "AES_128_GCM", "aes-128-gcm", "gcm", 16, "aes"),
    6: Mode(6, "AES_256_GCM", "aes-256-gcm", "gcm", 32, "aes"),
    7: Mode(7, "AES_128_GCM2", "aes-128-gcm-2", "gcm", 16, "aes"),
    8: Mode(8, "AES_256_GCM2", "aes-256-gcm-2", "gcm", 32, "aes"),
}

HEADER_LEN = {"ecb": 2, "xts": 10, "gcm": 10}
MIN_BODY = 16  # ECB: one block; XTS: one block; GCM: the tag
TAG_LEN = 16
MAX_PAYLOAD = 65535
PBKDF2_ITERATIONS = 100000
VERSION = 0b001


def max_frame(family: str) -> int:
    """Length of the frame of a 65,535-byte payload (spec section 8; section 9 step 1)."""
    if family == "ecb":
        return 2 + 16 * (MAX_PAYLOAD // 16 + 1)  # 65,538
    if family == "xts":
        return 10 + MAX_PAYLOAD  # 65,545
    return 10 + MAX_PAYLOAD + TAG_LEN  # 65,561


# --------------------------------------------------------------------------
# Primitives
# --------------------------------------------------------------------------


def xor_bytes(a: bytes, b: bytes) -> bytes:
    """XOR of two byte strings of equal length."""
    assert len(a) == len(b)
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


def hkdf_extract(salt: bytes, ikm: bytes) -> bytes:
    """RFC 5869 HKDF-Extract with SHA-256, written out by hand."""
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def hkdf_expand(prk: bytes, info: bytes, length: int) -> bytes:
    """RFC 5869 HKDF-Expand with SHA-256, written out by hand."""
    assert 0 < length <= 255 * 32
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        okm += block
        counter += 1
    return okm[:length]


def _block_algorithm(cipher: str, key: bytes):
    return algorithms.SM4(key) if cipher == "sm4" else algorithms.AES(key)


def ecb_encrypt(cipher: str, key: bytes, data: bytes) -> bytes:
    """AES-ECB or SM4-ECB encryption of whole blocks (no padding here)."""
    assert len(data) % 16 == 0
    enc = Cipher(_block_algorithm(cipher, key), modes.ECB()).encryptor()
    return enc.update(data) + enc.finalize()


def ecb_decrypt(cipher: str, key: bytes, data: bytes) -> bytes:
    """AES-ECB or SM4-ECB decryption of whole blocks (no unpadding here)."""
    assert len(data) % 16 == 0
    dec = Cipher(_block_algorithm(cipher, key), modes.ECB()).decryptor()
    return dec.update(data) + dec.finalize()


def xts_encrypt(key: bytes, i: bytes, data: bytes) -> bytes:
    """XTS-AES encryption (key = K1 || K2) of one data unit with cryptography/
    OpenSSL; i is the 16-byte data unit sequence number, which cryptography's
    API calls the tweak."""
    enc = Cipher(algorithms.AES(key), modes.XTS(i)).encryptor()
    return enc.update(data) + enc.finalize()


def xts_decrypt(key: bytes, i: bytes, data: bytes) -> bytes:
    """XTS-AES decryption (key = K1 || K2) of one data unit with cryptography/
    OpenSSL; i as for xts_encrypt."""
    dec = Cipher(algorithms.AES(key), modes.XTS(i)).decryptor()
    return dec.update(data) + dec.finalize()


def _mul_alpha(t: int) -> int:
    """Multiply a block tweak T (128-bit little-endian integer) by alpha in GF(2^128)."""
    t <<= 1
    if t >> 128:
        t = (t & ((1 << 128) - 1)) ^ 0x87
    return t


def xts_encrypt_by_hand(key: bytes, i: bytes, data: bytes) -> bytes:
    """A second XTS-AES encryption, built on AES-ECB per IEEE 1619-2007.

    Used only to cross-check :func:`xts_encrypt`, including ciphertext
    stealing for lengths that are not a multiple of 16.
    """
    assert len(data) >= 16
    k1, k2 = key[: len(key) // 2], key[len(key) // 2 :]
    nfull, tail = divmod(len(data), 16)
    # IEEE 1619: the block tweak of block j is T_j = AES-Enc(K2, i) * alpha^j.
    t = int.from_bytes(ecb_encrypt("aes", k2, i), "little")
    tweaks = []
    for _ in range(nfull + (1 if tail else 0)):
        tweaks.append(t)
        t = _mul_alpha(t)

    def blocks(plain: bytes, ts: list) -> bytes:
        mask = b"".join(x.to_bytes(16, "little") for x in ts)
        return xor_bytes(ecb_encrypt("aes", k1, xor_bytes(plain, mask)), mask)

    if not tail:
        return blocks(data, tweaks)
    head = blocks(data[: 16 * (nfull - 1)], tweaks[: nfull - 1]) if nfull > 1 else b""
    cc = blocks(data[16 * (nfull - 1) : 16 * nfull], [tweaks[nfull - 1]])
    pp = data[16 * nfull :] + cc[tail:]
    return head + blocks(pp, [tweaks[nfull]]) + cc[:tail]


def gcm_encrypt(key: bytes, nonce: bytes, aad: bytes, plain: bytes) -> tuple[bytes, bytes]:
    """AES-GCM with a 16-byte tag; cross-checked with cryptography's AESGCM."""
    enc = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    ct = enc.update(plain) + enc.finalize()
    tag = enc.tag
    assert AESGCM(key).encrypt(nonce, plain, aad) == ct + tag, "AESGCM cross-check"
    return ct, tag


def gcm_decrypt(key: bytes, nonce: bytes, aad: bytes, ct: bytes, tag: bytes):
    """AES-GCM decryption; returns the plaintext or None when the tag fails.

    The answer is cross-checked with cryptography's AESGCM.
    """
    dec = Cipher(algorithms.AES(key), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(aad)
    try:
        plain = dec.update(ct) + dec.finalize()
    except InvalidTag:
        plain = None
    try:
        other = AESGCM(key).decrypt(nonce, ct + tag, aad)
    except InvalidTag:
        other = None
    assert plain == other, "AESGCM cross-check (decrypt)"
    return plain


def self_test() -> None:
    """Known-answer tests of the primitives, from published vectors."""
    h = bytes.fromhex
    # RFC 5869 A.1 (HKDF-SHA256).
    prk = hkdf_extract(h("000102030405060708090a0b0c"), h("0b" * 22))
    assert prk.hex() == "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5"
    okm = hkdf_expand(prk, h("f0f1f2f3f4f5f6f7f8f9"), 42)
    assert okm.hex() == (
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
    )
    # RFC 7914 section 11, first vector (PBKDF2-HMAC-SHA256, c = 1).
    dk = hashlib.pbkdf2_hmac("sha256", b"passwd", b"salt", 1, 64)
    assert dk.hex() == (
        "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
    )
    # FIPS-197 appendix C.1 (AES-128).
    ct = ecb_encrypt("aes", h("000102030405060708090a0b0c0d0e0f"), h("00112233445566778899aabbccddeeff"))
    assert ct.hex() == "69c4e0d86a7b0430d8cdb78070b4c55a"
    # GB/T 32907-2016 example 1 (SM4).
    k = h("0123456789abcdeffedcba9876543210")
    assert ecb_encrypt("sm4", k, k).hex() == "681edf34d206965e86b3e94f536e4246"
    assert ecb_decrypt("sm4", k, h("681edf34d206965e86b3e94f536e4246")) == k
    # IEEE 1619-2007 vector 15 (XTS-AES-128, data unit 0x123456789a, 17 bytes:
    # ciphertext stealing).
    key = h("fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0bfbebdbcbbbab9b8b7b6b5b4b3b2b1b0")
    i = (0x123456789A).to_bytes(8, "little") + bytes(8)  # IV 9a78563412 00..00
    pt = h("000102030405060708090a0b0c0d0e0f10")
    for fn in (xts_encrypt, xts_encrypt_by_hand):
        assert fn(key, i, pt).hex() == "6c1625db4671522d3d7599601de7ca09ed"
    # McGrew-Viega GCM test case 2 (AES-128, zero key/IV, one zero block).
    ct, tag = gcm_encrypt(bytes(16), bytes(12), b"", bytes(16))
    assert ct.hex() == "0388dace60b6a392f328c2b971b2fe78"
    assert tag.hex() == "ab6e47d42cec13bdf53a67b21257bddf"


# --------------------------------------------------------------------------
# Spec sections 3 and 4: configuration and key schedule
# --------------------------------------------------------------------------


class ConfigRefused(Exception):
    """A configuration that spec section 3.1 refuses (INVALID_ARGUMENT)."""


@dataclass(frozen=True)
class Derived:
    """Output of the key schedule."""

    enc_key: bytes
    iv_base: bytes | None
    check: int

    def to_json(self) -> dict:
        return {
            "enc_key": self.enc_key.hex(),
            "iv_base": None if self.iv_base is None else self.iv_base.hex(),
            "check": "%02x" % self.check,
        }


@lru_cache(maxsize=None)
def derive(mode_id: int, key: bytes, salt: bytes) -> Derived:
    """Spec section 4 key schedule; raises ConfigRefused for section 3.1 errors."""
    if mode_id not in MODES:
        raise ConfigRefused("mode outside 1..8")
    if len(key) == 0:
        raise ConfigRefused("empty key")
    if len(salt) != 32:
        raise ConfigRefused("salt is not 32 bytes")
    mode = MODES[mode_id]
    if mode.salted and salt == bytes(32):
        raise ConfigRefused("GCM2 with an all-zero salt")

    if mode.salted:
        prk = hashlib.pbkdf2_hmac("sha256", key, salt, PBKDF2_ITERATIONS, 32)
    else:
        prk = hkdf_extract(bytes(32), key)
    label = mode.string.encode("ascii")
    enc_key = hkdf_expand(prk, b"ce1 key " + label, mode.key_bytes)
    iv_base = hkdf_expand(prk, b"ce1 iv " + label, 12) if mode.family == "gcm" else None
    check = hkdf_expand(prk, b"ce1 check " + label, 1)

    # Cross-check the hand-written HKDF with cryptography's.
    def expand(info: bytes, length: int) -> bytes:
        if mode.salted:
            return HKDFExpand(hashes.SHA256(), length, info).derive(prk)
        return HKDF(hashes.SHA256(), length, bytes(32), info).derive(key)

    assert expand(b"ce1 key " + label, mode.key_bytes) == enc_key
    assert expand(b"ce1 check " + label, 1) == check
    if iv_base is not None:
        assert expand(b"ce1 iv " + label, 12) == iv_base
    if mode.family == "xts":
        assert enc_key[: len(enc_key) // 2] != enc_key[len(enc_key) // 2 :]
    return Derived(enc_key, iv_base, check[0])


# --------------------------------------------------------------------------
# Spec sections 5 to 8: protect
# --------------------------------------------------------------------------


def make_header(mode_nibble: int, check: int, pn: int | None = None, s: int = 0, version: int = VERSION) -> bytes:
    """Frame header: flags byte, check byte, and BE64(PN) unless pn is None."""
    assert 0 <= mode_nibble <= 15 and 0 <= version <= 7 and s in (0, 1)
    head = bytes([(s << 7) | (version << 4) | mode_nibble, check])
    return head if pn is None else head + pn.to_bytes(8, "big")


def pkcs7_pad16(data: bytes) -> bytes:
    """PKCS#7 to a 16-byte boundary; always adds 1..16 bytes."""
    n = 16 - len(data) % 16
    return data + bytes([n]) * n


def xts_data_unit(pn: int) -> bytes:
    """i = LE64(PN) || 0^8: the data unit sequence number of IEEE 1619 (spec
    section 6.2), which K2 encrypts into the first block tweak."""
    return pn.to_bytes(8, "little") + bytes(8)


def xts_short_block(payload: bytes) -> bytes:
    """X = payload || 0^(15 - len) || byte(len), for payloads under 16 bytes."""
    assert len(payload) < 16
    return payload + bytes(15 - len(payload)) + bytes([len(payload)])


def gcm_nonce(iv_base: bytes, pn: int) -> bytes:
    """nonce = iv_base XOR (0^4 || BE64(PN))."""
    return xor_bytes(iv_base, bytes(4) + pn.to_bytes(8, "big"))


def xts_body(d: Derived, pn: int, data: bytes) -> bytes:
    """XTS-encrypt data (>= 16 bytes) as data unit PN; cross-checked by hand."""
    body = xts_encrypt(d.enc_key, xts_data_unit(pn), data)
    assert body == xts_encrypt_by_hand(d.enc_key, xts_data_unit(pn), data), "XTS cross-check"
    return body


def protect(mode_id: int, d: Derived, pn: int | None, payload: bytes, oversize: bool = False) -> bytes:
    """Section 4: build the frame of payload. oversize=True lifts the
    65,535-byte limit, only to build the too-long frames of step 1."""
    mode = MODES[mode_id]
    assert oversize or len(payload) <= MAX_PAYLOAD
    if mode.family == "ecb":
        assert pn is None
        return make_header(mode_id, d.check) + ecb_encrypt(mode.cipher, d.enc_key, pkcs7_pad16(payload))
    assert pn is not None and 0 <= pn < 2**64
    if mode.family == "xts":
        if len(payload) >= 16:
            return make_header(mode_id, d.check, pn, s=0) + xts_body(d, pn, payload)
        return make_header(mode_id, d.check, pn, s=1) + xts_body(d, pn, xts_short_block(payload))
    header = make_header(mode_id, d.check, pn)
    ct, tag = gcm_encrypt(d.enc_key, gcm_nonce(d.iv_base, pn), header, payload)
    return header + ct + tag


# --------------------------------------------------------------------------
# Spec section 9: the independent validator
# --------------------------------------------------------------------------


def unprotect(mode_id: int, d: Derived, frame: bytes) -> tuple[str, int, bytes | None]:
    """Apply the checks of docs/spec.md section 9 in order.

    Returns (status, step, payload): ("VALID", 0, payload) for a good frame,
    otherwise (status name, number of the first failing step, None).
    """
    mode = MODES[mode_id]
    fam = mode.family
    hlen = HEADER_LEN[fam]
    if len(frame) < hlen + MIN_BODY or len(frame) > max_frame(fam):
        return "MALFORMED", 1, None
    flags = frame[0]
    s = flags >> 7
    if (flags >> 4) & 0b111 != VERSION:
        return "BAD_VERSION", 2, None
    if flags & 0x0F != mode_id:
        return "MODE_MISMATCH", 3, None
    if s and fam != "xts":
        return "MALFORMED", 4, None
    if frame[1] != d.check:
        return "KEY_MISMATCH", 5, None
    body = frame[hlen:]
    if fam == "ecb":
        if len(body) % 16:
            return "MALFORMED", 6, None
        plain = ecb_decrypt(mode.cipher, d.enc_key, body)
        npad = plain[-1]
        if not 1 <= npad <= 16 or plain[-npad:] != bytes([npad]) * npad:
            return "BAD_PADDING", 7, None
        return "VALID", 0, plain[:-npad]
    pn = int.from_bytes(frame[2:10], "big")
    if fam == "xts":
        if not s:
            return "VALID", 0, xts_decrypt(d.enc_key, xts_data_unit(pn), body)
        if len(body) != 16:
            return "BAD_PADDING", 8, None
        x = xts_decrypt(d.enc_key, xts_data_unit(pn), body)
        n = x[15]
        if n > 15 or any(x[n:15]):
            return "BAD_PADDING", 8, None
        return "VALID", 0, x[:n]
    plain = gcm_decrypt(d.enc_key, gcm_nonce(d.iv_base, pn), frame[:10], body[:-TAG_LEN], body[-TAG_LEN:])
    if plain is None:
        return "AUTH_FAILED", 9, None
    return "VALID", 0, plain


# --------------------------------------------------------------------------
# Vector file building
# --------------------------------------------------------------------------

STATUSES = ("MALFORMED", "BAD_VERSION", "MODE_MISMATCH", "KEY_MISMATCH", "BAD_PADDING", "AUTH_FAILED")
PAYLOAD_LENGTHS = (0, 1, 15, 16, 17, 31, 32, 33, 160, 1200, 1500, 65535)

# Packet numbers: the edges 0, 1, 2^32 and 2^64-1 first, then others.
PNS = (
    0,
    1,
    2**32,
    2**64 - 1,
    2**32 - 1,
    2**63,
    0x0123456789ABCDEF,
    12345,
    2**64 - 2,
    0xFFFFFFFE,
    2**56,
    0x8000000000000001,
)

# Key strings (raw bytes, never hex-decoded). A NUL byte cannot occur in the
# C-string form of a key, so no key contains one.
_KEY_RNG = random.Random(0xCE1)
KEY_HEX64 = _KEY_RNG.randbytes(32).hex().encode("ascii")  # like `openssl rand -hex 32`
KEY_1000 = bytes(_KEY_RNG.randrange(1, 256) for _ in range(1000))
KEY_65 = bytes(_KEY_RNG.randrange(0x21, 0x7F) for _ in range(65))
KEY_1BYTE = b"k"
KEY_ASCII16 = b"CE1-demo-key-16!"
KEY_UTF8 = "频道加密密钥🔑ключ".encode("utf-8")
KEY_HIGH = bytes([0x80, 0xFF, 0xFE, 0xC0, 0xC1, 0xF5, 0x81, 0xA0, 0x01, 0x7F, 0xED, 0xA0, 0x80])

KEY_KINDS = {
    KEY_HEX64: "64 ASCII hex characters as printed by `openssl rand -hex 32` "
    "(taken as 64 bytes of ASCII, NOT hex-decoded)",
    KEY_1000: "1000 bytes, every value 0x01..0xff (no NUL)",
    KEY_65: "65 printable ASCII bytes (longer than the SHA-256 block: PBKDF2's HMAC hashes it first)",
    KEY_1BYTE: "1 byte, the shortest key allowed",
    KEY_ASCII16: "16 ASCII characters",
    KEY_UTF8: "UTF-8 of a non-Latin string (Chinese, an emoji, Cyrillic)",
    KEY_HIGH: "13 high bytes that are not valid UTF-8 (0x80, 0xff, 0xc0, 0xed 0xa0 0x80 ...)",
}
for _k in KEY_KINDS:
    assert _k and 0 not in _k


def describe_key(key: bytes) -> str:
    """One-line description of a key for comments."""
    return KEY_KINDS.get(key, "%d bytes" % len(key))


def valid_comment(mode: Mode, pn: int | None, n: int) -> str:
    """What a valid test of an n-byte payload exercises."""
    if mode.family == "ecb":
        pad = 16 - n % 16
        what = "full 16-byte PKCS#7 block appended" if pad == 16 else "PKCS#7 pads %d byte%s" % (pad, "s" * (pad > 1))
        if n == MAX_PAYLOAD:
            what += "; the largest payload, frame 65,538 bytes"
        return "payload %d byte%s: %s" % (n, "s" * (n != 1), what)
    if mode.family == "xts":
        if n < 16:
            pad = " || 0^%d" % (15 - n) if n < 15 else ""
            what = "short payload: S=1, X = payload%s || %02x" % (pad, n)
        elif n % 16:
            what = "ciphertext stealing with a %d-byte tail" % (n % 16)
        else:
            what = "whole blocks, no stealing"
    else:
        what = "tag only" if n == 0 else "%d byte%s of ciphertext + 16-byte tag" % (n, "s" * (n != 1))
    if n == MAX_PAYLOAD:
        what += "; the largest payload"
    return "payload %d byte%s, PN 0x%016x: %s" % (n, "s" * (n != 1), pn, what)


class Group:
    """One group of a vector file: a configuration and its tests."""

    def __init__(self, vfile: "VectorFile", mode_id: int, key: bytes, salt: bytes, comment: str):
        self.vfile = vfile
        self.mode_id = mode_id
        self.mode = MODES[mode_id]
        self.key = key
        self.salt = salt
        self.derived = derive(mode_id, key, salt)
        self.tests: list[dict] = []
        self.json = {
            "mode": mode_id,
            "mode_name": self.mode.name,
            "comment": comment,
            "key": key.hex(),
            "salt": salt.hex(),
            "derived": self.derived.to_json(),
            "tests": self.tests,
        }
        vfile.groups.append(self.json)

    def frame(self, pn: int | None, payload: bytes, oversize: bool = False) -> bytes:
        """Protect payload with this group's configuration."""
        return protect(self.mode_id, self.derived, pn, payload, oversize)

    def add_valid(self, pn: int | None, payload: bytes, comment: str | None = None) -> bytes:
        """Add a valid test; the frame is round-tripped through unprotect."""
        if self.mode.family == "ecb":
            pn = None
        frame = self.frame(pn, payload)
        status, _, back = unprotect(self.mode_id, self.derived, frame)
        assert status == "VALID" and back == payload, "round trip failed"
        self.tests.append(
            {
                "id": None,  # numbered by VectorFile.number_tests()
                "comment": comment or valid_comment(self.mode, pn, len(payload)),
                "pn": None if pn is None else "%016x" % pn,
                "payload": payload.hex(),
                "frame": frame.hex(),
                "result": "valid",
            }
        )
        return frame

    def add_invalid(self, frame: bytes, status: str, step: int, comment: str) -> None:
        """Add an invalid test after checking that `step` is its first failing check."""
        got, got_step, _ = unprotect(self.mode_id, self.derived, frame)
        if (got, got_step) != (status, step):
            raise AssertionError(
                "%s: declared %s (step %d), the validator says %s (step %d)" % (comment, status, step, got, got_step)
            )
        self.tests.append(
            {
                "id": None,  # numbered by VectorFile.number_tests()
                "comment": "%s [first failing check: docs/spec.md section 9, step %d]" % (comment, step),
                "frame": frame.hex(),
                "result": "invalid",
                "status": status,
            }
        )


class VectorFile:
    """A ce1-vectors/1 document under construction."""

    def __init__(self, name: str, description: str):
        self.name = name
        self.groups: list[dict] = []
        self.doc = {"format": FORMAT, "description": description, "groups": self.groups}

    def number_tests(self) -> None:
        """Give the tests ids 1, 2, ... in file order (tests may be added to
        an earlier group after a later one was started)."""
        n = 0
        for group in self.groups:
            for test in group["tests"]:
                n += 1
                test["id"] = n

    def text(self) -> str:
        """The file's exact bytes (as str): fixed layout, trailing newline."""
        return json.dumps(self.doc, indent=1, ensure_ascii=True) + "\n"


def set_flags(frame: bytes, *, s: int | None = None, version: int | None = None, mode: int | None = None) -> bytes:
    """Copy of frame with some fields of the flags byte replaced."""
    flags = frame[0]
    if s is not None:
        flags = (flags & 0x7F) | (s << 7)
    if version is not None:
        flags = (flags & 0x8F) | (version << 4)
    if mode is not None:
        flags = (flags & 0xF0) | mode
    return bytes([flags]) + frame[1:]


def set_check(frame: bytes, check: int) -> bytes:
    """Copy of frame with another check byte."""
    return frame[:1] + bytes([check]) + frame[2:]


def flip_bit(frame: bytes, index: int, bit: int = 0) -> bytes:
    """Copy of frame with one bit flipped (index may be negative)."""
    b = bytearray(frame)
    b[index] ^= 1 << bit
    return bytes(b)


# First index i from which b"check-collision-%d" % i is searched for a key
# whose check byte equals the primary group's (and, for ECB/XTS, whose garbage
# fails the way wanted). These are the first hits when searching from 0; they
# are kept here so that the GCM2 modes (100,000 PBKDF2 iterations per try)
# need no search at run time. Should a hint ever stop matching, the search
# goes on from it and still finds a suitable key, only more slowly.
COLLISION_HINTS = {1: 43, 2: 41, 3: 34, 4: 204, 5: 367, 6: 236, 7: 908, 8: 100}


def find_colliding_key(mode_id: int, salt: bytes, check: int, accept) -> tuple[bytes, Derived]:
    """(key, derived): the first key b"check-collision-N", N >= the hint,
    whose check byte equals `check` and for which accept(key, derived) holds."""
    i = COLLISION_HINTS[mode_id]
    while True:
        key = b"check-collision-%d" % i
        d = derive(mode_id, key, salt)
        if d.check == check and accept(key, d):
            return key, d
        i += 1


# --------------------------------------------------------------------------
# The per-mode files
# --------------------------------------------------------------------------

STEP_ORDER_NOTE = "the %s (step %d) is checked before the %s (step %d)"


class ModeFileBuilder:
    """Builds the vector file of one mode.

    Group 1 (the realistic 64-hex-character key) holds every payload length
    and the invalid cases; groups 2.. hold other key kinds; the last group
    shows how the salt is (or is not) used. Every invalid case starts from a
    valid frame of group 1, or from a block encrypted with group 1's enc_key,
    and changes just enough that the declared step of spec section 9 is the first
    check to fail; add_invalid() verifies that with the validator.
    """

    def __init__(self, mode_id: int):
        self.mode_id = mode_id
        self.mode = MODES[mode_id]
        fam = self.mode.family
        self.ecb, self.xts, self.gcm = fam == "ecb", fam == "xts", fam == "gcm"
        self.hlen = HEADER_LEN[fam]
        self.rng = random.Random(0xCE10000 + mode_id)
        # Payloads of the frames of other families (family_cases) come from
        # their own generator, so that adding such cases never changes the
        # payloads of the others.
        self.family_rng = random.Random(0xCE1F000 + mode_id)
        used = "used by the KDF" if self.mode.salted else "ignored by this mode"
        self.salt_note = "salt from a seeded RNG; " + used
        self.vf = VectorFile(
            "ce1-%s.json" % self.mode.string,
            "CE1 frame vectors for mode %d %s (%s): valid frames for payload lengths %s, several key kinds, "
            "salts and packet numbers; invalid frames for every docs/spec.md section 9 status that can occur in "
            "this mode, frames of the other families included, each built so that the declared status is the first "
            "failing check. Generated by vectors/gen/gen_ce1_vectors.py, an implementation independent of the C "
            "code."
            % (mode_id, self.mode.name, self.mode.string, ", ".join(map(str, PAYLOAD_LENGTHS))),
        )

    def payload(self, n: int) -> bytes:
        """n pseudo-random payload bytes."""
        return self.rng.randbytes(n)

    def pn(self, pn: int) -> int | None:
        """The PN to use: None for ECB, which has none."""
        return None if self.ecb else pn

    def build(self) -> VectorFile:
        """Every group and test of the file, in a fixed order."""
        self.main_group()
        self.length_cases()
        self.version_cases()
        self.mode_cases()
        self.family_cases()
        if not self.xts:
            self.s_flag_cases()
        self.key_cases()
        if self.ecb:
            self.ecb_cases()
        if self.xts:
            self.xts_cases()
        if self.gcm:
            self.gcm_cases()
        self.other_key_groups()
        self.salt_group()
        return self.vf

    # ---- group 1 ---------------------------------------------------------

    def main_group(self) -> None:
        """Group 1: one valid test per required payload length, PN edges."""
        comment = "key: %s; %s" % (describe_key(KEY_HEX64), self.salt_note)
        g1 = self.g1 = Group(self.vf, self.mode_id, KEY_HEX64, self.rng.randbytes(32), comment)
        self.d1 = g1.derived
        self.wrong_check = self.d1.check ^ 0x01
        self.by_len = {}
        for n, pn in zip(PAYLOAD_LENGTHS, PNS):
            p = self.payload(n)
            self.by_len[n] = (self.pn(pn), p, g1.add_valid(self.pn(pn), p))
        if self.ecb:
            p = self.payload(16)
            f = g1.add_valid(None, p + p, "payload of two equal 16-byte blocks: ECB leaks it (equal ciphertext blocks)")
            assert f[2:18] == f[18:34]
        else:
            p = self.payload(17)
            f_pn0 = g1.add_valid(0, p, "payload 17 bytes at PN 0 (the next test has the same payload at PN 1)")
            f_pn1 = g1.add_valid(1, p, "the previous test's payload at PN 1: a different frame")
            assert f_pn0[10:] != f_pn1[10:]

    def frame_of(self, n: int) -> bytes:
        """Group 1's valid frame of the n-byte payload."""
        return self.by_len[n][2]

    def invalid(self, frame: bytes, status: str, step: int, comment: str) -> None:
        """Add an invalid test to group 1."""
        self.g1.add_invalid(frame, status, step, comment)

    # ---- step 1: length -----------------------------------------------------

    def length_cases(self) -> None:
        """Step 1: frames too short or too long for this family (MALFORMED)."""
        hlen, f0, f17 = self.hlen, self.frame_of(0), self.frame_of(17)
        self.invalid(b"", "MALFORMED", 1, "empty frame")
        self.invalid(f17[:hlen], "MALFORMED", 1, "header only (%d bytes), no body" % hlen)
        if self.ecb:
            self.invalid(
                f0[:17],
                "MALFORMED",
                1,
                "17 bytes: one short of header(2) + one block (the empty-payload frame minus its last byte)",
            )
            self.invalid(f0[:2] + f17[2:17], "MALFORMED", 1, "17 bytes, header + 15 body bytes")
        elif self.xts:
            self.invalid(
                f0[:25],
                "MALFORMED",
                1,
                "25 bytes: one short of header(10) + one block (the short-payload S=1 frame minus its last byte)",
            )
            self.invalid(f17[:25], "MALFORMED", 1, "25 bytes: the 17-byte-payload frame cut to 15 body bytes")
        else:
            self.invalid(
                f0[:25],
                "MALFORMED",
                1,
                "25 bytes: the empty-payload frame with its tag truncated by one byte is shorter than "
                "header(10) + tag(16), so step 1 fires before the tag is looked at",
            )
            self.invalid(f17[:10] + f17[-15:], "MALFORMED", 1, "25 bytes: header + 15 tag bytes")
        short = f0[: hlen + 15]
        self.invalid(
            set_flags(short, version=0b000),
            "MALFORMED",
            1,
            "too short AND version bits 000: " + STEP_ORDER_NOTE % ("length", 1, "version", 2),
        )

        limit = max_frame(self.mode.family)
        pn_max, p_max, f_max = self.by_len[MAX_PAYLOAD]
        if self.ecb:
            too_long = f_max + b"\x5a"
            assert len(too_long) == limit + 1
            self.invalid(
                too_long,
                "MALFORMED",
                1,
                "65,539 bytes: the 65,535-byte-payload frame plus one byte, one byte over the ECB maximum 65,538",
            )
            big = self.g1.frame(None, p_max + b"\x00", oversize=True)
            assert len(big) == limit + 16
            self.invalid(
                big,
                "MALFORMED",
                1,
                "65,554 bytes: a correctly encrypted and padded 65,536-byte payload; only the length limit (65,538) "
                "rejects it, nothing is ever truncated",
            )
        else:
            big = self.g1.frame(pn_max, p_max + b"\x00", oversize=True)
            assert len(big) == limit + 1
            self.invalid(
                big,
                "MALFORMED",
                1,
                "%d bytes, one over the maximum %d: a correctly protected 65,536-byte payload (%s), "
                "rejected by length alone"
                % (limit + 1, limit, "its tag verifies" if self.gcm else "its S=0 body decrypts"),
            )

    # ---- step 2: version ----------------------------------------------------

    def version_cases(self) -> None:
        """Step 2: version bits other than 001 (BAD_VERSION)."""
        f33 = self.frame_of(33)
        for v in (0b000, 0b010, 0b011, 0b100, 0b101, 0b110, 0b111):
            what = "valid frame with version bits %s instead of 001" % format(v, "03b")
            self.invalid(set_flags(f33, version=v), "BAD_VERSION", 2, what)
        self.invalid(
            bytes([0x00]) + f33[1:],
            "BAD_VERSION",
            2,
            "flags byte 0x00: version 000 and mode 0; " + STEP_ORDER_NOTE % ("version", 2, "mode", 3),
        )
        self.invalid(
            set_check(set_flags(f33, version=0b010), self.wrong_check),
            "BAD_VERSION",
            2,
            "version 010 and a wrong check byte: " + STEP_ORDER_NOTE % ("version", 2, "check byte", 5),
        )
        if not self.xts:
            self.invalid(
                set_flags(f33, version=0b111, s=1),
                "BAD_VERSION",
                2,
                "version 111 with the S flag set (flags 0x%02x): " % (0xF0 | self.mode_id)
                + STEP_ORDER_NOTE % ("version", 2, "S rule", 4),
            )

    # ---- step 3: mode -------------------------------------------------------

    def short_xts_frame(self) -> bytes:
        """A valid AES_128_XTS frame with S=1 (5-byte payload), same key and salt."""
        return protect(1, derive(1, KEY_HEX64, self.g1.salt), 7, self.payload(5))

    def mode_cases(self) -> None:
        """Step 3: mode bits other than ours (MODE_MISMATCH)."""
        f33 = self.frame_of(33)
        for other in range(16):
            if other == self.mode_id:
                continue
            kind = "mode %d %s" % (other, MODES[other].name) if other in MODES else "not a mode"
            self.invalid(
                set_flags(f33, mode=other),
                "MODE_MISMATCH",
                3,
                "valid frame with only the mode nibble changed to %d (%s)" % (other, kind),
            )
        for other, om in MODES.items():
            if other == self.mode_id:
                continue
            od = derive(other, KEY_HEX64, self.g1.salt)
            pn = None if om.family == "ecb" else 0x0123456789ABCDEF
            self.invalid(
                protect(other, od, pn, self.payload(33)),
                "MODE_MISMATCH",
                3,
                "valid frame of mode %d %s with the same key string and salt (33-byte payload)" % (other, om.name),
            )
        if not self.xts:
            self.invalid(
                self.short_xts_frame(),
                "MODE_MISMATCH",
                3,
                "valid short-payload AES_128_XTS frame (S=1): "
                + STEP_ORDER_NOTE % ("mode", 3, "S rule", 4)
                + ", so it is MODE_MISMATCH, not MALFORMED",
            )
        self.invalid(
            set_check(set_flags(f33, mode=self.mode_id % 8 + 1), self.wrong_check),
            "MODE_MISMATCH",
            3,
            "mode nibble changed AND check byte wrong: " + STEP_ORDER_NOTE % ("mode", 3, "check byte", 5),
        )

    # ---- steps 1 and 3: frames of another family ------------------------------

    def foreign_frame(self, other: int, n: int) -> bytes:
        """A valid frame of mode `other` (group 1's key string and salt) for an
        n-byte payload."""
        pn = None if MODES[other].family == "ecb" else 0x0123456789ABCDEF
        return protect(other, derive(other, KEY_HEX64, self.g1.salt), pn, self.family_rng.randbytes(n))

    def family_cases(self) -> None:
        """Valid frames of another family. Step 1 judges the length against
        the receiver's family, not the frame's, so a frame too short or too
        long for this family is MALFORMED (step 1); one whose length suits
        this family too reaches the mode check (MODE_MISMATCH, step 3)."""
        fam = self.mode.family
        lo, hi = HEADER_LEN[fam] + MIN_BODY, max_frame(fam)
        receiver = ("a GCM" if self.gcm else "an " + fam.upper()) + " receiver"
        rule = "step 1 judges the length against the receiver's family, before the mode bits (step 3)"
        if not self.ecb:
            for other in (2, 4):
                f = self.foreign_frame(other, 1)
                assert len(f) == 18 < lo
                self.invalid(
                    f,
                    "MALFORMED",
                    1,
                    "valid 18-byte frame of mode %d %s (1-byte payload, same key string and salt) at %s, "
                    "which needs at least %d bytes: %s, so it is MALFORMED, not MODE_MISMATCH"
                    % (other, MODES[other].name, receiver, lo, rule),
                )
            f = self.foreign_frame(2, 16)
            assert len(f) == 34 >= lo
            self.invalid(
                f,
                "MODE_MISMATCH",
                3,
                "valid 34-byte AES_128_ECB frame (16-byte payload): the shortest ECB frame that is long enough for "
                "%s, so it passes step 1 and fails the mode check" % receiver,
            )
        if self.ecb:
            f = self.foreign_frame(5, 0)
            assert len(f) == 26
            self.invalid(
                f,
                "MODE_MISMATCH",
                3,
                "valid 26-byte AES_128_GCM frame (empty payload): long enough for an ECB receiver (and 26 - 2 is "
                "not a multiple of 16, but step 6 comes after the mode check), so MODE_MISMATCH",
            )
        if not self.gcm:
            # The GCM frame one byte over this family's maximum; a GCM
            # receiver would accept its length.
            f = self.foreign_frame(5, hi + 1 - 26)
            assert len(f) == hi + 1 <= max_frame("gcm")
            self.invalid(
                f,
                "MALFORMED",
                1,
                "valid %s-byte AES_128_GCM frame (%s-byte payload) at %s, one byte over its maximum %s: %s, so "
                "it is MALFORMED, not MODE_MISMATCH" % ("{:,}".format(hi + 1), "{:,}".format(hi + 1 - 26), receiver,
                "{:,}".format(hi), rule),
            )

    # ---- step 4: S flag outside XTS -------------------------------------------

    def s_flag_cases(self) -> None:
        """Step 4: the S flag on an ECB or GCM frame (MALFORMED)."""
        f0, f33 = self.frame_of(0), self.frame_of(33)
        what = "valid frame with the S flag set; S is allowed only in the XTS family"
        self.invalid(set_flags(f33, s=1), "MALFORMED", 4, what)
        self.invalid(set_flags(f0, s=1), "MALFORMED", 4, "valid empty-payload frame with the S flag set")
        self.invalid(
            set_check(set_flags(f33, s=1), self.wrong_check),
            "MALFORMED",
            4,
            "S flag set AND check byte wrong: " + STEP_ORDER_NOTE % ("S rule", 4, "check byte", 5),
        )
        self.invalid(
            set_check(set_flags(self.short_xts_frame(), mode=self.mode_id), self.d1.check),
            "MALFORMED",
            4,
            "a short AES_128_XTS frame (S=1, 26 bytes) with its mode nibble and check byte rewritten to ours: "
            "fails only the S rule",
        )

    # ---- step 5: check byte ---------------------------------------------------

    def key_cases(self) -> None:
        """Step 5: a check byte other than ours (KEY_MISMATCH)."""
        d1, f0, f16, f32, f33 = self.d1, self.frame_of(0), self.frame_of(16), self.frame_of(32), self.frame_of(33)
        for x in (0x01, 0x80, 0xFF):
            what = "valid frame with the check byte XOR 0x%02x" % x
            self.invalid(set_check(f33, d1.check ^ x), "KEY_MISMATCH", 5, what)
        # Another key's check byte equals ours with chance 1/256 (it happens:
        # in mode 3 the UTF-8 key and the hex key share d8), so take the first
        # three candidates whose check byte differs.
        candidates = (KEY_1BYTE, KEY_UTF8, KEY_1000, KEY_ASCII16, KEY_HIGH)
        for key in [k for k in candidates if derive(self.mode_id, k, self.g1.salt).check != d1.check][:3]:
            od = derive(self.mode_id, key, self.g1.salt)
            self.invalid(
                protect(self.mode_id, od, self.pn(42), self.payload(33)),
                "KEY_MISMATCH",
                5,
                "valid frame of this mode under another key (%s), whose check byte %02x differs from ours"
                % (describe_key(key), od.check),
            )
        if self.ecb:
            self.invalid(
                set_check(f16 + b"\x00", self.wrong_check),
                "KEY_MISMATCH",
                5,
                "wrong check byte AND a 33-byte body: " + STEP_ORDER_NOTE % ("check byte", 5, "body length", 6),
            )
        if self.xts:
            self.invalid(
                set_check(set_flags(f32, s=1), self.wrong_check),
                "KEY_MISMATCH",
                5,
                "wrong check byte AND S set on a 32-byte body: "
                + STEP_ORDER_NOTE % ("check byte", 5, "S-block rules", 8),
            )
        if self.gcm:
            self.invalid(
                set_check(f0, self.wrong_check),
                "KEY_MISMATCH",
                5,
                "empty-payload frame with a wrong check byte; the tag would fail too, but "
                + STEP_ORDER_NOTE % ("check byte", 5, "tag", 9),
            )

    def collision_frame(self, pn: int | None, payload: bytes, want: str) -> tuple[bytes, bytes]:
        """(key, frame): a frame under another key whose check byte equals
        ours, chosen so that group 1 rejects it with status `want`."""

        def accept(key: bytes, d: Derived) -> bool:
            frame = protect(self.mode_id, d, pn, payload)
            return d.enc_key != self.d1.enc_key and unprotect(self.mode_id, self.d1, frame)[0] == want

        key, d = find_colliding_key(self.mode_id, self.g1.salt, self.d1.check, accept)
        return key, protect(self.mode_id, d, pn, payload)

    # ---- steps 6 and 7: ECB ---------------------------------------------------

    def ecb_cases(self) -> None:
        """Step 6 (body not whole blocks: MALFORMED), step 7 (BAD_PADDING)."""
        f0, f1, f16, f33 = self.frame_of(0), self.frame_of(1), self.frame_of(16), self.frame_of(33)
        self.invalid(f16 + b"\x00", "MALFORMED", 6, "ECB body of 33 bytes (a valid two-block frame plus one byte)")
        self.invalid(f16[:-1], "MALFORMED", 6, "ECB body of 31 bytes (a valid two-block frame minus its last byte)")
        self.invalid(f0 + b"\x01", "MALFORMED", 6, "ECB body of 17 bytes (a valid one-block frame plus one byte)")
        self.invalid(f1 + f33[2:9], "MALFORMED", 6, "ECB body of 23 bytes")

        data = self.payload(32)
        crafted = [
            (data[:15] + b"\x00", "last plaintext byte 0x00 (padding length 0)"),
            (data[:15] + b"\x11", "last plaintext byte 0x11 (17, more than a block)"),
            (data[:15] + b"\xff", "last plaintext byte 0xff"),
            (b"\x20" * 32, "two blocks of 0x20: padding length 32 covers the whole body but is over 16"),
            (data[:12] + b"\x04\x04\x05\x04", "padding length 4 with one unequal pad byte (04 04 05 04)"),
            (b"\x0f" + b"\x10" * 15, "a full block of 0x10 except its first byte 0x0f"),
            (data[:14] + b"\x01\x02", "padding length 2 preceded by 0x01"),
            (data[:16] + data[16:31] + b"\x00", "two blocks: the first is fine, the last ends with 0x00"),
            (
                data[:16] + b"\x10" * 16 + data[16:31] + b"\x00",
                "three blocks: a block that looks like full padding, then a final block ending with 0x00",
            ),
        ]
        for plain, what in crafted:
            frame = make_header(self.mode_id, self.d1.check) + ecb_encrypt(self.mode.cipher, self.d1.enc_key, plain)
            self.invalid(frame, "BAD_PADDING", 7, "correct key, crafted plaintext encrypted with enc_key: " + what)

        key, frame = self.collision_frame(None, b"collision", "BAD_PADDING")
        self.invalid(
            frame,
            "BAD_PADDING",
            7,
            "frame under another key (%r) whose check byte happens to equal ours: it passes step 5 and decrypts "
            "to garbage with invalid padding" % key.decode(),
        )

    # ---- step 8: XTS short block ----------------------------------------------

    def xts_cases(self) -> None:
        """Step 8: S=1 with a body other than 16 bytes or a bad X block (BAD_PADDING)."""
        for n in (17, 32, 33):
            self.invalid(
                set_flags(self.frame_of(n), s=1),
                "BAD_PADDING",
                8,
                "S set on the valid %d-byte-payload frame: body %d bytes, not 16" % (n, n),
            )
        pn = 0xDEADBEEF
        data = self.payload(15)
        crafted = [
            (data + b"\x10", "last byte of X is 16 (> 15)"),
            (data + b"\xff", "last byte of X is 0xff"),
            (data[:14] + b"\x00\x80", "last byte of X is 0x80"),
            (b"\x01" + bytes(14) + b"\x00", "length 0 but the first pad byte is 0x01"),
            (data[:3] + bytes(11) + b"\x01\x03", "length 3 and the last pad byte (X[14]) is 0x01"),
            (data[:14] + b"\xff\x0e", "length 14 and its single pad byte is 0xff"),
            (
                data[:5] + bytes(5) + b"\x2a" + bytes(4) + b"\x05",
                "length 5 with a nonzero byte in the middle of the pad",
            ),
        ]
        for x, what in crafted:
            assert len(x) == 16
            frame = make_header(self.mode_id, self.d1.check, pn, s=1) + xts_body(self.d1, pn, x)
            self.invalid(
                frame, "BAD_PADDING", 8, "S=1, correct key and PN, crafted X block encrypted with enc_key: " + what
            )
        f1 = self.frame_of(1)
        self.invalid(
            flip_bit(f1, 2),
            "BAD_PADDING",
            8,
            "the valid 1-byte-payload S=1 frame with a PN bit flipped: the data unit sequence number changes, "
            "X decrypts to garbage that fails the S-block rules",
        )
        self.invalid(
            flip_bit(f1, -1, 3),
            "BAD_PADDING",
            8,
            "the valid 1-byte-payload S=1 frame with a body bit flipped: X decrypts to garbage",
        )
        key, frame = self.collision_frame(99, b"collision", "BAD_PADDING")
        self.invalid(
            frame,
            "BAD_PADDING",
            8,
            "S=1 frame under another key (%r) whose check byte happens to equal ours: it passes step 5 and X "
            "decrypts to garbage" % key.decode(),
        )

    # ---- step 9: GCM tag ------------------------------------------------------

    def gcm_cases(self) -> None:
        """Step 9: the tag does not verify (AUTH_FAILED)."""
        f0, f1, f16, f33 = self.frame_of(0), self.frame_of(1), self.frame_of(16), self.frame_of(33)
        cases = [
            (flip_bit(f33, 10), "33-byte payload: first ciphertext bit flipped"),
            (flip_bit(f33, -17, 7), "33-byte payload: last ciphertext byte, top bit flipped"),
            (flip_bit(f33, -16), "33-byte payload: first tag bit flipped"),
            (flip_bit(f33, -1, 7), "33-byte payload: last tag byte, top bit flipped"),
            (flip_bit(f0, -1), "empty payload: last tag bit flipped"),
            (flip_bit(f33, 9), "33-byte payload: lowest PN bit in the header flipped (AAD and nonce change)"),
            (flip_bit(f33, 2, 7), "33-byte payload: highest PN bit in the header flipped"),
            (
                f16[:-1],
                "16-byte payload with the tag truncated by one byte: 41 bytes is still long enough (step 1), so the "
                "last 16 bytes are taken as the tag and fail",
            ),
            (
                f1[:-1],
                "1-byte payload with the tag truncated by one byte: exactly 26 bytes, the minimum, so it reaches "
                "the tag check",
            ),
            (
                f33[:-16],
                "33-byte payload with the whole tag removed: the last 16 ciphertext bytes are taken as the tag",
            ),
            (f33 + b"\x00", "33-byte payload with one byte appended"),
            (f33[:-16] + bytes(16), "33-byte payload with an all-zero tag"),
        ]
        for frame, what in cases:
            self.invalid(frame, "AUTH_FAILED", 9, what)
        key, frame = self.collision_frame(5, self.payload(20), "AUTH_FAILED")
        self.invalid(
            frame,
            "AUTH_FAILED",
            9,
            "frame under another key (%r) whose check byte happens to equal ours: it passes step 5 and the tag fails"
            % key.decode(),
        )

    # ---- groups 2.. ----------------------------------------------------------

    def other_key_groups(self) -> None:
        """One group per other key kind, a few payload lengths each."""
        kinds = [
            (KEY_1BYTE, (0, 1, 15, 16, 17)),
            (KEY_ASCII16, (31, 32, 33, 160)),
            (KEY_1000, (1, 16, 33, 1200)),
            (KEY_UTF8, (0, 15, 17, 1500)),
            (KEY_HIGH, (1, 31, 32, 160)),
        ]
        if self.mode.salted:
            kinds.append((KEY_65, (0, 16, 33, 160)))
        for gi, (key, lengths) in enumerate(kinds):
            comment = "key: %s; %s" % (describe_key(key), self.salt_note)
            g = Group(self.vf, self.mode_id, key, self.rng.randbytes(32), comment)
            frames = []
            for j, n in enumerate(lengths):
                pn = PNS[(gi + 3 * j + 2) % len(PNS)]  # a spread of PNs per group
                frames.append(g.add_valid(self.pn(pn), self.payload(n)))
            if key == KEY_1BYTE:
                g.add_invalid(
                    self.frame_of(33),
                    "KEY_MISMATCH",
                    5,
                    "group 1's valid 33-byte-payload frame (key: 64 hex characters) under this 1-byte key",
                )
                g.add_invalid(
                    set_check(frames[0], g.derived.check ^ 0x55),
                    "KEY_MISMATCH",
                    5,
                    "this group's first valid frame with the check byte XOR 0x55",
                )

    def salt_group(self) -> None:
        """Last group: the same key as group 1 with another salt."""
        f33 = self.frame_of(33)
        if self.mode.salted:
            g = Group(
                self.vf,
                self.mode_id,
                KEY_HEX64,
                self.rng.randbytes(32),
                "same key as group 1, different salt: GCM2 derives a different enc_key, iv_base and check byte",
            )
            d = g.derived
            assert d.enc_key != self.d1.enc_key and d.iv_base != self.d1.iv_base and d.check != self.d1.check
            pn, p, _ = self.by_len[33]
            what = "the payload and PN of group 1's 33-byte test: a different frame, because the salt differs"
            f = g.add_valid(pn, p, what)
            assert f != f33
            g.add_valid(0, self.payload(0))
            g.add_valid(2**64 - 1, self.payload(17))
            what = "group 1's valid 33-byte frame: same key string, other salt, so other check byte"
            g.add_invalid(f33, "KEY_MISMATCH", 5, what)
            self.invalid(
                f,
                "KEY_MISMATCH",
                5,
                "a valid frame of the same key string under another salt (the last group): its check byte %02x differs"
                % d.check,
            )
        else:
            g = Group(
                self.vf,
                self.mode_id,
                KEY_HEX64,
                bytes(32),
                "same key as group 1 with an all-zero salt: valid for modes 1-6, which ignore the salt, so every "
                "derived value and frame equals group 1's",
            )
            assert g.derived == self.d1
            same = "payload" if self.ecb else "payload and PN"
            for n in (17, 33):
                pn, p, f = self.by_len[n]
                got = g.add_valid(pn, p, "same %s as group 1's %d-byte test: the same frame (salt ignored)" % (same, n))
                assert got == f


def build_mode_file(mode_id: int) -> VectorFile:
    """All valid and invalid tests for one mode."""
    return ModeFileBuilder(mode_id).build()


def build_refusals() -> VectorFile:
    """Configurations that spec section 3.1 refuses (INVALID_ARGUMENT)."""
    rng = random.Random(0xCE1FFFF)
    vf = VectorFile(
        "ce1-config-refusals.json",
        "CE1 configurations that must be refused with INVALID_ARGUMENT (docs/spec.md section 3.1): empty key, "
        "mode outside 1..8, GCM2 with an all-zero salt, a salt that is not 32 bytes (refused in every mode, "
        "also in modes 1-6, which ignore the salt's value). Every refusal here is INVALID_ARGUMENT even for an "
        "implementation that lacks SM4: configuration errors are reported before NOT_SUPPORTED (docs/spec.md "
        "section 10.1). No tests; derived is null; mode_name is null for mode ids that have no name. Generated "
        "by vectors/gen/gen_ce1_vectors.py.",
    )

    def refuse(mode_id: int, key: bytes, salt: bytes, comment: str) -> None:
        try:
            derive(mode_id, key, salt)
        except ConfigRefused:
            pass
        else:
            raise AssertionError("configuration not refused: " + comment)
        vf.groups.append(
            {
                "mode": mode_id,
                "mode_name": MODES[mode_id].name if mode_id in MODES else None,
                "comment": comment,
                "key": key.hex(),
                "salt": salt.hex(),
                "derived": None,
                "config_status": "INVALID_ARGUMENT",
                "tests": [],
            }
        )

    sm4_note = "; INVALID_ARGUMENT, not NOT_SUPPORTED, even without SM4 (spec section 10.1)"
    for m in MODES:
        refuse(
            m,
            b"",
            rng.randbytes(32),
            "empty key (spec section 3.1: a missing or empty key is invalid)" + (sm4_note if m == 4 else ""),
        )
    for m in (0, 9, 10, 15, 16, 255):
        refuse(
            m,
            KEY_ASCII16,
            rng.randbytes(32),
            "mode %d is outside 1..8 (spec sections 2 and 3.1: any other id is invalid)" % m,
        )
    for m in (7, 8):
        refuse(m, KEY_HEX64, bytes(32), "GCM2 with an all-zero salt (spec section 3.1)")
        refuse(m, KEY_1BYTE, bytes(32), "GCM2 with an all-zero salt (spec section 3.1), 1-byte key")
    for m, n in ((7, 31), (7, 33), (8, 31), (8, 33)):
        refuse(m, KEY_HEX64, rng.randbytes(n), "salt of %d bytes; spec section 3.1 requires exactly 32" % n)
    # Modes 1-6 ignore the salt's value, not its length: one group per mode.
    for m, n in ((5, 31), (2, 33), (1, 0), (3, 64), (4, 16), (6, 31)):
        refuse(
            m,
            KEY_HEX64,
            rng.randbytes(n),
            "salt of %d bytes with mode %d: spec section 3.1 requires exactly 32 bytes in every mode, also where "
            "the mode ignores the value%s" % (n, m, sm4_note if m == 4 else ""),
        )
    return vf


def build_all() -> list[VectorFile]:
    """Every vector file, in a fixed order."""
    self_test()
    files = [build_mode_file(m) for m in MODES]
    files.append(build_refusals())
    statuses = set()
    for vf in files:
        vf.number_tests()
        tests = [t for g in vf.groups for t in g["tests"]]
        assert len({t["id"] for t in tests}) == len(tests)
        statuses |= {t["status"] for t in tests if t["result"] == "invalid"}
        if vf.groups[0]["mode"] in MODES and "config_status" not in vf.groups[0]:
            lengths = {len(t["payload"]) // 2 for t in tests if t["result"] == "valid"}
            assert set(PAYLOAD_LENGTHS) <= lengths, vf.name
    assert statuses == set(STATUSES)
    return files


def main(argv=None) -> int:
    """Command line: write the files, or compare them with --check."""
    parser = argparse.ArgumentParser(
        description="Generate the CE1 frame vectors (ce1-vectors/1 JSON) from the specification alone, "
        "independently of the C implementation. Output is deterministic.",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output directory (default: vectors/ce1 of this repository)"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate in memory and compare byte for byte with the files in --out; write nothing; "
        "exit 1 and name the files that differ",
    )
    args = parser.parse_args(argv)

    files = build_all()
    if args.check:
        bad = []
        for vf in files:
            path = args.out / vf.name
            if not path.is_file():
                bad.append("missing: " + vf.name)
            elif path.read_bytes() != vf.text().encode("ascii"):
                bad.append("differs: " + vf.name)
        known = {vf.name for vf in files}
        for extra in sorted(p.name for p in args.out.glob("*.json") if p.name not in known):
            print("note: %s is not produced by this generator" % extra, file=sys.stderr)
        if bad:
            print("\n".join(bad))
            return 1
        print("ok: %d files match" % len(files))
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    for vf in files:
        (args.out / vf.name).write_bytes(vf.text().encode("ascii"))
        nvalid = sum(t["result"] == "valid" for g in vf.groups for t in g["tests"])
        ninvalid = sum(t["result"] == "invalid" for g in vf.groups for t in g["tests"])
        print("wrote %s: %d groups, %d valid, %d invalid" % (vf.name, len(vf.groups), nvalid, ninvalid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
