#!/usr/bin/python3
"""Generate the seed corpora of the SFrame fuzz harnesses from the RFC 9605
test vectors.

Usage (from anywhere, with Debian's interpreter):

    /usr/bin/python3 fuzz/make_sframe_seeds.py          # (re)write the seeds
    /usr/bin/python3 fuzz/make_sframe_seeds.py --check  # exit 1 if out of date

Reads the working group's JSON vectors in place from ../shared/vectors/sframe
(seen from the project root; $CE_SFRAME_VECTORS_DIR overrides it) - the
vector files are never copied - and writes derived seed inputs, in each
harness's input encoding (documented at the top of the harness), to
fuzz/corpus/sframe_header/seed-* (every header vector's encoding, and the
headers of the frame vectors) and fuzz/corpus/sframe_unprotect/seed-*
(every frame vector, accepted as it is and in a few variations: replay
window on, short output capacity, in == out, header rewritten, one tag bit
flipped, metadata missing, truncated).

Only files named seed-* are replaced; inputs that campaigns merged in
(40-hex-digit names) and regression inputs (regress-*) are kept. Output is
deterministic: names are SHA-1 of the contents.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
VECTORS = Path(os.environ.get("CE_SFRAME_VECTORS_DIR") or
               ROOT.parent / "shared" / "vectors" / "sframe")
FILES = {
    "test-vectors.json": ("header", "sframe"),
    "test-vectors.rfc9605-era-025d568.json": ("header", "sframe"),
    "test-vectors-aes256.json": ("sframe_aes_256_ctr_hmac",),
}
# KIDs of the harness's receiver (sframe_unprotect_fuzzer.c, fz_kids).
KIDS = [291, 0, 7, 8, 0x0123456789abcdef, 2**64 - 1, 5]


def load():
    arrays: dict[str, list] = {}
    for name, keys in FILES.items():
        path = VECTORS / name
        if not path.exists():
            sys.exit(f"make_sframe_seeds: missing {path}")
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        for k in keys:
            arrays.setdefault(k, []).extend(doc[k])
    return arrays


def header_len(enc: bytes) -> int:
    c = enc[0]
    n = 1
    if c & 0x80:
        n += ((c >> 4) & 7) + 1
    if c & 0x08:
        n += (c & 7) + 1
    return n


def seeds_header(arrays) -> list[bytes]:
    out = [bytes.fromhex(v["encoded"]) for v in arrays["header"]]
    for key in ("sframe", "sframe_aes_256_ctr_hmac"):
        for v in arrays[key]:
            ct = bytes.fromhex(v["ct"])
            out.append(ct[:header_len(ct)])
    return out


def seeds_unprotect(arrays) -> list[bytes]:
    out = []
    for key in ("sframe", "sframe_aes_256_ctr_hmac"):
        for v in arrays[key]:
            suite = bytes([v["cipher_suite"] - 1])  # suite = 1 + b % 8
            meta = bytes.fromhex(v["metadata"])
            ct = bytes.fromhex(v["ct"])
            m = bytes([len(meta)]) + meta
            hl = header_len(ct)
            kid_index = KIDS.index(v["kid"])
            rewrite = bytes([kid_index]) + struct.pack(">Q", v["ctr"])
            flipped = ct[:-1] + bytes([ct[-1] ^ 1])
            out += [
                suite + b"\x01" + m + ct,              # accepted
                suite + b"\x29" + m + ct,              # window 64, in == out
                suite + b"\x33" + m + ct,              # window 1024, cap - 1
                suite + b"\x17" + m + ct,              # window 1, cap 0
                suite + b"\x41" + m + rewrite + ct[hl:],  # header rewritten
                suite + b"\x01" + m + flipped,         # AUTH_FAILED
                suite + b"\x00" + ct,                  # metadata missing
                suite + b"\x01" + m + ct[:hl + 2],     # no room for the tag
            ]
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = ap.parse_args()
    arrays = load()
    stale = []
    for harness, seeds in (("sframe_header", seeds_header(arrays)),
                           ("sframe_unprotect", seeds_unprotect(arrays))):
        want = {"seed-" + hashlib.sha1(s).hexdigest()[:16]: s for s in seeds}
        d = FUZZ / "corpus" / harness
        have = {p.name: p.read_bytes() for p in d.glob("seed-*")} if d.exists() else {}
        if have != want:
            stale.append(str(d))
        if not args.check:
            d.mkdir(parents=True, exist_ok=True)
            for name in set(have) - set(want):
                (d / name).unlink()
            for name, data in want.items():
                if have.get(name) != data:
                    (d / name).write_bytes(data)
        print(f"{harness:17s} {len(want):5d} seeds "
              f"{sum(len(v) for v in want.values()):8d} bytes")
    if args.check:
        for s in stale:
            print(f"out of date: {s}", file=sys.stderr)
        return 1 if stale else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
