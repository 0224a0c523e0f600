#!/usr/bin/python3
"""Broken adapter: correct for non-GCM modes; for GCM modes it answers
garbage of several kinds (not JSON, a JSON array, bad hex, wrong field
type)."""
import sys
from _ce1serve import serve

_count = 0


def hook(req, line):
    global _count
    if req.get("mode") not in (5, 6, 7, 8):
        return None
    _count += 1
    return ("hello, runner", "[1, 2, 3]", '{"frame": "zz"}',
            '{"payload": 5}', '{"error": 42}')[_count % 5]


sys.exit(serve(hook=hook))
