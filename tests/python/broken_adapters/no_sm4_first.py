#!/usr/bin/python3
"""Broken adapter: lacks SM4 and answers NOT_SUPPORTED for mode 4 before
checking the configuration, so that an empty key or a salt of the wrong
length gets NOT_SUPPORTED instead of INVALID_ARGUMENT (spec 3.1, 10.1)."""
import sys
from _ce1serve import serve
sys.exit(serve({"no_sm4_first"}))
