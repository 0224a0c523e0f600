#!/usr/bin/python3
"""Broken adapter: writes (and reads) the header's packet number
little-endian instead of big-endian."""
import sys
from _ce1serve import serve
sys.exit(serve({"pn_little_endian"}))
