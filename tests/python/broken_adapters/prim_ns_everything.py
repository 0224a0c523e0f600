#!/usr/bin/python3
"""Broken: pyca_adapter's request parsing, but no cryptography at all:
every well-formed request is answered NOT_SUPPORTED."""
import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[3] / "tools" / "adapters"))
import pyca_adapter as P
def ns(*a, **k): raise P.Refused("NOT_SUPPORTED")
for n in ("aes_ecb","sm4_ecb","aes_xts","gcm_seal","gcm_open","hkdf","hkdf_expand","pbkdf2"):
    setattr(P, n, ns)
sys.exit(P.main())
