"""Sender/receiver contexts: protect and unprotect packets (spec 5 to 9)."""

from __future__ import annotations

from . import _core
from .config import Config
from .modes import Mode

__all__ = ["Context"]


def _check_length(length, what="length") -> None:
    if isinstance(length, bool) or not isinstance(length, int):
        raise TypeError(f"{what} must be an int, not {type(length).__name__}")
    if length < 0:
        raise ValueError(f"{what} must be >= 0")


class Context:
    """A CE1 context: one configuration's derived keys and packet counter.

    ``Context(config)`` validates the config and runs the key schedule once
    (100,000 PBKDF2 iterations for GCM2; the GIL is released meanwhile).
    Packets are then protected and unprotected without further derivation::

        ctx = chanenc.Context(chanenc.Config("AES_128_GCM", key="secret"))
        frame = ctx.protect(b"hello")          # bytes -> bytes
        assert ctx.unprotect(frame) == b"hello"

    Three ways to call, for each direction:

    * copying: :meth:`protect` / :meth:`unprotect` return new ``bytes``;
    * into a buffer: :meth:`protect_into` / :meth:`unprotect_into` write into
      a caller's ``bytearray`` or writable ``memoryview`` and return the
      length written;
    * in place, no copy: :meth:`protect_inplace` / :meth:`unprotect_inplace`
      transform ``buf[:length]`` inside the caller's buffer (which needs room
      for the frame: ``length + overhead(mode, length)``, or
      ``length + MAX_OVERHEAD`` for any mode).

    Failures raise a :class:`chanenc.Error` subclass and leave the caller's
    buffer unchanged (spec 9).

    Every frame carries the context's own packet number (random start, +1
    per frame); no method here lets a caller choose it, since reusing a
    packet number with one key breaks GCM and weakens XTS. Known-answer
    vectors that need a given packet number use :mod:`chanenc.testing`
    (never for live traffic).

    A context may be shared between threads (calls are serialised); it can
    be closed early with :meth:`close` or a ``with`` block.
    """

    __slots__ = ("_h", "_mode", "__weakref__")

    def __init__(self, config: Config) -> None:
        if not isinstance(config, Config):
            raise TypeError(f"expected a chanenc.Config, not "
                            f"{type(config).__name__}")
        self._h = None
        config._validate("context")
        self._h = _core.ctx_new(*config._args())
        self._mode = config.mode

    def _handle(self):
        h = self._h
        if h is None:
            raise ValueError("operation on a closed chanenc.Context")
        return h

    # ---- properties -------------------------------------------------------

    @property
    def mode(self) -> Mode:
        """The context's mode."""
        return self._mode

    @property
    def backend(self) -> str:
        """The cipher backend that runs this context: ``"openssl"``,
        ``"ipsec-mb"`` or ``"sm4-simd"`` (``Config.backend`` with ``"auto"``
        resolved)."""
        return _core.ctx_backend(self._handle())

    @property
    def check(self) -> int:
        """The check byte of the key schedule (0..255)."""
        return _core.ctx_info(self._handle())[1]

    @property
    def next_pn(self) -> int:
        """The packet number the next :meth:`protect` will use (XTS and GCM;
        it starts at a random value and advances by 1 per frame)."""
        return _core.ctx_info(self._handle())[2]

    def overhead(self, payload_len: int) -> int:
        """Bytes a frame of this mode adds to ``payload_len`` bytes."""
        _check_length(payload_len, "payload_len")
        return _core.ce_overhead(int(self._mode), payload_len)

    # ---- copying ------------------------------------------------------------

    def protect(self, payload) -> bytes:
        """Protects ``payload`` (bytes-like, 0..65535 bytes) and returns the
        frame. The frame carries the context's packet number, which then
        advances (:attr:`next_pn`).

        Raises:
            TooLarge: payload over 65,535 bytes.
        """
        return _core.ctx_protect(self._handle(), payload)

    def unprotect(self, frame) -> bytes:
        """Checks and decrypts ``frame`` (bytes-like) and returns the payload.

        Raises (in the order of spec 9): Malformed, BadVersion, ModeMismatch,
        KeyMismatch, BadPadding, AuthFailed.
        """
        return _core.ctx_unprotect(self._handle(), frame)

    # ---- into a caller's buffer ---------------------------------------------

    def protect_into(self, payload, out) -> int:
        """Writes the frame of ``payload`` into ``out`` (a bytearray or
        writable memoryview, capacity ``len(out)``) and returns its length.
        ``payload`` and ``out`` may be the same buffer, or overlap.

        Raises:
            BufferTooSmall: ``out`` cannot hold the frame (nothing written).
        """
        return _core.ctx_protect_into(self._handle(), payload, out)

    def unprotect_into(self, frame, out) -> int:
        """Writes the payload of ``frame`` into ``out`` and returns its
        length. On failure ``out`` is unchanged."""
        return _core.ctx_unprotect_into(self._handle(), frame, out)

    # ---- in place -----------------------------------------------------------

    def protect_inplace(self, buf, length: int) -> int:
        """Protects the payload ``buf[:length]`` in place, without copying
        it; ``buf`` (bytearray or writable memoryview) must have room for
        the frame. Returns the frame length: the frame is
        ``buf[:returned]``.

        Raises:
            BufferTooSmall: ``len(buf)`` is less than the frame length
                (``buf`` is unchanged).
        """
        _check_length(length)
        return _core.ctx_protect_inplace(self._handle(), buf, length)

    def unprotect_inplace(self, buf, length: int | None = None) -> int:
        """Unprotects the frame ``buf[:length]`` (default: all of ``buf``)
        in place and returns the payload length: the payload is
        ``buf[:returned]``. On failure ``buf`` is exactly as it was."""
        if length is None:
            length = memoryview(buf).nbytes
        _check_length(length)
        return _core.ctx_unprotect_inplace(self._handle(), buf, length)

    # ---- lifetime -------------------------------------------------------------

    def close(self) -> None:
        """Wipes the keys and frees the context now (also done when it is
        garbage collected). Later calls raise ValueError."""
        self._h = None

    def __enter__(self) -> "Context":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = ("closed" if self._h is None else
                 f"check=0x{self.check:02x} backend={self.backend}")
        mode = self._mode.name if isinstance(self._mode, Mode) else self._mode
        return f"<chanenc.Context {mode} {state}>"
