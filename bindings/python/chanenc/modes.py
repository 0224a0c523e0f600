"""CE1 modes (spec section 2) and their sizes (spec section 8).

>>> chanenc.Mode.AES_128_GCM2
<Mode.AES_128_GCM2: 7>
>>> chanenc.mode_info("aes-256-xts").key_bytes
64
>>> chanenc.overhead("AES_128_ECB", 5)
13
"""

from __future__ import annotations

import enum
from typing import NamedTuple

from . import _core

__all__ = ["Mode", "Family", "ModeInfo", "MODES", "mode_id", "mode_info",
           "overhead", "mode_supported", "MAX_PAYLOAD", "MAX_FRAME",
           "MAX_OVERHEAD", "SALT_LEN", "PBKDF2_ITERATIONS"]

#: Largest payload a frame can carry (bytes).
MAX_PAYLOAD = _core.CE_MAX_PAYLOAD
#: Largest frame of any mode (GCM: 10 + 65535 + 16).
MAX_FRAME = _core.CE_MAX_FRAME
#: Largest expansion of any mode and payload length.
MAX_OVERHEAD = _core.CE_MAX_OVERHEAD
#: Salt length of modes 7 and 8.
SALT_LEN = _core.CE_SALT_LEN
#: PBKDF2 work factor of the GCM2 modes.
PBKDF2_ITERATIONS = _core.CE_PBKDF2_ITERATIONS


class Mode(enum.IntEnum):
    """The eight CE1 modes, numbered as the SDK's enum."""

    AES_128_XTS = 1
    AES_128_ECB = 2
    AES_256_XTS = 3
    SM4_128_ECB = 4
    AES_128_GCM = 5
    AES_256_GCM = 6
    AES_128_GCM2 = 7
    AES_256_GCM2 = 8


class Family(enum.IntEnum):
    """Cipher family of a mode: decides header length and frame layout."""

    NONE = 0
    ECB = 1
    XTS = 2
    GCM = 3


class ModeInfo(NamedTuple):
    """One row of the mode table of spec section 2."""

    id: int
    """Mode id, 1..8."""
    name: str
    """SDK enum name, e.g. ``"AES_128_GCM2"``."""
    string: str
    """Mode string bound into the key schedule, e.g. ``"aes-128-gcm-2"``."""
    family: Family
    """ECB, XTS or GCM."""
    key_bytes: int
    """Length of the derived ``enc_key`` (K1||K2 for XTS)."""
    header_len: int
    """Frame header length: 2 (ECB) or 10 (XTS, GCM)."""
    salted: bool
    """True for the GCM2 modes (PBKDF2 with the config's salt)."""
    supported: bool
    """Whether the linked OpenSSL provides the cipher."""


def _info(m: int) -> ModeInfo:
    return ModeInfo(
        id=m, name=_core.ce_mode_name(m), string=_core.ce_mode_string(m),
        family=Family(_core.ce_mode_family(m)),
        key_bytes=_core.ce_mode_key_bytes(m),
        header_len=_core.ce_mode_header_len(m),
        salted=m in (7, 8),
        supported=_core.ce_mode_supported(m) == _core.CE_OK)


#: Mode table: {id: ModeInfo} for ids 1..8.
MODES: dict[int, ModeInfo] = {int(m): _info(int(m)) for m in Mode}


def mode_id(mode: int | str | Mode) -> int:
    """Mode id of a mode given as an int (1..8), a :class:`Mode`, an SDK name
    (``"AES_128_GCM2"``), a mode string (``"aes-128-gcm-2"``) or a decimal
    string (``"7"``). Raises ValueError for an unknown name and TypeError for
    other types. Ints are returned as given, even outside 1..8 (a config
    with such a mode is refused later with InvalidArgument)."""
    if isinstance(mode, bool):
        raise TypeError("mode must be an int, a Mode or a str, not bool")
    if isinstance(mode, int):
        return int(mode)
    if isinstance(mode, str):
        m = _core.ce_mode_from_name(mode.strip())
        if m == 0:
            names = ", ".join(i.name for i in MODES.values())
            raise ValueError(f"unknown mode {mode!r} (known: {names}, "
                             "their mode strings, or ids 1..8)")
        return m
    raise TypeError(f"mode must be an int, a Mode or a str, not "
                    f"{type(mode).__name__}")


def mode_info(mode: int | str | Mode) -> ModeInfo:
    """The :class:`ModeInfo` of a mode (any form :func:`mode_id` accepts).
    Raises ValueError for an invalid mode."""
    m = mode_id(mode)
    try:
        return MODES[m]
    except KeyError:
        raise ValueError(f"invalid mode id {m} (valid: 1..8)") from None


def overhead(mode: int | str | Mode, payload_len: int) -> int:
    """Bytes a frame adds to a payload of ``payload_len`` bytes (spec 8):
    ECB 2 + (1..16), XTS 10 (26 - len below 16 bytes), GCM 26."""
    info = mode_info(mode)
    if not isinstance(payload_len, int) or isinstance(payload_len, bool):
        raise TypeError("payload_len must be an int")
    if payload_len < 0:
        raise ValueError("payload_len must be >= 0")
    return _core.ce_overhead(info.id, payload_len)


def mode_supported(mode: int | str | Mode) -> bool:
    """True when the linked OpenSSL provides the mode's cipher."""
    return mode_info(mode).supported
