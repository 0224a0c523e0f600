"""Exceptions: one class per chanenc status.

Every failure reported by the C library is raised as a subclass of
:class:`Error`. The subclass tells what went wrong; ``.status`` is the
spec's status name (``"AUTH_FAILED"``) and ``.code`` the C ``ce_status``
value (``-6``)::

    try:
        payload = ctx.unprotect(frame)
    except chanenc.AuthFailed:
        ...                      # tampered frame or wrong key
    except chanenc.Error as e:
        print(e.status, e.code)  # any other failure

The argument errors (:class:`InvalidArgument`, :class:`BufferTooSmall`,
:class:`TooLarge`) also derive from :class:`ValueError`.

SFrame (:mod:`chanenc.sframe`, RFC 9605) adds three statuses:
:class:`UnknownKid`, :class:`Replayed` and :class:`CounterExhausted`.
"""

from __future__ import annotations

from . import _core

__all__ = [
    "Error", "Malformed", "BadVersion", "ModeMismatch", "KeyMismatch",
    "BadPadding", "AuthFailed", "InvalidArgument", "NotSupported",
    "BufferTooSmall", "TooLarge", "Internal", "ObserverError",
    "UnknownKid", "Replayed", "CounterExhausted",
    "error_class", "status_name", "status_code", "status_description",
]


class Error(Exception):
    """Base class of every chanenc failure.

    Attributes:
        status: the status name of the spec, e.g. ``"AUTH_FAILED"``.
        code: the C status value (a negative int), e.g. ``-6``.
    """

    status = "UNKNOWN"
    code = 0


class Malformed(Error):
    """The frame length or its S flag is impossible for the mode (spec 9,
    steps 1, 4 and 6)."""

    status, code = "MALFORMED", _core.CE_ERR_MALFORMED


class BadVersion(Error):
    """The frame's version bits are not 001 (spec 9, step 2)."""

    status, code = "BAD_VERSION", _core.CE_ERR_BAD_VERSION


class ModeMismatch(Error):
    """The frame was made with another mode (spec 9, step 3)."""

    status, code = "MODE_MISMATCH", _core.CE_ERR_MODE_MISMATCH


class KeyMismatch(Error):
    """The check byte differs: the sender used another key or salt
    (spec 9, step 5)."""

    status, code = "KEY_MISMATCH", _core.CE_ERR_KEY_MISMATCH


class BadPadding(Error):
    """ECB PKCS#7 padding or the XTS short-block padding is wrong
    (spec 9, steps 7 and 8)."""

    status, code = "BAD_PADDING", _core.CE_ERR_BAD_PADDING


class AuthFailed(Error):
    """The GCM tag did not verify: the frame was altered, or made with
    another key (spec 9, step 9)."""

    status, code = "AUTH_FAILED", _core.CE_ERR_AUTH_FAILED


class InvalidArgument(Error, ValueError):
    """An argument is unusable: empty key, mode outside 1..8, GCM2 with an
    all-zero salt, a bad primitive key or length, ..."""

    status, code = "INVALID_ARGUMENT", _core.CE_ERR_INVALID_ARGUMENT


class NotSupported(Error):
    """The linked OpenSSL lacks the cipher (e.g. SM4)."""

    status, code = "NOT_SUPPORTED", _core.CE_ERR_NOT_SUPPORTED


class BufferTooSmall(Error, ValueError):
    """The output buffer is smaller than the result; nothing was written."""

    status, code = "BUFFER_TOO_SMALL", _core.CE_ERR_BUFFER_TOO_SMALL


class TooLarge(Error, ValueError):
    """A payload over 65,535 bytes (or a packet over the channel's wire
    size limit)."""

    status, code = "TOO_LARGE", _core.CE_ERR_TOO_LARGE


class Internal(Error):
    """OpenSSL failed unexpectedly."""

    status, code = "INTERNAL", _core.CE_ERR_INTERNAL


class ObserverError(Error):
    """A packet observer failed for this packet.

    Raised by :meth:`chanenc.Channel.send` and :meth:`~chanenc.Channel.receive`
    when the observer raised an exception (chained as ``__cause__`` and kept
    in ``.observer_exception``), returned something that is not None,
    a bool or bytes, or handed back a packet the channel cannot accept.

    With a :class:`chanenc.sframe.SFrameObserver`, ``.observer_exception``
    (and ``__cause__``) is the SFrame failure of the packet:
    :class:`UnknownKid`, :class:`Replayed`, :class:`AuthFailed`,
    :class:`Malformed`, :class:`CounterExhausted`, ...
    """

    status, code = "OBSERVER", _core.CE_ERR_OBSERVER
    #: The exception the observer raised, if any.
    observer_exception: BaseException | None = None


class UnknownKid(Error):
    """SFrame: no key for this KID in this direction - never added, removed,
    a key of the other usage (a send key cannot unprotect, a receive key
    cannot protect), or a send key inherited across ``fork()``.

    On unprotect this is the one retryable failure (RFC 9605 4.4.4): the
    receiver may keep the frame and try again once the key arrives.
    """

    status, code = "UNKNOWN_KID", _core.CE_ERR_UNKNOWN_KID


class Replayed(Error):
    """SFrame: the replay window is on and the frame's counter (CTR) was
    already accepted for its KID, or is older than the window."""

    status, code = "REPLAYED", _core.CE_ERR_REPLAYED


class CounterExhausted(Error):
    """SFrame: the send key of this KID has used every counter value up to
    2**64 - 1; add a new key (a new KID or base key) to go on."""

    status, code = "COUNTER_EXHAUSTED", _core.CE_ERR_COUNTER_EXHAUSTED


_CLASSES = {cls.code: cls for cls in (
    Malformed, BadVersion, ModeMismatch, KeyMismatch, BadPadding, AuthFailed,
    InvalidArgument, NotSupported, BufferTooSmall, TooLarge, Internal,
    ObserverError, UnknownKid, Replayed, CounterExhausted)}
_BY_NAME = {cls.status: cls for cls in _CLASSES.values()}
_core.set_error_classes(dict(_CLASSES))


def _argument_error(cls: type[Error], what: str, msg: str) -> Error:
    """An exception found on the Python side before calling C, worded like
    the C layer's (``"what: message [STATUS]"``) but naming the argument and
    what it may be."""
    return cls(f"{what}: {msg} [{cls.status}]")


def error_class(status: int | str) -> type[Error]:
    """The exception class of a status code (``-6``) or name
    (``"AUTH_FAILED"``). Raises ValueError for OK, DROPPED or unknown."""
    if isinstance(status, str):
        try:
            return _BY_NAME[status]
        except KeyError:
            raise ValueError(f"not a failure status name: {status!r}") from None
    try:
        return _CLASSES[status]
    except KeyError:
        raise ValueError(f"not a failure status code: {status!r}") from None


def status_name(code: int) -> str:
    """Spec name of a status code: ``-6`` -> ``"AUTH_FAILED"``, ``0`` ->
    ``"OK"``, ``1`` -> ``"DROPPED"``; ``"UNKNOWN"`` otherwise."""
    return _core.ce_status_name(int(code))


def status_description(code: int) -> str:
    """Short description of a status code, e.g. ``"GCM tag did not verify"``."""
    return _core.ce_status_str(int(code))


def status_code(name: str) -> int:
    """Status code of a spec name: ``"AUTH_FAILED"`` -> ``-6``.
    Raises ValueError for an unknown name."""
    if not isinstance(name, str):
        raise TypeError(f"status name must be a str, not {type(name).__name__}")
    code = _core.status_from_name(name)
    if code is None:
        raise ValueError(f"unknown status name: {name!r}")
    return code
