"""Tests of the runner's diagnosis (chanenc.conform.diagnose): every
catalogued deviation (chanenc.conform.pyce1.DEVIATIONS) is named exactly
when an implementation has that bug, in every mode it names; two bugs at
once get an honest partial answer; a correct implementation gets no
diagnosis; no deviation explains the reference's own frames; the
diagnosis costs nothing on a clean run and is off with --no-diagnose.

Most runs are in-process (pyce1 with the deviation switched on, as an
implementation); broken_adapters/deviant.py runs the same as a process
adapter for the end-to-end checks."""

import collections
import json
import os
import re
import subprocess
import sys

import pytest

from chanenc.conform import api, diagnose as D
from chanenc.conform import vectors as V
from chanenc.conform.impls import PythonCE1
from chanenc.conform.pyce1 import DEVIATIONS, PyCE1
from chanenc.conform.runner import default_vectors_dir

HERE = os.path.dirname(os.path.abspath(__file__))
DEVIANT = os.path.join(HERE, "broken_adapters", "deviant.py")
VECTORS = os.environ.get("CE_VECTORS_DIR") or default_vectors_dir()
CATALOGUE = [d for d in DEVIATIONS.values() if d.diagnostic]
PAIRS = [(d.name, m) for d in CATALOGUE for m in sorted(d.modes)]

needs_ce1 = pytest.mark.skipif(
    not (VECTORS and os.path.isdir(os.path.join(VECTORS, "ce1"))),
    reason="vectors/ce1 not generated yet")


def verdicts(report):
    return collections.Counter(
        (r.diagnosis.deviation or r.diagnosis.basis) if r.diagnosis else None
        for r in report.failed)


def one_cause(failed, name):
    """Checks that every failure of an implementation with the one
    deviation ``name`` is put down to it as far as the evidence goes: a
    wrong answer reproduced exactly ("exact") or its file, mode and
    operation's sample so ("sample"); a refusal of what the spec accepts
    only "consistent" with it (among the candidates: a status alone never
    reproduces a deviation exactly, review item 3); beyond the sample of a
    group with refusals, "not examined". Returns the count per basis."""
    c = collections.Counter()
    for r in failed:
        d = r.diagnosis if hasattr(r, "diagnosis") else r
        d = d if not isinstance(d, dict) else D.Diagnosis(
            d["basis"], d["deviation"], d["text"], d["established"],
            d.get("candidates", []))
        c[d.basis] += 1
        if d.basis in ("exact", "sample"):
            assert d.deviation == name, d.text
        elif d.basis == "consistent":
            assert d.deviation is None and name in d.candidates, d.text
            assert d.text.startswith("consistent with ") and \
                "not reproduced exactly" in d.text, d.text
        else:
            assert d.basis == "not_examined" and d.deviation is None, d.text
    assert c["exact"] + c["consistent"] > 0, c
    return c


def _direct(name, mode):
    """Failures of pyce1+name on hand-made inputs the vectors and the
    random pass may lack (keys with NUL bytes, in every mode)."""
    bad, good = PyCE1({name}), PyCE1()
    salt = bytes(range(1, 33))
    fails = []
    for key in (b"ab\0cd", b"\0key", b"k" * 70 + b"\0x", b"0123456789abcdef" * 4):
        for n in (0, 5, 16, 40):
            payload = bytes(range(n))
            want = good.protect(mode, key, salt, 7, payload)
            got = bad.protect(mode, key, salt, 7, payload)
            if got != want:
                case = V.Case("direct", "m", "k", "", "protect", mode=mode)
                line = json.dumps({"op": "protect", "mode": mode, "key": key.hex(),
                                   "salt": salt.hex(), "pn": "%016x" % 7,
                                   "payload": payload.hex()})
                fails.append((case, V.Failure("frame_mismatch", "", want, got), [line]))
    return fails


@needs_ce1
@pytest.mark.parametrize("name,mode", PAIRS, ids=[f"{n}-{m}" for n, m in PAIRS])
def test_each_deviation_is_named(name, mode):
    rep = api.run(PythonCE1({name}), vectors_dir=VECTORS, files=["ce1/*"],
                  modes=[str(mode)])
    if not rep.failed:   # not visible in the vectors: the random pass
        rep = api.run(PythonCE1({name}), vectors=False, random=300,
                      seed="diagnose", modes=[str(mode)])
    if rep.failed:
        c = one_cause(rep.failed, name)
        text = rep.text()
        if c["exact"]:
            assert f"explained by {name}" in text
        assert "  diagnosis: " in text
        return
    ds = D.diagnose_failures(_direct(name, mode))
    assert ds, f"{name} changes nothing in mode {mode}: drop the mode"
    assert {d.deviation for d in ds} == {name}


@needs_ce1
def test_no_deviation_explains_the_reference_frames():
    """Every deviation replayed over the reference's own answers (every
    valid frame, payload and status of the CE1 files): none reproduces
    one, so a correct answer is never 'explained'; and each deviation
    changes some answer in every mode it names (else the mode would be
    listed for nothing)."""
    dx = D.CE1Diagnoser()
    changes = collections.Counter()
    spec = PyCE1()
    devs = {d.name: PyCE1({d.name}) for d in CATALOGUE}
    for vf in (V.load_file(p, r) for p, r in V.discover(VECTORS)
               if r.startswith("ce1/")):
        for c in vf.cases:
            if c.op not in ("protect", "unprotect") or c.mode not in range(1, 9):
                continue
            # The check's call, replayed on the spec to get the right answer.
            rec = _Rec()
            c.run(rec)
            op, args = rec.call
            fn = getattr(spec, op)
            try:
                right = ("ok", fn(*args))
            except Exception as e:
                right = ("status", e.status)
            obs = D.Observation(op, args[0], args[1], args[2],
                                args[3] if op == "protect" else 0,
                                args[-1], right)
            assert dx.matches(obs) == [], (vf.rel, c.id)
            for n, impl in devs.items():
                if c.mode in DEVIATIONS[n].modes and D._outcome(impl, obs) != right:
                    changes[(n, c.mode)] += 1
    silent = [(n, m) for n, m in PAIRS if not changes[(n, m)]]
    # Visible only with keys the vector files lack (a NUL byte): covered
    # by test_each_deviation_is_named through the random pass or direct cases.
    assert {n for n, _ in silent} <= {"key_cut_at_nul"}, silent


class _Rec:
    """Records the one call a CE1 check makes and answers like the spec."""
    salt_any_length = True

    def __init__(self):
        self.call = None
        self._spec = PythonCE1()

    def protect(self, *a):
        self.call = ("protect", a)
        return self._spec.protect(*a)

    def unprotect(self, *a):
        self.call = ("unprotect", a)
        return self._spec.unprotect(*a)

    def derive(self, *a):
        return self._spec.derive(*a)


@needs_ce1
def test_two_bugs_are_partly_explained():
    rep = api.run(PythonCE1({"pn_little_endian", "aad_none"}), vectors_dir=VECTORS,
                  files=["ce1/*"], modes=["AES_128_GCM"])
    v = verdicts(rep)
    assert v["unexplained"] > 0, v
    # A frame shows both bugs unless its PN reads the same both ways (PN 0):
    # then one deviation does reproduce it, and only then.
    for r in rep.failed:
        if r.op == "protect" and r.diagnosis.basis == "exact":
            pn = bytes.fromhex(json.loads(r.requests[-1])["pn"])
            assert pn == pn[::-1], r.diagnosis.text
            assert r.diagnosis.deviation == "aad_none"
    text = rep.text()
    assert "unexplained" in text and "established: " in text
    assert "header differs in: packet number" in text
    # the summary says so in the words of issue 13
    assert re.search(r"^  \d+ failures, partly explained: \d+ explained by aad_none",
                     text, re.M), text[text.index("diagnosis ("):]


def test_correct_implementation_gets_no_diagnosis(monkeypatch):
    called = []
    monkeypatch.setattr(D, "diagnose_failures",
                        lambda *a, **k: called.append(1) or [])
    rep = api.run(PythonCE1(), vectors=False, random=40, seed="clean")
    assert not rep.failed and not called
    assert "diagnosis" not in rep.text()
    assert rep.json()["diagnoses"] == {}


def test_no_diagnose_option_and_sample(tmp_path):
    rep = api.run(PythonCE1({"aad_none"}), vectors=False, random=80, seed="s",
                  modes=["5"], diagnose=False)
    assert rep.failed and all(r.diagnosis is None for r in rep.failed)
    rep = api.run(PythonCE1({"aad_none"}), vectors=False, random=80, seed="s",
                  modes=["5"], diagnose_sample=3)
    # 3 replayed: the wrong frames (protect) reproduced exactly, the
    # refused right frames (unprotect) only consistent with aad_none; the
    # other wrong frames are put down to it, the other refusals not examined
    prot = [r for r in rep.failed if r.op == "protect"]
    unp = [r for r in rep.failed if r.op == "unprotect"]
    assert prot and unp
    bases = collections.Counter(r.diagnosis.basis for r in rep.failed)
    assert bases["exact"] + bases["consistent"] == 3 and bases["exact"], bases
    assert {r.diagnosis.basis for r in prot} == {"exact", "sample"}
    assert {r.diagnosis.basis for r in unp} <= {"consistent", "not_examined"}
    assert all(r.diagnosis.deviation == "aad_none" for r in prot)
    one_cause(rep.failed, "aad_none")


def test_unexplained_says_what_is_established():
    """A bug outside the catalogue: only the tag differs."""
    class TagFlip(PythonCE1):
        def protect(self, *a):
            out = super().protect(*a)
            if out.ok:
                out.value = out.value[:-1] + bytes([out.value[-1] ^ 1])
            return out
    rep = api.run(TagFlip(), vectors=False, random=20, seed="t", modes=["5"])
    d = [r.diagnosis for r in rep.failed if r.op == "protect"]
    assert d and all(x.basis == "unexplained" for x in d)
    assert any("the tag only differs" in x.text for x in d)
    assert any("derived keys identical per the derive op" in x.text for x in d)


def test_engine_first_match_wins():
    class V1:
        name, phrase, section, order = "a", "a", "1", 0

    class V2:
        name, phrase, section, order = "b", "b", "1", 1
    e = D.Engine([V1, V2], lambda v, o: o * (2 if v is V1 else 3), lambda o: o)
    assert e.first(1, 2) is V1 and e.first(1, 3) is V2 and e.first(1, 1) is None
    assert D.Engine.cover([[V1, V2], [V2], [V2]]) == [V2, V2, V2]


@needs_ce1
def test_deviant_adapter_end_to_end(tmp_path):
    rep = tmp_path / "r.json"
    env = {**os.environ, "CE_DEVIATION": "nonce_concatenated"}
    p = subprocess.run([sys.executable, "-m", "chanenc.conform", "--adapter",
                        f"{sys.executable} {DEVIANT}", "--file", "ce1/*",
                        "--mode", "AES_128_GCM", "--no-progress", "--json",
                        str(rep)], capture_output=True, text=True, timeout=600,
                       env=env)
    assert p.returncode == 1, p.stderr
    data = json.loads(rep.read_text())
    n = data["summary"]["failed"]
    c = one_cause([f["diagnosis"] for f in data["failures"]], "nonce_concatenated")
    k = c["exact"] + c["sample"]
    assert data["diagnoses"]["nonce_concatenated"] == k > 0
    assert sum(data["diagnoses"].values()) == n
    assert re.search(rf"{n} failures(, partly explained)?: {k} explained by "
                     "nonce_concatenated", p.stdout), p.stdout[-2000:]
    assert "diagnosis: your frame equals the reference's with the GCM nonce" in p.stdout
    p2 = subprocess.run([sys.executable, "-m", "chanenc.conform", "--adapter",
                         f"{sys.executable} {DEVIANT}", "--file", "ce1/*",
                         "--mode", "AES_128_GCM", "--no-progress", "--no-diagnose"],
                        capture_output=True, text=True, timeout=600, env=env)
    assert p2.returncode == 1 and "diagnosis" not in p2.stdout


@needs_ce1
def test_pytest_plugin_shows_the_diagnosis(tmp_path):
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    p = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                        "-p", "chanenc.pytest_plugin", "--ce1-adapter",
                        f"{sys.executable} {DEVIANT} aad_none", "--ce1-vectors",
                        VECTORS, "--ce1-file", "ce1/*gcm.json", "--ce1-mode",
                        "AES_128_GCM"], cwd=tmp_path, capture_output=True,
                       text=True, timeout=600)
    lines = [ln for ln in p.stdout.splitlines() if "diagnosis:" in ln]
    assert p.returncode == 1 and lines, p.stdout[-2000:]
    assert all(ln.endswith("[aad_none]") or "consistent with " in ln and
               "aad_none" in ln or "not examined" in ln for ln in lines), lines
    assert any(ln.endswith("[aad_none]") for ln in lines), lines


LAX = os.path.join(HERE, "broken_adapters", "lax_requests.py")


def test_request_checks_are_not_comparable():
    """docs/conformance.md 6: request checks are "not comparable". An
    adapter that accepts malformed requests (hex with a space, no "pn")
    answers with the spec's frame for the bytes it read: replaying such a
    request through the catalogue said "unexplained; established: header
    identical; derived keys identical ..., so the fault is in the frame",
    which sends the implementer to the wrong place. In the request layer
    and in the random pass's malformed requests alike."""
    with api.open_implementation(adapter=f"{sys.executable} {LAX}") as impl:
        reps = [api.run(impl, layers=["request"]),
                api.run(impl, vectors=False, random=300, seed="lax")]
    for rep in reps:
        reqs = [r for r in rep.failed if r.op == "request"]
        assert reqs, verdicts(rep)
        for r in reqs:
            assert r.diagnosis.basis == "not_comparable", (r.id, r.diagnosis.text)
            assert "fault is in the frame" not in r.diagnosis.text
            assert "request check" in r.diagnosis.text
        assert "unexplained" not in rep.json()["diagnoses"] or any(
            r.op != "request" and r.diagnosis.basis == "unexplained"
            for r in rep.failed)


# --------------------------------------------------------------------------
# The primitive layer's catalogue (chanenc.conform.pyprim), on the same
# engine: an implementation of the primitives with exactly one deviation
# is diagnosed with exactly that name.
# --------------------------------------------------------------------------

from chanenc.conform.impls import Implementation, Outcome, PRIMITIVE_OPS  # noqa: E402
from chanenc.conform.pyprim import PRIM_DEVIATIONS, PrimError, PyPrim  # noqa: E402


class PrimDeviant(Implementation):
    """The primitives of tools/ce1_prim.h (pyprim) with the named
    deviations switched on, and no frame or SFrame operations: the
    primitive counterpart of PythonCE1(bugs)."""

    kind = "python"

    def __init__(self, bugs=()):
        self._p = PyPrim(bugs)
        self.description = f"pyprim {sorted(bugs)}"

    def capabilities(self):
        return frozenset(PRIMITIVE_OPS)

    def operations(self):
        return frozenset(PRIMITIVE_OPS)

    def primitive(self, op, **f):
        try:
            return Outcome(self._p.call(op, f))
        except PrimError as e:
            return Outcome(status=e.status)


#: The files each primitive's deviations are checked on (a few of each
#: kind, so that the test stays quick).
PRIM_FILES = {
    "aes_gcm": ["cryptopp/gcm.txt", "wycheproof/aes_gcm_test.json"],
    "aes_xts": ["cryptopp/xts.txt", "wycheproof/aes_xts*"],
    "hkdf": ["cryptopp/hkdf.txt", "pyca/KDF/*"],
    "pbkdf2": ["std/rfc7914*"],
    "ecb": ["cryptopp/sm4.txt", "pyca/ciphers/AES/ECB/ECBGFSbox*"],
}


def _prim_files(dev):
    op = sorted(dev.ops)[0]
    key = next(k for k in PRIM_FILES if op.startswith(k) or
               (k == "ecb" and "_ecb_" in op))
    return PRIM_FILES[key]


PRIM_CATALOGUE = sorted(PRIM_DEVIATIONS)


@needs_ce1
@pytest.mark.parametrize("name", PRIM_CATALOGUE)
def test_each_primitive_deviation_is_named(name):
    rep = api.run(PrimDeviant({name}), vectors_dir=VECTORS, layers=["primitive"],
                  files=_prim_files(PRIM_DEVIATIONS[name]))
    assert rep.failed, f"{name} changes no answer in {_prim_files(PRIM_DEVIATIONS[name])}"
    assert verdicts(rep) == {name: len(rep.failed)}, verdicts(rep)
    text = rep.text()
    n = len(rep.failed)
    assert f"{n} failure{'s' if n != 1 else ''}: {n} explained by {name}" in text
    lines = [ln for ln in text.splitlines() if ln.startswith("  diagnosis: ")]
    assert lines and all(f"[{name}]" in ln for ln in lines), lines[:3]
    assert any("equals the reference's with" in ln for ln in lines)
    data = rep.json()
    assert data["diagnoses"] == {name: n}
    fds = data["primitive_diagnosis"]     # one per primitive (ECB: AES, SM4)
    assert fds and sum(fd["failed"] for fd in fds) == n
    for fd in fds:
        assert fd["explained"] == {name: fd["failed"]}
        assert f"diagnosis: {fd['failed']:,} explained by {name}" in fd["text"]


def test_correct_primitives_get_no_diagnosis():
    rep = api.run(PrimDeviant(), vectors_dir=VECTORS, layers=["primitive"],
                  files=[f for fs in PRIM_FILES.values() for f in fs])
    assert not rep.failed and rep.totals[0] > 1000
    assert "diagnosis" not in rep.text() and rep.json()["diagnoses"] == {}


class _PrimRec(Implementation):
    """The reference's primitives, every call and answer recorded."""

    kind = "python"
    description = "the reference, recorded"

    def __init__(self):
        from chanenc.conform.impls import Reference
        self._ref = Reference()
        self.calls = []

    def capabilities(self):
        return self._ref.capabilities()

    def operations(self):
        return frozenset(self._ref.capabilities())

    def primitive(self, op, **f):
        out = self._ref.primitive(op, **f)
        self.calls.append((op, dict(f), out))
        return out


@needs_ce1
def test_no_primitive_deviation_explains_the_reference_answers():
    """Every primitive deviation replayed over the reference's own answers
    (the answer or refusal of each primitive call of the vector files, a
    spread of them per operation): none reproduces one, so a correct
    answer is never 'explained'; and each deviation changes some answer
    (else it would be catalogued for nothing)."""
    rec = _PrimRec()
    rep = api.run(rec, vectors_dir=VECTORS, layers=["primitive"])
    assert not rep.failed
    by_op = collections.defaultdict(list)
    for op, f, out in rec.calls:
        if not out.transport:
            by_op[op].append((f, out))
    dx = D.PrimDiagnoser()
    devs = {n: PyPrim({n}) for n in PRIM_DEVIATIONS}
    changed = collections.Counter()
    for op, calls in by_op.items():
        for f, out in D._spread(calls, 400):
            if out.ok:
                right = ("ok", None, b"".join(out.value.values()))
            else:
                right = ("status", out.status)
            obs = D.PrimObservation(op, f, right, right[-1])
            assert dx.matches(obs) == [], (op, f)
            assert dx.engine.matches(obs, right) == [], (op, f)
            for n, impl in devs.items():
                if op in PRIM_DEVIATIONS[n].ops and D._prim_outcome(impl, obs) != right:
                    changed[n] += 1
    assert set(changed) == set(PRIM_DEVIATIONS), set(PRIM_DEVIATIONS) - set(changed)


# --------------------------------------------------------------------------
# SFrame's catalogue (chanenc.conform.pysframe), on the same engine: an
# SFrame implementation with exactly one deviation is diagnosed with
# exactly that name.
# --------------------------------------------------------------------------

from chanenc.conform.impls import SFRAME_OPS  # noqa: E402
from chanenc.conform.pysframe import (SFRAME_DEVIATIONS, PySFrame,  # noqa: E402
                                      SFrameError)

SFRAME_CATALOGUE = sorted(SFRAME_DEVIATIONS)
needs_sframe = pytest.mark.skipif(
    not (VECTORS and os.path.isdir(os.path.join(VECTORS, "sframe"))),
    reason="vectors/sframe not found")


class SFrameDeviant(Implementation):
    """SFrame (pysframe) with the named deviations switched on, and no
    frame or primitive operations: the SFrame counterpart of
    PythonCE1(bugs)."""

    kind = "python"

    def __init__(self, bugs=()):
        self._s = PySFrame(bugs)
        self.description = f"pysframe {sorted(bugs)}"

    def operations(self):
        return frozenset(SFRAME_OPS)

    def sframe_protect(self, *a):
        try:
            return Outcome(self._s.protect(*a))
        except SFrameError as e:
            return Outcome(status=e.status)

    def sframe_unprotect(self, *a):
        try:
            return Outcome(self._s.unprotect(*a))
        except SFrameError as e:
            return Outcome(status=e.status)


@needs_sframe
@pytest.mark.parametrize("name", SFRAME_CATALOGUE)
def test_each_sframe_deviation_is_named(name):
    rep = api.run(SFrameDeviant({name}), vectors_dir=VECTORS, layers=["sframe"])
    assert rep.failed, f"{name} changes no answer of the SFrame files"
    c = one_cause(rep.failed, name)
    text = rep.text()
    n = len(rep.failed)
    k = c["exact"] + c["sample"]
    assert re.search(rf"{n} failures?(, partly explained)?: "
                     + (f"{k} explained by {name}" if k else "")
                     , text), text[-2000:]
    lines = [ln for ln in text.splitlines() if ln.startswith("  diagnosis: ")]
    assert lines and all(f"[{name}]" in ln or "consistent with " in ln
                         or "not examined" in ln for ln in lines), lines[:3]
    if k:
        assert any("equals the reference's with" in ln for ln in lines)
        assert rep.json()["diagnoses"][name] == k
    # every deviation cites the section of RFC 9605 it departs from
    assert SFRAME_DEVIATIONS[name].section.startswith("RFC 9605 4.")


@needs_sframe
def test_correct_sframe_gets_no_diagnosis():
    rep = api.run(SFrameDeviant(), vectors_dir=VECTORS, layers=["sframe"])
    assert not rep.failed and rep.totals[0] > 4000
    assert "diagnosis" not in rep.text() and rep.json()["diagnoses"] == {}


class _SFrameRec(Implementation):
    """The reference's SFrame, every call and answer recorded."""

    kind = "python"
    description = "the reference, recorded"

    def __init__(self):
        from chanenc.conform.impls import Reference
        self._ref = Reference()
        self.calls = []

    def operations(self):
        return frozenset(SFRAME_OPS)

    def sframe_protect(self, *a):
        out = self._ref.sframe_protect(*a)
        self.calls.append(("protect", a, out))
        return out

    def sframe_unprotect(self, *a):
        out = self._ref.sframe_unprotect(*a)
        self.calls.append(("unprotect", a, out))
        return out


@needs_sframe
def test_no_sframe_deviation_explains_the_reference_answers():
    """The whole SFrame catalogue replayed over the reference's own
    answers (every frame, payload and refusal of the SFrame files): none
    reproduces one, so a correct answer is never 'explained'; and each
    deviation changes some answer (else it would be catalogued for
    nothing)."""
    rec = _SFrameRec()
    rep = api.run(rec, vectors_dir=VECTORS, layers=["sframe"])
    assert not rep.failed and len(rec.calls) > 4000
    dx = D.SFrameDiagnoser()
    devs = {n: PySFrame({n}) for n in SFRAME_DEVIATIONS}
    changed = collections.Counter()
    for op, args, out in rec.calls:
        if out.transport:
            continue
        if out.ok:
            right = ("ok", out.value if op == "protect" else out.value[0])
        else:
            right = ("status", out.status)
        obs = D.SFrameObservation(op, args, right, right[1])
        assert dx.trusted(obs), (op, args)
        assert dx.matches(obs) == [], (op, args)
        assert dx.engine.matches(obs, right) == [], (op, args)
        for n, impl in devs.items():
            d = SFRAME_DEVIATIONS[n]
            if op in d.ops and args[0] in d.suites and \
                    D._sframe_outcome(impl, obs) != right:
                changed[n] += 1
    assert set(changed) == set(SFRAME_DEVIATIONS), set(SFRAME_DEVIATIONS) - set(changed)


def test_sframe_two_bugs_are_partly_explained():
    """Two bugs at once: the frames that show both are unexplained, and
    say where they differ."""
    rep = api.run(SFrameDeviant({"ctr_little_endian", "aad_no_metadata"}),
                  vectors_dir=VECTORS, layers=["sframe"],
                  files=["sframe/sframe-aes-128-gcm-sha256-128.json"])
    v = verdicts(rep)
    assert v["unexplained"] > 0, v
    text = rep.text()
    assert re.search(r"^  \d+ failures, partly explained: ", text, re.M), text[-2000:]
    assert "established: header right, the ciphertext differs" in text or \
        "established: header and ciphertext right, the tag differs" in text


def test_sframe_unexplained_frame_says_what_is_established():
    """A bug outside the catalogue (the CTR+HMAC tag taken from byte 3 of
    the HMAC): unexplained, with where the frame differs and which slice
    of the right HMAC the tag is (what explain_frame used to say)."""
    from chanenc.conform import pysframe as PS

    class _TagAt3:
        def tag_of(self, mac, nt):
            return mac[3:3 + nt]
    s = type("Bad", (_TagAt3, PS._Base), {})()
    good = PySFrame()
    args = (1, 300, 70000, b"base key", b"meta", b"payload bytes")
    want, got = good.protect(*args), s.protect(*args)
    assert want != got
    fl = V.Failure("frame_mismatch", "", want, got, extra={"_call": ("protect", args)})
    case = V.Case("f", "SFrame suite 1", "c", "", "protect", layer="sframe")
    (d,) = D.diagnose_failures([(case, fl, [])])
    assert d.basis == "unexplained" and d.deviation is None, d.text
    assert "header and ciphertext right, the tag differs" in d.text
    assert "the tag is bytes 3.. of the right HMAC" in d.text


def test_deviation_names_are_unique_across_catalogues():
    """One summary and one JSON map hold every layer's names."""
    names = [*DEVIATIONS, *PRIM_DEVIATIONS, *SFRAME_DEVIATIONS]
    assert len(names) == len(set(names))
    assert set(D.catalogue()) == set(names)


class SFrameSplit(Implementation):
    """SFrame whose protect and unprotect are two code paths with their
    own deviations (pysframe), or whose unprotect answers one status to
    everything (``always``)."""

    kind = "python"

    def __init__(self, protect_bugs=(), unprotect_bugs=(), always=None):
        self._p, self._u = PySFrame(protect_bugs), PySFrame(unprotect_bugs)
        self._always = always
        self.description = f"protect {protect_bugs} unprotect {unprotect_bugs}"

    def operations(self):
        return frozenset(SFRAME_OPS)

    def sframe_protect(self, *a):
        try:
            return Outcome(self._p.protect(*a))
        except SFrameError as e:
            return Outcome(status=e.status)

    def sframe_unprotect(self, *a):
        if self._always:
            return Outcome(status=self._always)
        try:
            return Outcome(self._u.unprotect(*a))
        except SFrameError as e:
            return Outcome(status=e.status)


@needs_sframe
@pytest.mark.parametrize("unprotect_bugs,always", [
    ({"aad_no_metadata"}, None), ((), "AUTH_FAILED")])
def test_sframe_two_code_paths_are_diagnosed_apart(unprotect_bugs, always):
    """protect with ctr_little_endian, unprotect with aad_no_metadata (or
    refusing everything): the unprotect failures used to be credited to
    ctr_little_endian ("exact" and "sample"), the protect's bug, because
    the group was the file and suite and the evidence any operation's.
    Now the group has the operation, a status is only "consistent", and
    no unprotect failure is put down to the protect's bug (review 3c)."""
    rep = api.run(SFrameSplit({"ctr_little_endian"}, unprotect_bugs, always),
                  vectors_dir=VECTORS, layers=["sframe"],
                  files=["sframe/sframe-aes-128-gcm-sha256-128.json"])
    prot = [r for r in rep.failed if r.op == "protect"]
    unp = [r for r in rep.failed if r.op == "unprotect"]
    assert prot and unp
    for r in unp:
        d = r.diagnosis
        assert d.deviation != "ctr_little_endian", d.text
        if d.basis in ("exact", "sample"):
            assert d.deviation == "aad_no_metadata" and not always, d.text
            assert r.kind != "wrong_status" and not isinstance(r.actual, str)
        else:
            assert d.deviation is None, d.text
    if not always:
        assert any(r.diagnosis.deviation == "aad_no_metadata" for r in unp)
    assert {r.diagnosis.deviation for r in prot} == {"ctr_little_endian"}
    text = rep.text()
    assert "partly explained" in text
