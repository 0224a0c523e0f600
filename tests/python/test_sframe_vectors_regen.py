"""The SFrame vectors in vectors/sframe/ are reproducible and well formed.

* ``--check`` of vectors/gen/gen_sframe_vectors.py (the independent Python
  implementation of SFrame) passes: it reproduces the working group's RFC
  9605 vectors, read in place, then regenerates every file in memory and
  compares it byte for byte.
* Regenerating into a temporary directory gives byte-identical files, and
  exactly the files that are in the repository.
* Every file parses as ``sframe-vectors/1``: one file per suite 1..8, ids
  1, 2, ... in order, status names of ce_status_name(), and together the
  cases cover every status the vectors are meant to pin down.

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 -m pytest -q tests/python/test_sframe_vectors_regen.py

The RFC vectors are read from $CE_SFRAME_VECTORS_DIR, else from
../shared/vectors/sframe beside the repository; when neither exists the
regeneration tests are skipped with the reason (the format checks still run).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "vectors" / "gen" / "gen_sframe_vectors.py"
SFRAME_DIR = REPO / "vectors" / "sframe"
RFC_DIR = Path(os.environ.get("CE_SFRAME_VECTORS_DIR") or REPO.parent / "shared" / "vectors" / "sframe")

SUITES = {
    1: "AES_128_CTR_HMAC_SHA256_80",
    2: "AES_128_CTR_HMAC_SHA256_64",
    3: "AES_128_CTR_HMAC_SHA256_32",
    4: "AES_128_GCM_SHA256_128",
    5: "AES_256_GCM_SHA512_128",
    6: "AES_256_CTR_HMAC_SHA512_80",
    7: "AES_256_CTR_HMAC_SHA512_64",
    8: "AES_256_CTR_HMAC_SHA512_32",
}
STATUSES = {"OK", "MALFORMED", "UNKNOWN_KID", "REPLAYED", "AUTH_FAILED"}
U64 = (1 << 64) - 1

needs_rfc = pytest.mark.skipif(
    not (RFC_DIR / "test-vectors.json").is_file(),
    reason="RFC 9605 vectors not found in %s (set CE_SFRAME_VECTORS_DIR)" % RFC_DIR,
)


def python():
    # Debian's interpreter has python3-cryptography.
    return "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable


def run_generator(*args):
    return subprocess.run(
        [python(), str(GENERATOR), "--rfc-vectors", str(RFC_DIR), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )


def vector_files():
    return sorted(SFRAME_DIR.glob("*.json"))


@needs_rfc
def test_check_passes():
    proc = run_generator("--check")
    assert proc.returncode == 0, "generator --check failed:\n" + proc.stdout + proc.stderr
    assert "RFC vectors reproduced: 289 header, 6 AEAD, 8 SFrame" in proc.stdout


@needs_rfc
def test_regeneration_gives_the_same_bytes(tmp_path):
    proc = run_generator("--out", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    new = sorted(p.name for p in tmp_path.glob("*.json"))
    assert new == [p.name for p in vector_files()]
    for name in new:
        assert (tmp_path / name).read_bytes() == (SFRAME_DIR / name).read_bytes(), name


def test_one_file_per_suite_and_small():
    docs = [json.loads(p.read_bytes().decode("ascii")) for p in vector_files()]
    assert sorted(d["suite"] for d in docs) == list(SUITES)
    assert sum(p.stat().st_size for p in vector_files()) < 1_000_000


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.name)
def test_file_is_well_formed(path):
    doc = json.loads(path.read_bytes().decode("ascii"))
    assert doc["format"] == "sframe-vectors/1"
    assert doc["suite_name"] == SUITES[doc["suite"]]
    assert isinstance(doc["description"], str) and doc["description"]
    next_id = 1
    for group in doc["groups"]:
        assert isinstance(group["comment"], str) and group["comment"]
        assert 0 <= group["replay_window"] <= 1024
        kids = set()
        for key in group["keys"]:
            assert 0 <= key["kid"] <= U64 and key["kid"] not in kids
            kids.add(key["kid"])
            assert key["usage"] in ("both", "send", "receive")
            assert bytes.fromhex(key["base_key"])
            assert len(bytes.fromhex(key["sframe_salt"])) == 12
            bytes.fromhex(key["sframe_key"])
        for case in group["cases"]:
            assert case["id"] == next_id
            next_id += 1
            assert isinstance(case["comment"], str) and case["comment"]
            assert case["status"] in STATUSES
            bytes.fromhex(case["metadata"])
            if case["op"] == "protect":
                assert 0 <= case["kid"] <= U64 and 0 <= case["ctr"] <= U64
                bytes.fromhex(case["payload"])
                assert case["status"] in ("OK", "UNKNOWN_KID")
                assert ("frame" in case) == (case["status"] == "OK")
            else:
                assert case["op"] == "unprotect"
                bytes.fromhex(case["frame"])
                assert ("payload" in case) == (case["status"] == "OK")
                if case["status"] == "OK":
                    assert 0 <= case["kid"] <= U64 and 0 <= case["ctr"] <= U64
                    bytes.fromhex(case["payload"])


def test_files_cover_every_status_and_window():
    for path in vector_files():
        doc = json.loads(path.read_bytes().decode("ascii"))
        seen = {c["status"] for g in doc["groups"] for c in g["cases"] if c["op"] == "unprotect"}
        assert seen == STATUSES, (path.name, seen)
        windows = {g["replay_window"] for g in doc["groups"]}
        assert {0, 1, 1024} <= windows, path.name
        ctrs = {c["ctr"] for g in doc["groups"] for c in g["cases"] if c["op"] == "protect"}
        assert {0, U64} <= ctrs, path.name
