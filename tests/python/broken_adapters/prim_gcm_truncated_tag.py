#!/usr/bin/python3
"""Broken primitive adapter: tools/adapters/pyca_adapter.py whose
aes_gcm_open does not hold the tag to tag_len: it hands cryptography the
tag that arrived with min_tag_length at the library's minimum (4), so the
library compares only the bytes it got. A truncated tag (4 bytes or more,
a prefix of the right one) passes, and so does a full 16-byte tag sent to
a receiver configured for a shorter one. Everything else is right."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3]
                       / "tools" / "adapters"))
import pyca_adapter  # noqa: E402
from pyca_adapter import LIBRARY_REFUSALS, Refused  # noqa: E402
from cryptography.exceptions import InvalidTag  # noqa: E402
from cryptography.hazmat.primitives.ciphers import (  # noqa: E402
    Cipher, algorithms, modes)


def gcm_open(key, iv, aad, ciphertext, tag, tag_len):
    try:
        modes.GCM(iv, bytes(tag_len), min_tag_length=tag_len)
    except LIBRARY_REFUSALS:
        raise Refused("NOT_SUPPORTED") from None
    try:
        mode = modes.GCM(iv, tag, min_tag_length=4)  # the bug
    except ValueError:  # a tag under 4 bytes
        raise Refused("AUTH_FAILED") from None
    dec = Cipher(algorithms.AES(key), mode).decryptor()
    dec.authenticate_additional_data(aad)
    try:
        return dec.update(ciphertext) + dec.finalize()
    except (InvalidTag, ValueError):
        raise Refused("AUTH_FAILED") from None


pyca_adapter.gcm_open = gcm_open

if __name__ == "__main__":
    sys.exit(pyca_adapter.main())
