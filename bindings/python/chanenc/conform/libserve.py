#!/usr/bin/python3
"""Serve a shared-library CE1 implementation (conformance.md section 4)
over the JSON-lines process adapter protocol (section 3).

    python3 libserve.py /path/to/libce1impl.so

The conformance runner starts this script for ``--lib PATH`` so that a
library that crashes or hangs takes down this worker process, not the
runner. It uses only the standard library (ctypes), so it runs without the
chanenc package.

Beyond the protocol, a failure answer carries ``"out_modified": true`` when
the library wrote to its output buffer although it failed (the C ABI says
nothing may be written then).
"""

from __future__ import annotations

import ctypes
import json
import sys

__all__ = ["LibImpl", "STATUS_NAMES", "serve"]

#: The ABI's negative status codes (chanenc.h's ce_status values).
STATUS_NAMES = {
    0: "OK", -1: "MALFORMED", -2: "BAD_VERSION", -3: "MODE_MISMATCH",
    -4: "KEY_MISMATCH", -5: "BAD_PADDING", -6: "AUTH_FAILED",
    -7: "INVALID_ARGUMENT", -8: "NOT_SUPPORTED", -9: "BUFFER_TOO_SMALL",
    -10: "TOO_LARGE", -11: "INTERNAL", -12: "OBSERVER",
}
_SENTINEL = 0xA5


def status_name(rc: int) -> str:
    return STATUS_NAMES.get(rc, f"UNKNOWN({rc})")


class LibImpl:
    """ctypes front end of a library exporting ce1_impl_protect and
    ce1_impl_unprotect. Methods return (status name or None, bytes or None,
    out_modified)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.lib = ctypes.CDLL(path)
        u8p = ctypes.POINTER(ctypes.c_uint8)
        sz = ctypes.c_size_t
        try:
            self._protect = self.lib.ce1_impl_protect
            self._unprotect = self.lib.ce1_impl_unprotect
        except AttributeError as e:
            raise OSError(f"{path}: does not export the CE1 ABI "
                          f"(ce1_impl_protect, ce1_impl_unprotect): {e}") from e
        self._protect.restype = ctypes.c_int
        self._protect.argtypes = [ctypes.c_int, u8p, sz, u8p, ctypes.c_uint64,
                                  u8p, sz, u8p, ctypes.POINTER(sz)]
        self._unprotect.restype = ctypes.c_int
        self._unprotect.argtypes = [ctypes.c_int, u8p, sz, u8p, u8p, sz, u8p,
                                    ctypes.POINTER(sz)]

    @staticmethod
    def _buf(data: bytes):
        n = max(len(data), 1)
        b = (ctypes.c_uint8 * n).from_buffer_copy(data.ljust(n, b"\0"))
        return b

    def _call(self, fn, args, cap: int):
        fill = bytes([_SENTINEL]) * max(cap, 1)
        out = (ctypes.c_uint8 * len(fill)).from_buffer_copy(fill)
        out_len = ctypes.c_size_t(cap)
        rc = fn(*args, out, ctypes.byref(out_len))
        if rc == 0:
            n = out_len.value
            if n > cap:
                return "BAD_OUT_LEN", None, False
            return None, bytes(out[:n]), False
        modified = bytes(out) != fill
        return status_name(rc), None, modified

    def protect(self, mode: int, key: bytes, salt: bytes, pn: int,
                payload: bytes):
        args = (mode, self._buf(key), len(key), self._buf(salt.ljust(32, b"\0")),
                pn, self._buf(payload), len(payload))
        return self._call(self._protect, args, len(payload) + 26)

    def unprotect(self, mode: int, key: bytes, salt: bytes, frame: bytes):
        args = (mode, self._buf(key), len(key), self._buf(salt.ljust(32, b"\0")),
                self._buf(frame), len(frame))
        return self._call(self._unprotect, args, len(frame))


def _answer(impl: LibImpl, line: str) -> dict:
    try:
        req = json.loads(line)
        if not isinstance(req, dict):
            return {"error": "INVALID_ARGUMENT"}
        op = req.get("op")
        if op not in ("protect", "unprotect"):
            return {"error": "UNSUPPORTED_OP"}
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
    except (KeyError, ValueError, TypeError, OverflowError):
        return {"error": "INVALID_ARGUMENT"}
    if st is None:
        return {field: out.hex()}
    ans = {"error": st}
    if mod:
        ans["out_modified"] = True
    return ans


def serve(path: str, inp=sys.stdin, out=sys.stdout) -> int:
    try:
        impl = LibImpl(path)
    except OSError as e:
        print(f"libserve: cannot load {path}: {e}", file=sys.stderr)
        return 2
    for line in inp:
        if not line.strip():
            continue
        out.write(json.dumps(_answer(impl, line), separators=(",", ":")) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: libserve.py LIBRARY.so", file=sys.stderr)
        sys.exit(2)
    sys.exit(serve(sys.argv[1]))
