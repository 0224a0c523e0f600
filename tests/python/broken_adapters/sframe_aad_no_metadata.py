#!/usr/bin/python3
"""Broken SFrame adapter: the AAD is the header alone: the metadata is not authenticated (RFC 9605 4.4.3)."""
import sys
from sframe_serve import serve
sys.exit(serve("aad_no_metadata"))
