"""JSON-lines SFrame adapter (docs/conformance.md section 7) over the
independent Python SFrame of vectors/gen/gen_sframe_vectors.py (pure
python3-cryptography; it never runs the C code), for the deliberately
broken SFrame adapters sframe_*.py in this directory.

serve(bug) answers sframe_protect and sframe_unprotect with one deviation
from RFC 9605 patched into that implementation:

  None                   none (a correct adapter, used to check this loop)
  "ctr_little_endian"    the nonce XORs the CTR little-endian (RFC 4.4.3)
  "aad_no_metadata"      the AAD is the header alone (RFC 4.4.3: header || metadata)
  "nonminimal_header"    KID and CTR above 7 always in 8 bytes, and a
                         decoder that accepts any length (RFC 4.3)
  "tag_last_bytes"       CTR+HMAC tag = the last Nt bytes of the HMAC
                         (RFC 4.5.1: the first Nt)

They answer {"op":"capabilities"} with the two SFrame operations, and
every other op UNSUPPORTED_OP (conformance.md 3.4, 8.1): these are
SFrame-only adapters.
"""

import json
import os
import re
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(_HERE, "..", "..", "..", "vectors", "gen"))
import gen_sframe_vectors as G  # noqa: E402

_HEX = re.compile(r"[0-9a-fA-F]*")


class _Bad(Exception):
    pass


def _hex(v):
    if not isinstance(v, str) or len(v) % 2 or not _HEX.fullmatch(v):
        raise _Bad
    return bytes.fromhex(v)


def _u64(v):
    if not isinstance(v, str) or len(v) != 16 or not _HEX.fullmatch(v):
        raise _Bad
    return int(v, 16)


def _int(v):
    if not isinstance(v, int) or isinstance(v, bool):
        raise _Bad
    return v


def _patch(bug):
    if bug == "ctr_little_endian":
        def nonce_of(salt, ctr):
            c = bytes(4) + ctr.to_bytes(8, "little")
            return bytes(a ^ b for a, b in zip(salt, c))
        G.nonce_of = nonce_of
    elif bug == "nonminimal_header":
        def header_encode(kid, ctr):
            return G.header_raw(kid if kid < 8 else kid.to_bytes(8, "big"),
                                ctr if ctr < 8 else ctr.to_bytes(8, "big"))

        def header_decode(buf):
            if not buf:
                raise G.Malformed("empty")
            cfg, pos, vals = buf[0], 1, []
            for ext, v3 in ((cfg & 0x80, (cfg >> 4) & 7), (cfg & 0x08, cfg & 7)):
                if not ext:
                    vals.append(v3)
                    continue
                if pos + v3 + 1 > len(buf):
                    raise G.Malformed("truncated")
                vals.append(int.from_bytes(buf[pos:pos + v3 + 1], "big"))
                pos += v3 + 1
            return vals[0], vals[1], pos
        G.header_encode = header_encode
        G.header_decode = header_decode
    elif bug == "tag_last_bytes":
        def ctr_tag(suite, auth_key, nonce, aad, ct):
            data = (len(aad).to_bytes(8, "big") + len(ct).to_bytes(8, "big")
                    + suite.nt.to_bytes(8, "big") + nonce + aad + ct)
            return G.hmac_(suite, auth_key, data)[-suite.nt:]
        G.ctr_tag = ctr_tag
    elif bug not in (None, "aad_no_metadata"):
        raise ValueError(bug)


def _suite(req):
    s = _int(req.get("suite"))
    if s not in G.SUITES:
        raise ValueError("suite")
    return G.SUITES[s]


def handle(req, bug):
    op = req.get("op")
    if not isinstance(op, str):
        return {"error": "INVALID_ARGUMENT"}
    if op == "capabilities":
        # conformance.md 8.1: the main runner then skips the CE1 frame and
        # primitive layers of these SFrame-only adapters, with the reason
        return {"ops": ["sframe_protect", "sframe_unprotect"]}
    if op not in ("sframe_protect", "sframe_unprotect"):
        return {"error": "UNSUPPORTED_OP"}
    md_of = (lambda m: b"") if bug == "aad_no_metadata" else (lambda m: m)
    try:
        if op == "sframe_protect":
            suite_v = _int(req.get("suite"))
            kid, ctr = _u64(req.get("kid")), _u64(req.get("ctr"))
            bk, md = _hex(req.get("base_key")), _hex(req.get("metadata"))
            pl = _hex(req.get("payload"))
            if suite_v not in G.SUITES or not bk:
                return {"error": "INVALID_ARGUMENT"}
            frame = G.seal(G.SUITES[suite_v], bk, kid, ctr, md_of(md), pl)
            return {"frame": frame.hex()}
        suite_v = _int(req.get("suite"))
        keys = req.get("base_keys")
        if not isinstance(keys, list):
            raise _Bad
        kd = {}
        for k in keys:
            if not isinstance(k, dict):
                raise _Bad
            kid, bk = _u64(k.get("kid")), _hex(k.get("base_key"))
            if kid in kd or not bk:
                return {"error": "INVALID_ARGUMENT"}
            kd[kid] = bk
        window = req.get("replay_window", 0)
        window = 0 if window is None else _int(window)
        acc = req.get("accepted") or []
        if not isinstance(acc, list):
            raise _Bad
        for a in acc:
            if not isinstance(a, dict):
                raise _Bad
        acc = [(_hex(a.get("frame")), _hex(a.get("metadata"))) for a in acc]
        md, frame = _hex(req.get("metadata")), _hex(req.get("frame"))
        if suite_v not in G.SUITES or not 0 <= window <= 1024:
            return {"error": "INVALID_ARGUMENT"}
        rx = G.Receiver(G.SUITES[suite_v], kd, window)
        for f, m in acc:
            st = rx.unprotect(f, md_of(m))
            if st[0] != "OK":
                return {"error": st[0]}
        st, pt, kid, ctr = rx.unprotect(frame, md_of(md))
        if st != "OK":
            return {"error": st}
        return {"payload": pt.hex(), "kid": f"{kid:016x}", "ctr": f"{ctr:016x}"}
    except (_Bad, AttributeError, TypeError):
        return {"error": "INVALID_ARGUMENT"}


def serve(bug=None):
    _patch(bug)
    for line in sys.stdin.buffer:
        try:
            req = json.loads(line)
        except (ValueError, UnicodeDecodeError):
            req = None
        ans = handle(req, bug) if isinstance(req, dict) else {"error": "INVALID_ARGUMENT"}
        sys.stdout.write(json.dumps(ans, separators=(",", ":")) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1] if len(sys.argv) > 1 else None))
