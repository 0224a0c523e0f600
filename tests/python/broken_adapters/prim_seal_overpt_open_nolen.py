#!/usr/bin/python3
"""Broken primitive adapter with two catalogued bugs in two code paths:
aes_gcm_seal has gcm_tag_over_plaintext (the tag computed over the
plaintext), aes_gcm_open has gcm_tag_no_length_block (GHASH without the
length block), both from the runner's own primitives
(chanenc.conform.pyprim); the rest is tools/adapters/pyca_adapter.py.

The open's failures (refusals of right tags) used to be credited
"reproduced exactly" to the seal's gcm_tag_over_plaintext, on evidence
from the other operation; they must be put down to nothing but what the
open itself shows (adversarial review of the runner, item 3b)."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3]
                       / "tools" / "adapters"))
import pyca_adapter  # noqa: E402
from chanenc.conform.pyprim import PrimError, PyPrim  # noqa: E402

seal_impl = PyPrim({"gcm_tag_over_plaintext"})
open_impl = PyPrim({"gcm_tag_no_length_block"})


def gcm_seal(key, iv, aad, pt, tag_len):
    try:
        r = seal_impl.call("aes_gcm_seal", dict(key=key, iv=iv, aad=aad,
                                                plaintext=pt, tag_len=tag_len))
    except PrimError as e:
        raise pyca_adapter.Refused(e.status) from None
    return r["ciphertext"], r["tag"]


def gcm_open(key, iv, aad, ciphertext, tag, tag_len):
    try:
        return open_impl.call("aes_gcm_open", dict(
            key=key, iv=iv, aad=aad, ciphertext=ciphertext, tag=tag,
            tag_len=tag_len))["plaintext"]
    except PrimError as e:
        raise pyca_adapter.Refused(e.status) from None


pyca_adapter.gcm_seal = gcm_seal
pyca_adapter.gcm_open = gcm_open
sys.exit(pyca_adapter.main())
