#!/usr/bin/python3
"""Broken: refuses with statuses that are not ce1_prim.h's: an empty GCM IV
and an over-long HKDF answer {"error":"OK"} (no such status) instead of
INVALID_ARGUMENT."""
import sys, json; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[3] / "tools" / "adapters"))
import pyca_adapter as P
orig = P.answer
def answer(ops, req):
    a = orig(ops, req)
    if a.get("error") == "INVALID_ARGUMENT" and req and req.get("op") in ("aes_gcm_seal","aes_gcm_open","hkdf_sha256"):
        return {"error": "OK"}
    return a
P.answer = answer
sys.exit(P.main())
