#!/usr/bin/python3
"""The SFrame adapter loop of sframe_serve.py with no deviation: an
independent SFrame (python3-cryptography) that must pass everything."""
import sys
from sframe_serve import serve
sys.exit(serve(None))
