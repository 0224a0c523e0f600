"""Cipher backends: the library that runs a context's cipher.

Every backend makes and accepts exactly the same frames; only speed
differs (chanenc.h, "Cipher backends"). ``"openssl"`` (OpenSSL 3 EVP) is
always built in and serves every mode; ``"ipsec-mb"`` (intel-ipsec-mb)
serves the GCM modes (5-8) when the library was built with it and the CPU
has AES-NI; ``"sm4-simd"`` (chanenc's vectorized SM4) serves SM4_128_ECB
(mode 4) on x86-64 CPUs with GFNI, or AES-NI with AVX2. ``"auto"``, the
default of a :class:`~chanenc.Config`, takes the fastest one that can serve
the mode here.

>>> backend_for("AES_128_XTS")
'openssl'
"""

from __future__ import annotations

from . import _core
from .errors import InvalidArgument, _argument_error
from .modes import Mode, mode_id

__all__ = ["BACKENDS", "backend_id", "backend_for"]

#: Every backend name, in the order of their C values (CE_BACKEND_*).
BACKENDS = ("auto", "openssl", "ipsec-mb", "sm4-simd")


def backend_id(value) -> int:
    """The C value (0..3) of a backend given by name (``"auto"``,
    ``"openssl"``, ``"ipsec-mb"``, ``"sm4-simd"``) or by value. Raises InvalidArgument for
    anything else. A name is valid whether or not that backend is built
    in: :func:`backend_for` and :class:`~chanenc.Context` say whether it can
    serve."""
    if isinstance(value, bool):
        raise TypeError("backend must be a name or an int, not bool")
    if isinstance(value, int):
        if 0 <= value < len(BACKENDS):
            return value
    elif isinstance(value, str):
        b = _core.ce_backend_from_name(value)
        if b >= 0:
            return b
    else:
        raise TypeError(f"backend must be a name or an int, not "
                        f"{type(value).__name__}")
    raise _argument_error(InvalidArgument, "backend",
                          f"{value!r} is not a backend (valid: "
                          f"{', '.join(BACKENDS)})")


def backend_for(mode: int | str | Mode, backend: int | str = "auto") -> str:
    """The backend a :class:`~chanenc.Context` of ``mode`` gets from the
    choice ``backend`` on this machine: ``"openssl"``, ``"ipsec-mb"`` or
    ``"sm4-simd"`` (``"auto"`` resolved), without deriving any key.

    Raises:
        InvalidArgument: not a mode or not a backend.
        NotSupported: the named backend is not built in, cannot run on
            this CPU, or does not serve the mode (ipsec-mb: GCM only;
            sm4-simd: SM4_128_ECB only).
    """
    return BACKENDS[_core.backend_select(backend_id(backend), mode_id(mode))]
