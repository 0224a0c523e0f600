"""JSON-lines CE1 adapter loop (conformance.md section 2) over pyce1.

The broken adapters in this directory are this loop with one deliberate
deviation from the spec each (chanenc.conform.pyce1 ``bugs``), or with a
transport fault (hang, crash, garbage). They need the chanenc package on
PYTHONPATH (the build tree's bindings/python), as CTest sets it.
"""

import json
import sys

from chanenc.conform.pyce1 import CE1Error, PyCE1


def answer(impl, req):
    """The answer object for one request object."""
    try:
        op = req.get("op")
        mode, key, salt = req["mode"], bytes.fromhex(req["key"]), bytes.fromhex(req["salt"])
        if op == "protect":
            pn = int(req.get("pn") or "0", 16)
            return {"frame": impl.protect(mode, key, salt, pn,
                                          bytes.fromhex(req["payload"])).hex()}
        if op == "unprotect":
            return {"payload": impl.unprotect(mode, key, salt,
                                              bytes.fromhex(req["frame"])).hex()}
        if op == "derive":
            enc_key, iv_base, check = impl.derive(mode, key, salt)
            return {"enc_key": enc_key.hex(),
                    "iv_base": None if iv_base is None else iv_base.hex(),
                    "check": f"{check:02x}"}
        return {"error": "UNSUPPORTED_OP"}
    except CE1Error as e:
        return {"error": e.status}
    except (KeyError, ValueError, TypeError):
        return {"error": "INVALID_ARGUMENT"}


def serve(bugs=(), hook=None):
    """Answers requests from stdin until it closes. ``hook(req, line)`` may
    return a raw line to send instead of the proper answer."""
    impl = PyCE1(bugs)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
        except ValueError:
            req = {}
        raw = hook(req, line) if hook else None
        if raw is None:
            raw = json.dumps(answer(impl, req), separators=(",", ":"))
        sys.stdout.write(raw + "\n")
        sys.stdout.flush()
    return 0
