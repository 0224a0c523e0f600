#!/usr/bin/python3
"""Broken adapter: the GCM2 key schedule ignores the configured salt (uses
an all-zero salt)."""
import sys
from _ce1serve import serve
sys.exit(serve({"ignore_salt"}))
