#!/usr/bin/python3
"""Broken adapter: writes the hex of its answers with a space between
bytes ("17 98 00 ..."), which is not a hex string (conformance.md 3.2);
with --upper, writes correct upper-case hex instead, which is allowed."""
import json
import sys
from _ce1serve import serve

UPPER = "--upper" in sys.argv


def out_hook(text):
    ans = json.loads(text)
    for k in ("frame", "payload", "enc_key"):
        if isinstance(ans.get(k), str):
            h = ans[k]
            ans[k] = h.upper() if UPPER else " ".join(
                h[i:i + 2] for i in range(0, len(h), 2))
    return json.dumps(ans)


sys.exit(serve(out_hook=out_hook))
