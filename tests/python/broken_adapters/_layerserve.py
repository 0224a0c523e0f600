"""JSON-lines adapter with the primitive operations of tools/ce1_prim.h
(docs/conformance.md 8) as well as the CE1 frame operations, for the tests
of the runner's primitive layer.

Frame operations are those of _ce1serve.py (pyce1); the primitives are
computed with the chanenc bindings. It answers {"op":"capabilities"} with
the primitives it was given (all by default) and, unless it is
primitive-only, the frame operations. A bug is a small function
that changes one primitive's inputs or answer, and, where the same step
exists in the frame operations, a pyce1 subclass that makes the same
mistake there, so that both layers fail alike (as a real implementation
sharing its primitive code would).
"""

import json
import sys

import chanenc
from _ce1serve import INVALID, _Bad, answer as frame_answer, parse
from chanenc.conform.impls import INT_MEMBERS, PRIMITIVE_OPS
from chanenc.conform.pyce1 import PyCE1

ALL_OPS = list(PRIMITIVE_OPS)


def _fields(req, op):
    out = {}
    for name in PRIMITIVE_OPS[op][0]:
        v = req.get(name)
        if name in INT_MEMBERS:
            if type(v) is not int:
                raise _Bad
            out[name] = v
        else:
            if not isinstance(v, str) or len(v) % 2:
                raise _Bad
            try:
                out[name] = bytes.fromhex(v)
            except ValueError:
                raise _Bad from None
    return out


def primitive(op, f):
    """The correct answer (a dict of bytes) or raises chanenc.Error."""
    ce = chanenc
    if op.endswith("_ecb_encrypt"):
        return {"data": ce.ecb_encrypt(f["key"], f["data"], cipher=op[:3])}
    if op.endswith("_ecb_decrypt"):
        return {"data": ce.ecb_decrypt(f["key"], f["data"], cipher=op[:3])}
    if op == "aes_xts_encrypt":
        return {"data": ce.xts_encrypt(f["key"], f["tweak"], f["data"])}
    if op == "aes_xts_decrypt":
        return {"data": ce.xts_decrypt(f["key"], f["tweak"], f["data"])}
    if op == "aes_gcm_seal":
        ct, tag = ce.gcm_encrypt(f["key"], f["iv"], f["plaintext"], f["aad"],
                                 tag_len=f["tag_len"], allow_short_tag=True)
        return {"ciphertext": ct, "tag": tag}
    if op == "aes_gcm_open":
        if len(f["tag"]) != f["tag_len"]:
            raise ce.AuthFailed("tag size")
        return {"plaintext": ce.gcm_decrypt(
            f["key"], f["iv"], f["ciphertext"], f["tag"], f["aad"],
            tag_len=f["tag_len"], allow_short_tag=True)}
    if op == "hkdf_sha256_extract":
        return {"prk": ce.hkdf_sha256_extract(f["ikm"], f["salt"])}
    if op == "hkdf_sha256_expand":
        return {"okm": ce.hkdf_sha256_expand(f["prk"], f["info"], f["length"])}
    if op == "hkdf_sha256":
        return {"okm": ce.hkdf_sha256(f["ikm"], f["salt"], f["info"], f["length"])}
    if op == "pbkdf2_sha256":
        return {"dk": ce.pbkdf2_sha256(f["password"], f["salt"], f["iterations"],
                                       f["length"])}
    raise KeyError(op)


def serve(ops=ALL_OPS, prim=primitive, frames=None, encode=None):
    """Answers requests from stdin until it closes. ``prim(op, fields)``
    computes a primitive; ``frames`` is the pyce1 implementation of the
    frame operations (False: none, they are answered UNSUPPORTED_OP, as a
    primitive-only adapter does); ``encode(op, answer dict)`` may change
    how a success answer is written (default: hex strings)."""
    impl = frames if frames is not None else PyCE1()
    for raw in sys.stdin.buffer:
        req = parse(raw.rstrip(b"\n"))
        op = req.get("op") if isinstance(req, dict) else None
        if op == "capabilities":
            # conformance.md 8.1: the frame operations are listed too,
            # when it has them
            ans = {"ops": list(ops) + ([] if frames is False else
                                       ["protect", "unprotect", "derive"])}
        elif op in PRIMITIVE_OPS and op in ops:
            try:
                f = _fields(req, op)
                out = prim(op, f)
                ans = (encode(op, out) if encode else
                       {k: v.hex() for k, v in out.items()})
            except _Bad:
                ans = INVALID
            except chanenc.Error as e:
                ans = {"error": e.status}
        elif op in PRIMITIVE_OPS:
            ans = {"error": "UNSUPPORTED_OP"}
        elif frames is False:
            ans = {"error": "UNSUPPORTED_OP"}
        else:
            ans = frame_answer(impl, req)
        sys.stdout.write(json.dumps(ans, separators=(",", ":")) + "\n")
        sys.stdout.flush()
    return 0
