#!/usr/bin/python3
"""Generate the fuzz seed corpora from the CE1 vectors.

Usage (from anywhere, with Debian's interpreter):

    /usr/bin/python3 fuzz/make_seeds.py            # (re)write the seeds
    /usr/bin/python3 fuzz/make_seeds.py --check    # exit 1 if out of date

Reads vectors/ce1/*.json and writes, for every harness, seed inputs in that
harness's input encoding into fuzz/corpus/<harness>/seed-*, plus
fuzz/common/fuzz_gcm2_keys.inc (the GCM2 keys and salts of the vectors, so
the harnesses' cached GCM2 contexts are the vectors' own and GCM2 seeds
reach the tag check instead of stopping at the check byte).

Only files named seed-* are replaced; inputs that campaigns merged in
(40-hex-digit names) and regression inputs (regress-*) are kept. Output
is deterministic: names are SHA-1 of the contents, order is the vectors'.

The encodings are documented at the top of each fuzz/<harness>_fuzzer.c
and in fuzz/common/fuzz_common.h (the "config prefix").
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import struct
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
ROOT = FUZZ.parent
VECTORS = ROOT / "vectors" / "ce1"

# Seeds stay small: the frames of the vectors go to 65,561 bytes, the
# harnesses' -max_len is a few KB (fuzz/<harness>.options).
MAX_FRAME = 1100

STATUS = {
    "MALFORMED": -1, "BAD_VERSION": -2, "MODE_MISMATCH": -3,
    "KEY_MISMATCH": -4, "BAD_PADDING": -5, "AUTH_FAILED": -6,
}
MODE_NAMES = ["AES_128_XTS", "AES_128_ECB", "AES_256_XTS", "SM4_128_ECB",
              "AES_128_GCM", "AES_256_GCM", "AES_128_GCM2", "AES_256_GCM2"]
MODE_STRINGS = ["aes-128-xts", "aes-128-ecb", "aes-256-xts", "sm4-128-ecb",
                "aes-128-gcm", "aes-256-gcm", "aes-128-gcm-2", "aes-256-gcm-2"]
STATUS_NAMES = ["OK", "MALFORMED", "BAD_VERSION", "MODE_MISMATCH",
                "KEY_MISMATCH", "BAD_PADDING", "AUTH_FAILED",
                "INVALID_ARGUMENT", "NOT_SUPPORTED", "BUFFER_TOO_SMALL",
                "TOO_LARGE", "INTERNAL", "OBSERVER", "DROPPED"]


def load_vectors():
    files = []
    for path in sorted(VECTORS.glob("*.json")):
        with open(path, encoding="utf-8") as f:
            files.append((path.name, json.load(f)))
    if not files:
        sys.exit(f"make_seeds: no vector files in {VECTORS}")
    return files


def key_len_bytes(n: int) -> bytes:
    """The key length field of the config prefix (fuzz_common.h)."""
    return bytes([n]) if n < 255 else b"\xff" + struct.pack(">H", n)


# Backend choices in the harnesses' input (fz_backend_choice in
# fuzz_common.c): auto, "openssl", "ipsec-mb", "sm4-simd", no backend.
BACKEND_CHOICES = (0, 1, 2, 3, 4)
# Modes whose packets the backends other than OpenSSL serve: SM4_128_ECB
# (sm4-simd) and the GCM family (ipsec-mb).
FAST_MODES = (4, 5, 6, 7, 8)


def cfg_prefix(mode: int, key: bytes, salt: bytes, backend: int = 0) -> bytes:
    """The config prefix: mode (its upper bits the backend choice), key
    length, key, salt for GCM2 only."""
    out = bytes([mode + 8 * backend]) + key_len_bytes(len(key)) + key
    if mode in (7, 8):
        out += salt
    return out


# GCM2 groups per mode whose key schedule the harnesses cache. Each costs
# two 100,000-iteration PBKDF2 runs per process (about half a second under
# ASan), so the table holds the first few groups of each GCM2 file - a
# 64-character hex key, a one-byte key, a 16-byte key - and seeds are made
# only for those groups (the others would stop at KEY_MISMATCH).
GCM2_PER_MODE = 3


def gcm2_groups(files):
    """(mode, key, salt) of the cached GCM2 groups, in file order."""
    seen = []
    for _, doc in files:
        for g in doc["groups"]:
            if g["mode"] in (7, 8) and "config_status" not in g:
                t = (g["mode"], bytes.fromhex(g["key"]), bytes.fromhex(g["salt"]))
                if (len(t[2]) == 32 and any(t[2]) and t not in seen and
                        sum(1 for s in seen if s[0] == t[0]) < GCM2_PER_MODE):
                    seen.append(t)
    return seen


def cached(files, g):
    """False for a GCM2 group outside the cached table."""
    if g["mode"] not in (7, 8):
        return True
    t = (g["mode"], bytes.fromhex(g["key"]), bytes.fromhex(g["salt"]))
    return t in gcm2_groups(files)


def primary(files, mode):
    """The first GCM2 group of a mode: fz_gcm2_primary's entry."""
    for t in gcm2_groups(files):
        if t[0] == mode:
            return t
    return None


def tests_of(files):
    """(group, test) for every test, frames up to MAX_FRAME bytes, of the
    groups whose key schedule the harnesses have."""
    for _, doc in files:
        for g in doc["groups"]:
            if not cached(files, g):
                continue
            for t in g.get("tests", []):
                if len(t["frame"]) // 2 <= MAX_FRAME:
                    yield g, t


class Corpus:
    def __init__(self):
        self.seeds: dict[str, dict[str, bytes]] = {}

    def add(self, harness: str, data: bytes):
        name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
        self.seeds.setdefault(harness, {})[name] = data


def seeds_unprotect(c, files):
    on_backends = set()
    for g, t in tests_of(files):
        prefix = cfg_prefix(g["mode"], bytes.fromhex(g["key"]), bytes.fromhex(g["salt"]))
        frame = bytes.fromhex(t["frame"])
        c.add("unprotect", prefix + b"\x00" + frame)
        if t["result"] == "valid":
            # Out of place with a short capacity, in == out, overlap.
            c.add("unprotect", prefix + b"\x1a" + frame)
        # The first test of each group on every backend choice.
        gid = id(g)
        if g["mode"] in FAST_MODES and gid not in on_backends:
            on_backends.add(gid)
            for b in BACKEND_CHOICES[1:]:
                c.add("unprotect", cfg_prefix(g["mode"], bytes.fromhex(g["key"]),
                                              bytes.fromhex(g["salt"]), b) +
                      b"\x00" + frame)
    # The upper length bound (flags bit 5), per family.
    for mode in (1, 2, 5):
        for k in range(3):
            c.add("unprotect", bytes([mode, 1]) + b"k" + bytes([0x21 | k << 6]) +
                  bytes([0x10 | mode]))


def seeds_roundtrip(c, files):
    for g, t in tests_of(files):
        if t["result"] != "valid":
            continue
        prefix = cfg_prefix(g["mode"], bytes.fromhex(g["key"]), bytes.fromhex(g["salt"]))
        pn = int(t["pn"], 16) if t["pn"] else 0
        payload = bytes.fromhex(t["payload"])
        flags = 0x17 if len(payload) in (0, 1, 15, 16, 17) else 0x00
        c.add("roundtrip", prefix + struct.pack(">QBB", pn, flags, len(payload) % 7) + payload)
    for mode in range(1, 9):
        for b in BACKEND_CHOICES:
            c.add("roundtrip", bytes([mode + 8 * b, 1]) + b"k" +
                  bytes(32 if mode > 6 else 0) +
                  struct.pack(">QBB", 0x0102030405060708, 0x0f, 2))


def seeds_differential(c, files):
    prim = {m: primary(files, m) for m in (7, 8)}
    for g, t in tests_of(files):
        mode, key, salt = g["mode"], bytes.fromhex(g["key"]), bytes.fromhex(g["salt"])
        if mode in (7, 8) and (mode, key, salt) != prim[mode]:
            continue  # the harness maps every GCM2 config to the primary
        head = key_len_bytes(len(key)) + key + salt
        if t["result"] == "valid":
            pn = int(t["pn"], 16) if t["pn"] else 0
            c.add("differential", bytes([0x02, mode]) + head + struct.pack(">Q", pn) +
                  bytes.fromhex(t["payload"]))
            if mode in FAST_MODES:
                # op bits 6-7: openssl, the fast backend, both compared.
                for op in (0x42, 0x82, 0xc2):
                    c.add("differential", bytes([op, mode]) + head +
                          struct.pack(">Q", pn) + bytes.fromhex(t["payload"]))
                c.add("differential", bytes([0xc3, mode]) + head +
                      bytes.fromhex(t["frame"]))
        c.add("differential", bytes([0x03, mode]) + head + bytes.fromhex(t["frame"]))
    # Refusals: bad modes, empty key, GCM2 with a zero salt.
    for mb in (0xf8, 0xf9, 0xfa, 0xff):
        c.add("differential", bytes([0x00, mb, 1]) + b"k" + bytes(8) + b"hi")
    c.add("differential", bytes([0x00, 7, 1]) + b"k" + bytes(8) + b"hi")
    c.add("differential", bytes([0x01, 2, 0]) + bytes(18))


def seeds_config(c, files):
    for _, doc in files:
        for g in doc["groups"]:
            key = bytes.fromhex(g["key"])
            salt = bytes.fromhex(g["salt"])[:32].ljust(32, b"\0")
            mode = g["mode"]
            if 0 <= mode <= 9:
                sel = 0x08  # also through enable_encryption
                c.add("config", b"\x00" + bytes([sel, mode]) + key_len_bytes(len(key)) + key + salt)
                if mode in FAST_MODES or mode == 1:
                    # mode byte / 10: the backend choice
                    for b in BACKEND_CHOICES[1:]:
                        c.add("config", b"\x00" + bytes([sel, mode + 10 * b]) +
                              key_len_bytes(len(key)) + key + salt)
            else:
                c.add("config", b"\x00" + bytes([0x88]) + struct.pack(">i", mode) +
                      key_len_bytes(len(key)) + key + salt)
            if len(bytes.fromhex(g["salt"])) == 32:
                b64 = base64.b64encode(bytes.fromhex(g["salt"]))
                c.add("config", b"\x02" + b64)
                c.add("config", b"\x02" + b" \t" + b64.rstrip(b"=") + b"\r\n")
                c.add("config", b"\x03\x1f" + bytes.fromhex(g["salt"]))
    for name in MODE_NAMES + MODE_STRINGS + STATUS_NAMES + [str(i) for i in range(10)]:
        c.add("config", b"\x04" + name.encode())
    for v in (0, 1, 7, 8, 9, -1, 0x7fffffff):
        c.add("config", b"\x05" + struct.pack(">i", v))
    c.add("config", b"\x02" + b"A" * 43 + b"=")


def seeds_primitive(c, files):
    keys = []
    for _, doc in files:
        for g in doc["groups"]:
            d = g.get("derived")
            if d:
                keys.append((g["mode"], bytes.fromhex(d["enc_key"]),
                             bytes.fromhex(d["iv_base"]) if d["iv_base"] else b""))
    pt = bytes(range(48))
    for mode, key, iv in keys[::3]:
        if mode in (2, 4):
            c.add("primitive", b"\x00" + bytes([1 if mode == 4 else 0, len(key)]) + key + pt[:32])
        elif mode in (1, 3):
            c.add("primitive", b"\x01" + bytes([0 if len(key) == 32 else 1]) + key + bytes(16) + pt[:37])
        else:
            sel = {16: 0, 24: 1, 32: 2}[len(key)]
            c.add("primitive", b"\x02" + bytes([sel, len(iv)]) + struct.pack(">H", 10) +
                  bytes([16]) + key + iv + bytes(10) + pt[:21])
    # GCM with a 1-byte IV, a 64-byte IV, a 4-byte tag; AES-192.
    c.add("primitive", b"\x02\x01\x01\x00\x00\x04" + bytes(24) + b"\x01" + b"abc")
    c.add("primitive", b"\x06\x00\x40\x00\x05\x0c" + bytes(16) + bytes(64) + b"aadaa" + b"x" * 40)
    # HKDF: RFC 5869 test case 1 shape; long output; PBKDF2 tiny.
    c.add("primitive", b"\x03\x00\x0d\x16\x0a\x2a" + bytes(range(13)) + b"\x0b" * 22 + bytes(range(0xf0, 0xfa)))
    c.add("primitive", b"\x03\x01\x00\x05\x00\x00" + b"\x1f\xe0" + b"ikm!!")
    c.add("primitive", b"\x04\x08\x04\x01\x20" + b"password" + b"salt")
    c.add("primitive", b"\x04\x00\x00\x02\x40")
    for k in range(8):
        c.add("primitive", b"\x05" + bytes([k, 0]))


def trimmed(doc, max_tests=3):
    """A vector document with few, small tests per group (same shape)."""
    out = {"format": doc["format"], "description": doc["description"][:80], "groups": []}
    for g in doc["groups"]:
        g2 = dict(g)
        if "tests" in g:
            small = [t for t in g["tests"] if len(t["frame"]) <= 200]
            g2["tests"] = small[:max_tests]
        out["groups"].append(g2)
    return out


def seeds_vecfile_json(c, files):
    for name, doc in files:
        t = trimmed(doc, 2 if "refusals" not in name else 0)
        if "refusals" in name:
            t = doc
        text = json.dumps(t, separators=(",", ":")).encode()
        c.add("vecfile", b"\x04" + text)
        c.add("json", b"\x00" + text)
    # A small file through ce_vec_load, and with tiny error buffers.
    small = trimmed(files[0][1], 1)
    small["groups"] = small["groups"][:1]
    text = json.dumps(small, indent=1).encode()
    c.add("vecfile", b"\x05" + text)
    # Each backend choice (flags bits 3-7) on the SM4 and GCM files.
    for name, doc in files:
        if "sm4" in name or "gcm" in name:
            t = json.dumps(trimmed(doc, 1), separators=(",", ":")).encode()
            for b in BACKEND_CHOICES[1:]:
                c.add("vecfile", bytes([0x04 | b << 3]) + t)
    c.add("vecfile", b"\x02" + text[:-40])
    c.add("vecfile", b"\x00" + text.replace(b'"valid"', b'"Valid"', 1))
    for snippet in [b'{"a":[1,-0.5e+3,true,false,null,"\\u00e9\\ud83d\\ude00\\n"]}',
                    b'[[[[[[[[[[]]]]]]]]]]', b'"\\u0000x"', b'-9223372036854775808',
                    b'9223372036854775808', b'{"k":1,"K":2}', b' \t\r\n{} ']:
        c.add("json", b"\x00" + snippet)
    c.add("json", b"\x05" + b"[[[[[[]]]]]]")


def seeds_adapter(c, files):
    lines_all = []
    for _, doc in files:
        for g in doc["groups"][:2]:
            mode, key, salt = g["mode"], g["key"], g["salt"]
            common = f'"mode":{mode},"key":"{key}","salt":"{salt}"'
            lines = [f'{{"op":"derive",{common}}}']
            for t in g.get("tests", [])[:6]:
                if len(t["frame"]) > 400:
                    continue
                lines.append(f'{{"op":"unprotect",{common},"frame":"{t["frame"]}"}}')
                if t["result"] == "valid":
                    pn = json.dumps(t["pn"])
                    lines.append(f'{{"op":"protect",{common},"pn":{pn},"payload":"{t["payload"]}"}}')
            for line in lines:
                c.add("adapter", line.encode())
            lines_all.append("\n".join(lines[:4]))
    for session in lines_all[::4]:
        c.add("adapter", session.encode() + b"\n")
    for line in [b'{"op":"frobnicate","mode":1}', b'[1,2]', b'{"op":"protect"}', b'',
                 b'{"op":"protect","mode":2,"key":"6b","salt":"' + b"00" * 32 +
                 b'","pn":null,"payload":"AB"}',
                 b'{"op":"derive","mode":99999999999,"key":"6b","salt":"' + b"00" * 31 + b'"}']:
        c.add("adapter", line)


def seeds_channel(c):
    # Ops (channel_fuzzer.c): 0 enable, 1 disable, 2 register, 3 unregister,
    # 4 error cb, 5 max wire, 6 join, 7 leave, 8 send, 9 receive,
    # 10 loopback, 11 counters, 12 invalid, 13 oversize.
    def enable(mode, key=b"secret", sel=0x04):
        return bytes([0, sel, mode, len(key)]) + key

    def pkt(kind, payload, slack=40):
        return bytes([kind]) + struct.pack(">HB", len(payload), slack) + payload

    hello = b"hello, channel"
    sessions = []
    for mode in range(1, 9):
        for mask in (0x0f, 0x05, 0x00):
            s = enable(mode) + b"\x04\x01" + bytes([2, mask])
            for act in range(12):
                # loopback: kind, packet, extra room byte; observer actions
                s += b"\x0a" + pkt(act % 3, hello * (1 + act % 3)) + b"\x10" + bytes([act, 0, 0, act])
            s += b"\x0b"
            sessions.append(s)
    sessions.append(b"\x05\x00\x20" + b"\x08" + pkt(0, b"x" * 64) + b"\x07" + b"\x08" + pkt(1, b"y") +
                    b"\x06" + b"\x0c\x00\x0c\x02\x0c\x05\x0c\x08" + b"\x0d\x00\x01\x00" + b"\x0d\x00\x02\x01")
    sessions.append(enable(2, b"k", 0x07) + b"\x02\x0f" + b"\x09" + pkt(0, b"\x12" + bytes(17)) + b"\x02" +
                    b"\x09" + pkt(2, bytes(18)) + b"\x08" + pkt(1, b"", 0) + b"\x08")
    sessions.append(enable(7, b"k") + enable(0) + enable(4, b"") + b"\x01" + b"\x0a" + pkt(0, b"plain") + b"\x0b")
    # The channel's context on each backend choice (mode byte / 10), the
    # oracle on OpenSSL: send and receive back through the identity.
    for mode in (3, 4, 5, 6):
        for b in BACKEND_CHOICES[1:]:
            s = enable(mode + 10 * b) + b"\x04\x01" + bytes([2, 0x0f])
            for act in range(4):
                s += b"\x0a" + pkt(act % 3, hello * (1 + act)) + b"\x10" + bytes([act, 0, 0, act])
            sessions.append(s + b"\x0b")
    for s in sessions:
        c.add("channel", s)


def gcm2_inc(files) -> str:
    lines = [
        "/* Generated by fuzz/make_seeds.py from the vectors/ce1 JSON files - do not edit.",
        "   The GCM2 (mode, key, salt) triples of the vectors' valid groups; the",
        "   first of each mode is the differential harness's primary entry. */",
        "static const fz_gcm2_src fz_gcm2_vec[] = {",
    ]
    for mode, key, salt in gcm2_groups(files):
        lines.append(f'    {{{mode},\n     "{key.hex()}",\n     "{salt.hex()}"}},')
    lines.append("    {0, NULL, NULL}, /* end */")
    lines.append("};")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = ap.parse_args()
    files = load_vectors()
    c = Corpus()
    seeds_unprotect(c, files)
    seeds_roundtrip(c, files)
    seeds_differential(c, files)
    seeds_config(c, files)
    seeds_primitive(c, files)
    seeds_vecfile_json(c, files)
    seeds_adapter(c, files)
    seeds_channel(c)
    inc = gcm2_inc(files)

    stale = []
    inc_path = FUZZ / "common" / "fuzz_gcm2_keys.inc"
    if not inc_path.exists() or inc_path.read_text() != inc:
        stale.append(str(inc_path))
    total = 0
    for harness, seeds in sorted(c.seeds.items()):
        d = FUZZ / "corpus" / harness
        have = {p.name: p.read_bytes() for p in d.glob("seed-*")} if d.exists() else {}
        if have != seeds:
            stale.append(str(d))
        total += sum(len(v) for v in seeds.values())
        if not args.check:
            d.mkdir(parents=True, exist_ok=True)
            for name in set(have) - set(seeds):
                (d / name).unlink()
            for name, data in seeds.items():
                if have.get(name) != data:
                    (d / name).write_bytes(data)
        print(f"{harness:13s} {len(seeds):5d} seeds {sum(len(v) for v in seeds.values()):8d} bytes")
    print(f"{'total':13s} {sum(len(s) for s in c.seeds.values()):5d} seeds {total:8d} bytes")
    if args.check:
        for s in stale:
            print(f"out of date: {s}", file=sys.stderr)
        return 1 if stale else 0
    inc_path.write_text(inc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
