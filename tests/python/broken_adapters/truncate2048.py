#!/usr/bin/python3
"""Broken adapter: cuts frames to 2048 bytes on protect and on unprotect,
like an SDK sample that copies packets into a fixed 2048-byte buffer."""
import sys
from _ce1serve import serve
sys.exit(serve({"truncate2048"}))
