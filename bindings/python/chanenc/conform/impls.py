"""Implementations the conformance runner can test.

All speak CE1 at the level of the process adapter protocol (stateless:
every call carries mode, key and salt; protect takes an explicit packet
number) and return :class:`Outcome` objects:

* :class:`Reference` - chanenc itself, through the Python bindings;
* :class:`ProcessAdapter` - any program speaking JSON lines
  (conformance.md section 3), with timeouts and restarts;
* :func:`lib_adapter` - a shared library with the C ABI of section 4, run
  in a worker process (a crash is then a failed case), or
  :class:`InProcessLib` to load it into the runner;
* :class:`PythonCE1` - the independent pure-Python implementation
  (:mod:`chanenc.conform.pyce1`), used as a second oracle.

:class:`Recorder` wraps any of them and keeps the requests a check made,
as the JSON lines a process adapter would be sent, so that every failure
can be reproduced outside the runner.

Besides the CE1 frame operations (protect, unprotect, derive) every
implementation has the primitive operations of tools/ce1_prim.h
(:data:`PRIMITIVE_OPS`): :meth:`Implementation.capabilities` names those
it implements (a process adapter is asked ``{"op":"capabilities"}`` once
per process start; one that answers UNSUPPORTED_OP implements the frame
operations only; a library announces each by exporting its symbol), and
:meth:`Implementation.primitive` runs one, returning an :class:`Outcome`
whose value is a dict of the answer's byte members.

What an implementation announces decides every layer
(docs/conformance.md 9.1): :meth:`Implementation.prepare` learns it at
the start of a run (a process adapter is asked ``{"op":"capabilities"}``
then, before any other request), :meth:`Implementation.operations` is the
whole list (None for an adapter that answers UNSUPPORTED_OP: it is taken
to have the frame operations), :meth:`Implementation.missing_frame_ops`
and :meth:`Implementation.sframe_missing` say what the frame and SFrame
layers lack, and ``sframe_protect`` / ``sframe_unprotect`` run the SFrame
operations of docs/conformance.md 7.
"""

from __future__ import annotations

import collections
import json
import os
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import time

from .libserve import LibImpl

__all__ = ["Outcome", "Implementation", "Reference", "ProcessAdapter",
           "InProcessLib", "PythonCE1", "lib_adapter", "Recorder",
           "AdapterCannotStart", "parse_hex", "request_line",
           "PRIMITIVE_OPS", "INT_MEMBERS", "primitive_request_line",
           "CAPABILITIES_LINE", "FRAME_OPS", "SFRAME_OPS",
           "sframe_protect_line", "sframe_unprotect_line", "sframe_outcome"]


class Outcome:
    """Result of one call to an implementation.

    Exactly one of: success (``value`` set), a CE1 status (``status``, a
    status name), or a transport failure (``transport``: "timeout",
    "crashed", "garbage", "bad_answer", "out_of_step", "unusable";
    ``detail`` says more).
    ``buffer_modified`` flags a failure that wrote to the caller's buffer.
    The value of a primitive operation is a dict of its answer's members
    (bytes each: ``{"ciphertext": ..., "tag": ...}``).
    """

    __slots__ = ("value", "status", "transport", "detail", "buffer_modified")

    def __init__(self, value=None, status=None, transport=None, detail="",
                 buffer_modified=False):
        self.value = value
        self.status = status
        self.transport = transport
        self.detail = detail
        self.buffer_modified = buffer_modified

    @property
    def ok(self) -> bool:
        return self.status is None and self.transport is None

    def describe(self) -> str:
        if self.transport:
            return f"{self.transport}: {self.detail}" if self.detail else self.transport
        if self.status:
            return f"error {self.status}"
        if isinstance(self.value, (bytes, bytearray)):
            return f"success ({len(self.value)} bytes)"
        return "success"

    def __repr__(self) -> str:
        return f"Outcome({self.describe()})"


# --------------------------------------------------------------------------
# The primitive operations (tools/ce1_prim.h)
# --------------------------------------------------------------------------

#: The primitive operations of tools/ce1_prim.h (docs/conformance.md 8):
#: op -> (request members in order, answer members). The members named in
#: :data:`INT_MEMBERS` are JSON integers, the others hex strings.
PRIMITIVE_OPS = {
    "aes_ecb_encrypt": (("key", "data"), ("data",)),
    "aes_ecb_decrypt": (("key", "data"), ("data",)),
    "sm4_ecb_encrypt": (("key", "data"), ("data",)),
    "sm4_ecb_decrypt": (("key", "data"), ("data",)),
    "aes_xts_encrypt": (("key", "tweak", "data"), ("data",)),
    "aes_xts_decrypt": (("key", "tweak", "data"), ("data",)),
    "aes_gcm_seal": (("key", "iv", "aad", "plaintext", "tag_len"),
                     ("ciphertext", "tag")),
    "aes_gcm_open": (("key", "iv", "aad", "ciphertext", "tag", "tag_len"),
                     ("plaintext",)),
    "hkdf_sha256_extract": (("salt", "ikm"), ("prk",)),
    "hkdf_sha256_expand": (("prk", "info", "length"), ("okm",)),
    "hkdf_sha256": (("salt", "ikm", "info", "length"), ("okm",)),
    "pbkdf2_sha256": (("password", "salt", "iterations", "length"), ("dk",)),
}
INT_MEMBERS = frozenset({"tag_len", "length", "iterations"})
#: The statuses a primitive answer's "error" may name (docs/conformance.md
#: 3.4 and 8); any other string is a bad answer.
PRIMITIVE_STATUSES = ("MALFORMED", "BAD_VERSION", "MODE_MISMATCH",
                      "KEY_MISMATCH", "BAD_PADDING", "AUTH_FAILED",
                      "INVALID_ARGUMENT", "NOT_SUPPORTED", "TOO_LARGE",
                      "UNSUPPORTED_OP", "INTERNAL")
#: The request that asks a process adapter which primitives it has.
CAPABILITIES_LINE = b'{"op":"capabilities"}'
#: The CE1 frame operations an implementation needs for the frame layer
#: (derive is optional and detected by asking it).
FRAME_OPS = ("protect", "unprotect")
#: The SFrame operations of docs/conformance.md 7.
SFRAME_OPS = ("sframe_protect", "sframe_unprotect")
_U64 = (1 << 64) - 1


def sframe_protect_line(suite, kid, ctr, base_key, metadata, payload) -> bytes:
    """The JSON line of an sframe_protect request (conformance.md 7.2)."""
    req = {"op": "sframe_protect", "suite": suite, "kid": f"{kid & _U64:016x}",
           "ctr": f"{ctr & _U64:016x}", "base_key": base_key.hex(),
           "metadata": metadata.hex(), "payload": payload.hex()}
    return json.dumps(req, separators=(",", ":")).encode()


def sframe_unprotect_line(suite, keys, window, accepted, metadata,
                          frame) -> bytes:
    """The JSON line of an sframe_unprotect request (conformance.md 7.2):
    ``keys`` [(kid, base_key)], ``accepted`` [(frame, metadata)]; the
    window and the history are omitted when 0 and empty."""
    req = {"op": "sframe_unprotect", "suite": suite,
           "base_keys": [{"kid": f"{k & _U64:016x}", "base_key": b.hex()}
                         for k, b in keys]}
    if window:
        req["replay_window"] = window
    if accepted:
        req["accepted"] = [{"frame": f.hex(), "metadata": m.hex()}
                           for f, m in accepted]
    req["metadata"] = metadata.hex()
    req["frame"] = frame.hex()
    return json.dumps(req, separators=(",", ":")).encode()


def _parse_u64(v) -> int:
    """A KID or CTR of an answer: a string of exactly 16 hex digits."""
    if not isinstance(v, str) or len(v) != 16:
        raise ValueError(f"not a string of 16 hex digits: {json.dumps(v)}")
    return int.from_bytes(parse_hex(v), "big")


def sframe_outcome(ans: dict, op: str) -> "Outcome":
    """The Outcome of an answer to an SFrame request: the frame (protect),
    or (payload, kid, ctr) (unprotect); a status; or a bad answer."""
    if "error" in ans:
        st = ans["error"]
        if not isinstance(st, str):
            return Outcome(transport="bad_answer",
                           detail=f'"error" is not a string: {json.dumps(ans)[:200]}')
        return Outcome(status=st, buffer_modified=ans.get("out_modified") is True)
    try:
        if op == "sframe_protect":
            if "frame" not in ans:
                raise ValueError('answer has no "frame" member')
            return Outcome(parse_hex(ans["frame"]))
        for k in ("payload", "kid", "ctr"):
            if k not in ans:
                raise ValueError(f'answer has no "{k}" member')
        return Outcome((parse_hex(ans["payload"]), _parse_u64(ans["kid"]),
                        _parse_u64(ans["ctr"])))
    except ValueError as e:
        return Outcome(transport="bad_answer",
                       detail=f"{e}: {json.dumps(ans)[:200]}")


def primitive_request_line(op: str, fields: dict) -> bytes:
    """The JSON line (without its newline) of a primitive request: the
    members of :data:`PRIMITIVE_OPS` in order, bytes as hex, the integer
    members as JSON integers."""
    req = {"op": op}
    names = PRIMITIVE_OPS[op][0] if op in PRIMITIVE_OPS else tuple(fields)
    for name in names:
        if name not in fields:
            continue
        v = fields[name]
        req[name] = v if name in INT_MEMBERS else bytes(v).hex()
    return json.dumps(req, separators=(",", ":")).encode()


class Implementation:
    """Interface of an implementation under test."""

    #: "reference", "adapter", "lib" or "python".
    kind = "?"
    #: One line for the report header.
    description = "?"
    #: True when requests can be sent as raw lines (:meth:`raw_request`):
    #: the request-level checks of conformance.md 3.4 apply.
    requests = False
    #: False where a salt is a fixed 32-byte array (the C ABI), so that a
    #: salt of another length cannot be passed at all.
    salt_any_length = True

    def protect(self, mode: int, key: bytes, salt: bytes, pn: int,
                payload: bytes) -> Outcome:
        raise NotImplementedError

    def unprotect(self, mode: int, key: bytes, salt: bytes,
                  frame: bytes) -> Outcome:
        raise NotImplementedError

    def derive(self, mode: int, key: bytes, salt: bytes) -> Outcome:
        """Outcome value: (enc_key, iv_base or None, check int). An
        implementation without a derive operation answers status
        UNSUPPORTED_OP."""
        return Outcome(status="UNSUPPORTED_OP")

    #: Why :meth:`capabilities` is what it is, when that is worth saying
    #: in a skip reason ("answers capabilities with UNSUPPORTED_OP: frame
    #: operations only"); "" otherwise.
    capabilities_note = ""
    #: The transport failure (an Outcome) of the last attempt to learn the
    #: capabilities, while they are unknown; None otherwise.
    capabilities_failure = None
    #: The capabilities last learnt (None: never asked), for reports.
    announced = None

    def capabilities(self) -> frozenset:
        """The primitive operations (names of :data:`PRIMITIVE_OPS`) the
        implementation announces; empty for one with frame operations
        only."""
        return frozenset()

    def primitive(self, op: str, **fields) -> Outcome:
        """Runs a primitive operation of tools/ce1_prim.h: ``fields`` are
        its request members (bytes; int for tag_len, length,
        iterations). Outcome value: a dict of the answer members (bytes)."""
        return Outcome(status="UNSUPPORTED_OP")

    # ---- what the implementation announces, for every layer ---------------

    #: ce1_impl_describe() of a library (or the "describe" member of a
    #: process adapter's capabilities answer, conformance.md 8.1); None
    #: when there is none.
    describe_text = None

    #: The answer to {"op":"capabilities"} was malformed (not
    #: UNSUPPORTED_OP, not {"ops":[...]}): nothing is taken as announced
    #: or as not announced.
    capabilities_bad = False

    def prepare(self) -> None:
        """Learns what the implementation announces before the first case
        (a process adapter is asked {"op":"capabilities"}); the runner
        calls it at the start of a run. Raises AdapterCannotStart."""

    def operations(self):
        """Every operation the implementation announces (frame, SFrame
        and primitive op names), or None when it announces none (an
        adapter answering capabilities with UNSUPPORTED_OP: it is taken to
        implement the frame operations, as before capabilities existed)."""
        return None

    def missing_frame_ops(self) -> list:
        """The frame operations (:data:`FRAME_OPS`) the implementation
        does not announce: [] when it has them, or when it announces
        nothing (then it is taken to have them)."""
        self.prepare()
        ops = self.operations()
        return [] if ops is None else [o for o in FRAME_OPS if o not in ops]

    def sframe_missing(self):
        """None when the implementation has the SFrame operations, else
        the reason (a skip reason) why it has not."""
        self.prepare()
        ops = self.operations()
        if ops is None:
            return "the implementation does not implement SFrame"
        missing = [o for o in SFRAME_OPS if o not in ops]
        return (f"not implemented by {_who(self)}: {', '.join(missing)}"
                f" ({capabilities_text(ops)})" if missing else None)

    def sframe_protect(self, suite, kid, ctr, base_key, metadata,
                       payload) -> Outcome:
        """SFrame protect with an explicit KID and CTR (conformance.md
        7.2); Outcome value: the frame."""
        return Outcome(status="UNSUPPORTED_OP")

    def sframe_unprotect(self, suite, keys, window, accepted, metadata,
                         frame) -> Outcome:
        """SFrame unprotect for a fresh receiver with ``keys`` [(kid,
        base_key)], ``window`` and the history ``accepted`` [(frame,
        metadata)]; Outcome value: (payload, kid, ctr)."""
        return Outcome(status="UNSUPPORTED_OP")

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_WHO = {"adapter": "the adapter", "lib": "the library"}


def _who(impl) -> str:
    return _WHO.get(getattr(impl, "kind", ""), "the implementation")


def capabilities_text(ops) -> str:
    """What an implementation announced, for skip reasons:
    "capabilities: aes_ecb_decrypt, aes_ecb_encrypt, ..." (sorted)."""
    ops = sorted(ops)
    return "capabilities: " + (", ".join(ops) if ops else "none")


# --------------------------------------------------------------------------
# The reference, through the bindings
# --------------------------------------------------------------------------

class Reference(Implementation):
    """chanenc through its Python bindings. Uses the in-place paths (and
    checks that the copying paths agree), and checks that a failing
    unprotect leaves the caller's buffer unchanged."""

    kind = "reference"

    def __init__(self) -> None:
        import chanenc
        import chanenc.testing  # vectors need a chosen packet number
        self._ce = chanenc
        self._testing = chanenc.testing
        self.description = (f"reference {chanenc.version()} "
                            f"(Python bindings {chanenc.__version__})")
        self._ctxs: collections.OrderedDict = collections.OrderedDict()
        self._derived: collections.OrderedDict = collections.OrderedDict()

    def _ctx(self, mode, key, salt):
        k = (mode, key, salt)
        hit = self._ctxs.get(k)
        if hit is not None:
            self._ctxs.move_to_end(k)
            return hit
        try:
            hit = self._ce.Context(self._ce.Config(mode, key=key, salt=salt))
        except self._ce.Error as e:
            hit = e
        self._ctxs[k] = hit
        if len(self._ctxs) > 128:
            self._ctxs.popitem(last=False)
        return hit

    def protect(self, mode, key, salt, pn, payload):
        ctx = self._ctx(mode, key, salt)
        if isinstance(ctx, Exception):
            return Outcome(status=ctx.status)
        buf = bytearray(len(payload) + ctx.overhead(min(len(payload), 65535)))
        buf[:len(payload)] = payload
        try:
            n = self._testing.protect_inplace_with_pn(ctx, buf, len(payload),
                                                      pn)
        except self._ce.Error as e:
            return Outcome(status=e.status)
        frame = bytes(buf[:n])
        try:
            copy = self._testing.protect_with_pn(ctx, payload, pn)
        except self._ce.Error as e:
            copy = e.status
        if copy != frame:
            return Outcome(transport="bad_answer",
                           detail="in-place and copying protect disagree")
        return Outcome(frame)

    def unprotect(self, mode, key, salt, frame):
        ctx = self._ctx(mode, key, salt)
        if isinstance(ctx, Exception):
            return Outcome(status=ctx.status)
        buf = bytearray(frame)
        try:
            n = ctx.unprotect_inplace(buf)
            out = Outcome(bytes(buf[:n]))
        except self._ce.Error as e:
            out = Outcome(status=e.status, buffer_modified=bytes(buf) != frame)
        try:
            copy = Outcome(ctx.unprotect(frame))
        except self._ce.Error as e:
            copy = Outcome(status=e.status)
        if (copy.value, copy.status) != (out.value, out.status):
            return Outcome(transport="bad_answer",
                           detail="in-place and copying unprotect disagree")
        return out

    def derive(self, mode, key, salt):
        k = (mode, key, salt)
        hit = self._derived.get(k)
        if hit is None:
            try:
                d = self._ce.derive(self._ce.Config(mode, key=key, salt=salt))
                hit = Outcome((d.enc_key, d.iv_base, d.check))
            except self._ce.Error as e:
                hit = Outcome(status=e.status)
            self._derived[k] = hit   # GCM2: 100,000 PBKDF2 iterations once
            if len(self._derived) > 128:
                self._derived.popitem(last=False)
        return hit

    # ---- primitives ----------------------------------------------------------

    def capabilities(self) -> frozenset:
        return frozenset(PRIMITIVE_OPS)

    def operations(self):
        return frozenset(FRAME_OPS + ("derive",) + SFRAME_OPS) | frozenset(PRIMITIVE_OPS)

    # ---- SFrame (chanenc.sframe, through sframe_runner.SFrameReference) ----

    def _sframe(self):
        sf = getattr(self, "_sframe_ref", None)
        if sf is None:
            from .sframe_runner import SFrameReference
            sf = self._sframe_ref = SFrameReference()
        return sf

    def sframe_protect(self, suite, kid, ctr, base_key, metadata, payload):
        return self._sframe().protect(suite, kid, ctr, base_key, metadata, payload)

    def sframe_unprotect(self, suite, keys, window, accepted, metadata, frame):
        return self._sframe().unprotect(suite, keys, window, accepted,
                                        metadata, frame)

    def primitive(self, op, **f):
        """The bindings' primitives, answering as tools/ce1_prim.h says
        (as tools/common/ce_prim_ref.h maps chanenc's statuses for the
        reference adapters): XTS with Key1 == Key2, which chanenc refuses
        as an argument, is NOT_SUPPORTED once the other arguments are
        valid; a length chanenc cannot take (TOO_LARGE) is NOT_SUPPORTED,
        an XTS data unit over 2^20 blocks INVALID_ARGUMENT; a GCM tag of
        another size than tag_len is AUTH_FAILED."""
        out = self._primitive(op, f)
        if out.status == "TOO_LARGE":
            out.status = ("INVALID_ARGUMENT" if op.startswith("aes_xts")
                          else "NOT_SUPPORTED")
        elif (out.status == "INVALID_ARGUMENT" and op.startswith("aes_xts")):
            key, data = f["key"], f["data"]
            h = len(key) // 2
            if (len(key) in (32, 64) and len(f["tweak"]) == 16
                    and 16 <= len(data) <= 16 << 20 and key[:h] == key[h:]):
                out.status = "NOT_SUPPORTED"
        return out

    def _primitive(self, op, f):
        ce = self._ce
        try:
            if op in ("aes_ecb_encrypt", "sm4_ecb_encrypt"):
                return Outcome({"data": ce.ecb_encrypt(f["key"], f["data"],
                                                       cipher=op[:3])})
            if op in ("aes_ecb_decrypt", "sm4_ecb_decrypt"):
                return Outcome({"data": ce.ecb_decrypt(f["key"], f["data"],
                                                       cipher=op[:3])})
            if op == "aes_xts_encrypt":
                return Outcome({"data": ce.xts_encrypt(f["key"], f["tweak"], f["data"])})
            if op == "aes_xts_decrypt":
                return Outcome({"data": ce.xts_decrypt(f["key"], f["tweak"], f["data"])})
            if op == "aes_gcm_seal":
                ct, tag = ce.gcm_encrypt(f["key"], f["iv"], f["plaintext"],
                                         f["aad"], tag_len=f["tag_len"],
                                         allow_short_tag=True)
                return Outcome({"ciphertext": ct, "tag": tag})
            if op == "aes_gcm_open":
                return self._gcm_open(f)
            if op == "hkdf_sha256_extract":
                return Outcome({"prk": ce.hkdf_sha256_extract(f["ikm"], f["salt"])})
            if op == "hkdf_sha256_expand":
                return Outcome({"okm": ce.hkdf_sha256_expand(f["prk"], f["info"],
                                                             f["length"])})
            if op == "hkdf_sha256":
                return Outcome({"okm": ce.hkdf_sha256(f["ikm"], f["salt"], f["info"],
                                                      f["length"])})
            if op == "pbkdf2_sha256":
                return Outcome({"dk": ce.pbkdf2_sha256(f["password"], f["salt"],
                                                       f["iterations"], f["length"])})
        except ce.Error as e:
            return Outcome(status=e.status)
        except (ValueError, OverflowError):   # outside the bindings' domain
            return Outcome(status="INVALID_ARGUMENT")
        return Outcome(status="UNSUPPORTED_OP")

    def _gcm_open(self, f):
        """chanenc refuses a tag whose length is not tag_len as an
        argument; ce1_prim.h makes it a forgery (AUTH_FAILED), once the
        other arguments are valid."""
        ce = self._ce
        tag, tag_len = f["tag"], f["tag_len"]
        if len(tag) != tag_len and 1 <= tag_len <= 16:
            try:   # the other arguments first: a tag of the right size
                ce.gcm_decrypt(f["key"], f["iv"], f["ciphertext"], bytes(tag_len),
                               f["aad"], tag_len=tag_len, allow_short_tag=True)
            except ce.Error as e:
                if e.status != "AUTH_FAILED":
                    return Outcome(status=e.status)
            return Outcome(status="AUTH_FAILED")
        pt = ce.gcm_decrypt(f["key"], f["iv"], f["ciphertext"], tag, f["aad"],
                            tag_len=tag_len, allow_short_tag=True)
        return Outcome({"plaintext": pt})

    def ecb_iterate(self, cipher: str, key: bytes, data: bytes, n: int,
                    encrypt: bool = True) -> Outcome:
        """ECB applied ``n`` times (the GB/T 32907 "1,000,000 times"
        examples): the reference's own loop, which the adapter interfaces
        do not have."""
        try:
            return Outcome({"data": self._ce.ecb_iterate(key, data, n, cipher=cipher,
                                                         encrypt=encrypt)})
        except self._ce.Error as e:
            return Outcome(status=e.status)


# --------------------------------------------------------------------------
# The independent Python implementation
# --------------------------------------------------------------------------

class PythonCE1(Implementation):
    """:class:`chanenc.conform.pyce1.PyCE1` as an implementation."""

    kind = "python"

    def __init__(self, bugs=()) -> None:
        from .pyce1 import PyCE1, CE1Error
        self._impl = PyCE1(bugs)
        self._err = CE1Error
        self.description = "pyce1 (independent pure-Python CE1 on python3-cryptography)"

    def _run(self, fn, *args):
        try:
            return Outcome(fn(*args))
        except self._err as e:
            return Outcome(status=e.status)

    def protect(self, mode, key, salt, pn, payload):
        return self._run(self._impl.protect, mode, key, salt, pn, payload)

    def unprotect(self, mode, key, salt, frame):
        return self._run(self._impl.unprotect, mode, key, salt, frame)

    def derive(self, mode, key, salt):
        return self._run(self._impl.derive, mode, key, salt)


# --------------------------------------------------------------------------
# Process adapters
# --------------------------------------------------------------------------

_PN_MASK = 0xFFFFFFFFFFFFFFFF
#: Success member of each op's answer (conformance.md section 3.3).
ANSWER_FIELD = {"protect": "frame", "unprotect": "payload", "derive": "enc_key"}


class AdapterCannotStart(Exception):
    """The adapter never answered: its command cannot be run, or every
    process exits before answering anything. The run cannot go on."""


def parse_hex(v) -> bytes:
    """The bytes of a hex string of conformance.md section 3.2: an even
    number of hex digits in either case and nothing else. ValueError for
    anything else, including the separators and whitespace that
    ``bytes.fromhex`` accepts."""
    if not isinstance(v, str):
        raise ValueError("not a string")
    b = bytes.fromhex(v)          # ValueError: odd length, a non-digit
    if 2 * len(b) != len(v):      # fromhex skipped whitespace
        raise ValueError("whitespace between the digits")
    return b


def _hex_field(ans: dict, name: str, nullable: bool = False):
    v = ans.get(name, ...)
    if v is ...:
        raise ValueError(f'answer has no "{name}" member')
    if v is None and nullable:
        return None
    if not isinstance(v, str):
        t = _json_type(v)
        raise ValueError(f'"{name}" is {"an" if t[0] in "ao" else "a"} {t}, '
                         'not a hex string')
    try:
        return parse_hex(v)
    except ValueError as e:
        raise ValueError(f'"{name}" is not a hex string ({e}; conformance.md '
                         '3.2: hex digits only, two per byte, no separators '
                         'or whitespace)') from None


def _json_type(v) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "string"


def _short(data: bytes | str, n: int = 120) -> str:
    s = data if isinstance(data, str) else data.decode("utf-8", "replace")
    s = s.rstrip("\n")
    return s if len(s) <= n else s[:n] + f"... ({len(s)} chars)"


def request_line(op: str, mode: int, key: bytes, salt: bytes, pn: int = 0,
                 data: bytes = b"") -> bytes:
    """The JSON line (without its newline) of a well-formed request:
    ``data`` is the payload of a protect, the frame of an unprotect."""
    req = {"op": op, "mode": mode, "key": key.hex(), "salt": salt.hex()}
    if op == "protect":
        req["pn"] = f"{pn & _PN_MASK:016x}"
        req["payload"] = data.hex()
    elif op == "unprotect":
        req["frame"] = data.hex()
    return json.dumps(req, separators=(",", ":")).encode()


def line_op(line: bytes) -> str | None:
    """The op a request line names when it is a JSON object whose "op" is
    one of the three operations; None otherwise."""
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    op = obj.get("op") if isinstance(obj, dict) else None
    return op if isinstance(op, str) and op in ANSWER_FIELD else None


def _load_object(line: bytes):
    try:
        obj = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


#: The member that tells a success answer of each operation (frame,
#: primitive, capabilities) from the others'.
_ANSWER_MEMBER = {**ANSWER_FIELD, "capabilities": "ops",
                  "sframe_protect": "frame", "sframe_unprotect": "payload",
                  **{op: ans[0] for op, (_, ans) in PRIMITIVE_OPS.items()}}
_OPS_OF_MEMBER: dict = {}
for _op, _m in _ANSWER_MEMBER.items():
    _OPS_OF_MEMBER.setdefault(_m, []).append(_op)


def _answers(obj: dict):
    """(member, the ops whose well-formed success answer ``obj`` is),
    ("error", ["error"]) for an error answer, None for neither."""
    if "error" in obj:
        return "error", ["error"]
    for member, ops in _OPS_OF_MEMBER.items():
        if member not in obj:
            continue
        if member == "ops":
            if isinstance(obj["ops"], list):
                return member, ops
            continue
        try:
            _hex_field(obj, member)
        except ValueError:
            continue
        return member, ops
    return None


def _fits(line: bytes, op: str | None) -> bool:
    """Whether a line can be the answer to a request of ``op`` (None, or
    an op the runner does not know: any JSON object may answer it)."""
    obj = _load_object(line)
    if obj is None:
        return False
    m = _ANSWER_MEMBER.get(op) if op is not None else None
    return m is None or "error" in obj or m in obj


def head_tail(text: str, head: int = 5, tail: int = 3, width: int = 200,
              omitted: int = 0) -> str:
    """The first ``head`` and the last ``tail`` non-blank lines of
    ``text``, joined with " | " (a crash's message is usually at the top
    of its output, where it names the file and line, and its end at the
    bottom)."""
    lines = [ln.rstrip() for ln in text.splitlines() if ln.strip()]
    lines = [ln if len(ln) <= width else ln[:width] + "..." for ln in lines]
    if len(lines) > head + tail:
        omitted += len(lines) - head - tail
        lines = lines[:head] + lines[-tail:]
    if omitted:
        lines.insert(min(head, len(lines)), f"[{omitted} more lines]")
    return " | ".join(lines)


class ProcessAdapter(Implementation):
    """A CE1 implementation behind the JSON-lines protocol of
    conformance.md section 3.

    Every request waits at most ``timeout`` seconds for its answer. An
    adapter that times out or dies is killed; the case fails and the next
    request starts a fresh process. After ``give_up`` consecutive timeouts
    (or ten times as many consecutive transport failures of any kind) the
    adapter is declared unusable and the remaining requests fail at once,
    so a hanging adapter cannot stall the run.

    Answers must stay in step with requests (one line each, in order).
    The adapter's output is watched for lines that are no answer: a line a
    fresh process writes before its first answer (a banner) is recognised
    and skipped; output between an answer and the next request, or an
    answer that fits another operation than its request's, is reported and
    the process restarted, so that one stray line cannot shift every later
    answer. :meth:`protocol_events` lists what was seen, once per kind.

    :class:`AdapterCannotStart` is raised when the command cannot be run,
    or when every process exits before answering anything.
    """

    kind = "adapter"
    #: Request-level checks apply (malformed requests, conformance.md 3.4).
    requests = True

    def __init__(self, command, timeout: float = 10.0, give_up: int = 5,
                 env=None, label: str | None = None) -> None:
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise ValueError("empty adapter command")
        self.command = command if isinstance(command, str) else shlex.join(command)
        self.timeout = float(timeout)
        self.give_up = give_up
        self.env = env
        self.description = label or f"process adapter: {self.command}"
        self.proc = None
        self._stderr = None
        self._stderr_mark = 0
        self._rbuf = b""
        self._fresh = False
        self._consecutive = 0
        self._timeouts = 0
        self.unusable = None  # reason once given up
        self.restarts = 0
        self.requests_sent = 0
        self.answers = 0      # JSON objects received, over all processes
        self.has_derive = None
        self.banner = None    # the line each fresh process writes first
        self._banner_count = 0
        self._probed = False
        self._events: dict = {}
        self._caps = None          # this process's answer, once asked
        self.announced = None      # the last answer, kept after close()
        self._caps_settled = False  # kept across restarts (given up asking)
        self._caps_failures = 0
        self.capabilities_note = ""
        self.capabilities_failure = None
        self._label = self.description
        self._prepared = False
        self._ops_all = None        # the ops listed when prepare() asked
        self._proc_ops = None       # the ops this process listed
        self._sframe_reason = ...   # ...: not decided yet
        self.describe_text = None

    # ---- process management ---------------------------------------------

    def _start(self) -> None:
        self._stderr = tempfile.TemporaryFile()
        self._stderr_mark = 0
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self._stderr, bufsize=0, env=self.env,
            start_new_session=True)
        os.set_blocking(self.proc.stdin.fileno(), False)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self._poller = select.poll()
        self._poller.register(self.proc.stdout.fileno(), select.POLLIN)
        self._rbuf = b""
        self._fresh = True

    def _stderr_excerpt(self) -> str:
        """What the process wrote to stderr while the current request ran
        (all of it when that is nothing): its first and its last lines."""
        f = self._stderr
        if f is None:
            return ""
        try:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            start = self._stderr_mark if self._stderr_mark < size else 0
            span = 1 << 14
            if size - start <= 4 * span:
                f.seek(start)
                return head_tail(f.read().decode("utf-8", "replace"))
            f.seek(start)
            first = f.read(span).decode("utf-8", "replace")
            f.seek(size - span)
            last = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        # cut at line ends: partial lines would mislead
        first = first[:first.rfind("\n") + 1] or first
        last = last[last.find("\n") + 1:] or last
        return " | ".join(x for x in (head_tail(first, tail=0),
                                      "[more lines]",
                                      head_tail(last, head=0)) if x)

    def _kill(self) -> None:
        p, self.proc = self.proc, None
        self._fresh = False
        if not self._caps_settled:
            self._caps = None      # a fresh process is asked again
        if p is None:
            return
        for f in (p.stdin, p.stdout):
            try:
                f.close()
            except OSError:
                pass
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                try:
                    p.kill()
                except ProcessLookupError:
                    pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def close(self) -> None:
        p = self.proc
        if p is None:
            return
        try:
            p.stdin.close()
        except OSError:
            pass
        try:
            p.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self._kill()

    # ---- protocol events ---------------------------------------------------

    def _note(self, kind: str, detail: str) -> None:
        ev = self._events.get(kind)
        if ev is None:
            self._events[kind] = [1, detail]
        else:
            ev[0] += 1

    def protocol_events(self) -> list:
        """(kind, count, detail of the first occurrence) of every way the
        adapter's output got out of step with its requests: "banner" (a
        fresh process writes a line before its first answer; the runner
        skips it), "extra_output" (lines beyond one answer per request),
        "out_of_step" (an answer that fits another request)."""
        events = [(k, n, d) for k, (n, d) in self._events.items()]
        if self.banner is not None:
            events.insert(0, ("banner", self._banner_count, _short(self.banner)))
        return events

    # ---- one request -------------------------------------------------------

    def _io(self, out: bytes, deadline: float) -> tuple:
        """Writes ``out`` (may be empty) and returns the next line of
        output: (line, None, "") or (None, transport error, detail).
        A line that fits in the pipe is written at once (the usual case);
        the process's poll object is kept from one request to the next."""
        p = self.proc
        out = memoryview(out)
        w_fd, r_fd = p.stdin.fileno(), p.stdout.fileno()
        if out:
            out = self._write(w_fd, out)
        poller = self._poller
        if out:
            poller.register(w_fd, select.POLLOUT)
        try:
            while True:
                nl = self._rbuf.find(b"\n")
                if nl >= 0:
                    ans, self._rbuf = self._rbuf[:nl], self._rbuf[nl + 1:]
                    return ans, None, ""
                left = deadline - time.monotonic()
                if left <= 0:
                    return None, "timeout", (f"no answer within {self.timeout:g} s"
                                             + (f" (partial: {_short(self._rbuf, 60)!r})"
                                                if self._rbuf else ""))
                for fd, _ in poller.poll(max(1, int(left * 1000 + 0.999))):
                    if fd == w_fd:
                        out = self._write(w_fd, out)
                        if not out:
                            poller.unregister(w_fd)
                        continue
                    try:
                        chunk = os.read(r_fd, 1 << 16)
                    except BlockingIOError:
                        continue
                    if not chunk:
                        try:
                            rc = p.wait(timeout=1)
                        except subprocess.TimeoutExpired:
                            rc = None
                        how = (f"exited with status {rc}" if rc is not None and rc >= 0
                               else f"killed by signal {-rc}" if rc is not None
                               else "closed its output")
                        err = self._stderr_excerpt()
                        return None, "crashed", (f"adapter {how} before answering"
                                                 + (f"; stderr: {err}" if err else ""))
                    self._rbuf += chunk
        finally:
            if out:
                try:
                    poller.unregister(w_fd)
                except (KeyError, ValueError):
                    pass

    @staticmethod
    def _write(fd: int, out: memoryview) -> memoryview:
        """Writes what the pipe takes now; the rest (nothing once the
        process is gone: its answer, or its end, tells)."""
        try:
            n = os.write(fd, out)
            return out[n:]
        except BlockingIOError:
            return out
        except OSError:          # BrokenPipeError: the process is gone
            return out[:0]

    def _pending_output(self) -> bytes:
        """Output the live process wrote since its last answer (it should
        have written nothing)."""
        got = self._rbuf
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 1 << 16)
            except BlockingIOError:
                break
            except OSError:
                break
            if not chunk:     # end of output: the request will say so
                break
            got += chunk
        self._rbuf = got
        return got

    def _exchange(self, line: bytes, op: str | None) -> tuple:
        """Sends a line and returns (answer line, None, "") or (None,
        transport error, detail)."""
        if self.proc is not None and self._pending_output():
            self._note("extra_output", (
                f"{_short(self._rbuf, 80)!r} arrived after the answer to "
                "an earlier request"))
            self._kill()
        if self.proc is None:
            try:
                self._start()
            except OSError as e:
                return None, "unusable", f"cannot run {self.argv[0]!r}: {e}"
            if self.requests_sent > 1:
                self.restarts += 1
        fresh, self._fresh = self._fresh, False
        if self._stderr is not None:
            try:
                self._stderr_mark = os.fstat(self._stderr.fileno()).st_size
            except OSError:
                pass
        deadline = time.monotonic() + self.timeout
        ans, err, detail = self._io(line + b"\n", deadline)
        if err is not None or not fresh or _fits(ans, op):
            return ans, err, detail
        # The first line of a fresh process is no answer to its first
        # request: a banner, when an answer follows (within the request's
        # timeout: the first request may take long, GCM2 runs PBKDF2).
        ans2, err2, detail2 = self._io(b"", deadline)
        if ans2 is not None and _fits(ans2, op):
            if self.banner is None:
                self.banner = ans
                self._banner_count = 0
            self._banner_count += 1
            return ans2, None, ""
        if err2 == "crashed":
            return None, err2, f"{detail2}; its only output: {_short(ans)!r}"
        if ans2 is not None:
            self._rbuf = ans2 + b"\n" + self._rbuf
        return ans, None, ""

    def request(self, line: bytes, op: str | None = None,
                step_check: bool = True) -> tuple:
        """Sends one request line (without newline) of operation ``op``;
        returns (answer object, None) or (None, a failed Outcome).
        ``step_check``: an answer that fits another operation means the
        answers are out of step (not for requests the runner built
        malformed on purpose)."""
        if self.unusable:
            return None, Outcome(transport="unusable", detail=self.unusable)
        self.requests_sent += 1
        ans, err, detail = self._exchange(line, op)
        if err is not None:
            # No answer: the process is dead or stuck. Kill it; the next
            # request starts a fresh one.
            self._kill()
            if self.answers == 0 and err in ("unusable", "crashed"):
                self._cannot_start(err, detail)
            self._consecutive += 1
            self._timeouts = self._timeouts + 1 if err == "timeout" else 0
            if (err == "unusable" or self._timeouts >= self.give_up
                    or self._consecutive >= 10 * self.give_up):
                self.unusable = (f"gave up after {self._consecutive} consecutive "
                                 f"failures; last: {err}: {detail}")
            return None, Outcome(transport=err, detail=detail)
        self._consecutive = self._timeouts = 0
        if self._rbuf:
            # More than one line for one request. When the first is no
            # answer and a later one is, the later one is the answer.
            extra = self._rbuf.split(b"\n")
            if not _fits(ans, op):
                for i, later in enumerate(extra[:-1]):
                    if _fits(later, op):
                        ans, extra = later, [ans] + extra[:i] + extra[i + 1:]
                        break
            self._note("extra_output", (
                f"{_short(b' / '.join(x for x in extra if x), 80)!r} came with "
                "the answer to one request"))
            self._kill()
        obj = _load_object(ans)
        if obj is None:
            try:
                json.loads(ans)
                what = "not a JSON object"
            except (ValueError, UnicodeDecodeError, RecursionError) as e:
                what = f"not JSON ({e})"
            return None, Outcome(transport="garbage",
                                 detail=f"answer is {what}: {_short(ans)!r}")
        self.answers += 1
        if (step_check and op in _ANSWER_MEMBER and "error" not in obj
                and _ANSWER_MEMBER[op] not in obj):
            other = _answers(obj)
            if other is not None and op not in other[1]:
                self._kill()
                member, ops = other
                which = (ops[0] if len(ops) == 1 else
                         ", ".join(ops[:-1]) + " or " + ops[-1])
                what = (f"{'an' if op[0] in 'aeiou' else 'a'} {op} request got an "
                        f"answer with \"{member}\", which answers {which}")
                self._note("out_of_step", (
                    f"{what}: the adapter's answers are out of step with the "
                    "requests (it wrote a line that answered no request), or "
                    "it names the answer's member wrongly (conformance.md "
                    "3.3); the adapter was restarted"))
                return None, Outcome(transport="out_of_step", detail=(
                    f"{what}: answers out of step with requests; adapter "
                    "restarted"))
        return obj, None

    def _cannot_start(self, err: str, detail: str) -> None:
        """Called when no process has answered anything yet and the last
        one could not be run or exited. Raises AdapterCannotStart unless a
        plain request gets an answer (the first request may have been
        what made it exit)."""
        if err != "crashed":
            raise AdapterCannotStart(detail)
        if not self._probed:
            self._probed = True
            probe = request_line("protect", 2, b"0123456789abcdef",
                                 bytes(range(32)), 0, b"")
            ans, err, _ = self._exchange(probe, "protect")
            if err is None and _load_object(ans) is not None:
                self.answers += 1
                return
            self._kill()
            detail += " (and so it did on a plain protect request)"
        raise AdapterCannotStart(f"{self.command}: {detail}")

    # ---- CE1 operations ----------------------------------------------------

    def _outcome(self, ans: dict, op: str | None) -> Outcome:
        """The Outcome of an answer object to a request of ``op``."""
        if "error" in ans:
            st = ans["error"]
            if not isinstance(st, str):
                return Outcome(transport="bad_answer",
                               detail=f'"error" is not a string: {_short(json.dumps(ans))}')
            return Outcome(status=st, buffer_modified=bool(ans.get("out_modified")))
        try:
            if op == "derive":
                enc_key = _hex_field(ans, "enc_key")
                iv_base = _hex_field(ans, "iv_base", nullable=True)
                check = _hex_field(ans, "check")
                if len(check) != 1:
                    raise ValueError('"check" is not one byte')
                return Outcome((enc_key, iv_base, check[0]))
            if op in ANSWER_FIELD:
                return Outcome(_hex_field(ans, ANSWER_FIELD[op]))
        except ValueError as e:
            return Outcome(transport="bad_answer", detail=f"{e}: {_short(json.dumps(ans))}")
        return Outcome(f"answer {_short(json.dumps(ans))}")

    def _call(self, op: str, line: bytes) -> Outcome:
        ans, fail = self.request(line, op)
        return fail if fail else self._outcome(ans, op)

    def protect(self, mode, key, salt, pn, payload):
        return self._call("protect", request_line("protect", mode, key, salt, pn, payload))

    def unprotect(self, mode, key, salt, frame):
        return self._call("unprotect", request_line("unprotect", mode, key, salt, data=frame))

    def derive(self, mode, key, salt):
        if self.has_derive is False:
            return Outcome(status="UNSUPPORTED_OP")
        out = self._call("derive", request_line("derive", mode, key, salt))
        if out.status == "UNSUPPORTED_OP":
            self.has_derive = False
        elif out.ok:
            self.has_derive = True
        return out

    # ---- primitive operations ----------------------------------------------

    def capabilities(self) -> frozenset:
        """The primitives this process announces (asked once per process
        start, docs/conformance.md 8.1): the "ops" of its answer that are
        operations of tools/ce1_prim.h. UNSUPPORTED_OP (an adapter of the
        frame operations only) or any other error gives none. While the
        request fails in transport (a timeout, a crash) the answer is none
        and :attr:`capabilities_failure` says why; after three such
        failures in a row the adapter is taken to have none. A malformed
        answer is reported once among the adapter's output problems
        (:meth:`protocol_events`)."""
        if self._caps is not None:
            self.capabilities_failure = None
            return self._caps
        if self.unusable:
            self.capabilities_failure = Outcome(transport="unusable",
                                                detail=self.unusable)
            return frozenset()
        ans, fail = self.request(CAPABILITIES_LINE, "capabilities")
        if fail is not None:
            self._caps_failures += 1
            self.capabilities_failure = fail
            if self._caps_failures >= 3:
                self._caps, self._caps_settled = frozenset(), True
                self.announced = self._caps
                self.capabilities_note = (
                    f'no answer to {{"op":"capabilities"}} in '
                    f"{self._caps_failures} attempts ({fail.describe()}): "
                    "frame operations only")
                self._note("capabilities", self.capabilities_note)
            return frozenset()
        self._caps_failures = 0
        self.capabilities_failure = None
        self._caps = self.announced = self._read_capabilities(ans)
        return self._caps

    def prepare(self) -> None:
        """Asks {"op":"capabilities"} once, before the first case of a run
        (the answer decides whether the frame and SFrame layers run). A
        transport failure of this first question is not counted towards
        giving the adapter up: the cases that follow show the fault
        themselves (and the primitive cases ask again)."""
        if self._prepared:
            return
        self._prepared = True
        counters = (self._consecutive, self._timeouts, self._caps_failures)
        self.capabilities()
        if self.capabilities_failure is not None:
            if not self._caps_settled:
                self._consecutive, self._timeouts, self._caps_failures = counters
                if not self._timeouts_exhausted():
                    self.unusable = None
            return
        self._ops_all = self._proc_ops

    def _timeouts_exhausted(self) -> bool:
        return (self._timeouts >= self.give_up
                or self._consecutive >= 10 * self.give_up)

    def operations(self):
        """The operations of the first capabilities answer that listed
        them (frame, SFrame, primitive and unknown names alike); None for
        an adapter that answered UNSUPPORTED_OP, gave a malformed answer,
        or has not answered."""
        return self._ops_all

    def sframe_missing(self):
        """None when the adapter has SFrame. An adapter that lists its
        operations has it when it lists both SFrame ops; one that lists
        nothing (UNSUPPORTED_OP to capabilities) is sent one valid
        sframe_protect, and an UNSUPPORTED_OP answer means no SFrame
        (conformance.md 7.1)."""
        if self._sframe_reason is not ...:
            return self._sframe_reason
        self.prepare()
        if self._ops_all is not None:
            self._sframe_reason = Implementation.sframe_missing(self)
            return self._sframe_reason
        out = self.sframe_protect(4, 0, 0, b"\x01", b"", b"")
        if out.transport:
            return None      # undecided: the cases show the fault
        self._sframe_reason = (
            f"{_who(self)} does not implement SFrame: it answered "
            "UNSUPPORTED_OP to sframe_protect (conformance.md 7.1)"
            if out.status == "UNSUPPORTED_OP" else None)
        return self._sframe_reason

    def _read_capabilities(self, ans: dict) -> frozenset:
        text = _short(json.dumps(ans, separators=(",", ":")))
        self._proc_ops = None
        d = ans.get("describe")
        if isinstance(d, str) and d.strip() and self.describe_text is None:
            # conformance.md 8.1: optional, a one-line description (a
            # library's ce1_impl_describe() through libserve.py)
            self.describe_text = d.strip().splitlines()[0][:200]
            self.description = f"{self._label} [{self.describe_text}]"
        self.capabilities_bad = False
        if "error" in ans:
            st = ans["error"]
            if st == "UNSUPPORTED_OP":
                self.capabilities_note = ("capabilities: UNSUPPORTED_OP, frame "
                                          "operations only")
                return frozenset()
            self.capabilities_bad = True
            self.capabilities_note = f"capabilities answered {text}"
            self._note("capabilities", (
                f'{{"op":"capabilities"}} was answered {text}: an adapter '
                'answers it with {"ops":[...]}, or with UNSUPPORTED_OP when it '
                "implements the frame operations only (docs/conformance.md 8.1); "
                "its primitive cases were skipped"))
            return frozenset()
        ops = ans.get("ops")
        if not isinstance(ops, list) or not all(isinstance(o, str) for o in ops):
            what = ('has no "ops" member' if "ops" not in ans else
                    '"ops" is not an array of strings')
            self.capabilities_bad = True
            self.capabilities_note = f"capabilities answer malformed: {what}"
            self._note("capabilities", (
                f'the answer to {{"op":"capabilities"}}, {text}, {what} '
                "(docs/conformance.md 8.1): its primitive cases were skipped"))
            return frozenset()
        self.capabilities_note = ""
        self._proc_ops = frozenset(ops)
        return frozenset(o for o in ops if o in PRIMITIVE_OPS)

    def primitive(self, op, **fields):
        line = primitive_request_line(op, fields)
        ans, fail = self.request(line, op)
        return fail if fail else primitive_outcome(ans, op)

    # ---- SFrame operations (conformance.md 7.2) ------------------------------

    def sframe_protect(self, suite, kid, ctr, base_key, metadata, payload):
        ans, fail = self.request(sframe_protect_line(
            suite, kid, ctr, base_key, metadata, payload), "sframe_protect")
        return fail if fail else sframe_outcome(ans, "sframe_protect")

    def sframe_unprotect(self, suite, keys, window, accepted, metadata, frame):
        ans, fail = self.request(sframe_unprotect_line(
            suite, keys, window, accepted, metadata, frame), "sframe_unprotect")
        return fail if fail else sframe_outcome(ans, "sframe_unprotect")

    def raw_request(self, line: bytes) -> Outcome:
        """Sends any line (one the runner made malformed on purpose, say)
        and returns the answer as an Outcome; a success answer is read as
        the answer to the op the line names, if any."""
        op = line_op(line)
        ans, fail = self.request(line, op, step_check=False)
        return fail if fail else self._outcome(ans, op)


def primitive_outcome(ans: dict, op: str) -> Outcome:
    """The Outcome of a process adapter's answer to a primitive request,
    read strictly: every answer member of the op must be there, as a hex
    string (conformance.md 3.2); anything else is a bad answer."""
    if "error" in ans:
        st = ans["error"]
        if not isinstance(st, str):
            return Outcome(transport="bad_answer",
                           detail=f'"error" is not a string: {_short(json.dumps(ans))}')
        if st not in PRIMITIVE_STATUSES:
            return Outcome(transport="bad_answer",
                           detail=f'"error" {st!r} is not a status of '
                           "docs/conformance.md 3.4, 8 (" + ", ".join(
                               PRIMITIVE_STATUSES) + "): "
                           + _short(json.dumps(ans)))
        return Outcome(status=st, buffer_modified=ans.get("out_modified") is True)
    value = {}
    try:
        for member in PRIMITIVE_OPS[op][1]:
            value[member] = _hex_field(ans, member)
    except ValueError as e:
        return Outcome(transport="bad_answer",
                       detail=f"{op}: {e}: {_short(json.dumps(ans))}")
    return Outcome(value)


def lib_adapter(path: str, timeout: float = 10.0) -> ProcessAdapter:
    """A shared-library implementation (C ABI) run in a worker process that
    serves it over JSON lines (:mod:`chanenc.conform.libserve`)."""
    server = os.path.join(os.path.dirname(os.path.abspath(__file__)), "libserve.py")
    ad = ProcessAdapter([sys.executable, server, "--describe",
                         os.path.abspath(path)],
                        timeout=timeout,
                        label=f"shared library (C ABI, worker process): {path}")
    ad.kind = "lib"
    ad.lib_path = path
    ad.has_derive = False
    # The worker's request parsing is the runner's, not the library's; and
    # the C ABI's salt is salt[32].
    ad.requests = False
    ad.salt_any_length = False
    return ad


class InProcessLib(Implementation):
    """A shared-library implementation loaded into the runner with ctypes
    (faster; a crash of the library ends the runner)."""

    kind = "lib"
    salt_any_length = False
    has_derive = False

    def __init__(self, path: str) -> None:
        self._lib = LibImpl(path)
        self.lib_path = path
        self.description = f"shared library (C ABI, in process): {path}"
        describe = getattr(self._lib, "describe", None)
        what = describe() if describe is not None else None
        if what:
            self.describe_text = what
            self.description += f" [{what}]"
        self._caps = None
        caps = getattr(self._lib, "capabilities", None)
        self._ops = frozenset(caps()) if caps is not None else None

    def operations(self):
        """The operations whose symbols the library exports."""
        return self._ops

    def sframe_protect(self, suite, kid, ctr, base_key, metadata, payload):
        st, out, mod = self._lib.sframe_protect(suite, kid, ctr, base_key,
                                                metadata, payload)
        return Outcome(out) if st is None else Outcome(status=st, buffer_modified=mod)

    def sframe_unprotect(self, suite, keys, window, accepted, metadata, frame):
        st, out, mod = self._lib.sframe_unprotect(suite, keys, window, accepted,
                                                  metadata, frame)
        return Outcome(out) if st is None else Outcome(status=st, buffer_modified=mod)

    def protect(self, mode, key, salt, pn, payload):
        st, out, mod = self._lib.protect(mode, key, salt, pn, payload)
        return Outcome(out) if st is None else Outcome(status=st, buffer_modified=mod)

    def unprotect(self, mode, key, salt, frame):
        st, out, mod = self._lib.unprotect(mode, key, salt, frame)
        return Outcome(out) if st is None else Outcome(status=st, buffer_modified=mod)

    def capabilities(self) -> frozenset:
        """The primitives whose symbols the library exports (LibImpl)."""
        if self._caps is None:
            caps = getattr(self._lib, "capabilities", None)
            if caps is None:
                self.capabilities_note = ("this runner's libserve cannot call "
                                          "primitives: frame operations only")
                self._caps = frozenset()
            else:
                self._caps = frozenset(op for op in caps() if op in PRIMITIVE_OPS)
            self.announced = self._caps
        return self._caps

    def primitive(self, op, **fields):
        st, ans, mod = self._lib.primitive(op, fields)
        if st is not None:
            return Outcome(status=st, buffer_modified=bool(mod))
        value = {}
        for member in PRIMITIVE_OPS[op][1]:
            v = (ans or {}).get(member)
            if not isinstance(v, (bytes, bytearray)):
                return Outcome(transport="bad_answer",
                               detail=f"{op}: no {member!r} bytes in {ans!r}")
            value[member] = bytes(v)
        return Outcome(value)


# --------------------------------------------------------------------------
# Recording the requests of a check
# --------------------------------------------------------------------------

class Recorder:
    """Wraps an implementation (any attribute not defined here is the
    wrapped one's) and keeps the calls made through it, so that a failed
    check can show its requests in full: as the JSON lines of
    conformance.md section 3 that a process adapter is (or would be)
    sent, whatever the implementation. Recording costs nothing until
    :meth:`take` formats the calls."""

    def __init__(self, impl) -> None:
        self.impl = impl
        self._calls: list = []

    def __getattr__(self, name):
        return getattr(self.impl, name)

    def protect(self, mode, key, salt, pn, payload):
        self._calls.append(("protect", mode, key, salt, pn, payload))
        return self.impl.protect(mode, key, salt, pn, payload)

    def unprotect(self, mode, key, salt, frame):
        self._calls.append(("unprotect", mode, key, salt, 0, frame))
        return self.impl.unprotect(mode, key, salt, frame)

    def derive(self, mode, key, salt):
        if getattr(self.impl, "has_derive", None) is not False:
            self._calls.append(("derive", mode, key, salt, 0, b""))
        return self.impl.derive(mode, key, salt)

    def raw_request(self, line: bytes):
        self._calls.append(("raw", line))
        return self.impl.raw_request(line)

    def primitive(self, op, **fields):
        self._calls.append(("prim", op, fields))
        return self.impl.primitive(op, **fields)

    def capabilities(self):
        caps = self.impl.capabilities()
        if getattr(self.impl, "capabilities_failure", None) is not None:
            self._calls.append(("raw", CAPABILITIES_LINE))
        return caps

    def sframe_protect(self, suite, kid, ctr, base_key, metadata, payload):
        self._calls.append(("raw", sframe_protect_line(
            suite, kid, ctr, base_key, metadata, payload)))
        return self.impl.sframe_protect(suite, kid, ctr, base_key, metadata,
                                        payload)

    def sframe_unprotect(self, suite, keys, window, accepted, metadata, frame):
        self._calls.append(("raw", sframe_unprotect_line(
            suite, keys, window, accepted, metadata, frame)))
        return self.impl.sframe_unprotect(suite, keys, window, accepted,
                                          metadata, frame)

    def clear(self) -> None:
        self._calls = []

    def take(self) -> list:
        """The request lines (str, no newline) recorded since the last
        take or clear, and forget them. Bytes of a line that are not
        UTF-8 (sent so on purpose) appear as \\xNN escapes."""
        calls, self._calls = self._calls, []
        return [c[1].decode("utf-8", "backslashreplace") if c[0] == "raw"
                else primitive_request_line(c[1], c[2]).decode() if c[0] == "prim"
                else request_line(*c).decode() for c in calls]
