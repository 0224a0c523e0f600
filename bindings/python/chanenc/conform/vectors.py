"""Vector files: where they are, parsing, and the checks each vector
implies.

Where (see vectors/README.md): the CE1 frame files and the project's own
standard files (``ce1/``, ``std/``) are under the vectors directory
(``--vectors``); the other standard files are read where they are
installed, never copied: :data:`PYCA` (Debian package
python3-cryptography-vectors), :data:`CRYPTOPP` (libcrypto++-utils) and
:data:`WYCHEPROOF` (a checkout of Wycheproof's ``testvectors_v1``).
:func:`locate` resolves each set's directory from a runner option, its
environment variable or its default.

Formats understood:

=====================  ====================================================
CE1 frame files        ``*.json`` with ``"format": "ce1-vectors/1"``
NIST CAVP ``.rsp``     AES-ECB (KAT, MMT), AES-GCM (encrypt, decrypt with
                       FAIL lines), XTS-AES (``i`` or DataUnitSeqNumber
                       tweaks, DataUnitLen in bits); ``[sections]``, CRLF and
                       stray CR tolerated
NIST-style ``.txt``    SM4 ECB (draft-ribose-cfrg-sm4 ``[ENCRYPT]`` files)
Crypto++ ``.txt``      ``AlgorithmType:`` files: AES/XTS (IEEE 1619), SM4/ECB,
                       AES/GCM (Encrypt, NotVerify), HKDF(SHA-256) (``\\``
                       continuations, spaced hex, "quoted" and ``r<N>``
                       values, fields that persist within a section)
Wycheproof ``.json``   ``testGroups`` files: AES-GCM, AES-GMAC, AES-XTS,
                       HKDF-SHA-256, PBKDF2-HMACSHA256
SM4 examples ``.txt``  ``ITERATIONS``/KEY/PLAINTEXT/CIPHERTEXT records (the
                       GB/T 32907 examples of vectors/std/, incl. the
                       1,000,000-iteration ones)
Botan ``.vec``         ``[SM4]`` Key/In/Out blocks
AsciiDoc ``.adoc``     the SM4 draft's Appendix A examples
KDF ``.txt``           RFC 5869 HKDF (pyca layout), PBKDF2 (pyca layout,
                       e.g. vectors/std/'s RFC 7914 table), OpenSSL evp_test
                       PBKDF2 stanzas (only SHA-256 applies)
=====================  ====================================================

Each vector becomes one or more :class:`Case` objects whose ``run`` checks
it against an implementation and returns None (passed), :class:`Passed`
(passed, with a note for the report), :class:`Skipped` or
:class:`Failure`.

Layers: the CE1 frame files are checked through the frame operations
(protect, unprotect, derive); every other file through the primitive
operations of tools/ce1_prim.h (``impl.primitive``), on any implementation:
a primitive case names the operations it needs (``Case.ops``), and the
runner skips it, naming them, when the implementation does not announce
them (its ``capabilities()``). Some cases are derived from a vector rather
than read (``Case.derived``: the GCM tag cut to 15, 12, 8, 4 bytes); they
do not count as the file's vectors.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, field
from typing import Callable

__all__ = ["Case", "Failure", "Skipped", "Passed", "VectorFile", "discover",
           "load_file", "first_difference", "ITERATE_SKIP", "VectorSet",
           "expect_bytes", "expect_status", "expect_derive", "same_outcome",
           "NOT_SUPPORTED_SKIP", "classify",
           "SetLocation", "VectorSetMissing", "PYCA", "CRYPTOPP",
           "WYCHEPROOF", "STANDARD_SETS", "locate", "source_tree",
           "judge_answer", "judge_refusal", "tag_cut_cases", "TAG_CUTS",
           "TAG_CUT", "vector_count", "COMPUTED", "COMPUTED_HOSTS",
           "computed_cases", "pbkdf2_rfc8018", "hkdf_rfc5869", "params_text",
           "PARAM_WORDS", "PRIM_NOT_SUPPORTED"]

_SM4_OTHER = "SM4 (CBC/CFB/OFB/CTR)"
_SM4_OTHER_REASON = "SM4 modes other than ECB are not used by CE1 (SM4_128_ECB only)"
_MODE_NAMES = {1: "AES_128_XTS", 2: "AES_128_ECB", 3: "AES_256_XTS",
               4: "SM4_128_ECB", 5: "AES_128_GCM", 6: "AES_256_GCM",
               7: "AES_128_GCM2", 8: "AES_256_GCM2"}


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------

@dataclass
class Skipped:
    """A case that did not run, and why. ``op``: the primitive operation
    the implementation answered NOT_SUPPORTED (the runner's report sums
    those refusals up by the vectors' parameters), else None."""

    reason: str
    op: str | None = None
    #: The check does not apply: it needs operations the implementation
    #: does not announce (a frame-only adapter's primitive and SFrame
    #: checks). Counted apart from the genuine skips in the summary line.
    not_applicable: bool = False


@dataclass
class Passed:
    """A passed case with something worth reporting: how a case that
    allows two outcomes went (XTS with Key1 == Key2 refused on encrypt,
    accepted on decrypt; an acceptable Wycheproof vector refused)."""

    note: str


@dataclass
class Failure:
    """A failed case.

    ``kind`` names the mismatch: frame_mismatch, payload_mismatch,
    output_mismatch, derive_mismatch, wrong_status, missing_error,
    unexpected_error, buffer_modified, timeout, crashed, garbage,
    bad_answer, out_of_step, unusable, bad_vector_file, oracle_error,
    runner_error; and, once per run, for an adapter's stray output:
    banner, extra_output, out_of_step.
    ``expected``/``actual`` are bytes or status names (or None).
    """

    kind: str
    message: str = ""
    expected: object = None
    actual: object = None
    extra: dict = field(default_factory=dict)


def first_difference(a: bytes, b: bytes) -> int | None:
    """Offset of the first differing byte (a length difference counts at
    the shorter length); None when equal."""
    if a == b:
        return None
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


@dataclass
class Case:
    """One check: ``run(impl)`` returns None, Skipped or Failure."""

    file: str
    algo: str
    id: str
    comment: str
    op: str
    run: Callable | None = None
    skip: str | None = None
    primitive: bool = False
    mode: int | None = None
    #: The group of a CE1 frame file the case comes from ("g0", "g1", ...
    #: in the order of the file's ``groups``); None elsewhere.
    group: str | None = None
    #: The primitive operations the check sends (tools/ce1_prim.h): it is
    #: skipped when the implementation does not announce them all.
    ops: tuple = ()
    #: What the vector is, for characterising failures (diagnose.py):
    #: {"prim": "aes_xts", "key_bits": 128, "data_len": 17, ...}; "check":
    #: "refuse" for a vector that must be refused ("answer", a known
    #: answer, when absent).
    params: dict | None = None
    #: Line of the vector in its file, when known.
    line: int | None = None
    #: A check derived from a vector, not the vector itself ("tag cut"),
    #: or computed at run time ("computed"): not counted among the file's
    #: vectors, a row of its own.
    derived: str | None = None
    #: The layer, when not told by ``primitive`` and the file ("sframe").
    layer: str | None = None
    #: The check needs the CE1 frame operations (protect, unprotect): it is
    #: skipped when the implementation does not announce them.
    frame_ops: bool = False


@dataclass
class VectorFile:
    """A file under the vectors directory and its cases."""

    path: str
    rel: str
    kind: str
    cases: list = field(default_factory=list)
    note: str = ""


# --------------------------------------------------------------------------
# Outcome checks shared by CE1 cases and the differential pass
# --------------------------------------------------------------------------

#: Skip reason of a check the implementation answers NOT_SUPPORTED.
NOT_SUPPORTED_SKIP = "mode not supported by this implementation (NOT_SUPPORTED)"
_ORDER = ("every INVALID_ARGUMENT condition of a configuration comes before "
          "NOT_SUPPORTED (spec 3.1, 10.1)")


def _transport_failure(out, expected):
    return Failure(out.transport, out.detail, expected=expected, actual=None)


def expect_bytes(out, expected: bytes, what: str):
    """Success with exactly ``expected`` bytes."""
    if out.transport:
        return _transport_failure(out, expected)
    if out.status == "NOT_SUPPORTED":
        return Skipped(NOT_SUPPORTED_SKIP)
    if out.status is not None:
        return Failure("unexpected_error", f"expected success, got {out.status}",
                       expected=expected, actual=out.status)
    if out.value != expected:
        return Failure(f"{what}_mismatch", f"{what} differs",
                       expected=expected, actual=out.value)
    return None


def expect_status(out, status: str):
    """Failure with exactly ``status``, buffer untouched. NOT_SUPPORTED
    where the configuration is valid (an operation's own status is
    expected) is a skip; where ``status`` is INVALID_ARGUMENT it fails."""
    if out.transport:
        return _transport_failure(out, status)
    if out.status == "NOT_SUPPORTED" and status not in ("NOT_SUPPORTED",
                                                        "INVALID_ARGUMENT"):
        return Skipped(NOT_SUPPORTED_SKIP)
    if out.status is None:
        return Failure("missing_error", f"expected {status}, got success",
                       expected=status, actual=out.value)
    if out.status != status:
        why = f": {_ORDER}" if out.status == "NOT_SUPPORTED" else ""
        return Failure("wrong_status", f"expected {status}, got {out.status}{why}",
                       expected=status, actual=out.status)
    if out.buffer_modified:
        return Failure("buffer_modified",
                       f"failed with {status} as expected but changed the "
                       "caller's buffer", expected=status, actual=status)
    return None


def expect_derive(out, exp):
    """The key-schedule outputs ``exp`` = (enc_key, iv_base or None,
    check). An implementation without derive (optional) is a skip."""
    if out.status == "UNSUPPORTED_OP":
        return Skipped("implementation has no derive operation "
                       "(optional; checked through the frames)")
    if out.transport:
        return _transport_failure(out, None)
    if out.status == "NOT_SUPPORTED":
        return Skipped(NOT_SUPPORTED_SKIP)
    if out.status:
        return Failure("unexpected_error", f"derive failed with {out.status}",
                       expected=exp[0], actual=out.status)
    for name, e, a in zip(("enc_key", "iv_base", "check"), exp, out.value):
        if name == "check":
            e, a = bytes([e]), bytes([a])
        if e != a:
            return Failure("derive_mismatch", f"{name} differs",
                           expected=e, actual=a, extra={"field": name})
    return None


def same_outcome(o, c):
    """None when the candidate's outcome ``c`` agrees with the oracle's
    ``o``; Skipped when the candidate lacks the mode's cipher (it answers
    NOT_SUPPORTED where the configuration is valid, spec 10.1), or the
    oracle does; else Failure."""
    if c.transport:
        return Failure(c.transport, c.detail,
                       expected=o.status if o.status else o.value, actual=None)
    if c.status == "NOT_SUPPORTED" and o.status not in ("NOT_SUPPORTED",
                                                        "INVALID_ARGUMENT"):
        return Skipped(NOT_SUPPORTED_SKIP)
    if o.status == "NOT_SUPPORTED" and c.status != "NOT_SUPPORTED":
        return Skipped("the reference lacks this mode's cipher (NOT_SUPPORTED): "
                       "nothing to compare with")
    if o.status or c.status:
        if o.status == c.status:
            if c.buffer_modified:
                return Failure("buffer_modified",
                               f"failed with {c.status} but changed the caller's buffer",
                               expected=o.status, actual=c.status)
            return None
        if o.status and c.status:
            why = f": {_ORDER}" if c.status == "NOT_SUPPORTED" else ""
            return Failure("wrong_status", f"expected {o.status}, got {c.status}{why}",
                           expected=o.status, actual=c.status)
        if o.status:
            return Failure("missing_error", f"expected {o.status}, got success",
                           expected=o.status, actual=c.value)
        return Failure("unexpected_error", f"expected success, got {c.status}",
                       expected=o.value, actual=c.status)
    if o.value != c.value:
        return Failure("payload_mismatch", "payload differs", expected=o.value,
                       actual=c.value)
    return None


def _bad_file(rel: str, kind: str, algo: str, msg: str) -> Case:
    def run(impl, msg=msg):
        return Failure("bad_vector_file", msg)
    return Case(rel, algo, "-", "unreadable vector file", "parse", run)


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------

def _lines(text: str):
    """Lines without CR (CRLF files, stray CRs) and trailing blanks."""
    for i, raw in enumerate(text.split("\n"), 1):
        yield i, raw.replace("\r", "").rstrip()


def _hex(s: str) -> bytes:
    s = re.sub(r"\s+", "", s)
    if s[:2].lower() == "0x":
        s = s[2:]
    return bytes.fromhex(s)


def _kv_records(text: str, start_keys=("COUNT", "Count")):
    """NIST-style ``key = value`` records. Yields (section params, record,
    line) where a record starts at a COUNT line and section params come
    from the ``[...]`` lines before it. A bare FAIL line sets record
    ["FAIL"] = True."""
    params: dict = {}
    rec = None
    rec_line = 0
    last_was_bracket = False
    for ln, line in _lines(text):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("[") and s.endswith("]"):
            if rec is not None:
                yield dict(params), rec, rec_line
                rec = None
            if not last_was_bracket:
                params = {}
            inner = s[1:-1].strip()
            if "=" in inner:
                k, v = inner.split("=", 1)
                params[k.strip()] = v.strip()
            else:
                params[inner] = None
            last_was_bracket = True
            continue
        last_was_bracket = False
        if s == "FAIL":
            if rec is not None:
                rec["FAIL"] = True
            continue
        if "=" not in s:
            continue
        k, v = s.split("=", 1)
        k, v = k.strip(), v.strip()
        if k in start_keys or rec is None or k in rec:
            if rec is not None:
                yield dict(params), rec, rec_line
            rec, rec_line = {}, ln
        rec[k] = v
    if rec is not None:
        yield dict(params), rec, rec_line


def _direction(params: dict) -> str | None:
    for k in params:
        if k.upper() == "ENCRYPT":
            return "encrypt"
        if k.upper() == "DECRYPT":
            return "decrypt"
    return None


# --------------------------------------------------------------------------
# CE1 frame files
# --------------------------------------------------------------------------

def _ce1_cases(rel: str, doc: dict) -> list:
    cases = []
    for gi, g in enumerate(doc.get("groups") or []):
        try:
            mode = int(g["mode"])
            key = bytes.fromhex(g.get("key", ""))
            salt = bytes.fromhex(g.get("salt", "00" * 32))
        except (KeyError, ValueError, TypeError) as e:
            cases.append(_bad_file(rel, "ce1", "CE1", f"group {gi}: {e}"))
            continue
        algo = g.get("mode_name") or _MODE_NAMES.get(mode, "invalid mode")
        gid = f"group {gi}"
        gcomment = str(g.get("comment") or "")

        def mk(id_, comment, op, run, group=f"g{gi}"):
            cases.append(Case(rel, algo, id_, comment, op, run, mode=mode,
                              group=group, frame_ops=True))

        cfg_status = g.get("config_status")
        if cfg_status:
            def run_cfg(impl, mode=mode, key=key, salt=salt, st=cfg_status):
                if len(salt) != 32 and not impl.salt_any_length:
                    return Skipped("the C ABI takes salt[32]: a salt of another "
                                   "length cannot be passed")
                # Every operation is refused alike: the configuration is
                # checked before the operation's own inputs (spec 10.1).
                outs = [("protect", impl.protect(mode, key, salt, 0, b"")),
                        ("unprotect", impl.unprotect(mode, key, salt, bytes(42)))]
                der = impl.derive(mode, key, salt)
                if der.status != "UNSUPPORTED_OP":
                    outs.append(("derive", der))
                if st == "NOT_SUPPORTED":
                    # A cipher the implementation has: nothing to refuse.
                    if outs[0][1].ok or outs[0][1].status == "TOO_LARGE":
                        return Skipped("file expects NOT_SUPPORTED but this "
                                       "implementation supports the mode")
                for op, out in outs:
                    res = expect_status(out, st)
                    if res is not None:
                        if isinstance(res, Failure) and len(outs) > 1:
                            res.message = f"{op}: {res.message}"
                            res.extra["operation"] = op
                        return res
                return None
            mk(f"{gid}/config", gcomment or f"configuration refused with {cfg_status}",
               "config", run_cfg)
            continue

        d = g.get("derived")
        if isinstance(d, dict):
            try:
                exp = (bytes.fromhex(d["enc_key"]),
                       None if d.get("iv_base") is None else bytes.fromhex(d["iv_base"]),
                       bytes.fromhex(d["check"])[0])
            except (KeyError, ValueError, TypeError, IndexError) as e:
                cases.append(_bad_file(rel, "ce1", algo, f"{gid} derived: {e}"))
                exp = None
            if exp is not None:
                def run_derive(impl, mode=mode, key=key, salt=salt, exp=exp):
                    return expect_derive(impl.derive(mode, key, salt), exp)
                mk(f"{gid}/derive", "key schedule outputs (spec 4)"
                   + (f"; {gcomment}" if gcomment else ""), "derive", run_derive)

        for t in g.get("tests") or []:
            tid = str(t.get("id", "?"))
            comment = str(t.get("comment", ""))
            try:
                frame = bytes.fromhex(t["frame"])
                result = t["result"]
                if result == "valid":
                    payload = bytes.fromhex(t["payload"])
                    pn = t.get("pn")
                    pn = 0 if pn is None else int(pn, 16)
                elif result == "invalid":
                    status = t["status"]
                else:
                    raise ValueError(f"result {result!r}")
            except (KeyError, ValueError, TypeError) as e:
                cases.append(_bad_file(rel, "ce1", algo, f"test {tid}: {e}"))
                continue
            if result == "valid":
                def run_p(impl, mode=mode, key=key, salt=salt, pn=pn,
                          payload=payload, frame=frame):
                    return expect_bytes(impl.protect(mode, key, salt, pn, payload),
                                        frame, "frame")

                def run_u(impl, mode=mode, key=key, salt=salt, payload=payload,
                          frame=frame):
                    return expect_bytes(impl.unprotect(mode, key, salt, frame),
                                        payload, "payload")
                mk(tid, comment, "protect", run_p)
                mk(tid, comment, "unprotect", run_u)
            else:
                def run_i(impl, mode=mode, key=key, salt=salt, frame=frame,
                          status=status):
                    return expect_status(impl.unprotect(mode, key, salt, frame),
                                         status)
                mk(tid, comment, "unprotect", run_i)
    return cases


# --------------------------------------------------------------------------
# Primitive checks: the operations of tools/ce1_prim.h, through
# impl.primitive(op, **fields), on any implementation that announces them
# --------------------------------------------------------------------------

#: Skip reason of the GB/T 32907 examples that iterate SM4 a million times
#: for an implementation without the reference's own loop.
ITERATE_SKIP = ("1,000,000 iterated SM4 encryptions: one request each "
                "through an adapter interface (ce1_prim.h has no iterate "
                "operation); run against the reference only")
#: The tag lengths a full 16-byte GCM tag is cut to by the derived checks.
TAG_CUTS = (15, 12, 8, 4)
#: The derived checks' label (Case.derived, a row of its own in reports).
TAG_CUT = "tag cut"

_GCM_OPS = ("aes_gcm_seal", "aes_gcm_open")
_OPEN = ("aes_gcm_open",)
_XTS_OPS = ("aes_xts_encrypt", "aes_xts_decrypt")
_REFUSALS = ("INVALID_ARGUMENT", "NOT_SUPPORTED")


def _joined(v):
    if isinstance(v, dict):
        return b"".join(bytes(x) for x in v.values())
    return v


def _pfail(kind, op, msg, expected, actual, **extra):
    return Failure(kind, f"{op}: {msg}", expected=expected, actual=actual,
                   extra={"operation": op, **extra})


#: The start of the skip reason of a primitive the implementation
#: answered NOT_SUPPORTED (followed by the operation).
PRIM_NOT_SUPPORTED = "NOT_SUPPORTED by the implementation: "


def _not_supported(op, hint):
    """NOT_SUPPORTED for a vector valid for the algorithm: a skip. The
    runner adds what the vector is (:func:`params_text` of the case) and
    sums the refusals up by the vectors' parameters (run.py)."""
    return Skipped(f"{PRIM_NOT_SUPPORTED}{op}"
                   + (f" (the vector: {hint})" if hint else ""), op=op)


#: How a vector's parameters read in skip reasons and summaries:
#: param -> (singular, plural, unit).
PARAM_WORDS = {
    "key_bits": ("key size", "key sizes", "bits"),
    "iv_len": ("IV length", "IV lengths", "bytes"),
    "tag_len": ("tag length", "tag lengths", "bytes"),
    "tag_cut": ("tag cut to", "tags cut to", "bytes"),
    "data_len": ("data length", "data lengths", "bytes"),
    "aad_len": ("AAD length", "AAD lengths", "bytes"),
    "pt_len": ("plaintext length", "plaintext lengths", "bytes"),
    "length": ("output length", "output lengths", "bytes"),
    "salt_len": ("salt length", "salt lengths", "bytes"),
    "password_len": ("password length", "password lengths", "bytes"),
    "ikm_len": ("IKM length", "IKM lengths", "bytes"),
    "info_len": ("info length", "info lengths", "bytes"),
    "prk_len": ("PRK length", "PRK lengths", "bytes"),
    "iterations": ("iteration count", "iteration counts", None),
    "key1_eq_key2": ("Key1 == Key2", "Key1 == Key2", None),
    "partial_block": ("a partial last block", "a partial last block", None),
}


def params_text(params: dict | None) -> str:
    """A vector's parameters as they are ("key 192 bits, IV 1 byte, tag
    16 bytes"), for the skip reason of one refused vector."""
    if not params:
        return ""
    short = {"key_bits": ("key", "bits"), "iv_len": ("IV", "bytes"),
             "tag_len": ("tag_len", ""), "tag_cut": ("tag cut to", "bytes"),
             "data_len": ("data", "bytes"), "aad_len": ("AAD", "bytes"),
             "length": ("length", ""), "salt_len": ("salt", "bytes"),
             "password_len": ("password", "bytes"),
             "ikm_len": ("IKM", "bytes"), "info_len": ("info", "bytes"),
             "prk_len": ("PRK", "bytes"), "iterations": ("iterations", "")}
    out = []
    for k, (name, unit) in short.items():
        v = params.get(k)
        if v is None or (k == "tag_cut" and not v):
            continue
        if unit == "bytes" and v == 1:
            unit = "byte"
        out.append(f"{name} {v}" + (f" {unit}" if unit else ""))
    if params.get("key1_eq_key2"):
        out.append("Key1 == Key2")
    return ", ".join(out)


def ce1_requires(op: str, fields: dict | None) -> str | None:
    """What CE1 itself needs of ``op`` with these request members, when
    every CE1 implementation must support them (docs/spec.md 2, 4, 6):
    AES-128-ECB, SM4-ECB (16-byte keys), AES-128/256-XTS (32- and 64-byte
    keys, 16-byte tweak), AES-128/256-GCM with a 12-byte IV and a 16-byte
    tag (any AAD), HKDF-SHA256 and PBKDF2-HMAC-SHA256 with salts up to 32
    bytes and outputs up to 64. None otherwise (a NOT_SUPPORTED stays a
    skip: AES-192, long or short IVs, short tags...)."""
    if not fields:
        return None
    n = lambda k: len(fields.get(k) or b"")
    if op in ("aes_ecb_encrypt", "aes_ecb_decrypt"):
        if n("key") == 16 and n("data") % 16 == 0:
            return "AES-128-ECB (16-byte key; CE1 mode AES_128_ECB)"
    elif op in ("sm4_ecb_encrypt", "sm4_ecb_decrypt"):
        if n("key") == 16 and n("data") % 16 == 0:
            return "SM4-ECB (16-byte key; CE1 mode SM4_128_ECB)"
    elif op in ("aes_xts_encrypt", "aes_xts_decrypt"):
        k = fields.get("key") or b""
        if len(k) in (32, 64) and n("tweak") == 16 and \
                16 <= n("data") <= (1 << 20) and k[:len(k) // 2] != k[len(k) // 2:]:
            return (f"AES-{len(k) * 4}-XTS ({len(k)}-byte key; CE1 mode "
                    f"AES_{len(k) * 4}_XTS)")
    elif op in ("aes_gcm_seal", "aes_gcm_open"):
        if n("key") in (16, 32) and n("iv") == 12 and fields.get("tag_len") == 16 \
                and (op == "aes_gcm_seal" or n("tag") == 16):
            return (f"AES-{n('key') * 8}-GCM with a 12-byte IV and a 16-byte "
                    f"tag (CE1 modes AES_{n('key') * 8}_GCM, AES_{n('key') * 8}_GCM2)")
    elif op in ("hkdf_sha256", "hkdf_sha256_extract", "hkdf_sha256_expand"):
        length = fields.get("length", 32)
        if n("salt") <= 32 and isinstance(length, int) and 1 <= length <= 64 \
                and (op != "hkdf_sha256_expand" or n("prk") == 32) \
                and (op == "hkdf_sha256_expand" or n("ikm") >= 1) and n("info") <= 32:
            return "HKDF-SHA256 (salt up to 32 bytes, output up to 64; CE1's key schedule)"
    elif op == "pbkdf2_sha256":
        length, it = fields.get("length"), fields.get("iterations")
        if n("password") >= 1 and n("salt") <= 32 and isinstance(length, int) \
                and 1 <= length <= 64 and isinstance(it, int) and 1 <= it <= 100000:
            return ("PBKDF2-HMAC-SHA256 (salt up to 32 bytes, output up to 64; "
                    "CE1 modes AES_128_GCM2, AES_256_GCM2)")
    return None


def _ns_required(op, fields, expected):
    """The Failure of a NOT_SUPPORTED for parameters CE1 needs, or None."""
    need = ce1_requires(op, fields)
    if need is None:
        return None
    return _pfail("not_supported_required", op, "answered NOT_SUPPORTED, but "
                  f"every CE1 implementation must support {need}",
                  expected, "NOT_SUPPORTED")


def judge_answer(out, op: str, expected: dict, hint: str = "", fields=None):
    """A primitive's Outcome against the expected answer members (bytes
    each): None when they are all equal; NOT_SUPPORTED is a skip (an
    implementation may lack AES-192, a long GCM IV...), anything else a
    Failure naming the op and the member that differs."""
    if out.transport:
        return _pfail(out.transport, op, out.detail, _joined(expected), None)
    if out.status == "NOT_SUPPORTED":
        return (_ns_required(op, fields, _joined(expected))
                or _not_supported(op, hint))
    if out.status is not None:
        return _pfail("unexpected_error", op, f"expected success, got {out.status}",
                      _joined(expected), out.status)
    for name, want in expected.items():
        got = out.value.get(name) if isinstance(out.value, dict) else None
        if got != want:
            return _pfail("output_mismatch", op, f"{name} differs", want, got,
                          field=name)
    return None


def judge_refusal(out, op: str, want: str | None = None, hint: str = "",
                  fields=None):
    """A primitive's Outcome where the vector must be refused: with status
    ``want``, or any error status when ``want`` is None; nothing written
    to the output (out_modified)."""
    label = want or "any error status"
    if out.transport:
        return _pfail(out.transport, op, out.detail, label, None)
    if out.status == "NOT_SUPPORTED" and want not in (None,) + _REFUSALS:
        return _ns_required(op, fields, label) or _not_supported(op, hint)
    if out.status is None:
        return _pfail("missing_error", op, f"expected {label}, got success",
                      label, _joined(out.value))
    if want is not None and out.status != want:
        return _pfail("wrong_status", op, f"expected {want}, got {out.status}",
                      want, out.status)
    if out.buffer_modified:
        return _pfail("buffer_modified", op, f"refused with {out.status} as "
                      "expected but wrote to its output", label, out.status)
    return None


def _expect(impl, op, fields, expected, hint=""):
    return judge_answer(impl.primitive(op, **fields), op, expected, hint, fields)


def _refuse(impl, op, fields, want=None, hint=""):
    return judge_refusal(impl.primitive(op, **fields), op, want, hint, fields)


def _both(*checks):
    """Runs checks in order; returns the first Failure or Skipped. Notes
    of checks that passed with one (:class:`Passed`) are kept."""
    notes = []
    for c in checks:
        r = c()
        if isinstance(r, Passed):
            notes.append(r.note)
        elif r is not None:
            return r
    return Passed("; ".join(notes)) if notes else None


def _pcase(rel, algo, id_, comment, op, run=None, skip=None, *, ops=(),
           params=None, line=None, derived=None):
    return Case(rel, algo, id_, comment, op, run, skip=skip, primitive=True,
                ops=tuple(ops), params=params, line=line, derived=derived)


# ---- the checks of each primitive ------------------------------------------

def _ecb_case(rel, algo, cid, comment, op, cipher, key, pt, ct, first="encrypt",
              line=None):
    enc_op, dec_op = f"{cipher}_ecb_encrypt", f"{cipher}_ecb_decrypt"
    hint = ""    # the runner names the vector's parameters

    def run(impl):
        enc = lambda: _expect(impl, enc_op, {"key": key, "data": pt}, {"data": ct}, hint)
        dec = lambda: _expect(impl, dec_op, {"key": key, "data": ct}, {"data": pt}, hint)
        return _both(*((enc, dec) if first == "encrypt" else (dec, enc)))
    return _pcase(rel, algo, cid, comment, op, run, ops=(enc_op, dec_op),
                  params={"prim": f"{cipher}_ecb", "key_bits": len(key) * 8,
                          "data_len": len(pt)}, line=line)


def _sm4_iterated_case(rel, cid, comment, key, pt, ct, n, both=True, line=None):
    """ECB applied ``n`` times: the reference's loop (ecb_iterate); other
    implementations would need a request per iteration."""
    def run(impl):
        it = getattr(impl, "ecb_iterate", None)
        if it is None:
            return Skipped(ITERATE_SKIP)
        what = f"sm4_ecb_encrypt x{n:,}"
        checks = [lambda: judge_answer(it("sm4", key, pt, n, True), what, {"data": ct})]
        if both:
            checks.append(lambda: judge_answer(it("sm4", key, ct, n, False),
                                               f"sm4_ecb_decrypt x{n:,}", {"data": pt}))
        return _both(*checks)
    return _pcase(rel, "SM4-ECB", cid, comment, "encrypt", run,
                  ops=("sm4_ecb_encrypt", "sm4_ecb_decrypt") if both else
                  ("sm4_ecb_encrypt",),
                  params={"prim": "sm4_ecb", "key_bits": 128,
                          "data_len": len(pt), "iterations": n}, line=line)


def _xts_case(rel, algo, cid, comment, direction, key, tweak, pt, ct, line=None):
    half = len(key) // 2
    same = key[:half] == key[half:]

    def run(impl):
        if same:
            return _xts_same_keys(impl, key, tweak, pt, ct, direction)
        enc = lambda: _expect(impl, "aes_xts_encrypt",
                              {"key": key, "tweak": tweak, "data": pt}, {"data": ct})
        dec = lambda: _expect(impl, "aes_xts_decrypt",
                              {"key": key, "tweak": tweak, "data": ct}, {"data": pt})
        return _both(*((enc, dec) if direction == "encrypt" else (dec, enc)))
    return _pcase(rel, algo, cid, comment, direction, run, ops=_XTS_OPS,
                  params={"prim": "aes_xts", "key_bits": len(key) * 4,
                          "data_len": len(pt), "partial_block": len(pt) % 16 != 0,
                          "key1_eq_key2": same}, line=line)


def _xts_same_keys(impl, key, tweak, pt, ct, direction):
    """XTS with Key1 == Key2: SP 800-38E lets an implementation refuse it
    (INVALID_ARGUMENT or NOT_SUPPORTED); one that accepts it must give the
    right bytes. Either passes; the note says which, per direction, so
    that an implementation that refuses one way only is visible."""
    steps = [("encrypt", "aes_xts_encrypt", pt, ct),
             ("decrypt", "aes_xts_decrypt", ct, pt)]
    if direction != "encrypt":
        steps.reverse()
    seen = []
    for name, op, data, want in steps:
        out = impl.primitive(op, key=key, tweak=tweak, data=data)
        if out.transport:
            return _pfail(out.transport, op, out.detail, want, None)
        if out.status in _REFUSALS:
            if out.buffer_modified:
                return _pfail("buffer_modified", op, f"refused Key1 == Key2 with "
                              f"{out.status} but wrote to its output", want, out.status)
            seen.append((name, out.status))
            continue
        if out.status is not None:
            return _pfail("unexpected_error", op, "Key1 == Key2: expected the right "
                          "bytes or a refusal (INVALID_ARGUMENT, NOT_SUPPORTED), "
                          f"got {out.status}", want, out.status)
        got = out.value.get("data")
        if got != want:
            return _pfail("output_mismatch", op, "Key1 == Key2 accepted, but data "
                          "differs", want, got, field="data")
        seen.append((name, None))
    (n1, s1), (n2, s2) = seen
    if s1 == s2:
        return Passed(f"{'refused' if s1 else 'accepted'} Key1 == Key2 on {n1} "
                      f"and {n2}" + (f" ({s1})" if s1 else ""))
    first = f"{'refused' if s1 else 'accepted'} Key1 == Key2 on {n1}" + (
        f" ({s1})" if s1 else "")
    return Passed(f"{first}, {'refused' if s2 else 'accepted'} on {n2}"
                  + (f" ({s2})" if s2 else ""))


def _gcm_hint(key, iv) -> str:
    """No guess at what an implementation refuses: the runner names the
    refused vectors' parameters (params_text, and its summary by
    parameter)."""
    return ""


def _gcm_params(key, iv, aad, pt_len, tag_len, cut=0):
    return {"prim": "aes_gcm", "key_bits": len(key) * 8, "iv_len": len(iv),
            "aad_len": len(aad), "pt_len": pt_len, "tag_len": tag_len,
            "tag_cut": cut}


def _seal(impl, key, iv, aad, pt, ct, tag, tag_len):
    return _expect(impl, "aes_gcm_seal", {"key": key, "iv": iv, "aad": aad,
                                          "plaintext": pt, "tag_len": tag_len},
                   {"ciphertext": ct, "tag": tag}, _gcm_hint(key, iv))


def _open(impl, key, iv, aad, ct, tag, tag_len, pt, want="AUTH_FAILED"):
    """Opens; ``pt`` None: must be refused with ``want`` (None: any
    error status)."""
    f = {"key": key, "iv": iv, "aad": aad, "ciphertext": ct, "tag": tag,
         "tag_len": tag_len}
    if pt is None:
        return _refuse(impl, "aes_gcm_open", f, want, _gcm_hint(key, iv))
    return _expect(impl, "aes_gcm_open", f, {"plaintext": pt}, _gcm_hint(key, iv))


def _gcm_case(rel, algo, cid, comment, key, iv, aad, pt, ct, tag, tag_len,
              open_first=False, line=None):
    """A valid GCM vector: seal gives ct and tag, open gives pt."""
    def run(impl):
        s = lambda: _seal(impl, key, iv, aad, pt, ct, tag, tag_len)
        o = lambda: _open(impl, key, iv, aad, ct, tag, tag_len, pt)
        return _both(*((o, s) if open_first else (s, o)))
    return _pcase(rel, algo, cid, comment, "decrypt" if open_first else "encrypt",
                  run, ops=_GCM_OPS, line=line,
                  params=_gcm_params(key, iv, aad, len(pt), tag_len))


def _gcm_forgery_case(rel, algo, cid, comment, key, iv, aad, ct, tag, tag_len,
                      want="AUTH_FAILED", line=None, pt_len=None):
    """A GCM vector that must not open: AUTH_FAILED (``want`` None: any
    error status)."""
    params = _gcm_params(key, iv, aad, len(ct) if pt_len is None else pt_len,
                         tag_len)
    params["check"] = "refuse"
    return _pcase(rel, algo, cid, comment, "decrypt",
                  lambda impl: _open(impl, key, iv, aad, ct, tag, tag_len, None, want),
                  ops=_OPEN, line=line, params=params)


def tag_cut_cases(rel, algo, cid, comment, key, iv, aad, ct, tag, line=None,
                  pt_len=None) -> list:
    """Derived checks of a vector with a full 16-byte tag: open with the
    tag cut to 15, 12, 8 and 4 bytes while tag_len stays 16 must be
    AUTH_FAILED (ce1_prim.h: a tag of another size than the receiver
    expects is a forgery; an implementation that compares only the bytes
    it got accepts them). Ids: "<id> tag cut to N"."""
    if len(tag) != 16:
        return []
    out = []
    full = {"key": key, "iv": iv, "aad": aad, "ciphertext": ct, "tag": tag,
            "tag_len": 16}
    for cut in TAG_CUTS:
        c = _gcm_forgery_case(
            rel, algo, f"{cid} tag cut to {cut}",
            f"derived: the valid vector's tag cut to {cut} of 16 bytes, "
            "tag_len 16: a forgery, AUTH_FAILED" + (f"; {comment}" if comment else ""),
            key, iv, aad, ct, tag[:cut], 16, line=line,
            pt_len=len(ct) if pt_len is None else pt_len)
        c.op, c.derived = "open", TAG_CUT
        c.params["tag_cut"] = cut
        c.run = _tag_cut_run(full, tag[:cut], cut)
        out.append(c)
    return out


def _tag_cut_run(full, cut_tag, cut):
    """A tag-cut check: the open with the full tag first (same key, IV,
    AAD, tag_len 16). NOT_SUPPORTED there: a skip; otherwise the open
    with the cut tag must be AUTH_FAILED, and NOT_SUPPORTED is a
    failure (the implementation took these parameters)."""
    def run(impl):
        op = "aes_gcm_open"
        first = impl.primitive(op, **full)
        if first.transport:
            return _pfail(first.transport, op, first.detail, "AUTH_FAILED", None)
        if first.status == "NOT_SUPPORTED":
            return _not_supported(op, "")
        clear = getattr(impl, "clear", None)
        if clear is not None:
            clear()     # a failure shows the request with the cut tag
        out = impl.primitive(op, **dict(full, tag=cut_tag))
        if out.status == "NOT_SUPPORTED" and not out.transport:
            return _pfail("wrong_status", op, f"refused a cut tag ({cut} of 16 "
                          "bytes) as NOT_SUPPORTED after accepting the full "
                          "tag: must be AUTH_FAILED", "AUTH_FAILED", out.status)
        return judge_refusal(out, op, "AUTH_FAILED", "", dict(full, tag=cut_tag))
    return run


def _hkdf_case(rel, cid, comment, ikm, salt, info, length, okm, prk=None,
               line=None):
    """HKDF-SHA256 one-shot (and extract and expand apart when the vector
    gives the PRK). An absent salt is sent empty (RFC 5869: HashLen zero
    bytes, the same HMAC key)."""
    salt = salt or b""
    ops = ("hkdf_sha256",) + (("hkdf_sha256_extract", "hkdf_sha256_expand")
                              if prk is not None else ())

    def run(impl):
        checks = [lambda: _expect(impl, "hkdf_sha256", {"salt": salt, "ikm": ikm,
                                                        "info": info, "length": length},
                                  {"okm": okm})]
        if prk is not None:
            checks.append(lambda: _expect(impl, "hkdf_sha256_extract",
                                          {"salt": salt, "ikm": ikm}, {"prk": prk}))
            checks.append(lambda: _expect(impl, "hkdf_sha256_expand",
                                          {"prk": prk, "info": info, "length": length},
                                          {"okm": okm}))
        return _both(*checks)
    return _pcase(rel, "HKDF-SHA256", cid, comment, "kdf", run, ops=ops, line=line,
                  params=_hkdf_params(ikm, salt, info, length))


def _hkdf_params(ikm, salt, info, length):
    return {"prim": "hkdf_sha256", "length": length, "salt_len": len(salt or b""),
            "ikm_len": len(ikm), "info_len": len(info)}


def _pbkdf2_case(rel, cid, comment, digest, pw, salt, iters, out, line=None):
    d = digest.lower().replace("-", "")
    if d != "sha256":
        return _pcase(rel, "PBKDF2 (not SHA-256)", cid, f"{digest}: {comment}", "kdf",
                      skip="only PBKDF2-HMAC-SHA256 is used by CE1", line=line)
    return _pcase(rel, "PBKDF2-SHA256", cid, comment, "kdf",
                  lambda impl: _expect(impl, "pbkdf2_sha256",
                                       {"password": pw, "salt": salt,
                                        "iterations": iters, "length": len(out)},
                                       {"dk": out}),
                  ops=("pbkdf2_sha256",), line=line,
                  params={"prim": "pbkdf2_sha256", "password_len": len(pw),
                          "salt_len": len(salt), "iterations": iters,
                          "length": len(out)})


# ---- checks computed at run time: PBKDF2 and HKDF where the standard files
# ---- leave gaps ---------------------------------------------------------------

#: The derived kind of the checks computed at run time (a row of their own,
#: "PBKDF2-SHA256 (computed)").
COMPUTED = "computed"
#: The file each kind of computed check is reported with (the project's
#: RFC 7914 PBKDF2 file; RFC 5869's HKDF file of python3-cryptography-
#: vectors): they run when that file is selected.
COMPUTED_HOSTS = {"std/rfc7914-pbkdf2-sha256.txt": "pbkdf2",
                  "pyca/KDF/rfc-5869-HKDF-SHA256.txt": "hkdf"}

#: PBKDF2-HMAC-SHA256 (password length, salt length, c, dkLen). No standard
#: file has a salt over 16 bytes (Wycheproof 4, 8, 16; RFC 7914 4) while
#: CE1's GCM2 modes use 32; passwords of 63, 64 and 65 bytes sit at HMAC's
#: key-hashing boundary (a key over the 64-byte block is hashed first); one
#: salt of 16 bytes marks the boundary even where Wycheproof is absent.
PBKDF2_COMPUTED = (
    (0, 17, 1, 32), (1, 32, 2, 33), (63, 33, 1000, 32), (64, 64, 1, 1),
    (65, 65, 2, 64), (200, 200, 1000, 32), (16, 32, 1000, 32),
    (64, 17, 2, 33), (65, 200, 1, 1), (0, 65, 1000, 64), (63, 64, 2, 1),
    (200, 33, 1, 33), (64, 16, 2, 32))

#: HKDF-SHA256 one-shot (IKM, salt, info lengths, L): the output lengths
#: CE1's key schedule uses (1, 12, 16, 32; no standard vector is under 20
#: bytes), the block boundaries 31, 33, 63, 65 and 255 * 32 - 1, and
#: inputs of 0, 1, 63, 64 and 65 bytes (the files have no IKM of those
#: lengths, no salt of 63, no info of 1, 63 or 64).
HKDF_COMPUTED = (
    (0, 63, 0, 1), (1, 64, 1, 12), (63, 65, 63, 16), (64, 0, 64, 31),
    (32, 0, 0, 32), (65, 32, 65, 33), (64, 63, 64, 63), (65, 64, 63, 65),
    (32, 32, 1, 8159), (63, 1, 64, 8160))
#: HKDF-Expand alone (PRK length, info length, L): CE1's GCM2 modes expand
#: a PRK from PBKDF2; PRKs of 33, 64 and 65 bytes cross HMAC's block.
HKDF_EXPAND_COMPUTED = ((32, 0, 1), (32, 10, 12), (64, 63, 16), (65, 64, 33),
                        (33, 1, 64))

_T36 = bytes(b ^ 0x36 for b in range(256))
_T5C = bytes(b ^ 0x5C for b in range(256))


def _prf_rfc2104(key: bytes):
    """HMAC-SHA256 written from RFC 2104 over hashlib.sha256 (a key over
    the 64-byte block hashed first, then padded with zeros)."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner, outer = key.translate(_T36), key.translate(_T5C)

    def prf(msg: bytes) -> bytes:
        return hashlib.sha256(outer + hashlib.sha256(inner + msg).digest()).digest()
    return prf


def _prf_hmac_module(key: bytes):
    """HMAC-SHA256 from Python's hmac module."""
    base = hmac.new(key, digestmod=hashlib.sha256)

    def prf(msg: bytes) -> bytes:
        h = base.copy()
        h.update(msg)
        return h.digest()
    return prf


def pbkdf2_rfc8018(prf_of, password: bytes, salt: bytes, c: int,
                   dk_len: int) -> bytes:
    """PBKDF2 (RFC 8018 5.2) with PRF ``prf_of(password)``: T_i = U_1 ^
    ... ^ U_c, U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_{j-1})."""
    prf = prf_of(password)
    out = b""
    for i in range(1, -(-dk_len // 32) + 1):
        u = prf(salt + i.to_bytes(4, "big"))
        t = int.from_bytes(u, "big")
        for _ in range(c - 1):
            u = prf(u)
            t ^= int.from_bytes(u, "big")
        out += t.to_bytes(32, "big")
    return out[:dk_len]


def hkdf_rfc5869(prf_of, salt: bytes | None, ikm: bytes, info: bytes,
                 length: int, prk: bytes | None = None):
    """(PRK, OKM) of HKDF (RFC 5869 2.2, 2.3) with PRF ``prf_of(key)``; an
    empty salt is HashLen zero bytes; ``prk`` given: Expand only."""
    if prk is None:
        prk = prf_of(salt or bytes(32))(ikm)
    prf = prf_of(prk)
    okm, t = b"", b""
    for i in range(1, -(-length // 32) + 1):
        t = prf(t + info + bytes([i]))
        okm += t
    return prk, okm[:length]


def _pattern(n: int, seed: int) -> bytes:
    return bytes((seed + 31 * i + (i >> 8)) & 0xFF for i in range(n))


@functools.lru_cache(maxsize=None)
def _computed_pbkdf2(pw_len, salt_len, c, dk_len):
    """(password, salt, dk): dk from hashlib.pbkdf2_hmac (OpenSSL's
    PKCS5_PBKDF2_HMAC), which must equal RFC 8018 computed here over the
    hmac module and over RFC 2104 by hand; None when they disagree."""
    pw, salt = _pattern(pw_len, 0x50), _pattern(salt_len, 0x53)
    dk = hashlib.pbkdf2_hmac("sha256", pw, salt, c, dk_len)
    others = [pbkdf2_rfc8018(f, pw, salt, c, dk_len)
              for f in (_prf_hmac_module, _prf_rfc2104)]
    return pw, salt, (dk if all(o == dk for o in others) else None)


def _hkdf_library(salt, ikm, info, length, prk=None):
    """python3-cryptography's HKDF (or HKDFExpand), when it is installed:
    a third computation; None without it."""
    try:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand
    except ImportError:
        return None
    if prk is not None:
        return HKDFExpand(hashes.SHA256(), length, info).derive(prk)
    return HKDF(hashes.SHA256(), length, salt or None, info).derive(ikm)


@functools.lru_cache(maxsize=None)
def _computed_hkdf(ikm_len, salt_len, info_len, length, prk_len=None):
    """(ikm, salt, info, prk, okm) by RFC 5869 over the hmac module,
    equal to RFC 5869 over RFC 2104 by hand and to python3-cryptography's
    HKDF when installed; okm None when they disagree."""
    ikm, salt = _pattern(ikm_len, 0x49), _pattern(salt_len, 0x53)
    info = _pattern(info_len, 0x69)
    prk_in = _pattern(prk_len, 0x70) if prk_len is not None else None
    prk, okm = hkdf_rfc5869(_prf_hmac_module, salt, ikm, info, length, prk_in)
    _, okm2 = hkdf_rfc5869(_prf_rfc2104, salt, ikm, info, length, prk_in)
    lib = _hkdf_library(salt, ikm, info, length, prk_in)
    ok = okm2 == okm and (lib is None or lib == okm)
    return ikm, salt, info, prk, (okm if ok else None)


def _oracle_disagrees(rel, algo, cid, what):
    def run(impl):
        return Failure("oracle_error", f"the computations of {what} disagree: "
                       "a fault of the runner's host, not of the implementation")
    c = _pcase(rel, algo, cid, what, "kdf", run, derived=COMPUTED)
    return c


def computed_cases(rel: str, kind: str) -> list:
    """The checks computed at run time that are reported with ``rel``
    (:data:`COMPUTED_HOSTS`): PBKDF2 ("pbkdf2") or HKDF ("hkdf")."""
    out = []
    if kind == "pbkdf2":
        for pl, sl, c, dl in PBKDF2_COMPUTED:
            cid = f"salt {sl} password {pl} c {c} dkLen {dl}"
            pw, salt, dk = _computed_pbkdf2(pl, sl, c, dl)
            if dk is None:
                out.append(_oracle_disagrees(rel, "PBKDF2-SHA256", cid,
                                             f"PBKDF2 {cid}"))
                continue
            case = _pbkdf2_case(rel, cid, (
                f"computed: a {sl}-byte salt, a {pl}-byte password, c={c}, "
                f"dkLen={dl}; expected from hashlib.pbkdf2_hmac, equal to "
                "RFC 8018 computed twice in the runner"), "sha256", pw, salt,
                c, dk)
            case.derived = COMPUTED
            out.append(case)
        return out
    for il, sl, nl, length in HKDF_COMPUTED:
        cid = f"IKM {il} salt {sl} info {nl} L {length}"
        ikm, salt, info, _, okm = _computed_hkdf(il, sl, nl, length)
        if okm is None:
            out.append(_oracle_disagrees(rel, "HKDF-SHA256", cid, f"HKDF {cid}"))
            continue
        case = _pcase(rel, "HKDF-SHA256", cid, (
            f"computed: a {il}-byte IKM, {sl}-byte salt, {nl}-byte info, L="
            f"{length}; expected from RFC 5869 computed in the runner (two "
            "HMACs, and python3-cryptography when installed)"), "kdf",
            lambda impl, salt=salt, ikm=ikm, info=info, length=length, okm=okm:
            _expect(impl, "hkdf_sha256", {"salt": salt, "ikm": ikm,
                                          "info": info, "length": length},
                    {"okm": okm}),
            ops=("hkdf_sha256",), derived=COMPUTED,
            params=_hkdf_params(ikm, salt, info, length))
        out.append(case)
    for pl, nl, length in HKDF_EXPAND_COMPUTED:
        cid = f"expand PRK {pl} info {nl} L {length}"
        _, _, info, prk, okm = _computed_hkdf(0, 0, nl, length, pl)
        if okm is None:
            out.append(_oracle_disagrees(rel, "HKDF-SHA256", cid, f"HKDF {cid}"))
            continue
        case = _pcase(rel, "HKDF-SHA256", cid, (
            f"computed: HKDF-Expand of a {pl}-byte PRK, {nl}-byte info, L="
            f"{length}; expected from RFC 5869 computed in the runner"), "kdf",
            lambda impl, prk=prk, info=info, length=length, okm=okm:
            _expect(impl, "hkdf_sha256_expand", {"prk": prk, "info": info,
                                                 "length": length}, {"okm": okm}),
            ops=("hkdf_sha256_expand",), derived=COMPUTED,
            params={"prim": "hkdf_sha256", "length": length, "prk_len": pl,
                    "info_len": nl})
        out.append(case)
    return out


# ---- the file formats --------------------------------------------------------

def _ecb_cases(rel: str, text: str, cipher: str) -> list:
    cases = []
    for params, r, ln in _kv_records(text):
        direction = _direction(params) or "encrypt"
        try:
            key = _hex(r.get("KEY", r.get("Key", "")))
            pt = _hex(r.get("PLAINTEXT", r.get("PT", "")))
            ct = _hex(r.get("CIPHERTEXT", r.get("CT", "")))
        except ValueError as e:
            cases.append(_bad_file(rel, "ecb", "ECB", f"line {ln}: {e}"))
            continue
        algo = "SM4-ECB" if cipher == "sm4" else f"AES-{len(key) * 8}-ECB"
        cnt = r.get("COUNT", r.get("Count", "?"))
        cases.append(_ecb_case(rel, algo, f"[{direction.upper()}] COUNT={cnt}",
                               f"line {ln}", direction, cipher, key, pt, ct,
                               direction, line=ln))
    return cases


def _gcm_cases(rel: str, text: str) -> list:
    """NIST CAVP GCM. The files give each section's tag length (Taglen 32
    to 128 bits): tag_len is the tag's length. The first valid vector with
    a 128-bit tag of each section also gives the derived tag-cut checks."""
    cases = []
    decrypt_file = "decrypt" in os.path.basename(rel).lower()
    sampled = set()
    for params, r, ln in _kv_records(text):
        try:
            key, iv = _hex(r["Key"]), _hex(r["IV"])
            aad = _hex(r.get("AAD", ""))
            ct, tag = _hex(r.get("CT", "")), _hex(r["Tag"])
            fail = bool(r.get("FAIL"))
            pt = None if fail else _hex(r.get("PT", ""))
        except (KeyError, ValueError) as e:
            cases.append(_bad_file(rel, "gcm", "AES-GCM", f"line {ln}: {e}"))
            continue
        algo = f"AES-{len(key) * 8}-GCM"
        pinfo = ", ".join(f"{k} {v}" for k, v in params.items())
        cid = f"Count={r.get('Count', '?')} @line {ln}"
        if fail:
            cases.append(_gcm_forgery_case(rel, algo, cid, f"{pinfo}; FAIL expected",
                                           key, iv, aad, ct, tag, len(tag), line=ln))
            continue
        cases.append(_gcm_case(rel, algo, cid, pinfo, key, iv, aad, pt, ct, tag,
                               len(tag), open_first=decrypt_file, line=ln))
        section = tuple(sorted(params.items()))
        if len(tag) == 16 and section not in sampled:
            sampled.add(section)
            cases += tag_cut_cases(rel, algo, cid, pinfo, key, iv, aad, ct, tag,
                                   line=ln)
    return cases


def _xts_cases(rel: str, text: str) -> list:
    cases = []
    for params, r, ln in _kv_records(text):
        direction = _direction(params) or "encrypt"
        cnt = r.get("COUNT", "?")
        try:
            key = _hex(r["Key"])
            bits = int(r["DataUnitLen"])
            if "i" in r:
                tweak = _hex(r["i"])
            else:
                tweak = int(r["DataUnitSeqNumber"]).to_bytes(16, "little")
            pt, ct = _hex(r["PT"]), _hex(r["CT"])
        except (KeyError, ValueError, OverflowError) as e:
            cases.append(_bad_file(rel, "xts", "AES-XTS", f"line {ln}: {e}"))
            continue
        algo = f"AES-{len(key) * 4}-XTS"
        cid = f"[{direction.upper()}] COUNT={cnt}"
        comment = f"DataUnitLen {bits} bits, line {ln}"
        if bits % 8:
            cases.append(_pcase(rel, algo, cid, comment, direction, line=ln, skip=(
                "DataUnitLen not a whole number of bytes (bit-granular XTS "
                "is outside CE1)")))
            continue
        cases.append(_xts_case(rel, algo, cid, comment, direction, key, tweak, pt,
                               ct, line=ln))
    return cases


def _cryptopp_value(v: str) -> bytes:
    """Crypto++ test-data value: spaced hex, 0x hex, "quoted" ASCII,
    r<N> repeats."""
    out = b""
    for m in re.finditer(r'"([^"]*)"|(r\d+)\s+(\S+)|(\S+)', v):
        if m.group(1) is not None:
            out += m.group(1).encode()
        elif m.group(2):
            out += _hex(m.group(3)) * int(m.group(2)[1:])
        else:
            out += _hex(m.group(4))
    return out


def _cryptopp_cases(rel: str, text: str) -> list:
    cases = []
    fields: dict = {}
    logical = []
    pending, start = "", 0
    for ln, line in _lines(text):
        if not pending:
            start = ln
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append((start, pending + line))
        pending = ""
    for ln, line in logical:
        s = line.strip()
        if not s or s.startswith("#") or ":" not in s:
            continue
        name, value = s.split(":", 1)
        name, value = name.strip(), value.strip()
        if name == "AlgorithmType":   # datatest.cpp starts afresh here
            fields = {}
        if name != "Test":
            fields[name] = value
            continue
        algname = fields.get("Name", "")
        comment = fields.get("Comment", "")
        source = fields.get("Source", "")
        cid = f"line {ln}"
        desc = "; ".join(x for x in (comment, source) if x)
        try:
            key = _cryptopp_value(fields.get("Key", ""))
            pt = _cryptopp_value(fields.get("Plaintext", ""))
            ct = _cryptopp_value(fields.get("Ciphertext", ""))
            iv = _cryptopp_value(fields.get("IV", ""))
        except ValueError as e:
            cases.append(_bad_file(rel, "cryptopp", algname, f"line {ln}: {e}"))
            continue
        if algname.upper().startswith("HKDF(") or algname.upper() == "AES/GCM":
            cases += _cryptopp_aead_kdf(rel, algname, value, cid, desc,
                                        fields, key, iv, pt, ct, ln)
            continue
        direction = "decrypt" if value.lower().startswith("decrypt") else "encrypt"
        if value.lower() not in ("encrypt", "decrypt", "encryptxorstate"):
            cases.append(_pcase(rel, algname, cid, desc, value, line=ln, skip=(
                f"Crypto++ test kind {value!r} not supported by the runner")))
            continue
        if algname.upper() in ("AES/XTS", "XTS(AES)", "AES-XTS"):
            algo = f"AES-{len(key) * 4}-XTS"
            cases.append(_xts_case(rel, algo, cid, desc, direction, key, iv, pt, ct,
                                   line=ln))
        elif algname.upper() == "SM4/ECB":
            cases.append(_ecb_case(rel, "SM4-ECB", cid, desc, direction, "sm4", key,
                                   pt, ct, line=ln))
        else:
            label = (_SM4_OTHER if algname.upper().startswith("SM4/")
                     else algname.replace("/", "-") or "?")
            cases.append(_pcase(rel, label, cid, desc, direction, line=ln, skip=(
                _SM4_OTHER_REASON if label == _SM4_OTHER
                else f"{algname}: not a primitive CE1 uses")))
    return cases


def _cryptopp_aead_kdf(rel, algname, test, cid, desc, fields, key, iv, pt, ct,
                       ln) -> list:
    """The Crypto++ AES/GCM (Encrypt, NotVerify) and HKDF(...) (Verify)
    entries: their cases (an Encrypt with a 16-byte MAC also gives the
    derived tag-cut checks)."""
    alg, kind = algname.upper(), test.lower()
    try:
        if alg == "AES/GCM":
            aad = _cryptopp_value(fields.get("Header", ""))
            tag = _cryptopp_value(fields["MAC"])
        else:
            ikm = _cryptopp_value(fields["Secret"])
            salt = (None if "Salt" not in fields
                    else _cryptopp_value(fields["Salt"]))
            info = _cryptopp_value(fields.get("Info", ""))
            okm = _cryptopp_value(fields["DerivedKey"])
            length = int(fields["DerivedKeyLength"])
    except (KeyError, ValueError) as e:
        return [_bad_file(rel, "cryptopp", algname, f"{cid}: {e!r}")]
    if alg == "AES/GCM":
        algo = f"AES-{len(key) * 8}-GCM"
        if kind not in ("encrypt", "notverify"):
            return [_pcase(rel, algo, cid, desc, test, line=ln, skip=(
                f"Crypto++ test kind {test!r} not supported by the runner"))]
        if kind == "notverify":
            return [_gcm_forgery_case(rel, algo, cid, desc or "MAC must not verify",
                                      key, iv, aad, ct, tag, len(tag), line=ln)]
        return ([_gcm_case(rel, algo, cid, desc, key, iv, aad, pt, ct, tag, len(tag),
                           line=ln)]
                + tag_cut_cases(rel, algo, cid, desc, key, iv, aad, ct, tag, line=ln))
    if alg != "HKDF(SHA-256)":
        return [_pcase(rel, "HKDF (not SHA-256)", cid, f"{algname}: {desc}",
                       "kdf", skip="only HKDF-SHA256 is used by CE1", line=ln)]
    if kind != "verify" or len(okm) != length:
        return [_bad_file(rel, "cryptopp", algname,
                          f"{cid}: Test {test}, DerivedKeyLength {length}, "
                          f"{len(okm)} bytes")]
    return [_hkdf_case(rel, cid, f"L={length}; {desc}", ikm, salt, info, length,
                       okm, line=ln)]


def _sm4_examples_cases(rel: str, text: str) -> list:
    """vectors/std/gbt32907-sm4-examples.txt: ITERATIONS encryptions of
    PLAINTEXT under KEY give CIPHERTEXT."""
    cases = []
    for _, r, ln in _kv_records(text):
        cid = f"COUNT={r.get('COUNT', '?')}"
        try:
            key, pt, ct = _hex(r["KEY"]), _hex(r["PLAINTEXT"]), _hex(r["CIPHERTEXT"])
            n = int(r["ITERATIONS"])
        except (KeyError, ValueError) as e:
            cases.append(_bad_file(rel, "sm4-examples", "SM4-ECB", f"line {ln}: {e!r}"))
            continue
        comment = "; ".join(x for x in (
            r.get("SOURCE", ""), f"{n:,} iterated encryptions" if n > 1 else "")
            if x)
        if n > 1:
            cases.append(_sm4_iterated_case(rel, cid, comment, key, pt, ct, n,
                                            line=ln))
        else:
            cases.append(_ecb_case(rel, "SM4-ECB", cid, comment, "encrypt", "sm4",
                                   key, pt, ct, line=ln))
    return cases


def _botan_cases(rel: str, text: str) -> list:
    cases = []
    section, rec, rec_line = "", {}, 0

    def flush():
        if not rec:
            return
        algo = section.upper()
        cid = f"line {rec_line}"
        try:
            key, pt, ct = _hex(rec["Key"]), _hex(rec["In"]), _hex(rec["Out"])
        except (KeyError, ValueError) as e:
            cases.append(_bad_file(rel, "botan", algo, f"line {rec_line}: {e}"))
            return
        if algo != "SM4":
            cases.append(_pcase(rel, algo, cid, "", "encrypt", line=rec_line,
                                skip=f"{section}: not a primitive CE1 uses"))
            return
        cases.append(_ecb_case(rel, "SM4-ECB", cid, f"{len(pt) // 16} block(s)",
                               "encrypt", "sm4", key, pt, ct, line=rec_line))

    for ln, line in _lines(text):
        s = line.strip()
        if s.startswith("#"):
            continue
        if not s:
            flush()
            rec = {}
            continue
        if s.startswith("[") and s.endswith("]"):
            flush()
            rec = {}
            section = s[1:-1]
            continue
        if "=" in s:
            k, v = s.split("=", 1)
            if not rec:
                rec_line = ln
            rec[k.strip()] = v.strip()
    flush()
    return cases


def _sm4_adoc_cases(rel: str, text: str) -> list:
    cases = []
    headings: list = []   # stack of (level, title)
    ex = None
    label = None
    in_block, block = False, []

    def flush():
        nonlocal ex
        if ex is None:
            return
        e, ex = ex, None
        ctx_titles = " / ".join(t for _, t in e["parents"])
        cid = f"{ctx_titles} / {e['title']}" if ctx_titles else e["title"]
        f = e["fields"]
        if "key" not in f or "plaintext" not in f or "ciphertext" not in f:
            return
        key, pt, ct = f["key"], f["plaintext"], f["ciphertext"]
        sect = ctx_titles.upper()
        m = re.search(r"SM4-(CBC|OFB|CFB|CTR)", sect)
        if m:
            cases.append(_pcase(rel, _SM4_OTHER, cid, "", "encrypt", line=e["line"],
                                skip=_SM4_OTHER_REASON))
            return
        iters = 1_000_000 if re.search(r"1,?000,?000", e["text"]) else 1
        if iters > 1:
            cases.append(_sm4_iterated_case(rel, cid, f"{iters:,} iterated encryptions",
                                            key, pt, ct, iters, both=False,
                                            line=e["line"]))
        else:
            cases.append(_ecb_case(rel, "SM4-ECB", cid, f"{len(pt) // 16} block(s)",
                                   "encrypt", "sm4", key, pt, ct, line=e["line"]))

    for ln, line in _lines(text):
        s = line.strip()
        if in_block:
            if s == "----":
                in_block = False
                if ex is not None and label:
                    try:
                        ex["fields"][label] = _hex(" ".join(block))
                    except ValueError:
                        pass  # round-key tables and the like
                label = None
            else:
                block.append(s)
            continue
        if s == "----":
            in_block, block = True, []
            continue
        m = re.match(r"^(=+)\s+(.*)$", s)
        if m:
            flush()
            level, title = len(m.group(1)), m.group(2).strip()
            while headings and headings[-1][0] >= level:
                headings.pop()
            if re.search(r"\bExample\b", title):
                ex = {"title": title, "parents": [h for h in headings if h[0] > 1],
                      "fields": {}, "text": "", "line": ln}
            headings.append((level, title))
            continue
        if ex is None:
            continue
        lm = re.match(r"^([A-Za-z][A-Za-z ]*):$", s)
        if lm:
            name = lm.group(1).strip().lower()
            label = {"plaintext": "plaintext", "ciphertext": "ciphertext",
                     "encryption key": "key", "key": "key", "iv": "iv"}.get(name)
            continue
        if not s.startswith("["):
            ex["text"] += s + " "
    flush()
    return cases


def _hkdf_cases(rel: str, text: str) -> list:
    cases = []
    for _, r, ln in _kv_records(text):
        cid = f"COUNT={r.get('COUNT', '?')}"
        h = r.get("Hash", "SHA-256").upper().replace("-", "")
        if h != "SHA256":
            cases.append(_pcase(rel, "HKDF (not SHA-256)", cid, f"{h}, line {ln}", "kdf",
                                skip="only HKDF-SHA256 is used by CE1", line=ln))
            continue
        try:
            ikm, salt, info = _hex(r["IKM"]), _hex(r.get("salt", "")), _hex(r.get("info", ""))
            length = int(r["L"])
            okm = _hex(r["OKM"])
            prk = _hex(r["PRK"]) if r.get("PRK") else None
        except (KeyError, ValueError) as e:
            cases.append(_bad_file(rel, "hkdf", "HKDF-SHA256", f"line {ln}: {e}"))
            continue
        cases.append(_hkdf_case(rel, cid, f"L={length}, line {ln}", ikm, salt, info,
                                length, okm, prk, line=ln))
    return cases


def _pbkdf2_pyca_cases(rel: str, text: str) -> list:
    cases = []
    name = os.path.basename(rel).lower().replace("-", "").replace("_", "")
    digest = ("sha256" if "sha256" in name else "sha512" if "sha512" in name
              else "sha1")
    for _, r, ln in _kv_records(text):
        cid = f"COUNT={r.get('COUNT', '?')}"
        try:
            pw, salt = r["PASSWORD"].encode(), r["SALT"].encode()
            iters, out = int(r["ITERATIONS"]), _hex(r["DERIVED_KEY"])
        except (KeyError, ValueError) as e:
            cases.append(_bad_file(rel, "pbkdf2", "PBKDF2", f"line {ln}: {e}"))
            continue
        cases.append(_pbkdf2_case(rel, cid, f"c={iters}, dkLen={len(out)}, line {ln}",
                                  digest, pw, salt, iters, out, line=ln))
    return cases


def _evp_kdf_cases(rel: str, text: str) -> list:
    cases = []
    stanza, start = {}, 0

    def flush():
        if stanza.get("KDF", "").upper() != "PBKDF2":
            return
        ctrl = {}
        for k, v in stanza.items():
            if k.startswith("Ctrl."):
                typ, _, val = v.partition(":")
                ctrl[typ] = val
        cid = f"stanza @line {start}"
        try:
            if "hexpass" in ctrl:
                pw = bytes.fromhex(ctrl["hexpass"])
            else:
                pw = ctrl.get("pass", "").encode()
            if "hexsalt" in ctrl:
                salt = bytes.fromhex(ctrl["hexsalt"])
            else:
                salt = ctrl.get("salt", "").encode()
            iters = int(ctrl.get("iter", "1"))
            out = bytes.fromhex(stanza["Output"]) if "Output" in stanza else None
        except ValueError as e:
            cases.append(_bad_file(rel, "evp", "PBKDF2", f"line {start}: {e}"))
            return
        digest = ctrl.get("digest", "sha1")
        comment = f"{digest}, c={iters}"
        if "Result" in stanza or out is None:
            cases.append(_pcase(rel, "PBKDF2", cid, comment, "kdf", line=start,
                                skip="expected-failure stanza (OpenSSL parameter "
                                     "checks), not a known answer"))
            return
        cases.append(_pbkdf2_case(rel, cid, f"{comment}, dkLen={len(out)}",
                                  digest, pw, salt, iters, out, line=start))

    for ln, line in _lines(text):
        s = line.strip()
        if not s:
            flush()
            stanza = {}
            continue
        if s.startswith("#"):
            continue
        if "=" in s:
            k, v = s.split("=", 1)
            if not stanza:
                start = ln
            stanza[k.strip()] = v.strip()
    flush()
    return cases


def _json_id_lines(text: str, key: str = "tcId") -> dict:
    """{id: line number} of every ``"key": N`` member of a JSON text."""
    out = {}
    line, pos = 1, 0
    for m in re.finditer(r'"%s"\s*:\s*(\d+)' % re.escape(key), text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        out.setdefault(int(m.group(1)), line)
    return out


def _wycheproof_cases(rel: str, doc: dict, lines: dict | None = None) -> list:
    """Project Wycheproof ``testGroups`` files (testvectors_v1). A
    ``valid`` test must give the exact bytes, an ``invalid`` one must be
    refused (a modified GCM tag with AUTH_FAILED, the rest with any error
    status), an ``acceptable`` one may be either. The valid GCM and GMAC
    tests with a 16-byte tag also give the derived tag-cut checks."""
    algorithm = str(doc.get("algorithm", "?"))
    cases = []
    n = 0
    for g in doc.get("testGroups") or []:
        for t in g.get("tests") or []:
            n += 1
            tc = t.get("tcId", "?")
            cid = f"tcId {tc}"
            flags = ",".join(t.get("flags") or [])
            comment = "; ".join(x for x in (t.get("comment", ""), flags) if x)
            result = t.get("result")
            line = (lines or {}).get(tc) if isinstance(tc, int) else None
            try:
                cases += _wycheproof_case(rel, algorithm, g, t, cid, comment,
                                          result, line)
            except (KeyError, ValueError, TypeError) as e:
                cases.append(_bad_file(rel, "wycheproof", algorithm, f"{cid}: {e!r}"))
    declared = doc.get("numberOfTests")
    if isinstance(declared, int) and declared != n:
        cases.append(_bad_file(rel, "wycheproof", algorithm,
                               f"numberOfTests is {declared} but {n} "
                               "tests were read"))
    return cases


def _acceptable(case):
    """An ``acceptable`` Wycheproof test: the exact bytes or a refusal
    both pass (a refusal with a note)."""
    run = case.run

    def either(impl):
        res = run(impl)
        if isinstance(res, Failure) and res.kind == "unexpected_error":
            return Passed(f"acceptable vector refused ({res.actual})")
        return res
    case.run = either
    return case


def _wycheproof_case(rel, algorithm, g, t, cid, comment, result, line) -> list:
    """The cases of one Wycheproof test (the test's own, then derived
    ones)."""
    if result not in ("valid", "invalid", "acceptable"):
        raise ValueError(f"result {result!r}")
    flags = set(t.get("flags") or [])
    if algorithm in ("AES-GCM", "AES-GMAC"):
        key, iv = _hex(t["key"]), _hex(t["iv"])
        tag = _hex(t["tag"])
        if algorithm == "AES-GCM":
            aad, msg, ct = _hex(t["aad"]), _hex(t["msg"]), _hex(t["ct"])
            algo = f"AES-{len(key) * 8}-GCM"
        else:   # GCM with the message as AAD only
            aad, msg, ct = _hex(t["msg"]), b"", b""
            algo = f"AES-{len(key) * 8}-GMAC"
        tag_len = int(g["tagSize"]) // 8 if g.get("tagSize") else len(tag)
        if result == "invalid":
            if "ModifiedTag" in flags:
                return [_gcm_forgery_case(rel, algo, cid, comment, key, iv, aad, ct,
                                          tag, tag_len, line=line, pt_len=len(msg))]
            # Refused with any error status: an empty IV (ZeroLengthIv) by
            # seal as well as open.
            c = _gcm_forgery_case(rel, algo, cid, comment, key, iv, aad, ct, tag,
                                  tag_len, want=None, line=line, pt_len=len(msg))
            if "ZeroLengthIv" in flags:
                opened = c.run

                def run(impl, opened=opened):
                    return _both(lambda: _refuse(impl, "aes_gcm_seal", {
                        "key": key, "iv": iv, "aad": aad, "plaintext": msg,
                        "tag_len": tag_len}), lambda: opened(impl))
                c.run, c.ops, c.op = run, _GCM_OPS, "seal/open"
            return [c]
        c = _gcm_case(rel, algo, cid, comment, key, iv, aad, msg, ct, tag, tag_len,
                      line=line)
        if result == "acceptable":
            return [_acceptable(c)]
        return [c] + tag_cut_cases(rel, algo, cid, comment, key, iv, aad, ct, tag,
                                   line=line, pt_len=len(msg))
    if algorithm == "AES-XTS":
        key, iv = _hex(t["key"]), _hex(t["iv"])
        msg, ct = _hex(t["msg"]), _hex(t["ct"])
        algo = f"AES-{len(key) * 4}-XTS"
        if len(key) not in (32, 64):
            return [_pcase(rel, algo, cid, comment, "encrypt", line=line, skip=(
                "AES-192-XTS: CE1 uses AES-128 and AES-256 XTS only"))]
        if result == "invalid" or len(iv) > 16:
            raise ValueError(f"XTS result {result}, iv of {len(iv)} bytes")
        # A short iv is the tweak with zero bytes appended (Wycheproof).
        tweak = iv + bytes(16 - len(iv))
        c = _xts_case(rel, algo, cid, comment, "encrypt", key, tweak, msg, ct,
                      line=line)
        return [_acceptable(c) if result == "acceptable" else c]
    if algorithm == "HKDF-SHA-256":
        ikm, salt, info = _hex(t["ikm"]), _hex(t["salt"]), _hex(t["info"])
        size, okm = int(t["size"]), _hex(t["okm"])
        if result == "invalid":   # L over 255 * HashLen: any error status
            return [_pcase(rel, "HKDF-SHA256", cid, f"L={size}; {comment}", "kdf",
                           lambda impl: _refuse(impl, "hkdf_sha256", {
                               "salt": salt, "ikm": ikm, "info": info,
                               "length": size}),
                           ops=("hkdf_sha256",), line=line,
                           params=dict(_hkdf_params(ikm, salt, info, size),
                                       check="refuse"))]
        c = _hkdf_case(rel, cid, f"L={size}; {comment}", ikm, salt, info, size, okm,
                       line=line)
        return [_acceptable(c) if result == "acceptable" else c]
    if algorithm == "PBKDF2-HMACSHA256":
        pw, salt = _hex(t["password"]), _hex(t["salt"])
        iters, dk = int(t["iterationCount"]), _hex(t["dk"])
        if result == "invalid" or int(t["dkLen"]) != len(dk):
            raise ValueError(f"PBKDF2 result {result}, dkLen {t['dkLen']}")
        c = _pbkdf2_case(rel, cid, f"c={iters}, dkLen={len(dk)}; {comment}",
                         "sha256", pw, salt, iters, dk, line=line)
        return [_acceptable(c) if result == "acceptable" else c]
    return [_pcase(rel, algorithm, cid, comment, "?", line=line,
                   skip=f"{algorithm}: not a primitive CE1 uses")]


# --------------------------------------------------------------------------
# Where the standard vector sets are
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class VectorSet:
    """Standard vector files read where they are installed, never copied
    into the project (vectors/README.md)."""

    name: str               #: prefix of its files in reports: "pyca/..."
    title: str
    env: str                #: environment variable naming the directory
    option: str             #: runner option naming the directory
    package: str | None     #: Debian package that installs it
    default: str | None     #: directory when neither is given
    #: (path inside the directory, number of vectors; None: the file's own
    #: count, Wycheproof's numberOfTests, is checked instead)
    files: tuple = ()


#: python3-cryptography-vectors 38.0.4-1 (Debian 12).
PYCA = VectorSet(
    "pyca", "pyca/cryptography test vectors", "CE_PYCA_VECTORS_DIR",
    "--pyca-vectors", "python3-cryptography-vectors",
    "/usr/lib/python3/dist-packages/cryptography_vectors", (
        ("ciphers/AES/XTS/tweak-128hexstr/XTSGenAES128.rsp", 1000),
        ("ciphers/AES/XTS/tweak-128hexstr/XTSGenAES256.rsp", 1000),
        ("ciphers/AES/XTS/tweak-dataunitseqno/XTSGenAES128.rsp", 1000),
        ("ciphers/AES/XTS/tweak-dataunitseqno/XTSGenAES256.rsp", 1000),
        ("ciphers/AES/ECB/ECBGFSbox128.rsp", 14),
        ("ciphers/AES/ECB/ECBGFSbox256.rsp", 10),
        ("ciphers/AES/ECB/ECBKeySbox128.rsp", 42),
        ("ciphers/AES/ECB/ECBKeySbox256.rsp", 32),
        ("ciphers/AES/ECB/ECBVarKey128.rsp", 256),
        ("ciphers/AES/ECB/ECBVarKey256.rsp", 512),
        ("ciphers/AES/ECB/ECBVarTxt128.rsp", 256),
        ("ciphers/AES/ECB/ECBVarTxt256.rsp", 256),
        ("ciphers/AES/ECB/ECBMMT128.rsp", 20),
        ("ciphers/AES/ECB/ECBMMT256.rsp", 20),
        ("ciphers/AES/GCM/gcmEncryptExtIV128.rsp", 7875),
        ("ciphers/AES/GCM/gcmEncryptExtIV256.rsp", 7875),
        ("ciphers/AES/GCM/gcmDecrypt128.rsp", 7875),
        ("ciphers/AES/GCM/gcmDecrypt256.rsp", 7875),
        ("ciphers/SM4/draft-ribose-cfrg-sm4-10-ecb.txt", 4),
        ("KDF/rfc-5869-HKDF-SHA256.txt", 3),
        ("KDF/hkdf-generated.txt", 1),
    ))

#: libcrypto++-utils 8.7.0+git220824-1 (Debian 12).
CRYPTOPP = VectorSet(
    "cryptopp", "Crypto++ TestVectors", "CE_CRYPTOPP_VECTORS_DIR",
    "--cryptopp-vectors", "libcrypto++-utils",
    "/usr/share/crypto++/TestVectors", (
        ("xts.txt", 500),
        ("sm4.txt", 51),
        ("gcm.txt", 22),
        ("hkdf.txt", 16),
    ))

#: Project Wycheproof, testvectors_v1 (no Debian package): by default
#: ../shared/vectors/wycheproof beside the source tree, when it exists.
WYCHEPROOF = VectorSet(
    "wycheproof", "Project Wycheproof testvectors_v1", "CE_WYCHEPROOF_DIR",
    "--wycheproof", None, None, (
        ("aes_gcm_test.json", None),
        ("aes_gmac_test.json", None),
        ("aes_xts_test.json", None),
        ("hkdf_sha256_test.json", None),
        ("pbkdf2_hmacsha256_test.json", None),
    ))

STANDARD_SETS = (PYCA, CRYPTOPP, WYCHEPROOF)


class VectorSetMissing(Exception):
    """A set's directory does not exist; the message says what to install
    or give."""


@dataclass
class SetLocation:
    """Where a set was found: ``dir``, or None with ``skip`` saying why."""

    vset: VectorSet
    dir: str | None
    source: str             #: "--option", "$ENV" or "default"
    skip: str | None = None


def source_tree() -> str | None:
    """The source tree this package was built from (the build tree's
    _buildinfo), or the checkout it runs from; None when installed."""
    try:
        from .. import _buildinfo as bi
        if getattr(bi, "SOURCE_DIR", "") and os.path.isdir(bi.SOURCE_DIR):
            return bi.SOURCE_DIR
    except ImportError:
        pass
    d = os.path.dirname(os.path.abspath(__file__))
    for _ in range(6):
        d = os.path.dirname(d)
        if (os.path.isdir(os.path.join(d, "vectors", "ce1"))
                and os.path.isfile(os.path.join(d, "CMakeLists.txt"))):
            return d
    return None


def locate(vset: VectorSet, option: str | None = None) -> SetLocation:
    """The directory of ``vset``: ``option`` (the runner's), else
    ``$env``, else the default. A directory that was named, or the
    package's, must exist: otherwise :class:`VectorSetMissing` says which
    package to install. Wycheproof has no package: without an option or
    variable it is read from ../shared/vectors/wycheproof beside the
    source tree, and skipped with a reason when that does not exist."""
    env = os.environ.get(vset.env)
    if option:
        d, how = option, vset.option
    elif env:
        d, how = env, f"${vset.env}"
    elif vset.default:
        d, how = vset.default, "default"
    else:
        src = source_tree()
        d = (os.path.normpath(os.path.join(src, "..", "shared", "vectors",
                                           "wycheproof")) if src else None)
        if not d or not os.path.isdir(d):
            return SetLocation(vset, None, "default", skip=(
                f"{vset.title} not found: give {vset.option} DIR or set "
                f"{vset.env} (a checkout's testvectors_v1); the default, "
                "../shared/vectors/wycheproof beside the source tree"
                + (f" ({d})" if d else "") + ", does not exist"))
        return SetLocation(vset, d, "default")
    if os.path.isdir(d):
        return SetLocation(vset, os.path.abspath(d), how)
    if vset.package and how == "default":
        raise VectorSetMissing(
            f"the standard vectors of the Debian package {vset.package} are "
            f"not installed ({d} does not exist): install them with "
            f"`apt-get install {vset.package}` (scripts/conform.sh does), "
            f"or give {vset.option} DIR or {vset.env}")
    what = (f"the files of the Debian package {vset.package} "
            f"(apt-get install {vset.package})" if vset.package
            else f"{vset.title} (a checkout's testvectors_v1)")
    raise VectorSetMissing(f"{how} {d}: no such directory; it must hold {what}")


def vector_count(cases) -> int:
    """The vectors among a file's cases: not the derived checks, not the
    file-level failures (id "-")."""
    return sum(1 for c in cases if c.id != "-" and not c.derived)


def standard_files(loc: SetLocation) -> list:
    """The files of a located set as (path, rel, expected count)."""
    return [(os.path.join(loc.dir, p), f"{loc.vset.name}/{p}", n)
            for p, n in loc.vset.files]


def load_standard(path: str | None, rel: str, expected: int | None,
                  loc: SetLocation) -> VectorFile:
    """Loads a file of a located set (see :func:`standard_files`). A set
    that was not found gives one skipped case (path None); a missing file,
    or one that does not hold the number of vectors it had when the list
    was written, gives a failed case that names the package (a changed
    package must not shrink the run silently)."""
    vs = loc.vset
    origin = f"the Debian package {vs.package}" if vs.package else vs.title
    if path is None:
        vf = VectorFile("", rel, "missing-set")
        vf.cases.append(_pcase(rel, f"({vs.name})", "-", "vector set not found",
                               "-", skip=loc.skip))
        return vf
    if not os.path.isfile(path):
        vf = VectorFile(path, rel, "missing")
        vf.cases.append(_bad_file(rel, "missing", "?",
                                  f"{path} does not exist: a file of {origin} "
                                  f"(read from {loc.dir}, {loc.source})"))
        return vf
    vf = load_file(path, rel)
    if vf is None:
        vf = VectorFile(path, rel, "unknown")
        vf.cases.append(_bad_file(rel, "unknown", "?",
                                  f"{path}: not a vector file the runner knows"))
        return vf
    n = vector_count(vf.cases)
    if expected is not None and n != expected:
        vf.cases.append(_bad_file(
            rel, vf.kind, vf.kind,
            f"{n} vectors read, {expected} expected: the file of {origin} "
            "has changed (vectors/README.md)"))
    return vf


# --------------------------------------------------------------------------
# Discovery
# --------------------------------------------------------------------------

_IGNORED_DIRS = {"LICENSES", "gen", "__pycache__"}


def classify(path: str, head: str) -> str | None:
    """Format of a vector file from its name and text; None when it is not
    a vector file the runner knows."""
    ext = os.path.splitext(path)[1].lower()
    if ext == ".json":
        if "ce1-vectors/1" in head:
            return "ce1"
        return "wycheproof" if '"testGroups"' in head else None
    if ext == ".rsp":
        if "DataUnitLen" in head:
            return "nist-xts"
        if re.search(r"^\s*Tag\s*=", head, re.M) or "[Taglen" in head:
            return "nist-gcm"
        if re.search(r"^\s*(KEY|Key)\s*=", head, re.M):
            return "nist-ecb"
        return None
    if ext == ".vec":
        return "botan"
    if ext == ".adoc":
        return "sm4-adoc" if ("SM4" in head or "GB/T" in head) else None
    if ext == ".txt":
        if "AlgorithmType:" in head:
            return "cryptopp"
        if re.search(r"^\s*KDF\s*=", head, re.M):
            return "evp-kdf"
        if "DERIVED_KEY" in head:
            return "pbkdf2"
        if (re.search(r"^\s*ITERATIONS\s*=", head, re.M)
                and re.search(r"^\s*CIPHERTEXT\s*=", head, re.M)):
            return "sm4-examples"
        if re.search(r"^\s*OKM\s*=", head, re.M):
            return "hkdf"
        if "[ENCRYPT]" in head or "[DECRYPT]" in head:
            return "nist-ecb"
    return None


def load_file(path: str, rel: str) -> VectorFile | None:
    """Parses one file; None when it is not a vector file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        vf = VectorFile(path, rel, "unreadable")
        vf.cases.append(_bad_file(rel, "?", "?", str(e)))
        return vf
    text = raw.decode("utf-8", "replace")
    kind = classify(path, text)
    if kind is None:
        return None
    vf = VectorFile(path, rel, kind)
    try:
        if kind == "ce1":
            doc = json.loads(text)
            if not isinstance(doc, dict) or doc.get("format") != "ce1-vectors/1":
                return None
            vf.note = str(doc.get("description", ""))
            vf.cases = _ce1_cases(rel, doc)
        elif kind == "wycheproof":
            doc = json.loads(text)
            if not isinstance(doc, dict):
                return None
            vf.note = str(doc.get("algorithm", ""))
            vf.cases = _wycheproof_cases(rel, doc, _json_id_lines(text))
        elif kind == "sm4-examples":
            vf.cases = _sm4_examples_cases(rel, text)
        elif kind == "nist-ecb":
            cipher = "sm4" if ("sm4" in rel.lower() or "SM4" in text[:2000]) else "aes"
            vf.cases = _ecb_cases(rel, text, cipher)
        elif kind == "nist-gcm":
            vf.cases = _gcm_cases(rel, text)
        elif kind == "nist-xts":
            vf.cases = _xts_cases(rel, text)
        elif kind == "cryptopp":
            vf.cases = _cryptopp_cases(rel, text)
        elif kind == "botan":
            vf.cases = _botan_cases(rel, text)
        elif kind == "sm4-adoc":
            vf.cases = _sm4_adoc_cases(rel, text)
        elif kind == "hkdf":
            vf.cases = _hkdf_cases(rel, text)
        elif kind == "pbkdf2":
            vf.cases = _pbkdf2_pyca_cases(rel, text)
        elif kind == "evp-kdf":
            vf.cases = _evp_kdf_cases(rel, text)
    except (ValueError, KeyError, TypeError) as e:
        vf.cases = [_bad_file(rel, kind, kind, f"{type(e).__name__}: {e}")]
    if not vf.cases:
        vf.cases = [_bad_file(rel, kind, kind, "no vectors found in the file")]
    elif rel in COMPUTED_HOSTS:
        vf.cases += computed_cases(rel, COMPUTED_HOSTS[rel])
    return vf


def discover(root: str) -> list:
    """Candidate vector files under ``root`` as (path, relative path),
    sorted: CE1 frame files (``*.json``) first, then the others by path.
    :func:`load_file` tells whether a candidate really is a vector file."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames
                             if d not in _IGNORED_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.lower().startswith("readme"):
                continue
            path = os.path.join(dirpath, name)
            found.append((path, os.path.relpath(path, root)))
    found.sort(key=lambda pr: (not pr[1].endswith(".json"), pr[1]))
    return found
