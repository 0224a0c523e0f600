"""SFrame (RFC 9605) conformance runner.

The main runner (``python3 -m chanenc.conform``) runs the same SFrame
files as its ``sframe`` layer (docs/conformance.md 7.4, with
:func:`layer_files` and :func:`layer_file_cases` below); this command runs
the SFrame layer alone, with a report of its own and a random
differential pass.

Checks an SFrame implementation the way ``python3 -m chanenc.conform``
checks a CE1 one: through the JSON-lines process adapter or the C ABI of
docs/conformance.md section 7, or the reference itself (the
:mod:`chanenc.sframe` bindings).

Vectors:

* the project's own ``vectors/sframe/*.json`` (``sframe-vectors/1``,
  vectors/README.md): ordered cases per group, with replay windows;
* the working group's files, read in place from ``../shared/vectors/sframe``
  beside the source tree (or ``--sframe-vectors DIR`` /
  ``$CE_SFRAME_VECTORS_DIR``): the whole-frame vectors (``sframe``,
  ``sframe_aes_256_ctr_hmac``) and the 289 header vectors, each checked as
  a frame of suite 4 with an empty payload (its header must be exactly
  ``encoded``, and unprotect must give the KID and CTR back).

Adapters are stateless (conformance.md 7.1): a receiver's replay state is
sent with every unprotect request as the list of frames it accepted
before (``accepted``), so that the implementation's own replay logic runs
on exactly the history the vectors prescribe.

``--random N`` adds a seeded differential pass against the reference:
random suites, KIDs, CTRs, base keys, metadata and payloads; protect,
unprotect, tampered frames (a flipped bit, truncation, an appended byte,
other metadata, another key, an unknown KID) and replay windows with a
history.

Usage::

    python3 -m chanenc.conform.sframe_runner                       # the reference
    python3 -m chanenc.conform.sframe_runner --adapter tools/ce1-adapter
    python3 -m chanenc.conform.sframe_runner --lib build/tools/libce1impl_ref.so
    python3 -m chanenc.conform.sframe_runner --adapter CMD --random 500 --seed 7 --json r.json

Exit status: 0 no failure, 1 some case failed, 2 the run could not be made
(no vectors, an adapter that cannot start, a bad option).
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import glob
import json
import os
import random
import sys
import time

from . import vectors as V
from .impls import (AdapterCannotStart, Outcome, ProcessAdapter, parse_hex,
                    sframe_protect_line, sframe_unprotect_line)

__all__ = ["SFrameReference", "SFrameAdapter", "SFrameLib", "main",
           "protect_request", "unprotect_request",
           "SFRAME_LAYER", "layer_files", "layer_file_cases", "sframe_result",
           "rfc_location"]

U64 = (1 << 64) - 1
FORMAT = "sframe-vectors/1"
# Status values of chanenc.h (conformance.md 4.2 and 6.3).
STATUS_BY_CODE = {
    0: "OK", -1: "MALFORMED", -2: "BAD_VERSION", -3: "MODE_MISMATCH",
    -4: "KEY_MISMATCH", -5: "BAD_PADDING", -6: "AUTH_FAILED",
    -7: "INVALID_ARGUMENT", -8: "NOT_SUPPORTED", -9: "BUFFER_TOO_SMALL",
    -10: "TOO_LARGE", -11: "INTERNAL", -12: "OBSERVER", -13: "UNKNOWN_KID",
    -14: "REPLAYED", -15: "COUNTER_EXHAUSTED",
}
# suite -> (name, Nh hash, Nka, Nk, Nt, gcm); docs/sframe.md 2.
SUITES = {
    1: ("AES_128_CTR_HMAC_SHA256_80", "sha256", 16, 48, 10, False),
    2: ("AES_128_CTR_HMAC_SHA256_64", "sha256", 16, 48, 8, False),
    3: ("AES_128_CTR_HMAC_SHA256_32", "sha256", 16, 48, 4, False),
    4: ("AES_128_GCM_SHA256_128", "sha256", 0, 16, 16, True),
    5: ("AES_256_GCM_SHA512_128", "sha512", 0, 32, 16, True),
    6: ("AES_256_CTR_HMAC_SHA512_80", "sha512", 32, 96, 10, False),
    7: ("AES_256_CTR_HMAC_SHA512_64", "sha512", 32, 96, 8, False),
    8: ("AES_256_CTR_HMAC_SHA512_32", "sha512", 32, 96, 4, False),
}


def _hex16(v: int) -> str:
    return f"{v & U64:016x}"


def _parse_u64(v) -> int:
    """A KID or CTR of an answer: a string of exactly 16 hex digits."""
    if not isinstance(v, str) or len(v) != 16:
        raise ValueError(f"not a string of 16 hex digits: {json.dumps(v)}")
    return int.from_bytes(parse_hex(v), "big")


# --------------------------------------------------------------------------
# Requests (conformance.md 7.2): the JSON lines, also used to report a
# failure of any implementation kind in a form that reproduces it.
# --------------------------------------------------------------------------

#: The request lines (conformance.md 7.2), shared with the main runner.
protect_request = sframe_protect_line
unprotect_request = sframe_unprotect_line


# --------------------------------------------------------------------------
# Implementations
# --------------------------------------------------------------------------

class SFrameImpl:
    """protect(suite, kid, ctr, base_key, metadata, payload) -> Outcome
    (value: the frame); unprotect(suite, keys, window, accepted, metadata,
    frame) -> Outcome (value: (payload, kid, ctr)). ``keys`` is a list of
    (kid, base_key), ``accepted`` of (frame, metadata)."""

    description = "?"
    #: None, or why the implementation has no SFrame (every case skipped).
    unsupported: str | None = None

    def probe(self) -> None:
        pass

    def close(self) -> None:
        pass


class SFrameReference(SFrameImpl):
    """chanenc's SFrame through its Python bindings."""

    description = "reference (chanenc.sframe, Python bindings)"

    def __init__(self) -> None:
        from .. import sframe, testing, errors
        self.sf, self.testing, self.errors = sframe, testing, errors

    def _status(self, e) -> Outcome:
        st = getattr(e, "status", None)
        return Outcome(status=st if isinstance(st, str) else "INVALID_ARGUMENT")

    def protect(self, suite, kid, ctr, base_key, metadata, payload):
        try:
            with self.sf.SFrameContext(suite) as ctx:
                ctx.add_key(kid, base_key, "send")
                return Outcome(self.testing.sframe_protect_with_ctr(
                    ctx, kid, ctr, payload, metadata))
        except (self.errors.Error, ValueError, TypeError) as e:
            return self._status(e)

    def unprotect(self, suite, keys, window, accepted, metadata, frame):
        try:
            if len({k for k, _ in keys}) != len(keys):
                return Outcome(status="INVALID_ARGUMENT")
            with self.sf.SFrameContext(suite, replay_window=window) as ctx:
                for kid, bk in keys:
                    ctx.add_key(kid, bk, "receive")
                for f, m in accepted:
                    ctx.unprotect(f, m)
                r = ctx.unprotect(frame, metadata)
                return Outcome((bytes(r.payload), r.kid, r.ctr))
        except (self.errors.Error, ValueError, TypeError) as e:
            return self._status(e)


def _error_outcome(ans: dict) -> Outcome:
    st = ans["error"]
    if not isinstance(st, str):
        return Outcome(transport="bad_answer",
                       detail=f'"error" is not a string: {json.dumps(ans)[:200]}')
    return Outcome(status=st)


class SFrameAdapter(SFrameImpl):
    """Any program speaking the JSON-lines protocol (conformance.md 3 and
    6), through the CE1 runner's :class:`ProcessAdapter` (timeouts,
    restarts, stray output, crashes)."""

    def __init__(self, command, timeout: float = 10.0, env=None) -> None:
        self.pa = ProcessAdapter(command, timeout=timeout, env=env)
        self.description = f"process adapter: {self.pa.command}"

    def probe(self) -> None:
        # A valid request: an adapter without SFrame answers UNSUPPORTED_OP
        # (conformance.md 3.4), and everything is then skipped.
        out = self.protect(4, 0, 0, b"\x01", b"", b"")
        if out.status == "UNSUPPORTED_OP":
            self.unsupported = ("the adapter does not implement SFrame: it "
                                "answered UNSUPPORTED_OP to sframe_protect "
                                "(conformance.md 7.1)")

    def protect(self, suite, kid, ctr, base_key, metadata, payload):
        return self.pa.sframe_protect(suite, kid, ctr, base_key, metadata,
                                      payload)

    def unprotect(self, suite, keys, window, accepted, metadata, frame):
        return self.pa.sframe_unprotect(suite, keys, window, accepted,
                                        metadata, frame)

    def close(self) -> None:
        self.pa.close()


class _Key(ctypes.Structure):
    _fields_ = [("kid", ctypes.c_uint64), ("base_key", ctypes.c_char_p),
                ("base_key_len", ctypes.c_size_t)]


class _Frame(ctypes.Structure):
    _fields_ = [("frame", ctypes.c_char_p), ("frame_len", ctypes.c_size_t),
                ("metadata", ctypes.c_char_p), ("metadata_len", ctypes.c_size_t)]


class SFrameLib(SFrameImpl):
    """A shared library with the optional SFrame functions of
    conformance.md 7.3, loaded into the runner with ctypes (a crash of the
    library ends the run)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.description = f"shared library (C ABI, in process): {path}"
        self.lib = ctypes.CDLL(os.path.abspath(path))
        try:
            self._p = self.lib.ce1_impl_sframe_protect
            self._u = self.lib.ce1_impl_sframe_unprotect
        except AttributeError:
            self.unsupported = ("the library exports no ce1_impl_sframe_protect"
                                " / ce1_impl_sframe_unprotect (conformance.md "
                                "6.3)")
            return
        sz, u64p = ctypes.c_size_t, ctypes.POINTER(ctypes.c_uint64)
        cp = ctypes.c_char_p
        self._p.restype = ctypes.c_int
        self._p.argtypes = [ctypes.c_int, ctypes.c_uint64, ctypes.c_uint64,
                            cp, sz, cp, sz, cp, sz, ctypes.c_void_p,
                            ctypes.POINTER(sz)]
        self._u.restype = ctypes.c_int
        self._u.argtypes = [ctypes.c_int, ctypes.POINTER(_Key), sz, sz,
                            ctypes.POINTER(_Frame), sz, cp, sz, cp, sz,
                            ctypes.c_void_p, ctypes.POINTER(sz), u64p, u64p]

    @staticmethod
    def _status(rc: int) -> Outcome:
        return Outcome(status=STATUS_BY_CODE.get(rc, f"status {rc}"))

    def protect(self, suite, kid, ctr, base_key, metadata, payload):
        cap = len(payload) + 33
        out = ctypes.create_string_buffer(cap)
        n = ctypes.c_size_t(cap)
        rc = self._p(suite, kid, ctr, base_key, len(base_key), metadata,
                     len(metadata), payload, len(payload), out, ctypes.byref(n))
        if rc != 0:
            return self._status(rc)
        if n.value > cap:
            return Outcome(transport="bad_answer",
                           detail=f"*out_len {n.value} over the capacity {cap}")
        return Outcome(out.raw[:n.value])

    def unprotect(self, suite, keys, window, accepted, metadata, frame):
        ks = (_Key * max(1, len(keys)))(*[_Key(k, b, len(b)) for k, b in keys])
        fs = (_Frame * max(1, len(accepted)))(
            *[_Frame(f, len(f), m, len(m)) for f, m in accepted])
        cap = max(1, len(frame))
        out = ctypes.create_string_buffer(cap)
        n = ctypes.c_size_t(cap)
        kid, ctr = ctypes.c_uint64(0), ctypes.c_uint64(0)
        rc = self._u(suite, ks, len(keys), window, fs, len(accepted), metadata,
                     len(metadata), frame, len(frame), out, ctypes.byref(n),
                     ctypes.byref(kid), ctypes.byref(ctr))
        if rc != 0:
            return self._status(rc)
        if n.value > cap:
            return Outcome(transport="bad_answer",
                           detail=f"*out_len {n.value} over the capacity {cap}")
        return Outcome((out.raw[:n.value], kid.value, ctr.value))


# --------------------------------------------------------------------------
# Diagnosis: where a wrong frame differs (pysframe.frame_where); which
# named deviation of RFC 9605 reproduces a wrong answer is found by the
# generic engine (diagnose.SFrameDiagnoser over pysframe.SFRAME_DEVIATIONS),
# for this runner and the main runner's SFrame layer alike.
# --------------------------------------------------------------------------

def _where(case, expected: bytes, actual: bytes) -> str:
    from .pysframe import frame_where
    suite, kid, ctr, _, _, payload = case.args
    try:
        return frame_where(suite, kid, ctr, len(payload), expected, actual)
    except Exception as e:  # a diagnosis must never stop the run
        return f"(no diagnosis: {e})"


# --------------------------------------------------------------------------
# Cases and results
# --------------------------------------------------------------------------

class Case:
    __slots__ = ("file", "name", "comment", "op", "args", "expect")

    def __init__(self, file, name, comment, op, args, expect):
        self.file, self.name, self.comment = file, name, comment
        self.op, self.args, self.expect = op, args, expect

    def request(self) -> str:
        f = protect_request if self.op == "protect" else unprotect_request
        return f(*self.args).decode()


def _describe(out: Outcome, op: str) -> str:
    if out.transport:
        return f"{out.transport}: {out.detail}"
    if out.status:
        return f"error {out.status}"
    if op == "protect":
        return f"frame {out.value.hex()}"
    p, k, c = out.value
    return f"payload {p.hex() or '(empty)'}, KID {k}, CTR {c}"


def observation(case: Case, out: Outcome):
    """The diagnose.SFrameObservation of a failed check, or None when
    there is no answer to compare (a transport fault, or a KID or CTR that
    differs with the payload right)."""
    from .diagnose import SFrameObservation
    if out.transport:
        return None
    exp = case.expect
    want = exp.status if exp.status else _frame_parts(exp.value, case.op)
    got = out.status if out.status else _frame_parts(out.value, case.op)
    if got == want or got is None:
        return None
    return SFrameObservation(case.op, tuple(case.args),
                             ("status", got) if out.status else ("ok", bytes(got)),
                             want)


def judge(case: Case, out: Outcome):
    """("pass"|"fail"|"skip", message)."""
    exp = case.expect
    if out.transport:
        return "fail", _describe(out, case.op)
    if out.status == "NOT_SUPPORTED" and exp.status != "NOT_SUPPORTED":
        return "skip", (f"the implementation lacks suite {case.args[0]} "
                        "(NOT_SUPPORTED)")
    if exp.status is not None:
        if out.status == exp.status:
            return "pass", ""
        return "fail", f"expected error {exp.status}, got {_describe(out, case.op)}"
    if out.status is not None:
        return "fail", f"expected {_describe(exp, case.op)}, got error {out.status}"
    if out.value == exp.value:
        return "pass", ""
    msg = f"expected {_describe(exp, case.op)}\n    got      {_describe(out, case.op)}"
    if case.op == "protect":
        where = _where(case, exp.value, out.value)
        if where:
            msg += f"\n    where:     {where}"
    else:
        p, k, c = out.value
        ep, ek, ec = exp.value
        what = [w for w, a, b in (("payload", p, ep), ("KID", k, ek),
                                  ("CTR", c, ec)) if a != b]
        msg += f"\n    differs in: {', '.join(what)}"
    return "fail", msg


class Row:
    def __init__(self, file, algo, order):
        self.file, self.algo, self.order = file, algo, order
        self.passed = self.failed = self.skipped = 0


class Run:
    def __init__(self, impl, max_failures=20):
        self.impl = impl
        self.rows: dict = {}
        self.failures = []
        self.skips = collections.Counter()
        self.max_failures = max_failures
        self.random = None
        self.notes = []
        self.diagnoses = []
        self.sample = 0

    def row(self, file, algo) -> Row:
        if file not in self.rows:
            self.rows[file] = Row(file, algo, len(self.rows))
        return self.rows[file]

    def skip(self, case: Case, algo: str, reason: str) -> None:
        self.row(case.file, algo).skipped += 1
        self.skips[(reason, case.file)] += 1

    def check(self, case: Case, algo: str) -> Outcome:
        impl = self.impl
        if impl.unsupported:
            self.skip(case, algo, impl.unsupported)
            return None
        out = getattr(impl, case.op)(*case.args)
        verdict, msg = judge(case, out)
        r = self.row(case.file, algo)
        if verdict == "pass":
            r.passed += 1
        elif verdict == "skip":
            self.skip(case, algo, msg)
        else:
            r.failed += 1
            self.failures.append({"file": case.file, "case": case.name,
                                  "op": case.op, "comment": case.comment,
                                  "message": msg, "diagnosis": None,
                                  "request": case.request(),
                                  "_obs": observation(case, out)})
        return out

    def diagnose(self, sample: int) -> None:
        """The diagnosis of every failure (diagnose.diagnose_sframe: the
        named deviations of pysframe's catalogue, at most ``sample``
        replayed per file), added to its message and its "diagnosis"."""
        from .diagnose import diagnose_sframe
        if not self.failures:
            return
        self.sample = sample
        ds = diagnose_sframe([(fl["file"], fl["_obs"]) for fl in self.failures],
                             sample)
        self.diagnoses = ds
        for fl, d in zip(self.failures, ds):
            fl["diagnosis"] = d.to_dict()
            if d.text:
                fl["message"] += f"\n    diagnosis: {d.text}"

    @property
    def totals(self):
        rs = self.rows.values()
        return (sum(r.passed for r in rs), sum(r.failed for r in rs),
                sum(r.skipped for r in rs))

    def exit_status(self) -> int:
        return 1 if self.totals[1] else 0

    def text_report(self, out) -> None:
        rows = sorted(self.rows.values(), key=lambda r: r.order)
        wa = max([len("suite / vectors")] + [len(r.algo) for r in rows])
        wf = max([len("file")] + [len(r.file) for r in rows])
        head = (f"{'suite / vectors':<{wa}}  {'file':<{wf}}  {'passed':>7}  "
                f"{'failed':>7}  {'skipped':>7}")
        print(head, file=out)
        print("-" * len(head), file=out)
        for r in rows:
            mark = "  <-- FAILED" if r.failed else ""
            print(f"{r.algo:<{wa}}  {r.file:<{wf}}  {r.passed:>7}  "
                  f"{r.failed:>7}  {r.skipped:>7}{mark}", file=out)
        p, f, s = self.totals
        print("-" * len(head), file=out)
        print(f"{'total':<{wa}}  {'':<{wf}}  {p:>7}  {f:>7}  {s:>7}", file=out)
        print(file=out)
        for n in self.notes:
            print(n, file=out)
        if self.notes:
            print(file=out)
        if self.skips:
            print("skipped cases:", file=out)
            by = collections.defaultdict(list)
            for (reason, file), n in self.skips.items():
                by[reason].append((file, n))
            for reason, fl in sorted(by.items(), key=lambda kv: -sum(n for _, n in kv[1])):
                where = fl[0][0] if len(fl) == 1 else f"{len(fl)} files"
                print(f"  {sum(n for _, n in fl):>6}  {reason} [{where}]", file=out)
            print(file=out)
        if self.random:
            print(f"random pass: {self.random['cases']} cases, seed "
                  f"{self.random['seed']} (replay with --random "
                  f"{self.random['cases']} --seed {self.random['seed']})",
                  file=out)
            print(file=out)
        if self.failures:
            print(f"FAILURES ({len(self.failures)}):", file=out)
            for fl in self.failures[:self.max_failures]:
                print(file=out)
                print(f"{fl['file']} :: {fl['case']} ({fl['op']}): "
                      f"{fl['comment']}", file=out)
                print(f"    {fl['message']}", file=out)
                req = fl["request"]
                if len(req) > 600:
                    req = req[:600] + f"... ({len(req)} chars)"
                print(f"    request: {req}", file=out)
            if len(self.failures) > self.max_failures:
                print(f"\n... {len(self.failures) - self.max_failures} more "
                      "failures not shown (--max-failures, --json)", file=out)
            print(file=out)
            if self.diagnoses:
                from .diagnose import summary_lines
                for line in summary_lines(self.diagnoses, self.sample):
                    print(line.replace("per file and mode", "per file"),
                          file=out)
                print(file=out)
        print(f"sframe conformance: {p} passed, {f} failed, {s} skipped "
              f"(exit status {self.exit_status()})", file=out)

    def json_report(self) -> dict:
        from .diagnose import summary_map
        p, f, s = self.totals
        return {
            "format": "sframe-conformance-report/1",
            "implementation": self.impl.description,
            "unsupported": self.impl.unsupported,
            "summary": {"passed": p, "failed": f, "skipped": s,
                        "exit_status": self.exit_status()},
            "files": [{"file": r.file, "algo": r.algo, "passed": r.passed,
                       "failed": r.failed, "skipped": r.skipped}
                      for r in sorted(self.rows.values(), key=lambda r: r.order)],
            "skipped": [{"reason": reason, "file": file, "count": n}
                        for (reason, file), n in sorted(self.skips.items())],
            "random": self.random,
            "failures": [{k: v for k, v in fl.items() if not k.startswith("_")}
                         for fl in self.failures],
            "diagnoses": summary_map(self.diagnoses),
        }


# --------------------------------------------------------------------------
# Vector files
# --------------------------------------------------------------------------

def _ok(value) -> Outcome:
    return Outcome(value)


def _err(status) -> Outcome:
    return Outcome(status=status)


def own_cases(path: str, rel: str):
    """(algo, cases) of one sframe-vectors/1 file. Every group is one
    sender and one receiver (vectors/README.md); the receiver's history
    (the frames the vectors say it accepted) goes with each unprotect."""
    with open(path, "rb") as fh:
        doc = json.load(fh)
    if doc.get("format") != FORMAT:
        raise ValueError(f"{rel}: format {doc.get('format')!r}, not {FORMAT!r}")
    suite = doc["suite"]
    algo = f"{suite} {doc.get('suite_name', SUITES.get(suite, ('?',))[0])}"
    cases = []
    for gi, g in enumerate(doc["groups"], 1):
        window = g.get("replay_window", 0)
        send, recv = {}, []
        for k in g["keys"]:
            bk = bytes.fromhex(k["base_key"])
            if k["usage"] in ("both", "send"):
                send[k["kid"]] = bk
            if k["usage"] in ("both", "receive"):
                recv.append((k["kid"], bk))
        accepted = []
        for c in g["cases"]:
            name = f"g{gi}-t{c['id']}"
            md = bytes.fromhex(c.get("metadata", ""))
            st = c["status"]
            if c["op"] == "protect":
                bk = send.get(c["kid"])
                args = (suite, c["kid"], c["ctr"], bk, md,
                        bytes.fromhex(c["payload"]))
                exp = _ok(bytes.fromhex(c["frame"])) if st == "OK" else _err(st)
                cases.append(Case(rel, name, c.get("comment", ""), "protect",
                                  args, exp))
            else:
                frame = bytes.fromhex(c["frame"])
                args = (suite, list(recv), window,
                        list(accepted) if window else [], md, frame)
                exp = (_ok((bytes.fromhex(c["payload"]), c["kid"], c["ctr"]))
                       if st == "OK" else _err(st))
                cases.append(Case(rel, name, c.get("comment", ""), "unprotect",
                                  args, exp))
                if st == "OK":
                    accepted.append((frame, md))
    return algo, cases


HEADER_KEY = bytes(range(16))


def rfc_cases(path: str, rel: str):
    """(algo, cases) of one working-group file: its whole-frame vectors
    (both directions) and its header vectors (as suite-4 frames with an
    empty payload)."""
    with open(path, "rb") as fh:
        doc = json.load(fh)
    cases = []
    suites = set()
    for arr in ("sframe", "sframe_aes_256_ctr_hmac"):
        for i, v in enumerate(doc.get(arr, []), 1):
            s, kid, ctr = v["cipher_suite"], v["kid"], v["ctr"]
            suites.add(s)
            bk, md = bytes.fromhex(v["base_key"]), bytes.fromhex(v["metadata"])
            pt, ct = bytes.fromhex(v["pt"]), bytes.fromhex(v["ct"])
            what = f"RFC 9605 vector, suite {s}, KID {kid}, CTR {ctr}"
            cases.append(Case(rel, f"{arr}{i}-protect", what, "protect",
                              (s, kid, ctr, bk, md, pt), _ok(ct)))
            cases.append(Case(rel, f"{arr}{i}-unprotect", what, "unprotect",
                              (s, [(kid, bk)], 0, [], md, ct), _ok((pt, kid, ctr))))
    headers = doc.get("header", [])
    algo = ("suites " + ",".join(map(str, sorted(suites)))) if suites else ""
    if headers:
        algo = (algo + " + " if algo else "") + f"{len(headers)} headers"
    return algo or "-", cases, headers


def header_cases(rel, headers, ref: SFrameImpl):
    """Header vectors as frames: the expected frame is the reference's
    (suite 4, empty payload), checked to start with ``encoded``."""
    cases = []
    for i, h in enumerate(headers, 1):
        kid, ctr, enc = h["kid"], h["ctr"], bytes.fromhex(h["encoded"])
        exp = ref.protect(4, kid, ctr, HEADER_KEY, b"", b"")
        if exp.value is None or exp.value[:len(enc)] != enc or len(exp.value) != len(enc) + 16:
            raise RuntimeError(f"{rel}: the reference disagrees with header "
                               f"vector {i}")
        what = f"header vector {i}: KID {kid}, CTR {ctr} -> {h['encoded']}"
        cases.append(Case(rel, f"header{i}-protect", what, "protect",
                          (4, kid, ctr, HEADER_KEY, b"", b""), exp))
        cases.append(Case(rel, f"header{i}-unprotect", what, "unprotect",
                          (4, [(kid, HEADER_KEY)], 0, [], b"", exp.value),
                          _ok((b"", kid, ctr))))
    return cases


# --------------------------------------------------------------------------
# Random differential pass
# --------------------------------------------------------------------------

def _rand_u64(rng: random.Random) -> int:
    k = rng.randrange(7)
    if k == 0:
        return rng.randrange(8)
    if k == 1:
        return rng.randrange(8, 256)
    if k == 2:
        return rng.randrange(256, 1 << 16)
    if k == 3:
        return rng.randrange(1 << 16, 1 << 32)
    if k == 4:
        return rng.randrange(1 << 32, 1 << 64)
    if k == 5:
        return U64 - rng.randrange(4)
    return 1 << rng.randrange(64)


def random_pass(run: Run, ref: SFrameImpl, n: int, seed: int) -> None:
    rng = random.Random(seed)
    rel = "random"
    algo = f"differential, seed {seed}"
    run.row(rel, algo)
    run.random = {"seed": seed, "cases": n}

    def check(name, comment, op, args):
        exp = getattr(ref, op)(*args)
        run.check(Case(rel, name, comment, op, args, exp), algo)

    for i in range(1, n + 1):
        suite = rng.randint(1, 8)
        kid, ctr = _rand_u64(rng), _rand_u64(rng)
        bk = rng.randbytes(rng.choice([1, 16, 32, rng.randint(1, 100)]))
        md = rng.randbytes(rng.choice([0, 0, rng.randint(1, 40)]))
        pl = rng.randbytes(rng.choice([0, rng.randint(1, 64),
                                       rng.randint(65, 1500)]))
        base = (f"suite {suite}, KID {kid}, CTR {ctr}, {len(bk)}-byte key, "
                f"{len(md)}-byte metadata, {len(pl)}-byte payload")
        check(f"r{i}-protect", base, "protect", (suite, kid, ctr, bk, md, pl))
        frame = ref.protect(suite, kid, ctr, bk, md, pl).value
        keys = [(kid, bk)]
        if rng.random() < 0.5:
            other = (kid + 1 + rng.randrange(1000)) & U64
            keys.insert(rng.randrange(2), (other, rng.randbytes(16)))
        check(f"r{i}-unprotect", base, "unprotect",
              (suite, keys, 0, [], md, frame))
        # One tampered variant.
        kind = rng.choice(["bit", "bit", "truncate", "append", "metadata",
                           "key", "unknown_kid"])
        f2, md2, keys2 = frame, md, keys
        if kind == "bit":
            j = rng.randrange(len(frame) * 8)
            f2 = bytearray(frame)
            f2[j // 8] ^= 1 << (j % 8)
            f2 = bytes(f2)
            kind = f"bit {j} flipped"
        elif kind == "truncate":
            f2 = frame[:rng.randrange(len(frame))]
            kind = f"truncated to {len(f2)} bytes"
        elif kind == "append":
            f2 = frame + rng.randbytes(1)
        elif kind == "metadata":
            md2 = md + b"\x00" if not md or rng.random() < 0.5 else md[:-1]
            kind = "other metadata"
        elif kind == "key":
            keys2 = [(k, b if k != kid else b + b"\x01") for k, b in keys]
            kind = "another base key"
        else:
            keys2 = [(k, b) for k, b in keys if k != kid]
            kind = "no key for the KID"
        check(f"r{i}-tampered", f"{base}; {kind}", "unprotect",
              (suite, keys2, 0, [], md2, f2))
        # Replay window with a history.
        if rng.random() < 0.35:
            window = rng.choice([1, 2, 16, 64, 1024])
            near = lambda: max(0, min(U64, ctr + rng.randint(-window - 2,
                                                             window + 2)))
            accepted = []
            for _ in range(rng.randint(1, 4)):
                c2 = near()
                f3 = ref.protect(suite, kid, c2, bk, md, pl).value
                if ref.unprotect(suite, keys, window, accepted, md, f3).ok:
                    accepted.append((f3, md))
            c3 = near() if rng.random() < 0.6 else ctr
            f4 = ref.protect(suite, kid, c3, bk, md, pl).value
            check(f"r{i}-replay", f"{base}; window {window}, "
                  f"{len(accepted)} accepted before, then CTR {c3}",
                  "unprotect", (suite, keys, window, accepted, md, f4))


# --------------------------------------------------------------------------
# The SFrame layer of the main runner (python3 -m chanenc.conform)
# --------------------------------------------------------------------------

#: The layer name of the SFrame checks in the main runner's reports.
SFRAME_LAYER = "sframe"
_NO_SEND_KEY = ("protect with a KID that has no send key: a stateless "
                "sframe_protect always carries its key (conformance.md 7.1)")


def rfc_location(option: str | None = None, vectors_dir: str | None = None):
    """(directory or None, how it was found, whether it was named): the
    working group's RFC 9605 vectors, read in place: ``option``
    (--sframe-vectors), $CE_SFRAME_VECTORS_DIR, or ../shared/vectors/sframe
    beside the source tree (or beside the vectors directory's tree)."""
    if option:
        return option, "--sframe-vectors", True
    env = os.environ.get("CE_SFRAME_VECTORS_DIR")
    if env:
        return env, "$CE_SFRAME_VECTORS_DIR", True
    src = V.source_tree()
    if src is None and vectors_dir:
        src = os.path.dirname(os.path.abspath(vectors_dir))
    if src is None:
        return None, "default", False
    return (os.path.normpath(os.path.join(src, "..", "shared", "vectors",
                                          "sframe")), "default", False)


def layer_files(vectors_dir: str | None, option: str | None = None):
    """The SFrame files of the main runner as (kind, path, rel): the
    project's vectors/sframe/*.json ("own", rel "sframe/NAME") and the
    RFC 9605 files ("rfc", rel "rfc9605/NAME"); when the RFC directory is
    the default and absent, one ("missing", None, "rfc9605/") entry whose
    path names it. A named directory that does not exist: OSError."""
    out = []
    if vectors_dir:
        own = os.path.join(vectors_dir, "sframe")
        for path in sorted(glob.glob(os.path.join(own, "*.json"))):
            out.append(("own", path, "sframe/" + os.path.basename(path)))
    rdir, how, named = rfc_location(option, vectors_dir)
    if rdir and os.path.isdir(rdir):
        for path in sorted(glob.glob(os.path.join(rdir, "*.json"))):
            out.append(("rfc", path, "rfc9605/" + os.path.basename(path)))
    elif named:
        raise OSError(f"{how} {rdir}: no such directory (the RFC 9605 "
                      "vectors, read in place)")
    else:
        out.append(("missing", rdir, "rfc9605/"))
    return out


def _suite_label(suite) -> str:
    return f"SFrame {SUITES[suite][0]}" if suite in SUITES else f"SFrame suite {suite}"


def _frame_parts(value, op):
    """The bytes a check compares: the frame (protect), the payload
    (unprotect)."""
    if value is None:
        return None
    return value if op == "protect" else value[0]


def sframe_result(case: Case, out: Outcome):
    """The main runner's verdict on one SFrame check: None (passed),
    V.Skipped or V.Failure, with the expected and actual bytes, where a
    wrong frame differs, and the call (Failure.extra "_call": (op, args),
    which diagnose.sframe_observation replays through the catalogue)."""
    exp = case.expect
    op = case.op
    call = (op, case.args)
    want = exp.status if exp.status else _frame_parts(exp.value, op)
    if out.transport:
        return V.Failure(out.transport, out.detail, expected=want)
    if out.status == "NOT_SUPPORTED" and exp.status != "NOT_SUPPORTED":
        return V.Skipped(f"NOT_SUPPORTED by the implementation: SFrame suite "
                         f"{case.args[0]} (it lacks the suite's cipher)")
    if exp.status is not None:
        if out.status == exp.status:
            if out.buffer_modified:
                return V.Failure("buffer_modified", f"sframe_{op}: refused with "
                                 f"{out.status} as expected but wrote to its "
                                 "output", expected=exp.status, actual=out.status)
            return None
        if out.status is None:
            return V.Failure("missing_error", f"sframe_{op}: expected "
                             f"{exp.status}, got success", expected=exp.status,
                             actual=_frame_parts(out.value, op),
                             extra={"_call": call})
        return V.Failure("wrong_status", f"sframe_{op}: expected {exp.status}, "
                         f"got {out.status}", expected=exp.status,
                         actual=out.status, extra={"_call": call})
    if out.status is not None:
        return V.Failure("unexpected_error", f"sframe_{op}: expected success, "
                         f"got {out.status}", expected=want, actual=out.status,
                         extra={"_call": call})
    if out.value == exp.value:
        return None
    if op == "protect":
        where = _where(case, exp.value, out.value)
        return V.Failure("frame_mismatch", "sframe_protect: frame differs",
                         expected=exp.value, actual=out.value,
                         extra={"where": where or None, "_call": call})
    p, k, c = out.value
    ep, ek, ec = exp.value
    what = [w for w, a, b in (("payload", p, ep), ("KID", k, ek), ("CTR", c, ec))
            if a != b]
    extra = {}
    if k != ek:
        extra["kid"] = f"expected {ek}, got {k}"
    if c != ec:
        extra["ctr"] = f"expected {ec}, got {c}"
    if p != ep:
        extra["_call"] = call
    return V.Failure("payload_mismatch" if p != ep else "output_mismatch",
                     f"sframe_unprotect: {', '.join(what)} differ"
                     + ("s" if len(what) == 1 else ""), expected=ep, actual=p,
                     extra=extra)


def _layer_case(case: Case, algo: str) -> V.Case:
    def run(impl, case=case):
        fn = impl.sframe_protect if case.op == "protect" else impl.sframe_unprotect
        return sframe_result(case, fn(*case.args))
    skip = None
    if case.op == "protect" and case.args[3] is None:
        skip = _NO_SEND_KEY
    return V.Case(case.file, algo, case.name, case.comment, case.op,
                  None if skip else run, skip=skip, layer=SFRAME_LAYER)


def layer_file_cases(kind: str, path, rel: str, ref=None) -> list:
    """The main runner's cases of one SFrame file (see :func:`layer_files`):
    each a vectors.Case of layer "sframe" whose run(impl) calls the
    implementation's sframe_protect / sframe_unprotect; the algorithm
    column is the suite ("SFrame AES_128_GCM_SHA256_128"), the header
    vectors' "SFrame headers (suite 4)". A file that cannot be read is one
    failed case."""
    if kind == "missing":
        return [V.Case(rel, "SFrame (RFC 9605)", "-", "vector set not found",
                       "-", skip=(f"RFC 9605 vectors not found: give "
                                  "--sframe-vectors DIR or set "
                                  "CE_SFRAME_VECTORS_DIR; the default, "
                                  "../shared/vectors/sframe beside the source "
                                  f"tree ({path}), does not exist"),
                       layer=SFRAME_LAYER)]
    try:
        if kind == "own":
            _, cases = own_cases(path, rel)
            headers = []
        else:
            _, cases, headers = rfc_cases(path, rel)
            cases += header_cases(rel, headers, ref or SFrameReference())
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as e:
        msg = f"{type(e).__name__}: {e}"

        def bad(impl, msg=msg):
            return V.Failure("bad_vector_file", msg)
        return [V.Case(rel, "SFrame", "-", "unreadable vector file", "parse",
                       bad, layer=SFRAME_LAYER)]
    out = []
    for c in cases:
        algo = ("SFrame headers (suite 4)" if c.name.startswith("header")
                else _suite_label(c.args[0]))
        out.append(_layer_case(c, algo))
    return out


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def _source_root():
    try:
        from .runner import default_vectors_dir
        vd = default_vectors_dir()
    except Exception:
        vd = None
    return vd


def build_parser(prog=None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog or "python3 -m chanenc.conform.sframe_runner",
        description="SFrame (RFC 9605) conformance runner (docs/conformance.md "
                    "section 7).")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--adapter", metavar="CMD",
                   help="a JSON-lines process adapter command (conformance.md 3, 6.2)")
    g.add_argument("--lib", metavar="PATH",
                   help="a shared library with the C ABI of conformance.md 7.3 (ctypes)")
    p.add_argument("--vectors", metavar="DIR",
                   help="the project's vectors directory (its sframe/ is read), "
                        "or a directory of sframe-vectors/1 files; default "
                        "$CE_VECTORS_DIR or the source tree's vectors/")
    p.add_argument("--sframe-vectors", metavar="DIR",
                   help="the working group's RFC 9605 vectors (read in place); "
                        "default $CE_SFRAME_VECTORS_DIR or ../shared/vectors/sframe "
                        "beside the source tree")
    p.add_argument("--no-rfc", action="store_true",
                   help="do not run the working group's files")
    p.add_argument("--no-vectors", action="store_true",
                   help="run no vector file (only --random)")
    p.add_argument("--file", action="append", metavar="GLOB",
                   help="only the vector files whose name matches (repeatable)")
    p.add_argument("--random", type=int, default=0, metavar="N",
                   help="random differential cases against the reference")
    p.add_argument("--seed", type=int, default=None,
                   help="seed of the random pass (default: from the clock, printed)")
    p.add_argument("--timeout", type=float, default=10.0,
                   help="seconds an adapter may take per request")
    p.add_argument("--max-failures", type=int, default=20,
                   help="failures shown in the text report")
    p.add_argument("--json", metavar="FILE", help="write a JSON report")
    p.add_argument("--quiet", "-q", action="store_true",
                   help="only the summary line")
    p.add_argument("--diagnose-sample", type=int, default=20, metavar="N",
                   help="diagnosis: replay at most N failures per file through "
                        "the catalogue of named deviations (default 20)")
    p.add_argument("--no-diagnose", action="store_true",
                   help="no diagnosis lines or summary")
    return p


def _own_dir(args):
    d = args.vectors or _source_root()
    if d is None:
        return None
    sub = os.path.join(d, "sframe")
    return sub if os.path.isdir(sub) else d


def _rfc_dir(args, own_dir):
    if args.sframe_vectors:
        return args.sframe_vectors, True
    env = os.environ.get("CE_SFRAME_VECTORS_DIR")
    if env:
        return env, True
    if own_dir:
        # <source>/vectors/sframe -> <source>/../shared/vectors/sframe
        src = os.path.dirname(os.path.dirname(os.path.abspath(own_dir)))
        return os.path.join(os.path.dirname(src), "shared", "vectors", "sframe"), False
    return None, False


def _match(name, pats):
    import fnmatch
    return not pats or any(fnmatch.fnmatch(name, p) for p in pats)


def main(argv=None, prog=None) -> int:
    args = build_parser(prog).parse_args(argv)
    prog = prog or "sframe_runner"
    ref = SFrameReference()
    files = []
    if not args.no_vectors:
        own = _own_dir(args)
        if own is None or not os.path.isdir(own):
            print(f"{prog}: error: no SFrame vectors directory ({own}); use "
                  "--vectors DIR", file=sys.stderr)
            return 2
        for path in sorted(glob.glob(os.path.join(own, "*.json"))):
            files.append(("own", path, "sframe/" + os.path.basename(path)))
        if not any(k == "own" for k, _, _ in files):
            print(f"{prog}: error: no *.json in {own}", file=sys.stderr)
            return 2
        if not args.no_rfc:
            rdir, explicit = _rfc_dir(args, own)
            if rdir and os.path.isdir(rdir):
                for path in sorted(glob.glob(os.path.join(rdir, "*.json"))):
                    files.append(("rfc", path, "rfc9605/" + os.path.basename(path)))
            elif explicit:
                print(f"{prog}: error: RFC 9605 vectors directory {rdir} does "
                      "not exist", file=sys.stderr)
                return 2
            else:
                pass
        files = [f for f in files if _match(os.path.basename(f[1]), args.file)
                 or _match(f[2], args.file)]
    try:
        if args.adapter:
            impl = SFrameAdapter(args.adapter, timeout=args.timeout)
        elif args.lib:
            impl = SFrameLib(args.lib)
        else:
            impl = ref
    except OSError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    run = Run(impl, args.max_failures)
    if not args.no_vectors and not args.no_rfc and not any(k == "rfc" for k, _, _ in files) \
            and not args.file:
        run.notes.append(f"RFC 9605 vectors not found in {_rfc_dir(args, _own_dir(args))[0]}: "
                         "not run (--sframe-vectors DIR)")
    t0 = time.monotonic()
    try:
        impl.probe()
        for kind, path, rel in files:
            try:
                if kind == "own":
                    algo, cases = own_cases(path, rel)
                else:
                    algo, cases, headers = rfc_cases(path, rel)
                    cases += header_cases(rel, headers, ref)
            except (ValueError, KeyError, RuntimeError) as e:
                print(f"{prog}: error: {rel}: {e}", file=sys.stderr)
                return 2
            for c in cases:
                if c.op == "protect" and c.args[3] is None and not impl.unsupported:
                    run.skip(c, algo, "protect with a KID that has no send "
                             "key: a stateless sframe_protect always carries "
                             "its key (conformance.md 7.1)")
                    continue
                run.check(c, algo)
        if args.random:
            seed = args.seed if args.seed is not None else int(time.time()) % 1000000
            random_pass(run, ref, args.random, seed)
    except AdapterCannotStart as e:
        print(f"{prog}: error: the adapter cannot start, so nothing was "
              f"checked: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; partial results follow", file=sys.stderr)
    finally:
        impl.close()
    if not args.no_diagnose and (not args.quiet or args.json):
        run.diagnose(max(0, args.diagnose_sample))
    elapsed = time.monotonic() - t0
    out = sys.stdout
    if not args.quiet:
        print(f"sframe conformance: implementation: {impl.description}", file=out)
        print(file=out)
        run.text_report(out)
    else:
        p, f, s = run.totals
        print(f"sframe conformance: {p} passed, {f} failed, {s} skipped "
              f"(exit status {run.exit_status()})", file=out)
    if args.json:
        rep = run.json_report()
        rep["seconds"] = round(elapsed, 3)
        with open(args.json, "w") as fh:
            json.dump(rep, fh, indent=1)
            fh.write("\n")
    return run.exit_status()


if __name__ == "__main__":
    sys.exit(main())
