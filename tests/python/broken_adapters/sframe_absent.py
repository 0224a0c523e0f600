#!/usr/bin/python3
"""A correct CE1 adapter without SFrame: every sframe_* request is answered
UNSUPPORTED_OP (conformance.md 3.4), so the SFrame runner skips it."""
import sys
from _ce1serve import serve
sys.exit(serve(set()))
