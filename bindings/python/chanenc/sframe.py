"""chanenc.sframe - SFrame (RFC 9605) end-to-end media encryption.

SFrame protects each media frame (or packet) with a key that only the
participants hold, so that a media server forwarding the packets cannot
read them. Each sender has its own key, named by a key ID (KID, an integer
in 0 .. 2**64 - 1), and numbers its frames with a counter (CTR) that the
context advances itself. The SFrame ciphertext is::

    header (KID, CTR; 1..17 bytes) || AEAD ciphertext || tag

authenticated together with optional *metadata* that is not sent (both
sides must pass the same bytes). The specification chanenc follows, with
every reading of the RFC, is ``docs/sframe.md``.

The pieces:

* :class:`SFrameContext` - one cipher suite and a table of keys by KID:
  :meth:`~SFrameContext.add_key` (usage ``"send"`` or ``"receive"``, never
  both: RFC 9605 4.4.1), :meth:`~SFrameContext.remove_key`,
  :meth:`~SFrameContext.protect` / :meth:`~SFrameContext.unprotect` (copying,
  into a buffer, or in place), :attr:`~SFrameContext.replay_window`,
  :meth:`~SFrameContext.next_ctr`;
* :class:`SFrameObserver` - SFrame as the packet observer of a
  :class:`chanenc.Channel` (C callbacks, no Python code per packet);
* :class:`Suite` - the cipher suites by their RFC names, :func:`suite_info`;
* :func:`header_encode` / :func:`header_decode` - the header codec (4.3);
* :func:`derive` - the key schedule's intermediates (4.4.2), :func:`nonce`,
  :func:`aead_encrypt` / :func:`aead_decrypt` - the suites' AEADs (4.4, 4.5).

Quick start::

    from chanenc import sframe
    alice = sframe.SFrameContext("AES_128_GCM_SHA256_128")
    bob = sframe.SFrameContext(sframe.Suite.AES_128_GCM_SHA256_128,
                               replay_window=128)
    alice.add_key(7, alice_base_key, usage="send")
    bob.add_key(7, alice_base_key, usage="receive")
    frame = alice.protect(7, b"media frame", metadata=b"stream 1")
    payload, kid, ctr = bob.unprotect(frame, metadata=b"stream 1")

No public method lets a caller choose the CTR: reusing one with a key
breaks AES-GCM and AES-CTR. Known-answer vectors use
:func:`chanenc.testing.sframe_protect_with_ctr` (never for live traffic).

Failures raise :class:`chanenc.Error` subclasses; those particular to
SFrame are :class:`chanenc.UnknownKid` (no key for the KID in that
direction; on receive the one retryable failure), :class:`chanenc.Replayed`
(replay window) and :class:`chanenc.CounterExhausted`. A bad argument
raises :class:`chanenc.InvalidArgument` (a ValueError) naming the method
and the argument, or TypeError for a wrong type.
"""

from __future__ import annotations

import enum
import weakref
from typing import NamedTuple

from . import _core
from .errors import (Error, InvalidArgument, _argument_error, error_class)

__all__ = [
    "Suite", "SuiteInfo", "SUITES", "suite_info", "Usage",
    "Header", "header_encode", "header_decode", "header_len", "overhead",
    "Derived", "derive", "nonce", "aead_encrypt", "aead_decrypt",
    "SFrameContext", "Unprotected", "UnprotectedInto", "SFrameObserver",
    "MAX_HEADER", "MAX_TAG", "MAX_OVERHEAD", "MAX_PAYLOAD",
    "MAX_REPLAY_WINDOW",
]

#: Largest SFrame header: config byte + 8-byte KID + 8-byte CTR (17).
MAX_HEADER: int = _core.SFRAME_MAX_HEADER
#: Largest tag of any suite (16).
MAX_TAG: int = _core.SFRAME_MAX_TAG
#: Most bytes a frame adds to its payload, any suite, KID and CTR (33).
MAX_OVERHEAD: int = _core.SFRAME_MAX_OVERHEAD
#: Largest payload a context protects or unprotects (1 MiB).
MAX_PAYLOAD: int = _core.SFRAME_MAX_PAYLOAD
#: Largest replay window (1024).
MAX_REPLAY_WINDOW: int = _core.SFRAME_MAX_REPLAY_WINDOW

_U64_MAX = (1 << 64) - 1


class Suite(enum.IntEnum):
    """SFrame cipher suites (RFC 9605 8.1; 6-8 from
    draft-barnes-sframe-iana-256). The number is the IANA value.

    ====  ============================  ====  ===  ========
    id    name                          key   tag  AEAD
    ====  ============================  ====  ===  ========
    1     AES_128_CTR_HMAC_SHA256_80    48    10   CTR+HMAC
    2     AES_128_CTR_HMAC_SHA256_64    48     8   CTR+HMAC
    3     AES_128_CTR_HMAC_SHA256_32    48     4   CTR+HMAC
    4     AES_128_GCM_SHA256_128        16    16   GCM
    5     AES_256_GCM_SHA512_128        32    16   GCM
    6     AES_256_CTR_HMAC_SHA512_80    96    10   CTR+HMAC
    7     AES_256_CTR_HMAC_SHA512_64    96     8   CTR+HMAC
    8     AES_256_CTR_HMAC_SHA512_32    96     4   CTR+HMAC
    ====  ============================  ====  ===  ========
    """

    AES_128_CTR_HMAC_SHA256_80 = 1
    AES_128_CTR_HMAC_SHA256_64 = 2
    AES_128_CTR_HMAC_SHA256_32 = 3
    AES_128_GCM_SHA256_128 = 4
    AES_256_GCM_SHA512_128 = 5
    AES_256_CTR_HMAC_SHA512_80 = 6
    AES_256_CTR_HMAC_SHA512_64 = 7
    AES_256_CTR_HMAC_SHA512_32 = 8


class SuiteInfo(NamedTuple):
    """The constants of one suite (RFC 9605 4.4, Table 1), in bytes."""

    suite: Suite
    name: str
    nh: int    #: hash output (32 for SHA-256, 64 for SHA-512)
    nka: int   #: AES key of a CTR+HMAC suite (0 for GCM)
    nk: int    #: AEAD key (sframe_key; enc_key || auth_key for CTR+HMAC)
    nn: int    #: nonce (12)
    nt: int    #: tag
    gcm: bool  #: AES-GCM (True) or AES-CTR with truncated HMAC (False)


def _suite_info_raw(s: int) -> SuiteInfo:
    i, name, nh, nka, nk, nn, nt, gcm = _core.sframe_suite_info(s)
    return SuiteInfo(Suite(i), name, nh, nka, nk, nn, nt, bool(gcm))


#: {Suite: SuiteInfo} for every suite.
SUITES = {s: _suite_info_raw(int(s)) for s in Suite}

_VALID_SUITES = ", ".join(f"{s.name} ({int(s)})" for s in Suite)


def _suite(suite, fn: str) -> Suite:
    """A Suite from a Suite, an int 1..8 or a name (any case)."""
    if isinstance(suite, str):
        try:
            return Suite[suite.strip().upper()]
        except KeyError:
            raise _argument_error(
                InvalidArgument, fn,
                f"unknown suite {suite!r}; valid suites: {_VALID_SUITES}"
            ) from None
    if isinstance(suite, bool) or not isinstance(suite, int):
        raise TypeError(f"{fn}: suite must be a chanenc.sframe.Suite, an int "
                        f"or a suite name, not {type(suite).__name__}")
    try:
        return Suite(suite)
    except ValueError:
        raise _argument_error(
            InvalidArgument, fn,
            f"unknown suite {suite!r}; valid suites: {_VALID_SUITES}"
        ) from None


def _u64(value, name: str, fn: str) -> int:
    """A KID or CTR: an int in 0 .. 2**64 - 1."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{fn}: {name} must be an int, not "
                        f"{type(value).__name__}")
    if not 0 <= value <= _U64_MAX:
        raise _argument_error(InvalidArgument, fn,
                              f"{name} must be in 0 .. 2**64 - 1, got {value}")
    return int(value)


def _length(value, name: str, fn: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{fn}: {name} must be an int, not "
                        f"{type(value).__name__}")
    if value < 0:
        raise _argument_error(InvalidArgument, fn,
                              f"{name} must be >= 0, got {value}")
    return value


def suite_info(suite) -> SuiteInfo:
    """The constants of ``suite`` (a :class:`Suite`, 1..8 or a name)."""
    return SUITES[_suite(suite, "suite_info")]


class Usage(str, enum.Enum):
    """What a base key may do in a context (RFC 9605 4.4.1: "usable for
    encryption or decryption, never both"). ``add_key`` also takes the
    plain strings ``"send"`` and ``"receive"``."""

    SEND = "send"        #: protect only; the key carries a send counter
    RECEIVE = "receive"  #: unprotect only; the key carries a replay window


_USAGE_C = {Usage.SEND: _core.SFRAME_SEND, Usage.RECEIVE: _core.SFRAME_RECEIVE}


def _usage(usage, fn: str) -> Usage:
    if isinstance(usage, Usage):
        return usage
    if isinstance(usage, str):
        try:
            return Usage(usage.strip().lower())
        except ValueError:
            pass
    raise _argument_error(InvalidArgument, fn,
                          f"usage must be 'send' or 'receive', got {usage!r}")


# ---------------------------------------------------------------------------
# Header, sizes, derivation, AEAD
# ---------------------------------------------------------------------------

class Header(NamedTuple):
    """A decoded SFrame header (RFC 9605 4.3)."""

    kid: int
    ctr: int
    header_len: int  #: bytes of the header at the start of the input


def header_encode(kid: int, ctr: int) -> bytes:
    """The header for ``(kid, ctr)`` (ints in 0 .. 2**64 - 1), in the one
    form RFC 9605 4.3 allows: values 0..7 in the config byte, larger ones in
    the fewest big-endian bytes. 1..17 bytes."""
    return _core.sframe_header_encode(_u64(kid, "kid", "header_encode"),
                                      _u64(ctr, "ctr", "header_encode"))


def header_decode(data) -> Header:
    """Parses the header at the start of ``data`` (bytes-like; the bytes
    after the header are not looked at) and returns
    ``Header(kid, ctr, header_len)``.

    Raises:
        Malformed: ``data`` is shorter than the header its config byte
            announces, or a value is not in the shortest form (an extended
            field holding 0..7, or with a leading zero byte).
    """
    return Header(*_core.sframe_header_decode(data))


def header_len(kid: int, ctr: int) -> int:
    """Bytes of the header for ``(kid, ctr)``: 1..17."""
    return _core.sframe_sizes(1, _u64(kid, "kid", "header_len"),
                              _u64(ctr, "ctr", "header_len"))[0]


def overhead(suite, kid: int, ctr: int) -> int:
    """Bytes a frame with this KID and CTR adds to its payload in ``suite``:
    header length + tag length (at most :data:`MAX_OVERHEAD`)."""
    s = _suite(suite, "overhead")
    return _core.sframe_sizes(int(s), _u64(kid, "kid", "overhead"),
                              _u64(ctr, "ctr", "overhead"))[1]


class Derived(NamedTuple):
    """The intermediates of RFC 9605 4.4.2 ``derive_key_salt``."""

    secret: bytes      #: sframe_secret = HKDF-Extract("", base_key), Nh bytes
    key: bytes         #: sframe_key = HKDF-Expand(secret, key_label, Nk)
    salt: bytes        #: sframe_salt = HKDF-Expand(secret, salt_label, Nn)
    key_label: bytes   #: "SFrame 1.0 Secret key " || BE64(KID) || BE16(suite)
    salt_label: bytes  #: "SFrame 1.0 Secret salt " || BE64(KID) || BE16(suite)


def derive(suite, kid: int, base_key) -> Derived:
    """Runs RFC 9605 ``derive_key_salt(KID, base_key)`` for ``suite`` and
    returns every intermediate: ``Derived(secret, key, salt, key_label,
    salt_label)``. ``base_key`` is bytes-like, at least 1 byte. For checking
    an implementation step by step; contexts derive internally."""
    s = _suite(suite, "derive")
    kid = _u64(kid, "kid", "derive")
    _check_base_key(base_key, "derive")
    return Derived(*_core.sframe_derive(int(s), kid, base_key))


def nonce(salt, ctr: int) -> bytes:
    """``salt XOR (0^4 || BE64(ctr))`` (RFC 9605 4.4.3): the 12-byte nonce
    of the frame with counter ``ctr`` under a key with this 12-byte
    ``sframe_salt``."""
    return _core.sframe_nonce(salt, _u64(ctr, "ctr", "nonce"))


def aead_encrypt(suite, key, nonce, plaintext, aad=b"") -> bytes:
    """The suite's AEAD.Encrypt (RFC 9605 4.4, 4.5.1): returns ciphertext
    || tag. ``key`` is Nk bytes (``enc_key || auth_key`` for the CTR+HMAC
    suites), ``nonce`` 12 bytes. A one-shot primitive for known-answer
    tests, not for packets (use :class:`SFrameContext`).

    Raises:
        InvalidArgument: wrong key length.
    """
    s = _suite(suite, "aead_encrypt")
    return _core.sframe_aead(1, int(s), key, nonce, aad, plaintext)


def aead_decrypt(suite, key, nonce, ciphertext, aad=b"") -> bytes:
    """The suite's AEAD.Decrypt: ``ciphertext`` is ciphertext || tag; returns
    the plaintext.

    Raises:
        AuthFailed: the tag did not verify.
        Malformed: ``ciphertext`` is shorter than the tag.
        InvalidArgument: wrong key length.
    """
    s = _suite(suite, "aead_decrypt")
    return _core.sframe_aead(0, int(s), key, nonce, aad, ciphertext)


def _check_base_key(base_key, fn: str) -> None:
    if isinstance(base_key, str):
        raise TypeError(f"{fn}: base_key must be bytes-like, not 'str' "
                        f"(encode text first, e.g. s.encode())")
    try:
        n = memoryview(base_key).nbytes
    except TypeError:
        raise TypeError(f"{fn}: base_key must be bytes-like, not "
                        f"{type(base_key).__name__}") from None
    if n == 0:
        raise _argument_error(InvalidArgument, fn,
                              "base_key must not be empty")


# ---------------------------------------------------------------------------
# Context
# ---------------------------------------------------------------------------

class Unprotected(NamedTuple):
    """What :meth:`SFrameContext.unprotect` returns."""

    payload: bytes
    kid: int  #: the KID of the frame's header
    ctr: int  #: the CTR of the frame's header


class UnprotectedInto(NamedTuple):
    """What :meth:`SFrameContext.unprotect_into` and
    :meth:`~SFrameContext.unprotect_inplace` return: the payload is
    ``out[:length]`` (or ``buf[:length]``)."""

    length: int
    kid: int
    ctr: int


class SFrameContext:
    """An SFrame context: one cipher suite and keys by KID (RFC 9605 4.4).

    ``SFrameContext(suite, *, replay_window=0)``: ``suite`` is a
    :class:`Suite`, its number (1..8) or its name
    (``"AES_128_GCM_SHA256_128"``). The context starts with no keys::

        ctx = SFrameContext("AES_128_GCM_SHA256_128", replay_window=64)
        ctx.add_key(1, my_base_key, usage="send")       # my frames
        ctx.add_key(2, peer_base_key, usage="receive")  # a peer's frames
        frame = ctx.protect(1, b"payload")
        payload, kid, ctr = ctx.unprotect(peer_frame)

    Keys: a KID holds one key, marked ``"send"`` (protect; a counter that
    starts at 0 and is never reused) or ``"receive"`` (unprotect; replay
    state). Re-adding the same base key with the same usage keeps the
    key's counter or replay state; a different base key or usage starts
    afresh. Never add a removed send key's base key for that KID again
    (its counter is forgotten, RFC 9605 9.1).

    Three ways to call, for each direction: copying (:meth:`protect`,
    :meth:`unprotect`), into a caller's ``bytearray`` / writable
    ``memoryview`` (:meth:`protect_into`, :meth:`unprotect_into`) and in
    place (:meth:`protect_inplace`, :meth:`unprotect_inplace`). Payloads are
    0 .. :data:`MAX_PAYLOAD` bytes; a frame is at most
    :data:`MAX_OVERHEAD` bytes longer. ``metadata`` (bytes-like, default
    empty) is authenticated, not sent: the receiver must pass the same.
    On any failure the caller's buffers are unchanged.

    Thread safety: every call holds the context's lock (the GIL is released
    meanwhile), so a context may be shared between threads, and key changes
    are safe while an :class:`SFrameObserver` on it carries packets.

    ``close()`` (or a ``with`` block) wipes the keys and frees the context,
    unless an :class:`SFrameObserver` still uses it (then when that
    observer goes).
    """

    __slots__ = ("_h", "_suite", "_window", "__weakref__")

    def __init__(self, suite, *, replay_window: int = 0) -> None:
        self._h = None
        self._suite = _suite(suite, "SFrameContext")
        self._window = 0
        self._h = _core.sframe_ctx_new(int(self._suite))
        if replay_window:
            self.replay_window = replay_window

    def _handle(self):
        h = self._h
        if h is None:
            raise ValueError("operation on a closed chanenc.sframe.SFrameContext")
        return h

    # ---- properties and keys ---------------------------------------------

    @property
    def suite(self) -> Suite:
        """The context's cipher suite."""
        return self._suite

    @property
    def suite_info(self) -> SuiteInfo:
        """The constants of the context's suite (key, nonce, tag sizes)."""
        return SUITES[self._suite]

    @property
    def replay_window(self) -> int:
        """Replay window of every receive key: 0 (the default) turns the
        check off; 1..:data:`MAX_REPLAY_WINDOW` accepts each CTR once, and
        only within ``replay_window - 1`` of the highest CTR accepted for
        its KID; others raise :class:`chanenc.Replayed`. What was seen is
        tracked whatever the size, so changing it forgets nothing."""
        return self._window

    @replay_window.setter
    def replay_window(self, size: int) -> None:
        _length(size, "replay_window", "replay_window")
        if size > MAX_REPLAY_WINDOW:
            raise _argument_error(
                InvalidArgument, "replay_window",
                f"replay_window must be 0 (off) .. {MAX_REPLAY_WINDOW}, "
                f"got {size}")
        _core.sframe_ctx_set_replay_window(self._handle(), size)
        self._window = size

    def add_key(self, kid: int, base_key, usage: str = "send") -> None:
        """Adds the key for ``kid`` (0 .. 2**64 - 1), or replaces the one it
        has. ``base_key``: bytes-like, at least 1 byte (RFC 9605 sets no
        length); the key and salt are derived from it here and it is not
        kept. ``usage``: ``"send"`` (protect with it) or ``"receive"``
        (unprotect frames carrying this KID), or a :class:`Usage`.

        Raises:
            InvalidArgument: bad kid, empty base_key, bad usage, or (in a
                child process after fork) re-adding the base key of an
                inherited send key.
            TypeError: wrong argument types.
        """
        kid = _u64(kid, "kid", "add_key")
        u = _usage(usage, "add_key")
        _check_base_key(base_key, "add_key")
        _core.sframe_ctx_add_key(self._handle(), kid, _USAGE_C[u], base_key)

    def remove_key(self, kid: int) -> None:
        """Removes the key of ``kid`` and wipes it.

        Raises:
            UnknownKid: ``kid`` has no key.
        """
        _core.sframe_ctx_remove_key(self._handle(),
                                    _u64(kid, "kid", "remove_key"))

    def next_ctr(self, kid: int) -> int:
        """The CTR the next :meth:`protect` with ``kid`` will use (0 for a
        new send key, +1 per frame).

        Raises:
            UnknownKid: ``kid`` has no send key (in this process).
            CounterExhausted: ``kid`` has used CTR 2**64 - 1.
        """
        return _core.sframe_ctx_next_ctr(self._handle(),
                                         _u64(kid, "kid", "next_ctr"))

    def overhead(self, kid: int, ctr: int) -> int:
        """Bytes a frame with this KID and CTR adds to its payload in this
        context's suite (header + tag)."""
        return overhead(self._suite, _u64(kid, "kid", "overhead"),
                        _u64(ctr, "ctr", "overhead"))

    # ---- protect ------------------------------------------------------------

    def protect(self, kid: int, payload, metadata=b"") -> bytes:
        """Protects ``payload`` (bytes-like, 0 .. :data:`MAX_PAYLOAD` bytes)
        with the send key of ``kid`` and its next CTR, and returns the SFrame
        ciphertext (header || ciphertext || tag). ``metadata`` is
        authenticated, not sent.

        Raises:
            UnknownKid: ``kid`` has no send key (never added, removed, a
                receive key, or inherited across fork).
            CounterExhausted: ``kid`` has used every CTR.
            TooLarge: payload over :data:`MAX_PAYLOAD` bytes.
        """
        return _core.sframe_ctx_protect(self._handle(),
                                        _u64(kid, "kid", "protect"),
                                        metadata, payload)

    def protect_into(self, kid: int, payload, out, metadata=b"") -> int:
        """As :meth:`protect`, writing the frame into ``out`` (bytearray or
        writable memoryview; ``payload`` may share its memory) and returning
        its length.

        Raises:
            BufferTooSmall: ``out`` cannot hold the frame (nothing written;
                ``len(payload) + MAX_OVERHEAD`` always suffices).
            and those of :meth:`protect`.
        """
        return _core.sframe_ctx_protect_into(
            self._handle(), _u64(kid, "kid", "protect_into"), metadata,
            payload, out)

    def protect_inplace(self, kid: int, buf, length: int, metadata=b"") -> int:
        """Protects the payload ``buf[:length]`` in place (``buf`` a
        bytearray or writable memoryview with room for the frame) and
        returns the frame length: the frame is ``buf[:returned]``.

        Raises:
            BufferTooSmall: ``len(buf)`` is less than the frame length
                (``buf`` unchanged).
            and those of :meth:`protect`.
        """
        kid = _u64(kid, "kid", "protect_inplace")
        _length(length, "length", "protect_inplace")
        return _core.sframe_ctx_protect_inplace(self._handle(), kid, metadata,
                                                buf, length)

    # ---- unprotect ----------------------------------------------------------

    def unprotect(self, frame, metadata=b"") -> Unprotected:
        """Verifies and decrypts the SFrame ciphertext ``frame`` with the
        receive key its header names, and returns
        ``Unprotected(payload, kid, ctr)`` (a named tuple).

        Raises (in this order):
            Malformed: header truncated or not in the shortest form, or no
                room for the tag.
            UnknownKid: no receive key for the frame's KID (retryable: keep
                the frame until the key arrives, RFC 9605 4.4.4).
            TooLarge: payload over :data:`MAX_PAYLOAD`.
            Replayed: the replay window is on and the CTR was accepted
                before or is too old.
            AuthFailed: the frame was altered, or made with another key, or
                ``metadata`` differs from the sender's.
        """
        return Unprotected(*_core.sframe_ctx_unprotect(self._handle(),
                                                       metadata, frame))

    def unprotect_into(self, frame, out, metadata=b"") -> UnprotectedInto:
        """As :meth:`unprotect`, writing the payload into ``out`` and
        returning ``UnprotectedInto(length, kid, ctr)``.

        Raises:
            BufferTooSmall: ``out`` cannot hold the payload (checked after
                the frame verified; the CTR is then not recorded, so the
                frame can be retried with a larger buffer).
            and those of :meth:`unprotect`.
        """
        return UnprotectedInto(*_core.sframe_ctx_unprotect_into(
            self._handle(), metadata, frame, out))

    def unprotect_inplace(self, buf, length: int | None = None,
                          metadata=b"") -> UnprotectedInto:
        """Unprotects the frame ``buf[:length]`` (default: all of ``buf``)
        in place and returns ``UnprotectedInto(length, kid, ctr)``: the
        payload is ``buf[:length]``. On failure ``buf`` is unchanged.
        Raises as :meth:`unprotect`."""
        if length is None:
            length = memoryview(buf).nbytes
        _length(length, "length", "unprotect_inplace")
        return UnprotectedInto(*_core.sframe_ctx_unprotect_inplace(
            self._handle(), metadata, buf, length))

    # ---- lifetime -------------------------------------------------------------

    def close(self) -> None:
        """Wipes the keys and frees the context now (or, if an
        :class:`SFrameObserver` uses it, once the observer is gone). Later
        calls raise ValueError."""
        self._h = None

    def __enter__(self) -> "SFrameContext":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._h is None else \
            f"replay_window={self._window}"
        return f"<chanenc.sframe.SFrameContext {self._suite.name} {state}>"


# ---------------------------------------------------------------------------
# Observer
# ---------------------------------------------------------------------------

class SFrameObserver:
    """SFrame end-to-end encryption as the packet observer of a
    :class:`chanenc.Channel` (``chanenc_sframe_observer.h``).

    ``SFrameObserver(context, send_kid)``: every outgoing audio and video
    packet is protected under ``send_kid`` (which needs a send key in
    ``context`` by the first packet) and every incoming one is unprotected
    with the receive key its header names. The packet kind is bound as
    metadata (``b"a"`` / ``b"v"``), so an audio packet replayed as video
    fails. Register it like any observer::

        ctx = SFrameContext("AES_128_GCM_SHA256_128", replay_window=128)
        ctx.add_key(my_kid, my_key, usage="send")
        ctx.add_key(peer_kid, peer_key, usage="receive")
        obs = SFrameObserver(ctx, my_kid)
        channel.register_packet_observer(obs)

    The channel then calls the C observer directly (no Python code per
    packet; the GIL is not taken). It works with built-in CE1 encryption on
    or off (with CE1, SFrame wraps the CE1 frame on send and is removed
    before CE1 unprotects on receive).

    A packet the observer fails (no key for the KID, replayed CTR, altered
    packet, counter exhausted) makes :meth:`chanenc.Channel.send` /
    :meth:`~chanenc.Channel.receive` raise :class:`chanenc.ObserverError`
    whose ``observer_exception`` (and ``__cause__``) is the SFrame
    exception (:class:`chanenc.UnknownKid`, :class:`chanenc.Replayed`, ...);
    :meth:`last_status` tells it too.

    Keys are changed on ``context`` (:meth:`SFrameContext.add_key`,
    :meth:`~SFrameContext.remove_key`) and the sending KID with
    :meth:`set_send_kid`, at any time. An observer serves one channel at a
    time; the observer keeps ``context`` alive, and the channel keeps the
    observer alive while it is registered.
    """

    __slots__ = ("_h", "_ctx", "_send_kid", "_channel", "__weakref__")

    def __init__(self, context: SFrameContext, send_kid: int) -> None:
        if not isinstance(context, SFrameContext):
            raise TypeError(f"SFrameObserver: context must be a "
                            f"chanenc.sframe.SFrameContext, not "
                            f"{type(context).__name__}")
        kid = _u64(send_kid, "send_kid", "SFrameObserver")
        self._h = None
        self._h = _core.sframe_obs_new(context._handle(), kid)
        self._ctx = context
        self._send_kid = kid
        self._channel = None  # weakref to the Channel it is registered on

    def _handle(self):
        return self._h

    @property
    def context(self) -> SFrameContext:
        """The SFrame context the observer uses."""
        return self._ctx

    @property
    def send_kid(self) -> int:
        """The KID outgoing packets are protected under."""
        return self._send_kid

    def set_send_kid(self, kid: int) -> None:
        """Key rotation: later packets are sent under ``kid`` (add its send
        key to the context first; a packet sent while it has none fails
        with UnknownKid)."""
        kid = _u64(kid, "kid", "set_send_kid")
        _core.sframe_obs_set_send_kid(self._h, kid)
        self._send_kid = kid

    def _status_code(self, sending: bool) -> int:
        return _core.sframe_obs_status(self._h, 1 if sending else 0)

    def last_status(self, sending: bool) -> str:
        """Status name of the last packet the observer handled in one
        direction (``sending`` true: the send side): ``"OK"`` when it went
        through (or none has yet), else e.g. ``"UNKNOWN_KID"``,
        ``"REPLAYED"``, ``"AUTH_FAILED"``, ``"COUNTER_EXHAUSTED"``."""
        return _core.ce_status_name(self._status_code(sending))

    def last_error(self, sending: bool) -> type[Error] | None:
        """The exception class of :meth:`last_status` (e.g.
        :class:`chanenc.Replayed`), or None when it is ``"OK"``."""
        code = self._status_code(sending)
        return None if code == 0 else error_class(code)

    def _sframe_exception(self, sending: bool) -> Error | None:
        code = self._status_code(sending)
        if code >= 0:
            return None
        cls = error_class(code)
        side = "send" if sending else "receive"
        return cls(f"SFrame observer ({side}): {_core.ce_status_str(code)} "
                   f"[{_core.ce_status_name(code)}]")

    def _check_free_for(self, channel) -> None:
        cur = self._channel() if self._channel is not None else None
        if cur is not None and cur is not channel:
            raise _argument_error(
                InvalidArgument, "register_packet_observer",
                "this SFrameObserver is registered on another Channel; "
                "create one SFrameObserver per channel (they may share a "
                "context)")

    def _attach(self, channel) -> None:
        self._channel = weakref.ref(channel)

    def _detach(self, channel) -> None:
        cur = self._channel() if self._channel is not None else None
        if cur is None or cur is channel:
            self._channel = None

    def __repr__(self) -> str:
        return (f"<chanenc.sframe.SFrameObserver send_kid={self._send_kid} "
                f"{self._ctx.suite.name}>")
