#!/usr/bin/env python3
"""Broken on purpose: announces sframe_protect without sframe_unprotect,
and its protect is garbage (every frame is the one byte 00);
aes_ecb_encrypt/decrypt are correct (python3-cryptography).

The SFrame layer needs both operations, so none of its checks runs. The
runner used to count them "not applicable (... not announced)" and exit 0
on the ECB passes; an announced operation that no check could exercise
must fail the run (kind not_exercised, file "(capabilities)").
(Adversarial review of the runner, item 1.)"""
import json
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def ecb(enc, k, d):
    c = Cipher(algorithms.AES(k), modes.ECB())
    o = c.encryptor() if enc else c.decryptor()
    return o.update(d) + o.finalize()


for raw in sys.stdin:
    try:
        req = json.loads(raw)
    except ValueError:
        req = None
    op = req.get("op") if isinstance(req, dict) else None
    if op == "capabilities":
        ans = {"ops": ["sframe_protect", "aes_ecb_encrypt", "aes_ecb_decrypt"]}
    elif op in ("aes_ecb_encrypt", "aes_ecb_decrypt"):
        try:
            ans = {"data": ecb(op.endswith("encrypt"), bytes.fromhex(req["key"]),
                               bytes.fromhex(req["data"])).hex()}
        except Exception:
            ans = {"error": "INVALID_ARGUMENT"}
    elif op == "sframe_protect":
        ans = {"frame": "00"}
    else:
        ans = {"error": "UNSUPPORTED_OP"}
    sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()
