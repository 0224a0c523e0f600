"""SFrame in the main conformance runner (issue 12, docs/conformance.md
7.4): ``python3 -m chanenc.conform`` runs the SFrame vector files as its
``sframe`` layer, in the same table, JSON report, JUnit XML and pytest
items as the other layers, against any implementation that announces
sframe_protect and sframe_unprotect.

The reference adapter, library and bindings have every sframe row
passed; the independent Python SFrame passes; the four broken SFrame
adapters fail with their mistake in the diagnosis and the summary, their
CE1 frame and primitive layers skipped (they announce SFrame only); a CE1
adapter without SFrame has the layer skipped with the reason.

Environment (set by CTest): CE1_ADAPTER, CE_BUILD_DIR, PYTHONPATH reaching
the built bindings. The RFC 9605 vectors are read in place from
../shared/vectors/sframe when present.
"""

import json
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
BROKEN = os.path.join(HERE, "broken_adapters")
SOURCE = os.path.dirname(os.path.dirname(HERE))
RFC_DIR = os.path.join(os.path.dirname(SOURCE), "shared", "vectors", "sframe")
VECTORS = os.path.join(SOURCE, "vectors")
OWN_FILES = 8
#: the project's files: 4,512 cases, 16 of them protect cases with a KID
#: that has no send key (skipped, with the reason)
OWN_CASES, NO_SEND_KEY = 4512, 16


def _adapter():
    a = os.environ.get("CE1_ADAPTER")
    if not a or not os.path.exists(a):
        pytest.skip("CE1_ADAPTER not set (run under CTest)")
    return a


def _lib():
    b = os.environ.get("CE_BUILD_DIR")
    p = os.path.join(b, "tools", "libce1impl_ref.so") if b else ""
    if not p or not os.path.exists(p):
        pytest.skip("CE_BUILD_DIR/tools/libce1impl_ref.so not found (run under CTest)")
    return p


def runner(tmp_path, *args, name="r"):
    rep = tmp_path / f"{name}.json"
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "chanenc.conform", "--no-progress",
                        "--vectors", VECTORS, "--json", str(rep), *args],
                       capture_output=True, text=True, timeout=900)
    print(f"runner {' '.join(args)[:120]}: {time.monotonic() - t0:.1f} s")
    data = json.loads(rep.read_text()) if rep.exists() else None
    return p, data


def sframe_rows(data):
    return [r for r in data["rows"] if r["layer"] == "sframe"]


def _assert_sframe_all_pass(p, data):
    assert p.returncode == 0, p.stdout[-4000:] + p.stderr
    rows = sframe_rows(data)
    own = [r for r in rows if r["file"].startswith("sframe/")]
    assert len({r["file"] for r in own}) == OWN_FILES
    assert sum(r["passed"] for r in own) == OWN_CASES - NO_SEND_KEY
    assert sum(r["skipped"] for r in own) == NO_SEND_KEY
    assert all(r["failed"] == 0 for r in rows)
    assert all("no send key" in k for r in own for k in r["skip_reasons"])
    if os.path.isdir(RFC_DIR):
        by_file = {}
        for r in rows:
            by_file[r["file"]] = by_file.get(r["file"], 0) + r["passed"]
        assert by_file["rfc9605/test-vectors.json"] == 2 * (5 + 289)
        assert by_file["rfc9605/test-vectors-aes256.json"] == 2 * 3
    assert data["layers"]["sframe"]["failed"] == 0
    # the table: sframe rows with the suite, and the layer total
    assert re.search(r"^sframe +SFrame AES_128_GCM_SHA256_128 +sframe/"
                     r"sframe-aes-128-gcm-sha256-128\.json +\d+ +0 +\d+$",
                     p.stdout, re.M), p.stdout[-3000:]


def test_reference_adapter_has_the_sframe_rows(tmp_path):
    """Every layer of tools/ce1-adapter: the sframe rows are in the same
    table and report, all passed; JUnit carries the layer."""
    xml = tmp_path / "j.xml"
    p, data = runner(tmp_path, "--adapter", _adapter(), "--junit", str(xml))
    _assert_sframe_all_pass(p, data)
    assert set(data["layers"]) == {"frame", "primitive", "sframe", "request"}
    assert re.search(r"^sframe +\(layer total\) +\d+ +0 +16$", p.stdout, re.M)
    assert data["summary"]["failed"] == 0
    suites = {s.get("name"): s for s in ET.parse(xml).getroot().findall("testsuite")}
    s = suites["sframe/sframe-aes-128-gcm-sha256-128.json"]
    assert [pr.get("value") for pr in s.findall("properties/property")
            if pr.get("name") == "layer"] == ["sframe"]
    names = [tc.get("name") for tc in s.findall("testcase")]
    assert "SFrame AES_128_GCM_SHA256_128/g1-t3" in names, names[:5]


@pytest.mark.parametrize("how", ["lib", "in-process", "bindings"])
def test_reference_library_and_bindings_pass_the_sframe_layer(tmp_path, how):
    args = {"lib": ["--lib", _lib()] if how == "lib" else [],
            "in-process": ["--lib", _lib(), "--in-process"] if how == "in-process" else [],
            "bindings": []}[how]
    p, data = runner(tmp_path, *args, "--layer", "sframe")
    _assert_sframe_all_pass(p, data)
    assert set(data["layers"]) == {"sframe"}


def test_independent_python_sframe_passes(tmp_path):
    p, data = runner(tmp_path, "--adapter",
                     f"{sys.executable} {BROKEN}/sframe_correct.py",
                     "--layer", "sframe")
    _assert_sframe_all_pass(p, data)


# adapter -> (the named deviation of the diagnosis, files that must pass)
BROKEN_CASES = {
    "sframe_ctr_little_endian": ("ctr_little_endian", ()),
    "sframe_aad_no_metadata": ("aad_no_metadata", ()),
    "sframe_nonminimal_header": ("header_fixed_width", ()),
    "sframe_tag_last_bytes": ("tag_last_bytes",
                              ("sframe/sframe-aes-128-gcm-sha256-128.json",
                               "sframe/sframe-aes-256-gcm-sha512-128.json")),
}


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_sframe_adapter_fails_in_the_main_runner(tmp_path, name):
    dev, passing = BROKEN_CASES[name]
    layer = [] if name == "sframe_ctr_little_endian" else ["--layer", "sframe"]
    p, data = runner(tmp_path, "--adapter", f"{sys.executable} {BROKEN}/{name}.py",
                     *layer)
    assert p.returncode == 1, p.stdout[-3000:] + p.stderr
    fails = data["failures"]
    assert fails and {f["layer"] for f in fails} == {"sframe"}
    # every wrong frame is put down to the adapter's one mistake, by name
    # (replayed exactly, or its group's sample so); a refusal of a right
    # frame (a status alone) is only consistent with it, first among the
    # candidates, credited to none (review item 3), or not examined
    wrong = [f for f in fails if f["kind"] == "frame_mismatch"]
    assert wrong and all(f["diagnosis"]["deviation"] == dev for f in wrong), \
        {f["diagnosis"]["text"] for f in wrong}
    for f in fails:
        d = f["diagnosis"]
        if d["basis"] in ("exact", "sample"):
            assert d["deviation"] == dev, d
        elif d["basis"] == "consistent":
            assert d["deviation"] is None and d["candidates"][0] == dev, d
            assert "status" in (f["actual"] or {}), f["actual"]
        else:
            assert d["basis"] == "not_examined", d
    n = len(fails)
    dg = data["diagnoses"]
    assert set(dg) <= {dev, "consistent", "not_examined"} and dg[dev], dg
    assert sum(dg.values()) == n
    assert re.search(rf"  {n} failures(, partly explained)?: {dg[dev]} "
                     rf"explained by {dev}", p.stdout), p.stdout[-3000:]
    assert fails[0]["requests"][0].startswith('{"op":"sframe_')
    rows = {}
    for r in sframe_rows(data):
        rows.setdefault(r["file"], []).append(r)
    for f in passing:
        assert all(r["failed"] == 0 for r in rows[f]), f
    if not layer:
        # a whole run: the adapter announces the SFrame operations only,
        # so its frame and primitive layers are skipped, not failed
        assert data["layers"]["frame"]["failed"] == 0
        assert data["layers"]["primitive"]["failed"] == 0
        assert data["layers"]["frame"]["passed"] == 0
        assert any(k.startswith("not implemented by the adapter: protect, "
                                "unprotect (capabilities: sframe_protect, "
                                "sframe_unprotect)")
                   for r in data["rows"] for k in r["skip_reasons"])


def test_adapter_without_sframe_is_skipped_in_the_main_runner(tmp_path):
    p, data = runner(tmp_path, "--adapter",
                     f"{sys.executable} {BROKEN}/sframe_absent.py",
                     "--layer", "sframe,frame", "--file", "sframe/*",
                     "--file", "ce1/ce1-aes-128-ecb.json")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    rows = sframe_rows(data)
    assert rows and all(r["passed"] == r["failed"] == 0 for r in rows)
    reasons = {k for r in rows for k in r["skip_reasons"]}
    assert "the adapter does not implement SFrame: it answered UNSUPPORTED_OP " \
        "to sframe_protect (conformance.md 7.1)" in reasons
    assert data["layers"]["frame"]["passed"] == 149


def test_named_rfc_directory_must_exist(tmp_path):
    p, data = runner(tmp_path, "--sframe-vectors", str(tmp_path / "nope"))
    assert p.returncode == 2 and "no such directory" in p.stderr
    p, data = runner(tmp_path, "--layer", "nonsense")
    assert p.returncode == 2 and "unknown layer nonsense" in p.stderr


def test_pytest_plugin_items_for_the_sframe_layer(tmp_path):
    e = dict(os.environ)
    e.pop("PYTEST_ADDOPTS", None)
    base = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p",
            "chanenc.pytest_plugin", "--ce1-adapter", _adapter(),
            "--ce1-vectors", VECTORS, "--ce1-layer", "sframe",
            "--ce1-file", "sframe/sframe-aes-128-gcm-sha256-128.json"]
    p = subprocess.run(base + ["--collect-only", "-q"], cwd=tmp_path, env=e,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    ids = [l for l in p.stdout.splitlines() if "::" in l]
    # 590 SFrame checks and the announced-operations item, which runs last
    assert len(ids) == 591, len(ids)
    assert ids[-1].endswith("::announced::operations"), ids[-1]
    assert "sframe-aes-128-gcm-sha256-128.json::SFrame_AES_128_GCM_SHA256_128::g1-t3" in ids
    xml = tmp_path / "p.xml"
    p = subprocess.run(base + ["-q", "-m", "ce1_sframe", "--junitxml", str(xml)],
                       cwd=tmp_path, env=e, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    assert re.search(r"\b588 passed, 2 skipped\b", p.stdout), p.stdout[-500:]
    cases = list(ET.parse(xml).getroot().iter("testcase"))
    assert len(cases) == 590 and all(
        any(pr.get("name") == "layer" and pr.get("value") == "sframe"
            for pr in tc.iter("property")) for tc in cases)
    # a broken adapter's items fail with the runner's text and diagnosis
    p = subprocess.run([x if x != _adapter() else
                        f"{sys.executable} {BROKEN}/sframe_ctr_little_endian.py"
                        for x in base] + ["-q"],
                       cwd=tmp_path, env=e, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 1, p.stdout[-3000:] + p.stderr
    assert "(sframe layer)" in p.stdout
    assert ("diagnosis: your frame equals the reference's with the CTR XORed "
            "into the salt little-endian") in p.stdout
    lines = [ln for ln in p.stdout.splitlines() if "diagnosis:" in ln]
    assert lines and all(ln.endswith("[ctr_little_endian]") or
                         "consistent with ctr_little_endian" in ln or
                         "not examined" in ln for ln in lines), lines[:3]
    assert any(ln.endswith("[ctr_little_endian]") for ln in lines)
