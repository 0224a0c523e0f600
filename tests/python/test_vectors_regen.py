"""The CE1 frame vectors in vectors/ce1/ are reproducible and complete.

* Regenerating them with vectors/gen/gen_ce1_vectors.py (the independent
  Python implementation of CE1) gives the committed files byte for byte;
  the generator's own self-checks (primitive known answers, round trips,
  the docs/spec.md section 9 validator on every invalid frame) run as
  part of that.
* Every file parses as ``ce1-vectors/1`` with unique ids, and together the
  files cover every mode 1..8, every required payload length and every
  status name of docs/spec.md section 9.
* The comments use docs/spec.md's numbering: every invalid test names its
  first failing check as "docs/spec.md section 9, step N", with N a step
  that gives the test's status.
* The rules that the vectors pin down are there: a salt that is not 32
  bytes is refused in every mode (spec section 3.1), and every mode's file
  has frames of the other families, judged by the receiver's length limits
  (spec section 9, step 1).

Run from the repository root with Debian's interpreter:

    /usr/bin/python3 -m pytest -q tests/python/test_vectors_regen.py
"""

import json
import re
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


# docs/spec.md section 9: the steps at which each status can be decided.
STEPS = {
    "MALFORMED": {1, 4, 6},
    "BAD_VERSION": {2},
    "MODE_MISMATCH": {3},
    "KEY_MISMATCH": {5},
    "BAD_PADDING": {7, 8},
    "AUTH_FAILED": {9},
}
STEP_NOTE = re.compile(r"\[first failing check: docs/spec\.md section 9, step ([1-9])\]$")
# Frame limits of spec section 9 step 1, per family of the mode.
FAMILY = {1: "xts", 2: "ecb", 3: "xts", 4: "ecb", 5: "gcm", 6: "gcm", 7: "gcm", 8: "gcm"}
LIMITS = {"ecb": (18, 65538), "xts": (26, 65545), "gcm": (26, 65561)}


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.name)
def test_comments_use_the_spec_numbering(path):
    """Invalid tests name their step of docs/spec.md section 9; no text
    uses the numbering of the old contract (ce1.md, "section 5 row")."""
    doc = load(path)
    texts = [doc["description"]]
    for group in doc["groups"]:
        texts.append(group.get("comment") or "")
        for test in group["tests"]:
            texts.append(test["comment"])
            if test["result"] != "invalid":
                continue
            m = STEP_NOTE.search(test["comment"])
            assert m, "id %d: no step note: %s" % (test["id"], test["comment"])
            assert int(m.group(1)) in STEPS[test["status"]], (test["id"], test["status"], m.group(1))
    for text in texts:
        assert "ce1.md" not in text and not re.search(r"\brows? [0-9]", text), text


def test_salt_length_refused_in_every_mode():
    """Spec section 3.1: a salt that is not 32 bytes is INVALID_ARGUMENT in
    every mode, also in modes 1-6, which ignore its value."""
    doc = load(CE1_DIR / "ce1-config-refusals.json")
    modes = {
        g["mode"]
        for g in doc["groups"]
        if g["config_status"] == "INVALID_ARGUMENT" and len(bytes.fromhex(g["salt"])) != 32
    }
    assert modes == set(MODES), sorted(modes)


def test_frames_of_other_families():
    """Every mode's file sends frames of the other families; step 1 uses the
    receiver's family: a frame outside its limits is MALFORMED at step 1,
    one inside them MODE_MISMATCH at step 3. Between them, the files have
    an 18-byte ECB frame for every XTS and GCM receiver and a frame over
    the maximum of every ECB and XTS receiver."""
    for path in vector_files():
        doc = load(path)
        groups = [g for g in doc["groups"] if "config_status" not in g]
        if not groups:
            continue
        mode = groups[0]["mode"]
        fam = FAMILY[mode]
        lo, hi = LIMITS[fam]
        short = long = inside = False
        for test in groups[0]["tests"]:
            frame = bytes.fromhex(test["frame"])
            if test["result"] != "invalid" or not frame or frame[0] & 0x70 != 0x10:
                continue
            other = frame[0] & 0x0F
            if other not in FAMILY or FAMILY[other] == fam:
                continue
            if len(frame) < lo or len(frame) > hi:
                assert test["status"] == "MALFORMED" and test["comment"].endswith("step 1]"), test["id"]
                short |= len(frame) == 18
                long |= len(frame) == hi + 1
            else:
                assert test["status"] == "MODE_MISMATCH", test["id"]
                inside = True
        assert inside, path.name
        assert short == (fam != "ecb"), path.name
        assert long == (fam != "gcm"), path.name
