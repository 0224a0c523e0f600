#!/usr/bin/python3
"""Broken adapter: correct, but once per run (per marker file: the file
$CE_EXTRA_LINE_MARK, by default one named after the runner) it writes its answer to the 20th protect request
a second time, 0.3 s later, after the runner has sent the next request (an
unprotect, in a frame vector file); from then on it answers 5 ms after
each request, so that every answer arrives alone. Read as the answer to
the unprotect, the copy would shift every later answer by one."""
import os
import sys
import tempfile
import time
from _ce1serve import serve

MARK = os.environ.get("CE_EXTRA_LINE_MARK") or os.path.join(
    tempfile.gettempdir(), f"ce1-extra-line.{os.getppid()}")
_protects = 0
_late = False


def out_hook(text):
    global _protects, _late
    if _late:
        time.sleep(0.005)
    if '"frame"' not in text:
        return text
    _protects += 1
    if _protects != 20 or os.path.exists(MARK):
        return text
    open(MARK, "w").close()
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    time.sleep(0.3)
    _late = True
    return text


sys.exit(serve(out_hook=out_hook))
