#!/usr/bin/python3
"""Not broken: the frame operations and the primitives of tools/ce1_prim.h,
all announced in its answer to {"op":"capabilities"}. With ``--ops
a,b,...`` it announces (and implements) only those primitives."""
import sys
from _layerserve import ALL_OPS, serve

ops = ALL_OPS
if len(sys.argv) > 2 and sys.argv[1] == "--ops":
    ops = [o for o in sys.argv[2].split(",") if o]
sys.exit(serve(ops))
