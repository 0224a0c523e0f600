"""Tests of the conformance runner's Python API (chanenc.conform.api), its
JUnit XML output (--junit) and the pytest plugin (chanenc.pytest_plugin).

The plugin is run as users run it: pytest in a subprocess, in an empty
directory, with ``-p chanenc.pytest_plugin`` from the build tree, and
from a temporary install prefix with no -p at all (the pytest11 entry
point of the installed dist-info loads it).

Environment (set by CTest): PYTHONPATH (build tree bindings),
CE_VECTORS_DIR, CE_BUILD_DIR, CE1_ADAPTER.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from chanenc.conform import api
from chanenc.conform.runner import default_vectors_dir

HERE = os.path.dirname(os.path.abspath(__file__))
BROKEN = os.path.join(HERE, "broken_adapters")
VECTORS = os.environ.get("CE_VECTORS_DIR") or default_vectors_dir()
BUILD = os.environ.get("CE_BUILD_DIR", "")
ADAPTER = os.environ.get("CE1_ADAPTER") or os.path.join(BUILD, "tools", "ce1-adapter")
PLUGIN = ["-p", "chanenc.pytest_plugin"]

pytestmark = pytest.mark.skipif(
    not (VECTORS and os.path.isdir(os.path.join(VECTORS, "ce1"))),
    reason="vectors/ce1 not generated yet")

NODEID = re.compile(r"^[\w.+\-]+::[\w.+\-]+::[\w.+\-\[\]]+$")


def broken(name):
    return f"{sys.executable} {os.path.join(BROKEN, name + '.py')}"


def pytest_run(cwd, *args, env=None, timeout=600):
    """``python3 -m pytest ARGS`` in ``cwd``; the CompletedProcess."""
    e = dict(os.environ)
    e.pop("PYTEST_ADDOPTS", None)
    e.pop("PYTEST_DISABLE_PLUGIN_AUTOLOAD", None)
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-m", "pytest", "-p",
                           "no:cacheprovider", *args], cwd=cwd, env=e,
                          capture_output=True, text=True, timeout=timeout)


def junit(path):
    root = ET.parse(path).getroot()
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    return suite, suite.findall("testcase")


def collected_ids(out):
    return [line for line in out.splitlines() if "::" in line]


def ce1_count(files="ce1/*", impl_kind="adapter"):
    """Checks the runner has for the ce1 files (protect/unprotect/derive
    /config checks of every vector)."""
    with api.open_implementation(adapter=ADAPTER) as impl:
        return len(api.collect(impl, files=[files]))


# --------------------------------------------------------------------------
# The Python API
# --------------------------------------------------------------------------

def test_api_reference_results(tmp_path):
    report = api.run(files=["ce1/ce1-aes-128-gcm.json"])
    assert report.exit_status == 0
    p, f, s = report.totals
    assert f == 0 and p == len(report.passed) > 100
    assert len(report) == p + f + s
    r = report.results[0]
    assert (r.layer, r.file, r.group, r.mode, r.mode_id) == (
        "frame", "ce1/ce1-aes-128-gcm.json", "g0", "AES_128_GCM", 5)
    assert r.outcome == "passed" and r.name == "g0-derive"
    names = [x.name for x in report]
    assert "g0-t1-protect" in names and "g0-t1-unprotect" in names
    assert len(set(names)) == len(names)
    report.write_json(str(tmp_path / "r.json"), cases=True)
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["format"] == "chanenc-conform-report/1"
    assert data["summary"]["passed"] == p and len(data["cases"]) == len(report)
    assert data["cases"][1]["name"] == "g0-t1-protect"
    report.write_junit(str(tmp_path / "r.xml"))
    root = ET.parse(tmp_path / "r.xml").getroot()
    assert root.tag == "testsuites" and int(root.get("tests")) == len(report)


def test_api_broken_adapter_case_results():
    with api.open_implementation(adapter=broken("pn_little_endian")) as impl:
        report = api.run(impl, files=["ce1/*"], modes=["AES_128_GCM"])
    assert report.exit_status == 1
    bad = report.failed
    assert bad and all(r.mode == "AES_128_GCM" for r in bad)
    prot = next(r for r in bad if r.op == "protect")
    assert prot.kind == "frame_mismatch" and prot.layer == "frame"
    assert isinstance(prot.expected, bytes) and isinstance(prot.actual, bytes)
    assert prot.expected != prot.actual and prot.requests
    assert json.loads(prot.requests[0])["op"] == "protect"
    text = prot.describe()
    assert "first difference at byte 2" in text and "request:" in text


def test_api_collect_and_run_one_case():
    with api.open_implementation(adapter=ADAPTER) as impl:
        cases = api.collect(impl, files=["ce1-aes-128-gcm.json"])
        ids = [vc.nodeid for vc in cases]
        assert "ce1-aes-128-gcm.json::AES_128_GCM::g0-t1-protect" in ids
        assert len(set(ids)) == len(ids)
        res = cases[1].run(impl)
        assert res.outcome == "passed" and res.name == cases[1].name
        # the request checks of a process adapter are selected by name
        req = api.collect(impl, files=["requests"])
        assert req and all(vc.layer == "request" for vc in req)


def test_api_errors():
    with pytest.raises(api.ConformError):
        api.open_implementation(adapter="x", lib="y")
    with pytest.raises(api.ConformError):
        api.open_implementation(lib="/nonexistent/lib.so")
    with pytest.raises(api.ConformError):
        api.run(vectors_dir="/nonexistent")


# --------------------------------------------------------------------------
# chanenc-conform --junit
# --------------------------------------------------------------------------

def test_runner_junit(tmp_path):
    out = tmp_path / "j.xml"
    p = subprocess.run([sys.executable, "-m", "chanenc.conform", "--adapter",
                        broken("truncate2048"), "--file", "ce1/*", "-q",
                        "--junit", str(out)], capture_output=True, text=True,
                       timeout=600)
    assert p.returncode == 1, p.stdout + p.stderr
    # the text output is the runner's usual one
    assert p.stdout.startswith("conformance: ") and "failed" in p.stdout
    root = ET.parse(out).getroot()
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == sorted(
        "ce1/" + f for f in os.listdir(os.path.join(VECTORS, "ce1"))
        if f.endswith(".json"))
    n = sum(int(s.get("tests")) for s in suites)
    nf = sum(int(s.get("failures")) for s in suites)
    assert n == int(root.get("tests")) and nf == int(root.get("failures")) > 0
    m = re.search(r"(\d+) passed, (\d+) failed, (\d+) skipped", p.stdout)
    assert (int(m.group(2)), sum(map(int, m.groups()))) == (nf, n)
    tc = root.find(".//testcase")
    assert tc.get("classname") == suites[0].get("name")
    assert re.fullmatch(r"[A-Z0-9_]+/g\d+-\w[\w-]*", tc.get("name"))
    fail = root.find(".//failure/..")
    f = fail.find("failure")
    assert f.get("message") and f.get("type")
    assert "FAIL ce1/" in f.text and "request:" in f.text


# --------------------------------------------------------------------------
# The pytest plugin from the build tree (-p chanenc.pytest_plugin)
# --------------------------------------------------------------------------

def test_plugin_good_adapter(tmp_path):
    xml = tmp_path / "out.xml"
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-adapter", ADAPTER,
                   "--ce1-file", "ce1/*", "--junitxml", str(xml), "-q")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    suite, cases = junit(xml)
    # every check of the ce1 files, plus the adapter-output item and the
    # announced-operations item
    assert len(cases) == ce1_count() + 2
    assert suite.get("failures") == "0" and suite.get("errors") == "0"
    assert f"{len(cases)} passed" in p.stdout
    names = {(c.get("classname"), c.get("name")) for c in cases}
    assert ("ce1-aes-128-gcm.json.AES_128_GCM", "g0-t1-protect") in names
    assert ("adapter-output.JSON_lines", "protocol") in names


def test_plugin_ids_and_selection(tmp_path):
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-adapter", ADAPTER,
                   "--collect-only", "-q")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    ids = collected_ids(p.stdout)
    assert len(ids) == len(set(ids)) > 1000
    assert all(NODEID.match(i) for i in ids), [i for i in ids if not NODEID.match(i)][:5]
    for want in ("ce1-aes-128-gcm.json::AES_128_GCM::g0-derive",
                 "ce1-aes-128-gcm.json::AES_128_GCM::g0-t1-protect",
                 "ce1-aes-128-gcm.json::AES_128_GCM::g0-t1-unprotect",
                 "ce1-config-refusals.json::AES_128_XTS::g0-config",
                 "requests::JSON_lines::r1",
                 "adapter-output::JSON_lines::protocol"):
        assert want in ids
    # -k: by mode, by file, by case
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-adapter", ADAPTER,
                   "--collect-only", "-q", "-k", "GCM and not GCM2")
    sel = collected_ids(p.stdout)
    assert sel and all("GCM" in i.upper() and "GCM2" not in i.upper()
                       and "GCM-2" not in i.upper() for i in sel)
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-adapter", ADAPTER, "-q",
                   "-k", "ce1-sm4-128-ecb.json and g1-t")
    assert p.returncode == 0
    m = re.search(r"(\d+) passed, (\d+) deselected", p.stdout)
    assert m and 0 < int(m.group(1)) < 300, p.stdout[-2000:]


def test_plugin_broken_adapter(tmp_path):
    xml = tmp_path / "out.xml"
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-adapter",
                   broken("pn_little_endian"), "-k",
                   "AES_128_GCM and g3 and not SFrame",   # not SFrame's suite 4
                   "--junitxml", str(xml))
    assert p.returncode == 1, p.stdout[-3000:] + p.stderr
    # the runner's failure text: expected/actual, first differing byte,
    # the requests
    assert "FAIL ce1/ce1-aes-128-gcm.json" in p.stdout
    assert "first difference at byte 2" in p.stdout
    assert '"op":"protect"' in p.stdout
    assert re.search(r"FAILED ce1-aes-128-gcm\.json::AES_128_GCM::g3-t\d+-protect"
                     r" - frame_mismatch", p.stdout)
    suite, cases = junit(xml)
    failed = [c for c in cases if c.find("failure") is not None]
    assert failed and len(failed) < len(cases)
    f = failed[0].find("failure")
    assert f.get("message").split(":")[0] in ("frame_mismatch",
                                              "unexpected_error",
                                              "payload_mismatch")
    assert "request:" in f.text and "expected:" in f.text
    assert all(c.get("classname").startswith("ce1-aes-128-gcm") for c in cases)


def test_plugin_random_pass(tmp_path):
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-adapter", ADAPTER,
                   "--ce1-random", "15", "--ce1-seed", "3", "-k", "random",
                   "-v")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    assert "ce1 random pass: 15 cases, seed 3" in p.stdout
    assert "random-seed-3::random::case-14 PASSED" in p.stdout
    assert "15 passed" in p.stdout


def test_plugin_fixtures(tmp_path):
    (tmp_path / "test_mine.py").write_text('''
def test_roundtrip(ce1_impl, ce1_reference):
    key, salt = bytes(range(16)), bytes(32)
    frame = ce1_reference.protect(5, key, salt, 7, b"hello")
    assert frame.ok
    out = ce1_impl.unprotect(5, key, salt, frame.value)
    assert out.ok and out.value == b"hello", out
    assert ce1_impl.protect(5, key, salt, 7, b"hello").value == frame.value
    bad = ce1_impl.unprotect(5, key, salt, frame.value[:-1] + b"\\0")
    assert bad.status == "AUTH_FAILED"
    assert ce1_impl.derive(5, key, salt).ok

def test_vectors_dir(ce1_vectors_dir):
    import os
    assert os.path.isdir(os.path.join(ce1_vectors_dir, "ce1"))
''')
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-adapter", ADAPTER, "-q",
                   "-k", "test_mine or g0-derive")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    assert re.search(r"\b(\d+) passed", p.stdout).group(1) == str(
        2 + len([n for n in os.listdir(os.path.join(VECTORS, "ce1"))
                 if n != "ce1-config-refusals.json"]))
    # without an implementation: the user's tests only; ce1_impl skips
    p = pytest_run(tmp_path, *PLUGIN, "-q", "-rs")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    assert "1 passed, 1 skipped" in p.stdout and "--ce1-adapter" in p.stdout


def test_plugin_usage_errors(tmp_path):
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-adapter", ADAPTER,
                   "--ce1-reference")
    assert p.returncode == 4 and "give one of" in p.stderr
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-lib", "/nonexistent/x.so")
    assert p.returncode == 4 and "no such library" in p.stderr, p.stderr


# --------------------------------------------------------------------------
# Installed: the pytest11 entry point loads the plugin
# --------------------------------------------------------------------------

def test_installed_prefix_autoloads(tmp_path):
    cmake = shutil.which("cmake")
    if not (cmake and BUILD and os.path.isfile(os.path.join(BUILD, "cmake_install.cmake"))):
        pytest.skip("needs cmake and CE_BUILD_DIR")
    prefix = tmp_path / "prefix"
    r = subprocess.run([cmake, "--install", BUILD, "--prefix", str(prefix)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    pkgs = [os.path.dirname(os.path.dirname(p)) for p in
            map(str, prefix.rglob("chanenc/pytest_plugin.py"))]
    assert len(pkgs) == 1, pkgs
    site = pkgs[0]
    ep = [str(p) for p in prefix.rglob("chanenc-*.dist-info/entry_points.txt")]
    assert ep and os.path.dirname(os.path.dirname(ep[0])) == site
    assert "[pytest11]" in open(ep[0]).read()
    work = tmp_path / "work"
    work.mkdir()
    env = {"PYTHONPATH": site, "CE_VECTORS_DIR": ""}
    xml = work / "out.xml"
    p = pytest_run(work, "--ce1-adapter", ADAPTER, "-k",
                   "AES_128_GCM and not GCM2", "--junitxml", str(xml),
                   env=env)
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr
    # loaded through the entry point; vectors from <prefix>/share
    assert re.search(r"plugins: .*chanenc", p.stdout), p.stdout[:1500]
    assert f"ce1 vectors: {prefix}/share/chanenc/vectors" in p.stdout
    suite, cases = junit(xml)
    assert len(cases) > 100 and suite.get("failures") == "0"
    # -p chanenc.pytest_plugin as well stays harmless
    p = pytest_run(work, *PLUGIN, "--ce1-adapter", ADAPTER, "-q", "-k",
                   "ce1-aes-128-gcm.json and g0-derive", env=env)
    assert p.returncode == 0 and "1 passed" in p.stdout, p.stdout + p.stderr


def test_plugin_fails_an_announced_operation_no_item_exercised(tmp_path):
    """The command-line runner's end-of-run check of the announced
    operations runs in the plugin too (its last item): an adapter that
    announces aes_gcm_seal without aes_gcm_open, with a garbage seal, used
    to pass every item it ran (the seal checks need open, so they were
    skipped) and pytest exited 0."""
    p = pytest_run(tmp_path, *PLUGIN, "--ce1-adapter",
                   broken("prim_seal_only_wrong"), "--ce1-layer", "primitive",
                   "--ce1-file", "cryptopp/gcm.txt",
                   "--ce1-file", "pyca/ciphers/AES/ECB/ECBGFSbox128.rsp")
    assert p.returncode == 1, p.stdout[-3000:] + p.stderr
    assert re.search(r"FAILED .*capabilities.*::announced::operations", p.stdout), \
        p.stdout[-3000:]
    assert "not_exercised" in p.stdout
    assert "aes_gcm_seal: announced in the capabilities, but no check " \
        "could exercise it" in p.stdout


def test_api_run_fails_an_announced_operation_no_check_exercised():
    """api.run does the same end-of-run check as the command line."""
    with api.open_implementation(adapter=broken("prim_seal_only_wrong")) as impl:
        rep = api.run(impl, layers=["primitive"],
                      files=["cryptopp/gcm.txt",
                             "pyca/ciphers/AES/ECB/ECBGFSbox128.rsp"])
    kinds = [r.kind for r in rep.results if r.failed]
    assert "not_exercised" in kinds, kinds[:5]
