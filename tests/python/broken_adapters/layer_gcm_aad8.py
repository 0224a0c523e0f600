#!/usr/bin/python3
"""Broken adapter: its AES-GCM authenticates only the first 8 bytes of the
associated data, in aes_gcm_seal/aes_gcm_open and, sharing that code, in
the GCM frame modes (whose AAD is the 10-byte header: the last two bytes
of the packet number go unauthenticated). The primitive vectors with more
than 8 bytes of AAD fail, and so do the GCM frames. With ``--no-frames``
it has the primitives only (the frame operations answer UNSUPPORTED_OP)."""
import sys

from _layerserve import primitive, serve
from chanenc.conform.pyce1 import PyCE1


class Aad8(PyCE1):
    def gcm_aad(self, header):
        return header[:8]


def prim(op, f):
    if op in ("aes_gcm_seal", "aes_gcm_open"):
        f = dict(f, aad=f["aad"][:8])
    return primitive(op, f)


sys.exit(serve(prim=prim, frames=False if "--no-frames" in sys.argv[1:]
               else Aad8()))
