"""Request-level checks of a process adapter (conformance.md 3.1 to 3.4).

A process adapter must answer every line, malformed or not, with exactly
one answer, and refuse a malformed request in the order of conformance.md
section 3.4 (docs/spec.md section 10.1): the line, then ``op``, then the
members the op uses, then the configuration, then the operation.

:func:`judge` decides the first three stages for any line, as the
documents state them; a request that passes them is a call whose outcome
(configuration and operation) the oracle gives. :func:`request_cases`
builds the fixed request checks of the vector pass (the "requests" row);
:func:`mutate` makes the malformed requests of the random pass. Only
implementations with a request layer (``impl.requests``: process adapters)
are sent them.
"""

from __future__ import annotations

import json
import random

from .impls import Outcome, parse_hex, request_line
from .vectors import Case, Failure, expect_derive, same_outcome

__all__ = ["Call", "judge", "check_line", "request_cases", "mutate",
           "REQUESTS_FILE", "derive_support"]

INVALID = "INVALID_ARGUMENT"
UNSUPPORTED_OP = "UNSUPPORTED_OP"
#: The "file" of the request checks in reports (--file matches it).
REQUESTS_FILE = "requests (conformance.md 3.4)"
_ALGO = "JSON lines"
_MISSING = object()
_ECB = (2, 4)


class Call:
    """A request that passed stages 1 to 3 of conformance.md 3.4."""

    __slots__ = ("op", "mode", "key", "salt", "pn", "data")

    def __init__(self, op, mode, key, salt, pn=0, data=b""):
        self.op, self.mode, self.key, self.salt = op, mode, key, salt
        self.pn, self.data = pn, data

    def run(self, impl) -> Outcome:
        if self.op == "protect":
            return impl.protect(self.mode, self.key, self.salt, self.pn, self.data)
        if self.op == "unprotect":
            return impl.unprotect(self.mode, self.key, self.salt, self.data)
        return impl.derive(self.mode, self.key, self.salt)


class _Refused(Exception):
    """A member that stage 3 of conformance.md 3.4 refuses."""


def _no_duplicates(pairs):
    names = [k for k, _ in pairs]
    if len(set(names)) != len(names):
        raise ValueError("duplicate member name")
    return dict(pairs)


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def judge(line: bytes, has_derive: bool):
    """(status, None, why) for a request refused before its configuration
    is looked at (conformance.md 3.4 stages 1 to 3), else (None, Call,
    ""). ``has_derive``: whether the adapter implements derive (without
    it, "derive" names no operation: UNSUPPORTED_OP)."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return INVALID, None, "the line is not UTF-8 (conformance.md 3.1)"
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicates,
                         parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return INVALID, None, "the line is not JSON (conformance.md 3.1)"
    if not isinstance(obj, dict):
        return INVALID, None, "the line is not a JSON object (conformance.md 3.1)"
    op = obj.get("op", _MISSING)
    if not isinstance(op, str):
        return INVALID, None, '"op" is missing or not a string (conformance.md 3.2)'
    if op not in ("protect", "unprotect") and not (op == "derive" and has_derive):
        return UNSUPPORTED_OP, None, (
            f'"op" {op!r} names no operation the adapter implements; no '
            "other member is examined (conformance.md 3.4)")
    mode = obj.get("mode", _MISSING)
    if type(mode) is not int:   # bool, float, str, null... (json gives int
        return INVALID, None, '"mode" is missing or not an integer (conformance.md 3.2)'

    def hexmember(name):
        v = obj.get(name, _MISSING)
        if v is _MISSING:
            raise _Refused(f'"{name}" is missing (conformance.md 3.2)')
        try:
            return parse_hex(v)
        except ValueError:
            raise _Refused(f'"{name}" is not a hex string (conformance.md 3.2)') from None

    try:
        key = hexmember("key")
        salt = hexmember("salt")
        if len(salt) != 32:
            raise _Refused(f'"salt" is {len(salt)} bytes, not 32, in every mode '
                           "(conformance.md 3.2, spec 3.1)")
        if op == "derive":
            return None, Call(op, mode, key, salt), ""
        if op == "unprotect":
            return None, Call(op, mode, key, salt, data=hexmember("frame")), ""
        pn = obj.get("pn", _MISSING)
        if pn is _MISSING or pn is None:
            if mode not in _ECB:
                raise _Refused(f'"pn" is missing or null in mode {mode} '
                               "(conformance.md 3.2)")
            pn = 0
        else:
            if not isinstance(pn, str) or len(pn) != 16:
                raise _Refused('"pn" is not a string of 16 hex digits, in any '
                               "mode (conformance.md 3.2)")
            try:
                pn = int.from_bytes(parse_hex(pn), "big")
            except ValueError:
                raise _Refused('"pn" is not 16 hex digits (conformance.md 3.2)') from None
        return None, Call(op, mode, key, salt, pn, hexmember("payload")), ""
    except _Refused as e:
        return INVALID, None, str(e)


def derive_support(impl) -> bool:
    """Whether the adapter implements derive (asks it once)."""
    if getattr(impl, "has_derive", None) is None:
        impl.derive(5, b"0123456789abcdef", bytes(range(32)))
    return bool(getattr(impl, "has_derive", False))


def check_line(line: bytes, oracle, impl):
    """Sends ``line`` to ``impl`` and checks the answer: the status of
    :func:`judge`, or for a well-formed request the oracle's outcome of
    the same call. Returns None, Skipped or Failure."""
    status, call, why = judge(line, derive_support(impl))
    got = impl.raw_request(line)
    if status is not None:
        if got.transport:
            return Failure(got.transport, got.detail, expected=status)
        if got.status == status:
            return None
        if got.status is None:
            return Failure("missing_error", f"expected {status}, got success: {why}",
                           expected=status, actual=got.value)
        hint = ("; a malformed request is refused before its configuration "
                "(conformance.md 3.4)" if got.status == "NOT_SUPPORTED" else "")
        return Failure("wrong_status", f"expected {status}, got {got.status}: "
                       f"{why}{hint}", expected=status, actual=got.status)
    want = call.run(oracle)
    if call.op == "derive" and want.ok:
        return expect_derive(got, want.value)
    return same_outcome(want, got)


# --------------------------------------------------------------------------
# The fixed request checks of the vector pass
# --------------------------------------------------------------------------

_KEY = b"0123456789abcdef"
_SALT = bytes(range(32))
_PN = 12345


def _line(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def _req(which, m=5, **over) -> dict:
    """A well-formed request of op ``which`` with members replaced
    (``_MISSING``: removed)."""
    d = json.loads(request_line(which, m, _KEY, _SALT, _PN, b"hello"))
    for k, v in over.items():
        if v is _MISSING:
            d.pop(k, None)
        else:
            d[k] = v
    return d


def request_cases(oracle) -> list:
    """The request checks of the vector pass: (Case without run, line),
    one per rule of conformance.md 3.1 to 3.4; what each must be answered
    follows from :func:`judge` and the oracle."""
    f5 = oracle.protect(5, _KEY, _SALT, _PN, b"hello").value.hex()
    f2 = oracle.protect(2, _KEY, _SALT, 0, b"hello").value.hex()
    good = _line(_req("protect"))
    big = "00" * 65536
    s = []

    def add(comment, what, mode=None):
        s.append((comment, what if isinstance(what, bytes) else _line(what), mode))

    # 3.1: the line
    add("not JSON", b"this is not json")
    add("a JSON object cut short", good[:-9])
    add("a JSON array holding a request", b"[" + good + b"]")
    add("a JSON string", b'"protect"')
    add("JSON null", b"null")
    add("a JSON number", b"42")
    add("two requests on one line", good + b" " + good)
    add("a byte that is not UTF-8, in a member no op uses",
        good[:-1] + b',"note":"\xff"}', 5)
    add("the empty object", {})
    # 3.2 / 3.4 stage 2: op
    add('no "op"', _req("protect", op=_MISSING), 5)
    add('"op" is a number', _req("protect", op=7), 5)
    add('"op" is null', _req("protect", op=None), 5)
    add('"op" names no operation', _req("protect", op="encrypt"), 5)
    add('"op" in upper case names no operation', _req("protect", op="PROTECT"), 5)
    add('an unknown "op" alone', {"op": "sign"})
    add('an unknown "op" with a malformed mode: no other member is examined',
        {"op": "sign", "mode": "seven", "key": 1})
    # stage 3: the members
    for name in ("mode", "key", "salt", "pn", "payload"):
        add(f'protect without "{name}"', _req("protect", **{name: _MISSING}), 5)
    add('unprotect without "frame"', _req("unprotect", frame=_MISSING), 5)
    add('derive without "salt"', _req("derive", salt=_MISSING), 5)
    for v, what in (("5", "a string"), (None, "null"), (True, "true"),
                    ([5], "an array")):
        add(f'"mode" is {what}', _req("protect", mode=v), 5)
    for v, what in (("303", "an odd number of digits"), ("zz", "not hex"),
                    ("30 31", "bytes separated by a space"),
                    ("0x3031", "written with 0x"), (3031, "a number"),
                    (None, "null")):
        add(f'"key" is {what}', _req("protect", key=v), 5)
    add('"payload" has a space between bytes', _req("protect", payload="68 65"), 5)
    add('"frame" has a newline escape between bytes',
        _req("unprotect", frame=f5[:20] + "\n" + f5[20:]), 5)
    add('derive: "key" is not hex', _req("derive", key="zz"), 5)
    # the salt: 64 hex digits in every mode
    for mode in (5, 2, 4, 7):
        for n in (31, 33, 0):
            add(f"mode {mode}, a salt of {n} bytes", _req(
                "protect", mode, salt=bytes(range(n)).hex(),
                pn=None if mode in _ECB else f"{_PN:016x}"), mode)
    add("derive, a salt of 16 bytes", _req("derive", salt=bytes(16).hex()), 5)
    add("unprotect, a salt of 31 bytes", _req("unprotect", salt=bytes(31).hex(),
                                              frame=f5), 5)
    # the packet number
    for v, what in (("3039", "4 digits"), (12345, "a number"),
                    ("0" * 17, "17 digits"), ("zz" + "0" * 14, "not hex"),
                    (None, "null"), (_MISSING, "missing")):
        add(f'mode 5, "pn" is {what}', _req("protect", pn=v), 5)
    for v, what in (("3039", "4 digits"), (12345, "a number")):
        add(f'ECB mode 2, "pn" is {what}: malformed in every mode',
            _req("protect", 2, pn=v), 2)
    for v, what in ((None, "null"), (_MISSING, "missing"),
                    ("fedcba9876543210", "another value")):
        add(f'ECB mode 2, "pn" is {what}: ignored', _req("protect", 2, pn=v), 2)
    # case, ignored members
    add("upper-case hex in key, salt, pn and payload", _req(
        "protect", key=_KEY.hex().upper(), salt=_SALT.hex().upper(),
        pn=f"{0xabcdef:016X}", payload="68656C6C6F"), 5)
    add("upper-case hex in the frame", _req("unprotect", frame=f5.upper()), 5)
    add("an all-zero salt in mode 5, which ignores its value",
        _req("protect", salt="00" * 32), 5)
    add('members protect does not use ("frame", "extra") are ignored',
        _req("protect", frame="zz", extra={"a": [1, None]}), 5)
    add('members unprotect does not use ("pn", "payload") are ignored',
        _req("unprotect", frame=f5, pn=12, payload=[1]), 5)
    add('members unprotect does not use are ignored, ECB',
        _req("unprotect", 2, frame=f2, pn="x"), 2)
    add('members derive does not use are ignored', _req("derive", pn="x",
                                                        payload=0), 5)
    # the order: request, then configuration (INVALID_ARGUMENT before
    # NOT_SUPPORTED), then size (spec 10.1)
    add("mode 4, empty key: INVALID_ARGUMENT even without SM4",
        _req("protect", 4, key="", pn=None), 4)
    add('mode 4, a malformed "pn": the request before the configuration',
        _req("protect", 4, pn="3039"), 4)
    add("unprotect, mode 4, empty key", _req("unprotect", 4, key="", frame=f2), 4)
    add("derive, mode 4, empty key", _req("derive", 4, key=""), 4)
    add("mode 9 and a 65,536-byte payload: the configuration before the size",
        _req("protect", 9, payload=big), 9)
    add("mode 0 and a malformed pn", _req("protect", 0, pn="x"), 0)
    for m in (-1, 2 ** 32 + 5, 2 ** 64 + 5):
        add(f"mode {m}: never reduced to another value", _req("protect", m), m)
    add("GCM2 with an all-zero salt and a 65,536-byte payload",
        _req("protect", 7, salt="00" * 32, payload=big), 7)
    add('a malformed "pn" and a 65,536-byte payload', _req("protect", pn="x",
                                                           payload=big), 5)
    add("mode 5, a 65,536-byte payload: TOO_LARGE", _req("protect", payload=big), 5)
    add("mode 4, a 65,536-byte payload: NOT_SUPPORTED without SM4, else TOO_LARGE",
        _req("protect", 4, pn=None, payload=big), 4)
    cases = []
    for i, (comment, line, mode) in enumerate(s, 1):
        cases.append((Case(REQUESTS_FILE, _ALGO, f"r{i}", comment, "request",
                           mode=mode), line))
    return cases


# --------------------------------------------------------------------------
# Malformed requests for the random pass
# --------------------------------------------------------------------------

_WRONG_TYPES = (12, None, True, [], {"hex": "00"}, -1)


def _bad_hex(rng: random.Random, h: str) -> str:
    kind = rng.randrange(6)
    if kind == 0 and h:
        return h[:-1]                                   # odd length
    i = rng.randrange(0, len(h) + 1, 2) if h else 0
    if kind == 1:
        return h[:i] + rng.choice("gGzZx-:.") + rng.choice("0123456789abcdef") + h[i:]
    if kind == 2 and h:
        return h[:i] + rng.choice((" ", "\t", "\n")) + h[i:]   # a separator
    if kind == 3:
        return "0x" + h
    if kind == 4:
        return h[:i] + "\u00e9" + "0" + h[i:]
    return h + "0"                                      # odd length


def mutate(rng: random.Random, req: dict) -> tuple:
    """A copy of the well-formed request ``req`` with one or two defects
    (or upper-case hex, or an ignored member, which keep it well formed),
    as (line, description)."""
    req = dict(req)
    what = []
    for _ in range(1 if rng.random() < 0.75 else 2):
        kind = rng.choice(("drop", "type", "hex", "hex", "salt", "mode",
                           "op", "case", "extra", "pn", "line"))
        names = [k for k in req if k != "op"] or ["mode"]
        if kind == "drop":
            name = rng.choice(list(req) or ["op"])
            req.pop(name, None)
            what.append(f'no "{name}"')
        elif kind == "type":
            name = rng.choice(names + ["op"])
            v = rng.choice(_WRONG_TYPES)
            if name == "mode" and isinstance(v, int) and not isinstance(v, bool):
                v = str(v)
            req[name] = v
            what.append(f'"{name}" is {json.dumps(v)}')
        elif kind == "hex":
            name = rng.choice([k for k in ("key", "salt", "payload", "frame", "pn")
                               if isinstance(req.get(k), str)] or ["key"])
            req[name] = _bad_hex(rng, req.get(name) if isinstance(req.get(name), str) else "")
            what.append(f'"{name}" is not hex')
        elif kind == "salt":
            n = rng.choice((0, 1, 16, 31, 33, 48, 64))
            req["salt"] = rng.randbytes(n).hex()
            what.append(f"a salt of {n} bytes")
        elif kind == "mode":
            m = req.get("mode") if type(req.get("mode")) is int else 5
            req["mode"] = rng.choice((0, -1, 9, 15, 16, 255, 2 ** 31 + m,
                                      2 ** 32 + m, 2 ** 64 + m, -(2 ** 63) - 1))
            what.append(f"mode {req['mode']}")
        elif kind == "op":
            req["op"] = rng.choice(("Protect", "protect ", "encrypt", "",
                                    "unprotect\u0000", "derive2", "sign"))
            what.append(f'"op" is {json.dumps(req["op"])}')
        elif kind == "case":
            name = rng.choice([k for k in ("key", "salt", "payload", "frame", "pn")
                               if isinstance(req.get(k), str)] or ["key"])
            if isinstance(req.get(name), str):
                req[name] = req[name].upper()
            what.append(f'"{name}" in upper case (allowed)')
        elif kind == "extra":
            name = rng.choice(("frame", "pn", "payload", "x", "comment", "mode_name"))
            if name in req:
                name = "extra"
            req[name] = rng.choice(("zz", 7, None, [1, 2], {"a": "b"}, "0" * 16))
            what.append(f'an unused member "{name}" (ignored)')
        elif kind == "pn":
            v = rng.choice((None, "3039", 12345, "0" * 15, "0" * 17, "0x" + "0" * 14))
            req["pn"] = v
            what.append(f'"pn" is {json.dumps(v)}')
        else:
            line = _line(req)
            form = rng.randrange(4)
            if form == 0:
                return line[:rng.randrange(1, len(line))], "; ".join(
                    what + ["the line cut short"])
            if form == 1:
                return b"[" + line + b"]", "; ".join(what + ["in an array"])
            if form == 2:
                return line + b" " + line, "; ".join(what + ["twice on one line"])
            return b"\xff" + line, "; ".join(what + ["a byte that is not UTF-8 first"])
    return _line(req), "; ".join(what)
