"""The compatibility matrix (python3 -m chanenc.conform.matrix,
scripts/matrix.sh): real libraries through the runner, folded into cells.

Runs on a few Wycheproof files only, to stay quick; the full matrix is
scripts/matrix.sh (about two minutes here)."""

import json
import os
import subprocess
import sys

import pytest

BUILD = os.environ.get("CE_BUILD_DIR", "")
LIBS = os.path.join(BUILD, "tools", "libs")
FILES = ["--", "--file", "wycheproof/aes_gcm_test.json", "--file",
         "wycheproof/hkdf_sha256_test.json", "--file",
         "cryptopp/sm4.txt", "--layer", "primitive"]


def have(lib):
    return os.path.exists(os.path.join(LIBS, lib))


def matrix(tmp_path, *args):
    out = tmp_path / "m.json"
    md = tmp_path / "m.md"
    p = subprocess.run([sys.executable, "-m", "chanenc.conform.matrix",
                        "--build", BUILD, "--json", str(out), "--markdown",
                        str(md), *args], capture_output=True, text=True,
                       timeout=900)
    doc = json.loads(out.read_text()) if out.exists() else None
    return p, doc, md.read_text() if md.exists() else ""


@pytest.mark.skipif(not (have("libce1prim_tomcrypt.so") and
                         have("libce1prim_tomcrypt_gcm_memory.so") and
                         have("libce1prim_nettle.so")),
                    reason="the libtomcrypt and Nettle adapters were not "
                    "built (libtomcrypt-dev / nettle-dev missing)")
def test_matrix_surfaces_library_behaviour(tmp_path):
    """libtomcrypt's gcm_memory accepts every tampered tag (its status is
    CRYPT_OK; the caller must compare): the row that trusts it fails the 81
    ModifiedTag vectors of Wycheproof, the careful adapter passes them;
    Nettle has no SM4 and no frame layer: 'not impl.'; the reference
    passes everything it runs."""
    p, doc, md = matrix(tmp_path, "--only", "tomcrypt", "--only", "Nettle",
                        "--only", "reference (in process)", *FILES)
    assert p.returncode == 0, p.stderr[-3000:]
    rows = {r["name"]: r for r in doc["implementations"]}
    trusting = rows["libtomcrypt (C ABI, gcm_memory's status trusted)"]
    careful = rows["libtomcrypt (C ABI, tag compared by the adapter)"]
    gcm_t, gcm_c = trusting["cells"]["AES-GCM"], careful["cells"]["AES-GCM"]
    assert gcm_t["state"] == "failed" and gcm_t["failed"] == 81
    assert gcm_c["state"] == "passed" and gcm_c["failed"] == 0
    assert gcm_c["passed"] == gcm_t["passed"] + 81
    nettle = rows["Nettle (C ABI)"]["cells"]
    assert nettle["SM4-ECB"]["state"] == "not_implemented"
    assert nettle["HKDF-SHA256"]["state"] == "passed"
    ref = rows["chanenc reference (in process)"]["cells"]
    assert all(c["state"] in ("passed", "none") for c in ref.values())
    assert ref["SM4-ECB"]["state"] == "passed"
    # the text table and the findings name the failing vectors
    assert "FAIL 81/" in p.stdout
    assert any("gcm_memory's status trusted" in f and "tcId" in f
               for f in doc["findings"])
    assert "| libtomcrypt (C ABI, gcm_memory's status trusted) |" in md
    assert "not impl." in md


def test_matrix_list_and_bad_only(tmp_path):
    p = subprocess.run([sys.executable, "-m", "chanenc.conform.matrix",
                        "--build", BUILD, "--list"], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0
    assert "chanenc reference (in process)" in p.stdout
    assert "Node.js crypto" in p.stdout
    p = subprocess.run([sys.executable, "-m", "chanenc.conform.matrix",
                        "--build", BUILD, "--only", "no-such-library"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "no implementation matches" in p.stderr
