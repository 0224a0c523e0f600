#!/usr/bin/python3
"""Broken SFrame adapter: the CTR+HMAC tag is the last Nt bytes of the HMAC instead of the first (RFC 9605 4.5.1)."""
import sys
from sframe_serve import serve
sys.exit(serve("tag_last_bytes"))
