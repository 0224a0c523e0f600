"""Primitive-only implementations in the conformance runner
(docs/conformance.md 9.1, 9.2, 9.4, 9.6).

An implementation whose capabilities do not list protect and unprotect (a
process adapter over a crypto library, tools/adapters/pyca_adapter.py; a
library of tools/libs/) does not implement the frame layer: its frame
cases, the request checks that need frame operations and the random pass
are skipped with the reason, and a correct one passes with exit status 0.
The capabilities are asked before anything else. An adapter that answers
capabilities with UNSUPPORTED_OP still runs its frame cases.

The five broken primitive adapters (broken_adapters/prim_*.py, each
pyca_adapter.py with one mistake) fail, each with its cause named in the
summary: XTS ciphertext stealing for 17..31 bytes, a GCM tag checked only
over the bytes that arrived (the derived tag cuts), HKDF past 32 bytes,
PBKDF2 with salts over 16 bytes (the checks computed at run time: no
standard vector has such a salt) and an SM4 round key. The computed KDF
checks themselves are checked against RFC 8018 and RFC 5869, and
NOT_SUPPORTED refusals are summed up by the refused vectors' parameters.

Environment (set by CTest): PYTHONPATH (build tree bindings),
CE_VECTORS_DIR, CE_BUILD_DIR, CE_WYCHEPROOF_DIR when Wycheproof is there.
The standard vector packages must be installed.
"""

import collections
import json
import os
import re
import subprocess
import sys
import time

import pytest

import chanenc
from chanenc.conform import api
from chanenc.conform import vectors as V
from chanenc.conform.impls import (PRIMITIVE_OPS, Implementation, Outcome,
                                   ProcessAdapter, Reference)
from chanenc.conform.runner import default_vectors_dir, describe_refusals

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(os.path.dirname(HERE))
BROKEN = os.path.join(HERE, "broken_adapters")
PYCA = os.path.join(SOURCE, "tools", "adapters", "pyca_adapter.py")
VECTORS = os.environ.get("CE_VECTORS_DIR") or default_vectors_dir()
BUILD = os.environ.get("CE_BUILD_DIR", "")
GCRYPT = os.path.join(BUILD, "tools", "libs", "libce1prim_gcrypt.so")
FRAME_SKIP = "not implemented by the adapter: protect, unprotect (capabilities: "

needs_ce1 = pytest.mark.skipif(
    not (VECTORS and os.path.isdir(os.path.join(VECTORS, "ce1"))),
    reason="vectors/ce1 not generated yet")


def runner(*args, timeout=900):
    """(exit status, stdout, stderr, JSON report or None); the seconds it
    took are printed (pytest -s)."""
    args = list(args)
    report = args[args.index("--json") + 1] if "--json" in args else None
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "chanenc.conform", "--no-progress",
                        *args], capture_output=True, text=True, timeout=timeout)
    print(f"runner {' '.join(args)[:140]}: {time.monotonic() - t0:.1f} s")
    data = None
    if report and os.path.exists(report):
        with open(report, encoding="utf-8") as f:
            data = json.load(f)
    return p.returncode, p.stdout, p.stderr, data


def script(path, *args):
    return " ".join([sys.executable, path, *args])


def broken(name, *args):
    return script(os.path.join(BROKEN, name + ".py"), *args)


def reasons_of(rows):
    return {k for r in rows for k in r["skip_reasons"]}


# --------------------------------------------------------------------------
# A correct primitive-only adapter passes; its frame layer is skipped
# --------------------------------------------------------------------------

@needs_ce1
def test_primitive_only_adapter_passes_every_layer_it_has(tmp_path):
    rep = tmp_path / "pyca.json"
    rc, out, err, data = runner("--adapter", script(PYCA), "--random", "20",
                                "--seed", "4", "--json", str(rep))
    assert rc == 0, out[-4000:] + err
    s = data["summary"]
    assert s["failed"] == 0 and s["exit_status"] == 0, s
    assert out.splitlines()[-1].endswith("(exit status 0; random pass: 20 "
                                         "cases, seed 4)")
    layers = data["layers"]
    assert layers["primitive"]["passed"] > 28000
    # the frame layer: every CE1 case and every random case skipped, the
    # reason naming what is missing and what was announced
    frame = [r for r in data["rows"] if r["layer"] == "frame"]
    assert frame and all(r["passed"] == r["failed"] == 0 for r in frame)
    (reason,) = reasons_of(frame)
    assert reason.startswith(FRAME_SKIP) and "pbkdf2_sha256" in reason, reason
    assert layers["frame"]["skipped"] == 1242 + 20
    assert data["random"]["cases_run"] == 20
    assert "random pass: 20 cases, seed 4: not run (not implemented by the " \
        "adapter: protect, unprotect" in out
    # the request checks that need no frame operation ran (and passed)
    req = [r for r in data["rows"] if r["layer"] == "request"]
    assert req[0]["passed"] >= 15 and req[0]["failed"] == 0
    assert reasons_of(req) == {reason}
    # SFrame: not announced either
    sf = [r for r in data["rows"] if r["layer"] == "sframe"]
    assert sf and all(r["passed"] == 0 for r in sf)
    assert any(k.startswith("not implemented by the adapter: sframe_protect, "
                            "sframe_unprotect (capabilities: ")
               for k in reasons_of(sf))
    caps = data["capabilities"]
    assert caps["frame_missing"] == ["protect", "unprotect"]
    assert "pbkdf2_sha256" in caps["operations"]
    # and it is in the table and the skip summary once
    assert re.search(r"^ +\d+  " + re.escape(FRAME_SKIP), out, re.M)


def test_capabilities_are_asked_first(tmp_path):
    """The first request of a run is {"op":"capabilities"}; an adapter
    that answers it UNSUPPORTED_OP (written before section 8) is taken to
    implement the frame operations, and its frame cases run."""
    if not (VECTORS and os.path.isdir(os.path.join(VECTORS, "ce1"))):
        pytest.skip("vectors/ce1 not generated yet")
    for name, adapter, passed in (
            ("old", os.path.join(BROKEN, "sframe_absent.py"), 149),
            ("pyca", PYCA, 0)):
        log = tmp_path / f"{name}.log"
        cmd = f"sh -c 'tee {log} | {sys.executable} {adapter}'"
        rep = tmp_path / f"{name}.json"
        rc, out, err, data = runner("--adapter", cmd, "--file",
                                    "ce1/ce1-aes-128-ecb.json", "--file",
                                    "std/rfc7914*", "--json", str(rep))
        assert rc == 0, out[-3000:] + err
        lines = log.read_text().splitlines()
        assert lines[0] == '{"op":"capabilities"}', lines[:3]
        row = next(r for r in data["rows"] if r["file"] == "ce1/ce1-aes-128-ecb.json")
        assert row["passed"] == passed, row
        if name == "old":
            assert data["capabilities"]["operations"] is None
            assert data["capabilities"]["frame_missing"] == []
            assert any(json.loads(l).get("op") == "protect" for l in lines[1:])
        else:
            assert not any(json.loads(l).get("op") in ("protect", "unprotect")
                           for l in lines[1:])


def test_old_adapter_is_taken_to_have_the_frame_operations():
    ad = ProcessAdapter([sys.executable, os.path.join(BROKEN, "sframe_absent.py")])
    try:
        ad.prepare()
        assert ad.operations() is None and ad.missing_frame_ops() == []
        assert "UNSUPPORTED_OP" in ad.capabilities_note
        assert ad.sframe_missing().startswith("the adapter does not implement SFrame")
    finally:
        ad.close()
    ad = ProcessAdapter([sys.executable, PYCA])
    try:
        assert ad.missing_frame_ops() == ["protect", "unprotect"]
        assert ad.requests_sent == 1        # asked once, at prepare()
        assert ad.capabilities() == ad.capabilities()
        assert ad.requests_sent == 1
    finally:
        ad.close()


@needs_ce1
@pytest.mark.parametrize("in_process", [False, True])
def test_library_without_frame_symbols(tmp_path, in_process):
    """A library of primitives alone (libgcrypt's adapter): its frame cases
    are skipped with the reason, and the header shows its
    ce1_impl_describe(), in the worker process as in process."""
    if not os.path.exists(GCRYPT):
        pytest.skip(f"{GCRYPT} not built (libgcrypt headers absent)")
    rep = tmp_path / "g.json"
    extra = ["--in-process"] if in_process else []
    rc, out, err, data = runner("--lib", GCRYPT, *extra, "--file",
                                "ce1/ce1-aes-128-ecb.json", "--file", "std/*",
                                "--json", str(rep))
    assert rc == 0, out[-3000:] + err
    head = out.splitlines()[0]
    assert re.fullmatch(r"chanenc-conform: implementation: shared library "
                        r"\(C ABI, (worker process|in process)\): .*"
                        r"libce1prim_gcrypt\.so \[libgcrypt \d+\.\d+\.\d+\]",
                        head), head
    assert data["implementation"]["describe"].startswith("libgcrypt ")
    frame = [r for r in data["rows"] if r["layer"] == "frame"]
    (reason,) = reasons_of(frame)
    assert reason.startswith("not implemented by the library: protect, "
                             "unprotect (capabilities: "), reason
    assert data["layers"]["primitive"]["passed"] > 0
    assert data["summary"]["failed"] == 0


# --------------------------------------------------------------------------
# The five broken primitive adapters fail, the cause named
# --------------------------------------------------------------------------

# script -> (files, primitive, parameter, phrase of the summary)
# script -> the named deviation of chanenc.conform.pyprim that reproduces
# it (None: none does; the characterisation is the diagnosis)
NAMED = {"prim_xts_cts": "xts_cts_steal_last",
         "prim_gcm_truncated_tag": "gcm_tag_prefix_accepted",
         "prim_hkdf_long": "hkdf_counter_stuck",
         "prim_pbkdf2_salt16": "pbkdf2_salt_16",
         "prim_sm4_round_key": None}
BROKEN_PRIMS = {
    "prim_xts_cts": (["cryptopp/xts.txt", "wycheproof/aes_xts*"], "aes_xts",
                     "data_len", "those with data lengths 17"),
    "prim_gcm_truncated_tag": (["cryptopp/gcm.txt"], "aes_gcm", "tag_cut",
                               "those with the tag cut to 4, 8, 12, 15 bytes "
                               "while tag_len stays 16"),
    "prim_hkdf_long": (["cryptopp/hkdf.txt", "pyca/KDF/*"], "hkdf_sha256",
                       "length", "those with output length over 32 ("),
    "prim_pbkdf2_salt16": (["std/rfc7914*", "wycheproof/pbkdf2*",
                            "ce1/ce1-aes-128-gcm-2.json"], "pbkdf2_sha256",
                           "salt_len", "those with salt length over 16 ("),
    "prim_sm4_round_key": (["cryptopp/sm4.txt", "std/gbt*"], "sm4_ecb", None,
                           "every one of its vectors (none passes)"),
}


@needs_ce1
@pytest.mark.parametrize("name", sorted(BROKEN_PRIMS))
def test_broken_primitive_adapter_fails_with_its_cause(tmp_path, name):
    files, prim, param, phrase = BROKEN_PRIMS[name]
    rep = tmp_path / f"{name}.json"
    args = [x for f in files for x in ("--file", f)]
    rc, out, err, data = runner("--adapter", broken(name), *args, "--json",
                                str(rep))
    assert rc == 1, out[-3000:] + err
    fails = data["failures"]
    assert fails and {f["layer"] for f in fails} == {"primitive"}
    named = NAMED[name]
    if named is None:
        # replayed, no named deviation: "primitive" (characterised);
        # beyond the sample: "not examined" (docs/conformance.md 6)
        assert {f["diagnosis"]["basis"] for f in fails} <= {"primitive",
                                                           "not_examined"}
        assert set(data["diagnoses"]) <= {"primitive", "not_examined"}
        assert data["diagnoses"]["primitive"] > 0
        assert sum(data["diagnoses"].values()) == len(fails)
    else:
        # the named deviation, replayed exactly as a frame's (issue 13)
        assert {f["diagnosis"]["deviation"] for f in fails} == {named}
        assert {f["diagnosis"]["basis"] for f in fails} <= {"exact", "sample"}
        assert data["diagnoses"] == {named: len(fails)}
        assert f"{len(fails)} failures: {len(fails)} explained by {named}" in out
        assert re.search(r"  diagnosis: your \w+ equals the reference's with "
                         rf".*\[{named}\]$", out, re.M), out[-3000:]
    (fd,) = data["primitive_diagnosis"]
    assert fd["primitive"] == prim and fd["param"] == param, fd
    assert fd["failed"] == len(fails)
    assert phrase in fd["text"], fd["text"]
    # the summary line names it, and each failure points to the summary
    line = next(l for l in out.splitlines() if l.startswith(f"  {prim} fails "))
    assert phrase in line, line
    if named is None:
        assert f"diagnosis: {prim} fails those vectors with" in out or \
            f"diagnosis: {prim} fails vectors" in out
    else:
        assert fd["explained"] == {named: len(fails)}
        assert line.endswith(f"diagnosis: {len(fails):,} explained by {named}") \
            or f"diagnosis: {len(fails):,} explained by {named};" in line, line
    if name == "prim_xts_cts":
        assert "31" in fd["what"]
    if name == "prim_pbkdf2_salt16":
        # caught by the checks computed at run time (no standard PBKDF2
        # vector has a salt over 16 bytes); the GCM2 frames did not run
        assert all(f["derived"] == "computed" for f in fails)
        assert {f["file"] for f in fails} == {"std/rfc7914-pbkdf2-sha256.txt"}
        assert "(used by AES_128_GCM2, AES_256_GCM2, whose frame checks did " \
            "not run)" in out
        gcm2 = next(r for r in data["rows"] if r["file"] == "ce1/ce1-aes-128-gcm-2.json")
        assert gcm2["skipped"] == 163 and gcm2["failed"] == 0
    if name == "prim_gcm_truncated_tag":
        assert all(f["derived"] == "tag cut" for f in fails)


@needs_ce1
def test_pbkdf2_salt_bug_links_the_gcm2_frame_failures(tmp_path):
    """The same PBKDF2 mistake in an implementation with frames: the GCM2
    frame failures are said to follow from it."""
    rep = tmp_path / "l.json"
    rc, out, err, data = runner("--adapter", broken("layer_pbkdf2_salt16"),
                                "--file", "std/rfc7914*", "--file",
                                "ce1/ce1-aes-128-gcm-2.json", "--file",
                                "ce1/ce1-aes-128-gcm.json", "--json", str(rep))
    assert rc == 1, out[-3000:] + err
    (fd,) = data["primitive_diagnosis"]
    assert fd["param"] == "salt_len"
    follow = fd["frame_failures_that_follow"]
    assert list(follow) == ["AES_128_GCM2"] and follow["AES_128_GCM2"]["failed"] > 0
    line = next(l for l in out.splitlines() if l.startswith("  pbkdf2_sha256 fails "))
    assert "those with salt length over 16 (" in line
    assert re.search(r"frame failures in AES_128_GCM2 \(\d+ failed, payloads "
                     r"[\d.]+\) likely follow$", line), line
    frame = {r["file"]: r for r in data["rows"] if r["layer"] == "frame"}
    assert frame["ce1/ce1-aes-128-gcm.json"]["failed"] == 0


# --------------------------------------------------------------------------
# The computed KDF checks
# --------------------------------------------------------------------------

def test_computed_kdf_checks_are_right():
    # the runner's own PBKDF2 and HKDF against the published vectors
    for prf in (V._prf_hmac_module, V._prf_rfc2104):
        assert V.pbkdf2_rfc8018(prf, b"passwd", b"salt", 1, 64).hex().startswith(
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
        prk, okm = V.hkdf_rfc5869(prf, bytes(range(13)), b"\x0b" * 22,
                                  bytes(range(0xf0, 0xfa)), 42)
        assert prk.hex() == ("077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c31"
                             "22ec844ad7c2b3e5")
        assert okm.hex() == ("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5d"
                             "b02d56ecc4c5bf34007208d5b887185865")
        # a key over the 64-byte block is hashed first (RFC 2104)
        assert prf(b"k" * 65)(b"m") == prf(__import__("hashlib").sha256(
            b"k" * 65).digest())(b"m")
    pb = V.computed_cases("std/rfc7914-pbkdf2-sha256.txt", "pbkdf2")
    hk = V.computed_cases("pyca/KDF/rfc-5869-HKDF-SHA256.txt", "hkdf")
    assert len(pb) == 13 and len(hk) == 15
    assert all(c.derived == "computed" and c.primitive for c in pb + hk)
    salts = {c.params["salt_len"] for c in pb}
    assert salts == {16, 17, 32, 33, 64, 65, 200}
    assert {c.params["password_len"] for c in pb} >= {0, 1, 63, 64, 65, 200}
    assert {c.params["iterations"] for c in pb} == {1, 2, 1000}
    assert {c.params["length"] for c in pb} == {1, 32, 33, 64}
    assert {c.params["length"] for c in hk} >= {1, 12, 16, 31, 32, 33, 63, 65,
                                                8159, 8160}
    # each expected value: hashlib's, equal to both RFC 8018 computations
    for c in pb:
        p = c.params
        pw, salt, dk = V._computed_pbkdf2(p["password_len"], p["salt_len"],
                                          p["iterations"], p["length"])
        assert dk == chanenc.pbkdf2_sha256(pw, salt, p["iterations"], p["length"])
    # the reference passes them; they are rows of their own
    rep = api.run(files=["std/rfc7914*", "pyca/KDF/rfc-5869*"])
    assert rep.exit_status == 0
    rows = {(r["algorithm"], r["derived"]): r for r in rep.json()["rows"]}
    assert rows[("PBKDF2-SHA256", "computed")]["passed"] == 13
    assert rows[("HKDF-SHA256", "computed")]["passed"] == 15
    # they are not vectors of the file they are reported with
    assert V.vector_count(V.load_file(
        os.path.join(VECTORS, "std", "rfc7914-pbkdf2-sha256.txt"),
        "std/rfc7914-pbkdf2-sha256.txt").cases) == 2


# --------------------------------------------------------------------------
# NOT_SUPPORTED, summed up by the refused vectors' parameters
# --------------------------------------------------------------------------

class Refusing(Implementation):
    """The reference's primitives, with NOT_SUPPORTED for the GCM vectors
    ``refuse(fields)`` picks."""

    kind = "python"

    def __init__(self, refuse) -> None:
        self.ref = Reference()
        self.refuse = refuse
        self.description = "test implementation"

    def capabilities(self):
        return frozenset(PRIMITIVE_OPS)

    def primitive(self, op, **fields):
        if op.startswith("aes_gcm") and self.refuse(fields):
            return Outcome(status="NOT_SUPPORTED")
        return self.ref.primitive(op, **fields)


NIST_GCM = "pyca/ciphers/AES/GCM/gcmEncryptExtIV128.rsp"


def _refusal_reasons(refuse):
    rep = api.run(Refusing(refuse), files=[NIST_GCM])
    assert rep.exit_status == 0
    reasons = {k for r in rep.json()["rows"] for k in r["skip_reasons"]}
    return reasons, [r for r in rep.results if r.skipped]


def test_not_supported_names_the_refused_parameters():
    # wolfSSL refuses 4- and 8-byte tags: the summary says so, not "IV"
    reasons, skipped = _refusal_reasons(lambda f: f["tag_len"] in (4, 8))
    assert reasons == {"NOT_SUPPORTED by the implementation: aes_gcm_seal for "
                       "tag lengths 4, 8 (bytes)"}
    assert skipped and all(re.search(r"\(the vector: key 128 bits, IV \d+ "
                                     r"bytes?, tag_len [48], ", r.message)
                           for r in skipped)
    # pyca refuses short IVs (NIST's 8-bit IVs): seal, and open in the
    # derived tag-cut checks of those vectors
    reasons, _ = _refusal_reasons(lambda f: len(f["iv"]) < 8)
    assert reasons == {f"NOT_SUPPORTED by the implementation: aes_gcm_{op} for "
                       "IV length 1 (bytes)" for op in ("seal", "open")}
    # both: each parameter for the vectors it accounts for
    reasons, _ = _refusal_reasons(lambda f: len(f["iv"]) < 8 or f["tag_len"] == 4)
    r = next(r for r in reasons if "aes_gcm_seal" in r)
    assert r.startswith("NOT_SUPPORTED by the implementation: aes_gcm_seal for ")
    assert "IV length 1 (bytes)" in r and "tag length 4 (bytes)" in r and ", or " in r


def test_describe_refusals():
    gcm = lambda k, iv, t: {"key_bits": k, "iv_len": iv, "tag_len": t}
    answered = [gcm(128, 12, 16), gcm(256, 12, 12), gcm(128, 8, 16),
                gcm(128, 128, 16)]
    assert describe_refusals([gcm(192, 12, 16), gcm(192, 8, 16)], answered) == \
        "key size 192 (bits)"
    assert describe_refusals([gcm(128, i, 16) for i in (1, 2, 3, 7, 129, 256)],
                             answered) == "IV lengths 1..3, 7, 129, 256 (bytes)"
    assert describe_refusals([gcm(192, 12, 16), gcm(128, 1, 16), gcm(128, 2, 16)],
                             answered) == \
        "IV lengths 1..2 (bytes), or key size 192 (bits)"
    assert describe_refusals([gcm(128, 12, 16)], answered) == \
        "1 vector that no parameter tells apart from those it answered"


# --------------------------------------------------------------------------
# False passes: NOT_SUPPORTED for what CE1 needs, NOT_SUPPORTED for a cut
# tag, a status outside the documented set
# --------------------------------------------------------------------------

@needs_ce1
def test_not_supported_for_everything_fails(tmp_path):
    rep = tmp_path / "ns.json"
    rc, out, err, data = runner("--adapter", broken("prim_ns_everything"),
                                "--json", str(rep))
    assert rc == 1, out[-3000:] + err
    kinds = {f["kind"] for f in data["failures"]}
    assert "not_supported_required" in kinds, kinds
    msgs = " ".join(f["message"] for f in data["failures"])
    assert "every CE1 implementation must support AES-128-GCM" in msgs
    assert "must support AES-128-ECB" in msgs
    assert "must support PBKDF2-HMAC-SHA256" in msgs


@needs_ce1
def test_not_supported_for_a_cut_tag_fails(tmp_path):
    rep = tmp_path / "tagcut.json"
    rc, out, err, data = runner("--adapter", broken("prim_tagcut_ns"),
                                "--file", "cryptopp/gcm.txt", "--json", str(rep))
    assert rc == 1, out[-3000:] + err
    fails = data["failures"]
    assert fails and all(f["derived"] == "tag cut" for f in fails)
    assert ("refused a cut tag (15 of 16 bytes) as NOT_SUPPORTED after "
            "accepting the full tag: must be AUTH_FAILED") in out


@needs_ce1
def test_status_outside_the_documented_set_fails(tmp_path):
    rep = tmp_path / "bogus.json"
    rc, out, err, data = runner("--adapter", broken("prim_bogus_status"),
                                "--json", str(rep))
    assert rc == 1, out[-3000:] + err
    assert {f["kind"] for f in data["failures"]} == {"bad_answer"}
    assert "\"error\" 'OK' is not a status of docs/conformance.md" in out


# --------------------------------------------------------------------------
# False passes found by review: an operation announced without its partner
# (no check can exercise it), an adapter that computes nothing
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name,op,missing,files", [
    ("prim_seal_only_wrong", "aes_gcm_seal", "aes_gcm_open",
     ["--layer", "primitive", "--file", "cryptopp/gcm.txt",
      "--file", "pyca/ciphers/AES/GCM/gcmEncryptExtIV128.rsp"]),
    ("sframe_protect_only_wrong", "sframe_protect", "sframe_unprotect",
     ["--layer", "primitive,sframe", "--file", "sframe/*"]),
])
def test_announced_operation_no_check_could_exercise_fails(tmp_path, name, op,
                                                           missing, files):
    """An adapter that announces aes_gcm_seal without aes_gcm_open (or
    sframe_protect without sframe_unprotect), whose announced operation
    is garbage, and a correct ECB: every check of the announced operation
    also needs the missing one, so none ran. That used to be counted "not
    applicable (... not announced)" and the run exited 0 on the ECB
    passes. Now those checks are genuine skips and the announced operation
    fails once, naming the operation it lacks."""
    rep = tmp_path / "one.json"
    rc, out, err, data = runner(
        "--adapter", broken(name), *files,
        "--file", "pyca/ciphers/AES/ECB/ECBGFSbox128.rsp", "--json", str(rep))
    assert rc == 1, out[-3000:] + err
    fails = [f for f in data["failures"] if f["kind"] == "not_exercised"]
    assert [f["id"] for f in fails] == [op], data["failures"][:3]
    assert fails[0]["file"] == "(capabilities)"
    assert f"{op}: announced in the capabilities, but no check could " \
        f"exercise it" in fails[0]["message"]
    assert f"also need {missing}" in fails[0]["message"] or \
        f"also needs {missing}" in fails[0]["message"]
    # those checks are no "not applicable" ones: they are genuine skips
    assert data["summary"]["skipped"] > data["summary"]["not_applicable"]
    assert data["summary"]["passed"] >= 14
    assert "(exit status 1" in out


@needs_ce1
def test_adapter_that_computes_nothing_fails(tmp_path):
    """{"ops":[]}, INVALID_ARGUMENT for malformed requests and
    UNSUPPORTED_OP for everything else: only request checks pass, on
    refusals alone. They used to count as exact passes (exit status 0);
    now the run exits 1 and the summary line says why."""
    rep = tmp_path / "nothing.json"
    rc, out, err, data = runner(
        "--adapter", broken("announces_nothing_computes_nothing"),
        "--layer", "frame,request", "--file", "ce1/ce1-aes-128-gcm.json",
        "--file", "requests", "--json", str(rep))
    s = data["summary"]
    assert s["failed"] == 0 and s["passed"] > 0, out[-3000:] + err
    assert {r["layer"] for r in data["rows"] if r["passed"]} == {"request"}
    assert rc == 1 and s["exit_status"] == 1, out[-3000:]
    assert "no check of an operation of the implementation passed with " \
        "exact bytes" in s["exit_reason"]
    last = out.strip().splitlines()[-1]
    assert "(exit status 1: no check of an operation of the implementation " \
        "passed with exact bytes" in last, last


# --------------------------------------------------------------------------
# Diagnosis of refusals (review items 3 and 4): a status alone is never
# "reproduced exactly"; evidence comes from the same operation; failures
# beyond the sample are "not examined" in the primitive layer too
# --------------------------------------------------------------------------

def test_refusal_alone_is_never_exact(tmp_path):
    """aes_gcm_open refusing everything (a bug in no catalogue): its
    failures are refusals, which some tag deviations give too. They used
    to be "19 explained by gcm_tag_no_length_block ... 19 reproduced
    exactly"; now at most "consistent with" (credited to none)."""
    rep = tmp_path / "authfail.json"
    rc, out, err, data = runner("--adapter", broken("prim_open_always_authfail"),
                                "--layer", "primitive", "--file",
                                "pyca/ciphers/AES/GCM/gcmDecrypt128.rsp",
                                "--json", str(rep))
    assert rc == 1, out[-3000:] + err
    fails = data["failures"]
    assert fails and all(f["actual"] == {"status": "AUTH_FAILED"} for f in fails)
    bases = {f["diagnosis"]["basis"] for f in fails}
    assert not bases & {"exact", "sample"}, bases
    assert all(f["diagnosis"]["deviation"] is None for f in fails)
    assert "consistent" in bases
    cons = [f for f in fails if f["diagnosis"]["basis"] == "consistent"]
    assert all(f["diagnosis"]["text"].startswith("consistent with ") and
               f["diagnosis"]["candidates"] for f in cons)
    summary = out.split("diagnosis (", 1)[1]
    assert not re.search(r"\d+ reproduced exactly", summary), summary
    assert "explained by" not in summary, summary
    assert set(data["diagnoses"]) <= {"consistent", "not_examined", "primitive"}


def test_two_bugs_in_two_operations_are_not_merged(tmp_path):
    """seal with gcm_tag_over_plaintext, open with gcm_tag_no_length_block:
    the open's failures used to be credited exactly to the seal's bug (16
    of them), on the seal's evidence. Now the seal's failures are
    explained by its own bug, and no open failure is credited to
    gcm_tag_over_plaintext: the open's refusals are only consistent with
    deviations (gcm_tag_no_length_block among them), named for the open."""
    rep = tmp_path / "two.json"
    rc, out, err, data = runner("--adapter", broken("prim_seal_overpt_open_nolen"),
                                "--layer", "primitive", "--file",
                                "pyca/ciphers/AES/GCM/gcmDecrypt128.rsp",
                                "--file", "cryptopp/gcm.txt", "--json", str(rep))
    assert rc == 1, out[-3000:] + err
    seal = [f for f in data["failures"] if f["op"] == "encrypt"]
    opn = [f for f in data["failures"] if f["op"] == "decrypt"]
    assert seal and opn
    assert {f["diagnosis"]["deviation"] for f in seal} == {"gcm_tag_over_plaintext"}
    assert {f["diagnosis"]["basis"] for f in seal} <= {"exact", "sample"}
    for f in opn:
        d = f["diagnosis"]
        assert d["deviation"] != "gcm_tag_over_plaintext", d
        assert d["basis"] not in ("exact", "sample") or \
            d["deviation"] == "gcm_tag_no_length_block", d
        if d["basis"] == "consistent":
            assert "gcm_tag_no_length_block" in d["candidates"], d
    assert any(f["diagnosis"]["basis"] == "consistent" for f in opn)


def test_primitive_failures_beyond_the_sample_are_not_examined(tmp_path):
    """docs/conformance.md 6: failures beyond the replayed sample of a
    group with no single exact cause are "not examined". The primitive
    layer called them "primitive, no named deviation" (as if replayed),
    and its summary never said "partly explained" (review item 4)."""
    rep = tmp_path / "sample.json"
    rc, out, err, data = runner("--adapter", broken("prim_seal_overpt_open_nolen"),
                                "--layer", "primitive", "--file",
                                "pyca/ciphers/AES/GCM/gcmDecrypt128.rsp",
                                "--file", "cryptopp/gcm.txt",
                                "--diagnose-sample", "5", "--json", str(rep))
    assert rc == 1, out[-3000:] + err
    fails = data["failures"]
    ne = [f for f in fails if f["diagnosis"]["basis"] == "not_examined"]
    assert len(ne) > 3000, collections.Counter(
        f["diagnosis"]["basis"] for f in fails)
    assert all(f["diagnosis"]["text"].startswith("not examined") for f in ne)
    # replayed ones only are "primitive" (characterised)
    prim = [f for f in fails if f["diagnosis"]["basis"] == "primitive"]
    assert len(prim) <= 5 * 4
    assert data["diagnoses"].get("not_examined") == len(ne)
    assert re.search(r"^  \d+ failures, partly explained: \d+ explained by "
                     r"gcm_tag_over_plaintext", out, re.M), out[-3000:]
    (fd,) = data["primitive_diagnosis"]
    assert fd["not_explained"].get("not_examined") == len(ne)
    assert f"{len(ne):,} not examined" in fd["text"]


# --------------------------------------------------------------------------
# Wording (review item 5)
# --------------------------------------------------------------------------

def test_summary_wording_of_what_did_not_apply(tmp_path):
    """The folded row of a layer where nothing ran says "1 file", not
    "1 files", for the rows of one file; request checks skipped for want
    of protect and unprotect are said to lack the frame operations, not
    "request operations"; a malformed capabilities answer ({"ops":"all"})
    announces nothing, so what it skips is no "not applicable" check."""
    # a frame-only adapter (UNSUPPORTED_OP to capabilities) over one GCM
    # file: several rows of one file, folded
    rc, out, err, _ = runner("--adapter", broken("sframe_absent"), "--layer",
                             "primitive", "--file", "cryptopp/gcm.txt")
    line = next(l for l in out.splitlines() if "(nothing run)" in l)
    assert "1 file, nothing run" in line, line
    assert "1 files" not in out
    # an adapter of nothing: its request checks that need protect are not
    # applicable because the frame operations are not announced
    rc, out, err, data = runner(
        "--adapter", broken("announces_nothing_computes_nothing"),
        "--layer", "frame,request", "--file", "ce1/ce1-aes-128-gcm.json",
        "--file", "requests", "--json", str(tmp_path / "n.json"))
    last = out.strip().splitlines()[-1]
    assert "request operations" not in last, last
    assert "(frame operations not announced)" in last, last
    assert "request" in data["summary"]["not_applicable_layers"]
    # malformed capabilities: the run fails, and nothing is "not applicable"
    rc, out, err, data = runner("--adapter", broken("caps_ops_not_array"),
                                "--layer", "primitive", "--file",
                                "cryptopp/gcm.txt", "--json",
                                str(tmp_path / "m.json"))
    assert rc == 1, out[-3000:] + err
    assert "bad_capabilities" in {f["kind"] for f in data["failures"]}
    assert data["summary"]["not_applicable"] == 0, data["summary"]
    assert "not applicable" not in out.strip().splitlines()[-1]
