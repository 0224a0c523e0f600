"""Per-case results of a conformance run, their readable names, and the
JUnit XML report.

A :class:`CaseResult` is one check of one case: a CE1 frame vector (one
operation of it: a valid frame is two checks, protect and unprotect), a
standard primitive vector (or a check derived from one, the GCM tag cut
short), a request check of a process adapter (docs/conformance.md 3.4), a
check of the random pass, or an adapter's output problem (file ``(adapter
output)``). Each names its layer: ``frame``, ``primitive`` or
``request``, or ``sframe`` for the SFrame vectors (docs/conformance.md
7.4). Part of the stable API of :mod:`chanenc.conform.api`.
"""

from __future__ import annotations

import collections
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from . import vectors as V
from .requests import REQUESTS_FILE

__all__ = ["CaseResult", "case_names", "layer_of", "file_label",
           "write_junit", "junit_tree", "PROTOCOL_FILE"]

#: File label of an adapter's output problems (a banner, extra lines).
PROTOCOL_FILE = "(adapter output)"


def layer_of(case: V.Case) -> str:
    """'primitive' for a standard primitive vector, 'sframe' for an SFrame
    vector, 'request' for the request checks and an adapter's output
    problems, 'frame' for the rest (CE1 frame files and the random
    pass)."""
    layer = getattr(case, "layer", None)
    if layer:
        return layer
    if case.primitive:
        return "primitive"
    if case.file in (REQUESTS_FILE, PROTOCOL_FILE):
        return "request"
    return "frame"


@dataclass
class CaseResult:
    """The outcome of one check.

    ``layer``: 'frame', 'primitive', 'sframe' or 'request'. ``file``: the vector
    file relative to its set (``ce1/ce1-aes-128-gcm.json``,
    ``wycheproof/aes_gcm_test.json``), or ``requests (conformance.md
    3.4)``, ``random (seed S)``, ``(adapter output)``. ``group``: the CE1
    file's group (``g0``...) or None. ``id``: the case id as the file has
    it (a CE1 test id, ``group 0/derive``, ``tcId 17``, ``#12`` of the
    random pass). ``name``: a readable name unique within the file (see
    :func:`case_names`, e.g. ``g3-t5-protect``). ``mode``: the CE1 mode
    name or algorithm label (``AES_128_GCM``, ``AES-256-XTS``);
    ``mode_id``: the CE1 mode number or None. ``op``: protect, unprotect,
    derive, config, encrypt, request... ``outcome``: 'passed', 'failed'
    or 'skipped'. For a failure ``kind`` names the mismatch (see
    :class:`chanenc.conform.vectors.Failure`), ``expected``/``actual`` are
    bytes or status names, ``message`` says what differs; for a skip
    ``message`` is the reason; for a pass ``note`` says which of two
    allowed outcomes it was, when a case allows two (XTS with Key1 ==
    Key2 refused or accepted). ``line``: the vector's line in its file,
    when known; ``derived``: the kind of a derived check ("tag cut") or
    None. ``requests``: the request lines sent for a
    failed check, as the JSON lines an adapter reads. ``duration``:
    seconds (None in the random pass, whose checks are not timed one by
    one).
    """

    layer: str
    file: str
    group: str | None
    id: str
    mode: str
    mode_id: int | None
    op: str
    comment: str
    outcome: str
    kind: str | None = None
    message: str = ""
    expected: object = None
    actual: object = None
    requests: list = field(default_factory=list)
    duration: float | None = None
    name: str = ""
    failure: V.Failure | None = field(default=None, repr=False)
    case: V.Case | None = field(default=None, repr=False, compare=False)
    #: The diagnosis of a failure (:class:`chanenc.conform.diagnose.Diagnosis`)
    #: once the run has diagnosed it; None otherwise.
    diagnosis: object = field(default=None, repr=False, compare=False)
    note: str = ""
    line: int | None = None
    derived: str | None = None

    @classmethod
    def from_check(cls, case: V.Case, result, requests=(),
                   duration=None) -> "CaseResult":
        """From a case and what its check returned (None, Skipped or
        Failure)."""
        r = cls(layer_of(case), case.file, case.group, case.id, case.algo,
                case.mode, case.op, case.comment, "passed",
                duration=duration, case=case, line=case.line,
                derived=case.derived)
        if isinstance(result, V.Passed):
            r.note = result.note
        elif isinstance(result, V.Skipped):
            r.outcome, r.message = "skipped", result.reason
        elif result is not None:
            r.outcome, r.kind, r.message = "failed", result.kind, result.message
            r.expected, r.actual = result.expected, result.actual
            r.requests, r.failure = list(requests), result
        return r

    @property
    def passed(self) -> bool:
        return self.outcome == "passed"

    @property
    def failed(self) -> bool:
        return self.outcome == "failed"

    @property
    def skipped(self) -> bool:
        return self.outcome == "skipped"

    @property
    def test_name(self) -> str:
        """``mode/name``: the JUnit testcase name."""
        return f"{self.mode}/{self.name or slug(self.id)}"

    def describe(self, full: bool = True) -> str:
        """The runner's failure text (file, id, expected and actual, first
        differing byte, the requests: in full when ``full``); the reason
        of a skip; "passed"."""
        if self.outcome == "skipped":
            return f"skipped: {self.message}"
        if self.outcome == "passed":
            return f"passed ({self.note})" if self.note else "passed"
        from .runner import Run
        case = self.case or V.Case(self.file, self.mode, self.id,
                                   self.comment, self.op)
        fl = self.failure or V.Failure(self.kind or "failed", self.message,
                                       self.expected, self.actual)
        return "\n".join(Run.describe_failure(case, fl, self.requests,
                                              full=full,
                                              diagnosis=self.diagnosis))

    def to_dict(self) -> dict:
        """JSON-ready: bytes as {"bytes": hex, "len": n}, statuses as
        {"status": name}, as in the runner's JSON report."""
        from .runner import _json_value
        return {"layer": self.layer, "file": self.file, "line": self.line,
                "group": self.group, "derived": self.derived,
                "id": self.id, "name": self.name, "mode": self.mode,
                "mode_id": self.mode_id, "op": self.op,
                "comment": self.comment, "outcome": self.outcome,
                "kind": self.kind, "message": self.message, "note": self.note,
                "expected": _json_value(self.expected),
                "actual": _json_value(self.actual),
                "requests": list(self.requests),
                "diagnosis": (self.diagnosis.to_dict()
                              if self.diagnosis is not None else None),
                "duration_s": (None if self.duration is None
                               else round(self.duration, 6))}


# --------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------

_SLUG = re.compile(r"[^\w.+\-\[\]]+")


def slug(text: str) -> str:
    """Characters a ``pytest -k`` expression can name (letters, digits,
    ``_ . + - [ ]``); others become ``-``."""
    return _SLUG.sub("-", str(text)).strip("-") or "case"


def _base_name(case: V.Case) -> str:
    cid = str(case.id)
    if case.group:
        cid = re.sub(r"^group \d+/", "", cid)
        if cid.isdigit():
            cid = "t" + cid
        return f"{case.group}-{slug(cid)}"
    return slug(cid)


def case_names(cases) -> list:
    """Readable names of ``cases``, unique within each (file, mode):
    ``g3-t5`` (group 3, test 5 of a CE1 file), ``g0-derive``,
    ``g2-config``, ``tcId-17``, ``COUNT-3``; an operation is added where
    one id has several checks (``g3-t5-protect``, ``g3-t5-unprotect``),
    then a counter if still needed."""
    cases = list(cases)
    bases = [_base_name(c) for c in cases]
    count = collections.Counter((c.file, c.algo, b) for c, b in zip(cases, bases))
    names = []
    for c, b in zip(cases, bases):
        if count[(c.file, c.algo, b)] > 1:
            b = f"{b}-{slug(c.op)}"
        names.append(b)
    seen = collections.Counter()
    out = []
    for c, n in zip(cases, names):
        k = (c.file, c.algo, n)
        seen[k] += 1
        out.append(n if seen[k] == 1 else f"{n}-{seen[k]}")
    return out


def file_label(file: str, all_files=()) -> str:
    """Short label of a file for test ids: its base name (when another
    file has the same base name, as many of its last path components as
    tell them apart, joined with ".": ``tweak-128hexstr.XTSGenAES128.rsp``),
    ``requests``, ``random-seed-S``, ``adapter-output``."""
    if file == REQUESTS_FILE:
        return "requests"
    if file == PROTOCOL_FILE:
        return "adapter-output"
    m = re.fullmatch(r"random \(seed (.*)\)", file)
    if m:
        return "random-seed-" + slug(m.group(1))
    parts = file.split("/")
    others = [f.split("/") for f in set(all_files) if f != file]
    for n in range(1, len(parts) + 1):
        tail = parts[-n:]
        if not any(o[-n:] == tail for o in others):
            return slug(".".join(tail))
    return slug(".".join(parts))


# --------------------------------------------------------------------------
# JUnit XML
# --------------------------------------------------------------------------

def junit_tree(results, name: str = "chanenc-conform",
               properties: dict | None = None) -> ET.ElementTree:
    """JUnit XML of ``results``: one <testsuite> per file (in order of
    appearance), one <testcase> per check with classname the file and
    name ``mode/name``; <failure message=... type=kind> holding the
    runner's failure text, <skipped message=reason>. The layer (frame,
    primitive, request) is a property of each testsuite and testcase
    (``<property name="layer" .../>``); a pass with a note has it as
    <system-out>."""
    suites = collections.OrderedDict()
    for r in results:
        suites.setdefault(r.file, []).append(r)
    root = ET.Element("testsuites", name=name)
    tot = collections.Counter()
    for file, rs in suites.items():
        n_f = sum(r.failed for r in rs)
        n_s = sum(r.skipped for r in rs)
        t = sum(r.duration or 0.0 for r in rs)
        s = ET.SubElement(root, "testsuite", name=file, tests=str(len(rs)),
                          failures=str(n_f), errors="0", skipped=str(n_s),
                          time=f"{t:.3f}")
        props = ET.SubElement(s, "properties")
        if properties and not tot:
            for k, v in properties.items():
                ET.SubElement(props, "property", name=str(k), value=str(v))
        for layer in dict.fromkeys(r.layer for r in rs):
            ET.SubElement(props, "property", name="layer", value=layer)
        tot["tests"] += len(rs)
        tot["failures"] += n_f
        tot["skipped"] += n_s
        tot["time"] += t
        for r in rs:
            tc = ET.SubElement(s, "testcase", classname=file,
                               name=r.test_name,
                               time=f"{r.duration or 0.0:.6f}")
            tp = ET.SubElement(tc, "properties")
            ET.SubElement(tp, "property", name="layer", value=r.layer)
            if r.derived:
                ET.SubElement(tp, "property", name="derived", value=r.derived)
            if r.failed:
                msg = f"{r.kind}: {r.message}" if r.message else str(r.kind)
                f = ET.SubElement(tc, "failure", message=_xml_safe(msg),
                                  type=str(r.kind))
                f.text = _xml_safe(r.describe(full=True))
            elif r.skipped:
                ET.SubElement(tc, "skipped", message=_xml_safe(r.message))
            elif r.note:
                ET.SubElement(tc, "system-out").text = _xml_safe(r.note)
    root.set("tests", str(tot["tests"]))
    root.set("failures", str(tot["failures"]))
    root.set("errors", "0")
    root.set("skipped", str(tot["skipped"]))
    root.set("time", f"{tot['time']:.3f}")
    return ET.ElementTree(root)


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Characters XML 1.0 cannot hold (an adapter's garbage) as \\xNN."""
    return _XML_BAD.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def write_junit(results, path: str, name: str = "chanenc-conform",
                properties: dict | None = None) -> None:
    """Writes :func:`junit_tree` of ``results`` to ``path``."""
    tree = junit_tree(results, name, properties)
    ET.indent(tree)
    tree.write(path, encoding="utf-8", xml_declaration=True)
