"""SFrame (RFC 9605) in plain Python, and the catalogue of its usual
mistakes.

:class:`PySFrame` computes SFrame from RFC 9605 alone (header 4.3, key
derivation 4.4.2, nonce and AAD 4.4.3, AES-CTR with truncated HMAC 4.5.1;
suites 6 to 8 from draft-barnes-sframe-iana-256) and the receiver rules
docs/sframe.md states for chanenc (section 3: a non-minimal header is
MALFORMED; 7.3: the replay window; 7.6: the order of the checks), over
python3-cryptography's AES-CTR and AES-GCM and the standard library's
HMAC; it never calls the chanenc C library. As in
:mod:`chanenc.conform.pyce1` and :mod:`chanenc.conform.pyprim`, every step
an implementer can get wrong is a small method (a *hook*:
``field_bytes``, ``header_strict``, ``label``, ``nonce``, ``aad``,
``ctr_keys``, ``ctr_block``, ``mac_input``, ``tag_of``, ``tag_len``), and an
*SFrame deviation* is a named mixin overriding one or two hooks.
:data:`SFRAME_DEVIATIONS` is the catalogue; ``PySFrame({"ctr_fixed_width"})``
is SFrame with that one bug. The runner's diagnosis
(:class:`~chanenc.conform.diagnose.SFrameDiagnoser`) replays a failed
SFrame check through each of them on the generic engine, exactly as it
replays a CE1 frame through pyce1's catalogue.

Adding a deviation is a few lines::

    @sframe_deviation("nonce_no_ctr", "the salt alone as the nonce ...",
                      "RFC 9605 4.4.3")
    class _NonceNoCtr:
        def nonce(self, salt, ctr): return salt

plus nothing in the tests, which build an implementation from every
catalogued deviation (tests/python/test_diagnose.py).

Not meant for production use: slow, and not constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

try:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    AVAILABLE = True
except ImportError:  # pragma: no cover - python3-cryptography missing
    AVAILABLE = False

__all__ = ["PySFrame", "SFrameError", "SFrameDeviation", "SFRAME_DEVIATIONS",
           "sframe_deviation", "SUITES", "CTR_SUITES", "ALL_SUITES"]

U64 = (1 << 64) - 1
NN = 12
MAX_PAYLOAD = 1 << 20


@dataclass(frozen=True)
class Suite:
    ident: int
    name: str
    hash_name: str
    nka: int      # AES key bytes of a CTR+HMAC suite; 0 for GCM
    nk: int
    nt: int
    gcm: bool

    @property
    def nh(self) -> int:
        return hashlib.new(self.hash_name).digest_size


#: RFC 9605 4.5 / 8.1; 6-8: draft-barnes-sframe-iana-256.
SUITES = {s.ident: s for s in (
    Suite(1, "AES_128_CTR_HMAC_SHA256_80", "sha256", 16, 48, 10, False),
    Suite(2, "AES_128_CTR_HMAC_SHA256_64", "sha256", 16, 48, 8, False),
    Suite(3, "AES_128_CTR_HMAC_SHA256_32", "sha256", 16, 48, 4, False),
    Suite(4, "AES_128_GCM_SHA256_128", "sha256", 0, 16, 16, True),
    Suite(5, "AES_256_GCM_SHA512_128", "sha512", 0, 32, 16, True),
    Suite(6, "AES_256_CTR_HMAC_SHA512_80", "sha512", 32, 96, 10, False),
    Suite(7, "AES_256_CTR_HMAC_SHA512_64", "sha512", 32, 96, 8, False),
    Suite(8, "AES_256_CTR_HMAC_SHA512_32", "sha512", 32, 96, 4, False),
)}
ALL_SUITES = frozenset(SUITES)
CTR_SUITES = frozenset(s for s in SUITES if not SUITES[s].gcm)


class SFrameError(Exception):
    """A refusal; ``.status`` is the chanenc status name."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


def _min_bytes(v: int) -> int:
    return max(1, (v.bit_length() + 7) // 8)


class _Base:
    """SFrame as RFC 9605 (and docs/sframe.md for the receiver) has it;
    each hook below is one step a deviation may override."""

    bugs: frozenset = frozenset()

    def __init__(self) -> None:
        self._derived: dict = {}

    # ---- hooks ----------------------------------------------------------------

    def field_bytes(self, which: str, v: int) -> int:
        """How many bytes an extended KID or CTR field (``which``: "kid",
        "ctr") of value v (8 or more) takes: the fewest (4.3)."""
        return _min_bytes(v)

    def header_strict(self) -> bool:
        """Whether the decoder refuses a header not in the shortest form
        (docs/sframe.md 3)."""
        return True

    def label(self, what: bytes, kid: int, suite: int) -> bytes:
        """The HKDF-Expand label of ``what`` (b"key" or b"salt"), 4.4.2."""
        return (b"SFrame 1.0 Secret " + what + b" " + kid.to_bytes(8, "big")
                + suite.to_bytes(2, "big"))

    def nonce(self, salt: bytes, ctr: int) -> bytes:
        return bytes(a ^ b for a, b in zip(salt, ctr.to_bytes(NN, "big")))

    def aad(self, header: bytes, metadata: bytes) -> bytes:
        return header + metadata

    def ctr_keys(self, s: Suite, key: bytes):
        """(enc_key, auth_key) of a CTR+HMAC suite (4.5.1)."""
        return key[:s.nka], key[s.nka:]

    def ctr_block(self, nonce: bytes) -> bytes:
        """AES-CTR's initial counter block (4.5.1)."""
        return nonce + bytes(4)

    def mac_input(self, s: Suite, nonce, aad, ct) -> bytes:
        return (len(aad).to_bytes(8, "big") + len(ct).to_bytes(8, "big")
                + s.nt.to_bytes(8, "big") + nonce + aad + ct)

    def tag_of(self, mac: bytes, nt: int) -> bytes:
        return mac[:nt]

    def tag_len(self, s: Suite) -> int:
        return s.nt

    # ---- header (4.3) ---------------------------------------------------------

    def header_encode(self, kid: int, ctr: int) -> bytes:
        cfg, ext = 0, b""
        for which, v, shift, flag in (("kid", kid, 4, 0x80), ("ctr", ctr, 0, 0x08)):
            if v < 8:
                cfg |= v << shift
            else:
                n = self.field_bytes(which, v)
                cfg |= flag | ((n - 1) << shift)
                ext += v.to_bytes(n, "big")
        return bytes([cfg]) + ext

    def header_decode(self, buf: bytes):
        """(kid, ctr, header length), or SFrameError("MALFORMED")."""
        if not buf:
            raise SFrameError("MALFORMED")
        cfg, pos, vals = buf[0], 1, []
        for ext, v3 in ((cfg & 0x80, (cfg >> 4) & 7), (cfg & 0x08, cfg & 7)):
            if not ext:
                vals.append(v3)
                continue
            n = v3 + 1
            if pos + n > len(buf):
                raise SFrameError("MALFORMED")
            raw = buf[pos:pos + n]
            pos += n
            v = int.from_bytes(raw, "big")
            if self.header_strict() and (raw[0] == 0 or v < 8):
                raise SFrameError("MALFORMED")
            vals.append(v)
        return vals[0], vals[1], pos

    # ---- key schedule (4.4.2), AEAD (4.4.3, 4.5.1) ----------------------------

    def derive(self, suite: int, kid: int, base_key: bytes):
        """(sframe_key, sframe_salt)."""
        k = (suite, kid, base_key)
        if k not in self._derived:
            s = SUITES[suite]
            secret = hmac.new(b"", base_key, s.hash_name).digest()
            self._derived[k] = (self._expand(s, secret, self.label(b"key", kid, suite), s.nk),
                                self._expand(s, secret, self.label(b"salt", kid, suite), NN))
        return self._derived[k]

    @staticmethod
    def _expand(s: Suite, prk: bytes, info: bytes, n: int) -> bytes:
        out, t, i = b"", b"", 1
        while len(out) < n:
            t = hmac.new(prk, t + info + bytes([i]), s.hash_name).digest()
            out += t
            i += 1
        return out[:n]

    def _ctr(self, key: bytes, nonce: bytes, data: bytes) -> bytes:
        c = Cipher(algorithms.AES(key), modes.CTR(self.ctr_block(nonce))).encryptor()
        return c.update(data) + c.finalize()

    def _tag(self, s: Suite, auth: bytes, nonce, aad, ct) -> bytes:
        return self.tag_of(hmac.new(auth, self.mac_input(s, nonce, aad, ct),
                                    s.hash_name).digest(), s.nt)

    def seal(self, s: Suite, key: bytes, nonce: bytes, aad: bytes, pt: bytes) -> bytes:
        if s.gcm:
            return AESGCM(key).encrypt(nonce, pt, aad)
        enc, auth = self.ctr_keys(s, key)
        ct = self._ctr(enc, nonce, pt)
        return ct + self._tag(s, auth, nonce, aad, ct)

    def open(self, s: Suite, key: bytes, nonce: bytes, aad: bytes, data: bytes) -> bytes:
        if s.gcm:
            try:
                return AESGCM(key).decrypt(nonce, data, aad)
            except InvalidTag:
                raise SFrameError("AUTH_FAILED") from None
        enc, auth = self.ctr_keys(s, key)
        nt = self.tag_len(s)
        ct, tag = data[:len(data) - nt], data[len(data) - nt:]
        if not hmac.compare_digest(self._tag(s, auth, nonce, aad, ct), tag):
            raise SFrameError("AUTH_FAILED")
        return self._ctr(enc, nonce, ct)

    # ---- the operations (conformance.md 7.2) ----------------------------------

    def protect(self, suite, kid, ctr, base_key, metadata, payload) -> bytes:
        if suite not in SUITES or not base_key or not 0 <= kid <= U64 \
                or not 0 <= ctr <= U64:
            raise SFrameError("INVALID_ARGUMENT")
        if len(payload) > MAX_PAYLOAD:
            raise SFrameError("TOO_LARGE")
        s = SUITES[suite]
        key, salt = self.derive(suite, kid, base_key)
        hdr = self.header_encode(kid, ctr)
        return hdr + self.seal(s, key, self.nonce(salt, ctr),
                               self.aad(hdr, metadata), payload)

    def unprotect(self, suite, keys, window, accepted, metadata, frame):
        """(payload, kid, ctr) of ``frame`` for a receiver with ``keys``
        ([(kid, base_key)]) and replay ``window`` that accepted the frames
        ``accepted`` ([(frame, metadata)]) before; or SFrameError."""
        if suite not in SUITES or not 0 <= window <= 1024 or \
                len({k for k, _ in keys}) != len(keys) or \
                any(not bk for _, bk in keys):
            raise SFrameError("INVALID_ARGUMENT")
        rx = {"keys": dict(keys), "top": {}, "seen": {}}
        for f, m in accepted:
            self._receive(suite, rx, window, m, f)
        return self._receive(suite, rx, window, metadata, frame)

    def _receive(self, suite, rx, window, metadata, frame):
        s = SUITES[suite]
        kid, ctr, hl = self.header_decode(frame)
        if len(frame) - hl < self.tag_len(s):
            raise SFrameError("MALFORMED")
        bk = rx["keys"].get(kid)
        if bk is None:
            raise SFrameError("UNKNOWN_KID")
        if len(frame) - hl - s.nt > MAX_PAYLOAD:
            raise SFrameError("TOO_LARGE")
        top = rx["top"].get(kid)
        if window and top is not None and ctr <= top and (
                top - ctr >= window or ctr in rx["seen"][kid]):
            raise SFrameError("REPLAYED")
        key, salt = self.derive(suite, kid, bk)
        hdr = frame[:hl]
        pt = self.open(s, key, self.nonce(salt, ctr), self.aad(hdr, metadata),
                       frame[hl:])
        if top is None or ctr > top:
            rx["top"][kid] = ctr
        rx["seen"].setdefault(kid, set()).add(ctr)
        return pt, kid, ctr


# --------------------------------------------------------------------------
# The catalogue
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class SFrameDeviation:
    """A named departure from RFC 9605: ``phrase`` completes "your frame
    equals the reference's with ..."; ``section`` cites the RFC section it
    breaks; ``suites`` where it changes an answer; ``ops`` the operations
    ("protect", "unprotect") where it does; ``mixin`` overrides the hooks
    of :class:`PySFrame`."""

    name: str
    phrase: str
    section: str
    suites: frozenset
    ops: frozenset
    mixin: type
    diagnostic: bool = True

    @property
    def cite(self) -> str:
        return self.section


#: name -> SFrameDeviation, in catalogue order (first match wins).
SFRAME_DEVIATIONS: dict = {}


def sframe_deviation(name, phrase, section, suites=ALL_SUITES,
                     ops=("protect", "unprotect")):
    def reg(cls):
        SFRAME_DEVIATIONS[name] = SFrameDeviation(
            name, phrase, section, frozenset(suites), frozenset(ops), cls)
        return cls
    return reg


class _Lenient:
    def header_strict(self):
        return False


@sframe_deviation("header_nonminimal_accepted", "a header not in the "
                  "shortest form accepted (read by its length bits, not "
                  "refused as MALFORMED)", "RFC 9605 4.3; docs/sframe.md 3",
                  ops=("unprotect",))
class _NonminimalAccepted(_Lenient):
    pass


@sframe_deviation("ctr_fixed_width", "the CTR, when above 7, always written "
                  "in 8 bytes instead of the fewest (and any length read)",
                  "RFC 9605 4.3")
class _CtrFixedWidth(_Lenient):
    def field_bytes(self, which, v):
        return 8 if which == "ctr" else _min_bytes(v)


@sframe_deviation("kid_fixed_width", "the KID, when above 7, always written "
                  "in 8 bytes instead of the fewest (and any length read)",
                  "RFC 9605 4.3")
class _KidFixedWidth(_Lenient):
    def field_bytes(self, which, v):
        return 8 if which == "kid" else _min_bytes(v)


@sframe_deviation("header_fixed_width", "KID and CTR, when above 7, always "
                  "written in 8 bytes instead of the fewest (and any length "
                  "read)", "RFC 9605 4.3")
class _HeaderFixedWidth(_Lenient):
    def field_bytes(self, which, v):
        return 8


@sframe_deviation("ctr_little_endian", "the CTR XORed into the salt "
                  "little-endian (sframe_salt XOR LE(CTR))", "RFC 9605 4.4.3")
class _CtrLittleEndian:
    def nonce(self, salt, ctr):
        c = bytes(NN - 8) + ctr.to_bytes(8, "little")
        return bytes(a ^ b for a, b in zip(salt, c))


@sframe_deviation("nonce_concat", "the nonce sframe_salt[0..4) || BE64(CTR) "
                  "(salt and CTR concatenated instead of XORed)",
                  "RFC 9605 4.4.3")
class _NonceConcat:
    def nonce(self, salt, ctr):
        return salt[:NN - 8] + ctr.to_bytes(8, "big")


@sframe_deviation("nonce_no_ctr", "the salt alone as the nonce (the CTR not "
                  "XORed in)", "RFC 9605 4.4.3")
class _NonceNoCtr:
    def nonce(self, salt, ctr):
        return salt


@sframe_deviation("aad_no_metadata", "the header alone as AAD (the metadata "
                  "left out, not authenticated)", "RFC 9605 4.4.3")
class _AadNoMetadata:
    def aad(self, header, metadata):
        return header


@sframe_deviation("aad_no_header", "the metadata alone as AAD (the header "
                  "left out, not authenticated)", "RFC 9605 4.4.3")
class _AadNoHeader:
    def aad(self, header, metadata):
        return metadata


@sframe_deviation("aad_metadata_first", "metadata || header as AAD (RFC: "
                  "header || metadata)", "RFC 9605 4.4.3")
class _AadSwapped:
    def aad(self, header, metadata):
        return metadata + header


@sframe_deviation("key_label_no_suite", "HKDF labels without the cipher "
                  "suite (\"SFrame 1.0 Secret key \" || BE64(KID))",
                  "RFC 9605 4.4.2")
class _LabelNoSuite:
    def label(self, what, kid, suite):
        return b"SFrame 1.0 Secret " + what + b" " + kid.to_bytes(8, "big")


@sframe_deviation("key_label_bare", "HKDF labels without KID and cipher "
                  "suite (\"SFrame 1.0 Secret key\", as in the drafts)",
                  "RFC 9605 4.4.2")
class _LabelBare:
    def label(self, what, kid, suite):
        return b"SFrame 1.0 Secret " + what


@sframe_deviation("key_label_kid_compact", "the KID in the HKDF labels in "
                  "the fewest bytes (as in the header) instead of BE64(KID)",
                  "RFC 9605 4.4.2")
class _LabelKidCompact:
    def label(self, what, kid, suite):
        return (b"SFrame 1.0 Secret " + what + b" "
                + kid.to_bytes(_min_bytes(kid), "big") + suite.to_bytes(2, "big"))


@sframe_deviation("ctr_hmac_keys_swapped", "the CTR+HMAC keys taken the "
                  "other way round (auth_key = the first Nh bytes of "
                  "sframe_key, enc_key the rest)", "RFC 9605 4.5.1",
                  suites=CTR_SUITES)
class _CtrKeysSwapped:
    def ctr_keys(self, s, key):
        return key[len(key) - s.nka:], key[:len(key) - s.nka]


@sframe_deviation("ctr_counter_from_one", "AES-CTR's counter block starting "
                  "at nonce || 00000001 (as in GCM) instead of nonce || "
                  "00000000", "RFC 9605 4.5.1", suites=CTR_SUITES)
class _CtrFromOne:
    def ctr_block(self, nonce):
        return nonce + b"\x00\x00\x00\x01"


@sframe_deviation("mac_no_lengths", "the HMAC over nonce || aad || ct "
                  "alone (without the three BE64 lengths)", "RFC 9605 4.5.1",
                  suites=CTR_SUITES)
class _MacNoLengths:
    def mac_input(self, s, nonce, aad, ct):
        return nonce + aad + ct


@sframe_deviation("tag_last_bytes", "the CTR+HMAC tag the last Nt bytes of "
                  "the HMAC instead of the first", "RFC 9605 4.5.1",
                  suites=CTR_SUITES)
class _TagLastBytes:
    def tag_of(self, mac, nt):
        return mac[-nt:]


@sframe_deviation("tag_full_length", "the CTR+HMAC tag not truncated to Nt "
                  "(the whole HMAC, Nh bytes)", "RFC 9605 4.5.1",
                  suites=CTR_SUITES)
class _TagFull:
    def tag_of(self, mac, nt):
        return mac

    def tag_len(self, s):
        return s.nt if s.gcm else s.nh


def PySFrame(bugs=()):
    """SFrame with the named deviations of :data:`SFRAME_DEVIATIONS`
    switched on."""
    bugs = frozenset(bugs)
    unknown = bugs - set(SFRAME_DEVIATIONS)
    if unknown:
        raise ValueError(f"unknown SFrame deviation(s): {sorted(unknown)}")
    mixins = tuple(SFRAME_DEVIATIONS[n].mixin for n in SFRAME_DEVIATIONS
                   if n in bugs)
    # (the mixins come first in the MRO; _Lenient is one of several)
    seen, uniq = set(), []
    for m in mixins:
        if m not in seen:
            seen.add(m)
            uniq.append(m)
    cls = type("PySFrame", tuple(uniq) + (_Base,), {"bugs": bugs})
    return cls()


# --------------------------------------------------------------------------
# What a wrong frame shows (for a failure no deviation explains)
# --------------------------------------------------------------------------

def _lenient_header(buf: bytes):
    """(kid, ctr, length) of a header in any form, minimal or not; None
    when truncated."""
    try:
        return PySFrame({"header_nonminimal_accepted"}).header_decode(buf)
    except SFrameError:
        return None


def frame_where(suite, kid, ctr, payload_len, expected: bytes, actual: bytes) -> str:
    """Where ``actual`` differs from the ``expected`` frame of a protect:
    the header, the length, the ciphertext from byte N, or the tag."""
    if suite not in SUITES:
        return ""
    s = SUITES[suite]
    hdr = _Base.header_encode(PySFrame(), kid, ctr)
    hl = len(hdr)
    if actual[:hl] != hdr:
        h = _lenient_header(actual)
        if h is not None and h[:2] == (kid, ctr):
            return (f"the header {actual[:h[2]].hex()} encodes KID {kid} and "
                    f"CTR {ctr} but is not {hdr.hex()}, the shortest form "
                    "(RFC 9605 4.3)")
        return (f"the header differs: got {actual[:hl + 2].hex()}..., want "
                f"{hdr.hex()} (KID {kid}, CTR {ctr}; RFC 9605 4.3)")
    if len(actual) != len(expected):
        return (f"header right; frame is {len(actual)} bytes, want "
                f"{len(expected)} (payload {payload_len} + header {hl} + "
                f"tag Nt = {s.nt} of {s.name})")
    ct_e, ct_a = expected[hl:-s.nt], actual[hl:-s.nt]
    if ct_e == ct_a:
        return "header and ciphertext right, the tag differs"
    i = next(j for j in range(len(ct_e)) if ct_e[j] != ct_a[j])
    return f"header right, the ciphertext differs from its byte {i}"


def frame_facts(args, expected: bytes, actual: bytes) -> list:
    """What is established about a wrong frame (protect ``args``) no
    catalogued deviation reproduces: where it differs and, for a CTR+HMAC
    suite with the ciphertext right, whether the tag is some other slice
    of the right HMAC."""
    suite, kid, ctr, base_key, metadata, payload = args
    facts = [frame_where(suite, kid, ctr, len(payload), expected, actual)]
    s = SUITES.get(suite)
    if s is None or s.gcm:
        return [f for f in facts if f]
    ref = PySFrame()
    hdr = ref.header_encode(kid, ctr)
    hl = len(hdr)
    if len(actual) == len(expected) and actual[:-s.nt] == expected[:-s.nt]:
        key, salt = ref.derive(suite, kid, base_key)
        aad, ct = hdr + metadata, expected[hl:-s.nt]
        nonce = ref.nonce(salt, ctr)
        mac = hmac.new(ref.ctr_keys(s, key)[1], ref.mac_input(s, nonce, aad, ct),
                       s.hash_name).digest()
        tag = actual[-s.nt:]
        if tag in mac:
            facts.append(f"the tag is bytes {mac.index(tag)}.. of the right "
                         "HMAC; RFC 9605 4.5.1 takes the first Nt")
    return [f for f in facts if f]
