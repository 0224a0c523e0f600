#!/usr/bin/python3
"""Broken adapter: correct, but every process first writes a banner line,
"adapter ready", to standard output (conformance.md 3.1: answers only).
Without care, every later answer would be read as the answer to the next
request."""
import sys
from _ce1serve import serve

sys.stdout.write("adapter ready\n")
sys.stdout.flush()
sys.exit(serve())
