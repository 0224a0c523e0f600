#!/usr/bin/python3
"""Broken adapter with any deviations of the catalogue
(chanenc.conform.pyce1.DEVIATIONS) switched on: the names come from the
arguments (or $CE_DEVIATION), comma- or space-separated, e.g.
``deviant.py aad_none`` or ``deviant.py pn_little_endian,aad_none``."""
import os
import sys
from _ce1serve import serve

names = " ".join(sys.argv[1:]) or os.environ.get("CE_DEVIATION", "")
sys.exit(serve({n for n in names.replace(",", " ").split() if n}))
