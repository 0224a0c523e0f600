#!/usr/bin/python3
"""Broken SFrame adapter: the nonce XORs the CTR little-endian instead of big-endian (RFC 9605 4.4.3)."""
import sys
from sframe_serve import serve
sys.exit(serve("ctr_little_endian"))
