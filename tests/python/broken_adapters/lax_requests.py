#!/usr/bin/python3
"""Broken adapter: CE1 is right, request handling is lax in the ways a
hand-written adapter often is: hex with whitespace or an "0x" is
accepted (bytes.fromhex), a pn of any length is read as a number, the
members are read before "op" (an unknown op alone gets INVALID_ARGUMENT,
not UNSUPPORTED_OP), and a salt of any length is accepted in modes 1-6,
which ignore its value."""
import json
import sys
from _ce1serve import serve
from chanenc.conform.pyce1 import CE1Error, PyCE1

impl = PyCE1()


def unhex(s):
    s = s[2:] if s[:2].lower() == "0x" else s
    return bytes.fromhex(s)


def lax(req):
    try:
        mode, key, salt = req["mode"], unhex(req["key"]), unhex(req["salt"])
        if isinstance(mode, int) and 1 <= mode <= 6:
            salt = salt[:32].ljust(32, b"\0")
        op = req.get("op")
        if op == "protect":
            pn = int(req.get("pn") or "0", 16)
            return {"frame": impl.protect(mode, key, salt, pn,
                                          unhex(req["payload"])).hex()}
        if op == "unprotect":
            return {"payload": impl.unprotect(mode, key, salt,
                                              unhex(req["frame"])).hex()}
        if op == "derive":
            k, iv, c = impl.derive(mode, key, salt)
            return {"enc_key": k.hex(), "iv_base": iv and iv.hex(),
                    "check": f"{c:02x}"}
        return {"error": "UNSUPPORTED_OP"}
    except CE1Error as e:
        return {"error": e.status}
    except (KeyError, ValueError, TypeError, AttributeError):
        return {"error": "INVALID_ARGUMENT"}


def hook(req, line):
    return json.dumps(lax(req) if req else {"error": "INVALID_ARGUMENT"})


sys.exit(serve(hook=hook))
