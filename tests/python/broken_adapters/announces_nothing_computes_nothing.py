#!/usr/bin/env python3
"""Broken on purpose: implements nothing. Its capabilities are {"ops":[]}
(no frame, SFrame or primitive operation); it reads requests as strictly
as a correct adapter (a malformed one is INVALID_ARGUMENT, as
_ce1serve.answer says) and answers every well-formed request
UNSUPPORTED_OP.

Only request checks (docs/conformance.md 3.4) can pass for it, and they
pass on INVALID_ARGUMENT and UNSUPPORTED_OP alone. The runner used to
count them as exact passes and exit 0; exit 1 is required, with the
reason (no check of an operation of the implementation passed with exact
bytes). (Adversarial review of the runner, item 2.)"""
import json
import sys

from _ce1serve import answer, parse
from chanenc.conform.pyce1 import PyCE1

ce1 = PyCE1()
for raw in sys.stdin.buffer:
    req = parse(raw.rstrip(b"\n"))
    op = req.get("op") if isinstance(req, dict) else None
    if op == "capabilities":
        ans = {"ops": []}
    elif op == "derive":
        ans = {"error": "UNSUPPORTED_OP"}
    else:
        try:
            ans = answer(ce1, req)    # the validation of a correct adapter
        except Exception:
            ans = {"error": "UNSUPPORTED_OP"}
        if ans.get("error") != "INVALID_ARGUMENT":
            ans = {"error": "UNSUPPORTED_OP"}
    sys.stdout.write(json.dumps(ans) + "\n")
    sys.stdout.flush()
