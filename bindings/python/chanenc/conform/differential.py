"""The differential pass: random configs, payloads and corrupted frames.

For every random case ``k`` (its generator is seeded with ``(seed, k)``,
so any case can be replayed alone with ``--seed S --random-case K``):

1. the oracle protects a random payload with a random explicit PN; the
   candidate protects the same and must produce the same bytes;
2. the candidate unprotects the oracle's frame and must return the
   payload;
3. a corrupted copy of the frame (bit flip, truncation, extension, header
   byte change, another mode's flags, ...) is unprotected by both, which
   must agree on the status (or, where the corruption is invisible to the
   mode, on the payload).

A few cases instead check refused configurations (bad mode, empty key,
GCM2 with a zero salt) and oversized payloads. Some cases add a fourth
check after step 3: the key schedule alone (derive), a salt that is not 32
bytes (refused in every mode), or, for a process adapter, a malformed copy
of the case's request (:mod:`chanenc.conform.requests`). Each check
reports the requests it made, so a failure can be reproduced outside the
runner. Configs come from a small pool per seed: GCM2 derivation runs
100,000 PBKDF2 iterations by design.

An implementation that answers NOT_SUPPORTED where the configuration is
valid lacks the mode's cipher: the check is skipped, as in the vector
pass. Where the expected answer is INVALID_ARGUMENT (a refused
configuration, a wrong salt length, a malformed request), NOT_SUPPORTED
fails: those come first (spec 10.1).
"""

from __future__ import annotations

import json
import random
import string

from .impls import request_line
from .requests import check_line, mutate
from .vectors import (Case, Failure, Skipped, expect_bytes, expect_derive,
                      same_outcome)

__all__ = ["run_random", "config_pool"]

_EDGE_LENGTHS = (0, 1, 15, 16, 17, 31, 32, 33, 2047, 2048, 2049, 65535)
_EDGE_PNS = (0, 1, (1 << 64) - 1, 1 << 63, (1 << 32) - 1, 1 << 32)
_MAX_FRAME = {2: 65538, 4: 65538, 1: 65545, 3: 65545}  # others: 65561
_MODE_NAMES = {1: "AES_128_XTS", 2: "AES_128_ECB", 3: "AES_256_XTS",
               4: "SM4_128_ECB", 5: "AES_128_GCM", 6: "AES_256_GCM",
               7: "AES_128_GCM2", 8: "AES_256_GCM2"}


def _random_key(rng: random.Random) -> bytes:
    r = rng.random()
    if r < 0.3:   # `openssl rand -hex 32`: 64 ASCII hex digits, not decoded
        return "".join(rng.choice("0123456789abcdef") for _ in range(64)).encode()
    if r < 0.55:  # a typed password
        alphabet = string.ascii_letters + string.digits + string.punctuation + " "
        return "".join(rng.choice(alphabet)
                       for _ in range(rng.randint(1, 24))).encode()
    if r < 0.9:   # raw bytes, NUL included
        return rng.randbytes(rng.randint(1, 64))
    return rng.randbytes(rng.randint(65, 300))


def _random_salt(rng: random.Random) -> bytes:
    while True:
        s = rng.randbytes(32)
        if any(s):
            return s


def config_pool(seed, modes, per_mode: int = 6, per_gcm2_mode: int = 2) -> list:
    """(mode, key, salt) configs for a seed: ``per_mode`` per mode, fewer
    for the PBKDF2-based GCM2 modes."""
    rng = random.Random(f"chanenc-conform/pool/{seed}")
    pool = []
    for m in sorted(modes):
        for _ in range(per_gcm2_mode if m in (7, 8) else per_mode):
            pool.append((m, _random_key(rng), _random_salt(rng)))
    return pool


def _payload_len(rng: random.Random) -> int:
    if rng.random() < 0.05:
        return rng.choice(_EDGE_LENGTHS)
    r = rng.random()
    if r < 0.35:
        return rng.randint(0, 32)
    if r < 0.6:
        return rng.randint(33, 300)
    if r < 0.8:
        return rng.randint(301, 1500)
    if r < 0.94:
        return rng.randint(1501, 8192)
    return rng.randint(8193, 65535)


def _corrupt(rng: random.Random, frame: bytes, mode: int):
    """A corrupted copy of frame and a description of the change."""
    f = bytearray(frame)
    hl = 2 if mode in (2, 4) else 10
    kind = rng.choice(("bitflip", "bitflip", "truncate", "extend", "flags",
                       "check", "pn", "othermode", "body_byte"))
    if kind == "bitflip":
        i = rng.randrange(len(f))
        b = rng.randrange(8)
        f[i] ^= 1 << b
        return bytes(f), f"bit {b} of byte {i} flipped"
    if kind == "truncate":
        n = rng.randrange(len(f))
        return bytes(f[:n]), f"truncated to {n} bytes"
    if kind == "extend":
        if rng.random() < 0.1:
            n = _MAX_FRAME.get(mode, 65561) + 1 - len(f)
        else:
            n = rng.randint(1, 32)
        return bytes(f) + rng.randbytes(n), f"extended by {n} bytes"
    if kind == "flags":
        old = f[0]
        while f[0] == old:
            f[0] = rng.randrange(256)
        return bytes(f), f"flags byte 0x{old:02x} -> 0x{f[0]:02x}"
    if kind == "check":
        f[1] ^= rng.randint(1, 255)
        return bytes(f), "check byte changed"
    if kind == "pn" and hl == 10:
        i = rng.randrange(2, 10)
        f[i] ^= rng.randint(1, 255)
        return bytes(f), f"packet number byte {i} changed"
    if kind == "othermode":
        other = rng.choice([m for m in range(1, 9) if m != mode])
        f[0] = (f[0] & 0xF0) | other
        return bytes(f), f"mode bits set to {other}"
    i = rng.randrange(hl, len(f)) if len(f) > hl else 0
    f[i] ^= rng.randint(1, 255)
    return bytes(f), f"byte {i} changed"


def run_random(n: int, seed, oracle, cand, modes, report, only_case=None,
               label: str | None = None, progress=None) -> None:
    """Runs random cases 0..n-1 (or only ``only_case``), calling
    ``report(case, result)`` for every check and ``progress(i, total)``
    before the i-th case (1-based)."""
    modes = sorted(modes)
    if not modes:
        return
    pool = config_pool(seed, modes)
    file = label or f"random (seed {seed})"
    ks = [only_case] if only_case is not None else range(n)
    for i, k in enumerate(ks, 1):
        if progress is not None:
            progress(i, len(ks))
        rng = random.Random(f"chanenc-conform/{seed}/{k}")
        mode, key, salt = pool[rng.randrange(len(pool))]
        algo = _MODE_NAMES.get(mode, f"mode {mode}")
        repro = f"--seed {seed} --random-case {k}"

        def case(op, comment, m=mode, a=algo):
            return Case(file, a, f"#{k}", f"{comment} (reproduce: {repro})", op,
                        mode=m)

        r = rng.random()
        if r < 0.02:   # a refused configuration
            bad = rng.choice(("mode0", "mode9", "emptykey", "zerosalt"))
            m, kk, ss = mode, key, salt
            if bad == "mode0":
                m = 0
            elif bad == "mode9":
                m = 9
            elif bad == "emptykey":
                kk = b""
            else:
                m, ss = rng.choice((7, 8)), bytes(32)
            o = oracle.protect(m, kk, ss, 0, b"x")
            c = cand.protect(m, kk, ss, 0, b"x")
            report(case("config", f"refused config ({bad})"), same_outcome(o, c))
            continue
        if r < 0.03:   # oversized payload
            payload = rng.randbytes(rng.randint(65536, 65600))
            o = oracle.protect(mode, key, salt, 0, payload)
            c = cand.protect(mode, key, salt, 0, payload)
            report(case("protect", f"payload of {len(payload)} bytes (too large)"),
                   same_outcome(o, c))
            continue

        payload = rng.randbytes(_payload_len(rng))
        pn = rng.choice(_EDGE_PNS) if rng.random() < 0.1 else rng.getrandbits(64)
        desc = f"{len(payload)}-byte payload, pn 0x{pn:016x}, key {len(key)} bytes"

        ref = oracle.protect(mode, key, salt, pn, payload)
        if not ref.ok:
            report(case("protect", desc),
                   Failure("oracle_error", f"the oracle failed to protect: "
                           f"{ref.describe()}"))
            continue
        frame = ref.value
        got = cand.protect(mode, key, salt, pn, payload)
        res = expect_bytes(got, frame, "frame")
        if isinstance(res, Failure) and got.ok:
            back = oracle.unprotect(mode, key, salt, got.value)
            res.extra["oracle_reads_candidate_frame_as"] = (
                back.status or ("the same payload" if back.value == payload
                                else "a different payload"))
        report(case("protect", desc), res)
        if isinstance(res, Skipped):
            continue
        report(case("unprotect", desc),
               expect_bytes(cand.unprotect(mode, key, salt, frame), payload,
                            "payload"))
        bad, what = _corrupt(rng, frame, mode)
        o = oracle.unprotect(mode, key, salt, bad)
        c = cand.unprotect(mode, key, salt, bad)
        report(case("corrupt", f"{desc}; {what}"), same_outcome(o, c))

        # A fourth check in some cases (drawn last, so that the checks
        # above stay what they were for every seed).
        x = rng.random()
        if x < 0.05:
            o = oracle.derive(mode, key, salt)
            res = (expect_derive(cand.derive(mode, key, salt), o.value) if o.ok
                   else Failure("oracle_error", f"the oracle failed to derive: "
                                f"{o.describe()}"))
            report(case("derive", f"key schedule outputs (spec 4), key "
                        f"{len(key)} bytes"), res)
        elif x < 0.09 and cand.salt_any_length:
            n_salt = rng.choice((0, 1, 16, 31, 33, 48, 64, rng.randint(1, 80)))
            if n_salt == 32:
                n_salt = 31
            s2 = rng.randbytes(n_salt) if rng.random() < 0.8 else bytes(n_salt)
            op = rng.choice(("protect", "unprotect", "derive"))
            if op == "protect":
                o = oracle.protect(mode, key, s2, pn, payload)
                c = cand.protect(mode, key, s2, pn, payload)
            elif op == "unprotect":
                o = oracle.unprotect(mode, key, s2, frame)
                c = cand.unprotect(mode, key, s2, frame)
            else:
                o = oracle.derive(mode, key, s2)
                c = cand.derive(mode, key, s2)
            res = (expect_derive(c, None) if c.status == "UNSUPPORTED_OP"
                   and op == "derive" else same_outcome(o, c))
            report(case(op, f"a salt of {n_salt} bytes: refused in every mode "
                        "(spec 3.1)"), res)
        elif x < 0.17 and cand.requests:
            op = rng.choice(("protect", "protect", "unprotect", "derive"))
            base = json.loads(request_line(op, mode, key, salt, pn,
                                           payload if op == "protect" else frame))
            line, what = mutate(rng, base)
            report(case("request", f"{op} request: {what}"),
                   check_line(line, oracle, cand))
