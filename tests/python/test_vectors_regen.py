"""The CE1 frame vectors in vectors/ce1/ are reproducible and complete.

* Regenerating them with vectors/gen/gen_ce1_vectors.py (the independent
  Python implementation of CE1) gives the committed files byte for byte;
  the generator's own self-checks (primitive known answers, round trips,
  the section 5 validator on every invalid frame) run as part of that.
* Every file parses as ``ce1-vectors/1`` with unique ids, and together the
  files cover every mode 1..8, every required payload length and every
  status name of spec section 5.

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 -m pytest -q tests/python/test_vectors_regen.py
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
GENERATOR = REPO / "vectors" / "gen" / "gen_ce1_vectors.py"
CE1_DIR = REPO / "vectors" / "ce1"

MODES = {
    1: "AES_128_XTS",
    2: "AES_128_ECB",
    3: "AES_256_XTS",
    4: "SM4_128_ECB",
    5: "AES_128_GCM",
    6: "AES_256_GCM",
    7: "AES_128_GCM2",
    8: "AES_256_GCM2",
}
PAYLOAD_LENGTHS = {0, 1, 15, 16, 17, 31, 32, 33, 160, 1200, 1500, 65535}
STATUSES = {"MALFORMED", "BAD_VERSION", "MODE_MISMATCH", "KEY_MISMATCH", "BAD_PADDING", "AUTH_FAILED"}


def vector_files():
    """Every JSON file in vectors/ce1/, sorted by name."""
    return sorted(CE1_DIR.glob("*.json"))


def load(path):
    """Parse one vector file (it must be UTF-8 JSON)."""
    return json.loads(path.read_bytes().decode("utf-8"))


def test_regeneration_gives_the_same_bytes():
    """--check regenerates in memory and compares byte for byte."""
    # Debian's interpreter, which has python3-cryptography; fall back to the
    # one running this test only where /usr/bin/python3 does not exist.
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable
    proc = subprocess.run(
        [python, str(GENERATOR), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, "generator --check failed:\n" + proc.stdout + proc.stderr


def test_there_are_vector_files():
    names = {p.name for p in vector_files()}
    assert "ce1-config-refusals.json" in names
    assert len(names) >= 9, names


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.name)
def test_file_is_well_formed(path):
    """Format, unique ids, and the shape of every group and test."""
    doc = load(path)
    assert doc["format"] == "ce1-vectors/1"
    assert isinstance(doc["description"], str) and doc["description"]
    ids = []
    for group in doc["groups"]:
        assert isinstance(group["mode"], int)
        assert isinstance(group["key"], str) and isinstance(group["salt"], str)
        bytes.fromhex(group["key"])
        bytes.fromhex(group["salt"])
        if "config_status" in group:
            assert group["config_status"] in ("INVALID_ARGUMENT", "NOT_SUPPORTED")
            assert group["tests"] == []
            assert group["derived"] is None
            continue
        assert group["mode_name"] == MODES[group["mode"]]
        assert len(bytes.fromhex(group["salt"])) == 32
        derived = group["derived"]
        assert set(derived) == {"enc_key", "iv_base", "check"}
        assert len(bytes.fromhex(derived["check"])) == 1
        assert (derived["iv_base"] is not None) == (group["mode"] >= 5)
        for test in group["tests"]:
            ids.append(test["id"])
            assert isinstance(test["comment"], str) and test["comment"]
            bytes.fromhex(test["frame"])
            if test["result"] == "valid":
                bytes.fromhex(test["payload"])
                if group["mode"] in (2, 4):
                    assert test["pn"] is None
                else:
                    assert len(test["pn"]) == 16
                    int(test["pn"], 16)
            else:
                assert test["result"] == "invalid"
                assert test["status"] in STATUSES
    assert all(isinstance(i, int) for i in ids)
    assert len(ids) == len(set(ids)), "duplicate ids in " + path.name


def test_files_cover_modes_lengths_and_statuses():
    """Together the files cover every mode, payload length and status."""
    lengths = {m: set() for m in MODES}
    statuses = set()
    refused = set()
    for path in vector_files():
        for group in load(path)["groups"]:
            if "config_status" in group:
                refused.add(group["mode"])
                continue
            for test in group["tests"]:
                if test["result"] == "valid":
                    lengths[group["mode"]].add(len(test["payload"]) // 2)
                else:
                    statuses.add(test["status"])
    for mode, seen in lengths.items():
        missing = PAYLOAD_LENGTHS - seen
        assert not missing, "mode %d lacks payload lengths %s" % (mode, sorted(missing))
    assert statuses == STATUSES
    assert {0, 9} <= refused
