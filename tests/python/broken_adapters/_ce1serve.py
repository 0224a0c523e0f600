"""JSON-lines CE1 adapter loop (conformance.md section 3) over pyce1.

The broken adapters in this directory are this loop with one deliberate
deviation from the spec each (chanenc.conform.pyce1 ``bugs``), or with a
transport fault (hang, crash, garbage, stray output). Without a deviation
it answers every line as conformance.md 3.1 to 3.4 require, in their order
(written here independently of the runner's own request model). They need
the chanenc package on PYTHONPATH (the build tree's bindings/python), as
CTest sets it.
"""

import json
import re
import sys

from chanenc.conform.pyce1 import CE1Error, PyCE1

_HEX = re.compile(r"[0-9a-fA-F]*")
INVALID = {"error": "INVALID_ARGUMENT"}


class _Bad(Exception):
    pass


def _hex(v):
    if not isinstance(v, str) or len(v) % 2 or not _HEX.fullmatch(v):
        raise _Bad
    return bytes.fromhex(v)


def _member(req, name):
    if name not in req:
        raise _Bad
    return _hex(req[name])


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def _unique(pairs):
    if len({k for k, _ in pairs}) != len(pairs):
        raise ValueError("duplicate member")
    return dict(pairs)


def parse(line: bytes):
    """The request object of a line, or None when it is not a JSON object
    (conformance.md 3.1)."""
    try:
        req = json.loads(line.decode("utf-8"), object_pairs_hook=_unique,
                         parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, TypeError, RecursionError):
        return None
    return req if isinstance(req, dict) else None


def answer(impl, req):
    """The answer object for one request object (None: not an object)."""
    if req is None:
        return INVALID
    op = req.get("op")
    if not isinstance(op, str):
        return INVALID
    if op not in ("protect", "unprotect", "derive"):
        return {"error": "UNSUPPORTED_OP"}
    try:
        mode = req.get("mode")
        if type(mode) is not int:
            raise _Bad
        key, salt = _member(req, "key"), _member(req, "salt")
        if len(salt) != 32:
            raise _Bad
        if op == "protect":
            pn = req.get("pn")
            if pn is None:
                if mode not in (2, 4):
                    raise _Bad
                pn = 0
            elif isinstance(pn, str) and len(pn) == 16:
                pn = int.from_bytes(_hex(pn), "big")
            else:
                raise _Bad
            data = _member(req, "payload")
        elif op == "unprotect":
            data = _member(req, "frame")
    except _Bad:
        return INVALID
    try:
        if op == "protect":
            return {"frame": impl.protect(mode, key, salt, pn, data).hex()}
        if op == "unprotect":
            return {"payload": impl.unprotect(mode, key, salt, data).hex()}
        enc_key, iv_base, check = impl.derive(mode, key, salt)
        return {"enc_key": enc_key.hex(),
                "iv_base": None if iv_base is None else iv_base.hex(),
                "check": f"{check:02x}"}
    except CE1Error as e:
        return {"error": e.status}


def serve(bugs=(), hook=None, out_hook=None):
    """Answers requests from stdin until it closes. ``hook(req, line)`` may
    return a raw line to send instead of the proper answer (req is {} for
    a line that is not a JSON object); ``out_hook(text)`` may change an
    answer line before it is written (None: it wrote the line itself)."""
    impl = PyCE1(bugs)
    for raw in sys.stdin.buffer:
        raw = raw.rstrip(b"\n")
        req = parse(raw)
        text = hook(req if req is not None else {},
                    raw.decode("utf-8", "replace")) if hook else None
        if text is None:
            text = json.dumps(answer(impl, req), separators=(",", ":"))
        if out_hook is not None:
            text = out_hook(text)
        if text is not None:
            sys.stdout.write(text + "\n")
            sys.stdout.flush()
    return 0
