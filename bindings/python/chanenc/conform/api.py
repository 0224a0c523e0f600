"""The conformance runner's Python API (stable).

Everything ``chanenc-conform`` does, from Python: open the implementation
under test, choose vector files and modes, run, and get one
:class:`~chanenc.conform.results.CaseResult` per check; write the JSON
report and JUnit XML::

    from chanenc.conform import api

    impl = api.open_implementation(adapter="./my-adapter")  # or lib=..., or neither: the reference
    report = api.run(impl, files=["ce1/*"], modes=["AES_128_GCM"])
    for r in report.failed:
        print(r.file, r.mode, r.name, r.expected, r.actual)
        print(r.describe())          # the runner's failure text
    report.write_json("report.json") # the --json report (format chanenc-conform-report/1)
    report.write_junit("junit.xml")  # the --junit report
    impl.close()

Or one case at a time (what the pytest plugin does)::

    with api.open_implementation(adapter="./my-adapter") as impl:
        for vc in api.collect(impl, files=["ce1/*"]):
            result = vc.run(impl)    # a CaseResult

Selection keywords, shared by :func:`run` and :func:`collect` (the runner
options of the same names): ``vectors_dir`` (--vectors), ``files``
(--file patterns), ``modes`` (--mode: CE1 modes or algorithm labels),
``wycheproof``, ``pyca``, ``cryptopp`` (the standard sets' directories),
``sframe_vectors`` (the RFC 9605 SFrame vectors' directory), ``layers``
(--layer: "frame", "primitive", "sframe", "request"), ``vectors`` (False:
--no-vectors). :func:`run` also takes ``random``,
``seed`` and ``random_case`` (the differential pass).

Errors: :class:`ConformError` (no vectors directory, a standard vector
set that is not installed, no such library), :class:`AdapterCannotStart`
(an adapter command that cannot run or exits at once).
"""

from __future__ import annotations

import io
import json
import os

from . import runner as _R
from . import vectors as V
from .impls import (AdapterCannotStart, Implementation, Outcome, Recorder,
                    Reference)
from .results import (CaseResult, case_names, file_label, junit_tree,
                      write_junit)

__all__ = ["open_implementation", "run", "collect", "Report", "VectorCase",
           "CaseResult", "Outcome", "Implementation", "ConformError",
           "AdapterCannotStart", "write_junit", "junit_tree",
           "default_vectors_dir"]

default_vectors_dir = _R.default_vectors_dir


class ConformError(Exception):
    """A selection or implementation that cannot be used (the runner's
    exit status 2)."""


def open_implementation(adapter: str | None = None, lib: str | None = None,
                        *, in_process: bool = False,
                        timeout: float = 10.0) -> Implementation:
    """The implementation under test: a process adapter command line
    (``adapter``, docs/conformance.md 3), a shared library exporting the
    C ABI (``lib``, run in a worker process unless ``in_process``), or,
    with neither, the reference (chanenc through its bindings).

    The handle has ``protect(mode, key, salt, pn, payload)``,
    ``unprotect(mode, key, salt, frame)`` and ``derive(mode, key, salt)``,
    each returning an :class:`~chanenc.conform.impls.Outcome` (``ok``,
    ``value``: bytes or (enc_key, iv_base, check); ``status``: a status
    name such as AUTH_FAILED; ``transport``: timeout, crashed, garbage...),
    the primitive operations of tools/ce1_prim.h: ``capabilities()`` (the
    set of those it announces) and ``primitive(op, **fields)`` (bytes
    fields, int tag_len/length/iterations; an Outcome whose value is a dict
    of the answer's members, e.g. ``{"ciphertext": ..., "tag": ...}``),
    ``kind`` ("reference", "adapter", "lib"), ``description`` and
    ``close()``; it is a context manager. A process starts at the first
    call."""
    if adapter is not None and lib is not None:
        raise ConformError("give an adapter command or a library, not both")
    if in_process and lib is None:
        raise ConformError("in_process needs a library")
    ns = _R.build_parser().parse_args([])
    ns.adapter, ns.lib, ns.in_process, ns.timeout = adapter, lib, in_process, timeout
    if adapter is not None and not str(adapter).strip():
        raise ConformError("empty adapter command")
    if timeout <= 0:
        raise ConformError("timeout must be positive")
    try:
        return _R._make_impl(ns)
    except (OSError, ValueError) as e:
        raise ConformError(str(e)) from e


def _args(impl=None, *, vectors_dir=None, files=None, modes=None,
          wycheproof=None, pyca=None, cryptopp=None, sframe_vectors=None,
          layers=None, vectors=True, random=0, seed=None, random_case=None,
          progress=False):
    """The runner's argument namespace for a selection."""
    ns = _R.build_parser().parse_args([])
    if isinstance(files, str):
        files = [files]
    if isinstance(layers, str):
        layers = [layers]
    ns.layer = list(layers) if layers else None
    bad = _R._layers(ns) - set(_R.LAYERS)
    if bad:
        raise ConformError(f"unknown layer {', '.join(sorted(bad))} "
                           f"(choose from {', '.join(_R.LAYERS)})")
    ns.sframe_vectors = sframe_vectors
    if isinstance(modes, (str, int)):
        modes = [modes]
    ns.vectors = vectors_dir
    ns.file = list(files) if files else None
    ns.mode = [str(m) for m in modes] if modes else None
    ns.wycheproof_dir, ns.pyca_dir, ns.cryptopp_dir = wycheproof, pyca, cryptopp
    ns.no_vectors = not vectors
    if random < 0:
        raise ConformError("random must be >= 0")
    if random_case is not None and seed is None:
        raise ConformError("random_case needs a seed")
    ns.random, ns.seed, ns.random_case = random, seed, random_case
    ns.progress, ns.quiet, ns.verbose = bool(progress), True, False
    if impl is not None:
        ns.adapter = getattr(impl, "command", None) if impl.kind == "adapter" else None
        ns.lib = getattr(impl, "lib_path", None)
    return ns


def _locate(ns):
    vdir = ns.vectors or _R.default_vectors_dir()
    sets = []
    if not ns.no_vectors:
        if not vdir or not os.path.isdir(vdir):
            raise ConformError(f"vectors directory not found ({vdir or 'none found'}); "
                               "pass vectors_dir or set CE_VECTORS_DIR")
        vdir = os.path.abspath(vdir)
        try:
            sets = _R._locate_sets(ns)
            if "sframe" in _R._layers(ns):
                from .sframe_runner import layer_files
                layer_files(vdir, ns.sframe_vectors)
        except (V.VectorSetMissing, OSError) as e:
            raise ConformError(str(e)) from e
    return vdir, sets


class Report:
    """The results of :func:`run`: ``results`` (every
    :class:`CaseResult`, in the order run), ``passed``/``failed``/
    ``skipped`` (those of each outcome), ``totals`` ((passed, failed,
    skipped)), ``exit_status`` (the runner's: 0 only when nothing failed
    and something passed), ``text()`` (the runner's text report),
    ``json()``/``write_json(path)`` (the --json report) and
    ``write_junit(path)`` (the --junit report)."""

    def __init__(self, run: "_R.Run") -> None:
        self._run = run
        self.results = run.case_results()

    passed = property(lambda self: [r for r in self.results if r.passed])
    failed = property(lambda self: [r for r in self.results if r.failed])
    skipped = property(lambda self: [r for r in self.results if r.skipped])
    totals = property(lambda self: self._run.totals)
    exit_status = property(lambda self: self._run.exit_status())
    implementation = property(lambda self: self._run.impl.description)
    vectors_dir = property(lambda self: self._run.vectors_dir)
    seed = property(lambda self: self._run.args.seed)

    def __iter__(self):
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def text(self, verbose: bool = False) -> str:
        out = io.StringIO()
        a = self._run.args
        q, v = a.quiet, a.verbose
        a.quiet, a.verbose = False, verbose
        try:
            self._run.text_report(out)
        finally:
            a.quiet, a.verbose = q, v
        return out.getvalue()

    def json(self, cases: bool = False) -> dict:
        """The --json report; with ``cases``, also "cases": every
        result's :meth:`CaseResult.to_dict`."""
        d = self._run.json_report()
        if cases:
            d["cases"] = [r.to_dict() for r in self.results]
        return d

    def write_json(self, path: str, cases: bool = False) -> None:
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.json(cases), f, indent=1)
            f.write("\n")

    def write_junit(self, path: str) -> None:
        self._run.write_junit(path)


def run(impl: Implementation | None = None, *, diagnose: bool = True,
        diagnose_sample: int = _R.DEFAULT_SAMPLE, **selection) -> Report:
    """Runs the selected vectors (and the random pass when ``random`` > 0
    or ``random_case`` is given) against ``impl`` (default: the
    reference, opened and closed here); returns a :class:`Report`.
    ``impl`` stays open (close it, or use it as a context manager).
    Failures are diagnosed (each result's ``diagnosis``; at most
    ``diagnose_sample`` replayed per file and mode) unless ``diagnose``
    is False.
    Raises :class:`ConformError` or :class:`AdapterCannotStart`."""
    own = impl is None
    if own:
        impl = Reference()
    try:
        ns = _args(impl, **selection)
        vdir, sets = _locate(ns)
        r = _R.Run(ns, impl, vdir, sets)
        modes = _R.ModeFilter(ns.mode)
        impl.prepare()
        if not ns.no_vectors:
            _R._run_vectors(r, vdir, sets, ns, modes)
        if (ns.random or ns.random_case is not None) and \
                "frame" in _R._layers(ns):
            _R._run_random(r, ns, modes, io.StringIO())
        r.finish()
        if diagnose and r.failures:
            r.args.diagnose_sample = diagnose_sample
            r.diagnose(impl)
        events = getattr(impl, "protocol_events", None)
        if events is not None:
            r.record_protocol(events())
        r.check_announced()     # as the command-line runner does
        r.progress_done()
        return Report(r)
    finally:
        if own:
            impl.close()


class VectorCase:
    """One selected check, not yet run: ``file``, ``file_label`` (short,
    for test ids), ``mode``, ``name`` (unique within file and mode),
    ``nodeid`` (``file_label::mode::name``), ``layer`` ("frame",
    "primitive", "sframe", "request"), ``group``, ``id``,
    ``op``, ``comment``, ``case`` (the underlying
    :class:`~chanenc.conform.vectors.Case`); :meth:`run` checks it."""

    def __init__(self, case: V.Case, check, name: str, label: str) -> None:
        self.case, self._check = case, check
        self.name, self.file_label = name, label
        self.file, self.mode, self.group = case.file, case.algo, case.group
        self.id, self.op, self.comment = case.id, case.op, case.comment
        from .results import layer_of
        self.layer = layer_of(case)

    @property
    def nodeid(self) -> str:
        return f"{self.file_label}::{self.mode}::{self.name}"

    def run(self, impl) -> CaseResult:
        """Runs the check through ``impl`` (any implementation handle; a
        :class:`Recorder` is put around it when it is none, to keep the
        requests of a failure)."""
        rec = impl if isinstance(impl, Recorder) else Recorder(impl)
        res, reqs, dt = _R.check_case(rec, self.case, self._check)
        r = CaseResult.from_check(self.case, res, reqs, dt)
        r.name = self.name
        return r

    def __repr__(self) -> str:
        return f"<VectorCase {self.nodeid}>"


def collect(impl: Implementation, **selection) -> list:
    """The selected checks for ``impl`` as :class:`VectorCase` objects, in
    the runner's order: the frame and the primitive layer for any
    implementation (a primitive case it does not announce is skipped when
    run), the request checks only for a process adapter. Reads the vector
    files and runs nothing."""
    ns = _args(impl, **selection)
    vdir, sets = _locate(ns)
    r = _R.Run(ns, impl, vdir, sets)
    modes = _R.ModeFilter(ns.mode)
    pairs = list(_R.vector_checks(r, impl, vdir, sets, ns, modes)) \
        if not ns.no_vectors else []
    names = case_names(c for c, _ in pairs)
    files = [c.file for c, _ in pairs]
    labels = {f: file_label(f, set(files)) for f in set(files)}
    return [VectorCase(c, chk, n, labels[c.file])
            for (c, chk), n in zip(pairs, names)]
