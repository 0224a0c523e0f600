#!/usr/bin/python3
"""Broken primitive adapter: tools/adapters/pyca_adapter.py whose PBKDF2
uses only the first 16 bytes of the salt (a fixed-size salt buffer).
Right for salts of up to 16 bytes, wrong for every longer one."""
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[3]
                       / "tools" / "adapters"))
import pyca_adapter  # noqa: E402

_pbkdf2 = pyca_adapter.pbkdf2


def pbkdf2(password, salt, iterations, length):
    return _pbkdf2(password, salt[:16], iterations, length)  # the bug


pyca_adapter.pbkdf2 = pbkdf2

if __name__ == "__main__":
    sys.exit(pyca_adapter.main())
