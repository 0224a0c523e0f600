#!/usr/bin/env python3
"""Broken on purpose: announces aes_gcm_seal without aes_gcm_open, and its
seal is garbage (every ciphertext byte 0xff, every tag byte 0x00);
aes_ecb_encrypt/decrypt are correct (python3-cryptography).

Every GCM check needs seal and open, so none of them can run. The runner
used to count them "not applicable (... not announced)" and exit 0 on the
14 ECB passes; an announced operation that no check could exercise must
fail the run (kind not_exercised, file "(capabilities)").
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
        ans = {"ops": ["aes_gcm_seal", "aes_ecb_encrypt", "aes_ecb_decrypt"]}
    elif op in ("aes_ecb_encrypt", "aes_ecb_decrypt"):
        try:
            ans = {"data": ecb(op.endswith("encrypt"), bytes.fromhex(req["key"]),
                               bytes.fromhex(req["data"])).hex()}
        except Exception:
            ans = {"error": "INVALID_ARGUMENT"}
    elif op == "aes_gcm_seal":
        ans = {"ciphertext": "ff" * (len(req["plaintext"]) // 2),
               "tag": "00" * req["tag_len"]}
    else:
        ans = {"error": "UNSUPPORTED_OP"}
    sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()
