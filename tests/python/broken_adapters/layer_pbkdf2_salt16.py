#!/usr/bin/python3
"""Broken adapter: its PBKDF2-HMAC-SHA256 uses only the first 16 bytes of
the salt (a fixed 16-byte salt buffer), in pbkdf2_sha256 and, sharing that
code, in the key schedule of the GCM2 frame modes (7 and 8, whose PBKDF2
salt is the 32-byte configuration salt). No standard PBKDF2 vector has a
salt over 16 bytes; the runner's computed checks (17..200 bytes) and the
GCM2 frame files catch it. With ``--no-frames`` it has the primitives only
(like broken_adapters/prim_pbkdf2_salt16.py over pyca)."""
import sys

from _layerserve import primitive, serve
from chanenc.conform.pyce1 import PyCE1


class Salt16(PyCE1):
    def salt_input(self, salt):
        return salt[:16]


def prim(op, f):
    if op == "pbkdf2_sha256":
        f = dict(f, salt=f["salt"][:16])
    return primitive(op, f)


sys.exit(serve(prim=prim, frames=False if "--no-frames" in sys.argv[1:]
               else Salt16()))
