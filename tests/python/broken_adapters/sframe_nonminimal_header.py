#!/usr/bin/python3
"""Broken SFrame adapter: KID and CTR above 7 always written in 8 bytes, and any header length accepted (RFC 9605 4.3: shortest form)."""
import sys
from sframe_serve import serve
sys.exit(serve("nonminimal_header"))
