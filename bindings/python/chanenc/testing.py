"""chanenc.testing - protect with a CHOSEN packet number.

    *****************************************************************
    *  FOR KNOWN-ANSWER VECTORS AND CONFORMANCE TESTS ONLY.          *
    *  NEVER USE THIS MODULE ON LIVE TRAFFIC.                        *
    *****************************************************************

A CE1 frame's packet number must never repeat under one key: reusing one
with the same key breaks AES-GCM outright (the keystream repeats and the
authentication key can be recovered, so frames can be forged) and makes
XTS leak equal plaintext blocks. :class:`chanenc.Context` therefore never
lets a caller choose the packet number: each frame gets the context's own
counter (random start, +1 per frame).

Vector files and conformance checks, however, need the frame that a given
payload gives at a given packet number. The functions here produce it,
through the C library's testing interface (``ce_testing_protect_pn`` in
``ref/testing/chanenc_testing.h``, which the installed libchanenc does not
contain). They do not read, use or advance the context's own counter.
Nothing here is imported by ``import chanenc``; import it explicitly::

    import chanenc, chanenc.testing
    ctx = chanenc.Context(chanenc.Config("AES_128_GCM", key="vector key"))
    frame = chanenc.testing.protect_with_pn(ctx, b"hello", 12345)
    assert frame[2:10] == (12345).to_bytes(8, "big")   # XTS and GCM modes

The ECB modes carry no packet number and ignore ``pn``.
"""

from __future__ import annotations

from . import _core
from .context import Context, _check_length

__all__ = ["protect_with_pn", "protect_into_with_pn",
           "protect_inplace_with_pn"]


def _check_pn(pn, fn: str) -> int:
    if isinstance(pn, bool) or not isinstance(pn, int):
        raise TypeError(f"{fn}: pn must be an int, not {type(pn).__name__}")
    if not 0 <= pn < 1 << 64:
        raise ValueError(f"{fn}: pn must be in 0 .. 2**64 - 1, got {pn}")
    return pn


def _handle(ctx, fn: str):
    if not isinstance(ctx, Context):
        raise TypeError(f"{fn}: ctx must be a chanenc.Context, not "
                        f"{type(ctx).__name__}")
    return ctx._handle()


def protect_with_pn(ctx: Context, payload, pn: int) -> bytes:
    """As :meth:`chanenc.Context.protect`, but the frame carries packet
    number ``pn`` (an int in 0 .. 2**64 - 1). VECTORS AND TESTS ONLY: never
    on live traffic. The context's own packet number is left untouched.

    Raises:
        TypeError: ``pn`` is not an int (bool included) or ``ctx`` is not a
            Context.
        ValueError: ``pn`` is outside 0 .. 2**64 - 1.
        TooLarge: payload over 65,535 bytes.
    """
    h = _handle(ctx, "protect_with_pn")
    return _core.testing_protect_pn(h, _check_pn(pn, "protect_with_pn"),
                                    payload)


def protect_into_with_pn(ctx: Context, payload, out, pn: int) -> int:
    """As :meth:`chanenc.Context.protect_into` with packet number ``pn``:
    writes the frame into ``out`` and returns its length. VECTORS AND TESTS
    ONLY. Raises as :func:`protect_with_pn`, and BufferTooSmall when ``out``
    cannot hold the frame (nothing written)."""
    h = _handle(ctx, "protect_into_with_pn")
    return _core.testing_protect_pn_into(
        h, _check_pn(pn, "protect_into_with_pn"), payload, out)


def protect_inplace_with_pn(ctx: Context, buf, length: int, pn: int) -> int:
    """As :meth:`chanenc.Context.protect_inplace` with packet number
    ``pn``: protects ``buf[:length]`` in place and returns the frame length.
    VECTORS AND TESTS ONLY. Raises as :func:`protect_with_pn`, and
    BufferTooSmall when ``buf`` cannot hold the frame (``buf`` unchanged)."""
    h = _handle(ctx, "protect_inplace_with_pn")
    pn = _check_pn(pn, "protect_inplace_with_pn")
    _check_length(length)
    return _core.testing_protect_pn_inplace(h, pn, buf, length)
