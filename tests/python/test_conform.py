"""Tests of the conformance runner (python3 -m chanenc.conform).

The runner must pass the reference (bindings, ce1-adapter, C-ABI library)
and catch real bugs: the deliberately broken adapters in broken_adapters/
each fail with a report that names the cause. Hanging, crashing and
garbage-writing adapters become failed cases, never a hung runner.

Environment (set by CTest): PYTHONPATH (build tree bindings), CE_VECTORS_DIR,
CE_BUILD_DIR, CE1_ADAPTER, and CE_WYCHEPROOF_DIR when Wycheproof is there.
The standard vector packages (python3-cryptography-vectors,
libcrypto++-utils) must be installed: their absence fails these tests.
"""

import json
import os
import subprocess
import sys
import time

import pytest

import chanenc
from chanenc.conform import vectors as V
from chanenc.conform.runner import default_vectors_dir, hex_window

HERE = os.path.dirname(os.path.abspath(__file__))
BROKEN = os.path.join(HERE, "broken_adapters")
VECTORS = os.environ.get("CE_VECTORS_DIR") or default_vectors_dir()
BUILD = os.environ.get("CE_BUILD_DIR", "")
ADAPTER = os.environ.get("CE1_ADAPTER") or os.path.join(BUILD, "tools", "ce1-adapter")
LIBREF = os.path.join(BUILD, "tools", "libce1impl_ref.so")
CE1_FILES = ["--file", "ce1/*"]


def runner(*args, timeout=600):
    """Runs the runner in a subprocess; returns (exit status, stdout,
    stderr, JSON report or None)."""
    args = list(args)
    report = None
    if "--json" in args:
        report = args[args.index("--json") + 1]
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "chanenc.conform", *args],
                       capture_output=True, text=True, timeout=timeout)
    p.elapsed = time.monotonic() - t0
    data = None
    if report and os.path.exists(report):
        with open(report, encoding="utf-8") as f:
            data = json.load(f)
    return p.returncode, p.stdout, p.stderr, data


def broken(name):
    return f"{sys.executable} {os.path.join(BROKEN, name + '.py')}"


def ce1_vectors_present():
    return VECTORS and os.path.isdir(os.path.join(VECTORS, "ce1"))


needs_ce1 = pytest.mark.skipif(not ce1_vectors_present(),
                               reason="vectors/ce1 not generated yet")


# --------------------------------------------------------------------------
# The reference passes
# --------------------------------------------------------------------------

@needs_ce1
def test_reference_full_run(tmp_path):
    rep = tmp_path / "ref.json"
    rc, out, err, data = runner("--json", str(rep), "--no-progress")
    assert rc == 0, out[-3000:] + err
    s = data["summary"]
    assert s["failed"] == 0 and s["passed"] > 30000 and s["exit_status"] == 0
    # what a new user sees: header, table, summary line
    lines = out.splitlines()
    assert lines[0].startswith("chanenc-conform: implementation: reference chanenc")
    assert lines[1].startswith("chanenc-conform: vectors: ")
    assert any(l.startswith("mode / algorithm") for l in lines)
    assert lines[-1].startswith("conformance: ") and "0 failed" in lines[-1]
    rows = {(r["algorithm"], r["file"]) for r in data["rows"]}
    for algo, f in [("AES_128_GCM2", "ce1/ce1-aes-128-gcm-2.json"),
                    ("AES-128-GCM", "pyca/ciphers/AES/GCM/gcmDecrypt128.rsp"),
                    ("AES-256-XTS", "cryptopp/xts.txt"),
                    ("AES-192-GCM", "cryptopp/gcm.txt"),
                    ("HKDF-SHA256", "cryptopp/hkdf.txt"),
                    ("SM4-ECB", "std/gbt32907-sm4-examples.txt"),
                    ("PBKDF2-SHA256", "std/rfc7914-pbkdf2-sha256.txt"),
                    ("HKDF-SHA256", "pyca/KDF/rfc-5869-HKDF-SHA256.txt")]:
        assert (algo, f) in rows, (algo, f)
    # every file of the packages holds the number of vectors it is listed
    # with, and nothing else is read from outside the vectors directory
    per_file = {}
    for r in data["rows"]:
        per_file[r["file"]] = per_file.get(r["file"], 0) + (
            r["passed"] + r["failed"] + r["skipped"])
    for vs in (V.PYCA, V.CRYPTOPP):
        assert data["vector_sets"][vs.name]["dir"]
        for path, n in vs.files:
            assert per_file.pop(f"{vs.name}/{path}") == n, path
    wy = data["vector_sets"]["wycheproof"]
    if wy["dir"]:
        for path, _ in V.WYCHEPROOF.files:
            assert per_file.pop(f"wycheproof/{path}") > 0, path
    else:
        assert per_file.pop("wycheproof/") == 1 and wy["skipped"]
    assert {f.split("/")[0] for f in per_file} == {"ce1", "std"}, per_file
    reasons = {k for r in data["rows"] for k in r["skip_reasons"]}
    assert any("DataUnitLen" in r for r in reasons)
    assert any("HKDF-SHA256 is used by CE1" in r for r in reasons)


@needs_ce1
def test_reference_random_pass(tmp_path):
    rep = tmp_path / "r.json"
    rc, out, err, data = runner("--no-vectors", "--random", "300", "--seed", "11",
                                "--json", str(rep))
    assert rc == 0, out[-3000:] + err
    assert data["random"]["seed"] == "11"
    assert data["summary"]["passed"] >= 800
    assert "random pass: 300 cases, seed 11" in out


@needs_ce1
def test_reference_adapter_passes(tmp_path):
    if not os.access(ADAPTER, os.X_OK):
        pytest.skip("ce1-adapter not built")
    rep = tmp_path / "a.json"
    rc, out, err, data = runner("--adapter", ADAPTER, *CE1_FILES, "--random", "300",
                                "--seed", "3", "--json", str(rep))
    assert rc == 0, out[-3000:] + err
    assert data["summary"]["failed"] == 0 and data["summary"]["passed"] > 2000
    assert data["implementation"]["kind"] == "adapter"


@needs_ce1
def test_adapter_skips_primitive_files(tmp_path):
    if not os.access(ADAPTER, os.X_OK):
        pytest.skip("ce1-adapter not built")
    rep = tmp_path / "a.json"
    rc, out, err, data = runner("--adapter", ADAPTER, "--file", "pyca/KDF/*",
                                "--file", "std/*", "--json", str(rep))
    # only primitive files: nothing passes, so the run is not a success
    assert rc == 1 and data["summary"]["passed"] == 0
    assert data["summary"]["skipped"] > 0
    assert all(V.PRIMITIVE_SKIP in r["skip_reasons"] for r in data["rows"]
               if r["skipped"] and r["algorithm"] == "HKDF-SHA256")


@needs_ce1
@pytest.mark.parametrize("in_process", [False, True])
def test_reference_library_passes(tmp_path, in_process):
    if not os.path.exists(LIBREF):
        pytest.skip("libce1impl_ref.so not built")
    rep = tmp_path / "l.json"
    extra = ["--in-process"] if in_process else []
    rc, out, err, data = runner("--lib", LIBREF, *extra, *CE1_FILES,
                                "--random", "200", "--seed", "5", "--json", str(rep))
    assert rc == 0, out[-3000:] + err
    assert data["summary"]["failed"] == 0 and data["summary"]["passed"] > 1000
    assert data["implementation"]["kind"] == "lib"


# --------------------------------------------------------------------------
# The runner catches real bugs
# --------------------------------------------------------------------------

def run_broken(tmp_path, name, *extra):
    rep = tmp_path / f"{name}.json"
    rc, out, err, data = runner("--adapter", broken(name), *CE1_FILES,
                                "--json", str(rep), *extra)
    assert rc == 1, f"{name} was not caught:\n{out[-3000:]}\n{err}"
    assert data["summary"]["failed"] > 0
    assert "\nFAIL " in out and "mismatch:" in out
    return data, out


@needs_ce1
def test_catches_truncation_to_2048(tmp_path):
    data, out = run_broken(tmp_path, "truncate2048", "--random", "150",
                           "--seed", "1")
    fails = data["failures"]
    prot = [f for f in fails if f["op"] == "protect" and f["kind"] == "frame_mismatch"]
    assert prot, "no frame mismatch reported"
    for f in prot:   # only long packets fail, and the report shows the cut
        assert f["expected"]["len"] > 2048 and f["actual"]["len"] == 2048
        assert f["first_difference"] == 2048
    for f in fails:
        if f["op"] == "protect" and f["expected"] and "len" in f["expected"]:
            assert f["expected"]["len"] > 2048
    assert any(f["op"] == "unprotect" and f["expected"] and
               f["expected"].get("len", 0) > 2048 for f in fails)
    assert "first difference at byte 2048" in out
    assert any("65535" in f["comment"] for f in fails)


@needs_ce1
def test_catches_missing_tag_check(tmp_path):
    data, _ = run_broken(tmp_path, "no_tag_check")
    fails = data["failures"]
    assert fails and all(f["kind"] == "missing_error" for f in fails)
    assert all(f["expected"] == {"status": "AUTH_FAILED"} for f in fails)
    assert all(f["mode"] in (5, 6, 7, 8) for f in fails)
    assert any("tag" in f["comment"].lower() or "flipped" in f["comment"].lower()
               for f in fails)


@needs_ce1
def test_catches_little_endian_pn(tmp_path):
    data, _ = run_broken(tmp_path, "pn_little_endian")
    fails = data["failures"]
    prot = [f for f in fails if f["op"] == "protect"]
    assert prot
    for f in prot:       # the header's PN bytes differ first
        assert f["kind"] == "frame_mismatch" and 2 <= f["first_difference"] <= 9
    assert not [f for f in fails if f["mode"] in (2, 4)]  # ECB has no PN
    rows = {r["algorithm"]: r for r in data["rows"] if r["file"].startswith("ce1/ce1-aes-128-ecb")}
    assert rows["AES_128_ECB"]["failed"] == 0


@needs_ce1
def test_catches_ignored_salt(tmp_path):
    data, out = run_broken(tmp_path, "ignore_salt", "--random", "100", "--seed", "2")
    fails = data["failures"]
    assert fails and all(f["mode"] in (7, 8) for f in fails)
    kinds = {f["kind"] for f in fails}
    assert "derive_mismatch" in kinds and "frame_mismatch" in kinds
    assert any(f["kind"] == "wrong_status" and f["actual"] == {"status": "KEY_MISMATCH"}
               for f in fails) or any(f["kind"] == "unexpected_error" for f in fails)
    assert "enc_key differs" in out
    randoms = [f for f in fails if f["file"].startswith("random")]
    assert randoms and "reproduce: --seed 2 --random-case" in randoms[0]["comment"]


@needs_ce1
def test_random_case_replay(tmp_path):
    data, _ = run_broken(tmp_path, "ignore_salt", "--random", "60", "--seed", "9",
                         "--no-vectors")
    first = next(f for f in data["failures"] if f["file"].startswith("random"))
    k = first["id"].lstrip("#")
    rep = tmp_path / "one.json"
    rc, out, err, one = runner("--adapter", broken("ignore_salt"), "--no-vectors",
                               "--seed", "9", "--random-case", k, "--json", str(rep))
    assert rc == 1
    assert {f["id"] for f in one["failures"]} == {first["id"]}
    assert any(f["kind"] == first["kind"] and f["op"] == first["op"]
               for f in one["failures"])


# --------------------------------------------------------------------------
# Hanging, crashing, garbage adapters
# --------------------------------------------------------------------------

@needs_ce1
def test_hanging_adapter_times_out(tmp_path):
    rep = tmp_path / "h.json"
    rc, out, err, data = runner("--adapter", broken("hang"), "--file",
                                "ce1-aes-128-gcm.json", "--timeout", "0.5",
                                "--json", str(rep), timeout=120)
    assert rc == 1
    kinds = [f["kind"] for f in data["failures"]]
    assert kinds[:5] == ["timeout"] * 5        # then the runner gives up
    assert set(kinds[5:]) == {"unusable"}
    assert "no answer within 0.5 s" in out
    assert data["duration_s"] < 30


@needs_ce1
def test_crashing_adapter_is_restarted(tmp_path):
    rep = tmp_path / "c.json"
    rc, out, err, data = runner("--adapter", broken("crash_large"), *CE1_FILES,
                                "--json", str(rep))
    assert rc == 1
    fails = data["failures"]
    assert fails and {f["kind"] for f in fails} == {"crashed"}
    assert "killed by signal 6" in fails[0]["message"]
    assert "request too big" in fails[0]["message"]   # its stderr is quoted
    # restarted after each crash: the small cases still pass
    assert data["summary"]["passed"] > 1000


@needs_ce1
def test_garbage_adapter(tmp_path):
    rep = tmp_path / "g.json"
    rc, out, err, data = runner("--adapter", broken("garbage"), *CE1_FILES,
                                "--json", str(rep))
    assert rc == 1
    kinds = {f["kind"] for f in data["failures"]}
    assert {"garbage", "bad_answer"} <= kinds
    assert all(f["mode"] in (5, 6, 7, 8) for f in data["failures"])
    rows = {r["algorithm"]: r for r in data["rows"] if r["file"] == "ce1/ce1-aes-128-xts.json"}
    assert rows["AES_128_XTS"]["failed"] == 0 and rows["AES_128_XTS"]["passed"] > 0


def test_adapter_that_cannot_start(tmp_path):
    rep = tmp_path / "n.json"
    rc, out, err, data = runner("--adapter", "/nonexistent/adapter", "--no-vectors",
                                "--random", "5", "--seed", "1", "--json", str(rep))
    assert rc == 1
    assert data["failures"] and data["failures"][0]["kind"] == "unusable"
    assert "cannot start" in data["failures"][0]["message"]


# --------------------------------------------------------------------------
# Vector files: parsers and the detection of wrong vectors
# --------------------------------------------------------------------------

def write(path, text, crlf=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    if crlf:
        text = text.replace("\n", "\r\n")
    path.write_bytes(text.encode())


def test_parsers_on_synthetic_files(tmp_path):
    vd = tmp_path / "vectors"
    # NIST XTS with CRLF, a stray CR and a non-byte data unit
    write(vd / "nist-cavp" / "aes-xts" / "t.rsp", (
        "# CAVS 11.0\n[ENCRYPT]\n\nCOUNT = 1\nDataUnitLen = 256\n"
        "Key = " + "11" * 16 + "22" * 16 + "\ni = 3333333333" + "00" * 11 + "\n"
        "PT = " + "44" * 32 + "\r\nCT = c454185e6a16936e39334038acef838b"
        "fb186fff7480adc4289382ecd6d394f0\n\nCOUNT = 2\nDataUnitLen = 130\n"
        "Key = " + "11" * 16 + "22" * 16 + "\ni = " + "00" * 16 + "\n"
        "PT = " + "00" * 17 + "\nCT = " + "00" * 17 + "\n"), crlf=True)
    # NIST GCM decrypt with a FAIL line
    key, iv = bytes(16), bytes(12)
    ct, tag = chanenc.gcm_encrypt(key, iv, b"abc")
    write(vd / "nist-cavp" / "aes-gcm" / "gcmDecryptX.rsp", (
        "[Keylen = 128]\n[IVlen = 96]\n[PTlen = 24]\n[AADlen = 0]\n[Taglen = 128]\n\n"
        f"Count = 0\nKey = {key.hex()}\nIV = {iv.hex()}\nCT = {ct.hex()}\nAAD = \n"
        f"Tag = {tag.hex()}\nPT = {b'abc'.hex()}\n\n"
        f"Count = 1\nKey = {key.hex()}\nIV = {iv.hex()}\nCT = {ct.hex()}\nAAD = \n"
        f"Tag = {bytes(16).hex()}\nFAIL\n"), crlf=True)
    # Crypto++ with continuation lines and spaced hex
    write(vd / "ieee1619" / "x.txt", (
        "AlgorithmType: SymmetricCipher\nName: AES/XTS\n#\nSource: test\n"
        "Comment: IEEE vector 2\nKey: 11111111111111111111111111111111 \\\n"
        "     22222222222222222222222222222222\nIV:  3333333333 0000000000000000000000\n"
        "Plaintext: " + "44" * 32 + "\nCiphertext: c454185e6a16936e39334038acef838b "
        "fb186fff7480adc4289382ecd6d394f0\nTest: Encrypt\n"), crlf=True)
    # Botan .vec
    write(vd / "sm4" / "b.vec", (
        "#test cpuid\n[SM4]\nKey = 0123456789abcdeffedcba9876543210\n"
        "In  = 0123456789abcdeffedcba9876543210\nOut = 681edf34d206965e86b3e94f536e4246\n"))
    # evp_test stanzas: one SHA-256, one SHA-1
    write(vd / "kdf" / "evp.txt", (
        "Title = PBKDF2\n\nKDF = PBKDF2\nCtrl.pass = pass:passwd\nCtrl.salt = salt:salt\n"
        "Ctrl.iter = iter:1\nCtrl.digest = digest:sha256\nOutput = "
        "55ac046e56e3089fec1691c22544b605\n\nKDF = PBKDF2\nCtrl.pass = pass:password\n"
        "Ctrl.salt = salt:salt\nCtrl.iter = iter:1\nCtrl.digest = digest:sha1\n"
        "Output = 0c60c80f961f0e71f3a9b524af6012062fe037a6\n"))
    # Crypto++ GCM (Encrypt, NotVerify) and HKDF, with an r<N> repeat and
    # quoted and absent values
    key, iv = bytes(range(16)), bytes(12)
    pt = b"\x00\x11" * 3
    ct, tag = chanenc.gcm_encrypt(key, iv, pt, b"hdr")
    okm = chanenc.hkdf_sha256(b"\x0b" * 22, None, b"", 42)
    write(vd / "cpp" / "gcmhkdf.txt", (
        "AlgorithmType: AuthenticatedSymmetricCipher\nName: AES/GCM\nSource: t\n"
        f"Key: {key.hex()}\nIV: {iv.hex()}\nMAC: {bytes(16).hex()}\nTest: NotVerify\n"
        f"Header: \"hdr\"\nPlaintext: r3 0011\nCiphertext: 0x{ct.hex()}\n"
        f"MAC: {tag.hex()}\nTest: Encrypt\n\n"
        "AlgorithmType: KDF\nName: HKDF(SHA-1)\nSource: t\nSecret: 0x0b\nSalt: \"\"\n"
        "Info: \"\"\nDerivedKeyLength: 1\nDerivedKey: 00\nTest: Verify\n\n"
        "AlgorithmType: KDF\nName: HKDF(SHA-256)\nSource: t\nSecret: r22 0x0b\n"
        f"Info: \"\"\nDerivedKeyLength: 42\nDerivedKey: 0x{okm.hex()}\nTest: Verify\n"),
        crlf=True)
    # the project's SM4 example layout, one of them iterated
    write(vd / "std" / "sm4ex.txt", (
        "COUNT = 0\nITERATIONS = 1\nKEY = 0123456789abcdeffedcba9876543210\n"
        "PLAINTEXT = 0123456789abcdeffedcba9876543210\n"
        "CIPHERTEXT = 681edf34d206965e86b3e94f536e4246\n\nCOUNT = 1\n"
        "ITERATIONS = 3\nKEY = 0123456789abcdeffedcba9876543210\n"
        "PLAINTEXT = 0123456789abcdeffedcba9876543210\nCIPHERTEXT = "
        + chanenc.ecb_iterate(bytes.fromhex("0123456789abcdeffedcba9876543210"),
                              bytes.fromhex("0123456789abcdeffedcba9876543210"),
                              3, cipher="sm4").hex() + "\n"))
    # a Wycheproof file: valid, invalid tag, empty IV, IV over 128 bytes
    wy_tests = [
        {"tcId": 1, "comment": "", "flags": [], "key": key.hex(), "iv": iv.hex(),
         "aad": "", "msg": pt.hex(), "ct": chanenc.gcm_encrypt(key, iv, pt)[0].hex(),
         "tag": chanenc.gcm_encrypt(key, iv, pt)[1].hex(), "result": "valid"},
        {"tcId": 2, "comment": "", "flags": ["ModifiedTag"], "key": key.hex(),
         "iv": iv.hex(), "aad": "", "msg": "", "ct": "", "tag": "00" * 16,
         "result": "invalid"},
        {"tcId": 3, "comment": "", "flags": ["ZeroLengthIv"], "key": key.hex(),
         "iv": "", "aad": "", "msg": "", "ct": "", "tag": "00" * 16,
         "result": "invalid"},
        {"tcId": 4, "comment": "", "flags": ["LongIv"], "key": key.hex(),
         "iv": "00" * 129, "aad": "", "msg": "", "ct": "", "tag": "00" * 16,
         "result": "valid"}]
    write(vd / "wy" / "aes_gcm_test.json", json.dumps({
        "algorithm": "AES-GCM", "numberOfTests": 4, "testGroups": [
            {"type": "AeadTest", "keySize": 128, "tagSize": 128,
             "tests": wy_tests}]}))
    write(vd / "README.md", "not a vector file\n")
    rep = tmp_path / "p.json"
    only_synthetic = [x for d in ("nist-cavp", "ieee1619", "sm4", "kdf", "cpp",
                                  "std", "wy") for x in ("--file", f"{d}/*")]
    rc, out, err, data = runner("--vectors", str(vd), "--json", str(rep), "-v",
                                *only_synthetic)
    assert rc == 0, out + err
    assert not data["vector_sets"]   # no package file was selected
    rows = {(r["algorithm"], r["file"]): r for r in data["rows"]}
    xts = rows[("AES-128-XTS", "nist-cavp/aes-xts/t.rsp")]
    assert (xts["passed"], xts["skipped"]) == (1, 1)
    assert any("DataUnitLen" in k for k in xts["skip_reasons"])
    assert rows[("AES-128-GCM", "nist-cavp/aes-gcm/gcmDecryptX.rsp")]["passed"] == 2
    assert rows[("AES-128-XTS", "ieee1619/x.txt")]["passed"] == 1
    assert rows[("SM4-ECB", "sm4/b.vec")]["passed"] == 1
    assert rows[("PBKDF2-SHA256", "kdf/evp.txt")]["passed"] == 1
    assert rows[("PBKDF2 (not SHA-256)", "kdf/evp.txt")]["skipped"] == 1
    assert rows[("AES-128-GCM", "cpp/gcmhkdf.txt")]["passed"] == 2
    assert rows[("HKDF-SHA256", "cpp/gcmhkdf.txt")]["passed"] == 1
    assert rows[("HKDF (not SHA-256)", "cpp/gcmhkdf.txt")]["skipped"] == 1
    assert rows[("SM4-ECB", "std/sm4ex.txt")]["passed"] == 2
    wy = rows[("AES-128-GCM", "wy/aes_gcm_test.json")]
    assert (wy["passed"], wy["failed"], wy["skipped"]) == (3, 0, 1)


@needs_ce1
def test_wrong_vector_is_reported_with_first_difference(tmp_path):
    src = os.path.join(VECTORS, "ce1", "ce1-aes-128-gcm.json")
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    t = next(t for t in doc["groups"][0]["tests"] if t["result"] == "valid"
             and len(t["payload"]) > 20)
    frame = bytearray.fromhex(t["frame"])
    frame[12] ^= 0x40
    t["frame"] = frame.hex()
    vd = tmp_path / "v" / "ce1"
    vd.mkdir(parents=True)
    (vd / "one.json").write_text(json.dumps(doc))
    rep = tmp_path / "w.json"
    rc, out, err, data = runner("--vectors", str(tmp_path / "v"), "--json", str(rep))
    assert rc == 1
    f = next(f for f in data["failures"] if f["op"] == "protect")
    assert f["id"] == str(t["id"]) and f["comment"] == t["comment"]
    assert f["kind"] == "frame_mismatch" and f["first_difference"] == 12
    assert "first difference at byte 12" in out
    u = next(f for f in data["failures"] if f["op"] == "unprotect")
    assert u["kind"] == "unexpected_error" and u["actual"] == {"status": "AUTH_FAILED"}


def test_hex_window_caret():
    lines = hex_window(bytes(range(40)), bytes(range(20)) + b"\xff" + bytes(range(21, 40)))
    assert "first difference at byte 20" in lines[-1]
    caret_col = lines[-1].index("^^")
    assert lines[0][caret_col:caret_col + 2] == "14"
    assert lines[1][caret_col:caret_col + 2] == "ff"


def test_first_difference():
    assert V.first_difference(b"abc", b"abc") is None
    assert V.first_difference(b"abc", b"abd") == 2
    assert V.first_difference(b"abc", b"ab") == 2


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def test_help():
    rc, out, err, _ = runner("--help")
    assert rc == 0
    for opt in ("--adapter", "--lib", "--timeout", "--random", "--seed", "--json",
                "--mode", "--file", "--quiet", "--verbose", "--progress", "exit status"):
        assert opt in out, opt


def test_usage_errors():
    assert runner("--random-case", "3")[0] == 2
    assert runner("--timeout", "0")[0] == 2
    assert runner("--vectors", "/nonexistent/dir")[0] == 2
    assert runner("--adapter", "x", "--lib", "y")[0] == 2


# --------------------------------------------------------------------------
# Where the standard vectors are: packages, Wycheproof, counts
# --------------------------------------------------------------------------

def runner_env(env, *args):
    p = subprocess.run([sys.executable, "-m", "chanenc.conform", *args],
                       capture_output=True, text=True, timeout=600,
                       env={**os.environ, **env})
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize("vs", [V.PYCA, V.CRYPTOPP], ids=lambda v: v.name)
def test_missing_package_is_an_error_naming_it(tmp_path, vs):
    missing = str(tmp_path / "not-installed")
    # through the environment variable, and through the option
    for env, opt in (({vs.env: missing}, []), ({}, [vs.option, missing])):
        rc, out, err = runner_env(env, "--no-progress", *opt)
        assert rc == 2, out + err
        assert vs.package in err and missing in err, err
        assert "passed" not in out
    # the set is only needed when --file selects some of its files
    rc, out, err = runner_env({vs.env: missing}, "-q", *CE1_FILES, "--mode",
                              "AES_128_ECB")
    assert rc == 0 and out.startswith("conformance: "), out + err


def test_missing_package_default_names_package(monkeypatch, tmp_path):
    vs = V.VectorSet("pyca", "t", "CE_TEST_NO_SUCH_VAR", "--x",
                     "python3-cryptography-vectors", str(tmp_path / "none"))
    monkeypatch.delenv("CE_TEST_NO_SUCH_VAR", raising=False)
    with pytest.raises(V.VectorSetMissing) as e:
        V.locate(vs)
    assert "apt-get install python3-cryptography-vectors" in str(e.value)


def test_wycheproof_location(monkeypatch, tmp_path):
    monkeypatch.delenv("CE_WYCHEPROOF_DIR", raising=False)
    # no option, variable or ../shared beside the source tree: skipped,
    # with the reason
    monkeypatch.setattr(V, "source_tree", lambda: str(tmp_path / "src"))
    loc = V.locate(V.WYCHEPROOF)
    assert loc.dir is None and "--wycheproof DIR" in loc.skip
    # beside the source tree
    shared = tmp_path / "shared" / "vectors" / "wycheproof"
    shared.mkdir(parents=True)
    assert V.locate(V.WYCHEPROOF).dir == str(shared)
    # a named directory must exist
    with pytest.raises(V.VectorSetMissing):
        V.locate(V.WYCHEPROOF, str(tmp_path / "nope"))
    monkeypatch.setenv("CE_WYCHEPROOF_DIR", str(tmp_path / "nope"))
    with pytest.raises(V.VectorSetMissing):
        V.locate(V.WYCHEPROOF)


def test_wycheproof_option(tmp_path):
    rc, out, err = runner_env({}, "--wycheproof", str(tmp_path / "nope"))
    assert rc == 2 and "testvectors_v1" in err
    wy = os.environ.get("CE_WYCHEPROOF_DIR") or V.locate(V.WYCHEPROOF).dir
    if not wy:
        pytest.skip("no Wycheproof directory here")
    rep = tmp_path / "w.json"
    rc, out, err, data = runner("--wycheproof", wy, "--file", "wycheproof/*",
                                "--json", str(rep))
    assert rc == 0, out[-3000:] + err
    files = {r["file"] for r in data["rows"]}
    assert files == {f"wycheproof/{p}" for p, _ in V.WYCHEPROOF.files}
    assert data["vector_sets"]["wycheproof"]["from"] == "--wycheproof"


def test_changed_package_file_fails(tmp_path):
    """A package file with fewer vectors than listed is a failure, not a
    shorter run."""
    src = V.locate(V.CRYPTOPP).dir
    cut = tmp_path / "cryptopp"
    cut.mkdir()
    for p, _ in V.CRYPTOPP.files:
        with open(os.path.join(src, p), "rb") as f:
            data = f.read()
        if p == "sm4.txt":   # drop the last test
            data = data[:data.rindex(b"Test:")]
        (cut / p).write_bytes(data)
    rep = tmp_path / "c.json"
    rc, out, err, data = runner("--cryptopp-vectors", str(cut), "--file",
                                "cryptopp/*", "--json", str(rep))
    assert rc == 1
    fails = [f for f in data["failures"] if f["file"] == "cryptopp/sm4.txt"]
    assert fails and "50 vectors read, 51 expected" in fails[0]["message"]
    assert "libcrypto++-utils" in fails[0]["message"]
    assert not [f for f in data["failures"] if f["file"] != "cryptopp/sm4.txt"]


def test_c_test_fails_without_package(tmp_path):
    """The C standard-vector test fails, naming the package, when a
    package's directory is missing."""
    exe = os.path.join(BUILD, "tests", "test_std_vectors")
    if not os.access(exe, os.X_OK):
        pytest.skip("test_std_vectors not built")
    for vs in (V.PYCA, V.CRYPTOPP):
        env = {**os.environ, vs.env: str(tmp_path / "not-installed")}
        p = subprocess.run([exe], capture_output=True, text=True, env=env,
                           timeout=900)
        assert p.returncode != 0, p.stdout[-2000:]
        assert f"Debian package {vs.package}" in p.stdout + p.stderr
        assert f"{vs.name}/" in p.stdout and "ERROR" in p.stdout


@needs_ce1
def test_quiet_mode_filter_and_list(tmp_path):
    rc, out, err, _ = runner("-q", "--mode", "AES_128_ECB", *CE1_FILES)
    assert rc == 0
    assert out.strip().count("\n") == 0 and out.startswith("conformance: ")
    rc, out, err, _ = runner("--list", "--mode", "sm4")
    assert rc == 0 and "SM4-ECB" in out
    assert "pyca/ciphers/SM4/draft-ribose-cfrg-sm4-10-ecb.txt" in out
    assert "std/gbt32907-sm4-examples.txt" in out and "cryptopp/sm4.txt" in out
    rep = tmp_path / "m.json"
    rc, out, err, data = runner("--mode", "aes-256-gcm-2,AES-128-GCM", "--file",
                                "gcmEncryptExtIV128.rsp", "--file", "ce1-aes-256-gcm*",
                                "--json", str(rep))
    assert rc == 0
    assert {r["algorithm"] for r in data["rows"]} == {"AES_256_GCM2", "AES-128-GCM"}


@needs_ce1
def test_progress_to_stderr():
    rc, out, err, _ = runner("--progress", "--file", "ce1-aes-128-ecb.json", "-q")
    assert rc == 0
    assert "ce1/ce1-aes-128-ecb.json" in err and "ce1-aes" not in out
    rc, out, err, _ = runner("--file", "ce1-aes-128-ecb.json", "-q")
    assert err == ""  # not a TTY: no progress unless asked


def test_console_script_in_build_tree():
    script = os.path.join(BUILD, "bindings", "chanenc-conform")
    if not os.access(script, os.X_OK):
        pytest.skip("build tree script not found")
    p = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and "chanenc-conform" in p.stdout
