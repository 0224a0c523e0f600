#!/usr/bin/python3
"""Generate the project's own SFrame (RFC 9605) vectors (format ``sframe-vectors/1``).

INDEPENDENT IMPLEMENTATION. This program implements SFrame from RFC 9605
(section 4.3 header, 4.4.2 key derivation, 4.4.3 nonce, 4.5.1 AES-CTR with
truncated HMAC; suites 6-8 from draft-barnes-sframe-iana-256) and the
receiver rules that docs/sframe.md states for chanenc (section 3: non-minimal
headers are MALFORMED; section 7.3: replay window; section 7.6: order of the
checks) in Python, with pyca/cryptography (Debian's python3-cryptography:
HKDF, HMAC, AES-CTR, AES-GCM) and the standard library. It never imports,
loads or runs any C code of the chanenc project (nor its Python bindings), so
the vectors test the C reference implementation instead of echoing it.

Usage (from the repository root, with Debian's interpreter):

    /usr/bin/python3 vectors/gen/gen_sframe_vectors.py            # (re)write vectors/sframe/
    /usr/bin/python3 vectors/gen/gen_sframe_vectors.py --check    # self-check, compare, write nothing
    /usr/bin/python3 vectors/gen/gen_sframe_vectors.py --out DIR  # write elsewhere

Every run first reproduces the working group's vectors, read in place from
``../shared/vectors/sframe/`` beside the repository (or ``--rfc-vectors DIR``
or ``$CE_SFRAME_VECTORS_DIR``): all header encodings and decodings
(``header``), the CTR+HMAC AEAD vectors (``aes_ctr_hmac``,
``aes_256_ctr_hmac``) and the whole-frame vectors with every intermediate
value (``sframe``, ``sframe_aes_256_ctr_hmac``). A mismatch stops the run.

Then, for every case it writes, the generator runs its own receiver model
(:class:`Receiver`, the checks of docs/sframe.md 7.6 in order, with the
replay state of 7.3) and asserts that the case gives the status the builder
declared, so each negative case fails at the check it was written for.

Output is deterministic: base keys, payloads and metadata come from
``random.Random`` with fixed integer seeds or from constants, and the JSON
layout is fixed (one case per line). ``--check`` regenerates in memory and
compares byte for byte; it exits 1 and names the differing files.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import constant_time, hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand

FORMAT = "sframe-vectors/1"
REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "vectors" / "sframe"
DEFAULT_RFC_DIR = REPO.parent / "shared" / "vectors" / "sframe"
U64 = (1 << 64) - 1

# --------------------------------------------------------------------------
# Cipher suites (RFC 9605 8.1; 6-8: draft-barnes-sframe-iana-256)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Suite:
    ident: int
    name: str
    hash_name: str  # "sha256" or "sha512"
    nka: int  # AES key bytes of a CTR+HMAC suite; 0 for GCM
    nk: int
    nt: int
    gcm: bool

    @property
    def nh(self) -> int:
        return 32 if self.hash_name == "sha256" else 64

    def hash(self):
        return hashes.SHA256() if self.hash_name == "sha256" else hashes.SHA512()


SUITES = {
    1: Suite(1, "AES_128_CTR_HMAC_SHA256_80", "sha256", 16, 48, 10, False),
    2: Suite(2, "AES_128_CTR_HMAC_SHA256_64", "sha256", 16, 48, 8, False),
    3: Suite(3, "AES_128_CTR_HMAC_SHA256_32", "sha256", 16, 48, 4, False),
    4: Suite(4, "AES_128_GCM_SHA256_128", "sha256", 0, 16, 16, True),
    5: Suite(5, "AES_256_GCM_SHA512_128", "sha512", 0, 32, 16, True),
    6: Suite(6, "AES_256_CTR_HMAC_SHA512_80", "sha512", 32, 96, 10, False),
    7: Suite(7, "AES_256_CTR_HMAC_SHA512_64", "sha512", 32, 96, 8, False),
    8: Suite(8, "AES_256_CTR_HMAC_SHA512_32", "sha512", 32, 96, 4, False),
}
NN = 12

# Status names: those of ce_status_name() (ref/src/status.c), written out
# here rather than read from the C code.
STATUSES = ("OK", "MALFORMED", "UNKNOWN_KID", "REPLAYED", "AUTH_FAILED")

# --------------------------------------------------------------------------
# Header (RFC 9605 4.3)
# --------------------------------------------------------------------------


class Malformed(Exception):
    """The header cannot be decoded (docs/sframe.md 3)."""


def min_bytes(v: int) -> int:
    """Fewest big-endian bytes holding v (v >= 8)."""
    return max(1, (v.bit_length() + 7) // 8)


def header_encode(kid: int, ctr: int) -> bytes:
    """The one encoding RFC 9605 4.3 allows for (kid, ctr)."""
    assert 0 <= kid <= U64 and 0 <= ctr <= U64
    cfg = 0
    ext = b""
    if kid < 8:
        cfg |= kid << 4
    else:
        n = min_bytes(kid)
        cfg |= 0x80 | ((n - 1) << 4)
        ext += kid.to_bytes(n, "big")
    if ctr < 8:
        cfg |= ctr
    else:
        n = min_bytes(ctr)
        cfg |= 0x08 | (n - 1)
        ext += ctr.to_bytes(n, "big")
    return bytes([cfg]) + ext


def header_raw(kid_field: int | bytes, ctr_field: int | bytes) -> bytes:
    """A header with fields as given: an int 0..7 goes in the config byte,
    bytes (1..8 of them) go after it, minimal or not."""
    cfg = 0
    ext = b""
    if isinstance(kid_field, int):
        assert 0 <= kid_field < 8
        cfg |= kid_field << 4
    else:
        assert 1 <= len(kid_field) <= 8
        cfg |= 0x80 | ((len(kid_field) - 1) << 4)
        ext += kid_field
    if isinstance(ctr_field, int):
        assert 0 <= ctr_field < 8
        cfg |= ctr_field
    else:
        assert 1 <= len(ctr_field) <= 8
        cfg |= 0x08 | (len(ctr_field) - 1)
        ext += ctr_field
    return bytes([cfg]) + ext


def header_len_of_config(cfg: int) -> int:
    """Header length announced by a config byte."""
    n = 1
    if cfg & 0x80:
        n += ((cfg >> 4) & 7) + 1
    if cfg & 0x08:
        n += (cfg & 7) + 1
    return n


def header_decode(buf: bytes) -> tuple[int, int, int]:
    """(kid, ctr, header length); Malformed when truncated or not minimal."""
    if not buf:
        raise Malformed("empty")
    cfg = buf[0]
    pos = 1

    def field(inline_bit: int, value3: int) -> int:
        nonlocal pos
        if not cfg & inline_bit:
            return value3
        n = value3 + 1
        if pos + n > len(buf):
            raise Malformed("truncated")
        raw = buf[pos : pos + n]
        pos += n
        if raw[0] == 0:
            raise Malformed("leading zero byte")
        v = int.from_bytes(raw, "big")
        if v < 8:
            raise Malformed("value 0..7 in an extended field")
        return v

    kid = field(0x80, (cfg >> 4) & 7)
    ctr = field(0x08, cfg & 7)
    return kid, ctr, pos


# --------------------------------------------------------------------------
# Key derivation (RFC 9605 4.4.2), nonce (4.4.3), AEADs (4.4, 4.5.1)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Derived:
    secret: bytes
    key_label: bytes
    salt_label: bytes
    key: bytes
    salt: bytes


def hmac_(suite: Suite, key: bytes, data: bytes) -> bytes:
    h = crypto_hmac.HMAC(key, suite.hash())
    h.update(data)
    return h.finalize()


_DERIVE_CACHE: dict = {}


def derive(suite: Suite, kid: int, base_key: bytes) -> Derived:
    """derive_key_salt of RFC 9605 4.4.2."""
    ck = (suite.ident, kid, base_key)
    if ck in _DERIVE_CACHE:
        return _DERIVE_CACHE[ck]
    assert base_key
    # HKDF-Extract(salt = "", IKM): HMAC keyed with the empty string, which
    # equals RFC 5869's HashLen zero bytes.
    secret = hmac_(suite, b"", base_key)
    assert secret == hmac_(suite, bytes(suite.nh), base_key)
    tail = kid.to_bytes(8, "big") + suite.ident.to_bytes(2, "big")
    key_label = b"SFrame 1.0 Secret key " + tail
    salt_label = b"SFrame 1.0 Secret salt " + tail
    key = HKDFExpand(suite.hash(), suite.nk, key_label).derive(secret)
    salt = HKDFExpand(suite.hash(), NN, salt_label).derive(secret)
    # Cross-check with cryptography's one-shot HKDF (salt None = HashLen zeros).
    assert key == HKDF(suite.hash(), suite.nk, None, key_label).derive(base_key)
    assert salt == HKDF(suite.hash(), NN, None, salt_label).derive(base_key)
    d = Derived(secret, key_label, salt_label, key, salt)
    _DERIVE_CACHE[ck] = d
    return d


def nonce_of(salt: bytes, ctr: int) -> bytes:
    """salt XOR (0^(Nn-8) || BE64(ctr))."""
    c = ctr.to_bytes(NN, "big")
    return bytes(a ^ b for a, b in zip(salt, c))


def ctr_tag(suite: Suite, auth_key: bytes, nonce: bytes, aad: bytes, ct: bytes) -> bytes:
    """compute_tag of RFC 9605 4.5.1."""
    data = (
        len(aad).to_bytes(8, "big")
        + len(ct).to_bytes(8, "big")
        + suite.nt.to_bytes(8, "big")
        + nonce
        + aad
        + ct
    )
    return hmac_(suite, auth_key, data)[: suite.nt]


def aes_ctr(enc_key: bytes, nonce: bytes, data: bytes) -> bytes:
    c = Cipher(algorithms.AES(enc_key), modes.CTR(nonce + bytes(4))).encryptor()
    return c.update(data) + c.finalize()


def aead_encrypt(suite: Suite, key: bytes, nonce: bytes, aad: bytes, pt: bytes) -> bytes:
    assert len(key) == suite.nk and len(nonce) == NN
    if suite.gcm:
        return AESGCM(key).encrypt(nonce, pt, aad)
    enc_key, auth_key = key[: suite.nka], key[suite.nka :]
    ct = aes_ctr(enc_key, nonce, pt)
    return ct + ctr_tag(suite, auth_key, nonce, aad, ct)


def aead_decrypt(suite: Suite, key: bytes, nonce: bytes, aad: bytes, data: bytes) -> bytes | None:
    """Plaintext, or None when the tag does not verify."""
    assert len(data) >= suite.nt
    if suite.gcm:
        try:
            return AESGCM(key).decrypt(nonce, data, aad)
        except InvalidTag:
            return None
    enc_key, auth_key = key[: suite.nka], key[suite.nka :]
    ct, tag = data[: -suite.nt], data[-suite.nt :]
    if not constant_time.bytes_eq(ctr_tag(suite, auth_key, nonce, aad, ct), tag):
        return None
    return aes_ctr(enc_key, nonce, ct)


def seal(suite: Suite, base_key: bytes, kid: int, ctr: int, metadata: bytes, pt: bytes, header: bytes | None = None) -> bytes:
    """An SFrame ciphertext; header defaults to the minimal one for (kid, ctr)
    (another one is used, as AAD too, to build non-minimal frames)."""
    d = derive(suite, kid, base_key)
    hdr = header_encode(kid, ctr) if header is None else header
    return hdr + aead_encrypt(suite, d.key, nonce_of(d.salt, ctr), hdr + metadata, pt)


# --------------------------------------------------------------------------
# The receiver (docs/sframe.md 7.3 and 7.6)
# --------------------------------------------------------------------------


class Receiver:
    """Receive keys by KID, the replay window and its state, and the checks
    of docs/sframe.md 7.6 in order. TOO_LARGE (payload over 1 MiB) cannot
    occur in these vectors."""

    def __init__(self, suite: Suite, keys: dict[int, bytes], window: int):
        self.suite = suite
        self.keys = {kid: derive(suite, kid, bk) for kid, bk in keys.items()}
        self.window = window
        self.top: dict[int, int] = {}
        self.seen: dict[int, set] = {}

    def unprotect(self, frame: bytes, metadata: bytes):
        """("OK", payload, kid, ctr) or (status, None, None, None)."""
        try:
            kid, ctr, hlen = header_decode(frame)
        except Malformed:
            return ("MALFORMED", None, None, None)
        if len(frame) - hlen < self.suite.nt:
            return ("MALFORMED", None, None, None)
        d = self.keys.get(kid)
        if d is None:
            return ("UNKNOWN_KID", None, None, None)
        if self.window and kid in self.top:
            top = self.top[kid]
            if ctr <= top and (top - ctr >= self.window or ctr in self.seen[kid]):
                return ("REPLAYED", None, None, None)
        pt = aead_decrypt(self.suite, d.key, nonce_of(d.salt, ctr), frame[:hlen] + metadata, frame[hlen:])
        if pt is None:
            return ("AUTH_FAILED", None, None, None)
        # Recorded only for an authentic frame, whatever the window size.
        if kid not in self.top or ctr > self.top[kid]:
            self.top[kid] = ctr
        self.seen.setdefault(kid, set()).add(ctr)
        return ("OK", pt, kid, ctr)


# --------------------------------------------------------------------------
# Self-check against the working group's vectors
# --------------------------------------------------------------------------


def rfc_self_check(rfc_dir: Path) -> str:
    """Reproduce every vector of test-vectors.json and test-vectors-aes256.json."""
    main = json.loads((rfc_dir / "test-vectors.json").read_text())
    a256 = json.loads((rfc_dir / "test-vectors-aes256.json").read_text())
    n = 0
    for v in main["header"]:
        enc = bytes.fromhex(v["encoded"])
        assert header_encode(v["kid"], v["ctr"]) == enc, v
        assert header_decode(enc) == (v["kid"], v["ctr"], len(enc)), v
        for cut in range(len(enc)):
            try:
                header_decode(enc[:cut])
            except Malformed:
                continue
            raise AssertionError("truncated header decoded: %r" % v)
        n += 1
    nh = n
    for v in main["aes_ctr_hmac"] + main.get("aes_256_ctr_hmac", []):
        s = SUITES[v["cipher_suite"]]
        key = bytes.fromhex(v["key"])
        assert key[: s.nka].hex() == v["enc_key"] and key[s.nka :].hex() == v["auth_key"]
        nonce, aad, pt = (bytes.fromhex(v[k]) for k in ("nonce", "aad", "pt"))
        ct = aead_encrypt(s, key, nonce, aad, pt)
        assert ct.hex() == v["ct"], v
        assert aead_decrypt(s, key, nonce, aad, ct) == pt
        bad = bytearray(ct)
        bad[-1] ^= 1
        assert aead_decrypt(s, key, nonce, aad, bytes(bad)) is None
        n += 1
    na = n - nh
    for v in main["sframe"] + a256["sframe_aes_256_ctr_hmac"]:
        s = SUITES[v["cipher_suite"]]
        base = bytes.fromhex(v["base_key"])
        d = derive(s, v["kid"], base)
        assert d.key_label.hex() == v["sframe_key_label"], v
        assert d.salt_label.hex() == v["sframe_salt_label"], v
        assert d.secret.hex() == v["sframe_secret"], v
        assert d.key.hex() == v["sframe_key"], v
        assert d.salt.hex() == v["sframe_salt"], v
        assert nonce_of(d.salt, v["ctr"]).hex() == v["nonce"], v
        md, pt = bytes.fromhex(v["metadata"]), bytes.fromhex(v["pt"])
        hdr = header_encode(v["kid"], v["ctr"])
        assert (hdr + md).hex() == v["aad"], v
        frame = seal(s, base, v["kid"], v["ctr"], md, pt)
        assert frame.hex() == v["ct"], v
        r = Receiver(s, {v["kid"]: base}, 0)
        assert r.unprotect(frame, md) == ("OK", pt, v["kid"], v["ctr"])
        n += 1
    ns = n - nh - na
    assert (nh, na, ns) == (289, 6, 8), (nh, na, ns)
    return "RFC vectors reproduced: %d header, %d AEAD, %d SFrame" % (nh, na, ns)


# --------------------------------------------------------------------------
# Building the files
# --------------------------------------------------------------------------


def flip(b: bytes, index: int, mask: int = 0x01) -> bytes:
    out = bytearray(b)
    out[index] ^= mask
    return bytes(out)


class Group:
    """One group: keys, window, and cases in order. Every unprotect case is
    run through the receiver model here, in order, and must give the status
    the builder declared."""

    def __init__(self, suite: Suite, comment: str, window: int):
        self.suite = suite
        self.comment = comment
        self.window = window
        self.keys: list[dict] = []  # kid, usage, base key
        self.send: dict[int, bytes] = {}
        self.recv: dict[int, bytes] = {}
        self.cases: list[dict] = []
        self.rx: Receiver | None = None

    def key(self, kid: int, base_key: bytes, usage: str = "both") -> None:
        assert self.rx is None and usage in ("both", "send", "receive")
        self.keys.append({"kid": kid, "usage": usage, "base_key": base_key})
        if usage in ("both", "send"):
            self.send[kid] = base_key
        if usage in ("both", "receive"):
            self.recv[kid] = base_key

    def _rx(self) -> Receiver:
        if self.rx is None:
            self.rx = Receiver(self.suite, self.recv, self.window)
        return self.rx

    def protect(self, kid: int, ctr: int, metadata: bytes, payload: bytes, comment: str, status: str = "OK") -> bytes | None:
        case = {"op": "protect", "kid": kid, "ctr": ctr, "metadata": metadata.hex(), "payload": payload.hex()}
        if kid not in self.send:
            assert status == "UNKNOWN_KID", comment
            case.update({"status": "UNKNOWN_KID", "comment": comment})
            self.cases.append(case)
            return None
        assert status == "OK", comment
        frame = seal(self.suite, self.send[kid], kid, ctr, metadata, payload)
        case.update({"status": "OK", "frame": frame.hex(), "comment": comment})
        self.cases.append(case)
        return frame

    def unprotect(self, frame: bytes, metadata: bytes, status: str, comment: str) -> None:
        st, pt, kid, ctr = self._rx().unprotect(frame, metadata)
        assert st == status, "%s: model says %s, builder declared %s" % (comment, st, status)
        case = {"op": "unprotect", "frame": frame.hex(), "metadata": metadata.hex(), "status": st}
        if st == "OK":
            case.update({"kid": kid, "ctr": ctr, "payload": pt.hex()})
        case["comment"] = comment
        self.cases.append(case)

    def expect(self, frame: bytes, metadata: bytes) -> str:
        """What the receiver would say now, without recording anything
        (for the cases whose status is computed, not declared)."""
        rx = self._rx()
        saved = (dict(rx.top), {k: set(v) for k, v in rx.seen.items()})
        st = rx.unprotect(frame, metadata)[0]
        rx.top, rx.seen = saved
        return st

    def unprotect_computed(self, frame: bytes, metadata: bytes, comment: str) -> str:
        st = self.expect(frame, metadata)
        self.unprotect(frame, metadata, st, comment)
        return st

    def to_json(self) -> dict:
        keys = []
        for k in self.keys:
            d = derive(self.suite, k["kid"], k["base_key"])
            keys.append(
                {
                    "kid": k["kid"],
                    "usage": k["usage"],
                    "base_key": k["base_key"].hex(),
                    "sframe_key": d.key.hex(),
                    "sframe_salt": d.salt.hex(),
                }
            )
        return {"comment": self.comment, "replay_window": self.window, "keys": keys, "cases": self.cases}


CTRS = [
    0, 1, 7, 8, 255, 256, 0xFFFF, 0x10000, 0xFFFFFF, 0x1000000, 0xFFFFFFFF, 1 << 32,
    (1 << 40) - 1, 1 << 48, (1 << 56) - 1, 1 << 56, 1 << 63, U64 - 1, U64,
]
LENGTHS = [0, 1, 15, 16, 17, 32, 33, 64]


def group_frames(suite: Suite, rng: random.Random) -> Group:
    """Group 1 (window 0): valid frames, then each kind of damage to them."""
    nt = suite.nt
    g = Group(suite, "valid frames over KID and CTR sizes; tampered tags, ciphertexts and headers; "
              "truncations; headers longer than the frame; frames shorter than the tag; unknown KIDs; "
              "wrong metadata and keys; non-minimal headers. Replay window off", 0)
    kids = [0, 7, 8, 255, 256, 291, 0xFFFF, 0x10000, 0xFFFFFFFF, 1 << 32, (1 << 56) - 1, 1 << 63, U64]
    key_lens = [16, 1, 32, 16, 64, 16, 17, 16, 48, 16, 65, 16, 128]
    for kid, n in zip(kids, key_lens):
        g.key(kid, rng.randbytes(n))
    g.key(99, rng.randbytes(16), "send")  # the receiver has no key for 99
    g.key(100, rng.randbytes(16), "receive")  # the sender has no key for 100

    def pair(kid, ctr, md, pt, what):
        f = g.protect(kid, ctr, md, pt, "%s (%d-byte header)" % (what, len(header_encode(kid, ctr))))
        g.unprotect(f, md, "OK", "the previous frame")
        return f

    # Valid frames: every CTR size with a changing KID, then every KID at
    # CTR 0 and 2^64-1.
    for i, ctr in enumerate(CTRS):
        kid = kids[i % len(kids)]
        md = rng.randbytes([0, 1, 14, 3][i % 4])
        pair(kid, ctr, md, rng.randbytes(LENGTHS[i % len(LENGTHS)]), "valid")
    for kid in kids:
        pair(kid, U64 if kid != U64 else 0, b"", rng.randbytes(3), "valid, every KID")
    # Same KID, payload and metadata at two CTRs give two frames.
    pt = rng.randbytes(16)
    f0 = pair(8, 41, b"", pt, "same payload as the next case")
    f1 = pair(8, 42, b"", pt, "same payload as the previous case, next CTR")
    assert f0 != f1
    # With the window off, the same frame is accepted again.
    g.unprotect(f1, b"", "OK", "the previous frame again: accepted, the replay window is off")
    g.unprotect(f0, b"", "OK", "an older frame again: accepted, the replay window is off")

    # The reference frame of the tampering cases.
    md = bytes.fromhex("4945544620534672616d65205747")
    pt = rng.randbytes(21)
    ref = pair(291, 17767, md, pt, "reference frame of the cases below")
    hlen = len(header_encode(291, 17767))
    for i in range(nt):
        pos = len(ref) - nt + i
        for mask in (0x01, 0x80) if i in (0, nt - 1) else (0x01,):
            g.unprotect(flip(ref, pos, mask), md, "AUTH_FAILED", "reference frame, tag byte %d of %d XOR 0x%02x" % (i, nt, mask))
    g.unprotect(ref[:-nt] + bytes(nt), md, "AUTH_FAILED", "reference frame with an all-zero tag")
    for i in (0, len(pt) // 2, len(pt) - 1):
        g.unprotect(flip(ref, hlen + i), md, "AUTH_FAILED", "reference frame, ciphertext byte %d XOR 0x01" % i)
    g.unprotect(ref + b"\x00", md, "AUTH_FAILED", "reference frame with one byte appended")

    # Every byte of the header of three frames tampered (every bit of the
    # config byte, the lowest and highest bit of the others): the status
    # follows from the changed header (MALFORMED, UNKNOWN_KID for another
    # KID without a key, else AUTH_FAILED since the header is in the AAD).
    for kid, ctr in ((7, 3), (8, 255), (U64, U64)):
        md2 = rng.randbytes(2)
        f = pair(kid, ctr, md2, rng.randbytes(1), "frame whose header bits are flipped below")
        h = len(header_encode(kid, ctr))
        for i in range(h):
            for bit in range(8) if i == 0 else (0, 7):
                t = flip(f, i, 1 << bit)
                st = g.unprotect_computed(t, md2, "the previous frame, header byte %d bit %d flipped" % (i, bit))
                assert st != "OK"

    # Truncation at every length (a 17-byte header, then a 1-byte one).
    for kid, ctr, n in ((U64, U64, 3), (7, 3, 2)):
        f = pair(kid, ctr, b"", rng.randbytes(n), "frame truncated below")
        h = len(header_encode(kid, ctr))
        for cut in range(len(f)):
            if cut < h:
                why = "truncated header"
                st = "MALFORMED"
            elif cut - h < nt:
                why = "header complete, %d bytes after it (Nt = %d)" % (cut - h, nt)
                st = "MALFORMED"
            else:
                why = "tag position moved"
                st = "AUTH_FAILED"
            g.unprotect(f[:cut], b"", st, "the previous frame cut to %d of %d bytes: %s" % (cut, len(f), why))

    # Headers longer than the frame: every config byte announcing extension
    # bytes, followed by one byte less than it announces.
    for cfg in range(256):
        n = header_len_of_config(cfg)
        if n < 2:
            continue
        frame = bytes([cfg]) + bytes([0x11]) * (n - 2)
        g.unprotect(frame, b"", "MALFORMED", "config 0x%02x: %d-byte header, %d-byte frame" % (cfg, n, len(frame)))
    # ... and a long frame whose header still runs past its end.
    g.unprotect(bytes([0xFF]) + bytes([0x22]) * 15, b"", "MALFORMED", "config 0xff (17-byte header), 16 bytes in all")

    # Frames shorter than the tag after a complete header.
    hdr = header_encode(291, 17767)
    for k in range(nt):
        g.unprotect(hdr + bytes(range(k)), md, "MALFORMED", "complete header, then %d bytes (Nt = %d)" % (k, nt))
    g.unprotect(hdr + bytes(nt), md, "AUTH_FAILED", "complete header, then exactly Nt zero bytes (empty payload, wrong tag)")
    pair(291, 17767, md, b"", "valid, empty payload (header and tag only)")

    # Unknown KIDs.
    fu = g.protect(99, 5, b"", rng.randbytes(10), "KID 99 is a send-only key")
    g.unprotect(fu, b"", "UNKNOWN_KID", "the previous frame: the receiver has no key for KID 99")
    g.unprotect(flip(fu, len(fu) - 1), b"", "UNKNOWN_KID", "the previous frame with a tampered tag: UNKNOWN_KID comes before AUTH_FAILED")
    g.unprotect(fu[: len(header_encode(99, 5)) + nt - 1], b"", "MALFORMED", "KID 99, fewer than Nt bytes after the header: MALFORMED comes before UNKNOWN_KID")
    for kid in (1, 9, 1000, U64 - 1):
        f = seal(suite, rng.randbytes(16), kid, 1, b"", b"x")
        g.unprotect(f, b"", "UNKNOWN_KID", "KID %d has no key in the group" % kid)
    g.protect(100, 0, b"", b"y", "KID 100 is a receive-only key: no send key", "UNKNOWN_KID")
    g.protect(12345, 0, b"", b"y", "KID 12345 has no key", "UNKNOWN_KID")

    # Wrong metadata.
    g.unprotect(ref, b"", "AUTH_FAILED", "reference frame with empty metadata (sent with 14 bytes)")
    g.unprotect(ref, md + b"\x00", "AUTH_FAILED", "reference frame, metadata with a byte appended")
    g.unprotect(ref, md[:-1], "AUTH_FAILED", "reference frame, metadata without its last byte")
    g.unprotect(ref, flip(md, 0), "AUTH_FAILED", "reference frame, metadata byte 0 XOR 0x01")
    f = pair(0, 9, b"", rng.randbytes(4), "frame with empty metadata")
    g.unprotect(f, b"\x00", "AUTH_FAILED", "the previous frame with 1 byte of metadata")
    g.unprotect(ref, md, "OK", "reference frame again, right metadata")

    # Wrong key, wrong suite.
    f = seal(suite, rng.randbytes(16), 7, 1, b"", b"wrong key")
    g.unprotect(f, b"", "AUTH_FAILED", "KID 7, CTR 1, made with another base key")
    other = SUITES[suite.ident % 8 + 1]
    f = seal(other, g.send[291], 291, 17767, md, pt)
    g.unprotect_computed(f, md, "reference payload, KID and base key under suite %d instead" % other.ident)

    # Non-minimal header encodings, each twice: the valid frame's body behind
    # the re-encoded header, and a body sealed with the re-encoded header as
    # its AAD (authentic if non-minimal headers were accepted).
    nonmin = [
        (7, 3, lambda k, c: header_raw(bytes([k]), c), "KID 7 in a 1-byte field"),
        (7, 3, lambda k, c: header_raw(k, bytes([c])), "CTR 3 in a 1-byte field"),
        (0, 0, lambda k, c: header_raw(bytes(8), bytes(8)), "KID 0 and CTR 0 in 8-byte fields"),
        (256, 300, lambda k, c: header_raw(b"\x00" + k.to_bytes(2, "big"), c.to_bytes(2, "big")), "KID 256 with a leading zero byte"),
        (256, 300, lambda k, c: header_raw(k.to_bytes(2, "big"), b"\x00\x00" + c.to_bytes(2, "big")), "CTR 300 with two leading zero bytes"),
        (8, 8, lambda k, c: header_raw(b"\x00\x08", b"\x08"), "KID 8 as 00 08"),
        (U64, 255, lambda k, c: header_raw(k.to_bytes(8, "big"), b"\x00\xff"), "CTR 255 as 00 ff after an 8-byte KID"),
    ]
    for kid, ctr, mk, what in nonmin:
        assert kid in g.send
        hdr = mk(kid, ctr)
        mdn = rng.randbytes(3)
        ptn = rng.randbytes(6)
        good = seal(suite, g.send[kid], kid, ctr, mdn, ptn)
        body = good[len(header_encode(kid, ctr)) :]
        g.unprotect(hdr + body, mdn, "MALFORMED", "non-minimal header (%s) before the body of a valid frame" % what)
        g.unprotect(seal(suite, g.send[kid], kid, ctr, mdn, ptn, header=hdr), mdn, "MALFORMED",
                    "non-minimal header (%s), sealed with that header as AAD" % what)
    g.unprotect(header_raw(b"\x00\x63", 5) + fu[len(header_encode(99, 5)) :], b"", "MALFORMED",
                "KID 99 (no key) with a leading zero byte: MALFORMED comes before UNKNOWN_KID")
    return g


def group_replay(suite: Suite, rng: random.Random, window: int) -> Group:
    """A replay window: duplicates, the window's edge, order of the checks."""
    g = Group(suite, "replay window %d: duplicate and stale CTRs, the window's edge, per-KID state, "
              "the order of the checks" % window, window)
    g.key(1, rng.randbytes(16))
    g.key(2, rng.randbytes(32))
    g.key(3, rng.randbytes(16), "send")
    w = window

    def send(kid, ctr, md=b""):
        return g.protect(kid, ctr, md, rng.randbytes(ctr % 7 + 1), "KID %d, CTR %d" % (kid, ctr))

    def recv(f, st, why, md=b""):
        g.unprotect(f, md, st, why)

    base = 3000
    f = {}
    for c in (base, base - 1, base - (w - 1), base - w, base + 1, base + 2 * w + 5, base + w + 6, base + w + 5):
        if c >= 0 and c not in f:
            f[c] = send(1, c)
    top = base + 2 * w + 5
    recv(f[base], "OK", "first frame of KID 1: CTR %d" % base)
    recv(f[base], "REPLAYED", "the same frame again")
    if w > 1:
        recv(f[base - 1], "OK", "CTR %d: below the top, inside the window, not seen" % (base - 1))
        recv(f[base - 1], "REPLAYED", "the same frame again")
        recv(f[base - (w - 1)], "OK", "CTR %d: top - CTR = W - 1, the window's oldest" % (base - (w - 1)))
    recv(f[base - w], "REPLAYED", "CTR %d: top - CTR = W, older than the window" % (base - w))
    recv(f[base + 1], "OK", "CTR %d: above the top" % (base + 1))
    recv(f[top], "OK", "CTR %d: jump ahead" % top)
    recv(f[base + 1], "REPLAYED", "CTR %d again, now also older than the window" % (base + 1))
    if w > 1:
        recv(f[base + w + 6], "OK", "CTR %d: top - CTR = W - 1" % (base + w + 6))
    recv(f[base + w + 5], "REPLAYED", "CTR %d: top - CTR = W, never seen, too old" % (base + w + 5))
    # The order of the checks on a replayed frame.
    recv(flip(f[top], len(f[top]) - 1), "REPLAYED", "CTR %d again with a tampered tag: REPLAYED comes before AUTH_FAILED" % top)
    recv(f[top], "REPLAYED", "CTR %d again with wrong metadata: REPLAYED comes before AUTH_FAILED" % top, b"\x01")
    hl = len(header_encode(1, top))
    recv(f[top][: hl + suite.nt - 1], "MALFORMED", "CTR %d again, cut below Nt after the header: MALFORMED comes first" % top)
    # Failed frames are not recorded.
    nxt = top + 1
    fn = send(1, nxt, b"md")
    recv(flip(fn, len(fn) - 1), "AUTH_FAILED", "CTR %d with a tampered tag" % nxt, b"md")
    recv(fn, "AUTH_FAILED", "CTR %d with wrong metadata" % nxt, b"mD")
    recv(fn, "OK", "CTR %d, authentic: the failures before were not recorded" % nxt, b"md")
    recv(fn, "REPLAYED", "CTR %d again" % nxt, b"md")
    # Per-KID state.
    f2 = send(2, 5)
    recv(f2, "OK", "KID 2, CTR 5: KID 2 has its own window (KID 1 is at %d)" % nxt)
    recv(f2, "REPLAYED", "KID 2, CTR 5 again")
    f2b = send(2, 0)
    recv(f2b, "OK" if 5 - 0 < w else "REPLAYED", "KID 2, CTR 0 (top 5)")
    f3 = send(3, 5)
    recv(f3, "UNKNOWN_KID", "KID 3 (send-only), CTR 5: UNKNOWN_KID")
    # The end of the CTR space.
    fm = send(2, U64)
    recv(fm, "OK", "KID 2, CTR 2^64-1")
    recv(fm, "REPLAYED", "KID 2, CTR 2^64-1 again")
    if w > 1:
        fe = send(2, U64 - (w - 1))
        recv(fe, "OK", "KID 2, CTR 2^64-1 - (W - 1): the oldest in the window")
    fs = send(2, U64 - w)
    recv(fs, "REPLAYED", "KID 2, CTR 2^64-1 - W: too old")
    recv(f2b, "REPLAYED", "KID 2, CTR 0 again: far too old")
    fz = send(2, 6)
    recv(fz, "REPLAYED", "KID 2, CTR 6: never seen, far too old")
    return g


class VectorFile:
    def __init__(self, suite: Suite):
        self.suite = suite
        self.name = "sframe-" + suite.name.lower().replace("_", "-") + ".json"
        self.groups: list[Group] = []

    def counts(self) -> dict:
        c = {"protect": 0, "unprotect": 0}
        for g in self.groups:
            for case in g.cases:
                c[case["op"]] += 1
                c[case["status"]] = c.get(case["status"], 0) + 1
        return c

    def text(self) -> str:
        """Fixed layout: header fields indented, one case per line."""
        s = self.suite
        head = {
            "format": FORMAT,
            "description": "SFrame (RFC 9605) vectors for cipher suite %d (%s), written by "
            "vectors/gen/gen_sframe_vectors.py, an implementation independent of the C code. "
            "Run each group's cases in order: the replay state depends on it." % (s.ident, s.name),
            "suite": s.ident,
            "suite_name": s.name,
        }
        out = ["{"]
        for k, v in head.items():
            out.append(" %s: %s," % (json.dumps(k), json.dumps(v)))
        out.append(' "groups": [')
        id_ = 0
        for gi, g in enumerate(self.groups):
            j = g.to_json()
            out.append("  {")
            out.append("   \"comment\": %s," % json.dumps(j["comment"]))
            out.append("   \"replay_window\": %d," % j["replay_window"])
            out.append("   \"keys\": [")
            for ki, k in enumerate(j["keys"]):
                out.append("    " + json.dumps(k) + ("," if ki + 1 < len(j["keys"]) else ""))
            out.append("   ],")
            out.append("   \"cases\": [")
            for ci, case in enumerate(j["cases"]):
                id_ += 1
                line = json.dumps({"id": id_, **case}, ensure_ascii=True)
                out.append("    " + line + ("," if ci + 1 < len(j["cases"]) else ""))
            out.append("   ]")
            out.append("  }" + ("," if gi + 1 < len(self.groups) else ""))
        out.append(" ]")
        out.append("}")
        text = "\n".join(out) + "\n"
        json.loads(text)
        return text


def build_all() -> list[VectorFile]:
    files = []
    for s in SUITES.values():
        rng = random.Random(9605_000 + s.ident)
        vf = VectorFile(s)
        vf.groups.append(group_frames(s, rng))
        for w in (16, 1, 1024):
            vf.groups.append(group_replay(s, rng, w))
        files.append(vf)
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate the SFrame vectors (sframe-vectors/1 JSON) from RFC 9605 and docs/sframe.md, "
        "independently of the C implementation. Output is deterministic."
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory (default: vectors/sframe)")
    parser.add_argument("--check", action="store_true", help="self-check, regenerate in memory and compare byte for "
                        "byte with the files in --out; write nothing; exit 1 and name the files that differ")
    parser.add_argument("--rfc-vectors", type=Path, default=None, help="directory of the working group's "
                        "test-vectors.json and test-vectors-aes256.json (default: $CE_SFRAME_VECTORS_DIR, "
                        "else ../shared/vectors/sframe beside the repository)")
    args = parser.parse_args(argv)
    rfc_dir = args.rfc_vectors or Path(os.environ.get("CE_SFRAME_VECTORS_DIR") or DEFAULT_RFC_DIR)
    if not (rfc_dir / "test-vectors.json").is_file():
        print("error: the RFC 9605 vectors are not in %s (use --rfc-vectors DIR)" % rfc_dir, file=sys.stderr)
        return 2
    print(rfc_self_check(rfc_dir))
    files = build_all()
    if args.check:
        bad = []
        for vf in files:
            path = args.out / vf.name
            if not path.is_file():
                bad.append("missing: " + vf.name)
            elif path.read_bytes() != vf.text().encode("ascii"):
                bad.append("differs: " + vf.name)
        known = {vf.name for vf in files}
        for extra in sorted(p.name for p in args.out.glob("*.json") if p.name not in known):
            bad.append("not produced by this generator: " + extra)
        if bad:
            print("\n".join(bad))
            return 1
        print("ok: %d files match" % len(files))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for vf in files:
        data = vf.text().encode("ascii")
        (args.out / vf.name).write_bytes(data)
        c = vf.counts()
        print("wrote %s: %d groups, %d protect, %d unprotect, %s; %d bytes" % (
            vf.name, len(vf.groups), c["protect"], c["unprotect"],
            ", ".join("%s %d" % (s, c[s]) for s in STATUSES if s in c), len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
