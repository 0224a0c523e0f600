"""chanenc.conform: the CE1 conformance runner.

Run it as ``python3 -m chanenc.conform`` or ``chanenc-conform``; ``--help``
explains the options. From Python, the stable API is
:mod:`chanenc.conform.api` (its names are also here)::

    from chanenc.conform import open_implementation, run

    with open_implementation(adapter="./my-adapter") as impl:
        report = run(impl, files=["ce1/*"])
    for r in report.failed:          # CaseResult objects
        print(r.file, r.mode, r.name, r.kind, r.expected, r.actual)
    report.write_json("report.json")
    report.write_junit("junit.xml")

or the command line's entry point::

    from chanenc.conform import main
    status = main(["--adapter", "./my-adapter", "--json", "report.json"])

pytest users: the plugin :mod:`chanenc.pytest_plugin` (``pytest
--ce1-adapter CMD``) turns the vectors into test items.

Modules: :mod:`~chanenc.conform.api` (the Python API),
:mod:`~chanenc.conform.results` (CaseResult, names, JUnit XML),
:mod:`~chanenc.conform.vectors` (vector file parsers and checks),
:mod:`~chanenc.conform.impls` (reference, process adapter, C-ABI library),
:mod:`~chanenc.conform.differential` (the random pass),
:mod:`~chanenc.conform.requests` (request-level checks of a process
adapter: malformed requests and the order of errors),
:mod:`~chanenc.conform.pyce1` (an independent pure-Python CE1),
:mod:`~chanenc.conform.libserve` (C-ABI library worker).
"""

from .api import (AdapterCannotStart, CaseResult, ConformError, Outcome,
                  Report, VectorCase, collect, open_implementation, run,
                  write_junit)
from .runner import main

__all__ = ["main", "open_implementation", "run", "collect", "Report",
           "CaseResult", "VectorCase", "Outcome", "ConformError",
           "AdapterCannotStart", "write_junit"]
