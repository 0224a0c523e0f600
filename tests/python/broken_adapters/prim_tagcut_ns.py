#!/usr/bin/python3
"""Broken: aes_gcm_open answers a tag shorter than tag_len NOT_SUPPORTED
(the library's ValueError mapped to NOT_SUPPORTED) instead of AUTH_FAILED,
for the very key size / IV length / tag_len it just accepted."""
import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[3] / "tools" / "adapters"))
import pyca_adapter as P
orig = P.gcm_open
def gcm_open(key, iv, aad, ct, tag, tag_len):
    if len(tag) < tag_len:
        raise P.Refused("NOT_SUPPORTED")
    return orig(key, iv, aad, ct, tag, tag_len)
P.gcm_open = gcm_open
sys.exit(P.main())
