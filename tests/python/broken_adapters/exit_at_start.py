#!/usr/bin/python3
"""Broken adapter: cannot start (a missing dependency): writes an error to
standard error and exits with status 1 before reading anything."""
import sys

sys.stderr.write("exit_at_start: cannot load libmissing.so.3: No such file "
                 "or directory\n")
sys.exit(1)
