"""chanenc.conform: the CE1 conformance runner.

Run it as ``python3 -m chanenc.conform`` or ``chanenc-conform``; ``--help``
explains the options. From Python::

    from chanenc.conform import main
    status = main(["--adapter", "./my-adapter", "--json", "report.json"])

Modules: :mod:`~chanenc.conform.vectors` (vector file parsers and checks),
:mod:`~chanenc.conform.impls` (reference, process adapter, C-ABI library),
:mod:`~chanenc.conform.differential` (the random pass),
:mod:`~chanenc.conform.requests` (request-level checks of a process
adapter: malformed requests and the order of errors),
:mod:`~chanenc.conform.pyce1` (an independent pure-Python CE1),
:mod:`~chanenc.conform.libserve` (C-ABI library worker).
"""

from .runner import main

__all__ = ["main"]
