#!/usr/bin/python3
"""Broken primitive adapter: tools/adapters/pyca_adapter.py whose
aes_gcm_open refuses everything with AUTH_FAILED (as if it compared the
tag with an uninitialised buffer), a bug outside every catalogue;
aes_gcm_seal and the rest are right.

Its failures are refusals only. The diagnosis used to credit some of them
"reproduced exactly" to gcm_tag_no_length_block, a seal-side deviation
that refuses too; a status alone must never be "exact": it is at most
"consistent with" the deviations that give it, credited to none
(adversarial review of the runner, item 3a)."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3]
                       / "tools" / "adapters"))
import pyca_adapter  # noqa: E402


def gcm_open(key, iv, aad, ciphertext, tag, tag_len):
    raise pyca_adapter.Refused("AUTH_FAILED")


pyca_adapter.gcm_open = gcm_open
sys.exit(pyca_adapter.main())
