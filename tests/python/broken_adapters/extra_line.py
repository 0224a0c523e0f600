#!/usr/bin/python3
"""Broken adapter: correct, but once per run (per marker file: the file
$CE_EXTRA_LINE_MARK, by default one named after the runner) it writes its answer to the 20th protect request
a second time, as soon as the runner has sent the next request (an
unprotect, in a frame vector file: it waits until standard input is
readable, so the copy always follows that request, however loaded the
machine; a fixed 0.3 s delay made the copy arrive before the request when
the runner was slow, and the test flaked); from then on it answers 5 ms after
each request, so that every answer arrives alone. Read as the answer to
the unprotect, the copy would shift every later answer by one."""
import os
import select
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
    # The next request is not read yet (the runner sends it only after
    # this answer), so fd 0 turns readable exactly when it has been sent.
    select.select([sys.stdin.fileno()], [], [], 30)
    _late = True
    return text


sys.exit(serve(out_hook=out_hook))
