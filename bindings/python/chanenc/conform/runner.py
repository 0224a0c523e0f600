"""The conformance runner: command line, run loop and reports."""

from __future__ import annotations

import argparse
import collections
import datetime
import fnmatch
import json
import os
import sys
import time

from . import vectors as V
from .diagnose import (DEFAULT_SAMPLE, diagnose_failures, diagnose_primitives,
                       primitive_summary_lines,
                       summary_lines, summary_map)
from .differential import run_random
from .impls import (AdapterCannotStart, InProcessLib, ProcessAdapter,
                    PythonCE1, Recorder, Reference, lib_adapter)
from .requests import REQUESTS_FILE, check_line, request_cases
from .results import PROTOCOL_FILE as _PROTOCOL_FILE
from .results import CaseResult, case_names, layer_of, write_junit

__all__ = ["main", "Run"]

DESCRIPTION = """\
Check an implementation of CE1 against the known-answer vectors, and
optionally against the reference with random inputs.

The implementation is the reference itself (chanenc, through its Python
bindings) when no option names another: a process adapter (--adapter) or a
C ABI library (--lib). Four layers are checked, on any implementation
(--layer selects some):

frame      every CE1 frame file (vectors/ce1/*.json), through protect,
           unprotect and derive, and the random pass;
primitive  the standard primitive vectors, through the operations of
           tools/ce1_prim.h (aes_ecb_*, sm4_ecb_*, aes_xts_*, aes_gcm_seal,
           aes_gcm_open, hkdf_sha256*, pbkdf2_sha256): the project's
           vectors/std/ (GB/T 32907 SM4 examples, RFC 7914 PBKDF2) and the
           files read where they are installed (vectors/README.md): NIST
           CAVP AES-ECB/GCM/XTS, the SM4 draft and RFC 5869 HKDF from the
           Debian package python3-cryptography-vectors (--pyca-vectors,
           $CE_PYCA_VECTORS_DIR); IEEE 1619 XTS, SM4, GCM and HKDF from
           libcrypto++-utils (--cryptopp-vectors, $CE_CRYPTOPP_VECTORS_DIR);
           Project Wycheproof AES-GCM/GMAC/XTS, HKDF and PBKDF2 from
           --wycheproof DIR or $CE_WYCHEPROOF_DIR (a checkout's
           testvectors_v1; by default ../shared/vectors/wycheproof beside
           the source tree, skipped with a reason when absent). A missing
           package is an error that names it. Where those files leave
           gaps in what CE1 uses (PBKDF2 salts over 16 bytes, HKDF outputs
           under 20 bytes...), KDF checks computed at run time (rows
           marked "computed");
sframe     the SFrame vectors (vectors/sframe/*.json, and RFC 9605's from
           --sframe-vectors DIR, $CE_SFRAME_VECTORS_DIR or
           ../shared/vectors/sframe beside the source tree), through
           sframe_protect and sframe_unprotect (docs/conformance.md 7.4);
request    for a process adapter, the request checks of
           docs/conformance.md 3.1-3.4.

What runs is the implementation's say: a process adapter is asked
{"op":"capabilities"} (docs/conformance.md 8.1) first, before any case,
and again after each restart; a library announces each operation by
exporting its symbol. A case whose operations are not announced is
skipped with the reason ("not implemented by the adapter:
aes_xts_encrypt"): an implementation without protect and unprotect (a
primitive-only adapter or library) has its frame cases, the request
checks that need them and the random pass skipped; an adapter that
answers capabilities with UNSUPPORTED_OP has the frame operations only.
A primitive the implementation answers NOT_SUPPORTED is skipped, and the
report says which parameter values it refused ("for tag lengths 4, 8
(bytes)"). Wycheproof "valid" vectors must give the exact bytes, "invalid"
ones must be refused (a modified GCM tag with AUTH_FAILED, others with any
error status), "acceptable" ones may be either. XTS with Key1 == Key2 passes refused or
with the right bytes; the report notes which. Each GCM vector with a full
16-byte tag (Wycheproof's valid ones, one per section of the NIST files,
Crypto++'s) also gives derived checks: opened with the tag cut to 15, 12,
8 and 4 bytes while tag_len stays 16, it must be AUTH_FAILED (rows marked
"tag cut"). The primitive layer is docs/conformance.md section 9.
"""

EPILOG = """\
examples:
  check the reference (bindings), then a JSON-lines adapter, then a library:
    %(prog)s
    %(prog)s --adapter "./my-adapter --flag"
    %(prog)s --lib ./libce1impl_mine.so
  add 2000 random differential cases, write a machine-readable report:
    %(prog)s --adapter ./my-adapter --random 2000 --seed 7 --json report.json
  JUnit XML for a CI system (one testsuite per vector file):
    %(prog)s --adapter ./my-adapter --junit conformance.xml
  only the CE1 frame files of one mode, every failure in full:
    %(prog)s --file 'ce1/*' --mode AES_128_GCM2 -v
  only the primitive layer's XTS and GCM vectors (and their tag cuts):
    %(prog)s --adapter ./my-adapter --file 'pyca/*' --mode 'aes-*-xts,aes-*-gcm'
  Wycheproof from your own checkout:
    %(prog)s --wycheproof ~/wycheproof/testvectors_v1 --file 'wycheproof/*'
  only the SFrame layer of a library (RFC 9605 vectors from a directory):
    %(prog)s --lib ./libmine.so --layer sframe --sframe-vectors ~/sframe-vectors

The output is a table of passed/failed/skipped cases per layer (frame,
primitive, sframe, request), mode or algorithm and file, the failures (file, id,
line of the vector, comment, expected and actual bytes or statuses, first
differing byte, and the requests that were sent: in full with -v and in
the JSON report, as the JSON lines an adapter reads), the notes of cases
that passed one of two allowed ways, the diagnosis (a frame failure that a
primitive failure explains is said to follow from it), and a summary
line, which names the random pass's seed. The exit status is 0
only when nothing failed and at least one check of an operation of the
implementation passed with exact bytes (refusals, tag cuts and request
checks alone do not: the summary line then says why); 1 otherwise; 2 for
usage errors and for an adapter that cannot start. An announced operation
that no check could exercise (aes_gcm_seal without aes_gcm_open) fails.

Process adapter protocol: docs/conformance.md section 3 (one JSON object
per line on stdin/stdout). A request that gets no answer within --timeout
seconds, an adapter that dies or answers garbage, is a failed case; the
adapter is restarted for the next case, and abandoned after 5 consecutive
timeouts. An adapter whose command cannot run, or that exits before
answering anything, stops the run (exit status 2). Output that is no
answer (a banner line, a second line for one request) is reported once,
and answers are kept in step with their requests.
"""


# --------------------------------------------------------------------------
# Formatting helpers
# --------------------------------------------------------------------------

def _fmt_value(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, (bytes, bytearray)):
        return f"{len(v)} bytes"
    return str(v)


def hex_window(expected: bytes, actual: bytes, width: int = 24) -> list:
    """Lines showing expected and actual bytes around the first difference,
    with a caret under the differing byte."""
    off = V.first_difference(expected, actual)
    if off is None:
        off = 0
    start = max(0, off - 8)
    lines = []
    for name, data in (("expected", expected), ("actual", actual)):
        chunk = data[start:start + width]
        body = " ".join(f"{b:02x}" for b in chunk)
        pre = f"@{start}: ... " if start else "@0: "
        post = " ..." if start + width < len(data) else " (end)"
        if start >= len(data) and len(data) < len(expected if name == "actual" else actual):
            body = "(ends here)"
        lines.append((name, pre, body + post))
    col = max(len(p) for _, p, _ in lines)
    out = [f"{name + ':':10s}{pre:>{col}}{body}" for name, pre, body in lines]
    caret = " " * (10 + col + 3 * (off - start)) + "^^"
    out.append(caret + f"  first difference at byte {off} "
               f"(expected {len(expected)} bytes, got {len(actual)})")
    return out


def _json_value(v):
    if v is None:
        return None
    if isinstance(v, (bytes, bytearray)):
        return {"bytes": bytes(v).hex(), "len": len(v)}
    return {"status": str(v)}


def short_request(line: str, keep: int = 64) -> str:
    """A request line with every string longer than ``keep`` characters
    cut (the full line is in -v and in the JSON report)."""
    try:
        obj = json.loads(line)
    except ValueError:
        obj = None
    if not isinstance(obj, dict):
        return line if len(line) <= 2 * keep else line[:2 * keep] + f"... ({len(line)} chars)"
    cut = False
    for k, v in obj.items():
        if isinstance(v, str) and len(v) > keep:
            obj[k] = v[:keep] + f"...({len(v) // 2} bytes)"
            cut = True
    text = json.dumps(obj, separators=(",", ":"))
    return text + ("  [cut: -v or --json for all]" if cut else "")


_PROTOCOL = {
    "banner": ("banner", lambda n, d: (
        f"each fresh adapter process wrote {d!r} before its first answer "
        f"({n} process{'es' if n != 1 else ''}): standard output must carry "
        "the answers only, one line per request (docs/conformance.md 3.1: "
        "diagnostics belong on standard error). The runner skipped that "
        "line, so the answers stayed in step with the requests")),
    "extra_output": ("extra_output", lambda n, d: (
        f"the adapter wrote more than one line for one request ({n} "
        f"time{'s' if n != 1 else ''}; first: {d}): exactly one answer line "
        "per request (docs/conformance.md 3.1). It was restarted each time, "
        "so that later answers stay in step with their requests")),
    "out_of_step": ("out_of_step", lambda n, d: (
        f"{n} answer{'s' if n != 1 else ''} fitted another request than "
        f"{'their' if n != 1 else 'its'} own; first: {d}")),
    "capabilities": ("bad_capabilities", lambda n, d: d),
}


# --------------------------------------------------------------------------
# A run
# --------------------------------------------------------------------------

#: The parameters that may tell refused vectors apart, in the order tried
#: when several tell them equally well.
_REFUSAL_PARAMS = ("key_bits", "tag_len", "iv_len", "tag_cut", "data_len",
                   "aad_len", "pt_len", "length", "salt_len", "password_len",
                   "ikm_len", "info_len", "prk_len", "iterations",
                   "key1_eq_key2", "partial_block")


def _value_groups(values) -> str:
    """Sorted integers with runs of consecutive ones joined: "1..7, 129,
    256"; at most eight groups are written out."""
    vs = sorted(values)
    groups = []
    for v in vs:
        if groups and v == groups[-1][1] + 1:
            groups[-1][1] = v
        else:
            groups.append([v, v])
    text = [f"{a}" if a == b else f"{a}..{b}" for a, b in groups]
    if len(text) > 8:
        return ", ".join(text[:6]) + f", ... ({len(vs)} values up to {vs[-1]})"
    return ", ".join(text)


def describe_refusals(refused: list, answered: list) -> str:
    """What the vectors an implementation refused (``refused``: their
    params dicts) have that none it answered (``answered``) has, as
    "tag lengths 4, 8 (bytes)" or "key size 192 (bits), or IV lengths
    1..7 (bytes)": for each parameter the values found only among the
    refused; the parameter that accounts for the most refused vectors
    first, then the next for the rest (at most three). Refused vectors no
    parameter tells apart are counted as such. Derived from the vectors,
    not guessed."""
    left = list(range(len(refused)))
    parts = []
    while left and len(parts) < 3:
        best = None
        for p in _REFUSAL_PARAMS:
            seen = {a.get(p) for a in answered if a.get(p) is not None}
            only = {refused[i].get(p) for i in left
                    if refused[i].get(p) is not None} - seen
            if p in ("key1_eq_key2", "partial_block"):
                only &= {True}
            elif any(isinstance(v, bool) for v in only):
                continue
            cover = [i for i in left if refused[i].get(p) in only]
            if cover and (best is None or len(cover) > len(best[2])):
                best = (p, only, cover)
        if best is None:
            break
        p, only, cover = best
        one, many, unit = V.PARAM_WORDS.get(p, (p, p, None))
        if p in ("key1_eq_key2", "partial_block"):
            parts.append(one)
        else:
            parts.append(f"{one if len(only) == 1 else many} "
                         f"{_value_groups(only)}" + (f" ({unit})" if unit else ""))
        cover = set(cover)
        left = [i for i in left if i not in cover]
    text = ", or ".join(parts)
    if left:
        n = len(left)
        rest = (f"{n} vector{'s' if n != 1 else ''} that no parameter tells "
                "apart from those it answered")
        text = f"{text}, and {rest}" if text else rest
    return text


#: The file column of the runner's failures about announced operations.
_CAPS_FILE = "(capabilities)"


def _exact_case(c) -> bool:
    """A check that passes only with exact bytes (or a frame) of an
    operation of the implementation: not a refusal, a derived tag cut, XTS
    with Key1 == Key2, nor a request check or an adapter's output (a
    request check passes with INVALID_ARGUMENT or UNSUPPORTED_OP alone,
    so an adapter that computes nothing passes them)."""
    if layer_of(c) == "request":
        return False
    if not c.primitive:
        return True
    p = c.params or {}
    return not (p.get("check") == "refuse" or p.get("key1_eq_key2")
                or c.derived == V.TAG_CUT)


class Row:
    __slots__ = ("layer", "algo", "file", "derived", "passed", "failed",
                 "skipped", "reasons", "order", "not_applicable")

    def __init__(self, algo, file, order, layer="frame", derived=None):
        self.algo, self.file, self.order = algo, file, order
        self.layer, self.derived = layer, derived
        self.passed = self.failed = self.skipped = 0
        #: Of ``skipped``, those whose operations the implementation does
        #: not announce (V.Skipped.not_applicable).
        self.not_applicable = 0
        self.reasons = collections.Counter()

    @property
    def label(self) -> str:
        """The algorithm column: the algorithm, and the derived checks'
        kind ("AES-128-GCM (tag cut)")."""
        return f"{self.algo} ({self.derived})" if self.derived else self.algo


class Run:
    """Accumulates results of one runner invocation."""

    def __init__(self, args, impl, vectors_dir, sets=()):
        self.args = args
        self.impl = impl
        self.vectors_dir = vectors_dir
        self.sets = list(sets)
        self.rows: dict = {}
        self.failures: list = []    # (case, Failure, request lines)
        self.results: list = []     # CaseResult of every check, in order
        self.ignored: list = []
        self.notes: list = []       # (case, note) of cases passed with one
        self.random_label = None
        self.random_cases = 0
        self.diagnoses: dict = {}   # id(Failure) -> Diagnosis
        self.primitive_findings: list = []   # diagnose.PrimitiveFinding
        self.diagnosed = False
        self._finished = False
        self.started = time.time()
        self._progress_t = 0.0
        self._progress_on = bool(args.progress) or (
            args.progress is None and sys.stderr.isatty() and not args.quiet)

    # ---- bookkeeping -------------------------------------------------------

    def finish(self) -> None:
        """Once the cases ran: the primitive refusals (NOT_SUPPORTED) are
        summed up per operation by what the refused vectors have that no
        answered vector has (:func:`describe_refusals`), and the rows'
        skip reasons say so ("NOT_SUPPORTED by the implementation:
        aes_gcm_open for tag lengths 4, 8 (bytes)"); each result keeps
        its own vector's parameters."""
        if self._finished:
            return
        self._finished = True
        refused = collections.OrderedDict()
        answered = collections.defaultdict(list)
        for r in self.results:
            c = r.case
            if c is None or not c.primitive or not c.params:
                continue
            if r.skipped and r.message.startswith(V.PRIM_NOT_SUPPORTED):
                op = r.message[len(V.PRIM_NOT_SUPPORTED):].split(" ", 1)[0]
                refused.setdefault(op, []).append(r)
            elif r.passed:
                for op in c.ops:
                    answered[op].append(c.params)
            elif r.failed and r.failure is not None:
                op = (r.failure.extra or {}).get("operation")
                if op in c.ops:
                    answered[op].append(c.params)
        for op, rs in refused.items():
            text = describe_refusals([r.case.params for r in rs], answered[op])
            new = f"{V.PRIM_NOT_SUPPORTED}{op} for {text}"
            for r in rs:
                row = self.case_row(r.case)
                row.reasons[r.message] -= 1
                if row.reasons[r.message] <= 0:
                    del row.reasons[r.message]
                row.reasons[new] += 1

    def row(self, algo, file, layer="frame", derived=None) -> Row:
        k = (layer, algo, file, derived)
        r = self.rows.get(k)
        if r is None:
            r = self.rows[k] = Row(algo, file, len(self.rows), layer, derived)
        return r

    def case_row(self, case: V.Case) -> Row:
        return self.row(case.algo, case.file, layer_of(case), case.derived)

    def record(self, case: V.Case, result, requests=(),
               duration=None) -> None:
        """Counts a check; a failure keeps the request lines it sent."""
        self.results.append(CaseResult.from_check(
            case, result, requests if isinstance(result, V.Failure) else (),
            duration))
        r = self.case_row(case)
        if result is None:
            r.passed += 1
        elif isinstance(result, V.Passed):
            r.passed += 1
            self.notes.append((case, result.note))
        elif isinstance(result, V.Skipped):
            r.skipped += 1
            r.not_applicable += bool(result.not_applicable)
            r.reasons[result.reason] += 1
        else:
            r.failed += 1
            self.failures.append((case, result, list(requests)))

    def record_protocol(self, events) -> None:
        """The adapter's output problems, each once, first among the
        failures."""
        first = []
        for kind, n, detail in events:
            fkind, text = _PROTOCOL.get(kind, (kind, lambda n, d: d))
            case = V.Case(_PROTOCOL_FILE, "JSON lines", kind,
                          "answers must stay in step with requests"
                          if kind != "capabilities" else
                          'the answer to {"op":"capabilities"}', "output")
            self.case_row(case).failed += 1
            fl = V.Failure(fkind, text(n, detail))
            first.append((case, fl, []))
            self.results.append(CaseResult.from_check(case, fl))
        self.failures[:0] = first

    def diagnose(self, impl=None) -> None:
        """Names the likely cause of every failure
        (:mod:`chanenc.conform.diagnose`), at most --diagnose-sample per
        file and mode; nothing to do when nothing failed or with
        --no-diagnose. ``impl``: asked for derive when a failure is
        unexplained (the implementation under test, still open)."""
        if self.diagnosed or not self.failures or getattr(self.args, "no_diagnose", False):
            return
        self.diagnosed = True
        sample = getattr(self.args, "diagnose_sample", DEFAULT_SAMPLE)
        todo = [(c, fl, rq) for c, fl, rq in self.failures
                if id(fl) not in self.diagnoses]
        for (c, fl, rq), d in zip(todo, diagnose_failures(todo, impl, sample)):
            if d is not None:
                self.diagnoses[id(fl)] = d
        # The primitive layer: what the failing vectors have in common,
        # and the frame failures of the modes that use the primitive.
        self.primitive_findings, pdiag = diagnose_primitives(self.results,
                                                             self.diagnoses)
        self.diagnoses.update(pdiag)
        for r in self.results:
            if r.failure is not None and id(r.failure) in self.diagnoses:
                r.diagnosis = self.diagnoses[id(r.failure)]

    def case_results(self) -> list:
        """Every check's :class:`CaseResult`, in the order run, with
        :attr:`CaseResult.name` set (unique within file and mode)."""
        todo = [r for r in self.results if not r.name]
        if todo:
            names = case_names(r.case for r in self.results)
            for r, n in zip(self.results, names):
                r.name = n
        return self.results

    def write_junit(self, path: str) -> None:
        """JUnit XML of the run (:func:`chanenc.conform.results.write_junit`)."""
        props = {"implementation": self.impl.description,
                 "vectors_dir": self.vectors_dir or ""}
        if self.random_label is not None:
            props["random_seed"] = self.args.seed
        write_junit(self.case_results(), path, properties=props)

    def random_totals(self):
        """(passed, failed, skipped, failed cases) of the random pass."""
        rows = [r for r in self.rows.values() if r.file == self.random_label]
        ids = {c.id for c, _, _ in self.failures if c.file == self.random_label}
        return (sum(r.passed for r in rows), sum(r.failed for r in rows),
                sum(r.skipped for r in rows), len(ids))

    @property
    def totals(self):
        p = sum(r.passed for r in self.rows.values())
        f = sum(r.failed for r in self.rows.values())
        s = sum(r.skipped for r in self.rows.values())
        return p, f, s

    def progress(self, text: str, force: bool = False) -> None:
        if not self._progress_on:
            return
        now = time.monotonic()
        if not force and now - self._progress_t < 0.2:
            return
        self._progress_t = now
        if sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K" + text[:150])
        else:
            sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def progress_done(self) -> None:
        if self._progress_on and sys.stderr.isatty():
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    # ---- output ------------------------------------------------------------

    def exit_status(self) -> int:
        """0 when nothing failed and at least one check passed with exact
        bytes or a frame (refusals alone, NOT_SUPPORTED skips, do not
        make a conforming implementation)."""
        p, f, _ = self.totals
        return 0 if f == 0 and p > 0 and self.exact_passes() > 0 else 1

    def exit_reason(self) -> str | None:
        """Why the exit status is 1 though nothing failed (None when it
        is 0, or when something failed)."""
        p, f, _ = self.totals
        if f or self.exit_status() == 0:
            return None
        if not p:
            return "nothing passed"
        return ("no check of an operation of the implementation passed with "
                "exact bytes: refusals, derived tag cuts and request checks "
                "alone do not make a conforming implementation")

    def exact_passes(self) -> int:
        return sum(1 for r in self.results
                   if r.passed and r.case is not None and _exact_case(r.case))

    def announced_ops(self) -> frozenset:
        """Every operation the implementation announced (frame, SFrame and
        primitive names; the frame operations for one that announces
        nothing, which is taken to have them)."""
        from .impls import FRAME_OPS
        impl = self.impl
        ops = impl.operations()
        out = set(FRAME_OPS) if ops is None else set(ops)
        # what was learnt during the run: asking again would restart a
        # closed adapter
        known = getattr(impl, "announced", None)
        if known is None and impl.kind not in ("adapter", "lib"):
            known = impl.capabilities()     # in process: nothing to restart
        return frozenset(out | set(known or ()))

    def check_announced(self) -> None:
        """Once the cases ran, an announced operation fails once, in a
        row of its own (file ``(capabilities)``), when the run had checks
        of it and none exercised it with exact bytes, nor failed:

        - every check of exact bytes of it was answered NOT_SUPPORTED
          (kind ``not_supported_required``);
        - or every such check also needs an operation that is not
          announced (``aes_gcm_seal`` without ``aes_gcm_open``,
          ``sframe_protect`` without ``sframe_unprotect``, ``protect``
          without ``unprotect``), so that none could run (kind
          ``not_exercised``): an announced operation is one the
          implementation says it answers, and a run that never checked
          its bytes must not pass for it."""
        from .impls import FRAME_OPS, SFRAME_OPS
        announced = self.announced_ops()
        had, exact, failed = set(), set(), set()
        blocked = collections.OrderedDict()   # op -> [count, {missing}]
        for r in self.results:
            c = r.case
            if c is None:
                continue
            if c.primitive and c.ops:
                need = tuple(c.ops)
            elif layer_of(c) == "sframe" and c.run is not None:
                need = SFRAME_OPS
            elif c.frame_ops and layer_of(c) == "frame":
                need = FRAME_OPS
            else:
                continue
            if r.failed:
                failed.update(need)
                continue
            if r.passed:
                if _exact_case(c):
                    exact.update(need)
                continue
            if r.skipped and r.message.startswith("not implemented by"):
                missing = [o for o in need if o not in announced]
                there = [o for o in need if o in announced]
                if missing and there and _exact_case(c):
                    for o in there:
                        b = blocked.setdefault(o, [0, set()])
                        b[0] += 1
                        b[1].update(missing)
                continue
            if not c.primitive:
                continue
            if r.skipped and not r.message.startswith(V.PRIM_NOT_SUPPORTED):
                continue        # not announced, or skipped by the runner
            if not _exact_case(c):
                continue
            had.update(c.ops)
        for op in sorted(had - exact - failed):
            case = V.Case(_CAPS_FILE, "capabilities", op,
                          f"announced {op} but answered none of its vectors "
                          "with bytes", "capabilities", primitive=True,
                          params={"prim": op})
            fl = V.Failure("not_supported_required",
                           f"{op}: announced in the capabilities, but every "
                           "vector of it was answered NOT_SUPPORTED (none with "
                           "exact bytes)", extra={"operation": op})
            self.record(case, fl)
        for op, (n, missing) in blocked.items():
            if op in exact or op in failed or op in had:
                continue
            miss = ", ".join(sorted(missing))
            case = V.Case(_CAPS_FILE, "capabilities", op,
                          f"announced {op} but no check could exercise it",
                          "capabilities", primitive=op not in FRAME_OPS + SFRAME_OPS,
                          params={"prim": op},
                          layer=("sframe" if op in SFRAME_OPS else "frame"
                                 if op in FRAME_OPS else None))
            fl = V.Failure("not_exercised",
                           f"{op}: announced in the capabilities, but no check "
                           f"could exercise it: its {n:,} check"
                           f"{'s' if n != 1 else ''} of exact bytes also "
                           f"need{'s' if n == 1 else ''} {miss}, which "
                           f"{'is' if len(missing) == 1 else 'are'} not "
                           "announced; announce both or neither",
                           extra={"operation": op, "missing": miss})
            self.record(case, fl)

    def text_report(self, out) -> None:
        self.finish()
        args = self.args
        p, f, s = self.totals
        if not args.quiet:
            self._print_failures(out)
            self._print_table(out)
            self._print_skips(out)
            self._print_notes(out)
            self._print_random(out)
            self._print_diagnoses(out)
        status = self.exit_status()
        note = "" if p or f else " (nothing ran)"
        rnd = ""
        if self.random_label is not None:
            rnd = (f"; random pass: {self.random_cases} "
                   f"case{'s' if self.random_cases != 1 else ''}, seed {args.seed}")
        na, na_layers = self.not_applicable()
        if na:
            # what did not apply apart from the genuine skips (issue 14
            # item 13): a frame-only adapter's 46,000 primitive and SFrame
            # checks would drown the real result
            # a request check is not applicable when it needs protect or
            # unprotect: the frame operations are the ones not announced
            words = []
            for x in na_layers:
                x = "frame" if x == "request" else x
                if x not in words:
                    words.append(x)
            note += (f"; not applicable: {na:,} ({_and(words)} operations "
                     "not announced)")
        why = self.exit_reason()
        why = f": {why}" if why and (p or f) else ""
        print(f"conformance: {p} passed, {f} failed, {s - na} skipped{note} "
              f"(exit status {status}{why}{rnd})", file=out)

    def not_applicable(self):
        """(count, layers) of the checks skipped because the
        implementation does not announce their operations."""
        n, layers = 0, []
        for r in sorted(self.rows.values(), key=lambda r: r.order):
            if r.not_applicable:
                n += r.not_applicable
                if r.layer not in layers:
                    layers.append(r.layer)
        order = ("frame", "primitive", "sframe", "request")
        layers.sort(key=lambda x: order.index(x) if x in order else len(order))
        return n, layers

    def _print_diagnoses(self, out) -> None:
        ds = [self.diagnoses.get(id(fl)) for _, fl, _ in self.failures]
        lines = summary_lines([d for d in ds if d is not None],
                              getattr(self.args, "diagnose_sample", DEFAULT_SAMPLE))
        lines += primitive_summary_lines(self.primitive_findings)
        if lines:
            for line in lines:
                print(line, file=out)
            print(file=out)

    def _print_notes(self, out) -> None:
        """Cases that passed one of two allowed ways, and which (XTS with
        Key1 == Key2 refused or accepted, per direction)."""
        if not self.notes:
            return
        limit = None if self.args.verbose else self.args.max_failures
        shown = self.notes if limit is None else self.notes[:limit]
        print(f"notes ({len(self.notes)} passed case"
              f"{'s' if len(self.notes) != 1 else ''} worth knowing about):",
              file=out)
        for case, note in shown:
            where = f"{case.file}" + (f" line {case.line}" if case.line and
                                      f"line {case.line}" not in case.id else "")
            print(f"  {where}  id {case.id}  [{case.algo}]: {note}", file=out)
        if len(shown) < len(self.notes):
            print(f"  ... {len(self.notes) - len(shown)} more (--verbose or "
                  "--json REPORT)", file=out)
        print(file=out)

    def _print_random(self, out) -> None:
        if self.random_label is None:
            return
        p, f, s, fc = self.random_totals()
        seed = self.args.seed
        failed = f"{f} failed in {fc} case{'s' if fc != 1 else ''}" if f else "0 failed"
        print(f"random pass: {self.random_cases} case"
              f"{'s' if self.random_cases != 1 else ''} (seed {seed}), "
              f"{p + f + s} checks: {p} passed, {failed}, {s} skipped", file=out)
        if f:
            print(f"  replay one case: --seed {seed} --random-case K (K from "
                  "its id #K)", file=out)
        print(file=out)

    def _print_failures(self, out) -> None:
        if not self.failures:
            return
        limit = None if self.args.verbose else self.args.max_failures
        shown = self.failures if limit is None else self.failures[:limit]
        print(f"FAILURES ({len(self.failures)}):", file=out)
        for case, fl, reqs in shown:
            print(file=out)
            for line in self.describe_failure(case, fl, reqs,
                                              full=self.args.verbose,
                                              diagnosis=self.diagnoses.get(id(fl))):
                print(line, file=out)
        if len(shown) < len(self.failures):
            print(f"\n... {len(self.failures) - len(shown)} more failures not "
                  "shown (use --verbose, --max-failures N or --json REPORT)",
                  file=out)
        print(file=out)

    @staticmethod
    def describe_failure(case: V.Case, fl: V.Failure, requests=(),
                         full: bool = False, diagnosis=None) -> list:
        """The text of a failure; ``requests`` (the lines sent) in full
        when ``full``, else with long values cut; the ``diagnosis`` line
        (a :class:`~chanenc.conform.diagnose.Diagnosis`) when given."""
        layer = layer_of(case)
        lines = [f"FAIL {case.file}  id {case.id}  [{case.algo}, {case.op}]  "
                 f"({layer} layer)"]
        if case.line:
            lines.append(f"  vector:   {case.file} line {case.line}")
        if case.comment:
            lines.append(f"  comment:  {case.comment}")
        lines.append(f"  mismatch: {fl.kind}" + (f": {fl.message}" if fl.message else ""))
        e, a = fl.expected, fl.actual
        if isinstance(e, (bytes, bytearray)) and isinstance(a, (bytes, bytearray)):
            lines += ["  " + x for x in hex_window(bytes(e), bytes(a))]
        else:
            for name, v in (("expected", e), ("actual", a)):
                if isinstance(v, (bytes, bytearray)):
                    h = bytes(v[:32]).hex(" ")
                    more = " ..." if len(v) > 32 else ""
                    lines.append(f"  {name + ':':10s}{len(v)} bytes: {h}{more}")
                elif v is not None:
                    lines.append(f"  {name + ':':10s}{v}")
        for k, v in fl.extra.items():
            if v is not None and not k.startswith("_"):
                lines.append(f"  {k}: {v}")
        for req in requests:
            lines.append(f"  {'request:':10s}{req if full else short_request(req)}")
        if diagnosis is not None and diagnosis.text:
            lines.append(f"  diagnosis: {diagnosis.text}")
        return lines

    def _table_rows(self) -> list:
        """The rows of the text table, in order: without -v, the rows of
        a layer in which nothing ran (every case skipped: files of
        operations the implementation does not announce, such as the
        primitive and SFrame files for a frame-only adapter) are folded
        into one row per layer when there are two or more, so that what
        did run is what the eye meets (the skipped-cases list says why;
        the JSON report keeps every row)."""
        rows = sorted(self.rows.values(), key=lambda r: r.order)
        if getattr(self.args, "verbose", False):
            return rows
        idle = collections.defaultdict(list)
        for r in rows:
            if not r.passed and not r.failed and r.skipped:
                idle[r.layer].append(r)
        out, done = [], set()
        for r in rows:
            group = idle.get(r.layer, ())
            if len(group) < 2 or r not in group:
                out.append(r)
            elif r.layer not in done:
                done.add(r.layer)
                n = len({x.file for x in group})
                f = Row("(nothing run)", f"{n} file{'s' if n != 1 else ''}, "
                        "nothing run: see skipped cases", r.order, r.layer)
                f.skipped = sum(x.skipped for x in group)
                out.append(f)
        return out

    def _print_table(self, out) -> None:
        rows = self._table_rows()
        if not rows:
            return
        w_layer = max(len("layer"), *(len(r.layer) for r in rows))
        w_algo = max(len("mode / algorithm"), *(len(r.label) for r in rows))
        w_file = max(len("file"), *(len(r.file) for r in rows))
        head = (f"{'layer':<{w_layer}}  {'mode / algorithm':<{w_algo}}  "
                f"{'file':<{w_file}}  {'passed':>7}  {'failed':>7}  {'skipped':>7}")
        print(head, file=out)
        print("-" * len(head), file=out)
        for r in rows:
            mark = "  <-- FAILED" if r.failed else ""
            print(f"{r.layer:<{w_layer}}  {r.label:<{w_algo}}  {r.file:<{w_file}}  "
                  f"{r.passed:>7}  {r.failed:>7}  {r.skipped:>7}{mark}", file=out)
        print("-" * len(head), file=out)
        layers = self.layer_totals()
        if len(layers) > 1:
            for name, (p, f, s) in layers.items():
                print(f"{name:<{w_layer}}  {'(layer total)':<{w_algo}}  "
                      f"{'':<{w_file}}  {p:>7}  {f:>7}  {s:>7}", file=out)
        p, f, s = self.totals
        print(f"{'total':<{w_layer}}  {'':<{w_algo}}  {'':<{w_file}}  {p:>7}  "
              f"{f:>7}  {s:>7}", file=out)
        print(file=out)

    def layer_totals(self) -> dict:
        """{layer: (passed, failed, skipped)} in the order of the rows."""
        out: dict = {}
        for r in sorted(self.rows.values(), key=lambda r: r.order):
            p, f, s = out.get(r.layer, (0, 0, 0))
            out[r.layer] = (p + r.passed, f + r.failed, s + r.skipped)
        return out

    def _print_skips(self, out) -> None:
        reasons = collections.Counter()
        where = collections.defaultdict(set)
        for r in self.rows.values():
            for reason, n in r.reasons.items():
                reasons[reason] += n
                where[reason].add(r.file)
        if not reasons:
            return
        print("skipped cases:", file=out)
        for reason, n in reasons.most_common():
            files = sorted(where[reason])
            loc = files[0] if len(files) == 1 else f"{len(files)} files"
            print(f"  {n:>6}  {reason} [{loc}]", file=out)
        if self.args.verbose and self.ignored:
            print("not vector files (ignored): " + ", ".join(self.ignored), file=out)
        print(file=out)

    def json_report(self) -> dict:
        self.finish()
        p, f, s = self.totals
        a = self.args
        return {
            "format": "chanenc-conform-report/1",
            "implementation": {"kind": self.impl.kind,
                               "description": self.impl.description,
                               "describe": getattr(self.impl, "describe_text", None),
                               "adapter": a.adapter, "lib": a.lib},
            "vectors_dir": self.vectors_dir,
            "vector_sets": {loc.vset.name: {"dir": loc.dir, "from": loc.source,
                                            "skipped": loc.skip}
                            for loc in self.sets},
            "started": datetime.datetime.fromtimestamp(
                self.started, datetime.timezone.utc).isoformat(),
            "duration_s": round(time.time() - self.started, 3),
            "filters": {"mode": a.mode, "file": a.file},
            "random": self._json_random(),
            # "skipped" counts every check that did not run, as before;
            # "not_applicable" those of them whose operations the
            # implementation does not announce (in "not_applicable_layers").
            "summary": {"passed": p, "failed": f, "skipped": s,
                        "not_applicable": self.not_applicable()[0],
                        "not_applicable_layers": self.not_applicable()[1],
                        "exit_status": self.exit_status(),
                        "exit_reason": self.exit_reason()},
            "layers": {name: {"passed": p_, "failed": f_, "skipped": s_,
                              "not_applicable": self._layer_na(name)}
                       for name, (p_, f_, s_) in self.layer_totals().items()},
            "capabilities": self._json_capabilities(),
            "rows": [{"layer": r.layer, "algorithm": r.algo, "derived": r.derived,
                      "file": r.file, "passed": r.passed,
                      "failed": r.failed, "skipped": r.skipped,
                      "not_applicable": r.not_applicable,
                      "skip_reasons": dict(r.reasons)}
                     for r in sorted(self.rows.values(), key=lambda r: r.order)],
            "failures": [self._json_failure(c, fl, rq, self.diagnoses.get(id(fl)))
                         for c, fl, rq in self.failures],
            "notes": [{"layer": layer_of(c), "file": c.file, "line": c.line,
                       "algorithm": c.algo, "id": c.id, "note": n}
                      for c, n in self.notes],
            "diagnoses": summary_map(self.diagnoses.get(id(fl))
                                     for _, fl, _ in self.failures),
            "primitive_diagnosis": [x.to_dict() for x in self.primitive_findings],
            "ignored_files": self.ignored,
        }

    def _layer_na(self, layer) -> int:
        return sum(r.not_applicable for r in self.rows.values()
                   if r.layer == layer)

    def _json_capabilities(self):
        """The primitive operations the implementation announced (null
        when none was asked: no primitive case ran)."""
        impl = self.impl
        known = getattr(impl, "announced", None)
        if impl.kind == "reference":
            known = impl.capabilities()
        if known is None:
            return None
        ops = impl.operations()
        return {"ops": sorted(known),
                "operations": sorted(ops) if ops is not None else None,
                "frame_missing": impl.missing_frame_ops(),
                "note": getattr(impl, "capabilities_note", "") or None}

    def _json_random(self):
        a = self.args
        if self.random_label is None:
            return None
        p, f, s, fc = self.random_totals()
        return {"cases": a.random, "seed": a.seed, "only_case": a.random_case,
                "cases_run": self.random_cases,
                "checks": {"passed": p, "failed": f, "skipped": s},
                "failed_cases": fc}

    @staticmethod
    def _json_failure(case: V.Case, fl: V.Failure, requests=(),
                      diagnosis=None) -> dict:
        d = {"layer": layer_of(case), "file": case.file, "line": case.line,
             "algorithm": case.algo, "derived": case.derived, "mode": case.mode,
             "id": case.id, "comment": case.comment, "op": case.op,
             "kind": fl.kind, "message": fl.message,
             "expected": _json_value(fl.expected),
             "actual": _json_value(fl.actual)}
        if isinstance(fl.expected, (bytes, bytearray)) and isinstance(
                fl.actual, (bytes, bytearray)):
            d["first_difference"] = V.first_difference(bytes(fl.expected),
                                                       bytes(fl.actual))
        if fl.extra:
            d["extra"] = {k: v for k, v in fl.extra.items()
                          if v is not None and not k.startswith("_")}
        # The lines sent, exactly as an adapter reads them (a JSON string
        # each): `jq -r '.failures[0].requests[]' REPORT | ADAPTER`.
        d["requests"] = list(requests)
        d["diagnosis"] = diagnosis.to_dict() if diagnosis is not None else None
        return d


# --------------------------------------------------------------------------
# Filters
# --------------------------------------------------------------------------

class ModeFilter:
    """--mode: CE1 modes by id, name or mode string; algorithms by label
    (case-insensitive glob, or substring without glob characters)."""

    def __init__(self, specs):
        import chanenc
        self.active = bool(specs)
        self.modes = set()
        self.patterns = []
        for spec in specs or []:
            for item in filter(None, (x.strip() for x in spec.split(","))):
                try:
                    m = chanenc.mode_id(item)
                    if m in chanenc.MODES:
                        self.modes.add(m)
                        continue
                except (ValueError, TypeError):
                    pass
                self.patterns.append(item.lower())

    def _label(self, label: str) -> bool:
        label = label.lower()
        for p in self.patterns:
            if any(ch in p for ch in "*?["):
                if fnmatch.fnmatchcase(label, p):
                    return True
            elif p in label:
                return True
        return False

    def case(self, case: V.Case) -> bool:
        if not self.active:
            return True
        if case.mode is not None and case.mode in self.modes:
            return True
        return self._label(case.algo)

    def ce1_modes(self) -> set:
        import chanenc
        if not self.active:
            return {m for m, i in chanenc.MODES.items()}
        return {m for m, i in chanenc.MODES.items()
                if m in self.modes or self._label(i.name)}


def _file_match(rel: str, pats) -> bool:
    if not pats:
        return True
    base = os.path.basename(rel)
    for p in pats:
        if fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(base, p) or \
                (not any(ch in p for ch in "*?[") and p in rel):
            return True
    return False


# --------------------------------------------------------------------------
# Vectors directory
# --------------------------------------------------------------------------

def default_vectors_dir() -> str | None:
    """--vectors default: $CE_VECTORS_DIR, the build tree's vectors, the
    installed share/chanenc/vectors, or a vectors/ directory above the
    package."""
    env = os.environ.get("CE_VECTORS_DIR")
    if env:
        return env
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        from .. import _buildinfo as bi
        if bi.VECTORS_DIR and os.path.isdir(bi.VECTORS_DIR):
            return bi.VECTORS_DIR
        if bi.VECTORS_REL:
            p = os.path.normpath(os.path.join(here, bi.VECTORS_REL))
            if os.path.isdir(p):
                return p
    except ImportError:
        pass
    d = here
    for _ in range(6):
        d = os.path.dirname(d)
        cand = os.path.join(d, "vectors")
        if os.path.isdir(cand):
            return cand
    return None


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------

def build_parser(prog=None) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog=prog, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_argument_group("implementation under test (default: the reference)")
    x = g.add_mutually_exclusive_group()
    x.add_argument("--adapter", metavar="COMMAND",
                   help="process adapter command line (JSON lines on stdin/stdout)")
    x.add_argument("--lib", metavar="PATH.so",
                   help="shared library with the C ABI: ce1_impl_protect/"
                        "ce1_impl_unprotect and/or the primitive symbols of "
                        "tools/ce1_prim.h")
    g.add_argument("--in-process", action="store_true",
                   help="with --lib: load the library into the runner (faster, "
                        "but a crash ends the run) instead of a worker process")
    g.add_argument("--timeout", type=float, default=10.0, metavar="SECONDS",
                   help="answer timeout per adapter request (default 10)")
    s = ap.add_argument_group("what to run")
    s.add_argument("--vectors", metavar="DIR",
                   help="the project's vectors directory, CE1 frame files and "
                        "vectors/std/ (default: $CE_VECTORS_DIR or the "
                        "repository's vectors/)")
    for vs in V.STANDARD_SETS:
        where = (vs.default if vs.default else
                 "../shared/vectors/wycheproof beside the source tree, "
                 "skipped when absent")
        pkg = f", Debian package {vs.package}" if vs.package else ""
        s.add_argument(vs.option, metavar="DIR",
                       dest=vs.name + "_dir",
                       help=f"{vs.title} directory{pkg} (default: "
                            f"${vs.env} or {where})")
    s.add_argument("--sframe-vectors", metavar="DIR",
                   help="the working group's RFC 9605 SFrame vectors, read in "
                        "place (default: $CE_SFRAME_VECTORS_DIR or "
                        "../shared/vectors/sframe beside the source tree, "
                        "skipped when absent)")
    s.add_argument("--layer", action="append", metavar="LAYER",
                   help="only these layers: frame, primitive, sframe, request "
                        "(repeatable, comma-separated; default: all)")
    s.add_argument("--mode", action="append", metavar="MODE",
                   help="only these CE1 modes (id, AES_128_GCM2, aes-128-gcm-2) "
                        "or algorithms (AES-128-GCM, 'pbkdf2*', sm4); repeatable, "
                        "comma-separated")
    s.add_argument("--file", action="append", metavar="PATTERN",
                   help="only vector files whose relative path or name matches "
                        "(glob or substring); repeatable")
    s.add_argument("--no-vectors", action="store_true",
                   help="skip the vector files (run only the random pass)")
    s.add_argument("--random", type=int, default=0, metavar="N",
                   help="differential pass: N random cases (configs, payloads, "
                        "corrupted frames) compared with the reference; the "
                        "reference itself is compared with an independent "
                        "Python implementation (default 0)")
    s.add_argument("--seed", default=None, metavar="S",
                   help="seed of the random pass (default: random; printed "
                        "in the summary line, also with -q)")
    s.add_argument("--random-case", type=int, default=None, metavar="K",
                   help="replay only random case K of --seed S")
    s.add_argument("--list", action="store_true",
                   help="list the vector files and their case counts, run nothing")
    o = ap.add_argument_group("output")
    o.add_argument("--json", metavar="REPORT", help="write a JSON report")
    o.add_argument("--junit", metavar="FILE",
                   help="write a JUnit XML report (one testsuite per vector "
                        "file, one testcase per check)")
    pr = o.add_mutually_exclusive_group()
    pr.add_argument("--progress", action="store_true", default=None,
                    help="progress on stderr even when it is not a terminal")
    pr.add_argument("--no-progress", dest="progress", action="store_false",
                    help="no progress line")
    v = o.add_mutually_exclusive_group()
    v.add_argument("-q", "--quiet", action="store_true",
                   help="print only the summary line (with the random "
                        "pass's seed)")
    v.add_argument("-v", "--verbose", action="store_true",
                   help="print every failure with its requests in full, "
                        "and the ignored files")
    o.add_argument("--max-failures", type=int, default=20, metavar="N",
                   help="failures printed in full (default 20; --json has all)")
    dg = o.add_mutually_exclusive_group()
    dg.add_argument("--diagnose-sample", type=int, default=DEFAULT_SAMPLE,
                    metavar="N",
                    help="diagnosis: replay at most N failures per file and "
                         "mode through the catalogue of known deviations "
                         f"(docs/conformance.md; default {DEFAULT_SAMPLE})")
    dg.add_argument("--no-diagnose", action="store_true",
                    help="no diagnosis lines or summary")
    return ap


def _make_impl(args):
    if args.adapter:
        return ProcessAdapter(args.adapter, timeout=args.timeout)
    if args.lib:
        if not os.path.exists(args.lib):
            raise OSError(f"no such library: {args.lib}")
        if args.in_process:
            return InProcessLib(args.lib)
        return lib_adapter(args.lib, timeout=args.timeout)
    return Reference()


def program_name() -> str:
    """The name the runner was started by, for its usage and error lines:
    $CE_CONFORM_PROG (scripts/conform.sh sets it to its own name), else
    the script's name (chanenc-conform), else ``python3 -m
    chanenc.conform``."""
    env = os.environ.get("CE_CONFORM_PROG")
    if env:
        return env
    prog = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if prog in (None, "", "__main__.py", "-c", "-m"):
        prog = "python3 -m chanenc.conform"
    return prog


def main(argv=None, prog=None) -> int:
    """Runs the conformance runner; returns the exit status."""
    try:
        return _main(argv, prog)
    except BrokenPipeError:
        # Output piped into `head` or similar: stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv, prog) -> int:
    if prog is None:
        prog = program_name()
    ap = build_parser(prog)
    args = ap.parse_args(argv)
    if args.timeout <= 0:
        ap.error("--timeout must be positive")
    if args.random < 0:
        ap.error("--random must be >= 0")
    if args.random_case is not None and args.seed is None:
        ap.error("--random-case needs --seed")
    if args.in_process and not args.lib:
        ap.error("--in-process needs --lib")
    if args.adapter is not None and not args.adapter.strip():
        ap.error("--adapter: empty command")
    if args.diagnose_sample < 0:
        ap.error("--diagnose-sample must be >= 0")
    bad = _layers(args) - set(LAYERS)
    if bad:
        ap.error(f"--layer: unknown layer {', '.join(sorted(bad))} "
                 f"(choose from {', '.join(LAYERS)})")

    vdir = args.vectors or default_vectors_dir()
    sets = []
    if not args.no_vectors:
        if not vdir or not os.path.isdir(vdir):
            ap.error(f"vectors directory not found ({vdir or 'none found'}); "
                     "use --vectors DIR or set CE_VECTORS_DIR")
        vdir = os.path.abspath(vdir)
        try:
            sets = _locate_sets(args)
            if "sframe" in _layers(args):
                from .sframe_runner import layer_files
                layer_files(vdir, args.sframe_vectors)   # a named dir exists
        except (V.VectorSetMissing, OSError) as e:
            print(f"{prog}: error: {e}", file=sys.stderr)
            return 2
    modes = ModeFilter(args.mode)

    if args.list:
        return _list(vdir, sets, args, modes)

    try:
        impl = _make_impl(args)
    except (OSError, ValueError) as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 2
    run = Run(args, impl, vdir, sets)
    out = sys.stdout
    try:
        # What the implementation announces decides which layers run; a
        # library's worker also gives its ce1_impl_describe() (the header).
        impl.prepare()
    except AdapterCannotStart as e:
        impl.close()
        what = ("the library's worker process" if impl.kind == "lib"
                else "the adapter")
        print(f"{prog}: error: {what} cannot start, so nothing was "
              f"checked: {e}", file=sys.stderr)
        return 2
    if not args.quiet:
        desc = impl.description
        if impl.kind == "reference":  # the cipher backend serving each mode
            import chanenc
            by = collections.defaultdict(list)
            for m in chanenc.Mode:
                by[chanenc.backend_for(m)].append(m.name)
            desc += "; modes served by " + ", ".join(
                f"{b} ({', '.join(ms)})" for b, ms in by.items())
        print(f"chanenc-conform: implementation: {desc}", file=out)
        print(f"chanenc-conform: vectors: {vdir if not args.no_vectors else '(not run)'}",
              file=out)
        for loc in sets:
            print(f"chanenc-conform: {loc.vset.name}: "
                  f"{loc.dir or 'not found, skipped'} ({loc.source})", file=out)
        if not args.no_vectors and "sframe" in _layers(args):
            from .sframe_runner import rfc_location
            rdir, how, _ = rfc_location(args.sframe_vectors, vdir)
            found = rdir and os.path.isdir(rdir)
            print(f"chanenc-conform: rfc9605 (SFrame): "
                  f"{rdir if found else 'not found, skipped'} ({how})", file=out)
    try:
        if not args.no_vectors:
            _run_vectors(run, vdir, sets, args, modes)
        if (args.random or args.random_case is not None) and \
                "frame" in _layers(args):
            _run_random(run, args, modes, out)
        if run.failures and not (args.quiet and not args.json and not args.junit):
            # (-q alone prints no failure, so nothing to diagnose for it)
            run.progress("diagnosing the failures", force=True)
            run.diagnose(impl)
    except KeyboardInterrupt:
        run.progress_done()
        print("chanenc-conform: interrupted; partial results follow", file=sys.stderr)
    except AdapterCannotStart as e:
        run.progress_done()
        what = ("the library's worker process" if impl.kind == "lib"
                else "the adapter")
        print(f"{prog}: error: {what} cannot start, so nothing was "
              f"checked: {e}", file=sys.stderr)
        return 2
    finally:
        impl.close()
    events = getattr(impl, "protocol_events", None)
    if events is not None:
        run.record_protocol(events())
    run.check_announced()
    run.progress_done()
    if not args.quiet:
        print(file=out)
    run.text_report(out)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(run.json_report(), f, indent=1)
            f.write("\n")
    if args.junit:
        run.write_junit(args.junit)
    return run.exit_status()


def _locate_sets(args) -> list:
    """The standard vector sets that --file selects, located (an error
    names the package of a missing one)."""
    sets = []
    if "primitive" not in _layers(args):
        return sets
    for vs in V.STANDARD_SETS:
        if not any(_file_match(f"{vs.name}/{p}", args.file) for p, _ in vs.files):
            continue
        sets.append(V.locate(vs, getattr(args, vs.name + "_dir")))
    return sets


#: The layers (--layer): the CE1 frame files and the random pass, the
#: standard primitive vectors, the SFrame files, a process adapter's
#: request checks.
LAYERS = ("frame", "primitive", "sframe", "request")


def _layers(args) -> set:
    """The layers --layer selects (all when not given)."""
    sel = set()
    for spec in getattr(args, "layer", None) or []:
        sel |= {x.strip() for x in spec.split(",") if x.strip()}
    return sel or set(LAYERS)


def _file_layer(rel: str, loc) -> str | None:
    """The layer of a candidate file, when its place tells it."""
    if isinstance(loc, str):
        return "sframe"
    if loc is not None or rel.startswith("std/"):
        return "primitive"
    if rel.startswith("ce1/"):
        return "frame"
    return None


def _candidates(vdir, sets, args) -> list:
    """(path, rel, expected count, set, "sframe" kind or None) of every file
    to read: the vectors directory's files (its sframe/ aside), the
    standard sets' files, then the SFrame files (the project's
    vectors/sframe and the RFC 9605 ones, :func:`sframe_runner.layer_files`).
    A set that was not found stands as one skipped case (path None)."""
    from .sframe_runner import layer_files
    layers = _layers(args)
    cands = [(p, r, None, None) for p, r in V.discover(vdir)
             if _file_match(r, args.file) and not r.startswith("sframe" + os.sep)]
    for loc in sets:
        if loc.dir is None:
            cands.append((None, f"{loc.vset.name}/", None, loc))
            continue
        cands += [(p, r, n, loc) for p, r, n in V.standard_files(loc)
                  if _file_match(r, args.file)]
    if "sframe" in layers:
        cands += [(p, r, None, kind) for kind, p, r in
                  layer_files(vdir, getattr(args, "sframe_vectors", None))
                  if _file_match(r, args.file)]
    return [c for c in cands if _file_layer(c[1], c[3]) in layers | {None}]


def _load(path, rel, expected, loc):
    if isinstance(loc, str):     # an SFrame file
        from .sframe_runner import layer_file_cases
        return V.VectorFile(path or "", rel, "sframe",
                            layer_file_cases(loc, path, rel))
    if loc is None:
        return V.load_file(path, rel)
    return V.load_standard(path, rel, expected, loc)


def _list(vdir, sets, args, modes) -> int:
    for path, rel, expected, loc in _candidates(vdir, sets, args):
        vf = _load(path, rel, expected, loc)
        if vf is None:
            print(f"{'-':>6}  {rel}  (not a vector file)")
            continue
        cases = [c for c in vf.cases if modes.case(c)]
        algos = sorted({c.algo for c in cases})
        print(f"{len(cases):>6}  {rel}  [{vf.kind}] {', '.join(algos)}")
    return 0


def vector_checks(run: Run, impl, vdir: str, sets, args, modes: ModeFilter):
    """Yields (case, check) of every selected vector file (and of the
    request checks for a process adapter), where ``check(impl)`` returns
    None, Passed, Skipped or Failure; files that are no vector files are
    noted in ``run``. Every file applies to every implementation: the
    cases of operations an implementation does not announce are skipped
    when they run (:func:`check_case`)."""
    cands = _candidates(vdir, sets, args)
    layers = _layers(args)
    for i, (path, rel, expected, loc) in enumerate(cands, 1):
        run.progress(f"[{i}/{len(cands)}] {rel}: reading", force=True)
        vf = _load(path, rel, expected, loc)
        if vf is None:
            run.ignored.append(rel)
            continue
        cases = [c for c in vf.cases if modes.case(c) and layer_of(c) in layers]
        for j, c in enumerate(cases, 1):
            yield c, c.run
            run.progress(f"[{i}/{len(cands)}] {rel}: {j}/{len(cases)} cases")
    if impl.requests and _file_match(REQUESTS_FILE, args.file) and \
            "request" in layers:
        # The oracle is the reference, whose close() releases nothing the
        # checks need: they may run after this generator ends.
        oracle = Reference()
        cases = [(c, line) for c, line in request_cases(oracle) if modes.case(c)]
        for j, (c, line) in enumerate(cases, 1):
            c.frame_ops = names_frame_op(line)
            yield c, (lambda im, line=line: check_line(line, oracle, im))
            run.progress(f"{REQUESTS_FILE}: {j}/{len(cases)} cases")


def names_frame_op(line: bytes) -> bool:
    """Whether a request line is a JSON object whose "op" is protect or
    unprotect: a request check that only an implementation of the frame
    operations can answer as section 3.4 says. Lines refused before their
    op (not JSON, not an object, no string "op"), unknown ops and derive
    (optional: without it, UNSUPPORTED_OP is the right answer) need
    none."""
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(obj, dict) and obj.get("op") in ("protect", "unprotect")


def _run_vectors(run: Run, vdir: str, sets, args, modes: ModeFilter) -> None:
    run.impl.prepare()    # capabilities first: they decide what runs
    impl = Recorder(run.impl)
    for c, check in vector_checks(run, impl, vdir, sets, args, modes):
        _run_case(run, impl, c, check)
    run.finish()


_WHO = {"adapter": "the adapter", "lib": "the library"}


def _and(words) -> str:
    words = list(words)
    return (" and ".join(words) if len(words) < 3
            else ", ".join(words[:-1]) + " and " + words[-1])


def frame_skip(impl):
    """None when ``impl`` has the frame operations (or announces nothing:
    then it is taken to have them); else the Skipped of every check that
    needs them, naming the missing ones and what was announced."""
    missing = impl.missing_frame_ops()
    if not missing:
        return None
    from .impls import FRAME_OPS, capabilities_text
    who = _WHO.get(impl.kind, "the implementation")
    return V.Skipped(f"not implemented by {who}: {', '.join(missing)} "
                     f"({capabilities_text(impl.operations())})",
                     not_applicable=len(missing) == len(FRAME_OPS))


def sframe_skip(impl):
    """None when ``impl`` has the SFrame operations, else the Skipped of
    every SFrame check, with the reason."""
    why = impl.sframe_missing()
    if why is None:
        return None
    from .impls import SFRAME_OPS
    ops = impl.operations() or ()
    # one of the two announced: a genuine skip (check_announced fails the
    # announced one, which nothing could exercise)
    return V.Skipped(why, not_applicable=not any(o in ops for o in SFRAME_OPS))


def missing_ops(impl, c):
    """None when ``impl`` announces every primitive operation case ``c``
    sends; else the Skipped that names the missing ones (or the transport
    Failure of asking a process adapter for its capabilities)."""
    caps = impl.capabilities()
    missing = [op for op in c.ops if op not in caps]
    if not missing:
        return None
    fail = getattr(impl, "capabilities_failure", None)
    if fail is not None:
        return V.Failure(fail.transport or "bad_answer",
                         f'asking {{"op":"capabilities"}}: {fail.detail}')
    note = getattr(impl, "capabilities_note", "")
    who = _WHO.get(impl.kind, "the implementation")
    # Not applicable only when none of its operations is announced; a
    # check that needs one announced operation and one that is not (a GCM
    # vector: seal and open) is a genuine skip, and the announced one is
    # failed by Run.check_announced when nothing else exercised it.
    # A malformed capabilities answer announces nothing either way: its
    # checks are skipped (the run fails by bad_capabilities), not "not
    # applicable".
    return V.Skipped(f"not implemented by {who}: {', '.join(missing)}"
                     + (f" ({note})" if note else ""),
                     not_applicable=(len(missing) == len(c.ops) and not
                                     getattr(impl, "capabilities_bad", False)))


def check_case(impl: Recorder, c, check) -> tuple:
    """Runs one case's check through ``impl`` (a :class:`Recorder`):
    (None, Passed, Skipped or Failure; the request lines of a failure;
    seconds). A primitive case whose operations the implementation does
    not announce is skipped, naming them."""
    t0 = time.monotonic()
    if c.skip:
        res = V.Skipped(c.skip)
    else:
        impl.clear()
        try:
            res = None
            if c.frame_ops:
                res = frame_skip(impl)
            elif c.layer == "sframe":
                res = sframe_skip(impl)
            elif c.ops:
                res = missing_ops(impl, c)
            if res is None:
                res = check(impl)
        except AdapterCannotStart:
            raise
        except Exception as e:  # a bug in a check, not in the impl
            res = V.Failure("runner_error", f"{type(e).__name__}: {e}")
        if isinstance(res, V.Skipped) and res.op and c.params:
            # what the refused vector is (the run's summary groups them)
            res.reason += f" (the vector: {V.params_text(c.params)})"
    reqs = impl.take() if isinstance(res, V.Failure) else []
    return res, reqs, time.monotonic() - t0


def _run_case(run: Run, impl: Recorder, c, check) -> None:
    res, reqs, dt = check_case(impl, c, check)
    run.record(c, res, reqs, dt)


def _run_random(run: Run, args, modes: ModeFilter, out) -> None:
    import random as _random
    seed = args.seed if args.seed is not None else str(_random.SystemRandom().randrange(10 ** 9))
    args.seed = seed
    impl = Recorder(run.impl)
    if impl.kind == "reference":
        try:
            oracle = PythonCE1()
            who = "pyce1 (independent Python implementation)"
        except RuntimeError:
            oracle = Reference()
            who = "the reference itself (python3-cryptography missing: consistency only)"
    else:
        oracle = Reference()
        who = "the reference"
    ce1_modes = {m for m in modes.ce1_modes()}
    import chanenc
    ce1_modes = {m for m in ce1_modes if chanenc.MODES[m].supported}
    n = 1 if args.random_case is not None else args.random
    label = f"random (seed {seed})"
    run.random_label = label
    impl.prepare()
    skip = frame_skip(impl)
    if skip is not None:
        # no frame operations: every random case is skipped, with the reason
        oracle.close()
        if not args.quiet:
            print(f"chanenc-conform: random pass: {n} cases, seed {seed}: not "
                  f"run ({skip.reason})", file=out)
        ks = [args.random_case] if args.random_case is not None else range(n)
        for k in ks:
            run.record(V.Case(label, "CE1 frames", f"#{k}", "random case",
                              "random", frame_ops=True), skip)
        run.random_cases = len(ks)
        return
    if not args.quiet:
        print(f"chanenc-conform: random pass: {n} cases, seed {seed}, oracle: {who}",
              file=out)
    for m in sorted(ce1_modes):
        run.row(chanenc.MODES[m].name, label)
    checks = [0]

    def report(case, res):
        run.record(case, res, impl.take() if isinstance(res, V.Failure) else ())
        impl.clear()
        checks[0] += 1

    def progress(i, total):
        run.random_cases = i
        run.progress(f"random: case {i}/{total}, {checks[0]} checks")

    impl.clear()
    run_random(args.random, seed, oracle, impl, ce1_modes, report,
               only_case=args.random_case, label=label, progress=progress)
    oracle.close()
