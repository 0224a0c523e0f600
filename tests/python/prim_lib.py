"""Shared helpers of the suites that load the adapters over other crypto
libraries (tools/libs/libce1prim_<name>.so) with ctypes:
test_other_libs.py and test_other_libs2.py.

- the ABI's status values and primitive names (tools/ce1_prim.h);
- lib_path: where an adapter was built (CE_BUILD_DIR/tools/libs, set by
  CTest, else the newest build*/tools/libs of the checkout);
- PrimBase: one adapter with the ABI's signatures declared, and the
  sentinel logic by which every call checks that a failure wrote nothing.
  Each suite derives its Prim from it with the calls it makes.

Not a test suite itself (no test_ prefix); the suites import it with
their own directory on sys.path.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

AUTH_FAILED = -6
INVALID_ARGUMENT = -7
NOT_SUPPORTED = -8
BUFFER_TOO_SMALL = -9

ALL_PRIMS = {
    "ce1_impl_aes_ecb", "ce1_impl_sm4_ecb", "ce1_impl_aes_xts",
    "ce1_impl_aes_gcm_seal", "ce1_impl_aes_gcm_open",
    "ce1_impl_hkdf_sha256_extract", "ce1_impl_hkdf_sha256_expand",
    "ce1_impl_hkdf_sha256", "ce1_impl_pbkdf2_sha256",
}

# What every output buffer is filled with before a call.
SENTINEL = 0xA5


def lib_path(name: str) -> Path | None:
    so = f"libce1prim_{name}.so"
    build = os.environ.get("CE_BUILD_DIR")
    if build:
        p = Path(build) / "tools" / "libs" / so
        return p if p.is_file() else None
    found = sorted(REPO.glob(f"build*/tools/libs/{so}"),
                   key=lambda p: p.stat().st_mtime, reverse=True)
    return found[0] if found else None


class PrimBase:
    """One adapter library behind the ce1_prim.h ABI: loads it and declares
    the signatures of the primitives it exports. Outputs come from _buf,
    filled with SENTINEL, and a failing call must leave them _untouched."""

    def __init__(self, name: str, path: Path):
        self.name = name
        self.path = path
        self.lib = ctypes.CDLL(str(path))
        self.lib.ce1_impl_describe.restype = ctypes.c_char_p
        self.lib.ce1_impl_describe.argtypes = []
        sz, p, u8p = ctypes.c_size_t, ctypes.c_void_p, ctypes.c_char_p
        szp = ctypes.POINTER(ctypes.c_size_t)
        sigs = {
            "ce1_impl_aes_ecb": [ctypes.c_int, u8p, sz, u8p, sz, p, szp],
            "ce1_impl_sm4_ecb": [ctypes.c_int, u8p, sz, u8p, sz, p, szp],
            "ce1_impl_aes_xts": [ctypes.c_int, u8p, sz, u8p, u8p, sz, p, szp],
            "ce1_impl_aes_gcm_seal": [u8p, sz, u8p, sz, u8p, sz, u8p, sz, sz,
                                      p, szp, p],
            "ce1_impl_aes_gcm_open": [u8p, sz, u8p, sz, u8p, sz, u8p, sz, u8p,
                                      sz, sz, p, szp],
            "ce1_impl_hkdf_sha256_extract": [u8p, sz, u8p, sz, p],
            "ce1_impl_hkdf_sha256_expand": [u8p, sz, u8p, sz, p, sz],
            "ce1_impl_hkdf_sha256": [u8p, sz, u8p, sz, u8p, sz, p, sz],
            "ce1_impl_pbkdf2_sha256": [u8p, sz, u8p, sz, ctypes.c_uint32, p,
                                       sz],
        }
        for sym, args in sigs.items():
            if self.has(sym):
                f = getattr(self.lib, sym)
                f.restype = ctypes.c_int
                f.argtypes = args

    def has(self, sym: str) -> bool:
        try:
            getattr(self.lib, sym)  # dlsym
            return True
        except AttributeError:
            return False

    def describe(self) -> str:
        return self.lib.ce1_impl_describe().decode()

    @staticmethod
    def _buf(n: int):
        n = max(n, 1)
        return (ctypes.c_uint8 * n).from_buffer_copy(bytes([SENTINEL]) * n)

    @staticmethod
    def _untouched(buf) -> bool:
        return bytes(buf) == bytes([SENTINEL]) * len(buf)
