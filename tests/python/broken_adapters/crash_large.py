#!/usr/bin/python3
"""Broken adapter: correct, but aborts (SIGABRT) on any request carrying
more than 4096 bytes of payload or frame; the runner must restart it."""
import os
import sys
from _ce1serve import serve


def hook(req, line):
    data = req.get("payload") or req.get("frame") or ""
    if len(data) > 2 * 4096:
        sys.stderr.write("crash_large: request too big, aborting\n")
        sys.stderr.flush()
        os.abort()
    return None


sys.exit(serve(hook=hook))
