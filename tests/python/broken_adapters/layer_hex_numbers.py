#!/usr/bin/python3
"""Broken adapter: its primitive answers carry the bytes as an array of
numbers ({"data":[105,196,...]}) instead of a hex string (conformance.md
3.2); the frame operations are right."""
import sys
from _layerserve import serve

sys.exit(serve(encode=lambda op, out: {k: list(v) for k, v in out.items()}))
