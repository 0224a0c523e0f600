#!/usr/bin/python3
"""Broken adapter: correct, but dies on an AES_256_GCM derive request
(mode 6) the way Node.js does: a multi-line report on standard error whose head
names the file, the line and the error, followed by a long stack and the
runtime version, then exit status 1."""
import os
import sys
from _ce1serve import serve

STACK = ["/home/dev/ce1-js/adapter.js:42",
         "    throw new Error(`unsupported key length ${key.length}`);",
         "    ^",
         "",
         "Error: unsupported key length 32 for aes-256-gcm",
         "    at deriveKeys (/home/dev/ce1-js/adapter.js:42:11)"]
STACK += [f"    at frame{i} (node:internal/modules/cjs/loader:{1100 + i}:14)"
          for i in range(30)]
STACK += ["", "Node.js v18.19.0"]


def hook(req, line):
    if req.get("mode") == 6 and req.get("op") == "derive":
        sys.stderr.write("\n".join(STACK) + "\n")
        sys.stderr.flush()
        os._exit(1)
    return None


sys.exit(serve(hook=hook))
