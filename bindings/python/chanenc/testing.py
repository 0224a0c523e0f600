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

SFrame (:mod:`chanenc.sframe`, RFC 9605) likewise: an
:class:`~chanenc.sframe.SFrameContext` numbers its frames itself (CTR 0, 1,
2, ... per send key). :func:`sframe_protect_with_ctr` and its ``_into`` /
``_inplace`` forms make the frame of a chosen CTR (through
``ce_testing_sframe_protect_ctr`` in ``ref/testing/chanenc_sframe_testing.h``)
without reading or advancing the key's counter, and
:func:`sframe_set_next_ctr` moves that counter (e.g. to 2**64 - 2 to reach
:class:`chanenc.CounterExhausted` in two frames)::

    from chanenc import sframe, testing
    ctx = sframe.SFrameContext(sframe.Suite.AES_128_CTR_HMAC_SHA256_80)
    ctx.add_key(0x123, base_key, usage="send")
    frame = testing.sframe_protect_with_ctr(ctx, 0x123, 0x4567, pt, metadata)
"""

from __future__ import annotations

from . import _core
from .context import Context, _check_length
from .sframe import SFrameContext, _u64, _length

__all__ = ["protect_with_pn", "protect_into_with_pn",
           "protect_inplace_with_pn", "sframe_protect_with_ctr",
           "sframe_protect_into_with_ctr", "sframe_protect_inplace_with_ctr",
           "sframe_set_next_ctr"]


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


# ---------------------------------------------------------------------------
# SFrame: a chosen CTR
# ---------------------------------------------------------------------------

def _sframe_handle(ctx, fn: str):
    if not isinstance(ctx, SFrameContext):
        raise TypeError(f"{fn}: ctx must be a chanenc.sframe.SFrameContext, "
                        f"not {type(ctx).__name__}")
    return ctx._handle()


def sframe_protect_with_ctr(ctx: SFrameContext, kid: int, ctr: int, payload,
                            metadata=b"") -> bytes:
    """As :meth:`chanenc.sframe.SFrameContext.protect` with the send key of
    ``kid``, but the frame carries counter ``ctr`` (an int in
    0 .. 2**64 - 1). VECTORS AND TESTS ONLY: reusing a CTR with a key breaks
    the cipher. The key's own counter is neither read nor advanced (nor its
    exhaustion checked).

    Raises:
        UnknownKid: ``kid`` has no send key.
        TooLarge: payload over ``chanenc.sframe.MAX_PAYLOAD``.
        TypeError / InvalidArgument: bad ``ctx``, ``kid`` or ``ctr``.
    """
    fn = "sframe_protect_with_ctr"
    h = _sframe_handle(ctx, fn)
    return _core.testing_sframe_protect_with_ctr(
        h, _u64(kid, "kid", fn), _u64(ctr, "ctr", fn), metadata, payload)


def sframe_protect_into_with_ctr(ctx: SFrameContext, kid: int, ctr: int,
                                 payload, out, metadata=b"") -> int:
    """As :func:`sframe_protect_with_ctr`, writing the frame into ``out``
    (bytearray or writable memoryview) and returning its length. VECTORS
    AND TESTS ONLY. BufferTooSmall when ``out`` cannot hold the frame."""
    fn = "sframe_protect_into_with_ctr"
    h = _sframe_handle(ctx, fn)
    return _core.testing_sframe_protect_into_with_ctr(
        h, _u64(kid, "kid", fn), _u64(ctr, "ctr", fn), metadata, payload, out)


def sframe_protect_inplace_with_ctr(ctx: SFrameContext, kid: int, ctr: int,
                                    buf, length: int, metadata=b"") -> int:
    """As :func:`sframe_protect_with_ctr`, in place on ``buf[:length]``;
    returns the frame length. VECTORS AND TESTS ONLY. BufferTooSmall when
    ``buf`` cannot hold the frame (``buf`` unchanged)."""
    fn = "sframe_protect_inplace_with_ctr"
    h = _sframe_handle(ctx, fn)
    kid, ctr = _u64(kid, "kid", fn), _u64(ctr, "ctr", fn)
    _length(length, "length", fn)
    return _core.testing_sframe_protect_inplace_with_ctr(
        h, kid, ctr, metadata, buf, length)


def sframe_set_next_ctr(ctx: SFrameContext, kid: int, ctr: int) -> None:
    """Sets the CTR the next protect with ``kid`` uses and clears the key's
    exhaustion (e.g. ``2**64 - 2``: two more frames, then
    CounterExhausted). TESTS ONLY.

    Raises:
        UnknownKid: ``kid`` has no send key.
    """
    fn = "sframe_set_next_ctr"
    h = _sframe_handle(ctx, fn)
    _core.testing_sframe_set_next_ctr(h, _u64(kid, "kid", fn),
                                      _u64(ctr, "ctr", fn))
