#!/usr/bin/python3
"""Process adapter (docs/conformance.md sections 3 and 8) for the primitive
operations of tools/ce1_prim.h over pyca/cryptography (Debian 12: 38.x).

Run it as ``python3 tools/adapters/pyca_adapter.py``; it reads JSON-lines
requests on standard input and answers each on standard output.

It offers what cryptography offers as an application sees it:

- aes_ecb_* (AES-128/192/256), sm4_ecb_* (when the OpenSSL backend has
  SM4), aes_xts_*, aes_gcm_seal / aes_gcm_open (hazmat Cipher with
  modes.GCM: IVs of 8 to 128 bytes, the seal tag truncated by the caller,
  verification of tags of 4 bytes or more through min_tag_length),
  hkdf_sha256 (HKDF), hkdf_sha256_expand (HKDFExpand), pbkdf2_sha256
  (PBKDF2HMAC), and capabilities.
- Not hkdf_sha256_extract: cryptography 38 has no public HKDF-Extract (only
  the private HKDF._extract), so it is not announced and answers
  UNSUPPORTED_OP.
- No CE1 frames: protect, unprotect and derive answer UNSUPPORTED_OP.

Statuses, in ce1_prim.h's order: a request that is not a JSON object, or
a member that is missing or of the wrong JSON type (hex strings strict, as
section 3.2; integers written as integers): INVALID_ARGUMENT; then the
argument domains ce1_prim.h lists (key lengths, ECB multiples of 16, XTS
data under 16 bytes, an empty GCM IV, tag_len outside 1..16, HKDF
lengths, zero PBKDF2 iterations or length): INVALID_ARGUMENT; then what
the library refuses of the rest: NOT_SUPPORTED (the refusals seen with
cryptography 38.0.4 on OpenSSL 3.0: GCM IVs under 8 or over 128 bytes,
GCM verification with tag_len under 4, XTS encryption with Key1 == Key2,
PBKDF2 iterations over 2**31 - 1); then the operation
(aes_gcm_open: a tag of another size than tag_len, or one that does not
verify: AUTH_FAILED). Anything else the library raises is INTERNAL, with
a line on standard error.

The library calls are the module-level functions aes_ecb, sm4_ecb,
aes_xts, gcm_seal, gcm_open, hkdf, hkdf_expand and pbkdf2: the broken
adapters in tests/python/broken_adapters/prim_*.py replace one of them and
call main().
"""

import json
import re
import sys

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF, HKDFExpand
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

_HEX = re.compile(r"(?:[0-9a-fA-F]{2})*")
HKDF_MAX = 255 * 32


class Refused(Exception):
    """A request answered with an error status."""

    def __init__(self, status):
        super().__init__(status)
        self.status = status


def invalid():
    return Refused("INVALID_ARGUMENT")


# The library refuses an argument inside ce1_prim.h's domain.
LIBRARY_REFUSALS = (ValueError, OverflowError, UnsupportedAlgorithm)


# ---------------------------------------------------------------- the library


def _run(ctx, data):
    return ctx.update(data) + ctx.finalize()


def _ecb(algorithm, encrypt, key, data):
    try:
        cipher = Cipher(algorithm(key), modes.ECB())
        ctx = cipher.encryptor() if encrypt else cipher.decryptor()
    except LIBRARY_REFUSALS:
        raise Refused("NOT_SUPPORTED") from None
    return _run(ctx, data)


def aes_ecb(encrypt, key, data):
    return _ecb(algorithms.AES, encrypt, key, data)


def sm4_ecb(encrypt, key, data):
    return _ecb(algorithms.SM4, encrypt, key, data)


def aes_xts(encrypt, key, tweak, data):
    """XTS-AES; cryptography takes Key1 || Key2 as one AES key of 256 or
    512 bits and the tweak as the mode's 16 bytes. OpenSSL refuses to
    encrypt with Key1 == Key2 (ValueError): NOT_SUPPORTED."""
    try:
        cipher = Cipher(algorithms.AES(key), modes.XTS(tweak))
        ctx = cipher.encryptor() if encrypt else cipher.decryptor()
        return _run(ctx, data)
    except LIBRARY_REFUSALS:
        raise Refused("NOT_SUPPORTED") from None


def gcm_seal(key, iv, aad, plaintext, tag_len):
    """The tag is the leftmost tag_len bytes of the full tag (SP 800-38D
    MSB_t): cryptography always computes 16 and leaves truncation to the
    caller."""
    try:
        enc = Cipher(algorithms.AES(key), modes.GCM(iv)).encryptor()
    except LIBRARY_REFUSALS:
        raise Refused("NOT_SUPPORTED") from None
    enc.authenticate_additional_data(aad)
    ct = _run(enc, plaintext)
    return ct, enc.tag[:tag_len]


def gcm_open(key, iv, aad, ciphertext, tag, tag_len):
    """The receiver is configured for tag_len: min_tag_length=tag_len (which
    cryptography refuses under 4: NOT_SUPPORTED, before the tag is looked
    at, as ce1_prim.h orders it). A tag of another size is refused here,
    as an application must: cryptography itself accepts any tag at least
    min_tag_length long, so a full tag sent to a receiver configured for 8
    bytes would verify."""
    try:
        modes.GCM(iv, bytes(tag_len), min_tag_length=tag_len)
    except LIBRARY_REFUSALS:
        raise Refused("NOT_SUPPORTED") from None
    if len(tag) != tag_len:
        raise Refused("AUTH_FAILED")
    dec = Cipher(algorithms.AES(key),
                 modes.GCM(iv, tag, min_tag_length=tag_len)).decryptor()
    dec.authenticate_additional_data(aad)
    try:
        return _run(dec, ciphertext)
    except InvalidTag:
        raise Refused("AUTH_FAILED") from None


def hkdf(salt, ikm, info, length):
    try:
        kdf = HKDF(hashes.SHA256(), length, salt, info)
    except LIBRARY_REFUSALS:
        raise Refused("NOT_SUPPORTED") from None
    return kdf.derive(ikm)


def hkdf_expand(prk, info, length):
    try:
        kdf = HKDFExpand(hashes.SHA256(), length, info)
    except LIBRARY_REFUSALS:
        raise Refused("NOT_SUPPORTED") from None
    return kdf.derive(prk)


def pbkdf2(password, salt, iterations, length):
    try:
        return PBKDF2HMAC(hashes.SHA256(), length, salt,
                          iterations).derive(password)
    except LIBRARY_REFUSALS:
        raise Refused("NOT_SUPPORTED") from None


# ------------------------------------------------------------- the requests


def hexfield(req, name):
    v = req.get(name)
    if not isinstance(v, str) or not _HEX.fullmatch(v):
        raise invalid()
    return bytes.fromhex(v)


def intfield(req, name):
    v = req.get(name)
    if type(v) is not int:  # not bool, not float (7.0 and 7e0 parse so)
        raise invalid()
    return v


def need(ok):
    if not ok:
        raise invalid()


def _ecb_request(fn, key_lens, encrypt):
    def handle(req):
        key, data = hexfield(req, "key"), hexfield(req, "data")
        need(len(key) in key_lens and len(data) % 16 == 0)
        # Resolved at call time: a broken adapter may have replaced fn.
        return {"data": globals()[fn](encrypt, key, data).hex()}
    return handle


def _xts_request(encrypt):
    def handle(req):
        key, tweak = hexfield(req, "key"), hexfield(req, "tweak")
        data = hexfield(req, "data")
        need(len(key) in (32, 64) and len(tweak) == 16 and len(data) >= 16)
        return {"data": aes_xts(encrypt, key, tweak, data).hex()}
    return handle


def _gcm_common(req):
    key, iv, aad = hexfield(req, "key"), hexfield(req, "iv"), \
        hexfield(req, "aad")
    return key, iv, aad


def gcm_seal_request(req):
    key, iv, aad = _gcm_common(req)
    pt = hexfield(req, "plaintext")
    tag_len = intfield(req, "tag_len")
    need(len(key) in (16, 24, 32) and iv and 1 <= tag_len <= 16)
    ct, tag = gcm_seal(key, iv, aad, pt, tag_len)
    return {"ciphertext": ct.hex(), "tag": tag.hex()}


def gcm_open_request(req):
    key, iv, aad = _gcm_common(req)
    ct, tag = hexfield(req, "ciphertext"), hexfield(req, "tag")
    tag_len = intfield(req, "tag_len")
    need(len(key) in (16, 24, 32) and iv and 1 <= tag_len <= 16)
    return {"plaintext": gcm_open(key, iv, aad, ct, tag, tag_len).hex()}


def hkdf_request(req):
    salt, ikm = hexfield(req, "salt"), hexfield(req, "ikm")
    info, length = hexfield(req, "info"), intfield(req, "length")
    need(1 <= length <= HKDF_MAX)
    return {"okm": hkdf(salt, ikm, info, length).hex()}


def hkdf_expand_request(req):
    prk, info = hexfield(req, "prk"), hexfield(req, "info")
    length = intfield(req, "length")
    need(len(prk) >= 32 and 1 <= length <= HKDF_MAX)
    return {"okm": hkdf_expand(prk, info, length).hex()}


def pbkdf2_request(req):
    password, salt = hexfield(req, "password"), hexfield(req, "salt")
    iterations, length = intfield(req, "iterations"), intfield(req, "length")
    need(iterations >= 1 and length >= 1)
    return {"dk": pbkdf2(password, salt, iterations, length).hex()}


def _sm4_available():
    try:
        return default_backend().cipher_supported(
            algorithms.SM4(bytes(16)), modes.ECB())
    except Exception:  # no SM4 class in this cryptography
        return False


def handlers():
    ops = {
        "aes_ecb_encrypt": _ecb_request("aes_ecb", (16, 24, 32), True),
        "aes_ecb_decrypt": _ecb_request("aes_ecb", (16, 24, 32), False),
        "aes_xts_encrypt": _xts_request(True),
        "aes_xts_decrypt": _xts_request(False),
        "aes_gcm_seal": gcm_seal_request,
        "aes_gcm_open": gcm_open_request,
        "hkdf_sha256_expand": hkdf_expand_request,
        "hkdf_sha256": hkdf_request,
        "pbkdf2_sha256": pbkdf2_request,
    }
    if _sm4_available():
        ops["sm4_ecb_encrypt"] = _ecb_request("sm4_ecb", (16,), True)
        ops["sm4_ecb_decrypt"] = _ecb_request("sm4_ecb", (16,), False)
    return ops


# ------------------------------------------------------------ the protocol


def _unique(pairs):
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("duplicate member name")
    return dict(pairs)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def parse(line):
    """The request object of a line (bytes without its newline), or None
    when it is not one: invalid UTF-8, not JSON, not an object, or
    duplicate member names (conformance.md 3.1)."""
    try:
        req = json.loads(line.decode("utf-8"), object_pairs_hook=_unique,
                         parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return req if isinstance(req, dict) else None


def answer(ops, req):
    if req is None:
        return {"error": "INVALID_ARGUMENT"}
    op = req.get("op")
    if not isinstance(op, str):
        return {"error": "INVALID_ARGUMENT"}
    if op == "capabilities":
        return {"ops": sorted(ops)}
    handle = ops.get(op)
    if handle is None:
        return {"error": "UNSUPPORTED_OP"}
    try:
        return handle(req)
    except Refused as e:
        return {"error": e.status}


def respond(ops, line):
    """The answer line (without newline) for one request line; never
    raises."""
    try:
        ans = answer(ops, parse(line))
    except Exception as e:  # the library failed unexpectedly, or no memory
        print(f"pyca_adapter: {type(e).__name__}: {e}", file=sys.stderr,
              flush=True)
        ans = {"error": "INTERNAL"}
    return json.dumps(ans, separators=(",", ":"))


def main():
    ops = handlers()
    out = sys.stdout
    for raw in sys.stdin.buffer:
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        out.write(respond(ops, raw) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
