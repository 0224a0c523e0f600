#!/usr/bin/python3
"""Broken adapter: reads requests and never answers."""
import sys
import time

for line in sys.stdin:
    time.sleep(3600)
