"""Configuration (spec section 3) and the key schedule (spec section 4)."""

from __future__ import annotations

import base64
import binascii
from typing import NamedTuple

from . import _core
from .backends import BACKENDS, backend_id
from .errors import InvalidArgument, _argument_error
from .modes import Mode, mode_id, MODES, SALT_LEN

__all__ = ["Config", "Derived", "derive"]

_ZERO_SALT = bytes(SALT_LEN)


def _as_bytes(value, what: str) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    try:
        return bytes(memoryview(value))
    except TypeError:
        raise TypeError(f"{what} must be bytes-like or str, not "
                        f"{type(value).__name__}") from None


class Config:
    """An encryption configuration, the SDK's ``EncryptionConfig``.

    Args:
        mode: a :class:`~chanenc.Mode`, a mode id (1..8), an SDK name
            (``"AES_128_GCM2"``) or a mode string (``"aes-128-gcm-2"``).
            Default: AES_128_GCM2, as a fresh SDK config.
        key: the key string. ``str`` is taken as its UTF-8 bytes, bytes-like
            objects as they are; never hex-decoded (spec 3). Must not be
            empty when the config is used.
        salt: 32 bytes, or a ``str`` holding the base64 of 32 bytes (as
            servers hand it out). Only modes 7 and 8 use it, and there it
            must not be all zero. Default: 32 zero bytes. Another length,
            or invalid base64, raises :class:`~chanenc.InvalidArgument` (a
            ValueError) at once.
        datastream: protect data-stream packets on a :class:`~chanenc.Channel`
            (the SDK's ``datastreamEncryptionEnabled``).
        backend: the cipher backend, ``"auto"`` (default: the fastest that
            can serve the mode here), ``"openssl"``, ``"ipsec-mb"`` or
            ``"sm4-simd"``
            (:mod:`chanenc.backends`). It never changes the frames. An
            unknown name raises :class:`~chanenc.InvalidArgument` at once; a
            backend that cannot serve the mode is refused with
            :class:`~chanenc.NotSupported` by :meth:`check` and
            :class:`~chanenc.Context`.

    Nothing is validated against the spec here beyond types and sizes:
    :meth:`check`, :class:`~chanenc.Context` and :func:`derive` refuse a
    bad config with :class:`~chanenc.InvalidArgument` or
    :class:`~chanenc.NotSupported`.

    >>> cfg = Config("AES_128_GCM2", key="0123456789abcdef",
    ...              salt="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
    """

    __slots__ = ("_mode", "_key", "_salt", "_datastream", "_backend")

    def __init__(self, mode: int | str | Mode = Mode.AES_128_GCM2,
                 key: bytes | str | None = None,
                 salt: bytes | str | None = None,
                 datastream: bool = False,
                 backend: int | str = "auto") -> None:
        self.mode = mode
        self.key = key
        self.salt = salt
        self.datastream = datastream
        self.backend = backend

    @property
    def mode(self) -> int:
        """Mode id (a :class:`~chanenc.Mode` for ids 1..8, else the int)."""
        return self._mode

    @mode.setter
    def mode(self, value) -> None:
        m = mode_id(value)
        self._mode = Mode(m) if m in MODES else m

    @property
    def key(self) -> bytes:
        """The raw key bytes (``b""`` when unset)."""
        return self._key

    @key.setter
    def key(self, value) -> None:
        if value is None:
            self._key = b""
        elif isinstance(value, str):
            self._key = value.encode("utf-8")
        else:
            self._key = _as_bytes(value, "key")

    @property
    def salt(self) -> bytes:
        """The 32 salt bytes."""
        return self._salt

    @salt.setter
    def salt(self, value) -> None:
        if value is None:
            self._salt = _ZERO_SALT
        elif isinstance(value, str):
            if "\0" in value or not value.isascii():
                raise _argument_error(
                    InvalidArgument, "salt",
                    f"not base64 text (expected the base64 of {SALT_LEN} "
                    "bytes: 43 symbols and optionally one '=')")
            try:
                self._salt = _core.salt_from_base64(value)
            except InvalidArgument:
                raise _argument_error(InvalidArgument, "salt",
                                      _b64_problem(value)) from None
        else:
            b = _as_bytes(value, "salt")
            if len(b) != SALT_LEN:
                raise _argument_error(
                    InvalidArgument, "salt",
                    f"must be {SALT_LEN} bytes (or their base64), got "
                    f"{len(b)}")
            self._salt = b

    @property
    def datastream(self) -> bool:
        """Whether a channel protects data-stream packets."""
        return self._datastream

    @datastream.setter
    def datastream(self, value) -> None:
        self._datastream = bool(value)

    #: The SDK's name for :attr:`datastream`.
    datastream_encryption_enabled = datastream

    @property
    def backend(self) -> str:
        """The cipher backend asked for: ``"auto"``, ``"openssl"``,
        ``"ipsec-mb"`` or ``"sm4-simd"`` (set by name or by C value)."""
        return BACKENDS[self._backend]

    @backend.setter
    def backend(self, value) -> None:
        self._backend = backend_id(value)

    def _args(self) -> tuple:
        return (int(self._mode), self._key, self._salt, int(self._datastream),
                self._backend)

    def _validate(self, what: str) -> None:
        """Raises InvalidArgument naming what is wrong, in the order
        ce_config_check checks (mode, key, salt), then NotSupported for a
        named backend that cannot serve the mode; ``what`` names the
        operation. The C check that follows still has the last word."""
        m = int(self._mode)
        if m not in MODES:
            valid = ", ".join(f"{i} {info.name}" for i, info in MODES.items())
            raise _argument_error(InvalidArgument, what,
                                  f"mode {m} is not a CE1 mode (valid: "
                                  f"{valid})")
        if not self._key:
            raise _argument_error(InvalidArgument, what,
                                  "key must not be empty (set Config.key)")
        if len(self._salt) != SALT_LEN:
            raise _argument_error(InvalidArgument, what,
                                  f"salt must be {SALT_LEN} bytes, got "
                                  f"{len(self._salt)}")
        info = MODES[m]
        if info.salted and self._salt == _ZERO_SALT:
            raise _argument_error(InvalidArgument, what,
                                  f"{info.name} needs a salt: {SALT_LEN} "
                                  "bytes, not all zero (set Config.salt)")
        if self._backend != 0:
            # NotSupported naming the backend and the mode (C says the same
            # with its generic text).
            _core.backend_select(self._backend, m)

    def check(self) -> None:
        """Validates the config without deriving keys.

        Raises:
            InvalidArgument: mode outside 1..8, empty key, or a GCM2 mode
                with an all-zero salt; the message says which.
            NotSupported: the linked OpenSSL lacks the cipher, or the
                named backend cannot serve the mode here.
        """
        self._validate("config")
        _core.config_check(*self._args())

    def copy(self) -> "Config":
        """A copy of this config."""
        return Config(self._mode, self._key, self._salt, self._datastream,
                      self._backend)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Config):
            return NotImplemented
        return self._args() == other._args()

    __hash__ = None  # mutable

    def __repr__(self) -> str:
        mode = self._mode.name if isinstance(self._mode, Mode) else self._mode
        salt = "zero" if self._salt == _ZERO_SALT else "set"
        return (f"Config(mode={mode}, key=<{len(self._key)} bytes>, "
                f"salt=<{salt}>, datastream={self._datastream}, "
                f"backend={self.backend})")


def _b64_problem(text: str) -> str:
    """Why ``text`` is not a base64 salt (after the C decoder refused it)."""
    t = text.strip(" \t\r\n")
    try:
        raw = base64.b64decode(t, validate=True)
    except (binascii.Error, ValueError):
        return (f"not valid base64 (expected the base64 of {SALT_LEN} bytes: "
                "43 symbols and optionally one '=')")
    if len(raw) != SALT_LEN:
        return (f"base64 decodes to {len(raw)} bytes; the salt must be "
                f"{SALT_LEN} bytes")
    return (f"not the canonical base64 of {SALT_LEN} bytes (43 symbols, "
            "optionally one '=', unused low bits zero)")


class Derived(NamedTuple):
    """Key-schedule outputs of a config (spec 4)."""

    enc_key: bytes
    """Cipher key: 16, 32 or 64 bytes (K1||K2 for XTS)."""
    iv_base: bytes | None
    """12-byte nonce base of the GCM family; None for ECB and XTS."""
    check: int
    """The check byte (0..255) carried in every frame header."""


def derive(config: Config) -> Derived:
    """Runs the key schedule of spec section 4 for ``config``.

    For the GCM2 modes this costs 100,000 PBKDF2 iterations; the GIL is
    released meanwhile. Raises like :meth:`Config.check`.
    """
    if not isinstance(config, Config):
        raise TypeError(f"expected a chanenc.Config, not "
                        f"{type(config).__name__}")
    config._validate("derive")
    enc_key, iv_base, check = _core.derive(*config._args())
    return Derived(enc_key, iv_base, check)
