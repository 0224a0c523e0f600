"""An independent CE1 implementation in pure Python (on python3-cryptography).

It is written from the wire-format specification alone and never calls the
chanenc C library, so it can serve as a second oracle: the conformance
runner's differential pass (``--random``) compares the reference against it
when the implementation under test is the reference itself.

It is also the runner's model of *wrong* implementations. Every step an
implementer can get wrong is a small method of :class:`PyCE1` (a *hook*:
``key_input``, ``label``, ``pn_bytes``, ``xts_tweak``, ``gcm_nonce``,
``gcm_aad``, ``ecb_pad``, ``unprotect_order``, ...), and a *deviation* is a
named mixin that overrides one or two hooks. :data:`DEVIATIONS` is the
catalogue: ``PyCE1(bugs={"pn_little_endian"})`` is CE1 with the packet
number written little-endian, ``PyCE1(bugs={"aad_none", "pn_little_endian"})``
has both bugs. The diagnosis of the conformance runner
(:mod:`chanenc.conform.diagnose`) replays a failed case through each
deviation and names the one that reproduces the implementation's output
exactly; the tests build broken adapters from the same deviations
(tests/python/broken_adapters/deviant.py).

Adding a deviation is a few lines::

    @deviation("pn_little_endian", "the packet number written little-endian "
               "in the header", "5", modes=XTS | GCM)
    class _PnLittleEndian:
        def pn_bytes(self, pn): return struct.pack("<Q", pn)
        def read_pn(self, b): return struct.unpack("<Q", b)[0]

plus a line in the test's expectations (tests/python/test_diagnose.py
checks every catalogued deviation on every mode it names). ``no_sm4`` is a
variation that is not a bug (a crypto library without SM4); it is not part
of the diagnosis catalogue.

Not meant for production use: it is slow and not constant-time.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import struct
from dataclasses import dataclass

try:
    from cryptography.hazmat.primitives.ciphers import (Cipher, algorithms,
                                                        modes)
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
    AVAILABLE = True
except ImportError:  # pragma: no cover - python3-cryptography missing
    AVAILABLE = False

__all__ = ["PyCE1", "CE1Error", "AVAILABLE", "BUGS", "DEVIATIONS",
           "Deviation", "deviation", "ALL_MODES", "ECB", "XTS", "GCM", "GCM2"]

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
#: The statuses of unprotect's steps (spec 9).
FRAME_STATUSES = ("MALFORMED", "BAD_VERSION", "MODE_MISMATCH", "KEY_MISMATCH",
                  "BAD_PADDING", "AUTH_FAILED")

ECB = frozenset({2, 4})
XTS = frozenset({1, 3})
GCM = frozenset({5, 6, 7, 8})
GCM2 = frozenset({7, 8})
ALL_MODES = ECB | XTS | GCM


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


@functools.lru_cache(maxsize=512)
def _pbkdf2(key: bytes, salt: bytes, iterations: int) -> bytes:
    # Cached across instances: the diagnosis replays a case through many
    # deviations, most of which leave the PBKDF2 inputs alone.
    return hashlib.pbkdf2_hmac("sha256", key, salt, iterations, 32)


def _ecb(mode: int, key: bytes, data: bytes, encrypt: bool) -> bytes:
    try:
        alg = algorithms.SM4(key) if mode == 4 else algorithms.AES(key)
        c = Cipher(alg, modes.ECB())
        op = c.encryptor() if encrypt else c.decryptor()
    except (UnsupportedAlgorithm, AttributeError):
        raise CE1Error("NOT_SUPPORTED", "SM4 missing from this cryptography/OpenSSL") from None
    return op.update(data) + op.finalize()


def _xts(key: bytes, tweak: bytes, data: bytes, encrypt: bool) -> bytes:
    c = Cipher(algorithms.AES(key), modes.XTS(tweak))
    op = c.encryptor() if encrypt else c.decryptor()
    return op.update(data) + op.finalize()


def _ctr_decrypt_no_tag(key: bytes, nonce: bytes, ct: bytes) -> bytes:
    # GCM's keystream for the data starts at counter block nonce || 2.
    c = Cipher(algorithms.AES(key), modes.CTR(nonce + b"\x00\x00\x00\x02"))
    d = c.decryptor()
    return d.update(ct) + d.finalize()


# --------------------------------------------------------------------------
# The spec, one hook per decision
# --------------------------------------------------------------------------

class _Base:
    """CE1 as docs/spec.md has it. Each method below a ``hooks`` comment is
    one decision a deviation may override."""

    bugs: frozenset = frozenset()

    def __init__(self, bugs=()) -> None:
        if not AVAILABLE:
            raise RuntimeError("python3-cryptography is not installed")
        self._cache: dict = {}

    # ---- hooks: configuration and key schedule (spec 3, 4) ------------------

    pbkdf2_iterations = 100000

    def config_errors(self, mode: int, key: bytes, salt: bytes) -> None:
        """Spec 3.1: every INVALID_ARGUMENT condition."""
        if mode not in _MODES:
            raise CE1Error("INVALID_ARGUMENT", f"mode {mode} is not 1..8")
        if not key:
            raise CE1Error("INVALID_ARGUMENT", "empty key")
        if len(salt) != 32:
            raise CE1Error("INVALID_ARGUMENT", "salt is not 32 bytes")
        if mode in GCM2 and salt == bytes(32):
            raise CE1Error("INVALID_ARGUMENT", "GCM2 with an all-zero salt")

    def not_supported(self, mode: int) -> None:
        """NOT_SUPPORTED for a mode the crypto library lacks (none here)."""

    def key_input(self, mode: int, key: bytes) -> bytes:
        """The key bytes fed to the key schedule: the key as given."""
        return key

    def salt_input(self, salt: bytes) -> bytes:
        return salt

    def extract(self, key: bytes) -> bytes:
        """HKDF-Extract(salt = 0^32, IKM = key)."""
        return hmac.new(bytes(32), key, hashlib.sha256).digest()

    def prk(self, mode: int, key: bytes, salt: bytes) -> bytes:
        if mode in GCM2:
            return _pbkdf2(key, self.salt_input(salt), self.pbkdf2_iterations)
        return self.extract(key)

    def mode_string(self, mode: int) -> bytes:
        return _MODES[mode][1].encode()

    def label(self, kind: str, mode: int) -> bytes:
        """The info of HKDF-Expand: "ce1 key " || mode string (kind: key,
        iv, check)."""
        return b"ce1 " + kind.encode() + b" " + self.mode_string(mode)

    # ---- hooks: frames (spec 5, 6) -------------------------------------------

    def pn_bytes(self, pn: int) -> bytes:
        return struct.pack(">Q", pn)

    def read_pn(self, b: bytes) -> int:
        return struct.unpack(">Q", b)[0]

    def xts_tweak(self, pn: int) -> bytes:
        return struct.pack("<Q", pn) + bytes(8)

    def xts_short_encode(self, payload: bytes) -> bytes:
        return payload + bytes(15 - len(payload)) + bytes([len(payload)])

    def xts_short_decode(self, x: bytes) -> bytes:
        n = x[15]
        if n > 15 or x[n:15] != bytes(15 - n):
            raise CE1Error("BAD_PADDING", "S block padding")
        return x[:n]

    def short_flag(self) -> bool:
        """The S flag of a short XTS payload."""
        return True

    def ecb_pad(self, payload: bytes) -> bytes:
        pad = 16 - len(payload) % 16
        return payload + bytes([pad]) * pad

    def ecb_unpad(self, plain: bytes) -> bytes:
        pad = plain[-1]
        if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
            raise CE1Error("BAD_PADDING")
        return plain[:-pad]

    def gcm_nonce(self, iv_base: bytes, pn: int) -> bytes:
        return bytes(a ^ b for a, b in zip(iv_base, bytes(4) + struct.pack(">Q", pn)))

    def gcm_aad(self, header: bytes) -> bytes:
        return header

    def gcm_seal(self, key: bytes, nonce: bytes, payload: bytes,
                 header: bytes) -> bytes:
        return AESGCM(key).encrypt(nonce, payload, self.gcm_aad(header))

    def gcm_open(self, key: bytes, nonce: bytes, body: bytes,
                 header: bytes) -> bytes:
        try:
            return AESGCM(key).decrypt(nonce, body, self.gcm_aad(header))
        except InvalidTag:
            raise CE1Error("AUTH_FAILED") from None

    #: Spec 9's steps, in the order they run ("body": steps 6 to 9).
    unprotect_order = ("length", "version", "mode", "sflag", "check", "body")

    def failure_status(self, status: str) -> str:
        """The status reported for a failed unprotect step."""
        return status

    #: Frames cut to this many bytes on protect and unprotect (None: never).
    frame_limit = None

    # ---- key schedule ----------------------------------------------------------

    def derive(self, mode: int, key: bytes, salt: bytes):
        """(enc_key, iv_base or None, check) or CE1Error."""
        k = (mode, bytes(key), bytes(salt))
        hit = self._cache.get(k)
        if hit is not None:
            return hit
        self.config_errors(mode, k[1], k[2])
        self.not_supported(mode)
        _, _, family, key_bytes = _MODES[mode]
        prk = self.prk(mode, self.key_input(mode, k[1]), k[2])
        enc_key = _hkdf_expand(prk, self.label("key", mode), key_bytes)
        iv_base = (_hkdf_expand(prk, self.label("iv", mode), 12)
                   if family == "gcm" else None)
        check = _hkdf_expand(prk, self.label("check", mode), 1)[0]
        if len(self._cache) > 256:
            self._cache.clear()
        out = self._cache[k] = (enc_key, iv_base, check)
        return out

    # ---- frames ----------------------------------------------------------------

    def _header(self, mode: int, check: int, pn: int | None, s: bool) -> bytes:
        flags = (0x80 if s else 0) | 0x10 | mode
        if pn is None:
            return bytes([flags, check])
        return bytes([flags, check]) + self.pn_bytes(pn)

    def protect(self, mode: int, key: bytes, salt: bytes, pn: int,
                payload: bytes) -> bytes:
        enc_key, iv_base, check = self.derive(mode, key, salt)
        family = _MODES[mode][2]
        if len(payload) > _MAX_PAYLOAD:
            raise CE1Error("TOO_LARGE")
        if family == "ecb":
            body = _ecb(mode, enc_key, self.ecb_pad(payload), True)
            frame = self._header(mode, check, None, False) + body
        elif family == "xts":
            tweak = self.xts_tweak(pn)
            if len(payload) >= 16:
                frame = self._header(mode, check, pn, False) + \
                    _xts(enc_key, tweak, payload, True)
            else:
                frame = self._header(mode, check, pn, self.short_flag()) + \
                    _xts(enc_key, tweak, self.xts_short_encode(payload), True)
        else:
            header = self._header(mode, check, pn, False)
            frame = header + self.gcm_seal(enc_key, self.gcm_nonce(iv_base, pn),
                                           payload, header)
        if self.frame_limit is not None:
            frame = frame[:self.frame_limit]
        return frame

    def unprotect(self, mode: int, key: bytes, salt: bytes,
                  frame: bytes) -> bytes:
        enc_key, iv_base, check = self.derive(mode, key, salt)
        if self.frame_limit is not None:
            frame = frame[:self.frame_limit]
        st = _Steps(self, mode, enc_key, iv_base, check, bytes(frame))
        try:
            for step in self.unprotect_order:
                getattr(st, step)()
        except CE1Error as e:
            if e.status in FRAME_STATUSES:
                s = self.failure_status(e.status)
                if s != e.status:
                    raise CE1Error(s, f"(spec: {e.status})") from None
            raise
        return st.payload


class _Steps:
    """Spec 9's steps on one frame; each raises CE1Error when it fails."""

    def __init__(self, impl, mode, enc_key, iv_base, check, frame) -> None:
        self.impl, self.mode_id, self.frame = impl, mode, frame
        self.enc_key, self.iv_base, self.check_byte = enc_key, iv_base, check
        self.family = _MODES[mode][2]
        self.hl = _HEADER[self.family]
        self.payload = None

    def _flags(self) -> int:
        if len(self.frame) < 2:
            raise CE1Error("MALFORMED", "length")
        return self.frame[0]

    def length(self):
        n = len(self.frame)
        if n < self.hl + 16 or n > _MAX_FRAME[self.family]:
            raise CE1Error("MALFORMED", "length")

    def version(self):
        if (self._flags() >> 4) & 7 != 1:
            raise CE1Error("BAD_VERSION")

    def mode(self):
        if self._flags() & 0x0F != self.mode_id:
            raise CE1Error("MODE_MISMATCH")

    def sflag(self):
        if self._flags() & 0x80 and self.family != "xts":
            raise CE1Error("MALFORMED", "S flag outside XTS")

    def check(self):
        self._flags()
        if self.frame[1] != self.check_byte:
            raise CE1Error("KEY_MISMATCH")

    def body(self):
        impl, frame, hl = self.impl, self.frame, self.hl
        body = frame[hl:]
        if self.family == "ecb":
            if len(body) % 16 or not body:
                raise CE1Error("MALFORMED", "ECB body length")
            self.payload = impl.ecb_unpad(_ecb(self.mode_id,
                                               self.enc_key, body, False))
            return
        if len(frame) < hl:
            raise CE1Error("MALFORMED", "length")
        pn = impl.read_pn(frame[2:10])
        if self.family == "xts":
            if len(body) < 16:
                raise CE1Error("MALFORMED", "length")
            tweak = impl.xts_tweak(pn)
            if frame[0] & 0x80:
                if len(body) != 16:
                    raise CE1Error("BAD_PADDING", "S block length")
                self.payload = impl.xts_short_decode(
                    _xts(self.enc_key, tweak, body, False))
                return
            self.payload = _xts(self.enc_key, tweak, body, False)
            return
        if len(body) < 16:
            raise CE1Error("MALFORMED", "length")
        nonce = impl.gcm_nonce(self.iv_base, pn)
        self.payload = impl.gcm_open(self.enc_key, nonce, body, frame[:hl])


# --------------------------------------------------------------------------
# The catalogue of deviations
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Deviation:
    """A named departure from the spec: ``phrase`` completes "your frame
    equals the reference's with ..."; ``section`` is the spec section it
    breaks; ``modes`` the CE1 modes where it changes an outcome;
    ``mixin`` overrides the hooks of :class:`PyCE1`; ``diagnostic``: part
    of the diagnosis catalogue (False for ``no_sm4``, which is allowed)."""

    name: str
    phrase: str
    section: str
    modes: frozenset
    mixin: type
    diagnostic: bool = True


#: name -> Deviation, in catalogue order (the diagnosis tries them in this
#: order; the first that explains a failure wins).
DEVIATIONS: dict = {}


def deviation(name, phrase, section, modes=ALL_MODES, diagnostic=True):
    """Class decorator: registers the mixin as the deviation ``name``."""
    def reg(cls):
        DEVIATIONS[name] = Deviation(name, phrase, section, frozenset(modes),
                                     cls, diagnostic)
        return cls
    return reg


# ---- header and packet number -----------------------------------------------

@deviation("pn_little_endian", "the packet number written (and read) "
           "little-endian in the header", "5", XTS | GCM)
class _PnLittleEndian:
    def pn_bytes(self, pn):
        return struct.pack("<Q", pn)

    def read_pn(self, b):
        return struct.unpack("<Q", b)[0]


@deviation("xts_tweak_big_endian", "the XTS data unit number i built from "
           "the packet number big-endian (BE64(PN) || 0^8, not LE64)", "6.2", XTS)
class _TweakBE:
    def xts_tweak(self, pn):
        return struct.pack(">Q", pn) + bytes(8)


@deviation("xts_tweak_high_half", "the packet number in the high half of "
           "the XTS data unit number (0^8 || LE64(PN))", "6.2", XTS)
class _TweakHigh:
    def xts_tweak(self, pn):
        return bytes(8) + struct.pack("<Q", pn)


# ---- GCM nonce and associated data -----------------------------------------

@deviation("nonce_concatenated", "the GCM nonce iv_base[0..4) || BE64(PN) "
           "(concatenated instead of XORed)", "6.3", GCM)
class _NonceConcat:
    def gcm_nonce(self, iv_base, pn):
        return iv_base[:4] + struct.pack(">Q", pn)


@deviation("nonce_xor_first_bytes", "the packet number XORed into the first "
           "8 bytes of iv_base instead of the last 8", "6.3", GCM)
class _NonceOffset:
    def gcm_nonce(self, iv_base, pn):
        return bytes(a ^ b for a, b in zip(iv_base, struct.pack(">Q", pn) + bytes(4)))


@deviation("nonce_pn_little_endian", "the packet number XORed into the GCM "
           "nonce little-endian", "6.3", GCM)
class _NonceLE:
    def gcm_nonce(self, iv_base, pn):
        return bytes(a ^ b for a, b in zip(iv_base, bytes(4) + struct.pack("<Q", pn)))


@deviation("aad_none", "the header left out of the GCM associated data "
           "(no AAD)", "6.3", GCM)
class _AadNone:
    def gcm_aad(self, header):
        return b""


@deviation("aad_header_without_pn", "only flags and check byte (the header "
           "without the packet number) as GCM associated data", "6.3", GCM)
class _AadNoPn:
    def gcm_aad(self, header):
        return header[:2]


@deviation("aad_whole_frame", "the whole frame (header and ciphertext) as "
           "GCM associated data", "6.3", GCM)
class _AadWhole:
    def gcm_seal(self, key, nonce, payload, header):
        ct = AESGCM(key).encrypt(nonce, payload, b"")[:-16]
        return AESGCM(key).encrypt(nonce, payload, header + ct)

    def gcm_open(self, key, nonce, body, header):
        try:
            return AESGCM(key).decrypt(nonce, body, header + body[:-16])
        except InvalidTag:
            raise CE1Error("AUTH_FAILED") from None


@deviation("no_tag_check", "the GCM tag not verified on unprotect",
           "6.3, 9 step 9", GCM)
class _NoTagCheck:
    def gcm_open(self, key, nonce, body, header):
        return _ctr_decrypt_no_tag(key, nonce, body[:-16])


# ---- key handling (spec 3) ----------------------------------------------------

def _hex_text(key: bytes):
    try:
        s = key.decode("ascii")
        return bytes.fromhex(s) if len(s) % 2 == 0 and s.strip() == s and \
            all(c in "0123456789abcdefABCDEF" for c in s) else None
    except (UnicodeDecodeError, ValueError):
        return None


@deviation("key_hex_decoded", "the key string hex-decoded instead of taken "
           "as bytes", "3")
class _KeyHex:
    def key_input(self, mode, key):
        d = _hex_text(key)
        return d if d else key


@deviation("key_truncated", "the key cut to the cipher's key size "
           "(enc_key bytes of the mode)", "3")
class _KeyTrunc:
    def key_input(self, mode, key):
        return key[:_MODES[mode][3]]


# Not in modes 7 and 8: PBKDF2's HMAC pads its key with zeros to 64 bytes
# itself, so a zero-padded key gives the spec's output there (the catalogue
# test found it: the deviation would explain correct GCM2 frames).
@deviation("key_zero_padded", "the key zero-padded to the cipher's key "
           "size (enc_key bytes of the mode)", "3", ECB | XTS | {5, 6})
class _KeyPad:
    def key_input(self, mode, key):
        n = _MODES[mode][3]
        return key + bytes(n - len(key)) if len(key) < n else key


@deviation("key_cut_at_nul", "the key cut at its first NUL byte (taken as "
           "a C string)", "3")
class _KeyNulCut:
    def key_input(self, mode, key):
        return key.split(b"\0", 1)[0]


@deviation("key_nul_terminated", "the key's terminating NUL byte included "
           "in the key", "3")
class _KeyNul:
    def key_input(self, mode, key):
        return key + b"\0"


# ---- key schedule (spec 4) --------------------------------------------------

@deviation("hkdf_extract_swapped", "HKDF-Extract with key and salt swapped "
           "(HMAC(key, 0^32) instead of HMAC(0^32, key))", "4",
           ECB | XTS | {5, 6})
class _ExtractSwapped:
    def extract(self, key):
        return hmac.new(key, bytes(32), hashlib.sha256).digest()


@deviation("label_without_mode", "HKDF labels without the mode string "
           "(\"ce1 key \" alone)", "4")
class _LabelNoMode:
    def label(self, kind, mode):
        return b"ce1 " + kind.encode() + b" "


@deviation("label_without_space", "HKDF labels without the space before the "
           "mode string (\"ce1 key\" || mode string)", "4")
class _LabelNoSpace:
    def label(self, kind, mode):
        return b"ce1 " + kind.encode() + self.mode_string(mode)


@deviation("mode_string_gcm2", "the mode string aes-NNN-gcm2 instead of "
           "aes-NNN-gcm-2", "2, 4", GCM2)
class _ModeStringGcm2:
    def mode_string(self, mode):
        return _MODES[mode][1].replace("gcm-2", "gcm2").encode()


@deviation("pbkdf2_10000", "PBKDF2 at 10,000 iterations instead of 100,000",
           "4", GCM2)
class _Pbkdf2Iter:
    pbkdf2_iterations = 10000


@deviation("ignore_salt", "the salt ignored (an all-zero salt in PBKDF2)",
           "3, 4", GCM2)
class _IgnoreSalt:
    def salt_input(self, salt):
        return bytes(32)


@deviation("salt_base64_text", "the salt's base64 text used as the PBKDF2 "
           "salt instead of the 32 bytes it encodes", "3, 4", GCM2)
class _SaltB64:
    def salt_input(self, salt):
        return base64.b64encode(salt)


# ---- padding (spec 6.1, 6.2) ------------------------------------------------

@deviation("ecb_pad_only_when_needed", "no padding block added to a payload "
           "whose length is a multiple of 16", "6.1", ECB)
class _EcbPadWhenNeeded:
    def ecb_pad(self, payload):
        if len(payload) % 16 == 0 and payload:
            return payload
        return super().ecb_pad(payload)


@deviation("ecb_pad_zeros", "zero padding bytes before the count byte "
           "(ANSI X.923), and only the count checked", "6.1", ECB)
class _EcbPadZero:
    def ecb_pad(self, payload):
        pad = 16 - len(payload) % 16
        return payload + bytes(pad - 1) + bytes([pad])

    def ecb_unpad(self, plain):
        pad = plain[-1]
        if not 1 <= pad <= 16:
            raise CE1Error("BAD_PADDING")
        return plain[:-pad]


@deviation("xts_short_pkcs7", "a short XTS payload padded PKCS#7-style "
           "instead of zeros and a length byte", "6.2", XTS)
class _XtsShortPkcs7:
    def xts_short_encode(self, payload):
        pad = 16 - len(payload)
        return payload + bytes([pad]) * pad

    def xts_short_decode(self, x):
        pad = x[15]
        if not 1 <= pad <= 16 or x[-pad:] != bytes([pad]) * pad:
            raise CE1Error("BAD_PADDING")
        return x[:-pad]


@deviation("xts_short_without_s_flag", "the S flag left clear on a short "
           "XTS payload", "5, 6.2", XTS)
class _XtsNoSFlag:
    def short_flag(self):
        return False


# ---- status mapping and order (spec 3.1, 9, 10) ------------------------------

@deviation("check_byte_last", "the check byte compared after decryption, "
           "padding and tag (step 5 after steps 6 to 9)", "9")
class _CheckLast:
    unprotect_order = ("length", "version", "mode", "sflag", "body", "check")


@deviation("length_checked_last", "the frame length checked after the "
           "header (step 1 after steps 2 to 5)", "9")
class _LengthLate:
    unprotect_order = ("version", "mode", "sflag", "check", "length", "body")


@deviation("mode_before_version", "the mode bits checked before the version "
           "bits (step 3 before step 2)", "9")
class _ModeFirst:
    unprotect_order = ("length", "mode", "version", "sflag", "check", "body")


def _one_status(status):
    class _One:
        def failure_status(self, s):
            return status
    return _One


for _st, _modes in (("MALFORMED", ALL_MODES), ("KEY_MISMATCH", ALL_MODES),
                    ("BAD_PADDING", ECB | XTS), ("AUTH_FAILED", GCM)):
    deviation(f"one_status_{_st.lower()}", f"every unprotect failure "
              f"reported as {_st}", "9, 10", _modes)(_one_status(_st))


@deviation("no_sm4_first", "NOT_SUPPORTED reported before the "
           "configuration's INVALID_ARGUMENT conditions", "3.1, 10.1", {4})
class _NoSm4First:
    def config_errors(self, mode, key, salt):
        if mode == 4:
            raise CE1Error("NOT_SUPPORTED", "no SM4 (checked first)")
        super().config_errors(mode, key, salt)


@deviation("no_sm4", "no SM4 (allowed: NOT_SUPPORTED after every "
           "INVALID_ARGUMENT condition)", "3.1", {4}, diagnostic=False)
class _NoSm4:
    def not_supported(self, mode):
        if mode == 4:
            raise CE1Error("NOT_SUPPORTED", "no SM4")


# ---- sizes (spec 8) -----------------------------------------------------------

@deviation("truncate2048", "frames cut to 2048 bytes (a 2048-byte packet "
           "buffer)", "8")
class _Trunc2048:
    frame_limit = 2048


#: Names of every variation PyCE1 can emulate (the catalogue and no_sm4).
BUGS = frozenset(DEVIATIONS)


@functools.lru_cache(maxsize=None)
def _compose(bugs: frozenset) -> type:
    mixins = tuple(DEVIATIONS[n].mixin for n in DEVIATIONS if n in bugs)
    name = "PyCE1" + "".join(f"+{n}" for n in DEVIATIONS if n in bugs)
    return type(name, mixins + (PyCE1,), {"bugs": bugs})


class PyCE1(_Base):
    """CE1 in pure Python. ``bugs``: names from :data:`DEVIATIONS` to
    emulate (an instance of the class composed of their mixins)."""

    def __new__(cls, bugs=()):
        bugs = frozenset(bugs)
        unknown = bugs - BUGS
        if unknown:
            raise ValueError(f"unknown bugs: {sorted(unknown)}")
        if bugs and cls is PyCE1:
            cls = _compose(bugs)
        return super().__new__(cls)
