"""The compatibility matrix: every implementation the project can reach,
run through the conformance runner, one row each, algorithms across.

    python3 -m chanenc.conform.matrix [--json FILE] [--markdown FILE]
                                      [--only NAME ...] [--build DIR]

Each implementation is run by the runner in its own process
(``python3 -m chanenc.conform ... --json``) over every vector file, frame,
primitive and SFrame layers, and its JSON report is folded into cells: per
algorithm family, the cases passed and failed, or "not implemented" when
the implementation does not announce the operation (every case of the
family skipped as not implemented). Nothing is hidden: a failed cell names
how many cases failed, and the findings list the failing vectors of each.

Exit status: 0 when the matrix was produced (failing cells are findings,
not errors), 2 when an implementation could not be run at all.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

__all__ = ["Target", "targets", "fold", "main"]

#: Columns: (title, predicate on a report row's algorithm label).
COLUMNS = (
    ("CE1 frames", lambda a: a.isupper() and "_" in a or a in ("invalid mode",
                                                              "CE1 frames")),
    ("AES-ECB", lambda a: a.startswith("AES-") and a.endswith("-ECB")),
    ("SM4-ECB", lambda a: a == "SM4-ECB"),
    ("AES-XTS", lambda a: a.startswith("AES-") and a.endswith("-XTS")),
    ("AES-GCM", lambda a: a.startswith("AES-") and
     (a.endswith("-GCM") or a.endswith("-GMAC"))),
    ("HKDF-SHA256", lambda a: a == "HKDF-SHA256"),
    ("PBKDF2-SHA256", lambda a: a == "PBKDF2-SHA256"),
    ("SFrame", lambda a: a.startswith("SFrame")),
)

#: A skip reason that means "the implementation does not offer this".
NOT_IMPLEMENTED_MARKERS = ("not implemented", "does not announce",
                           "does not implement", "UNSUPPORTED_OP")


@dataclass
class Target:
    """One implementation: its name, the runner arguments that select it,
    and why it is unavailable (None when it can run)."""

    name: str
    kind: str
    args: list
    missing: str | None = None


@dataclass
class Cell:
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    not_implemented: int = 0
    failures: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped

    def text(self) -> str:
        if self.total == 0:
            return "-"
        if self.passed == 0 and self.failed == 0 and self.not_implemented:
            # (the rest skipped for other reasons: outside CE1, no send key)
            return "not impl."
        if self.failed:
            return f"FAIL {self.failed}/{self.passed + self.failed}"
        return f"pass {self.passed}"

    def as_json(self) -> dict:
        state = ("none" if self.total == 0 else
                 "not_implemented" if self.passed == 0 and self.failed == 0
                 and self.not_implemented else
                 "failed" if self.failed else "passed")
        return {"state": state, "passed": self.passed, "failed": self.failed,
                "skipped": self.skipped, "not_implemented": self.not_implemented}


def _build_dir(explicit: str | None) -> str | None:
    if explicit:
        return os.path.abspath(explicit)
    try:
        from chanenc import _buildinfo
    except ImportError:
        return None
    return _buildinfo.BUILD_DIR or None


def _source_dir() -> str | None:
    try:
        from chanenc import _buildinfo
    except ImportError:
        return None
    return _buildinfo.SOURCE_DIR or None


#: The libraries of tools/libs/: (file, name).
OTHER_LIBS = (
    ("libce1impl_mbedtls.so", "CE1 on mbedTLS (tools/mbedtls_ce1, C ABI)"),
    ("libce1prim_openssl.so", "OpenSSL EVP (C ABI)"),
    ("libce1prim_gcrypt.so", "libgcrypt (C ABI)"),
    ("libce1prim_nettle.so", "Nettle (C ABI)"),
    ("libce1prim_wolfssl.so", "wolfSSL (C ABI)"),
    ("libce1prim_botan.so", "Botan 2 FFI (C ABI)"),
    ("libce1prim_tomcrypt.so", "libtomcrypt (C ABI, tag compared by the adapter)"),
    ("libce1prim_tomcrypt_gcm_memory.so",
     "libtomcrypt (C ABI, gcm_memory's status trusted)"),
)


def targets(build: str | None, source: str | None) -> list:
    """Every implementation the matrix knows, available or not."""
    out = [Target("chanenc reference (in process)", "reference", [])]
    py = sys.executable
    if build:
        ad = os.path.join(build, "tools", "ce1-adapter")
        out.append(Target("chanenc ce1-adapter (JSON lines)", "adapter",
                          ["--adapter", ad],
                          None if os.access(ad, os.X_OK) else f"{ad} not built"))
        lib = os.path.join(build, "tools", "libce1impl_ref.so")
        out.append(Target("chanenc libce1impl_ref.so (C ABI)", "lib",
                          ["--lib", lib],
                          None if os.path.exists(lib) else f"{lib} not built"))
        for f, name in OTHER_LIBS:
            p = os.path.join(build, "tools", "libs", f)
            out.append(Target(name, "lib", ["--lib", p],
                              None if os.path.exists(p) else
                              f"{p} not built (its library is not installed?)"))
    if source:
        pyca = os.path.join(source, "tools", "adapters", "pyca_adapter.py")
        out.append(Target("pyca/cryptography (Python process)", "adapter",
                          ["--adapter", f"{shlex.quote(py)} {shlex.quote(pyca)}"],
                          None if os.path.exists(pyca) else f"{pyca} missing"))
        node_js = os.path.join(source, "tools", "adapters", "node_adapter.mjs")
        node = shutil.which("node")
        out.append(Target("Node.js crypto (JSON lines)", "adapter",
                          ["--adapter", f"{shlex.quote(node or 'node')} "
                                        f"{shlex.quote(node_js)}"],
                          None if node and os.path.exists(node_js) else
                          "node not on PATH" if not node else f"{node_js} missing"))
    return out


def fold(report: dict) -> dict:
    """Cells of one runner report, by column title."""
    cells = {title: Cell() for title, _ in COLUMNS}
    for row in report.get("rows", []):
        alg = row.get("algorithm") or ""
        for title, pred in COLUMNS:
            if pred(alg):
                c = cells[title]
                c.passed += row["passed"]
                c.failed += row["failed"]
                c.skipped += row["skipped"]
                for reason, n in (row.get("skip_reasons") or {}).items():
                    if any(m in reason for m in NOT_IMPLEMENTED_MARKERS):
                        c.not_implemented += n
                break
    for f in report.get("failures", []):
        alg = f.get("algorithm") or ""
        for title, pred in COLUMNS:
            if pred(alg):
                cells[title].failures.append(f)
                break
    return cells


def _run(target: Target, common: list, tmp: str, timeout: float):
    rep = os.path.join(tmp, "report.json")
    if os.path.exists(rep):
        os.unlink(rep)
    cmd = [sys.executable, "-m", "chanenc.conform", "-q", "--json", rep,
           "--max-failures", "1000000", *common, *target.args]
    t0 = time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    dt = time.monotonic() - t0
    if p.returncode not in (0, 1) or not os.path.exists(rep):
        return None, dt, (p.stderr or p.stdout).strip()[-2000:]
    with open(rep, encoding="utf-8") as f:
        return json.load(f), dt, None


def _finding_lines(name: str, cells: dict, sample: int) -> list:
    lines = []
    for title, c in cells.items():
        if not c.failed:
            continue
        by_file: dict = {}
        for f in c.failures:
            by_file.setdefault(f.get("file", "?"), []).append(f)
        for fname, fs in sorted(by_file.items()):
            kinds = sorted({f.get("kind", "?") for f in fs})
            ids = ", ".join(str(f.get("id")) for f in fs[:sample])
            more = f" and {len(fs) - sample} more" if len(fs) > sample else ""
            msg = fs[0].get("message", "")
            lines.append(f"{name}: {title}: {len(fs)} failed in {fname} "
                         f"({'/'.join(kinds)}; e.g. {msg}): {ids}{more}")
    return lines


def _table(results: list) -> list:
    titles = [t for t, _ in COLUMNS]
    w0 = max([len("implementation")] + [len(r["name"]) for r in results])
    widths = [max(len(t), 13) for t in titles]
    head = "implementation".ljust(w0) + "  " + "  ".join(
        t.ljust(w) for t, w in zip(titles, widths))
    out = [head, "-" * len(head)]
    for r in results:
        if r.get("error"):
            cells = [r["error"]]
            out.append(r["name"].ljust(w0) + "  " + cells[0])
            continue
        out.append(r["name"].ljust(w0) + "  " + "  ".join(
            r["cells"][t].text().ljust(w) for t, w in zip(titles, widths)))
    return out


def _markdown(results: list) -> list:
    titles = [t for t, _ in COLUMNS]
    out = ["| implementation | " + " | ".join(titles) + " |",
           "|---|" + "---:|" * len(titles)]
    for r in results:
        if r.get("error"):
            out.append(f"| {r['name']} | " + r["error"] + " |" * len(titles))
            continue
        out.append(f"| {r['name']} | " + " | ".join(
            r["cells"][t].text() for t in titles) + " |")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        prog="python3 -m chanenc.conform.matrix",
        description="Run every implementation the project can reach (the "
        "reference three ways, the adapters over other libraries in "
        "<build>/tools/libs, pyca/cryptography and Node.js) through the "
        "conformance runner and print one row per implementation, "
        "algorithm families across: 'pass N', 'FAIL f/N' or 'not impl.'. "
        "Then the findings: the failing vectors of every failed cell.")
    ap.add_argument("--build", metavar="DIR",
                    help="chanenc build tree with tools/ and tools/libs/ "
                    "(default: the one this package was built in)")
    ap.add_argument("--only", metavar="TEXT", action="append", default=[],
                    help="only implementations whose name contains TEXT "
                    "(case-insensitive; repeatable)")
    ap.add_argument("--json", metavar="FILE", help="write the matrix as JSON")
    ap.add_argument("--markdown", metavar="FILE",
                    help="write the table and findings as Markdown")
    ap.add_argument("--sample", type=int, default=6, metavar="N",
                    help="vector ids listed per finding (default 6)")
    ap.add_argument("--timeout", type=float, default=1800, metavar="S",
                    help="per implementation (default 1800 s)")
    ap.add_argument("--list", action="store_true",
                    help="list the implementations and whether each is "
                    "available, then exit")
    ap.add_argument("runner_args", nargs="*", metavar="-- RUNNER-ARGS",
                    help="after --, options passed to every runner run "
                    "(e.g. --wycheproof DIR, --file 'pyca/*')")
    args = ap.parse_args(argv)

    build, source = _build_dir(args.build), _source_dir()
    ts = targets(build, source)
    if args.only:
        ts = [t for t in ts if any(o.lower() in t.name.lower()
                                   for o in args.only)]
        if not ts:
            ap.error(f"--only {args.only}: no implementation matches")
    if args.list:
        for t in ts:
            print(f"{t.name:45s} {'available' if not t.missing else t.missing}")
        return 0

    results = []
    unusable = 0
    with tempfile.TemporaryDirectory(prefix="ce-matrix-") as tmp:
        for i, t in enumerate(ts, 1):
            if t.missing:
                print(f"matrix: [{i}/{len(ts)}] {t.name}: skipped: {t.missing}",
                      file=sys.stderr)
                results.append({"name": t.name, "kind": t.kind,
                                "error": f"not run: {t.missing}"})
                continue
            print(f"matrix: [{i}/{len(ts)}] {t.name} ...", file=sys.stderr,
                  flush=True)
            try:
                rep, dt, err = _run(t, args.runner_args, tmp, args.timeout)
            except subprocess.TimeoutExpired:
                rep, dt, err = None, args.timeout, f"timed out after {args.timeout:.0f} s"
            if rep is None:
                unusable += 1
                print(f"matrix: {t.name}: the runner could not run it:\n{err}",
                      file=sys.stderr)
                results.append({"name": t.name, "kind": t.kind,
                                "error": "could not run (see stderr)"})
                continue
            cells = fold(rep)
            s = rep["summary"]
            print(f"matrix: [{i}/{len(ts)}] {t.name}: {s['passed']} passed, "
                  f"{s['failed']} failed, {s['skipped']} skipped in {dt:.1f} s",
                  file=sys.stderr, flush=True)
            results.append({"name": t.name, "kind": t.kind, "cells": cells,
                            "description": rep["implementation"].get("description"),
                            "summary": s, "seconds": round(dt, 1)})

    lines = _table(results)
    findings = []
    for r in results:
        if "cells" in r:
            findings += _finding_lines(r["name"], r["cells"], args.sample)
    print("\n".join(lines))
    print()
    if findings:
        print("findings (failing vectors per implementation and algorithm):")
        for f in findings:
            print("  " + f)
    else:
        print("findings: none (no implementation failed a vector)")

    if args.json:
        doc = {"format": "chanenc-matrix/1", "columns": [t for t, _ in COLUMNS],
               "implementations": [
                   {k: v for k, v in r.items() if k != "cells"} |
                   ({"cells": {t: c.as_json() for t, c in r["cells"].items()}}
                    if "cells" in r else {})
                   for r in results],
               "findings": findings}
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("\n".join(_markdown(results)) + "\n\n")
            for line in findings:
                f.write(f"- {line}\n")
    return 2 if unusable else 0


if __name__ == "__main__":
    sys.exit(main())
