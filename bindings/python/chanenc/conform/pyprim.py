"""The primitives of tools/ce1_prim.h in plain Python, and the catalogue of
their usual mistakes.

:class:`PyPrim` computes each primitive operation from its standard alone
(AES and SM4 single blocks from python3-cryptography's ECB, everything
above a block written out here: XTS with its tweak chain and ciphertext
stealing, GCM's counter mode and GHASH, HKDF and PBKDF2 on hmac/hashlib);
it never calls the chanenc C library. As in :mod:`chanenc.conform.pyce1`,
every step an implementer can get wrong is a small method (a *hook*:
``xts_tweak``, ``xts_steal``, ``ghash_input``, ``gcm_tag_ok``,
``hkdf_extract``, ``hkdf_counter``, ``pbkdf2_salt``, ``ecb_direction``),
and a *primitive deviation* is a named mixin overriding one or two hooks.
:data:`PRIM_DEVIATIONS` is the catalogue; ``PyPrim({"xts_tweak_reversed"})``
is ce1_prim.h with that one bug. The runner's diagnosis
(:mod:`chanenc.conform.diagnose`, :class:`~chanenc.conform.diagnose.PrimDiagnoser`)
replays a failed primitive vector through each of them on the generic
engine, exactly as it replays a CE1 frame through pyce1's catalogue.

Adding a primitive deviation is a few lines::

    @prim_deviation("xts_tweak_reversed", "the tweak's bytes reversed ...",
                    "IEEE 1619-2007 5.1", ops=XTS_OPS)
    class _XtsTweakReversed:
        def xts_tweak(self, tweak): return tweak[::-1]

plus nothing in the tests, which build an implementation from every
catalogued deviation (tests/python/test_diagnose.py).

Not meant for production use: slow, and not constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

try:
    from cryptography.hazmat.primitives.ciphers import (Cipher, algorithms,
                                                        modes)
    from cryptography.exceptions import UnsupportedAlgorithm
    AVAILABLE = True
except ImportError:  # pragma: no cover - python3-cryptography missing
    AVAILABLE = False

__all__ = ["PyPrim", "PrimError", "PrimDeviation", "PRIM_DEVIATIONS",
           "prim_deviation", "ECB_OPS", "XTS_OPS", "GCM_OPS", "HKDF_OPS",
           "PBKDF2_OPS", "ANSWER_MEMBERS"]

ECB_OPS = frozenset({"aes_ecb_encrypt", "aes_ecb_decrypt", "sm4_ecb_encrypt",
                     "sm4_ecb_decrypt"})
XTS_OPS = frozenset({"aes_xts_encrypt", "aes_xts_decrypt"})
GCM_OPS = frozenset({"aes_gcm_seal", "aes_gcm_open"})
HKDF_OPS = frozenset({"hkdf_sha256", "hkdf_sha256_extract",
                      "hkdf_sha256_expand"})
PBKDF2_OPS = frozenset({"pbkdf2_sha256"})
#: The answer members of each operation, in order (impls.PRIMITIVE_OPS).
ANSWER_MEMBERS = {
    "aes_ecb_encrypt": ("data",), "aes_ecb_decrypt": ("data",),
    "sm4_ecb_encrypt": ("data",), "sm4_ecb_decrypt": ("data",),
    "aes_xts_encrypt": ("data",), "aes_xts_decrypt": ("data",),
    "aes_gcm_seal": ("ciphertext", "tag"), "aes_gcm_open": ("plaintext",),
    "hkdf_sha256_extract": ("prk",), "hkdf_sha256_expand": ("okm",),
    "hkdf_sha256": ("okm",), "pbkdf2_sha256": ("dk",),
}


class PrimError(Exception):
    """A refusal; ``.status`` is the ce1_prim.h status name."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def _ecb_raw(cipher: str, key: bytes, data: bytes, encrypt: bool) -> bytes:
    try:
        alg = algorithms.SM4(key) if cipher == "sm4" else algorithms.AES(key)
        c = Cipher(alg, modes.ECB())
        op = c.encryptor() if encrypt else c.decryptor()
    except (UnsupportedAlgorithm, AttributeError, ValueError):
        raise PrimError("NOT_SUPPORTED") from None
    return op.update(data) + op.finalize()


def _xor(a: bytes, b: bytes) -> bytes:
    return bytes(x ^ y for x, y in zip(a, b))


def _times_alpha(t: int) -> int:
    """Multiplication by alpha in GF(2^128), IEEE 1619's little-endian
    convention (the tweak as a little-endian integer)."""
    t <<= 1
    if t >> 128:
        t = (t & ((1 << 128) - 1)) ^ 0x87
    return t


_R = 0xE1 << 120


def _gf_mult(x: int, y: int) -> int:
    """GCM's multiplication (SP 800-38D 6.3), blocks as big-endian ints."""
    z, v = 0, y
    for i in range(127, -1, -1):
        if (x >> i) & 1:
            z ^= v
        v = (v >> 1) ^ _R if v & 1 else v >> 1
    return z


def _ghash(h: bytes, data: bytes) -> bytes:
    hi, y = int.from_bytes(h, "big"), 0
    for i in range(0, len(data), 16):
        y = _gf_mult(y ^ int.from_bytes(data[i:i + 16], "big"), hi)
    return y.to_bytes(16, "big")


def _pad16(b: bytes) -> bytes:
    return b + bytes(-len(b) % 16)


class _Base:
    """ce1_prim.h as its standards have it; each hook below is one step a
    deviation may override."""

    bugs: frozenset = frozenset()

    # ---- hooks ----------------------------------------------------------------

    def ecb_direction(self, encrypt: bool) -> bool:
        return encrypt

    def xts_tweak(self, tweak: bytes) -> bytes:
        return tweak

    def xts_steal(self, blk, cc: bytes, pm: bytes, b: int):
        """Ciphertext stealing (IEEE 1619-2007 5.3.2): from CC (the last
        full block encrypted) and the partial block P_m of b bytes, the
        last bytes of the output. ``blk(x)``: block m encrypted."""
        return blk(pm + cc[b:]) + cc[:b]

    def xts_unsteal(self, dblk_m, dblk_m1, tail: bytes, b: int):
        """Its inverse: ``tail`` is the last 16 + b bytes."""
        pp = dblk_m(tail[:16])
        return dblk_m1(tail[16:] + pp[b:]) + pp[:b]

    def ghash_input(self, aad: bytes, ct: bytes, pt: bytes) -> bytes:
        return (_pad16(aad) + _pad16(ct) + (8 * len(aad)).to_bytes(8, "big")
                + (8 * len(ct)).to_bytes(8, "big"))

    def gcm_tag_ok(self, full: bytes, tag: bytes, tag_len: int) -> bool:
        return len(tag) == tag_len and hmac.compare_digest(full[:tag_len], tag)

    def hkdf_extract(self, salt: bytes, ikm: bytes) -> bytes:
        return hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()

    def hkdf_counter(self, i: int) -> int:
        return i

    def pbkdf2_salt(self, salt: bytes) -> bytes:
        return salt

    # ---- the operations -------------------------------------------------------

    def call(self, op: str, f: dict) -> dict:
        """The answer (a dict of bytes) of ``op`` on request members ``f``,
        or raises PrimError."""
        if op in ECB_OPS:
            key, data = f["key"], f["data"]
            if len(data) % 16 or len(key) not in ((16,) if op[:3] == "sm4"
                                                  else (16, 24, 32)):
                raise PrimError("INVALID_ARGUMENT")
            enc = self.ecb_direction(op.endswith("encrypt"))
            return {"data": _ecb_raw(op[:3], key, data, enc)}
        if op in XTS_OPS:
            return {"data": self.xts(op == "aes_xts_encrypt", f["key"],
                                     f["tweak"], f["data"])}
        if op == "aes_gcm_seal":
            ct, tag = self.gcm(True, f["key"], f["iv"], f["aad"],
                               f["plaintext"], None, f["tag_len"])
            return {"ciphertext": ct, "tag": tag}
        if op == "aes_gcm_open":
            return {"plaintext": self.gcm(False, f["key"], f["iv"], f["aad"],
                                          f["ciphertext"], f["tag"],
                                          f["tag_len"])}
        if op == "hkdf_sha256_extract":
            return {"prk": self.hkdf_extract(f["salt"], f["ikm"])}
        if op == "hkdf_sha256_expand":
            return {"okm": self.hkdf_expand(f["prk"], f["info"], f["length"])}
        if op == "hkdf_sha256":
            prk = self.hkdf_extract(f["salt"], f["ikm"])
            return {"okm": self.hkdf_expand(prk, f["info"], f["length"])}
        if op == "pbkdf2_sha256":
            if f["iterations"] < 1 or f["length"] < 1:
                raise PrimError("INVALID_ARGUMENT")
            return {"dk": hashlib.pbkdf2_hmac(
                "sha256", f["password"], self.pbkdf2_salt(f["salt"]),
                f["iterations"], f["length"])}
        raise PrimError("UNSUPPORTED_OP")

    def xts(self, encrypt: bool, key: bytes, tweak: bytes, data: bytes) -> bytes:
        if len(key) not in (32, 64) or len(tweak) != 16 or len(data) < 16:
            raise PrimError("INVALID_ARGUMENT")
        k1, k2 = key[:len(key) // 2], key[len(key) // 2:]
        t0 = _ecb_raw("aes", k2, self.xts_tweak(tweak), True)
        m, b = divmod(len(data), 16)
        ts, t = [], int.from_bytes(t0, "little")
        for _ in range(m + 1):
            ts.append(t.to_bytes(16, "little"))
            t = _times_alpha(t)

        def blocks(chunk: bytes, j0: int, enc: bool) -> bytes:
            tw = b"".join(ts[j0:j0 + len(chunk) // 16])
            return _xor(_ecb_raw("aes", k1, _xor(chunk, tw), enc), tw)
        if not b:
            return blocks(data, 0, encrypt)
        head = blocks(data[:16 * (m - 1)], 0, encrypt)
        if encrypt:
            cc = blocks(data[16 * (m - 1):16 * m], m - 1, True)
            return head + self.xts_steal(lambda x: blocks(x, m, True), cc,
                                         data[16 * m:], b)
        return head + self.xts_unsteal(lambda x: blocks(x, m, False),
                                       lambda x: blocks(x, m - 1, False),
                                       data[16 * (m - 1):], b)

    def gcm(self, seal: bool, key: bytes, iv: bytes, aad: bytes, data: bytes,
            tag, tag_len: int):
        if len(key) not in (16, 24, 32) or not iv or not 4 <= tag_len <= 16:
            raise PrimError("INVALID_ARGUMENT")
        h = _ecb_raw("aes", key, bytes(16), True)
        if len(iv) == 12:
            j0 = iv + b"\x00\x00\x00\x01"
        else:
            j0 = _ghash(h, _pad16(iv) + bytes(8) + (8 * len(iv)).to_bytes(8, "big"))
        c0 = int.from_bytes(j0[12:], "big")
        n = (len(data) + 15) // 16
        ctrs = b"".join(j0[:12] + ((c0 + i) & 0xFFFFFFFF).to_bytes(4, "big")
                        for i in range(1, n + 1))
        out = _xor(data, _ecb_raw("aes", key, ctrs, True)) if data else b""
        ct, pt = (out, data) if seal else (data, out)
        s = _ghash(h, self.ghash_input(aad, ct, pt))
        full = _xor(_ecb_raw("aes", key, j0, True), s)
        if seal:
            return ct, full[:tag_len]
        if not self.gcm_tag_ok(full, tag, tag_len):
            raise PrimError("AUTH_FAILED")
        return pt

    def hkdf_expand(self, prk: bytes, info: bytes, length: int) -> bytes:
        if not 1 <= length <= 255 * 32:
            raise PrimError("INVALID_ARGUMENT")
        out, t, i = b"", b"", 1
        while len(out) < length:
            t = hmac.new(prk, t + info + bytes([self.hkdf_counter(i) & 0xFF]),
                         hashlib.sha256).digest()
            out += t
            i += 1
        return out[:length]


# --------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class PrimDeviation:
    """A named departure from a primitive's standard: ``phrase`` completes
    "your answer equals the right one with ..."; ``section`` cites the
    standard it breaks; ``ops`` the operations where it changes an
    answer; ``mixin`` overrides the hooks of :class:`PyPrim`."""

    name: str
    phrase: str
    section: str
    ops: frozenset
    mixin: type
    diagnostic: bool = True

    @property
    def cite(self) -> str:
        return self.section


#: name -> PrimDeviation, in catalogue order (first match wins).
PRIM_DEVIATIONS: dict = {}


def prim_deviation(name, phrase, section, ops):
    def reg(cls):
        PRIM_DEVIATIONS[name] = PrimDeviation(name, phrase, section,
                                              frozenset(ops), cls)
        return cls
    return reg


@prim_deviation("gcm_tag_no_length_block", "the GCM tag computed without "
                "GHASH's final length block len(A) || len(C)",
                "NIST SP 800-38D 7.1 step 5", GCM_OPS)
class _GcmNoLengthBlock:
    def ghash_input(self, aad, ct, pt):
        return _pad16(aad) + _pad16(ct)


@prim_deviation("gcm_tag_over_plaintext", "the GCM tag computed over the "
                "plaintext instead of the ciphertext",
                "NIST SP 800-38D 7.1 step 5", GCM_OPS)
class _GcmTagOverPlaintext:
    def ghash_input(self, aad, ct, pt):
        return _Base.ghash_input(self, aad, pt, ct)


@prim_deviation("gcm_tag_prefix_accepted", "aes_gcm_open comparing only the "
                "tag bytes it was given (4 or more), not holding the tag to "
                "tag_len", "NIST SP 800-38D 7.2; tools/ce1_prim.h", {"aes_gcm_open"})
class _GcmTagPrefix:
    def gcm_tag_ok(self, full, tag, tag_len):
        return 4 <= len(tag) <= 16 and full[:len(tag)] == tag


@prim_deviation("xts_cts_swapped", "XTS ciphertext stealing's last two "
                "blocks swapped (the partial block written before the full "
                "one)", "IEEE 1619-2007 5.3.2", XTS_OPS)
class _XtsCtsSwapped:
    def xts_steal(self, blk, cc, pm, b):
        return cc[:b] + blk(pm + cc[b:])

    def xts_unsteal(self, dblk_m, dblk_m1, tail, b):
        return _Base.xts_unsteal(self, dblk_m, dblk_m1, tail[b:] + tail[:b], b)


@prim_deviation("xts_cts_steal_last", "XTS ciphertext stealing taking the "
                "last b bytes of CC for C_m instead of the first b",
                "IEEE 1619-2007 5.3.2", XTS_OPS)
class _XtsCtsStealLast:
    def xts_steal(self, blk, cc, pm, b):
        return blk(pm + cc[:16 - b]) + cc[16 - b:]

    def xts_unsteal(self, dblk_m, dblk_m1, tail, b):
        pp = dblk_m(tail[:16])
        return dblk_m1(pp[b:] + tail[16:]) + pp[:b]


@prim_deviation("xts_tweak_reversed", "the XTS tweak's bytes reversed (the "
                "data unit number read big-endian instead of little-endian)",
                "IEEE 1619-2007 5.1", XTS_OPS)
class _XtsTweakReversed:
    def xts_tweak(self, tweak):
        return tweak[::-1]


@prim_deviation("hkdf_salt_ikm_swapped", "HKDF-Extract with salt and IKM "
                "swapped (HMAC keyed with the IKM over the salt)",
                "RFC 5869 2.2", {"hkdf_sha256", "hkdf_sha256_extract"})
class _HkdfSwapped:
    def hkdf_extract(self, salt, ikm):
        return hmac.new(ikm, salt or bytes(32), hashlib.sha256).digest()


@prim_deviation("hkdf_counter_stuck", "HKDF-Expand's block counter stuck at "
                "0x01 (every T(i) = HMAC(PRK, T(i-1) | info | 0x01))",
                "RFC 5869 2.3", {"hkdf_sha256", "hkdf_sha256_expand"})
class _HkdfCounterStuck:
    def hkdf_counter(self, i):
        return 1


@prim_deviation("pbkdf2_salt_16", "the PBKDF2 salt cut to its first 16 "
                "bytes (a fixed-size salt buffer)", "RFC 8018 5.2",
                {"pbkdf2_sha256"})
class _Pbkdf2Salt16:
    def pbkdf2_salt(self, salt):
        return salt[:16]


@prim_deviation("ecb_directions_swapped", "the block cipher's decryption "
                "used to encrypt and its encryption to decrypt (the round "
                "keys in the other order)", "FIPS 197 5.1 / GB/T 32907-2016 7",
                ECB_OPS)
class _EcbSwapped:
    def ecb_direction(self, encrypt):
        return not encrypt


def PyPrim(bugs=()):
    """ce1_prim.h's primitives with the named deviations of
    :data:`PRIM_DEVIATIONS` switched on."""
    bugs = frozenset(bugs)
    unknown = bugs - set(PRIM_DEVIATIONS)
    if unknown:
        raise ValueError(f"unknown primitive deviation(s): {sorted(unknown)}")
    mixins = tuple(PRIM_DEVIATIONS[n].mixin for n in PRIM_DEVIATIONS if n in bugs)
    cls = type("PyPrim", mixins + (_Base,), {"bugs": bugs})
    return cls()
