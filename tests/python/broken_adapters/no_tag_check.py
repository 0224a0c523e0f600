#!/usr/bin/python3
"""Broken adapter: decrypts GCM frames without verifying the tag."""
import sys
from _ce1serve import serve
sys.exit(serve({"no_tag_check"}))
