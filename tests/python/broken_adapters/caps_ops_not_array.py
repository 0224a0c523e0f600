#!/usr/bin/env python3
"""Broken on purpose: answers {"op":"capabilities"} with {"ops":"all"}
(malformed: "ops" must be an array of strings, docs/conformance.md 8.1);
every other request goes to layer_prim_ok.py (correct frames and
primitives).

The run fails by bad_capabilities. The primitive checks it skips are not
"not applicable (... not announced)": a malformed answer announces
nothing either way, and the summary line used to count them so
(adversarial review of the runner, item 5)."""
import json
import pathlib
import subprocess
import sys

child = subprocess.Popen(
    [sys.executable, str(pathlib.Path(__file__).resolve().parent / "layer_prim_ok.py")],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
for raw in sys.stdin:
    try:
        req = json.loads(raw)
    except ValueError:
        req = None
    if isinstance(req, dict) and req.get("op") == "capabilities":
        sys.stdout.write(json.dumps({"ops": "all"}) + "\n")
    else:
        child.stdin.write(raw if raw.endswith("\n") else raw + "\n")
        child.stdin.flush()
        sys.stdout.write(child.stdout.readline())
    sys.stdout.flush()
