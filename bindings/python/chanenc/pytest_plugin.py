"""pytest plugin: CE1 conformance vectors as pytest test items.

Installed with the package and registered through the ``pytest11``
entry point (``chanenc = chanenc.pytest_plugin``), so an installed
chanenc makes these options available to every pytest run; from a build
tree load it with ``-p chanenc.pytest_plugin``::

    pytest --ce1-adapter "./my-adapter --flag"          # a process adapter
    pytest --ce1-lib ./libce1impl_mine.so               # a C-ABI library
    pytest --ce1-reference                              # the reference
    pytest --ce1-adapter ./my-adapter -k GCM --junitxml out.xml
    pytest --ce1-adapter ./my-adapter --ce1-random 200 --ce1-seed 7

With one of --ce1-adapter, --ce1-lib or --ce1-reference, every check of
the conformance runner (``chanenc-conform``) becomes a test item, added
after whatever else pytest collects (nothing, in a directory without
tests): ``<file>::<mode>::<case>``, e.g.
``ce1-aes-128-gcm.json::AES_128_GCM::g3-t5-protect`` (file, CE1 mode or
algorithm, then group, test id and operation: the frame layer), the
standard primitive vectors with the layer before the file, e.g.
``primitive-gcmDecrypt128.rsp::AES-128-GCM::Count-3-line-40`` and the
derived checks ``primitive-aes_gcm_test.json::AES-128-GCM::
tcId-1-tag-cut-to-12`` (skipped, with the reason, where the
implementation does not announce the primitive: docs/conformance.md 9),
the SFrame vectors (layer ``sframe``: the project's vectors/sframe and the
RFC 9605 files, skipped with the reason where the implementation does not
announce sframe_protect/sframe_unprotect) as
``sframe-aes-128-gcm-sha256-128.json::SFrame_AES_128_GCM_SHA256_128::g1-t3``
and ``sframe-test-vectors.json::SFrame_headers_-suite_4-::header7-protect``,
the request checks of a process adapter as
``requests::JSON_lines::r12``, random cases as
``random-seed-7::random::case-12``, and the adapter's output problems (a
banner, extra lines) as the item ``adapter-output::JSON_lines::
protocol``; the last item, ``capabilities::announced::operations``, checks
that every operation the implementation announced was exercised (as the
command-line runner does at the end of a run). Each item carries its layer
as a marker (``-m ce1_primitive``, ``ce1_frame``, ``ce1_sframe``,
``ce1_request``, ``ce1_capabilities``) and as a JUnit property
(``layer``); ``--ce1-layer`` collects some layers only.
Checks of the frame operations are skipped, with the reason, for an
implementation whose capabilities do not list protect and unprotect (a
primitive-only adapter or library). A failure shows the runner's text: expected and actual,
first differing byte, the requests sent (as JSON lines an adapter reads).

Without those options the plugin adds nothing but its options and
fixtures: ``ce1_impl`` (the implementation under test; the test is
skipped when none was given), ``ce1_reference`` (the reference) - both
with ``protect(mode, key, salt, pn, payload)``, ``unprotect(mode, key,
salt, frame)`` and ``derive(mode, key, salt)`` returning
:class:`chanenc.conform.impls.Outcome` objects - and ``ce1_vectors_dir``.
"""

from __future__ import annotations

import os

import pytest

_OPTS = ("ce1_adapter", "ce1_lib", "ce1_reference")


def pytest_addoption(parser):
    g = parser.getgroup("ce1", "CE1 conformance vectors (chanenc)")
    g.addoption("--ce1-adapter", metavar="CMD", default=None,
                help="check this process adapter command (JSON lines, "
                     "docs/conformance.md 3): every conformance check "
                     "becomes a test item")
    g.addoption("--ce1-lib", metavar="PATH", default=None,
                help="check this shared library (C ABI ce1_impl_protect/"
                     "ce1_impl_unprotect), run in a worker process")
    g.addoption("--ce1-reference", action="store_true", default=False,
                help="check the reference (chanenc's bindings)")
    g.addoption("--ce1-in-process", action="store_true", default=False,
                help="with --ce1-lib: load the library into pytest itself")
    g.addoption("--ce1-timeout", type=float, default=10.0, metavar="SECONDS",
                help="answer timeout per adapter request (default 10)")
    g.addoption("--ce1-vectors", metavar="DIR", default=None,
                help="the vectors directory (default: $CE_VECTORS_DIR, the "
                     "build tree's or the installed share/chanenc/vectors)")
    g.addoption("--wycheproof", "--ce1-wycheproof", dest="ce1_wycheproof",
                metavar="DIR", default=None,
                help="Wycheproof testvectors_v1 directory (primitive layer)")
    g.addoption("--ce1-pyca", metavar="DIR", default=None,
                help="python3-cryptography-vectors directory (primitive layer)")
    g.addoption("--ce1-cryptopp", metavar="DIR", default=None,
                help="libcrypto++-utils TestVectors directory (primitive layer)")
    g.addoption("--ce1-sframe-vectors", metavar="DIR", default=None,
                help="RFC 9605 SFrame vectors directory (SFrame layer; "
                     "default ../shared/vectors/sframe beside the source tree)")
    g.addoption("--ce1-layer", action="append", metavar="LAYER", default=None,
                help="only these layers: frame, primitive, sframe, request "
                     "(repeatable, comma-separated)")
    g.addoption("--ce1-file", action="append", metavar="PATTERN", default=None,
                help="only vector files matching (glob or substring; "
                     "repeatable), e.g. 'ce1/*': collects less than -k")
    g.addoption("--ce1-mode", action="append", metavar="MODE", default=None,
                help="only these CE1 modes or algorithms (repeatable)")
    g.addoption("--ce1-random", type=int, default=0, metavar="N",
                help="also N random differential cases against the reference")
    g.addoption("--ce1-seed", default=None, metavar="S",
                help="seed of --ce1-random (default: random; in the header)")


class _State:
    """The session's implementation under test and selection."""

    def __init__(self, config) -> None:
        o = config.option
        self.adapter, self.lib = o.ce1_adapter, o.ce1_lib
        self.reference = o.ce1_reference
        self.active = bool(self.adapter or self.lib or self.reference)
        if sum(bool(x) for x in (self.adapter, self.lib, self.reference)) > 1:
            raise pytest.UsageError(
                "give one of --ce1-adapter, --ce1-lib, --ce1-reference")
        if o.ce1_in_process and not self.lib:
            raise pytest.UsageError("--ce1-in-process needs --ce1-lib")
        if o.ce1_random < 0:
            raise pytest.UsageError("--ce1-random must be >= 0")
        self.selection = dict(vectors_dir=o.ce1_vectors, files=o.ce1_file,
                              modes=o.ce1_mode, wycheproof=o.ce1_wycheproof,
                              pyca=o.ce1_pyca, cryptopp=o.ce1_cryptopp,
                              sframe_vectors=o.ce1_sframe_vectors,
                              layers=o.ce1_layer)
        self.random = o.ce1_random
        self.seed = o.ce1_seed
        if self.random and self.seed is None:
            import random
            self.seed = str(random.SystemRandom().randrange(10 ** 9))
        self.in_process, self.timeout = o.ce1_in_process, o.ce1_timeout
        self._impl = None
        self._reference = None
        self.results: list = []   # every item's CaseResults, in run order
        self._oracle = None

    @property
    def impl(self):
        if self._impl is None:
            from .conform import api
            try:
                if self.reference:
                    self._impl = api.open_implementation()
                else:
                    self._impl = api.open_implementation(
                        adapter=self.adapter, lib=self.lib,
                        in_process=self.in_process, timeout=self.timeout)
            except api.ConformError as e:
                raise pytest.UsageError(f"chanenc: {e}") from e
        return self._impl

    @property
    def reference_impl(self):
        if self._reference is None:
            from .conform.impls import Reference
            self._reference = Reference()
        return self._reference

    @property
    def oracle(self):
        """The random pass's oracle: the reference, or for the reference
        the independent Python implementation."""
        if self._oracle is None:
            from .conform.impls import PythonCE1, Reference
            if self.impl.kind == "reference":
                try:
                    self._oracle = PythonCE1()
                except RuntimeError:
                    self._oracle = Reference()
            else:
                self._oracle = Reference()
        return self._oracle

    def close(self) -> None:
        for x in (self._impl, self._reference, self._oracle):
            if x is not None:
                x.close()


_KEY = pytest.StashKey[_State]()


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ce1: a CE1 conformance check (chanenc pytest plugin)")
    for layer, what in (("frame", "CE1 frame vectors and the random pass"),
                        ("primitive", "standard primitive vectors "
                                      "(tools/ce1_prim.h operations)"),
                        ("sframe", "SFrame (RFC 9605) vectors "
                                   "(docs/conformance.md 7)"),
                        ("request", "request checks and the adapter's output"),
                        ("capabilities", "the end-of-run check of the "
                                         "announced operations")):
        config.addinivalue_line(
            "markers", f"ce1_{layer}: a CE1 conformance check of the {layer} "
                       f"layer: {what}")
    config.stash[_KEY] = _State(config)


def pytest_unconfigure(config):
    st = config.stash.get(_KEY, None)
    if st is not None:
        st.close()


def pytest_report_header(config):
    st = config.stash.get(_KEY, None)
    if st is None or not st.active:
        return None
    from .conform.impls import AdapterCannotStart
    from .conform.runner import default_vectors_dir
    try:
        st.impl.prepare()     # its capabilities (and a library's describe)
    except AdapterCannotStart as e:
        raise pytest.UsageError(f"chanenc: the implementation cannot start: {e}")
    lines = [f"ce1 implementation: {st.impl.description}",
             "ce1 vectors: " + str(st.selection["vectors_dir"]
                                   or default_vectors_dir())]
    if st.random:
        lines.append(f"ce1 random pass: {st.random} cases, seed {st.seed}")
    return lines


# --------------------------------------------------------------------------
# Collection
# --------------------------------------------------------------------------

def _FailureRepr(text: str, file: str, message: str):
    """A failure's report: the runner's text, and a one-line message for
    the short summary and JUnit's message attribute."""
    from _pytest._code.code import ReprFileLocation, TerminalRepr

    class FailureRepr(TerminalRepr):
        def __init__(self) -> None:
            self.reprcrash = ReprFileLocation(file, 0, message)

        def toterminal(self, tw) -> None:
            for line in text.splitlines():
                tw.line(line)
    return FailureRepr()


class CE1Failed(Exception):
    """A conformance check failed; carries its CaseResult(s)."""

    def __init__(self, results) -> None:
        super().__init__(results[0].message if results else "failed")
        self.results = results


def _diagnose(st, failed) -> None:
    """Sets the diagnosis of failed results (shown by their describe()).
    Each is diagnosed together with the earlier failures of its file and
    mode (so one root cause gets one name, as in the runner), at most the
    runner's default sample per file and mode."""
    from .conform.diagnose import DEFAULT_SAMPLE, diagnose_failures
    hist = st.__dict__.setdefault("_diagnosed", {})
    for r in failed:
        if r.failure is None or r.case is None:
            continue
        seen = hist.setdefault((r.file, r.mode), [])
        if len(seen) >= DEFAULT_SAMPLE:
            continue
        seen.append((r.case, r.failure, r.requests))
        try:
            ds = diagnose_failures(seen, getattr(st, "impl", None))
        except Exception:       # a diagnosis must never hide the failure
            return
        r.diagnosis = ds[-1]


class CE1File(pytest.Collector):
    """A vector file (or the request checks, a random pass, the adapter's
    output); its children are :class:`CE1Mode` collectors."""

    def collect(self):
        return list(self._children)


class CE1Mode(pytest.Collector):
    """The checks of one mode or algorithm in a file."""

    def collect(self):
        return list(self._children)


class CE1Item(pytest.Item):
    """One conformance check."""

    def __init__(self, *, run, title, layer="frame", **kw) -> None:
        super().__init__(**kw)
        self._run = run
        self._title = title
        self.layer = layer
        self.user_properties.append(("layer", layer))

    def runtest(self) -> None:
        st = self.config.stash[_KEY]
        results = self._run(st)
        st.results.extend(results)
        failed = [r for r in results if r.failed]
        if failed:
            _diagnose(st, failed)
            raise CE1Failed(failed)
        skipped = [r for r in results if r.skipped]
        if skipped and len(skipped) == len(results):
            pytest.skip(skipped[0].message)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CE1Failed):
            rs = excinfo.value.results
            first = rs[0]
            msg = f"{first.kind}: {first.message}" if first.message else str(first.kind)
            if len(rs) > 1:
                msg += f" (and {len(rs) - 1} more)"
            full = self.config.option.verbose > 0
            return _FailureRepr("\n\n".join(r.describe(full=full) for r in rs),
                                first.file, msg)
        from .conform.impls import AdapterCannotStart
        if isinstance(excinfo.value, AdapterCannotStart):
            return f"the implementation cannot start: {excinfo.value}"
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, self._title


def _slug(text: str) -> str:
    from .conform.results import slug
    return slug(str(text).replace(" ", "_"))


def _vector_items(st) -> list:
    """(file label, mode, name, title, run, layer) of every selected
    check. The primitive layer's file labels start with "primitive-"
    (the frame files' and the request checks' names say theirs)."""
    from .conform import api
    try:
        cases = api.collect(st.impl, **st.selection)
    except api.ConformError as e:
        raise pytest.UsageError(f"chanenc: {e}") from e
    out = []
    for vc in cases:
        def run(st, vc=vc):
            return [vc.run(st.impl)]
        title = f"{vc.file} id {vc.id} [{vc.mode}, {vc.op}; {vc.layer} layer]"
        label = vc.file_label
        if vc.layer == "primitive":
            label = f"primitive-{label}"
        elif vc.layer == "sframe" and not label.startswith("sframe"):
            label = f"sframe-{label}"
        out.append((label, _slug(vc.mode), vc.name, title, run, vc.layer))
    return out


def _random_items(st, modes) -> list:
    from .conform.differential import run_random
    from .conform.impls import Recorder
    from .conform.results import CaseResult, file_label
    from .conform.runner import ModeFilter
    from .conform.vectors import Failure
    import chanenc
    mf = ModeFilter(modes)
    ce1 = {m for m in mf.ce1_modes() if chanenc.MODES[m].supported}
    label = f"random (seed {st.seed})"
    out = []
    for k in range(st.random):
        def run(st, k=k):
            from .conform.runner import frame_skip
            from .conform.vectors import Case
            skip = frame_skip(st.impl)
            if skip is not None:     # no frame operations announced
                return [CaseResult.from_check(Case(
                    label, "CE1 frames", f"#{k}", "random case", "random",
                    frame_ops=True), skip)]
            rec = Recorder(st.impl)
            results = []

            def report(case, res):
                results.append(CaseResult.from_check(
                    case, res, rec.take() if isinstance(res, Failure) else ()))
                rec.clear()
            rec.clear()
            run_random(1, st.seed, st.oracle, rec, ce1, report, only_case=k,
                       label=label)
            return results
        title = f"random case {k} (--seed {st.seed} --random-case {k})"
        out.append((file_label(label), "random", f"case-{k}", title, run, "frame"))
    return out


def _protocol_item(st) -> list:
    from .conform import runner as R
    from .conform.results import PROTOCOL_FILE, file_label

    def run(st):
        events = getattr(st.impl, "protocol_events", None)
        if events is None:
            return []
        r = R.Run(R.build_parser().parse_args(["--no-progress", "-q"]),
                  st.impl, None)
        r.record_protocol(events())
        return r.case_results()
    return [(file_label(PROTOCOL_FILE), "JSON_lines", "protocol",
             "the adapter's output: one answer line per request", run,
             "request")]


def _capabilities_item(st) -> list:
    """Runs last: the runner's end-of-run check of the announced
    operations over the items that ran before it (an operation announced
    but answered NOT_SUPPORTED everywhere, or that no check could exercise
    because its partner is not announced, fails here once, as in the
    command-line runner)."""
    from .conform import runner as R
    from .conform.results import file_label

    def run(st):
        r = R.Run(R.build_parser().parse_args(["--no-progress", "-q"]),
                  st.impl, None)
        r.results = list(st.results)
        before = len(r.results)
        r.check_announced()
        new = r.results[before:]
        return new
    return [(file_label(R._CAPS_FILE), "announced", "operations",
             "every announced operation was exercised", run, "capabilities")]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    st = config.stash.get(_KEY, None)
    if st is None or not st.active:
        return
    specs = _vector_items(st)
    layers = st.selection.get("layers")
    chosen = {x.strip() for spec in layers or [] for x in spec.split(",")}
    if st.random and (not chosen or "frame" in chosen):
        specs += _random_items(st, st.selection["modes"])
    if st.impl.kind == "adapter" and (not chosen or "request" in chosen):
        specs += _protocol_item(st)
    specs += _capabilities_item(st)
    files: dict = {}
    new = []
    for flabel, mode, name, title, run, layer in specs:
        fnode = files.get(flabel)
        if fnode is None:
            fnode = files[flabel] = CE1File.from_parent(session, name=flabel,
                                                         nodeid=flabel)
            fnode._children, fnode._modes = [], {}
        mnode = fnode._modes.get(mode)
        if mnode is None:
            mnode = fnode._modes[mode] = CE1Mode.from_parent(fnode, name=mode)
            mnode._children = []
            fnode._children.append(mnode)
        item = CE1Item.from_parent(mnode, name=name, run=run, title=title,
                                   layer=layer)
        item.add_marker(pytest.mark.ce1)
        item.add_marker(getattr(pytest.mark, f"ce1_{layer}"))
        mnode._children.append(item)
        new.append(item)
    # The collection counts ("collected N items") come from reports.
    from _pytest.reports import CollectReport
    for fnode in files.values():
        for mnode in fnode._children:
            config.hook.pytest_collectreport(report=CollectReport(
                mnode.nodeid, "passed", None, list(mnode._children)))
    items.extend(new)


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def ce1_impl(pytestconfig):
    """The implementation under test (--ce1-adapter, --ce1-lib or
    --ce1-reference): ``protect(mode, key, salt, pn, payload)``,
    ``unprotect(mode, key, salt, frame)``, ``derive(mode, key, salt)``,
    each returning an :class:`~chanenc.conform.impls.Outcome` (``ok``,
    ``value``, ``status``, ``transport``); ``kind``, ``description``.
    Skips the test when no implementation was given."""
    st = pytestconfig.stash[_KEY]
    if not st.active:
        pytest.skip("no implementation under test: give --ce1-adapter CMD, "
                    "--ce1-lib PATH or --ce1-reference")
    return st.impl


@pytest.fixture(scope="session")
def ce1_reference(pytestconfig):
    """The reference (chanenc through its bindings), with the same
    methods as ``ce1_impl``: the expected answers."""
    return pytestconfig.stash[_KEY].reference_impl


@pytest.fixture(scope="session")
def ce1_vectors_dir(pytestconfig):
    """The vectors directory (--ce1-vectors or the default)."""
    from .conform.runner import default_vectors_dir
    d = pytestconfig.stash[_KEY].selection["vectors_dir"] or default_vectors_dir()
    if not d or not os.path.isdir(d):
        pytest.skip("no vectors directory (--ce1-vectors DIR)")
    return os.path.abspath(d)
