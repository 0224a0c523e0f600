#!/usr/bin/python3
"""Serve a shared-library implementation (the C ABI of conformance.md
sections 4, 7.3 and 8.3) over the JSON-lines process adapter protocol
(sections 3, 7.2 and 8).

    python3 libserve.py [--describe] /path/to/libce1impl.so

(``--describe``: the answer to ``{"op":"capabilities"}`` carries the
library's ``ce1_impl_describe()`` as the optional ``"describe"`` member of
conformance.md 8.1; the runner starts it so, for its report header.)

The conformance runner starts this script for ``--lib PATH`` so that a
library that crashes or hangs takes down this worker process, not the
runner. It uses only the standard library (ctypes), so it runs without the
chanenc package.

Every symbol but the library's first is optional: a library exports the
CE1 pair (``ce1_impl_protect``, ``ce1_impl_unprotect``), the SFrame pair,
any of the primitives of tools/ce1_prim.h, or several of these groups;
an absent symbol is an operation the library does not implement, and
``{"op":"capabilities"}`` is answered with the operations whose symbols
exist (and, when the library exports ``ce1_impl_describe``, its text as
the optional ``"describe"`` member of conformance.md 8.1). A library
exporting none of them cannot be served.

Beyond the protocol, a failure answer carries ``"out_modified": true`` when
the library wrote to its output buffer (or GCM tag buffer) although it
failed (the C ABI says nothing may be written then).

:class:`LibImpl` is also what the runner's in-process mode calls; the
JSON lines served here go through the same methods.
"""

from __future__ import annotations

import ctypes
import json
import re
import sys

__all__ = ["LibImpl", "PRIMITIVES", "STATUS_NAMES", "serve"]

#: The ABI's negative status codes (chanenc.h's ce_status values).
STATUS_NAMES = {
    0: "OK", -1: "MALFORMED", -2: "BAD_VERSION", -3: "MODE_MISMATCH",
    -4: "KEY_MISMATCH", -5: "BAD_PADDING", -6: "AUTH_FAILED",
    -7: "INVALID_ARGUMENT", -8: "NOT_SUPPORTED", -9: "BUFFER_TOO_SMALL",
    -10: "TOO_LARGE", -11: "INTERNAL", -12: "OBSERVER", -13: "UNKNOWN_KID",
    -14: "REPLAYED", -15: "COUNTER_EXHAUSTED",
}
_SENTINEL = 0xA5

#: The protocol's bounds (conformance.md 8.2): a byte member of a
#: primitive request holds at most this many bytes (more: TOO_LARGE), and
#: tag_len and length lie in 0..this (else INVALID_ARGUMENT).
MAX_BYTES = 1 << 20
#: iterations lies in 0..2^32-1, the C ABI's uint32_t.
MAX_ITERATIONS = 2**32 - 1
#: SFrame (conformance.md 7.2): the largest replay window.
MAX_REPLAY_WINDOW = 1024

_B, _I = "bytes", "int"
#: The primitive operations (tools/ce1_prim.h, conformance.md 8.2):
#: op -> (C symbol, request members in order as (name, kind, bound)).
#: A bytes member with a bound must have exactly that many bytes; an int
#: member lies in 0..bound.
PRIMITIVES = {
    "aes_ecb_encrypt": ("ce1_impl_aes_ecb", (("key", _B, None), ("data", _B, None))),
    "aes_ecb_decrypt": ("ce1_impl_aes_ecb", (("key", _B, None), ("data", _B, None))),
    "sm4_ecb_encrypt": ("ce1_impl_sm4_ecb", (("key", _B, None), ("data", _B, None))),
    "sm4_ecb_decrypt": ("ce1_impl_sm4_ecb", (("key", _B, None), ("data", _B, None))),
    "aes_xts_encrypt": ("ce1_impl_aes_xts", (("key", _B, None), ("tweak", _B, 16),
                                             ("data", _B, None))),
    "aes_xts_decrypt": ("ce1_impl_aes_xts", (("key", _B, None), ("tweak", _B, 16),
                                             ("data", _B, None))),
    "aes_gcm_seal": ("ce1_impl_aes_gcm_seal", (
        ("key", _B, None), ("iv", _B, None), ("aad", _B, None),
        ("plaintext", _B, None), ("tag_len", _I, MAX_BYTES))),
    "aes_gcm_open": ("ce1_impl_aes_gcm_open", (
        ("key", _B, None), ("iv", _B, None), ("aad", _B, None),
        ("ciphertext", _B, None), ("tag", _B, None),
        ("tag_len", _I, MAX_BYTES))),
    "hkdf_sha256_extract": ("ce1_impl_hkdf_sha256_extract", (
        ("salt", _B, None), ("ikm", _B, None))),
    "hkdf_sha256_expand": ("ce1_impl_hkdf_sha256_expand", (
        ("prk", _B, None), ("info", _B, None), ("length", _I, MAX_BYTES))),
    "hkdf_sha256": ("ce1_impl_hkdf_sha256", (
        ("salt", _B, None), ("ikm", _B, None), ("info", _B, None),
        ("length", _I, MAX_BYTES))),
    "pbkdf2_sha256": ("ce1_impl_pbkdf2_sha256", (
        ("password", _B, None), ("salt", _B, None),
        ("iterations", _I, MAX_ITERATIONS), ("length", _I, MAX_BYTES))),
}

_U8P = ctypes.POINTER(ctypes.c_uint8)
_SZ = ctypes.c_size_t
_SZP = ctypes.POINTER(ctypes.c_size_t)
_INT = ctypes.c_int
#: The C signatures (argtypes) of the optional primitive symbols.
_PRIM_ARGTYPES = {
    "ce1_impl_aes_ecb": [_INT, _U8P, _SZ, _U8P, _SZ, _U8P, _SZP],
    "ce1_impl_sm4_ecb": [_INT, _U8P, _SZ, _U8P, _SZ, _U8P, _SZP],
    "ce1_impl_aes_xts": [_INT, _U8P, _SZ, _U8P, _U8P, _SZ, _U8P, _SZP],
    "ce1_impl_aes_gcm_seal": [_U8P, _SZ, _U8P, _SZ, _U8P, _SZ, _U8P, _SZ, _SZ,
                              _U8P, _SZP, _U8P],
    "ce1_impl_aes_gcm_open": [_U8P, _SZ, _U8P, _SZ, _U8P, _SZ, _U8P, _SZ, _U8P,
                              _SZ, _SZ, _U8P, _SZP],
    "ce1_impl_hkdf_sha256_extract": [_U8P, _SZ, _U8P, _SZ, _U8P],
    "ce1_impl_hkdf_sha256_expand": [_U8P, _SZ, _U8P, _SZ, _U8P, _SZ],
    "ce1_impl_hkdf_sha256": [_U8P, _SZ, _U8P, _SZ, _U8P, _SZ, _U8P, _SZ],
    "ce1_impl_pbkdf2_sha256": [_U8P, _SZ, _U8P, _SZ, ctypes.c_uint32, _U8P,
                               _SZ],
}


class _SFrameKey(ctypes.Structure):
    _fields_ = [("kid", ctypes.c_uint64), ("base_key", _U8P),
                ("base_key_len", _SZ)]


class _SFrameFrame(ctypes.Structure):
    _fields_ = [("frame", _U8P), ("frame_len", _SZ), ("metadata", _U8P),
                ("metadata_len", _SZ)]


def status_name(rc: int) -> str:
    return STATUS_NAMES.get(rc, f"UNKNOWN({rc})")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


class _Guarded:
    """An output buffer filled with a sentinel, to see whether a failing
    call wrote to it."""

    def __init__(self, n: int) -> None:
        self.fill = bytes([_SENTINEL]) * max(n, 1)
        self.buf = (ctypes.c_uint8 * len(self.fill)).from_buffer_copy(self.fill)

    def modified(self) -> bool:
        return bytes(self.buf) != self.fill

    def take(self, n: int) -> bytes:
        return bytes(self.buf[:n])


class LibImpl:
    """ctypes front end of a library with the C ABI. protect, unprotect,
    sframe_protect and sframe_unprotect return (status name or None,
    result or None, out_modified); primitive returns (status name or
    None, answer dict, out_modified). An operation whose symbol the
    library does not export answers UNSUPPORTED_OP."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lib = ctypes.CDLL(path)
        self._protect = self._symbol("ce1_impl_protect", ctypes.c_int, [
            _INT, _U8P, _SZ, _U8P, ctypes.c_uint64, _U8P, _SZ, _U8P, _SZP])
        self._unprotect = self._symbol("ce1_impl_unprotect", ctypes.c_int, [
            _INT, _U8P, _SZ, _U8P, _U8P, _SZ, _U8P, _SZP])
        self._sframe_protect = self._symbol(
            "ce1_impl_sframe_protect", ctypes.c_int,
            [_INT, ctypes.c_uint64, ctypes.c_uint64, _U8P, _SZ, _U8P, _SZ,
             _U8P, _SZ, _U8P, _SZP])
        self._sframe_unprotect = self._symbol(
            "ce1_impl_sframe_unprotect", ctypes.c_int,
            [_INT, ctypes.POINTER(_SFrameKey), _SZ, _SZ,
             ctypes.POINTER(_SFrameFrame), _SZ, _U8P, _SZ, _U8P, _SZ, _U8P,
             _SZP, ctypes.POINTER(ctypes.c_uint64),
             ctypes.POINTER(ctypes.c_uint64)])
        self._describe = self._symbol("ce1_impl_describe", ctypes.c_char_p, [])
        self._prim = {}
        for sym, argtypes in _PRIM_ARGTYPES.items():
            fn = self._symbol(sym, ctypes.c_int, argtypes)
            if fn is not None:
                self._prim[sym] = fn
        self._caps = self._exported_ops()
        if not self._caps:
            raise OSError(f"{path}: exports none of the C ABI's operations "
                          "(ce1_impl_protect, ce1_impl_unprotect, the SFrame "
                          "pair, the primitives of tools/ce1_prim.h)")

    def _symbol(self, name: str, restype, argtypes):
        """The configured function, or None when the library lacks it."""
        try:
            fn = getattr(self.lib, name)
        except AttributeError:
            return None
        fn.restype = restype
        fn.argtypes = argtypes
        return fn

    # ---- what the library has ------------------------------------------

    def capabilities(self) -> list:
        """The operations (JSON op names) whose symbols the library
        exports: the frame pair, the SFrame pair, the primitives."""
        return list(self._caps)

    def _exported_ops(self) -> tuple:
        ops = [op for op, fn in (("protect", self._protect),
                                 ("unprotect", self._unprotect),
                                 ("sframe_protect", self._sframe_protect),
                                 ("sframe_unprotect", self._sframe_unprotect))
               if fn is not None]
        ops += [op for op, (sym, _) in PRIMITIVES.items() if sym in self._prim]
        return tuple(ops)

    def describe(self) -> str | None:
        """ce1_impl_describe(), or None when the library has none."""
        if self._describe is None:
            return None
        text = self._describe()
        return None if text is None else text.decode("utf-8", "replace")

    # ---- buffers --------------------------------------------------------

    @staticmethod
    def _buf(data: bytes):
        n = max(len(data), 1)
        b = (ctypes.c_uint8 * n).from_buffer_copy(bytes(data).ljust(n, b"\0"))
        return b

    def _call(self, fn, args, cap: int):
        out = _Guarded(cap)
        out_len = ctypes.c_size_t(cap)
        rc = fn(*args, out.buf, ctypes.byref(out_len))
        if rc == 0:
            n = out_len.value
            if n > cap:
                return "BAD_OUT_LEN", None, False
            return None, out.take(n), False
        return status_name(rc), None, out.modified()

    # ---- CE1 frames (section 4) -----------------------------------------

    def protect(self, mode: int, key: bytes, salt: bytes, pn: int,
                payload: bytes):
        if self._protect is None:
            return "UNSUPPORTED_OP", None, False
        args = (mode, self._buf(key), len(key), self._buf(salt.ljust(32, b"\0")),
                pn, self._buf(payload), len(payload))
        return self._call(self._protect, args, len(payload) + 26)

    def unprotect(self, mode: int, key: bytes, salt: bytes, frame: bytes):
        if self._unprotect is None:
            return "UNSUPPORTED_OP", None, False
        args = (mode, self._buf(key), len(key), self._buf(salt.ljust(32, b"\0")),
                self._buf(frame), len(frame))
        return self._call(self._unprotect, args, len(frame))

    # ---- SFrame (section 7.3) -------------------------------------------

    def sframe_protect(self, suite: int, kid: int, ctr: int, base_key: bytes,
                       metadata: bytes, payload: bytes):
        """Result: the frame (bytes)."""
        if self._sframe_protect is None:
            return "UNSUPPORTED_OP", None, False
        args = (suite, kid, ctr, self._buf(base_key), len(base_key),
                self._buf(metadata), len(metadata), self._buf(payload),
                len(payload))
        return self._call(self._sframe_protect, args, len(payload) + 33)

    def sframe_unprotect(self, suite: int, keys, window: int, accepted,
                         metadata: bytes, frame: bytes):
        """keys: [(kid, base_key)]; accepted: [(frame, metadata)].
        Result: (payload, kid, ctr)."""
        if self._sframe_unprotect is None:
            return "UNSUPPORTED_OP", None, False
        keep = []  # the ctypes buffers the structures point into

        def ptr(b: bytes):
            buf = self._buf(b)
            keep.append(buf)
            return ctypes.cast(buf, _U8P)

        ks = (_SFrameKey * max(1, len(keys)))(
            *[_SFrameKey(k, ptr(b), len(b)) for k, b in keys])
        fs = (_SFrameFrame * max(1, len(accepted)))(
            *[_SFrameFrame(ptr(f), len(f), ptr(m), len(m)) for f, m in accepted])
        cap = len(frame)
        out = _Guarded(cap)
        out_len = ctypes.c_size_t(cap)
        kid, ctr = ctypes.c_uint64(0), ctypes.c_uint64(0)
        rc = self._sframe_unprotect(
            suite, ks, len(keys), window, fs, len(accepted),
            self._buf(metadata), len(metadata), self._buf(frame), len(frame),
            out.buf, ctypes.byref(out_len), ctypes.byref(kid), ctypes.byref(ctr))
        if rc != 0:
            return status_name(rc), None, out.modified()
        if out_len.value > cap:
            return "BAD_OUT_LEN", None, False
        return None, (out.take(out_len.value), kid.value, ctr.value), False

    # ---- primitives (section 8.3, tools/ce1_prim.h) ---------------------

    def primitive(self, op: str, fields: dict):
        """Runs primitive ``op`` with ``fields``, its request members
        (bytes for byte members, int for tag_len, length, iterations).
        Returns (None, answer members as bytes, False) on success, else
        (status name, {}, out_modified): UNSUPPORTED_OP for an op the
        library does not export, INVALID_ARGUMENT for a member missing,
        of the wrong type or outside the protocol's bounds, TOO_LARGE for
        a byte member over MAX_BYTES (conformance.md 8.2), otherwise the
        library's status."""
        spec = PRIMITIVES.get(op)
        if spec is None or spec[0] not in self._prim:
            return "UNSUPPORTED_OP", {}, False
        sym, members = spec
        args = []
        for name, kind, bound in members:
            v = fields.get(name)
            if kind == _I:
                if not _is_int(v) or not 0 <= v <= bound:
                    return "INVALID_ARGUMENT", {}, False
            else:
                if not isinstance(v, (bytes, bytearray, memoryview)):
                    return "INVALID_ARGUMENT", {}, False
                v = bytes(v)
                if bound is not None and len(v) != bound:
                    return "INVALID_ARGUMENT", {}, False
            args.append(v)
        if any(isinstance(a, bytes) and len(a) > MAX_BYTES for a in args):
            return "TOO_LARGE", {}, False
        fn = self._prim[sym]
        enc = 0 if op.endswith("_decrypt") else 1
        b = self._buf
        if sym in ("ce1_impl_aes_ecb", "ce1_impl_sm4_ecb"):
            key, data = args
            return self._one(fn, (enc, b(key), len(key), b(data), len(data)),
                             len(data), "data")
        if sym == "ce1_impl_aes_xts":
            key, tweak, data = args
            return self._one(fn, (enc, b(key), len(key), b(tweak), b(data),
                                  len(data)), len(data), "data")
        if sym == "ce1_impl_aes_gcm_seal":
            key, iv, aad, pt, tag_len = args
            out, tag = _Guarded(len(pt)), _Guarded(tag_len)
            out_len = ctypes.c_size_t(len(pt))
            rc = fn(b(key), len(key), b(iv), len(iv), b(aad), len(aad), b(pt),
                    len(pt), tag_len, out.buf, ctypes.byref(out_len), tag.buf)
            if rc != 0:
                return (status_name(rc), {},
                        out.modified() or tag.modified())
            if out_len.value > len(pt):
                return "BAD_OUT_LEN", {}, False
            return None, {"ciphertext": out.take(out_len.value),
                          "tag": tag.take(tag_len)}, False
        if sym == "ce1_impl_aes_gcm_open":
            key, iv, aad, ct, tag, tag_len = args
            return self._one(fn, (b(key), len(key), b(iv), len(iv), b(aad),
                                  len(aad), b(ct), len(ct), b(tag), len(tag),
                                  tag_len), len(ct), "plaintext")
        if sym == "ce1_impl_hkdf_sha256_extract":
            salt, ikm = args
            return self._fixed(fn, (b(salt), len(salt), b(ikm), len(ikm)), 32,
                               "prk", pass_len=False)
        if sym == "ce1_impl_hkdf_sha256_expand":
            prk, info, length = args
            return self._fixed(fn, (b(prk), len(prk), b(info), len(info)),
                               length, "okm")
        if sym == "ce1_impl_hkdf_sha256":
            salt, ikm, info, length = args
            return self._fixed(fn, (b(salt), len(salt), b(ikm), len(ikm),
                                    b(info), len(info)), length, "okm")
        password, salt, iterations, length = args  # ce1_impl_pbkdf2_sha256
        return self._fixed(fn, (b(password), len(password), b(salt), len(salt),
                                iterations), length, "dk")

    def _one(self, fn, args, cap: int, name: str):
        """A call with out / *out_len (capacity in, length out)."""
        st, out, mod = self._call(fn, args, cap)
        return (st, {}, mod) if st is not None else (None, {name: out}, False)

    @staticmethod
    def _fixed(fn, args, n: int, name: str, pass_len: bool = True):
        """A call that fills exactly n bytes (a KDF's output)."""
        out = _Guarded(n)
        rc = fn(*args, out.buf, n) if pass_len else fn(*args, out.buf)
        if rc != 0:
            return status_name(rc), {}, out.modified()
        return None, {name: out.take(n)}, False


# --------------------------------------------------------------------------
# JSON lines
# --------------------------------------------------------------------------

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")


class _Bad(Exception):
    """A malformed request: INVALID_ARGUMENT."""


def _hex(v) -> bytes:
    """A hex string (conformance.md 3.2), strictly: no spaces, even."""
    if not isinstance(v, str) or not _HEX.fullmatch(v):
        raise _Bad
    return bytes.fromhex(v)


def _hex16(v) -> int:
    """A 64-bit KID or CTR: exactly 16 hex digits (conformance.md 7.2)."""
    if not isinstance(v, str) or len(v) != 16:
        raise _Bad
    return int.from_bytes(_hex(v), "big")


def _c_int(v) -> int:
    """A suite: an integer that fits a C int (others are not reduced)."""
    if not _is_int(v) or not -2**31 <= v < 2**31:
        raise _Bad
    return v


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _Bad
    return dict(pairs)


def _failure(st: str, mod: bool) -> dict:
    ans = {"error": st}
    if mod:
        ans["out_modified"] = True
    return ans


def _primitive_answer(impl: LibImpl, op: str, req: dict) -> dict:
    fields = {}
    for name, kind, _ in PRIMITIVES[op][1]:
        if name not in req:
            raise _Bad
        v = req[name]
        if kind == _I:
            if not _is_int(v):
                raise _Bad
            fields[name] = v
        else:
            fields[name] = _hex(v)
    st, ans, mod = impl.primitive(op, fields)
    if st is not None:
        return _failure(st, mod)
    return {k: bytes(v).hex() for k, v in ans.items()}


def _sframe_answer(impl: LibImpl, op: str, req: dict) -> dict:
    suite = _c_int(req.get("suite"))
    if op == "sframe_protect":
        kid, ctr = _hex16(req.get("kid")), _hex16(req.get("ctr"))
        bk, md = _hex(req.get("base_key")), _hex(req.get("metadata"))
        st, frame, mod = impl.sframe_protect(suite, kid, ctr, bk, md,
                                             _hex(req.get("payload")))
        return _failure(st, mod) if st is not None else {"frame": frame.hex()}
    keys = req.get("base_keys")
    if not isinstance(keys, list) or not all(isinstance(k, dict) for k in keys):
        raise _Bad
    keys = [(_hex16(k.get("kid")), _hex(k.get("base_key"))) for k in keys]
    window = req.get("replay_window")
    window = 0 if window is None else window
    if not _is_int(window) or not 0 <= window <= MAX_REPLAY_WINDOW:
        raise _Bad
    acc = req.get("accepted")
    acc = [] if acc is None else acc
    if not isinstance(acc, list) or not all(isinstance(a, dict) for a in acc):
        raise _Bad
    acc = [(_hex(a.get("frame")), _hex(a.get("metadata"))) for a in acc]
    md, frame = _hex(req.get("metadata")), _hex(req.get("frame"))
    st, res, mod = impl.sframe_unprotect(suite, keys, window, acc, md, frame)
    if st is not None:
        return _failure(st, mod)
    payload, kid, ctr = res
    return {"payload": payload.hex(), "kid": f"{kid:016x}", "ctr": f"{ctr:016x}"}


def _answer(impl: LibImpl, line: str, describe: bool = False) -> dict:
    try:
        req = json.loads(line, object_pairs_hook=_no_duplicates)
    except (ValueError, _Bad):
        return {"error": "INVALID_ARGUMENT"}
    if not isinstance(req, dict) or not isinstance(req.get("op"), str):
        return {"error": "INVALID_ARGUMENT"}
    op = req["op"]
    if op == "capabilities":
        ans = {"ops": impl.capabilities()}
        what = impl.describe() if describe else None
        if what:
            # conformance.md 8.1: the optional "describe" member, the
            # library's ce1_impl_describe() (for the runner's header)
            ans["describe"] = what
        return ans
    if op not in impl._caps:
        return {"error": "UNSUPPORTED_OP"}
    try:
        if op in PRIMITIVES:
            return _primitive_answer(impl, op, req)
        if op in ("sframe_protect", "sframe_unprotect"):
            return _sframe_answer(impl, op, req)
        mode = req["mode"]
        key = bytes.fromhex(req["key"])
        salt = bytes.fromhex(req["salt"])
        if not isinstance(mode, int) or len(salt) != 32:
            return {"error": "INVALID_ARGUMENT"}
        if op == "protect":
            pn = req.get("pn") or "0" * 16
            st, out, mod = impl.protect(mode, key, salt, int(pn, 16),
                                        bytes.fromhex(req["payload"]))
            field = "frame"
        else:
            st, out, mod = impl.unprotect(mode, key, salt,
                                          bytes.fromhex(req["frame"]))
            field = "payload"
    except (_Bad, KeyError, ValueError, TypeError, OverflowError):
        return {"error": "INVALID_ARGUMENT"}
    if st is None:
        return {field: out.hex()}
    return _failure(st, mod)


def serve(path: str, inp=sys.stdin, out=sys.stdout, describe: bool = False) -> int:
    """Serves the library at ``path``; ``describe``: answer capabilities
    with the optional "describe" member (ce1_impl_describe()) as well."""
    try:
        impl = LibImpl(path)
    except OSError as e:
        print(f"libserve: cannot load {path}: {e}", file=sys.stderr)
        return 2
    for line in inp:
        if not line.strip():
            continue
        out.write(json.dumps(_answer(impl, line, describe),
                             separators=(",", ":")) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    argv = sys.argv[1:]
    describe = "--describe" in argv
    argv = [a for a in argv if a != "--describe"]
    if len(argv) != 1:
        print("usage: libserve.py [--describe] LIBRARY.so", file=sys.stderr)
        sys.exit(2)
    sys.exit(serve(argv[0], describe=describe))
