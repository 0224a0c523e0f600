#!/usr/bin/python3
"""Not broken: an implementation whose crypto library lacks SM4. Mode 4 is
refused with NOT_SUPPORTED once the request and every INVALID_ARGUMENT
condition of the configuration have been checked (spec 10.1)."""
import sys
from _ce1serve import serve
sys.exit(serve({"no_sm4"}))
